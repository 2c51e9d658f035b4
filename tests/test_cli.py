"""The `assistant` command, run as a real subprocess against the session's real index (never rebuilt here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SUBCOMMANDS = ("index", "search", "ask", "chat", "serve", "eval", "feedback")
HIT_KEYS = {"passage_id", "section", "text", "score", "dense_score", "bm25_score", "facts"}


def _env(index_dir: Path, data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env.update(
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
        ASSISTANT_INDEX_DIR=str(index_dir),
        ASSISTANT_DATA_DIR=str(data_dir),
        PYTHONIOENCODING="utf-8",
    )
    env.update(extra)
    return env


def _run(args: list[str], env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        cwd=Path(__file__).resolve().parents[1],
    )


@pytest.fixture(scope="module")
def real_env(engine, real_settings, tmp_path_factory) -> dict[str, str]:
    """The environment of a CLI that uses the index the `engine` fixture has already built."""
    index_dir = real_settings.resolved_index_dir()
    assert (index_dir / "current").exists()
    return _env(index_dir, tmp_path_factory.mktemp("cli-data"))


@pytest.fixture(scope="module")
def help_env(tmp_path_factory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("cli-help")
    return _env(base / "index", base / "data")


# ---------------------------------------------------------------- help


def test_main_help_lists_every_subcommand(help_env) -> None:
    r = _run(["--help"], help_env)
    assert r.returncode == 0, r.stderr
    assert "Usage:" in r.stdout
    assert "citations" in r.stdout  # what the tool is for
    for cmd in SUBCOMMANDS:
        assert f"\n  {cmd} " in r.stdout, f"{cmd} is not listed in --help"
    assert r.stderr == ""


@pytest.mark.parametrize("cmd", SUBCOMMANDS)
def test_subcommand_help_exits_0_and_explains(help_env, cmd: str) -> None:
    r = _run([cmd, "--help"], help_env)
    assert r.returncode == 0, r.stderr
    assert f"Usage: python -m assistant.cli {cmd}" in r.stdout or f"{cmd} [OPTIONS]" in r.stdout
    lines = [line.strip() for line in r.stdout.splitlines() if line.strip()]
    description = lines[1]  # the line after "Usage: ..."
    assert len(description.split()) >= 3, f"{cmd} --help has no description: {r.stdout!r}"
    assert "--help" in r.stdout
    assert "Traceback" not in r.stderr
    assert not (Path(help_env["ASSISTANT_INDEX_DIR"]) / "current").exists(), "--help must not build an index"


def test_short_help_flag_works(help_env) -> None:
    r = _run(["ask", "-h"], help_env)
    assert r.returncode == 0
    assert "QUESTION" in r.stdout


# ---------------------------------------------------------------- ask and search


def test_ask_prints_a_cited_answer_and_sources(real_env) -> None:
    r = _run(["ask", "Who developed Keras?"], real_env)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    answer, _, sources = out.partition("\nSources:\n")
    assert "Chollet" in answer
    assert "[1]" in answer
    assert sources, f"no Sources: list in {out!r}"
    assert "  [1] " in sources
    assert "article/iron-age-2015-2016/" in sources
    assert "Traceback" not in r.stderr
    assert "building the index" not in r.stderr, "the CLI rebuilt the session's index"


def test_ask_json_prints_exactly_one_answer_object(real_env) -> None:
    from assistant import Answer

    r = _run(["ask", "--json", "Who developed Keras?"], real_env)
    assert r.returncode == 0, r.stderr
    stdout = r.stdout.strip()
    assert stdout.count("\n") == 0, "more than one line on stdout"
    obj = json.loads(stdout)
    assert isinstance(obj, dict)
    a = Answer.model_validate_json(stdout)
    assert not a.abstained
    assert "Chollet" in a.answer and "[1]" in a.answer
    assert a.citations and a.citations[0].n == 1
    assert a.hits
    assert a.question == "Who developed Keras?"


def test_search_json_prints_one_object_with_scored_hits(real_env) -> None:
    r = _run(["search", "hybridization", "--json", "-k", "3"], real_env)
    assert r.returncode == 0, r.stderr
    stdout = r.stdout.strip()
    assert stdout.count("\n") == 0
    obj = json.loads(stdout)
    assert set(obj) == {"query", "mode", "hits"}
    assert obj["query"] == "hybridization"
    assert obj["mode"] == "hybrid"
    assert len(obj["hits"]) == 3
    for h in obj["hits"]:
        assert set(h) == HIT_KEYS
        assert isinstance(h["passage_id"], str) and isinstance(h["text"], str)
        assert all(isinstance(h[k], float | int) for k in ("score", "dense_score", "bm25_score"))
        assert isinstance(h["facts"], list)
    assert "hybridization" in obj["hits"][0]["text"]
    assert obj["hits"][0]["bm25_score"] > 0


def test_search_mode_option_is_honoured(real_env) -> None:
    r = _run(["search", "hybridization", "--json", "--mode", "bm25", "-k", "1"], real_env)
    assert r.returncode == 0, r.stderr
    obj = json.loads(r.stdout)
    assert obj["mode"] == "bm25"
    assert obj["hits"][0]["score"] == obj["hits"][0]["bm25_score"]


def test_search_plain_output_ranks_passages(real_env) -> None:
    r = _run(["search", "hybridization", "-k", "2"], real_env)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("1. article/iron-age-2015-2016/")
    assert "score=" in lines[0] and "dense=" in lines[0] and "bm25=" in lines[0]


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "question",
    ["", "   ", "x" * 1500, ("Who developed Keras? " * 75)[:1500]],
    ids=["empty", "blank", "1500-x", "1500-words"],
)
def test_bad_question_exits_2_with_one_error_line(real_env, question: str) -> None:
    r = _run(["ask", question], real_env, timeout=60)
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in r.stderr
    if question.strip():
        assert "too long" in lines[0] and "1500" in lines[0]
    else:
        assert "empty" in lines[0]


def test_unknown_mode_is_a_usage_error(real_env) -> None:
    r = _run(["ask", "--mode", "fuzzy", "Who developed Keras?"], real_env, timeout=60)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "fuzzy" in r.stderr


# ---------------------------------------------------------------- index


def test_index_reports_what_it_verified(real_env, engine) -> None:
    r = _run(["index"], real_env)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "up to date" in out, "the session's index should be current"
    m = engine.index.manifest
    for label in ("passages:", "facts:", "dimension:", "seconds:", "where:"):
        assert label in out, label
    assert f"passages:  {m.counts['passages']}" in out
    assert f"facts: {m.counts['facts']}" in out
    assert f"dimension: {m.dim}" in out
    where = next(line.split("where:", 1)[1].strip() for line in out.splitlines() if "where:" in line)
    assert Path(where) == engine.index.path
    seconds = next(line.split("seconds:", 1)[1].strip() for line in out.splitlines() if "seconds:" in line)
    assert float(seconds) >= 0


# ---------------------------------------------------------------- another corpus


def test_ask_on_a_tiny_corpus_with_its_own_index(tmp_path: Path, tiny_corpus: Path) -> None:
    corpus = tiny_corpus
    index_dir = tmp_path / "tiny-index"
    # The torch query path: skips the ONNX export, which the session's real build already covers.
    env = _env(tmp_path / "unused-index", tmp_path / "data", ASSISTANT_QUERY_ENCODER="torch")
    r = _run(["--corpus", str(corpus), "--index-dir", str(index_dir), "ask", "Who developed Graphix?"], env)
    assert r.returncode == 0, r.stderr
    assert "Acme Corp." in r.stdout and "[1]" in r.stdout
    assert "article/later-years-2010/1" in r.stdout
    assert (index_dir / "current").exists()
    assert not (tmp_path / "unused-index").exists()
    manifest = json.loads((index_dir / "current" / "manifest.json").read_text())
    ids = [json.loads(line)["passage_id"] for line in (index_dir / "current" / "passages.jsonl").open()]
    assert {"article/early-days-2001/1", "article/later-years-2010/1"} <= set(ids)
    assert manifest["counts"]["passages"] == len(ids)
    assert Path(manifest["corpus"]["root"]).resolve() == corpus.resolve()


def test_answers_do_not_depend_on_the_process_hash_seed(real_env, tmp_path: Path) -> None:
    """Same questions, same answers and citations in processes with different string hashing
    (PYTHONHASHSEED changes the iteration order of every set and dict of strings)."""
    gold = Path(__file__).resolve().parents[1] / "corpus" / "qa_dev5.jsonl"
    runs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}"
        r = _run(["eval", "--gold", str(gold), "--out", str(out)], dict(real_env, PYTHONHASHSEED=seed), timeout=300)
        assert r.returncode == 0, r.stderr
        items = json.loads((out / "report.json").read_text())["items"]
        runs.append({i["id"]: (i["answer"], [c["passage_id"] for c in i["citations"]], i["confidence"]) for i in items})
    assert len(runs[0]) == 80
    assert runs[0] == runs[1]
