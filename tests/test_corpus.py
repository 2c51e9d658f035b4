"""The shipped corpus and its loader: article vs. seed page, facts integrity, precise loader errors.

Fast and deterministic: no model, no network, no index.
"""

from __future__ import annotations

import copy
import logging
import os
import re
from pathlib import Path

import pytest
import yaml

from assistant import corpus as corpus_mod
from assistant.chunking import split_sentences
from assistant.corpus import CorpusError, load_corpus, load_documents, normalise_space, parse_document, parse_facts

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "corpus"
ARTICLE = CORPUS / "article.md"
README = CORPUS / "README.md"

# Where the raw page lives: next to the checkout (shared/seed), or at the fixed path of the workspace.
SEED_CANDIDATES = (
    Path(__file__).resolve().parents[1].parent / "shared" / "seed" / "article-page.txt",
    Path("/work/shared/seed/article-page.txt"),
)

BODY_START = "The past decade has seen"
BODY_END = "Views expressed in this article"

# The four documented repairs of glued link texts: only ", " or " " inserted.
REPAIRS = {
    "MATLABOpenNN": "MATLAB, OpenNN",
    "CaffeChainer": "Caffe, Chainer",
    "Apache TVMMLIRFacebook Glow": "Apache TVM, MLIR, Facebook Glow",
    "PyTorchwhich": "PyTorch which",
}
GLUED = ("CaffeChainer", "MATLABOpenNN", "TVMMLIR", "PyTorchwhich")

# Caption lines inside the body, dropped by the cleaning (after space normalisation).
CAPTION_LINES = {
    "By U.S. National Park Service, Mississippi River Mussels: Tools From Mussel Shells, Public Domain,",
    "Image for post",
    "Nordisk familjebok — Nordisk familjebok (1910), vol.13, Till art. Järnåldern.",
    "By Tharunbr77 — Own work, CC BY-SA 4.0,",
}

# Strings of the removed cruft that must not survive anywhere in article.md.
CRUFT = (
    "Headimage",
    "Ahmed Gad",
    "Pixabay",
    "U.S. National Park Service",
    "Mississippi River Mussels",
    "Image for post",
    "Nordisk familjebok",
    "Järnåldern",
    "Tharunbr77",
    "CC BY-SA",
    "Public Domain",
    "Views expressed in this article",
    "do not represent the opinion of Synced Review",
    "Synced Report",
    "COVID-19",
    "Amazon Kindle",
    "Click here",
    "find more reports from us",
    "Subscribe",
    "Synced Global AI Weekly",
    "comments on",
    "Pingback",
    "SwissCognitive",
    "Wonderful post",
    "Leave a Reply",
    "Your email address will not be published",
    "Required fields are marked",
)

# Headings that the cleaning added (they are not lines of the page).
ADDED_HEADINGS = {"Introduction", "Outlook", "References"}

EXPECTED_SECTIONS = [
    "About this document",  # the front matter, citable
    "Introduction",
    "Stone Age (early 2000s)",
    "Bronze Age (~2012)",
    "Iron Age (2015~2016)",
    "Roman Times (2019~2020)",
    "Industrial Age (2021+)",
    "Outlook",
    "References",
    "About Lin Yuan",
]

# Frameworks, libraries, compilers and tools named in the article, read off the text by hand.
NAMED_IN_ARTICLE = [
    "TensorFlow",
    "PyTorch",
    "Keras",
    "MXNet",
    "CNTK",
    "Caffe",
    "Caffe2",
    "Chainer",
    "Theano",
    "Torch",
    "MATLAB",
    "OpenNN",
    "JAX",
    "OneFlow",
    "Apache TVM",
    "MLIR",
    "Facebook Glow",
    "Horovod",
    "NumPy",
    "BLAS",
    "CuDNN",
    "OneDNN",
    "ONNX runtime",
]
SOFTWARE_TYPES = {"framework", "library", "compiler", "tool"}

# The author's spellings kept on purpose (documented in corpus/README.md).
KEPT_SPELLINGS = ("AI doman", "tenor manipulation", "users could conveniently built")


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(CORPUS)


@pytest.fixture(scope="module")
def article_raw() -> str:
    return ARTICLE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def article_norm(article_raw: str) -> str:
    return normalise_space(article_raw)


