"""Passages of the shipped article: sentence-aware, section-bound, exact offsets, stable ids, linked references.

Fast: pysbd and the corpus loader only, no model and no index.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from assistant.chunking import Passage, chunk_corpus, split_sentences
from assistant.corpus import Corpus, Document, load_corpus, normalise_space
from assistant.settings import Settings

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
ID_RE = re.compile(r"^article/[a-z0-9]+(?:-[a-z0-9]+)*/[1-9]\d*$")
MAX_PASSAGE_WORDS = 120  # ~2x the default target of 60 words, heading included

# Reference number -> (a phrase of the entry's title, a phrase of the body sentence citing it).
REFERENCES = {
    "1": ("ImageNet Classification with Deep Convolutional Neural Networks", "later known as AlexNet [1]"),
    "2": ("Deep Residual Learning for Image Recognition", "In 2015 ResNet [2] was proposed by Kaiming He"),
    "3": ("Pre-training of Deep Bidirectional Transformers", "With the birth of BERT [3]"),
    "4": ("Language Models are Few-Shot Learners", "relatives such as GPT-3 [4]"),
}


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return load_corpus(CORPUS)


@pytest.fixture(scope="module")
def doc(corpus: Corpus) -> Document:
    return corpus.document("article.md")


@pytest.fixture(scope="module")
def passages(corpus: Corpus) -> list[Passage]:
    return chunk_corpus(corpus, Settings().chunk_words)


# ---------------------------------------------------------------- sentence splitting


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Alex Krizhevsky et al. from the University of Toronto proposed AlexNet. It won by a large margin.",
            ["Alex Krizhevsky et al. from the University of Toronto proposed AlexNet.", "It won by a large margin."],
        ),
        (
            "He received his Ph.D. in Computer Engineering from the University of Maryland. He joined Waymo later.",
            [
                "He received his Ph.D. in Computer Engineering from the University of Maryland.",
                "He joined Waymo later.",
            ],
        ),
        (
            "The U.S. government funded the lab. Europe did too.",
            ["The U.S. government funded the lab.", "Europe did too."],
        ),
        (
            "Smith et al. showed it first. Jones et al. disagreed with them.",
            ["Smith et al. showed it first.", "Jones et al. disagreed with them."],
        ),
    ],
    ids=["et-al", "phd", "us", "two-et-al"],
)
def test_pysbd_keeps_abbreviations_inside_sentences(text: str, expected: list[str]) -> None:
    got = split_sentences(text)
    assert [s.text for s in got] == expected
    for s in got:
        assert text[s.start : s.end] == s.text


def test_split_sentences_offsets_are_shifted_by_the_paragraph_offset() -> None:
    text = "It won. It won. It won."  # repeated sentences: offsets must not all point at the first one
    got = split_sentences(text, offset=100)
    assert [(s.start, s.end) for s in got] == [(100, 107), (108, 115), (116, 123)]


def test_article_abbreviations_are_not_split(passages: list[Passage]) -> None:
    sentences = [s.text for p in passages for s in p.sentences]
    assert any("Alex Krizhevsky et al. from the University of Toronto proposed" in s for s in sentences)
    assert any("ResNet [2] was proposed by Kaiming He et al. and again pushed" in s for s in sentences)
    assert any("He received his Ph.D. in Computer Engineering from the University of Maryland" in s for s in sentences)
    # No sentence ends on an abbreviation that should have continued.
    for s in sentences:
        assert not s.endswith((" et al.", " Ph.D.", " U.S.")), s


# ---------------------------------------------------------------- passages and sections


def test_passages_never_cross_a_section(doc: Document, passages: list[Passage]) -> None:
    by_slug = {s.slug: s for s in doc.sections}
    for p in passages:
        slug = p.passage_id.split("/")[1]
        section = by_slug[slug]
        assert p.section == section.heading
        assert section.start <= p.start < p.end <= section.end, p.passage_id
        for s in p.sentences:
            assert section.start <= s.start < s.end <= section.end, (p.passage_id, s.text)


def test_every_section_has_passages_in_document_order(doc: Document, passages: list[Passage]) -> None:
    slugs = [p.passage_id.split("/")[1] for p in passages]
    assert list(dict.fromkeys(slugs)) == [s.slug for s in doc.sections]
    starts = [p.start for p in passages]
    assert starts == sorted(starts)


def test_passage_text_starts_with_its_section_heading(passages: list[Passage]) -> None:
    for p in passages:
        assert p.text.startswith(p.section + "\n"), p.passage_id
        assert p.text.split("\n", 1)[1] == " ".join(normalise_space(s.text) for s in p.sentences)


def test_passage_span_contains_its_first_and_last_sentence(doc: Document, passages: list[Passage]) -> None:
    for p in passages:
        span = doc.text[p.start : p.end]
        assert span.startswith(p.sentences[0].text), p.passage_id
        assert span.endswith(p.sentences[-1].text), p.passage_id
        assert p.start == p.sentences[0].start and p.end == p.sentences[-1].end


def test_sentence_offsets_are_exact(doc: Document, passages: list[Passage]) -> None:
    n = 0
    for p in passages:
        for s in p.sentences:
            assert doc.text[s.start : s.end] == s.text, (p.passage_id, s)
            n += 1
        ends = [(s.start, s.end) for s in p.sentences]
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(ends)), p.passage_id
    assert n >= 60


def test_whole_body_is_covered_by_sentences(doc: Document, passages: list[Passage]) -> None:
    """Nothing of a section's body is dropped: every word of it lies in some sentence."""
    covered = [False] * len(doc.text)
    for p in passages:
        for s in p.sentences:
            covered[s.start : s.end] = [True] * (s.end - s.start)
    for section in doc.sections:
        body = doc.text[section.start : section.end]
        for m in re.finditer(r"\w+", body):
            pos = section.start + m.start()
            if not covered[pos]:
                # Only list bullets ("- ") may be left out, and they are not \w.
                pytest.fail(f"{section.slug}: {m.group()!r} at {pos} is in no passage")


