"""The terminal front end: `assistant ask`, `chat`, `search`, `index`, `eval` and `ui`.

Thin by design: every command builds Settings, calls the library, and prints.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .. import formats
from ..config import from_env
from ..errors import AssistantError, printable
from . import remote


class Group(click.Group):
    """Errors a user can cause print one line and exit 1; anything else is a bug and shows."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AssistantError as e:
            raise click.ClickException(str(e)) from e


def naming_formats(f):
    """A command whose help says "{formats}" names the formats of the table (formats/)."""
    f.__doc__ = (f.__doc__ or "").replace("{formats}", formats.described())
    return f


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
    return store_option(f)


def store_option(f):
    """--store URL and --collection NAME, beside every --index. Their values go to the click
    context, not to the command, so commands keep their signatures and `make_settings` applies
    them for all of them."""

    def keep(ctx, param, value):
        if value:
            ctx.meta[param.name] = value

    f = click.option(
        "--collection",
        "collection",
        metavar="NAME",
        expose_value=False,
        callback=keep,
        help="A separate index kept beside the default one, in <index>/collections/NAME "
        "(default: the index folder itself, or $ASSISTANT_COLLECTION).",
    )(f)
    return click.option(
        "--store",
        "store_url",
        metavar="URL",
        expose_value=False,
        callback=keep,
        help="A PostgreSQL store, postgresql://user:password@host:5432/db, instead of the index "
        "folder (default: $ASSISTANT_STORE_URL).",
    )(f)


def make_settings(index_dir=None, top_k=None, model=None):
    from ..config import check_collection, collection, store_url

    ctx = click.get_current_context(silent=True)
    url = store_url(ctx.meta.get("store_url"), "--store") if ctx else None
    name = collection(ctx.meta.get("collection"), "--collection") if ctx else None
    s = check_collection(from_env().with_(index_dir=index_dir, top_k=top_k, store_url=url, collection=name))
    return s, model or (str(s.model_path) if s.model_path else None)


def index_flags(index_dir=None) -> str:
    """The --index and --collection this command was given, for a command line in a message."""
    import shlex

    ctx = click.get_current_context(silent=True)
    name = ctx.meta.get("collection") if ctx else None
    flags = f" --index {shlex.quote(str(index_dir))}" if index_dir else ""
    return flags + (f" --collection {shlex.quote(name)}" if name else "")


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
@click.option(
    "--doc",
    "docs",
    multiple=True,
    metavar="SOURCE",
    help="Search only this indexed document (a path or its name in `assistant docs`); repeatable.",
)
@settings_options
@remote.served(remote.ask)
def ask(question, as_json, docs, model, top_k, index_dir):
    """Answer QUESTION from the indexed documents, with numbered citations.

    Example usage:

    \b
        assistant ask "Who leads Mali's junta?"
        assistant ask --json "When did France withdraw?" | jq .citations
        assistant ask --collection reports --doc reports/q3.pdf "What did Q3 cost?"
    """
    from .. import documents
    from ..answer import Assistant
    from . import live

    status = live.Status(enabled=False if as_json else None)
    settings, model = make_settings(index_dir, top_k, model)
    assistant = Assistant(settings, model=model, log=status.log)
    q = assistant.check_question(" ".join(question))  # fail fast, before loading anything
    resources = assistant.resources
    resources.model_path()  # a missing or broken model file fails here, in one line
    with status.show("Loading the index..."):
        documents.warn_if_stale(resources)  # answered from the index's copy; `assistant index` updates
        _ = resources.store  # a missing or damaged index fails here, before a model loads
    sources = _indexed_names(docs, assistant, index_dir) if docs else None
    loader = resources.preload()
    if as_json:
        answer = assistant.ask(q, sources=sources)
    else:
        answer = show_answer(assistant, q, status=status, sources=sources)
    if answer.timings.first_token_s is None:  # declined before the model was needed:
        loader.join()  # still report a model that cannot load, now rather than next time
        _ = resources.llm
    if as_json:
        click.echo(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))


