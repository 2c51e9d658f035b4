"""Run every benchmark and write bench/results/summary.md (Markdown tables ready for the README).

Run from the repository root:  .venv/bin/python bench/run_all.py  [--quick] [--only index,query] [--skip faiss]

Each benchmark runs as its own process, one after the other (never in parallel: they would measure each
other), and writes its JSON under bench/results/ (under bench/results/quick/ with --quick, so a quick run
never overwrites full results). The summary is then rebuilt from whatever JSON files are there, with the
machine line first; a benchmark that failed or was skipped keeps its previous results, marked with their date.
  encoder  bench_encoder.py  query-encoder cold/warm latency and memory, ONNX fp32/int8 vs sentence-transformers
  index    bench_index.py    build time, model load, embedding throughput, ONNX export, 10,000 passages
  query    bench_query.py    warm ask()/search() per mode and encoder, cold start, web app memory
  kill     bench_kill.py     SIGKILL mid-build: is the index still usable?
  faiss    bench_faiss.py    Flat vs HNSW32 vs IVF at 10k / 100k / 1M synthetic vectors (the slow one: last)
Benchmarks are not tests: nothing here fails on a slow number.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as bl

ORDER = ("encoder", "index", "query", "kill", "faiss")
QUICK_ARGS = {
    "encoder": ["--runs", "2", "--no-int8", "--no-variants"],
    "index": ["--quick"],
    "query": ["--quick"],
    "kill": ["--quick"],
    "faiss": ["--quick"],
}
TITLES = {
    "encoder": "Query encoder",
    "index": "Index build",
    "query": "Queries, cold start and serving memory",
    "kill": "Crash safety of the index build",
    "faiss": "faiss index types at scale",
}


def _module(name: str) -> Any:
    return importlib.import_module(f"bench_{name}")


def _render(name: str, report: dict[str, Any]) -> str:
    mod = _module(name)
    fn = getattr(mod, "markdown", None) or getattr(mod, "_markdown", None)
    return fn(report) if fn else f"(no Markdown renderer for {name})"


def write_summary(results_dir: Path, status: dict[str, str]) -> Path:
    reports = {}
    for name in ORDER:
        path = results_dir / f"{name}.json"
        if path.is_file():
            try:
                reports[name] = json.loads(path.read_text())
            except ValueError:
                status[name] = f"unreadable {path.name}"
    lines = ["# Benchmarks", ""]
    newest = max(reports.values(), key=lambda r: r.get("created", ""), default=None)
    if newest is not None:
        m = dict(newest["machine"])
        if "cpu_model" not in m:  # bench_encoder.py's older machine block
            m = {**bl.machine(), **m}
        loads = [
            x
            for r in reports.values()
            for x in (
                r["machine"].get("loadavg_at_start", [None])[0],
                (r["machine"].get("loadavg_at_end") or [None])[0],
            )
            if x is not None
        ]
        if loads:
            m["loadavg_range"] = (min(loads), max(loads))
        lines += [bl.machine_line(m), ""]
    lines += [
        "Numbers depend on the machine and on what else runs on it (the load average is recorded in each JSON "
        "file); compare numbers from one run. Regenerate with `make bench` (or `.venv/bin/python bench/run_all.py`).",
        "",
    ]
    for name in ORDER:
        if name not in reports:
            lines += [f"## {TITLES[name]}", "", f"_Not run yet ({status.get(name, 'no results')})._", ""]
            continue
        r = reports[name]
        created = r.get("created", "?")
        lines += [f"## {TITLES[name]}", ""]
        note = status.get(name, "")
        if note.startswith(("failed", "unreadable")):
            lines += [f"_This run: {note}; the tables below are from {created}._", ""]
        m = r.get("machine", {})
        la = m.get("loadavg_at_start", [None])[0], (m.get("loadavg_at_end") or [None])[0]
        code = m.get("code", {})
        at = f" at commit {code['commit']}" if code.get("commit") else ""
        if code.get("uncommitted_in_package"):
            at += " (+ uncommitted edits)"
        lines += [
            f"_Measured {created}{at}; 1-min load average {bl.fmt(la[0], '.1f')} → {bl.fmt(la[1], '.1f')}._",
            "",
        ]
        try:
            body = _render(name, r)
        except Exception as exc:  # noqa: BLE001 - an old JSON layout must not lose the other tables
            body = f"(could not render {name}.json: {type(exc).__name__}: {exc})"
        # Each renderer starts its tables at "###": keep them under this "##" heading.
        lines += [body, ""]
    out = results_dir / "summary.md"
    out.write_text("\n".join(lines).rstrip() + "\n")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smaller sizes and fewer runs; results under results/quick/")
    ap.add_argument("--only", default="", help="comma-separated subset of " + ",".join(ORDER))
    ap.add_argument("--skip", default="", help="comma-separated benchmarks not to run")
    ap.add_argument("--summary-only", action="store_true", help="rebuild summary.md from the JSON files present")
    args = ap.parse_args()
    results_dir = bl.RESULTS / "quick" if args.quick else bl.RESULTS
    chosen = [n for n in ORDER if (not args.only or n in args.only.split(",")) and n not in args.skip.split(",")]
    status: dict[str, str] = {n: "not run this time" for n in ORDER}
    if not args.summary_only:
        for name in chosen:
            script = Path(__file__).resolve().parent / f"bench_{name}.py"
            extra = (QUICK_ARGS[name] if args.quick else []) + ["--out", str(results_dir / f"{name}.json")]
            bl.log(f"\n===== {name}: {script.name} {' '.join(extra)}")
            t = time.perf_counter()
            res = bl.run_child([str(bl.PYTHON), str(script), *extra], bl.child_env(), pass_stderr=True)
            took = time.perf_counter() - t
            if res.returncode == 0:
                status[name] = "ok"
                print(res.stdout, flush=True)
            else:
                status[name] = f"failed with exit code {res.returncode}"
                print(res.stdout, flush=True)
            bl.log(f"===== {name}: {status[name]} in {took:.0f}s")
    out = write_summary(results_dir, status)
    bl.log(f"\nwritten: {out.relative_to(bl.REPO)}")
    for name in chosen:
        bl.log(f"  {name}: {status[name]}")


if __name__ == "__main__":
    main()
