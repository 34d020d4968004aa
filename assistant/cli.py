"""The terminal front end: `assistant ask`, `chat`, `search`, `index`, `eval` and `ui`.

Thin by design: every command builds Settings, calls the library, and prints.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import click

from .config import from_env
from .errors import AssistantError


class Group(click.Group):
    """Errors a user can cause print one line and exit 1; anything else is a bug and shows."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AssistantError as e:
            raise click.ClickException(str(e)) from e


def settings_options(f):
    """Flags that mean the same in every command."""
    f = click.option(
        "--index",
        "index_dir",
        type=click.Path(file_okay=False, path_type=Path),
        help="Index folder (default: ./index of the project, or $ASSISTANT_INDEX).",
    )(f)
    f = click.option(
        "-k", "--top-k", type=click.IntRange(1, 20), help="Evidence passages shown to the model (default 4)."
    )(f)
    f = click.option(
        "--model",
        "model",
        help="A GGUF file, or a packaged model: qwen (default), smollm2. Also $ASSISTANT_MODEL.",
    )(f)
    return f


def make_settings(index_dir=None, top_k=None, model=None):
    s = from_env().with_(index_dir=index_dir, top_k=top_k)
    return s, model or (str(s.model_path) if s.model_path else None)


@click.group(cls=Group)
@click.version_option(package_name="cited-assistant")
def cli():
    """Answer questions from your documents, citing the exact passages.

    Example usage:

    \b
        assistant ask "When did Operation Serval become Operation Barkhane?"
    """


@cli.command()
@click.argument("question", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
@settings_options
def ask(question, as_json, model, top_k, index_dir):
    """Answer QUESTION from the indexed documents, with numbered citations.

    Example usage:

    \b
        assistant ask "Who leads Mali's junta?"
        assistant ask --json "When did France withdraw?" | jq .citations
    """
    from .answer import Assistant

    settings, model = make_settings(index_dir, top_k, model)
    assistant = Assistant(settings, model=model)
    q = assistant.check_question(" ".join(question))  # fail fast, before loading anything
    assistant.model_path()  # a missing or broken model file fails here, in one line
    assistant.refresh()  # files changed since indexing: re-index them, so offsets match
    _ = assistant.index  # a missing or damaged index fails here, before a model loads
    loader = assistant.preload()
    streamed = []

    def on_token(piece):
        streamed.append(piece)
        click.echo(piece, nl=False)
        sys.stdout.flush()

    answer = assistant.ask(q, on_token=None if as_json else on_token)
    if answer.timings.first_token_s is None:  # declined before the model was needed:
        loader.join()  # still report a model that cannot load, now rather than next time
        _ = assistant.llm
    if as_json:
        click.echo(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        return
    click.echo()
    if answer.answer.strip() != "".join(streamed).strip():
        click.secho(f"\nChecked answer: {answer.answer}" if streamed else answer.answer, bold=True)
    click.echo(render_sources(answer))


def render_sources(answer) -> str:
    """The cited sources with their quotes, then how sure the assistant is and why it declined."""
    t = answer.timings
    sure = "" if answer.confidence is None else f"confidence {answer.confidence:.2f}; "
    footer = f"({sure}{answer.model}; first token {t.first_token_s} s, total {t.total_s} s)"
    if answer.abstained:
        return f"\nWhy: {answer.checks.abstain_reason or 'declined'}.\n{footer}"
    lines = ["", "Sources:"]
    for c in answer.citations:
        where = f"page {c.page}, " if c.page else ""
        flag = "" if c.supported else "  (not confirmed by the citation check)"
        lines.append(f"  [{c.n}] {c.source} ({where}chars {c.start}-{c.end}){flag}")
        lines += textwrap.wrap(f"“{c.quote}”", 92, initial_indent="      ", subsequent_indent="       ")
    lines.append(f"\n{footer}")
    return "\n".join(lines)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--rebuild",
    is_flag=True,
    help="Re-embed every file the index holds, and PATHs; also repairs a damaged index.",
)
@click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Index folder (default: ./index of the project, or $ASSISTANT_INDEX).",
)
def index(paths, rebuild, index_dir):
    """Add or update files and folders (.txt, .md, .pdf) in the index.

    Unchanged files keep their vectors; files that are gone are dropped. With no PATH,
    the seeds folder is indexed. --rebuild re-reads every indexed file wherever it lives,
    and recovers the list of files from the data of an index whose manifest is damaged.

    Example usage:

    \b
        assistant index ~/reports notes.md
        assistant index --rebuild
    """
    from .index import update

    settings, _ = make_settings(index_dir)
    report = update(settings, list(paths) if paths else None, rebuild=rebuild)
    done = ("added", report.added), ("changed", report.changed), ("rebuilt", report.rebuilt)
    for label, names in (*done, ("removed", report.removed)):
        for name in names:
            click.echo(f"{label}: {name}")
    for line in report.failed:
        click.echo(f"skipped: {line}", err=True)
    click.echo(report.summary())
    if report.failed:
        sys.exit(1)


