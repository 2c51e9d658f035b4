"""The web chat: a Gradio page and a JSON endpoint over one engine. Thin: it only calls the library.

Everything shown comes from the corpus or the user and is escaped by `assistant.rendering` before it
reaches HTML or Markdown.
"""

import os

# Before gradio is imported: it reads these at import time.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import contextlib
import functools
import logging
import re
import socket
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import gradio as gr

from assistant.errors import AssistantError
from assistant.feedback import FeedbackStore, Rating
from assistant.rendering import (
    chat_messages,
    escape_text,
    normalise_messages,
    passage_body,
    plain_history,
)
from assistant.settings import RetrievalMode

if TYPE_CHECKING:
    import uvicorn

    from assistant.engine import Assistant
    from assistant.settings import Settings

log = logging.getLogger(__name__)

# The engine answers in a few milliseconds, is thread-safe, and the query encoder already uses the
# machine's cores: 4 workers keep the CPU busy without piling threads on it, and 64 waiting requests
# (about a second of work) is the most worth queueing; beyond that a caller gets a clear "busy" error.
CONCURRENCY = 4
MAX_QUEUE = 64
MODES = ["hybrid", "dense", "bm25"]
MAX_K = 10

EXAMPLES = [
    "Who developed Keras?",
    "When was the Iron Age?",
    "What was PyTorch based on?",
    "Who developed TensorFlow?",
    "And PyTorch?",
    "What license does PyTorch use?",
]


def _user_error(exc: Exception) -> gr.Error:
    """Our own errors as their message; anything else as a generic line (details go to the log only)."""
    if isinstance(exc, AssistantError):
        return gr.Error(str(exc), print_exception=False)
    log.exception("unexpected error in the web app")
    return gr.Error("Something went wrong on the server; the details are in its log.", print_exception=False)


def _check_options(k: Any, mode: Any) -> tuple[int | None, "RetrievalMode | None"]:
    """k and mode from a form or an API call, checked: a clear message instead of a deep error."""
    if mode is not None and mode not in MODES:
        raise gr.Error(f"mode must be one of {', '.join(MODES)}, not {mode!r}", print_exception=False)
    if k is None:
        return None, mode
    try:
        k_int = int(k)
    except (TypeError, ValueError):
        raise gr.Error(f"k must be a whole number from 1 to {MAX_K}", print_exception=False) from None
    if not 1 <= k_int <= MAX_K:
        raise gr.Error(f"k must be from 1 to {MAX_K}, not {k_int}", print_exception=False)
    return k_int, mode


# ------------------------------------------------------------------ the page

CSS = """
.gradio-container { max-width: 1080px !important; margin: 0 auto !important; }
#header h1 { margin-bottom: 0.1em; font-size: 1.7em; }
#header p { margin-top: 0; color: var(--body-text-color-subdued); }
.answer-text { margin: 0; line-height: 1.55; }
sup.cite { color: var(--color-accent); font-weight: 600; font-size: 0.75em; margin-left: 1px; }
.meta { margin: 0.35em 0 0 0 !important; font-size: 0.78em; color: var(--body-text-color-subdued); }
.sources { margin-top: 0.7em; border-top: 1px solid var(--border-color-primary); padding-top: 0.4em; }
.sources-label { margin: 0 0 0.2em 0 !important; font-size: 0.75em; text-transform: uppercase;
  letter-spacing: 0.06em; color: var(--body-text-color-subdued); }
details.src { margin: 0.25em 0; border: 1px solid var(--border-color-primary); border-radius: 8px;
  background: var(--background-fill-secondary); }
details.src summary { cursor: pointer; padding: 0.35em 0.6em; font-size: 0.9em; }
.src-n { color: var(--color-accent); font-weight: 600; }
.src-sec { font-weight: 600; }
.src-body { padding: 0 0.75em 0.5em 0.75em; font-size: 0.9em; line-height: 1.5; }
.src-where { margin: 0 0 0.3em 0 !important; font-size: 0.8em; color: var(--body-text-color-subdued); }
.src-text { margin: 0 !important; }
.src mark { background: #fde68a; color: #1f2937; padding: 0 2px; border-radius: 3px; }
.abstain { display: flex; gap: 0.6em; align-items: flex-start; color: var(--body-text-color-subdued);
  border-left: 3px solid #d97706; padding: 0.1em 0 0.1em 0.7em; }
.abstain p { margin: 0 !important; }
.abstain-title { font-weight: 600; color: #b45309; }
.abstain-icon { font-size: 1.2em; color: #d97706; line-height: 1.3; }
#examples { gap: 6px; flex-wrap: wrap; }
#examples { align-items: center; }
#examples::before { content: "Try:"; font-size: 0.85em; color: var(--body-text-color-subdued); }
#examples button { flex: 0 0 auto !important; min-width: 0 !important; font-weight: normal; }
#feedback-status p { font-size: 0.85em; color: var(--body-text-color-subdued); margin: 0; }
#facts, #hits { --font-mono: var(--font); }  /* tables of prose read better in the text font */
"""


