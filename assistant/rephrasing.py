"""Rewrites of a question's surface into the plain question it asks, before any word is matched:
chat shorthand, digit ordinals and magnitudes, quiz framings (true/false, fill in the blank), a
correction of the previous question, asides. Pure text to text; no knowledge of the corpus."""

from __future__ import annotations

import re

# "whats", "whos" typed without "'", and "who's", "where's" ("what's" and "how's" are read as they are)
_CONTRACTION_RE = re.compile(r"\b(what|who|where|how|when)s\b|\b(who|where|when)['’]s\b", re.I)
# Chat spellings and shorthand that a reader expands without thinking ("wut r the eras", "the chainer ppl")
_SHORTHAND = {
    "wut": "what", "wot": "what", "whut": "what", "hw": "how", "u": "you", "r": "are", "ur": "your",
    "ppl": "people", "bc": "because", "cuz": "because", "coz": "because", "abt": "about", "b4": "before",
    "pls": "please", "plz": "please", "tho": "though", "thru": "through", "w/": "with", "w/o": "without",
    "gonna": "going to", "wanna": "want to", "dunno": "do not know", "smth": "something", "sth": "something",
    "theyre": "they are", "youre": "you are", "dont": "do not", "doesnt": "does not", "didnt": "did not",
    "isnt": "is not", "wasnt": "was not", "arent": "are not", "werent": "were not", "cant": "cannot",
    "wat": "what", "wht": "what", "fw": "framework", "fws": "frameworks", "yr": "year", "yrs": "years",
    "lib": "library", "libs": "libraries", "op": "operator", "conf": "conference", "confs": "conferences",
    "uni": "university", "univ": "university", "approx": "approximately", "wrk": "work",
}  # fmt: skip
_SHORTHAND_RE = re.compile(r"(?<![\w/'’-])({})(?![\w/'’-])".format("|".join(map(re.escape, _SHORTHAND))), re.I)
# "2nd", "3rd": the ordinal in words, as the sources and the follow-up rules write it
_DIGIT_ORDINALS = {"1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth", "5th": "fifth"}
_DIGIT_ORDINAL_RE = re.compile(r"\b({})\b".format("|".join(_DIGIT_ORDINALS)), re.I)
# "60M", "175B", "1.5k": a number with its magnitude, as the sources spell it ("60 million")
_MAGNITUDE_RE = re.compile(r"\b(\d+(?:\.\d+)?)\s?([kKmMbB])\b")
_MAGNITUDES = {"k": "thousand", "m": "million", "b": "billion"}
# "the 2 trends", "all 5 eras": a small count before a plural noun, as the sources write it ("two trends")
_COUNT_WORDS = dict(enumerate("zero one two three four five six seven eight nine ten".split()))
_SMALL_COUNT_RE = re.compile(r"(?<![\w.,-])(10|[2-9])\s+(?=(?!has\b|was\b|is\b|does\b)[a-z]+s\b)")  # not "GPT-4 has"
# An aside about who came along: ", together with colleagues,", "(with co-authors)"
_ASIDE_RE = re.compile(
    r",\s*(?:along|together) with [^,]{1,40},|\s*\((?:along |together )?with [^)]{1,40}\)"
    r"|(?<=\w)\s+et\.?\s+al\b\.?(?=\s+\w)",  # "Kaiming He et al. proposed ...": the co-authors come along
    re.I,
)
# "True or false: Caffe2 came from Facebook.": a statement to check is a yes/no question
_TRUE_FALSE_RE = re.compile(
    r"^\s*(?:true\s+or\s+false|t\s*/\s*f|fact[- ]?check|correct\s+or\s+not)\s*[:?!.\-–—]+\s*", re.I
)
# "Fill in the blank: GPT-3 contains ___ parameters.": the blank is what is asked
_BLANK_RE = re.compile(r"_{2,}|\[\s*blank\s*\]", re.I)
_FILL_IN_RE = re.compile(
    r"^\s*(?:please\s+)?(?:fill\s+in|complete)\s+(?:the\s+)?(?:blanks?|gaps?|sentence)\s*[:\-–—]\s*", re.I
)
# "what is the estimated number of parameters ...": how many
_NUMBER_OF_RE = re.compile(
    r"\bwhat(?:'s|\s+is|\s+was|\s+are|\s+were)?\s+the\s+(?:(\w+)\s+)?(number|amount|count)\s+of\b", re.I
)
# "the total number of": a word that says how it is counted, not what ("the parameter count of": parameters)
_COUNT_MANNER = frozenset("total overall exact approximate rough full actual precise estimated".split())
# "what parameter count does ...": how many parameters
_COUNT_RE = re.compile(r"\bwhat(?:'s|\s+is|\s+was)?\s+(?:the\s+)?([a-z]+?)s?\s+count\b", re.I)
# "no wait, I meant PyTorch", "sorry, I meant the residual one": a correction of the previous question
_CORRECTION_RE = re.compile(
    r"^\W*(?:(?:no|nope|sorry|oops|wait|actually|my bad|ah|oh|er+|um+|hmm+|ok(?:ay)?)\b[\s,.!—–-]*)*"
    r"i\s+(?:meant|mean|was asking about|was talking about)\s+",
    re.I,
)
# "..., per the article?", "According to the author, ...": where the answer comes from, which is always so
_SOURCE_RE = re.compile(
    r",?\s*\b(?:per|according\s+to|as\s+per)\s+(?:the|this)\s+(?:article|author|text|sources?|piece|post)"
    r"(?:'s\s+(?:view|account|words))?\s*(?=[?.!]?\s*$)|^\s*(?:per|according\s+to|as\s+per)\s+(?:the|this)\s+"
    r"(?:article|author|text|sources?|piece|post)\s*,\s*",
    re.I,
)
# "why would anyone still pick X?", "why might a framework prefer X?": what X has going for it
_CHOICE_RE = re.compile(
    r"(?:^|(?<=[.!?]\s))\W*(?:(?:so|and|but|then|ok|okay)\W+)?why\s+(?:would|should|do|does|might|could|will|may)\s+"
    r"(?:anyone|anybody|someone|somebody|one|people|you|i|we|developers|users|practitioners|researchers|"
    r"engineers|teams?|frameworks|(?:a|an)\s+\w+)\s+(?:still\s+|ever\s+|even\s+|rather\s+)?"
    r"(?:use|choose|pick|prefer|want|adopt|go\s+with|opt\s+for|favou?r|select|stick\s+with)\s+",
    re.I,
)
# "... if imperative is more flexible?", "... when PyTorch is easier": what the choice is made against
_DESPITE_RE = re.compile(
    r"\s+(?:if|when|since|given that|although|though|even though|while|whereas)\s+(?:the\s+)?"
    r"((?:\w+\s+){0,2}?\w+)\s+(?:is|are|was|were|seems?|looks?)\s+(?:\w+\s+){0,3}?\w+\W*?([?.!]?)\s*$",
    re.I,
)
# "this dl frameworks history piece", "the Synced Review article": the article itself, described
_DESCRIBED_DOCUMENT_RE = re.compile(
    r"\b(this|the)\s+(?:(?!(?:of|in|on|at|for|from|to|and|or|the|a|an|this|that|first|second|last|next)\b)"
    r"[\w-]+\s+){1,4}?(piece|article|post|essay|write-up|writeup)\b",
    re.I,
)
# "why does the author think X is a problem?": why X is a problem, the sources being the author's words
_OPINION_RE = re.compile(
    r"^(\W*(?:why|how)\s+)(?:does|did|do)\s+(?:the\s+)?(?:author|article|writer|text|piece|post)\s+"
    r"(?:think|believe|feel|argue|claim|say|suggest|consider|reckon|expect)\s+(?:that\s+)?",
    re.I,
)
# "who authored the BERT paper?": who wrote it ("author" is a word every question about the article uses)
_AUTHORED_RE = re.compile(r"\bauthored\b", re.I)
_DEAL_RE = re.compile(r"\bthe\s+(?:big\s+)?deal\s+(?:with|about)\b", re.I)  # "what's the deal with X?"
# "where did that leave MXNet?": what became of it, no place
_LEAVES_RE = re.compile(
    r"\bwhere\s+(?:did|does|do|has|would|will)\s+(?:that|this|it|all\s+(?:that|this))\s+leave\b", re.I
)


