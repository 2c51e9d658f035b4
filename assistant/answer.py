"""Short cited answers without a language model: facts first, extractive otherwise, or an abstention."""

from __future__ import annotations

import math
import re
import threading

import numpy as np
from pydantic import BaseModel, Field

from assistant.acronyms import asked_abbreviation, find_expansion
from assistant.chunking import Passage
from assistant.claims import MAX_WORDS, TYPED_MARGIN, TYPED_REACH
from assistant.claims import Claim as _Claim
from assistant.claims import Scored as _Scored
from assistant.conversation import History, Turn, clean_question, normalise_history
from assistant.corpus import METADATA_HEADING, Corpus
from assistant.errors import InvalidQuestion
from assistant.followups import FollowUps
from assistant.index import FactRecord
from assistant.kinds import Kinds
from assistant.reading import Reading
from assistant.retrieval import Hit, Retriever, token_set
from assistant.settings import RetrievalMode, Settings
from assistant.structural import MAKING_RELATIONS, REFERENCE_RE, StructuralAnswers, is_role
from assistant.text import (
    ABSTAINED,
    AGAINST_RE,
    AGENT_TYPES,
    AMOUNT_RE,
    BOTH_RE,
    BY_HOW_MUCH_RE,
    CONTINUES,
    COUNTS,
    CUES,
    ENUMERATOR_RE,
    ITEM_WORDS,
    LABEL_RE,
    LEANS_ON_CONTEXT,
    LINK_RE,
    MARKER_RE,
    MIN_CLAUSE_WORDS,
    NAMING_RE,
    NUMBERED_ITEM_RE,
    ORDINALS,
    PERSON_PRONOUN_RE,
    PERSONAL_PRONOUN,
    PLACE_TYPES,
    POLAR_RE,
    REFERS_BACK,
    SOFTWARE,
    TIME_WORDS,
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
    pluralise,
    sentence_at,
    shorten,
    surface_re,
    trim_sentence,
)
from assistant.understanding import PERSON_NOUNS, QUESTION_WORDS, Analysis, Understanding, english_words, squash

# "what does the author conclude from that?": what the article says after what was just answered
CARRY_ON_RE = re.compile(
    r"\b(conclude|concludes|conclusion|imply|implies|implication|mean|means|indicate|indicates|follows?|"
    r"what happened next|what came next|and then|after that|what next|consequence|so what|"
    r"lead to|leads to|led to|result in|results in|resulted in)\b",
    re.I,
)
THAT_RE = re.compile(r"\b(that|this|it|then|next)\b", re.I)
CARRY_ON_SHARE = 0.6  # share of an answer's words an article sentence must have to be the one it told
NEVER_SAID = "never mention"  # the wording of abstentions about a thing the sources never name
NEVER_CREDITED = "never say who is behind"  # ... about a maker the sources never name
CONNECTIVE_RE = re.compile(
    r"^(?:and|but|also|similarly|likewise|however|moreover|in addition|on the other hand|at the same time|"
    r"among them|among these frameworks)\b,?\s+",
    re.I,
)
SECOND_WH_RE = re.compile(r"(?:\band|,)\s+(when|where|how many)\b", re.I)
COUNTED_TYPES = frozenset({"model", "framework", "library", "compiler", "dataset", "paper"})  # things a number is of
_VERSION_RE = re.compile(r"\b\d+\.\d+")
_MONEY_RE = re.compile(r"[$€£¥]|\b(dollars?|euros?|usd|pounds?)\b", re.I)
# Nouns whose answer has a form of its own: a version number, an amount of money
_TYPED_NOUNS = {
    "version": _VERSION_RE,
    "versions": _VERSION_RE,
    "cost": _MONEY_RE,
    "costs": _MONEY_RE,
    "price": _MONEY_RE,
}
MAKER_WORDS = ("inventor", "creator", "founder", "developer", "author", "maker", "designer")
MAKER_PREFIXES = tuple(w[:5] for w in MAKER_WORDS)  # "invented" ~ "inventor", "created" ~ "creator"
# The word two named things are compared by: "faster than", "which is faster, X or Y", "prefer X or Y"
EXAMPLE_REACH = 6  # sentences read under a title for an example of the asked kind
YEAR_RE = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?![\d.,]\d)")  # "2012", "2021+", not "2,0190"
COMPARED_BY_RE = re.compile(
    r"\b(\w+er)\s+than\b|\bwhich (?:\w+ )?is (\w+er)\b|\b(prefers?|preferred|favou?rs?|recommends?)\b", re.I
)
NOT_COMPARATIVES = frozenset("rather other either neither whether ever never over under after further".split())
PREFERRED = {"prefer": "preferred", "favour": "favoured", "favor": "favored", "recommend": "recommended"}
SIZE_WORDS = frozenset(
    "bigger biggest larger largest smaller smallest more most less fewer greater older newer".split()
)
# "how is X different from Y", "why was X more appealing than Y": what sets one apart from the other
EFFECT_END_RE = re.compile(r"[,;]\s|\s+and\s+(?=since|then|so|thus|therefore|hence)", re.I)
EXACT_DATE_RE = re.compile(
    r"\b(?:when|what date|which date) exactly\b|\bexact (?:date|day|month)\b|\b(?:what|which) (?:month|day|date)\b"
    r"|\bon what (?:day|date)\b",
    re.I,
)
# "what year was Keras released?": one year is asked for; an era's span of years does not give it
YEAR_ASKED_RE = re.compile(r"\b(?:what|which)\s+year\b|\byear\s+(?:did|was|were|is)\b", re.I)
SPAN_RE = re.compile(r"~?\d{4}\s*[~–-]\s*\d{4}|~\d{4}|\d{4}\+")  # "2015~2016", "~2012", "2021+"
FULL_DATE_RE = re.compile(
    r"\b\d{4}-\d\d-\d\d\b|\b(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december)\b",
    re.I,
)
# Relations to another thing of the same standing, never a part or a description of the subject
OTHER_THING = frozenset(
    {"team_moved_to", "successor_of", "based_on", "style_from", "duopoly_with", "relative_of", "assimilated_by"}
)
COUNTED_KIND_RE = re.compile(r"\b(two|three|four|five)\s+(\w+s)\b", re.I)  # "which two frameworks"
DIFFER_RE = re.compile(r"\b(differ\w*|distinguish\w*|unlike|sets? \w+ apart|more appealing|improve\w*)\b", re.I)
CONTRAST_RE = re.compile(r"\b(but|whereas|unlike|instead of|rather than)\b", re.I)
NAME_ASKED_RE = re.compile(r"\b(?:name|named|called)\b", re.I)  # "what's the name of ...", "what is he called"
UNNAMED_RE = re.compile(r"\bthe ({})s? of\b".format("|".join(MAKER_WORDS)), re.I)
VAGUE_HEADS = frozenset(
    "area areas kind kinds type types sort sorts field fields domain domains aspect aspects part parts form forms "
    "thing things stuff".split()
)
RESTATED = 0.6  # share of an evidence sentence's words a fact answer may say before the sentence adds nothing
ARTICLE_REF_RE = re.compile(r"(?:^|\s+)\[\d+\](?=[\s.,;:!?]|$)")
MAX_LIST = 8


class Citation(BaseModel):
    """A numbered source of the answer: the passage, and the sentence_at(s) that support the claim."""

    n: int = Field(description="the marker number used in the answer, [n]")
    passage_id: str
    source: str = Field(description="document title and section label")
    section: str
    text: str = Field(description="the full passage text")
    quote: str = Field(description="the sentence_at(s) of the passage that support the answer")
    start: int = Field(description="offset of the passage in its document")
    end: int


class Answer(BaseModel):
    """What `ask()` returns."""

    question: str
    answer: str
    abstained: bool
    confidence: float = Field(ge=0, le=1)
    citations: list[Citation] = Field(default_factory=list)
    hits: list[Hit] = Field(default_factory=list)
    method: str = Field(description="facts, extractive or abstain")
    resolved_question: str = Field(description="the question after resolving a follow-up against the history")