def show_answer(assistant, question: str, history=(), status=None, sources=None):
    """Ask, and print the checked answer once, then its sources.

    On a terminal the model's draft streams in dim text while it is written, and is erased and
    replaced by the checked answer (with a line on what the checks changed); in a pipe or a
    file only the checked answer is printed, so the output holds no unchecked words. A status
    line on stderr covers the wait for the first word.
    """
    from ..changes import change_note
    from . import live, render

    out = render.style_for(sys.stdout)
    status = status or live.Status()
    draft = live.Draft(sys.stdout, out) if out.width else None  # stream to a terminal only

    def on_token(piece):
        status.clear()
        if draft is not None:
            draft.write(piece)

    status.show("Searching the documents and reading the passages...")
    try:
        answer = assistant.ask(
            question, history=history, on_token=on_token if draft else None, sources=sources
        )
    except BaseException:
        if draft is not None:
            draft.abandon()
        raise
    finally:
        status.clear()
    if draft is not None and not draft.erase():
        click.echo(render.heading("Checked answer:", out))
    click.echo(render.answer_text(answer, out))
    note = change_note(answer, draft.text if draft else "")
    if note:
        click.echo(render.note(note, out))
    click.echo(render.sources_text(answer, out))
    return answer


@cli.command()
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


INDEX_HELP = "Index folder (default: ./index of the project, or $ASSISTANT_INDEX)."


@cli.group(invoke_without_command=True)
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
    click.echo(f"{len(rows)} document(s), {total} passages, in {where(assistant.settings)}", err=True)


@docs.command("remove")
@click.argument("paths", nargs=-1, required=True)
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), help=INDEX_HELP)
@store_option
@click.pass_context
def docs_remove(ctx, paths, index_dir):
    """Take documents out of the index, by path or indexed name; the files themselves stay.

    Example usage:

    \b
        assistant docs remove seeds/000_768583bad2c70dea.txt
        assistant docs remove ~/reports/old.pdf --index ~/my-index
    """
    index_dir = index_dir or (ctx.obj or {}).get("index_dir")
    assistant = _indexed_assistant(index_dir)
    names = _indexed_names(paths, assistant, index_dir)
    report = assistant.remove_documents(sorted(set(names)))
    for name in report.removed:
        click.echo(f"removed: {name}")
    click.echo(
        f"Removed {len(report.removed)} document(s) from the index (their files are untouched); "
        f"{len(report.unchanged)} document(s), {report.passages} passages left."
    )


def _indexed_assistant(index_dir):
    """An Assistant over an index that exists: a missing one is an error naming the fix."""
    from ..answer import Assistant

    settings, _ = make_settings(index_dir)
    assistant = Assistant(settings)
    _ = assistant.resources.store  # no index there: one line that says how to build it
    return assistant


def _indexed_names(paths, assistant, index_dir) -> list[str]:
    """The index's names for `paths`, in order; any not indexed is one line naming the listing."""
    known = assistant.documents()
    names = {p: _indexed_name(p, known, assistant.settings.root) for p in paths}
    unknown = [p for p, name in names.items() if name is None]
    if unknown:
        raise click.ClickException(
            f"not in the index: {', '.join(unknown)}; see the indexed names with: "
            f"assistant docs{index_flags(index_dir)}"
        )
    return [name for name in names.values() if name is not None]


