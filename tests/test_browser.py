"""The page in a real browser (Debian's Chromium through Playwright): ask, read the source, rate, browse facts."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _chromium() -> str:
    path = shutil.which("chromium")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        path = None
    if path is None:
        message = (
            "!!! BROWSER TEST NOT RUN: Debian's chromium (and Playwright for Python) are needed: "
            "`apt-get install chromium` (never `playwright install`)."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def chromium() -> str:
    return _chromium()


@pytest.fixture(scope="module")
def server(engine: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from assistant.feedback import FeedbackStore
    from assistant.web import start

    store = FeedbackStore(tmp_path_factory.mktemp("browser-feedback"))
    srv = start(engine, "127.0.0.1", 0, store=store)
    srv.store = store  # type: ignore[attr-defined]
    yield srv
    srv.close()


@pytest.fixture
def page(chromium: str, server: Any) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=1)
        pg = context.new_page()
        pg.set_default_timeout(20_000)
        outside: list[str] = []  # every request that would leave this machine
        dialogs: list[str] = []  # an alert() would mean injected script ran

        def on_request(r: Any) -> None:
            if not r.url.startswith((server.url, "data:", "blob:")):
                outside.append(r.url)

        def on_dialog(d: Any) -> None:
            dialogs.append(d.message)
            d.dismiss()

        pg.on("request", on_request)
        pg.on("dialog", on_dialog)
        try:
            yield pg
            assert dialogs == []
            assert outside == [], f"the page tried to reach the network: {outside}"
        finally:
            context.close()
            browser.close()


def _ask(page: Any, question: str, n_answers: int) -> Any:
    page.locator("#question textarea").fill(question)
    page.locator("#question textarea").press("Enter")
    bot = page.locator('#chatbot [data-testid="bot"]')
    bot.nth(n_answers - 1).wait_for()
    return bot.nth(n_answers - 1)


def test_ask_read_sources_rate_and_browse_facts(page: Any, server: Any, tmp_path: Path) -> None:
    page.goto(server.url)
    page.locator("#question textarea").wait_for()

    answer = _ask(page, "Who developed Keras?", 1)
    answer.locator("sup.cite").first.wait_for()
    assert "Chollet" in answer.inner_text()
    assert answer.locator("sup.cite").first.inner_text() == "[1]"

    # Open the first source: its section label, and the supporting sentence highlighted.
    source = answer.locator("details.src").first
    assert "Iron Age" in source.locator("summary").inner_text()
    source.locator("summary").click()
    mark = source.locator("mark").first
    mark.wait_for(state="visible")
    assert "Chollet" in mark.inner_text()
    page.mouse.move(0, 0)
    shot = tmp_path / "answer.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        (REPO / "docs").mkdir(exist_ok=True)
        shutil.copyfile(shot, REPO / "docs" / "screenshot.png")

    # An abstention looks different, and untrusted input is shown as text.
    evil = "What license does PyTorch use? <img src=x onerror=alert(1)> [x](javascript:alert(1))"
    abstain = _ask(page, evil, 2)
    abstain.locator(".abstain").wait_for()
    assert "Not in the sources" in abstain.inner_text()
    user = page.locator('#chatbot [data-testid="user"]').nth(1)
    assert "<img src=x onerror=alert(1)>" in user.inner_text()
    chat = page.locator("#chatbot")
    assert chat.locator("img[src=x], script, a[href^=javascript]").count() == 0
    page.screenshot(path=str(tmp_path / "abstain.png"))

    # Rate the first answer: the like is stored with its question, answer and citations.
    page.locator("#chatbot").get_by_role("button", name="Like", exact=True).first.click()  # the first answer's
    page.get_by_text("Thanks, glad it helped.").wait_for()
    page.locator("#comment textarea").fill("clear and sourced")
    page.get_by_role("button", name="Send comment").click()
    page.get_by_text("Comment saved").wait_for()
    records = server.store.records()
    assert [(r.rating, r.question, r.comment) for r in records] == [
        ("like", "Who developed Keras?", "clear and sourced")
    ]
    assert records[0].citations and "Chollet" in records[0].citations[0]["quote"]

    # The facts: a searchable table.
    page.get_by_role("tab", name="Facts").click()
    facts = page.locator("#facts")
    text_js = "() => document.querySelector('#facts').innerText"  # innerText: only what is visible
    page.wait_for_function(f"({text_js})().length > 1000")  # rows rendered
    before = page.evaluate(text_js)
    facts.get_by_placeholder("Search").fill("Keras")
    page.wait_for_function(f"({text_js})().length < {len(before) // 2}")
    after = page.evaluate(text_js)
    assert "François Chollet" in after and "Keras" in after
    page.screenshot(path=str(tmp_path / "facts.png"))
