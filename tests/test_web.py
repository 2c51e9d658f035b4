"""The web app as its users reach it: gradio_client and plain HTTP against one real server on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest

EVIL_ARTICLE = """---
title: Evil <b>Frameworks</b>
---

# Evil Frameworks

## Early <i>Days</i> (2001)

Torchlet was created by the Example Lab in 2001. Torchlet prints <script>alert(1)</script> in its logs.

## Later Years (2010)

Graphix was developed by Acme Corp. in 2010. Graphix shows <img src=x onerror=alert(1)> on its home page.
The Graphix manual links to [click](javascript:alert(1)) for help.
"""
EVIL_FACTS = """
relations:
  developed_by:
    label: developed by
    synonyms: [developed by, developed, created, made, built]
    template: "{subject} was developed by {object}."
  prints:
    label: prints
    synonyms: [prints, print, logs, log]
    template: "{subject} prints {object}."
entities:
  - {id: torchlet, name: Torchlet, type: framework}
  - {id: graphix, name: Graphix, type: framework}
  - {id: example_lab, name: the Example Lab, type: organisation, aliases: [Example Lab]}
  - {id: acme, name: Acme Corp., type: organisation, aliases: [Acme]}
facts:
  - {subject: torchlet, relation: developed_by, object: example_lab, evidence: "Torchlet was created by the Example Lab"}
  - {subject: graphix, relation: developed_by, object: acme, evidence: "Graphix was developed by Acme Corp."}
  - {subject: torchlet, relation: prints, value: "<script>alert(1)</script>", evidence: "Torchlet prints <script>alert(1)</script> in its logs"}
