"""unwrap(): the small talk around a question is left out, the question and its context are kept."""

import re

import pytest

from assistant.chatter import small_talk, unwrap

NAMES = re.compile(r"\b(?:Keras|Caffe|Iron Age|TensorFlow)\b", re.I)


def plain(phrase: str) -> bool:  # the engine's test is Understanding.plain: no known name, no number
    return NAMES.search(phrase) is None and not any(c.isdigit() for c in phrase)


@pytest.mark.parametrize(
    ("typed", "question"),
    [
        ("Got it. Who created Keras?", "Who created Keras?"),
        ("wow! who created keras", "who created keras"),
        ("and keras? who made it?", "keras, who made it?"),  # the thing named first is what "it" is
        ("Great, thanks! Who created Keras?", "Who created Keras?"),
        ("sorry for asking, who made Keras?", "who made Keras?"),
        ("Quick one - wat is keras", "wat is keras"),
        ("Out of pure curiosity — when did Caffe appear?", "when did Caffe appear?"),
        ("Who made Keras? Thanks a lot!", "Who made Keras?"),
        # why the user asks is no second question, even with a question word in it
        ("who made keras? just wondering how famous he is", "who made keras?"),
        ("Who proposed ResNet? Need it for my slides, which are due.", "Who proposed ResNet?"),
        ("Who made Keras? I am writing a report on it.", "Who made Keras?"),
        ("The author names one standard API. Which one?", "Which one? The author names one standard API."),
        ("I heard Caffe is old. Who made the Keras library?", "Who made the Keras library?"),
    ],
)
def test_small_talk_is_left_out(typed: str, question: str) -> None:
    assert unwrap(typed, plain) == question


@pytest.mark.parametrize(
    "kept",
    [
        "Who made Keras?",
        "Who made Keras? Please also say when.",  # the remark asks something too
        "In the Iron Age, which framework came first?",  # a lead-in that sets the scene
        "deep learning - what is it?",  # the lead-in is what "it" is
        "List the eras. Which came first?",  # a request, not small talk
        "Keras. Who made it?",  # names the thing asked about
        "After 2012, who joined?",
        "I read that Google made Keras. Is that true?",  # the question leans on the story
        "I wonder who made Keras. Could you tell me?",  # the story asks the question itself
        "Who made Keras? When was it merged?",  # two questions, not a topic and a question
    ],
)
def test_the_question_and_its_context_are_kept(kept: str) -> None:
    assert unwrap(kept, plain) == kept


@pytest.mark.parametrize("said", ["Thanks! That was helpful.", "great, thank you!", "ok cool", "hello"])
def test_thanks_and_greetings_are_small_talk(said: str) -> None:
    assert small_talk(said)


@pytest.mark.parametrize("asked", ["thanks, who made Keras?", "Keras", "is that true?", "why?"])
def test_a_question_or_a_name_is_no_small_talk(asked: str) -> None:
    assert not small_talk(asked)
