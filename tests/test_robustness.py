"""Any input, concurrency, a killed build and no network: properties proven with counts."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import Answer, InvalidQuestion

INJECTIONS = [
    "'; DROP TABLE passages; --",
    "<script>alert(1)</script> who developed keras",
    "<img src=x onerror=alert(1)>",
    "{{7*7}} ${7*7} {% raw %}",
    "[click](javascript:alert(1))",
    "\u202eTensorFlow\u202c who made it",
    "مَن طوّر كيراس؟",
    "🤖🤖🤖 who developed PyTorch? 🔥",
    "?!?!...,,,;;;",
    "\x00\x01\x02 Who developed Keras?",
]

questions = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=60),
    st.sampled_from(INJECTIONS),
    st.builds(lambda n: "a" * n, st.integers(min_value=900, max_value=10_000)),
    st.builds(lambda s: "Who developed " + s + "?", st.text(max_size=40)),
)
message = st.fixed_dictionaries(
    {
        "role": st.sampled_from(["user", "assistant", "system", "bot", ""]),
        "content": st.one_of(
            st.text(max_size=200),
            st.lists(st.fixed_dictionaries({"type": st.just("text"), "text": st.text(max_size=50)}), max_size=3),
            st.integers(),
            st.none(),
        ),
    }
)
histories = st.one_of(
    st.none(),
    st.lists(st.text(max_size=200), max_size=12),
    st.lists(st.one_of(message, st.text(max_size=80), st.integers(), st.none()), max_size=12),
    st.builds(lambda n: ["Who developed TensorFlow? " * 200] * n, st.integers(0, 300)),
    st.text(max_size=20),
)


def _check(engine, question, history) -> None:
    try:
        a = engine.ask(question, history)
    except InvalidQuestion:
        return
    assert isinstance(a, Answer)
    assert Answer.model_validate_json(a.model_dump_json()) == a
    assert 0.0 <= a.confidence <= 1.0
    assert a.abstained or a.citations


@pytest.mark.slow
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(question=questions)
def test_any_question_answers_abstains_or_is_rejected(engine, question) -> None:
    _check(engine, question, None)


@pytest.mark.slow
@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    question=st.sampled_from(["Who developed it?", "what about MXNet?", "When?", "Who developed Keras?"]),
    history=histories,
)
def test_any_history_answers_abstains_or_is_rejected(engine, question, history) -> None:
    _check(engine, question, history)


MIX = [
    ("Who developed Keras?", None),
    ("When was the Iron Age?", None),
    ("How does MXNet speed up imperative code?", None),
    ("What was it based on?", ["Which framework did FAIR release?"]),
    ("what about MXNet?", ["Who developed TensorFlow?"]),
    ("Who created scikit-learn?", None),
    ("What license does PyTorch use?", None),
    ("Why did frameworks switch to the imperative style?", None),
]


@pytest.mark.slow
def test_sixteen_threads_give_the_sequential_answers(engine) -> None:
    expected = {q: engine.ask(q, h).model_dump() for q, h in MIX}
    jobs = MIX * 8
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda qh: (qh[0], engine.ask(qh[0], qh[1]).model_dump()), jobs))
    assert len(results) == len(jobs)
    for q, got in results:
        assert got == expected[q], q


def test_default_engine_is_created_once(monkeypatch, tiny_settings) -> None:
    import assistant.engine as eng
    from assistant.embedding import FakeEmbedder

    made = []
    real = eng.Assistant

    class Counting(real):  # type: ignore[misc,valid-type]
        def __init__(self, *a, **k) -> None:
            made.append(1)
            time.sleep(0.05)  # widen the race window
            super().__init__(tiny_settings, embedder=FakeEmbedder(), progress=False)

    monkeypatch.setattr(eng, "Assistant", Counting)
    monkeypatch.setattr(eng, "_default", None)
    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(lambda _: eng.ask("Who developed Graphix?").answer, range(32)))
    assert len(made) == 1
    assert len(set(answers)) == 1


def test_outbound_network_is_blocked() -> None:
    # pytest-socket (--allow-hosts=loopback in pyproject) makes any other connection fail.
    from pytest_socket import SocketConnectBlockedError

    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("192.0.2.1", 80), timeout=1)


KILL_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from assistant import Assistant, Settings
    from assistant.embedding import FakeEmbedder

    class Slow(FakeEmbedder):
        def encode(self, texts, *, progress=False):
            time.sleep(0.05)  # a build takes ~0.2 s: kills land before, during and after writing
            return super().encode(texts, progress=progress)

    s = Settings(corpus_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2]))
    print("start", flush=True)
    Assistant(s, embedder=Slow(), rebuild=True, progress=False)
    print("done", flush=True)
    """
)