def _indexed_name(path: str, known, root: Path) -> str | None:
    """The index's name for PATH: as typed ("seeds/a.txt"), else the file's path resolved the
    way indexing names it (relative to the project root when inside it)."""
    from ..ingest import source_name

    if path in known:
        return path
    name = source_name(Path(path).expanduser(), root)
    return name if name in known else None


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), help=INDEX_HELP)
def collections(as_json, index_dir):
    """List the collections: the default index and each one made with --collection NAME.

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
    click.echo(f"{'NAME':<{width}}  DOCUMENTS  PASSAGES  FOLDER")
    for r in rows:
        what = f"{r['folder']} ({r['problem']})" if r["problem"] else r["folder"]
        click.echo(f"{r['name'] or '(default)':<{width}}  {r['documents']:>9}  {r['passages']:>8}  {what}")


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

    from ..evaluation import report, run

    settings, model = make_settings(index_dir, top_k, model)
    results_dir = out or settings.root / "evals" / "results"
    if compare:
        click.echo(report.compare(compare[0], compare[1], results_dir=results_dir))
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
@click.option(
    "--auth",
    "auth_file",
    type=click.Path(dir_okay=False),
    help="A file of user:password lines to log in with (else ASSISTANT_UI_AUTH=user:password).",
)
@click.option("--insecure", is_flag=True, help="Beyond this machine, serve without a login.")
@settings_options
def ui(host, port, auth_file, insecure, model, top_k, index_dir):
    """Open the web chat: answers stream in, with each cited passage highlighted.

    Example usage:

    \b
        assistant ui
        assistant ui --port 8000 --model smollm2
        assistant ui --host 0.0.0.0 --auth logins.txt
    """
    from ..answer import Assistant
    from ..web.server import check_exposure, credentials

    logins = credentials(auth_file)
    check_exposure(host, logins, insecure)  # before loading anything
    from ..web.app import serve

    settings, model = make_settings(index_dir, top_k, model)
    serve(Assistant(settings, model=model), host=host, port=port, logins=logins, insecure=insecure)


@cli.command("serve-model")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; 0.0.0.0 lets other machines in.",
)
@click.option(
    "--port",
    default=8080,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
@click.option(
    "--parallel",
    default=4,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Answers written at once (server slots); set ASSISTANT_LLM_PARALLEL to match.",
)
@click.option(
    "--model",
    "model",
    help="A GGUF file, or a packaged model: qwen (default), smollm2. Also $ASSISTANT_MODEL.",
)
def serve_model(host, port, parallel, model):
    """Serve the model over an OpenAI-compatible HTTP API (llama.cpp's server, prompt caching on).

    Set the URL it prints as ASSISTANT_LLM_URL: `ask`, `chat`, `ui` and `eval` then use the
    server, and the web chat answers up to --parallel users at once. Needs the `scale` extra.

    Example usage:

    \b
        assistant serve-model --parallel 4
        ASSISTANT_LLM_URL=http://127.0.0.1:8080/v1 assistant ui
    """
    from ..llms.packaged import resolve_model
    from ..llms.serve import serve

    settings, model = make_settings(model=model)
    serve(resolve_model(model, settings.models_path), host, port, parallel)


@cli.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; any but loopback needs $ASSISTANT_API_KEY, or --insecure.",
)
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on."
)
@click.option("--insecure", is_flag=True, help="Serve beyond this machine without an API key.")
@click.option(
    "--queue",
    "waiting",
    default=16,
    show_default=True,
    type=click.IntRange(0, 10_000),
    help="Questions that may wait for the model; past that, clients get 429 with Retry-After.",
)
@settings_options
def serve(host, port, insecure, waiting, model, top_k, index_dir):
    """Serve the assistant over HTTP: its API, an OpenAI-compatible chat, and MCP at /mcp.

    Answers, search and documents at /v1/... (the schema is at /docs), `/v1/chat/completions`
    for OpenAI-compatible clients, the MCP tools over streamable HTTP at /mcp. Set
    ASSISTANT_URL to its address and `ask`, `search` and `chat` use it instead of loading the
    model. Needs the `serve` extra.

    Example usage:

    \b
        assistant serve
        curl -s localhost:8000/v1/ask -d '{"question": "Who leads the junta?"}'
        ASSISTANT_API_KEY=$(openssl rand -hex 16) assistant serve --host 0.0.0.0
    """
    from ..answer import Assistant
    from ..service.app import serve as run
    from ..service.core import Service
    from ..service.queue import ModelQueue, slots_of

    settings, model = make_settings(index_dir, top_k, model)
    assistant = Assistant(settings, model=model)
    run(Service(assistant, ModelQueue(slots_of(settings), waiting)), host, port, insecure=insecure)


@cli.command()
@settings_options
def mcp(model, top_k, index_dir):
    """Serve the assistant's tools to an MCP client (a desktop agent, an editor) over stdio.

    Tools: search, ask, list_documents, read_document; every citation is an exact span. The
    client starts this command itself; logs go to stderr. Needs the `serve` extra.

    Example usage:

    \b
        assistant mcp --model smollm2
        {"mcpServers": {"documents": {"command": "assistant", "args": ["mcp"]}}}
    """
    from ..answer import Assistant
    from ..service.core import Service
    from ..service.mcp_server import serve_stdio

    settings, model = make_settings(index_dir, top_k, model)
    assistant = Assistant(settings, model=model)
    assistant.resources.model_path()  # a missing or broken model file fails here, in one line
    _ = assistant.resources.store  # so does a missing or damaged index
    serve_stdio(Service(assistant))


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
@store_option
@remote.served(remote.search)
def search(query, as_json, top_k, index_dir):
    """Print the passages that best match QUERY, with their exact spans; no LLM.

    Each passage is (source, start, end, page): for .txt and .md, the file's characters
    start:end; for PDFs, those of the text of that page (see the README).

    Example usage:

    \b
        assistant search "Operation Barkhane"
        assistant search --json -k 3 "Who leads the junta?" | jq '.passages[].source'
    """
    from .. import documents
    from ..answer import Assistant

    settings, _ = make_settings(index_dir)
    assistant = Assistant(settings)
    q = assistant.check_question(" ".join(query))
    documents.warn_if_stale(assistant.resources)  # spans are the index's; `assistant index` updates
    hits, _ = assistant.retrieve(q, k=top_k)
    _print_passages(q, [hit.to_json(rank) for rank, hit in enumerate(hits[:top_k], 1)], as_json)


def _print_passages(q: str, passages: list[dict], as_json: bool) -> None:
    from . import render

    if as_json:
        click.echo(json.dumps({"query": q, "passages": passages}, ensure_ascii=False, indent=2))
        return
    out = render.style_for(sys.stdout)  # wrapped and coloured on a terminal, plain in a pipe
    for p in passages:
        where = f"page {p['page']}, " if p["page"] else ""
        head = f"[{p['rank']}] {p['source']} ({where}chars {p['start']}-{p['end']})  score {p['score']}"
        click.echo(render.line(head, out, "cyan"))
        click.echo(render.line(" ".join(p["text"].split()), out, indent="    "))
    if not passages:
        click.echo("No passage matches.", err=True)


@cli.command()
@settings_options
@remote.served(remote.chat)
def chat(model, top_k, index_dir):
    """A conversation in the terminal: one question per line, answered with citations.

    Follow-ups see the earlier questions and answers ("Who leads the junta?", then "When did
    he postpone the vote?"). An empty line or the end of input (Ctrl-D) ends it.

    Example usage:

    \b
        assistant chat
        printf 'Who leads the junta?\\nWhen did he postpone the vote?\\n' | assistant chat
    """
    from .. import documents
    from ..answer import Assistant
    from ..web.session import Session  # pure Python: the conversation the web chat keeps too
    from . import live

    status = live.Status()
    settings, model = make_settings(index_dir, top_k, model)
    assistant = Assistant(settings, model=model, log=status.log)
    resources = assistant.resources
    resources.model_path()  # a missing or broken model file fails here, in one line
    with status.show("Loading the index..."):
        documents.warn_if_stale(resources)
        _ = resources.store  # a missing or damaged index fails here, before a model loads
    resources.preload()
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
    from ..errors import BadQuestion
    from ..web.session import Turn

    try:
        answer = show_answer(assistant, question, history=session.history())
    except BadQuestion as e:  # too long: say so, and let the conversation go on
        click.echo(f"Error: {e}", err=True)
        return session
    return session.add(Turn(session.next_n, answer.question, answer))


def main():
    cli(prog_name="assistant")


from .summary import register as _register_summarize  # noqa: E402 - its own module, added here

_register_summarize(cli)

if __name__ == "__main__":
    main()
