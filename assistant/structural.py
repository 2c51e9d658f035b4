"""Answers that the structure of the facts gives, not a sentence's words: a role's name ("who is the
author?"), the thing a date or a neighbour names ("the era right before Roman Times"), a person known
from others' facts, yes/no settled by a fact, and every thing of a kind listed or counted.

A mixin of the Answerer: it reads the answerer's facts, corpus, reading and kinds (declared below) and
calls back its fact helpers (`_quotes`, `_fact_claims`, `_evidence`); it keeps no state of its own.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from assistant.chunking import Passage
from assistant.claims import MAX_WORDS, TYPED_MARGIN, TYPED_REACH, Claim, Scored
from assistant.corpus import Corpus, Entity
from assistant.index import FactRecord
from assistant.kinds import Kinds
from assistant.reading import Reading
from assistant.retrieval import token_set
from assistant.text import (
    AGAINST_RE,
    AGENT_TYPES,
    EARLIER_WORDS,
    FIRST_RE,
    LATER_WORDS,
    LINK_RE,
    NAMING_RE,
    NEIGHBOUR_RE,
    NUMBER_NAMES,
    ORDINALS,
    join_names,
    names_pattern,
)
from assistant.understanding import FRAMING_WORDS, Analysis, Mention, plural_of

if TYPE_CHECKING:
    from assistant.understanding import Understanding


YEAR4_RE = re.compile(r"\d{4}")
# "the third era", "the last age", "the second of the eras": a rank, then (within three words) the kind it counts
NTH_RE = re.compile(r"\b(first|second|third|fourth|fifth|last)((?:\W+\w+){1,3})", re.I)
REQUEST_RE = re.compile(r"^\W*(?:can|could|would|will)\s+you\b", re.I)
REFERENCE_RE = re.compile(r"^\s*\[\d+\]\s")
LIST_CUE_RE = re.compile(r"\b(?:such as|including|includes?|like|namely)\b|:", re.I)
LIST_END_RE = re.compile(r"\betc\b|[;.](?:\s|$)|\s(?:have|has|are|is|were|was|that|which)\s")


# Relations that tie a thing to who made or took it up: "which companies got into frameworks ...?"
MAKING_RELATIONS = frozenset({"developed_by", "released_by", "adopted_by", "proposed_by"})


# "what is the article about?", "summarise this piece", "what's the main point of the post?"
ABOUT_RE = re.compile(
    r"\babout\W*$|\bsummar\w*|\bgist\b|\bmain (?:point|idea|message|argument)\b|\bin a nutshell\b", re.I
)


# "..., or did Microsoft drop it?": a second question offered as the other choice
ALTERNATIVE_RE = re.compile(r"\bor\s+(?:is|was|are|were|did|does|do|has|have|had|will|would|can|could)\s+\w+", re.I)


class StructuralAnswers:
    """Structural answers from the facts; mixed into the Answerer, which provides what is declared here."""

    corpus: Corpus
    facts: list[FactRecord]
    reading: Reading
    kind_names: Kinds
    understanding: Understanding
    by_subject: dict[tuple[str, str], list[int]]
    subject_facts: dict[str, list[list[int]]]
    _titles: set[str]

    def _quotes(self, r: FactRecord) -> list[tuple[Passage, str]]:
        raise NotImplementedError

    def _fact_claims(self, records: list[FactRecord], inverse: bool) -> list[Claim]:
        raise NotImplementedError

    def _evidence(self, r: FactRecord) -> str:
        raise NotImplementedError

    def _count(self, a: Analysis) -> tuple[list[Claim], float] | None:
        """'How many eras does the article describe?': count the entities of that kind, citing where each
        is named. Only for a question about the kind as a whole (no entity, no other condition)."""
        found = self._all_of_kind(a)
        if found is None:
            return None
        noun, named = found
        number = NUMBER_NAMES.get(len(named), str(len(named)))
        names = join_names([e.name for e, _ in named])
        return [Claim(f"The article names {number} {noun}: {names}.", [q for _, q in named])], 0.8

    def _list_of_kind(self, a: Analysis) -> tuple[list[Claim], float] | None:
        """'Name the universities mentioned in the article': every thing of that kind the facts know,
        each cited where it is first named (as many as the answer's length allows)."""
        if a.wh not in ("which", "what", "list", "other") or not a.plural:
            return None
        found = self._all_of_kind(a)
        if found is None:
            return None
        noun, named = found
        shown = named[: max(2, (MAX_WORDS - 8) // 3)]  # a name and its marker each
        names = join_names([e.name for e, _ in shown])
        return [Claim(f"The article names these {plural_of(noun)}: {names}.", [q for _, q in shown])], 0.8

    def _holders_of(self, a: Analysis) -> tuple[list[Claim], float] | None:
        """'Which frameworks dominated in 2019-2020?': the things of the asked kind that the facts give the
        asked relation for, when the question names no thing of its own (an era narrows them: a thing of
        that era, or told of in its section)."""
        kinds = self.kind_names.checkable(a.head) if a.head else None
        if a.wh not in ("which", "what", "list", "other") or not kinds or not a.plural:
            return None  # "which framework is the most popular?": the one the article calls so
        if any(m.entity.type != "era" and m.entity.name not in self._titles and not is_role(m) for m in a.mentions):
            return None
        top = max(a.relation_scores.values(), default=0.0)
        asked = [rel for rel, v in a.relation_scores.items() if v == top]
        if top < 1.0 or len(asked) != 1 or asked[0] == "era":
            return None  # "which tools belong to the Stone Age?": the era's own members, listed elsewhere
        kind_of = self.corpus.facts.entity
        records = [r for r in self.facts if r.fact.relation == asked[0] and kind_of(r.fact.subject).type in kinds]
        for era in (m.entity for m in a.mentions if m.entity.type == "era"):
            records = [
                r
                for r in records
                if any(
                    self.facts[j].fact.object == era.id for js in self.subject_facts.get(r.fact.subject, []) for j in js
                )
                or any(era.name in p.section for p, _ in self._quotes(r))
            ]
        subjects = list(dict.fromkeys(r.fact.subject for r in records))
        if not 1 <= len(subjects) <= 3 or len(records) > 4:
            return None  # not "which models were built with ...": a table of pairs, no answer
        by_subject = [[r for r in records if r.fact.subject == s] for s in subjects]
        return [c for group in by_subject for c in self._fact_claims(group, inverse=False)], 0.8

    def _joined_kind(self, a: Analysis) -> tuple[list[Claim], float] | None:
        """'Which companies got into frameworks in the Iron Age?': the things of the asked kind tied to the
        things of a named group (an era's frameworks), each with its thing, cited where the tie is told."""
        kinds = self.kind_names.checkable(a.head) if a.head else None
        if a.wh not in ("which", "what", "list", "other") or not a.plural or not kinds:
            return None
        anchors = {m.entity.id: m.entity for m in a.mentions if not is_role(m)}
        if len(anchors) != 1:
            return None
        anchor = next(iter(anchors.values()))
        if anchor.type in kinds:
            return None
        kind_of = self.corpus.facts.entity
        direct = [
            r
            for r in self.facts
            if (r.fact.subject == anchor.id and r.fact.object and kind_of(r.fact.object).type in kinds)
            or (r.fact.object == anchor.id and kind_of(r.fact.subject).type in kinds)
        ]
        if direct:
            return None  # the anchor itself is tied to things of that kind: the facts answer directly
        members = list(dict.fromkeys(r.fact.subject for r in self.facts if r.fact.object == anchor.id))
        asked = {rel for rel, v in a.relation_scores.items() if v >= 1.0} & MAKING_RELATIONS
        company = (a.head or "").rstrip("s").removesuffix("ie") in ("company", "compan", "firm")
        links = [
            r
            for r in self.facts
            if r.fact.subject in members
            and r.fact.relation in (asked or MAKING_RELATIONS)
            and r.fact.object
            and kind_of(r.fact.object).type in kinds
            and not (company and "universit" in r.object_name.lower())  # a university is no company
        ]
        if len({r.fact.object for r in links}) < 2:
            return None
        links.sort(
            key=lambda r: min(((self.reading.position(p), p.text.find(t)) for p, t in self._quotes(r)), default=(0, 0))
        )
        grouped: dict[str, list[FactRecord]] = {}
        for r in links:
            grouped.setdefault(r.object_name, []).append(r)
        parts = [f"{name} ({join_names([r.subject_name for r in rs])})" for name, rs in grouped.items()]
        quotes: list[tuple[Passage, str]] = []
        for r in links:
            quotes += [q for q in self._quotes(r)[:1] if all(q[0] is not p or q[1] != t for p, t in quotes)]
        return [Claim(f"In the {anchor.name}: {join_names(parts)}.", quotes)], 0.8

    def _about_document(self, a: Analysis) -> tuple[list[Claim], float] | None:
        """'What is this article about?': the document's own summary, its subtitle."""
        if a.wh not in ("what", "other") or not a.mentions or not ABOUT_RE.search(a.text):
            return None
        if any(m.entity.name not in self._titles for m in a.mentions):
            return None  # "what is the part about JAX about?": a topic, not the whole document
        records = [r for r in self.facts if r.fact.relation == "subtitle" and r.fact.subject == a.mentions[0].entity.id]
        if not records:
            return None
        value = records[0].fact.value or ""
        return [Claim(f"In its subtitle's words: {value}", self._quotes(records[0])[:1])], 0.85

    def _first_of(self, a: Analysis) -> tuple[list[Claim], float] | None:
        """'Which came first, AlexNet or ResNet?': the things' years (their own, or their era's first year),
        the earlier or the later named first, each year cited where the article gives it."""
        found = FIRST_RE.search(a.text)
        if found is None:
            return None
        dated = []
        for eid in dict.fromkeys(m.entity.id for m in a.mentions if not is_role(m)):
            year = self._year_of(eid)
            if year is not None:
                dated.append((year[0], self.corpus.facts.entity(eid).name, year[1], year[2]))
        if len(dated) < 2:
            return None
        later = (found.group(1) or found.group(2) or "").lower() in LATER_WORDS
        dated.sort(key=lambda d: -d[0] if later else d[0])
        word = "later" if later else "first"
        told = ", ".join(f"{name} {when}" for _, name, when, _ in dated)
        quotes = [q for *_, r in dated for q in self._quotes(r)[:1]]
        if len({d[0] for d in dated}) < 2:  # TensorFlow and PyTorch: both in the Iron Age
            return [Claim(f"The article does not say which came {word}: {told}.", quotes)], 0.8
        return [Claim(f"{dated[0][1]} came {word}: {told}.", quotes)], 0.85

    def _year_of(self, eid: str) -> tuple[int, str, FactRecord] | None:
        """A thing's year and how the article dates it: its own ('in 2012') or its era's ('in the Iron Age,
        2015~2016'), with the fact that says so."""
        for rel in ("year", "period", "era"):
            for r in self.facts:
                if r.fact.subject != eid or r.fact.relation != rel:
                    continue
                if rel == "year" and r.fact.value and r.fact.value[:4].isdigit():
                    return int(r.fact.value[:4]), f"in {r.fact.value}", r
                years = re.findall(r"\d{4}", r.fact.value or "") if rel == "period" else []
                if years:  # an era: its own dates ("2015~2016")
                    return int(years[0]), f"({r.fact.value})", r
                if rel == "era" and r.fact.object:
                    for p in self.facts:
                        if p.fact.subject == r.fact.object and p.fact.relation == "period" and p.fact.value:
                            years = re.findall(r"\d{4}", p.fact.value)
                            if years:
                                return int(years[0]), f"in the {r.object_name} ({p.fact.value})", r
        return None

    def _all_of_kind(self, a: Analysis) -> tuple[str, list[tuple[Entity, tuple[Passage, str]]]] | None:
        """The things of the asked kind ('eras', 'universities'), in the order the article first names
        them, when the question asks for the kind as a whole (no entity, no other condition)."""
        noun = a.asked or a.head
        if not noun:
            return None
        kind = next((k for k, words in self.corpus.facts.kinds.items() if noun in words), None)
        kinds = frozenset({kind}) if kind else self.kind_names.named_by(noun)
        if not kinds:
            return None
        words = {noun} | FRAMING_WORDS | set(self._titles) | set(self.corpus.facts.kinds[kind] if kind else [])
        words |= set(NUMBER_NAMES.values())  # "give the five eras": how many there are, no condition
        framing = set(token_set(" ".join(words)))
        # "the author", "the article": the framing, not an entity that narrows the list
        # "the story", "this article": the document itself frames the question too
        framing |= {t for m in a.mentions if m.entity.name in self._titles for t in token_set(m.surface)}
        # "which compilers does Lin Yuan name?": the author by name, as by role
        framing |= {
            t
            for m in a.mentions
            if any(al == al.lower() and set(token_set(al)) and set(token_set(al)) <= framing for al in m.entity.aliases)
            for t in token_set(m.surface)
        }
        if any(not set(token_set(m.surface)) <= framing for m in a.mentions):
            return None
        if set(token_set(" ".join(a.content))) - framing:
            return None  # "how many eras saw new frameworks?": a condition that listing cannot check
        entities = [e for e in self.corpus.facts.entities if e.type in kinds and e.name not in self._titles]
        # "universities": the organisations whose names say so, when the facts type them more broadly
        word = noun[:-3] + "y" if noun.endswith("ies") else noun.removesuffix("s")
        specific = [e for e in entities if any(word in n.lower() for n in e.names)]
        if kind is None and word not in kinds and len(specific) >= 2:
            entities = specific
        elif word in ("company", "firm"):  # a university is an organisation, not a company
            entities = [e for e in entities if not any("universit" in n.lower() for n in e.names)]
        named = [(e, q[0]) for e in entities for q in [self._first_named(e)] if q]
        if len(named) < 2:
            return None
        named.sort(key=lambda eq: self.reading.position(eq[1][0]))
        return noun, named

    def _first_named(self, e: Entity) -> list[tuple[Passage, str]]:
        """Where the article first names a thing, by any of its names (it may say "University of
        Washington" where the facts say "the University of Washington")."""
        found = [q for n in e.names if len(n) > 2 for q in self.reading.first_naming(n)[:1]]
        return sorted(found, key=lambda q: (self.reading.position(q[0]), q[0].text.find(q[1])))[:1]

    def _count_listed(self, a: Analysis, scored: list[Scored]) -> tuple[list[Claim], float] | None:
        """'How many compilers are given as examples?': the named things a close sentence lists after
        'such as' / 'include' for the asked (plural) noun, counted and named."""
        noun = a.asked or a.head  # "how many tools": a generic noun is no attribute, but it is what is listed
        if not a.plural or not noun:
            return None
        asked_stem = next(iter(token_set(noun)), "")
        question_ids = {m.entity.id for m in a.mentions}
        for _score, cos, overlap, _ent, p, s_i in [
            x for x in scored[:TYPED_REACH] if scored[0][0] - x[0] <= TYPED_MARGIN
        ]:
            text = p.sentences[s_i].text
            cue = LIST_CUE_RE.search(text)
            if cue is None or asked_stem not in token_set(text[: cue.start()]):
                continue  # the sentence must list the asked things ("compilers such as ...")
            listed = LIST_END_RE.split(text[cue.end() :], maxsplit=1)[0].lower()
            spans = sorted(
                (m.start(), -m.end(), e.name)
                for e in self.corpus.facts.entities
                if e.id not in question_ids
                for pattern in [names_pattern(tuple(e.names))]
                if pattern is not None
                for m in pattern.finditer(listed)
            )
            names: list[str] = []
            end = -1
            for start, neg_end, name in spans:  # "Facebook Glow", not also "Facebook" inside it
                if start >= end and name not in names:
                    names.append(name)
                    end = -neg_end
            if len(names) < 2:
                continue
            number = NUMBER_NAMES.get(len(names), str(len(names)))
            confidence = max(0.0, min(1.0, (0.55 * max(cos, 0.0) + 0.45 * overlap) * 1.6))
            return [Claim(f"{number.capitalize()} {noun}: {join_names(names)}.", [(p, text)])], confidence
        return None

    def _role_named(self, a: Analysis) -> tuple[list[Claim], float] | None:
        """'Who is the author?': a who-question whose only thing is a person named by a role (an alias the
        facts write in lower case, 'the author'), not by name; the answer is the name, cited where it first
        appears."""
        if a.wh != "who":
            return None
        people = [m for m in a.mentions if m.entity.name not in self._titles]
        if len(people) != 1 or people[0].entity.type != "person":
            return None
        if not is_role(people[0]):
            return None
        person = people[0].entity
        said = f"{people[0].surface[:1].upper()}{people[0].surface[1:]} is {person.name}."
        # A fact that gives the person in that role ("author: Lin Yuan") is the direct evidence, and the
        # first sentence about the person says who they are; without such a fact, where the name first appears.
        role_words = token_set(people[0].surface)
        relations = self.corpus.facts.relations
        role_fact = next(
            (
                r
                for r in self.facts
                if r.fact.object == person.id
                and role_words
                & token_set(" ".join([relations[r.fact.relation].label, *relations[r.fact.relation].synonyms]))
            ),
            None,
        )
        if role_fact is None:
            quotes = self.reading.first_naming(person.name)
            return ([Claim(said, quotes)], 0.9) if quotes else None
        claims = [Claim(said, self._quotes(role_fact))]
        about = self.reading.first_naming(person.name, headings=False)
        if about and about[0][1].startswith(person.name):  # "Lin Yuan is a Staff Software Engineer at Waymo."
            claims.append(Claim(about[0][1], about))
        return claims, 0.9

    def _polar(self, a: Analysis, ids: list[str]) -> tuple[list[Claim], float] | None:
        """'Did Google create PyTorch?' -> 'No. PyTorch was developed by Facebook AI Research.': a yes/no
        question naming a thing, another thing and a relation the facts hold for the first."""
        if REQUEST_RE.match(a.text):
            return None  # "Could you give me both numbers ...?": a request, not a yes/no question
        others = [self.corpus.facts.entity(e) for e in ids]
        # "Was imperative more flexible than declarative?": what follows "than" is compared, not claimed
        marker = AGAINST_RE.search(a.text)
        against = (
            {m.entity.id for m in a.mentions if a.text.lower().find(m.surface.lower()) > marker.start()}
            if marker
            else set()
        )
        for eid in ids:
            if eid in against:
                continue
            claimed = [o for o in others if o.id != eid and o.id not in against]
            if not claimed:
                continue
            for rel, kw in sorted(a.relation_scores.items(), key=lambda kv: (-kv[1], kv[0])):
                js = self.by_subject.get((eid, rel), []) if kw >= 1.0 else []
                if not js:
                    continue
                records = [self.facts[j] for j in js]
                if not all(self._comparable(r, o) for r in records for o in claimed):
                    continue  # "Is GPT-3 bigger than a human brain?": a number is no yes or no
                said = [r for r in records if any(self._same_thing(r, o) for o in claimed)]
                verdict = "Yes" if said else "Not according to the article"  # it names another, not "never"
                shown = said or records
                claims = self._fact_claims(shown[:2], False)
                either = (len(claimed) > 1 and re.search(r"\bor\b", a.text, re.I)) or ALTERNATIVE_RE.search(a.text)
                if not either:  # "is it A or B?", "is it still worked on, or did they drop it?": no yes or no
                    claims[0] = Claim(f"{verdict}. {claims[0].text}", claims[0].quotes)
                return claims, 0.9
        return None

    def _comparable(self, r: FactRecord, other: Entity) -> bool:
        """Whether a fact can settle a claim about `other`: an object of a kind like it (a company for a
        company), or a value that is a description for a concept ('declarative'), never a number."""
        if r.fact.object:
            kind = self.corpus.facts.entity(r.fact.object).type
            agents = AGENT_TYPES | {"organisation"}
            return kind == other.type or (kind in agents and other.type in agents)
        return other.type == "concept" and not re.search(r"\d", r.fact.value or "")

    def _same_thing(self, r: FactRecord, other: Entity) -> bool:
        """Whether a fact's object (or value) is the thing a question names, or part of it ('Facebook'
        for Facebook AI Research, 'declarative' for 'the declarative programming style')."""
        said = (r.object_name if r.fact.object else r.fact.value or "").lower()
        return any(n.lower() in said or (r.fact.object and said in n.lower()) for n in other.names if len(n) > 2)

    def _who_is(self, a: Analysis) -> tuple[list[Claim], float] | None:
        """'Who is Kaiming He?': a person the facts know only as the object of others' facts is described
        by them ('Kaiming He et al. proposed ResNet.'), body sentences before reference entries."""
        if a.wh != "who" or len(a.mentions) != 1 or a.mentions[0].entity.type != "person" or is_role(a.mentions[0]):
            return None
        person = a.mentions[0].entity
        if set(token_set(" ".join(a.content))) - set(token_set(" ".join(person.names))):
            return None  # "who is Kaiming He working with?": something else is asked
        if any(r.fact.subject == person.id for r in self.facts):
            return None  # facts about the person themself answer it
        relations = self.corpus.facts.relations
        records = sorted(
            (r for r in self.facts if r.fact.object == person.id and relations[r.fact.relation].inverse_template),
            key=lambda r: (REFERENCE_RE.match(self._evidence(r)) is not None, r.passage_id),
        )
        claims = []
        for r in records[:2]:
            template = relations[r.fact.relation].inverse_template or ""
            claims.append(Claim(template.format(subject=r.subject_name, object=r.object_name), self._quotes(r)))
        return (claims, 0.85) if claims else None

    def _named_by_value(self, a: Analysis) -> tuple[list[Claim], float] | None:
        """'What does the author call the 2019-2020 era?': the thing a fact's dates identify (every
        number of the value is in the question), named, cited where its name first appears."""
        if a.wh not in ("what", "which", "when"):
            return None
        numbers = set(re.findall(r"\d+", a.text))
        if NAMING_RE.search(a.text) and a.wh != "when":
            found = {
                r.fact.subject
                for r in self.facts
                if r.fact.value
                and len(re.findall(r"\d+", r.fact.value)) >= 2
                and set(re.findall(r"\d+", r.fact.value)) <= numbers
            }
            if len(found) == 1:
                entity = self.corpus.facts.entity(found.pop())
                quotes = self.reading.first_naming(entity.name)
                return ([Claim(f"The article calls it {entity.name}.", quotes)], 0.85) if quotes else None
        # "Which era covers 2021 onwards?", "what period does 2015 fall in?": the thing of the asked kind
        # whose dates hold the year
        kind_word = re.search(r"\b(?:what|which)\s+(\w+)", a.text, re.I)
        word = kind_word.group(1).lower() if kind_word else ""
        kinds = (self.kind_names.named_by(word) or self.kind_names.named_by(word + "s")) if word else None
        if not kinds and NAMING_RE.search(a.text):  # "what did the author name the age starting in 2015?"
            inside = {i for m in a.mentions for i in range(m.start, m.end)}
            named = {self.kind_names.named_by(t) for i, t in enumerate(a.tokens) if i not in inside} - {None}
            kinds = named.pop() if len(named) == 1 else None
        years = {int(n) for n in numbers if len(n) == 4}
        if not kinds or len(years) != 1 or any(not is_role(m) for m in a.mentions):  # "the author" calls it
            return None
        year = years.pop()
        dated = {
            (r.fact.subject, r.fact.value)
            for r in self.facts
            if r.fact.value and self.corpus.facts.entity(r.fact.subject).type in kinds and _holds(r.fact.value, year)
        }
        if len(dated) != 1:
            return None
        eid, value = dated.pop()
        entity = self.corpus.facts.entity(eid)
        quotes = self.reading.first_naming(entity.name)
        return ([Claim(f"{entity.name} ({value}).", quotes)], 0.85) if quotes else None

    def _dated_neighbour(self, a: Analysis) -> tuple[list[Claim], float] | None:
        """'The era right before Roman Times': among the things of the same kind that a fact dates, the
        one just before (or after) the named one, in date order."""
        side = NEIGHBOUR_RE.search(a.text)
        named = [m for m in a.mentions if m.entity.name not in self._titles and not is_role(m)]  # not "the author"
        if side is None or a.wh not in ("what", "which", "other", "when") or len({m.entity.id for m in named}) != 1:
            return None
        anchor = named[0].entity
        inside = {i for m in named for i in range(m.start, m.end)}
        rest = [t for i, t in enumerate(a.tokens) if i not in inside]
        if not any(  # the question names the kind it asks for ("the era right before ..."), not "what happened"
            anchor.type in (self.kind_names.named_by(t) or ()) for t in rest
        ) and not all(t in _SUCCESSION_WORDS or NEIGHBOUR_RE.fullmatch(t) for t in rest):
            return None  # ... or asks only what came next: "what came after the Roman Times?"
        order = self._date_order(anchor.type)
        if anchor.id not in order or len(order) < 2:
            return None
        earlier = side.group(1).lower() in EARLIER_WORDS
        at = order.index(anchor.id) + (-1 if earlier else 1)
        if not 0 <= at < len(order):
            return None
        other = self.corpus.facts.entity(order[at])
        quotes = self.reading.first_naming(other.name) + self.reading.first_naming(anchor.name)
        if len(quotes) < 2:
            return None
        # "what years does the era after the Iron Age cover?": its dates too, where the quote gives them
        # ("the early 2000s" is "Stone Age (early 2000s)" in its title)
        dates = next(
            (d.removeprefix("the ") for d in self._dates_of(other.id) if d.removeprefix("the ") in quotes[0][1]), None
        )
        named_as = f"{other.name} ({dates})" if dates else other.name
        text = f"The {anchor.type} {'before' if earlier else 'after'} {anchor.name} is {named_as}."
        return [Claim(text, quotes)], 0.85

    def _linked_of_kind(self, a: Analysis) -> tuple[list[Claim], float] | None:
        """'Which company is Facebook Glow tied to?': the things of the asked kind that the facts link to the
        one thing named, in whatever relation, when the question names none ('associated', 'tied')."""
        named = [m.entity for m in a.mentions if m.entity.name not in self._titles and not is_role(m)]
        kinds = self.kind_names.checkable(a.head) if a.head else None
        if not kinds or len({e.id for e in named}) != 1 or not LINK_RE.search(a.text):
            return None
        eid = named[0].id
        records = [
            r
            for r in self.facts
            if r.fact.object
            and eid in (r.fact.subject, r.fact.object)
            and self.corpus.facts.entity(r.fact.object if r.fact.subject == eid else r.fact.subject).type in kinds
        ]
        if not records:
            return None
        return [c for r in records[:3] for c in self._fact_claims([r], inverse=False)], 0.8

    def _nth_of_kind(self, a: Analysis) -> tuple[list[Claim], float] | None:
        """'What is the third era?': the thing of that rank among the things of a kind that the facts date
        one by one, in date order (eras); nothing for kinds whose things share dates or lack them."""
        found = NTH_RE.search(a.text)
        if found is None or any(m.entity.name not in self._titles and not is_role(m) for m in a.mentions):
            return None
        counted = (self.kind_names.named_by(w) for w in re.findall(r"\w+", found.group(2).lower()))
        kinds = next((k for k in counted if k), None)
        if not kinds or len(kinds) != 1:
            return None
        kind = next(iter(kinds))
        # "what is the third era (called)?": the thing itself, not "what happened in the first era?"
        kind_words = next((words for k, words in self.corpus.facts.kinds.items() if k == kind), [])
        framing = set(
            token_set(" ".join([*FRAMING_WORDS, *self._titles, *ORDINALS, *kind_words, *NUMBER_NAMES.values()]))
        )
        if a.wh not in ("what", "which", "other") or set(token_set(" ".join(a.content))) - framing - {kind}:
            return None
        order = self._date_order(kind)
        everything = [e for e in self.corpus.facts.entities if e.type == kind]
        if len(order) < 2 or len(order) != len(everything):
            return None  # not every thing of the kind is dated: its rank is unknown
        index = ORDINALS[found.group(1).lower()]
        if not -len(order) <= index < len(order):
            return None
        thing = self.corpus.facts.entity(order[index])
        quotes = self.reading.first_naming(thing.name)[:1]
        if not quotes:
            return None
        return [Claim(f"The {found.group(1).lower()} {kind} is {thing.name}.", quotes)], 0.85

    def _dates_of(self, eid: str) -> list[str]:
        """The values of a thing's facts that give a year ('2019~2020')."""
        return [
            r.fact.value for r in self.facts if r.fact.subject == eid and r.fact.value and YEAR4_RE.search(r.fact.value)
        ]

    def _date_order(self, kind: str) -> list[str]:
        """The things of a kind that a fact dates with a year of their own, earliest first ([] when two
        share a year: their order is not told)."""
        dated: dict[str, int] = {}
        for r in self.facts:
            years = re.findall(r"\d{4}", r.fact.value or "")
            if years and self.corpus.facts.entity(r.fact.subject).type == kind:
                dated.setdefault(r.fact.subject, int(years[0]))
        if len(set(dated.values())) != len(dated):
            return []
        return sorted(dated, key=lambda e: (dated[e], e))


def _holds(value: str, year: int) -> bool:
    """Whether dates written as the article writes them ("2015~2016", "~2012", "2021+") hold a year."""
    decade = re.search(r"\b(\d{3})0s\b", value)  # "the early 2000s"
    if decade:
        return int(decade.group(1)) * 10 <= year <= int(decade.group(1)) * 10 + 9
    found = [int(y) for y in re.findall(r"\b(\d{4})\b", value)]
    if not found:
        return False
    if re.search(r"\+|\bonwards?\b|\blater\b|\bsince\b", value):
        return year >= found[0]
    return min(found) <= year <= max(found)


# "what came after X?", "which one comes before X?": words that ask only for the neighbour
_SUCCESSION_WORDS = frozenset(
    "and so what which who one ones came come comes coming was were is are the a an did does do then next right just "
    "immediately directly".split()
)


def is_role(m: Mention) -> bool:
    """A mention by a role ("the author": an alias the facts write in lower case that is no mere
    lower-case spelling of a name, as "bronze age" is), not by name."""
    proper = {n.lower() for n in m.entity.names if n != n.lower()}
    roles = {alias.lower() for alias in m.entity.aliases if alias == alias.lower() and alias not in proper}
    return m.surface.lower() in roles
