"""Shared helpers of the benchmark scripts: machine description, percentiles, child processes, questions.

Benchmarks are not tests: they measure, print Markdown tables and write JSON under bench/results/.
Nothing here asserts a time limit. Everything that builds an index writes it to a temporary folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import random
import re
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
PYTHON = REPO / ".venv" / "bin" / "python"
ASSISTANT_CLI = REPO / ".venv" / "bin" / "assistant"
if not PYTHON.exists():  # another layout: the interpreter running us
    PYTHON = Path(sys.executable)
KERAS_Q = "Who developed Keras?"
KERAS_A = "Chollet"

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "PYTHONUNBUFFERED": "1",
}
PACKAGES = (
    "assistant",
    "torch",
    "sentence-transformers",
    "transformers",
    "tokenizers",
    "onnxruntime",
    "onnx",
    "faiss-cpu",
    "numpy",
    "bm25s",
    "gradio",
    "gradio_client",
    "pydantic",
)


def offline() -> None:
    """Set the offline variables in this process (before anything heavy is imported)."""
    for k, v in OFFLINE_ENV.items():
        os.environ.setdefault(k, v)


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: offline, unbuffered, never the repository's index."""
    env = {**os.environ, **OFFLINE_ENV}
    for k in [k for k in env if k.startswith("ASSISTANT_")]:
        del env[k]  # a stray setting in the caller's shell must not change what is measured
    env.update(extra)
    return env


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------ machine


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def versions() -> dict[str, str]:
    out = {}
    for pkg in PACKAGES:
        with contextlib.suppress(PackageNotFoundError):
            out[pkg] = version(pkg)
    return out


def code_version() -> dict[str, Any]:
    """The commit measured, and whether the package had uncommitted edits (it is edited concurrently)."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    dirty = [line[3:] for line in git("status", "--porcelain", "--", "assistant", "corpus").splitlines()]
    return {"commit": git("rev-parse", "--short", "HEAD"), "uncommitted_in_package": dirty}


def machine() -> dict[str, Any]:
    """What the numbers were measured on; loadavg_at_end is filled in by `write_report`."""
    return {
        "code": code_version(),
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "ram_gb": round(_ram_gb(), 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "libraries": versions(),
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def machine_line(m: dict[str, Any]) -> str:
    libs = m.get("libraries", {})
    keys = ("torch", "sentence-transformers", "onnxruntime", "faiss-cpu", "numpy", "gradio")
    lib = ", ".join(f"{k} {libs[k]}" for k in keys if k in libs)
    la0 = m.get("loadavg_at_start", [float("nan")])[0]
    la1 = (m.get("loadavg_at_end") or [float("nan")])[0]
    load = f"1-min load average {la0:.1f} at start, {la1:.1f} at end"
    if m.get("loadavg_range"):
        lo, hi = m["loadavg_range"]
        load = f"1-min load average between {lo:.1f} and {hi:.1f} at the starts and ends of the benchmarks"
    return (
        f"Machine: {m['cpu_model']}, {m['cores']} cores, {m['ram_gb']:.0f} GB RAM, Python {m['python']}; "
        f"{lib}; {load} (a shared machine)."
    )


def write_report(report: dict[str, Any], out: Path) -> None:
    report["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(report, indent=2, default=str) + "\n")
    os.replace(tmp, out)
    shown = out.relative_to(REPO) if out.is_relative_to(REPO) else out
    log(f"written: {shown}")


def publish(report: dict[str, Any], out: Path, markdown: Any) -> None:
    """Write the JSON report, then print the machine line and the report's Markdown tables."""
    write_report(report, out)
    print(machine_line(report["machine"]))
    print()
    print(markdown(report))


def new_report(name: str, settings: dict[str, Any]) -> dict[str, Any]:
    return {
        "benchmark": name,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine(),
        "settings": settings,
    }


# ------------------------------------------------------------------------------------------ numbers


def pct(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (q in 0..1)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": pct(ms, 0.5),
        "p95_ms": pct(ms, 0.95),
        "mean_ms": statistics.fmean(ms) if ms else float("nan"),
        "max_ms": max(ms) if ms else float("nan"),
    }


