"""Extractive answers: score the sentences of the retrieved passages against the question and answer
with the best one(s), trimmed, with what a title, a list or a continuing sentence adds; or nothing,
when the best sentence does not give what was asked (a date, a place, a person ...).

The third layer of the Answerer (see assistant.answer); it keeps no state of its own.
"""

from __future__ import annotations

import math
import re

import numpy as np

from assistant.chunking import Passage
from assistant.claims import APART_REACH, MAX_WORDS, TYPED_MARGIN, TYPED_REACH, Claim, Scored, room_left, word_count
from assistant.corpus import METADATA_HEADING
from assistant.fact_answers import (
    MAX_LIST,
    typed_noun,
)
from assistant.premises import (
    MAKER_PREFIXES,
    NAME_ASKED_RE,
    UNNAMED_RE,
    PremiseChecks,
)
from assistant.retrieval import Hit, token_set
from assistant.structural import is_role
from assistant.text import (
    AMOUNT_RE,
    BY_HOW_MUCH_RE,
    CONTINUES,
    COUNTS,
    CUES,
    ENUMERATOR_RE,
    LEANS_ON_CONTEXT,
    MIN_CLAUSE_WORDS,
    NUMBERED_ITEM_RE,
    ORDINALS,
    PERSONAL_PRONOUN,
    POLAR_RE,
    REFERS_BACK,
    announced,
    asked_item,
    asked_ordinal,
    both_of,
    clause_with,
    ends_a_clause,
    has_type,
    join_names,
    names_a_place,
    names_in,
    plain,
    quoted_phrase,
    trim_sentence,
)
from assistant.understanding import LIST_VERBS, PERSON_NOUNS, QUESTION_WORDS, Analysis, set_apart

# The word two named things are compared by: "faster than", "which is faster, X or Y", "prefer X or Y"
EXAMPLE_REACH = 6  # sentences read under a title for an example of the asked kind
# "how is X different from Y", "why was X more appealing than Y": what sets one apart from the other
EFFECT_END_RE = re.compile(r"[,;]\s|\s+and\s+(?=since|then|so|thus|therefore|hence)", re.I)
COUNTED_KIND_RE = re.compile(r"\b(two|three|four|five)\s+(\w+s)\b", re.I)  # "which two frameworks"
VAGUE_HEADS = frozenset(
    "area areas kind kinds type types sort sorts field fields domain domains aspect aspects part parts form forms "
    "thing things stuff".split()
)
# Sentence scoring weights, fitted on the 5 dev sets (405 questions) for how often the evidence
# sentence ranks first, with leave-one-set-out cross-validation (226 -> 245 of 312 held-out folds;
# 4 of 5 folds chose exactly these): meaning, share of the question's words, share of its rare
# (IDF-weighted) words, named entities, and the retrieval rank of the passage.
QUOTED = 1.0  # a sentence that says the words the question quotes comes first
W_COSINE, W_OVERLAP, W_RARE, W_ENTITY, W_RANK = 0.3, 0.1, 0.4, 0.05, 0.04
INHERITED = 0.9  # weight of the words a continuing sentence inherits from the sentence before
DATED_SHARE = 0.34  # with words the corpus never uses, a sentence dated by its section must have a third of
# the question's other words (or be this close in meaning: it tells of the asked event in other words)
DATED_COSINE = 0.55
ENUMERATION_REACH = 8  # sentences after "There are two trends ..." searched for "First ...", "Second ..."
LIST_INTRO_WORDS = 16  # words kept of the sentence that leads to a list of named items
TITLE_WORDS = 8  # a bullet's title is no longer than this
FOLLOW_ON_WHY = 2  # continuing sentences a why/how answer may add (measured: 1 -> 2 fixed one, 3 no more)


