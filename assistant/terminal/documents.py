"""The index: `assistant index`, `docs`, `docs remove` and `collections`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..errors import printable
from ..words import plural
from .options import INDEX_HELP, index_flags, make_settings, naming_formats, store_option, store_url_option


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--rebuild",
    is_flag=True,
    help="Re-embed every file the index holds, and PATHs; also repairs a damaged index.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Exit 1 when any file is skipped or fails, not only when nothing could be indexed.",
)
@click.option(
    "--index",
    "index_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Index folder (default: ./index of the project, or $ASSISTANT_INDEX).",
)
@store_option
@naming_formats
def index(paths, rebuild, strict, index_dir):
    """Add or update files and folders in the index.

    Reads {formats} files. Unchanged files keep their vectors; files that are
    gone are dropped. With no PATH, the seeds folder is indexed. --rebuild re-reads every
    indexed file wherever it lives, and recovers the list of files from the data of an
    index whose manifest is damaged. Each file skipped (unsupported type, empty) or failed
    (unreadable) is named with its reason; the exit code is 1 only when none of the files
    asked for could be indexed (or, with --strict, when any was skipped or failed).

    Example usage:

    \b
        assistant index ~/reports notes.md
        assistant index --rebuild
    """
    from ..index import update
    from . import live, render

    settings, _ = make_settings(index_dir)
    bar = live.IndexBar()  # a redrawn line on a terminal; `update` logs every ~10% otherwise
    try:
        progress = bar.update if bar.enabled else None
        report = update(settings, list(paths) if paths else None, rebuild=rebuild, progress=progress)
    finally:
        bar.clear()
    done = ("added", report.added), ("changed", report.changed), ("rebuilt", report.rebuilt)
    for label, names in (*done, ("removed", report.removed)):
        for name in names:
            click.echo(f"{label}: {printable(name)}")  # a file name cannot forge a report line
    skipped, failed = render.index_problems(report)
    for label, problems in (("skipped", skipped), ("failed", failed)):
        for name, why in problems:
            click.echo(f"{label}: {printable(name)} ({printable(why)})", err=True)
    click.echo(render.index_summary(report, len(skipped), len(failed)))
    if (skipped or failed) and (strict or not _indexed_any(settings, paths, report)):
        sys.exit(1)


def _indexed_any(settings, paths, report) -> bool:
    """Whether the index now holds any of the files this command was asked to index."""
    from .. import ingest
    from ..errors import AssistantError

    if report.added or report.changed or report.rebuilt:
        return True
    try:
        files, _ = ingest.collect(list(paths) or [settings.seeds_path])
    except AssistantError:
        return False
    return bool({ingest.source_name(f, settings.root) for f in files} & set(report.unchanged))


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), help=INDEX_HELP)
@store_option
@click.pass_context
def docs(ctx, as_json, index_dir):
    """List the indexed documents: title, path, passages, and when each was indexed.

    `assistant docs remove PATH ...` takes documents out of the index; their files stay.

    Example usage:

    \b
        assistant docs
        assistant docs --json | jq -r '.documents[].source'
        assistant docs remove seeds/000_768583bad2c70dea.txt
    """
    ctx.obj = {"index_dir": index_dir}
    if ctx.invoked_subcommand is not None:
        return
    from ..collection import document_rows
    from ..index import where
    from . import render

    assistant = _indexed_assistant(index_dir)
    rows = document_rows(assistant.documents())
    if as_json:
        payload = {"index": where(assistant.settings), "documents": rows}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    click.echo(render.documents_table(rows, render.style_for(sys.stdout)))
    total = sum(r["passages"] for r in rows)
    counts = f"{plural(len(rows), 'document')}, {plural(total, 'passage')}"
    click.echo(f"{counts}, in {where(assistant.settings)}", err=True)


@docs.command("remove")
@click.argument("paths", nargs=-1, required=True)
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), help=INDEX_HELP)
@store_option
@click.pass_context
def docs_remove(ctx, paths, index_dir):
    """Take documents out of the index, by path, file name or title; the files themselves stay.

    Example usage:

    \b
        assistant docs remove seeds/000_768583bad2c70dea.txt
        assistant docs remove "What's new?"
        assistant docs remove ~/reports/old.pdf --index ~/my-index
    """
    index_dir = index_dir or (ctx.obj or {}).get("index_dir")
    assistant = _indexed_assistant(index_dir)
    names = indexed_names(paths, assistant, index_dir)
    titles = {s: meta.get("title") or "" for s, meta in assistant.documents().items()}
    report = assistant.remove_documents(sorted(set(names)))
    for name in report.removed:
        title = f" ({printable(titles[name])})" if titles.get(name) else ""
        click.echo(f"removed: {printable(name)}{title}")
    click.echo(
        f"Removed {plural(len(report.removed), 'document')} from the index (their files are untouched); "
        f"{plural(len(report.unchanged), 'document')}, {plural(report.passages, 'passage')} left."
    )


def _indexed_assistant(index_dir):
    """An Assistant over an index that exists: a missing one is an error naming the fix."""
    from ..answer import Assistant

    settings, _ = make_settings(index_dir)
    assistant = Assistant(settings)
    _ = assistant.resources.store  # no index there: one line that says how to build it
    return assistant


def indexed_names(typed, assistant, index_dir) -> list[str]:
    """The index's names for documents as typed (a path, the name or the title `assistant docs`
    shows), in order; a name that fits none, or several, is one line (documents.resolve)."""
    from ..documents import resolve

    listing = f"assistant docs{index_flags(index_dir)}"
    return resolve(typed, assistant.documents(), assistant.settings.root, listing)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), help=INDEX_HELP)
@store_url_option
def collections(as_json, index_dir):
    """List the collections: the default index and each one made with --collection NAME.

    With a store (--store or $ASSISTANT_STORE_URL) there is one index, the store's: named
    collections are index folders, which a store does not have.

    Example usage:

    \b
        assistant collections
        assistant index ~/reports --collection reports
        assistant ask --collection reports "What did the Q3 report say about costs?"
    """
    from .. import collection

    settings, _ = make_settings(index_dir)
    rows = collection.listing(settings)
    if as_json:
        click.echo(json.dumps({"collections": rows}, ensure_ascii=False, indent=2))
        return
    width = max(len(r["name"] or "(default)") for r in rows)
    click.echo(f"{'NAME':<{width}}  DOCUMENTS  PASSAGES  {'STORE' if settings.store_url else 'FOLDER'}")
    for r in rows:
        what = f"{r['folder']} ({r['problem']})" if r["problem"] else r["folder"]
        click.echo(f"{r['name'] or '(default)':<{width}}  {r['documents']:>9}  {r['passages']:>8}  {what}")
    if not collection.supported(settings):
        click.echo(
            "A store holds one index and no named collections; give each index its own database "
            "or schema in the store URL.",
            err=True,
        )
