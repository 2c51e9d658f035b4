"""The index on disk: stable ids, the manifest, staleness, damage, failed builds, model checks.

Almost everything uses the tiny corpus and the FakeEmbedder (a build takes well under a second); the real
engine is only read, for what depends on the real model (its checksum, dimension and ONNX artefacts).
"""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import numpy as np
import pytest

from assistant import Assistant, IndexStateError, ModelError, Settings
from assistant.chunking import CHUNKER_VERSION
from assistant.corpus import load_corpus
from assistant.embedding import FakeEmbedder, verify_model
from assistant.encoders import EmbedderQueryEncoder
from assistant.index import (
    BUILDS,
    CURRENT,
    FACT_VECTORS,
    FACTS,
    FAISS,
    MANIFEST,
    PASSAGES,
    SCHEMA_VERSION,
    SENTENCE_VECTORS,
    current_build,
    load_build,
    read_manifest,
    verify_artefacts,
)
from assistant.retrieval import RetrievalError, Retriever
from assistant.settings import MINILM_SHA256


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _open(settings: Settings, **kw) -> Assistant:
    kw.setdefault("embedder", FakeEmbedder())
    return Assistant(settings, progress=False, **kw)


def _index_dir(settings: Settings) -> Path:
    return settings.resolved_index_dir()


def _snapshot(settings: Settings) -> dict:
    """What a reader of the index directory sees: the live build, its files and the other builds."""
    index_dir = _index_dir(settings)
    build = current_build(index_dir)
    assert build is not None
    return {
        "link": os.readlink(index_dir / CURRENT),
        "build": build,
        "files": {p.name: _sha(p) for p in sorted(build.iterdir()) if p.is_file()},
        "builds": sorted(p.name for p in (index_dir / BUILDS).iterdir()),
    }


def _flip_byte(path: Path, where: float = 0.5) -> None:
    data = bytearray(path.read_bytes())
    i = min(len(data) - 1, int(len(data) * where))
    data[i] ^= 0x01
    path.write_bytes(bytes(data))


def _artefact_files(build: Path) -> dict[str, Path]:
    """Every file of a build except the manifest itself and the digest cache, by relative name."""
    return {
        p.relative_to(build).as_posix(): p
        for p in sorted(build.rglob("*"))
        if p.is_file() and p.name != MANIFEST and not p.name.startswith(".")
    }


# ---------------------------------------------------------------- ids and the manifest


def test_ids_are_stable_across_two_builds(fake_engine, tiny_settings) -> None:
    first = [p.passage_id for p in fake_engine.index.passages]
    first_build = fake_engine.index.path
    again = _open(tiny_settings, rebuild=True)
    assert again.rebuilt_because == "rebuild requested"
    assert again.index.path != first_build
    assert [p.passage_id for p in again.index.passages] == first
    assert [p.model_dump() for p in again.index.passages] == [p.model_dump() for p in fake_engine.index.passages]
    assert {"article/early-days-2001/1", "article/later-years-2010/1"} <= set(first)
    assert not first_build.exists(), "the replaced build should have been pruned"


def test_a_current_index_is_loaded_not_rebuilt(fake_engine, tiny_settings) -> None:
    assert fake_engine.rebuilt_because is not None and "no index" in fake_engine.rebuilt_because
    again = _open(tiny_settings)
    assert again.rebuilt_because is None
    assert again.index.path == fake_engine.index.path


