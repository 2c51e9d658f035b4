"""The `assistant` command: thin wrappers that call the library and format its results."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

import click

from assistant.errors import AssistantError, InvalidQuestion
from assistant.settings import Settings

MODES = click.Choice(["dense", "bm25", "hybrid"])


def _settings(ctx: click.Context, **overrides: Any) -> Settings:
    base: dict[str, Any] = dict(ctx.obj or {})
    base.update({k: v for k, v in overrides.items() if v is not None})
    return Settings(**base)


def _engine(settings: Settings, rebuild: bool = False) -> Any:
    from assistant.engine import Assistant

    return Assistant(settings, rebuild=rebuild, progress=sys.stderr.isatty())


class _Group(click.Group):
    """Turns our own errors into one line on stderr and exit status 2 (usage) or 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InvalidQuestion as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except AssistantError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--corpus",
    "corpus_dir",
    type=click.Path(path_type=Path),
    help="Folder of .md/.txt files (+ facts.yaml). Env: ASSISTANT_CORPUS_DIR.",
)
@click.option("--index-dir", type=click.Path(path_type=Path), help="Where the index lives. Env: ASSISTANT_INDEX_DIR.")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens (to stderr).")
@click.version_option(package_name="assistant")
@click.pass_context
def main(ctx: click.Context, corpus_dir: Path | None, index_dir: Path | None, verbose: bool) -> None:
    """Ask questions about a corpus and get short answers with citations, offline.

    The default corpus is the article "A Brief History of Deep Learning Frameworks" and its facts.
    Logs and progress go to stderr; results to stdout.
    """
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    ctx.obj = {k: v for k, v in {"corpus_dir": corpus_dir, "index_dir": index_dir}.items() if v is not None}


@main.command()
@click.option("--rebuild", is_flag=True, help="Rebuild even if the index is current.")
@click.option(
    "--corpus", "corpus_dir", type=click.Path(path_type=Path), help="Folder of .md/.txt files (+ facts.yaml)."
)
@click.pass_context
def index(ctx: click.Context, rebuild: bool, corpus_dir: Path | None) -> None:
    """Build the index, or verify it is current (rebuilding when stale)."""
    t0 = time.perf_counter()
    eng = _engine(_settings(ctx, corpus_dir=corpus_dir), rebuild=rebuild)
    m = eng.index.manifest
    did = f"built ({eng.rebuilt_because})" if eng.rebuilt_because else "verified: up to date"
    click.echo(
        f"index {did}\n"
        f"  passages:  {m.counts['passages']}  sentences: {m.counts['sentences']}  facts: {m.counts['facts']}\n"
        f"  dimension: {m.dim}  model: {m.model.get('name')}  faiss: {m.faiss_factory}\n"
        f"  encoder:   {getattr(eng.encoder, 'kind', '?')} (query path)\n"
        f"  seconds:   {time.perf_counter() - t0:.2f}\n"
        f"  where:     {eng.index.path}"
    )


@main.command()
@click.argument("query")
@click.option("-k", type=click.IntRange(1, 50), default=5, show_default=True, help="Number of passages.")
@click.option("--mode", type=MODES, default=None, help="Retrieval mode (default: hybrid).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
@click.pass_context
def search(ctx: click.Context, query: str, k: int, mode: str | None, as_json: bool) -> None:
    """Show the ranked passages for QUERY with dense, BM25 and fused scores."""
    eng = _engine(_settings(ctx))
    mode = mode or eng.settings.mode
    hits = eng.search(query, k=k, mode=mode)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "query": query,
                    "mode": mode,
                    "hits": [
                        h.model_dump(
                            include={"passage_id", "section", "text", "score", "dense_score", "bm25_score", "facts"}
                        )
                        for h in hits
                    ],
                },
                ensure_ascii=False,
            )
        )
        return
    for i, h in enumerate(hits, 1):
        click.echo(
            f"{i}. {h.passage_id}  [{h.section}]  score={h.score:.4f} dense={h.dense_score:.3f} bm25={h.bm25_score:.2f}"
        )
        click.echo("   " + h.text.split("\n", 1)[-1][:220])


