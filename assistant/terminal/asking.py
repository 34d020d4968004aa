"""Asking: `assistant ask`, `chat` and `search`, here or through a running server (remote.py).

Each prints the checked answer once with its cited sources (`show_answer`), or the passages
that match (`print_passages`); rendering is in render.py and live.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import remote
from .options import make_settings, settings_options, store_option


@click.command()
@click.argument("question", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
@click.option(
    "--doc",
    "docs",
    multiple=True,
    metavar="SOURCE",
    help="Search only this indexed document: a path, or the file name or title `assistant docs` "
    "shows; repeatable.",
)
@settings_options
@remote.served(remote.ask)
def ask(question, as_json, docs, model, top_k, index_dir):
    """Answer QUESTION from the indexed documents, with numbered citations.

    Example usage:

    \b
        assistant ask "Who leads Mali's junta?"
        assistant ask --json "When did France withdraw?" | jq .citations
        assistant ask --collection reports --doc q3.pdf "What did Q3 cost?"
    """
    from .. import documents
    from ..answer import Assistant
    from . import live
    from .documents import indexed_names

    status = live.Status(enabled=False if as_json else None)
    settings, model = make_settings(index_dir, top_k, model)
    assistant = Assistant(settings, model=model, log=status.log)
    q = assistant.check_question(" ".join(question))  # fail fast, before loading anything
    resources = assistant.resources
    resources.model_path()  # a missing or broken model file fails here, in one line
    with status.show("Loading the index..."):
        documents.warn_if_stale(resources)  # answered from the index's copy; `assistant index` updates
        _ = resources.store  # a missing or damaged index fails here, before a model loads
    sources = indexed_names(docs, assistant, index_dir) if docs else None
    loader = resources.preload()
    if as_json:
        answer = assistant.ask(q, sources=sources)
    else:
        answer = show_answer(assistant, q, status=status, sources=sources, titles=titles_of(assistant))
    if answer.timings.first_token_s is None:  # declined before the model was needed:
        loader.join()  # still report a model that cannot load, now rather than next time
        _ = resources.llm
    if as_json:
        click.echo(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))


def titles_of(assistant) -> dict[str, str]:
    """source -> title of the indexed documents, to name the passages a refusal lists."""
    return {source: meta.get("title") or "" for source, meta in assistant.documents().items()}


def show_answer(assistant, question: str, history=(), status=None, sources=None, titles=None):
    """Ask, and print the checked answer once, then its sources (`titles`: source -> title).

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
    click.echo(render.sources_text(answer, out, titles))
    return answer


@click.command()
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
    start:end; for PDFs, those of the text of that page (see the README). Passages are ranked
    by meaning and words together; each shows its similarity to QUERY (the cosine of their
    embeddings, -1 to 1); --json adds the fused score the rank comes from.

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
    found = [hit.to_json(rank) for rank, hit in enumerate(hits[:top_k], 1)]
    _print_passages(q, found, as_json, titles_of(assistant))


def _print_passages(q: str, passages: list[dict], as_json: bool, titles=None) -> None:
    """Each passage under its rank, title, exact span and similarity to the query (the cosine of
    their embeddings); --json adds the fused (RRF) score and the BM25 score the rank came from."""
    from . import render

    if as_json:
        click.echo(json.dumps({"query": q, "passages": passages}, ensure_ascii=False, indent=2))
        return
    out = render.style_for(sys.stdout)  # wrapped and coloured on a terminal, plain in a pipe
    for p in passages:
        title = (titles or {}).get(p["source"], "")
        where = render.named_span(p["source"], p["page"], p["start"], p["end"], title)
        head = f"[{p['rank']}] {where}  similarity {p['dense']:.2f}"
        click.echo(render.line(head, out, "cyan"))
        click.echo(render.line(" ".join(p["text"].split()), out, indent="    "))
    if not passages:
        click.echo("No passage matches.", err=True)


@click.command()
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
            session = _chat_turn(assistant, session, question, titles_of(assistant))
    except KeyboardInterrupt:
        click.echo()


def _read_question(interactive: bool) -> str:
    if interactive:
        click.echo("\n> ", nl=False, err=True)
    return sys.stdin.readline().strip()


def _chat_turn(assistant, session, question: str, titles=None):
    """Answer one question of a conversation, print it with its sources; the next session."""
    from ..errors import BadQuestion
    from ..web.session import Turn

    try:
        answer = show_answer(assistant, question, history=session.history(), titles=titles)
    except BadQuestion as e:  # too long: say so, and let the conversation go on
        click.echo(f"Error: {e}", err=True)
        return session
    return session.add(Turn(session.next_n, answer.question, answer))
