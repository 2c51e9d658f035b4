"""rephrase(): the surface of a question rewritten into the plain question it asks (no engine needed)."""

import pytest

from assistant.rephrasing import rephrase


@pytest.mark.parametrize(
    ("typed", "plain"),
    [
        ("wut r the 3 eras", "what are the three eras"),
        ("why theyre imperative if it doesnt help", "why they are imperative if it does not help"),
        ("whos behind caffe", "who is behind caffe"),
        ("the 2nd one w/ 60M params", "the second one with 60 million params"),
        ("True or false: Theano came from Montreal.", "Is it true that Theano came from Montreal?"),
        ("Fact check: did Amazon pick MXNet?", "did Amazon pick MXNet?"),
        ("Fill in the blank: Keras was written by ___.", "Keras was written by what?"),
        ("oops, I meant Torch", "what about Torch"),
        ("sorry, I meant who made Chainer?", "who made Chainer?"),
        ("what is the total number of eras", "how many eras"),
        ("wat yr did those fws show up", "what year did those frameworks show up"),  # chat shorthand
        ("Who authored the GPT-3 paper?", "Who wrote the GPT-3 paper?"),  # "author" is in every article question
        ("who penned this framework history article?", "who penned this article?"),  # the article, described
        ("what does the second half of the article cover?", "what does the second half of the article cover?"),
        ("what was the weight count of ResNet?", "how many weights in ResNet?"),  # the counted noun stays
        ("Which man, together with two students, won ImageNet?", "Which man won ImageNet?"),
        ("what's the deal with AlexNet?", "what's special about AlexNet?"),
        ("What weight count does the text give for AlexNet?", "how many weights does the text give for AlexNet?"),
        ("who built Torch, per the article?", "who built Torch?"),
        ("According to the author, which era came last?", "which era came last?"),
        ("Why does the writer believe that compilers matter?", "Why compilers matter?"),
        ("so why would people still go with the imperative style?", "what is the advantage of the imperative style?"),
        ("why would anyone use Caffe when Chainer is way nicer?", "what is the advantage of Caffe over Chainer?"),
    ],
)
def test_rephrase_reads_the_plain_question(typed: str, plain: str) -> None:
    assert rephrase(typed) == plain


@pytest.mark.parametrize(
    "kept",
    [
        "Who developed TensorFlow?",
        "GPT-3 has 175 billion parameters, right?",  # a version number is not a count ("GPT-3 has")
        "How many parameters does GPT-2 have?",
        "Is Caffe2 part of PyTorch?",
        "Why did Amazon choose MXNet?",  # why a named one chose it: an event, not an advantage
    ],
)
def test_rephrase_leaves_a_plain_question_alone(kept: str) -> None:
    assert rephrase(kept) == kept