def test_manifest_describes_the_build(fake_engine, tiny_settings) -> None:
    build = fake_engine.index.path
    m = read_manifest(build)
    emb = FakeEmbedder()
    corpus = load_corpus(tiny_settings.resolved_corpus_dir())
    assert m.schema_version == SCHEMA_VERSION
    assert m.model["sha256"] == emb.sha256
    assert m.model["name"] == emb.name
    assert m.model["dim"] == m.dim == emb.dim == 64
    assert m.corpus["content_hash"] == corpus.content_hash
    assert m.corpus["documents"] == ["article.md"]
    assert m.chunking["chunk_words"] == tiny_settings.chunk_words
    assert m.chunking["chunker_version"] == CHUNKER_VERSION
    assert m.chunking["splitter"] == "pysbd"
    n_sentences = sum(len(p.sentences) for p in fake_engine.index.passages)
    assert m.counts == {"passages": len(fake_engine.index.passages), "sentences": n_sentences, "facts": 3}
    assert m.faiss_factory == tiny_settings.faiss_factory
    assert m.built_at and m.build_seconds >= 0
    assert {"numpy", "faiss-cpu"} <= set(m.versions)


def test_manifest_lists_the_sha256_of_every_file(fake_engine) -> None:
    build = fake_engine.index.path
    m = read_manifest(build)
    files = _artefact_files(build)
    assert set(files) == set(m.artefacts) == {PASSAGES, FACTS, FAISS, SENTENCE_VECTORS, FACT_VECTORS}
    for name, path in files.items():
        assert m.artefacts[name] == _sha(path), name
    verify_artefacts(build, m)  # no error


def test_build_leaves_one_build_and_an_atomic_link(fake_engine, tiny_settings) -> None:
    index_dir = _index_dir(tiny_settings)
    link = index_dir / CURRENT
    assert link.is_symlink()
    assert not Path(os.readlink(link)).is_absolute(), "a relative link keeps the folder movable"
    assert link.resolve() == fake_engine.index.path
    builds = [p.name for p in (index_dir / BUILDS).iterdir()]
    assert builds == [fake_engine.index.path.name]
    assert builds[0].startswith("build-")


@pytest.mark.slow
def test_real_manifest_has_the_model_checksum_and_every_artefact(engine) -> None:
    build = engine.index.path
    m = read_manifest(build)
    assert m.model["sha256"] == MINILM_SHA256
    assert m.dim == m.model["dim"] == 384
    files = _artefact_files(build)
    assert set(files) == set(m.artefacts)
    assert {"encoder/model.onnx", "encoder/tokenizer.json"} <= set(files)
    for name, path in files.items():
        assert m.artefacts[name] == _sha(path), name


# ---------------------------------------------------------------- staleness


def test_editing_the_corpus_triggers_a_rebuild(fake_engine, tiny_settings, tiny_corpus) -> None:
    old = fake_engine.index.path
    article = tiny_corpus / "article.md"
    article.write_text(article.read_text() + "\nGraphix also ran on very small machines.\n")
    eng = _open(tiny_settings)
    assert eng.rebuilt_because is not None and "corpus" in eng.rebuilt_because
    assert eng.index.path != old
    assert eng.index.manifest.corpus["content_hash"] == load_corpus(tiny_corpus).content_hash
    assert any("very small machines" in p.text for p in eng.index.passages)
    assert _open(tiny_settings).rebuilt_because is None  # and it is current now


def test_editing_the_facts_file_triggers_a_rebuild(fake_engine, tiny_settings, tiny_corpus) -> None:
    facts = tiny_corpus / "facts.yaml"
    facts.write_text(facts.read_text() + "\n")
    eng = _open(tiny_settings)
    assert eng.rebuilt_because is not None and "corpus" in eng.rebuilt_because


def test_changing_chunk_words_triggers_a_rebuild(fake_engine, tiny_settings) -> None:
    settings = tiny_settings.model_copy(update={"chunk_words": 10})
    eng = _open(settings)
    assert eng.rebuilt_because is not None and "chunk" in eng.rebuilt_because
    assert eng.index.manifest.chunking["chunk_words"] == 10


def test_changing_the_chunker_version_triggers_a_rebuild(fake_engine, tiny_settings, monkeypatch) -> None:
    import assistant.index as index_mod

    monkeypatch.setattr(index_mod, "CHUNKER_VERSION", CHUNKER_VERSION + 1)
    eng = _open(tiny_settings)
    assert eng.rebuilt_because is not None and "splitter" in eng.rebuilt_because
    assert eng.index.manifest.chunking["chunker_version"] == CHUNKER_VERSION + 1


