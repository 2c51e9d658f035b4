"""Likes and dislikes from the web chat, kept in SQLite (WAL): safe for many threads and processes."""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

Rating = Literal["like", "dislike"]
FILE_NAME = "feedback.sqlite3"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 30_000  # writers queue behind each other for up to this long instead of failing

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    rating     TEXT NOT NULL CHECK (rating IN ('like', 'dislike')),
    question   TEXT NOT NULL,
    history    TEXT NOT NULL,
    answer     TEXT NOT NULL,
    citations  TEXT NOT NULL,
    comment    TEXT
)
"""


class FeedbackRecord(BaseModel):
    """One rating of one answer, with what the user saw when they gave it."""

    id: int
    created_at: datetime
    rating: Rating
    question: str
    history: list[Any] = Field(default_factory=list, description="the chat messages before the question")
    answer: str
    citations: list[dict[str, Any]] = Field(default_factory=list, description="the answer's citations as JSON")
    comment: str | None = None


def _jsonable(item: Any) -> Any:
    if isinstance(item, BaseModel):
        return item.model_dump(mode="json")
    if isinstance(item, Mapping):
        return {str(k): _jsonable(v) for k, v in item.items()}
    if isinstance(item, list | tuple):
        return [_jsonable(v) for v in item]
    return item


class FeedbackStore:
    """A feedback database in `data_dir`; every call opens its own connection, so any thread may use it."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / FILE_NAME
        self._ready = False
        self._ready_lock = threading.Lock()

    # ------------------------------------------------------------ connections

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, so a writer takes the lock up front
        # instead of failing to upgrade a read lock under contention.
        self._initialise()
        conn = self._open()
        try:
            yield conn
        finally:
            conn.close()

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # NORMAL is durable against process crashes in WAL mode (only a power cut can lose commits).
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def _initialise(self) -> None:
        """WAL mode and the schema, set once. Switching the journal mode needs the database to itself
        and SQLite does not wait for that, so threads (a lock) and processes (a lock file) take turns."""
        if self._ready:
            return
        with self._ready_lock, open(self.data_dir / f"{FILE_NAME}.init-lock", "a+b") as lock:
            if self._ready:
                return
            fcntl.flock(lock, fcntl.LOCK_EX)
            conn = self._open()
            try:
                # WAL (persistent in the file): readers never block the writer, a killed writer
                # leaves a consistent database.
                if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    conn.execute("PRAGMA journal_mode = WAL")
                if conn.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
                    conn.execute("BEGIN IMMEDIATE")
                    conn.execute(_SCHEMA)
                    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                    conn.execute("COMMIT")
            finally:
                conn.close()
                fcntl.flock(lock, fcntl.LOCK_UN)
            self._ready = True

    def _exists(self) -> bool:
        return self.path.is_file()

    # ------------------------------------------------------------ writing

    def add(
        self,
        rating: Rating,
        question: str,
        history: Sequence[Any] | None,
        answer: str,
        citations: Sequence[Any] | None,
        comment: str | None = None,
    ) -> int:
        """Store one rating and return its id."""
        if rating not in ("like", "dislike"):
            raise ValueError(f"rating must be 'like' or 'dislike', not {rating!r}")
        row = (
            datetime.now(UTC).isoformat(timespec="milliseconds"),
            rating,
            str(question),
            json.dumps(_jsonable(list(history or [])), ensure_ascii=False),
            str(answer),
            json.dumps(_jsonable(list(citations or [])), ensure_ascii=False),
            (comment or "").strip() or None,
        )
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            cur = conn.execute(
                "INSERT INTO feedback (created_at, rating, question, history, answer, citations, comment) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )
            conn.execute("COMMIT")
            return int(cur.lastrowid or 0)

    def set_comment(self, record_id: int, comment: str) -> bool:
        """Attach a comment to an earlier rating; False if there is no such record."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            cur = conn.execute(
                "UPDATE feedback SET comment = ? WHERE id = ?", ((comment or "").strip() or None, record_id)
            )
            conn.execute("COMMIT")
            return cur.rowcount > 0

    # ------------------------------------------------------------ reading

    def records(self) -> list[FeedbackRecord]:
        """Every record, oldest first (an empty list when nothing was stored yet)."""
        if not self._exists():
            return []  # reading never creates the store
        # The file may exist a moment before its table (another process is creating it): ensure both.
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, created_at, rating, question, history, answer, citations, comment FROM feedback ORDER BY id"
            ).fetchall()
        return [
            FeedbackRecord(
                id=r[0],
                created_at=datetime.fromisoformat(r[1]),
                rating=r[2],
                question=r[3],
                history=json.loads(r[4]),
                answer=r[5],
                citations=json.loads(r[6]),
                comment=r[7],
            )
            for r in rows
        ]

    def summary(self) -> str:
        """Counts of likes and dislikes, then every disliked answer with its question and comment."""
        records = self.records()
        if not records:
            return f"no feedback yet ({self.path})"
        likes = sum(r.rating == "like" for r in records)
        dislikes = len(records) - likes
        lines = [f"{len(records)} ratings: {likes} likes, {dislikes} dislikes ({self.path})"]
        disliked = [r for r in records if r.rating == "dislike"]
        if disliked:
            lines.append("")
            lines.append("Disliked answers:")
        for r in disliked:
            lines.append(f"  #{r.id} {r.created_at:%Y-%m-%d %H:%M} Q: {r.question}")
            lines.append(f"      A: {r.answer}")
            if r.comment:
                lines.append(f"      comment: {r.comment}")
        commented = [r for r in records if r.rating == "like" and r.comment]
        if commented:
            lines.append("")
            lines.append("Comments on liked answers:")
            lines.extend(f"  #{r.id} Q: {r.question}\n      comment: {r.comment}" for r in commented)
        return "\n".join(lines)

    def export(self, path: Path) -> int:
        """Write every record as one JSON object per line; returns how many were written."""
        path = Path(path)
        records = self.records()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            for r in records:
                fh.write(r.model_dump_json() + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)  # a reader never sees half a file
        return len(records)