@pytest.fixture(scope="module")
def seed_text() -> str:
    for path in SEED_CANDIDATES:
        if path.is_file():
            return path.read_text(encoding="utf-8")
    pytest.skip(f"seed page not found at {' or '.join(map(str, SEED_CANDIDATES))}")


def _fact_key(fact) -> tuple[str, str, str]:
    return (fact.subject, fact.relation, fact.object or normalise_space(fact.value or "").lower())


def _referenced_ids(fact) -> list[str]:
    return [fact.subject] + ([fact.object] if fact.object else [])


def _seed_body_lines(seed: str) -> list[str]:
    """The page body, cut, normalised, repaired and without captions: one item per paragraph or bullet."""
    start = seed.index(BODY_START)
    end = seed.index(BODY_END)
    body = seed[start:end]
    lines = []
    for raw in body.splitlines():
        line = normalise_space(raw)
        for glued, fixed in REPAIRS.items():
            line = line.replace(glued, fixed)
        if not line or line in CAPTION_LINES:
            continue
        lines.append(re.sub(r"^•\s*", "", line))
    return lines


# ---------------------------------------------------------------- facts integrity


def test_shipped_corpus_loads_with_one_document(corpus) -> None:
    # README.md in the same folder describes the corpus and must not become a document.
    assert [d.path for d in corpus.documents] == ["article.md"]
    assert corpus.facts.relations and corpus.facts.entities and corpus.facts.facts


def test_every_evidence_occurs_in_article(corpus, article_norm: str) -> None:
    missing = [
        (i, f.evidence) for i, f in enumerate(corpus.facts.facts, 1) if normalise_space(f.evidence) not in article_norm
    ]
    assert not missing, f"evidence not in article.md: {missing}"


def test_no_duplicate_facts(corpus) -> None:
    seen: dict[tuple[str, str, str], int] = {}
    dupes = []
    for i, f in enumerate(corpus.facts.facts, 1):
        key = _fact_key(f)
        if key in seen:
            dupes.append((seen[key], i, key))
        seen.setdefault(key, i)
    assert not dupes


def test_every_referenced_entity_is_defined(corpus) -> None:
    ids = {e.id for e in corpus.facts.entities}
    undefined = [(i, ref) for i, f in enumerate(corpus.facts.facts, 1) for ref in _referenced_ids(f) if ref not in ids]
    assert not undefined


def test_every_relation_of_a_fact_is_defined(corpus) -> None:
    assert {f.relation for f in corpus.facts.facts} <= set(corpus.facts.relations)


def test_entity_ids_are_unique(corpus) -> None:
    ids = [e.id for e in corpus.facts.entities]
    assert len(ids) == len(set(ids))


def test_every_entity_is_used_by_a_fact(corpus) -> None:
    used = {ref for f in corpus.facts.facts for ref in _referenced_ids(f)}
    unused = [e.id for e in corpus.facts.entities if e.id not in used]
    assert not unused, f"entities without any fact: {unused}"


def test_no_name_or_alias_is_shared_by_two_entities(corpus) -> None:
    owner: dict[str, str] = {}
    clashes = []
    for e in corpus.facts.entities:
        for name in {n.casefold() for n in e.names}:
            if name in owner and owner[name] != e.id:
                clashes.append((name, owner[name], e.id))
            owner.setdefault(name, e.id)
    assert not clashes


def test_every_software_entity_has_a_fact(corpus) -> None:
    software = [e for e in corpus.facts.entities if e.type in SOFTWARE_TYPES]
    assert len(software) >= len(NAMED_IN_ARTICLE)
    used = {ref for f in corpus.facts.facts for ref in _referenced_ids(f)}
    assert [e.id for e in software if e.id not in used] == []


def test_software_entity_names_appear_in_article(corpus, article_norm: str) -> None:
    """Each framework/library/compiler/tool entity is really named in the article (by name or alias)."""
    absent = [
        e.id for e in corpus.facts.entities if e.type in SOFTWARE_TYPES and not any(n in article_norm for n in e.names)
    ]
    assert not absent