@pytest.mark.parametrize("other", [FakeEmbedder(dim=32), FakeEmbedder(dim=128)], ids=["dim32", "dim128"])
def test_changing_the_model_triggers_a_rebuild(fake_engine, tiny_settings, other: FakeEmbedder) -> None:
    eng = _open(tiny_settings, embedder=other)
    assert eng.rebuilt_because is not None and "model" in eng.rebuilt_because
    assert eng.index.manifest.model["sha256"] == other.sha256
    assert eng.index.manifest.dim == other.dim
    assert eng.search("Who developed Graphix?")  # the new index answers with the new model


def test_stale_index_without_auto_rebuild_raises_a_clear_error(fake_engine, tiny_settings, tiny_corpus) -> None:
    before = _snapshot(tiny_settings)
    article = tiny_corpus / "article.md"
    article.write_text(article.read_text() + "\nOne more sentence.\n")
    settings = tiny_settings.model_copy(update={"auto_rebuild": False})
    with pytest.raises(IndexStateError) as exc:
        _open(settings)
    msg = str(exc.value)
    assert "stale" in msg and "corpus changed" in msg
    assert str(_index_dir(tiny_settings)) in msg
    assert "assistant index --rebuild" in msg
    assert _snapshot(tiny_settings) == before  # nothing was touched


def test_missing_index_without_auto_rebuild_raises(tiny_settings) -> None:
    settings = tiny_settings.model_copy(update={"auto_rebuild": False})
    with pytest.raises(IndexStateError, match="no index"):
        _open(settings)


def test_auto_rebuild_false_still_loads_a_current_index(fake_engine, tiny_settings) -> None:
    eng = _open(tiny_settings.model_copy(update={"auto_rebuild": False}))
    assert eng.rebuilt_because is None


# ---------------------------------------------------------------- damage