class ExtractiveAnswers(PremiseChecks):
    """Extractive answers; a layer of the Answerer."""

    sentence_row: dict[tuple[str, int], int]
    context_of: dict[tuple[str, int], tuple[frozenset[str], int]]
    _sentence_df: dict[str, int]
    _n_sentences: int

    def _scored_sentences(self, a: Analysis, hits: list[Hit], qvec: np.ndarray) -> list[Scored]:
        """Every sentence of the top passages, scored on meaning, words, named entities and type; best first."""
        qstems = set(token_set(a.text)) - set(token_set(" ".join(QUESTION_WORDS)))
        # "If frameworks are all imperative, how do they run fast?": the condition is not what is asked
        qstems = (qstems - set(token_set(" ".join(a.context)))) or qstems
        # "which framework came third behind TensorFlow and PyTorch?": the answer need not name those two
        apart = set_apart(a)
        apart_words = {w for m in a.mentions if m.entity.id in apart for w in token_set(m.surface)}
        qstems = (qstems - apart_words) or qstems
        # The document itself ("does the article describe ...") is where every sentence is, not a topic.
        # "does the writer think ...", "according to the author": a role that frames the question, no topic
        framing_role = a.wh != "who" and len(a.mentions) > 0
        names = [
            m.entity.names
            for m in {m.entity.id: m for m in a.mentions}.values()
            if m.entity.name not in self._titles and not (framing_role and is_role(m)) and m.entity.id not in apart
        ]
        q_weight = sum(self._idf(t) for t in qstems)
        scored: list[Scored] = []
        # "... in the 2019-2020 period?": every passage of the era the question names is read too
        era_names = [m.entity.names for m in a.mentions if m.entity.type == "era"]
        top = [h.passage_id for h in hits[:5]]
        quoted = self._quoted(a)  # "what is described as “the scaffolding of ...”?": the sentence that says it
        extra = [
            pid
            for pid, p in self.passages.items()
            if pid not in top
            and (
                (era_names and any(names_in(n, p.section.lower()) for n in era_names))
                or (quoted and quoted in plain(p.text))
            )
        ]
        for rank, pid in enumerate(top + extra):
            rank = min(rank, len(top))  # the era's other passages rank just after the retrieved ones
            p = self.passages[pid]
            if p.section == METADATA_HEADING:
                continue  # "author: Lin Yuan" is reached through the facts, not quoted as an answer
            head = set(token_set(p.section))
            for s_i, s in enumerate(p.sentences):
                vectors = self.retriever.data.sentence_vectors
                cos = float(vectors[self.sentence_row[(p.passage_id, s_i)]] @ qvec[0])
                stems = set(token_set(s.text)) | head
                shared = qstems & stems
                context = self.context_of.get((p.passage_id, s_i))
                inherited = (qstems & context[0]) - shared if context else set()
                if context:
                    cos = max(cos, (cos + float(vectors[context[1]] @ qvec[0])) / 2)
                overlap = (len(shared) + INHERITED * len(inherited)) / len(qstems) if qstems else 0.0
                rare = (
                    (sum(self._idf(t) for t in shared) + INHERITED * sum(self._idf(t) for t in inherited)) / q_weight
                    if q_weight
                    else 0.0
                )
                where = f"{p.section} {s.text}".lower()  # "Roman Times": named by the section's heading
                ent = sum(1 for n in names if names_in(n, where)) / len(names) if names else 1.0
                typed = 1.0 if has_type(a.wh, s.text) else 0.0
                cue = 1.0 if a.wh in CUES and CUES[a.wh].search(s.text) else 0.0
                score = (
                    QUOTED * (quoted is not None and quoted in plain(s.text))
                    + W_COSINE * cos
                    + W_OVERLAP * overlap
                    + W_RARE * rare
                    + W_ENTITY * ent
                    + 0.1 * typed
                    + 0.05 * cue
                    - W_RANK * rank
                )
                scored.append((score, cos, overlap, ent, p, s_i))
        scored.sort(key=lambda x: (-round(x[0], 6), x[4].passage_id, x[5]))
        # "every framework of the Roman Times": an era the question names is where the answer is told
        eras = [m.entity.names for m in a.mentions if m.entity.type == "era"]
        if eras:
            scored.sort(key=lambda x: not any(names_in(n, x[4].section.lower()) for n in eras))  # stable
        return scored

    def _quoted(self, a: Analysis) -> str | None:
        """The phrase the question quotes, when a sentence of the sources says it."""
        phrase = quoted_phrase(a.text)
        if phrase is None or any(plain(n) == phrase for m in a.mentions for n in m.entity.names):
            return None  # 'the author of "A Brief History of Deep Learning Frameworks"': a name, no quotation
        return phrase if any(phrase in plain(s.text) for p in self.passages.values() for s in p.sentences) else None

    def _idf(self, stem: str) -> float:
        """Inverse document frequency of a stem over the corpus's sentences: rare words weigh more."""
        return math.log((self._n_sentences + 1) / (self._sentence_df.get(stem, 0) + 0.5))

    def _extractive(self, a: Analysis, scored: list[Scored]) -> tuple[list[Claim], float]:
        """The best sentence_at(s) of the top passages (`scored`: from `_scored_sentences`)."""
        if not scored:
            return [], 0.0
        # The best sentence that gives what is asked (a date, a place, a company ...), if one comes close.
        # "which framework came third behind TensorFlow and PyTorch?": the sentence naming those two scores high
        # on their names alone, so another thing of the asked kind may come from further behind
        margin = TYPED_MARGIN * (APART_REACH if set_apart(a) else 1)
        typed = [x for x in scored[:TYPED_REACH] if scored[0][0] - x[0] <= margin and self._gives(a, x)]
        ordinal = asked_ordinal(a.text)
        if ordinal is not None and not scored[0][4].sentences[scored[0][5]].text.rstrip().endswith(":"):
            # "what was the second trend?": the sentence that says "Second ..." (a list after ":" is
            # picked from below)
            typed = [
                x
                for x in scored[:TYPED_REACH]
                if ENUMERATOR_RE.match(x[4].sentences[x[5]].text or "")
                and x[4].sentences[x[5]].text.lower().lstrip().startswith(ordinal)
            ] or typed
        counted = COUNTED_KIND_RE.search(a.text)
        kinds = self.kind_names.checkable(counted.group(2).lower()) if counted else None
        pattern = self.kind_names.pattern(kinds) if kinds else None
        if counted and pattern is not None:  # "which two frameworks ...?": the sentence that names two of them
            want = COUNTS[counted.group(1).lower()]
            naming = [
                x
                for x in scored[: 2 * TYPED_REACH]
                if len({m.group(0) for m in pattern.finditer(x[4].sentences[x[5]].text.lower())}) == want
            ]
            typed = naming[:1] or typed
        if BY_HOW_MUCH_RE.search(a.text):  # "by how much did it win?": the sentence that gives an amount
            typed = [x for x in scored[:TYPED_REACH] if AMOUNT_RE.search(x[4].sentences[x[5]].text)] or typed
        _score, cos, overlap, ent, p, s_i = typed[0] if typed else scored[0]
        claims = [Claim(trim_sentence(p.sentences[s_i].text, a), [(p, p.sentences[s_i].text)])]
        chosen = p.sentences[s_i].text
        titled = self.reading.is_title(p, s_i, TITLE_WORDS) or (
            ENUMERATOR_RE.match(chosen) is not None and len(chosen.split()) <= TITLE_WORDS
        )
        if titled:  # "Unified API standards.", "First is large model training.": a title; what it says follows
            claims += self._example_under(p, s_i, a) or self._read_on(p, s_i, a, claims, FOLLOW_ON_WHY)
        if a.wh == "who" and PERSONAL_PRONOUN.search(chosen) and not self.kind_names.names_a_person(chosen):
            named = self.reading.earlier_naming(
                p, s_i, self.kind_names.names_a_person
            )  # "He served ...": who "he" is, said earlier
            if named is not None:
                claims.insert(0, Claim(trim_sentence(named[1], a), [named]))
        if p.sentences[s_i].text.rstrip().endswith(":"):
            pick = asked_ordinal(a.text)
            return self._list_after(p, s_i, None if pick is None else ORDINALS[pick]), max(
                0.0, min(1.0, (0.55 * max(cos, 0.0) + 0.45 * overlap) * 1.6)
            )
        if a.wh in ("why", "how", "list", "which") or "list" in a.tokens or a.plural:
            # "which companies ...": the clauses naming them, after the sentence that leads to them (kept
            # short to leave room for them)
            intro = [Claim(trim_sentence(chosen, a, limit=LIST_INTRO_WORDS), claims[0].quotes), *claims[1:]]
            items = self._kind_items(p, s_i, a, intro)
            if items:
                claims = intro
            # "There are two trends ...": the sentences that name them, before any rival sentence
            second = items or self._enumerated(p, s_i, a, claims) or self._second(scored, p, s_i, claims, a)
            if not items and second and second[0].quotes[0] == self.reading.quote(self.reading.next(p, s_i)):
                second = []  # the rival is the sentence that follows: read on from there instead
            if not second:  # no close rival: what the sentence leads to ("These tools include ...")
                most = FOLLOW_ON_WHY if a.wh in ("why", "how") else 1
                second = self._enumerated(p, s_i, a, claims) or self._read_on(p, s_i, a, claims, most, continuing=True)
            quoted = {q[1] for c in claims for q in c.quotes}
            claims += [c for c in second if not (c.quotes and {q[1] for q in c.quotes} <= quoted)]  # said already
            if (
                a.wh == "why"
                and not (titled and len(claims) > 1)
                and (  # a title's reasons follow it
                    (len(claims) == 1 and not CUES["why"].search(chosen))
                    or CONTINUES.match(chosen)
                    or REFERS_BACK.match(chosen)  # "This outstanding result sparked ...": the result is the cause
                )
            ):  # no reason given in or after it, or "This indicates ...": the cause is said just before
                before = self._cause_before(p, s_i, a, claims) or self._cause_before(p, s_i, a, claims[:1])
                if not before and REFERS_BACK.match(chosen):  # a short effect leaves room for a long cause
                    effect = EFFECT_END_RE.split(chosen, maxsplit=1)[0].rstrip(" .") + "."  # up to "and since then"
                    claims = [Claim(effect, claims[0].quotes)]
                    before = self._cause_before(p, s_i, a, claims)
                if before and not self._about_the_question(a, before[0].text):
                    before = []  # "And Amazon adopted MXNet" before a sentence about PyTorch: no cause of it
                claims = before + (claims if len(before) and self._fits([*before, *claims]) else claims[:1])
        elif a.wh in ("what", "other"):
            phrase = self._quoted(a)
            said_it = bool(phrase and phrase in plain(chosen))  # the sentence says the quoted words
            listing = a.plural or (bool(a.tokens) and a.tokens[0] in LIST_VERBS)  # "name the compilers ...": "They are"
            refers_back = REFERS_BACK.match(chosen) or (listing and LEANS_ON_CONTEXT.match(chosen))
            if (refers_back and not self._names_answer(a, chosen)) or (
                said_it and (REFERS_BACK.match(chosen) or LEANS_ON_CONTEXT.match(chosen))
            ):
                # "This abstraction became the de facto ... API": what "this abstraction" is, said just before;
                # "what is described as “the scaffolding ...”?": "They are the scaffolding ..." tells of "they"
                head = claims[0].text.split(":")[0].rstrip() + "." if said_it and ":" in claims[0].text else None
                if head is not None and phrase is not None and phrase in plain(head):
                    claims = [Claim(head, claims[0].quotes), *claims[1:]]  # "They are the scaffolding ...", then who
                claims = self._cause_before(p, s_i, a, claims) + claims
            claims += self._enumerated(p, s_i, a, claims) or self._read_on(p, s_i, a, claims, 1, continuing=True)
        elif a.wh == "when" and not has_type("when", claims[0].text) and REFERS_BACK.match(chosen):
            # "This outstanding result sparked ...": the result, and its date, are told just before
            before = self._cause_before(p, s_i, a, [])
            if before and has_type("when", before[0].text):
                claims = before + claims if self._fits([*before, *claims]) else before
        elif (
            a.wh == "when"
            and not has_type("when", claims[0].text)
            and has_type("when", p.section)
            and (not a.unknown_words or self._explains(a, p.sentences[s_i].text) >= DATED_SHARE or cos >= DATED_COSINE)
        ):  # not "when was Caffe donated ...?" with a sentence about Caffe that never says "donated"
            # The date is the section's ("Iron Age (2015~2016)"): say so, citing the heading too.
            claims = [Claim(f"{claims[0].text.rstrip('.!?')} ({p.section}).", [*claims[0].quotes, (p, p.section)])]
        if a.wh == "which" and REFERS_BACK.match(chosen) and not self._names_answer(a, chosen):
            claims = self._cause_before(p, s_i, a, claims) + claims  # "which abstraction ...?": "This abstraction"
        # Confidence: meaning and word agreement of the best sentence, scaled by how much of the
        # question the corpus knows, whether it names the asked-about entity and gives the asked
        # type (a date for "when", a number for "how many"); monotone in each.
        base = 0.55 * max(cos, 0.0) + 0.45 * overlap
        confidence = base * 1.6 * min(1.0, a.coverage + 0.2) * (0.6 + 0.4 * ent)
        amount = BY_HOW_MUCH_RE.search(a.text) is not None and AMOUNT_RE.search(chosen) is not None
        if not has_type(a.wh, claims[0].text) and not both_of(a, claims[0].text) and not amount:
            return [], 0.0  # asked for a date or a number that the best sentence does not give
        if a.wh == "how many" and self._counts_another(a, chosen):
            return [], 0.0  # "how many parameters does ResNet have?": a number, but of AlexNet and GPT-3
        if a.wh == "when" and not self._tells_of(a, chosen) and cos < DATED_COSINE:
            return [], 0.0  # "when was JAX released?": a dated sentence about JAX that tells of no release
        if self._asks_for_agent(a) and not self.kind_names.names_an_agent(" ".join(c.text for c in claims), a):
            return [], 0.0  # "who created Theano?": the best sentence names no one
        if self._agent_kind(a) and not self._tells_relation(a, " ".join(c.text for c in claims)):
            return [], 0.0  # "which company developed Horovod?": a sentence naming companies, not its making
        if a.wh == "where" and not names_a_place(" ".join(c.text for c in claims), a):
            return [], 0.0  # "where is Waymo headquartered?": the sentence names no other place
        if a.head in PERSON_NOUNS and not self.kind_names.names_a_person(" ".join(c.text for c in claims)):
            return [], 0.0  # "the name of the person who invented Caffe?": the sentence names no one
        unnamed = UNNAMED_RE.search(chosen)
        if (
            (a.wh == "who" or NAME_ASKED_RE.search(a.text) is not None)
            and unnamed is not None
            and any(t.startswith((unnamed.group(1).lower()[:5], *MAKER_PREFIXES)) for t in a.tokens)
            and not self.kind_names.names_a_person(chosen)
        ):  # "who invented Caffe?", "the Caffe inventor's name?": "The inventor of Caffe joined Facebook" never names him
            return [], 0.0
        said = " ".join(c.text for c in claims)
        if self._about_someone_else(a, p, s_i):
            return [], 0.0  # "which university did Kaiming He attend?": "He received his Ph.D." is Lin Yuan
        if a.wh == "other" and POLAR_RE.match(a.text) and a.unknown_words and self._explains(a, said) == 0.0:
            return [], 0.0  # "did Keras ever win an award?": a sentence about Keras that says nothing of it
        if (
            a.wh == "other"
            and POLAR_RE.match(a.text)
            and len(a.entity_ids) >= 2
            and not any(self.by_pair.get((x, y)) for x in a.entity_ids for y in a.entity_ids if x != y)
            and max(a.relation_scores.values(), default=0.0) >= 1.0
            and not a.has_pronoun  # "did Microsoft do anything like that with its own framework?": a follow-up
            and not self._tells_relation(a, said, agents_only=False)
        ):  # "did Chollet work at Google?": things the facts never link, a sentence that tells of no working
            return [], 0.0
        if (
            a.wh == "who"
            and a.unknown_words
            and self._explains(a, said) == 0.0
            and not self._tells_relation(a, said, agents_only=False)
        ):  # "who founded Waymo?": the sources never say "founded", and the sentence tells of no such act
            return [], 0.0
        if not self.kind_names.names_asked_kind(" ".join(c.text for c in claims), a):
            return [], 0.0  # "what dataset was GPT-3 trained on?": the sentence names no dataset
        if a.wh == "where" and self._unstated_event(a):
            return [], 0.0  # "where was he born?": the sources never use the word, so never say where
        form = typed_noun(a)
        if form is not None and (
            not form[1].search(said)  # "what's the latest version of MXNet?": a sentence with no version
            or not all(names_in(m.entity.names, said.lower()) for m in a.mentions)
        ):  # "which TensorFlow version introduced eager execution?": the version of another thing
            return [], 0.0
        if self._other_head(a, said):
            return [], 0.0  # "what programming language ...?" answered with a "programming style"
        if all(c.quotes for c in claims) and REFERS_BACK.match(chosen):
            # "These two distinct programming styles ..." follows the sentence that names them
            claims.sort(key=lambda c: (self.reading.position(c.quotes[0][0]), c.quotes[0][0].text.find(c.quotes[0][1])))
        return claims, max(0.0, min(1.0, confidence))

    def _numbered(self, a: Analysis) -> tuple[list[Claim], float]:
        """'What is the fifth reference?', 'ref [2]': the item of the sources' numbered list that opens
        with that number ('[5] Announcing ...'); no claim when the list has no such item."""
        item = asked_item(a.text)
        numbered: dict[int, tuple[Passage, str]] = {}
        for p in self.retriever.data.passages:
            for sentence in p.sentences:
                found = NUMBERED_ITEM_RE.match(sentence.text)
                if found is not None:
                    numbered.setdefault(int(found.group(1)), (p, sentence.text))
        wanted = max(numbered, default=0) if item == -1 else item
        if wanted not in numbered:
            return [], 0.0
        p, text = numbered[wanted]
        return [Claim(NUMBERED_ITEM_RE.sub("", text).strip(), [(p, text)])], 1.0

    def _about_someone_else(self, a: Analysis, p: Passage, s_i: int) -> bool:
        """Whether the sentence tells of 'he' or 'she' who, named earlier, is not the person the question
        names."""
        people = [m.entity for m in a.mentions if m.entity.type == "person"]
        sentence = p.sentences[s_i].text
        if (
            not people
            or not PERSONAL_PRONOUN.search(sentence)
            or any(names_in(e.names, sentence.lower()) for e in people)
        ):
            return False
        named = self.reading.earlier_naming(p, s_i, self.kind_names.names_a_person)
        return named is not None and not any(names_in(e.names, named[1].lower()) for e in people)

    @staticmethod
    def _other_head(a: Analysis, text: str) -> bool:
        """A near miss: the answer has the asked phrase's modifier but not its noun ('programming style'
        for 'what programming language ...?')."""
        if len(a.asked_phrase) < 2 or a.asked_phrase[-1] in VAGUE_HEADS:
            return False  # "which task areas ...": "tasks such as computer vision" answers it
        said = set(token_set(text))
        head = set(token_set(a.asked_phrase[-1]))
        modifiers = set(token_set(" ".join(a.asked_phrase[:-1])))
        return bool(head) and not head & said and bool(modifiers & said)

    def _gives(self, a: Analysis, x: Scored) -> bool:
        """Whether a scored sentence names the kind of thing asked for (a place, a person, a company ...).
        Not a date or a number: any dated sentence has one, so these do not tell the right one."""
        text = x[4].sentences[x[5]].text
        return (
            (a.wh != "where" or names_a_place(text, a))
            and (a.head not in PERSON_NOUNS or self.kind_names.names_a_person(text))
            and self.kind_names.names_asked_kind(text, a)
        )

    def _cause_before(self, p: Passage, s_i: int, a: Analysis, claims: list[Claim] | None = None) -> list[Claim]:
        """'During this time, practitioners had to do heavy lifting': a why-answer whose sentence gives
        no reason, nor any that follows; the cause is often the sentence just before, in the same section.
        It is trimmed to the room the answer's `claims` leave (the chosen sentence alone when not given)."""
        before = self.reading.previous(p, s_i)
        if before is None:
            return []
        text = before[0].sentences[before[1]].text
        taken = [Claim(trim_sentence(p.sentences[s_i].text, a), [])] if claims is None else claims
        room = room_left(taken)
        if room < MIN_CLAUSE_WORDS:
            return []
        trimmed = trim_sentence(text, a, limit=min(48, room))
        if trimmed != text and (not ends_a_clause(text, trimmed) or len(trimmed.split()) < 2 * MIN_CLAUSE_WORDS):
            return []  # "... implemented either manually or via.", "Recently developed framework, such as OneFlow."
        return [Claim(trimmed, [(before[0], text)])]

    def _about_the_question(self, a: Analysis, sentence: str) -> bool:
        """Whether a sentence names one of the question's things or has one of its own words, or at least
        names no other thing ('And Amazon adopted MXNet' is about something else)."""
        lowered = sentence.lower()
        if any(names_in(m.entity.names, lowered) for m in a.mentions) or self._explains(a, sentence) > 0:
            return True
        return not self._names_answer(a, sentence)  # "They lacked GPU support": about no other thing either

    @staticmethod
    def _fits(claims: list[Claim]) -> bool:
        """Whether the claims, with a marker each, stay within the answer's word limit."""
        return room_left(claims) >= -2

    def _names_answer(self, a: Analysis, sentence: str) -> bool:
        """Whether a sentence names a thing the question does not (the answer may be in it)."""
        asked = {m.entity.id for m in a.mentions}
        lowered = sentence.lower()
        return any(
            names_in(e.names, lowered)
            for e in self.corpus.facts.entities
            if e.id not in asked and e.type not in ("concept", "era")
        )

    def _example_under(self, p: Passage, s_i: int, a: Analysis) -> list[Claim]:
        """'Which framework is an example of unified API standards?': under a title, the first sentence
        that names a thing of the asked kind (other than those the question names), before the next title."""
        kinds = self.kind_names.named_by(a.head) if a.head else None
        if not kinds:
            return []
        at = self.reading.next(p, s_i)
        for _ in range(EXAMPLE_REACH):
            if at is None or self.reading.is_title(at[0], at[1], TITLE_WORDS):
                return []
            text = at[0].sentences[at[1]].text
            if self.kind_names.names_of(kinds, text, a):
                return [Claim(trim_sentence(text, a), [(at[0], text)])]
            at = self.reading.next(*at)
        return []

    def _read_on(
        self, p: Passage, s_i: int, a: Analysis | None, claims: list[Claim], most: int, *, continuing: bool = False
    ) -> list[Claim]:
        """Up to `most` next sentences of the section, each trimmed to the words left under the answer's
        limit. With `continuing`, only while each carries on from the one before ('This caused ...',
        'These tools include ...', 'They are ...'): reasons, items and consequences follow what they explain."""
        out: list[Claim] = []
        for q, text in self.reading.following(p, s_i, most):
            room = room_left([*claims, *out])
            if room < MIN_CLAUSE_WORDS or (continuing and not CONTINUES.match(text)):
                break
            out.append(Claim(trim_sentence(text, a, limit=min(48, room)), [(q, text)]))
        return out

    def _kind_items(self, p: Passage, s_i: int, a: Analysis, claims: list[Claim]) -> list[Claim]:
        """'Big tech companies that joined in the Iron Age': the next sentences of the section that each
        name another thing of the asked kind (Google ..., Facebook ..., Microsoft ..., Amazon ...)."""
        kinds = self.kind_names.checkable(a.head) if a.plural else None
        pattern = self.kind_names.pattern(kinds) if kinds else None
        if pattern is None:
            return []
        seen = {n.lower() for m in a.mentions for n in m.entity.names}
        named = {f.group(0) for f in pattern.finditer(p.sentences[s_i].text.lower())} - seen
        if len(named) >= 2:
            return []  # the sentence names them itself ("TensorFlow and PyTorch")
        seen |= named
        out: list[Claim] = []
        for q, text in self.reading.following(p, s_i, ENUMERATION_REACH):
            found = [f for f in pattern.finditer(text.lower()) if f.group(0) not in seen]
            if not found:
                continue
            clause = clause_with(text, found[0].start())
            if word_count(clause) > room_left([*claims, *out]):
                break
            out.append(Claim(clause, [(q, text)]))
            seen |= {f.group(0) for f in pattern.finditer(clause.lower())}
        return out

    def _enumerated(self, p: Passage, s_i: int, a: Analysis, claims: list[Claim]) -> list[Claim]:
        """'There are two trends ...': the sentences that go on to name them ('First is ...', 'Second
        trend is ...'), further on in the same section; nothing unless all the announced items are found."""
        wanted = announced(p.sentences[s_i].text)
        out: list[Claim] = []
        for q, text in self.reading.following(p, s_i, ENUMERATION_REACH):
            if len(out) == wanted:
                break
            if ENUMERATOR_RE.match(text):
                room = room_left([*claims, *out])
                out.append(Claim(trim_sentence(text, a, limit=max(MIN_CLAUSE_WORDS, min(48, room))), [(q, text)]))
        return out if wanted >= 2 and len(out) == wanted else []

    def _list_after(self, p: Passage, s_i: int, pick: int | None = None) -> list[Claim]:
        """A sentence that ends with ':' introduces a list: gather the items that follow it."""
        intro = p.sentences[s_i].text.rstrip().rstrip(":")
        items: list[tuple[Passage, str]] = []
        passages = self.retriever.data.passages
        start = passages.index(p) + 1
        for q in passages[start:]:
            if q.section != p.section or len(items) >= MAX_LIST:
                break
            head = q.sentences[0].text
            if len(head.split()) <= 8:  # a bullet's own short title
                items.append((q, head))
        if not items:
            return [Claim(intro + ".", [(p, p.sentences[s_i].text)])]
        if pick is not None and -len(items) <= pick < len(items):
            # "What is the second trend?": that item, and what it says
            q, title = items[pick]
            said = self._read_on(q, 0, None, [Claim(title, [])], 1)
            return [Claim(title, [(q, title)]), *said]
        names = join_names([t.rstrip(".") for _, t in items])
        return [Claim(f"{intro}: {names}.", [(p, p.sentences[s_i].text), *items])]

    def _second(
        self,
        scored: list[Scored],
        p: Passage,
        s_i: int,
        claims: list[Claim],
        a: Analysis,
    ) -> list[Claim]:
        best = scored[0][0]
        for score, _cos, _ov, _ent, q, q_i in scored[1:4]:
            if score >= best - 0.06 and (q is not p or q_i != s_i):
                text = trim_sentence(q.sentences[q_i].text, a)
                if word_count(claims[0].text) + word_count(text) + 2 <= MAX_WORDS:
                    return [Claim(text, [(q, q.sentences[q_i].text)])]
        return []
