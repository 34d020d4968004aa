"""The terminal front end: `assistant ask`, `assistant index`, `assistant eval`, `assistant ui`.

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
            raise click.ClickException(str(e))


def settings_options(f):
    """Flags that mean the same in every command."""
    f = click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path),
                     help="Index folder (default: ./index of the project, or $ASSISTANT_INDEX).")(f)
    f = click.option("-k", "--top-k", type=click.IntRange(1, 20),
                     help="Evidence passages shown to the model (default 4).")(f)
    f = click.option("--model", "model",
                     help="A GGUF file, or a packaged model: qwen (default), smollm2. "
                          "Also $ASSISTANT_MODEL.")(f)
    return f


def make_settings(index_dir=None, top_k=None, model=None):
    s = from_env().with_(index_dir=index_dir, top_k=top_k)
    return s, model or (str(s.model_path) if s.model_path else None)


@click.group(cls=Group)
@click.version_option(package_name="cited-assistant")
def cli():
    """Answer questions from your documents, citing the exact passages.

    Example usage:

        assistant ask "When did Operation Serval become Operation Barkhane?"
    """


@cli.command()
@click.argument("question", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
@settings_options
def ask(question, as_json, model, top_k, index_dir):
    """Answer QUESTION from the indexed documents, with numbered citations.

    Example usage:

        assistant ask "Who leads Mali's junta?"
        assistant ask --json "When did France withdraw?" | jq .citations
    """
    from .answer import Assistant

    settings, model = make_settings(index_dir, top_k, model)
    assistant = Assistant(settings, model=model)
    q = assistant.check_question(" ".join(question))  # fail fast, before loading anything
    assistant.preload()
    streamed = []

    def on_token(piece):
        streamed.append(piece)
        click.echo(piece, nl=False)
        sys.stdout.flush()

    answer = assistant.ask(q, on_token=None if as_json else on_token)
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return
    click.echo()
    if answer.answer.strip() != "".join(streamed).strip():
        click.secho(f"\nChecked answer: {answer.answer}" if streamed else answer.answer,
                    bold=True)
    click.echo(render_sources(answer))


def render_sources(answer) -> str:
    if answer.abstained:
        return ""
    lines = ["", "Sources:"]
    for c in answer.citations:
        where = f"page {c.page}, " if c.page else ""
        flag = "" if c.supported else "  (not confirmed by the citation check)"
        lines.append(f"  [{c.n}] {c.source} ({where}chars {c.start}-{c.end}){flag}")
        lines += textwrap.wrap(f"“{c.quote}”", 92, initial_indent="      ",
                               subsequent_indent="       ")
    t = answer.timings
    lines.append(f"\n({answer.model}; first token {t.get('first_token_s')} s, "
                 f"total {t.get('total_s')} s)")
    return "\n".join(lines)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Re-embed everything from scratch.")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Index folder (default: ./index of the project, or $ASSISTANT_INDEX).")
def index(paths, rebuild, index_dir):
    """Add or update files and folders (.txt, .md, .pdf) in the index.

    Unchanged files keep their vectors; files that are gone are dropped. With no PATH,
    the seeds folder is indexed.

    Example usage:

        assistant index ~/reports notes.md
    """
    from .index import update

    settings, _ = make_settings(index_dir)
    report = update(settings, paths, rebuild=rebuild)
    for label, names in (("added", report.added), ("changed", report.changed),
                         ("removed", report.removed)):
        for name in names:
            click.echo(f"{label}: {name}")
    for line in report.failed:
        click.echo(f"skipped: {line}", err=True)
    click.echo(report.summary())
    if report.failed:
        sys.exit(1)


def main():
    cli(prog_name="assistant")


if __name__ == "__main__":
    main()
