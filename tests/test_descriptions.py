"""Descriptions resolved to the one thing they fit ("the network that won ImageNet in 2012" -> AlexNet)."""

from __future__ import annotations

import pytest

from assistant.descriptions import Descriptions


@pytest.fixture(scope="module")
def descriptions(engine) -> Descriptions:
    return engine.answerer.descriptions


@pytest.mark.parametrize(
    ("question", "resolved"),
    [
        ("Who led the network that took ImageNet by storm in 2012?", "Who led AlexNet?"),
        # the shortest telling description: the rest is the question's own ("get his doctorate")
        ("Where did the Waymo engineer get his doctorate?", "Where did Lin Yuan get his doctorate?"),
        # the innermost first, then the description that holds it; the question keeps its verb
        ("Where is the firm that adopted the CMU framework based?", "Where is Amazon based?"),
        ("What happened to the Chollet library?", "What happened to Keras?"),
    ],
)
def test_a_description_that_fits_one_thing_is_replaced_by_its_name(descriptions, question, resolved) -> None:
    assert descriptions.resolve(question) == resolved


@pytest.mark.parametrize(
    "question",
    [
        "How is PyTorch different from the Torch framework?",  # named, not described
        "Who was the researcher behind AlexNet?",  # the description is what is asked
        "Which network set an ImageNet record?",  # no "the": nothing described
        "What did the framework with a record do?",  # fits nothing in particular
        "When was the framework from Montreal released?",  # a place the sources never name: no thing of theirs
    ],
)
def test_what_is_named_asked_or_ambiguous_is_left_alone(descriptions, question) -> None:
    assert descriptions.resolve(question) == question
