"""Documents, sections and structured facts: pydantic models and loaders with precise errors."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

from assistant.errors import CorpusError

log = logging.getLogger(__name__)

DOC_SUFFIXES = (".md", ".txt")
FACTS_FILE = "facts.yaml"
# Files that describe the corpus rather than belong to it.
NON_DOCUMENTS = {"readme.md", "license.md", "changelog.md"}
MAX_DOC_BYTES = 5_000_000

_SPACE_RE = re.compile(r"[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
_WS_RE = re.compile(r"\s+")


def normalise_space(text: str) -> str:
    """Turn non-breaking and hair spaces into plain ones and collapse runs of whitespace."""
    return _WS_RE.sub(" ", _SPACE_RE.sub(" ", text)).strip()


def slugify(text: str) -> str:
    """A stable, ASCII, lowercase slug: 'Iron Age (2015~2016)' -> 'iron-age-2015-2016'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "section"


class Section(BaseModel):
    """A titled span of a document; offsets index into `Document.text`."""

    model_config = ConfigDict(frozen=True)

    slug: str
    heading: str
    start: int = Field(ge=0, description="offset of the first body character")
    end: int = Field(ge=0, description="offset one past the last body character")


class Document(BaseModel):
    """One source file of the corpus."""

    model_config = ConfigDict(frozen=True)

    doc_id: str
    path: str = Field(description="file name relative to the corpus folder")
    title: str
    metadata: dict[str, str] = Field(default_factory=dict)
    text: str
    sections: list[Section]

    def section_text(self, section: Section) -> str:
        return self.text[section.start : section.end]


EntityType = Literal[
    "framework",
    "library",
    "compiler",
    "tool",
    "organisation",
    "person",
    "paper",
    "model",
    "dataset",
    "era",
    "concept",
    "conference",
    "publication",
    "product",
    "language",
]


class Relation(BaseModel):
    """A named relation with the words a question may use for it."""

    model_config = ConfigDict(extra="forbid")

    label: str = Field(description="short human label, e.g. 'developed by'")
    synonyms: list[str] = Field(min_length=1, description="words or phrases that ask for it")
    template: str = Field(description="answer sentence, with {subject} and {object}")
    inverse_synonyms: list[str] = Field(default_factory=list)
    inverse_template: str | None = None
    exhaustive: bool = Field(
        default=False,
        description="the facts give this relation for every thing the article gives it for: a thing of the same "
        "kind without it has none the sources state ('what language is Caffe written in?')",
    )


class Entity(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    type: EntityType
    aliases: list[str] = Field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [self.name, *self.aliases]


class Fact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    subject: str
    relation: str
    object: str | None = Field(default=None, description="an entity id")
    value: str | None = Field(default=None, description="a literal, when the object is no entity")
    evidence: str = Field(min_length=3, description="verbatim quote from the source document")
    source: str | None = Field(default=None, description="document path; the first document if omitted")

    @model_validator(mode="after")
    def _object_or_value(self) -> Fact:
        if (self.object is None) == (self.value is None):
            raise ValueError("a fact needs exactly one of 'object' (an entity id) or 'value'")
        return self


class FactBase(BaseModel):
    """The validated content of a facts file."""

    model_config = ConfigDict(extra="forbid")

    relations: dict[str, Relation] = Field(default_factory=dict)
    kinds: dict[EntityType, list[str]] = Field(
        default_factory=dict, description="words that name a kind of entity ('ages' for era): what 'how many' counts"
    )
    entities: list[Entity] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)
    _index: dict[str, Entity] | None = PrivateAttr(default=None)

    def entity(self, entity_id: str) -> Entity:
        return self._by_id()[entity_id]

    def _by_id(self) -> dict[str, Entity]:
        """Entities by id, built once (read-only afterwards, so sharing it between threads is safe)."""
        if self._index is None:
            self._index = {e.id: e for e in self.entities}
        return self._index

    def descriptive_relations(self) -> set[str]:
        """Relations whose facts hold a description in words ('what happened to CNTK'), never another thing."""
        return {f.relation for f in self.facts} - {f.relation for f in self.facts if f.object}

    def subject_kinds(self) -> dict[str, frozenset[str]]:
        """For each relation, the kinds of thing it is told of ("api_language": frameworks)."""
        kinds: dict[str, set[str]] = {}
        for f in self.facts:
            kinds.setdefault(f.relation, set()).add(self.entity(f.subject).type)
        return {rel: frozenset(types) for rel, types in kinds.items()}

    def object_text(self, fact: Fact) -> str:
        return self.entity(fact.object).name if fact.object else str(fact.value)

    def render(self, fact: Fact) -> str:
        """The fact as a plain sentence, for retrieval."""
        rel = self.relations[fact.relation]
        return rel.template.format(subject=self.entity(fact.subject).name, object=self.object_text(fact))


