"""Kill-mid-build benchmark: SIGKILL `assistant index --rebuild` at random moments; is the index still usable?

Run from the repository root:  .venv/bin/python bench/bench_kill.py  [--runs 10] [--seed 42]

With the real model, in a temporary index folder (ASSISTANT_INDEX_DIR; never the repository's index/):
  1. build a good index (`assistant index`), then time one full `assistant index --rebuild` (duration D);
  2. --runs times: start `assistant -v index --rebuild`, SIGKILL its process group after a seeded random
     delay in [0, D], then, in a fresh process, load `Assistant(Settings(index_dir=tmp, auto_rebuild=False))`
     and ask "Who developed Keras?": usable = it loads and the answer names Chollet;
  3. note what each kill left behind (the build `current` points to, half-written .tmp- folders, stray
     symlinks) and the last log line the killed process printed (how far it got);
  4. at the end, one uninterrupted `assistant index` (no --rebuild) must find the index current, and a
     final `--rebuild` must clean up the leftovers.
Prints Markdown and writes bench/results/kill.json. Not a test: it counts, it does not assert.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as bl

OUT = bl.RESULTS / "kill.json"

CHECK = r"""
import json, sys
from pathlib import Path
from assistant.engine import Assistant
from assistant.settings import Settings
d = Path(sys.argv[1])
try:
    eng = Assistant(Settings(index_dir=d, data_dir=d / "data", auto_rebuild=False), progress=False)
    a = eng.ask(sys.argv[2])
    print(json.dumps({"loaded": True, "answer": a.answer, "abstained": a.abstained,
                      "build": eng.index.path.name, "encoder": getattr(eng.encoder, "kind", "?")}))
except Exception as exc:  # any failure is the finding
    print(json.dumps({"loaded": False, "error": f"{type(exc).__name__}: {exc}"[:600]}))
