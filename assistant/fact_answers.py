"""Answers from the structured facts: the relation a question asks of a named thing, in a short
sentence built from the relation's template, or in the words of the fact's evidence sentence.

The first layer of the Answerer (see assistant.answer): it reads the fact tables the Answerer builds
(declared on StructuralAnswers and below) and keeps no state of its own.
"""

from __future__ import annotations

import re

import numpy as np

from assistant.chunking import Passage
from assistant.claims import Claim
from assistant.corpus import METADATA_HEADING, Entity, EntityType
from assistant.index import FactRecord
from assistant.retrieval import Retriever, token_set
from assistant.structural import MAKING_RELATIONS, REFERENCE_RE, StructuralAnswers
from assistant.text import (
    AGAINST_RE,
    AGENT_TYPES,
    BOTH_RE,
    LEANS_ON_CONTEXT,
    LINK_RE,
    PLACE_TYPES,
    POLAR_RE,
    SOFTWARE,
    TIME_WORDS,
    has_type,
    join_names,
    names_a_place,
    names_in,
    pluralise,
    sentence_at,
    trim_sentence,
)
from assistant.understanding import PERSON_NOUNS, Analysis

COUNTED_TYPES = frozenset({"model", "framework", "library", "compiler", "dataset", "paper"})  # things a number is of
# Relations that date a thing by the span of its era, not by an event of its own
SPAN_RELATIONS = frozenset({"era", "period"})
PERSONS_NAME_RE = re.compile(
    r"\b(?:{0}|his|her)(?:'s)?\s+(?:\w+\s+)?name\b|\bname of (?:the|that|this) (?:{0})\b".format(
        "|".join(sorted(PERSON_NOUNS))
    ),
    re.I,
)
ONES_RE = re.compile(r"\bones?\b", re.I)  # "which ones ...?": things of a kind named before
SECOND_WH_RE = re.compile(r"(?:\band|,)\s+(when|where|how many)\b", re.I)
_VERSION_RE = re.compile(r"\b\d+\.\d+")
_MONEY_RE = re.compile(r"[$€£¥]|\b(dollars?|euros?|usd|pounds?)\b", re.I)
# Nouns whose answer has a form of its own: a version number, an amount of money
# a number that counts (not the digit of a name, "GPT-3", nor a reference marker, "[3]")
_COUNT_RE = re.compile(
    r"(?<![\w\[-])\d[\d,.]*(?![\w\]-])|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|"
    r"billion|trillion)\b",
    re.I,
)
_TYPED_NOUNS = {
    "version": _VERSION_RE,
    "versions": _VERSION_RE,
    "cost": _MONEY_RE,
    "costs": _MONEY_RE,
    "price": _MONEY_RE,
    "count": _COUNT_RE,  # "BERT's parameter count": a number
}
# Relations to another thing of the same standing, never a part or a description of the subject
OTHER_THING = frozenset(
    {"team_moved_to", "successor_of", "based_on", "style_from", "duopoly_with", "relative_of", "assimilated_by"}
)
DIFFER_RE = re.compile(r"\b(differ\w*|distinguish\w*|unlike|sets? \w+ apart|more appealing|improve\w*)\b", re.I)
CONTRAST_RE = re.compile(r"\b(but|whereas|unlike|instead of|rather than)\b", re.I)
RESTATED = 0.6  # share of an evidence sentence's words a fact answer may say before the sentence adds nothing
MAX_LIST = 8


def typed_noun(a: Analysis) -> tuple[str, re.Pattern[str]] | None:
    """The question's noun whose answer has a form of its own ('version' -> a version number), if any."""
    return next(((word, rx) for word, rx in _TYPED_NOUNS.items() if word in a.tokens), None)


RESIDUAL_LEFT = 2  # question words a fact answer may leave unexplained (what/which questions); more: extractive
KIND_FIT = 3.0  # score for a fact whose answer is of the asked kind ("which frameworks ...")
AGAINST = 0.5  # penalty for facts of the thing a question compares against ("X over Y": Y's facts)
FACT_SENTENCE_WORDS = 30  # a what/which fact answer adds its evidence sentence, trimmed to this many words
EXPLICIT_RELATION = 1.0  # a relation worded by at least one synonym that is not a generic question word


# "where did PyTorch's style come from?": an origin, which need not be a place
ORIGIN_RE = re.compile(
    r"\b(?:come|comes|came|coming)\s+from\b|\borigin\w*"
    r"|\bwhere\b.*\b(?:get|gets|got|take|takes|took|borrow\w*|inherit\w*)\b",  # "where did PyTorch get its style?"
    re.I,
)
# A relation's facts that may answer: score, keyword score, fact rows, inverse, relation, one hop away, entity
Candidate = tuple[float, float, list[int], bool, str, bool, str]


# Prepositions that place a thing in an era ("from the Iron Age"), never a detail asked for
PLACING_WORDS = frozenset(token_set("from in of during within"))


