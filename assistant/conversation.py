"""Questions and histories: validation, cleaning, and the turns that matter for a follow-up."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Literal

from pydantic import BaseModel

from assistant.errors import InvalidQuestion

MAX_QUESTION_CHARS = 1000
MAX_TURN_CHARS = 600  # older turns are cut to this: a huge history cannot slow the engine down
MAX_TURNS = 6  # only the last few messages matter for resolving a follow-up

History = list[Any]


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


def _strip_controls(text: str) -> str:
    # Control and format characters (Cc, Cf, Cs, Co, Cn) are dropped; whitespace becomes spaces.
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\t\n\r\v\f" or cat == "Zs" or cat == "Zl" or cat == "Zp":
            out.append(" ")
        elif cat[0] != "C":
            out.append(ch)
    return re.sub(r"\s+", " ", "".join(out)).strip()


def clean_question(question: Any) -> str:
    """The question as clean text, or InvalidQuestion with a message a user can act on."""
    if not isinstance(question, str):
        raise InvalidQuestion(f"the question must be text, not {type(question).__name__}")
    if len(question) > MAX_QUESTION_CHARS * 4:
        raise InvalidQuestion(f"the question is too long ({len(question)} characters; at most {MAX_QUESTION_CHARS})")
    text = _strip_controls(question)
    if not text:
        raise InvalidQuestion("the question is empty: type a question about the corpus")
    if len(text) > MAX_QUESTION_CHARS:
        raise InvalidQuestion(f"the question is too long ({len(text)} characters; at most {MAX_QUESTION_CHARS})")
    return text


def content_text(content: Any) -> str:
    """Gradio may send content as a string, a list of text blocks, or a dict with 'text'."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return content_text(content.get("text", content.get("content", "")))
    if isinstance(content, list | tuple):
        return " ".join(content_text(c) for c in content if isinstance(c, str | dict | list | tuple))
    if content is None:
        return ""
    raise InvalidQuestion(f"a history message's content must be text, not {type(content).__name__}")


def normalise_history(history: Any) -> list[Turn]:
    """The last few turns, each bounded in length; accepts strings or {'role','content'} messages."""
    if history is None:
        return []
    if not isinstance(history, list | tuple):
        raise InvalidQuestion("history must be a list of previous questions or chat messages")
    turns: list[Turn] = []
    for i, item in enumerate(list(history)[-MAX_TURNS * 2 :]):
        if isinstance(item, str):
            role, content = "user", item
        elif isinstance(item, dict):
            role = item.get("role", "user")
            if role not in ("user", "assistant"):
                if role == "system":
                    continue
                raise InvalidQuestion(f"history item {i}: role must be 'user' or 'assistant', not {role!r}")
            content = content_text(item.get("content", ""))
        elif isinstance(item, list | tuple) and len(item) == 2:  # Gradio's old (user, bot) pairs
            for role, part in zip(("user", "assistant"), item, strict=True):
                if part:
                    text = _strip_controls(content_text(part))[:MAX_TURN_CHARS]
                    if text:
                        turns.append(Turn(role=role, content=text))  # type: ignore[arg-type]
            continue
        else:
            raise InvalidQuestion(f"history item {i} must be a string or a {{'role', 'content'}} message")
        text = _strip_controls(content[: MAX_TURN_CHARS * 4])[:MAX_TURN_CHARS]
        if text:
            turns.append(Turn(role="assistant" if role == "assistant" else "user", content=text))
    return turns[-MAX_TURNS:]
