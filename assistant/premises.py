"""Reasons to abstain that the facts and the question's words give before any sentence is read: a
thing, year or language the sources never name, an event they never tell ("why did Google abandon
TensorFlow?"), a maker they never credit, a rank or comparison they never state.

The second layer of the Answerer (see assistant.answer); it keeps no state of its own.
"""

from __future__ import annotations

import re

from assistant.corpus import Entity
from assistant.fact_answers import (
    FactAnswers,
    typed_noun,
)
from assistant.retrieval import token_set
from assistant.structural import MAKING_RELATIONS, is_role
from assistant.text import (
    AGENT_TYPES,
    ITEM_WORDS,
    LINK_RE,
    ORDINALS,
    POLAR_RE,
    asked_item,
)
from assistant.understanding import GENERIC_NOUNS, PERSON_NOUNS, Analysis

MAKER_WORDS = ("inventor", "creator", "founder", "developer", "author", "maker", "designer")
MAKER_PREFIXES = tuple(w[:5] for w in MAKER_WORDS)  # "invented" ~ "inventor", "created" ~ "creator"
YEAR_RE = re.compile(r"(?<![\d.,])((?:19|20)\d\d)(?![\d.,]\d|s\b)")  # "2012", "2021+", not "2,0190" nor "2010s"
COMPARED_BY_RE = re.compile(
    r"\b(\w+er)\s+than\b|\bwhich (?:\w+ )?is (\w+er)\b|\b(prefers?|preferred|favou?rs?|recommends?)\b", re.I
)
# "which framework does the author like to use?", "his favourite framework": a preference too
LIKING_RE = re.compile(  # not "did frameworks like Caffe show up ...": there "like" gives examples
    r"\b(?:(?:does|do|did|would)\s+(?:\w+\s+){1,3}?(like|love|enjoy)s?(?=\s+(?:to|using|working)\b|"
    r"\s*[?.!]?\s*$)|(favou?rite))\b",
    re.I,
)
LIKED_RE = re.compile(r"\b(?:favou?rite|prefer\w*|liked|loved?|enjoy\w*)\b", re.I)  # an answer that tells a taste
NOT_COMPARATIVES = frozenset("rather other either neither whether ever never over under after further".split())
PREFERRED = {"prefer": "preferred", "favour": "favoured", "favor": "favored", "recommend": "recommended"}
SIZE_WORDS = frozenset(
    "bigger biggest larger largest smaller smallest more most less fewer greater older newer".split()
)
NAME_ASKED_RE = re.compile(r"\b(?:name|named|called)\b", re.I)  # "what's the name of ...", "what is he called"
# "the inventor of Caffe", "the Caffe inventor", "caffe inventor joined ...": a maker as the subject of a phrase
UNNAMED_RE = re.compile(r"\bthe ({0})s? of\b|\b[\w-]+ ({0})s?(?=\s+(?!of\b)\w)".format("|".join(MAKER_WORDS)), re.I)
STRONG_RELATION = 2.0  # a relation's score when the question names it in its own words (not one shared word)
# Words around the act a question takes for granted: "why did Google decide to stop developing ...?"
PHASE_VERBS = frozenset({"end", "ended", "ends", "ending", "wind", "wound", "winds"})  # "... up doing"
INTENT_STEMS = frozenset(
    token_set(
        "decide decided choose chose try tried want wanted plan planned begin began start started finally "
        "eventually ever actually first initially originally suddenly later officially et al get got gotten "
        "become became been being"
    )
)
OWNERS = frozenset({"his", "her", "its", "their"})  # "his undergraduate degree": a kind of his degree
AMOUNT_WORDS = frozenset("hundred hundreds thousand thousands million millions billion billions".split())
# Words that ask who made a thing itself ("who created Horovod?"), not who hosts or backs it ("who is behind")
MADE_RE = re.compile(
    r"\b(?:creat\w*|invent\w*|develop\w*|built|build\w*|wrote|writ\w*|design\w*|lead\w*|led|found(?:ed|ers?)|start(?:ed)?)\b",
    re.I,
)
# Things someone makes: a question for their maker that the facts cannot answer is not answered.
MADE_TYPES = frozenset({"framework", "library", "tool", "compiler", "model", "dataset", "paper"})
ORGANISATION_TYPES = frozenset({"organisation", "organization", "company"})
# The asked-about agent is the subject of another verb: "which company did the inventor of X join?",
# "the person who created X went to work for ...?"
EMBEDDED_RE = re.compile(r"\b(did|does|do)\b|\w\s+who\b", re.IGNORECASE)


