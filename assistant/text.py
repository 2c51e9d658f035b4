"""Text helpers for answers: sentence trimming and clauses, typed checks (a date, a number, a place),
names in text, and the word lists and patterns the answerer reads questions and sentences with.

Pure functions and constants: no corpus, no model, no state.
"""

from __future__ import annotations

import functools
import re

from assistant.chunking import Passage
from assistant.retrieval import token_set
from assistant.understanding import Analysis

MARKER_RE = re.compile(r"\s*\[\d+\]")
ABSTAINED = "I can't find that in the sources"  # how every abstention starts
SOFTWARE = frozenset({"framework", "library", "compiler", "tool", "product"})  # kinds too loose to check
MIN_CLAUSE_WORDS = 8  # a trimmed follow-on sentence shorter than this says too little to add


# "at Waymo", "from the University of Toronto", "in Design Automation Conference": a place or an
# organisation, named after a preposition.
PLACE_RE = re.compile(r"\b(?:at|in|from|of|on|to|joined|joining)\s+(?:the\s+)?([A-Z][\w&.-]*)")
QUOTED_RE = re.compile(r"“[^”]*”|\"[^\"]*\"")  # a quoted title ("A Brief History of Deep ...") is no place


def names_a_place(text: str, a: Analysis) -> bool:
    """Whether text names a place or organisation (capitalised, after a preposition) the question does not."""
    asked = set(a.tokens)
    text = QUOTED_RE.sub("", MARKER_RE.sub("", text))
    return any(m.group(1).lower().strip(".") not in asked for m in PLACE_RE.finditer(text))


def clause_with(sentence: str, at: int) -> str:
    """The clause of a sentence that holds character `at` ("Among them, Google open sourced the famous
    TensorFlow framework that is ..." -> "Google open sourced the famous TensorFlow framework.")."""
    starts = [0] + [m.end() for m in re.finditer(r"[,;:]\s+|\s+(?:and|while|whereas)\s+", sentence) if m.end() <= at]
    start = starts[-1]
    end = re.search(r"[,;:]\s|\s(?:that|which|who|whose|while|whereas)\s|[.!?]$", sentence[at:])
    text = sentence[start : at + end.start() if end else len(sentence)].strip(" ,;:.")
    return text[:1].upper() + text[1:] + "."


def surface_re(surface: str) -> re.Pattern[str]:
    """A mention's words as written in the question ("GPT 3" is "GPT-3" there)."""
    return re.compile(r"[\s\-]*".join(re.escape(w) for w in surface.split()), re.I)


def sentence_at(p: Passage, i: int) -> str:
    return p.section if i < 0 else p.sentences[i].text


def names_in(names: list[str], lowered_text: str) -> bool:
    pattern = names_pattern(tuple(names))
    return pattern is not None and pattern.search(lowered_text) is not None


@functools.lru_cache(maxsize=4096)
def names_pattern(names: tuple[str, ...]) -> re.Pattern[str] | None:
    """One compiled alternation of an entity's names, as whole words (lower case)."""
    usable = sorted({n.lower() for n in names if len(n) > 1}, key=lambda n: (-len(n), n))
    if not usable:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in usable) + r")(?!\w)")


def shorten(text: str, words: int = 6) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def join_names(items: list[str]) -> str:
    items = list(dict.fromkeys(items))
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def pluralise(text: str, n: int) -> str:
    if n < 2:
        return text
    for one, many in (
        (" belongs to ", " belong to "),
        (" was ", " were "),
        (" is ", " are "),
        (" uses ", " use "),
        (" has ", " have "),
    ):
        if one in text:
            return text.replace(one, many, 1)
    return text


TIME_WORDS = frozenset({"year", "years", "date", "time", "period", "era", "age", "happen", "happened", "first"})
NUMBER_WORDS = frozenset(
    "one two three four five six seven eight nine ten hundred hundreds thousand thousands million billion trillion "
    "dozen dozens half twice double".split()
)


# Words that introduce a reason or a means: a why/how answer usually carries one.
CUES = {
    "why": re.compile(
        r"\b(because|since|due to|for its|so that|thus|therefore|caused|as a result|in order to|thanks to|owing to)\b"
        # "With the birth of BERT ..., ability to train large models became ...": the cause leads the sentence
        r"|^\W*(?:with the (?:birth|rise|advent|arrival|success|growth)|as the (?:success|rise|growth))\b",
        re.I,
    ),
    "how": re.compile(r"\b(via|through|by (?:using|supporting|\w+ing)|using|with)\b", re.I),
}