def _print_answer(a: Any) -> None:
    click.echo(a.answer)
    if a.citations:
        click.echo("\nSources:")
        for c in a.citations:
            click.echo(f"  [{c.n}] {c.section} ({c.passage_id})\n      “{c.quote}”")


@main.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the answer model as one JSON object on stdout.")
@click.option("--mode", type=MODES, default=None, help="Retrieval mode (default: hybrid).")
@click.pass_context
def ask(ctx: click.Context, question: str, as_json: bool, mode: str | None) -> None:
    """Answer QUESTION with inline [n] markers and a numbered source list."""
    from assistant.conversation import clean_question

    clean_question(question)  # reject bad input before loading anything
    a = _engine(_settings(ctx)).ask(question, mode=mode)
    if as_json:
        click.echo(a.model_dump_json())
    else:
        _print_answer(a)


@main.command()
@click.pass_context
def chat(ctx: click.Context) -> None:
    """An interactive session that keeps the history, so follow-ups work. Ctrl-D to quit."""
    eng = _engine(_settings(ctx))
    history: list[dict[str, str]] = []
    click.echo("Ask about the corpus (empty line or Ctrl-D to quit, /clear to forget the conversation).")
    while True:
        try:
            q = input("> ")
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        if not q.strip():
            return
        if q.strip() == "/clear":
            history.clear()
            continue
        try:
            a = eng.ask(q, history)
        except InvalidQuestion as exc:
            click.echo(f"error: {exc}")
            continue
        _print_answer(a)
        history += [{"role": "user", "content": q}, {"role": "assistant", "content": a.answer}]


@main.command()
@click.option("--host", default=None, help="Interface to bind (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 7860).")
@click.option(
    "--allowed-host",
    "allowed_hosts",
    multiple=True,
    help="Another Host name to answer (e.g. the machine's DNS name when binding 0.0.0.0). Repeatable.",
)
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, allowed_hosts: tuple[str, ...]) -> None:
    """Start the web chat (Gradio) on 127.0.0.1:7860 (never a public share link)."""
    from assistant.web import serve as _serve

    _serve(_settings(ctx, host=host, port=port, allowed_hosts=list(allowed_hosts) or None))


@main.command("eval")
@click.option(
    "--gold",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="Gold questions (JSONL). Default: the corpus's qa.jsonl.",
)
@click.option("--mode", type=click.Choice(["dense", "bm25", "hybrid", "all"]), default="hybrid", show_default=True)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("build/eval"),
    show_default=True,
    help="Folder for report.json, report.md and the chart.",
)
@click.option(
    "--min-strict", type=click.FloatRange(0, 1), default=None, help="Exit 1 when strict accuracy is below this."
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="An earlier report.json to compare with.",
)
@click.pass_context
def eval_(
    ctx: click.Context, gold: Path | None, mode: str, out: Path, min_strict: float | None, baseline: Path | None
) -> None:
    """Measure retrieval and answer accuracy on a gold question set and write a report."""
    from assistant.evaluation import run_cli

    code = run_cli(_settings(ctx), gold, mode, out, min_strict, baseline, echo=click.echo)
    sys.exit(code)


@main.command()
@click.option(
    "--export", "export", type=click.Path(path_type=Path, dir_okay=False), help="Write every record to this JSONL file."
)
@click.pass_context
def feedback(ctx: click.Context, export: Path | None) -> None:
    """Summarise the likes and dislikes given in the web chat (and export them)."""
    from assistant.feedback import FeedbackStore

    store = FeedbackStore(_settings(ctx).resolved_data_dir())
    click.echo(store.summary())
    if export:
        n = store.export(export)
        click.echo(f"wrote {n} records to {export}")


if __name__ == "__main__":
    main()
