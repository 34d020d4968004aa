"""Flags that mean the same in every command, and the Settings they make.

`--index DIR`, `--store URL`, `--collection NAME`, `--model`, `-k/--top-k`: each command takes
the ones it needs through these decorators (after sqlite-utils' shared option decorators), and
`make_settings` turns them, with the ASSISTANT_* environment, into one `Settings`.
"""

from __future__ import annotations

from pathlib import Path

import click

from .. import formats
from ..config import from_env

INDEX_HELP = "Index folder (default: ./index of the project, or $ASSISTANT_INDEX)."
MODEL_HELP = "A GGUF file, or a packaged model: qwen (default), smollm2. Also $ASSISTANT_MODEL."


def naming_formats(f):
    """A command whose help says "{formats}" names the formats of the table (formats/)."""
    f.__doc__ = (f.__doc__ or "").replace("{formats}", formats.described())
    return f


def index_option(f):
    """--index DIR."""
    return click.option(
        "--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), help=INDEX_HELP
    )(f)


def model_option(f):
    """--model NAME|PATH."""
    return click.option("--model", "model", help=MODEL_HELP)(f)


def settings_options(f):
    """--index, -k/--top-k, --model, --store and --collection: the flags of a command that answers."""
    f = index_option(f)
    f = click.option(
        "-k", "--top-k", type=click.IntRange(1, 20), help="Evidence passages shown to the model (default 4)."
    )(f)
    return store_option(model_option(f))


def _keep(ctx, param, value):
    """Keep a flag's value in the click context (see `store_option`)."""
    if value:
        ctx.meta[param.name] = value


def store_url_option(f):
    """--store URL alone (a command that lists every collection takes no --collection)."""
    return click.option(
        "--store",
        "store_url",
        metavar="URL",
        expose_value=False,
        callback=_keep,
        help="A PostgreSQL store, postgresql://user:password@host:5432/db, instead of the index "
        "folder (default: $ASSISTANT_STORE_URL).",
    )(f)


def store_option(f):
    """--store URL and --collection NAME, beside every --index. Their values go to the click
    context, not to the command, so commands keep their signatures and `make_settings` applies
    them for all of them."""
    f = click.option(
        "--collection",
        "collection",
        metavar="NAME",
        expose_value=False,
        callback=_keep,
        help="A separate index kept beside the default one, in <index>/collections/NAME "
        "(default: the index folder itself, or $ASSISTANT_COLLECTION).",
    )(f)
    return store_url_option(f)


def make_settings(index_dir=None, top_k=None, model=None):
    """(Settings from the environment and this command's flags, the model asked for)."""
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
