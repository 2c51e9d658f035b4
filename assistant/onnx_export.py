"""Export the sentence-transformers query encoder (BERT + mean pooling + L2 norm) as one ONNX graph.

torch and sentence-transformers are imported inside :func:`export_onnx` only: importing this module
stays cheap, and the runtime side (:mod:`assistant.onnx_encoder`) never needs them.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import shutil
import time
import warnings
from pathlib import Path
from typing import Any

from assistant.durable import fsync_dir, fsync_file, replace_synced
from assistant.hashing import stream_sha256

log = logging.getLogger(__name__)

OPSET = 17
ENCODER_DIR = "encoder"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "config.json"
OUTPUT_NAME = "sentence_embedding"


def _finish_graph(path: Path, dim: int) -> None:
    """Pin the embedding width in the output shape (the tracer leaves a symbolic name), check, rewrite."""
    import onnx

    proto = onnx.load(str(path))
    out_dims = proto.graph.output[0].type.tensor_type.shape.dim
    if len(out_dims) == 2:
        out_dims[1].Clear()
        out_dims[1].dim_value = dim
    proto.doc_string = "all-MiniLM-style encoder: BERT + mean pooling + L2 normalisation"
    onnx.checker.check_model(proto)
    with open(path, "wb") as fh:
        fh.write(proto.SerializeToString(deterministic=True))


def _pooled_module(bert: Any) -> Any:
    """BERT -> mask-weighted mean of the token vectors -> L2 normalisation, as sentence-transformers does."""
    import torch

    class MeanPooledEncoder(torch.nn.Module):
        def __init__(self, backbone: torch.nn.Module, with_token_types: bool) -> None:
            super().__init__()
            self.backbone = backbone
            self.with_token_types = with_token_types

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any = None) -> Any:
            kwargs = {"input_ids": input_ids, "attention_mask": attention_mask}
            if self.with_token_types:
                kwargs["token_type_ids"] = token_type_ids
            tokens = self.backbone(**kwargs, return_dict=True).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            summed = (tokens * mask).sum(dim=1)
            counts = mask.sum(dim=1).clamp(min=1e-9)  # sentence_transformers.models.Pooling
            return torch.nn.functional.normalize(summed / counts, p=2.0, dim=1)  # models.Normalize

    return MeanPooledEncoder


def export_onnx(model_path: Path, out_dir: Path) -> dict[str, str]:
    """Write out_dir/encoder/{model.onnx,tokenizer.json,config.json}; return {relative name: sha256}.

    The graph takes ``input_ids``, ``attention_mask`` (and ``token_type_ids`` when the model uses
    them), int64 of shape (batch, sequence), and returns ``sentence_embedding``: float32
    (batch, dim), L2-normalised. Never downloads anything.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    started = time.perf_counter()
    model_path = Path(model_path)
    tokenizer_src = model_path / TOKENIZER_FILE
    if not tokenizer_src.is_file():
        raise FileNotFoundError(f"{tokenizer_src} is missing: the ONNX encoder needs a fast tokenizer file")

    import torch
    from sentence_transformers import SentenceTransformer

    st: Any = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
    st.eval()
    first: Any = st[0]
    names = [type(m).__name__ for m in st]
    if names[:2] != ["Transformer", "Pooling"] or len(names) > 3 or (len(names) == 3 and names[2] != "Normalize"):
        raise ValueError(f"{model_path}: unsupported module stack {names}; expected Transformer, Pooling, Normalize")
    pooling: Any = st[1]
    mode = getattr(pooling, "pooling_mode", None)
    if mode is None and not getattr(pooling, "pooling_mode_mean_tokens", False):
        raise ValueError(f"{model_path}: only mean pooling is supported")
    if mode is not None and mode != "mean" and mode != ["mean"] and mode != ("mean",):
        raise ValueError(f"{model_path}: only mean pooling is supported, not {mode!r}")
    get_dim = getattr(st, "get_embedding_dimension", None) or st.get_sentence_embedding_dimension
    dim = int(get_dim() or 0)
    if dim <= 0:
        raise ValueError(f"{model_path}: the model does not declare its embedding dimension")
    max_seq_length = int(st.max_seq_length)
    do_lower_case = bool(getattr(first, "do_lower_case", False))

    bert: Any = first.auto_model
    # Eager attention traces to plain MatMul/Softmax ops; SDPA/flash paths add data-dependent branches.
    with contextlib.suppress(Exception):
        bert.set_attn_implementation("eager")
    with contextlib.suppress(Exception):
        bert.config._attn_implementation = "eager"
    bert.eval()

    model_inputs = list(getattr(first.tokenizer, "model_input_names", ["input_ids", "attention_mask"]))
    with_token_types = "token_type_ids" in model_inputs and getattr(bert.config, "type_vocab_size", 0) > 0
    input_names = ["input_ids", "attention_mask"] + (["token_type_ids"] if with_token_types else [])
    wrapper = _pooled_module(bert)(bert, with_token_types).eval()

    # A dummy batch of two rows of different lengths, so the padding-mask path is part of the trace
    # (an all-ones mask could let the model skip building the attention mask altogether).
    sample = first.tokenizer(
        ["an example sentence to trace the graph with", "short"],
        padding=True,
        truncation=True,
        max_length=max_seq_length,
        return_tensors="pt",
    )
    args = tuple(sample[n].to(torch.int64) for n in input_names)
    axes = {n: {0: "batch", 1: "sequence"} for n in input_names}
    axes[OUTPUT_NAME] = {0: "batch"}

    enc_dir = Path(out_dir) / ENCODER_DIR
    enc_dir.mkdir(parents=True, exist_ok=True)
    model_out = enc_dir / MODEL_FILE
    tmp_model = enc_dir / f".{MODEL_FILE}.{os.getpid()}.tmp"

    sink = io.StringIO()
    try:
        with torch.no_grad(), warnings.catch_warnings(), contextlib.redirect_stdout(sink):
            warnings.simplefilter("ignore")  # TracerWarnings about shape-dependent Python branches
            torch.onnx.export(
                wrapper,
                args,
                str(tmp_model),
                dynamo=False,
                opset_version=OPSET,
                input_names=input_names,
                output_names=[OUTPUT_NAME],
                dynamic_axes=axes,
                do_constant_folding=True,
                export_params=True,
                external_data=False,
                verbose=False,
            )
        if sink.getvalue().strip():
            log.debug("torch.onnx.export said: %s", sink.getvalue().strip())
        _finish_graph(tmp_model, dim)
        fsync_file(tmp_model)
        os.replace(tmp_model, model_out)
    finally:
        tmp_model.unlink(missing_ok=True)

    tok_out = enc_dir / TOKENIZER_FILE
    tmp_tok = enc_dir / f".{TOKENIZER_FILE}.{os.getpid()}.tmp"
    shutil.copyfile(tokenizer_src, tmp_tok)
    fsync_file(tmp_tok)
    os.replace(tmp_tok, tok_out)

    config = {"max_seq_length": max_seq_length, "do_lower_case": do_lower_case, "dim": dim}
    cfg_out = enc_dir / CONFIG_FILE
    replace_synced(cfg_out, (json.dumps(config, indent=2, sort_keys=True) + "\n").encode())
    fsync_dir(enc_dir)

    digests = {f"{ENCODER_DIR}/{p.name}": stream_sha256(p) for p in (model_out, tok_out, cfg_out)}
    log.info(
        "exported ONNX encoder to %s (%.1f MB) in %.1f s",
        enc_dir,
        model_out.stat().st_size / 1e6,
        time.perf_counter() - started,
    )
    return digests
