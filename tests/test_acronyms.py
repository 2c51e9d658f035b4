"""Abbreviations are spelled out only where the sources spell them out."""

from __future__ import annotations

import pytest

from assistant.acronyms import asked_abbreviation, find_expansion
from assistant.chunking import Passage, Sentence


def _passage(text: str) -> Passage:
    return Passage(
        passage_id="doc/s/1",
        doc_id="doc",
        doc_title="Doc",
        section="S",
        start=0,
        end=len(text),
        text=text,
        sentences=[Sentence(text=text, start=0, end=len(text))],
    )


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what is GPU short for", "GPU"),
        ("what does the acronym nlp mean?", "nlp"),
        ("what does rnn stand for", "rnn"),
        ("Who made PyTorch?", None),
        ("what does the acronym stand for", None),
    ],
)
def test_the_abbreviation_asked_about(question: str, expected: str | None) -> None:
    assert asked_abbreviation(question) == expected


def test_a_name_the_question_mentions_is_the_abbreviation() -> None:
    assert asked_abbreviation("what does onnx stand for", ["ONNX"]) == "ONNX"


@pytest.mark.parametrize(
    ("text", "abbreviation", "words"),
    [
        ("We used the Natural Language Toolkit (NLTK) for this.", "NLTK", "Natural Language Toolkit"),
        ("Runs on a GPU (graphics processing unit) today.", "gpu", "graphics processing unit"),
        ("The Bank of England (BoE) kept rates.", "BoE", "Bank of England"),
        ("Train it with just-in-time (JIT) compilation.", "JIT", "just-in-time"),
    ],
)
def test_an_expansion_next_to_the_abbreviation_is_found(text: str, abbreviation: str, words: str) -> None:
    found = find_expansion(abbreviation, [_passage(text)])
    assert found is not None and found.words == words and found.sentence == text


@pytest.mark.parametrize(
    ("text", "abbreviation"),
    [
        ("Microsoft Research developed the CNTK framework.", "CNTK"),
        ("It runs on a GPU (a fast one).", "GPU"),  # parentheses that do not spell it out
        ("We met at the conference (ICCAD) last year.", "ICCAD"),
    ],
)
def test_no_expansion_is_made_up(text: str, abbreviation: str) -> None:
    assert find_expansion(abbreviation, [_passage(text)]) is None
