"""Short cited answers without a language model: facts first, extractive otherwise, or an abstention.

The Answerer is built in layers, one module each, every layer using those below it:
structural (answers the facts' structure gives) -> fact_answers (a relation of a named thing) ->
premises (reasons to abstain before any sentence is read) -> extractive (the best sentences) ->
answer (this module: the order they are tried in, follow-up plumbing, citations and the models).
The Answerer builds the shared tables once; the layers read them and keep no state of their own.
"""

from __future__ import annotations

import re
import threading

from pydantic import BaseModel, Field

from assistant.acronyms import asked_abbreviation, find_expansion
from assistant.chatter import context_first, small_talk, unwrap
from assistant.chunking import Passage
from assistant.claims import MAX_WORDS, Claim, word_count
from assistant.compound import split_compound
from assistant.conversation import History, Turn, clean_question, normalise_history
from assistant.corpus import Corpus
from assistant.descriptions import Descriptions
from assistant.errors import InvalidQuestion
from assistant.extractive import (
    ExtractiveAnswers,
)
from assistant.followups import STORY_THEM_RE, FollowUps
from assistant.kinds import Kinds
from assistant.premises import (
    NAME_ASKED_RE,
    PREFERRED,
    YEAR_RE,
)
from assistant.reading import Reading
from assistant.retrieval import Hit, Retriever, token_set
from assistant.settings import RetrievalMode, Settings
from assistant.structural import MAKING_RELATIONS, is_role
from assistant.text import (
    ABSTAINED,
    AGENT_TYPES,
    CONTINUES,
    LABEL_RE,
    MARKER_RE,
    NAMING_RE,
    PERSON_PRONOUN_RE,
    join_names,
    names_in,
    shorten,
    surface_re,
    trim_sentence,
)
from assistant.understanding import Analysis, Understanding, english_words, set_apart, squash

# "what does the author conclude from that?": what the article says after what was just answered
CARRY_ON_RE = re.compile(
    r"\b(conclude|concludes|conclusion|imply|implies|implication|mean|means|indicate|indicates|follows?|"
    r"what happened next|what came next|and then|after that|what next|consequence|so what(?=\W*$)|"
    r"lead to|leads to|led to|result in|results in|resulted in|gains? from|gained from|get out of)\b",
    re.I,
)
THAT_RE = re.compile(r"\b(that|this|it|then|next)\b", re.I)
# "which era comes after that one?", "what became of that framework?": a thing named before, by its kind
THAT_ONE_RE = re.compile(r"\b(?:that|this)\s+(\w+)", re.I)
POINTED_WORDS = frozenset("one ones stage phase library tool".split())  # kinds the facts do not word
CARRY_ON_SHARE = 0.6  # share of an answer's words an article sentence must have to be the one it told
ANSWER_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")  # where one sentence of an answer ends
NEVER_SAID = "never mention"  # the wording of abstentions about a thing the sources never name
NEVER_CREDITED = "never say who is behind"  # ... about a maker the sources never name
NEVER_GIVEN = "never give the"  # ... about an attribute the facts give in full, for none of the things named
CONNECTIVE_RE = re.compile(
    r"^(?:and|but|also|similarly|likewise|however|moreover|in addition|on the other hand|at the same time|"
    r"among them|among these frameworks)\b,?\s+",
    re.I,
)
EXACT_DATE_RE = re.compile(
    r"\b(?:when|what date|which date) exactly\b|\bexact (?:date|day|month)\b|\b(?:what|which) (?:month|day|date)\b"
    r"|\bon what (?:day|date)\b",
    re.I,
)
# "what year was Keras released?": one year is asked for; an era's span of years does not give it
THING_IT_RE = re.compile(r"\bit\b|\bthat(?=\s*[?.!]*\s*$)", re.I)  # "..., and when was it/that (done)?"
THING_ITS_RE = re.compile(r"\bits\b", re.I)
DECADE_RE = re.compile(r"(?<![\d.,])((?:19|20)\d0)s\b")  # "the early 2000s" names the year 2000
YEAR_ASKED_RE = re.compile(r"\b(?:what|which)\s+(?:\w+\s+)?year\b|\byear\s+(?:did|was|were|is)\b", re.I)
SPAN_RE = re.compile(r"~?\d{4}\s*[~–-]\s*\d{4}|~\d{4}|\d{4}\+")  # "2015~2016", "~2012", "2021+"
FULL_DATE_RE = re.compile(
    r"\b\d{4}-\d\d-\d\d\b|\b(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december)\b",
    re.I,
)
ARTICLE_REF_RE = re.compile(r"(?:^|\s+)\[\d+\](?=[\s.,;:!?]|$)")
CONTEXT_SENTENCES = 2  # how far back a continuing sentence's context reaches


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