# Things someone makes: a question for their maker that the facts cannot answer is not answered.
MADE_TYPES = frozenset({"framework", "library", "tool", "compiler", "model", "dataset", "paper"})
# The asked-about agent is the subject of another verb: "which company did the inventor of X join?",
# "the person who created X went to work for ...?"
EMBEDDED_RE = re.compile(r"\b(did|does|do)\b|\w\s+who\b", re.IGNORECASE)


def typed_noun(a: Analysis) -> tuple[str, re.Pattern[str]] | None:
    """The question's noun whose answer has a form of its own ('version' -> a version number), if any."""
    return next(((word, rx) for word, rx in _TYPED_NOUNS.items() if word in a.tokens), None)


def word_count(text: str) -> int:
    """Words as a reader counts them, markers included ('[1]' is one word)."""
    return len(re.sub(r"\]\[", "] [", text).split())


RESIDUAL_LEFT = 2  # question words a fact answer may leave unexplained (what/which questions); more: extractive
# Sentence scoring weights, fitted on the 5 dev sets (405 questions) for how often the evidence
# sentence ranks first, with leave-one-set-out cross-validation (226 -> 245 of 312 held-out folds;
# 4 of 5 folds chose exactly these): meaning, share of the question's words, share of its rare
# (IDF-weighted) words, named entities, and the retrieval rank of the passage.
W_COSINE, W_OVERLAP, W_RARE, W_ENTITY, W_RANK = 0.3, 0.1, 0.4, 0.05, 0.04
CONTEXT_SENTENCES = 2  # how far back a continuing sentence's context reaches
INHERITED = 0.9  # weight of the words a continuing sentence inherits from the sentence before
DATED_SHARE = 0.34  # with words the corpus never uses, a sentence dated by its section must have a third of
# the question's other words (or be this close in meaning: it tells of the asked event in other words)
DATED_COSINE = 0.55
ENUMERATION_REACH = 8  # sentences after "There are two trends ..." searched for "First ...", "Second ..."
KIND_FIT = 3.0  # score for a fact whose answer is of the asked kind ("which frameworks ...")
LIST_INTRO_WORDS = 16  # words kept of the sentence that leads to a list of named items
AGAINST = 0.5  # penalty for facts of the thing a question compares against ("X over Y": Y's facts)
TITLE_WORDS = 8  # a bullet's title is no longer than this
FOLLOW_ON_WHY = 2  # continuing sentences a why/how answer may add (measured: 1 -> 2 fixed one, 3 no more)
FACT_SENTENCE_WORDS = 30  # a what/which fact answer adds its evidence sentence, trimmed to this many words