def _how_many(m: re.Match[str]) -> str:
    """'what's the number of eras' -> 'how many eras'; 'what's the parameter count of GPT-3' -> 'how many
    parameters in GPT-3' (the word before "count" is what is counted)."""
    counted = m.group(1)
    if m.group(2).lower() == "count" and counted and counted.lower() not in _COUNT_MANNER:
        return f"how many {counted.removesuffix('s')}s in"
    return "how many"


def rephrase(text: str) -> str:
    """The question as a plain question: "whats the 2nd framework w/ 60M params?" -> "what is the
    second framework with 60 million params?", "True or false: X." -> "Is it true that X?"."""
    # "whats tensorflw" -> "what is ..."
    text = _CONTRACTION_RE.sub(lambda m: f"{m.group(1) or m.group(2)} is", text)
    text = _SHORTHAND_RE.sub(lambda m: _SHORTHAND[m.group(1).lower()], text)
    text = _DIGIT_ORDINAL_RE.sub(lambda m: _DIGIT_ORDINALS[m.group(1).lower()], text)
    text = _MAGNITUDE_RE.sub(lambda m: f"{m.group(1)} {_MAGNITUDES[m.group(2).lower()]}", text)
    text = _SMALL_COUNT_RE.sub(lambda m: f"{_COUNT_WORDS[int(m.group(1))]} ", text)  # "the 2 trends"
    checked = _TRUE_FALSE_RE.match(text)
    if checked:  # "True or false: JAX was created by Google." -> "Is it true that JAX was created by Google?"
        rest = text[checked.end() :].strip()
        asked = re.match(
            r"(?:is|are|was|were|did|does|do|has|have|had|can|could|who|what|when|where|which|why|how)\b",
            rest,
            re.I,
        )
        text = rest if asked else f"Is it true that {rest.rstrip('.!?')}?"  # "Fact check: did ...?" asks already
    if _BLANK_RE.search(text):  # "Fill in the blank: X used a ___ style." -> "X used a what style?"
        text = _BLANK_RE.sub("what", _FILL_IN_RE.sub("", text)).strip().rstrip(".!") + (
            "" if text.endswith("?") else "?"
        )
    corrected = _CORRECTION_RE.match(text)
    if corrected:  # "sorry, I meant PyTorch": the previous question again, about PyTorch
        rest = text[corrected.end() :]
        asks = re.search(r"[.?!]\s|\b(?:who|what|when|where|why|how|which)\b", rest, re.I)
        text = rest if asks else f"what about {rest}"
    text = _NUMBER_OF_RE.sub(_how_many, text)  # "what is the total number of eras" -> "how many eras"
    text = _COUNT_RE.sub(lambda m: f"how many {m.group(1)}s", text)  # "what parameter count" -> "how many parameters"
    text = _ASIDE_RE.sub("", text)  # "which researcher, together with colleagues, proposed ...": an aside
    text = _SOURCE_RE.sub("", text)
    if _CHOICE_RE.search(text):  # "... of X if Y is more flexible?": the advantage of X over Y
        text = _DESPITE_RE.sub(r" over \1\2", _CHOICE_RE.sub("what is the advantage of ", text))
    text = _OPINION_RE.sub(r"\1", text)
    text = _DESCRIBED_DOCUMENT_RE.sub(r"\1 \2", text)
    text = _DEAL_RE.sub("special about", text)  # "what was the deal with AlexNet?": what set it apart
    text = _LEAVES_RE.sub("what became of", text)  # "where did that leave MXNet?"
    text = _AUTHORED_RE.sub("wrote", text)
    return text
