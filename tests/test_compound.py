"""Compound questions are split into their questions; plain questions are left alone."""

from __future__ import annotations

import pytest

from assistant.compound import split_compound


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        ("Who made Keras, and what is it built on?", ("Who made Keras?", "what is it built on?")),
        ("When did it appear and in which era was that?", ("When did it appear?", "in which era was that?")),
        ("what is JAX and who made it?", ("what is JAX?", "who made it?")),
    ],
)
def test_a_second_question_after_and_is_split_off(question: str, parts: tuple[str, str]) -> None:
    assert split_compound(question) == parts


@pytest.mark.parametrize(
    "question",
    [
        "Who came up with ResNet and when?",  # "and when?" asks the first question's date: one question
        "Caffe and Theano: what did they share?",  # no second question
        "TensorFlow and what else?",  # the first part asks nothing
        "What do TensorFlow and PyTorch have in common?",
    ],
)
def test_one_question_is_not_split(question: str) -> None:
    assert split_compound(question) is None
