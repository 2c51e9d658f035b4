"""What an abbreviation stands for: "what does FAIR stand for?" is answered only where the sources spell
it out, as "Facebook AI Research (FAIR)" or "JIT (just-in-time)"; a name the sources only use ("CNTK")
is never expanded from outside knowledge."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.chunking import Passage

# "what does CNTK stand for?", "what is JIT short for?", "the acronym ONNX means what?"
STAND_FOR_RE = re.compile(
    r"\bstands? for\b|\bshort for\b|\babbreviat\w*|\bacronym\b|\bspell(?:ed|s)? out\b|\bfull (?:form|name)\b"
    r"|\bexpan(?:sion|ds?)\b",
    re.I,
)
_CAPS_RE = re.compile(r"\b[A-Z][A-Za-z]*[A-Z]+[A-Za-z]*\b")  # "CNTK", "MXNet", "FAIR"
# "what does jit stand for", "what does the acronym jit mean"
_BEFORE_RE = re.compile(r"\b(\w+)\s+(?:stands? for|is short for)\b", re.I)
_AFTER_RE = re.compile(r"\b(?:abbreviation|acronym)\s+(\w+)", re.I)
_FRAMING = frozenset(
    {
        "does",
        "do",
        "did",
        "the",
        "acronym",
        "abbreviation",
        "what",
        "is",
        "name",
        "it",
        "stand",
        "stands",
        "mean",
        "means",
    }
)
_PARENS_RE = re.compile(r"\(([^()]{2,60})\)")


@dataclass(frozen=True)
class Expansion:
    abbreviation: str  # as the sources write it
    words: str  # what it stands for, as the sources write it
    passage: Passage
    sentence: str


def asked_abbreviation(text: str, names: Iterable[str] = ()) -> str | None:
    """The abbreviation a question asks to spell out, or None when it asks no such thing: a word in
    capitals, else one of `names` (the things the question names), else the word before "stand for"."""
    if STAND_FOR_RE.search(text) is None:
        return None
    caps = _CAPS_RE.findall(text)
    if caps:  # written as an abbreviation
        return caps[0]
    for name in names:
        if " " not in name.strip():
            return name.strip()
    for found in (_BEFORE_RE.search(text), _AFTER_RE.search(text)):
        if found and found.group(1).lower() not in _FRAMING:
            return found.group(1)
    return None


def long_form(abbreviation: str, words: str) -> str | None:
    """The shortest tail of `words` that spells out the abbreviation, or None (the algorithm of Schwartz
    and Hearst, 2003: its characters are found right to left, the first at the start of a word)."""
    short = [c.lower() for c in abbreviation if c.isalnum()]
    if len(short) < 2 or not short[0].isalpha():
        return None
    long = words.lower()
    s_i, l_i = len(short) - 1, len(long) - 1
    while s_i >= 0:
        c = short[s_i]
        while l_i >= 0 and (long[l_i] != c or (s_i == 0 and l_i > 0 and long[l_i - 1].isalnum())):
            l_i -= 1
        if l_i < 0:
            return None
        l_i -= 1
        s_i -= 1
    found = words[words.rfind(" ", 0, l_i + 1) + 1 :].strip()
    return found if len(found.split()) <= min(len(short) + 5, 2 * len(short)) else None


def find_expansion(abbreviation: str, passages: Iterable[Passage]) -> Expansion | None:
    """Where the sources spell out the abbreviation, in the first passage that does: the words in
    parentheses after it ("JIT (just-in-time)"), or the words before it when it stands in parentheses
    ("Facebook AI Research (FAIR)")."""
    name = re.escape(abbreviation)
    for p in passages:
        for s in p.sentences:
            for m in re.finditer(rf"\b{name}\b", s.text, re.I):
                after = _PARENS_RE.match(s.text, m.end() + 1) if s.text[m.end() : m.end() + 2] == " (" else None
                if after and long_form(abbreviation, after.group(1)) == after.group(1).strip():
                    return Expansion(m.group(0), after.group(1).strip(), p, s.text)
                if s.text[m.start() - 1 : m.start()] == "(" and s.text[m.end() : m.end() + 1] == ")":
                    words = long_form(abbreviation, s.text[: m.start() - 1].rstrip())
                    if words:
                        return Expansion(m.group(0), words.strip("“”\"' "), p, s.text)
    return None
