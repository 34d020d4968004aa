"""`assistant serve`: the HTTP API, the OpenAI-compatible chat and the MCP tools in one app.

    assistant serve                          # http://127.0.0.1:8000, schema at /docs
    ASSISTANT_API_KEY=... assistant serve --host 0.0.0.0

`mount` adds the same routes to an app that already runs (the web chat's, for `assistant ui`),
so one process can serve both; `build` makes the app `assistant serve` runs with uvicorn.
"""

from __future__ import annotations

import os
import sys
from contextlib import asynccontextmanager

from ..errors import AssistantError, MissingDependency
from .access import Access, check_binding, is_loopback
from .core import Service


def access_for(host: str, api_key: str | None = None) -> Access:
    return Access(api_key=api_key or os.environ.get("ASSISTANT_API_KEY") or None, loopback=is_loopback(host))


def mount(app, service: Service, access: Access, host: str = "127.0.0.1"):
    """Add /v1/*, /healthz and /mcp to the FastAPI `app`; returns the MCP endpoint (to stop)."""
    from starlette.routing import Route

    from . import mcp_server, openai_chat, routes

    app.include_router(routes.router(service, access))
    app.include_router(openai_chat.router(service, access))
    try:
        endpoint = mcp_server.Endpoint(service, access, host)
    except MissingDependency as e:  # the API and the chat still serve
        print(f"No MCP at /mcp: {e}", file=sys.stderr)
        return None
    app.router.routes.append(Route("/mcp", endpoint=endpoint, methods=["GET", "POST", "DELETE"]))
    return endpoint


def attach(app, assistant, host: str = "127.0.0.1", guarded: bool = False) -> None:
    """`assistant ui`: the API, the OpenAI chat and MCP beside the web chat, on its app (which
    has warmed the assistant up), under `assistant serve`'s access rules. Beyond loopback behind
    the chat's login (`guarded`), they need ASSISTANT_API_KEY: an API client cannot log in to
    Gradio, and the API must be no way around the login."""
    access = access_for(host)
    if guarded and not access.loopback and not access.api_key:
        print(
            f"The HTTP API is not served on {host} beside the chat: set ASSISTANT_API_KEY to serve it",
            file=sys.stderr,
        )
        return
    service = Service(assistant)
    service.ready = True
    mount(app, service, access, host)


def build(service: Service, access: Access, host: str = "127.0.0.1"):
    """The app `assistant serve` runs: the routes, and JSON errors for paths it does not have."""
    try:
        from fastapi import FastAPI
        from fastapi.responses import JSONResponse
        from starlette.exceptions import HTTPException
    except ImportError as e:
        raise MissingDependency("assistant serve needs FastAPI: pip install 'cited-assistant[serve]'") from e
    endpoints: list = []  # the MCP endpoint, stopped with the app

    @asynccontextmanager
    async def lifespan(_app):
        yield
        for endpoint in filter(None, endpoints):
            await endpoint.stop()

    app = FastAPI(
        title="Cited assistant",
        summary="Answers from your documents, every claim cited as an exact span.",
        version="1",
        lifespan=lifespan,
    )

    @app.exception_handler(HTTPException)
    async def http_error(request, exc: HTTPException):
        kind = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "bad_request")
        message = f"no route {request.method} {request.url.path}; see the routes at /docs"
        return JSONResponse({"error": {"type": kind, "message": message}}, status_code=exc.status_code)

    endpoints.append(mount(app, service, access, host))
    return app


def serve(service: Service, host: str, port: int, api_key: str | None = None, insecure: bool = False) -> None:
    """Check the address and the key, warm up, and serve until Ctrl+C."""
    import uvicorn

    access = access_for(host, api_key)
    check_binding(host, access.api_key, insecure)
    check_port(host, port)
    print("Loading the index, the embedder and the model...", file=sys.stderr, flush=True)
    service.warm()
    app = build(service, access, host)
    shown = f"[{host}]" if ":" in host else host
    print(
        f"Cited assistant API at http://{shown}:{port}/v1 (schema: /docs, MCP: /mcp; Ctrl+C to stop)",
        flush=True,
    )
    if not access.loopback and not access.api_key:
        print(
            f"Listening on {host} with no API key: anyone who can reach this machine can use it.", flush=True
        )
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)


def check_port(host: str, port: int) -> None:
    """Fail in one line, before the slow warm-up, if host:port cannot be listened on."""
    import errno
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn will
        try:
            s.bind((host, port))
        except OSError as e:
            busy = e.errno == errno.EADDRINUSE
            fix = "is it already serving? Pass another --port" if busy else "check --host and --port"
            raise AssistantError(f"cannot listen on {host}:{port} ({e.strerror}); {fix}") from e
