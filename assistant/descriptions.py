"""Things described instead of named: "the network that won ImageNet in 2012" is AlexNet.

A description is "the" + up to three modifiers + a noun that names a kind of thing the facts know
("network", "company", "engineer"), + an optional relative clause ("that won ImageNet in 2012"). The
thing it describes is the one entity of that kind whose facts' evidence sentences hold the most of the
description's words; it must hold at least two, or one that names another entity ("the Toronto
network"), and more than any other entity of the kind. The shortest description that tells the thing
apart is replaced by its name (with the matching words and a generic noun right after it: "the 2012
ImageNet competition"), so the rest of the question keeps its own verb ("... get his PhD",
"... headquartered"). A description with a name the sources never use describes nothing of theirs.

The answerer asks the question again with the name only when the question as asked finds nothing: a
question the sources answer as typed is never rewritten.

Built once from the facts; read-only afterwards (safe to share between threads).
"""

from __future__ import annotations

import re
from collections import defaultdict

from assistant.corpus import Corpus
from assistant.kinds import Kinds
from assistant.retrieval import token_set
from assistant.text import SOFTWARE
from assistant.understanding import PERSON_NOUNS, Understanding

# Nouns that may head a description, beyond the kind words the facts and KIND_NOUNS give.
_HEAD_NOUNS = (
    "network|architecture|model|framework|library|toolkit|compiler|tool|company|firm|giant|lab|group|team|"
    "university|institution|organi[sz]ation|guy|engineer|researcher|person|man|woman|scientist|developer"
)
_DESCRIPTION_RE = re.compile(
    rf"\bthe\s+((?:[\w/'.-]+\s+){{0,3}}?)({_HEAD_NOUNS})\b"
    r"((?:\s+(?:that|which|who|whose|behind|from|at|of|with|named|called|dubbed|out of)\b[^,;?!]*)?)",
    re.I,
)
_WORD_RE = re.compile(r"[\w/'.-]+")
# Nouns that finish a description's last named thing ("the 2012 ImageNet competition").
_TRAILING_NOUNS = frozenset("competition contest challenge benchmark dataset project paper".split())
_PEOPLE = frozenset({"person"})
# The words that tie a description to its noun ("the framework from ...", "the team behind ..."): no clue
_LINKING_STEMS = token_set("from with that which who whose behind at of named called dubbed out by in on for")
# "Who was the lead researcher on ...?", "Name the researcher whose ...": the description is what is asked
_ASKS_FOR_IT_RE = re.compile(r"^\W*(?:(?:who|what|which)(?:'s|\s+(?:is|was|are|were))|name|identify|tell me)\s*$", re.I)


class Descriptions:
    """Finds the entity a description in a question stands for and puts its name there."""

    def __init__(self, corpus: Corpus, understanding: Understanding, kinds: Kinds) -> None:
        self.corpus = corpus
        self.understanding = understanding
        self.kinds = kinds
        said: dict[str, set[str]] = defaultdict(set)
        for f in corpus.facts.facts:
            words = set(token_set(f.evidence)) | (set(token_set(f.value)) if f.value else set())
            said[f.subject] |= words
            if f.object:
                said[f.object] |= words
        self._said = {eid: frozenset(w) for eid, w in said.items()}

    def _kinds_of(self, noun: str) -> frozenset[str] | None:
        """The entity types a description's noun stands for ("engineer": people, "library": software)."""
        noun = noun.lower()
        if noun in PERSON_NOUNS or noun == "developer":
            return _PEOPLE
        if noun in ("library", "toolkit", "tool"):
            return SOFTWARE
        return self.kinds.named_by(noun)

    def resolve(self, text: str) -> str:
        """The question with each description it can resolve replaced by the thing's name (innermost
        first: "the company that adopted the UW/CMU framework"); the text itself when none resolves."""
        for _ in range(3):
            # every "the" that starts one, the inner ones included ("the lead researcher on the ... network")
            found = [d for t in re.finditer(r"\bthe\b", text, re.I) if (d := _DESCRIPTION_RE.match(text, t.start()))]
            for m in reversed(found):
                replaced = self._replace(text, m)
                if replaced is not None:
                    text = replaced
                    break
            else:
                return text
        return text

    def _replace(self, text: str, m: re.Match[str]) -> str | None:
        kinds = self._kinds_of(m.group(2))
        if not kinds or _ASKS_FOR_IT_RE.search(text[: m.start()]):
            return None
        clause = m.group(3)
        inner = _DESCRIPTION_RE.search(clause)
        if inner:  # the innermost description first: a clause that holds another is left for the next round
            clause = clause[: inner.start()]
        words = list(_WORD_RE.finditer(clause))
        # the shortest description that tells one thing apart: "the Waymo engineer who wrote this get his
        # PhD" is Lin Yuan by "Waymo" alone, and "get his PhD" is the question's, not the description's
        for n in range(len(words) + 1):
            end = words[n - 1].end() if n else 0
            found = self._described(m.group(1) + " " + clause[:end], m.group(2), kinds)
            if found is None:
                continue
            eid, hit = found
            while n < len(words) and (
                token_set(words[n].group(0)) & hit or words[n].group(0).lower() in _TRAILING_NOUNS
            ):
                end, n = words[n].end(), n + 1  # "... the 2012 ImageNet competition": the whole name
            return text[: m.start()] + self.corpus.facts.entity(eid).name + text[m.start(3) + end :]
        return None

    def _described(self, description: str, noun: str, kinds: frozenset[str]) -> tuple[str, frozenset[str]] | None:
        """The one entity of these kinds the description's words tell apart, and the words that did."""
        mentions, unknown = self.understanding.mentions(description)
        if unknown:
            return None  # "the framework from Montreal": a thing the sources do not know is no thing they name
        if any(mt.entity.type in kinds for mt in mentions):
            return None  # "the Torch framework": named, not described
        wanted = token_set(description) - token_set(noun) - _LINKING_STEMS
        anchors = frozenset(w for mt in mentions for w in token_set(mt.surface))
        scored = sorted(
            (
                (len(wanted & self._said.get(e.id, frozenset())), e.id)
                for e in self.corpus.facts.entities
                if e.type in kinds
            ),
            key=lambda s: (-s[0], s[1]),
        )
        if not scored or (len(scored) > 1 and scored[1][0] >= scored[0][0]):
            return None
        count, eid = scored[0]
        hit = wanted & self._said[eid]
        if count >= 2 or (count == 1 and hit <= anchors):
            return eid, hit
        return None