def test_build_killed_at_random_points_leaves_a_usable_index(tmp_path, tiny_corpus) -> None:
    """SIGKILL a rebuild at 20 seeded points: the index always loads and answers afterwards."""
    from assistant import Assistant, Settings
    from assistant.embedding import FakeEmbedder

    index = tmp_path / "idx"
    settings = Settings(corpus_dir=tiny_corpus, index_dir=index, auto_rebuild=False)
    Assistant(settings.model_copy(update={"auto_rebuild": True}), embedder=FakeEmbedder(), progress=False)
    script = tmp_path / "build.py"
    script.write_text(KILL_SCRIPT)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, str(script), str(tiny_corpus), str(index)]
    t0 = time.monotonic()
    subprocess.run(cmd, check=True, capture_output=True, env=env)
    duration = time.monotonic() - t0  # kill points span the whole run, imports and writes included
    rng = random.Random(1234)
    usable = interrupted = 0
    for _ in range(20):
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env)
        assert proc.stdout is not None
        time.sleep(rng.uniform(0.0, duration))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        interrupted += b"done" not in proc.stdout.read()
        a = Assistant(settings, embedder=FakeEmbedder(), progress=False).ask("Who developed Graphix?")
        usable += "Acme" in a.answer
    assert usable == 20
    assert interrupted >= 5, "some kills should land mid-build"
    leftovers = [p.name for p in (index / "builds").iterdir() if p.name.startswith(".tmp")]
    assert leftovers == []  # opening the index after a kill removes what the killed build left
    print(json.dumps({"kills": 20, "interrupted_builds": interrupted, "usable_after": usable}))


def test_hostile_corpus_is_indexed_safely_or_skipped(tmp_path, caplog) -> None:
    """HTML/JS, an enormous line, binary and non-UTF-8 files, a link out of the folder."""
    from assistant import Assistant, Settings
    from assistant.embedding import FakeEmbedder

    corpus = tmp_path / "hostile"
    corpus.mkdir()
    (corpus / "page.md").write_text(
        "# Page\n\n## Scripts\n\n<script>alert(1)</script> Torchlet was made by <img src=x onerror=alert(1)>.\n"
    )
    rng = random.Random(7)
    words = ["alpha", "beta", "gamma", "delta", "framework", "graph", "tensor"]
    (corpus / "huge.txt").write_text(" ".join(rng.choice(words) for _ in range(60_000)))  # one 400 kB line
    (corpus / "blob.md").write_bytes(b"\x00\x01binary\x00" * 100)
    (corpus / "latin1.txt").write_bytes("caf\xe9 cr\xe8me".encode("latin-1"))
    secret = tmp_path / "secret.md"
    secret.write_text("# Secret\n\nThe password is hunter2.\n")
    (corpus / "link.md").symlink_to(secret)

    with caplog.at_level("WARNING"):
        engine = Assistant(
            Settings(corpus_dir=corpus, index_dir=tmp_path / "idx"), embedder=FakeEmbedder(), progress=False
        )
    skipped = caplog.text
    for name in ("blob.md", "latin1.txt", "link.md"):
        assert name in skipped, f"{name} should be skipped with a warning naming it"
    assert {d.path for d in engine.corpus.documents} == {"page.md", "huge.txt"}
    assert all("hunter2" not in p.text for p in engine.index.passages)
    assert max(len(p.text.split()) for p in engine.index.passages) <= 200  # the huge line is cut up
    a = engine.ask("Who made Torchlet?")
    assert "<script>" in a.answer or a.abstained  # kept as text; the web page escapes it
