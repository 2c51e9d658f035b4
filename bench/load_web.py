"""Bounded load test of the web app: N concurrent gradio_client sessions against `assistant serve` on loopback.

Run from the repository root:  .venv/bin/python bench/load_web.py  [--clients 32] [--seconds 60] [--index-dir DIR]

  1. builds (or, with --index-dir, verifies) an index in a temporary folder from a private copy of the corpus,
     and starts `python -m assistant.cli serve --host 127.0.0.1 --port <free>` in its own process group;
  2. warms it up with every gold question of corpus/qa.jsonl once (one client), sorting them into pools by
     what the server did with them: answered from the structured facts, extractively, or abstained;
  3. runs --clients threads, each with its own gradio_client session (through the queue, as a browser would),
     for --seconds, each asking a rotating mix: facts, extractive, follow-ups with history, out-of-corpus,
     and bad input (empty, 5,000 characters, wrong types, a history that is a number, k out of range);
  4. counts answered / refused-as-expected (bad input) / rejected busy (queue full) / failed, latency
     percentiles per kind, and samples the server's RSS, threads and open files every 2 s (psutil).
Writes bench/results/load_web.json and prints Markdown. Not a test: it measures and never asserts.
Traffic goes only to 127.0.0.1 (no proxy: trust_env is off). A watchdog ends everything if a step hangs.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as bl

OUT = bl.RESULTS / "load_web.json"
SAMPLE_EVERY_S = 2.0
REQUEST_TIMEOUT_S = 60.0
# The order each client walks through (each client starts at its own place in it).
PATTERN = ("facts", "extractive", "followup", "out_of_corpus", "facts", "extractive", "followup", "bad_input")
BAD_INPUTS: list[tuple[tuple[Any, ...], str]] = [
    (("",), "the question is empty"),
    (("   ",), "the question is empty"),
    (("x" * 5000,), "the question is too long"),
    ((5,), "the question must be text"),
    (("Who developed Keras?", 5), "history must be a list"),
    (("Who developed Keras?", None, 99), "k must be from 1 to 10"),
    (("Who developed Keras?", None, None, "fuzzy"), "mode must be one of"),
]


@dataclass(frozen=True)
class Item:
    kind: str
    args: tuple[Any, ...]
    expect_error: str | None = None  # a bad input: the message the server must answer with
    answers: tuple[str, ...] = ()  # gold answers (any of them), for a rough correctness count
    abstain: bool = False


@dataclass
class Outcome:
    kind: str
    outcome: str  # answered | refused_bad_input | busy | failed
    seconds: float
    method: str | None = None
    correct: bool | None = None
    error: str | None = None


# ------------------------------------------------------------------------------------------ server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_index(tmp: Path, index_dir: Path | None) -> dict[str, str]:
    """The server's environment: a verified index (built in `tmp` unless --index-dir is given)."""
    if index_dir is None:
        corpus = bl.snapshot_corpus(tmp / "corpus")
        index_dir = tmp / "index"
        env = bl.child_env(ASSISTANT_INDEX_DIR=str(index_dir), ASSISTANT_CORPUS_DIR=str(corpus))
    else:
        env = bl.child_env(ASSISTANT_INDEX_DIR=str(index_dir.resolve()))
    env["ASSISTANT_DATA_DIR"] = str(tmp / "data")
    bl.log(f"load_web: index in {index_dir} (building it if missing or stale)...")
    res = bl.run_child([str(bl.PYTHON), "-m", "assistant.cli", "index"], env, timeout=900)
    if res.returncode != 0:
        raise RuntimeError(f"assistant index failed:\n{res.stderr[-3000:]}")
    env["ASSISTANT_AUTO_REBUILD"] = "false"
    return env