@pytest.mark.parametrize("name", NAMED_IN_ARTICLE)
def test_named_software_has_entity_and_fact(corpus, article_norm: str, name: str) -> None:
    assert name in article_norm, f"{name!r} is not in the article (fix the hand-made list)"
    matches = [e for e in corpus.facts.entities if name in e.names]
    assert len(matches) == 1, f"{name!r} should be the name or an alias of exactly one entity, got {matches}"
    entity = matches[0]
    assert entity.type in SOFTWARE_TYPES
    facts = [f for f in corpus.facts.facts if entity.id in _referenced_ids(f)]
    assert facts, f"{name!r} ({entity.id}) has no fact"


# ---------------------------------------------------------------- article vs. seed page


def test_seed_repairs_are_real(seed_text: str) -> None:
    """Each glued form is on the page exactly once, and each repair only inserts ', ' or ' '."""
    page = normalise_space(seed_text)
    for glued, fixed in REPAIRS.items():
        assert page.count(glued) == 1, glued
        assert fixed.replace(", ", "").replace(" ", "") == glued.replace(" ", "")


def test_article_keeps_every_sentence_of_the_body(seed_text: str, article_norm: str) -> None:
    sentences = [s.text for line in _seed_body_lines(seed_text) for s in split_sentences(line)]
    assert len(sentences) > 60  # the body really was cut and split
    missing = [s for s in sentences if normalise_space(s) not in article_norm]
    assert not missing, f"sentences of the page missing from article.md: {missing}"


def test_article_adds_nothing_but_headings(seed_text: str, article_raw: str) -> None:
    """Conversely, every line of the article body is a (repaired) line of the page, or an added heading."""
    page_lines = set(_seed_body_lines(seed_text))
    body = article_raw.split("\n---\n", 1)[1]
    extra = []
    for raw in body.splitlines():
        line = normalise_space(raw)
        if not line:
            continue
        heading = re.match(r"^#{1,6} (.*)$", line)
        if heading:
            text = heading.group(1)
            if text in ADDED_HEADINGS or text == "A Brief History of Deep Learning Frameworks":
                continue
            line = text
        line = re.sub(r"^- ", "", line)
        if line not in page_lines:
            extra.append(line)
    assert not extra, f"lines of article.md not on the page: {extra}"


def test_dropped_cruft_is_gone(seed_text: str, article_raw: str, article_norm: str) -> None:
    page = normalise_space(seed_text)
    for s in CRUFT:
        assert s in page, f"{s!r} is not on the page (fix the list)"
        assert s not in article_norm and s not in article_raw, s
    for caption in CAPTION_LINES:
        assert caption not in article_norm


def test_readme_removal_list_matches_the_page(seed_text: str, article_norm: str) -> None:
    """corpus/README.md lists the removed strings exactly: each is a whole line of the page, none survive."""
    if not README.is_file():
        pytest.skip("corpus/README.md not present")
    readme = README.read_text(encoding="utf-8")
    removed = readme.split("### Removed", 1)[1].split("\n### ", 1)[0]
    strings = re.findall(r"^- `(.+)`", removed, re.M)
    assert len(strings) >= 15
    page_lines = {normalise_space(line) for line in seed_text.splitlines()}
    for s in strings:
        assert s in page_lines, s
        assert s not in article_norm, s


# ---------------------------------------------------------------- article structure


def test_article_sections_in_order(article_raw: str) -> None:
    doc = parse_document(article_raw, "article.md")
    assert [s.heading for s in doc.sections] == EXPECTED_SECTIONS
    assert doc.title == "A Brief History of Deep Learning Frameworks"
    for s in doc.sections:
        body = doc.section_text(s)
        assert body.strip() == body and body
        assert not body.startswith("#")


def test_article_front_matter(article_raw: str) -> None:
    meta = parse_document(article_raw, "article.md").metadata
    assert meta["title"] == "A Brief History of Deep Learning Frameworks"
    assert meta["author"] == "Lin Yuan"
    assert meta["publication"] == "Synced Review"
    assert meta["url"] == "https://syncedreview.com/2020/12/14/a-brief-history-of-deep-learning-frameworks/"
    assert meta["date"] == "2020-12-14"


def test_article_has_no_special_spaces(article_raw: str) -> None:
    assert "\u00a0" not in article_raw
    assert "\u200a" not in article_raw
    assert not re.search(r"[\u2000-\u200b\u202f\u205f\u3000\ufeff]", article_raw)


