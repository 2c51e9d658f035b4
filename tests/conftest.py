"""Shared fixtures: the real engine once per session, a tiny corpus with a fake embedder, and a sandbox."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"

TINY_ARTICLE = """---
title: Tiny Frameworks
author: Test Author
---

# Tiny Frameworks

## Early Days (2001)

Torchlet was created by the Example Lab in 2001. It used a declarative style.

## Later Years (2010)

Graphix was developed by Acme Corp. in 2010. Graphix was based on Torchlet. Many users liked its imperative API.
"""

TINY_FACTS = """
relations:
  developed_by:
    label: developed by
    synonyms: [developed, created, made, built]
    template: "{subject} was developed by {object}."
    inverse_synonyms: [developed, created]
    inverse_template: "{object} developed {subject}."
  based_on:
    label: based on
    synonyms: [based on, based]
    template: "{subject} was based on {object}."
entities:
  - {id: torchlet, name: Torchlet, type: framework}
  - {id: graphix, name: Graphix, type: framework, aliases: [GFX]}
  - {id: example_lab, name: the Example Lab, type: organisation, aliases: [Example Lab]}
  - {id: acme, name: Acme Corp., type: organisation, aliases: [Acme]}
facts:
  - {subject: torchlet, relation: developed_by, object: example_lab, evidence: "Torchlet was created by the Example Lab"}
  - {subject: graphix, relation: developed_by, object: acme, evidence: "Graphix was developed by Acme Corp."}
  - {subject: graphix, relation: based_on, object: torchlet, evidence: "Graphix was based on Torchlet"}
"""


@pytest.fixture(autouse=True)
def _sandbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test writes an index or feedback outside a temporary folder."""
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory):
    from assistant import Settings

    base = tmp_path_factory.mktemp("real")
    return Settings(index_dir=base / "index", data_dir=base / "data")


@pytest.fixture(scope="session")
def engine(real_settings):
    """The real corpus, model and index, built once per test session."""
    from assistant import Assistant

    return Assistant(real_settings, progress=False)


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    d = tmp_path / "tiny"
    d.mkdir()
    (d / "article.md").write_text(TINY_ARTICLE)
    (d / "facts.yaml").write_text(TINY_FACTS)
    return d


@pytest.fixture
def tiny_settings(tmp_path: Path, tiny_corpus: Path):
    from assistant import Settings

    return Settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "tiny-index", data_dir=tmp_path / "data")


@pytest.fixture
def fake_engine(tiny_settings):
    from assistant import Assistant
    from assistant.embedding import FakeEmbedder

    return Assistant(tiny_settings, embedder=FakeEmbedder(), progress=False)
