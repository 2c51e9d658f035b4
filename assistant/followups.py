"""Follow-up questions: resolve "it", "that company", "and a human brain?", "and why?" against the
conversation so far, so that the answerer sees a self-contained question.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.chatter import BARE_COUNT_RE
from assistant.conversation import Turn
from assistant.corpus import Corpus, Entity
from assistant.kinds import Kinds
from assistant.text import (
    ABSTAINED,
    AGENT_TYPES,
    EVENT_RE,
    FIRST_RE,
    LABEL_RE,
    MARKER_RE,
    ORDINALS,
    PERSON_PRONOUN_RE,
    THING_PRONOUN,
    join_names,
    surface_re,
)
from assistant.understanding import ELLIPSIS_RE, Analysis, Understanding, is_plural

ORDINAL_RE = re.compile(r"\b(the\s+)?({})(\s+ones?\b|\s+of\s+(?:those|them|these)\b)?".format("|".join(ORDINALS)), re.I)
LIST_ITEM_WORDS = 7  # an item of a listing answer is a name or a short phrase
PARENTHESES_RE = re.compile(r"\s*\([^)]*\)")  # "Declarative (used by Caffe, Theano ...)": not an item
LIST_SPLIT_RE = re.compile(r",\s*(?:and\s+)?|\s+and\s+")
ELSE_RE = re.compile(
    r"^\W*(?:and|so|ok(?:ay)?)?\W*(?:who|what|which|anyone|anybody|anything|any|name)?\s*(?:else|others?|other ones|more)\W*$",
    re.I,
)
EVENT_WORDS_RE = re.compile(r"\b(appear\w*|release\w*|come out|came out|launch\w*|based|built on)\b", re.I)
AGENT_PRONOUN_RE = re.compile(r"\b(they|he|she)\b", re.I)
OTHER_RE = re.compile(
    r"^\W*(?:and|so|ok(?:ay)?|what about|how about)?\W*the (?:other|remaining|rest)(?: ones?)?\W*$", re.I
)
# "First is large model training.", "The first was X and the second was Y", "First, X; second, Y": items
# that say their number
_NUMBERS = "first|second|third|fourth|fifth"
ENUMERATED_RE = re.compile(
    rf"(?:^|(?<=[.!?;] )|(?<=, )|(?<=\band ))(?:the )?({_NUMBERS})(?:(?: \w+)? (?:is|was) |[,:] )([^.!?;]+?)"
    rf"(?=,? and (?:the )?(?:{_NUMBERS})\b|[,;.!?]|$)",
    re.I,
)
RELATIVE_RE = re.compile(r",?\s+(?:which|who|that|whose)\b|,\s*(?:both|together)\b")
# "the imperative one", "the newer ones": a thing picked out by a word its answer said of it
DESCRIBED_RE = re.compile(r"\b(the)\s+([a-z][\w-]+)\s+ones?\b", re.I)
NOT_DESCRIPTIONS = frozenset("same other next previous only right wrong final latest first last".split())
LEADING_RE = re.compile(r"^\s*(?:while|whereas|but|and|then|so)\s+", re.I)
CLAUSE_RE = re.compile(r"[,;.]\s+|\s+(?:while|whereas|but)\s+", re.I)
PERSONAL_RE = re.compile(r"\b(it|its|they|them|their|he|him|his|she|her)\b", re.I)
DEMONSTRATIVE_RE = re.compile(r"\b(this|that)\b", re.I)
PLURAL_DEMONSTRATIVE_RE = re.compile(r"\b(those|these)\s+\w+", re.I)
PAIR_RE = re.compile(r"\b(?:those|these|the)\s+two\b", re.I)  # "behind those two": both things just named
# "and which one was imperative?", "which one's from FB?", "which of them did Google make?"
WHICH_OF_RE = re.compile(
    r"^\W*(?:(?:and|so|ok(?:ay)?|but)\W+)?(?P<among>(?:of|among|out of) (?:them|those|these)(?: (?:two|three|four|five))?\W+)?"
    r"which (?P<which>one|ones|of (?:them|those|these)(?: (?:two|three|four|five))?)\b"
    r"(?P<verb>'s|\s+is|\s+was|\s+are|\s+were)?(?P<rest>.*)$",
    re.I,
)
# "can you name all of them?", "list them": a request for the things a story spoke of
STORY_THEM_RE = re.compile(
    r"^\W*(?:(?:can|could|would) you (?:please )?)?(?:name|list|give)\b[^?]*?\b(them|those)\b(?!\s+\w+s\b)", re.I
)
KIND_AFTER_RE = re.compile(r"\b(which (?:one )?of (?:them|those|these)(?: (?:two|three|four|five))?) (\w+)\b", re.I)
SET_ASIDE_RE = re.compile(r"\b(?:instead of|rather than|and not|but not)\b", re.I)
# "declarative ones?", "the microsoft one?", "facebook's?": a terse pick from the things just listed
TERSE_PICK_RE = re.compile(r"^\W*(?:and\s+|so\s+)?(?:the\s+)?(?P<word>[a-z][\w-]*?)(?:'s|\s+(?P<ones>ones?))\W*$", re.I)
POLAR_VERBS = {"is": "is", "was": "was", "are": "are", "were": "were", "'s": "is"}
DEMONSTRATIVE_KIND_RE = re.compile(r"\b(?:that|this|those|these|the same)\s+(\w+)", re.I)  # "that framework"
# "who wrote this?", "what is this about?", "when was it published?"
RANK_RE = re.compile(rf"\b(?:is|'s|was|came|comes|ranks?|ranked)\s+(?:the\s+)?(?:{_NUMBERS})\b", re.I)  # "who's third"
# "which one went the other way?" after an answer saying Theano used a declarative style: the other of two
OTHER_WAY_RE = re.compile(r"\bthe other (?=(?:way|style|route|approach|path|direction|camp|side|paradigm)s?\b)", re.I)
# "which one from that time took the other style?": the era the conversation was about
THAT_TIME_RE = re.compile(
    r"\b(?:(?:from|of|at|in|during|around) )?(?:(?:that|this|the same) (?:time|period|era|age)|back then)\b", re.I
)
THIS_DOCUMENT_RE = re.compile(
    r"(?:\s+this|(?<=\bwrote)\s+it|\s+it(?=\s+(?:about|published|written|posted)))"
    r"(?=(?:\s+(?:about|published|written|posted))?\W*$)",
    re.I,
)


class FollowUps:
    """Rewrites a follow-up with the entity, question or event of the previous turns it refers to."""

    def __init__(
        self,
        understanding: Understanding,
        corpus: Corpus,
        kinds: Kinds,
        answerable: Callable[[str, Analysis], bool],
    ) -> None:
        self.understanding = understanding
        self.corpus = corpus
        self.kinds = kinds
        self.answerable = answerable  # whether the facts can answer the question for an entity id
        self._titles = {d.title for d in corpus.documents}
        self._title_ids = {e.id for e in corpus.facts.entities if e.name in self._titles}
        self._descriptive = corpus.facts.descriptive_relations()
        self._kind_by_name = {e.name: e.type for e in corpus.facts.entities}
        self._entity_by_name = {e.name: e for e in corpus.facts.entities}
        self._pairs = {(f.subject, f.object) for f in corpus.facts.facts if f.object}
        # the kinds of thing each relation is told of ("api language": frameworks), to tell what "it" can be
        self._holders = corpus.facts.subject_kinds()
        self._values: dict[str, list[str]] = {}  # each thing's facts in words ("the imperative programming style")
        for f in corpus.facts.facts:
            if f.value:
                self._values.setdefault(f.subject, []).append(f.value)
        self._alternative = self._alternatives(corpus)

    def _describes(self, a: Analysis) -> bool:
        """Whether the relations a question asks most for are all told in words, not by naming a thing."""
        top = max(a.relation_scores.values(), default=0.0)
        return top > 0 and all(rel in self._descriptive for rel, v in a.relation_scores.items() if v == top)

    def resolve(self, text: str, a: Analysis, turns: list[Turn]) -> tuple[str, Analysis]:
        """Rewrite an elliptical follow-up with the entity (or question) of the previous turns."""
        if not turns:
            return self._this_document(text, a)
        prev_user = next((t.content for t in reversed(turns) if t.role == "user"), None)
        if prev_user and ELSE_RE.match(text):  # "who else?": the previous question's whole list again
            return prev_user, self.understanding.analyse(prev_user)
        if FIRST_RE.search(text) and not a.mentions:  # "which one came first?": of the things just named
            latest = [t for t in reversed(turns) if t.role == "user"][:1] + [
                t for t in reversed(turns) if t.role != "user"
            ]
            for t in latest:  # the things the user just asked about, else those the answer named
                named = self._things(LABEL_RE.sub("", t.content)) if not t.content.startswith(ABSTAINED) else []
                if len(named) >= 2:
                    combined = f"{text.rstrip(' ?')}, {' or '.join(named[:2])}?"
                    return combined, self.understanding.analyse(combined)
        listed = self._story_plural(text, turns)
        if listed is not None:  # "Can you name all of them?" after a story of "a few early frameworks"
            text, a = listed, self.understanding.analyse(listed)
        counted = self._bare_count(text, turns)
        if counted is not None:  # "how many are there?": of what the user just spoke of
            text, a = counted, self.understanding.analyse(counted)
        then = self._that_time(text, a, turns)
        if then is not None:  # "... from back then?": the era just asked about, named
            text, a = then, self.understanding.analyse(then)
        other_way = self._other_way(text, turns)
        if other_way is not None:  # "which one went the other way?": then read as any follow-up
            text, a = other_way, self.understanding.analyse(other_way)
        other = self._the_other(text, turns, prev_user) if prev_user else None
        if other is not None:  # "and the other one?": the previous question, about the rest of a list
            return other, self.understanding.analyse(other)
        ordinal = self._ordinal(text, a, turns) or self._described(text, a, turns) or self._which_of(text, turns)
        if ordinal is not None:
            return ordinal, self.understanding.analyse(ordinal)
        if not a.mentions and not a.has_pronoun and RANK_RE.search(text):
            return text, a  # "who's third then?" past a list of two: a rank the sources may give, not "it"
        content_left = [t for t in a.content if t not in self._mention_words(a)]
        definite = bool(re.search(r"\bthe ({})s?\b".format("|".join(self.kinds.types)), a.text, re.I))
        short = len(a.content) <= 2
        needs_entity = (
            (not a.mentions and (a.has_pronoun or definite or (a.elliptical and short) or len(a.content) <= 1))
            or (
                bool(a.mentions)
                and THING_PRONOUN.search(a.text) is not None  # "how is the author connected to it?"
                and not self._names_its_referent(a)
            )
            or (  # "did they also make Keras?": "they" made the thing named, so it is not that thing
                bool(a.mentions)
                and AGENT_PRONOUN_RE.search(a.text) is not None
                and all(m.entity.type not in AGENT_TYPES for m in a.mentions)
            )
            or self._unnamed_demonstrative(a)  # "what became of that framework in the Roman Times?"
        )
        needs_relation = bool(a.mentions) and a.elliptical and max(a.relation_scores.values(), default=0) < 1
        if not needs_entity and not needs_relation:
            return text, a
        prev_user = next((t.content for t in reversed(turns) if t.role == "user"), None)
        if (
            prev_user
            and not a.content
            and not (a.has_pronoun and a.wh == "who")
            and a.wh in ("why", "how", "when", "where", "who")
        ):
            # "and why?", "when?": the previous question, asked again with this question word; "why?"
            # after an answer asks the reason for what the answer said
            said = turns[-1].content if turns[-1].role == "assistant" and a.wh in ("why", "when", "where") else ""
            if a.wh in ("when", "where"):
                said = ""  # the answerer also reads it with the answer's words (`_dated_by_answer`)
            combined = f"{a.wh} {prev_user} {MARKER_RE.sub('', said)}".strip()
            return combined, self.understanding.analyse(combined)
        if prev_user and EVENT_RE.search(a.text):
            # "in which release did that happen?": "that" is the previous question's event, not a thing
            combined = f"{text} {prev_user}"
            return combined, self.understanding.analyse(combined)
        phrase = ELLIPSIS_RE.sub("", a.text).strip(" ?.!")
        if needs_entity and a.elliptical and a.wh == "other" and not a.has_pronoun and content_left and prev_user:
            # "and a human brain?" after "How many parameters does GPT-3 have?": the same question
            # about the new thing, not about GPT-3 again.
            prev = self.understanding.analyse(prev_user)
            if prev.mentions:
                rewritten = surface_re(prev.mentions[0].surface).sub(phrase, prev_user, count=1)
                return rewritten, self.understanding.analyse(rewritten)
        if needs_relation and prev_user:
            prev = self.understanding.analyse(prev_user)
            if prev.mentions:
                old = prev.mentions[0].surface
                new = a.mentions[0].entity.name
                rewritten = surface_re(old).sub(new, prev_user, count=1)
                return rewritten, self.understanding.analyse(rewritten)
            return f"{prev_user} {text}", self.understanding.analyse(f"{prev_user} {text}")
        entity = self._previous_entity(turns, a)
        if entity is None:
            return text, a
        pair = self._pair(text, turns)
        if pair is not None:  # "which framework came third behind those two?": TensorFlow and PyTorch
            entity = pair
        if a.has_pronoun:
            # a personal pronoun first: in "borrowed that style from it", "that style" is a noun phrase
            pattern = PERSONAL_RE if PERSONAL_RE.search(text) else DEMONSTRATIVE_RE
            if pattern is DEMONSTRATIVE_RE and not DEMONSTRATIVE_RE.search(text):
                pattern = PLURAL_DEMONSTRATIVE_RE  # "the drawbacks of those tools": the tools just named
            rewritten = pattern.sub(
                lambda m: entity + ("'s" if m.group(1).lower() in ("its", "their", "his", "her") else ""),
                text,
                count=1,
            )
        else:
            rewritten = f"{text} {entity}"
        if not content_left and prev_user and not a.relation_scores and not a.head:
            rewritten = f"{prev_user} {rewritten}"  # not "which compilers does he name?": compilers are asked
        return rewritten, self.understanding.analyse(rewritten)

    def _pair(self, text: str, turns: list[Turn]) -> str | None:
        """'those two', 'these two': the two things the latest turn named (not people or organisations)."""
        if PAIR_RE.search(text) is None:
            return None
        for t in reversed(turns):
            if t.content.startswith(ABSTAINED):
                continue
            named = self._things(LABEL_RE.sub("", MARKER_RE.sub("", t.content)))
            if len(named) >= 2:
                return " and ".join(named[:2])
        return None

    def _which_of(self, text: str, turns: list[Turn]) -> str | None:
        """'And which one was imperative?', 'which one's from FB?' after an answer listing things: the one(s)
        the facts tie to what the question says of them (a thing it names, or a word of a fact's words),
        asked about as a yes/no question ('was Chainer imperative?') or, for a named thing, what it is."""
        kinds, noun = None, ""  # "which of those companies ...?": the kind of the things asked of
        kind_noun = KIND_AFTER_RE.search(text)
        if kind_noun is not None and self.kinds.named_by(kind_noun.group(2).lower()) is not None:
            kinds, noun = self.kinds.named_by(kind_noun.group(2).lower()), kind_noun.group(2)
            text = text[: kind_noun.end(1)] + text[kind_noun.end(2) :]
        found = WHICH_OF_RE.match(text)
        terse = None if found else TERSE_PICK_RE.match(text)  # "declarative ones?", "the microsoft one?"
        if found is None and terse is None:
            return None
        if found is not None:
            verb, rest = (found.group("verb") or "").strip().lower(), found.group("rest").strip(" ?.!")
            plural = found.group("which").lower() != "one"
        else:
            assert terse is not None
            plural = (terse.group("ones") or "").lower() == "ones"
            verb, rest = ("are" if plural else "is"), terse.group("word")
        said = next((t.content for t in reversed(turns) if t.role == "assistant"), None)
        if not said or said.startswith(ABSTAINED) or not rest:
            return None
        listed = [self._entity_by_name[n] for n in self._things(LABEL_RE.sub("", said)) if n in self._entity_by_name]
        items = [e for e in listed if e.type not in ("concept", "era")]  # the things listed, not their styles
        if kinds and found is not None:  # "which of those companies ...": the companies the answer named
            told = self.understanding.analyse(LABEL_RE.sub("", MARKER_RE.sub("", said)))
            items = list({m.entity.id: m.entity for m in told.mentions if m.entity.type in kinds}.values())
            rest = SET_ASIDE_RE.split(rest)[0].strip(" ,")
            if len(items) >= 2 and not verb:  # asked of that kind of thing, in the words of the question
                return f"Which {noun} {rest}?"
        if len(items) < 2:
            return None
        # "... the imperative style instead of the declarative one": what it is not says nothing of which it is
        condition = self.understanding.analyse(SET_ASIDE_RE.split(rest)[0])
        # a thing named ("from FB", "came from Amazon"), or words a fact says ("imperative", "declarative")
        others = [m.entity for m in condition.mentions if m.entity.type not in ("concept", "era")]
        words = set(condition.content) - {
            w for m in condition.mentions if m.entity in others for w in m.surface.split()
        }
        if others:
            picked = [e for e in items if e not in others and all(self._tied(e, o) for o in others)]
        elif words:  # those that say most of its words ("the imperative style": not every thing with a style)
            said_by = {e.id: sum(self._says(e, w) for w in words) for e in items}
            most = max(said_by.values())
            picked = [e for e in items if said_by[e.id] == most > 0]
        else:
            return None
        if not picked or (len(picked) > 1 and not plural):
            return None
        names = join_names([e.name for e in picked])
        if others:  # "how is MXNet related to Amazon?": the facts that tie them say which
            return f"How is {names} related to {' and '.join(o.name for o in others)}?" if len(picked) == 1 else None
        among = found is not None and (found.group("which").lower().startswith("of") or bool(found.group("among")))
        if not verb and ((among and plural) or len(picked) == 1):
            # "which of those three went the imperative route?": asked of the things listed
            return f"Which of {join_names([e.name for e in items])} {rest}?"
        if verb not in POLAR_VERBS:
            return None
        return f"{POLAR_VERBS[verb]} {names} {rest}?"  # "was Chainer imperative?"

    def _tied(self, thing: Entity, other: Entity) -> bool:
        """Whether a fact links the two, or the thing's name contains the other's ('Facebook Glow')."""
        return (
            (thing.id, other.id) in self._pairs
            or (other.id, thing.id) in self._pairs
            or any(n.lower() in thing.name.lower() for n in other.names if len(n) > 3)
        )

    def _says(self, thing: Entity, word: str) -> bool:
        """Whether one of the thing's facts says the word ('Chainer ... the imperative programming style')."""
        return any(re.search(rf"\b{re.escape(word)}\b", v, re.I) for v in self._values.get(thing.id, []))

    def _unnamed_demonstrative(self, a: Analysis) -> bool:
        """'That framework', 'this company': a thing of a kind pointed back to, when the question names
        nothing of that kind itself (an era or another thing may be named beside it)."""
        found = DEMONSTRATIVE_KIND_RE.search(a.text)
        kinds = self.kinds.named_by(found.group(1).lower()) if found else None
        return kinds is not None and not any(m.entity.type in kinds for m in a.mentions)

    def _this_document(self, text: str, a: Analysis) -> tuple[str, Analysis]:
        """A first question that ends on "this" or "it" and names nothing ("who wrote this?", "when was it
        published?") asks about the document itself, when the sources are one document."""
        if a.mentions or len(self._titles) != 1 or not THIS_DOCUMENT_RE.search(text):
            return text, a
        rewritten = THIS_DOCUMENT_RE.sub(f" {next(iter(self._titles))}", text, count=1)
        return rewritten, self.understanding.analyse(rewritten)

    def _ordinal(self, text: str, a: Analysis, turns: list[Turn]) -> str | None:
        """'And the second?' after 'What is the first trend ...?': the previous question with the new
        ordinal. 'What did the first one demand?' after an answer listing 'A and B': the first item."""
        found = ORDINAL_RE.search(text)
        if found is None or a.mentions:
            return None
        word = found.group(2).lower()
        # the latest question that said what the ordinal counts ("the first trend ..."), not "And the second?"
        prev_user = next(
            (
                t.content
                for t in reversed(turns)
                if t.role == "user" and ORDINAL_RE.search(t.content) and not ELLIPSIS_RE.match(t.content)
            ),
            None,
        )
        if prev_user and a.elliptical and len(a.content) <= 2:
            before = ORDINAL_RE.search(prev_user)
            if before is not None and before.group(2).lower() != word:
                again = prev_user[: before.start(2)] + word + prev_user[before.end(2) :]
                # "and the latter?" after "the advantage of the former?": the list may still be needed
                return self._ordinal(again, self.understanding.analyse(again), turns) or again
        if found.group(3) is None and word not in ("former", "latter"):
            return None  # "the first trend" names what it means; "the first one", "the former" point at a list
        index = ORDINALS[word]
        for t in reversed(turns):  # the latest answer that listed things ("A, B and C", a few words each)
            if t.role != "assistant" or t.content.startswith(ABSTAINED):
                continue
            # "First is large model training. Second trend is usability.": items that say their number
            told = {
                ORDINALS[m.group(1).lower()]: m.group(2)
                for m in ENUMERATED_RE.finditer(LABEL_RE.sub("", t.content))
                if m.group(1).lower() in ORDINALS
            }
            if len(told) >= 2 and index in told:
                return text[: found.start()] + told[index].strip(" .") + text[found.end() :]
            first = PARENTHESES_RE.sub("", LABEL_RE.sub("", t.content)).split(". ")[0].strip(" .")
            # "... trends: A, B and C": after ":"; "TensorFlow and PyTorch which represented ...": before "which"
            first = RELATIVE_RE.split(first.rsplit(":", 1)[-1])[0]
            items = LIST_SPLIT_RE.split(first)
            items = [i.strip(" .") for i in items if i.strip(" .")]
            if len(items) < 2 or index >= len(items):
                continue
            # "Caffe and Theano used ..., while Chainer adopted ...": each item opens with the thing it is about
            leading = [self._leading_thing(i) for i in items]
            if all(leading):
                return text[: found.start()] + str(leading[index]) + text[found.end() :]
            if all(len(i.split()) <= LIST_ITEM_WORDS for i in items):
                return text[: found.start()] + items[index] + text[found.end() :]
        # no answer listed them: the things the conversation was about, in the order they came up
        # ("how big is GPT-3?", "and the human brain?", then "what paper introduced the first one?")
        topics: list[str] = []
        for t in turns:
            if t.role == "user":  # an era is the setting of a question, not one of the things compared
                topics += [n for n in self._things(t.content)[:1] if n not in topics and self._kind_of(n) != "era"]
        if index < len(topics) and (index == 0 or len(topics) >= 2) and word not in ("former", "latter"):
            return text[: found.start()] + topics[index] + text[found.end() :]
        return None

    def _the_other(self, text: str, turns: list[Turn], prev_user: str) -> str | None:
        """'and the other one?' after 'Which of them were declarative?' (answered 'Caffe and Theano') about
        a list answered before ('Caffe, Chainer and Theano'): the previous question about the things of
        that list the latest answer left out; after 'Who made the first one?' about a list of two, the
        previous question about the second."""
        if not OTHER_RE.match(text):
            return None
        asked = ORDINAL_RE.search(prev_user)
        if asked is not None and asked.group(3) and asked.group(2).lower() in ("first", "second", "former", "latter"):
            flipped = {"first": "second", "second": "first", "former": "latter", "latter": "former"}
            again = prev_user[: asked.start(2)] + flipped[asked.group(2).lower()] + prev_user[asked.end(2) :]
            resolved = self._ordinal(again, self.understanding.analyse(again), turns[:-2] or turns)
            if resolved is not None:
                return resolved
        answers = [t.content for t in turns if t.role == "assistant" and not t.content.startswith(ABSTAINED)]
        if len(answers) < 2:
            return None
        # the first clause of the latest answer: "Caffe and Theano used ..., while Chainer adopted ..."
        latest = set(self._things(CLAUSE_RE.split(LABEL_RE.sub("", answers[-1]))[0]))
        kinds = {e.type for e in self.corpus.facts.entities if e.name in latest} - {"concept", "era"}
        for earlier in reversed(answers[:-1]):
            listed = self._things(LABEL_RE.sub("", earlier))
            rest = [n for n in listed if n not in latest and self._kind_of(n) in kinds]
            if len(listed) >= 2 and latest & set(listed) and rest:
                return f"{prev_user} {' and '.join(rest)}"
        return None

    @staticmethod
    def _alternatives(corpus: Corpus) -> dict[str, Entity]:
        """Each of two ideas that are the only ones a relation's values name (the declarative and the
        imperative style, of programming_style) mapped to the other: what "the other way" means."""
        concepts = [e for e in corpus.facts.entities if e.type == "concept"]
        named: dict[str, set[str]] = {}
        for f in corpus.facts.facts:
            for e in concepts:
                if f.value and any(re.search(rf"\b{re.escape(n)}\b", f.value, re.I) for n in e.names):
                    named.setdefault(f.relation, set()).add(e.id)
        by_id = {e.id: e for e in concepts}
        pairs = {tuple(sorted(ids)) for ids in named.values() if len(ids) == 2}
        return {one: by_id[other] for pair in pairs for one, other in (pair, pair[::-1])}

    def _other_way(self, text: str, turns: list[Turn]) -> str | None:
        """'Which one went the other way?' after an answer saying 'Theano used a declarative programming
        style': the question with the other idea named ('... went the imperative way?')."""
        found = OTHER_WAY_RE.search(text)
        if found is None or not self._alternative:
            return None
        for t in reversed(turns):
            if t.content.startswith(ABSTAINED):
                continue
            said = {m.entity.id for m in self.understanding.analyse(LABEL_RE.sub("", t.content)).mentions}
            ideas = said & self._alternative.keys()
            if len(ideas) == 1:
                other = self._alternative[next(iter(ideas))]
                word = other.name.split()[0].lower()  # "imperative"
                return text[: found.start()] + f"the {word} " + text[found.end() :]
            if ideas:
                return None  # both named: which is meant is not said
        return None

    def _story_plural(self, text: str, turns: list[Turn]) -> str | None:
        """'Can you name all of them?' after a story that told of 'a few early frameworks' and named none of
        them: the things of that plural noun ('all of the early frameworks')."""
        found = STORY_THEM_RE.search(text)
        told = self._last_plural(turns) if found is not None else None
        if found is None or told is None or self.kinds.named_by(told[1]) is None:
            return None  # "them" is a kind of thing the facts know, or it is not the story's plural
        noun = f"the {told[0]} {told[1]}".replace("  ", " ")
        return text[: found.start(1)] + noun + text[found.end(1) :]

    def _bare_count(self, text: str, turns: list[Turn]) -> str | None:
        """'How many are there?' after 'I'm confused about the eras.': the count of the last plural noun the
        story told before it used ('How many eras are there?')."""
        found = BARE_COUNT_RE.match(text)
        told = self._last_plural(turns) if found is not None else None
        if found is None or told is None:
            return None
        return text[: found.end()] + f"{told[1]} " + text[found.end() :]

    def _last_plural(self, turns: list[Turn]) -> tuple[str, str] | None:
        """The last plural noun of the story the user just told (the latest user turn, when it asks nothing),
        with the word before it when that describes it ("early", "frameworks"); after a question, None: a
        count or a "them" is then of what it asked for, read with it."""
        prev_user = next((t.content for t in reversed(turns) if t.role == "user"), None)
        if prev_user is None or prev_user.rstrip().endswith("?"):
            return None
        prev = self.understanding.analyse(prev_user)
        in_mention = {i for m in prev.mentions for i in range(m.start, m.end)}
        plurals = [
            i
            for i, t in enumerate(prev.tokens)
            if i not in in_mention and t in prev.content and t not in prev.unknown_words and is_plural(t)
        ]
        if not plurals:
            return None
        i = plurals[-1]
        modifier = prev.tokens[i - 1] if i and prev.tokens[i - 1] in prev.content and i - 1 not in in_mention else ""
        return modifier, prev.tokens[i]

    def _that_time(self, text: str, a: Analysis, turns: list[Turn]) -> str | None:
        """'An example of the other style from back then?' after a question about the Bronze Age: the
        question with the era named ('... in the Bronze Age?')."""
        found = THAT_TIME_RE.search(text)
        if found is None or any(m.entity.type == "era" for m in a.mentions):
            return None
        for t in reversed(turns):
            if t.role != "user":
                continue
            eras = [m.entity for m in self.understanding.analyse(t.content).mentions if m.entity.type == "era"]
            if eras:
                return text[: found.start()] + f"in the {eras[0].name}" + text[found.end() :]
        return None

    def _kind_of(self, name: str) -> str | None:
        return self._kind_by_name.get(name)

    def _leading_thing(self, item: str) -> str | None:
        """The thing a list item opens with ("while Chainer adopted ..." -> Chainer), or None."""
        seen = self.understanding.analyse(LEADING_RE.sub("", item))
        first = min(seen.mentions, key=lambda m: m.start, default=None)
        if first is None or first.start != 0 or first.entity.type in AGENT_TYPES:
            return None
        return first.entity.name

    def _things(self, text: str) -> list[str]:
        """The names of the things (not people or organisations) a text names, in order."""
        seen = self.understanding.analyse(text)
        names = [
            m.entity.name
            for m in sorted(seen.mentions, key=lambda m: m.start)
            if m.entity.type not in AGENT_TYPES and m.entity.name not in self._titles
        ]
        return list(dict.fromkeys(names))

    def _described(self, text: str, a: Analysis, turns: list[Turn]) -> str | None:
        """'What happened to the imperative one?' after an answer saying 'Caffe and Theano used a
        declarative style while Chainer adopted the imperative style': the thing of the clause with that word."""
        found = DESCRIBED_RE.search(text)
        if found is None or found.group(2).lower() in ORDINALS or found.group(2).lower() in NOT_DESCRIPTIONS:
            return None
        word = found.group(2).lower()
        named_one = [
            m for m in a.mentions if m.surface.lower() == word and m.entity.type not in AGENT_TYPES | {"concept", "era"}
        ]
        if len(a.mentions) == 1 and named_one:  # "the Chainer one": Chainer itself (not "the Microsoft one")
            return text[: found.start()] + named_one[0].entity.name + text[found.end() :]
        if any(m.surface.lower() not in found.group(0).lower() for m in a.mentions):
            return None  # "the imperative one" may name a concept; any other name says what is meant
        for t in reversed(turns):
            if t.role != "assistant" or t.content.startswith(ABSTAINED):
                continue
            clauses = [c for c in CLAUSE_RE.split(LABEL_RE.sub("", t.content)) if re.search(rf"\b{word}\b", c, re.I)]
            named = [n for c in clauses[:1] for n in self._things(c) if word not in n.lower()]
            plural = found.group(0).lower().endswith("ones")
            if len(named) == 1 or (plural and named):  # "the declarative ones": Caffe and Theano
                return text[: found.start()] + " and ".join(named) + text[found.end() :]
            if clauses:
                return None  # the latest answer decides
            break
        # "the residual one": the one thing whose own name says the word (ResNet, "Residual Network")
        owners = {
            e.name
            for e in self.corpus.facts.entities
            if e.type not in AGENT_TYPES | {"concept", "era", "paper"}  # a title says every word of its topic
            and len(word) >= 4
            and any(word in re.findall(r"[a-z]+", n.lower()) for n in e.names)
        }
        if len(owners) == 1:
            return text[: found.start()] + next(iter(owners)) + text[found.end() :]
        return None

    def _names_its_referent(self, a: Analysis) -> bool:
        """'What is PyTorch and who made it?': "it" is a thing the question named in an earlier clause
        (not 'and when did TensorFlow absorb it?', where it is the object of TensorFlow's own verb)."""
        pronoun = THING_PRONOUN.search(a.text)
        if pronoun is None:
            return False
        lowered = a.text.lower()
        for m in a.mentions:
            at = lowered.find(m.surface.lower())
            if m.entity.type in AGENT_TYPES or m.entity.name in self._titles or not 0 <= at < pronoun.start():
                continue
            if re.search(r"\band\b|[,;?]", lowered[at : pronoun.start()]):
                return True
        return False

    @staticmethod
    def _mention_words(a: Analysis) -> set[str]:
        return {a.tokens[i] for m in a.mentions for i in range(m.start, m.end) if i < len(a.tokens)}

    def _previous_entity(self, turns: list[Turn], a: Analysis) -> str | None:
        """The entity a pronoun most likely means.

        Candidates come from the latest turns, newest first, each turn's in order of appearance: an
        answer names its subject first ("PyTorch was developed by FAIR", "PyTorch was based on
        Torch"), and that subject is what "it" means next. The first candidate the asked relation has
        facts for wins ("What was it based on?" means the framework, not the lab); else the first.
        """
        candidates: list[str] = []
        personal = PERSON_PRONOUN_RE.search(a.text) is not None  # "he" looks further back for a person
        latest_asked = False  # the latest question has been read (it alone reorders the candidates)
        for t in reversed(turns):
            if t.role == "assistant" and t.content.startswith(ABSTAINED):
                continue  # "... They cover Lin Yuan, MXNet, CNTK ...": no thing the user was told about
            seen = self.understanding.analyse(MARKER_RE.sub("", t.content))
            # "according to the article": the document frames the question, it is not its subject
            ents = list(dict.fromkeys(m.entity.id for m in seen.mentions if m.entity.name not in self._titles))
            if not ents:  # ... unless it is what the turn asks about: "which category is the article filed under?"
                ents = [
                    m.entity.id
                    for m in seen.mentions
                    if m.entity.name in self._titles and self.answerable(m.entity.id, seen)
                ][:1]
            noun = seen.head or seen.asked
            asks_for_thing = (
                seen.wh == "who"
                # "which framework ...?" asks for a thing, "which programming style ...?" for a description
                or (seen.wh == "which" and (not noun or self.kinds.named_by(noun) is not None))
                or (  # "What framework became ...?", "name a relative of BERT": they ask for one too
                    seen.wh in ("what", "other", "list")
                    and bool(noun)
                    and noun not in self._mention_words(seen)  # not "what is JAX?"
                    and (seen.wh != "other" or seen.tokens[:1] in (["name"], ["list"], ["give"]))
                    # not "what happened to CNTK?": its answer tells of CNTK, it names no new thing
                    and (self.kinds.named_by(noun) is not None or not self._describes(seen))
                )
            )
            if t.role == "user" and latest_asked:
                # an older question only adds what it named: the order was set by the latest one and its answer
                candidates += [e for e in ents if e not in candidates]
            elif t.role == "user" and not (asks_for_thing and seen.relation_scores):
                # "What is GPT-3?": the question's own subject comes before what the answer also names
                # (unlike "Which framework did FAIR release?", whose answer names the subject).
                candidates = ents + [e for e in candidates if e not in ents]
            elif t.role == "user" and a.has_pronoun:
                # "Which framework did Chainer's team move to?": the answer's new thing (PyTorch) is the
                # subject, not Chainer, which the question already named
                candidates = [e for e in candidates if e not in ents] + ents
            else:
                candidates += [e for e in ents if e not in candidates]
            if t.role == "user":
                latest_asked = True
            has_person = any(self.corpus.facts.entity(e).type == "person" for e in candidates)
            if len(candidates) >= 4 and t.role == "user" and (has_person or not personal):
                break  # the latest question decides the order of what its answer named (a "he" looks further back)
        if not candidates:
            return None
        named = re.search(r"\b(?:that|this|those|these|the same)\s+(\w+)", a.text, re.I)
        kinds = self.kinds.named_by(named.group(1).lower()) if named else None
        if named and named.group(1).lower() in ("one", "ones"):  # "which era follows that one?": an era
            asked_kind = re.search(r"\b(?:what|which)\s+(\w+)", a.text, re.I)
            kinds = self.kinds.named_by(asked_kind.group(1).lower()) if asked_kind else None
            if kinds and kinds <= AGENT_TYPES | {"organisation"} and a.wh != "who":
                kinds = None  # "which group released that one?": a group made it; that one is no group
        if kinds:  # "that company": the organisation among them, not the framework
            candidates = [e for e in candidates if self.corpus.facts.entity(e).type in kinds] or candidates
        # "he" is a person, "it" is not: "who developed Keras?" -> "when did TensorFlow absorb it?" is Keras
        neuter = re.search(r"\b(it|its)\b", a.text, re.I) is not None
        # "is any framework already doing that?": an idea or a thing, not the person the question named
        neuter = neuter or (not personal and re.search(r"\b(?:that|this)\s*[?.!]*\s*$", a.text, re.I) is not None)
        if personal != neuter:
            fits = [e for e in candidates if (self.corpus.facts.entity(e).type == "person") == personal]
            if personal and not fits and re.search(r"\bname\b", a.text, re.I):
                return None  # "what's his name?" after "the inventor of Caffe": no person was named
            if personal and not fits and set(candidates) <= self._title_ids:
                return None  # "he" after "who wrote the article?" is its author, not the article
            candidates = fits + [e for e in candidates if e not in fits]
        if a.mentions and AGENT_PRONOUN_RE.search(a.text):  # "did they also make Keras?": they, the makers
            agents = [e for e in candidates if self.corpus.facts.entity(e).type in AGENT_TYPES | {"organisation"}]
            if agents:
                return self.corpus.facts.entity(agents[0]).name
        if (a.wh == "who" or EVENT_WORDS_RE.search(a.text)) and neuter and not personal:
            # "who released it?", "when did it appear?": "it" is a thing, not the lab that made one
            things = [e for e in candidates if self.corpus.facts.entity(e).type not in AGENT_TYPES | {"organisation"}]
            candidates = things + [e for e in candidates if e not in things]
        for eid in candidates:
            if self.answerable(eid, a):
                return self.corpus.facts.entity(eid).name
        # "what language was it implemented in?" after "Caffe2 was developed by Facebook": a framework, the
        # kind of thing the sources tell the language of (for others, not for Caffe2), not the company
        top = max(a.relation_scores.values(), default=0.0)
        asked = {rel for rel, v in a.relation_scores.items() if v == top and v >= 1.0}
        for eid in candidates:
            if any(self.corpus.facts.entity(eid).type in self._holders.get(rel, frozenset()) for rel in asked):
                return self.corpus.facts.entity(eid).name
        return self.corpus.facts.entity(candidates[0]).name
