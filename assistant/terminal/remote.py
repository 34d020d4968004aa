"""`ask`, `search` and `chat` through a warm `assistant serve` (ASSISTANT_URL or --url).

A one-off `assistant ask` pays for loading the model; a server has it loaded already. With a
URL set, these commands send the question there (service/client.py) and print exactly what
they print for a local answer, with the same functions (show_answer, _chat_turn,
_print_passages): the client has the `ask(question, history, on_token, sources)` of
`Assistant`. `--collection` and `-k` travel with the question; the index, the store and the
model are the server's.

`served(remote)` is the hook: a decorator that adds --url to a command and, when a URL is set,
runs `remote` instead of the command's own body.
"""

from __future__ import annotations

import functools
import json
import os
import sys

import click


def served(remote):
    """Add --url to a command; with a URL (or ASSISTANT_URL), run `remote(url, **params)`."""

    def keep(ctx, param, value):
        if value:
            ctx.meta["url"] = value

    def decorate(command):
        @functools.wraps(command)
        def run(*args, **kwargs):
            ctx = click.get_current_context()
            url = ctx.meta.get("url") or os.environ.get("ASSISTANT_URL")
            return remote(url, **kwargs) if url else command(*args, **kwargs)

        return click.option(
            "--url",
            metavar="URL",
            expose_value=False,
            callback=keep,
            help="Ask a running `assistant serve` at URL instead of loading the model here "
            "(default: $ASSISTANT_URL).",
        )(run)

    return decorate


def _client(url: str, top_k: int | None = None):
    from ..service.client import Client

    return Client(url, collection=click.get_current_context().meta.get("collection"), top_k=top_k)


def ask(url, question, as_json, docs, model, top_k, index_dir):
    from .asking import show_answer

    client, q = _client(url, top_k), " ".join(question)
    if as_json:
        answer = client.ask(q, sources=list(docs) or None)
        click.echo(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        return
    show_answer(client, q, sources=list(docs) or None)


def search(url, query, as_json, top_k, index_dir):
    from .asking import _print_passages

    found = _client(url).search(" ".join(query), k=top_k)
    _print_passages(found["query"], found["passages"], as_json)


def chat(url, model, top_k, index_dir):
    from ..web.session import Session
    from .asking import _chat_turn, _read_question

    client = _client(url, top_k)
    interactive = sys.stdin.isatty()
    if interactive:
        click.echo(f"Ask a question (an empty line ends the conversation); answers from {url}.", err=True)
    session = Session()
    try:
        while question := _read_question(interactive):
            session = _chat_turn(client, session, question)
    except KeyboardInterrupt:
        click.echo()