"""


def _state(index_dir: Path) -> dict[str, Any]:
    builds = index_dir / "builds"
    cur = index_dir / "current"
    entries = sorted(p.name for p in builds.iterdir()) if builds.is_dir() else []
    return {
        "current": cur.resolve().name if cur.exists() else None,
        "current_dangling": cur.is_symlink() and not cur.exists(),
        "builds": [e for e in entries if e.startswith("build-")],
        "tmp_builds": [e for e in entries if e.startswith(".tmp-")],
        "stray_links": sorted(p.name for p in index_dir.glob(".current.*")),
        "disk_mb": sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6,
    }


def _check(index_dir: Path, env: dict[str, str]) -> dict[str, Any]:
    r = bl.run_child([str(bl.PYTHON), "-c", CHECK, str(index_dir), bl.KERAS_Q], env, timeout=300)
    try:
        res = bl.last_json(r.stdout)
    except (RuntimeError, ValueError):
        res = {"loaded": False, "error": f"checker crashed ({r.returncode}): {r.stderr[-600:]}"}
    res["usable"] = bool(res.get("loaded")) and bl.KERAS_A in str(res.get("answer", ""))
    # "stale" is not damage: another engineer changed the package (e.g. the chunker version) mid-run.
    res["stale_not_damaged"] = not res.get("loaded") and "is stale" in str(res.get("error", ""))
    res["check_s"] = r.wall_s
    return res


def _has_tmp(index_dir: Path, ignore: frozenset[str] = frozenset()) -> bool:
    """Whether a half-written build folder exists (other than those in `ignore`, left by earlier kills)."""
    builds = index_dir / "builds"
    try:
        return any(p.name.startswith(".tmp-") and p.name not in ignore for p in builds.iterdir())
    except OSError:
        return False


def _write_window(cli: str, env: dict[str, str], index_dir: Path) -> tuple[Any, float | None, float | None]:
    """One uninterrupted rebuild, watching when its .tmp- folder appears and when it is renamed away."""
    seen: dict[str, float] = {}
    stop = threading.Event()
    t0 = time.perf_counter()

    def watch() -> None:
        while not stop.is_set():
            tmp = _has_tmp(index_dir)
            now = time.perf_counter() - t0
            if tmp and "appeared" not in seen:
                seen["appeared"] = now
            if not tmp and "appeared" in seen and "gone" not in seen:
                seen["gone"] = now
            time.sleep(0.002)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    full = bl.run_child([cli, "-v", "index", "--rebuild"], env, timeout=900)
    stop.set()
    watcher.join()
    return full, seen.get("appeared"), seen.get("gone")


def _kill_once(cli: str, env: dict[str, str], index_dir: Path, duration: float, **kill: Any) -> dict[str, Any]:
    before = _state(index_dir)
    r = bl.run_child([cli, "-v", "index", "--rebuild"], env, timeout=900, **kill)
    after = _state(index_dir)
    last_log = next((line.strip() for _, line in reversed(r.stderr_lines) if line.strip()), "")
    chk = _check(index_dir, env)
    at = r.killed_at_s if r.killed_at_s is not None else r.wall_s
    return {
        "delay_s": at,
        "fraction_of_build": at / duration,
        "killed": r.killed,
        "returncode": r.returncode,
        "last_log_line": last_log[-200:],
        "switched_to_new_build": after["current"] != before["current"],
        "state_after": after,
        **{f"check_{k}": v for k, v in chk.items()},
    }


def run(runs: int, seed: int, window_runs: int) -> dict[str, Any]:
    report = bl.new_report(
        "kill",
        {"runs": runs, "write_window_runs": window_runs, "seed": seed, "question": bl.KERAS_Q, "expected": bl.KERAS_A},
    )
    with tempfile.TemporaryDirectory(prefix="bench-kill-") as tmp_name:
        index_dir = Path(tmp_name) / "index"
        # A private copy of the corpus: an edit to corpus/ during the run would make the index stale.
        corpus = bl.snapshot_corpus(Path(tmp_name) / "corpus")
        env = bl.child_env(
            ASSISTANT_INDEX_DIR=str(index_dir),
            ASSISTANT_DATA_DIR=str(index_dir / "data"),
            ASSISTANT_CORPUS_DIR=str(corpus),
        )
        cli = str(bl.ASSISTANT_CLI)
        bl.log("[kill] building a good index ...")
        first = bl.run_child([cli, "index"], env, timeout=900)
        if first.returncode != 0:
            raise RuntimeError(f"assistant index failed:\n{first.stderr[-3000:]}")
        bl.log("[kill] timing one uninterrupted rebuild ...")
        full, appeared, gone = _write_window(cli, env, index_dir)
        if full.returncode != 0:
            raise RuntimeError(f"assistant index --rebuild failed:\n{full.stderr[-3000:]}")
        duration = full.wall_s
        window = (gone - appeared) if appeared is not None and gone is not None else None
        report["build"] = {
            "first_build_s": first.wall_s,
            "rebuild_s": duration,
            "rebuild_peak_rss_mb": full.peak_rss_mb,
            "tmp_folder_appeared_s": appeared,
            "tmp_folder_renamed_s": gone,
            "write_window_s": window,
            "rebuild_log": [(round(t, 2), line.strip()) for t, line in full.stderr_lines if line.strip()][-12:],
        }
        report["baseline_check"] = _check(index_dir, env)
        rng = random.Random(seed)
        delays = sorted(rng.uniform(0, duration) for _ in range(runs))
        results = []
        for i, delay in enumerate(delays):
            row = _kill_once(cli, env, index_dir, duration, kill_after=delay)
            results.append(row)
            bl.log(
                f"[kill] {i + 1}/{runs}: killed at {delay:.2f}s ({delay / duration:.0%}) -> "
                f"{'usable' if row['check_usable'] else 'UNUSABLE'}; tmp left: {len(row['state_after']['tmp_builds'])}"
            )
        report["kills"] = results
        # Random moments rarely land while the new build is being written (a short part of the whole):
        # these kills wait for the .tmp- folder to appear, then a seeded delay within the write window.
        targeted = []
        if window_runs and window:
            for i in range(window_runs):
                extra = rng.uniform(0, window)
                old = frozenset(_state(index_dir)["tmp_builds"])  # left by an earlier kill: not this build's
                row = _kill_once(
                    cli, env, index_dir, duration, kill_when=lambda old=old: _has_tmp(index_dir, old), kill_delay=extra
                )
                row["after_tmp_appeared_s"] = extra
                targeted.append(row)
                bl.log(
                    f"[kill] write window {i + 1}/{window_runs}: {extra:.2f}s after the .tmp- folder appeared -> "
                    f"{'usable' if row['check_usable'] else 'UNUSABLE'}; tmp left: {len(row['state_after']['tmp_builds'])}"
                )
        report["write_window_kills"] = targeted
        verify = bl.run_child([cli, "index"], env, timeout=900)
        report["after_verify"] = {
            "returncode": verify.returncode,
            "stdout": verify.stdout.strip().splitlines()[:1],
            "state": _state(index_dir),
        }
        final = bl.run_child([cli, "index", "--rebuild"], env, timeout=900)
        report["after_rebuild"] = {"returncode": final.returncode, "state": _state(index_dir)}
    every = results + targeted
    usable = sum(r["check_usable"] for r in every)
    report["summary"] = {
        "runs": len(every),
        "random_runs": len(results),
        "write_window_runs": len(targeted),
        "usable": usable,
        "unusable": len(every) - usable,
        "of_which_stale_not_damaged": sum(bool(r.get("check_stale_not_damaged")) for r in every),
        "killed_before_exit": sum(r["killed"] for r in every),
        "switched": sum(r["switched_to_new_build"] for r in every),
        "max_tmp_left": max((len(r["state_after"]["tmp_builds"]) for r in every), default=0),
    }
    return report


def markdown(r: dict[str, Any]) -> str:
    f = bl.fmt
    s = r["summary"]
    b = r["build"]
    rows = []
    every = [("random", k) for k in r["kills"]] + [("write window", k) for k in r.get("write_window_kills", [])]
    for i, (how, k) in enumerate(every, 1):
        when = f(k["delay_s"], ".2f")
        if how == "write window":
            when += f" (.tmp +{k['after_tmp_appeared_s']:.2f})"
        rows.append(
            (
                i,
                how,
                when,
                f"{k['fraction_of_build']:.0%}",
                "yes" if k["killed"] else "exited first",
                (k["last_log_line"] or "(nothing yet)")[:70].replace("|", "/"),
                "new" if k["switched_to_new_build"] else "old",
                len(k["state_after"]["tmp_builds"]),
                "usable"
                if k["check_usable"]
                else f"**UNUSABLE**: {k.get('check_error', k.get('check_answer', ''))[:80]}",
            )
        )
    av, ar = r["after_verify"], r["after_rebuild"]
    n_stale = s.get("of_which_stale_not_damaged")
    stale = f", of which {n_stale} only stale because the package changed mid-run" if n_stale else ""
    window = b.get("write_window_s")
    window_note = (
        f" The new build's .tmp- folder existed from {b['tmp_folder_appeared_s']:.2f} s to "
        f"{b['tmp_folder_renamed_s']:.2f} s of the uninterrupted rebuild ({window:.2f} s: writing the files and "
        f"exporting the ONNX encoder); the write-window kills aim inside it."
        if window
        else ""
    )
    return "\n".join(
        [
            f"### Kill mid-build (SIGKILL of `assistant index --rebuild`; {s.get('random_runs', s['runs'])} seeded "
            f"random delays in [0, {b['rebuild_s']:.1f} s] + {s.get('write_window_runs', 0)} in the write window; "
            "real model)",
            "",
            bl.md_table(
                [
                    "#",
                    "kind",
                    "killed at (s)",
                    "of build",
                    "killed",
                    "last log line before the kill",
                    "current",
                    ".tmp left",
                    "then",
                ],
                rows,
                "rlrrllllr",
            ),
            "",
            f"**{s['usable']}/{s['runs']} usable** after a kill ({s['unusable']} unusable{stale}); "
            f"{s['switched']} kills came after the switch to the new build. "
            f"Half-written .tmp- folders left behind: up to {s['max_tmp_left']} "
            f"(after a later `assistant index`: {len(av['state']['tmp_builds'])}; "
            f"after a later `--rebuild`: {len(ar['state']['tmp_builds'])}). "
            f"`assistant index` afterwards: {(av['stdout'] or ['?'])[0]}.{window_note}",
        ]
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--write-window", type=int, default=4, help="extra kills while the new build is written")
    ap.add_argument("--quick", action="store_true", help="4 runs, 2 write-window kills")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    runs = 4 if args.quick and args.runs == 10 else args.runs
    window_runs = 2 if args.quick and args.write_window == 4 else args.write_window
    report = run(runs, args.seed, window_runs)
    bl.publish(report, args.out, markdown)


if __name__ == "__main__":
    main()