def start_server(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen[bytes]:
    cmd = [str(bl.PYTHON), "-m", "assistant.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as fh:
        return subprocess.Popen(
            cmd, cwd=bl.REPO, env=env, stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stopping it reaches anything it started
        )  # fmt: skip


def wait_ready(url: str, proc: subprocess.Popen[bytes], log_path: Path, timeout: float = 300) -> float:
    import httpx

    t0 = time.monotonic()
    with httpx.Client(trust_env=False, timeout=5) as h:
        while time.monotonic() - t0 < timeout:
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited ({proc.returncode}):\n{log_path.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if h.get(url + "/config").status_code == 200:
                    return time.monotonic() - t0
            time.sleep(0.25)
    raise RuntimeError(f"the server did not answer within {timeout:.0f}s")


def stop_server(proc: subprocess.Popen[bytes]) -> int | None:
    """SIGINT to its process group (our child's), then SIGKILL if it lingers; returns its exit code."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)
    return proc.returncode


# ------------------------------------------------------------------------------------------ sampling


class Sampler(threading.Thread):
    """RSS (server and its children), threads and open files of the server every SAMPLE_EVERY_S."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True, name="rss-sampler")
        import psutil

        self.proc = psutil.Process(pid)
        self.samples: list[dict[str, float]] = []
        self.t0 = time.monotonic()
        self._stop_event = threading.Event()

    def sample(self) -> dict[str, float] | None:
        import psutil

        try:
            procs = [self.proc, *self.proc.children(recursive=True)]
            rss = sum(p.memory_info().rss for p in procs) / 2**20
            row = {
                "t_s": round(time.monotonic() - self.t0, 2),
                "rss_mb": round(rss, 1),
                "threads": float(self.proc.num_threads()),
                "fds": float(self.proc.num_fds()),
                "cpu_s": round(sum(sum(p.cpu_times()[:2]) for p in procs), 2),
            }
        except psutil.Error:
            return None
        self.samples.append(row)
        return row

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(SAMPLE_EVERY_S)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=10)
        self.sample()  # the end state


def slope_mb_per_min(samples: list[dict[str, float]]) -> float:
    if len(samples) < 3:
        return float("nan")
    xs = [s["t_s"] / 60 for s in samples]
    ys = [s["rss_mb"] for s in samples]
    return statistics.linear_regression(xs, ys).slope


# ------------------------------------------------------------------------------------------ clients


def make_client(url: str) -> Any:
    from gradio_client import Client

    # verbose=False: nothing printed (a redirect of stdout here would race between the client threads).
    return Client(url, verbose=False, analytics_enabled=False, download_files=False, httpx_kwargs={"trust_env": False})


def _gold_item(row: dict[str, Any], kind: str) -> Item:
    history = bl.history_messages(list(row.get("history") or []))
    args: tuple[Any, ...] = (row["question"], history) if history else (row["question"],)
    return Item(kind, args, answers=tuple(row.get("answers") or ()), abstain=bool(row.get("abstain")))


def ask(client: Any, item: Item) -> Outcome:
    """One request through the queue; classifies how it ended."""
    from gradio_client.exceptions import AppError

    t = time.perf_counter()
    try:
        result = client.submit(*item.args, api_name="/ask").result(timeout=REQUEST_TIMEOUT_S)
    except AppError as exc:
        dt = time.perf_counter() - t
        msg = str(exc)
        if item.expect_error and item.expect_error in msg:
            return Outcome(item.kind, "refused_bad_input", dt)
        return Outcome(item.kind, "failed", dt, error=f"AppError: {msg[:200]}")
    except Exception as exc:  # noqa: BLE001 - every other way a request can end is counted, not raised
        dt = time.perf_counter() - t
        text = f"{type(exc).__name__}: {exc}"
        if "queue is full" in text.lower():
            return Outcome(item.kind, "busy", dt, error=text[:200])
        return Outcome(item.kind, "failed", dt, error=text[:200])
    dt = time.perf_counter() - t
    if item.expect_error:
        return Outcome(item.kind, "failed", dt, error="bad input was answered")
    method = "abstained" if result.get("abstained") else str(result.get("method"))
    if item.abstain:
        correct = bool(result.get("abstained"))
    elif item.answers:
        text = str(result.get("answer", "")).lower()
        correct = any(a.lower() in text for a in item.answers)
    else:
        correct = None
    return Outcome(item.kind, "answered", dt, method=method, correct=correct)


def warm_up(url: str) -> tuple[dict[str, list[Item]], dict[str, Any]]:
    """Ask every gold question once; pool them by what the server did with them."""
    pools: dict[str, list[Item]] = defaultdict(list)
    client = make_client(url)
    t0 = time.perf_counter()
    methods: Counter[str] = Counter()
    try:
        for row in bl.gold_rows():
            kind = "followup" if row.get("history") else "question"
            item = _gold_item(row, kind)
            out = ask(client, item)
            if out.outcome != "answered":
                continue
            methods[out.method or "?"] += 1
            if kind == "followup":
                pools["followup"].append(item)
            elif out.method == "abstained" and item.abstain:
                pools["out_of_corpus"].append(Item("out_of_corpus", item.args, abstain=True))
            elif out.method in ("facts", "extractive") and not item.abstain:
                pools[out.method].append(Item(out.method, item.args, answers=item.answers))
    finally:
        client.close()
    pools["bad_input"] = [Item("bad_input", args, expect_error=msg) for args, msg in BAD_INPUTS]
    missing = [k for k in PATTERN if not pools.get(k)]
    if missing:
        raise RuntimeError(f"the warm-up found no questions for {missing}")
    info = {
        "seconds": time.perf_counter() - t0,
        "methods": dict(methods),
        "pool_sizes": {k: len(v) for k, v in pools.items()},
    }
    return dict(pools), info


def run_clients(url: str, pools: dict[str, list[Item]], n: int, seconds: float) -> tuple[list[Outcome], dict[str, Any]]:
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    setup_errors: list[str] = []
    ready = threading.Barrier(n + 1)
    stop_at: list[float] = []

    def worker(i: int) -> None:
        client = None
        try:
            client = make_client(url)
        except Exception as exc:  # noqa: BLE001
            setup_errors.append(f"{type(exc).__name__}: {exc}"[:200])
        try:
            ready.wait(timeout=120)
        except threading.BrokenBarrierError:
            return
        if client is None:
            return
        kinds = itertools.cycle(PATTERN[i % len(PATTERN) :] + PATTERN[: i % len(PATTERN)])
        counters: Counter[str] = Counter()
        try:
            while time.monotonic() < stop_at[0]:
                kind = next(kinds)
                pool = pools[kind]
                item = pool[(i * 7 + counters[kind]) % len(pool)]  # each client its own walk through a pool
                counters[kind] += 1
                out = ask(client, item)
                with lock:
                    outcomes.append(out)
        finally:
            with contextlib.suppress(Exception):
                client.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True, name=f"client-{i}") for i in range(n)]
    for t in threads:
        t.start()
    stop_at.append(float("inf"))
    ready.wait(timeout=180)  # every session connected: the clock starts now
    t0 = time.monotonic()
    stop_at[0] = t0 + seconds
    for t in threads:
        t.join(timeout=max(0.0, stop_at[0] - time.monotonic()) + REQUEST_TIMEOUT_S + 10)
    wall = time.monotonic() - t0
    with lock:
        done = list(outcomes)
    info = {
        "wall_s": wall,
        "clients_connected": n - len(setup_errors),
        "setup_errors": setup_errors[:5],
        "threads_still_running": sum(t.is_alive() for t in threads),
    }
    return done, info