def test_truncated_faiss_file_is_detected_and_rebuilt(fake_engine, tiny_settings) -> None:
    build = fake_engine.index.path
    faiss_file = build / FAISS
    faiss_file.write_bytes(faiss_file.read_bytes()[: faiss_file.stat().st_size // 2])
    with pytest.raises(IndexStateError, match="corrupted"):
        verify_artefacts(build, read_manifest(build))
    eng = _open(tiny_settings)
    assert eng.rebuilt_because is not None
    assert "damaged" in eng.rebuilt_because and FAISS in eng.rebuilt_because
    assert "sha256" in eng.rebuilt_because
    assert eng.index.path != build
    verify_artefacts(eng.index.path, eng.index.manifest)
    assert eng.index.faiss_index.ntotal == len(eng.index.passages)


@pytest.mark.parametrize("name", [FAISS, PASSAGES, SENTENCE_VECTORS, FACTS, FACT_VECTORS])
@pytest.mark.parametrize("where", [0.0, 0.5, 1.0], ids=["first", "middle", "last"])
def test_one_flipped_byte_is_detected_and_rebuilt(fake_engine, tiny_settings, name: str, where: float) -> None:
    build = fake_engine.index.path
    path = build / name
    stat = path.stat()
    _flip_byte(path, where)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size and mtime: only the bytes differ
    strict = tiny_settings.model_copy(update={"auto_rebuild": False})
    with pytest.raises(IndexStateError, match=rf"{name}.*corrupted"):
        _open(strict)
    eng = _open(tiny_settings)
    assert eng.rebuilt_because is not None and name in eng.rebuilt_because
    assert eng.index.path != build
    assert [p.passage_id for p in eng.index.passages] == [p.passage_id for p in fake_engine.index.passages]
    assert _open(tiny_settings).rebuilt_because is None


def test_deleted_manifest_is_rebuilt(fake_engine, tiny_settings) -> None:
    (fake_engine.index.path / MANIFEST).unlink()
    eng = _open(tiny_settings)
    assert eng.rebuilt_because is not None and "manifest" in eng.rebuilt_because
    assert (eng.index.path / MANIFEST).is_file()


def test_garbled_manifest_is_rebuilt(fake_engine, tiny_settings) -> None:
    (fake_engine.index.path / MANIFEST).write_text('{"schema_version": 1, "model": ')
    eng = _open(tiny_settings)
    assert eng.rebuilt_because is not None and "manifest" in eng.rebuilt_because


def test_deleted_artefact_is_rebuilt(fake_engine, tiny_settings) -> None:
    (fake_engine.index.path / SENTENCE_VECTORS).unlink()
    eng = _open(tiny_settings)
    assert eng.rebuilt_because is not None and "missing" in eng.rebuilt_because


def test_dangling_current_link_is_rebuilt(fake_engine, tiny_settings) -> None:
    import shutil

    shutil.rmtree(fake_engine.index.path)
    eng = _open(tiny_settings)
    assert eng.rebuilt_because is not None and "no index" in eng.rebuilt_because


def test_files_out_of_step_with_a_forged_manifest_are_refused(fake_engine) -> None:
    """Consistent checksums are not enough: the pieces must agree (here: vectors of the wrong width)."""
    build = fake_engine.index.path
    m = read_manifest(build)
    sv = np.load(build / SENTENCE_VECTORS)
    with open(build / SENTENCE_VECTORS, "wb") as fh:
        np.save(fh, sv[:, :32])
    forged = m.model_copy(update={"artefacts": {**m.artefacts, SENTENCE_VECTORS: _sha(build / SENTENCE_VECTORS)}})
    with pytest.raises(IndexStateError, match="out of step"):
        load_build(build, forged)


# ---------------------------------------------------------------- failed builds


def _enospc(*_a, **_k):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _fail_faiss_write(monkeypatch: pytest.MonkeyPatch) -> None:
    import faiss

    monkeypatch.setattr(faiss, "write_index", _enospc)


def _fail_first_write(monkeypatch: pytest.MonkeyPatch) -> None:
    import assistant.index as index_mod

    monkeypatch.setattr(index_mod, "write_synced", _enospc)


def _fail_manifest_write(monkeypatch: pytest.MonkeyPatch) -> None:
    """Everything is written but the manifest, the very last step before the switch."""
    import assistant.index as index_mod

    real = index_mod.write_synced

    def write(path: Path, data: bytes) -> None:
        if path.name == MANIFEST:
            _enospc()
        real(path, data)

    monkeypatch.setattr(index_mod, "write_synced", write)


@pytest.mark.parametrize("fail", [_fail_faiss_write, _fail_first_write, _fail_manifest_write])
def test_failed_build_keeps_the_previous_index(fake_engine, tiny_settings, monkeypatch, fail) -> None:
    before = _snapshot(tiny_settings)
    manifest_bytes = (before["build"] / MANIFEST).read_bytes()
    fail(monkeypatch)
    with pytest.raises(IndexStateError) as exc:
        _open(tiny_settings, rebuild=True)
    msg = str(exc.value)
    assert "could not write the index" in msg
    assert os.strerror(errno.ENOSPC) in msg
    assert "previous index" in msg
    monkeypatch.undo()
    assert _snapshot(tiny_settings) == before, "the live build, its files or the builds folder changed"
    assert (before["build"] / MANIFEST).read_bytes() == manifest_bytes
    assert not any(p.name.startswith(".tmp") for p in (_index_dir(tiny_settings) / BUILDS).iterdir())
    eng = _open(tiny_settings)
    assert eng.rebuilt_because is None
    assert eng.index.path == before["build"]
    assert eng.search("Who developed Graphix?")


def test_failed_build_of_a_stale_index_raises_and_keeps_the_old_one(
    fake_engine, tiny_settings, tiny_corpus, monkeypatch
) -> None:
    before = _snapshot(tiny_settings)
    article = tiny_corpus / "article.md"
    original = article.read_text()
    article.write_text(original + "\nA new sentence.\n")
    _fail_faiss_write(monkeypatch)
    with pytest.raises(IndexStateError, match="could not write"):
        _open(tiny_settings)
    monkeypatch.undo()
    assert _snapshot(tiny_settings) == before
    article.write_text(original)
    assert _open(tiny_settings).rebuilt_because is None


# ---------------------------------------------------------------- the model


def test_verify_model_accepts_the_right_checksum(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    weights = folder / "model.safetensors"
    weights.write_bytes(b"not really weights, but bytes to hash" * 1000)
    digest = _sha(weights)
    assert verify_model(folder, digest) == digest
    assert verify_model(folder, digest.upper()) == digest
    assert verify_model(folder, None) == digest  # nothing to compare with: just the digest


def test_verify_model_refuses_a_wrong_checksum(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"tampered weights")
    expected = hashlib.sha256(b"the genuine weights").hexdigest()
    with pytest.raises(ModelError) as exc:
        verify_model(folder, expected)
    msg = str(exc.value)
    assert "refusing" in msg and expected in msg and _sha(folder / "model.safetensors") in msg


def test_verify_model_reports_missing_weights(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not found"):
        verify_model(tmp_path, MINILM_SHA256)


def test_engine_refuses_a_model_with_the_wrong_checksum(tmp_path: Path, tiny_corpus: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"tampered weights")
    settings = Settings(
        corpus_dir=tiny_corpus,
        index_dir=tmp_path / "idx",
        data_dir=tmp_path / "data",
        model_path=folder,
        model_sha256=hashlib.sha256(b"the genuine weights").hexdigest(),
    )
    with pytest.raises(ModelError, match="refusing"):
        Assistant(settings, progress=False)
    assert current_build(tmp_path / "idx") is None  # nothing was built with it


# ---------------------------------------------------------------- query dimension


def test_query_encoder_of_another_dimension_raises_retrieval_error(fake_engine) -> None:
    fake_engine.retriever.encoder = EmbedderQueryEncoder(FakeEmbedder(dim=32))
    with pytest.raises(RetrievalError, match="32-dimensional") as exc:
        fake_engine.search("Who developed Graphix?")
    assert "rebuild" in str(exc.value)
    with pytest.raises(RetrievalError):
        fake_engine.ask("Who developed Graphix?")


def test_retriever_with_a_mismatched_encoder_raises_retrieval_error(fake_engine) -> None:
    r = Retriever(fake_engine.index, EmbedderQueryEncoder(FakeEmbedder(dim=16)))
    for mode in ("dense", "bm25", "hybrid"):
        with pytest.raises(RetrievalError):
            r.retrieve("Graphix", mode=mode)


def test_a_precomputed_query_vector_of_the_wrong_dimension_raises_retrieval_error(fake_engine) -> None:
    wrong = np.ones((1, 32), dtype=np.float32) / np.sqrt(32)
    with pytest.raises(RetrievalError):
        fake_engine.retriever.retrieve("Graphix", qvec=wrong)


def test_abandoned_build_folders_are_removed_only_when_no_build_runs(tmp_path: Path) -> None:
    import fcntl

    from assistant.index import prune_abandoned

    builds = tmp_path / BUILDS
    (builds / ".tmp-killed").mkdir(parents=True)
    (builds / ".tmp-killed" / "passages.jsonl").write_text("{}")
    (builds / "build-kept").mkdir()
    with open(tmp_path / ".build.lock", "a+b") as running:  # a builder holds the lock
        fcntl.flock(running, fcntl.LOCK_EX)
        assert prune_abandoned(tmp_path) == 0
        assert (builds / ".tmp-killed").exists()
        fcntl.flock(running, fcntl.LOCK_UN)
    assert prune_abandoned(tmp_path) == 1
    assert sorted(p.name for p in builds.iterdir()) == ["build-kept"]
