"""The engine behind every way in: loads the corpus and index once, then searches and answers."""

from __future__ import annotations

import logging
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from assistant.answer import Answer, Answerer
from assistant.conversation import History
from assistant.corpus import Corpus, load_corpus
from assistant.embedding import Embedder, SentenceTransformerEmbedder, verify_model
from assistant.encoders import EmbedderQueryEncoder, load_onnx_encoder, open_onnx_encoder
from assistant.index import IndexData, build_index, build_key, current_build, open_index
from assistant.retrieval import Hit, QueryEncoder, Retriever
from assistant.settings import RetrievalMode, Settings

log = logging.getLogger(__name__)


class _NoEncoder:
    """Stands in while the real query encoder loads in the background."""

    dim = 0

    def encode_query(self, text: str) -> Any:
        raise RuntimeError("the query encoder is still loading")


def _quiet_runtime() -> None:
    """No hub downloads, no telemetry, no thread oversubscription on a small machine."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    # OpenMP threads (torch at index time, faiss) sleep instead of spinning when idle: spinning
    # threads on a busy 2-core machine made torch encoding 4-20x slower (bench/results/summary.md).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


class Assistant:
    """One corpus, one index, one retriever and answerer; thread-safe after construction."""

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        rebuild: bool = False,
        progress: bool = True,
    ) -> None:
        _quiet_runtime()
        self.settings = settings or Settings()
        t0 = time.perf_counter()
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="encoder")
        # Start the ONNX session of the current build at once: onnxruntime builds it in native code
        # without the GIL, so it overlaps with everything below. It is only used if that build is
        # the one verified and loaded; otherwise it is dropped.
        early = None
        if embedder is None and not rebuild and self.settings.query_encoder != "torch":
            build = current_build(self.settings.resolved_index_dir())
            if build is not None:
                early = (build, pool.submit(open_onnx_encoder, build, self.settings.threads))
        self.corpus: Corpus = load_corpus(self.settings.resolved_corpus_dir())
        self._embedder = embedder
        self._embedder_lock = threading.Lock()
        self.progress = progress
        model_sha = embedder.sha256 if embedder is not None else self._model_sha()  # type: ignore[attr-defined]
        expected = build_key(self.settings, self.corpus, model_sha)
        self.index: IndexData
        self.index, self.rebuilt_because = open_index(self.settings, expected, self._build, force=rebuild)
        with pool:
            reuse = early[1] if early is not None and early[0] == self.index.path else None
            pending = pool.submit(self._query_encoder, reuse)
            self.retriever = Retriever(self.index, _NoEncoder(), rrf_k=self.settings.rrf_k)
            self.answerer = Answerer(self.corpus, self.retriever, self.settings)
            self.encoder: QueryEncoder = pending.result()
        self.retriever.encoder = self.encoder
        self.load_seconds = time.perf_counter() - t0

    # ------------------------------------------------------------ set-up

    def _model_sha(self) -> str:
        cache = self.settings.resolved_index_dir() / ".hashes.json"
        cache.parent.mkdir(parents=True, exist_ok=True)
        from assistant.hashing import file_sha256

        path = self.settings.resolved_model_path()
        weights = path / "model.safetensors"
        if not weights.is_file():
            return verify_model(path, self.settings.expected_model_sha256())  # raises a clear ModelError
        digest = file_sha256(weights, cache)
        expected = self.settings.expected_model_sha256()
        if expected and digest != expected:
            verify_model(path, expected)  # raises with the full message
        return digest

    def embedder(self) -> Embedder:
        """The index-time embedder (sentence-transformers), created on first need only."""
        with self._embedder_lock:
            if self._embedder is None:
                self._embedder = SentenceTransformerEmbedder(
                    self.settings.resolved_model_path(), self.settings.expected_model_sha256(), self.settings.threads
                )
            return self._embedder

    def _model_info(self, emb: Embedder) -> dict[str, Any]:
        return {"name": emb.name, "path": str(getattr(emb, "path", "")), "sha256": emb.sha256, "dim": emb.dim}  # type: ignore[attr-defined]

    def _build(self) -> Path:
        emb = self.embedder()
        exporter = None
        if isinstance(emb, SentenceTransformerEmbedder) and self.settings.query_encoder != "torch":
            from assistant.onnx_export import export_onnx

            st = emb

            def exporter(out: Path) -> dict[str, str]:
                return export_onnx(st.path, out, model=st.model)

        return build_index(self.settings, self.corpus, emb, self._model_info(emb), exporter, progress=self.progress)

    def _query_encoder(self, early: Future[Any] | None = None) -> QueryEncoder:
        choice = self.settings.query_encoder
        if self._embedder is not None and not isinstance(self._embedder, SentenceTransformerEmbedder):
            return EmbedderQueryEncoder(self._embedder)  # a test double encodes queries too
        if choice in ("auto", "onnx"):
            enc = load_onnx_encoder(self.index.path, self.index.manifest, self.settings.threads, early)
            if enc is not None:
                return enc  # type: ignore[no-any-return]
            if choice == "onnx":
                log.warning("ONNX query encoder requested but not valid here: falling back to sentence-transformers")
        return EmbedderQueryEncoder(self.embedder())

    # ------------------------------------------------------------ use

    def search(self, query: str, k: int | None = None, mode: RetrievalMode | None = None) -> list[Hit]:
        """Ranked passages for a query (no answer)."""
        from assistant.conversation import clean_question

        return self.retriever.retrieve(clean_question(query), k or self.settings.k, mode or self.settings.mode)

    def ask(
        self,
        question: Any,
        history: History | None = None,
        *,
        k: int | None = None,
        mode: RetrievalMode | None = None,
    ) -> Answer:
        """A short cited answer to the question, or an abstention that says why."""
        return self.answerer.ask(question, history, k=k, mode=mode)


_default: Assistant | None = None
_default_lock = threading.Lock()


def default_assistant() -> Assistant:
    """The lazily created engine behind `assistant.ask()` (settings from the environment)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                _default = Assistant()
    return _default


def ask(question: Any, history: History | None = None, **kwargs: Any) -> Answer:
    """Answer a question about the default corpus; see `Assistant.ask`."""
    return default_assistant().ask(question, history, **kwargs)
