"""Query encoders: the sentence-transformers path, and the torch-free ONNX path chosen when valid."""

from __future__ import annotations

import logging
from concurrent.futures import Future
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


def onnx_files(build: Path) -> dict[str, Path]:
    enc = build / "encoder"
    return {"model": enc / "model.onnx", "tokenizer": enc / "tokenizer.json", "config": enc / "config.json"}


def open_onnx_encoder(build: Path, threads: int) -> Any | None:
    """Open a build's exported encoder (not yet checked against its manifest), or None."""
    files = onnx_files(build)
    if not all(p.is_file() for p in files.values()):
        return None
    try:
        from assistant.onnx_encoder import OnnxQueryEncoder

        return OnnxQueryEncoder(files["model"], files["tokenizer"], threads=threads)
    except Exception as exc:  # noqa: BLE001 - any failure means: not usable, fall back
        log.info("ONNX query encoder could not be opened (%s)", exc)
        return None


def load_onnx_encoder(build: Path, manifest: Any, threads: int, early: Future[Any] | None = None) -> Any | None:
    """The build's ONNX query encoder if its files are covered by the (verified) manifest, else None.

    `early` is the same encoder opened speculatively before the manifest was checked.
    """
    files = onnx_files(build)
    names = {f"encoder/{p.name}" for p in files.values()}
    if not names <= set(manifest.artefacts):
        log.info("no exported ONNX encoder in %s; using sentence-transformers", build)
        return None
    from assistant.errors import IndexStateError
    from assistant.index import ENCODER_PREFIX, verify_artefacts

    try:
        verify_artefacts(build, manifest, prefix=ENCODER_PREFIX, skip=None)
    except IndexStateError as exc:
        log.warning("not using the exported ONNX encoder (%s); using sentence-transformers", exc)
        return None
    enc = early.result() if early is not None else open_onnx_encoder(build, threads)
    if enc is None:
        log.warning("the ONNX query encoder of %s failed to load; using sentence-transformers", build)
        return None
    if enc.dim != manifest.dim:
        log.warning(
            "the ONNX encoder gives %d dimensions, the index %d; using sentence-transformers", enc.dim, manifest.dim
        )
        return None
    return enc