LEANS_ON_CONTEXT = re.compile(r"^\W*(he|she|they|it|this|these|that|those|his|her|their|its)\b", re.I)
AGENT_ORGS = frozenset({"organisation", "organization", "company", "lab"})
AGENT_TYPES = frozenset({"person", "organisation", "organization", "company", "publication", "team", "lab"})
PLACE_TYPES = frozenset({"organisation", "organization", "company", "publication", "university", "lab"})
# Words that ask what links two things ("how is X related to Y", "X's connection to Y").
NAMING_RE = re.compile(r"\b(call|calls|called|name|names|named|term|termed|dub|dubs|dubbed|label|labels)\b", re.I)
# "the era right before Roman Times", "which era follows the Iron Age" (not "before 2000")
NEIGHBOUR_RE = re.compile(
    r"\b(before|after|preceding|precedes?|preceded|following|follows?|followed|succeeds?|succeeded|prior)\b(?! \d)",
    re.I,
)
EARLIER_WORDS = frozenset({"before", "preceding", "precede", "precedes", "preceded", "prior"})
LINK_RE = re.compile(r"\b(relat\w*|connect\w*|link\w*|associat\w*|ties?|tied|have to do with|has to do with)\b", re.I)
THING_PRONOUN = re.compile(r"\b(it|its|them)\b", re.I)
NUMBER_NAMES = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}
BOTH_RE = re.compile(r"\b(and|both|vs\.?|versus|compare[ds]?|compared)\b", re.I)
# Asked nouns that name a kind of entity by another word ("which company" -> an organisation).
KIND_NOUNS = {
    "company": AGENT_ORGS,
    "firm": AGENT_ORGS,
    "organisation": AGENT_ORGS,
    "organization": AGENT_ORGS,
    "lab": AGENT_ORGS,
    "team": AGENT_ORGS,
    "group": AGENT_ORGS,
    "university": AGENT_ORGS,
    "school": AGENT_ORGS,
    "college": AGENT_ORGS,
    "vendor": AGENT_ORGS,
    "provider": AGENT_ORGS,
    "manufacturer": AGENT_ORGS,
    "corporation": AGENT_ORGS,
    "employer": AGENT_ORGS,
    "institution": AGENT_ORGS,
    "institute": AGENT_ORGS,
    "startup": AGENT_ORGS,
    "giant": AGENT_ORGS,
    "dataset": frozenset({"dataset"}),
    "person": frozenset({"person"}),
    "people": frozenset({"person"}),
    "researcher": frozenset({"person"}),
    "model": frozenset({"model"}),
    "architecture": frozenset({"model"}),
    "network": frozenset({"model"}),
    "paper": frozenset({"paper", "publication"}),
}
POLAR_RE = re.compile(r"^\W*(is|are|was|were|does|do|did|can|could|has|have|had|will|would|should)\b", re.I)
AGAINST_RE = re.compile(r"\b(over|than|versus|vs\.?|compared (?:to|with)|rather than|instead of)\b", re.I)
EVENT_RE = re.compile(r"\b(that|this|it)\s+(happen(?:ed|s)?|occur(?:red|s)?|take place|took place)\b", re.I)
PERSONAL_PRONOUN = re.compile(r"\b(he|she)\b", re.I)
PERSON_PRONOUN_RE = re.compile(r"\b(he|him|his|she|her)\b", re.I)  # any form that stands for a person
LABEL_RE = re.compile(r"\s*\[[^\]]{1,40}\]")  # "[1]", "[Iron Age]", "[article, Iron Age]": labels in a chat answer
# A sentence that carries on from the previous one: an anaphor or a causal connective first.
CONTINUES = re.compile(
    r"^\W*(this|these|that|those|such|they|it|he|she|his|her|as a result|therefore|thus|hence|consequently|so|because|"
    r"first|second|third|firstly|secondly|finally|in addition|another|"
    r"that is why|this is why|for this reason)\b",
    re.I,
)


