"""The gold question set, answer-accuracy metrics (pure functions) and the `assistant eval` report."""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError, model_validator

from assistant.errors import AssistantError
from assistant.settings import Settings

GOLD_FILE = "qa.jsonl"
METRICS = (
    "hit@1", "hit@3", "hit@5", "mrr", "answer_accuracy", "citation_accuracy", "quote_accuracy",
    "concise", "strict", "abstain_precision", "abstain_recall", "false_abstain_rate",
    "latency_p50_ms", "latency_p95_ms", "n",
)  # fmt: skip


class GoldError(AssistantError, ValueError):
    """The gold file is malformed; the message names the line."""


class GoldItem(BaseModel):
    id: str
    kind: str
    question: str
    history: list[Any] = Field(default_factory=list)
    answers: list[str] = Field(default_factory=list)
    match: Literal["any", "all"] = "any"
    evidence: str | None = None
    abstain: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> GoldItem:
        if not self.abstain and (not self.answers or not self.evidence):
            raise ValueError("an answerable item needs 'answers' and 'evidence'")
        return self


def load_gold(path: Path) -> list[GoldItem]:
    """Read a JSONL gold file; errors name the line and the problem."""
    if not path.is_file():
        raise GoldError(f"gold file not found: {path}")
    items: list[GoldItem] = []
    for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append(GoldItem.model_validate_json(line))
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(x) for x in err["loc"])
            raise GoldError(f"{path.name}: line {no}: {where + ': ' if where else ''}{err['msg']}") from exc
    if not items:
        raise GoldError(f"{path.name}: the gold file has no questions")
    ids = [i.id for i in items]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise GoldError(f"{path.name}: duplicate ids {dupes}")
    return items


# ---------------------------------------------------------------- metrics (pure)


def fold(text: str) -> str:
    """Accent- and case-insensitive, whitespace-normalised comparison form."""
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def contains(haystack: str, needle: str) -> bool:
    return fold(needle) in fold(haystack)


def answer_correct(answer: str, answers: Sequence[str], match: str) -> bool:
    if not answers:
        return False
    found = [contains(answer, a) for a in answers]
    return all(found) if match == "all" else any(found)


def plain_evidence(evidence: str) -> str:
    """Evidence quoted with its Markdown heading marks ("## Iron Age (2015~2016)"): passages hold the
    heading's text, not the marks."""
    return re.sub(r"(?m)^\s*#+\s+", "", evidence)


def first_hit_rank(passages: Sequence[str], evidence: str) -> int | None:
    """1-based rank of the first passage containing the evidence, or None."""
    for i, text in enumerate(passages, 1):
        if contains(text, evidence):
            return i
    return None