def test_article_glued_forms_repaired(article_raw: str) -> None:
    for glued in GLUED:
        assert glued not in article_raw
    for fixed in REPAIRS.values():
        assert fixed in article_raw


def test_article_keeps_reference_markers(article_raw: str) -> None:
    doc = parse_document(article_raw, "article.md")
    refs = doc.section_text(next(s for s in doc.sections if s.heading == "References"))
    before_refs = article_raw[: next(s for s in doc.sections if s.heading == "References").start]
    for n in range(1, 6):
        assert re.search(rf"^\[{n}\] \S", refs, re.M), f"reference [{n}] missing"
    for n in range(1, 5):  # [5] is only listed, never cited in the text (as on the page)
        assert f"[{n}]" in before_refs, f"marker [{n}] missing from the text"


def test_article_keeps_author_spellings(article_norm: str) -> None:
    for s in KEPT_SPELLINGS:
        assert s in article_norm


# ---------------------------------------------------------------- loader errors on fixtures

FIXTURE_ARTICLE = """---
title: Tiny
---

# Tiny

## Early Days (2001)

Torchlet was created by the Example Lab in 2001. It used a declarative style.

## Later Years (2010)

Graphix was developed by Acme Corp. in 2010.
"""

FIXTURE_FACTS = {
    "relations": {
        "developed_by": {
            "label": "developed by",
            "synonyms": ["developed", "created"],
            "template": "{subject} was developed by {object}.",
        },
        "year": {"label": "year", "synonyms": ["when"], "template": "{subject} appeared in {object}."},
    },
    "entities": [
        {"id": "torchlet", "name": "Torchlet", "type": "framework"},
        {"id": "example_lab", "name": "the Example Lab", "type": "organisation"},
        {"id": "graphix", "name": "Graphix", "type": "framework"},
        {"id": "acme", "name": "Acme Corp.", "type": "organisation"},
    ],
    "facts": [
        {
            "subject": "torchlet",
            "relation": "developed_by",
            "object": "example_lab",
            "evidence": "Torchlet was created by the Example Lab",
        },
        {
            "subject": "graphix",
            "relation": "year",
            "value": "2010",
            "evidence": "Graphix was developed by Acme Corp. in 2010.",
        },
    ],
}


def _facts() -> dict:
    return copy.deepcopy(FIXTURE_FACTS)


def _write(root: Path, facts: dict | str, article: str = FIXTURE_ARTICLE) -> Path:
    (root / "article.md").write_text(article, encoding="utf-8")
    text = facts if isinstance(facts, str) else yaml.safe_dump(facts, allow_unicode=True, sort_keys=False)
    (root / "facts.yaml").write_text(text, encoding="utf-8")
    return root


def test_fixture_is_valid(tmp_path: Path) -> None:
    c = load_corpus(_write(tmp_path, _facts()))
    assert len(c.facts.facts) == 2
    assert c.facts.render(c.facts.facts[0]) == "Torchlet was developed by the Example Lab."


def test_evidence_matches_across_whitespace(tmp_path: Path) -> None:
    facts = _facts()
    facts["facts"][0]["evidence"] = "Torchlet  was\ncreated\u00a0by the Example Lab"
    load_corpus(_write(tmp_path, facts))


def test_error_missing_field(tmp_path: Path) -> None:
    facts = _facts()
    del facts["facts"][0]["evidence"]
    with pytest.raises(CorpusError, match=r"^facts\.yaml: fact 1: missing field 'evidence'$"):
        load_corpus(_write(tmp_path, facts))


def test_error_missing_entity_field(tmp_path: Path) -> None:
    facts = _facts()
    del facts["entities"][2]["name"]
    with pytest.raises(CorpusError, match=r"^facts\.yaml: entity 3: missing field 'name'$"):
        load_corpus(_write(tmp_path, facts))


def test_error_unknown_entity_as_object(tmp_path: Path) -> None:
    facts = _facts()
    facts["facts"][0]["object"] = "nope"
    with pytest.raises(CorpusError, match=r"^facts\.yaml: fact 1: unknown entity 'nope' as object$"):
        load_corpus(_write(tmp_path, facts))


