"""The public API end to end on the real corpus, and on a tiny one with a fake embedder."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def test_import_is_cheap() -> None:
    code = (
        "import sys, assistant; heavy = [m for m in ('torch', 'sentence_transformers', 'faiss', 'gradio', "
        "'transformers', 'onnxruntime') if m in sys.modules]; print(json.dumps(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", "import json;" + code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_fake_engine_answers_from_facts(fake_engine) -> None:
    a = fake_engine.ask("Who developed Graphix?")
    assert not a.abstained
    assert "Acme Corp." in a.answer and "[1]" in a.answer
    assert a.citations[0].passage_id.startswith("article/later-years-2010/")
    assert "Graphix was developed by Acme Corp." in a.citations[0].quote


def test_answer_round_trips_as_json(fake_engine) -> None:
    from assistant import Answer

    a = fake_engine.ask("What was Graphix based on?")
    assert Answer.model_validate_json(a.model_dump_json()) == a


@pytest.mark.slow
def test_real_engine_answers_with_citation(engine) -> None:
    a = engine.ask("Who developed Keras?")
    assert not a.abstained
    assert "Chollet" in a.answer
    assert any("Chollet" in c.quote for c in a.citations)


def test_a_corpus_without_facts_answers_and_abstains(tmp_path) -> None:
    from assistant import Assistant, Settings
    from assistant.embedding import FakeEmbedder

    corpus = tmp_path / "plain"
    corpus.mkdir()
    (corpus / "notes.txt").write_text("Graphix was developed by Acme Corp. in 2010. It runs on the GPU.\n")
    engine = Assistant(Settings(corpus_dir=corpus, index_dir=tmp_path / "idx"), embedder=FakeEmbedder(), progress=False)
    a = engine.ask("Who developed Graphix?")
    assert not a.abstained and "Acme" in a.answer and a.citations[0].passage_id.startswith("notes/")
    no = engine.ask("What is the capital of France?")
    assert no.abstained and "They cover" in no.answer
