"""The torch-free query path: same retrieval as sentence-transformers, and no torch in ask or serve."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.evaluation import load_gold

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
# torch and friends (seconds and hundreds of MB); scipy (24 MB, only bm25s would import it, for nothing)
HEAVY = ("torch", "transformers", "sentence_transformers", "scipy")


@pytest.fixture(scope="module")
def torch_engine(engine, real_settings):
    """The same built index, forced onto the sentence-transformers query encoder."""
    from assistant import Assistant

    return Assistant(real_settings.model_copy(update={"query_encoder": "torch"}), progress=False)


def test_default_engine_uses_the_onnx_encoder(engine) -> None:
    assert engine.encoder.kind == "onnx"


def test_every_passage_vector_matches(engine, torch_engine) -> None:
    texts = [p.search_text or p.text for p in engine.index.passages]
    fast = np.stack([engine.encoder.encode_query(t) for t in texts])
    slow = torch_engine.embedder().encode(texts)
    cos = np.sum(fast * slow, axis=1)
    assert cos.min() >= 0.9999, f"worst passage cosine {cos.min():.7f}"


def test_every_gold_question_retrieves_identically(engine, torch_engine) -> None:
    items = [
        i
        for f in ("qa.jsonl", "qa_dev2.jsonl", "qa_dev3.jsonl", "qa_dev9.jsonl")
        for i in load_gold(REPO / "corpus" / f)
    ]
    questions = [i.question for i in items]
    fast_vecs = engine.encoder.encode(questions)  # batched: the single-query path is tested equal
    slow_vecs = torch_engine.embedder().encode(questions)
    cos = np.sum(fast_vecs * slow_vecs, axis=1)
    assert cos.min() >= 0.9999, f"worst question cosine {cos.min():.7f} over {len(items)} gold questions"
    for q, a, b in zip(questions, fast_vecs, slow_vecs, strict=True):
        for mode in ("dense", "hybrid"):
            fast = [h.passage_id for h in engine.retriever.retrieve(q, k=5, mode=mode, qvec=a[None, :])]
            slow = [h.passage_id for h in torch_engine.retriever.retrieve(q, k=5, mode=mode, qvec=b[None, :])]
            assert fast == slow, (mode, q)


def _modules_after(code: str, real_settings) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ASSISTANT_INDEX_DIR": str(real_settings.resolved_index_dir())}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            code + f"\nimport json, sys; print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.strip().splitlines()
    return {"answer": "\n".join(lines[:-1]), "heavy": json.loads(lines[-1])}


def test_assistant_ask_never_imports_torch(engine, real_settings) -> None:
    code = (
        "import sys\nfrom assistant.cli import main\nsys.argv = ['assistant', 'ask', 'Who developed Keras?']\n"
        "try:\n    main()\nexcept SystemExit as e:\n    assert not e.code, e.code"
    )
    got = _modules_after(code, real_settings)
    assert "Chollet" in got["answer"]
    assert got["heavy"] == []


def test_serving_never_imports_torch(engine, real_settings) -> None:
    code = (
        "from assistant import Settings\nfrom assistant.engine import Assistant\nfrom assistant.web import build_app\n"
        "app = build_app(Assistant(Settings(), progress=False))\nprint('built')"
    )
    got = _modules_after(code, real_settings)
    assert "built" in got["answer"]
    assert got["heavy"] == []


@pytest.mark.parametrize("name", ["model.onnx", "model.onnx.data"])
def test_a_damaged_export_falls_back_to_sentence_transformers(tmp_path, real_settings, engine, caplog, name) -> None:
    """A flipped byte in the exported graph or its weights: detected by the checksum, never used for wrong vectors."""
    import shutil

    from assistant import Assistant

    index_dir = tmp_path / "index"
    shutil.copytree(real_settings.resolved_index_dir(), index_dir, symlinks=True)
    model = next(index_dir.glob(f"builds/build-*/encoder/{name}"))
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model.write_bytes(bytes(data))
    settings = real_settings.model_copy(update={"index_dir": index_dir, "auto_rebuild": False})
    with caplog.at_level("WARNING"):
        damaged = Assistant(settings, progress=False)
    assert damaged.encoder.kind == "torch"
    assert "not using the exported ONNX encoder" in caplog.text and "corrupted" in caplog.text
    assert damaged.ask("Who developed Keras?").answer == engine.ask("Who developed Keras?").answer