class PremiseChecks(FactAnswers):
    """Reasons to abstain found before any sentence is read; a layer of the Answerer."""

    _years: set[str]
    _latest_year: int | None
    _person_relations: set[str]
    _linking_relations: set[str]
    _tied_to_agents: set[str]
    _made_by_agents: set[str]
    _subject_kinds: dict[str, frozenset[str]]

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
        # "where did the author earn his Ph.D.?": a named thing and a relation named outright ("Ph.D.") say
        # what is asked, however few of its other words the sources use
        plain = bool(a.mentions) and max(a.relation_scores.values(), default=0.0) >= STRONG_RELATION
        if (a.coverage < 0.5 or (a.coverage <= 0.5 and not a.mentions)) and not self._asks_item_only(a) and not plain:
            return "most of the question's words never occur in the sources"
        return None

    @staticmethod
    def _unmatched_comparison(a: Analysis, said: str) -> str | None:
        """The word a question compares two named things by ('faster', 'prefer'), when the answer does not
        say it; sizes ('bigger', 'more popular') are told by numbers or other words, so they are not checked."""
        found = COMPARED_BY_RE.search(a.text)
        liking = LIKING_RE.search(a.text) if found is None else None
        if liking is not None:  # "which framework does the author like to use?": a taste the sources never tell
            if not a.mentions or a.wh in ("why", "how") or LIKED_RE.search(said):
                return None
            return "prefer"
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
            if not re.search(rf"\b(?:{others})\s*{re.escape(noun)}s?\b", a.text, re.I):
                continue
            if a.asked_phrase and noun not in a.head:  # "which university were X and his co-authors from?": a place
                return None
            return rel.label
        return None

    @staticmethod
    def _asks_item_only(a: Analysis) -> bool:
        """'What is the last reference?': the only words the sources lack say which item of a list."""
        if asked_item(a.text) is None:
            return False
        bracketed = re.search(r"\[\d{1,2}\]", a.text) is not None  # "what does [2] point to?"
        return bracketed or all(w.isdigit() or w in ORDINALS or w in ITEM_WORDS for w in a.unknown_words)

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

    def _unstated_kind_of(self, a: Analysis) -> str | None:
        """'Where did he do his undergraduate degree?', 'waymo parent company?': the question ends on a
        relation's noun narrowed by a word the sources never use; they give that noun, never that kind of it."""
        if len(a.tokens) < 3 or a.wh in ("when", "how many"):  # "in what year did it achieve its breakthrough
            return None  # result?": the date is asked, the result only described
        owner, modifier, noun = a.tokens[-3:]
        if owner not in OWNERS or modifier not in a.unknown_words or modifier not in self.understanding.english:
            return None  # "his undergraduate degree", not "did Keras get absorbed" nor "a breakthrough result in"
        if re.search(rf"\b{re.escape(modifier)}\b", a.text) is None:  # written in capitals: a name, not a word
            return None
        stem = tuple(token_set(noun))
        named = [rel for rel, v in a.relation_scores.items() if v >= 1.0 and stem in self.understanding.rel_syn[rel]]
        return f"{modifier} {noun}" if named else None

    def _unlisted_attribute(self, a: Analysis) -> str | None:
        """'What language is Caffe written in?': a relation the facts give in full (`exhaustive`) asked of a
        thing of a kind that has it, when the facts give it for none of the things the question names."""
        noun = a.asked or a.head  # "what language ...": the noun names the relation ("written" names others)
        asked = [rel for rel, v in a.relation_scores.items() if v >= 1.0 and noun and self._names_relation(noun, rel)]
        if len(asked) != 1 or not self.corpus.facts.relations[asked[0]].exhaustive or not a.mentions:
            return None
        rel = asked[0]
        holders = self._subject_kinds.get(rel, frozenset())
        if any(
            self.by_subject.get((m.entity.id, rel))
            or self.by_object.get((m.entity.id, rel))
            or m.entity.type not in holders
            for m in a.mentions
        ):
            return None
        return f"they never give the {self.corpus.facts.relations[rel].label} of {a.mentions[0].entity.name}"

    def _unstated_event(self, a: Analysis) -> bool:
        """A word of the question the sources never use ("born", "grow up"), other than a word for the
        person asked about ("the AlexNet guy", "its creator") or a slip of an English word ("afterwads")."""
        asked = {  # "its creator": a word for who made the thing, not for something that happened
            w
            for rel, v in a.relation_scores.items()
            if v >= 1.0 and rel in self._agent_relations
            for p in self.understanding.rel_syn[rel]
            for w in p
        }
        return any(
            w not in PERSON_NOUNS and not self.understanding.misspelt_english(w) and not set(token_set(w)) <= asked
            for w in a.unstated
        )

    @staticmethod
    def _acts(a: Analysis, between: list[str]) -> list[str]:
        """The words between two named things that may tell an act (not 'decide to', 'team', sums)."""
        verbs = [w for w in between if not set(token_set(w)) <= INTENT_STEMS and w not in GENERIC_NOUNS | PERSON_NOUNS]
        # "pay a billion dollars to acquire": words the sources never use, and sums, only dress the act up
        return [w for w in verbs if w not in a.unknown_words and w not in AMOUNT_WORDS]

    def _unlinked_event(self, a: Analysis) -> str | None:
        """The event a why/how/when-question takes for granted, when the sources never tell it: one named
        thing did something to another ("why did Google abandon TensorFlow?", "why was Keras merged into
        PyTorch?"), in a relation's words, and no fact links the two. The facts hold every link the article
        draws between two things."""
        if a.wh not in ("why", "how", "when", "how many"):
            return None
        named = [m for m in a.mentions if not is_role(m) and m.entity.name not in self._titles]
        if len(named) not in (2, 3) or len(a.mentions) != len(named) or any(m.entity.type == "era" for m in named):
            return None
        # "why did Google stop developing TensorFlow and switch to PyTorch?": the first act, of the first two
        first, second = sorted(named, key=lambda m: m.start)[:2]
        agents = (first.entity.type in AGENT_TYPES, second.entity.type in AGENT_TYPES)
        if agents == (False, True) or (
            agents == (True, True) and (first.entity.type, second.entity.type) != ("person", "organisation")
        ):
            return None  # who did it to what ("Google abandon TensorFlow", "Kaiming He join Facebook"), or
            # what became of a thing ("Keras merged into PyTorch")
        between = a.tokens[first.end : second.start]
        if LINK_RE.search(" ".join(between)):
            return None  # "how is Torch related to PyTorch?" asks how they are linked, it takes no act for granted
        # "decide to open source", "stop developing": the first verb is the act, what follows its complement
        # ("the University of Toronto team propose": "team" names who acted, it is no act)
        verbs = self._acts(a, between)
        # "end up faring", "wound up acquiring": the act follows, when the sources have a word for it
        phased = [
            w
            for i, w in enumerate(between)
            if w not in PHASE_VERBS and not (w == "up" and i > 0 and between[i - 1] in PHASE_VERBS)
        ]
        verbs = self._acts(a, phased) or verbs
        said = set(token_set(" ".join(verbs)))
        phrases = [  # a phrase's own words: "pull the plug" is "pull ... plug"
            (rel, words)
            for rel, v in a.relation_scores.items()
            if v >= 1.0
            for phrase in self.understanding.rel_syn[rel]
            for words in [tuple(token_set(" ".join(phrase))) or phrase]
            if set(words) <= said
        ]
        if not verbs or said - {w for _, phrase in phrases for w in phrase}:
            return None  # the verb alone stands between them: "Google abandon TensorFlow"
        act = set(token_set(verbs[0]))
        asked = {rel for rel, phrase in phrases if act & set(phrase)}
        if asked & MAKING_RELATIONS:  # "released", "built", "adopted": any of them made or took it up
            asked |= MAKING_RELATIONS
        asked &= self._linking_relations
        if not asked or first.entity.id == second.entity.id:
            return None
        # Facebook released PyTorch when its lab FAIR did: the agent or a part of it; the University of
        # Toronto proposed AlexNet when its researcher did: a person the facts tie to the organisation
        parts = {self.facts[j].fact.subject for j in self.by_object.get((first.entity.id, "part_of"), [])}
        people = {
            s
            for s, o in self.by_pair
            if o == first.entity.id and self.corpus.facts.entity(s).type == "person" and s != second.entity.id
        }
        pairs = [
            (x, y)
            for agent in {first.entity.id} | parts | people
            for x, y in ((agent, second.entity.id), (second.entity.id, agent))
        ]
        if any(self.facts[j].fact.relation in asked for pair in pairs for j in self.by_pair.get(pair, [])):
            return None
        did = "did " if "did" in a.tokens[: first.start] else ""  # "why did Google abandon ...?"
        told = " ".join(w for w in between if w not in GENERIC_NOUNS | PERSON_NOUNS | {"et", "al"})  # not "did team"
        return f"{first.entity.name} {did}{told} {second.entity.name}"

    def _uncredited(self, a: Analysis) -> str | None:
        """The name of the thing a "who made it?" question is about, when the facts, which hold every
        link the article draws between a thing and a person or organisation, tie it to none."""
        entities = {m.entity.id: m.entity for m in a.mentions}
        if self._polar_maker(a):  # "is JAX developed by Meta?": the maker named is the one asked about
            entities = {e.id: e for e in entities.values() if e.type not in AGENT_TYPES}
            return self._never_tied(entities)
        if not (self._asks_for_agent(a) or self._agent_kind(a)) or not a.mentions or EMBEDDED_RE.search(a.text):
            return None  # not "which company did the inventor of Caffe join?": the maker is not what is asked
        if a.wh != "who" and UNNAMED_RE.search(a.text) and not NAME_ASKED_RE.search(a.text):
            return None  # "the inventor of Caffe joined which company?": the maker is the subject
        top = max(a.relation_scores.values(), default=0.0)
        making = {rel for rel, v in a.relation_scores.items() if v == top} & MAKING_RELATIONS
        made = bool(making) and MADE_RE.search(a.text) is not None  # "who created X?", not "who is behind X?"
        return self._never_tied(entities, made=made)

    def _polar_maker(self, a: Analysis) -> bool:
        """'Was OneFlow made by Google?': a yes/no question whether a named person or organisation made,
        released, adopted or proposed a named thing (not "did Microsoft do the same with its own framework?")."""
        return (
            a.wh == "other"
            and POLAR_RE.match(a.text) is not None
            and any(m.entity.type in AGENT_TYPES for m in a.mentions)
            and any(v >= 1.0 and rel in MAKING_RELATIONS for rel, v in a.relation_scores.items())
        )

    def _never_tied(self, entities: dict[str, Entity], *, made: bool = False) -> str | None:
        """The name of the first of these things, when they are all made things and no fact ties any of them
        to a person or organisation (`made`: as its maker; being hosted by or contributed to is no making)."""
        # "who created Waymo?": a company is made too, when the question says so
        makeable = MADE_TYPES | (ORGANISATION_TYPES if made else frozenset())
        if not entities or any(e.type not in makeable for e in entities.values()):
            return None  # "who at Google built it?", "companies in the Iron Age": not only made things named
        if entities.keys() & (self._made_by_agents if made else self._tied_to_agents):
            return None
        return next(iter(entities.values())).name

    def _asks_for_agent(self, a: Analysis) -> bool:
        """A who-question whose relation, in the facts, links things to people or organisations
        ("who created ...", "who developed ..."), or a keyword query for a maker ("horovod creator")."""
        named = {i for m in a.mentions for i in range(m.start, m.end)}  # "the author says ...": a person named
        keywords = (
            a.wh == "other"
            and not POLAR_RE.match(a.text)
            and any(t.rstrip("s") in MAKER_WORDS for i, t in enumerate(a.tokens) if i not in named)
        )
        return (a.wh == "who" or keywords) and any(
            v >= 1.0 and rel in self._agent_relations for rel, v in a.relation_scores.items()
        )

    def _agent_kind(self, a: Analysis) -> bool:
        """A question for the company that did something ('which company developed ...')."""
        kinds = self.kind_names.named_by(a.head) if a.head else None
        agentive = kinds is not None and kinds & AGENT_TYPES
        return bool(agentive) and any(v >= 1.0 and rel in self._agent_relations for rel, v in a.relation_scores.items())

    def _tells_relation(self, a: Analysis, text: str, *, agents_only: bool = True) -> bool:
        """Whether text has a word of a relation the question asks for ('developed', 'open sourced'), of
        the relations that link to people or organisations unless `agents_only` is false."""
        said = set(token_set(text))
        asked = {
            rel
            for rel, v in a.relation_scores.items()
            if v >= 1.0 and (rel in self._agent_relations or not agents_only)
        }
        if asked & MAKING_RELATIONS:  # "who made ResNet?": "proposed by" tells its making too
            asked |= MAKING_RELATIONS
        return any(set(phrase) <= said for rel in asked for phrase in self.understanding.rel_syn[rel])