ANNOUNCED_RE = re.compile(r"\b(two|three|four|five|2|3|4|5) (?:\w+ )?\w+s\b", re.I)
# A sentence whose subject is a thing named just before ("This abstraction became ...", "These tools ...").
# "This opens doors ..." is a pronoun and a verb (-s, -ed): it refers to a whole idea, not to a thing.
REFERS_BACK = re.compile(
    r"^\W*(?:(?:this|that)\s+(?!\w*(?<!s)s\b|\w*ed\b|is\b|was\b|has\b|can\b|will\b|may\b)"
    r"|(?:these|those|such)\s+(?!are\b|were\b|have\b|include\b|can\b|will\b|may\b))[a-z]",
    re.I,
)
# Words that point at an item of a list, 0-based ("the latter" is the last one)
ORDINALS = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "last": -1, "former": 0, "latter": -1}
_ASKED_ORDINAL_RE = re.compile(r"\bthe\s+(second|third|fourth|fifth)\b", re.I)


def asked_ordinal(text: str) -> str | None:
    """'What is the second trend?': the ordinal a question asks for, second and later ('first' is too
    often 'first released')."""
    found = _ASKED_ORDINAL_RE.search(text)
    return None if found is None else found.group(1).lower()


# "the fifth reference", "reference 2", "ref [3]", "the last citation": an item of a numbered list
_ASKED_ITEM_RE = re.compile(
    r"\b(first|second|third|fourth|fifth|sixth|last|final)\b(?:\W+\w+){0,3}?\W+(?:reference|citation|ref)s?\b"
    r"|\b(?:reference|citation|ref|entry|item)\s*(?:no\.?|number|#)?\s*\[?(\d{1,2})\]?"
    r"|\[(\d{1,2})\]",
    re.I,
)
# Words that say which item of a numbered list is meant; the sources need not use them.
ITEM_WORDS = frozenset(
    "reference references citation citations ref refs item entry number no final last listed".split()
)
NUMBERED_ITEM_RE = re.compile(r"^\s*\[(\d{1,2})\]\s")  # "[5] Announcing the Consortium ..."


def asked_item(text: str) -> int | None:
    """The number of the numbered item a question asks for (1-based; -1 for the last), or None."""
    found = _ASKED_ITEM_RE.search(text)
    if found is None:
        return None
    if found.group(1):
        word = found.group(1).lower()
        return -1 if word in ("last", "final") else {"sixth": 5}.get(word, ORDINALS.get(word, 0)) + 1
    return int(found.group(2) or found.group(3))


ENUMERATOR_RE = re.compile(r"^\W*(first|second|third|fourth|fifth|firstly|secondly|thirdly|finally|lastly)\b", re.I)
COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5}


def announced(sentence: str) -> int:
    """How many items a sentence announces ("There are two trends ...": 2), else 0."""
    found = ANNOUNCED_RE.search(sentence)
    if not found:
        return 0
    word = found.group(1).lower()
    return COUNTS.get(word) or int(word)


def both_of(a: Analysis, text: str) -> bool:
    """'How many sets of APIs ...?' answered by 'both a set of symbolic APIs and a set of imperative
    APIs': "both" counts two, when the sentence names the asked thing."""
    if a.wh != "how many" or not a.asked or not re.search(r"\bboth\b", text, re.I):
        return False
    return bool(set(token_set(a.asked)) & set(token_set(text)))


# "By how much did AlexNet win?": an amount in words ("by a large margin") answers it, no number needed
BY_HOW_MUCH_RE = re.compile(r"\bby how (?:much|far)\b", re.I)
AMOUNT_RE = re.compile(r"\bby (?:a|an) (?:\w+ )?(?:margin|amount|factor)\b", re.I)


def has_type(wh: str, text: str) -> bool:
    """Whether text can answer the kind of question: a date for 'when', a number (not a year) for 'how many'."""
    text = MARKER_RE.sub("", text)
    if wh == "when":  # a year, a decade or a date ("the coming decade"); not the "2" of Caffe2
        return bool(re.search(r"\b(1[89]|20)\d\d(s|\b)|\b\d{4}-\d\d-\d\d\b|\bdecades?\b|\byears? ago\b", text, re.I))
    if wh == "how many":  # a number of its own ("60 million", "3000X"), not the "2" of Caffe2
        text = re.sub(r"\b[A-Z]\w+ \d+(\.\d+)+", "", text)  # "TensorFlow 2.0": a version, not a count
        text = re.sub(r"\bone of\b", "", text, flags=re.I)  # "one of its APIs": not a count either
        text = re.sub(r"(?:^|(?<=[.!?] ))one \w+ of\b", "", text, flags=re.I)  # "One trend of ...": no count
        numbers = [
            n
            for n in re.findall(r"(?<![A-Za-z\d-])\d[\d,.]*(?![A-WYZa-wyz])", text)  # not GPT-3's 3
            if not re.fullmatch(r"(19|20)\d\d", n.rstrip(",."))  # "In 2012, ...": a year, not a count
        ]
        return bool(numbers) or any(w in NUMBER_WORDS for w in re.findall(r"[a-z]+", text.lower()))
    return True


