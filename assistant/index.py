"""Build, save and load the index: passages, vectors, facts, a manifest with checksums; atomic switch."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field, ValidationError

from assistant.chunking import CHUNKER_VERSION, Passage, chunk_corpus
from assistant.corpus import Corpus, Fact, normalise_space
from assistant.durable import fsync_dir, write_synced
from assistant.embedding import Embedder
from assistant.errors import IndexStateError
from assistant.hashing import file_sha256, stream_sha256
from assistant.settings import Settings

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
CURRENT = "current"  # a symlink to the live build; replaced atomically
BUILDS = "builds"
MANIFEST = "manifest.json"
PASSAGES = "passages.jsonl"
FACTS = "facts.jsonl"
FAISS = "passages.faiss"
SENTENCE_VECTORS = "sentences.npy"
FACT_VECTORS = "facts.npy"
HASH_CACHE = ".verified.json"
ENCODER_PREFIX = "encoder/"
BIG_FILE = 8 << 20


class FactRecord(BaseModel):
    """A structured fact rendered as a sentence and linked to the passage holding its evidence."""

    fact: Fact
    text: str
    subject_name: str
    object_name: str
    passage_id: str
    sentence: int = Field(description="index of the evidence sentence in the passage; -1: its heading")


class Manifest(BaseModel):
    schema_version: int
    model: dict[str, Any]
    corpus: dict[str, Any]
    chunking: dict[str, Any]
    faiss_factory: str
    dim: int
    counts: dict[str, int]
    artefacts: dict[str, str] = Field(description="file name -> sha256")
    versions: dict[str, str]
    built_at: str
    build_seconds: float


def build_key(settings: Settings, corpus: Corpus, model_sha256: str) -> dict[str, Any]:
    """What an index must have been built from to be current."""
    return {
        "schema_version": SCHEMA_VERSION,
        "model_sha256": model_sha256,
        "corpus_hash": corpus.content_hash,
        "chunk_words": settings.chunk_words,
        "chunker_version": CHUNKER_VERSION,
        "faiss_factory": settings.faiss_factory,
    }


def manifest_key(m: Manifest) -> dict[str, Any]:
    return {
        "schema_version": m.schema_version,
        "model_sha256": m.model.get("sha256"),
        "corpus_hash": m.corpus.get("content_hash"),
        "chunk_words": m.chunking.get("chunk_words"),
        "chunker_version": m.chunking.get("chunker_version"),
        "faiss_factory": m.faiss_factory,
    }


@dataclass(frozen=True)
class IndexData:
    """A loaded, verified index, ready for retrieval."""

    path: Path
    manifest: Manifest
    passages: list[Passage]
    faiss_index: Any
    sentence_vectors: np.ndarray
    sentence_owner: np.ndarray  # row -> passage number
    facts: list[FactRecord]
    fact_vectors: np.ndarray


# ---------------------------------------------------------------- building


def link_facts(corpus: Corpus, passages: list[Passage]) -> list[FactRecord]:
    """Render every fact and attach it to the passage and sentence that hold its evidence."""
    records = []
    first_doc = corpus.documents[0].path if corpus.documents else ""
    by_doc: dict[str, list[Passage]] = {}
    for p in passages:
        by_doc.setdefault(p.doc_id, []).append(p)
    for i, fact in enumerate(corpus.facts.facts, 1):
        doc = corpus.document(fact.source or first_doc)
        needle = normalise_space(fact.evidence).lower()
        found = None
        for p in by_doc.get(doc.doc_id, []):
            for j, s in enumerate(p.sentences):
                if needle in normalise_space(s.text).lower():
                    found = (p, j)
                    break
            if found:
                break
        if found is None:  # evidence spanning two sentences: take the passage holding its start
            for p in by_doc.get(doc.doc_id, []):
                if needle in normalise_space(" ".join(s.text for s in p.sentences)).lower():
                    found = (p, 0)
                    break
        if found is None:  # evidence in a section heading (an era's dates): cite the heading itself
            found = next(((p, -1) for p in by_doc.get(doc.doc_id, []) if needle in p.section.lower()), None)
        if found is None:
            raise IndexStateError(f"fact {i}: its evidence lies across passages and cannot be cited: {fact.evidence!r}")
        fb = corpus.facts
        records.append(
            FactRecord(
                fact=fact,
                text=fb.render(fact),
                subject_name=fb.entity(fact.subject).name,
                object_name=fb.object_text(fact),
                passage_id=found[0].passage_id,
                sentence=found[1],
            )
        )
    return records


def library_versions() -> dict[str, str]:
    """Versions of the libraries an index or report depends on."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("assistant", "faiss-cpu", "sentence-transformers", "torch", "numpy", "onnxruntime", "bm25s"):
        with contextlib.suppress(PackageNotFoundError):
            out[pkg] = version(pkg)
    return out


