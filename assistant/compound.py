"""Compound questions: "Who wrote the article, and what is his job?" is two questions, each answered on
its own (the second after the first, so that "his" is the first one's answer), then told together."""

from __future__ import annotations

import re

# ", and what ...", " and where ...": a second question of its own, after a first that asks something
_SECOND_RE = re.compile(
    r",?\s+and\s+(?=(?:(?:in|at|on|for|from|by|with|of|to)\s+)?(?:what|which|who|whom|whose|when|where|why|how)\b)",
    re.I,
)
_ASKS_RE = re.compile(
    r"^\W*(?:what|which|who|whom|whose|when|where|why|how|in\s+(?:what|which)|at\s+(?:what|which)|is|are|was|were|"
    r"do|does|did|can|could|has|have|name|list|tell)\b",
    re.I,
)
MIN_PART_WORDS = 3  # "and when?" is no question of its own: the first question's date is asked (facts)


# "What happened to CNTK? Was it still maintained?": two questions, one after the other
_NEXT_QUESTION_RE = re.compile(r"\?\s+(?=\S[^?]*\?\s*$)")


def split_compound(text: str) -> tuple[str, str] | None:
    """The two questions of a compound question, the first without its "?", or None."""
    asked = _NEXT_QUESTION_RE.search(text)
    if asked is not None and _ASKS_RE.match(text) and _ASKS_RE.match(text[asked.end() :]):
        first, second = text[: asked.start()].strip(), text[asked.end() :].strip()
        if len(first.split()) >= MIN_PART_WORDS and len(second.split()) >= MIN_PART_WORDS:
            return f"{first}?", second
    found = _SECOND_RE.search(text)
    if found is None or not _ASKS_RE.match(text):
        return None
    first, second = text[: found.start()].strip(" ,;"), text[found.end() :].strip()
    if len(first.split()) < MIN_PART_WORDS or len(second.split()) < MIN_PART_WORDS:
        return None
    return f"{first}?", second
