"""Query encoders: the sentence-transformers path, and the torch-free ONNX path chosen when valid."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from assistant.embedding import Embedder

log = logging.getLogger(__name__)


class EmbedderQueryEncoder:
    """Encode questions with any Embedder (sentence-transformers, or the fake one in tests)."""

    kind = "torch"

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.dim = embedder.dim

    def encode_query(self, text: str) -> np.ndarray:
        return self.embedder.encode([text])[0]


def export_available() -> bool:
    """Whether the ONNX exporter can run here (onnx and torch installed)."""
    try:
        import importlib.util

        return all(importlib.util.find_spec(m) is not None for m in ("onnx", "onnxruntime", "torch"))
    except ImportError:
        return False


def onnx_files(build: Path) -> dict[str, Path]:
    enc = build / "encoder"
    return {"model": enc / "model.onnx", "tokenizer": enc / "tokenizer.json", "config": enc / "config.json"}


def load_onnx_encoder(build: Path, manifest: Any, threads: int) -> Any | None:
    """The ONNX query encoder of a build, or None (with a log line) when it is absent or invalid."""
    try:
        from assistant.onnx_encoder import OnnxQueryEncoder
    except ImportError as exc:
        log.info("ONNX query encoder unavailable (%s); using sentence-transformers", exc)
        return None
    files = onnx_files(build)
    names = {f"encoder/{p.name}" for p in files.values()}
    if not names <= set(manifest.artefacts) or not all(p.is_file() for p in files.values()):
        log.info("no exported ONNX encoder in %s; using sentence-transformers", build)
        return None
    try:
        return OnnxQueryEncoder(files["model"], files["tokenizer"], threads=threads, dim=manifest.dim)
    except Exception as exc:  # noqa: BLE001 - any failure here falls back, never gives wrong vectors
        log.warning("ONNX query encoder failed to load (%s); using sentence-transformers", exc)
        return None