def _make_faiss(vectors: np.ndarray, factory: str) -> Any:
    import faiss

    dim = vectors.shape[1]
    try:
        index = faiss.index_factory(dim, factory, faiss.METRIC_INNER_PRODUCT)
    except RuntimeError as exc:
        raise IndexStateError(f"invalid faiss factory string {factory!r}: {exc}") from exc
    if not index.is_trained:
        index.train(vectors)
    index.add(vectors)
    return index


@contextlib.contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """One builder at a time per index directory (other processes wait)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".build.lock", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


Exporter = Callable[[Path], dict[str, str]]


def build_index(
    settings: Settings,
    corpus: Corpus,
    embedder: Embedder,
    model_info: dict[str, Any],
    exporter: Exporter | None = None,
    progress: bool = True,
) -> Path:
    """Build a complete index in a new folder, then switch `current` to it atomically."""
    import faiss

    index_dir = settings.resolved_index_dir()
    t0 = time.perf_counter()
    passages = chunk_corpus(corpus, settings.chunk_words)
    if not passages:
        raise IndexStateError(f"{corpus.root}: the corpus has no text to index")
    facts = link_facts(corpus, passages)
    sentences = [s.text for p in passages for s in p.sentences]
    log.info("embedding %d passages, %d sentences, %d facts", len(passages), len(sentences), len(facts))
    pv = embedder.encode([p.search_text or p.text for p in passages], progress=progress)
    sv = embedder.encode(sentences, progress=progress)
    fv = (
        embedder.encode([f.text for f in facts], progress=progress)
        if facts
        else np.zeros((0, embedder.dim), np.float32)
    )

    with build_lock(index_dir):
        builds = index_dir / BUILDS
        builds.mkdir(parents=True, exist_ok=True)
        stamp = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
        tmp = builds / f".tmp-{stamp}"
        final = builds / f"build-{stamp}"
        try:
            tmp.mkdir()
            write_synced(tmp / PASSAGES, "".join(p.model_dump_json() + "\n" for p in passages).encode())
            write_synced(tmp / FACTS, "".join(f.model_dump_json() + "\n" for f in facts).encode())
            faiss.write_index(_make_faiss(pv, settings.faiss_factory), str(tmp / FAISS))
            for name, arr in ((SENTENCE_VECTORS, sv), (FACT_VECTORS, fv)):
                with open(tmp / name, "wb") as fh:
                    np.save(fh, np.ascontiguousarray(arr, dtype=np.float32), allow_pickle=False)
                    fh.flush()
                    os.fsync(fh.fileno())
            extra = exporter(tmp) if exporter else {}
            artefacts = {n: stream_sha256(tmp / n) for n in (PASSAGES, FACTS, FAISS, SENTENCE_VECTORS, FACT_VECTORS)}
            artefacts.update(extra)
            manifest = Manifest(
                schema_version=SCHEMA_VERSION,
                model=model_info,
                corpus={
                    "root": corpus.root,
                    "content_hash": corpus.content_hash,
                    "documents": [d.path for d in corpus.documents],
                },
                chunking={
                    "chunk_words": settings.chunk_words,
                    "chunker_version": CHUNKER_VERSION,
                    "splitter": "pysbd",
                    "unit": "paragraph",
                },
                faiss_factory=settings.faiss_factory,
                dim=int(pv.shape[1]),
                counts={"passages": len(passages), "sentences": len(sentences), "facts": len(facts)},
                artefacts=artefacts,
                versions=library_versions(),
                built_at=datetime.now(UTC).isoformat(timespec="seconds"),
                build_seconds=round(time.perf_counter() - t0, 3),
            )
            write_synced(tmp / MANIFEST, manifest.model_dump_json(indent=2).encode())  # last: marks it complete
            os.rename(tmp, final)
            _switch(index_dir, final)
        except OSError as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            raise IndexStateError(
                f"could not write the index under {index_dir}: {exc.strerror or exc}. "
                "The previous index (if any) is untouched; free space or set ASSISTANT_INDEX_DIR."
            ) from exc
        _prune(index_dir, keep=final)
    log.info("index built in %.1fs at %s", time.perf_counter() - t0, final)
    return final


def _switch(index_dir: Path, target: Path) -> None:
    link = index_dir / CURRENT
    tmp_link = index_dir / f".{CURRENT}.{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp_link.unlink()
    os.symlink(Path(BUILDS) / target.name, tmp_link)
    os.replace(tmp_link, link)  # atomic: readers see the old build or the new one, never neither
    fsync_dir(index_dir)


def prune_abandoned(index_dir: Path) -> int:
    """Remove the `.tmp-` folders of builds that were killed, when no build is running; return how many.

    The build lock is taken without waiting: a running builder holds it (its folder is not
    abandoned), and the kernel releases it when a builder dies. Read-only index folders are left alone.
    """
    builds = index_dir / BUILDS
    if not builds.is_dir() or not any(d.name.startswith(".tmp-") for d in builds.iterdir()):
        return 0
    try:
        with open(index_dir / ".build.lock", "a+b") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return 0  # a build is running
            try:
                stale = [d for d in builds.iterdir() if d.name.startswith(".tmp-") and d.is_dir()]
                for d in stale:
                    shutil.rmtree(d, ignore_errors=True)
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
    except OSError:
        return 0  # a read-only index folder
    if stale:
        log.info("removed %d half-written build folder(s) left by interrupted builds", len(stale))
    return len(stale)


def _prune(index_dir: Path, keep: Path) -> None:
    """Remove old and half-written builds (only called while holding the build lock)."""
    for d in (index_dir / BUILDS).iterdir():
        if d != keep and d.is_dir():
            shutil.rmtree(d, ignore_errors=True)


# ---------------------------------------------------------------- loading


def current_build(index_dir: Path) -> Path | None:
    link = index_dir / CURRENT
    if not link.exists():
        return None
    return link.resolve()


def read_manifest(build: Path) -> Manifest:
    try:
        return Manifest.model_validate_json((build / MANIFEST).read_bytes())
    except FileNotFoundError as exc:
        raise IndexStateError(f"{build}: manifest.json is missing (an interrupted build?)") from exc
    except (ValidationError, ValueError) as exc:
        raise IndexStateError(f"{build}: manifest.json is unreadable: {exc.__class__.__name__}") from exc


def verify_artefacts(build: Path, manifest: Manifest, prefix: str = "", skip: str | None = ENCODER_PREFIX) -> None:
    """Check the artefacts' sha256 against the manifest before any of them is parsed.

    The exported query encoder (`encoder/`) is checked on its own when it is opened: a damaged
    export falls back to sentence-transformers instead of discarding the whole index.
    """
    for name, expected in manifest.artefacts.items():
        if not name.startswith(prefix) or (skip and name.startswith(skip)):
            continue
        path = build / name
        if not path.is_file():
            raise IndexStateError(f"{path} is missing")
        # Large files (the exported encoder) reuse a digest verified earlier while their size, mtime
        # and inode are unchanged, which keeps the cold start short; small ones are always re-hashed.
        big = path.stat().st_size > BIG_FILE
        digest = file_sha256(path, build / HASH_CACHE) if big else stream_sha256(path)
        if digest != expected:
            raise IndexStateError(f"{path} is corrupted: its sha256 does not match the manifest")


def _load_jsonl(path: Path, model: type[BaseModel]) -> list[Any]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                out.append(model.model_validate_json(line))
    return out


def load_build(build: Path, manifest: Manifest) -> IndexData:
    """Parse a verified build into memory, checking the pieces agree with each other."""
    import faiss

    verify_artefacts(build, manifest)
    # One OpenMP thread: a search here takes microseconds, and the query encoder and the web server
    # already share two cores; faiss's default of one thread per core only adds contention.
    faiss.omp_set_num_threads(1)
    try:
        passages = _load_jsonl(build / PASSAGES, Passage)
        facts = _load_jsonl(build / FACTS, FactRecord)
        index = faiss.read_index(str(build / FAISS))
        sv = np.load(build / SENTENCE_VECTORS, allow_pickle=False)
        fv = np.load(build / FACT_VECTORS, allow_pickle=False)
    except (OSError, ValueError, RuntimeError, ValidationError) as exc:
        raise IndexStateError(f"{build}: unreadable index file ({exc.__class__.__name__}: {exc})") from exc
    n_sent = sum(len(p.sentences) for p in passages)
    checks = [
        (index.ntotal == len(passages), f"faiss holds {index.ntotal} vectors for {len(passages)} passages"),
        (index.d == manifest.dim, f"faiss dimension {index.d} != manifest {manifest.dim}"),
        (sv.shape == (n_sent, manifest.dim), f"sentence vectors {sv.shape} for {n_sent} sentences"),
        (fv.shape == (len(facts), manifest.dim), f"fact vectors {fv.shape} for {len(facts)} facts"),
        (len(passages) == manifest.counts.get("passages"), "passage count differs from the manifest"),
    ]
    for ok, why in checks:
        if not ok:
            raise IndexStateError(f"{build}: index files are out of step: {why}")
    owner = np.repeat(np.arange(len(passages)), [len(p.sentences) for p in passages])
    return IndexData(build, manifest, passages, index, sv, owner, facts, fv)


def _stale_reason(expected: dict[str, Any], found: dict[str, Any]) -> str:
    diffs = [k for k in expected if expected[k] != found.get(k)]
    names = {
        "corpus_hash": "the corpus changed",
        "model_sha256": "the embedding model changed",
        "chunk_words": "the chunk settings changed",
        "chunker_version": "the passage splitter changed",
        "faiss_factory": "the faiss index type changed",
        "schema_version": "the index format changed",
    }
    return ", ".join(names.get(d, d) for d in diffs)


def open_index(
    settings: Settings, expected: dict[str, Any], rebuild: Callable[[], Path], force: bool = False
) -> tuple[IndexData, str | None]:
    """Load the current index, rebuilding it when missing, stale or damaged; return why it was rebuilt."""
    index_dir = settings.resolved_index_dir()
    reason: str | None = "rebuild requested" if force else None
    build = current_build(index_dir)
    if not force:
        if build is None:
            reason = f"no index in {index_dir} yet"
        else:
            try:
                manifest = read_manifest(build)
                stale = _stale_reason(expected, manifest_key(manifest))
                if stale:
                    reason = f"the index is stale: {stale}"
                else:
                    data = load_build(build, manifest)
                    prune_abandoned(index_dir)
                    return data, None
            except IndexStateError as exc:
                reason = f"the index is damaged: {exc}"
    assert reason is not None
    if not settings.auto_rebuild and not force:
        raise IndexStateError(f"cannot use the index in {index_dir}: {reason}. Run `assistant index --rebuild`.")
    log.warning("building the index: %s", reason)
    build = rebuild()
    return load_build(build, read_manifest(build)), reason