def hit_at(rank: int | None, k: int) -> float:
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None) -> float:
    return 1.0 / rank if rank else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo, hi = int(pos), min(int(pos) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _mean(xs: Sequence[float]) -> float | None:
    return round(sum(xs) / len(xs), 4) if xs else None


def summarise(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The report's figures for a group of scored items (None where a figure does not apply)."""
    ans = [i for i in items if not i["gold_abstain"]]
    ooc = [i for i in items if i["gold_abstain"]]
    abstained = [i for i in items if i["abstained"]]
    lat = [i["latency_ms"] for i in items]
    return {
        "hit@1": _mean([hit_at(i["rank"], 1) for i in ans]),
        "hit@3": _mean([hit_at(i["rank"], 3) for i in ans]),
        "hit@5": _mean([hit_at(i["rank"], 5) for i in ans]),
        "mrr": _mean([reciprocal_rank(i["rank"]) for i in ans]),
        "answer_accuracy": _mean([float(i["checks"]["correct"]) for i in ans]),
        "citation_accuracy": _mean([float(i["checks"]["cited"]) for i in ans]),
        "quote_accuracy": _mean([float(i["checks"]["quoted"]) for i in ans]),
        "concise": _mean([float(i["checks"]["concise"]) for i in ans]),
        "strict": _mean([float(i["checks"]["strict"]) for i in ans]),
        "abstain_precision": round(sum(1 for i in abstained if i["gold_abstain"]) / len(abstained), 4)
        if abstained
        else None,
        "abstain_recall": _mean([float(i["abstained"]) for i in ooc]),
        "false_abstain_rate": _mean([float(i["abstained"]) for i in ans]),
        "latency_p50_ms": round(percentile(lat, 0.5), 3),
        "latency_p95_ms": round(percentile(lat, 0.95), 3),
        "n": len(items),
    }


def score_item(item: GoldItem, answer: Any, latency_ms: float) -> dict[str, Any]:
    """One gold item against one Answer: every check, and why it failed."""
    from assistant.answer import MAX_WORDS, word_count

    evidence = plain_evidence(item.evidence or "")
    rank = first_hit_rank([h.text for h in answer.hits], evidence) if evidence else None
    if item.abstain:
        checks = {"abstained_ok": answer.abstained}
    else:
        correct = not answer.abstained and answer_correct(answer.answer, item.answers, item.match)
        cited = any(contains(c.text, evidence) for c in answer.citations)
        quoted = any(contains(c.quote, evidence) for c in answer.citations)
        concise = word_count(answer.answer) <= MAX_WORDS
        checks = {
            "correct": correct,
            "cited": cited,
            "quoted": quoted,
            "concise": concise,
            "strict": correct and cited and concise,
        }
    return {
        "id": item.id,
        "kind": item.kind,
        "question": item.question,
        "history": item.history,
        "expected": item.answers,
        "evidence": item.evidence,
        "gold_abstain": item.abstain,
        "answer": answer.answer,
        "citations": [{"n": c.n, "passage_id": c.passage_id, "quote": c.quote} for c in answer.citations],
        "abstained": answer.abstained,
        "confidence": answer.confidence,
        "method": answer.method,
        "rank": rank,
        "checks": checks,
        "passed": all(checks.values()) if item.abstain else checks["strict"],
        "latency_ms": round(latency_ms, 3),
    }


# ---------------------------------------------------------------- running


def evaluate(engine: Any, items: Sequence[GoldItem], mode: str) -> dict[str, Any]:
    """Ask every gold question (follow-ups with their history) and score the answers."""
    scored = []
    for item in items:
        t0 = time.perf_counter()
        a = engine.ask(item.question, item.history, mode=mode)
        scored.append(score_item(item, a, (time.perf_counter() - t0) * 1000))
    kinds = sorted({s["kind"] for s in scored})
    return {
        "mode": mode,
        "summary": summarise(scored),
        "by_kind": {k: summarise([s for s in scored if s["kind"] == k]) for k in kinds},
        "items": scored,
    }


def _fmt(v: Any) -> str:
    return "–" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))


def table(columns: dict[str, dict[str, Any]], rows: Sequence[str] = METRICS) -> str:
    """A Markdown table: one row per metric, one column per run or kind."""
    head = "| metric | " + " | ".join(columns) + " |\n|---|" + "---|" * len(columns) + "\n"
    return head + "".join(f"| {r} | " + " | ".join(_fmt(c.get(r)) for c in columns.values()) + " |\n" for r in rows)


def failures(items: Sequence[dict[str, Any]]) -> list[str]:
    out = []
    for i in items:
        if i["passed"]:
            continue
        failed = [k for k, v in i["checks"].items() if not v and k != "strict"]
        expected = "(abstain)" if i["gold_abstain"] else " | ".join(i["expected"])
        out.append(
            f"- **{i['id']}** ({i['kind']}) {i['question']!r}\n  expected: {expected}\n  got: {i['answer']!r}\n  failed: {', '.join(failed) or 'strict'}"
        )
    return out


