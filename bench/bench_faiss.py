"""faiss scaling benchmark: IndexFlatIP vs HNSW32 vs IVF on synthetic clustered vectors, 10k / 100k / 1M.

Run from the repository root:  .venv/bin/python bench/bench_faiss.py  [--sizes 10000,100000,1000000] [--quick]

Vectors: dimension 384 (all-MiniLM-L6-v2's), 1,000 Gaussian cluster centres, each point = a centre +
Gaussian noise, L2-normalised (inner product = cosine, as in the product's index); seeded. The 200
queries are new points drawn the same way (not members of the index).
Per index type and size:
  build     train + add, with the machine's threads (2 here);
  latency   single queries (k=10) one at a time with 1 thread: p50 / p95 over 200 queries;
  memory    serialized index size (faiss.serialize_index) and the RSS growth while building;
  recall@10 against exact search (IndexFlatIP).
Index types: "Flat" (exact), "HNSW32" (efSearch 16, faiss' default, and 64; efConstruction 40),
"IVF{nlist},Flat" with nlist ≈ 4·sqrt(n) (nprobe 8 and 16).
A build whose time, extrapolated from the previous size, would exceed --max-build-s is not run: the
output says so. Not a test: numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import gc
import math
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib as bl

OUT = bl.RESULTS / "faiss.json"
DIM = 384
CENTRES = 1_000
N_QUERIES = 200
K = 10
# How build time grows from one size to the next (x10): Flat adds linearly; HNSW ~ n log n; IVF's add
# and k-means both grow with n * nlist, with nlist ~ sqrt(n).
GROWTH = {"Flat": 1.0, "HNSW32": 1.25, "IVF": math.sqrt(10)}


def make_data(n: int, seed: int, noise: float) -> tuple[Any, Any]:
    """n clustered unit vectors and N_QUERIES queries from the same distribution (float32, seeded)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((CENTRES, DIM), dtype=np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    scale = np.float32(noise / math.sqrt(DIM))  # the noise vector's norm is ~`noise`

    def draw(m: int, r: Any) -> Any:
        out = np.empty((m, DIM), dtype=np.float32)
        step = 100_000
        for a in range(0, m, step):
            b = min(m, a + step)
            labels = r.integers(0, CENTRES, b - a)
            block = r.standard_normal((b - a, DIM), dtype=np.float32)
            block *= scale
            block += centres[labels]
            block /= np.linalg.norm(block, axis=1, keepdims=True)
            out[a:b] = block
        return out

    return draw(n, rng), draw(N_QUERIES, np.random.default_rng(seed + 1))


def _search_latency(index: Any, queries: Any) -> tuple[list[float], Any]:
    import faiss
    import numpy as np

    faiss.omp_set_num_threads(1)
    lat = []
    ids = np.empty((len(queries), K), dtype=np.int64)
    for _ in range(3):  # warm-up
        index.search(queries[:1], K)
    for i in range(len(queries)):
        q = queries[i : i + 1]
        t = time.perf_counter()
        _, found = index.search(q, K)
        lat.append(time.perf_counter() - t)
        ids[i] = found[0]
    return lat, ids


def _recall(ids: Any, truth: Any) -> float:
    return float(sum(len(set(a.tolist()) & set(b.tolist())) for a, b in zip(ids, truth, strict=True)) / (K * len(ids)))


def bench_size(n: int, kinds: list[str], seed: int, noise: float, threads: int, skip: dict[str, str]) -> dict[str, Any]:
    import faiss

    bl.log(f"[faiss] n={n:,}: generating data ...")
    t = time.perf_counter()
    xb, xq = make_data(n, seed, noise)
    gen_s = time.perf_counter() - t
    nlist = max(1, round(4 * math.sqrt(n)))
    out: dict[str, Any] = {"n": n, "generate_s": gen_s, "nlist": nlist, "results": {}, "skipped": {}}
    truth = None
    for kind in kinds:
        if kind in skip:
            out["skipped"][kind] = skip[kind]
            bl.log(f"[faiss] n={n:,} {kind}: skipped ({skip[kind]})")
            continue
        factory = {"Flat": "Flat", "HNSW32": "HNSW32", "IVF": f"IVF{nlist},Flat"}[kind]
        bl.log(f"[faiss] n={n:,} {factory}: building ...")
        faiss.omp_set_num_threads(threads)
        gc.collect()
        rss0 = bl.rss_mb()
        t = time.perf_counter()
        index = faiss.index_factory(DIM, factory, faiss.METRIC_INNER_PRODUCT)
        train_s = 0.0
        train_n = 0
        if not index.is_trained:
            ivf = faiss.extract_index_ivf(index)
            ivf.cp.niter = 10  # faiss' IVF default is also 10 k-means iterations
            # 50 points per list (faiss warns below 39); faiss would itself subsample to 256 per list.
            train_n = min(n, 50 * nlist)
            t_train = time.perf_counter()
            index.train(xb[:train_n])  # the data is already in random order
            train_s = time.perf_counter() - t_train
        index.add(xb)
        build_s = time.perf_counter() - t
        rss_growth = bl.rss_mb() - rss0
        size_mb = faiss.serialize_index(index).nbytes / 1e6
        bl.log(f"[faiss] n={n:,} {factory}: built in {build_s:.1f}s; searching ...")
        if kind == "Flat":
            faiss.omp_set_num_threads(threads)
            _, truth = index.search(xq, K)  # exact: the ground truth for the others
        settings: list[tuple[str, Any]] = [("", None)]
        if kind == "HNSW32":
            settings = [("efSearch=16", 16), ("efSearch=64", 64)]
        elif kind == "IVF":
            settings = [("nprobe=8", 8), ("nprobe=16", 16)]
        for label, value in settings:
            if kind == "HNSW32":
                index.hnsw.efSearch = value
            elif kind == "IVF":
                faiss.extract_index_ivf(index).nprobe = value
            lat, ids = _search_latency(index, xq)
            name = f"{factory} {label}".strip()
            out["results"][name] = {
                "kind": kind,
                "factory": factory,
                "search_param": label or None,
                "build_s": build_s,
                "train_s": train_s,
                "train_points": train_n,
                "size_mb": size_mb,
                "rss_growth_mb": rss_growth,
                "latency": bl.summary_ms(lat),
                "recall_at_10": _recall(ids, truth) if truth is not None else None,
            }
        del index
        gc.collect()
    del xb, xq
    gc.collect()
    return out


def run(
    sizes: list[int], kinds: list[str], seed: int, noise: float, threads: int, max_build_s: float
) -> dict[str, Any]:
    import faiss

    report = bl.new_report(
        "faiss",
        {
            "sizes": sizes,
            "dim": DIM,
            "centres": CENTRES,
            "noise_norm": noise,
            "queries": N_QUERIES,
            "k": K,
            "seed": seed,
            "build_threads": threads,
            "search_threads": 1,
            "max_build_s": max_build_s,
            "faiss": faiss.__version__,
            "hnsw": "M=32, efConstruction=40 (faiss defaults)",
            "ivf": "nlist = round(4*sqrt(n)), k-means 10 iterations on 50*nlist points",
        },
    )
    report["sizes"] = []
    last_build: dict[str, tuple[int, float]] = {}
    for n in sizes:
        skip = {}
        for kind in kinds:
            if kind in last_build:
                n0, b0 = last_build[kind]
                steps = math.log10(n / n0)
                est = b0 * (n / n0) * GROWTH[kind] ** steps
                if est > max_build_s:
                    skip[kind] = (
                        f"estimated build {est:.0f}s > {max_build_s:.0f}s (from {b0:.1f}s at {n0:,}); stopped at {n0:,}"
                    )
        res = bench_size(n, kinds, seed, noise, threads, skip)
        for r in res["results"].values():
            last_build[r["kind"]] = (n, r["build_s"])
        for kind in res["skipped"]:
            last_build[kind] = (n, float("inf"))  # once stopped, larger sizes are skipped too
        report["sizes"].append(res)
    return report


def markdown(r: dict[str, Any]) -> str:
    s = r["settings"]
    f = bl.fmt
    rows = []
    notes = []
    for size in r["sizes"]:
        n = size["n"]
        for name, x in size["results"].items():
            lat = x["latency"]
            rows.append(
                (
                    f"{n:,}",
                    name,
                    f(x["build_s"], ".2f"),
                    f(lat["p50_ms"], ".3f"),
                    f(lat["p95_ms"], ".3f"),
                    f(x["size_mb"], ".0f"),
                    f(x["rss_growth_mb"], ".0f"),
                    f(x["recall_at_10"], ".3f"),
                )
            )
        for kind, why in size["skipped"].items():
            rows.append((f"{n:,}", kind, "not run", "", "", "", "", ""))
            if "stopped" in why and not any(why == w for _, w in notes):
                notes.append((kind, why))
    out = [
        f"### faiss search cost vs size ({s['dim']}-d, {s['centres']:,} Gaussian clusters, noise norm "
        f"{s['noise_norm']}, normalised; {s['queries']} single queries, k={s['k']}, 1 search thread; "
        f"builds with {s['build_threads']} threads)",
        "",
        bl.md_table(
            [
                "vectors",
                "index",
                "build (s)",
                "query p50 (ms)",
                "query p95 (ms)",
                "serialized (MB)",
                "RSS growth (MB)",
                "recall@10",
            ],
            rows,
            "rlrrrrrr",
        ),
    ]
    for kind, why in notes:
        out += ["", f"{kind}: {why}."]
    out += [
        "",
        "Recall depends on the data: these clusters are well separated, so a query's 10 neighbours sit in its own "
        "cluster and IVF (nlist > clusters) finds them all; expect lower IVF recall on real embeddings. "
        "RSS growth is approximate (freed memory is reused between builds); the serialized size is exact.",
    ]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--kinds", default="Flat,HNSW32,IVF")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--noise", type=float, default=0.6, help="norm of the noise added to a cluster centre")
    ap.add_argument("--threads", type=int, default=2, help="threads for building (search always uses 1)")
    ap.add_argument("--max-build-s", type=float, default=300.0, help="skip a build estimated to take longer")
    ap.add_argument("--quick", action="store_true", help="10k and 100k only")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]
    if args.quick:
        sizes = [n for n in sizes if n <= 100_000]
    report = run(sizes, args.kinds.split(","), args.seed, args.noise, args.threads, args.max_build_s)
    bl.publish(report, args.out, markdown)


if __name__ == "__main__":
    main()