# ------------------------------------------------------------------------------------------ report


def latency(outs: list[Outcome]) -> dict[str, float]:
    ms = [o.seconds * 1000 for o in outs]
    return {
        "n": len(ms),
        "p50_ms": bl.pct(ms, 0.50),
        "p95_ms": bl.pct(ms, 0.95),
        "p99_ms": bl.pct(ms, 0.99),
        "max_ms": max(ms) if ms else float("nan"),
    }


def summarise(outcomes: list[Outcome], wall_s: float) -> dict[str, Any]:
    counts = Counter(o.outcome for o in outcomes)
    completed = [o for o in outcomes if o.outcome in ("answered", "refused_bad_input")]
    by_kind: dict[str, Any] = {}
    for kind in dict.fromkeys(PATTERN):
        ks = [o for o in outcomes if o.kind == kind]
        graded = [o for o in ks if o.correct is not None]
        by_kind[kind] = {
            "requests": len(ks),
            "outcomes": dict(Counter(o.outcome for o in ks)),
            "methods": dict(Counter(o.method for o in ks if o.method)),
            "correct": sum(bool(o.correct) for o in graded),
            "graded": len(graded),
            "latency": latency([o for o in ks if o.outcome in ("answered", "refused_bad_input")]),
        }
    return {
        "requests": len(outcomes),
        "answered": counts["answered"],
        "refused_bad_input": counts["refused_bad_input"],
        "rejected_busy": counts["busy"],
        "failed": counts["failed"],
        "throughput_rps": len(completed) / wall_s if wall_s else float("nan"),
        "latency": latency(completed),
        "busy_latency": latency([o for o in outcomes if o.outcome == "busy"]),
        "by_kind": by_kind,
        "failure_examples": [f"{o.kind}: {o.error}" for o in outcomes if o.outcome == "failed"][:10],
    }


