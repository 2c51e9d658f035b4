"""The torch-free query encoder: the exported ONNX graph run by onnxruntime, tokenised by `tokenizers`.

This module must never import torch, transformers or sentence-transformers (directly or not): its
point is a small, fast-starting process. Only numpy, onnxruntime and tokenizers are used.

Thread safety: one instance may be shared by any number of threads. ``InferenceSession.run`` is
documented thread-safe (per-call state lives in the call; arena shrinkage takes the arena's lock),
and the ``tokenizers.Tokenizer`` is configured (truncation, no padding) once in ``__init__`` and only
read afterwards: ``Tokenizer.encode`` takes a shared borrow, so concurrent calls are fine. (The
"Already borrowed" errors seen with transformers' fast tokenizers come from *reconfiguring*
padding/truncation on every call; nothing here mutates the tokenizer after ``__init__``.) Checked by
tests/test_onnx_encoder.py: 16 threads mixing single questions and batches give the sequential vectors.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

log = logging.getLogger(__name__)

DEFAULT_MAX_SEQ_LENGTH = 256  # sentence-transformers' max_seq_length for all-MiniLM-L6-v2
BATCH_SIZE = 32
CONFIG_FILE = "config.json"
SPIN_US = 200  # the longest a pool thread spins waiting for the next op of a run, in microseconds


def _read_config(model_file: Path) -> dict:
    path = model_file.parent / CONFIG_FILE
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    return data


def session_options(threads: int) -> ort.SessionOptions:
    """Options for a small, predictable CPU session (measured with bench/bench_encoder.py, 2 threads).

    * The CPU memory arena stays on, and every batched run (more than one text) ends with
      ``memory.enable_memory_arena_shrinkage`` (see :func:`_shrink_options`). The plain arena keeps
      the high-water mark of every batch for good: two passes over the article's passages and two
      32 x 256-token batches left it at ~660 MB RSS. ``enable_cpu_mem_arena=False`` settles lower
      (~235 MB) but peaks higher (~770 MB) and fragments malloc on single queries (~225-245 MB
      against ~218 MB). Arena + shrinkage of batched runs: single queries keep the arena (~218 MB),
      the peak of a batch is ~520 MB and the process settles back to ~230 MB.
    * The weights are ONNX external data (``model.onnx.data``, see ``assistant.onnx_export``), which
      onnxruntime memory-maps: the session adds ~50 MB of RSS rather than ~125 MB.
    * ``session.use_env_allocators`` only shares one arena between several sessions; with a single
      session it changed nothing, so it is not used.
    * prepacking stays on: ``session.disable_prepacking=1`` saves ~27 MB but makes a query ~60% slower.
    * Spinning is bounded to the run: the pool's threads spin while a query runs (the graph is a
      chain of small ops, and waking a sleeping thread for each costs more than the op), for at
      most ``SPIN_US`` microseconds per wait, and ``session.force_spinning_stop`` puts them to sleep
      as soon as the run ends. With 2 cores shared by Gradio, retrieval and whatever else runs,
      threads spinning *between* queries (onnxruntime's default) fought for the CPU: on a loaded
      machine a query took ~10 ms p50 / ~22 ms p95 against ~5 / ~10 ms not spinning at all. Bounded
      spinning measured (idle 2-core machine, interleaved): p50 2.6 ms against 3.2 ms without
      spinning, and 0.18 CPU-seconds per second during sparse queries against 0.88 with the default.
    """
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = max(1, int(threads))
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.enable_cpu_mem_arena = True
    opts.add_session_config_entry("session.intra_op.allow_spinning", "1")
    opts.add_session_config_entry("session.intra_op.spin_duration_us", str(SPIN_US))
    opts.add_session_config_entry("session.force_spinning_stop", "1")
    opts.log_severity_level = 3  # errors only: no per-session warnings on stderr
    return opts


def _shrink_options() -> ort.RunOptions:
    """Run options that hand the arena's free regions back at the end of the run (batched runs)."""
    run = ort.RunOptions()
    run.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
    return run


class OnnxQueryEncoder:
    """Encode questions (or any texts) to L2-normalised float32 vectors, like sentence-transformers."""

    kind = "onnx"

    def __init__(self, model_file: Path, tokenizer_file: Path, threads: int = 2, dim: int = 384) -> None:
        self.model_file = Path(model_file)
        self.tokenizer_file = Path(tokenizer_file)
        config = _read_config(self.model_file)
        self.max_seq_length = int(config.get("max_seq_length", DEFAULT_MAX_SEQ_LENGTH))
        self.do_lower_case = bool(config.get("do_lower_case", False))
        self.dim = int(config.get("dim", dim))
        if self.dim != dim:
            raise ValueError(f"{self.model_file}: encoder dimension {self.dim} differs from the expected {dim}")

        tok = Tokenizer.from_file(str(self.tokenizer_file))
        # tokenizer.json carries its own settings (all-MiniLM-L6-v2's: truncate at 128, pad to a fixed
        # 128). sentence-transformers overrides both: truncate at max_seq_length (special tokens
        # included), pad to the longest text of the batch. We pad ourselves, below.
        pad = tok.padding or {}
        self._pad_id = int(pad.get("pad_id", 0))
        self._pad_type_id = int(pad.get("pad_type_id", 0))
        tok.no_padding()
        tok.enable_truncation(max_length=self.max_seq_length, stride=0, strategy="longest_first", direction="right")
        self._tokenizer = tok

        self._session = ort.InferenceSession(
            str(self.model_file), sess_options=session_options(threads), providers=["CPUExecutionProvider"]
        )
        self._inputs = [i.name for i in self._session.get_inputs()]
        unknown = set(self._inputs) - {"input_ids", "attention_mask", "token_type_ids"}
        if unknown or "input_ids" not in self._inputs:
            raise ValueError(f"{self.model_file}: unexpected graph inputs {self._inputs}")
        self._output = self._session.get_outputs()[0].name
        width = self._session.get_outputs()[0].shape[-1]
        if isinstance(width, int) and width != self.dim:
            raise ValueError(f"{self.model_file}: graph output width {width} differs from dim {self.dim}")

    def _prepare(self, text: str) -> str:
        text = str(text).strip()  # sentence-transformers strips each text before tokenising
        return text.lower() if self.do_lower_case else text

    def _run(self, texts: Sequence[str]) -> np.ndarray:
        # One encode() per text, not encode_batch(): the batch call starts the tokenizers' rayon thread
        # pool (threads competing with onnxruntime's, and a "process just got forked" warning in every
        # later subprocess) to save well under a millisecond next to the model run.
        encodings = [self._tokenizer.encode(self._prepare(t), add_special_tokens=True) for t in texts]
        width = max(len(e.ids) for e in encodings)
        ids = np.full((len(encodings), width), self._pad_id, dtype=np.int64)
        types = np.full((len(encodings), width), self._pad_type_id, dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, enc in enumerate(encodings):
            n = len(enc.ids)
            ids[row, :n] = enc.ids
            types[row, :n] = enc.type_ids
            mask[row, :n] = 1
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        # A fresh RunOptions per batched call: nothing is shared between threads but the session.
        run_options = _shrink_options() if len(texts) > 1 else None
        (out,) = self._session.run([self._output], {name: feeds[name] for name in self._inputs}, run_options)
        return np.asarray(out, dtype=np.float32)

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """(len(texts), dim) float32, L2-normalised; batches of similar lengths to limit padding."""
        texts = list(texts)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # as sentence-transformers does
        starts = range(0, len(texts), BATCH_SIZE)
        if progress and len(texts) > 64:
            from tqdm import tqdm  # no torch behind it

            starts = tqdm(starts, desc="encode", unit="batch")
        for start in starts:
            idx = order[start : start + BATCH_SIZE]
            out[idx] = self._run([texts[i] for i in idx])
        return out

    def encode_query(self, text: str) -> np.ndarray:
        """One text -> (dim,) float32, L2-normalised."""
        return self._run([text])[0]
