"""What a question is about: known entities (exact, alias or typo), unknown names, the asked relation."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from assistant.chatter import told_then_asked
from assistant.corpus import Corpus, Entity
from assistant.rephrasing import rephrase
from assistant.retrieval import STOPWORDS, _stemmer, fold, lemmas

_WORD_RE = re.compile(r"\w+", re.UNICODE)
_DIGITS_RE = re.compile(r"\d+")
_COMPOUND_RE = re.compile(r"\b[A-Za-z]+-?\d+[A-Za-z]?\b")
# Words a question is made of that say nothing about its topic.
QUESTION_WORDS = frozenset(
    "who whom whose what which when where why how many much list name tell give explain describe did "
    "does do is are was were be been the a an of in on at to for and or it its his her their they "
    "them he she this that these those there please me about know say says said mention mentioned "
    "article author text sources according also again just only ever kind kinds type types sort "
    "sorts exactly roughly approximately anyway anyways btw basically".split()
)
# Verbs that open a yes/no question ("is it still popular?"), not a keyword query.
_AUXILIARIES = frozenset(
    "is are was were do does did can could has have had will would should must might may shall tell".split()
)
# Adverbs that end a noun phrase before its verb ("which company first created ...").
_ADVERBS = frozenset(
    "first originally initially later eventually actually really also still currently then now once ever "
    "finally mainly mostly afterwards afterward subsequently next ultimately instead today nowadays".split()
)
# Imperatives that open a request for a list ("name the tools ...", "list the trends ...").
LIST_VERBS = frozenset({"name", "list", "enumerate", "give"})
_ATTRIBUTE_RE = re.compile(
    r"^(?:what|which) (?:is|was|are|were|s) (?:the|a|an) (\w+) of \w|"  # "what is the license of Keras"
    r"^(?:what|which) (?:is|was|are|were|s) (?:(?:\w+ ){1,3}s|his|her|its|their) (\w+)$"  # "what's its license"
)
# Words that frame a question about the sources without narrowing it ("how many eras does the author
# describe?", "the Iron Age the article talks about")
FRAMING_WORDS = frozenset(
    "article author piece post text describe describes described mention mentions mentioned list listed lists "
    "split splits divide divides divided name names named cover covers covered discuss discusses discussed "
    "total end include includes included cite cites cited give gives given identify identifies dl ml "
    "call calls called exist exists existed talk talks talked talking say says said refer refers referred "
    "use uses used order ordered chronological chronologically sequence timeline "
    "reasoning rationale motivation explanation".split()  # "what is his reasoning?": a why-question's words
)
# "Quick question: who ...?": up to three words and a colon before the question itself
_LEAD_IN_RE = re.compile(
    r"^\s*((?:[\w-]+\s+){0,3}[\w-]+)\s*:\s+(?=(?:who|what|when|where|why|how|which|did|does|do|is|are|was|were)\b)",
    re.I,
)
_DOCUMENT_PEERS = frozenset({"person", "organisation", "publication"})  # "the author of the article"
_ORDINAL_WORDS = frozenset("first second third fourth fifth sixth seventh eighth ninth tenth last".split())
_DETERMINERS = frozenset("the a an this that other another any some no one every each".split())
_CONTRACTION_RE = re.compile(r"['’](?:t|re|ve|ll|d|m)\b", re.I)  # "don't", "we're": not "language's"
_ARTICLES = frozenset({"the", "a", "an"})
_POSSESSIVES = frozenset("my your his her its our their".split())
_NEGATED = frozenset("don doesn didn isn wasn aren weren haven hasn hadn couldn wouldn shouldn".split())
_GREETINGS = frozenset("hey hi hiya hello yo ok okay hmm ah oh".split())
_QUANTIFIERS = frozenset({"all", "every", "each", "any", "some", "various", "else"})  # "list all the frameworks"
_NUMBER_WORDS = frozenset("two three four five six seven eight nine ten".split())  # "give the five eras": a count
# What a thing has as much as a person ("whose success", "whose APIs"): "whose" then asks for a thing too
_OWNED_BY_THINGS = frozenset(
    "success popularity rise result results breakthrough achievement accuracy record records performance "
    "architecture api apis style design abstraction nickname growth size parameters".split()
)
_RELATIVES = frozenset({"who", "whom", "whose", "which", "where", "when", "what"})
# Common verbs that end a noun phrase ("which company makes ..."); -ed and -ing forms are caught by shape.
_VERBS = frozenset(
    "make makes use uses create creates build builds run runs support supports have has own owns offer offers "
    "provide provides develop develops come comes become becomes belong belongs release releases get gets "
    "power powers win wins lead leads replace replaces put puts let lets see sees try tries pay pays pin pins "
    # irregular past forms, which the -ed shape test misses
    "made built ran had became came got won led bought sold took gave wrote began brought chose grew held kept "
    "knew left lost paid said saw sent set spent taught thought told went drew drove found fought rose".split()
)


_PREPOSITIONS = frozenset(
    "inside within behind from after before between among under over across against during without through "
    "beyond near outside toward towards via like than per onto upon around since until by".split()
)


def is_plural(word: str) -> bool:
    """Whether a word looks like a plural noun ("tools", "eras"; not "class", "is")."""
    return len(word) > 3 and word.endswith("s") and not word.endswith("ss")


# "behind TensorFlow and PyTorch", "besides Google", "other than Caffe": things the answer is set apart from
_SETTING_APART = frozenset(
    {("behind",), ("besides",), ("beside",), ("except",), ("excluding",), ("other", "than"), ("apart", "from")}
)


def set_apart(a: Analysis) -> set[str]:
    """The entities a question names only to set its answer apart from them ("which framework came third
    behind TensorFlow and PyTorch?"): the answer is another thing, which need not name them."""
    starts = {m.start: m for m in a.mentions}
    found: set[str] = set()
    for j in range(1, len(a.tokens)):
        if not any(tuple(a.tokens[max(0, j - len(w)) : j]) == w for w in _SETTING_APART):
            continue
        before = a.tokens[j - 2] if j >= 2 else ""
        if a.tokens[j - 1] == "behind" and (
            before in _AUXILIARIES or before in PERSON_NOUNS or before in GENERIC_NOUNS
        ):
            continue  # "which company is behind it?", "the team behind Keras": its makers
        k = j
        while k in starts:  # "TensorFlow and PyTorch", "Google, Facebook or Amazon"
            found.add(starts[k].entity.id)
            k = starts[k].end
            if a.tokens[k : k + 1] in (["and"], ["or"]) and k + 1 in starts:
                k += 1
    return found


def plural_of(noun: str) -> str:
    """The plural of a noun, as a list names it ("company" -> "companies"); a plural stays as it is."""
    if is_plural(noun) or noun == "people":
        return noun
    return noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in tuple("aeiou") else noun + "s"


def _verb_like(token: str) -> bool:
    """Ends a noun phrase: a common verb, an -ed/-ing form, an -ly adverb or a preposition."""
    return (
        token in _VERBS
        or token in _PREPOSITIONS
        or (len(token) > 4 and token.endswith("ly"))
        or (len(token) > 3 and token.endswith(("ed", "ing")))
    )


# Words a real word is never "corrected" into: a typo of these is rarely a real word itself.
_FUNCTION_WORDS = frozenset(STOPWORDS - {"what", "which", "who", "whom", "whose", "when", "where", "why", "how"})
# "the number of synapses": how many
_QUANTITY_NOUNS = frozenset({"number", "count", "amount", "total", "quantity"})
# Nouns that, after "in what", ask how someone took part, not for a thing ("in what capacity did he serve?")
_CAPACITIES = frozenset("capacity role roles position function form forms sense respect context light".split())
# "In what way / to what extent / in what manner ...": the question asks how, not for a thing.
MANNER_NOUNS = frozenset("way ways manner extent degree sense respect respects fashion means".split())
# Nouns that ask for an entity of some kind ("which group released it"), not for an attribute.
# Nouns that ask for a description, not for an attribute the sources would name ("what problem do
# different APIs cause?" is answered by "This caused difficulty ...", which never says "problem").
ABSTRACT_NOUNS = frozenset(
    "problem problems issue issues downside downsides drawback drawbacks benefit benefits advantage advantages "
    "disadvantage disadvantages reason reasons purpose role idea ideas point points goal goals aim effect effects "
    "impact consequence consequences difference differences change changes challenge challenges lesson lessons "
    "view views opinion takeaway message concern concerns limitation limitations example examples instance "
    "instances illustration evidence sign signs shortcoming shortcomings weakness weaknesses strength strengths "
    "decision decisions move moves step steps action actions choice choices "
    "pros cons merit merits flaw flaws metaphor metaphors analogy analogies trick tricks technique techniques "
    "upside upsides plus pluses minus minuses "
    "approach approaches mechanism mechanisms strategy strategies comparison stuff argument arguments case "
    "rationale justification motivation motive thinking logic reasoning".split()
)
# Generic nouns that ask for a person by name ("what is the name of the person who invented Caffe?").
PERSON_NOUNS = frozenset(
    "person persons people guy guys individual individuals researcher researchers man woman scientist scientists "
    "engineer engineers inventor inventors founder founders author authors".split()
)
GENERIC_NOUNS = frozenset(
    "group groups team teams organisation organization organisations organizations company companies firm firms "
    "lab labs laboratory institution institutions person people persons guy guys individual individuals "
    "researcher researchers thing things tool tools product products project projects one ones entity org orgs "
    "giant giants player players maker makers vendor vendors creator creators inventor inventors founder founders "
    "owner owners provider providers division divisions department departments unit units arm branch".split()
)
PRONOUNS = frozenset("it its they them their he him his she her this that these those one".split())
ELLIPSIS_RE = re.compile(r"^\s*(and|what about|how about|and what about|what of|same for|also)\b", re.I)
MAX_NGRAM = 4
MAX_KEYWORDS = 4  # a query this short with no question word is keywords ("mxnet nickname")
_WH_WORDS = frozenset("who what when where why which how".split())
FOREIGN_SHARE = 0.5  # no more known words than this share: the question is in another language
LATIN_END = 0x024F  # letters beyond Latin Extended-B are another script
FOREIGN_FUNCTION_WORDS = frozenset(
    "el la los las del se que qué como cómo cuál quién por para una une les des est qui quoi der die das und ist "
    "wer wie wurde von il lo chi che di per um uma os foi hat ein eine".split()
)
ACCENTED_RE = re.compile(r"[áéíóúñüßçàèìòùâêîôûäöëãõ]\w*", re.I)
_PREFIXES = frozenset("pre post non anti multi co re sub self semi inter intra over under mid e".split())


@dataclass(frozen=True)
class Mention:
    entity: Entity
    surface: str
    start: int  # token positions
    end: int
    fuzzy: bool


@dataclass
class Analysis:
    """Everything the answerer needs to know about a question."""

    text: str
    tokens: list[str]
    stems: list[str]
    wh: str
    mentions: list[Mention]
    unknown_names: list[str]
    relation_scores: dict[str, float]
    inverse_scores: dict[str, float]
    coverage: float  # share of the content words the corpus knows
    content: list[str] = field(default_factory=list)
    unknown_words: list[str] = field(default_factory=list)  # content words the corpus never uses
    head: str = ""  # the asked noun, generic or not ("company", "person", "license")
    unstated: list[str] = field(default_factory=list)  # content words the documents never use (synonyms aside)
    asked: str = ""  # the attribute asked for, when the question names one ("what license")
    asked_directly: bool = False  # the asked noun's phrase follows the question word ("what license is ...")
    asked_closed: bool = False  # the asked noun ends its phrase: "what license does ...", not "... lets you"
    asked_phrase: list[str] = field(default_factory=list)  # its words ("programming", "language")
    noun_phrase: list[str] = field(default_factory=list)  # the words after the question word ("open source projects")
    plural: bool = False  # the asked noun is plural ("which tools"): the answer is a list
    has_pronoun: bool = False
    elliptical: bool = False
    # words that set the scene, not what is asked: a clause of time ("after TensorFlow and PyTorch took over, ...")
    context: list[str] = field(default_factory=list)
    # the question that ends a text with a story before it ("AlexNet set a record. On which dataset?"), or ""
    question: str = ""

    @property
    def entity_ids(self) -> list[str]:
        out: list[str] = []
        for m in self.mentions:
            if m.entity.id not in out:
                out.append(m.entity.id)
        return out


_VERSION_RE = re.compile(r"[ \t]+v?(\d+(?:\.\d+)*)\b")


def _first_word_index(table: dict[str, list[tuple[str, ...]]]) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    index: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for rel, synonyms in table.items():
        for syn in synonyms:
            if syn:
                index.setdefault(syn[0], []).append((rel, syn))
    return index


def _is_year(token: str) -> bool:
    """A year ("2015") or a decade ("2010s"): a date, not a name."""
    return bool(re.fullmatch(r"(19|20)\d\d|(19|20)\d0s", token, re.I))


def squash(text: str) -> str:
    """Letters and digits only: 'GPT-3' -> 'gpt3', 'Tensor Flow' -> 'tensorflow'."""
    return re.sub(r"[\W_]+", "", fold(text))


def _dropped_letters(typed: str, word: str) -> bool:
    """Whether `typed` is `word` with letters left out ('relased' of 'released')."""
    letters = iter(word)
    return len(typed) < len(word) and all(c in letters for c in typed)


def _vowel_slip(typed: str, word: str) -> bool:
    """Whether `typed` is `word` with one vowel typed for another ('inventer' of 'inventor'), the commonest
    misspelling of an unstressed syllable."""
    diff = [(a, b) for a, b in zip(typed, word, strict=False) if a != b]
    return len(typed) == len(word) and len(diff) == 1 and all(c in "aeiouy" for c in diff[0])


def _stem(words: list[str]) -> list[str]:
    return _stemmer().stemWords(lemmas(words)) if words else []


# Field abbreviations users type for words the sources spell out ("dl frameworks", "nns", "apps").
ABBREVIATIONS = {
    "dl": "deep learning",
    "ml": "machine learning",
    "nn": "neural network",
    "nns": "neural networks",
    "app": "application",
    "apps": "applications",
    "nlp": "natural language processing",
    "nlu": "natural language understanding",
    "cv": "computer vision",
    # words for what the sources call performance ("how do they stay fast?": "to achieve high performance")
    "perf": "performance",
    "speed": "performance",
}
_ABBREVIATION_RE = re.compile(r"\b({})\b".format("|".join(ABBREVIATIONS)), re.I)


def _expand_abbreviations(text: str) -> str:
    """'dl frameworks' -> 'dl (deep learning) frameworks': the short form stays, the long one is added."""
    return _ABBREVIATION_RE.sub(lambda m: f"{m.group(0)} ({ABBREVIATIONS[m.group(0).lower()]})", text)


# question words that, after "the guy who ...", ask the question ("after the guy who invented Caffe moved, what ...")
_LATER_WH = frozenset({"which", "what", "where", "when", "why", "how"})


def wh_word(tokens: list[str]) -> str:
    """The kind of question: who, when, where, why, how many, how, which/what, or yes/no."""
    joined = " ".join(tokens[:12])
    if re.search(r"\bhow much (?:effort|work|help|trouble|hassle|labou?r|lifting|input)\b", joined):
        return "how"  # "how much effort did it take?": a manner, no number
    for kind in ("how many", "how much", "how big", "how large", "how old", "how long", "how tall", "how often"):
        if kind in joined:
            return "how many"
    if re.search(r"\b(what|which) (percentage|percent|proportion|fraction|amount|number|share|figure)\b", joined):
        return "how many"  # "what percentage of users ...", "what figure does he give ...": a number is asked for
    if re.search(r"\b(what|which|in what|in which) (years?|dates?|decades?|periods?|times?)\b", joined):
        return "when"
    if re.search(r"\bwhat (made|makes|caused|causes|led|leads|drove|drives|motivated|prompted)\b", joined):
        return "why"  # "what made MATLAB awkward": a reason is asked for
    if re.search(
        r"\bwhere (?:did|does|do|was|is|would) .*\b(rank\w*|stand|end up|ended up|placed?|position)\b",
        " ".join(tokens),
    ):
        return "what"  # "where did MXNet end up in the rankings?": a position, not a place
    if re.search(
        r"\b(?:what (?:is|was|were|are|s) (?:the|his|her|its|their|the author s)|for what) "
        r"(reason|reasoning|cause|motivation|rationale|argument|explanation)s?\b",
        joined,
    ):
        return "why"  # "what was the reason deep nets got so much attention?"
    imperative = bool(tokens) and tokens[0] in LIST_VERBS
    for i, t in enumerate(tokens[:12]):
        if imperative and i > 1 and t in _RELATIVES and tokens[i - 1] not in ("me", "us"):
            continue  # "name the framework whose APIs ...": a relative pronoun, not the question word
        if t == "which" and tokens[i + 1 : i + 2] and tokens[i + 1] in _ASIDE_SUBJECTS:
            continue  # "..., which I thought was slower, how ...": an aside, not the question word
        if t == "whose" and tokens[i + 1 : i + 2] and tokens[i + 1] in _OWNED_BY_THINGS:
            return "what"  # "whose success drew big tech in?": AlexNet's, a thing's
        if t in ("who", "whom", "whose"):
            if i >= 2 and tokens[i - 2] in ("the", "a", "an") and set(tokens[i + 1 : 16]) & _LATER_WH:
                continue  # "the person who invented Caffe joined which company?": a relative pronoun
            return "who"
        if t in ("when", "year"):
            return "when"
        if t in ("where", "why", "how", "which", "what", "list"):
            return t
    return "other"


def _role_positions(wh: str, tokens: list[str], in_mention: set[int]) -> list[int]:
    """Where a who/what question may name the role or thing it asks of someone: after a named thing's
    possessive ("who was Lin Yuan's Ph.D. advisor at Maryland?"; for what/which only at the end: "what was
    the title of his Ph.D. thesis (about)?"), and after "who was the" ("who were the founders of Waymo?")."""
    found = []
    if wh in ("who", "what", "which") and "s" in tokens:
        owner = tokens.index("s")
        if owner > 0 and owner - 1 in in_mention:
            role = list(
                itertools.takewhile(lambda t: t not in _PREPOSITIONS and t not in STOPWORDS, tokens[owner + 1 :])
            )
            if role and (wh == "who" or all(t in STOPWORDS for t in tokens[owner + 1 + len(role) :])):
                found.append(owner + len(role))
    if re.match(r"who (?:is|was|are|were) the \w+ of\b", " ".join(tokens)):
        found.append(3)
    return found


def english_words(model_path: Path | None) -> frozenset[str]:
    """Whole English words the embedding model's WordPiece vocabulary holds ('doing', 'guy', 'way').

    A question word found there is a real word, not necessarily a typo of a corpus word: the typo
    corrector asks for closer evidence before changing it. Empty when the folder has no vocab.txt.
    """
    path = Path(model_path) / "vocab.txt" if model_path else None
    if path is None or not path.is_file():
        return frozenset()
    words = path.read_text(encoding="utf-8").split("\n")
    return frozenset(w for w in words if len(w) >= 2 and w.isalpha() and w.islower())


_SUBORDINATORS = frozenset("before after once since until while".split())
_WONDERING = frozenset("wonder wondered wondering know curious ask asking asked".split())
_TELLERS_PEOPLE = frozenset(  # "my teacher in Berlin": the people around whoever tells a story
    "teacher teachers friend friends colleague colleagues coworker coworkers professor prof lab class course "
    "school classmates boss manager mentor office".split()
)
_CONDITIONS = frozenset("if although though even given".split())
_ASIDE_SUBJECTS = frozenset("i we you they everyone people".split())  # ", which I thought ...": an aside
_CLAUSE_SUBJECTS = frozenset("it they he she we".split())
_KIND_OF = (["kinds"], ["types"], ["sorts"])  # "what kinds of models": not "what kind of library is it?"
_CONCEDING = frozenset({"though", "although"})  # "... even though they're less flexible?": no question of its own
_CONTRACTED = frozenset("re s ve ll d".split())  # "they're", "it's": the verb, cut short
_DESCRIBING = frozenset("when where which who whose".split())  # ", when the big companies piled in"
_OPENING_PREPOSITIONS = _PREPOSITIONS | {"on", "in", "at", "for", "to", "with", "of"}  # ", on how many ...?"


def _time_clause(tokens: list[str], mention_ends: dict[int, int], commas: set[int]) -> tuple[int, int] | None:
    """Where a clause of time ("before they picked it up", "after Amazon adopted it") starts and ends (at a
    comma or the end): a subordinator, then a pronoun or a name (or two) and a verb (not "after bronze", a
    phrase); or, opening the question, a subordinator or a condition ("if", "although") up to the comma
    before the question word."""
    # "If the new frameworks are all imperative, how do they still run fast?": a leading condition, up to the
    # comma before the question word
    ends = sorted(c for c in commas if c < len(tokens) and tokens[c] in _WH_WORDS)
    if tokens and (tokens[0] in _CONDITIONS or tokens[0] in _SUBORDINATORS) and ends:
        return 0, ends[0]  # "Once frameworks like Caffe appeared, what ...?": up to the question word
    for i in range(len(tokens) - 2):
        if tokens[i] not in _SUBORDINATORS and tokens[i] not in _CONCEDING:
            continue
        ends = [c for c in commas if c > i]
        if i == 0 and not ends:
            continue  # "after the Bronze Age came which era?": no clause before the main one
        after = mention_ends.get(i + 1, i + 2 if tokens[i + 1] in _CLAUSE_SUBJECTS else None)
        if after is not None and tokens[after : after + 1] == ["and"] and after + 1 in mention_ends:
            after = mention_ends[after + 1]  # "after TensorFlow and PyTorch took over"
        if (
            after is not None
            and after < len(tokens)
            and (_verb_like(tokens[after]) or tokens[after] in _AUXILIARIES or tokens[after] in _CONTRACTED)
        ):  # "though they're less flexible": a contracted verb
            return i, min(ends or [len(tokens)])  # "after Amazon adopted it", "once PyTorch was dominating"
    return None


def _describing_clause(
    tokens: list[str], named_ends: set[int], commas: set[int], breaks: set[int]
) -> tuple[int, int] | None:
    """Where a clause after a comma that describes the thing named right before it starts, to the end of the
    question ("Which years does he give the Iron Age, when the big companies piled in?"), or None; not a
    second question ("What about PyTorch, where did its style come from?")."""
    for c in sorted(commas):
        opened = max((b for b in breaks if b <= c), default=0)  # the sentence the comma is in
        if (
            opened + 1 < c < len(tokens) - 1
            and tokens[c] in _DESCRIBING
            and c in named_ends
            and tokens[opened] in _WH_WORDS
            and tokens[opened + 1] != "about"
            and tokens[c + 1] not in _AUXILIARIES
            and not any(c < b for b in breaks)
        ):
            return c, len(tokens)
    return None


def _base_forms(w: str) -> list[str]:
    """What an inflected word may be a form of: "swears" -> "swear", "claimed" -> "claim", "used" -> "use"."""
    forms = []
    if w.endswith("s") and len(w) > 3:
        forms.append(w[:-1])
    if w.endswith(("ed", "es")) and len(w) > 4:
        forms += [w[:-2], w[:-1]]
    if w.endswith("ing") and len(w) > 5:
        forms += [w[:-3], w[:-3] + "e"]
    return forms


def _question_start(story: str, tokens: list[str]) -> int:
    """Where the question after a story starts, or 0: "A colleague claims Keras was a one-man project. Is that
    so, and who was the man?" asks who, after the story and "Is that so, and"; "Is that what it says about who
    made it?" stays a yes/no question about the story."""
    told = len(_WORD_RE.findall(fold(story))) if story else 0
    if told and tokens[told : told + 1] and tokens[told] in _AUXILIARIES:
        told = next((k + 1 for k in range(told, len(tokens)) if tokens[k] == "and"), 0)
    return told if told and wh_word(tokens[told:]) != "other" else 0


def _scene(lead: list[str], first: str) -> bool:
    """Whether words before a comma and a preposition that opens the question ("With BERT getting so huge, across
    how many devices ...?") are a clause of their own that sets the scene (not "and the people from that team,
    on what ...?", the subject)."""
    return (
        first not in _WH_WORDS
        and not set(lead) & _WH_WORDS
        and any(t in _AUXILIARIES or (t not in _PREPOSITIONS and _verb_like(t)) for t in lead)
    )


def _late_start(tokens: list[str], commas: set[int]) -> int | None:
    """Where a question that starts late starts, after a comma or a word of wondering ("Back in the primitive
    days, the Stone Age, what period was it?", "... and I wondered which group put it out?"), or None."""
    if not tokens or tokens[0] in _AUXILIARIES:
        return None
    start = next((c for c in sorted(commas) if c < len(tokens) and tokens[c] in _WH_WORDS), None)
    if start is None:  # "With models getting so big, on roughly how many devices ...?": a preposition first
        start = next(
            (
                c
                for c in sorted(commas)
                if tokens[c : c + 1]
                and tokens[c] in _OPENING_PREPOSITIONS
                and any(t in _WH_WORDS for t in tokens[c + 1 : c + 3])
            ),
            None,
        )
    if start is None:
        start = next(
            (i + 1 for i in range(len(tokens) - 1) if tokens[i] in _WONDERING and tokens[i + 1] in _WH_WORDS), None
        )
    return start if start is not None and wh_word(tokens[start:]) != "other" else None


class Understanding:
    """Built once per corpus: alias tables, vocabulary and relation synonyms."""

    def __init__(self, corpus: Corpus, english: frozenset[str] = frozenset()) -> None:
        self.english = english
        self.facts = corpus.facts
        self.aliases: dict[str, list[Entity]] = {}
        for e in corpus.facts.entities:
            for name in e.names:
                key = squash(name)
                if key and key not in STOPWORDS and key not in PRONOUNS and len(key) >= 2:
                    bucket = self.aliases.setdefault(key, [])
                    if e not in bucket:
                        bucket.append(e)
        # the longest name in words: a title ("A Brief History of Deep Learning Frameworks") is matched whole
        self._max_ngram = max([MAX_NGRAM, *(len(_WORD_RE.findall(n)) for e in corpus.facts.entities for n in e.names)])
        # Short aliases ("PT", "MS", "He") must be written in capitals when they are also plain words of the
        # sources or of English ("he" is a pronoun, "ms" and "pt" abbreviations); "tf", "uw" and "jax" are not.
        lowercase_words = {w for d in corpus.documents for w in _WORD_RE.findall(d.text) if w.islower()}
        self.case_sensitive = {
            k for k in self.aliases if len(k) <= 3 and (k in lowercase_words or (len(k) <= 2 and k in english))
        }
        words: set[str] = set()
        for doc in corpus.documents:
            words.update(_WORD_RE.findall(fold(doc.text)))
        for e in corpus.facts.entities:
            for name in e.names:
                words.update(_WORD_RE.findall(fold(name)))
        self.stated = frozenset(words)  # words of the documents and names: what the sources say
        self.rel_syn: dict[str, list[tuple[str, ...]]] = {}
        self.rel_inv: dict[str, list[tuple[str, ...]]] = {}
        for name, rel in corpus.facts.relations.items():
            self.rel_syn[name] = [tuple(_stem(_WORD_RE.findall(fold(s)))) for s in rel.synonyms]
            self.rel_inv[name] = [tuple(_stem(_WORD_RE.findall(fold(s)))) for s in rel.inverse_synonyms]
            for s in [*rel.synonyms, *rel.inverse_synonyms]:
                words.update(_WORD_RE.findall(fold(s)))
        self.vocab = words
        self._syn_index = _first_word_index(self.rel_syn)
        self._inv_index = _first_word_index(self.rel_inv)
        self.squashed_text = " ".join(squash(d.text) for d in corpus.documents)
        self._document_text = " ".join(d.text for d in corpus.documents)
        self._titles = {d.title for d in corpus.documents}
        self._english_by_len: dict[int, list[str]] | None = None  # built on first use (misspelt_english)
        self._words_by_len: dict[int, list[str]] = {}
        for w in sorted(words):
            if w.isalpha() and len(w) >= 4:
                self._words_by_len.setdefault(len(w), []).append(w)
        key_words = {
            w
            for r in corpus.facts.relations.values()
            for s in r.synonyms + r.inverse_synonyms
            for w in _WORD_RE.findall(fold(s))
        }
        key_words |= {w for w in QUESTION_WORDS if len(w) >= 3}
        self._key_words: dict[int, list[str]] = {}
        for w in sorted(key_words):
            if w.isalpha():
                self._key_words.setdefault(len(w), []).append(w)
        self.weak = set(_stem(sorted(QUESTION_WORDS)))
        self.compounds = {squash(m.group(0)) for d in corpus.documents for m in _COMPOUND_RE.finditer(d.text)}
        # "gpt" of "GPT 3": a name that a number tells apart ("gpt 4" is another model)
        self._numbered_names = {
            m.group(1) for k in self.aliases for m in [re.fullmatch(r"([a-z]+)\s?-?\d+", k.lower())] if m
        }
        self.vocab_stems = set(_stem(sorted(words)))
        self._joined_vocab = " " + " ".join(sorted(w for w in words if w.isalpha())) + " "
        self._fuzzy_keys = [k for k in self.aliases if len(k) >= 3]

    # ------------------------------------------------------------ entities

    def mentions(self, original: str) -> tuple[list[Mention], list[str]]:
        """Entities named in the question (exact, alias or typo), and names the corpus does not know."""
        spans = [(m.start(), m.end()) for m in _WORD_RE.finditer(original)]
        raw = [original[a:b] for a, b in spans]
        folded = [fold(w) for w in raw]
        taken = [False] * len(raw)
        found: list[Mention] = []
        for size in range(min(self._max_ngram, len(raw)), 0, -1):
            for i in range(len(raw) - size + 1):
                if any(taken[i : i + size]):
                    continue
                key = "".join(folded[i : i + size])
                ents = self.aliases.get(key)
                if not ents:
                    continue
                surface = " ".join(raw[i : i + size])
                if key in self.case_sensitive and not any(c.isupper() for c in surface):
                    continue  # 'tf', 'he', 'uw' in lower case are too likely plain words
                for j in range(i, i + size):
                    taken[j] = True
                found.extend(Mention(e, surface, i, i + size, False) for e in ents)
        # "Kaiming Hee": a first name matched exactly, and a typo of the rest of the same name after it
        for k, m in enumerate(found):
            nxt = m.end
            if m.end - m.start != 1 or nxt >= len(raw) or taken[nxt] or folded[nxt] in self.vocab:
                continue
            best = self._fuzzy(folded[m.start] + folded[nxt])
            if best is not None and m.entity in self.aliases[best]:
                taken[nxt] = True
                found[k] = Mention(m.entity, f"{m.surface} {raw[nxt]}", m.start, nxt + 1, True)
        # Typos: one- and two-word spans the corpus does not know, close to exactly one alias.
        for size in (2, 1):
            for i in range(len(raw) - size + 1):
                if any(taken[i : i + size]):
                    continue
                words = folded[i : i + size]
                if all(w in self.vocab or w in QUESTION_WORDS or w in STOPWORDS for w in words):
                    continue
                if size > 1 and (
                    any(
                        w in STOPWORDS or w in QUESTION_WORDS or (len(w) < 2 and w.isalpha()) for w in words
                    )  # "company's research"
                    or all(w in self.english for w in words)
                ):
                    continue  # "deal in" is no typo of "Devlin", nor "tensorflw or" of a two-word name
                key = "".join(words)
                best = self._fuzzy(key)
                if best is not None:
                    for j in range(i, i + size):
                        taken[j] = True
                    found.extend(Mention(e, " ".join(raw[i : i + size]), i, i + size, True) for e in self.aliases[best])
        unknown: list[str] = []
        strange = [not taken[i] and self._strange(f) for i, f in enumerate(folded)]
        for i, (w, f) in enumerate(zip(raw, folded, strict=True)):
            numbered = (  # "gpt 4": a name the corpus knows with another number ("GPT 3")
                not taken[i]
                and f in self._numbered_names
                and i + 1 < len(raw)
                and raw[i + 1].isdigit()
                and squash(f + raw[i + 1]) not in self.aliases
            )
            if numbered:
                unknown.append(f"{w} {raw[i + 1]}")
                continue
            if taken[i] or f in self.vocab or f in QUESTION_WORDS or f in STOPWORDS:
                continue
            if (len(w) <= 2 and w.isupper()) or f in ABBREVIATIONS:
                continue  # DL, ML, AI, NLP: abbreviations, not names
            if f.endswith("s") and f[:-1] in self.vocab:
                continue  # "GPUs": the plural of a word the corpus uses ("GPU")
            name_like = (
                (
                    strange[i] and ((i > 0 and strange[i - 1]) or (i + 1 < len(raw) and strange[i + 1]))
                )  # "yoshua bengio"
                or (
                    any(c.isdigit() for c in w)
                    and not _is_year(w)
                    and not self._number_known(w)
                    and not (i > 0 and _is_year(raw[i - 1]) and w.isdigit() and len(w) == 2)  # "2015-16"
                )  # GPT-4, not 2000
                or (
                    w[:1].isupper() and i > 0 and original[: spans[i][0]].rstrip()[-1:] not in ".!?"
                )  # "Thanks. Unrelated"
                or any(c.isupper() for c in w[1:])
                or (
                    f not in _PREFIXES
                    and f not in self.english
                    and _stem([f])[0] not in self.vocab_stems  # "open-sourcing": the corpus says "sourced"
                    and not f.isdigit()  # "3000-fold": a number
                    and not _is_year(f)  # "mid-2010s": a date
                    and self._hyphenated(original, spans[i])
                )
            )
            if name_like and self._scene_place(raw, folded, i, original[spans[i][1] :]):
                continue  # "My teacher in Berlin says PyTorch came from Torch. Is that right?": where, not what
            if name_like and strange[i] and i > 0 and strange[i - 1] and unknown and unknown[-1] == raw[i - 1]:
                unknown[-1] = f"{unknown[-1]} {w}"  # one name in two words: "yoshua bengio"
            elif name_like:
                unknown.append(w)
        # A versioned name the corpus does not know (GPT-4 when it knows GPT-3) is unknown as a whole.
        covered = [(spans[m.start][0], spans[m.end - 1][1]) for m in found if m.fuzzy]
        for c in _COMPOUND_RE.finditer(original):
            key = squash(c.group(0))
            if any(a <= c.start() and c.end() <= b for a, b in covered):
                continue  # "GTP-3": a typo of a name the corpus knows, digits and all
            letters = re.match(r"[a-z]+", key)
            if letters and letters.group(0) in _PREFIXES:
                continue  # pre-2000s, post-2012: a prefix and a date, not a name
            if key[:1].isdigit():
                continue  # "3000-fold", "60-million": a number, not a name
            if key not in self.compounds and key not in self.aliases and c.group(0) not in unknown:
                unknown.append(c.group(0))
        for mention in found:  # "TensorFlow 1.0" when the corpus only knows TensorFlow 2.0
            version = _VERSION_RE.match(original, spans[mention.end - 1][1])
            if (
                version
                and not _is_year(version.group(1))
                and squash(mention.surface + version.group(1)) not in self.squashed_text
            ):
                unknown.append(f"{mention.surface} {version.group(1)}")
        if any(m.entity.name not in self._titles and m.entity.type not in _DOCUMENT_PEERS for m in found):
            # "what is a declarative style, per the article?": "the article" frames a question about
            # something else (not its author or publisher); the document named by its title is still asked about
            found = [m for m in found if m.entity.name not in self._titles or m.surface == m.entity.name]
        found.sort(key=lambda m: (m.start, m.entity.id))
        return found, unknown

    @staticmethod
    def _hyphenated(text: str, span: tuple[int, int]) -> bool:
        a, b = span
        return (a > 0 and text[a - 1] == "-" and a > 1 and text[a - 2].isalnum()) or (
            b < len(text) - 1 and text[b] == "-" and text[b + 1].isalnum()
        )

    def _fuzzy(self, key: str) -> str | None:
        """The one alias within a small edit distance; digits must agree (GPT-3 is not GPT-4)."""
        if len(key) < 4:
            return None
        budget = 1 if len(key) < 8 else 2
        digits = _DIGITS_RE.findall(key)
        close = []
        # rapidfuzz scans every alias in C; the name rules below see only the few within the budget.
        for alias, d, _ in process.extract(
            key, self._fuzzy_keys, scorer=DamerauLevenshtein.distance, score_cutoff=budget, limit=None
        ):
            if abs(len(alias) - len(key)) > budget or _DIGITS_RE.findall(alias) != digits:
                continue
            if key.startswith(alias) or alias.startswith(key):
                longer = key if len(key) > len(alias) else alias
                doubled = abs(len(alias) - len(key)) == 1 and longer[-1] == longer[-2] and not longer[-1].isdigit()
                if not doubled and not (len(key) >= 6 and abs(len(alias) - len(key)) == 1 and not key[-1].isdigit()):
                    continue  # a different suffix is a different name (Caffe vs Caffe2)
            close.append((int(d), alias))
        if not close:
            return None
        close.sort()
        if len(close) > 1 and close[0][0] == close[1][0] and self.aliases[close[0][1]] != self.aliases[close[1][1]]:
            return None  # ambiguous
        return close[0][1]

    # ------------------------------------------------------------ relations

    def _scores(
        self, stems: list[str], index: dict[str, list[tuple[str, tuple[str, ...]]]], *, keywords: bool = False
    ) -> dict[str, float]:
        """How strongly the question asks for each relation: the distinct question words its synonyms
        cover (generic question words count half), plus a bonus for a whole multi-word phrase.

        Only synonyms whose first word occurs in the question are looked at (`index` is keyed by it). In a
        keyword query ("article author") every word counts in full: no word of it is only there to ask.
        """
        stem_set = set(stems)
        ordered = " ".join(stems)
        covered: dict[str, set[str]] = {}
        bonus: dict[str, float] = {}
        for first in sorted(stem_set):  # sorted: the result's order (and tie-breaks) never depends on hashing
            for rel, syn in index.get(first, ()):
                if all(s in stem_set for s in syn):
                    covered.setdefault(rel, set()).update(syn)
                    if len(syn) > 1 and " ".join(syn) in ordered:
                        bonus[rel] = 0.5  # the phrase itself, not scattered words
        return {
            rel: sum(0.5 if s in self.weak and not keywords else 1.0 for s in words) + bonus.get(rel, 0.0)
            for rel, words in sorted(covered.items())
        }

    def correct(self, text: str) -> str:
        """The question rephrased as a plain question (`rephrase`), without a lead-in ("Quick
        question: ..."), with typos in ordinary words fixed ('happnd' -> 'happened', 'mad' -> 'made').

        Only lowercase words the vocabulary lacks are touched. Question words and the relation
        synonyms (the words that decide what is asked) are matched generously: one edit for short
        words, two from five letters on; other corpus words need five letters for one edit and eight
        for two. A unique closest word wins (or several forms of one word); names are left to the
        entity matcher.
        """

        text = rephrase(text)
        lead = _LEAD_IN_RE.match(text)
        if (
            lead and self.plain(lead.group(1))  # "Quick fact-check: did Google ...?", not "Iron Age: when was it?"
        ):
            text = text[lead.end() :]
        words = list(_WORD_RE.finditer(text))
        strange = [self._strange(w.group(0).lower()) for w in words]
        # Two strange words side by side are a name the corpus does not know ("yoshua bengio"), not typos.
        in_name = {
            words[i].start()
            for i in range(len(words))
            if strange[i] and ((i > 0 and strange[i - 1]) or (i + 1 < len(words) and strange[i + 1]))
        }
        # ... unless each is a misspelt word of the sources ("hardwear libarys": hardware, library)
        misspelt = {
            w.start()
            for w in words
            if w.start() in in_name
            and w.group(0).islower()
            and len(w.group(0)) >= 6
            and self._close(w.group(0), self._words_by_len, 2)
        }
        if misspelt and all(words[i].start() in misspelt for i in range(len(words)) if words[i].start() in in_name):
            in_name = set()

        def fix(m: re.Match[str]) -> str:
            w = m.group(0)
            previous = _WORD_RE.findall(text[: m.start()])
            before = previous[-1] if previous else ""
            if len(w) < 3 or not w.islower() or w in self.vocab or w in QUESTION_WORDS or any(c.isdigit() for c in w):
                return w
            if m.start() in in_name or _CONTRACTION_RE.match(text, m.end()):
                return w  # a name, or a contraction's first part ("don't" is not "down't")
            if self._fuzzy(squash(w)) is not None:
                return w  # a typo of a name: the entity matcher handles it
            if w in self.english and len(w) >= 4:  # a real word: 'doing' is not 'down', 'bring' not 'being'
                return w
            following = _WORD_RE.findall(text[m.end() :])
            after = following[0].lower() if following else ""
            if w in self.english and before.lower() in _DETERMINERS and after not in _ARTICLES:
                return w  # "the other way": a noun after a determiner, not "why" (but "the guy that mad the ...")
            if w in _GREETINGS or w in PRONOUNS:
                return w  # "hey so who ...": a greeting, not "her"; "about him": a pronoun, not "his"
            if w in _VERBS or w in _ADVERBS or w in _PREPOSITIONS:
                return w  # "what year saw ...", "right now": a word of its own, not "say", "new"
            if w in self.english:  # a short real word ('mad', 'wat'): one edit, but 'add' is not 'and',
                stem = _stem([w])[0]  # nor into another form of itself ('own' is not 'owns')
                close = [
                    c
                    for c in self._close(w, self._key_words, 1)
                    if c[1] not in _FUNCTION_WORDS
                    and _stem([c[1]])[0] != stem
                    and (not previous or c[1] not in _WH_WORDS)  # "gpt 4 way bigger": not "why" mid-question
                ]
            else:
                close = self._close(w, self._key_words, 1 if len(w) < 5 else 2)
            if len(w) >= 5 and w not in self.english:
                # every word of the sources too: "lerning" is one edit from "learning", two from "leading"
                nearer = self._close(w, self._words_by_len, 1 if len(w) < 8 else 2)
                if nearer and (not close or nearer[0][0] < close[0][0]):
                    close = nearer
            elif len(w) == 4 and not close and w not in self.english:
                # "aftr", "frst": a short word with one letter left out, when only one word of the sources fits
                close = [c for c in self._close(w, self._words_by_len, 1) if _dropped_letters(w, c[1])]
                close = close if len(close) == 1 else []
            if not close:
                return w
            tied = [v for d, v in close if d == close[0][0]]
            if len(set(_stem(tied))) == 1:  # 'developd': develop / developed are one word
                return tied[-1]
            asking = [v for v in tied if v in _WH_WORDS]
            if not previous and len(asking) == 1:  # 'wen was it made': a question opens with its question word
                return asking[0]
            dropped = [v for v in tied if _dropped_letters(w, v)]
            if len(dropped) == 1:  # 'relased': a letter left out of 'released', the commonest slip, not 'related'
                return dropped[0]
            vowel = [v for v in tied if _vowel_slip(w, v)]
            if len(vowel) == 1:  # 'inventer': 'inventor', not 'invented'
                return vowel[0]
            return w

        return _expand_abbreviations(_WORD_RE.sub(fix, text))

    def plain(self, phrase: str) -> bool:
        """Whether a phrase is ordinary words only ("sorry for asking", "Quick fact-check"): English, no
        name the sources know (exactly or misspelt), no number."""
        return not self.mentions(phrase)[0] and all(
            ((len(w) == 1 and w.isalpha()) or w.lower() in self.english)  # "a", "I": words too (not "5")
            and self._fuzzy(squash(w)) is None
            for w in _WORD_RE.findall(phrase)
        )

    def foreign(self, a: Analysis) -> bool:
        """Whether most of the question's words are neither English (the model's vocabulary) nor the
        sources' own ('¿Quién desarrolló TensorFlow?'): a question in another language."""
        named = {i for m in a.mentions for i in range(m.start, m.end)}
        words = [t for i, t in enumerate(a.tokens) if i not in named and t.isalpha() and len(t) > 1]
        if any(ord(c) > LATIN_END for w in words for c in w):
            return True  # another script: 'Keras 是谁开发的？'
        if not words or not self.english:
            return False
        known = sum(w in self.english or w in self.vocab or w in STOPWORDS or w in QUESTION_WORDS for w in words)
        if a.text.lstrip()[:1] in "¿¡":
            return True  # '¿Cómo se llama ...?'
        if sum(w in FOREIGN_FUNCTION_WORDS for w in words) >= max(2, len(words) // 3):
            return True  # 'wer hat PyTorch entwickelt', 'qui a créé Keras': another language's small words
        accented = ACCENTED_RE.search(a.text) is not None  # 'Quién', 'développé'
        return (accented and known <= FOREIGN_SHARE * len(words)) or (
            len(words) >= 3 and known < FOREIGN_SHARE * len(words)
        )

    def _number_known(self, w: str) -> bool:
        """A plain number the documents write, maybe glued to a unit ("3000" in "3000X")."""
        return w.isdigit() and re.search(rf"(?<![\d.,]){w}(?![\d.,]\d)", self._document_text) is not None

    def _derived(self, stem: str) -> bool:
        """A long stem inside a corpus word ("disciplin" in "interdisciplinary"): a word the corpus uses in
        a derived form."""
        return len(stem) >= 7 and stem in self._joined_vocab

    def misspelt_english(self, w: str) -> bool:
        """A word that is no English word but one letter off one ('afterwads'): a slip, not a word the
        sources never use ('undergrad', 'born')."""
        if w in self.english or len(w) < 5 or not self.english:
            return False
        if self._english_by_len is None:
            self._english_by_len = {}
            for e in sorted(self.english):
                if e.isalpha() and len(e) >= 4:
                    self._english_by_len.setdefault(len(e), []).append(e)
        return bool(self._close(w, self._english_by_len, 1))

    def _known(self, token: str, stem: str) -> bool:
        """Whether the sources use the word, or a form of it."""
        return token in self.vocab or stem in self.vocab_stems or self._derived(stem)

    def _alternative_wording(self, tokens: list[str], stems: list[str], i: int) -> bool:
        """'some nickname or pun': a word offered as another wording of one the sources use, joined by 'or'."""
        before = i >= 2 and tokens[i - 1] == "or" and self._known(tokens[i - 2], stems[i - 2])
        after = i + 2 < len(tokens) and tokens[i + 1] == "or" and self._known(tokens[i + 2], stems[i + 2])
        return before or after

    @staticmethod
    def _scene_place(raw: list[str], folded: list[str], i: int, after: str) -> bool:
        """A place a story puts its teller's people in ("my teacher in Berlin", "a friend at Baidu"), in a
        sentence before the question: the scene, not what is asked about."""
        return (
            i >= 2
            and folded[i - 1] in ("in", "at", "from")
            and folded[i - 2] in _TELLERS_PEOPLE
            and re.search(r"[.!?]\s+\S", after) is not None
        )

    def _strange(self, w: str) -> bool:
        """A word that is no English or corpus word and no one-edit typo of one, nor of a name."""
        if w in self.vocab or w in self.english or w in QUESTION_WORDS or len(w) < 3 or self._fuzzy(squash(w)):
            return False
        if any(base in self.english for base in _base_forms(w)):
            return False  # "swears", "claimed": a form of an English word
        return not self._close(w, self._key_words, 1) and not self._close(w, self._words_by_len, 1)

    @staticmethod
    def _close(w: str, pool: dict[int, list[str]], budget: int) -> list[tuple[int, str]]:
        """Words of the pool within `budget` edits of w, closest first."""
        # Typing rarely gets the first letter wrong, and requiring it keeps real words ("layers")
        # from being "corrected" into vocabulary words ("papers").
        near = [v for n in range(len(w) - budget, len(w) + budget + 1) for v in pool.get(n, []) if v[0] == w[0]]
        found = ((DamerauLevenshtein.distance(w, v, score_cutoff=budget), v) for v in near)
        return sorted(c for c in found if c[0] <= budget)

    def analyse(self, text: str) -> Analysis:
        folded_text = fold(text)
        words = list(_WORD_RE.finditer(folded_text))
        tokens = [w.group(0) for w in words]
        # "fast-growing framework": a word joined to the next by a hyphen modifies it, it is no head
        joined = [folded_text[w.end() : w.end() + 1] == "-" and i + 1 < len(words) for i, w in enumerate(words)]
        stems = _stem(tokens)
        # "made it pretty much on his own": alone, no word of owning
        relational = [
            "" if t == "own" and tokens[i - 2 : i - 1] == ["on"] and tokens[i - 1] in _POSSESSIVES else st
            for i, (t, st) in enumerate(zip(tokens, stems, strict=True))
        ]
        mentions, unknown = self.mentions(text)
        # "article author", "keras creator": a few words, no question word or verb that asks
        terse = len(tokens) <= MAX_KEYWORDS and not any(t in _WH_WORDS or t in _AUXILIARIES for t in tokens)
        rel = self._scores(relational, self._syn_index, keywords=terse)
        inv = self._scores(relational, self._inv_index, keywords=terse)
        in_mention = {i for m in mentions for i in range(m.start, m.end)}
        # "who originally developed it before they picked it up?": a clause of time tells when, the main
        # clause what is asked; its relation words count only when the main clause has none
        commas = {i + 1 for i in range(len(words) - 1) if "," in folded_text[words[i].end() : words[i + 1].start()]}
        breaks = {  # where a sentence ends: "... a fun touch. Which years ...?"
            i + 1
            for i in range(len(words) - 1)
            if re.search(r"[.?!]\s", folded_text[words[i].end() : words[i + 1].start()])
        }
        # "... to the Iron Age, when the big companies piled in?": a clause that describes the thing just named
        clause = _time_clause(tokens, {m.start: m.end for m in mentions}, commas) or _describing_clause(
            tokens, {m.end for m in mentions}, commas, breaks
        )
        context = [] if clause is None else tokens[clause[0] : clause[1]]
        if clause is not None:
            main = ["" if clause[0] <= i < clause[1] else st for i, st in enumerate(relational)]
            rel_main = self._scores(main, self._syn_index, keywords=terse)
            if rel_main:
                rel, inv = rel_main, self._scores(main, self._inv_index, keywords=terse)
        content_idx = [
            i
            for i, t in enumerate(tokens)
            if t not in QUESTION_WORDS
            and t not in STOPWORDS
            and t not in _QUANTIFIERS
            and t not in _GREETINGS  # "hey so who ...": no content
            and t not in _NEGATED  # "don't": a contraction's first part
            and (len(t) > 2 or t.isdigit())
        ]
        content = [tokens[i] for i in content_idx]
        unknown_words = [
            tokens[i]
            for i in content_idx
            if i not in in_mention
            and tokens[i] not in FRAMING_WORDS  # "the Iron Age the article talks about": no content asked for
            and tokens[i] not in _ORDINAL_WORDS  # "the fourth era": a rank, whether or not the sources say it
            and tokens[i] not in _PREFIXES  # "mid-2010s", "pre-2012": a prefix of a date
            and not _is_year(tokens[i])  # a decade: a date, checked against the sources' years elsewhere
            and not self._known(tokens[i], stems[i])
            and not self._alternative_wording(tokens, stems, i)
        ]
        # Words the sources never use, though a relation's synonyms may ("born"): not stated anywhere.
        unstated = [tokens[i] for i in content_idx if i not in in_mention and tokens[i] not in self.stated]
        story, question = told_then_asked(text)
        told = _question_start(story, tokens)  # a story told before the question asks nothing
        coverage = 1 - len(unknown_words) / len(content_idx) if content_idx else 0.0
        asked_idx = [i for i in content_idx if i >= told and tokens[i] not in PERSON_NOUNS]  # "who was the man?"
        if told:  # the question's own words, whatever the story's
            unknown_share = sum(tokens[i] in unknown_words for i in asked_idx) / len(asked_idx) if asked_idx else 0.0
            coverage = max(coverage, 1 - unknown_share)
        # The asked-for attribute: the head of the noun phrase right after the question word
        # ("what license", "how many layers", "which open-source projects" -> projects).
        asked = ""
        phrase: list[int] = []  # token positions of the asked-for noun phrase
        subject = direct = False
        # "AlexNet and ResNet kept breaking records. On which dataset were those set?": the question's own kind
        wh = wh_word(tokens[told:])
        start = _late_start(tokens, commas) if not told else None
        if start is not None and wh != "other" and not _scene(tokens[:start], tokens[start]):
            start = None  # a scene before "on how many ...?" only: "Who made it, and when?" starts first
        if start is not None:  # "With BERT getting so huge, across how many devices ...?": after the scene
            told, wh = start, wh_word(tokens[start:])
            context = [*tokens[:start], *context]  # what comes before the question sets the scene
        # A keyword query ("big tech companies that joined ...") asks for its first noun phrase.
        keywords = wh == "other" and bool(tokens) and tokens[0] not in _AUXILIARIES and tokens[0] not in LIST_VERBS
        for i, t in [(-1, "")] * keywords + [(j, tokens[j]) for j in range(told, len(tokens) - 1)]:
            if t in ("what", "which") and wh not in ("what", "which", "other", "list"):
                continue  # "how did BERT change what people wanted?": an embedded "what" asks for nothing
            counted = t in ("many", "much") and tokens[i - 1 : i] == ["how"]  # not "pretty much solo"
            if i < 0 or t in ("what", "which") or counted or (i == 0 and t in LIST_VERBS):  # "name the tools"
                reach = 4 if t in LIST_VERBS else 3  # "list all the frameworks"
                # "what are the eras ...": a copula and a determiner, then the noun asked for
                copula = i >= 0 and tokens[i + 1 : i + 2] in (["is"], ["are"], ["was"], ["were"], ["s"])  # "what's"
                copula = copula and tokens[i + 2 : i + 3] in (["the"], ["all"])
                reach += 1 if copula else 0
                # "what kinds of complex models ...": the models are asked for
                reach += 2 if tokens[i + 1 : i + 2] in _KIND_OF and tokens[i + 2 : i + 3] == ["of"] else 0
                # "which bronze age frameworks ...": a name right before the noun modifies it (not "what did
                # PyTorch add", where the name is the verb's subject)
                after = i + 1 + (tokens[i + 1 : i + 2] in (["the"], ["a"], ["an"]))
                modifier_end = after
                while modifier_end in in_mention:
                    modifier_end += 1
                if modifier_end > after:
                    reach = max(reach, modifier_end - i + 1)
                nxt = next(
                    (
                        j
                        for j in range(i + 1, min(i + reach, len(tokens)))
                        if j in content_idx and j not in in_mention and tokens[j] not in _NUMBER_WORDS
                    ),
                    None,
                )
                if nxt is not None:
                    # "in what capacity": a role, no attribute; "in which city": the city is asked
                    direct = nxt == i + 1 and not (i > 0 and tokens[i - 1] == "in" and tokens[nxt] in _CAPACITIES)
                    phrase.append(nxt)
                    # "what do people rely on?": a noun after a verb is its subject, not the kind asked for
                    subject = not copula and bool(set(tokens[i + 1 : nxt]) & _AUXILIARIES)
                    end = min(nxt + 3, len(tokens)) if t not in LIST_VERBS else nxt + 1  # "list the tools available"
                    while ((nxt + 1 < end and nxt + 1 in content_idx) or joined[nxt]) and nxt + 1 not in in_mention:
                        word = tokens[nxt + 1]
                        if "," in folded_text[words[nxt].end() : words[nxt + 1].start()]:
                            break  # "which researcher, together with ...": the phrase ends at the comma
                        if joined[nxt]:  # "fast-growing": the phrase goes on past the modifier
                            end = max(end, min(nxt + 3, len(tokens)))
                            nxt += 1
                            phrase.append(nxt)
                            continue
                        modifier = (  # "fast growing framework": an -ing/-ed word before a noun
                            nxt + 2 in content_idx
                            and nxt + 2 not in in_mention
                            and not _verb_like(tokens[nxt + 2])
                            and tokens[nxt + 2] not in _PREPOSITIONS
                        )
                        if (
                            word in _ADVERBS
                            or word in _AUXILIARIES
                            or (word,) in _SETTING_APART
                            or word in ("other", "apart")
                        ):
                            break  # "which company first created ...", "how many devices must ...", "which company besides"
                        plural_head = is_plural(tokens[nxt])
                        if plural_head and tokens[nxt + 2 : nxt + 3] and tokens[nxt + 2] in _AUXILIARIES:
                            break  # "which tools people could use": a plural, then the subject of a clause
                        if word.endswith("s") and tokens[nxt + 2 : nxt + 3] in (["the"], ["a"], ["an"], ["its"]):
                            break  # "which vendor publishes the ...": a verb, then its object
                        if _verb_like(word) and not (modifier and word not in _VERBS and word not in _PREPOSITIONS):
                            break
                        nxt += 1
                        phrase.append(nxt)
                    asked = tokens[nxt]
                break
        # "what is the license of Keras?", "what's its license?": the attribute asked for, named late
        attribute = None
        if wh in ("what", "which") and (not asked or (phrase and phrase[-1] in in_mention)):
            attribute = _ATTRIBUTE_RE.search(" ".join(tokens))
            word = (attribute.group(1) or attribute.group(2)) if attribute else ""
            if word and word not in QUESTION_WORDS and word not in STOPWORDS:
                asked, phrase, subject, direct = word, [], False, True
            else:
                attribute = None
        roles = [] if (asked if wh == "who" else asked in unknown_words) else _role_positions(wh, tokens, in_mention)
        unnamed = next((i for i in roles if tokens[i] in unknown_words), None)
        possessed = unnamed is not None
        if unnamed is not None:  # "who was Lin Yuan's Ph.D. advisor?": a role the sources never name is asked for
            asked, direct, phrase = tokens[unnamed], True, [unnamed]
        named = re.search(r"\bname of (?:the |a |an )?(\w+)", " ".join(tokens))
        if named and asked in ("", "name"):  # "what is the name of the person who ...": the person is asked for
            asked = named.group(1)
        # "what allowed training models ...": a verb inside the phrase means no noun is asked for
        # ("programming language": an -ing word before the noun describes it)
        verb_in_phrase = any(
            (_verb_like(tokens[i]) and not tokens[i].endswith("ing")) or tokens[i] in _VERBS for i in phrase[:-1]
        )
        head = "" if (subject or verb_in_phrase) and not named else asked
        if wh == "why":  # "what drove the demand ...?": a reason is asked for, "drove" is no attribute
            asked = head = ""
        if asked in MANNER_NOUNS:  # "in what way", "to what extent": a how-question
            wh, asked = "how", ""
        counted = bool(phrase) and tokens[phrase[-1] + 1 : phrase[-1] + 2] == ["of"]  # not "part of", "version number"
        if asked in _QUANTITY_NOUNS and counted:  # "the brain's estimated number of synapses?": how many
            wh, asked = "how many", ""
        # "what tools ...", "name the tools people used": a list is asked for
        plural = any((is_plural(tokens[i]) or tokens[i] == "people") and i not in in_mention for i in phrase)
        # "name every company the article mentions": all of a kind, though the noun is singular
        plural = plural or bool(asked and re.search(rf"\b(?:every|each|all)\s+{re.escape(asked)}\b", " ".join(tokens)))
        if len(phrase) > 1:
            # "which open source projects does he contribute to?": "open source" describes the projects;
            # the relation asked is the verb's, when the rest of the question has one
            masked = ["" if i in phrase[:-1] else st for i, st in enumerate(relational)]
            rel_rest = self._scores(masked, self._syn_index, keywords=terse)
            if rel_rest and rel_rest != rel:
                rel, inv = rel_rest, self._scores(masked, self._inv_index, keywords=terse)
        if asked in GENERIC_NOUNS and not possessed:  # "which group", "what company": asks for an entity, not an
            asked = ""  # attribute (but "the founders of Waymo" the sources never name are no entity to find)
        if asked in ABSTRACT_NOUNS:  # "what problem ...", "what advantage ...": a description is asked for
            asked = ""
        return Analysis(
            text=text,
            tokens=tokens,
            stems=stems,
            wh=wh,
            mentions=mentions,
            unknown_names=unknown,
            context=context,
            question=question if story else "",
            relation_scores={k: v for k, v in rel.items() if v > 0},
            inverse_scores={k: v for k, v in inv.items() if v > 0},
            coverage=coverage,
            content=content,
            unknown_words=unknown_words,
            unstated=unstated,
            asked=asked,
            asked_closed=bool(asked)
            and asked in tokens
            and (
                tokens.index(asked) + 1 == len(tokens)
                or tokens[tokens.index(asked) + 1] in _AUXILIARIES | {"of", "for", "under", "on", "in"}
            ),
            noun_phrase=[tokens[i] for i in phrase],
            # "what programming language is ...": the whole phrase, right after the question word
            asked_phrase=[tokens[i] for i in phrase]
            if direct
            and asked
            and phrase
            and tokens[phrase[-1]] == asked
            and not set(phrase) & in_mention
            and (phrase[-1] + 1 == len(tokens) or tokens[phrase[-1] + 1] in _AUXILIARIES)
            else [],
            # "what license is ...", not "what links the author to it" (a verb and its object)
            asked_directly=direct
            and bool(head)
            and head == asked
            and (
                attribute is not None
                or possessed  # "who was Lin Yuan's advisor at ...": the role, named after the possessive
                or phrase[-1] + 1 == len(tokens)
                or tokens[phrase[-1] + 1] in _AUXILIARIES
            ),
            head=head,
            plural=plural,
            has_pronoun=any(t in PRONOUNS for t in tokens),
            elliptical=bool(ELLIPSIS_RE.match(text)),
        )