FRAGMENT_STARTS = frozenset("such and or but which while whereas that as etc who whose where".split())


DANGLING = frozenset(
    "a an the at of to in on for with via and or but by from as that which while since such than into".split()
)


def ends_a_clause(sentence: str, trimmed: str) -> bool:
    """Whether a trimmed sentence ends where the sentence ends a clause (at , ; : or its end)."""
    body = trimmed.rstrip(".!?").rstrip()
    at = sentence.find(body[1:])  # the first letter may have been capitalised
    if at < 0:
        return False
    after = sentence[at + len(body) - 1 :].lstrip()
    return not after or after[0] in ",;:.!?"


def trim_sentence(sentence: str, a: Analysis | None = None, limit: int = 48) -> str:
    """Keep a sentence whole when short; otherwise keep the clauses that matter to the question."""
    words = sentence.split()
    if len(words) <= limit:
        return sentence
    # Clause boundaries: after , ; : and before "while"/"whereas"/"which".
    starts = [0] + [i + 1 for i, w in enumerate(words[:-1]) if w[-1] in ",;:"]
    want = set(token_set(" ".join(a.content))) if a else set()
    best, best_key = (0, limit), (-1.0, 0, 0, 0)
    for st in starts:
        end = min(len(words), st + limit)
        got = len(want & set(token_set(" ".join(words[st:end]))))
        fragment = st > 0 and words[st].lower().strip(",") in FRAGMENT_STARTS  # ", such as OneFlow, took ..."
        # ties: a whole clause, then the window that ends the sentence (or, with no word of the
        # question anywhere, the one that starts it)
        key = (float(got), int(not fragment), int(end == len(words)) if got else int(st == 0), -st)
        if key > best_key:
            best, best_key = (st, end), key
    st, end = best
    # End at the last clause boundary inside the window when the sentence goes on.
    if end < len(words):  # a clause that ends with ";" first ("... of Caffe2; at the same time, ..."), else ","
        cut = max((i for i in range(st + MIN_CLAUSE_WORDS, end) if words[i][-1] in ";:"), default=None)
        cut = cut or max((i for i in range(st + limit // 2, end) if words[i][-1] == ","), default=None)
        if cut is not None:
            end = cut + 1
    kept = words[st:end]
    while end < len(words) and len(kept) > MIN_CLAUSE_WORDS and kept[-1].lower() in DANGLING:
        kept.pop()  # "... a set of imperative APIs at": a cut that leaves a preposition hanging
    text = " ".join(kept).rstrip(",;:")
    opened = text.rfind("(")
    if opened > 0 and text.find(")", opened) < 0:  # "... strategies (single device vs distributed": cut before it
        text = text[:opened].rstrip(" ,;:")
    if st > 0:
        text = text[0].upper() + text[1:]
    return text + ("" if text[-1] in ".!?" else ".")


# "which came first", "which is older", "which one appeared later"
FIRST_RE = re.compile(
    r"\b(?:which|what)(?: one| of (?:them|the two|these|those|the pair))? (?:came|was|appeared|arrived|happened|emerged|"
    r"is|showed up|was released|was proposed)(?: out)? (first|earlier|sooner|later|last|older|newer|more recently)\b"
    r"|\bwhich(?: one)? is (older|newer|earlier|later)\b",
    re.I,
)
LATER_WORDS = frozenset({"later", "last", "newer", "more recently"})


# "what is described as “the scaffolding of the machine learning revolution”?": words quoted from the sources
_QUOTED_RE = re.compile(r"[\"“”](.{8,}?)[\"“”](?=[^\"“”]*$)|[\"“](.{8,})[\"”]")
_QUOTE_MARKS_RE = re.compile(r"[\"“”‘’']")


def plain(text: str) -> str:
    """Lower case, no quotation marks, single spaces: how a quoted phrase and a sentence are compared."""
    return " ".join(_QUOTE_MARKS_RE.sub(" ", text).lower().split())


def quoted_phrase(text: str) -> str | None:
    """The phrase of three or more words a question quotes (outermost quotation marks), made plain."""
    found = _QUOTED_RE.search(text)
    if found is None:
        return None
    phrase = plain(found.group(1) or found.group(2))
    return phrase if len(phrase.split()) >= 3 else None