def test_error_unknown_entity_as_subject(tmp_path: Path) -> None:
    facts = _facts()
    facts["facts"][1]["subject"] = "nope"
    with pytest.raises(CorpusError, match=r"fact 2: unknown entity 'nope' as subject"):
        load_corpus(_write(tmp_path, facts))


def test_error_evidence_not_in_article(tmp_path: Path) -> None:
    facts = _facts()
    facts["facts"][0]["evidence"] = "Torchlet was invented by aliens"
    expected = "facts.yaml: fact 1: evidence not found in article.md: 'Torchlet was invented by aliens'"
    with pytest.raises(CorpusError, match=f"^{re.escape(expected)}$"):
        load_corpus(_write(tmp_path, facts))


def test_error_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    text = "relations: {}\nentities: []\nfacts:\n\t- {subject: a}\n"
    with pytest.raises(CorpusError, match=r"^facts\.yaml: line 4: invalid YAML: "):
        load_corpus(_write(tmp_path, text))


def test_error_yaml_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"expected a mapping"):
        load_corpus(_write(tmp_path, "- just\n- a list\n"))


def test_error_unknown_relation(tmp_path: Path) -> None:
    facts = _facts()
    facts["facts"][1]["relation"] = "invented_by"
    with pytest.raises(CorpusError, match=r"^facts\.yaml: fact 2: unknown relation 'invented_by'$"):
        load_corpus(_write(tmp_path, facts))


def test_error_duplicate_fact(tmp_path: Path) -> None:
    facts = _facts()
    facts["facts"].append(copy.deepcopy(facts["facts"][0]))
    with pytest.raises(CorpusError, match=r"^facts\.yaml: fact 3: duplicate of an earlier fact"):
        load_corpus(_write(tmp_path, facts))


def test_error_duplicate_value_fact_ignores_case_and_space(tmp_path: Path) -> None:
    facts = _facts()
    facts["facts"].append({**facts["facts"][1], "value": " 2010 ", "evidence": "in 2010"})
    facts["facts"][1]["value"] = "2010"
    with pytest.raises(CorpusError, match=r"fact 3: duplicate of an earlier fact"):
        load_corpus(_write(tmp_path, facts))


def test_error_duplicate_entity_id(tmp_path: Path) -> None:
    facts = _facts()
    facts["entities"].append({"id": "torchlet", "name": "Torchlet again", "type": "framework"})
    with pytest.raises(
        CorpusError, match=r"^facts\.yaml: entity \d+: duplicate id 'torchlet' \(first defined as entity \d+\)$"
    ):
        load_corpus(_write(tmp_path, facts))


def test_error_duplicate_entity_id_names_the_duplicate(tmp_path: Path) -> None:
    facts = _facts()
    facts["entities"].append({"id": "torchlet", "name": "Torchlet again", "type": "framework"})
    with pytest.raises(CorpusError, match=r"entity 5: duplicate id 'torchlet'"):
        load_corpus(_write(tmp_path, facts))


def test_error_fact_with_object_and_value(tmp_path: Path) -> None:
    facts = _facts()
    facts["facts"][0]["value"] = "2001"
    with pytest.raises(
        CorpusError, match=r"^facts\.yaml: fact 1: .*exactly one of 'object' \(an entity id\) or 'value'"
    ):
        load_corpus(_write(tmp_path, facts))


def test_error_fact_with_neither_object_nor_value(tmp_path: Path) -> None:
    facts = _facts()
    del facts["facts"][1]["value"]
    with pytest.raises(CorpusError, match=r"^facts\.yaml: fact 2: .*exactly one of 'object'"):
        load_corpus(_write(tmp_path, facts))


def test_error_unknown_field(tmp_path: Path) -> None:
    facts = _facts()
    facts["facts"][0]["confidence"] = 0.9
    with pytest.raises(CorpusError, match=r"^facts\.yaml: fact 1: confidence: Extra inputs are not permitted"):
        load_corpus(_write(tmp_path, facts))


def test_error_bad_entity_type(tmp_path: Path) -> None:
    facts = _facts()
    facts["entities"][1]["type"] = "company"
    with pytest.raises(CorpusError, match=r"^facts\.yaml: entity 2: type: "):
        load_corpus(_write(tmp_path, facts))