def memory_summary(samples: list[dict[str, float]], t_load0: float, t_load1: float) -> dict[str, Any]:
    during = [s for s in samples if t_load0 - SAMPLE_EVERY_S <= s["t_s"] <= t_load1 + SAMPLE_EVERY_S]
    half = [s for s in during if s["t_s"] >= (t_load0 + t_load1) / 2]
    rss = [s["rss_mb"] for s in during] or [float("nan")]
    return {
        "rss_after_start_mb": samples[0]["rss_mb"] if samples else None,
        "rss_load_start_mb": rss[0],
        "rss_peak_mb": max(rss),
        "rss_load_end_mb": rss[-1],
        "rss_after_load_mb": samples[-1]["rss_mb"] if samples else None,
        "rss_slope_mb_per_min": slope_mb_per_min(during),
        "rss_slope_second_half_mb_per_min": slope_mb_per_min(half),
        "threads_start_end": [during[0]["threads"], during[-1]["threads"]] if during else None,
        "fds_start_end": [during[0]["fds"], during[-1]["fds"]] if during else None,
        "server_cpu_s_during_load": (during[-1]["cpu_s"] - during[0]["cpu_s"]) if len(during) > 1 else None,
        "samples": samples,
    }


def markdown(report: dict[str, Any]) -> str:
    s, m, st = report["load"], report["memory"], report["settings"]
    lat = s["latency"]
    head = (
        f"### Web load: {st['clients']} concurrent gradio_client sessions for {st['seconds']:.0f} s "
        f"(queue: {st['concurrency']} workers, {st['max_queue']} places)\n\n"
    )
    overall = bl.md_table(
        ["requests", "answered", "bad input refused", "rejected busy", "failed", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms"],
        [[s["requests"], s["answered"], s["refused_bad_input"], s["rejected_busy"], s["failed"],
          bl.fmt(s["throughput_rps"]), bl.fmt(lat["p50_ms"], ".0f"), bl.fmt(lat["p95_ms"], ".0f"),
          bl.fmt(lat["p99_ms"], ".0f"), bl.fmt(lat["max_ms"], ".0f")]],
    )  # fmt: skip
    rows = []
    for kind, k in s["by_kind"].items():
        methods = ", ".join(f"{a} {b}" for a, b in sorted(k["methods"].items())) or "–"
        outcomes = ", ".join(f"{a} {b}" for a, b in sorted(k["outcomes"].items()))
        correct = f"{k['correct']}/{k['graded']}" if k["graded"] else "–"
        kl = k["latency"]
        rows.append([kind, k["requests"], outcomes, methods, correct, bl.fmt(kl["p50_ms"], ".0f"),
                     bl.fmt(kl["p95_ms"], ".0f"), bl.fmt(kl["p99_ms"], ".0f")])  # fmt: skip
    kinds = bl.md_table(
        ["kind", "requests", "outcomes", "answered by", "gold match", "p50 ms", "p95 ms", "p99 ms"], rows, "llllrrrr"
    )
    mem = bl.md_table(
        ["server RSS", "after start", "load start", "peak", "load end", "slope MB/min", "slope, 2nd half", "threads", "open files"],
        [["MB", bl.fmt(m["rss_after_start_mb"]), bl.fmt(m["rss_load_start_mb"]), bl.fmt(m["rss_peak_mb"]),
          bl.fmt(m["rss_load_end_mb"]), bl.fmt(m["rss_slope_mb_per_min"], "+.2f"),
          bl.fmt(m["rss_slope_second_half_mb_per_min"], "+.2f"),
          " → ".join(str(int(x)) for x in m["threads_start_end"] or []),
          " → ".join(str(int(x)) for x in m["fds_start_end"] or [])]],
    )  # fmt: skip
    notes = (
        f"\nServer log: {report['server']['tracebacks_during_run']} traceback(s) during the run, "
        f"{report['server']['tracebacks_at_shutdown']} at shutdown; exit code {report['server']['exit_code']} after SIGINT. "
        f"CPU during the load: server {bl.fmt(m['server_cpu_s_during_load'])} s, "
        f"load generator {bl.fmt(report['run'].get('load_generator_cpu_s'))} s "
        f"over {report['run']['wall_s']:.0f} s of wall time. "
        f"Latency is per request from the client (submit to result), bad-input refusals included.\n\n"
        + bl.machine_line(report["machine"])
    )
    return head + overall + "\n\n" + kinds + "\n\n" + mem + "\n" + notes


# ------------------------------------------------------------------------------------------ main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=32, help="concurrent gradio_client sessions (default 32)")
    ap.add_argument("--seconds", type=float, default=60.0, help="how long the clients ask (default 60)")
    ap.add_argument(
        "--index-dir", type=Path, default=None, help="reuse this index (default: build one in a temp folder)"
    )
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    bl.offline()
    from assistant.web import CONCURRENCY, MAX_QUEUE

    # Whatever happens, this script ends: warm-up, load, and shutdown have a generous total budget.
    budget = 900 + args.seconds + REQUEST_TIMEOUT_S + 240
    proc_holder: list[subprocess.Popen[bytes]] = []

    def watchdog() -> None:
        bl.log(f"load_web: watchdog: still running after {budget:.0f}s; stopping")
        for p in proc_holder:
            stop_server(p)
        os._exit(3)

    timer = threading.Timer(budget, watchdog)
    timer.daemon = True
    timer.start()

    report = bl.new_report(
        "load_web",
        {"clients": args.clients, "seconds": args.seconds, "pattern": list(PATTERN), "concurrency": CONCURRENCY,
         "max_queue": MAX_QUEUE, "request_timeout_s": REQUEST_TIMEOUT_S, "sample_every_s": SAMPLE_EVERY_S},
    )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bench-load-web-") as tmp_name:
        tmp = Path(tmp_name)
        env = prepare_index(tmp, args.index_dir)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        log_path = tmp / "serve.log"
        proc = start_server(env, port, log_path)
        proc_holder.append(proc)
        sampler: Sampler | None = None
        try:
            ready_s = wait_ready(url, proc, log_path)
            bl.log(f"load_web: server on {url} answered after {ready_s:.1f}s; warming up")
            sampler = Sampler(proc.pid)
            sampler.start()
            pools, warm = warm_up(url)
            bl.log(f"load_web: pools {warm['pool_sizes']}; {args.clients} clients for {args.seconds:.0f}s")
            t_load0 = time.monotonic() - sampler.t0
            sampler.sample()
            cpu0 = resource.getrusage(resource.RUSAGE_SELF)
            outcomes, run_info = run_clients(url, pools, args.clients, args.seconds)
            cpu1 = resource.getrusage(resource.RUSAGE_SELF)
            run_info["load_generator_cpu_s"] = cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime
            t_load1 = time.monotonic() - sampler.t0
            sampler.sample()
            time.sleep(SAMPLE_EVERY_S)  # one quiet sample after the load
            log_before_stop = log_path.read_text(errors="replace")
        finally:
            if sampler is not None:
                sampler.stop()
            exit_code = stop_server(proc)
        log_text = log_path.read_text(errors="replace")
    timer.cancel()
    report["server"] = {
        "url": url,
        "ready_s": ready_s,
        "exit_code": exit_code,
        "tracebacks_during_run": log_before_stop.count("Traceback"),
        # uvicorn cancels the clients' still-open event streams after its graceful-shutdown timeout.
        "tracebacks_at_shutdown": log_text.count("Traceback") - log_before_stop.count("Traceback"),
        "log_tail": log_text[-2000:],
    }
    report["warm_up"] = warm
    report["run"] = run_info
    report["load"] = summarise(outcomes, run_info["wall_s"])
    report["memory"] = memory_summary(sampler.samples if sampler else [], t_load0, t_load1)
    bl.write_report(report, args.out)
    print(markdown(report))


if __name__ == "__main__":
    main()
