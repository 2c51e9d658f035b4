"""Small talk around a question: "Got it. Who ...?", "sorry for asking, who ...?", "... ? Thanks!", and a
short question after its context ("The author names several fields. Which ones?").

A chat user wraps the question in words that ask nothing. Left in, they dilute the question (its words
never occur in the sources, so it looks off-topic) or hide its question word (a compound question must
open with one). What is small talk is decided by the caller's `plain` test: ordinary words, no name
the sources know, no number.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# A sentence ends at ".", "!" or "?" before a capital or a quote ("Ph.D. advisor" is one sentence).
_SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“'‘])|(?<=[!?])\s+")  # "hey! what's ...": "!" ends one too
_ASKING = r"(?:who|whom|whose|what|which|when|where|why|how|is|are|was|were|did|does|do|can|could|has|have)\b"
_ASKS_RE = re.compile(rf"^\W*{_ASKING}", re.I)
# "sorry for asking, who ...", "Quick one - what ...", "Out of curiosity — when ...": words, then the question
# (after a dash, whatever follows is the question: "Quick one - wat did ...?", typos and all)
# ("Sorry if this is a basic one, but which ...": a "but" or "so" after the comma is the lead-in's too)
_LEAD_IN_RE = re.compile(
    rf"^\s*([^,;:?!.–—]+?)\s*(?:,\s*(?:(?:but|so|and)\s+)?(?={_ASKING})|\s[-–—]\s*|\s*[–—]\s*)(?=\w)", re.I
)
MAX_LEAD_WORDS = 8
MAX_SMALL_TALK_WORDS = 4  # "Got it.", "I see.", "Great, thanks!"
MAX_TOPIC_WORDS = 3  # "and pytorch? ...", "what about the Iron Age? ..."
MAX_SHORT_QUESTION_WORDS = 2  # "Which one?", "Which ones?", "Who?", "What year?"
# A lead-in that sets a scene narrows the question: "In the second era, which ...", "Besides that, who ...".
_SCENE_RE = re.compile(
    r"^(?:in|during|after|before|since|besides|apart|except|other|unlike|like|compared|among|between|for|by|from|"
    r"of|on|at|with|without|within|until|around|about|aside|beyond|instead|then|and|but|so|if|when|while)\b",
    re.I,
)
# Imperatives that ask on their own ("List the eras. Which came first?"): not small talk
_REQUEST_RE = re.compile(r"^\W*(?:list|name|tell|give|explain|describe|show|say|compare|summari[sz]e)\b", re.I)
# "and pytorch? where did its style come from?": a thing named on its own, then the question about it
_TOPIC_FIRST_RE = re.compile(
    rf"^\s*(?:and|so|ok|okay|now|what about|how about|what of)?\s*([^?.!,]{{1,40}}?)\s*\?\s+({_ASKING}[^?]*\?)\s*$",
    re.I,
)
_FIRST_PERSON_RE = re.compile(r"^\W*(?:i|i'm|i’m|i've|i’ve|i'd|i’d|my|we|we're|we’re)\b", re.I)
MIN_OWN_QUESTION_WORDS = 4  # "Why would someone choose it?" leans on the story; "Which one?" too
# "... Which ones does the article give?": "ones" leans on the story too
_PRONOUN_RE = re.compile(r"\b(?:it|its|they|them|their|this|that|these|those|he|him|his|she|her|ones)\b", re.I)
# "How many are there?" after "I'm confused about the eras.": a count that leaves out what it counts
BARE_COUNT_RE = re.compile(r"^\W*(?:(?:and|so|ok(?:ay)?)\W+)?how many (?=(?:are|were|is|was|of them|exist)\b)", re.I)
# "...? just curious how old it is", "...? need it for a bibliography": why the user asks, not what
_MOTIVE_RE = re.compile(
    r"^\W*(?:(?:just|i'?m|i am|was|only)\s+)?(?:curious|wondering|asking (?:because|since|for)|need(?:ed)? (?:it|this|that)|"
    r"for (?:a|my|our) (?:\w+ )?(?:bibliography|citation|paper|essay|report|class|talk|slides?|project|thesis|blog))\b",
    re.I,
)
_CLEFT_RE = re.compile(r"\b(?:is|was|are|were)\s+it\s+(?:that|who)\b", re.I)  # "which one was it that made ..."
_WH_RE = re.compile(r"\b(?:who|whom|whose|what|which|when|where|why|how)\b", re.I)


def unwrap(text: str, plain: Callable[[str], bool]) -> str:
    """The question without the small talk around it; the text itself when there is none."""
    topic = _TOPIC_FIRST_RE.match(text)
    if (
        topic
        and len(topic.group(1).split()) <= MAX_TOPIC_WORDS
        and not _ASKS_RE.match(topic.group(1))
        and not plain(topic.group(1))
        and _PRONOUN_RE.search(topic.group(2))
    ):
        # "and pytorch? where did its style come from?": the thing named first is what "its" means
        return f"{topic.group(1)}, {topic.group(2)}"
    sentences = _SENTENCE_END_RE.split(text.strip())
    # "Got it. What about PyTorch?": an acknowledgement before the question
    while (
        len(sentences) > 1
        and not sentences[0].endswith("?")
        and len(sentences[0].split()) <= MAX_SMALL_TALK_WORDS
        and not _ASKS_RE.match(sentences[0])
        and not _REQUEST_RE.match(sentences[0])
        and plain(sentences[0].rstrip(".!"))
    ):
        sentences = sentences[1:]
    # "I keep hearing X is faster. Why would someone choose X?": the user's own story before a question that
    # stands on its own (one that says "that" or "it" leans on the story, and keeps it)
    while (
        len(sentences) > 1
        and _FIRST_PERSON_RE.match(sentences[0])
        and not sentences[0].endswith("?")
        and not _WH_RE.search(sentences[0])  # "I'm curious where he studied. Could you tell me?" asks in it
        and sentences[1].endswith("?")
        and _ASKS_RE.match(sentences[1])
        and len(sentences[1].split()) >= MIN_OWN_QUESTION_WORDS
        and not _PRONOUN_RE.search(sentences[1])
        and not BARE_COUNT_RE.match(sentences[1])
    ):
        sentences = sentences[1:]
    # "Who proposed ResNet? Just curious." / "...? Thanks!": a remark after the question that asks nothing
    asked = [i for i, s in enumerate(sentences) if s.endswith("?")]
    if asked and asked[-1] < len(sentences) - 1:
        tail = sentences[asked[-1] + 1 :]
        if _MOTIVE_RE.match(tail[0]) or not any(_WH_RE.search(s) or _REQUEST_RE.match(s) for s in tail):
            sentences = sentences[: asked[-1] + 1]
    # "The author says new frameworks should adopt an existing API. Which one?": the question leads
    if (
        len(sentences) > 1
        and len(asked) == 1
        and asked[0] == len(sentences) - 1
        and len(sentences[-1].split()) <= MAX_SHORT_QUESTION_WORDS
        and _WH_RE.match(sentences[-1])
    ):
        sentences = [sentences[-1], *sentences[:-1]]
    text = " ".join(sentences)
    lead = _LEAD_IN_RE.match(text)
    if (
        lead
        and len(lead.group(1).split()) <= MAX_LEAD_WORDS
        and not _SCENE_RE.match(lead.group(1))
        and not _ASKS_RE.match(lead.group(1))
        and not _REQUEST_RE.match(lead.group(1))
        and plain(lead.group(1))
        # "deep learning - what is it?": the lead-in is the topic ("which was it that ...": no pronoun)
        and not _PRONOUN_RE.search(_CLEFT_RE.sub("", text[lead.end() :]))
    ):
        text = text[lead.end() :]
    return text


# A question that asks on its own: a question word first ("On which dataset ...?", "Roughly what period ...?",
# "And who ...?") or a request with its object ("Can you list the examples ...?"), not "Is that true?"
_OWN_QUESTION_RE = re.compile(
    r"^\W*(?:(?:and|so|but|then|ok|okay|also)\W+)?(?:\w+ly\s+)?"
    r"(?:(?:in|on|at|for|from|by|with|to|during|since|until|of|after|before|up to)\s+)?"
    r"(?:who|whom|whose|what|which|when|where|why|how)\b"
    r"|^\W*(?:can|could|would|will)\s+you\s+(?:please\s+)?(?:list|name|give|explain|describe|tell\s+me\s+\w)"
    # "Do we know who built it?", "Does the article say when ...?": a question asked inside another
    r"|^\W*(?:do|does|did)\s+(?:we|you|anyone|it|the\s+\w+)\s+(?:know|say|tell|mention)\s+(?:who|what|which|when|where|why|how)\b",
    re.I,
)

# "Is that true?", "Right?": a check of what was just told, which asks for no more than the question after it
_CHECK_RE = re.compile(
    r"^\W*(?:(?:is|was|isn't|wasn't)\s+(?:that|it|this)\s+(?:really\s+)?(?:true|right|correct|accurate|so)"
    r"|really|right|true)\W*$",
    re.I,
)

_DOCUMENT = r"(?:article|piece|post|essay|history|overview|text|page|story|blog|write-?up|author|writer)"
# Words that point back at what the story said, not at a thing it named: "those records", "that shift",
# "who was that developer?", "how do they pull that off?", "which ones does the article mention?"
_POINTS_BACK_RE = re.compile(
    rf"\b(?:those|these)\b(?!\s+{_DOCUMENT}s?\b)"
    rf"|\b(?:for|of|on|in|about|behind|with|from|to|by|is|was|are|were|did|does|do)\s+(?:that|this)\b(?!\s+{_DOCUMENT}\b)"
    r"|\b(?:that|this)\s+(?:off|up|out)\b|\b(?:that|this)\s*[?!.]*$"
    r"|\bwhich\s+(?:\w+\s+)?ones?\b",
    re.I,
)


def context_first(text: str) -> tuple[str, str]:
    """The story a question comes after, and the question: "I tried to find CNTK tutorials and they all look
    old. What does the piece say became of it?" is ("I tried ... old.", "What does ... of it?"). The story
    is read as an earlier turn of the conversation: it may tell what "it" is, but its own words are not
    the question's. Without a story, or when the last sentence does not ask on its own, ("", text)."""
    story, question = told_then_asked(text)
    if not story:
        return "", text
    if not _OWN_QUESTION_RE.match(question):
        return "", text  # "I read that Google made Keras. Is that true?": the story is what is asked about
    if _POINTS_BACK_RE.search(question):
        return "", text  # "... every framework went imperative. What reasons are given for that shift?"
    return story, question


def told_then_asked(text: str) -> tuple[str, str]:
    """What is told before the one question that ends the text, and that question (the last sentence);
    ("", text) when the text is no story then a question."""
    sentences = _SENTENCE_END_RE.split(text.strip())
    if (
        len(sentences) < 2
        or not sentences[-1].endswith("?")
        or any("?" in s and not _CHECK_RE.match(s) for s in sentences[:-1])  # "... Is that true? Who ...?"
    ):
        return "", text
    return " ".join(sentences[:-1]), sentences[-1]


# What a chat user says around questions: thanks, greetings, acknowledgements
_COURTESY_WORDS = frozenset(
    "thanks thank thx ty you u great cool ok okay k nice awesome hello hi hey hiya bye goodbye cheers perfect "
    "got it that this was is that's very so much makes make sense see i understood appreciated appreciate good "
    "wow lol yes yeah yep no nope sure alright all right fine interesting helpful a lot again".split()
)


def small_talk(text: str) -> bool:
    """Whether the text only thanks, greets or acknowledges ("Thanks! That was helpful.", "great, thank
    you!"): nothing in it asks about the sources."""
    words = re.findall(r"[\w']+", text.lower())
    return bool(words) and "?" not in text and all(w in _COURTESY_WORDS for w in words)