def test_ids_look_like_document_section_number(passages: list[Passage]) -> None:
    ids = [p.passage_id for p in passages]
    assert all(ID_RE.match(i) for i in ids), [i for i in ids if not ID_RE.match(i)]
    assert len(ids) == len(set(ids))
    assert "article/iron-age-2015-2016/3" in ids
    # Numbers count up from 1 inside each section.
    per_section: dict[str, list[int]] = {}
    for i in ids:
        _, slug, n = i.split("/")
        per_section.setdefault(slug, []).append(int(n))
    for slug, numbers in per_section.items():
        assert numbers == list(range(1, len(numbers) + 1)), slug


def test_ids_and_passages_are_identical_across_two_chunkings(passages: list[Passage]) -> None:
    again = chunk_corpus(load_corpus(CORPUS), Settings().chunk_words)
    assert [p.passage_id for p in again] == [p.passage_id for p in passages]
    assert [p.model_dump() for p in again] == [p.model_dump() for p in passages]


def test_no_passage_exceeds_about_120_words(passages: list[Passage]) -> None:
    sizes = {p.passage_id: len(p.text.split()) for p in passages}
    assert max(sizes.values()) <= MAX_PASSAGE_WORDS, sorted(sizes.items(), key=lambda kv: -kv[1])[:3]


@pytest.mark.parametrize("chunk_words", [20, 40, 100])
def test_other_chunk_sizes_keep_the_invariants(corpus: Corpus, doc: Document, chunk_words: int) -> None:
    ps = chunk_corpus(corpus, chunk_words)
    assert len({p.passage_id for p in ps}) == len(ps)
    for p in ps:
        assert p.text.startswith(p.section + "\n")
        for s in p.sentences:
            assert doc.text[s.start : s.end] == s.text
        # A passage only exceeds the target when a single sentence does.
        words = sum(len(s.text.split()) for s in p.sentences)
        assert words <= 2 * chunk_words or len(p.sentences) == 1, (p.passage_id, words)


# ---------------------------------------------------------------- references


def _entry(passages: list[Passage], n: str) -> Passage:
    found = [p for p in passages if p.section == "References" and p.sentences[0].text.startswith(f"[{n}] ")]
    assert len(found) == 1, f"reference [{n}] should be exactly one passage"
    return found[0]


def _citers(passages: list[Passage], n: str) -> list[Passage]:
    return [p for p in passages if p.section != "References" and f"[{n}]" in p.text]


@pytest.mark.parametrize("n", sorted(REFERENCES))
def test_citing_passage_is_indexed_with_its_reference_title(passages: list[Passage], n: str) -> None:
    title, citing = REFERENCES[n]
    entry = _entry(passages, n)
    citers = _citers(passages, n)
    assert citers, f"no body passage cites [{n}]"
    assert any(citing in p.text for p in citers)
    assert title in entry.text
    for p in citers:
        assert n in p.refs
        assert title not in p.text  # the title is not in the body itself...
        assert title in p.search_text, p.passage_id  # ...but is indexed with it
        assert p.search_text.startswith(p.text)


@pytest.mark.parametrize("n", sorted(REFERENCES))
def test_reference_entry_is_indexed_with_its_citing_sentence(passages: list[Passage], n: str) -> None:
    _, citing = REFERENCES[n]
    entry = _entry(passages, n)
    assert entry.refs == [n]
    assert citing not in entry.text
    assert citing in entry.search_text
    # The whole citing sentence is there, not just a fragment.
    sentence = next(s.text for p in _citers(passages, n) for s in p.sentences if f"[{n}]" in s.text)
    assert sentence in entry.search_text


def test_unreferenced_passages_index_only_their_own_text(passages: list[Passage]) -> None:
    for p in passages:
        if not p.refs:
            assert p.search_text == p.text, p.passage_id


def test_reference_without_citer_is_not_linked(passages: list[Passage]) -> None:
    entry = _entry(passages, "5")  # [5] is listed but never cited in the body
    assert _citers(passages, "5") == []
    assert entry.search_text == entry.text