@cli.command("eval")
@click.option(
    "--questions",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Question set, JSONL as in evals/README.md (default: evals/seed_questions.jsonl).",
)
@click.option(
    "--dataset",
    help="Run a benchmark instead: clapnq, or the folder with its files. "
    "Uses its own index in .cache/clapnq.",
)
@click.option("--retrieval-only", is_flag=True, help="Score retrieval alone, with no LLM (fast).")
@click.option(
    "--limit",
    type=click.IntRange(1),
    help="Ask only N questions (the first N; for --dataset, N alternating answerable/not).",
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Shuffles the questions drawn from --dataset."
)
@click.option(
    "--block",
    metavar="FIRST-LAST",
    callback=lambda c, p, v: parse_block(v),
    help="With --dataset: questions FIRST..LAST of each file, in file order "
    "(1-100 is for tuning, 101-250 is held out).",
)
@click.option("--label", help="Name for the report folder (default: set and model).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where report folders go (default: evals/results).",
)
@click.option(
    "--compare", nargs=2, metavar="A B", help="Show two report folders' figures side by side, and exit."
)
@click.option("--json", "as_json", is_flag=True, help="Print summary.json on stdout.")
@settings_options
def eval_command(
    questions,
    dataset,
    retrieval_only,
    limit,
    seed,
    block,
    label,
    out,
    compare,
    as_json,
    model,
    top_k,
    index_dir,
):
    """Score answers, citations, abstention, retrieval and latency on a question set.

    Writes evals/results/<time>-<label>/ (report.md, summary.json, results.jsonl, charts)
    and prints the summary. Ctrl-C stops early and keeps the questions already scored.

    Example usage:

    \b
        assistant eval --retrieval-only
        assistant eval --model smollm2 --limit 5
        assistant eval --dataset clapnq --limit 100
        assistant eval --compare evals/results/A evals/results/B
    """
    import shlex

    from .evaluation import report, run

    settings, model = make_settings(index_dir, top_k, model)
    results_dir = out or settings.root / "evals" / "results"
    if compare:
        click.echo(report.compare(*compare, results_dir=results_dir))
        return
    if questions and dataset:
        raise click.UsageError("use --questions or --dataset, not both")
    result = run.run_eval(
        settings,
        model=model,
        questions=questions,
        dataset=dataset,
        retrieval_only=retrieval_only,
        limit=limit,
        seed=seed,
        block=block,
        label=label,
        out=results_dir,
        command=shlex.join(["assistant", *sys.argv[1:]]),
    )
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=1, ensure_ascii=False))
    else:
        click.echo(f"{result.table()}\n\n{result.category_table()}")
    click.echo(f"Report: {result.folder / 'report.md'}", err=True)
    if not result.complete:
        click.echo(
            f"Interrupted: {result.meta['questions_done']} of "
            f"{result.meta['questions_total']} questions scored.",
            err=True,
        )
        sys.exit(130)


def parse_block(value):
    if value is None:
        return None
    try:
        first, last = (int(x) for x in value.split("-"))
    except ValueError:
        raise click.BadParameter(f"{value!r}: write it as FIRST-LAST, e.g. 101-250") from None
    if not 1 <= first <= last:
        raise click.BadParameter(f"{value!r}: FIRST must be at least 1 and at most LAST")
    return first, last


@cli.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 lets other machines in.",
)
@click.option(
    "--port", default=7860, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on."
)
@settings_options
def ui(host, port, model, top_k, index_dir):
    """Open the web chat: answers stream in, with each cited passage highlighted.

    Example usage:

    \b
        assistant ui
        assistant ui --port 8000 --model smollm2
    """
    from .answer import Assistant
    from .web.app import serve

    settings, model = make_settings(index_dir, top_k, model)
    serve(Assistant(settings, model=model), host=host, port=port)


