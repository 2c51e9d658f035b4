"""The feedback store: round trip, and nothing lost under threads, processes or a killed writer."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.feedback import FeedbackRecord, FeedbackStore

CITATION = {"n": 1, "passage_id": "article/x/0", "source": "A › X", "section": "X", "text": "T.", "quote": "T."}


def _add(store: FeedbackStore, i: int, rating: str = "like") -> int:
    return store.add(rating, f"question {i}", [], f"answer {i} [1].", [CITATION])  # type: ignore[arg-type]


def test_round_trip(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "data")
    assert store.records() == [] and "no feedback yet" in store.summary()
    assert not (tmp_path / "data").exists()  # reading creates nothing
    history = [
        {"role": "user", "content": "Who developed TensorFlow?"},
        {"role": "assistant", "content": "Google [1]."},
    ]
    first = store.add("like", "Who developed Keras?", [], "Keras was developed by François Chollet [1].", [CITATION])
    second = store.add("dislike", "And PyTorch?", history, "Torch [1].", [CITATION], comment="wrong framework")
    third = store.add("dislike", "When?", history, "2015 [1].", [])
    assert (first, second, third) == (1, 2, 3)
    assert store.set_comment(third, "  too vague  ") and not store.set_comment(99, "x")

    records = store.records()
    assert [r.rating for r in records] == ["like", "dislike", "dislike"]
    assert records[1].history == history and records[1].citations == [CITATION]
    assert records[1].comment == "wrong framework" and records[2].comment == "too vague"
    assert records[0].created_at.tzinfo is not None

    summary = store.summary()
    assert "3 ratings: 1 likes, 2 dislikes" in summary
    assert "And PyTorch?" in summary and "wrong framework" in summary and "too vague" in summary
    assert "Who developed Keras?" not in summary  # liked answers are only counted

    out = tmp_path / "export" / "feedback.jsonl"
    assert store.export(out) == 3
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    again = [FeedbackRecord.model_validate(json.loads(line)) for line in lines]
    assert again == records
    assert "François" in lines[0]  # UTF-8, not \\u escapes


def test_bad_rating_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="like"):
        FeedbackStore(tmp_path).add("meh", "q", [], "a", [])  # type: ignore[arg-type]


def test_uses_wal(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path)
    _add(store, 0)
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_threads_lose_nothing(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "data")
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for i in range(25):
                _add(store, t * 100 + i)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    records = store.records()
    assert len(records) == 200
    assert len({r.id for r in records}) == 200
    assert {r.question for r in records} == {f"question {t * 100 + i}" for t in range(8) for i in range(25)}


def _process_worker(data_dir: str, p: int) -> None:
    store = FeedbackStore(Path(data_dir))
    for i in range(25):
        _add(store, p * 100 + i, "dislike" if i % 2 else "like")


def test_processes_lose_nothing(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter each, as separate servers would be
    procs = [ctx.Process(target=_process_worker, args=(str(tmp_path / "data"), p)) for p in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0]
    records = FeedbackStore(tmp_path / "data").records()
    assert len(records) == 100
    assert {r.question for r in records} == {f"question {p * 100 + i}" for p in range(4) for i in range(25)}


WRITER = """
import sys
from pathlib import Path
from assistant.feedback import FeedbackStore
store = FeedbackStore(Path(sys.argv[1]))
i = 0
while True:
    store.add("like", f"question {i}", [{"role": "user", "content": "x" * 200}], "answer", [])
    i += 1
"""


def test_readable_after_the_writer_is_killed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(data)])
    store = FeedbackStore(data)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if store.path.exists() and len(store.records()) >= 50:
                break
            time.sleep(0.05)
        seen = len(store.records())
        assert seen >= 50, "the writer never got going"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    records = store.records()
    assert len(records) >= seen
    assert [r.question for r in records] == [f"question {i}" for i in range(len(records))]  # no gaps, no torn rows
    with sqlite3.connect(store.path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert _add(store, 10_000) == records[-1].id + 1  # still writable