def theme() -> gr.themes.Base:
    """Gradio's default look with system fonts only: the page loads nothing from the internet."""
    return gr.themes.Default(
        primary_hue="indigo",
        neutral_hue="slate",
        font=[gr.themes.Font("system-ui"), "-apple-system", "Segoe UI", "Roboto", "sans-serif"],
        font_mono=[gr.themes.Font("ui-monospace"), "Menlo", "Consolas", "monospace"],
    )


def _fact_rows(engine: "Assistant") -> list[list[str]]:
    fb = engine.corpus.facts
    rows = []
    for f in fb.facts:
        rel = fb.relations.get(f.relation)
        rows.append([fb.entity(f.subject).name, rel.label if rel else f.relation, fb.object_text(f) or "", f.evidence])
    return rows


def build_app(
    engine: "Assistant",
    store: FeedbackStore | None = None,
    *,
    concurrency: int = CONCURRENCY,
    max_queue: int = MAX_QUEUE,
) -> gr.Blocks:
    """The page (chat, facts, search) and the `/ask` endpoint, all calling the given engine."""
    store = store or FeedbackStore(engine.settings.resolved_data_dir())
    title = engine.corpus.documents[0].title if engine.corpus.documents else "the corpus"
    default_mode = engine.settings.mode
    default_k = min(engine.settings.k, MAX_K)

    # ---------------------------------------------------------- handlers

    def respond(question: str, turns: list[Any], mode: str, k: float) -> tuple[Any, ...]:
        k_int, mode_ = _check_options(k, mode)
        try:
            a = engine.ask(question, plain_history(turns), k=k_int, mode=mode_)
        except Exception as exc:  # noqa: BLE001 - every error becomes a clean message
            raise _user_error(exc) from None
        turns = [*turns, a]
        return chat_messages(turns), turns, ""

    def clear() -> tuple[Any, ...]:
        return [], [], "", None, "", gr.Column(visible=False)

    def on_like(data: gr.LikeData, turns: list[Any]) -> tuple[Any, ...]:
        """Store a rating at once, then offer a comment box that attaches to it."""
        index = data.index[0] if isinstance(data.index, list | tuple) else data.index
        # The page sends True/False for the thumbs, and "" when a rating is toggled off (nothing to store).
        ratings: dict[Any, Rating] = {True: "like", False: "dislike", "Like": "like", "Dislike": "dislike"}
        rating = ratings.get(data.liked)
        turn = int(index) // 2  # messages alternate question, answer
        if rating is None or not 0 <= turn < len(turns):
            return gr.update(), gr.update(), gr.update(), gr.update()
        a = turns[turn]
        record_id = store.add(rating, a.question, plain_history(turns[:turn]), a.answer, a.citations)
        thanks = "Thanks, glad it helped." if rating == "like" else "Thanks, noted."
        return record_id, f"{thanks} Anything to add? (optional)", gr.Column(visible=True), gr.Row(visible=True)

    def on_comment(record_id: int | None, comment: str) -> tuple[Any, ...]:
        if not comment or not comment.strip():
            raise gr.Error("Write a comment first.", print_exception=False)
        if record_id is None:
            raise gr.Error("Rate an answer first; the comment is attached to that rating.", print_exception=False)
        store.set_comment(record_id, comment)
        return "", "Comment saved with your rating. Thank you.", gr.Row(visible=False)

    def search_table(query: str, mode: str, k: float) -> list[list[Any]]:
        k_int, mode_ = _check_options(k, mode)
        try:
            hits = engine.search(query, k=k_int, mode=mode_)
        except Exception as exc:  # noqa: BLE001
            raise _user_error(exc) from None
        return [
            [
                i,
                h.section,
                round(h.score, 4),
                round(h.dense_score, 3),
                round(h.bm25_score, 2),
                passage_body(h.text, h.section),
            ]
            for i, h in enumerate(hits, 1)
        ]

    def api_ask(
        question: str, history: list | None = None, k: int | None = None, mode: str | None = None
    ) -> dict[str, Any]:
        """Answer a question (with optional chat history for follow-ups); returns the Answer as JSON."""
        k_int, mode_ = _check_options(k, mode)
        try:
            return engine.ask(question, normalise_messages(history), k=k_int, mode=mode_).model_dump(mode="json")
        except Exception as exc:  # noqa: BLE001
            raise _user_error(exc) from None

    def api_search(query: str, k: int | None = None, mode: str | None = None) -> list[dict[str, Any]]:
        """Ranked passages with dense, BM25 and fused scores."""
        k_int, mode_ = _check_options(k, mode)
        try:
            return [h.model_dump(mode="json") for h in engine.search(query, k=k_int, mode=mode_)]
        except Exception as exc:  # noqa: BLE001
            raise _user_error(exc) from None

    # ---------------------------------------------------------- layout

    private: dict[str, Any] = {"api_visibility": "private"}
    with gr.Blocks(title=f"Ask: {title}", analytics_enabled=False) as demo:
        turns = gr.State([])
        last_feedback = gr.State(None)
        gr.HTML(
            f"<h1>Ask “{escape_text(title)}”</h1>"
            "<p>Short answers in the sources' own words, each claim with a numbered citation. "
            "When the sources don't say, the assistant says so instead of guessing.</p>",
            elem_id="header",
        )
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                chatbot = gr.Chatbot(
                    label="Conversation",
                    height=470,
                    sanitize_html=True,
                    allow_tags=False,
                    latex_delimiters=[],
                    feedback_options=("Like", "Dislike"),
                    buttons=[],  # no share (it would post to the Hub) and no copy (it would copy our markup)
                    placeholder="Ask a question about the article; follow-ups like “And PyTorch?” work too.",
                    elem_id="chatbot",
                )
                with gr.Row(equal_height=True, elem_id="ask-row"):
                    box = gr.Textbox(
                        show_label=False,
                        placeholder="Ask a question, e.g. Who developed Keras?",
                        scale=8,
                        max_lines=3,
                        autofocus=True,
                        container=False,
                        elem_id="question",
                    )
                    send = gr.Button("Ask", variant="primary", scale=0, min_width=96, elem_id="send")
                    clear_btn = gr.Button("Clear", variant="secondary", scale=0, min_width=80, elem_id="clear")
                with gr.Row(elem_id="examples"):
                    example_buttons = [gr.Button(q, size="sm", variant="secondary") for q in EXAMPLES]
                with gr.Column(visible=False, elem_id="feedback") as feedback_box:
                    status = gr.Markdown("", elem_id="feedback-status")
                    with gr.Row(equal_height=True, elem_id="comment-row") as comment_row:
                        comment = gr.Textbox(
                            show_label=False,
                            placeholder="What was good or wrong about this answer?",
                            scale=6,
                            max_lines=2,
                            container=False,
                            elem_id="comment",
                        )
                        comment_btn = gr.Button("Send comment", size="md", scale=0, min_width=140)
                with gr.Accordion("Settings", open=False), gr.Row():
                    mode = gr.Radio(MODES, value=default_mode, label="Retrieval mode")
                    k = gr.Slider(1, MAX_K, value=default_k, step=1, label="Passages to consider (k)")
            with gr.Tab("Facts", id="facts"):
                gr.Markdown(
                    f"All {len(engine.corpus.facts.facts)} structured facts, each with the sentence that states it. "
                    "Search or click a column header to sort."
                )
                gr.Dataframe(
                    value=_fact_rows(engine),
                    headers=["subject", "relation", "object / value", "evidence"],
                    datatype="str",
                    interactive=False,
                    wrap=True,
                    show_search="search",
                    max_height=640,
                    column_widths=["16%", "14%", "18%", "52%"],
                    elem_id="facts",
                )
            with gr.Tab("Search", id="search"):
                with gr.Row(equal_height=True):
                    query = gr.Textbox(show_label=False, placeholder="Search the passages…", scale=5)
                    s_mode = gr.Dropdown(MODES, value=default_mode, show_label=False, scale=1, min_width=100)
                    s_k = gr.Number(value=default_k, minimum=1, maximum=MAX_K, precision=0, show_label=False, scale=1)
                    s_btn = gr.Button("Search", variant="primary", scale=1, min_width=80)
                results = gr.Dataframe(
                    headers=["#", "section", "score", "dense", "BM25", "passage"],
                    datatype=["number", "str", "number", "number", "number", "str"],
                    interactive=False,
                    wrap=True,
                    column_widths=["5%", "17%", "9%", "8%", "8%", "53%"],
                    elem_id="hits",
                )
                gr.Markdown(
                    "*score* is the ranking score of the chosen mode (reciprocal-rank fusion for hybrid); "
                    "*dense* is the cosine similarity of the embeddings, *BM25* the lexical score."
                )

        # ---------------------------------------------------------- events
        chat_out = [chatbot, turns, box]
        # "undocumented": kept out of the API page but callable, so tests can check the rendered chat.
        send.click(respond, [box, turns, mode, k], chat_out, api_name="chat", api_visibility="undocumented")
        box.submit(respond, [box, turns, mode, k], chat_out, **private)
        for btn, q in zip(example_buttons, EXAMPLES, strict=True):
            btn.click(functools.partial(respond, q), [turns, mode, k], chat_out, **private)
        clear_btn.click(clear, None, [chatbot, turns, box, last_feedback, status, feedback_box], **private)
        chatbot.clear(clear, None, [chatbot, turns, box, last_feedback, status, feedback_box], **private)
        chatbot.like(on_like, [turns], [last_feedback, status, feedback_box, comment_row], **private)
        comment_btn.click(on_comment, [last_feedback, comment], [comment, status, comment_row], **private)
        comment.submit(on_comment, [last_feedback, comment], [comment, status, comment_row], **private)
        query.submit(search_table, [query, s_mode, s_k], results, **private)
        s_btn.click(search_table, [query, s_mode, s_k], results, **private)
        gr.api(api_ask, api_name="ask")
        gr.api(api_search, api_name="search")

    demo.queue(default_concurrency_limit=concurrency, max_size=max_queue, api_open=False)
    return demo


