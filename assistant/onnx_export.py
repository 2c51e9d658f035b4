"""Export the sentence-transformers query encoder (BERT + mean pooling + L2 norm) as one ONNX graph.

torch and sentence-transformers are imported inside :func:`export_onnx` only: importing this module
stays cheap, and the runtime side (:mod:`assistant.onnx_encoder`) never needs them.
"""

from __future__ import annotations

import contextlib
import gc
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
DATA_SUFFIX = ".data"  # model.onnx.data: the weights, as ONNX external data
TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "config.json"
OUTPUT_NAME = "sentence_embedding"
FUSED_MIN_COSINE = 0.99999


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


def _fuse(path: Path, num_heads: int, hidden_size: int) -> dict[str, int]:
    """Rewrite the graph with onnxruntime's BERT fusions (Attention, SkipLayerNorm, BiasGelu, ...).

    The traced graph is hundreds of small ops; onnxruntime's online optimiser does not fuse the
    attention pattern the tracer writes, the offline ``onnxruntime.transformers`` optimiser does
    (measured with bench/bench_encoder.py: a query ~25% faster on 2 threads). The fused graph is
    kept only if it computes the same vectors as the traced one (cosine >= FUSED_MIN_COSINE on a
    padded batch); otherwise the traced graph stays. Returns the fused-operator counts (empty: kept).
    """
    import numpy as np
    from onnxruntime.transformers.optimizer import optimize_model

    fused_path = path.with_name(path.name + ".fused")
    quiet = logging.root.manager.disable
    try:
        # Its modules log every fusion at INFO under their own names ("fusion_base: Fused Gelu: 6").
        logging.disable(logging.INFO)
        try:
            model = optimize_model(
                str(path), model_type="bert", num_heads=num_heads, hidden_size=hidden_size, opt_level=0
            )
        finally:
            logging.disable(quiet)
        stats = {k: int(v) for k, v in model.get_fused_operator_statistics().items() if v}
        if not stats.get("Attention"):
            log.info("no attention fusion for %s; keeping the traced graph", path.name)
            return {}
        model.save_model_to_file(str(fused_path))
        del model  # the graph in Python objects: hundreds of MB, not needed any more
        _release_memory()
        before, after = (_run_probe(p) for p in (path, fused_path))
        cosine = float(np.min(np.sum(before * after, axis=1)))
        if cosine < FUSED_MIN_COSINE:
            log.warning("the fused graph drifts (cosine %.7f); keeping the traced graph", cosine)
            return {}
        os.replace(fused_path, path)
        return stats
    except Exception as exc:  # noqa: BLE001 - fusion is an optimisation: any failure keeps the traced graph
        log.warning("graph fusion failed (%s); keeping the traced graph", exc)
        return {}
    finally:
        fused_path.unlink(missing_ok=True)
        _release_memory()


def _save_external(src: Path, model_out: Path) -> None:
    """Write the graph as `model.onnx` plus its weights in `model.onnx.data` (ONNX external data).

    onnxruntime memory-maps external weights instead of copying them out of a parsed protobuf:
    pages of the 47 MB word-embedding table that no question touches are never read in, and the
    file's bytes are not held twice while the session is built (measured: a session adds ~50 MB of
    RSS instead of ~125 MB, peak 103 MB instead of 186 MB, same speed and bit-identical vectors).
    """
    import onnx

    proto = onnx.load(str(src))
    data_name = model_out.name + DATA_SUFFIX
    stage = model_out.parent / f".export-{os.getpid()}"
    stage.mkdir(exist_ok=True)
    try:
        onnx.save_model(
            proto,
            str(stage / model_out.name),
            save_as_external_data=True,
            all_tensors_to_one_file=True,
            location=data_name,
            size_threshold=1024,
        )
        del proto
        (stage / data_name).chmod(0o644)  # onnx writes it owner-only; the index's other files are 0644
        for name in (data_name, model_out.name):  # the weights first: the graph names them
            fsync_file(stage / name)
            os.replace(stage / name, model_out.parent / name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the OS (glibc keeps them otherwise)."""
    gc.collect()
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _run_probe(path: Path) -> Any:
    """The graph's vectors for the probe batch, from a short-lived session (one in memory at a time)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.enable_cpu_mem_arena = False
    session = ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
    out = session.run(None, _probe_feeds([i.name for i in session.get_inputs()]))[0]
    del session
    return out


def _probe_feeds(names: list[str]) -> dict[str, Any]:
    """A padded batch of three rows (lengths 12, 5, 1 + specials) of arbitrary in-vocabulary ids."""
    import numpy as np

    lengths = (14, 7, 3)
    ids = np.zeros((len(lengths), max(lengths)), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, n in enumerate(lengths):
        ids[row, :n] = [101, *range(2000 + 37 * row, 2000 + 37 * row + n - 2), 102]
        mask[row, :n] = 1
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    return {n: feeds[n] for n in names}


def export_onnx(model_path: Path, out_dir: Path, model: Any = None) -> dict[str, str]:
    """Write out_dir/encoder/{model.onnx,model.onnx.data,tokenizer.json,config.json}; return {name: sha256}.

    The graph takes ``input_ids``, ``attention_mask`` (and ``token_type_ids`` when the model uses
    them), int64 of shape (batch, sequence), and returns ``sentence_embedding``: float32
    (batch, dim), L2-normalised. Never downloads anything.

    `model` is the SentenceTransformer already loaded from `model_path` (the index build's): reusing
    it avoids a second copy of the weights in memory. Its attention implementation is restored after.
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

    st: Any = model if model is not None else SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
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
    attn_before = getattr(bert.config, "_attn_implementation", None)
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
        _release_memory()
        fused = _fuse(tmp_model, int(bert.config.num_attention_heads), int(bert.config.hidden_size))
        log.info("encoder graph fusions: %s", fused or "none")
        _save_external(tmp_model, model_out)
    finally:
        tmp_model.unlink(missing_ok=True)
        if attn_before is not None:
            with contextlib.suppress(Exception):
                bert.set_attn_implementation(attn_before)

    tok_out = enc_dir / TOKENIZER_FILE
    tmp_tok = enc_dir / f".{TOKENIZER_FILE}.{os.getpid()}.tmp"
    shutil.copyfile(tokenizer_src, tmp_tok)
    fsync_file(tmp_tok)
    os.replace(tmp_tok, tok_out)

    config = {"max_seq_length": max_seq_length, "do_lower_case": do_lower_case, "dim": dim}
    cfg_out = enc_dir / CONFIG_FILE
    replace_synced(cfg_out, (json.dumps(config, indent=2, sort_keys=True) + "\n").encode())
    fsync_dir(enc_dir)

    data_out = model_out.with_name(model_out.name + DATA_SUFFIX)
    written = (model_out, data_out, tok_out, cfg_out)
    digests = {f"{ENCODER_DIR}/{p.name}": stream_sha256(p) for p in written}
    log.info(
        "exported ONNX encoder to %s (%.1f MB) in %.1f s",
        enc_dir,
        sum(p.stat().st_size for p in written) / 1e6,
        time.perf_counter() - started,
    )
    return digests
