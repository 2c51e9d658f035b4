"""Index-build benchmark: model load, embedding throughput, ONNX export, a 10,000-passage corpus, peak RSS.

Run from the repository root:  .venv/bin/python bench/bench_index.py  [--passages 10000] [--quick]

Each build runs in its own fresh process (so imports are cold and its peak RSS is its own), into a
temporary index folder, never the repository's index/:
  default    the shipped article: `import torch, sentence_transformers` timed, then
             `SentenceTransformerEmbedder(...)` timed alone (model load, incl. the sha256 check of the
             weights), then `Assistant(settings, embedder=that, rebuild=True)` timed, split into phases
             (corpus load, chunking, fact linking, each encode() call, faiss, ONNX export, reload).
  synthetic  ~10,000 paragraphs of 40-60 words made of the article's own sentences, shuffled with a
             seeded RNG, in several .md files: the same measurements at a size where throughput shows.
Peak RSS is the child's ru_maxrss (from wait4), and the RSS just before the build starts.
Prints Markdown and writes bench/results/index.json. Not a test: numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as bl

OUT = bl.RESULTS / "index.json"
WORDS_MIN, WORDS_MAX = 40, 60
PARAS_PER_SECTION = 25
SCALE_QUESTIONS = 30  # questions timed against the synthetic index after its build


# ------------------------------------------------------------------------------------------ child


def child_build(corpus_dir: Path | None, index_dir: Path) -> dict[str, Any]:
    t_proc = time.perf_counter()
    bl.offline()
    phases: dict[str, list[float]] = {}
    t = time.perf_counter()
    import sentence_transformers  # noqa: F401
    import torch  # noqa: F401  (timed: this is most of a cold start on the build path)

    import_s = time.perf_counter() - t
    t = time.perf_counter()
    import assistant.embedding as embedding
    import assistant.engine as engine
    import assistant.index as index
    import assistant.onnx_export as onnx_export
    from assistant.settings import Settings

    import_assistant_s = time.perf_counter() - t

    settings = Settings(corpus_dir=corpus_dir, index_dir=index_dir, data_dir=index_dir / "data")
    bl.wrap_timer(embedding, "verify_model", phases)
    t = time.perf_counter()
    emb = embedding.SentenceTransformerEmbedder(
        settings.resolved_model_path(), settings.expected_model_sha256(), settings.threads
    )
    model_load_s = time.perf_counter() - t
    rss_model = bl.rss_mb()
    peak_model = bl.peak_rss_mb()

    encode_calls: list[dict[str, float]] = []
    original_encode = emb.encode

    def timed_encode(texts: Any, *, progress: bool = False) -> Any:
        t0 = time.perf_counter()
        out = original_encode(texts, progress=progress)
        encode_calls.append({"n": len(texts), "seconds": time.perf_counter() - t0})
        return out

    emb.encode = timed_encode  # type: ignore[method-assign]  # still a SentenceTransformerEmbedder instance
    for owner, name in (
        (engine, "load_corpus"),
        (engine, "build_index"),
        (engine, "open_index"),
        (engine, "load_onnx_encoder"),
        (engine, "Retriever"),
        (engine, "Answerer"),
        (index, "chunk_corpus"),
        (index, "link_facts"),
        (index, "_make_faiss"),
        (index, "load_build"),
        (index, "verify_artefacts"),
        (onnx_export, "export_onnx"),
    ):
        bl.wrap_timer(owner, name, phases)

    t = time.perf_counter()
    eng = engine.Assistant(settings, embedder=emb, rebuild=True, progress=True)
    assistant_s = time.perf_counter() - t
    m = eng.index.manifest
    answer = None
    if corpus_dir is None:
        a = eng.ask(bl.KERAS_Q)
        answer = {"text": a.answer, "correct": bl.KERAS_A in a.answer}
    at_scale = None
    if corpus_dir is not None:  # how a query behaves against this many passages (ONNX query encoder)
        qs = bl.distinct_questions(SCALE_QUESTIONS)
        for w in bl.distinct_questions(3, offset=SCALE_QUESTIONS):
            eng.search(w["question"])
        at_scale = {"questions": len(qs), "encoder": getattr(eng.encoder, "kind", "?")}
        for name, fn in (("search_hybrid", eng.search), ("ask_hybrid", eng.ask)):
            lat, errors = [], []
            for q in qs:
                t = time.perf_counter()
                try:
                    fn(q["question"])
                except Exception as exc:  # noqa: BLE001 - a product error is a finding, not the end of the run
                    errors.append(f"{type(exc).__name__}: {exc}"[:300])
                lat.append(time.perf_counter() - t)
            at_scale[name] = {**bl.summary_ms(lat), "errors": len(errors), "first_error": errors[0] if errors else None}
    names = ["passages", "sentences", "facts"]
    calls = {names[i] if i < 3 else f"call{i}": c for i, c in enumerate(encode_calls)}
    for c in calls.values():
        c["per_s"] = c["n"] / c["seconds"] if c["seconds"] > 0 else float("nan")
    ph = {k: sum(v) for k, v in phases.items()}
    encode_total = sum(c["seconds"] for c in encode_calls)
    return {
        "corpus": str(corpus_dir) if corpus_dir else "default",
        "counts": m.counts,
        "documents": len(eng.corpus.documents),
        "import_torch_st_s": import_s,
        "import_assistant_s": import_assistant_s,
        "model_load_s": model_load_s,
        "model_verify_sha256_s": ph.get("verify_model"),
        "assistant_rebuild_s": assistant_s,
        "manifest_build_seconds": m.build_seconds,
        "phases_s": {
            "load_corpus": ph.get("load_corpus"),
            "chunk_corpus": ph.get("chunk_corpus"),
            "link_facts": ph.get("link_facts"),
            "encode_total": encode_total,
            "faiss": ph.get("_make_faiss"),
            "onnx_export": ph.get("export_onnx"),
            "build_index_total": ph.get("build_index"),
            "build_index_other (writes, hashes, fsync)": (ph.get("build_index") or 0)
            - sum(ph.get(k) or 0 for k in ("chunk_corpus", "link_facts", "_make_faiss", "export_onnx"))
            - encode_total,
            "load_build (verify + parse)": ph.get("load_build"),
            "verify_artefacts": ph.get("verify_artefacts"),
            "retriever (BM25 etc.)": ph.get("Retriever"),
            "answerer": ph.get("Answerer"),
            "query_encoder_load (parallel)": ph.get("load_onnx_encoder"),
        },
        "encode_calls": calls,
        "passages_per_s_encode": calls.get("passages", {}).get("per_s"),
        "sentences_per_s_encode": calls.get("sentences", {}).get("per_s"),
        "passages_per_s_build": m.counts["passages"] / assistant_s,
        "query_encoder": getattr(eng.encoder, "kind", "?"),
        "onnx_mb": sum(p.stat().st_size for p in (eng.index.path / "encoder").glob("*")) / 1e6
        if (eng.index.path / "encoder").is_dir()
        else None,
        "index_mb": sum(p.stat().st_size for p in eng.index.path.rglob("*") if p.is_file()) / 1e6,
        "rss_after_model_mb": rss_model,
        "peak_rss_before_build_mb": peak_model,
        "peak_rss_mb": bl.peak_rss_mb(),
        "answer": answer,
        "queries_at_this_size": at_scale,
        "process_s": time.perf_counter() - t_proc,
    }


# ------------------------------------------------------------------------------------------ parent


def make_corpus(folder: Path, paragraphs: int, files: int, seed: int) -> dict[str, Any]:
    """~`paragraphs` paragraphs of 40-60 words from the article's sentences, shuffled (seeded), in `files` .md files."""
    from tqdm import tqdm

    sentences = bl.article_sentences()
    rng = random.Random(seed)
    pool: list[str] = []

    def draw() -> str:
        if not pool:
            pool.extend(sentences)
            rng.shuffle(pool)
        return pool.pop()

    folder.mkdir(parents=True, exist_ok=True)
    per_file = -(-paragraphs // files)
    made = words_total = 0
    bar = tqdm(total=paragraphs, desc="synthetic corpus", unit="para", file=sys.stderr)
    for f in range(files):
        lines = [f"# Synthetic notes on deep learning frameworks, part {f + 1}", ""]
        for i in range(min(per_file, paragraphs - made)):
            if i % PARAS_PER_SECTION == 0:
                lines += [f"## Section {f + 1}.{i // PARAS_PER_SECTION + 1}", ""]
            para: list[str] = []
            n = 0
            for _ in range(50):  # add whole sentences that fit until the paragraph has 40-60 words
                s = draw()
                w = len(s.split())
                if n + w <= WORDS_MAX:
                    para.append(s)
                    n += w
                else:
                    pool.insert(0, s)  # keep it for a later paragraph
                if n >= WORDS_MIN:
                    break
            lines += [" ".join(para), ""]
            made += 1
            words_total += n
            bar.update(1)
        (folder / f"notes-{f + 1:02d}.md").write_text("\n".join(lines), encoding="utf-8")
    bar.close()
    return {
        "paragraphs": made,
        "files": files,
        "words": words_total,
        "source_sentences": len(sentences),
        "seed": seed,
        "mb": sum(p.stat().st_size for p in folder.glob("*.md")) / 1e6,
    }


def run(passages: int, files: int, seed: int, skip_synthetic: bool, passive: bool) -> dict[str, Any]:
    report = bl.new_report(
        "index", {"synthetic_passages": passages, "files": files, "seed": seed, "threads": 2, "chunk_words": 60}
    )
    script = Path(__file__).resolve()
    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp_name:
        tmp = Path(tmp_name)
        env = bl.child_env()
        bl.log("[index] default corpus: building in a fresh process ...")
        res, child = bl.run_python_child(script, ["--child", "--index-dir", str(tmp / "default")], env)
        res["wall_s"] = child.wall_s
        res["peak_rss_mb_wait4"] = child.peak_rss_mb
        report["default"] = res
        if passive:
            bl.log(
                "[index] default corpus again, with OMP_WAIT_POLICY=PASSIVE (torch's threads sleep instead of spinning) ..."
            )
            res, child = bl.run_python_child(
                script, ["--child", "--index-dir", str(tmp / "passive")], bl.child_env(OMP_WAIT_POLICY="PASSIVE")
            )
            res["wall_s"] = child.wall_s
            res["peak_rss_mb_wait4"] = child.peak_rss_mb
            report["default_passive"] = res
        if not skip_synthetic:
            corpus = tmp / "corpus"
            report["synthetic_corpus"] = make_corpus(corpus, passages, files, seed)
            bl.log(f"[index] synthetic corpus of {passages} paragraphs: building in a fresh process ...")
            args = ["--child", "--corpus", str(corpus), "--index-dir", str(tmp / "synthetic")]
            res, child = bl.run_python_child(script, args, env)
            res["wall_s"] = child.wall_s
            res["peak_rss_mb_wait4"] = child.peak_rss_mb
            report["synthetic"] = res
    return report


def _lat(x: dict[str, Any] | None) -> str:
    if not x:
        return "–"
    errors = f" ({x['errors']}/{x['n']} raised {x['first_error'].split(':')[0]})" if x.get("errors") else ""
    return f"{x['p50_ms']:.0f} / {x['p95_ms']:.0f}{errors}"


def markdown(r: dict[str, Any]) -> str:
    cols = [k for k in ("default", "default_passive", "synthetic") if k in r]
    f = bl.fmt

    def g(c: str, *path: str) -> Any:
        x: Any = r[c]
        for p in path:
            x = x.get(p) if isinstance(x, dict) else None
        return x

    label = {
        "default": "default article",
        "default_passive": "default article, OMP_WAIT_POLICY=PASSIVE",
        "synthetic": f"synthetic ({r.get('synthetic_corpus', {}).get('paragraphs', '?')} paragraphs)",
    }
    rows = [
        ("passages / sentences / facts", lambda c: "{passages} / {sentences} / {facts}".format(**g(c, "counts"))),
        ("import torch + sentence-transformers (s)", lambda c: f(g(c, "import_torch_st_s"), ".2f")),
        ("model load: SentenceTransformerEmbedder() (s)", lambda c: f(g(c, "model_load_s"), ".2f")),
        ("  of which sha256 of the weights (s)", lambda c: f(g(c, "model_verify_sha256_s"), ".2f")),
        ("build: Assistant(rebuild=True) (s)", lambda c: f(g(c, "assistant_rebuild_s"), ".2f")),
        ("  load corpus (s)", lambda c: f(g(c, "phases_s", "load_corpus"), ".2f")),
        ("  chunk (pysbd) (s)", lambda c: f(g(c, "phases_s", "chunk_corpus"), ".2f")),
        ("  link facts (s)", lambda c: f(g(c, "phases_s", "link_facts"), ".2f")),
        ("  encode, all calls (s)", lambda c: f(g(c, "phases_s", "encode_total"), ".2f")),
        ("  faiss (s)", lambda c: f(g(c, "phases_s", "faiss"), ".3f")),
        ("  ONNX export (s)", lambda c: f(g(c, "phases_s", "onnx_export"), ".2f")),
        (
            "  writes, sha256, fsync (s)",
            lambda c: f(g(c, "phases_s", "build_index_other (writes, hashes, fsync)"), ".2f"),
        ),
        ("  reload + verify the new build (s)", lambda c: f(g(c, "phases_s", "load_build (verify + parse)"), ".2f")),
        (
            "  BM25 + answerer tables (s)",
            lambda c: f((g(c, "phases_s", "retriever (BM25 etc.)") or 0) + (g(c, "phases_s", "answerer") or 0), ".2f"),
        ),
        ("encode throughput, passages/s", lambda c: f(g(c, "passages_per_s_encode"), ".0f")),
        ("encode throughput, sentences/s", lambda c: f(g(c, "sentences_per_s_encode"), ".0f")),
        ("build throughput, passages/s (whole build)", lambda c: f(g(c, "passages_per_s_build"), ".0f")),
        ("index on disk (MB, incl. ONNX)", lambda c: f(g(c, "index_mb"), ".0f")),
        ("RSS after model load (MB)", lambda c: f(g(c, "rss_after_model_mb"), ".0f")),
        ("peak RSS of the build process (MB)", lambda c: f(g(c, "peak_rss_mb_wait4"), ".0f")),
        ("whole process, wall (s)", lambda c: f(g(c, "wall_s"), ".1f")),
        ("search() hybrid p50 / p95 on this index (ms)", lambda c: _lat(g(c, "queries_at_this_size", "search_hybrid"))),
        ("ask() p50 / p95 on this index (ms)", lambda c: _lat(g(c, "queries_at_this_size", "ask_hybrid"))),
    ]
    out = [
        f"### Index build ({r['settings']['threads']} threads, chunk_words {r['settings']['chunk_words']}, one fresh process per build)",
        "",
        bl.md_table(["", *(label[c] for c in cols)], [(name, *(fn(c) for c in cols)) for name, fn in rows]),
    ]
    d = r.get("default", {})
    if d.get("answer"):
        out += ["", f"Sanity check after the default build: “{bl.KERAS_Q}” -> correct: {d['answer']['correct']}."]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--passages", type=int, default=10_000, help="paragraphs (= passages) of the synthetic corpus")
    ap.add_argument("--files", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--quick", action="store_true", help="a 2,000-paragraph synthetic corpus")
    ap.add_argument("--skip-synthetic", action="store_true")
    ap.add_argument("--no-passive", action="store_true", help="skip the OMP_WAIT_POLICY=PASSIVE build")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--index-dir", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child_build(args.corpus, args.index_dir), default=str))
        return
    passages = 2_000 if args.quick and args.passages == 10_000 else args.passages
    report = run(passages, args.files, args.seed, args.skip_synthetic, not args.no_passive)
    bl.publish(report, args.out, markdown)


if __name__ == "__main__":
    main()
