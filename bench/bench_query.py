"""Query benchmark: warm ask()/search() latency per mode and query encoder, cold start, serving memory.

Run from the repository root:  .venv/bin/python bench/bench_query.py  [--questions 100] [--cold-runs 5] [--quick]

One index is built first (`assistant index`, into a temporary folder; never the repository's index/). Then:
  warm    in fresh processes, one per query encoder (onnx, torch), interleaved over --rounds: for each
          retrieval mode (dense, bm25, hybrid) a new Assistant answers 100 DISTINCT questions one at a time
          (the gold questions of corpus/qa.jsonl with their history, then lead-in variants; the warm-up
          questions are different ones), and another new Assistant runs search() on them. Then, in the ONNX
          process, sentence-transformers merely encodes the same 100 questions one at a time
          (model.encode): the ratio of that to the whole ONNX answer is reported. A repeat check re-asks
          20 questions to reveal any cache.
  cold    `assistant ask "Who developed Keras?"` in a fresh process, timed to its first printed line,
          median of --cold-runs (after one discarded run that fills the hash caches), default settings
          (ONNX path) and ASSISTANT_QUERY_ENCODER=torch, interleaved; peak RSS from wait4.
  where   where a cold start goes: `python -X importtime` of the same command (grouped by top-level
          package) and a per-phase timing of Assistant.__init__ (wrapped functions, in a fresh process).
  serve   `python app.py` with ASSISTANT_INDEX_DIR (and ASSISTANT_PORT) set: time until it answers one
          gradio_client /ask call, its RSS then and its peak, and after 20 more calls, per encoder.
Prints Markdown and writes bench/results/query.json. Not a test: numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as bl

OUT = bl.RESULTS / "query.json"
MODES = ("dense", "bm25", "hybrid")
ENCODERS = ("onnx", "torch")
WARMUP = 5
REPEATS = 20


# ------------------------------------------------------------------------------------------ children


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def child_warm(encoder: str, index_dir: Path, corpus_dir: Path, n: int) -> dict[str, Any]:
    bl.offline()
    from assistant.engine import Assistant
    from assistant.settings import Settings

    questions = bl.distinct_questions(n)
    warm = bl.distinct_questions(WARMUP * 4, offset=n)  # never measured
    settings = Settings(
        corpus_dir=corpus_dir,
        index_dir=index_dir,
        data_dir=index_dir / "data",
        query_encoder=encoder,
    )  # auto_rebuild stays on: if the package changed under us, construction (untimed) rebuilds the index
    shared_embedder = None
    if encoder == "torch":  # one model for the three Assistants (loading it is not what is measured here)
        from assistant.embedding import SentenceTransformerEmbedder

        shared_embedder = SentenceTransformerEmbedder(
            settings.resolved_model_path(), settings.expected_model_sha256(), settings.threads
        )
    out: dict[str, Any] = {"encoder": encoder, "loadavg_start": _load(), "ask": {}, "search": {}, "answers_ok": {}}

    def engine() -> Any:
        a = Assistant(settings, embedder=shared_embedder, progress=False)
        kind = getattr(a.encoder, "kind", "?")
        if kind != encoder:
            raise RuntimeError(f"asked for the {encoder} query encoder, got {kind}")
        return a

    last = None
    for mode in MODES:
        eng = engine()
        for w in warm[:WARMUP]:
            eng.ask(w["question"], bl.history_messages(w["history"]), mode=mode)
        lat = []
        for q in questions:
            h = bl.history_messages(q["history"])
            t = time.perf_counter()
            eng.ask(q["question"], h, mode=mode)
            lat.append(time.perf_counter() - t)
        out["ask"][mode] = lat
        a = eng.ask(bl.KERAS_Q, mode=mode)
        out["answers_ok"][mode] = bl.KERAS_A in a.answer
        last = (eng, mode)

        eng = engine()  # a fresh engine for search(), so nothing computed for ask() can serve it
        for w in warm[WARMUP : 2 * WARMUP]:
            eng.search(w["question"], mode=mode)
        lat = []
        for q in questions:
            t = time.perf_counter()
            eng.search(q["question"], mode=mode)
            lat.append(time.perf_counter() - t)
        out["search"][mode] = lat

    # Repeat check: the same questions again on the last ask() engine. Much faster -> something caches.
    assert last is not None
    eng, mode = last
    again = []
    for q in questions[:REPEATS]:
        h = bl.history_messages(q["history"])
        t = time.perf_counter()
        eng.ask(q["question"], h, mode=mode)
        again.append(time.perf_counter() - t)
    out["repeat"] = {"mode": mode, "first": out["ask"][mode][:REPEATS], "again": again}
    out["rss_mb"] = bl.rss_mb()
    out["peak_rss_mb"] = bl.peak_rss_mb()
    out["torch_imported_by_product"] = "torch" in sys.modules

    if encoder == "onnx":
        # In the same process, right after: sentence-transformers merely encoding the same questions.
        t = time.perf_counter()
        from assistant.embedding import SentenceTransformerEmbedder

        emb = SentenceTransformerEmbedder(
            settings.resolved_model_path(), settings.expected_model_sha256(), settings.threads
        )
        out["st_load_s"] = time.perf_counter() - t
        model = emb.model

        def timed_encodes(warmup: list) -> list[float]:
            """Warm up on other questions, then time encoding each benchmark question alone."""
            for w in warmup:
                model.encode(w["question"], normalize_embeddings=True, convert_to_numpy=True)
            lat = []
            for q in questions:
                t = time.perf_counter()
                model.encode(q["question"], normalize_embeddings=True, convert_to_numpy=True)
                lat.append(time.perf_counter() - t)
            return lat

        out["st_encode"] = timed_encodes(warm[2 * WARMUP : 3 * WARMUP])
        # The same with 1 thread: on a busy 2-core machine torch's OpenMP threads spin against each other.
        import torch

        torch.set_num_threads(1)
        out["st_encode_1thread"] = timed_encodes(warm[3 * WARMUP : 4 * WARMUP])
    out["loadavg_end"] = _load()
    return out


def child_st(n: int) -> dict[str, Any]:
    """sentence-transformers alone encoding the questions (run with OMP_WAIT_POLICY=PASSIVE by the parent)."""
    bl.offline()
    from assistant.embedding import SentenceTransformerEmbedder
    from assistant.settings import Settings

    questions = bl.distinct_questions(n)
    warm = bl.distinct_questions(WARMUP, offset=n)
    settings = Settings()
    emb = SentenceTransformerEmbedder(
        settings.resolved_model_path(), settings.expected_model_sha256(), settings.threads
    )
    for w in warm:
        emb.model.encode(w["question"], normalize_embeddings=True, convert_to_numpy=True)
    lat = []
    for q in questions:
        t = time.perf_counter()
        emb.model.encode(q["question"], normalize_embeddings=True, convert_to_numpy=True)
        lat.append(time.perf_counter() - t)
    return {"st_encode": lat, "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY"), "loadavg_end": _load()}


def child_breakdown(encoder: str, index_dir: Path, corpus_dir: Path) -> dict[str, Any]:
    """Where a cold start goes, inside the process: imports, then each phase of Assistant.__init__."""
    t_start = time.perf_counter()
    bl.offline()
    if encoder == "torch":
        os.environ["ASSISTANT_QUERY_ENCODER"] = "torch"
    os.environ["ASSISTANT_INDEX_DIR"] = str(index_dir)
    os.environ["ASSISTANT_CORPUS_DIR"] = str(corpus_dir)
    os.environ["ASSISTANT_DATA_DIR"] = str(index_dir / "data")
    steps: dict[str, float] = {}
    t = time.perf_counter()
    import assistant.cli  # noqa: F401  (what `assistant ask` imports first: click, settings, pydantic)

    steps["import assistant.cli"] = time.perf_counter() - t
    t = time.perf_counter()
    import assistant.engine as engine

    steps["import assistant.engine (answer, retrieval, index, numpy, ...)"] = time.perf_counter() - t
    import assistant.index as index
    from assistant.settings import Settings

    phases: dict[str, list[float]] = {}
    for owner, name in (
        (engine, "load_corpus"),
        (engine.Assistant, "_model_sha"),
        (engine, "open_index"),
        (index, "read_manifest"),
        (index, "verify_artefacts"),
        (index, "_load_jsonl"),
        (engine, "Retriever"),
        (engine, "Answerer"),
        (engine.Assistant, "_query_encoder"),
        (engine, "open_onnx_encoder"),
        (engine, "load_onnx_encoder"),
        (engine.Assistant, "embedder"),
    ):
        bl.wrap_timer(owner, name, phases)
    t = time.perf_counter()
    settings = Settings()
    steps["Settings()"] = time.perf_counter() - t
    t = time.perf_counter()
    eng = engine.Assistant(settings, progress=False)
    init_s = time.perf_counter() - t
    t = time.perf_counter()
    a = eng.ask(bl.KERAS_Q)
    first_ask_s = time.perf_counter() - t
    t = time.perf_counter()
    eng.ask("Which company open-sourced TensorFlow?")
    second_ask_s = time.perf_counter() - t
    ph = {k: sum(v) for k, v in phases.items()}
    return {
        "encoder": getattr(eng.encoder, "kind", "?"),
        "imports_s": steps,
        "assistant_init_s": init_s,
        "init_phases_s": {
            "load_corpus (incl. facts.yaml)": ph.get("load_corpus"),
            "model sha256 (cached digest)": ph.get("_model_sha"),
            "open_index (total)": ph.get("open_index"),
            "  read_manifest": ph.get("read_manifest"),
            "  verify_artefacts (sha256)": ph.get("verify_artefacts"),
            "  parse passages/facts jsonl": ph.get("_load_jsonl"),
            "Retriever (BM25, main thread)": ph.get("Retriever"),
            "Answerer (main thread)": ph.get("Answerer"),
            "ONNX session, started first (parallel thread)": ph.get("open_onnx_encoder"),
            "query encoder, waited for after the index (parallel thread)": ph.get("_query_encoder"),
            "  ONNX encoder (load_onnx_encoder)": ph.get("load_onnx_encoder"),
            "  sentence-transformers model (incl. torch import)": ph.get("embedder"),
        },
        "first_ask_s": first_ask_s,
        "second_ask_s": second_ask_s,
        "answer_ok": bl.KERAS_A in a.answer,
        "heavy_modules": sorted(
            m for m in ("torch", "transformers", "sentence_transformers", "gradio") if m in sys.modules
        ),
        "in_process_s": time.perf_counter() - t_start,
        "peak_rss_mb": bl.peak_rss_mb(),
    }


# ------------------------------------------------------------------------------------------ parent


def product_env(index_dir: Path, encoder: str = "onnx", **extra: str) -> dict[str, str]:
    """Settings for the product's own commands: the temporary index and the private corpus copy beside it."""
    env = bl.child_env(
        ASSISTANT_INDEX_DIR=str(index_dir),
        ASSISTANT_DATA_DIR=str(index_dir / "data"),
        ASSISTANT_CORPUS_DIR=str(index_dir.parent / "corpus"),
        **extra,
    )
    if encoder == "torch":
        env["ASSISTANT_QUERY_ENCODER"] = "torch"
    return env


