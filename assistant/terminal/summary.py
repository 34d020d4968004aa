"""`assistant summarize SOURCE...`: the key points of indexed documents, each printed with its
cited sentences as soon as it has passed its checks (summarize.py does the work).
"""

from __future__ import annotations

import json
import sys

import click

from .options import index_option, make_settings, model_option, store_option


@click.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
@model_option
@index_option
@store_option
def summarize(sources, as_json, model, index_dir):
    """Summarise indexed documents in 3-7 key points, each citing the exact sentence it states.

    SOURCES are documents as `assistant docs` shows them: a path, the file name or the title.
    Several documents get one summary, each taking its turn. A point that fails its checks is
    left out.

    Example usage:

    \b
        assistant summarize seeds/001_0c2ad8eadeb24f7d.txt
        assistant summarize "Conflict Alerts # 508, 6 May 2022"
        assistant summarize --json 001_0c2ad8eadeb24f7d.txt | jq -r '.points[].text'
    """
    from ..summarize import summarize as summarise
    from . import live, render

    status = live.Status(enabled=False if as_json else None)
    assistant, names = _open(sources, model, index_dir, status)
    resources = assistant.resources
    out = render.style_for(sys.stdout)
    files = assistant.documents()
    if not as_json:
        click.echo(render.heading(_heading(names, files), out))
    status.show("Reading the documents and writing the key points...")

    def on_point(point) -> None:
        status.clear()
        if not as_json:
            click.echo(point_text(point, out))
        status.show("Writing the next point...")

    try:
        summary = summarise(resources, names, on_point=on_point)
    finally:
        status.clear()
    if as_json:
        click.echo(json.dumps(summary.to_json(), ensure_ascii=False, indent=2))
        return
    if not summary.points:
        click.echo(render.line(summary.text, out, "bold yellow"))
    click.echo("\n" + render.line(_footer(summary), out, "dim"))


def _open(sources, model, index_dir, status):
    """The assistant, its model loading in the background, and the index's names for `sources`."""
    from .. import documents
    from ..answer import Assistant
    from .documents import indexed_names

    settings, model = make_settings(index_dir, None, model)
    assistant = Assistant(settings, model=model, log=status.log)
    assistant.resources.model_path()  # a missing or broken model file fails here, in one line
    assistant.resources.preload()  # the model loads while the index is read
    with status.show("Loading the index..."):
        documents.warn_if_stale(assistant.resources)  # summarised from the index's copy
        return assistant, indexed_names(sources, assistant, index_dir)


def _footer(summary) -> str:
    tried = len(summary.points) + len(summary.dropped)
    return (
        f"({len(summary.points)} of {tried} points kept, each checked against its source; {summary.model}; "
        f"first point {summary.first_point_s} s, total {summary.total_s} s)"
    )


def _heading(names: list[str], files: dict) -> str:
    """'Key points of “Title” (source):', or of several documents, each named."""
    named = [f"“{(files.get(n) or {}).get('title') or n}” ({n})" for n in names]
    return f"Key points of {named[0]}:" if len(named) == 1 else "Key points of " + "; ".join(named) + ":"


def point_text(point, style) -> str:
    """One point, then each sentence it cites, as `assistant ask` prints its sources."""
    from . import render

    head = render.line(f"\u2022 {point.text}", style, "bold", marker="cyan", hang="  ")
    return "\n".join(["", head, *render.cited_lines(point.citations, style, indent="    ")])
