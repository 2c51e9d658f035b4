"""A claim of an answer and a scored sentence: the records the answering modules pass each other."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.chunking import Passage

MAX_WORDS = 60  # an answer's word limit, markers included
TYPED_REACH, TYPED_MARGIN = 5, 0.15  # a sentence that gives the asked type may win from this far behind
APART_REACH = 2  # ... twice as far when the question sets its answer apart from things it names ("besides Google")


@dataclass
class Claim:
    """One sentence of an answer and the passage sentences that support it."""

    text: str
    quotes: list[tuple[Passage, str]]  # (passage, supporting sentence)


Scored = tuple[float, float, float, float, Passage, int]  # score, cosine, overlap, entity share, passage, sentence


def word_count(text: str) -> int:
    """Words as a reader counts them, markers included ('[1]' is one word)."""
    return len(re.sub(r"\]\[", "] [", text).split())


def room_left(claims: list[Claim]) -> int:
    """Words an answer of these claims (a marker and a space each) may still take, two kept for the next
    one's marker and space."""
    return MAX_WORDS - sum(word_count(c.text) + 1 for c in claims) - 2
