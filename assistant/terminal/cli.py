"""The terminal front end: one click group, `assistant`, with its commands in modules by job.

    asking.py     ask, chat, search (here, or through a running `assistant serve`: remote.py)
    documents.py  index, docs, docs remove, collections
    summary.py    summarize
    evaluate.py   eval
    servers.py    ui, serve, mcp, serve-model, serve-store
    options.py    the flags every command shares (--index, --store, --collection, --model, -k)

Thin by design: every command builds Settings, calls the library, and prints.
"""

from __future__ import annotations

import click

from ..errors import AssistantError
from . import asking, documents, evaluate, servers, summary


class Group(click.Group):
    """Errors a user can cause print one line and exit 1; anything else is a bug and shows."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except AssistantError as e:
            raise click.ClickException(str(e)) from e


@click.group(cls=Group)
@click.version_option(package_name="cited-assistant")
def cli():
    """Answer questions from your documents, citing the exact passages.

    Example usage:

    \b
        assistant ask "When did Operation Serval become Operation Barkhane?"
    """


for command in (
    asking.ask,
    asking.chat,
    asking.search,
    documents.index,
    documents.docs,
    documents.collections,
    summary.summarize,
    evaluate.eval_command,
    servers.ui,
    servers.serve,
    servers.mcp,
    servers.serve_model,
    servers.serve_store,
):
    cli.add_command(command)


def main():
    cli(prog_name="assistant")


if __name__ == "__main__":
    main()