@cli.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
@click.option(
    "-k", "--top-k", type=click.IntRange(1, 50), default=5, show_default=True, help="Passages to print."
)
@click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Index folder (default: ./index of the project, or $ASSISTANT_INDEX).",
)
def search(query, as_json, top_k, index_dir):
    """Print the passages that best match QUERY, with their exact spans; no LLM.

    Each passage is (source, start, end, page): for .txt and .md, the file's characters
    start:end; for PDFs, those of the text of that page (see the README).

    Example usage:

    \b
        assistant search "Operation Barkhane"
        assistant search --json -k 3 "Who leads the junta?" | jq '.passages[].source'
    """
    from .answer import Assistant

    settings, _ = make_settings(index_dir)
    assistant = Assistant(settings)
    q = assistant.check_question(" ".join(query))
    assistant.refresh()  # files changed since indexing: re-index them, so the spans match
    hits, _ = assistant.retrieve(q, k=top_k)
    passages = [_passage_json(rank, hit) for rank, hit in enumerate(hits[:top_k], 1)]
    if as_json:
        click.echo(json.dumps({"query": q, "passages": passages}, ensure_ascii=False, indent=2))
        return
    for p in passages:
        where = f"page {p['page']}, " if p["page"] else ""
        click.echo(f"[{p['rank']}] {p['source']} ({where}chars {p['start']}-{p['end']})  score {p['score']}")
        text = " ".join(p["text"].split())
        click.echo(textwrap.fill(text, 92, initial_indent="    ", subsequent_indent="    "))
    if not passages:
        click.echo("No passage matches.", err=True)


def _passage_json(rank: int, hit) -> dict:
    p = hit.passage
    return {
        "rank": rank,
        "source": p.source,
        "start": p.start,
        "end": p.end,
        "page": p.page,
        "score": round(hit.score, 4),
        "dense": round(hit.dense, 4),
        "keyword": round(hit.keyword, 4),
        "text": p.text,
    }


@cli.command()
@settings_options
def chat(model, top_k, index_dir):
    """A conversation in the terminal: one question per line, answered with citations.

    Follow-ups see the earlier questions and answers ("Who leads the junta?", then "When did
    he postpone the vote?"). An empty line or the end of input (Ctrl-D) ends it.

    Example usage:

    \b
        assistant chat
        printf 'Who leads the junta?\\nWhen did he postpone the vote?\\n' | assistant chat
    """
    from .answer import Assistant
    from .web.session import Session  # pure Python: the conversation the web chat keeps too

    settings, model = make_settings(index_dir, top_k, model)
    assistant = Assistant(settings, model=model)
    assistant.model_path()  # a missing or broken model file fails here, in one line
    assistant.refresh()
    _ = assistant.index  # a missing or damaged index fails here, before a model loads
    assistant.preload()
    interactive = sys.stdin.isatty()
    if interactive:
        click.echo("Ask a question (an empty line ends the conversation).", err=True)
    session = Session()
    try:
        while question := _read_question(interactive):
            session = _chat_turn(assistant, session, question)
    except KeyboardInterrupt:
        click.echo()


def _read_question(interactive: bool) -> str:
    if interactive:
        click.echo("\n> ", nl=False, err=True)
    return sys.stdin.readline().strip()


def _chat_turn(assistant, session, question: str):
    """Answer one question of a conversation, print it with its sources; the next session."""
    from .errors import BadQuestion
    from .web.session import Turn

    streamed: list[str] = []

    def on_token(piece):
        streamed.append(piece)
        click.echo(piece, nl=False)
        sys.stdout.flush()

    try:
        answer = assistant.ask(question, history=session.history(), on_token=on_token)
    except BadQuestion as e:  # too long: say so, and let the conversation go on
        click.echo(f"Error: {e}", err=True)
        return session
    click.echo()
    if answer.answer.strip() != "".join(streamed).strip():
        click.secho(f"\nChecked answer: {answer.answer}" if streamed else answer.answer, bold=True)
    click.echo(render_sources(answer))
    return session.add(Turn(session.next_n, answer.question, answer))


def main():
    cli(prog_name="assistant")


if __name__ == "__main__":
    main()
