"""Passages with stable ids and offsets: sentence-aware, never across a section or paragraph."""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from assistant.corpus import METADATA_HEADING, Corpus, Document, Section, normalise_space

# Bump when passages would come out differently for the same corpus: the index is then rebuilt.
CHUNKER_VERSION = 3
_PARA_RE = re.compile(r"\n[ \t]*\n|\n(?=[ \t]*(?:[-*•]|\d+\.)[ \t])")
_BULLET_RE = re.compile(r"^[ \t]*(?:[-*•]|\d+\.)[ \t]+")
_MARKER_RE = re.compile(r"\[(\d{1,3})\]")
_REFERENCE_RE = re.compile(r"^\[(\d{1,3})\]\s+")


class Sentence(BaseModel):
    """A sentence of a passage; offsets index into the source document's text."""

    model_config = ConfigDict(frozen=True)

    text: str
    start: int
    end: int


class Passage(BaseModel):
    """The unit of retrieval and citation."""

    model_config = ConfigDict(frozen=True)

    passage_id: str = Field(description="document/section/n: the same corpus gives the same ids")
    doc_id: str
    doc_title: str
    section: str = Field(description="the section heading")
    start: int
    end: int
    text: str = Field(description="the section heading, then the passage's sentences")
    sentences: list[Sentence]
    refs: list[str] = Field(default_factory=list, description="reference numbers cited or defined here")
    search_text: str = Field(default="", description="text that is indexed: text + linked references")

    @property
    def source(self) -> str:
        return f"{self.doc_title} › {self.section}"


@lru_cache(maxsize=1)
def _segmenter():  # type: ignore[no-untyped-def]
    import pysbd

    return pysbd.Segmenter(language="en", clean=False, char_span=True)


MAX_SBD_CHARS = 4000  # pysbd's regexes slow down badly on enormous paragraphs: feed it slices
MAX_SENTENCE_WORDS = 120  # a "sentence" longer than this (no punctuation) is cut into word windows


def _slices(text: str) -> list[tuple[int, int]]:
    """Cut text into slices of at most MAX_SBD_CHARS, at a sentence end or a space when possible."""
    out, start = [], 0
    while len(text) - start > MAX_SBD_CHARS:
        window = text[start : start + MAX_SBD_CHARS]
        cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! "))
        cut = cut + 2 if cut > MAX_SBD_CHARS // 2 else (window.rfind(" ") + 1 or MAX_SBD_CHARS)
        out.append((start, start + cut))
        start += cut
    out.append((start, len(text)))
    return out


def _word_windows(text: str, start: int, end: int) -> list[tuple[int, int]]:
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text[start:end])]
    if len(words) <= MAX_SENTENCE_WORDS:
        return [(start, end)]
    step = MAX_SENTENCE_WORDS // 2
    return [(start + words[i][0], start + words[min(i + step, len(words)) - 1][1]) for i in range(0, len(words), step)]


def split_sentences(text: str, offset: int = 0) -> list[Sentence]:
    """Sentences of one paragraph, with offsets (pysbd knows 'et al.', 'Ph.D.', 'U.S.')."""
    out: list[Sentence] = []
    for a, b in _slices(text):
        for span in _segmenter().segment(text[a:b]):
            start, end = a + span.start, a + span.end
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            for s, e in _word_windows(text, start, end) if start < end else []:
                out.append(Sentence(text=text[s:e], start=offset + s, end=offset + e))
    return out


def _paragraphs(doc: Document, section: Section) -> list[tuple[int, int]]:
    body = doc.section_text(section)
    if section.heading == METADATA_HEADING:  # front matter: one "key: value" line per sentence
        return [(section.start, section.end)]
    spans, pos = [], 0
    for m in _PARA_RE.finditer(body):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(body)))
    out = []
    for a, b in spans:
        chunk = body[a:b]
        bullet = _BULLET_RE.match(chunk)
        if bullet:
            a += bullet.end()
        while a < b and body[a].isspace():
            a += 1
        while b > a and body[b - 1].isspace():
            b -= 1
        if a < b:
            out.append((section.start + a, section.start + b))
    return out


def _lines(text: str, a: int, b: int) -> list[Sentence]:
    out, pos = [], a
    for line in text[a:b].split("\n"):
        if line.strip():
            out.append(Sentence(text=line.strip(), start=pos, end=pos + len(line.rstrip())))
        pos += len(line) + 1
    return out


def _group(sentences: list[Sentence], max_words: int) -> list[list[Sentence]]:
    """Greedy groups of whole sentences up to max_words, balanced so no tiny tail is left."""
    words = [len(s.text.split()) for s in sentences]
    total = sum(words)
    n_groups = max(1, -(-total // max_words))
    target = total / n_groups
    groups: list[list[Sentence]] = [[]]
    acc = 0
    for s, w in zip(sentences, words, strict=True):
        if groups[-1] and acc + w / 2 > target and len(groups) < n_groups:
            groups.append([])
            acc = 0
        groups[-1].append(s)
        acc += w
    return groups


def chunk_document(doc: Document, max_words: int) -> list[Passage]:
    """Passages of one document: paragraph- and sentence-aligned, each headed by its section."""
    passages: list[Passage] = []
    for section in doc.sections:
        n = 0
        for a, b in _paragraphs(doc, section):
            sentences = (
                _lines(doc.text, a, b) if section.heading == METADATA_HEADING else split_sentences(doc.text[a:b], a)
            )
            for group in _group(sentences, max_words):
                n += 1
                body = " ".join(normalise_space(s.text) for s in group)
                refs = sorted({m.group(1) for s in group for m in _MARKER_RE.finditer(s.text)}, key=int)
                passages.append(
                    Passage(
                        passage_id=f"{doc.doc_id}/{section.slug}/{n}",
                        doc_id=doc.doc_id,
                        doc_title=doc.title,
                        section=section.heading,
                        start=group[0].start,
                        end=group[-1].end,
                        text=f"{section.heading}\n{body}",
                        sentences=group,
                        refs=refs,
                    )
                )
    return _link_references(passages)


def _link_references(passages: list[Passage]) -> list[Passage]:
    """Index each citing passage with its reference entry's text, and each entry with its citers."""
    entries: dict[str, Passage] = {}
    for p in passages:
        m = _REFERENCE_RE.match(p.sentences[0].text)
        if m and len(p.refs) == 1:
            entries[m.group(1)] = p
    citers: dict[str, list[Passage]] = {}
    for p in passages:
        for r in p.refs:
            if r in entries and entries[r] is not p:
                citers.setdefault(r, []).append(p)
    out = []
    for p in passages:
        extra = [_body(entries[r]) for r in p.refs if r in entries and entries[r] is not p]
        entry_ref = next((r for r, e in entries.items() if e is p), None)
        if entry_ref:
            extra += [s.text for c in citers.get(entry_ref, []) for s in c.sentences if f"[{entry_ref}]" in s.text]
        out.append(p.model_copy(update={"search_text": " ".join([p.text, *extra])}))
    return out


def _body(p: Passage) -> str:
    return " ".join(s.text for s in p.sentences)


def chunk_corpus(corpus: Corpus, max_words: int) -> list[Passage]:
    """All passages of a corpus, in document order."""
    return [p for doc in corpus.documents for p in chunk_document(doc, max_words)]