def peak_rss_mb() -> float:
    """Peak RSS of this process (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def proc_status_mb(pid: int) -> dict[str, float]:
    """VmRSS (now) and VmHWM (peak so far) of a live process, in MB."""
    out: dict[str, float] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key = line.split(":", 1)[0]
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(line.split()[1]) / 1024
    return out


def fmt(x: Any, spec: str = ".1f", missing: str = "–") -> str:
    if x is None or (isinstance(x, float) and x != x):
        return missing
    return format(x, spec)


def md_table(header: Sequence[str], rows: Sequence[Sequence[Any]], align: str | None = None) -> str:
    align = align or "l" + "r" * (len(header) - 1)
    sep = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(sep) + "|"]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------ child processes


@dataclass
class ChildResult:
    returncode: int
    wall_s: float
    peak_rss_mb: float  # ru_maxrss of the child itself, from wait4
    stdout: str
    stderr: str
    first_line_s: float | None = None  # when the first non-empty stdout line arrived
    killed: bool = False
    killed_at_s: float | None = None
    stderr_lines: list[tuple[float, str]] = field(default_factory=list)


def run_child(
    cmd: Sequence[str],
    env: dict[str, str],
    *,
    cwd: Path = REPO,
    timeout: float | None = None,
    kill_after: float | None = None,
    kill_when: Callable[[], bool] | None = None,
    kill_delay: float = 0.0,
    pass_stderr: bool = False,
    stdin_data: str | None = None,
) -> ChildResult:
    """Run a process, timing its first stdout line; its exact peak RSS comes from wait4's rusage.

    kill_after: SIGKILL its process group after that many seconds (the crash test);
    kill_when / kill_delay: ... or kill_delay seconds after kill_when() first returns True (polled every 2 ms).
    pass_stderr: let the child's stderr through to ours (progress bars), instead of capturing it.
    """
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd),
        stdout=subprocess.PIPE,
        stderr=None if pass_stderr else subprocess.PIPE,
        stdin=subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL,
        env=env,
        cwd=cwd,
        text=True,
        start_new_session=True,  # its own process group: a kill reaches anything it started
    )
    out_lines: list[str] = []
    err_lines: list[tuple[float, str]] = []
    first: list[float] = []

    def read_out() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if not first and line.strip():
                first.append(time.perf_counter() - t0)
            out_lines.append(line)

    def read_err() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            err_lines.append((time.perf_counter() - t0, line))

    readers = [threading.Thread(target=read_out, daemon=True)]
    if not pass_stderr:
        readers.append(threading.Thread(target=read_err, daemon=True))
    for r in readers:
        r.start()
    if stdin_data is not None:
        assert proc.stdin is not None
        proc.stdin.write(stdin_data)
        proc.stdin.close()

    killed = False
    killed_at = None
    if kill_after is not None or kill_when is not None:
        deadline = t0 + kill_after if kill_after is not None else None
        armed_at = None
        while proc.poll() is None:
            now = time.perf_counter()
            if kill_when is not None and armed_at is None and kill_when():
                armed_at = now
            if (deadline is not None and now >= deadline) or (armed_at is not None and now >= armed_at + kill_delay):
                break
            time.sleep(0.002)
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            killed = True
            killed_at = time.perf_counter() - t0
    _, status, usage = _wait4(proc, timeout, t0)
    wall = time.perf_counter() - t0
    for r in readers:
        r.join(timeout=5)
    return ChildResult(
        returncode=proc.returncode if proc.returncode is not None else status,
        wall_s=wall,
        peak_rss_mb=usage.ru_maxrss / 1024 if usage else float("nan"),
        stdout="".join(out_lines),
        stderr="".join(x for _, x in err_lines),
        first_line_s=first[0] if first else None,
        killed=killed,
        killed_at_s=killed_at,
        stderr_lines=err_lines,
    )


def _wait4(proc: subprocess.Popen, timeout: float | None, t0: float) -> tuple[int, int, Any]:
    """os.wait4 on the child (its rusage holds its own peak RSS); a timeout kills its group."""
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            return pid, proc.returncode, usage
        if timeout is not None and time.perf_counter() - t0 > timeout:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            pid, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            return pid, proc.returncode, usage
        time.sleep(0.002)


def last_json(stdout: str) -> dict[str, Any]:
    """The last line of a child's stdout, parsed as JSON (children print their result there)."""
    lines = [ln for ln in stdout.splitlines() if ln.strip()]
    if not lines:
        raise RuntimeError("the child printed nothing")
    return json.loads(lines[-1])


