"""Reading the corpus in order: the sentence before or after another (within its section, across
passage boundaries), a list item's title, and where a name first appears.

Built once from the index's passages and the corpus's documents; read-only afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from assistant.chunking import Passage
from assistant.corpus import METADATA_HEADING, Document

At = tuple[Passage, int]  # a sentence: its passage and its index there


class Reading:
    """Sentence-level navigation over the passages, in document order."""

    def __init__(self, passages: list[Passage], documents: list[Document]) -> None:
        self.passages = passages
        self._position = {p.passage_id: i for i, p in enumerate(passages)}
        self._doc_text = {d.doc_id: d.text for d in documents}

    def position(self, p: Passage) -> int:
        """A passage's place in document order."""
        return self._position[p.passage_id]

    @staticmethod
    def quote(at: At | None) -> tuple[Passage, str] | None:
        return (at[0], at[0].sentences[at[1]].text) if at else None

    def previous(self, p: Passage, s_i: int) -> At | None:
        """The sentence before sentence s_i of p, in the same section (across a passage boundary)."""
        if s_i > 0:
            return p, s_i - 1
        at = self._position[p.passage_id] - 1
        if at < 0 or self.passages[at].section != p.section or not self.passages[at].sentences:
            return None
        return self.passages[at], len(self.passages[at].sentences) - 1

    def next(self, p: Passage, s_i: int) -> At | None:
        """The sentence after sentence s_i of p, in the same section (across a passage boundary)."""
        if s_i + 1 < len(p.sentences):
            return p, s_i + 1
        at = self._position[p.passage_id] + 1
        if at >= len(self.passages) or self.passages[at].section != p.section or not self.passages[at].sentences:
            return None
        return self.passages[at], 0

    def following(self, p: Passage, s_i: int, reach: int) -> Iterator[tuple[Passage, str]]:
        """Up to `reach` sentences after sentence s_i of p, in the same section: (passage, sentence)."""
        at = self.next(p, s_i)
        for _ in range(reach):
            if at is None:
                return
            yield at[0], at[0].sentences[at[1]].text
            at = self.next(*at)

    def earlier_naming(
        self, p: Passage, s_i: int, names: Callable[[str], bool], reach: int = 6
    ) -> tuple[Passage, str] | None:
        """The nearest earlier sentence of the same section for which `names` is true (names a person)."""
        at: At | None = (p, s_i)
        for _ in range(reach):
            at = self.previous(*at) if at else None
            if at is None:
                return None
            text = at[0].sentences[at[1]].text
            if names(text):
                return at[0], text
        return None

    def is_title(self, p: Passage, s_i: int, max_words: int) -> bool:
        """A list item's title: a short sentence that opens a Markdown bullet ("- Unified API standards.")."""
        sentence = p.sentences[s_i]
        if len(sentence.text.split()) > max_words:
            return False
        text = self._doc_text.get(p.doc_id, "")
        line_start = text.rfind("\n", 0, sentence.start) + 1
        return bool(re.fullmatch(r"\s*[-*+]\s+", text[line_start : sentence.start]))

    def first_naming(self, name: str, headings: bool = True) -> list[tuple[Passage, str]]:
        """Where a name first appears: its section heading, else the first sentence that has it."""
        named = re.compile(rf"(?<!\w){re.escape(name.lower())}(?!\w)")  # "Torch", not the "torch" of "PyTorch"
        for p in self.passages:
            if p.section == METADATA_HEADING:
                continue
            if headings and named.search(p.section.lower()):
                return [(p, p.section)]
            for sentence in p.sentences:
                if named.search(sentence.text.lower()):
                    return [(p, sentence.text)]
        return []