def ensure_index(index_dir: Path) -> bool:
    """`assistant index`: verify the index (rebuild if another engineer's edit made it stale); True if rebuilt."""
    res = bl.run_child([str(bl.ASSISTANT_CLI), "index"], product_env(index_dir), timeout=900)
    if res.returncode != 0:
        raise RuntimeError(f"assistant index failed:\n{res.stderr[-3000:]}")
    return "built (" in res.stdout


def build_index(index_dir: Path) -> dict[str, Any]:
    bl.snapshot_corpus(index_dir.parent / "corpus")
    env = product_env(index_dir)
    res = bl.run_child([str(bl.ASSISTANT_CLI), "index", "--rebuild"], env)
    if res.returncode != 0:
        raise RuntimeError(f"assistant index failed:\n{res.stderr[-3000:]}")
    return {"wall_s": res.wall_s, "peak_rss_mb": res.peak_rss_mb, "stdout": res.stdout}


def cold_starts(index_dir: Path, runs: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    envs = {enc: product_env(index_dir, enc) for enc in ENCODERS}
    cmd = [str(bl.ASSISTANT_CLI), "ask", bl.KERAS_Q]
    out["index_rebuilt_before"] = ensure_index(index_dir)
    raw: dict[str, list[dict[str, Any]]] = {e: [] for e in ENCODERS}
    for enc in ENCODERS:  # one discarded run each: fills the model-digest cache, warms the page cache
        r = bl.run_child(cmd, envs[enc], timeout=300)
        out.setdefault("discarded_first_run", {})[enc] = {"first_line_s": r.first_line_s, "wall_s": r.wall_s}
    for i in range(runs):
        for enc in ENCODERS:
            bl.log(f"[query] cold start {i + 1}/{runs}: {enc}")
            la = os.getloadavg()[0]
            r = bl.run_child(cmd, envs[enc], timeout=300)
            if "building the index" in r.stderr:  # the package changed mid-run: time it again
                r = bl.run_child(cmd, envs[enc], timeout=300)
            raw[enc].append(
                {
                    "first_line_s": r.first_line_s,
                    "wall_s": r.wall_s,
                    "peak_rss_mb": r.peak_rss_mb,
                    "ok": r.returncode == 0 and bl.KERAS_A in r.stdout,
                    "rebuilt_index": "building the index" in r.stderr,  # would spoil the timing
                    "loadavg": round(la, 2),
                    "stderr_tail": r.stderr[-500:] if r.returncode else "",
                }
            )
    for enc in ENCODERS:
        rs = raw[enc]
        firsts = [x["first_line_s"] for x in rs if x["first_line_s"] is not None]
        out[enc] = {
            "first_answer_s_median": statistics.median(firsts) if firsts else None,
            "first_answer_s_min": min(firsts) if firsts else None,
            "wall_s_median": statistics.median(x["wall_s"] for x in rs),
            "peak_rss_mb_median": statistics.median(x["peak_rss_mb"] for x in rs),
            "all_ok": all(x["ok"] for x in rs),
            "runs": rs,
        }
    if out["onnx"]["first_answer_s_median"] and out["torch"]["first_answer_s_median"]:
        out["torch_over_onnx"] = out["torch"]["first_answer_s_median"] / out["onnx"]["first_answer_s_median"]
    return out


def import_times(index_dir: Path, encoder: str) -> dict[str, Any]:
    """`python -X importtime -m assistant.cli ask ...`: top-level imports grouped by package."""
    env = product_env(index_dir, encoder)
    r = bl.run_child([str(bl.PYTHON), "-X", "importtime", "-m", "assistant.cli", "ask", bl.KERAS_Q], env, timeout=300)
    groups: dict[str, float] = {}
    total = 0.0
    for line in r.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        parts = line.split(":", 1)[1].split("|")
        if len(parts) != 3:
            continue
        _, cum_us, name = parts
        if len(name) - len(name.lstrip(" ")) != 1:  # level 0 has exactly one space after the bar
            continue
        pkg = name.strip().split(".")[0]
        groups[pkg] = groups.get(pkg, 0.0) + int(cum_us) / 1e6
        total += int(cum_us) / 1e6
    top = sorted(groups.items(), key=lambda kv: -kv[1])
    return {
        "encoder": encoder,
        "wall_s": r.wall_s,
        "total_top_level_import_s": total,
        "by_package_s": dict(top[:15]),
        "ok": bl.KERAS_A in r.stdout,
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_memory(index_dir: Path, encoder: str, timeout: float = 300) -> dict[str, Any]:
    """Start `python app.py` on a free port; RSS once it has answered one gradio_client /ask call."""
    import importlib.util

    if importlib.util.find_spec("assistant.web") is None or not (bl.REPO / "app.py").is_file():
        return {"skipped": "the web module (assistant.web / app.py) is not there yet"}
    try:
        from gradio_client import Client
    except ImportError:
        return {"skipped": "gradio_client is not installed"}
    port = _free_port()
    env = product_env(index_dir, encoder, ASSISTANT_PORT=str(port), ASSISTANT_AUTO_REBUILD="false")
    log_path = index_dir.parent / f"serve-{encoder}.log"
    with open(log_path, "w") as log_fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [str(bl.PYTHON), "app.py"],
            cwd=bl.REPO,
            env=env,
            stdout=log_fh,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}/"
        result: dict[str, Any] = {"encoder": encoder, "port": port}
        client = None
        answer = None
        seen: dict[str, float] = {}
        marks = {"engine_ready_s": "assistant: ready in", "listening_s": "web chat on"}
        try:
            while time.perf_counter() - t0 < timeout:
                text = log_path.read_text(errors="replace")
                for key, needle in marks.items():
                    if key not in seen and needle in text:
                        seen[key] = time.perf_counter() - t0
                if proc.poll() is not None:
                    result["error"] = f"app.py exited with {proc.returncode}: {log_path.read_text()[-1500:]}"
                    return result
                try:
                    if client is None:
                        with contextlib.redirect_stdout(sys.stderr):
                            client = Client(url, verbose=False)
                    answer = client.predict(bl.KERAS_Q, api_name="/ask")
                    break
                except Exception:  # noqa: BLE001 - not up yet
                    time.sleep(0.25)
            else:
                result["error"] = f"no answer within {timeout:.0f}s"
                return result
            result["ready_s"] = time.perf_counter() - t0
            text = log_path.read_text(errors="replace")
            for key, needle in marks.items():  # printed after the last look: at most ready_s
                if key not in seen and needle in text:
                    seen[key] = result["ready_s"]
            result.update(seen)  # when the engine was loaded and when the server listened (±0.25 s)
            result["answer_ok"] = bl.KERAS_A in json.dumps(answer)
            st = bl.proc_status_mb(proc.pid)
            result["rss_after_first_answer_mb"] = st.get("VmRSS")
            result["peak_rss_after_first_answer_mb"] = st.get("VmHWM")
            for q in bl.distinct_questions(20):
                assert client is not None
                client.predict(q["question"], bl.history_messages(q["history"]), api_name="/ask")
            st = bl.proc_status_mb(proc.pid)
            result["rss_after_21_answers_mb"] = st.get("VmRSS")
            result["peak_rss_after_21_answers_mb"] = st.get("VmHWM")
            children = _descendants(proc.pid)
            result["child_processes"] = len(children)
            return result
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def _import_web_s() -> float | None:
    """Seconds to import assistant.web (gradio) in a fresh process."""
    code = "import time; t = time.perf_counter(); import assistant.web; print(time.perf_counter() - t)"
    r = bl.run_child([str(bl.PYTHON), "-c", code], bl.child_env(), timeout=300)
    try:
        return float(r.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def _descendants(pid: int) -> list[int]:
    try:
        import psutil

        return [p.pid for p in psutil.Process(pid).children(recursive=True)]
    except Exception:  # noqa: BLE001
        return []


def run(n: int, rounds: int, cold_runs: int, skip_serve: bool) -> dict[str, Any]:
    report = bl.new_report(
        "query",
        {
            "questions": n,
            "rounds": rounds,
            "cold_runs": cold_runs,
            "modes": list(MODES),
            "encoders": list(ENCODERS),
            "warmup_questions": WARMUP,
            "threads": 2,
        },
    )
    script = Path(__file__).resolve()
    with tempfile.TemporaryDirectory(prefix="bench-query-") as tmp_name:
        index_dir = Path(tmp_name) / "index"
        bl.log("[query] building the index (assistant index --rebuild) ...")
        report["index_build"] = build_index(index_dir)

        warm: dict[str, list[dict[str, Any]]] = {e: [] for e in ENCODERS}
        st_passive: list[dict[str, Any]] = []
        for rnd in range(rounds):
            for enc in ENCODERS:
                bl.log(f"[query] warm round {rnd + 1}/{rounds}: {enc}")
                res, _ = bl.run_python_child(
                    script, ["--child", "warm", "--encoder", enc, "--index-dir", str(index_dir), "--n", str(n)],
                    bl.child_env(),
                )  # fmt: skip
                warm[enc].append(res)
            bl.log(f"[query] warm round {rnd + 1}/{rounds}: sentence-transformers alone, OMP_WAIT_POLICY=PASSIVE")
            res, _ = bl.run_python_child(
                script, ["--child", "st", "--n", str(n)], bl.child_env(OMP_WAIT_POLICY="PASSIVE")
            )
            st_passive.append(res)
        report["warm"] = summarise_warm(warm, st_passive)

        bl.log("[query] cold starts ...")
        report["cold"] = cold_starts(index_dir, cold_runs)

        bl.log("[query] where the cold start goes ...")
        where: dict[str, Any] = {}
        for enc in ENCODERS:
            ensure_index(index_dir)
            res, child = bl.run_python_child(
                script, ["--child", "breakdown", "--encoder", enc, "--index-dir", str(index_dir)], bl.child_env()
            )
            res["wall_s"] = child.wall_s
            res["importtime"] = import_times(index_dir, enc)
            where[enc] = res
        report["cold_breakdown"] = where

        if skip_serve:
            report["serve"] = {"skipped": "--skip-serve"}
        else:
            report["serve"] = {"import_assistant_web_s": _import_web_s()}
            for enc in ENCODERS:
                bl.log(f"[query] web app memory: {enc}")
                ensure_index(index_dir)
                report["serve"][enc] = serve_memory(index_dir, enc)
    return report


def summarise_warm(warm: dict[str, list[dict[str, Any]]], st_passive: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"ask": {}, "search": {}, "answers_ok": {}, "processes": {}}
    for enc, runs in warm.items():
        for mode in MODES:
            out["ask"][f"{enc}/{mode}"] = bl.summary_ms([x for r in runs for x in r["ask"][mode]])
            out["search"][f"{enc}/{mode}"] = bl.summary_ms([x for r in runs for x in r["search"][mode]])
            out["answers_ok"][f"{enc}/{mode}"] = all(r["answers_ok"][mode] for r in runs)
        first = [x for r in runs for x in r["repeat"]["first"]]
        again = [x for r in runs for x in r["repeat"]["again"]]
        out.setdefault("repeat_check", {})[enc] = {
            "mode": runs[0]["repeat"]["mode"],
            "first_p50_ms": bl.pct(first, 0.5) * 1000,
            "again_p50_ms": bl.pct(again, 0.5) * 1000,
            "again_over_first": bl.pct(again, 0.5) / bl.pct(first, 0.5),
        }
        out["processes"][enc] = [
            {
                "rss_mb": r["rss_mb"],
                "peak_rss_mb": r["peak_rss_mb"],
                "loadavg_start": r["loadavg_start"],
                "loadavg_end": r["loadavg_end"],
                "torch_imported_by_product": r["torch_imported_by_product"],
                "ask_hybrid_p50_ms": bl.pct(r["ask"]["hybrid"], 0.5) * 1000,
            }
            for r in runs
        ]
    onnx_runs = warm["onnx"]
    ask = [x for r in onnx_runs for x in r["ask"]["hybrid"]]
    variants = {
        "st_encode": ("2 threads (the product's setting)", [x for r in onnx_runs for x in r["st_encode"]]),
        "st_encode_1thread": ("1 thread", [x for r in onnx_runs for x in r.get("st_encode_1thread", [])]),
        "st_encode_passive": (
            "2 threads, OMP_WAIT_POLICY=PASSIVE",
            [x for r in st_passive for x in r["st_encode"]],
        ),
    }
    out["st_variants"] = {}
    for key, (label, st) in variants.items():
        if not st:
            continue
        out["st_variants"][key] = {
            "label": label,
            **bl.summary_ms(st),
            "over_onnx_answer_p50": bl.pct(st, 0.5) / bl.pct(ask, 0.5),
            "over_onnx_answer_mean": statistics.fmean(st) / statistics.fmean(ask),
            "over_onnx_answer_p95": bl.pct(st, 0.95) / bl.pct(ask, 0.95),
        }
    out["st_encode"] = out["st_variants"]["st_encode"]
    best = min(out["st_variants"].values(), key=lambda v: v["p50_ms"])
    out["st_encode_over_onnx_answer"] = {
        "p50": out["st_encode"]["over_onnx_answer_p50"],
        "mean": out["st_encode"]["over_onnx_answer_mean"],
        "p95": out["st_encode"]["over_onnx_answer_p95"],
        "per_round_p50": [bl.pct(r["st_encode"], 0.5) / bl.pct(r["ask"]["hybrid"], 0.5) for r in onnx_runs],
        "fastest_st_variant": best["label"],
        "fastest_st_over_onnx_answer_p50": best["over_onnx_answer_p50"],
        "target": 2.0,
    }
    return out


# ------------------------------------------------------------------------------------------ report


def markdown(r: dict[str, Any]) -> str:
    f = bl.fmt
    s = r["settings"]
    w = r["warm"]
    out = [
        f"### Warm latency ({s['questions']} distinct questions x {s['rounds']} fresh processes per encoder, "
        f"one at a time, {s['threads']} threads)",
        "",
    ]
    rows = []
    for enc in ENCODERS:
        for mode in MODES:
            a, q = w["ask"][f"{enc}/{mode}"], w["search"][f"{enc}/{mode}"]
            rows.append(
                (
                    f"{enc} / {mode}",
                    f(a["p50_ms"], ".2f"),
                    f(a["p95_ms"], ".2f"),
                    f(q["p50_ms"], ".2f"),
                    f(q["p95_ms"], ".2f"),
                    "yes" if w["answers_ok"][f"{enc}/{mode}"] else "NO",
                )
            )
    out.append(
        bl.md_table(
            [
                "query encoder / mode",
                "ask p50 (ms)",
                "ask p95 (ms)",
                "search p50 (ms)",
                "search p95 (ms)",
                "Keras answer right",
            ],
            rows,
        )
    )
    ratio = w["st_encode_over_onnx_answer"]
    onnx_ask = w["ask"]["onnx/hybrid"]
    rows = [("whole ONNX answer, ask() hybrid", f(onnx_ask["p50_ms"], ".2f"), f(onnx_ask["p95_ms"], ".2f"), "1.0x")]
    for v in w.get("st_variants", {}).values():
        rows.append(
            (
                f"sentence-transformers model.encode only, {v['label']}",
                f(v["p50_ms"], ".2f"),
                f(v["p95_ms"], ".2f"),
                f"{v['over_onnx_answer_p50']:.1f}x",
            )
        )
    out += [
        "",
        bl.md_table(["same questions, one at a time", "p50 (ms)", "p95 (ms)", "vs the ONNX answer (p50)"], rows),
        "",
        f"A whole ONNX answer is **{f(ratio['p50'], '.1f')}x** faster at p50 than sentence-transformers merely "
        f"encoding the question with the product's torch settings ({f(ratio['mean'], '.1f')}x by mean; per round: "
        f"{', '.join(f(x, '.1f') + 'x' for x in ratio['per_round_p50'])}), and "
        f"**{f(ratio['fastest_st_over_onnx_answer_p50'], '.1f')}x** against the fastest torch variant "
        f"({ratio['fastest_st_variant']}). Target: ≥ {ratio['target']:.0f}x.",
    ]
    rc = w.get("repeat_check", {})
    if rc:
        out.append(
            "Repeat check (the same 20 questions asked again): "
            + "; ".join(f"{e} {v['again_over_first']:.2f}x of the first time" for e, v in rc.items())
            + " (≈1 means no cache serves repeats)."
        )

    c = r["cold"]
    out += [
        "",
        f'### Cold start: `assistant ask "{bl.KERAS_Q}"` in a fresh process (median of {s["cold_runs"]})',
        "",
        bl.md_table(
            [
                "query encoder",
                "first answer printed (s)",
                "fastest (s)",
                "process exit (s)",
                "peak RSS (MB)",
                "answers right",
            ],
            [
                (
                    "onnx (default)" if enc == "onnx" else "torch (ASSISTANT_QUERY_ENCODER=torch)",
                    f(c[enc]["first_answer_s_median"], ".2f"),
                    f(c[enc]["first_answer_s_min"], ".2f"),
                    f(c[enc]["wall_s_median"], ".2f"),
                    f(c[enc]["peak_rss_mb_median"], ".0f"),
                    "yes" if c[enc]["all_ok"] else "NO",
                )
                for enc in ENCODERS
            ],
        ),
        "",
        f"torch / onnx cold-start ratio: {f(c.get('torch_over_onnx'), '.1f')}x. "
        f"First-ever run (empty digest cache): onnx {f(c['discarded_first_run']['onnx']['first_line_s'], '.2f')} s, "
        f"torch {f(c['discarded_first_run']['torch']['first_line_s'], '.2f')} s.",
    ]

    b = r.get("cold_breakdown", {})
    if b:
        out += [
            "",
            "### Where the cold start goes (fresh process, per phase; the encoder loads in a parallel thread)",
            "",
        ]
        rows = []
        keys = [*b["onnx"]["imports_s"], "Assistant.__init__ total", *b["onnx"]["init_phases_s"]]
        keys += ["first ask()", "second ask()", "in-process total"]
        for k in keys:
            vals = []
            for enc in ENCODERS:
                x = b[enc]
                v = (
                    x["imports_s"].get(k)
                    if k in x["imports_s"]
                    else x["assistant_init_s"]
                    if k == "Assistant.__init__ total"
                    else x["first_ask_s"]
                    if k == "first ask()"
                    else x["second_ask_s"]
                    if k == "second ask()"
                    else x["in_process_s"]
                    if k == "in-process total"
                    else x["init_phases_s"].get(k)
                )
                vals.append(f(v, ".3f"))
            rows.append((k, *vals))
        out.append(bl.md_table(["phase (s)", "onnx", "torch"], rows))
        for enc in ENCODERS:
            it = b[enc]["importtime"]
            top = ", ".join(f"{k} {v:.2f}" for k, v in list(it["by_package_s"].items())[:8])
            out += [
                "",
                f"`-X importtime` ({enc}): {it['total_top_level_import_s']:.2f} s of imports in all; "
                f"by top-level package (s): {top}. Heavy modules loaded: {', '.join(b[enc]['heavy_modules']) or 'none'}.",
            ]

    sv = r.get("serve", {})
    out += ["", "### Serving web app (`python app.py`, after one gradio_client /ask call)", ""]
    if "skipped" in sv:
        out.append(f"Skipped: {sv['skipped']}")
    else:
        if sv.get("import_assistant_web_s") is not None:
            out += [
                f"`import assistant.web` (gradio) alone: {sv['import_assistant_web_s']:.1f} s in a fresh process.",
                "",
            ]
        rows = []
        for enc in ENCODERS:
            x = sv.get(enc, {})
            if "skipped" in x or "error" in x:
                rows.append((enc, x.get("skipped") or x.get("error", "")[:120], "", "", "", "", "", ""))
                continue
            rows.append(
                (
                    enc,
                    f(x.get("engine_ready_s"), ".1f"),
                    f(x.get("listening_s"), ".1f"),
                    f(x.get("ready_s"), ".1f"),
                    f(x.get("rss_after_first_answer_mb"), ".0f"),
                    f(x.get("peak_rss_after_first_answer_mb"), ".0f"),
                    f(x.get("rss_after_21_answers_mb"), ".0f"),
                    f(x.get("peak_rss_after_21_answers_mb"), ".0f"),
                )
            )
        out.append(
            bl.md_table(
                [
                    "query encoder",
                    "engine loaded (s)",
                    "listening (s)",
                    "first /ask answered (s)",
                    "RSS (MB)",
                    "peak RSS (MB)",
                    "RSS after 21 answers (MB)",
                    "peak after 21 (MB)",
                ],
                rows,
            )
        )
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--questions", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=2, help="fresh processes per encoder, interleaved")
    ap.add_argument("--cold-runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="1 round, 3 cold runs")
    ap.add_argument("--skip-serve", action="store_true")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--child", choices=["warm", "breakdown", "st"], help=argparse.SUPPRESS)
    ap.add_argument("--encoder", choices=ENCODERS, help=argparse.SUPPRESS)
    ap.add_argument("--index-dir", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--n", type=int, default=100, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child == "warm":
        print(json.dumps(child_warm(args.encoder, args.index_dir, args.index_dir.parent / "corpus", args.n)))
        return
    if args.child == "breakdown":
        print(json.dumps(child_breakdown(args.encoder, args.index_dir, args.index_dir.parent / "corpus")))
        return
    if args.child == "st":
        print(json.dumps(child_st(args.n)))
        return
    rounds, cold_runs = (1, 3) if args.quick else (args.rounds, args.cold_runs)
    report = run(args.questions, rounds, cold_runs, args.skip_serve)
    bl.publish(report, args.out, markdown)


if __name__ == "__main__":
    main()