class FactAnswers(StructuralAnswers):
    """Answers from the structured facts; a layer of the Answerer."""

    retriever: Retriever
    passages: dict[str, Passage]
    kinds: list[EntityType]  # the entity types the facts use
    by_object: dict[tuple[str, str], list[int]]
    by_pair: dict[tuple[str, str], list[int]]
    object_facts: dict[str, list[int]]
    _agent_relations: set[str]
    _about_agents: set[str]
    _descriptive: set[str]
    _told_whole: set[str]
    _sentence_words: list[frozenset[str]]
    _own_words: list[frozenset[str]]

    def _from_facts(self, a: Analysis, qvec: np.ndarray) -> tuple[list[Claim], float] | None:
        """Answer from the structured facts when the question asks a relation of a known entity."""
        ids = a.entity_ids
        # "Imperative code is so easy to trace. What does the declarative style offer?": the thing the question
        # itself names comes before those only its story names
        asked_here = [m.entity.id for m in a.mentions if a.question and m.surface.lower() in a.question.lower()]
        ids = list(dict.fromkeys([*asked_here, *ids]))
        told_only = set(ids) - set(asked_here) if asked_here else set()
        role = (
            self._role_named(a)
            or self._named_by_value(a)
            or self._dated_neighbour(a)
            or self._nth_of_kind(a)
            or self._linked_of_kind(a)
            or self._who_is(a)
            or self._about_document(a)
            or self._first_of(a)
            or self._joined_kind(a)
            or self._list_of_kind(a)
        )
        if role is not None:  # "who is the author?", "what is the 2019-2020 era called?": a name
            return role
        linking = LINK_RE.search(a.text) is not None  # "how is the author connected to MXNet?"
        if a.wh in ("how", "what", "other") and len(ids) >= 2 and linking:
            return self._link(a, ids, qvec)
        if len(ids) >= 2 and DIFFER_RE.search(a.text):  # "how is PyTorch different from Torch?"
            contrast = self._contrast(a, ids)
            if contrast is not None:
                return contrast
        if a.wh == "other" and POLAR_RE.match(a.text) and not linking:
            # "Did Google create PyTorch?": yes or no when a fact of the asked relation settles it; else
            # "is it still popular?": the sentence that says so answers, not a fact's template
            return self._polar(a, ids)
        if a.wh == "how":  # "how did Amazon come to have its framework?": the fact that ties them
            made = self._made_by(a) or self._named_event(a)
            if made is not None:
                return made
        # "how did the story end for CNTK?": a how-question for a happening the facts tell in the article's words
        top = max(a.relation_scores.values(), default=0.0)
        told = (
            a.wh == "how"
            and top >= 1.0
            and any(a.relation_scores[r] == top for r in self._told_whole & a.relation_scores.keys())
        )
        if (a.wh in ("why", "how") and not told) or not a.mentions or not (a.relation_scores or a.inverse_scores):
            return None
        fv = self.retriever.data.fact_vectors
        candidates: list[Candidate] = []
        # "the advantage of X over Y", "X compared to Y": Y is what X is measured against, not the subject
        against: set[str] = set()
        marker = AGAINST_RE.search(a.text)
        if marker:
            against = {m.entity.id for m in a.mentions if a.text.lower().find(m.surface.lower()) > marker.start()}
        named_era = {m.entity.id for m in a.mentions if m.entity.type == "era"}
        for rank, eid in enumerate(ids):
            others = [o for o in ids if o != eid]
            for inverse, scores in ((False, a.relation_scores), (True, a.inverse_scores)):
                for rel, kw in scores.items():
                    if a.wh == "who" and not inverse and self._names_no_one(rel):
                        continue  # "who authored the BERT paper?": its title or year names no one
                    if rel == "era" and not inverse and named_era and self._other_era(eid, named_era):
                        continue  # "what did Microsoft do with CNTK in the 2019-2020 era?": the era is a condition
                    js, hop = self._facts_for(eid, rel, inverse)
                    if not js and not inverse:
                        js, hop = self._hop(eid, rel, a), True
                    if not js:
                        continue
                    if (
                        a.wh == "who"
                        and inverse
                        # "whose team moved to PyTorch?": Chainer's, a thing's (a relation between things)
                        and ("whose" not in a.tokens or rel not in OTHER_THING)
                        and not any(
                            self.corpus.facts.entity(self.facts[j].fact.subject).type in AGENT_TYPES for j in js
                        )
                    ):
                        continue  # "who authored the BERT paper?": not BERT, which the paper describes
                    if a.wh in ("when", "how many") and not self._can_type(js, a.wh, inverse):
                        continue  # cannot give the date or number that was asked for
                    if (
                        a.wh == "where"
                        and not ORIGIN_RE.search(a.text)
                        and not any(self._gives_place(j, a) for j in js)
                    ):
                        continue  # "where was it published?": a venue or publisher, not a date
                    if (
                        others and not inverse and a.wh == "other"
                    ):  # "Did PyTorch inherit its style from Torch?": that fact
                        js = [j for j in js if self.facts[j].fact.object in others] or js
                    if others and a.wh in ("where", "who"):
                        # "where did MXNet originate before Amazon adopted it?": not Amazon, named already
                        js = [
                            j
                            for j in js
                            if (self.facts[j].fact.subject if inverse else self.facts[j].fact.object) not in others
                        ]
                        if not js:
                            continue
                    sim = float(np.max(fv[js] @ qvec[0]))
                    score = kw + sim - 0.05 * rank - 0.1 * inverse - 0.1 * hop + self._kind_fits(a, js, inverse, ids)
                    score -= AGAINST * (eid in against and len(against) < len(ids))
                    score -= AGAINST * (eid in told_only)
                    candidates.append((score, kw, js, inverse, rel, hop, eid))
        if (
            a.wh == "when"
            and not named_era  # "which years does the author give the Iron Age, when ... joined": the era's own
            and any(c[1] >= 1.0 and c[4] not in SPAN_RELATIONS for c in candidates)
        ):
            # "what year did the Chainer developers move their work?": the move's own date, not Chainer's era
            candidates = [c for c in candidates if c[4] not in SPAN_RELATIONS]
        if not candidates:
            return None
        best = max(candidates, key=lambda c: c[0])  # the first best on a tie
        answered = self._relation_answer(a, ids, best)
        if answered is None and a.asked and not self.kind_names.named_by(a.asked):
            # "which conference was the ResNet paper in?": the paper's title fact scores best but gives no
            # conference; the relation the asked noun names (venue) answers, of the same thing
            naming = [
                c for c in candidates if c[4] != best[4] and c[6] == best[6] and self._names_relation(a.asked, c[4])
            ]
            if naming:
                return self._relation_answer(a, ids, max(naming, key=lambda c: c[0]))
        return answered

    def _ties(self, subject: str, other: Entity) -> list[int]:
        """The facts that link a thing to another, or say the other's name in their words ('Caffe used the
        declarative programming style')."""
        linked = self.by_pair.get((subject, other.id), []) + self.by_pair.get((other.id, subject), [])
        return linked or [
            j
            for js in self.subject_facts.get(subject, [])
            for j in js
            if names_in(other.names, (self.facts[j].fact.value or "").lower())
        ]

    def _names_relation(self, noun: str, rel: str) -> bool:
        """Whether a noun is one of the relation's own words ('conference' for the venue)."""
        relation = self.corpus.facts.relations[rel]
        return bool(set(token_set(noun)) & set(token_set(" ".join([relation.label, *relation.synonyms]))))

    def _relation_answer(self, a: Analysis, ids: list[str], candidate: Candidate) -> tuple[list[Claim], float] | None:
        """The answer one relation's facts give (a template sentence or the evidence's words), or None when
        it does not give what was asked (a date, a place, a thing of the asked kind, the asked detail)."""
        score, kw, js, inverse, rel, hop, eid = candidate
        if not inverse and not hop and BOTH_RE.search(a.text):
            # "GPT-3's parameter count and the human brain's": the same relation of each thing named
            js = js + [j for o in ids if o != eid for j in self.by_subject.get((o, rel), []) if j not in js]
        records = [self.facts[j] for j in js]
        if inverse and a.asked:  # "which frameworks ...": keep the subjects of that kind
            kind = a.asked[:-1] if a.asked.endswith("s") else a.asked
            # "what framework did Facebook release?": frameworks first (Caffe2, not the Glow compiler)
            for kinds in ({kind}, SOFTWARE if kind in SOFTWARE else {kind}):
                typed_records = [r for r in records if self.corpus.facts.entity(r.fact.subject).type in kinds]
                if typed_records:
                    records = typed_records
                    break
        ties: list[int] = []
        if inverse and len(records) > 1:
            # "which Bronze Age frameworks were declarative?": of the era's frameworks, those the facts tie to
            # the other thing named (by a link or in a fact's words)
            conditions = [
                e for e in (self.corpus.facts.entity(o) for o in ids if o != eid) if e.name not in self._titles
            ]
            tied = [r for r in records if conditions and all(self._ties(r.fact.subject, c) for c in conditions)]
            records = tied or records
            ties = [j for r in tied for c in conditions for j in self._ties(r.fact.subject, c)]
        records = self._most_to_the_point(a, rel, records)[:MAX_LIST]
        claims = self._fact_claims(records, inverse)
        stated = list(claims)  # the facts' own sentences, before the evidence may stand in for them
        said = {q[1] for c in claims for q in c.quotes}
        for q in (q for j in ties for q in self._quotes(self.facts[j])[:1]):  # what ties them, once each
            if q[1] not in said:
                said.add(q[1])
                claims.append(Claim(trim_sentence(q[1], a, limit=FACT_SENTENCE_WORDS), [q]))
        if not has_type(a.wh, " ".join(c.text for c in claims)) and not inverse:
            # "when was TensorFlow released?": its era's dates, if its sentence tells of the release; "what
            # period did Caffe show up in?" asks for the era itself
            asks_era = any(self.kind_names.named_by(t) == {"era"} for t in a.tokens)
            claims += self._dated(records, a.wh, None if asks_era and rel == "era" else a)
        typed = a.wh in ("when", "how many") and has_type(a.wh, " ".join(c.text for c in claims))
        if kw < 1.0 and score < 1.2 and not typed:
            return None  # only a generic word ("which", "is") pointed at the relation
        if kw < 1.0 and a.unknown_words:
            return None  # "when was MXNet donated ...": its era says nothing of an event never named
        # The template answers the relation; the evidence sentence may answer more of the question.
        unique = {(q[0].passage_id, q[1]): q for c in claims for q in c.quotes}
        sentences = [Claim(trim_sentence(q[1], a), [q]) for q in unique.values()]
        better = self._residual_cover(a, rel, sentences) > self._residual_cover(a, rel, claims)
        # What/which questions often ask for a detail of the fact ("what did PyTorch add?"): its one
        # evidence sentence states the fact in the article's words, with that detail; trimmed to the
        # clauses that share the question's words, so the answer stays short.
        if (
            a.wh in ("what", "which", "other")
            and len(sentences) == 1
            and not better
            and sentences[0].text != claims[0].text
            and not LEANS_ON_CONTEXT.match(sentences[0].text)  # "He is a committer ...": who is he?
            and not self._is_label(sentences[0].quotes[0])  # "publication: Synced Review" says it again
        ):
            quote = sentences[0].quotes[0]
            detail = Claim(trim_sentence(quote[1], a, limit=FACT_SENTENCE_WORDS), [quote])
            record = records[0]
            names_both = self._names(record.subject_name, detail.text) and self._names(record.object_name, detail.text)
            if set(token_set(claims[0].text)) <= set(token_set(detail.text)) | {"the"} or names_both:
                claims = [detail]  # the sentence says all the template says, in the article's words
            elif not self._restates(claims[0].text, detail.text):
                claims = [*claims[:1], detail]  # the fact first (it names the subject), then its sentence
        also = SECOND_WH_RE.search(a.text)  # "Who came up with ResNet and when?": the date is asked too
        if also and not has_type(also.group(1).lower(), " ".join(c.text for c in claims)):
            more = [c for c in sentences if has_type(also.group(1).lower(), c.text)]
            whole = [
                c
                for c in more
                if self._names(records[0].subject_name, c.text) and self._names(records[0].object_name, c.text)
            ]
            claims = whole or (claims + more if more else claims + self._dated(records, also.group(1).lower(), a))
        untyped = not has_type(a.wh, " ".join(c.text for c in claims))
        if (better or (untyped and has_type(a.wh, " ".join(c.text for c in sentences)))) and len(sentences) <= 2:
            claims = sentences
        if not has_type(a.wh, " ".join(c.text for c in claims)):
            return None  # asked when / how many, but the fact gives no date or number
        if self._asks_something_else(a, rel, claims):
            return None
        if (
            a.wh == "where"
            and not ORIGIN_RE.search(a.text)
            and not (
                names_a_place(" ".join(c.text for c in claims), a)
                # the facts the answer tells, not others of the relation ("works on" self-driving: no place)
                or any(self._gives_place(j, a) for j in js if self.facts[j] in records)
            )
        ):
            return None  # "where was he based ...?" answered with a date
        if (a.head in PERSON_NOUNS or self._asks_a_persons_name(a)) and not self.kind_names.names_a_person(
            " ".join(c.text for c in claims)
        ):
            return None  # "which person ...?" answered with a company; "what is that person's name?" with none
        if not self.kind_names.names_asked_kind(" ".join(c.text for c in claims), a):
            if not self.kind_names.names_asked_kind(" ".join(c.text for c in stated), a):
                return None  # "which company acquired Keras?" answered with a person
            # "in which era did Caffe come into being?": the evidence tells of it, the fact names the era
            claims = stated + [c for c in claims if c.text not in {t.text for t in stated}]
        form = typed_noun(a)
        if form is not None and not form[1].search(" ".join(c.text for c in claims)):
            return None  # "what is the newest version of Apache TVM?": its is-a fact gives no version
        if a.wh == "how many" and self._counts_another(a, " ".join(c.text for c in claims)):
            return None  # "GPT-3 gets a number. How many parameters does BERT have?": GPT-3's is no answer
        fits_kind = self._kind_fits(a, js, inverse, ids) > 0  # "which two frameworks ...": the facts name them
        if a.wh in ("what", "which", "other") and not fits_kind and self._said_elsewhere(a, rel, claims, eid):
            return None  # "what did AlexNet's outstanding result spark?": "This outstanding result sparked ..."
        if a.wh in ("what", "which", "other") and self._leaves_out(a, rel, claims) > RESIDUAL_LEFT:
            return None  # "What did AlexNet's result spark?": the fact explains none of "spark"
        fuzzy = all(m.fuzzy for m in a.mentions)
        confidence = min(0.98, 0.7 + 0.1 * min(score, 2.0) + (0.0 if fuzzy else 0.05))
        return claims, confidence

    @staticmethod
    def _counts_another(a: Analysis, said: str) -> bool:
        """Whether a number answers for other things than those the question itself counts (after any story,
        past any scene-setting words)."""
        context = set(a.context)  # "With models like BERT getting so big, on how many devices ...?": the scene
        counted = [
            m.entity.names
            for m in a.mentions
            if m.entity.type in COUNTED_TYPES
            and (not a.question or m.surface.lower() in a.question.lower())
            and not set(a.tokens[m.start : m.end]) <= context
        ]
        return bool(counted) and not any(names_in(n, said.lower()) for n in counted)

    @staticmethod
    def _asks_a_persons_name(a: Analysis) -> bool:
        """'What is that person's actual name?': the question (after any story) asks for someone's name."""
        return PERSONS_NAME_RE.search(a.question or a.text) is not None

    def _most_to_the_point(self, a: Analysis, rel: str, records: list[FactRecord]) -> list[FactRecord]:
        """Of several facts of one relation ('Lin Yuan's roles'), those whose sentence has the most of the
        question's own words beyond names and the relation ('chair a session' -> the session chair)."""
        if len(records) < 2:
            return records
        # the whole sentence of each fact: "Before joining Waymo, he was working at Amazon AI ..." says "before"
        covered = [self._residual_cover(a, rel, [Claim(" ".join(q[1] for q in self._quotes(r)), [])]) for r in records]
        best = max(covered)
        return [r for r, c in zip(records, covered, strict=True) if c == best] if best > 0 else records

    def _kind_fits(self, a: Analysis, js: list[int], inverse: bool, ids: list[str]) -> float:
        """'Which frameworks borrowed Theano's style?': facts whose answer is a framework the question does
        not name fit the asked kind better than a fact about Theano itself (KIND_FIT, else 0.0)."""
        kind = a.asked[:-1] if a.asked.endswith("s") else a.asked
        kinds = SOFTWARE if kind in SOFTWARE else self.kind_names.named_by(a.head or a.asked)
        if not kinds:
            return 0.0
        answers = [self.facts[j].fact.subject if inverse else self.facts[j].fact.object for j in js]
        return KIND_FIT * any(
            e is not None and e not in ids and self.corpus.facts.entity(e).type in kinds for e in answers
        )

    def _link(self, a: Analysis, ids: list[str], qvec: np.ndarray) -> tuple[list[Claim], float] | None:
        """The facts that link two entities the question names, best match first, with their evidence."""
        links = [j for s in ids for o in ids if s != o for j in self.by_pair.get((s, o), [])]
        if not links:
            return None
        fv = self.retriever.data.fact_vectors
        # "how did Keras relate to TensorFlow and MXNet?": the relation that links it to most of them
        reach = {
            rel: len({x for j in links if self.facts[j].fact.relation == rel for x in self._ends(j)})
            for rel in {self.facts[j].fact.relation for j in links}
        }
        best = max(links, key=lambda j: (reach[self.facts[j].fact.relation], float(fv[j] @ qvec[0]), -j))
        record = self.facts[best]
        alike = [  # "on top of TensorFlow and MXNet": every link of that relation from the same subject
            self.facts[j]
            for j in dict.fromkeys(links)
            if self.facts[j].fact.relation == record.fact.relation and self.facts[j].fact.subject == record.fact.subject
        ]
        claims = self._fact_claims(alike, inverse=False)
        quote = claims[0].quotes[0]
        if quote[1] != claims[0].text and not LEANS_ON_CONTEXT.match(quote[1]):
            claims.append(Claim(trim_sentence(quote[1], a, limit=FACT_SENTENCE_WORDS), [quote]))
        return claims, 0.85

    def _names_no_one(self, rel: str) -> bool:
        """A relation whose facts link things to things or give dates and titles, never to a person or
        organisation, nor describe one ('role', 'works on'): no answer to a who-question."""
        return rel not in self._agent_relations and rel not in self._about_agents

    def _other_era(self, eid: str, eras: set[str]) -> bool:
        """Whether the facts place a thing in an era other than the ones the question names."""
        placed = {self.facts[j].fact.object for j in self.by_subject.get((eid, "era"), [])}
        return bool(placed) and not placed & eras

    def _made_by(self, a: Analysis) -> tuple[list[Claim], float] | None:
        """'How did Amazon get into frameworks?': the one fact by which the named company made or took up a
        thing of the kind the question names, in the article's words."""
        agents = {m.entity.id for m in a.mentions if m.entity.type in AGENT_TYPES | {"organisation"}}
        if len(agents) != 1 or len({m.entity.id for m in a.mentions}) != 1:
            return None
        kinds = {k for t in a.tokens for k in (self.kind_names.checkable(t) or ())} - AGENT_TYPES - {"organisation"}
        agent = next(iter(agents))
        links = [
            r
            for r in self.facts
            if r.fact.object == agent
            and r.fact.relation in MAKING_RELATIONS
            and self.corpus.facts.entity(r.fact.subject).type in kinds
        ]
        if len(links) != 1:
            return None
        quote = self._quotes(links[0])[0]
        return [Claim(trim_sentence(quote[1], a, limit=FACT_SENTENCE_WORDS), [quote])], 0.8

    def _named_event(self, a: Analysis) -> tuple[list[Claim], float] | None:
        """'How did Microsoft wind down CNTK?': both ends of one fact are named and the question words its
        relation by a synonym, so the sentence that states the event is the account the sources give (when
        it has every other word of the question)."""
        ids = a.entity_ids
        if len(ids) != 2:
            return None
        found = [
            j
            for s, o in (ids, ids[::-1])
            for j in self.by_pair.get((s, o), [])
            if a.relation_scores.get(self.facts[j].fact.relation, 0.0) >= EXPLICIT_RELATION
        ]
        if len({self.facts[j].fact.relation for j in found}) != 1:
            return None
        quote = self._quotes(self.facts[found[0]])[0]
        claims = [Claim(trim_sentence(quote[1], a, limit=FACT_SENTENCE_WORDS), [quote])]
        if self._left_out(a, self.facts[found[0]].fact.relation, claims):
            return None  # "how did AlexNet's result compare to the runner-up?": asks more than the event
        return claims, 0.8

    def _contrast(self, a: Analysis, ids: list[str]) -> tuple[list[Claim], float] | None:
        """'How is PyTorch different from Torch?': a fact linking the two whose sentence draws the contrast
        ('PyTorch which was based on the Torch framework but with the more popular Python APIs')."""
        for s in ids:
            for o in ids:
                for j in self.by_pair.get((s, o), []) if s != o else []:
                    record = self.facts[j]
                    for p, sentence in self._quotes(record):
                        clause = trim_sentence(sentence, a, limit=FACT_SENTENCE_WORDS)
                        found = CONTRAST_RE.search(clause)
                        # "X which was based on Y but with ...": the contrast qualifies the link, after both
                        before = clause[: found.start()] if found else ""
                        if (
                            found
                            and self._names(record.subject_name, before)
                            and self._names(record.object_name, before)
                        ):
                            return [Claim(clause, [(p, sentence)])], 0.85
        return None

    def _ends(self, j: int) -> set[str]:
        f = self.facts[j].fact
        return {f.subject, f.object} if f.object else {f.subject}

    def _gives_place(self, j: int, a: Analysis) -> bool:
        """Whether fact j names a place the question does not: an organisation or publication as its object, or in
        its words."""
        obj = self.facts[j].fact.object
        asked = {m.entity.id for m in a.mentions}  # "where are Synced Review's offices?": not Synced Review itself
        if obj and obj not in asked and self.corpus.facts.entity(obj).type in PLACE_TYPES:
            return True
        return names_a_place(self.facts[j].text, a)

    def _answerable(self, eid: str, a: Analysis) -> bool:
        """Whether the facts can answer the question's strongest relation (and type) for this entity."""
        top = max([*a.relation_scores.values(), *a.inverse_scores.values()], default=0.0)
        for inverse, scores in ((False, a.relation_scores), (True, a.inverse_scores)):
            for rel in (r for r, v in scores.items() if v == top):
                js = (self.by_object if inverse else self.by_subject).get((eid, rel), [])
                if not js and not inverse:
                    js = self._hop(eid, rel, a)
                if js and (a.wh not in ("when", "how many") or self._can_type(js, a.wh, inverse)):
                    return True
        return False

    def _evidence(self, r: FactRecord) -> str:
        return sentence_at(self.passages[r.passage_id], r.sentence)

    def _can_type(self, js: list[int], wh: str, inverse: bool) -> bool:
        records = [self.facts[j] for j in js]
        if any(has_type(wh, r.text) or (not inverse and has_type(wh, self._evidence(r))) for r in records):
            return True
        return not inverse and bool(self._dated(records, wh))

    def _dated(self, records: list[FactRecord], wh: str, a: Analysis | None = None) -> list[Claim]:
        """A fact of the answer's object that carries the asked type (the era's period for 'when'), when the
        fact's own sentence tells of the asked event ("when was TensorFlow released?": "Google open sourced
        TensorFlow", in the Iron Age); not "when was Keras merged into TensorFlow?" (Keras's era is another story)."""
        for r in records:
            if not r.fact.object or (a is not None and not self._tells_of(a, self._evidence(r))):
                continue
            for js in self.subject_facts.get(r.fact.object, []):
                for j in js:
                    f = self.facts[j]
                    if f.fact.value and has_type(wh, f.fact.value):
                        return self._fact_claims([f], inverse=False)
        return []

    def _tells_of(self, a: Analysis, sentence: str) -> bool:
        """Whether a sentence has one of the question's own words (beyond names and time words), itself or
        through a relation's synonyms ("released" / "open sourced"); true when the question has none."""
        residual = set(token_set(" ".join(a.content)))
        residual -= set(token_set(" ".join(n for m in a.mentions for n in m.entity.names)))
        residual -= set(token_set(" ".join(TIME_WORDS)))
        if not residual:
            return True
        said = set(token_set(sentence))
        if residual & said:
            return True
        return any(
            any(set(phrase) <= said for phrase in phrases)
            for phrases in self.understanding.rel_syn.values()
            if any(w in phrase for phrase in phrases for w in residual)
        )

    def _facts_for(self, eid: str, rel: str, inverse: bool) -> tuple[list[int], bool]:
        """Facts of (entity, relation); else one hop away ('the AlexNet paper's venue' via AlexNet -> paper)."""
        table = self.by_object if inverse else self.by_subject
        js = table.get((eid, rel), [])
        if js or inverse:
            return js, False
        return [], False

    def _hop(self, eid: str, rel: str, a: Analysis) -> list[int]:
        """Facts one hop away, when the question names the linked thing's kind ('the AlexNet paper')."""
        kind = self.corpus.facts.entity(eid).type
        # "which conference was ResNet published at?": no model has a venue; the paper that tells of it has
        papers_only = not any(self.corpus.facts.entity(s).type == kind for s, r in self.by_subject if r == rel)
        for linked in self.subject_facts.get(eid, []):
            for j in linked:
                obj = self.facts[j].fact.object
                if obj is None or (obj, rel) not in self.by_subject or self.facts[j].fact.relation in OTHER_THING:
                    continue  # "the Chainer framework": Chainer itself, not PyTorch, which its team moved to
                linked_kind = self.corpus.facts.entity(obj).type
                # "where were the AlexNet researchers based?": the affiliation of the person who made it
                by_person = linked_kind == "person" and (a.wh == "where" or bool(set(a.tokens) & PERSON_NOUNS))
                if linked_kind in a.tokens or by_person or (papers_only and linked_kind == "paper"):
                    return self.by_subject[(obj, rel)]
        # "which conference was Kaiming He's paper in?": the thing of the named kind that names him (not
        # "the Theano framework": the kind is Theano's own)
        for j in self.object_facts.get(eid, []):
            subject = self.facts[j].fact.subject
            linked_kind = self.corpus.facts.entity(subject).type
            if linked_kind in a.tokens and linked_kind != kind and (subject, rel) in self.by_subject:
                return self.by_subject[(subject, rel)]
        return []

    def _asks_something_else(self, a: Analysis, rel: str, claims: list[Claim]) -> bool:
        """'How many devices ...' answered with a parameter count: the asked noun is known to the
        corpus but neither the relation's words nor the answer mention it."""
        asked = a.asked
        if not asked or asked in a.unknown_words or asked in self.kinds or asked.rstrip("s") in self.kinds:
            return False
        if asked in PERSON_NOUNS or self.kind_names.named_by(asked):
            return False  # "which researcher ...": a kind of thing, checked by the names the answer gives
        if any(asked in (n.lower() for n in m.entity.names) for m in a.mentions):
            return False
        stem = set(token_set(asked))
        rel_words = set(
            token_set(" ".join([*self.corpus.facts.relations[rel].synonyms, self.corpus.facts.relations[rel].label]))
        )
        said = set(token_set(" ".join(c.text for c in claims)))
        return bool(stem) and not (stem & rel_words) and not (stem & said)

    def _left_out(self, a: Analysis, rel: str, claims: list[Claim]) -> set[str]:
        """The question's own words (beyond entity, relation and kind words) that neither the claims nor
        their evidence sentences contain."""
        residual = set(token_set(" ".join(a.content)))
        if a.question and not ONES_RE.search(a.question):
            # "AlexNet and ResNet kept breaking records. On which dataset were those set?": the story's words
            # are what the question is about, not what it asks (but "which ones ...?" asks for what it tells of)
            residual &= set(token_set(a.question))
        residual -= set(token_set(" ".join(a.context)))  # "after PyTorch took over, ...": when, not what is asked
        residual -= set(token_set(" ".join(n for m in a.mentions for n in m.entity.names)))
        relation = self.corpus.facts.relations[rel]
        residual -= set(token_set(" ".join([*relation.synonyms, *relation.inverse_synonyms, relation.label])))
        residual -= set(token_set(" ".join(self.kinds)))
        if rel not in self._descriptive and a.noun_phrase:  # "which (open source) projects ...": the kind named
            residual -= set(token_set(" ".join(a.noun_phrase)))
        said = set(token_set(" ".join([c.text for c in claims] + [q[1] for c in claims for q in c.quotes])))
        return residual - said

    def _leaves_out(self, a: Analysis, rel: str, claims: list[Claim]) -> int:
        return len(self._left_out(a, rel, claims))

    def _said_elsewhere(self, a: Analysis, rel: str, claims: list[Claim], eid: str) -> bool:
        """Whether the words a fact answer leaves out are all in one sentence about the entity (with its
        heading and the words it carries on from; some in the sentence itself): that sentence answers the
        question, not the fact."""
        left = self._left_out(a, rel, claims)
        if not left:
            return False
        name = set(token_set(" ".join(self.corpus.facts.entity(eid).names)))
        return any(
            left <= words and name & words and left & own
            for words, own in zip(self._sentence_words, self._own_words, strict=True)
        )

    def _explains(self, a: Analysis, sentence: str) -> float:
        """Share of the question's own words (beyond entity names) that a sentence has."""
        residual = set(token_set(" ".join(a.content)))
        residual -= set(token_set(" ".join(n for m in a.mentions for n in m.entity.names)))
        residual -= set(token_set(" ".join(TIME_WORDS)))  # "what year", "first": asked, not told
        return len(residual & set(token_set(sentence))) / len(residual) if residual else 1.0

    def _residual_cover(self, a: Analysis, rel: str, claims: list[Claim]) -> float:
        """Share of the question's own words (beyond entity and relation) that the claims contain."""
        residual = set(token_set(" ".join(a.content)))
        residual -= set(token_set(" ".join(n for m in a.mentions for n in m.entity.names)))
        residual -= set(token_set(" ".join(self.corpus.facts.relations[rel].synonyms)))
        residual -= set(token_set(" ".join(self.kinds)))  # "which framework": the kind, not a detail
        if rel == "era":  # "frameworks from the Iron Age": where they belong, no detail of one
            residual -= PLACING_WORDS
        if not residual:
            return 0.0
        said = set(token_set(" ".join(c.text for c in claims)))
        return len(residual & said) / len(residual)

    def _fact_claims(self, records: list[FactRecord], inverse: bool) -> list[Claim]:
        rel = self.corpus.facts.relations[records[0].fact.relation]
        quotes = [self._quotes(r) for r in records]
        if inverse and len(records) > 1:
            template = rel.inverse_template or rel.template
            subjects = join_names([r.subject_name for r in records])
            text = template.format(subject=subjects, object=records[0].object_name)
            return [Claim(pluralise(text, len(records)), [q for qs in quotes for q in qs])]
        if len(records) > 1 and all(
            r.fact.value is None and r.fact.subject == records[0].fact.subject for r in records
        ):
            text = rel.template.format(
                subject=records[0].subject_name, object=join_names([r.object_name for r in records])
            )
            return [Claim(text, [q for qs in quotes for q in qs])]
        if (
            len(records) > 1
            and all(r.fact.value is None and r.fact.object == records[0].fact.object for r in records)
            and len({r.fact.subject for r in records}) == len(records)
        ):  # "Caffe, Chainer and Theano belong to the Bronze Age": one sentence, not three
            text = rel.template.format(
                subject=join_names([r.subject_name for r in records]), object=records[0].object_name
            )
            unique = {(q[0].passage_id, q[1]): q for qs in quotes for q in qs}
            return [Claim(pluralise(text, len(records)), list(unique.values()))]
        return [Claim(r.text, qs) for r, qs in zip(records, quotes, strict=True)]

    def _quotes(self, r: FactRecord) -> list[tuple[Passage, str]]:
        """The evidence sentence, plus a sentence naming the object when the evidence does not."""
        p = self.passages[r.passage_id]
        first = (p, sentence_at(p, r.sentence))
        needle = r.object_name.lower().removeprefix("the ")
        if needle in first[1].lower() or len(needle) < 3:
            return [first]
        linked = [q for q in self.retriever.data.passages if set(q.refs) & set(p.refs)] + list(
            self.retriever.data.passages
        )
        for q in linked:
            for s in q.sentences:
                if needle in s.text.lower():
                    return [first, (q, s.text)]
        return [first]

    @staticmethod
    def _names(name: str, text: str) -> bool:
        """Whether text names a thing ('the University of Toronto' is named by 'University of Toronto')."""
        return bool(name) and name.lower().removeprefix("the ") in text.lower()

    @staticmethod
    def _is_label(quote: tuple[Passage, str]) -> bool:
        """A front-matter line, a section heading or a reference entry: a label, not a sentence to read."""
        p, text = quote
        return (
            p.section == METADATA_HEADING or text.strip() == p.section.strip() or REFERENCE_RE.match(text) is not None
        )

    @staticmethod
    def _restates(template: str, sentence: str) -> bool:
        """Whether a fact's answer already says most of its evidence sentence (numbers and all)."""
        said, evidence = set(token_set(template)), set(token_set(sentence))
        return bool(evidence) and len(evidence & said) >= RESTATED * len(evidence)