"""
EVIL_QUESTIONS = {
    "What does Torchlet print in its logs?": "<script>alert(1)</script>",
    "What does Graphix show on its home page?": "<img src=x onerror=alert(1)>",
    "What does the Graphix manual link to?": "[click](javascript:alert(1))",
}
# The only markup the page itself writes into a message; anything else would be live corpus or user HTML.
OUR_TAGS = {"div", "p", "sup", "details", "summary", "span", "mark"}
OUR_ATTRS = {"class", "open", "aria-hidden"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(fragment: str) -> _Tags:
    p = _Tags()
    p.feed(fragment)
    p.close()
    return p


def assert_inert(fragment: str) -> str:
    """Only our own tags and attributes; returns the text a reader sees."""
    p = parse(fragment)
    for tag, attrs in p.tags:
        assert tag in OUR_TAGS, f"live <{tag}> in {fragment!r}"
        assert {a for a, _ in attrs} <= OUR_ATTRS, f"unexpected attributes {attrs} in {fragment!r}"
    assert "javascript:" not in fragment and "<script" not in fragment and "<img" not in fragment
    return "".join(p.text)


# ------------------------------------------------------------------ one real server per module


@pytest.fixture(scope="module")
def server(engine: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from assistant.feedback import FeedbackStore
    from assistant.web import start

    srv = start(engine, "127.0.0.1", 0, store=FeedbackStore(tmp_path_factory.mktemp("feedback")))
    yield srv
    srv.close()


def make_client(url: str) -> Any:
    from gradio_client import Client

    return Client(url, verbose=False, analytics_enabled=False, download_files=False)


@pytest.fixture(scope="module")
def client(server: Any) -> Iterator[Any]:
    c = make_client(server.url)
    yield c
    c.close()


@pytest.mark.slow
def test_ask_answers_with_a_citation(client: Any) -> None:
    from assistant import Answer

    r = client.predict("Who developed Keras?", api_name="/ask")
    a = Answer.model_validate(r)
    assert not a.abstained
    assert "Chollet" in a.answer and "[1]" in a.answer
    assert a.citations[0].n == 1 and "Chollet" in a.citations[0].quote


@pytest.mark.slow
def test_history_makes_a_follow_up_work(client: Any) -> None:
    first = client.predict("Who developed TensorFlow?", api_name="/ask")
    assert "Google" in first["answer"]
    history = [
        {"role": "user", "content": "Who developed TensorFlow?"},
        {"role": "assistant", "content": first["answer"]},
    ]
    follow = client.predict("And PyTorch?", history, api_name="/ask")
    assert not follow["abstained"]
    assert "developed" in follow["resolved_question"] and "PyTorch" in follow["resolved_question"]
    assert "Facebook AI Research" in follow["answer"] and "[1]" in follow["answer"]
    # Gradio-style content blocks are accepted the same way.
    blocks = [{"role": m["role"], "content": [{"type": "text", "text": m["content"]}]} for m in history]
    again = client.predict("And PyTorch?", blocks, api_name="/ask")
    assert again["answer"] == follow["answer"]
    alone = client.predict("And PyTorch?", api_name="/ask")
    assert alone["resolved_question"] == "And PyTorch?"


@pytest.mark.slow
def test_search_endpoint_gives_all_three_scores(client: Any) -> None:
    hits = client.predict("Keras", 3, "hybrid", api_name="/search")
    assert len(hits) == 3
    assert {"section", "score", "dense_score", "bm25_score", "text"} <= set(hits[0])
    assert any("Keras" in h["text"] for h in hits)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("   ",), "the question is empty"),
        (("x" * 5000,), "too long"),
        (("Who developed Keras?", None, 99), "k must be from 1 to 10"),
        (("Who developed Keras?", None, None, "fuzzy"), "mode must be one of"),
        (("Who developed Keras?", "not a list"), ""),
    ],
)
def test_bad_input_is_a_clear_error(client: Any, args: tuple[Any, ...], message: str) -> None:
    from gradio_client.exceptions import AppError

    with pytest.raises(Exception) as err:
        client.predict(*args, api_name="/ask")
    text = str(err.value)
    if isinstance(err.value, AppError):
        assert message in text
    assert "Traceback" not in text and ".py" not in text and "/work" not in text


@pytest.mark.slow
def test_chat_renders_user_text_as_text(client: Any) -> None:
    evil = "<img src=x onerror=alert(1)> [x](javascript:alert(1)) <script>alert(1)</script> Who developed Keras?"
    messages, box = client.predict(evil, "hybrid", 5, api_name="/chat")
    assert box == ""
    assert [m["role"] for m in messages] == ["user", "assistant"]
    html = [m["content"] if isinstance(m["content"], str) else m["content"][0]["text"] for m in messages]
    assert assert_inert(html[0]) == evil
    assert "&lt;img src&#61;x onerror&#61;alert&#40;1&#41;&gt;" in html[0]
    assert_inert(html[1])


# ------------------------------------------------------------------ escaping of corpus text


@pytest.fixture
def evil_engine(tmp_path: Path) -> Any:
    from assistant import Assistant, Settings
    from assistant.embedding import FakeEmbedder

    corpus = tmp_path / "evil"
    corpus.mkdir()
    (corpus / "article.md").write_text(EVIL_ARTICLE)
    (corpus / "facts.yaml").write_text(EVIL_FACTS)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "evil-index", data_dir=tmp_path / "data")
    return Assistant(settings, embedder=FakeEmbedder(), progress=False)


def test_corpus_html_is_shown_as_text(evil_engine: Any) -> None:
    from assistant.rendering import render_answer, render_source

    for question, needle in EVIL_QUESTIONS.items():
        a = evil_engine.ask(question)
        assert not a.abstained, question
        shown = assert_inert(render_answer(a))
        assert needle in shown  # the reader sees the characters, literally
        for c in a.citations:
            source = render_source(c)
            assert_inert(source)
            marked = parse(source.split("<mark>", 1)[1].split("</mark>", 1)[0]).text
            assert "".join(marked) in c.text  # the highlight is the quote, escaped inside <mark>
            assert "&lt;i&gt;" in source or "&lt;" in source


def test_every_page_string_is_escaped(evil_engine: Any) -> None:
    import gradio as gr

    from assistant.web import build_app

    demo = build_app(evil_engine)
    html_blocks = [b.value for b in demo.blocks.values() if isinstance(b, gr.HTML)]
    assert html_blocks and all("<b>" not in v and "&lt;b&gt;" in v for v in html_blocks)
    facts = next(b for b in demo.blocks.values() if isinstance(b, gr.Dataframe) and b.elem_id == "facts")
    cells = [cell for row in facts.value["data"] for cell in row]
    assert "<script>alert(1)</script>" in cells  # a Dataframe "str" cell is text, never markup


def test_highlight_escapes_then_marks() -> None:
    from assistant.rendering import highlight

    out = highlight("A <b>x</b>. B & C. D.", "B & C.")
    assert out == "A &lt;b&gt;x&lt;/b&gt;&#46; <mark>B &amp; C&#46;</mark> D&#46;"
    two = highlight("One. Two. Three.", "One. Three.")
    assert two.count("<mark>") == 2 and "Two" not in "".join(two.split("<mark>")[1:]).split("</mark>")[0]


def test_a_heading_quote_marks_the_section_label() -> None:
    from assistant.answer import Citation
    from assistant.rendering import render_source

    section = "Stone Age (early 2000s)"
    c = Citation(
        n=1, passage_id="a/stone/0", source=f"A › {section}", section=section,
        text=f"{section}\nThe concept of neural networks.", quote=section, start=0, end=40,
    )  # fmt: skip
    html = render_source(c)
    assert '<span class="src-sec"><mark>Stone Age &#40;early 2000s&#41;</mark></span>' in html
    assert assert_inert(html).count("Stone Age") == 2  # the label and the "where" line; not repeated in the text


# ------------------------------------------------------------------ host guard and CORS


@pytest.mark.slow
def test_foreign_host_is_refused(server: Any) -> None:
    ok = httpx.get(server.url + "/config")
    assert ok.status_code == 200
    for host in ("evil.example", "evil.example:80", f"evil.example:{server.port}"):
        r = httpx.get(server.url + "/config", headers={"Host": host})
        assert r.status_code == 400, host
        assert "components" not in r.text
    r = httpx.post(
        server.url + "/gradio_api/call/ask",
        json={"data": ["Who developed Keras?"]},
        headers={"Host": "evil.example", "Origin": "http://evil.example"},
    )
    assert r.status_code == 400
    assert "access-control-allow-origin" not in r.headers
    assert httpx.get(server.url + "/", headers={"Host": f"localhost:{server.port}"}).status_code == 200


@pytest.mark.slow
def test_foreign_origin_gets_no_cors_grant(server: Any) -> None:
    evil = {"Origin": "http://evil.example"}
    r = httpx.get(server.url + "/config", headers=evil)
    assert "access-control-allow-origin" not in r.headers
    pre = httpx.options(
        server.url + "/gradio_api/queue/join",
        headers={**evil, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )
    assert "access-control-allow-origin" not in pre.headers
    own = httpx.get(server.url + "/config", headers={"Origin": server.url})
    assert own.headers.get("access-control-allow-origin") == server.url


def test_gradio_environment_cannot_move_the_server(engine: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.web import create_server

    monkeypatch.setenv("GRADIO_SERVER_NAME", "0.0.0.0")
    monkeypatch.setenv("GRADIO_SERVER_PORT", "7861")
    monkeypatch.setenv("GRADIO_SHARE", "True")
    monkeypatch.setenv("GRADIO_SSR_MODE", "True")
    _server, sock, url, blocks = create_server(engine, "127.0.0.1", 0)  # bound, never run
    try:
        host, port = sock.getsockname()[:2]
        assert host == "127.0.0.1" and port != 7861 and url == f"http://127.0.0.1:{port}"
        assert blocks.ssr_mode is False and not blocks.share
    finally:
        sock.close()


# ------------------------------------------------------------------ load


def _ask_over_http(url: str, question: str) -> str:
    """One client of the queue, as a browser or script would be: join, then read the event stream."""
    try:
        r = httpx.post(f"{url}/gradio_api/call/ask", json={"data": [question, None, None, None]}, timeout=60)
        if r.status_code == 503:
            return "busy" if "queue is full" in r.text.lower() else f"503: {r.text}"
        r.raise_for_status()
        with httpx.stream("GET", f"{url}/gradio_api/call/ask/{r.json()['event_id']}", timeout=60) as stream:
            body = stream.read().decode()
    except httpx.HTTPError as exc:
        return f"error: {type(exc).__name__}: {exc}"
    if "event: complete" in body:
        return "ok" if "Chollet" in body else f"wrong: {body[:200]}"
    return f"failed: {body[:200]}"


def _hammer(url: str, n: int) -> list[str]:
    """n clients at once, each in its own thread; returns how each one fared."""
    results: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(n)

    def one() -> None:
        start.wait()
        outcome = _ask_over_http(url, "Who developed Keras?")
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.slow
def test_fifty_concurrent_clients(server: Any, client: Any) -> None:
    results = _hammer(server.url, 50)
    assert len(results) == 50
    assert all(r in ("ok", "busy") for r in results), [r for r in results if r not in ("ok", "busy")]
    assert results.count("ok") >= 1
    # Still up and still right.
    assert "Chollet" in client.predict("Who developed Keras?", api_name="/ask")["answer"]


@pytest.mark.slow
def test_a_full_queue_says_busy(server: Any, engine: Any, client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    ask = engine.ask

    def slow_ask(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.3)
        return ask(*args, **kwargs)

    monkeypatch.setattr(engine, "ask", slow_ask)
    monkeypatch.setattr(server.blocks._queue, "max_size", 3)
    results = _hammer(server.url, 20)
    assert all(r in ("ok", "busy") for r in results), results
    assert "busy" in results and "ok" in results
    monkeypatch.undo()
    assert "Chollet" in client.predict("Who developed Keras?", api_name="/ask")["answer"]
