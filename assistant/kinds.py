"""Kinds of things and their names in text: which entity types a noun asks for ("which company" ->
organisations), and whether a text names a person, an organisation or a thing of an asked kind.

Built once from the facts' entities; read-only afterwards (safe to share between threads).
"""

from __future__ import annotations

import re

from assistant.corpus import Corpus
from assistant.text import AGENT_TYPES, KIND_NOUNS, SOFTWARE, names_pattern
from assistant.understanding import Analysis


class Kinds:
    """The facts' entity types and patterns that find their names in lower-cased text."""

    def __init__(self, corpus: Corpus) -> None:
        entities = corpus.facts.entities
        # Kinds of thing the facts know ("paper", "framework"): "the paper" in a follow-up refers back.
        self.types = sorted({e.type for e in entities} - {"concept"})
        groups = {frozenset({t}) for t in self.types} | set(KIND_NOUNS.values())
        self._patterns: dict[frozenset[str], re.Pattern[str] | None] = {
            group: names_pattern(tuple(n for e in entities if e.type in group for n in e.names)) for group in groups
        }
        # Words the facts file gives for its kinds ("age" for era, "reference" for paper).
        self._words = {w.lower(): t for t, words in corpus.facts.kinds.items() for w in words}
        # Names of the people and organisations the facts know: what a "who" answer must name.
        self._agents = names_pattern(tuple(n for e in entities if e.type in AGENT_TYPES for n in e.names))
        # Names of the people the facts know: who "he" or "she" can be.
        self._people = self._patterns.get(frozenset({"person"}))

    def named_by(self, word: str) -> frozenset[str] | None:
        """The entity types a noun names ("company" -> organisations, "frameworks" -> frameworks)."""
        noun = word[:-3] + "y" if word.endswith("ies") else word.rstrip("s")
        if noun in KIND_NOUNS:
            return KIND_NOUNS[noun]
        if noun in self.types:
            return frozenset({noun})
        kind = self._words.get(word) or self._words.get(noun)
        return frozenset({kind}) if kind else None

    def checkable(self, word: str) -> frozenset[str] | None:
        """The kinds a noun asks for, when they are specific enough to check ("which tools": no)."""
        kinds = self.named_by(word) if word else None
        return None if not kinds or kinds == SOFTWARE else kinds

    def pattern(self, kinds: frozenset[str]) -> re.Pattern[str] | None:
        """The names of the things of these kinds, or None when the facts know none."""
        return self._patterns.get(kinds)

    def names_asked_kind(self, text: str, a: Analysis) -> bool:
        """Whether text names a thing of the kind the question asks for ("which company", "what dataset"),
        other than those the question names; true when the asked noun is no kind the facts know."""
        kinds = self.checkable(a.head)
        if not kinds or self.pattern(kinds) is None:
            return True  # "which tools", "what framework": too loose a kind to check
        return self.names_of(kinds, text, a)

    def names_of(self, kinds: frozenset[str], text: str, a: Analysis) -> bool:
        """Whether text names a thing of these kinds other than those the question names."""
        pattern = self.pattern(kinds)
        asked = {n.lower() for m in a.mentions for n in m.entity.names}
        return pattern is not None and any(found.group(0) not in asked for found in pattern.finditer(text.lower()))

    def names_a_person(self, text: str) -> bool:
        return self._people is not None and self._people.search(text.lower()) is not None

    def names_an_agent(self, text: str, a: Analysis) -> bool:
        """Whether text names a person or organisation other than the ones the question names."""
        if self._agents is None:
            return True  # no facts about people or organisations: nothing to check against
        asked = {n.lower() for m in a.mentions if m.surface[:1].isupper() for n in m.entity.names}
        return any(found.group(0) not in asked for found in self._agents.finditer(text.lower()))
