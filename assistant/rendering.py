"""HTML for the web chat: untrusted text escaped, answers with citation markers, sources with the
supporting sentence marked. No Gradio here: plain functions from strings and Answers to HTML.

Everything shown comes from the corpus or the user, so every string is escaped before it reaches
HTML or Markdown; only the few tags written here (marks, citation markers, source boxes) are live.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from assistant.conversation import content_text as conversation_content_text
from assistant.errors import InvalidQuestion

if TYPE_CHECKING:
    from assistant.answer import Answer, Citation

# Characters that mean something to Markdown (links, emphasis, code, lists, tables, LaTeX, autolinks).
# As numeric entities they are shown literally and never parsed as syntax.
_MD_SPECIAL = "\\`*_{}[]()#+-.!|~$:=@"
# After html.escape: keep its entities whole, encode every other Markdown character.
_MD_RE = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);|[" + re.escape(_MD_SPECIAL) + "]")
_MARKER_RE = re.compile(r"&#91;(\d+)&#93;")


def _md_entity(m: re.Match[str]) -> str:
    s = m.group(0)
    return s if len(s) > 1 else f"&#{ord(s)};"


def escape_text(text: str) -> str:
    """Untrusted text as inert HTML: tags escaped, Markdown syntax neutralised, one line."""
    escaped = _MD_RE.sub(_md_entity, html.escape(str(text), quote=True))
    # A blank line would end our HTML block and let Markdown parse what follows: keep it on one line.
    return re.sub(r"\s*\n\s*", " ", escaped)


def _quote_spans(text: str, quote: str) -> list[tuple[int, int]]:
    """Where the quoted sentence(s) occur in the passage text (a quote may join several sentences)."""
    quote = quote.strip()
    if not quote:
        return []
    start = text.find(quote)
    if start >= 0:
        return [(start, start + len(quote))]
    spans = []
    for part in re.split(r"(?<=[.!?:;])\s+", quote):
        i = text.find(part.strip()) if part.strip() else -1
        if i >= 0:
            spans.append((i, i + len(part.strip())))
    return sorted(spans)


def highlight(text: str, quote: str) -> str:
    """The passage escaped, with the quoted sentence(s) wrapped in <mark> (escaped first, then marked)."""
    out, pos = [], 0
    for start, end in _quote_spans(text, quote):
        if start < pos:
            continue  # overlapping spans: the first one wins
        out.append(escape_text(text[pos:start]))
        out.append(f"<mark>{escape_text(text[start:end])}</mark>")
        pos = end
    out.append(escape_text(text[pos:]))
    return "".join(out)


def passage_body(text: str, section: str) -> str:
    # Passages begin with their section heading on its own line; the source box already shows it.
    first, _, rest = text.partition("\n")
    return rest if rest and first.strip() == section.strip() else text


def render_source(c: Citation) -> str:
    """One numbered source: its section label, and the passage with the supporting sentence marked."""
    passage = passage_body(c.text, c.section)
    body = highlight(passage, c.quote)
    label = escape_text(c.section)
    if c.quote.strip() and c.quote.strip() in c.section and not _quote_spans(passage, c.quote):
        label = f"<mark>{label}</mark>"  # the heading itself is the evidence (e.g. an era's dates)
    where = escape_text(c.source)
    return (
        '<details class="src"><summary>'
        f'<span class="src-n">&#91;{c.n}&#93;</span> <span class="src-sec">{label}</span>'
        f"</summary>"
        f'<div class="src-body"><p class="src-where">{where}</p><p class="src-text">{body}</p></div></details>'
    )


def render_answer(a: Answer) -> str:
    """The chat message of an answer: text with [n] markers, a subtle confidence line, the sources."""
    if a.abstained:
        reason = a.answer
        return (
            '<div class="abstain"><span class="abstain-icon" aria-hidden="true">&#9888;</span>'
            f'<div><p class="abstain-title">Not in the sources</p><p>{escape_text(reason)}</p></div></div>'
        )
    # "Chollet [1]." reads better as "Chollet[1]." once the marker is a superscript.
    text = re.sub(r"\s*" + _MARKER_RE.pattern, r'<sup class="cite">&#91;\1&#93;</sup>', escape_text(a.answer))
    how = {"facts": "from the structured facts", "extractive": "quoted from a passage"}.get(a.method, a.method)
    meta = f'<p class="meta">confidence {round(a.confidence * 100)}% · {escape_text(how)}</p>'
    sources = "".join(render_source(c) for c in a.citations)
    label = "Source" if len(a.citations) == 1 else "Sources"
    sources_html = f'<div class="sources"><p class="sources-label">{label}</p>{sources}</div>' if sources else ""
    return f'<div class="answer"><p class="answer-text">{text}</p>{meta}{sources_html}</div>'


def render_question(question: str) -> str:
    """A user's message, shown as plain text."""
    return f'<div class="question">{escape_text(question)}</div>'


def content_text(content: Any) -> str:
    """Chat message content as text: Gradio may send a string, a list of blocks, or a dict."""
    try:
        return conversation_content_text(content)
    except InvalidQuestion:
        return str(content)


def normalise_messages(history: Any) -> Any:
    """History items with their content as plain text; anything but a list is left for the engine to reject."""
    if not isinstance(history, list | tuple):
        return history
    out: list[Any] = []
    for item in history:
        if isinstance(item, dict) and "content" in item:
            out.append({**item, "content": content_text(item["content"])})
        else:
            out.append(item)
    return out


def plain_history(turns: Sequence[Answer]) -> list[dict[str, str]]:
    """The conversation so far as plain messages, for resolving follow-ups."""
    out: list[dict[str, str]] = []
    for a in turns:
        out += [{"role": "user", "content": a.question}, {"role": "assistant", "content": a.answer}]
    return out


def chat_messages(turns: Sequence[Answer]) -> list[dict[str, str]]:
    """The conversation as the chatbot shows it: each question and its rendered answer."""
    out: list[dict[str, str]] = []
    for a in turns:
        out += [
            {"role": "user", "content": render_question(a.question)},
            {"role": "assistant", "content": render_answer(a)},
        ]
    return out