class Corpus(BaseModel):
    """Everything the assistant knows: documents plus optional facts."""

    model_config = ConfigDict(frozen=True)

    root: str
    documents: list[Document]
    facts: FactBase
    content_hash: str

    def document(self, path: str) -> Document:
        for doc in self.documents:
            if doc.path == path or doc.doc_id == path:
                return doc
        raise KeyError(path)


# ---------------------------------------------------------------- documents

METADATA_HEADING = "About this document"
_FRONT_RE = re.compile(r"\A---\n(.*?)\n---\n", re.S)
_HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$", re.M)
_FENCE_RE = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1[ \t]*$", re.M | re.S)


def parse_document(text: str, path: str) -> Document:
    """Split Markdown (or plain text) into sections at `##`-level headings."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    metadata: dict[str, str] = {}
    body_start = 0
    front = _FRONT_RE.match(text)
    if front:
        try:
            loaded = yaml.safe_load(front.group(1)) or {}
        except yaml.YAMLError as exc:
            raise CorpusError(f"{path}: invalid front matter: {exc}") from exc
        if not isinstance(loaded, dict):
            raise CorpusError(f"{path}: front matter must be a mapping of keys to values")
        metadata = {str(k): str(v) for k, v in loaded.items()}
        body_start = front.end()
    stem = Path(path).stem
    fences = [(m.start(), m.end()) for m in _FENCE_RE.finditer(text, body_start)]
    headings = [m for m in _HEADING_RE.finditer(text, body_start) if not any(a <= m.start() < b for a, b in fences)]
    title = metadata.get("title") or next((m.group(2) for m in headings if len(m.group(1)) == 1), stem)
    # Sections start at the shallowest heading level below the document title.
    levels = sorted({len(m.group(1)) for m in headings if len(m.group(1)) > 1}) or [1]
    cut = [m for m in headings if len(m.group(1)) == levels[0]]
    sections: list[Section] = []
    seen: dict[str, int] = {}

    def add(heading: str, start: int, end: int) -> None:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            return
        slug = slugify(heading)
        seen[slug] = seen.get(slug, 0) + 1
        if seen[slug] > 1:
            slug = f"{slug}-{seen[slug]}"
        sections.append(Section(slug=slug, heading=normalise_space(heading), start=start, end=end))

    first = cut[0].start() if cut else len(text)
    lead_start = body_start
    title_line = next((m for m in headings if len(m.group(1)) == 1 and m.start() < first), None)
    if title_line is not None and not text[body_start : title_line.start()].strip():
        lead_start = title_line.end()  # the '# Title' line names the document, it is not content
    if front and metadata:
        # The front matter (title, author, publication, date) is citable: "who published this?"
        add(METADATA_HEADING, front.start(1), front.end(1))
    add("Introduction" if cut else title, lead_start, first)
    for i, m in enumerate(cut):
        end = cut[i + 1].start() if i + 1 < len(cut) else len(text)
        add(m.group(2), m.end(), end)
    return Document(
        doc_id=slugify(stem),
        path=path,
        title=normalise_space(title),
        metadata=metadata,
        text=text,
        sections=sections,
    )


def _safe_files(root: Path) -> list[Path]:
    """Document files directly or deeply under root, never following links outside it."""
    root_real = root.resolve()
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if p.suffix.lower() not in DOC_SUFFIXES or name.lower() in NON_DOCUMENTS:
                continue
            try:
                real = p.resolve(strict=True)
            except OSError:
                log.warning("skipping %s: a broken link or unreadable path", p)
                continue
            if not real.is_relative_to(root_real):
                log.warning("skipping %s: it links outside the corpus folder", p)
                continue
            files.append(p)
    return files


def load_documents(root: Path) -> list[Document]:
    """Load every .md/.txt file under root; unreadable or hostile files are skipped with a warning."""
    docs: list[Document] = []
    for p in _safe_files(root):
        rel = p.relative_to(root).as_posix()
        try:
            if p.stat().st_size > MAX_DOC_BYTES:
                log.warning("skipping %s: larger than %d bytes", rel, MAX_DOC_BYTES)
                continue
            raw = p.read_bytes()
        except OSError as exc:
            log.warning("skipping %s: cannot be read (%s)", rel, exc.strerror or exc)
            continue
        if b"\x00" in raw:
            log.warning("skipping %s: binary content", rel)
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            log.warning("skipping %s: not UTF-8 text", rel)
            continue
        doc = parse_document(text, rel)
        if doc.sections:
            docs.append(doc)
    ids = [d.doc_id for d in docs]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise CorpusError(f"{root}: two documents share the id(s) {sorted(dupes)}: rename one of the files")
    return docs


# ---------------------------------------------------------------- facts


def _location(exc: ValidationError, raw: dict) -> str:
    err = exc.errors()[0]
    loc = err["loc"]
    where = ""
    if len(loc) >= 2 and loc[0] in ("facts", "entities") and isinstance(loc[1], int):
        where = f"{loc[0][:-1] if loc[0] == 'facts' else 'entity'} {loc[1] + 1}: "
        rest = loc[2:]
    else:
        rest = loc
    field = ".".join(str(x) for x in rest)
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "missing":
        return f"{where}missing field '{field}'"
    return f"{where}{field + ': ' if field else ''}{msg}"


_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml parses ~10x faster


class _UniqueKeyLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    """A safe YAML loader that refuses a key defined twice (safe_load keeps the last silently)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:  # type: ignore[override]
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def parse_facts(text: str, documents: list[Document], name: str = FACTS_FILE) -> FactBase:
    """Validate a facts file against the documents; errors name the file, the item and the problem."""
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise CorpusError(f"{name}:{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(raw, dict):
        raise CorpusError(f"{name}: expected a mapping with 'relations', 'entities' and 'facts'")
    try:
        base = FactBase.model_validate(raw)
    except ValidationError as exc:
        raise CorpusError(f"{name}: {_location(exc, raw)}") from exc

    ids = [e.id for e in base.entities]
    for i, e in enumerate(base.entities, 1):
        if e.id in ids[: i - 1]:
            raise CorpusError(
                f"{name}: entity {i}: duplicate id '{e.id}' (first defined as entity {ids.index(e.id) + 1})"
            )
    known = set(ids)
    by_path = {d.path: d for d in documents}
    normalised = {d.path: normalise_space(d.text) for d in documents}
    seen: set[tuple[str, str, str]] = set()
    for i, f in enumerate(base.facts, 1):
        if f.relation not in base.relations:
            raise CorpusError(f"{name}: fact {i}: unknown relation '{f.relation}'")
        for role, ref in (("subject", f.subject), ("object", f.object)):
            if ref is not None and ref not in known:
                raise CorpusError(f"{name}: fact {i}: unknown entity '{ref}' as {role}")
        source = f.source or (documents[0].path if documents else "")
        if source not in by_path:
            raise CorpusError(f"{name}: fact {i}: unknown source document '{source}'")
        if len(normalise_space(f.evidence)) < 3:
            raise CorpusError(f"{name}: fact {i}: evidence is blank")
        if normalise_space(f.evidence) not in normalised[source]:
            raise CorpusError(f"{name}: fact {i}: evidence not found in {source}: '{f.evidence}'")
        key = (f.subject, f.relation, f.object or normalise_space(f.value or "").lower())
        if key in seen:
            raise CorpusError(f"{name}: fact {i}: duplicate of an earlier fact {key}")
        seen.add(key)
    for rel_name, rel in base.relations.items():
        try:
            rel.template.format(subject="s", object="o")
            if rel.inverse_template:
                rel.inverse_template.format(subject="s", object="o")
        except (KeyError, IndexError) as exc:
            raise CorpusError(f"{name}: relation '{rel_name}': bad template placeholder {exc}") from exc
    return base


def corpus_hash(root: Path, paths: list[str]) -> str:
    """sha256 over the names and bytes of the files the corpus was built from."""
    h = hashlib.sha256()
    for rel in sorted(paths):
        h.update(rel.encode() + b"\0")
        with open(root / rel, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 16), b""):
                h.update(block)
        h.update(b"\0")
    return h.hexdigest()


def load_corpus(root: Path | str) -> Corpus:
    """Load documents and the optional facts file of a corpus folder."""
    root = Path(root)
    if not root.is_dir():
        raise CorpusError(f"corpus folder not found: {root} (set ASSISTANT_CORPUS_DIR or pass --corpus)")
    docs = load_documents(root)
    if not docs:
        raise CorpusError(f"{root}: no .md or .txt documents found")
    facts_path = root / FACTS_FILE
    used = [d.path for d in docs]
    if facts_path.is_file():
        facts = parse_facts(facts_path.read_text(encoding="utf-8"), docs)
        used.append(FACTS_FILE)
    else:
        facts = FactBase()
    return Corpus(root=str(root), documents=docs, facts=facts, content_hash=corpus_hash(root, used))