# ------------------------------------------------------------------ serving


def _host_for_url(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def allowed_hosts(bind: str, extra: Iterable[str] = ()) -> list[str]:
    """Host header values we answer to: the bound address, localhost, and an explicit allow-list."""
    hosts = {"localhost", "127.0.0.1", "[::1]"}
    if bind not in ("0.0.0.0", "::", ""):
        hosts.add(_host_for_url(bind).lower())
    hosts.update(_host_for_url(h.strip()).lower() for h in extra if h.strip())
    return sorted(hosts)


@dataclass
class Server:
    """A running web app: its address, and how to stop it."""

    url: str
    host: str
    port: int
    blocks: gr.Blocks
    _server: "uvicorn.Server"
    _thread: threading.Thread | None = None
    _socket: socket.socket | None = field(default=None, repr=False)

    def close(self) -> None:
        """Stop serving and wait for the server thread to end."""
        # Browsers and clients keep event streams (heartbeats) open; their cancellation at shutdown
        # is expected, so uvicorn's tracebacks about it are silenced for the moment of stopping.
        uvicorn_log = logging.getLogger("uvicorn.error")
        level = uvicorn_log.level
        uvicorn_log.setLevel(logging.CRITICAL)
        try:
            self._server.should_exit = True
            self._server.force_exit = True  # do not wait for those streams to end
            if self._thread is not None:
                self._thread.join(timeout=10)
        finally:
            uvicorn_log.setLevel(level)
        if self._socket is not None:
            self._socket.close()

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# Gradio routes this app never needs, refused before Gradio sees them (each found by tests/test_web_security.py):
# - GET/HEAD /gradio_api/file=<url> (and /gradio_api/file/<url>): Gradio fetches a public http(s) URL itself and
#   streams it back, and for a private address first asks a public DNS-over-HTTPS resolver; we serve no remote files.
# - POST /gradio_api/upload: stores files in the temp folder for any caller, a cross-site form included (a
#   multipart POST needs no CORS preflight); no component here takes a file.
# - POST /gradio_api/run/<name> and /gradio_api/api/<name>: calls outside the queue. Gradio refuses them for our
#   queued endpoints, but answers an unknown name with a 500 and a traceback in the log.
_FILE_URL_RE = re.compile(r"^/gradio_api/file[=/][a-zA-Z][a-zA-Z0-9+.-]*:")
_DIRECT_RE = re.compile(r"^/gradio_api/(?:run|api)(?:/|$)")
_CALL_RE = re.compile(r"^/gradio_api/call/(?:v2/)?([^/]+)")
_QUEUE_ONLY = "This API endpoint does not accept direct HTTP POST requests. Please join the queue to use this API."
# The endpoints callable through /gradio_api/call/<name>: the API (ask, search) and the chat event
# the tests drive; every other event is the page's own ("private") and has no public route.
CALLABLE = frozenset({"ask", "search", "chat"})


def refusal(path: str) -> tuple[int, str] | None:
    """(status, message) for a request path that is refused outright, or None to let Gradio answer it."""
    if _FILE_URL_RE.match(path):
        return 403, "Remote files are not served."
    if path.rstrip("/") == "/gradio_api/upload":
        return 403, "This app does not accept file uploads."
    if _DIRECT_RE.match(path):
        return 404, _QUEUE_ONLY
    called = _CALL_RE.match(path)
    if called and called.group(1) not in CALLABLE:
        return 404, f"No such API endpoint; the API has: {', '.join(sorted(CALLABLE - {'chat'}))}."
    return None


class RefuseUnusedRoutes:
    """ASGI middleware answering the paths `refusal` names with a short JSON error; the rest pass through."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        refused = refusal(scope["path"]) if scope["type"] == "http" else None
        if refused is None:
            await self.app(scope, receive, send)
            return
        from starlette.responses import JSONResponse

        status, detail = refused
        await JSONResponse({"detail": detail}, status_code=status)(scope, receive, send)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise AssistantError(f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port") from None
    sock.listen(2048)
    return sock


def create_server(
    engine: "Assistant",
    host: str = "127.0.0.1",
    port: int = 7860,
    *,
    store: FeedbackStore | None = None,
    extra_hosts: Iterable[str] = (),
    concurrency: int = CONCURRENCY,
    max_queue: int = MAX_QUEUE,
) -> tuple["uvicorn.Server", socket.socket, str, gr.Blocks]:
    """The app mounted in FastAPI behind a Host allow-list and a same-origin CORS policy, ready to run."""
    import uvicorn
    from fastapi import FastAPI
    from starlette.middleware.cors import CORSMiddleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    sock = _bind(host, port)
    port = sock.getsockname()[1]
    hosts = allowed_hosts(host, extra_hosts)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    # Innermost of the three: refusals still pass the Host check, and same-origin callers can read them.
    app.add_middleware(RefuseUnusedRoutes)
    # Our own CORSMiddleware also switches Gradio's off (it grants any Origin when Host is not localhost).
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[f"http://{h}:{port}" for h in hosts],
        allow_methods=["GET", "POST"],
        allow_headers=["*"],
    )
    # Outermost: a request whose Host is not ours (DNS rebinding) is refused before anything else runs.
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts, www_redirect=False)
    blocks = build_app(engine, store, concurrency=concurrency, max_queue=max_queue)
    gr.mount_gradio_app(
        app,
        blocks,
        path="/",
        server_name=host,
        server_port=port,
        footer_links=["api", "settings"],
        run_history=False,
        show_error=False,  # only our gr.Error messages reach the page, never a traceback
        ssr_mode=False,
        mcp_server=False,
        pwa=False,
        enable_monitoring=False,
        max_file_size="1mb",
        theme=theme(),
        css=CSS,
    )
    config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False, timeout_graceful_shutdown=3)
    url = f"http://{_host_for_url(host if host not in ('0.0.0.0', '::') else '127.0.0.1')}:{port}"
    return uvicorn.Server(config), sock, url, blocks


def start(engine: "Assistant", host: str = "127.0.0.1", port: int = 0, **kwargs: Any) -> Server:
    """Serve in a background thread (port 0 picks a free one); returns once the server accepts requests."""
    server, sock, url, blocks = create_server(engine, host, port, **kwargs)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="assistant-web")
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            sock.close()
            raise AssistantError(f"the web server did not start on {url}")
        time.sleep(0.02)
    port = sock.getsockname()[1]
    return Server(url=url, host=host, port=port, blocks=blocks, _server=server, _thread=thread, _socket=sock)


def serve(settings: "Settings") -> None:
    """Load (or build) the index once, then serve the chat until interrupted."""
    from assistant.engine import Assistant

    print(
        "assistant: loading the corpus and index (building the index first if it is missing or stale)...",
        file=sys.stderr,
        flush=True,
    )
    engine = Assistant(settings, progress=sys.stderr.isatty())
    built = f" (index built: {engine.rebuilt_because})" if engine.rebuilt_because else ""
    print(f"assistant: ready in {engine.load_seconds:.1f}s{built}", file=sys.stderr, flush=True)
    extra = getattr(settings, "allowed_hosts", None) or ()
    server, sock, url, _ = create_server(engine, settings.host, settings.port, extra_hosts=extra)
    if settings.host in ("0.0.0.0", "::"):
        print(
            f"assistant: listening on all interfaces; only Host names {', '.join(allowed_hosts(settings.host, extra))} are answered",
            file=sys.stderr,
        )
    print(f"assistant: web chat on {url}  (Ctrl-C to stop)", file=sys.stderr, flush=True)
    # uvicorn re-raises the Ctrl-C it handled: stopping is the normal end, not an error.
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
    print("assistant: stopped", file=sys.stderr, flush=True)