def compare(report: dict[str, Any], baseline: dict[str, Any]) -> str:
    """Change of every figure, and the items that flipped."""
    lines = ["| metric | baseline | now | change |", "|---|---|---|---|"]
    for m in METRICS:
        a, b = baseline["summary"].get(m), report["summary"].get(m)
        delta = f"{b - a:+.3f}" if isinstance(a, int | float) and isinstance(b, int | float) else "–"
        lines.append(f"| {m} | {_fmt(a)} | {_fmt(b)} | {delta} |")
    before = {i["id"]: i["passed"] for i in baseline.get("items", [])}
    fixed = [i["id"] for i in report["items"] if i["id"] in before and i["passed"] and not before[i["id"]]]
    broken = [i["id"] for i in report["items"] if i["id"] in before and not i["passed"] and before[i["id"]]]
    lines += [
        "",
        f"fixed ({len(fixed)}): {', '.join(fixed) or '–'}",
        f"broken ({len(broken)}): {', '.join(broken) or '–'}",
    ]
    return "\n".join(lines)


def chart(runs: dict[str, dict[str, Any]], path: Path) -> None:
    """Strict accuracy per question kind and mode, and the latency distribution."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 4.5), gridspec_kw={"width_ratios": [3, 1]})
    kinds = sorted({k for r in runs.values() for k in r["by_kind"]})
    width = 0.8 / max(1, len(runs))
    for j, (mode, r) in enumerate(runs.items()):
        vals = [
            (r["by_kind"][k]["strict"] if r["by_kind"][k]["strict"] is not None else r["by_kind"][k]["abstain_recall"])
            or 0
            for k in kinds
        ]
        ax1.bar([i + j * width for i in range(len(kinds))], vals, width, label=mode)
    ax1.set_xticks([i + width * (len(runs) - 1) / 2 for i in range(len(kinds))], kinds, rotation=30, ha="right")
    ax1.set_ylabel("strict accuracy (abstain recall for out_of_corpus)")
    ax1.set_ylim(0, 1.05)
    ax1.legend()
    for mode, r in runs.items():
        ax2.hist([i["latency_ms"] for i in r["items"]], bins=30, alpha=0.6, label=mode)
    ax2.set_xlabel("latency per question (ms)")
    ax2.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run_cli(
    settings: Settings,
    gold: Path | None,
    mode: str,
    out: Path,
    min_strict: float | None,
    baseline: Path | None,
    echo: Callable[[str], None] = print,
) -> int:
    """`assistant eval`: run, print, write report.json/report.md/chart.png; exit code for CI."""
    from assistant.engine import Assistant
    from assistant.index import library_versions

    gold = gold or settings.resolved_corpus_dir() / GOLD_FILE
    items = load_gold(gold)
    engine = Assistant(settings, progress=False)
    modes = ["dense", "bm25", "hybrid"] if mode == "all" else [mode]
    runs = {m: evaluate(engine, items, m) for m in modes}
    main_mode = "hybrid" if "hybrid" in runs else modes[0]
    main = runs[main_mode]
    report = {
        "summary": main["summary"],
        "by_kind": main["by_kind"],
        "items": main["items"],
        "settings": {**json.loads(settings.model_dump_json()), "mode": main_mode, "gold": str(gold)},
        "versions": library_versions(),
        "modes": {m: r["summary"] for m, r in runs.items()},
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    overall = table({m: r["summary"] for m, r in runs.items()})
    per_kind = table(main["by_kind"])
    fails = failures(main["items"])
    md = [
        f"# Evaluation: {gold.name} ({len(items)} questions)",
        "",
        "## Overall",
        "",
        overall,
        f"## By kind ({main_mode})",
        "",
        per_kind,
    ]
    if baseline:
        md += ["## Against the baseline", "", compare(report, json.loads(baseline.read_text())), ""]
    md += [f"## Failures ({len(fails)})", "", *fails, ""]
    (out / "report.md").write_text("\n".join(md))
    chart(runs, out / "chart.png")
    echo(overall)
    echo(f"By kind ({main_mode}):\n" + per_kind)
    if baseline:
        echo(compare(report, json.loads(baseline.read_text())))
    echo(f"Failures ({len(fails)}):\n" + "\n".join(fails))
    echo(f"wrote {out / 'report.json'}, {out / 'report.md'}, {out / 'chart.png'}")
    strict = main["summary"]["strict"] or 0.0
    if min_strict is not None and strict < min_strict:
        echo(f"strict accuracy {strict:.3f} is below --min-strict {min_strict}")
        return 1
    return 0