def test_error_unknown_source_document(tmp_path: Path) -> None:
    facts = _facts()
    facts["facts"][0]["source"] = "other.md"
    with pytest.raises(CorpusError, match=r"^facts\.yaml: fact 1: unknown source document 'other\.md'$"):
        load_corpus(_write(tmp_path, facts))


def test_error_bad_template_placeholder(tmp_path: Path) -> None:
    facts = _facts()
    facts["relations"]["year"]["template"] = "{subject} appeared in {when}."
    with pytest.raises(CorpusError, match=r"^facts\.yaml: relation 'year': bad template placeholder"):
        load_corpus(_write(tmp_path, facts))


def test_error_no_documents(tmp_path: Path) -> None:
    (tmp_path / "facts.yaml").write_text(yaml.safe_dump(_facts()), encoding="utf-8")
    with pytest.raises(CorpusError, match=r"no \.md or \.txt documents found"):
        load_corpus(tmp_path)


def test_error_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match=r"corpus folder not found"):
        load_corpus(tmp_path / "absent")


def test_error_blank_evidence(tmp_path: Path) -> None:
    facts = _facts()
    facts["facts"][0]["evidence"] = "   "
    with pytest.raises(CorpusError, match=r"fact 1: .*evidence"):
        load_corpus(_write(tmp_path, facts))


def test_error_relation_defined_twice(tmp_path: Path) -> None:
    text = yaml.safe_dump(_facts(), sort_keys=False).replace(
        "relations:\n",
        "relations:\n  year:\n    label: first\n    synonyms: [when]\n    template: '{subject} {object}'\n",
        1,
    )
    assert text.count("\n  year:\n") == 2
    with pytest.raises(CorpusError, match=r"year"):
        load_corpus(_write(tmp_path, text))


# ---------------------------------------------------------------- parse_document


def test_parse_plain_text_is_one_section_named_after_the_file() -> None:
    text = "Just some notes about frameworks.\n\nA second paragraph.\n"
    doc = parse_document(text, "notes/framework-notes.txt")
    assert doc.title == "framework-notes"
    assert doc.doc_id == "framework-notes"
    assert doc.metadata == {}
    assert [s.heading for s in doc.sections] == ["framework-notes"]
    assert doc.section_text(doc.sections[0]) == text.strip()


def test_parse_markdown_headings_and_offsets() -> None:
    text = (
        "# The Title\n\nLead paragraph.\n\n"
        "## First Part\n\nBody one.\n\n### Detail\n\nStill part one.\n\n"
        "## Second Part ##\n\nBody two.\n\n"
        "## First Part\n\nBody three.\n"
    )
    doc = parse_document(text, "guide.md")
    assert doc.title == "The Title"
    assert [(s.heading, s.slug) for s in doc.sections] == [
        ("Introduction", "introduction"),
        ("First Part", "first-part"),
        ("Second Part", "second-part"),
        ("First Part", "first-part-2"),
    ]
    bodies = [doc.text[s.start : s.end] for s in doc.sections]
    assert bodies == [
        "Lead paragraph.",
        "Body one.\n\n### Detail\n\nStill part one.",
        "Body two.",
        "Body three.",
    ]


def test_parse_markdown_without_lead_has_no_introduction() -> None:
    doc = parse_document("# T\n\n## A\n\nalpha\n\n## B\n\nbeta\n", "t.md")
    assert [s.heading for s in doc.sections] == ["A", "B"]
    assert [doc.section_text(s) for s in doc.sections] == ["alpha", "beta"]


def test_parse_front_matter_and_crlf() -> None:
    text = "---\r\ntitle: Front Title\r\nauthor: Someone\r\n---\r\n# Heading Title\r\n\r\n## S\r\n\r\nbody\r\n"
    doc = parse_document(text, "x.md")
    assert doc.title == "Front Title"
    assert doc.metadata == {"title": "Front Title", "author": "Someone"}
    assert "\r" not in doc.text
    assert [(s.heading, doc.section_text(s)) for s in doc.sections] == [
        ("About this document", "title: Front Title\nauthor: Someone"),
        ("S", "body"),
    ]


def test_parse_bad_front_matter() -> None:
    with pytest.raises(CorpusError, match=r"x\.md: front matter must be a mapping"):
        parse_document("---\n- a\n- b\n---\nbody\n", "x.md")
    with pytest.raises(CorpusError, match=r"x\.md: invalid front matter"):
        parse_document("---\ntitle: [unclosed\n---\nbody\n", "x.md")