def is_definite(answer: Answer) -> bool:
    """An abstention no other reading can change: the sources never mention the thing asked for, never
    name who is behind a thing, never give an attribute ("the API language of Torch") for it."""
    return answer.abstained and any(never in answer.answer for never in (NEVER_SAID, NEVER_CREDITED, NEVER_GIVEN))


class Answerer(ExtractiveAnswers):
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
        self.descriptions = Descriptions(corpus, self.understanding, self.kind_names)
        self.followups = FollowUps(self.understanding, corpus, self.kind_names, self._answerable)
        self.passages = {p.passage_id: p for p in retriever.data.passages}
        self.reading = Reading(retriever.data.passages, corpus.documents)
        self._titles = {d.title for d in corpus.documents}
        # The latest year the sources name: a question about a later one asks what they cannot know.
        self._years = {y for d in corpus.documents for y in [*YEAR_RE.findall(d.text), *DECADE_RE.findall(d.text)]}
        self._latest_year = max((int(y) for y in self._years), default=None)
        # Relations whose objects are people or organisations (who made, developed, published ...).
        # relations whose facts hold a description, not another thing ("what happened to CNTK")
        self._descriptive = corpus.facts.descriptive_relations()
        self._subject_kinds = corpus.facts.subject_kinds()  # "what language is Caffe written in?": of frameworks
        # relations whose facts are the article's own sentences ("what happened to CNTK"): they tell how, too
        self._told_whole = {name for name, r in corpus.facts.relations.items() if r.template.strip() == "{object}."}
        # things the facts tie to a person or organisation, either way round ("who made Chainer?": none)
        kind_of = corpus.facts.entity
        self._tied_to_agents = {
            end
            for f in corpus.facts.facts
            if f.object
            for end, other in ((f.subject, f.object), (f.object, f.subject))
            if kind_of(other).type in AGENT_TYPES
        }
        # things the facts say a person or organisation made ("who created Horovod?": LF AI hosts it, no one
        # is said to have made it)
        self._made_by_agents = {
            f.subject
            for f in corpus.facts.facts
            if f.object and f.relation in MAKING_RELATIONS and kind_of(f.object).type in AGENT_TYPES
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
        # The facts whose object each thing is, in fact order ("Kaiming He" <- the ResNet paper's first author).
        self.object_facts: dict[str, list[int]] = {}
        for j, f in enumerate(self.facts):
            if f.fact.object:
                self.object_facts.setdefault(f.fact.object, []).append(j)
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

    def ask(
        self,
        question: object,
        history: History | None = None,
        *,
        k: int | None = None,
        mode: RetrievalMode | None = None,
    ) -> Answer:
        asked = clean_question(question)
        turns = normalise_history(history)
        if small_talk(asked):  # "great, thank you!": nothing to look up, and no sentence that half matches it
            return self._abstain(asked, asked, "there is no question in it to look up", [], 0.0)
        text = unwrap(asked, self.understanding.plain)  # "Got it. Who ...? Thanks!": the question itself
        result = self._ask_text(text, turns, k, mode)
        # "I tried to find CNTK tutorials. What became of it?": the question alone is read too, with the story
        # told first as a turn of its own, and the surer answer wins; a question that alone asks what the
        # sources never give ("... How many parameters does BERT itself have?") is not answered from the
        # story's words (but "I've heard of PaddlePaddle. How does it compare?" names a thing they never
        # mention: the whole abstains)
        story, question = context_first(text)
        if story and self._story_helps(story, question):
            alone = self._ask_text(question, turns, k, mode, (Turn(role="user", content=story),))
            # a why-question pointing back at its story asks to explain the story ("the author says nets are still
            # far from human-level intelligence. What's his reasoning?"): read alone, it only wins if the whole
            # abstains
            surer = not alone.abstained and (
                result.abstained
                or (alone.confidence > result.confidence and not self._explains_its_story(question))
                or STORY_THEM_RE.search(question) is not None  # "Can you name all of them?": the story's things
            )
            if surer or (alone.abstained and (is_definite(alone) or self._stands_alone(question))):
                result = alone
        return result if result.question == asked else result.model_copy(update={"question": asked})

    def _story_helps(self, story: str, question: str) -> bool:
        """Whether a question is read with its story as the turn before it. Not when the story is about a thing
        the sources never mention ("I've heard of PaddlePaddle. How does it compare?"): the whole abstains. A
        place the story is set in ("my lab in Brazil"), a thing it names only after one they know ("Chainer
        was a thing in Japan"), or a question that names what it asks about, leaves the question to be read."""
        told = self.understanding.analyse(story)
        lowered = story.lower()
        unknown = [
            lowered.find(name.lower())
            for name in told.unknown_names
            if not re.search(rf"\b(?:in|at|from|near|around)\s+(?:the\s+)?{re.escape(name.lower())}\b", lowered)
        ]
        if not unknown or self._stands_alone(question):
            return True
        known = [lowered.find(m.surface.lower()) for m in told.mentions if m.entity.name not in self._titles]
        return bool(known) and min(known) < min(unknown)

    def _only_set_apart(self, a: Analysis, claims: list[Claim]) -> bool:
        """Whether claims name no thing but those the question sets its answer apart from ("besides Google")."""
        apart = set_apart(a)
        if not apart:
            return False
        kinds = self.kind_names.named_by(a.head) if a.head else None
        said = " ".join(c.text for c in claims).lower()
        named = {
            e.id
            for e in self.corpus.facts.entities
            if e.type not in ("concept", "era") and (not kinds or e.type in kinds) and names_in(e.names, said)
        }
        return named <= apart

    def _stands_alone(self, question: str) -> bool:
        """A question that names what it asks about and leans on nothing told before it ("The author works at
        Waymo. Where is Waymo headquartered?"): what it alone cannot answer, its story does not either."""
        a = self.understanding.analyse(question)
        named = [m for m in a.mentions if m.entity.name not in self._titles]  # not "the article" it is all in
        return bool(named) and not a.has_pronoun and not a.elliptical

    def _explains_its_story(self, question: str) -> bool:
        """A why-question pointing back at the story told before it ("What's his reasoning?")."""
        a = self.understanding.analyse(question)
        return a.wh == "why" and a.has_pronoun

    def _ask_text(
        self, text: str, turns: list[Turn], k: int | None, mode: RetrievalMode | None, story: tuple[Turn, ...] = ()
    ) -> Answer:
        """A question that may ask two things ("Who wrote it, and what is his job?"): each answered, the
        second after the first."""
        parts = split_compound(text)
        if parts is None:
            return self._ask_one(text, turns, k, mode, story)
        one = self._ask_one(parts[0], turns, k, mode, story)
        # "and what is his job?": he is who the first answer named; "and what is its nickname?": it is what
        # the first question named (MXNet, not Amazon, which adopted it)
        second = parts[1]
        if PERSON_PRONOUN_RE.search(second) is None:
            things = {
                m.entity.name
                for m in self.understanding.analyse(parts[0]).mentions
                if m.entity.type not in AGENT_TYPES and m.entity.name not in self._titles
            }
            if len(things) == 1:
                thing = next(iter(things))
                second = THING_ITS_RE.sub(f"{thing}'s", THING_IT_RE.sub(thing, second))
        told = [Turn(role="assistant", content=one.answer)] if not one.abstained else []
        two = self._ask_one(second, [*turns, *story, Turn(role="user", content=parts[0]), *told], k, mode)
        return self._merged(text, one, two, k or self.settings.k)

    def _ask_one(
        self, text: str, history: list[Turn], k: int | None, mode: RetrievalMode | None, story: tuple[Turn, ...] = ()
    ) -> Answer:
        """One question, with the conversation so far (and the story told before it, if any)."""
        turns = [*self._with_own_answer(history), *story]
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
        if result.abstained:
            # "who was behind the network that blew away the 2012 ImageNet competition?": about AlexNet
            described = self.descriptions.resolve(resolved)
            if described != resolved:
                retry = self._answer(text, described, self.understanding.analyse(described), k, mode)
                if not retry.abstained:
                    return retry
            # "which frameworks dominated in 2019-2020?": no sentence says "dominated", a fact's relation does
            held = None if is_definite(result) else self._holders_of(analysis)
            if held is not None:
                return self._answered(text, resolved, held[0], held[1], "facts", result.hits, k)
        # "they never mention any license", "they never say who is behind Theano": no retry can change that
        definite = is_definite(result)
        # "when was he born?" with "he" found: the date is missing, not the subject
        definite = definite or (
            analysis.wh in ("when", "how many") and resolved != first.text and not analysis.has_pronoun
        )
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

    def _merged(self, text: str, one: Answer, two: Answer, k: int) -> Answer:
        """Two answers told as one: the second's markers renumbered after the first's (a passage both cite
        keeps its number), cut to the word limit; what the second could not find is said after the first.
        When the first abstains, so does the whole: the second asks about what the first could not find."""
        if one.abstained:  # "What is PaddlePaddle, and who made it?": the second asks about the first's unknown
            return one.model_copy(update={"question": text})
        if two.abstained:
            reason = two.answer.removeprefix(f"{ABSTAINED}: ").split(". They cover")[0]
            note = f"The sources do not say the rest: {reason}."
            answer = one.answer if word_count(f"{one.answer} {note}") > MAX_WORDS else f"{one.answer} {note}"
            return one.model_copy(update={"question": text, "answer": answer})
        citations = list(one.citations)
        number = {c.passage_id: c.n for c in citations}
        renumber: dict[int, int] = {}
        for c in two.citations:
            if c.passage_id in number:
                renumber[c.n] = number[c.passage_id]
                kept = citations[number[c.passage_id] - 1]
                if c.quote not in kept.quote:
                    citations[number[c.passage_id] - 1] = kept.model_copy(update={"quote": f"{kept.quote} {c.quote}"})
            else:
                renumber[c.n] = number[c.passage_id] = len(citations) + 1
                citations.append(c.model_copy(update={"n": renumber[c.n]}))
        second = re.sub(r"\[(\d+)\]", lambda m: f"[{renumber.get(int(m.group(1)), int(m.group(1)))}]", two.answer)
        sentences = ANSWER_SENTENCE_RE.split(second)
        answer = one.answer
        told = [MARKER_RE.sub("", s).strip(" .") for s in ANSWER_SENTENCE_RE.split(one.answer)]
        for sentence in sentences:  # the second answer's sentences while they fit, each said once
            if word_count(f"{answer} {sentence}") > MAX_WORDS:
                break
            if any(t and t in MARKER_RE.sub("", sentence) for t in told):
                continue  # "...; similarly, Microsoft stopped ...": the first answer said that already
            if sentence not in answer:
                answer = f"{answer} {sentence}"
        used = {int(n) for n in re.findall(r"\[(\d+)\]", answer)}
        hits = list({h.passage_id: h for h in [*one.hits, *two.hits]}.values())[:k]
        return Answer(
            question=text,
            answer=answer,
            abstained=False,
            confidence=min(one.confidence, two.confidence),
            citations=[c for c in citations if c.n in used],
            hits=hits,
            method=one.method,  # how the first question was answered
            resolved_question=f"{one.resolved_question} / {two.resolved_question}",
        )

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

    def _points_at_a_thing(self, text: str) -> bool:
        """'that one', 'that era', 'that framework': a thing named before, by a kind the facts know."""
        return any(
            w.lower() in POINTED_WORDS or self.kind_names.named_by(w.lower()) is not None
            for w in THAT_ONE_RE.findall(text)
        )

    def _carries_on(
        self, text: str, first: Analysis, turns: list[Turn], k: int, mode: RetrievalMode | None
    ) -> Answer | None:
        """'What does the author conclude from that?' after an answer: what the article says right after
        the sentence that answer told ('This indicates that there is still a large gap ...')."""
        named = [m for m in first.mentions if not is_role(m) and m.entity.name not in self._titles]  # not "the author"
        if named or not CARRY_ON_RE.search(text) or not turns or turns[-1].role != "assistant":
            return None
        if not THAT_RE.search(text) or self._points_at_a_thing(text) or turns[-1].content.startswith(ABSTAINED):
            return None  # "which era comes after that one?": a thing named before, not the sentence told
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
        answer, citations = self._compose([Claim(trim_sentence(sentence, first), [(q, sentence)])])
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
            claim = Claim(f"{spelled.abbreviation} stands for {spelled.words}", [(spelled.passage, spelled.sentence)])
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
        narrowed = self._unstated_kind_of(analysis)
        if narrowed is not None:  # "where did Lin Yuan do his undergraduate degree?": only his Ph.D. is told
            return self._abstain(text, resolved, f"they {NEVER_SAID} any {narrowed}", hits[:k], 0.0)
        unlinked = self._unlinked_event(analysis)
        if unlinked is not None:  # "why did Google abandon TensorFlow?": the sources never say it did
            return self._abstain(text, resolved, f"they never say that {unlinked}", hits[:k], 0.0)
        # words quoted from the sources ask about the sentence that says them, not about a fact
        claim_conf = None if self._quoted(analysis) else self._from_facts(analysis, qvec)
        if claim_conf is not None and self._only_set_apart(analysis, claim_conf[0]):
            claim_conf = None  # "which company besides Google ...?": not Google's fact; the sentences may say
        method = "facts"
        uncredited = self._uncredited(analysis) if claim_conf is None else None
        if uncredited is not None:  # "who developed Chainer?": the facts tie Chainer to no one
            return self._abstain(text, resolved, f"they {NEVER_CREDITED} {uncredited}", hits[:k], 0.0)
        unstated = self._unstated_of_agent(analysis) if claim_conf is None else None
        if unstated is not None:  # "where was François Chollet working?": the facts give no one's but Lin Yuan's
            return self._abstain(text, resolved, f"no passage gives that for {unstated}", hits[:k], 0.0)
        unlisted = self._unlisted_attribute(analysis) if claim_conf is None else None
        if unlisted is not None:  # "what language is Caffe written in?": the facts give PyTorch's only
            return self._abstain(text, resolved, unlisted, hits[:k], 0.0)
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
            and not YEAR_RE.search(SPAN_RE.sub("", said))
        ):  # "what year was Keras first released?": the article gives only its era's span, or no year at all
            span = SPAN_RE.search(said)
            reason = (
                f"no passage gives the year, only a span ({span.group(0)})" if span else "no passage gives the year"
            )
            return self._abstain(text, resolved, reason, hits[:k], 0.0)
        unmatched = self._unmatched_comparison(analysis, said) if claims else None
        if unmatched:  # "is PyTorch faster than TensorFlow?": a sentence naming both never says "faster"
            said = PREFERRED.get(unmatched.rstrip("s"), unmatched)
            return self._abstain(text, resolved, f"they never say which is {said}", hits[:k], 0.0)
        if not claims or confidence < self.settings.min_confidence:
            reason = "no passage states it clearly enough" if claims else self._nothing_typed(analysis)
            return self._abstain(text, resolved, reason, hits[:k], confidence)
        return self._answered(text, resolved, claims, confidence, method, hits, k)

    def _answered(
        self, text: str, resolved: str, claims: list[Claim], confidence: float, method: str, hits: list[Hit], k: int
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

    def _compose(self, claims: list[Claim]) -> tuple[str, list[Citation]]:
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