def run_python_child(script: Path, args: Sequence[str], env: dict[str, str], *, pass_stderr: bool = True) -> Any:
    """Run `python script args` and return (its JSON result, ChildResult); raise with its stderr on failure."""
    res = run_child([str(PYTHON), str(script), *args], env, pass_stderr=pass_stderr)
    if res.returncode != 0:
        raise RuntimeError(f"{script.name} {' '.join(args)} failed ({res.returncode}):\n{res.stderr[-4000:]}")
    return last_json(res.stdout), res


@contextlib.contextmanager
def timed(store: dict[str, float], key: str) -> Iterator[None]:
    t = time.perf_counter()
    try:
        yield
    finally:
        store[key] = store.get(key, 0.0) + time.perf_counter() - t


def wrap_timer(owner: Any, name: str, store: dict[str, list[float]], key: str | None = None) -> bool:
    """Replace owner.name (a module function or a class) by a version that records each call's duration.

    Returns False (and changes nothing) when owner has no such attribute: the package is edited
    concurrently, and a renamed function must only blank one line of a table, not stop the benchmark.
    """
    original: Callable[..., Any] | None = getattr(owner, name, None)
    if original is None:
        return False
    key = key or name

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            store.setdefault(key, []).append(time.perf_counter() - t)

    setattr(owner, name, wrapper)
    return True


# ------------------------------------------------------------------------------------------ questions

LEAD_INS = (
    "According to the article, {q}",
    "In the article, {q}",
    "Quick question: {q}",
    "Tell me, {q}",
    "I'd like to know: {q}",
    "Based on the text, {q}",
)


def gold_rows(path: Path | None = None) -> list[dict[str, Any]]:
    path = path or REPO / "corpus" / "qa.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _lower_first(q: str) -> str:
    return q[:1].lower() + q[1:] if q[:2] != q[:2].upper() else q


def distinct_questions(n: int, *, offset: int = 0, seed: int = 0) -> list[dict[str, Any]]:
    """n distinct (question, history) items: the gold questions of qa.jsonl first, then generated variants.

    Variants put a neutral lead-in before a gold question ("According to the article, who ..."), so every
    text differs from every other. `offset` skips that many items of the same deterministic sequence, so
    two calls with disjoint ranges never share a question (warm-up questions are never measured ones).
    """
    rows = gold_rows()
    base = [{"question": str(r["question"]).strip(), "history": list(r.get("history") or [])} for r in rows]
    seq: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(item: dict[str, Any]) -> None:
        key = item["question"] + "\x00" + json.dumps(item["history"])
        if key not in seen:
            seen.add(key)
            seq.append(item)

    for item in base:
        add(item)
    rng = random.Random(seed)
    rounds = 0
    while len(seq) < offset + n:
        template = LEAD_INS[rounds % len(LEAD_INS)]
        order = list(range(len(base)))
        rng.shuffle(order)
        for i in order:
            b = base[i]
            add({"question": template.format(q=_lower_first(b["question"])), "history": b["history"]})
        rounds += 1
    return seq[offset : offset + n]


def history_messages(history: list[Any]) -> list[dict[str, str]]:
    """qa.jsonl keeps earlier user questions as plain strings; the engine takes chat messages."""
    out = []
    for h in history:
        out.append(h if isinstance(h, dict) else {"role": "user", "content": str(h)})
    return out


def article_sentences() -> list[str]:
    """Body sentences of the default article (front matter, headings and reference entries left out)."""
    offline()
    from assistant.chunking import chunk_corpus
    from assistant.corpus import load_corpus
    from assistant.settings import Settings

    corpus = load_corpus(Settings().resolved_corpus_dir())
    out = []
    for p in chunk_corpus(corpus, 60):
        for s in p.sentences:
            text = re.sub(r"\s*\[\d{1,3}\]", "", s.text).strip()
            words = len(text.split())
            if 6 <= words <= 45 and not text.startswith("[") and "http" not in text and ":" not in text[:25]:
                out.append(text)
    return sorted(set(out))


def snapshot_corpus(dst: Path) -> Path:
    """A private copy of the default corpus: edits to corpus/ during a run cannot make the index stale."""
    import shutil

    offline()
    from assistant.settings import Settings

    src = Settings().resolved_corpus_dir()
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dst