def test_parse_front_matter_after_bom() -> None:
    doc = parse_document("\ufeff---\ntitle: X\n---\n# T\n\n## A\n\nbody\n", "bom.md")
    assert doc.metadata == {"title": "X"}
    assert [s.heading for s in doc.sections] == ["About this document", "A"]


def test_parse_heading_ending_in_hash() -> None:
    doc = parse_document("# T\n\n## Why C#\n\nbody\n", "c.md")
    assert doc.sections[0].heading == "Why C#"


def test_parse_ignores_hash_lines_in_code_fences() -> None:
    doc = parse_document("## Setup\n\n```sh\n# install it\npip install x\n```\n\n## Use\n\nrun it\n", "setup.md")
    assert doc.title == "setup"
    flat = parse_document("# T\n\nSee:\n\n```sh\n# install it\npip install x\n```\n", "t.md")
    assert [s.heading for s in flat.sections] == ["T"]


def test_parse_facts_uses_the_first_document_by_default() -> None:
    docs = [parse_document(FIXTURE_ARTICLE, "article.md")]
    base = parse_facts(yaml.safe_dump(_facts()), docs)
    assert [f.subject for f in base.facts] == ["torchlet", "graphix"]


# ---------------------------------------------------------------- load_documents


def _symlink(target: Path, link: Path) -> None:
    try:
        os.symlink(target, link)
    except (OSError, NotImplementedError) as exc:  # e.g. Windows without the privilege
        pytest.skip(f"cannot create symlinks here: {exc}")


def test_load_documents_skips_hostile_files(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "good.md").write_text("# Good\n\n## S\n\nFine text.\n", encoding="utf-8")
    (root / "binary.txt").write_bytes(b"looks like text\x00\x01\x02")
    (root / "latin1.md").write_bytes("Caf\u00e9 cr\u00e8me".encode("latin-1"))
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# Secret\n\ntop secret\n", encoding="utf-8")
    _symlink(outside / "secret.md", root / "escape.md")
    with caplog.at_level(logging.WARNING, logger="assistant.corpus"):
        docs = load_documents(root)
    assert [d.path for d in docs] == ["good.md"]
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "skipping binary.txt: binary content" in messages
    assert "skipping latin1.md: not UTF-8 text" in messages
    assert any("escape.md" in m and "links outside the corpus folder" in m for m in messages), messages
    assert not any("secret" in d.text for d in docs)


def test_load_documents_follows_links_inside_the_folder(tmp_path: Path) -> None:
    (tmp_path / "real.md").write_text("# Real\n\nbody\n", encoding="utf-8")
    _symlink(tmp_path / "real.md", tmp_path / "alias.md")
    assert [d.path for d in load_documents(tmp_path)] == ["alias.md", "real.md"]


def test_load_documents_skips_non_documents(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("# About\n\nnot content\n", encoding="utf-8")
    (tmp_path / "data.json").write_text("{}", encoding="utf-8")
    hidden = tmp_path / ".git"
    hidden.mkdir()
    (hidden / "notes.md").write_text("# Hidden\n\nx\n", encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "deep.txt").write_text("deep text\n", encoding="utf-8")
    assert [d.path for d in load_documents(tmp_path)] == ["sub/deep.txt"]


def test_load_documents_skips_oversized(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(corpus_mod, "MAX_DOC_BYTES", 10)
    (tmp_path / "big.md").write_text("x" * 11, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="assistant.corpus"):
        assert load_documents(tmp_path) == []
    assert any("big.md" in r.getMessage() and "larger than" in r.getMessage() for r in caplog.records)


def test_load_documents_rejects_clashing_ids(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("one\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("two\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"share the id\(s\) \['notes'\]"):
        load_documents(tmp_path)


def test_load_documents_skips_dangling_symlink(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "good.md").write_text("# Good\n\nbody\n", encoding="utf-8")
    _symlink(tmp_path / "gone.md", tmp_path / "dangling.md")
    with caplog.at_level(logging.WARNING, logger="assistant.corpus"):
        docs = load_documents(tmp_path)
    assert [d.path for d in docs] == ["good.md"]
    assert any("dangling.md" in r.getMessage() for r in caplog.records)