class Answerer(StructuralAnswers):
    """Turns a question (and history) into an Answer, using one retriever and the corpus facts."""

    def __init__(self, corpus: Corpus, retriever: Retriever, settings: Settings) -> None:
        self.corpus = corpus
        self.retriever = retriever
        self.settings = settings
        self.understanding = Understanding(corpus, english_words(settings.resolved_model_path()))
        self._naming: dict[str, list[int]] = {}
        self._note: str | None = None
        self._naming_lock = threading.Lock()
        self.kind_names = Kinds(corpus)
        self.kinds = self.kind_names.types
        self.followups = FollowUps(self.understanding, corpus, self.kind_names, self._answerable)
        self.passages = {p.passage_id: p for p in retriever.data.passages}
        self.reading = Reading(retriever.data.passages, corpus.documents)
        self._titles = {d.title for d in corpus.documents}
        # The latest year the sources name: a question about a later one asks what they cannot know.
        self._years = {y for d in corpus.documents for y in YEAR_RE.findall(d.text)}
        self._latest_year = max((int(y) for y in self._years), default=None)
        # Relations whose objects are people or organisations (who made, developed, published ...).
        # relations whose facts hold a description, not another thing ("what happened to CNTK")
        self._descriptive = corpus.facts.descriptive_relations()
        # things the facts tie to a person or organisation, either way round ("who made Chainer?": none)
        kind_of = corpus.facts.entity
        self._tied_to_agents = {
            end
            for f in corpus.facts.facts
            if f.object
            for end, other in ((f.subject, f.object), (f.object, f.subject))
            if kind_of(other).type in AGENT_TYPES
        }
        # relations that describe a person or organisation in words ("Lin Yuan is a Staff Software Engineer")
        self._about_agents = {
            f.relation for f in corpus.facts.facts if f.value and corpus.facts.entity(f.subject).type in AGENT_TYPES
        }
        self._agent_relations = {
            f.relation for f in corpus.facts.facts if f.object and corpus.facts.entity(f.object).type in AGENT_TYPES
        }
        # Relations the facts give of people ("works at", "education"): asked of another person, unknown
        self._person_relations = {
            f.relation for f in corpus.facts.facts if corpus.facts.entity(f.subject).type == "person"
        }
        # Relations that link one thing to another ("discontinued by"), not to an era or a value.
        self._linking_relations = {
            f.relation for f in corpus.facts.facts if f.object and corpus.facts.entity(f.object).type != "era"
        }
        # Sentence frequency of every stem (a sentence counts with its section heading, as it is scored).
        self._sentence_df: dict[str, int] = {}
        self._n_sentences = 0
        for p in retriever.data.passages:
            head = set(token_set(p.section))
            for sentence in p.sentences:
                self._n_sentences += 1
                for t in set(token_set(sentence.text)) | head:
                    self._sentence_df[t] = self._sentence_df.get(t, 0) + 1
        self.facts = retriever.data.facts
        self.by_subject: dict[tuple[str, str], list[int]] = {}
        self.by_object: dict[tuple[str, str], list[int]] = {}
        self.by_pair: dict[tuple[str, str], list[int]] = {}  # (subject, object): the facts that link them
        for j, f in enumerate(self.facts):
            self.by_subject.setdefault((f.fact.subject, f.fact.relation), []).append(j)
            if f.fact.object:
                self.by_object.setdefault((f.fact.object, f.fact.relation), []).append(j)
                self.by_pair.setdefault((f.fact.subject, f.fact.object), []).append(j)
        # Each subject's fact lists, in (subject, relation) order: what _dated and _hop walk through.
        self.subject_facts: dict[str, list[list[int]]] = {}
        for (subject, _rel), js in sorted(self.by_subject.items()):
            self.subject_facts.setdefault(subject, []).append(js)
        # The sentence-vector row of each (passage, sentence).
        self.sentence_row: dict[tuple[str, int], int] = {}
        row = 0
        for p in retriever.data.passages:
            for s in range(len(p.sentences)):
                self.sentence_row[(p.passage_id, s)] = row
                row += 1
        # A sentence that carries on from the ones before ("This outstanding result sparked ...") is
        # about what they name: it inherits their words and the previous sentence's vector row.
        self.context_of: dict[tuple[str, int], tuple[frozenset[str], int]] = {}
        for p in retriever.data.passages:
            for s_i, sentence in enumerate(p.sentences):
                before = self.reading.previous(p, s_i)
                if before is None or not CONTINUES.match(sentence.text):
                    continue
                words: set[str] = set()
                at: tuple[Passage, int] | None = before
                for _ in range(CONTEXT_SENTENCES):
                    if at is None:
                        break
                    words |= set(token_set(at[0].sentences[at[1]].text))
                    at = self.reading.previous(*at)
                self.context_of[(p.passage_id, s_i)] = (
                    frozenset(words),
                    self.sentence_row[(before[0].passage_id, before[1])],
                )
        # Each sentence's words with its section heading's and those it carries on from (as it is
        # scored): what _said_elsewhere looks through.
        self._sentence_words = [
            frozenset(token_set(f"{p.section} {sentence.text}"))
            | self.context_of.get((p.passage_id, s_i), (frozenset(), 0))[0]
            for p in retriever.data.passages
            for s_i, sentence in enumerate(p.sentences)
        ]
        self._own_words = [frozenset(token_set(s.text)) for p in retriever.data.passages for s in p.sentences]

    # ------------------------------------------------------------ entry point

    def ask(
        self,
        question: object,
        history: History | None = None,
        *,
        k: int | None = None,
        mode: RetrievalMode | None = None,
    ) -> Answer:
        text = clean_question(question)
        turns = self._with_own_answer(normalise_history(history))
        first = self.understanding.analyse(self.understanding.correct(text))
        fixed = first.text
        for m in first.mentions:
            # "tensorflw", "mx net" -> "TensorFlow", "MXNet", for search and facts
            respaced = m.surface != m.entity.name and squash(m.surface) == squash(m.entity.name)  # "mx net"
            if (m.fuzzy or respaced) and m.entity.name not in self._titles:
                fixed = surface_re(m.surface).sub(m.entity.name, fixed, count=1)
        if fixed != first.text:
            first = self.understanding.analyse(fixed)
        k = k or self.settings.k
        carried = self._carries_on(text, first, turns, k, mode)
        if carried is not None:
            return carried
        resolved, analysis = self.followups.resolve(first.text, first, turns)
        result = self._answer(text, resolved, analysis, k, mode)
        prev_user = next((t.content for t in reversed(turns) if t.role == "user"), None)
        if prev_user and first.wh in ("when", "where") and not first.content and turns[-1].role == "assistant":
            result = self._dated_by_answer(text, resolved, result, prev_user, turns[-1].content, k, mode)
        # "they never mention any license", "they never say who is behind Theano": no retry can change that
        definite = NEVER_SAID in result.answer or NEVER_CREDITED in result.answer
        # "what's his name?" when no person was named before: no earlier question can name him either
        definite = definite or (
            resolved == first.text and bool(PERSON_PRONOUN_RE.search(text)) and bool(NAME_ASKED_RE.search(text))
        )
        if (
            result.abstained
            and not definite
            and prev_user
            and (first.has_pronoun or first.elliptical)
            and not first.mentions
        ):
            # "what's the downside of relying on them?": read with the previous question as context.
            combined = f"{resolved} {prev_user}"
            retry = self._answer(text, combined, self.understanding.analyse(combined), k, mode)
            if not retry.abstained:
                return retry
        return result

    def _dated_by_answer(
        self, text: str, resolved: str, result: Answer, prev_user: str, said: str, k: int, mode: RetrievalMode | None
    ) -> Answer:
        """'and when?' after 'Which team moved to PyTorch?' / 'The Chainer team.': the event is the question
        and its answer together; after 'Who proposed ResNet?' / 'Kaiming He et al.' the question alone.
        Both are read; the answer whose quotes name more of the things they name wins (the question
        alone on a tie)."""
        said = LABEL_RE.sub("", MARKER_RE.sub("", said)).strip()
        if not said or said in resolved:
            return result
        combined = f"{resolved} {said}"
        other = self._answer(text, combined, self.understanding.analyse(combined), k, mode)
        names = [m.entity.names for m in self.understanding.analyse(f"{prev_user} {said}").mentions]

        def named(answer: Answer) -> int:
            quoted = " ".join(c.quote for c in answer.citations).lower()
            return 0 if answer.abstained else 1 + sum(names_in(n, quoted) for n in names)

        return other if named(other) > named(result) else result

    def _carries_on(
        self, text: str, first: Analysis, turns: list[Turn], k: int, mode: RetrievalMode | None
    ) -> Answer | None:
        """'What does the author conclude from that?' after an answer: what the article says right after
        the sentence that answer told ('This indicates that there is still a large gap ...')."""
        named = [m for m in first.mentions if not is_role(m) and m.entity.name not in self._titles]  # not "the author"
        if named or not CARRY_ON_RE.search(text) or not turns or turns[-1].role != "assistant":
            return None
        if not THAT_RE.search(text) or turns[-1].content.startswith(ABSTAINED):
            return None
        said = set(token_set(MARKER_RE.sub("", turns[-1].content)))
        if len(said) < 3:
            return None
        # the article's sentence the answer told: most of its words are there
        best = max(
            (
                (len(said & set(token_set(x.text))) / len(said), p, i)
                for p in self.passages.values()
                for i, x in enumerate(p.sentences)
            ),
            key=lambda t: (round(t[0], 6), -self.reading.position(t[1]), -t[2]),
        )
        if best[0] < CARRY_ON_SHARE:
            return None
        after = self.reading.next(best[1], best[2])
        if after is None:
            return None
        q, sentence = after[0], after[0].sentences[after[1]].text
        answer, citations = self._compose([_Claim(trim_sentence(sentence, first), [(q, sentence)])])
        hits = self.retriever.retrieve(
            text, k=k, mode=mode or self.settings.mode, qvec=self.retriever.query_vector(text)
        )
        return Answer(
            question=text,
            answer=answer,
            abstained=False,
            confidence=round(best[0] * 0.8, 4),
            citations=citations,
            hits=[self._hit(q.passage_id, hits), *[h for h in hits if h.passage_id != q.passage_id]][:k],
            method="extractive",
            resolved_question=f"{text} (that: {shorten(best[1].sentences[best[2]].text)})",
        )

    def _answer(self, text: str, resolved: str, analysis: Analysis, k: int, mode: RetrievalMode | None) -> Answer:
        """Answer the resolved question (or abstain); `text` is the question as asked."""
        qvec = self.retriever.query_vector(resolved)
        boost = self._entity_boost(analysis)
        hits = self.retriever.retrieve(resolved, k=max(k, 5), mode=mode or self.settings.mode, qvec=qvec, boost=boost)
        names = [m.entity.name if " " not in m.entity.name else m.surface for m in analysis.mentions]
        abbreviation = asked_abbreviation(analysis.text, names) if analysis.wh in ("what", "other") else None
        # "what does FAIR stand for?": only where the sources spell it out, however the question is worded
        spelled = find_expansion(abbreviation, self.passages.values()) if abbreviation else None
        if spelled is not None:
            claim = _Claim(f"{spelled.abbreviation} stands for {spelled.words}", [(spelled.passage, spelled.sentence)])
            return self._answered(text, resolved, [claim], 0.9, "extractive", hits, k)
        why_not = self._out_of_scope(analysis)
        if why_not:
            return self._abstain(text, resolved, why_not, hits[:k], 0.0)
        if abbreviation is not None:
            return self._abstain(text, resolved, f"no passage spells out {abbreviation}", hits[:k], 0.0)
        if (
            analysis.asked in analysis.unknown_words
            and analysis.asked_directly
            and not NAMING_RE.fullmatch(analysis.asked)  # "what label does the author give ...": a name is asked
        ):  # "what license ...": a thing never named
            return self._abstain(text, resolved, f"they {NEVER_SAID} any {analysis.asked}", hits[:k], 0.0)
        only = self._only_ordinal(analysis)
        if only:  # "who is the second author of the ResNet paper?": the references give only the first
            return self._abstain(text, resolved, f"they give only the {only}", hits[:k], 0.0)
        unlinked = self._unlinked_event(analysis)
        if unlinked is not None:  # "why did Google abandon TensorFlow?": the sources never say it did
            return self._abstain(text, resolved, f"they never say that {unlinked}", hits[:k], 0.0)
        claim_conf = self._from_facts(analysis, qvec)
        method = "facts"
        uncredited = self._uncredited(analysis) if claim_conf is None else None
        if uncredited is not None:  # "who developed Chainer?": the facts tie Chainer to no one
            return self._abstain(text, resolved, f"they {NEVER_CREDITED} {uncredited}", hits[:k], 0.0)
        unstated = self._unstated_of_agent(analysis) if claim_conf is None else None
        if unstated is not None:  # "where was François Chollet working?": the facts give no one's but Lin Yuan's
            return self._abstain(text, resolved, f"no passage gives that for {unstated}", hits[:k], 0.0)
        if claim_conf is None:
            if (
                analysis.asked
                and analysis.asked in analysis.unknown_words
                # "which framework lets you ...": a verb; "what is deepspeed used for": a name
                and (analysis.asked_closed or analysis.asked not in self.understanding.english)
            ):
                return self._abstain(text, resolved, f"they {NEVER_SAID} any {analysis.asked}", hits[:k], 0.0)
            claim_conf = self._count(analysis) if analysis.wh == "how many" else None
            if claim_conf is None and self._asks_item_only(analysis):
                claim_conf, method = self._numbered(analysis), "extractive"
            if claim_conf is None:
                scored = self._scored_sentences(analysis, hits, qvec)
                claim_conf = self._extractive(analysis, scored)
                method = "extractive"
                if not claim_conf[0] and analysis.wh == "how many":
                    claim_conf = self._count_listed(analysis, scored) or claim_conf
        claims, confidence = claim_conf
        said = " ".join(c.text for c in claims)
        if claims and EXACT_DATE_RE.search(analysis.text) and not FULL_DATE_RE.search(said):
            # "when exactly ...?", "what month ...?": a year or an era's years are no answer
            return self._abstain(text, resolved, "no passage gives the exact date", hits[:k], 0.0)
        if (
            claims
            and YEAR_ASKED_RE.search(analysis.text)
            and not any(m.entity.type == "era" for m in analysis.mentions)
            and SPAN_RE.search(said)
            and not YEAR_RE.search(SPAN_RE.sub("", said))
        ):  # "what year was Keras first released?": the article gives only its era's span
            span = SPAN_RE.search(said).group(0)  # type: ignore[union-attr]
            return self._abstain(text, resolved, f"no passage gives the year, only a span ({span})", hits[:k], 0.0)
        unmatched = self._unmatched_comparison(analysis, said) if claims else None
        if unmatched:  # "is PyTorch faster than TensorFlow?": a sentence naming both never says "faster"
            said = PREFERRED.get(unmatched.rstrip("s"), unmatched)
            return self._abstain(text, resolved, f"they never say which is {said}", hits[:k], 0.0)
        if not claims or confidence < self.settings.min_confidence:
            reason = "no passage states it clearly enough" if claims else self._nothing_typed(analysis)
            return self._abstain(text, resolved, reason, hits[:k], confidence)
        return self._answered(text, resolved, claims, confidence, method, hits, k)

    def _answered(
        self, text: str, resolved: str, claims: list[_Claim], confidence: float, method: str, hits: list[Hit], k: int
    ) -> Answer:
        """The answer made of the claims, the passages it cites ranked first among the hits."""
        answer, citations = self._compose(claims)
        cited = [c.passage_id for c in citations]
        extra = [self._hit(pid, hits) for pid in cited if pid not in {h.passage_id for h in hits}]
        hits = sorted([*hits, *extra], key=lambda h: cited.index(h.passage_id) if h.passage_id in cited else len(cited))
        return Answer(
            question=text,
            answer=answer,
            abstained=False,
            confidence=round(confidence, 4),
            citations=citations,
            hits=hits[:k],
            method=method,
            resolved_question=resolved,
        )

    # ------------------------------------------------------------ follow-ups

    def _with_own_answer(self, turns: list[Turn]) -> list[Turn]:
        """A history of questions only: add what this engine answered to the last one.

        The answer is deterministic, so re-answering gives what the user saw, and a follow-up can
        then refer to its subject ("Which framework did FAIR release?" -> "What was it based on?").
        """
        if not turns or turns[-1].role != "user":
            return turns
        # questions only: the answers to the last two ("List the early frameworks", "Which of them were
        # declarative?", then "and the other one?" needs both lists)
        last = 2 if all(t.role == "user" for t in turns) else 1
        out = list(turns[: len(turns) - last])
        for t in turns[len(turns) - last :]:
            out.append(t)
            if t.role != "user":
                continue
            try:
                previous = self.ask(t.content, [u.model_dump() for u in out[:-1] if u.role == "user"][-2:])
            except InvalidQuestion:
                continue
            if not previous.abstained:
                out.append(Turn(role="assistant", content=previous.answer))
        return out

    # ------------------------------------------------------------ scope

    def _out_of_scope(self, a: Analysis) -> str | None:
        """A reason to abstain before answering, or None."""
        if self.understanding.foreign(a):
            return "most of the question's words are not English, the language of the sources"
        if a.unknown_names:
            names = ", ".join(dict.fromkeys(a.unknown_names))
            return f"the sources never mention {names}"
        later = [int(y) for y in YEAR_RE.findall(a.text) if self._latest_year and int(y) > self._latest_year]
        if later:  # "which framework will lead in 2030?"
            return f"they name no year after {self._latest_year}, so nothing of {later[0]}"
        unnamed = [y for y in YEAR_RE.findall(a.text) if y not in self._years]
        if unnamed:  # "who won ImageNet in 2014?": a year the sources never name
            return f"they never name the year {unnamed[0]}"
        if not a.content:
            return "the question names nothing to look up" if not a.mentions else None
        if (a.coverage < 0.5 or (a.coverage <= 0.5 and not a.mentions)) and not self._asks_item_only(a):
            return "most of the question's words never occur in the sources"
        return None

    @staticmethod
    def _unmatched_comparison(a: Analysis, said: str) -> str | None:
        """The word a question compares two named things by ('faster', 'prefer'), when the answer does not
        say it; sizes ('bigger', 'more popular') are told by numbers or other words, so they are not checked."""
        found = COMPARED_BY_RE.search(a.text)
        preference = bool(found and found.group(3))  # "which framework does Lin Yuan prefer?": one thing will do
        if len({m.entity.id for m in a.mentions}) < (1 if preference else 2):
            return None
        word = next((g for g in found.groups() if g), "").lower() if found else ""
        if (
            not word
            or word in SIZE_WORDS
            or word in NOT_COMPARATIVES
            or (found and found.group(3) and a.wh in ("why", "how"))
        ):
            return None  # "why would someone prefer X over Y?" asks for X's advantage, not for a verdict
        return None if set(token_set(word)) <= set(token_set(said)) else word

    def _only_ordinal(self, a: Analysis) -> str | None:
        """A relation the facts hold for one rank only ('first author'), asked for another rank ('the second
        author', 'a co-author'): the label of the one they hold."""
        if a.wh not in ("who", "what", "which", "other", "list"):
            return None  # "where were Krizhevsky and his co-authors based?": the co-authors are no question
        for rel in self.corpus.facts.relations.values():
            rank, _, noun = rel.label.partition(" ")
            if rank not in ORDINALS or not noun:
                continue
            others = "|".join([*(o for o in ORDINALS if o not in (rank, "former", "latter")), "co-?", "other"])
            if re.search(rf"\b(?:{others})\s*{re.escape(noun)}s?\b", a.text, re.I):
                return rel.label
        return None

    @staticmethod
    def _asks_item_only(a: Analysis) -> bool:
        """'What is the last reference?': the only words the sources lack say which item of a list."""
        if asked_item(a.text) is None:
            return False
        bracketed = re.search(r"\[\d{1,2}\]", a.text) is not None  # "what does [2] point to?"
        return bracketed or all(w.isdigit() or w in ORDINALS or w in ITEM_WORDS for w in a.unknown_words)

    def _entity_boost(self, a: Analysis) -> dict[int, float]:
        """Passages whose text names a question's entity get a small lift (typos included)."""
        boost: dict[int, float] = {}
        for eid in a.entity_ids:
            for i in self._passages_naming(eid):
                boost[i] = boost.get(i, 0.0) + 0.004
        return boost

    def _passages_naming(self, eid: str) -> list[int]:
        """Positions of the passages that name an entity (by any alias), computed once per entity."""
        with self._naming_lock:
            if eid not in self._naming:
                names = self.corpus.facts.entity(eid).names
                self._naming[eid] = [
                    i for i, p in enumerate(self.retriever.data.passages) if names_in(names, p.text.lower())
                ]
            return self._naming[eid]

    # ------------------------------------------------------------ facts

    def _from_facts(self, a: Analysis, qvec: np.ndarray) -> tuple[list[_Claim], float] | None:
        """Answer from the structured facts when the question asks a relation of a known entity."""
        ids = a.entity_ids
        role = (
            self._role_named(a)
            or self._named_by_value(a)
            or self._dated_neighbour(a)
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
            made = self._made_by(a)
            if made is not None:
                return made
        if a.wh in ("why", "how") or not a.mentions or not (a.relation_scores or a.inverse_scores):
            return None
        fv = self.retriever.data.fact_vectors
        best: tuple[float, float, list[int], bool, str, bool, str] | None = None
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
                        and not any(
                            self.corpus.facts.entity(self.facts[j].fact.subject).type in AGENT_TYPES for j in js
                        )
                    ):
                        continue  # "who authored the BERT paper?": not BERT, which the paper describes
                    if a.wh in ("when", "how many") and not self._can_type(js, a.wh, inverse):
                        continue  # cannot give the date or number that was asked for
                    if a.wh == "where" and not any(self._gives_place(j, a) for j in js):
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
                    if best is None or score > best[0]:
                        best = (score, kw, js, inverse, rel, hop, eid)
        if best is None:
            return None
        score, kw, js, inverse, rel, hop, eid = best
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
        records = self._most_to_the_point(a, rel, records)[:MAX_LIST]
        claims = self._fact_claims(records, inverse)
        if not has_type(a.wh, " ".join(c.text for c in claims)) and not inverse:
            claims += self._dated(records, a.wh, a)  # "when was TensorFlow released?": its era's dates
        typed = a.wh in ("when", "how many") and has_type(a.wh, " ".join(c.text for c in claims))
        if kw < 1.0 and score < 1.2 and not typed:
            return None  # only a generic word ("which", "is") pointed at the relation
        if kw < 1.0 and a.unknown_words:
            return None  # "when was MXNet donated ...": its era says nothing of an event never named
        # The template answers the relation; the evidence sentence may answer more of the question.
        unique = {(q[0].passage_id, q[1]): q for c in claims for q in c.quotes}
        sentences = [_Claim(trim_sentence(q[1], a), [q]) for q in unique.values()]
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
            detail = _Claim(trim_sentence(quote[1], a, limit=FACT_SENTENCE_WORDS), [quote])
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
        if a.wh == "where" and not (
            names_a_place(" ".join(c.text for c in claims), a) or any(self._gives_place(j, a) for j in js)
        ):
            return None  # "where was he based ...?" answered with a date
        if a.head in PERSON_NOUNS and not self.kind_names.names_a_person(" ".join(c.text for c in claims)):
            return None  # "which person ...?" answered with a company
        if not self.kind_names.names_asked_kind(" ".join(c.text for c in claims), a):
            return None  # "which company acquired Keras?" answered with a person
        form = typed_noun(a)
        if form is not None and not form[1].search(" ".join(c.text for c in claims)):
            return None  # "what is the newest version of Apache TVM?": its is-a fact gives no version
        fits_kind = self._kind_fits(a, js, inverse, ids) > 0  # "which two frameworks ...": the facts name them
        if a.wh in ("what", "which", "other") and not fits_kind and self._said_elsewhere(a, rel, claims, eid):
            return None  # "what did AlexNet's outstanding result spark?": "This outstanding result sparked ..."
        if a.wh in ("what", "which", "other") and self._leaves_out(a, rel, claims) > RESIDUAL_LEFT:
            return None  # "What did AlexNet's result spark?": the fact explains none of "spark"
        fuzzy = all(m.fuzzy for m in a.mentions)
        confidence = min(0.98, 0.7 + 0.1 * min(score, 2.0) + (0.0 if fuzzy else 0.05))
        return claims, confidence

    def _most_to_the_point(self, a: Analysis, rel: str, records: list[FactRecord]) -> list[FactRecord]:
        """Of several facts of one relation ('Lin Yuan's roles'), those whose sentence has the most of the
        question's own words beyond names and the relation ('chair a session' -> the session chair)."""
        if len(records) < 2:
            return records
        # the whole sentence of each fact: "Before joining Waymo, he was working at Amazon AI ..." says "before"
        covered = [self._residual_cover(a, rel, [_Claim(" ".join(q[1] for q in self._quotes(r)), [])]) for r in records]
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

    def _link(self, a: Analysis, ids: list[str], qvec: np.ndarray) -> tuple[list[_Claim], float] | None:
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
            claims.append(_Claim(trim_sentence(quote[1], a, limit=FACT_SENTENCE_WORDS), [quote]))
        return claims, 0.85

    def _names_no_one(self, rel: str) -> bool:
        """A relation whose facts link things to things or give dates and titles, never to a person or
        organisation, nor describe one ('role', 'works on'): no answer to a who-question."""
        return rel not in self._agent_relations and rel not in self._about_agents

    def _other_era(self, eid: str, eras: set[str]) -> bool:
        """Whether the facts place a thing in an era other than the ones the question names."""
        placed = {self.facts[j].fact.object for j in self.by_subject.get((eid, "era"), [])}
        return bool(placed) and not placed & eras

    def _made_by(self, a: Analysis) -> tuple[list[_Claim], float] | None:
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
        return [_Claim(trim_sentence(quote[1], a, limit=FACT_SENTENCE_WORDS), [quote])], 0.8

    def _contrast(self, a: Analysis, ids: list[str]) -> tuple[list[_Claim], float] | None:
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
                            return [_Claim(clause, [(p, sentence)])], 0.85
        return None

    def _ends(self, j: int) -> set[str]:
        f = self.facts[j].fact
        return {f.subject, f.object} if f.object else {f.subject}

    def _gives_place(self, j: int, a: Analysis) -> bool:
        """Whether fact j names a place: an organisation or publication as its object, or in its words."""
        obj = self.facts[j].fact.object
        if obj and self.corpus.facts.entity(obj).type in PLACE_TYPES:
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

    def _dated(self, records: list[FactRecord], wh: str, a: Analysis | None = None) -> list[_Claim]:
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
        return []

    def _asks_something_else(self, a: Analysis, rel: str, claims: list[_Claim]) -> bool:
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

    def _left_out(self, a: Analysis, rel: str, claims: list[_Claim]) -> set[str]:
        """The question's own words (beyond entity, relation and kind words) that neither the claims nor
        their evidence sentences contain."""
        residual = set(token_set(" ".join(a.content)))
        residual -= set(token_set(" ".join(n for m in a.mentions for n in m.entity.names)))
        relation = self.corpus.facts.relations[rel]
        residual -= set(token_set(" ".join([*relation.synonyms, *relation.inverse_synonyms, relation.label])))
        residual -= set(token_set(" ".join(self.kinds)))
        if rel not in self._descriptive and a.noun_phrase:  # "which projects ...": the kind of thing named
            residual -= set(token_set(a.noun_phrase[-1]))
        said = set(token_set(" ".join([c.text for c in claims] + [q[1] for c in claims for q in c.quotes])))
        return residual - said

    def _leaves_out(self, a: Analysis, rel: str, claims: list[_Claim]) -> int:
        return len(self._left_out(a, rel, claims))

    def _said_elsewhere(self, a: Analysis, rel: str, claims: list[_Claim], eid: str) -> bool:
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

    def _residual_cover(self, a: Analysis, rel: str, claims: list[_Claim]) -> float:
        """Share of the question's own words (beyond entity and relation) that the claims contain."""
        residual = set(token_set(" ".join(a.content)))
        residual -= set(token_set(" ".join(n for m in a.mentions for n in m.entity.names)))
        residual -= set(token_set(" ".join(self.corpus.facts.relations[rel].synonyms)))
        residual -= set(token_set(" ".join(self.kinds)))  # "which framework": the kind, not a detail
        if not residual:
            return 0.0
        said = set(token_set(" ".join(c.text for c in claims)))
        return len(residual & said) / len(residual)

    def _fact_claims(self, records: list[FactRecord], inverse: bool) -> list[_Claim]:
        rel = self.corpus.facts.relations[records[0].fact.relation]
        quotes = [self._quotes(r) for r in records]
        if inverse and len(records) > 1:
            template = rel.inverse_template or rel.template
            subjects = join_names([r.subject_name for r in records])
            text = template.format(subject=subjects, object=records[0].object_name)
            return [_Claim(pluralise(text, len(records)), [q for qs in quotes for q in qs])]
        if len(records) > 1 and all(
            r.fact.value is None and r.fact.subject == records[0].fact.subject for r in records
        ):
            text = rel.template.format(
                subject=records[0].subject_name, object=join_names([r.object_name for r in records])
            )
            return [_Claim(text, [q for qs in quotes for q in qs])]
        return [_Claim(r.text, qs) for r, qs in zip(records, quotes, strict=True)]

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

    # ------------------------------------------------------------ extractive

    def _scored_sentences(self, a: Analysis, hits: list[Hit], qvec: np.ndarray) -> list[_Scored]:
        """Every sentence of the top passages, scored on meaning, words, named entities and type; best first."""
        qstems = set(token_set(a.text)) - set(token_set(" ".join(QUESTION_WORDS)))
        # The document itself ("does the article describe ...") is where every sentence is, not a topic.
        # "does the writer think ...", "according to the author": a role that frames the question, no topic
        framing_role = a.wh != "who" and len(a.mentions) > 0
        names = [
            m.entity.names
            for m in {m.entity.id: m for m in a.mentions}.values()
            if m.entity.name not in self._titles and not (framing_role and is_role(m))
        ]
        q_weight = sum(self._idf(t) for t in qstems)
        scored: list[_Scored] = []
        # "... in the 2019-2020 period?": every passage of the era the question names is read too
        era_names = [m.entity.names for m in a.mentions if m.entity.type == "era"]
        top = [h.passage_id for h in hits[:5]]
        extra = [
            pid
            for pid, p in self.passages.items()
            if era_names and pid not in top and any(names_in(n, p.section.lower()) for n in era_names)
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
                    W_COSINE * cos
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

    def _idf(self, stem: str) -> float:
        """Inverse document frequency of a stem over the corpus's sentences: rare words weigh more."""
        return math.log((self._n_sentences + 1) / (self._sentence_df.get(stem, 0) + 0.5))

    def _extractive(self, a: Analysis, scored: list[_Scored]) -> tuple[list[_Claim], float]:
        """The best sentence_at(s) of the top passages (`scored`: from `_scored_sentences`)."""
        if not scored:
            return [], 0.0
        # The best sentence that gives what is asked (a date, a place, a company ...), if one comes close.
        typed = [x for x in scored[:TYPED_REACH] if scored[0][0] - x[0] <= TYPED_MARGIN and self._gives(a, x)]
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
        claims = [_Claim(trim_sentence(p.sentences[s_i].text, a), [(p, p.sentences[s_i].text)])]
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
                claims.insert(0, _Claim(trim_sentence(named[1], a), [named]))
        if p.sentences[s_i].text.rstrip().endswith(":"):
            pick = asked_ordinal(a.text)
            return self._list_after(p, s_i, None if pick is None else ORDINALS[pick]), max(
                0.0, min(1.0, (0.55 * max(cos, 0.0) + 0.45 * overlap) * 1.6)
            )
        if a.wh in ("why", "how", "list", "which") or "list" in a.tokens or a.plural:
            # "which companies ...": the clauses naming them, after the sentence that leads to them (kept
            # short to leave room for them)
            intro = [_Claim(trim_sentence(chosen, a, limit=LIST_INTRO_WORDS), claims[0].quotes), *claims[1:]]
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
                    claims = [_Claim(effect, claims[0].quotes)]
                    before = self._cause_before(p, s_i, a, claims)
                if before and not self._about_the_question(a, before[0].text):
                    before = []  # "And Amazon adopted MXNet" before a sentence about PyTorch: no cause of it
                claims = before + (claims if len(before) and self._fits([*before, *claims]) else claims[:1])
        elif a.wh in ("what", "other"):
            if REFERS_BACK.match(chosen) and not self._names_answer(a, chosen):
                # "This abstraction became the de facto ... API": what "this abstraction" is, said just before
                claims = self._cause_before(p, s_i, a, claims) + claims
            claims += self._enumerated(p, s_i, a, claims) or self._read_on(p, s_i, a, claims, 1, continuing=True)
        elif (
            a.wh == "when"
            and not has_type("when", claims[0].text)
            and has_type("when", p.section)
            and (not a.unknown_words or self._explains(a, p.sentences[s_i].text) >= DATED_SHARE or cos >= DATED_COSINE)
        ):  # not "when was Caffe donated ...?" with a sentence about Caffe that never says "donated"
            # The date is the section's ("Iron Age (2015~2016)"): say so, citing the heading too.
            claims = [_Claim(f"{claims[0].text.rstrip('.!?')} ({p.section}).", [*claims[0].quotes, (p, p.section)])]
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
        things = [m.entity.names for m in a.mentions if m.entity.type in COUNTED_TYPES]
        if a.wh == "how many" and things and not any(names_in(n, chosen.lower()) for n in things):
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
        if form is not None and not form[1].search(said):
            return [], 0.0  # "what's the latest version of MXNet?": a sentence about MXNet with no version in it
        if self._other_head(a, said):
            return [], 0.0  # "what programming language ...?" answered with a "programming style"
        if all(c.quotes for c in claims) and REFERS_BACK.match(chosen):
            # "These two distinct programming styles ..." follows the sentence that names them
            claims.sort(key=lambda c: (self.reading.position(c.quotes[0][0]), c.quotes[0][0].text.find(c.quotes[0][1])))
        return claims, max(0.0, min(1.0, confidence))

    def _numbered(self, a: Analysis) -> tuple[list[_Claim], float]:
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
        return [_Claim(NUMBERED_ITEM_RE.sub("", text).strip(), [(p, text)])], 1.0

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

    def _nothing_typed(self, a: Analysis) -> str:
        """Why no sentence could answer: the asked type was missing, or nothing matched at all."""
        if asked_item(a.text) is not None:
            return "their numbered list has no such item"
        compared = self._unmatched_comparison(a, "")
        if compared:  # "is MXNet slower than Caffe2?"
            return f"they never say which is {PREFERRED.get(compared.rstrip('s'), compared)}"
        if a.wh == "other" and POLAR_RE.match(a.text):
            return "no passage says so either way"  # "did Keras ever win an award?"
        if a.wh == "when":
            return "no passage gives the date asked for"
        if a.wh == "how many":
            return "no passage gives the number asked for"
        if self._asks_for_agent(a) or a.wh == "who":
            return "no passage says who"
        if NAME_ASKED_RE.search(a.text) and any(t.startswith(MAKER_PREFIXES) for t in a.tokens):
            return "no passage names the person"  # "what's the name of the Caffe inventor?"
        if a.wh == "where":
            return "no passage says where"
        if a.head in PERSON_NOUNS:
            return "no passage names the person"
        if a.head and not self.kind_names.names_asked_kind("", a):  # "which company acquired Keras?"
            return f"no passage names the {a.head}"
        form = typed_noun(a)
        if form is not None:  # "what's the latest version of MXNet?"
            return f"no passage gives the {form[0]}"
        if len(a.asked_phrase) >= 2:  # "what programming language ...": a style, but no language
            return f"no passage gives the {' '.join(a.asked_phrase)}"
        return "nothing in the sources matches the question"

    def _unstated_of_agent(self, a: Analysis) -> str | None:
        """The person (or organisation) a question asks a person's relation of (where they worked, studied,
        are based), when the facts, which give that relation for people, give it none the question names."""
        top = max(a.relation_scores.values(), default=0.0)
        asked = [rel for rel, v in a.relation_scores.items() if v == top and v >= 1.0]
        if len(asked) != 1 or asked[0] not in self._person_relations:
            return None
        named = {rel for rel, v in a.relation_scores.items() if v >= 0.5}
        # a person, or an organisation asked what only people have ("where is Waymo based?")
        agents = [m.entity for m in a.mentions if m.entity.type in ("person", "organisation") and not is_role(m)]
        if len(agents) != 1:
            return None
        eid = agents[0].id
        if any(self.by_subject.get((eid, rel)) for rel in named):
            return None
        return agents[0].name

    def _unstated_event(self, a: Analysis) -> bool:
        """A word of the question the sources never use ("born", "grow up"), other than a word for the
        person asked about ("the AlexNet guy", "its creator")."""
        asked = {  # "its creator": a word for who made the thing, not for something that happened
            w
            for rel, v in a.relation_scores.items()
            if v >= 1.0 and rel in self._agent_relations
            for p in self.understanding.rel_syn[rel]
            for w in p
        }
        return any(w not in PERSON_NOUNS and not set(token_set(w)) <= asked for w in a.unstated)

    def _unlinked_event(self, a: Analysis) -> str | None:
        """The event a why/how/when-question takes for granted, when the sources never tell it: one named
        thing did something to another ("why did Google abandon TensorFlow?"), in a relation's words, and
        no fact links the two. The facts hold every link the article draws between two things."""
        if a.wh not in ("why", "how", "when"):
            return None
        named = [m for m in a.mentions if not is_role(m) and m.entity.name not in self._titles]
        if len(named) != 2 or len(a.mentions) != 2 or any(m.entity.type == "era" for m in named):
            return None
        first, second = sorted(named, key=lambda m: m.start)
        if first.entity.type not in AGENT_TYPES or second.entity.type in AGENT_TYPES:
            return None  # only what a person or organisation did to a thing: "Keras ended up in TensorFlow"
        between = a.tokens[first.end : second.start]
        said = set(token_set(" ".join(between)))
        phrases = [
            (rel, phrase)
            for rel, v in a.relation_scores.items()
            if v >= 1.0
            for phrase in self.understanding.rel_syn[rel]
            if set(phrase) <= said
        ]
        if not between or said - {w for _, phrase in phrases for w in phrase}:
            return None  # the verb alone stands between them: "Google abandon TensorFlow"
        asked = {rel for rel, _ in phrases}
        if asked & MAKING_RELATIONS:  # "released", "built", "adopted": any of them made or took it up
            asked |= MAKING_RELATIONS
        asked &= self._linking_relations
        if not asked or first.entity.id == second.entity.id:
            return None
        # Facebook released PyTorch when its lab FAIR did: the agent or a part of it
        parts = {self.facts[j].fact.subject for j in self.by_object.get((first.entity.id, "part_of"), [])}
        pairs = [
            (x, y)
            for agent in {first.entity.id} | parts
            for x, y in ((agent, second.entity.id), (second.entity.id, agent))
        ]
        if any(self.facts[j].fact.relation in asked for pair in pairs for j in self.by_pair.get(pair, [])):
            return None
        did = "did " if "did" in a.tokens[: first.start] else ""  # "why did Google abandon ...?"
        return f"{first.entity.name} {did}{' '.join(between)} {second.entity.name}"

    def _uncredited(self, a: Analysis) -> str | None:
        """The name of the thing a "who made it?" question is about, when the facts, which hold every
        link the article draws between a thing and a person or organisation, tie it to none."""
        if not (self._asks_for_agent(a) or self._agent_kind(a)) or not a.mentions or EMBEDDED_RE.search(a.text):
            return None  # not "which company did the inventor of Caffe join?": the maker is not what is asked
        if a.wh != "who" and UNNAMED_RE.search(a.text) and not NAME_ASKED_RE.search(a.text):
            return None  # "the inventor of Caffe joined which company?": the maker is the subject
        entities = {m.entity.id: m.entity for m in a.mentions}
        if any(e.type not in MADE_TYPES for e in entities.values()):
            return None  # "who at Google built it?", "companies in the Iron Age": not only made things named
        if entities.keys() & self._tied_to_agents:
            return None
        return a.mentions[0].entity.name

    def _asks_for_agent(self, a: Analysis) -> bool:
        """A who-question whose relation, in the facts, links things to people or organisations
        ("who created ...", "who developed ...")."""
        return a.wh == "who" and any(v >= 1.0 and rel in self._agent_relations for rel, v in a.relation_scores.items())

    def _agent_kind(self, a: Analysis) -> bool:
        """A question for the company that did something ('which company developed ...')."""
        kinds = self.kind_names.named_by(a.head) if a.head else None
        agentive = kinds is not None and kinds & AGENT_TYPES
        return bool(agentive) and any(v >= 1.0 and rel in self._agent_relations for rel, v in a.relation_scores.items())

    def _tells_relation(self, a: Analysis, text: str, *, agents_only: bool = True) -> bool:
        """Whether text has a word of a relation the question asks for ('developed', 'open sourced'), of
        the relations that link to people or organisations unless `agents_only` is false."""
        said = set(token_set(text))
        return any(
            set(phrase) <= said
            for rel, v in a.relation_scores.items()
            if v >= 1.0 and (rel in self._agent_relations or not agents_only)
            for phrase in self.understanding.rel_syn[rel]
        )

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

    def _gives(self, a: Analysis, x: _Scored) -> bool:
        """Whether a scored sentence names the kind of thing asked for (a place, a person, a company ...).
        Not a date or a number: any dated sentence has one, so these do not tell the right one."""
        text = x[4].sentences[x[5]].text
        return (
            (a.wh != "where" or names_a_place(text, a))
            and (a.head not in PERSON_NOUNS or self.kind_names.names_a_person(text))
            and self.kind_names.names_asked_kind(text, a)
        )

    def _cause_before(self, p: Passage, s_i: int, a: Analysis, claims: list[_Claim] | None = None) -> list[_Claim]:
        """'During this time, practitioners had to do heavy lifting': a why-answer whose sentence gives
        no reason, nor any that follows; the cause is often the sentence just before, in the same section.
        It is trimmed to the room the answer's `claims` leave (the chosen sentence alone when not given)."""
        before = self.reading.previous(p, s_i)
        if before is None:
            return []
        text = before[0].sentences[before[1]].text
        taken = [_Claim(trim_sentence(p.sentences[s_i].text, a), [])] if claims is None else claims
        room = MAX_WORDS - sum(word_count(c.text) + 1 for c in taken) - 2
        if room < MIN_CLAUSE_WORDS:
            return []
        trimmed = trim_sentence(text, a, limit=min(48, room))
        if trimmed != text and (not ends_a_clause(text, trimmed) or len(trimmed.split()) < 2 * MIN_CLAUSE_WORDS):
            return []  # "... implemented either manually or via.", "Recently developed framework, such as OneFlow."
        return [_Claim(trimmed, [(before[0], text)])]

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

    def _about_the_question(self, a: Analysis, sentence: str) -> bool:
        """Whether a sentence names one of the question's things or has one of its own words, or at least
        names no other thing ('And Amazon adopted MXNet' is about something else)."""
        lowered = sentence.lower()
        if any(names_in(m.entity.names, lowered) for m in a.mentions) or self._explains(a, sentence) > 0:
            return True
        return not self._names_answer(a, sentence)  # "They lacked GPU support": about no other thing either

    @staticmethod
    def _fits(claims: list[_Claim]) -> bool:
        """Whether the claims, with a marker each, stay within the answer's word limit."""
        return sum(word_count(c.text) + 1 for c in claims) <= MAX_WORDS

    def _names_answer(self, a: Analysis, sentence: str) -> bool:
        """Whether a sentence names a thing the question does not (the answer may be in it)."""
        asked = {m.entity.id for m in a.mentions}
        lowered = sentence.lower()
        return any(
            names_in(e.names, lowered)
            for e in self.corpus.facts.entities
            if e.id not in asked and e.type not in ("concept", "era")
        )

    def _example_under(self, p: Passage, s_i: int, a: Analysis) -> list[_Claim]:
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
                return [_Claim(trim_sentence(text, a), [(at[0], text)])]
            at = self.reading.next(*at)
        return []

    def _read_on(
        self, p: Passage, s_i: int, a: Analysis | None, claims: list[_Claim], most: int, *, continuing: bool = False
    ) -> list[_Claim]:
        """Up to `most` next sentences of the section, each trimmed to the words left under the answer's
        limit. With `continuing`, only while each carries on from the one before ('This caused ...',
        'These tools include ...', 'They are ...'): reasons, items and consequences follow what they explain."""
        out: list[_Claim] = []
        at: tuple[Passage, int] | None = (p, s_i)
        for _ in range(most):
            at = self.reading.next(*at) if at else None
            if at is None:
                break
            q, text = at[0], at[0].sentences[at[1]].text
            room = MAX_WORDS - sum(word_count(c.text) + 1 for c in [*claims, *out]) - 2  # markers, spaces
            if room < MIN_CLAUSE_WORDS or (continuing and not CONTINUES.match(text)):
                break
            out.append(_Claim(trim_sentence(text, a, limit=min(48, room)), [(q, text)]))
        return out

    def _kind_items(self, p: Passage, s_i: int, a: Analysis, claims: list[_Claim]) -> list[_Claim]:
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
        out: list[_Claim] = []
        at: tuple[Passage, int] | None = (p, s_i)
        for _ in range(ENUMERATION_REACH):
            at = self.reading.next(*at) if at else None
            if at is None:
                break
            q, text = at[0], at[0].sentences[at[1]].text
            found = [f for f in pattern.finditer(text.lower()) if f.group(0) not in seen]
            if not found:
                continue
            clause = clause_with(text, found[0].start())
            room = MAX_WORDS - sum(word_count(c.text) + 1 for c in [*claims, *out]) - 2
            if word_count(clause) > room:
                break
            out.append(_Claim(clause, [(q, text)]))
            seen |= {f.group(0) for f in pattern.finditer(clause.lower())}
        return out

    def _enumerated(self, p: Passage, s_i: int, a: Analysis, claims: list[_Claim]) -> list[_Claim]:
        """'There are two trends ...': the sentences that go on to name them ('First is ...', 'Second
        trend is ...'), further on in the same section; nothing unless all the announced items are found."""
        wanted = announced(p.sentences[s_i].text)
        out: list[_Claim] = []
        at: tuple[Passage, int] | None = (p, s_i)
        for _ in range(ENUMERATION_REACH):
            at = self.reading.next(*at) if at else None
            if at is None or len(out) == wanted:
                break
            q, text = at[0], at[0].sentences[at[1]].text
            if ENUMERATOR_RE.match(text):
                room = MAX_WORDS - sum(word_count(c.text) + 1 for c in [*claims, *out]) - 2
                out.append(_Claim(trim_sentence(text, a, limit=max(MIN_CLAUSE_WORDS, min(48, room))), [(q, text)]))
        return out if wanted >= 2 and len(out) == wanted else []

    def _list_after(self, p: Passage, s_i: int, pick: int | None = None) -> list[_Claim]:
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
            return [_Claim(intro + ".", [(p, p.sentences[s_i].text)])]
        if pick is not None and -len(items) <= pick < len(items):
            # "What is the second trend?": that item, and what it says
            q, title = items[pick]
            said = self._read_on(q, 0, None, [_Claim(title, [])], 1)
            return [_Claim(title, [(q, title)]), *said]
        names = join_names([t.rstrip(".") for _, t in items])
        return [_Claim(f"{intro}: {names}.", [(p, p.sentences[s_i].text), *items])]

    def _second(
        self,
        scored: list[_Scored],
        p: Passage,
        s_i: int,
        claims: list[_Claim],
        a: Analysis,
    ) -> list[_Claim]:
        best = scored[0][0]
        for score, _cos, _ov, _ent, q, q_i in scored[1:4]:
            if score >= best - 0.06 and (q is not p or q_i != s_i):
                text = trim_sentence(q.sentences[q_i].text, a)
                if word_count(claims[0].text) + word_count(text) + 2 <= MAX_WORDS:
                    return [_Claim(text, [(q, q.sentences[q_i].text)])]
        return []

    # ------------------------------------------------------------ output

    def _compose(self, claims: list[_Claim]) -> tuple[str, list[Citation]]:
        """Number the cited passages in order of first use and put markers after each claim."""
        order: list[str] = []
        quotes: dict[str, list[str]] = {}
        parts = []
        said: set[str] = set()
        for c in claims:
            if c.text in said:
                continue  # the same sentence reached twice (as a rival and as a follow-on)
            said.add(c.text)
            marks = []
            for p, sentence in c.quotes:
                if p.passage_id not in order:
                    order.append(p.passage_id)
                if sentence not in quotes.setdefault(p.passage_id, []):
                    quotes[p.passage_id].append(sentence)
                mark = f"[{order.index(p.passage_id) + 1}]"
                if mark not in marks:
                    marks.append(mark)
            # The article's own reference markers ("AlexNet [1] that ...") would read as ours: the quote keeps them.
            body = ARTICLE_REF_RE.sub("", c.text).strip()
            lead = CONNECTIVE_RE.match(body)  # "And Amazon adopted MXNet": the "And" ties it to a sentence not shown
            if lead and len(body) > lead.end():
                body = body[lead.end()].upper() + body[lead.end() + 1 :]
            end = body[-1] if body and body[-1] in ".!?" else "."
            if body and body[-1] in ".!?":
                body = body[:-1]  # only the final stop: "Acme Corp.." keeps its abbreviation dot
            parts.append(f"{body} {''.join(marks)}{end}")
        answer = " ".join(parts)
        while word_count(answer) > MAX_WORDS and len(parts) > 1:
            parts.pop()
            answer = " ".join(parts)
        used = {int(n) for n in re.findall(r"\[(\d+)\]", answer)}
        citations = [
            Citation(
                n=i + 1,
                passage_id=pid,
                source=self.passages[pid].source,
                section=self.passages[pid].section,
                text=self.passages[pid].text,
                quote=" ".join(quotes[pid]),
                start=self.passages[pid].start,
                end=self.passages[pid].end,
            )
            for i, pid in enumerate(order)
            if i + 1 in used
        ]
        return answer, citations

    def _hit(self, pid: str, hits: list[Hit]) -> Hit:
        """A hit for a cited passage that retrieval ranked below k (its scores are not known here)."""
        p = self.passages[pid]
        return Hit(
            passage_id=pid, section=p.section, source=p.source, text=p.text, score=0.0, dense_score=0.0, bm25_score=0.0
        )

    def _abstain(self, question: str, resolved: str, reason: str, hits: list[Hit], confidence: float) -> Answer:
        return Answer(
            question=question,
            answer=f"{ABSTAINED}: {reason}. {self._coverage_note()}",
            abstained=True,
            confidence=round(min(confidence, self.settings.min_confidence * 0.99), 4),
            citations=[],
            hits=hits,
            method="abstain",
            resolved_question=resolved,
        )

    def _coverage_note(self) -> str:
        """What the corpus does cover: its titles and its most-described entities (or sections)."""
        if self._note is None:
            titles = join_names([f"“{d.title}”" for d in self.corpus.documents[:3]])
            if len(self.corpus.documents) > 3:
                titles += f" and {len(self.corpus.documents) - 3} more documents"
            counts: dict[str, int] = {}
            for f in self.corpus.facts.facts:
                counts[f.subject] = counts.get(f.subject, 0) + 1
            top = [self.corpus.facts.entity(e).name for e in sorted(counts, key=lambda e: (-counts[e], e))[:5]]
            if not top:  # no facts file: name a few sections instead
                top = list(dict.fromkeys(shorten(p.section) for p in self.retriever.data.passages))[:5]
            examples = join_names(top)
            self._note = f"They cover {titles}" + (f", e.g. {examples}." if examples else ".")
        return self._note
