"""unwrap(): the small talk around a question is left out, the question and its context are kept."""

import re

import pytest

from assistant.chatter import context_first, small_talk, unwrap

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
        # a "but" after the comma belongs to the lead-in; "was it that" is no pronoun pointing at it
        ("Sorry if this is a dumb one, but who was it that made Keras?", "who was it that made Keras?"),
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


@pytest.mark.parametrize(
    ("typed", "story", "question"),
    [
        ("My notes are a mess. Which year did Caffe appear?", "My notes are a mess.", "Which year did Caffe appear?"),
        ("I use Keras daily. So who made it?", "I use Keras daily.", "So who made it?"),
        ("Tests are due. Roughly when was Keras made?", "Tests are due.", "Roughly when was Keras made?"),
        ("Docs are old. Can you list the early frameworks?", "Docs are old.", "Can you list the early frameworks?"),
        ("Big models are hard. Up to how many devices?", "Big models are hard.", "Up to how many devices?"),
    ],
)
def test_a_story_before_a_question_is_told_apart(typed: str, story: str, question: str) -> None:
    assert context_first(typed) == (story, question)


@pytest.mark.parametrize(
    "typed",
    [
        "Who made Keras?",
        "I read that Google made Keras. Is that true?",  # the story is what is asked about
        "Frameworks went imperative. What reasons are given for that shift?",  # "that shift" is the story's
        "Some frameworks appeared in 2012. Which ones does the article mention?",
        "Both set records. On what dataset were those records set?",
        "Who made Keras? When was it merged?",  # two questions
        "I wonder who made Keras. Could you tell me?",  # the story asks the question itself
    ],
)
def test_a_question_that_leans_on_its_story_keeps_it(typed: str) -> None:
    assert context_first(typed) == ("", typed)
