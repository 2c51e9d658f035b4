"""Streaming sha256 of files, with a small cache keyed by size, mtime and inode."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

_CHUNK = 1 << 20
_lock = threading.Lock()
_memo: dict[tuple[str, int, int, int], str] = {}


def stream_sha256(path: Path) -> str:
    """sha256 of a file read in 1 MiB blocks: never the whole file in memory."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_CHUNK):
            h.update(block)
    return h.hexdigest()


def _key(path: Path) -> tuple[str, int, int, int]:
    st = path.stat()
    return (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ino)


def file_sha256(path: Path, cache_file: Path | None = None) -> str:
    """sha256 of path; reuse a verified digest while size, mtime and inode are unchanged.

    Any rewrite of the file (a new inode or mtime) or a change of size forces a fresh hash. The
    cache only saves re-reading large files (model weights) on every start.
    """
    key = _key(path)
    with _lock:
        if key in _memo:
            return _memo[key]
    disk: dict[str, list] = {}
    if cache_file is not None:
        try:
            disk = json.loads(cache_file.read_text())
        except (OSError, ValueError):
            disk = {}
        hit = disk.get(key[0])
        if isinstance(hit, list) and len(hit) == 4 and tuple(hit[:3]) == key[1:]:
            with _lock:
                _memo[key] = str(hit[3])
            return str(hit[3])
    digest = stream_sha256(path)
    with _lock:
        _memo[key] = digest
    if cache_file is not None:
        disk[key[0]] = [*key[1:], digest]
        try:
            tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(disk))
            os.replace(tmp, cache_file)
        except OSError:
            pass  # a read-only cache only costs time
    return digest
