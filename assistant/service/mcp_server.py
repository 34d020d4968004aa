"""The MCP server: the assistant's tools for agents and editors, with the official `mcp` SDK.

Tools (each a call of `Service`, so the answers and citations are the HTTP API's):
    search(query, k)                       the best passages with their exact spans; no model
    ask(question, sources?)                the checked answer and its exact citations
    summarize(sources)                     3-7 key points of documents, each cited exactly
    list_documents()                       the indexed documents
    read_document(source, start?, end?, page?)  a document's text or a span of it

`assistant mcp` serves them over stdio (a desktop agent starts it as a subprocess); `assistant
serve` serves them over streamable HTTP at /mcp (`endpoint`), stateless and answering in JSON,
under the same access rules as the rest of the API. A citation's `source`, `page`, `start` and
`end` passed to `read_document` give back exactly its `quote`.

    {"mcpServers": {"documents": {"command": "assistant", "args": ["mcp"]}}}
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from contextlib import asynccontextmanager
from typing import Any

from ..errors import AssistantError, MissingDependency
from .access import Access, error_response
from .core import Service

INSTRUCTIONS = (
    "Answers questions from the user's indexed documents. `ask` returns a checked answer whose "
    "[n] markers refer to `citations`, each an exact span: read_document(source, start, end, page) "
    "returns its quote. `abstained: true` means the documents do not answer; say so rather than guess."
)


def build(service: Service, warm_on_start: bool = False):
    """The MCP server with the five tools; `warm_on_start` loads the model in the background
    once the server runs (stdio: a desktop agent should not wait for it to start)."""
    try:
        from mcp.server.mcpserver import MCPServer
    except ImportError as e:
        raise MissingDependency(
            "the MCP server needs the mcp package: pip install 'cited-assistant[serve]'"
        ) from e

    @asynccontextmanager
    async def lifespan(_server):
        if warm_on_start:
            threading.Thread(target=service.warm, name="warm", daemon=True).start()
        yield {}

    root = logging.getLogger()
    before = set(root.handlers)
    mcp = MCPServer("cited-assistant", instructions=INSTRUCTIONS, lifespan=lifespan, log_level="WARNING")
    for handler in set(root.handlers) - before:  # the SDK's logging.basicConfig: keep libraries'
        handler.setLevel(logging.WARNING)  # debug records (bm25s, httpx) off the server's stderr
    add_tools(mcp, service)
    return mcp


def add_tools(mcp, service: Service) -> None:
    from mcp.types import ToolAnnotations

    tool = mcp.tool(annotations=ToolAnnotations(read_only_hint=True, open_world_hint=False))

    @tool
    @one_line_errors
    def search(query: str, k: int = 5) -> dict[str, Any]:
        """The passages of the indexed documents that best match `query` (k: 1-50), each with its
        source, page, start and end (exact character offsets) and text. No model is involved."""
        return service.search(query, max(1, min(50, k)))

    @tool
    @one_line_errors
    def ask(question: str, sources: list[str] | None = None) -> dict[str, Any]:
        """Answer `question` from the indexed documents (only `sources`, when given: names as
        list_documents shows them). Returns the answer with [n] markers, `abstained`,
        `confidence` and `citations` (n, source, title, page, start, end, quote)."""
        return service.ask(question, sources=sources or None).to_json()

    @tool
    @one_line_errors
    def summarize(sources: list[str]) -> dict[str, Any]:
        """The key points of indexed documents (names as list_documents shows them): 3-7
        sentences, each with [n] markers and `citations` (exact spans, as `ask` gives them)."""
        from .summaries import summarize_now

        return summarize_now(service, sources).to_json()

    @tool
    @one_line_errors
    def list_documents() -> dict[str, Any]:
        """The indexed documents: source (the name other tools take), title, passages, size."""
        return {"documents": service.documents()}

    @tool
    @one_line_errors
    def read_document(
        source: str, start: int | None = None, end: int | None = None, page: int | None = None
    ) -> dict[str, Any]:
        """A document's text, or its characters start:end (a PDF's: of one 1-based `page`). With a
        citation's source, page, start and end, the text is exactly the citation's quote."""
        return service.read(source, start, end, page)


def one_line_errors(fn):
    """A tool whose errors a user can cause reach the client as their one-line message (the SDK
    passes on a ToolError's text; any other exception is a crash: logged, its text withheld)."""
    from mcp.server.mcpserver.exceptions import ToolError

    @functools.wraps(fn)
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except AssistantError as e:
            raise ToolError(str(e)) from e

    return run


def serve_stdio(service: Service) -> None:
    """`assistant mcp`: serve the tools over stdin/stdout until the client closes them."""
    build(service, warm_on_start=True).run("stdio")


class Endpoint:
    """The tools over streamable HTTP, as an ASGI app to route at /mcp.

    The SDK's session manager needs a running task group; it is started in the server's own
    event loop at the first request, so the endpoint works the same inside `assistant serve`
    and inside the web chat's already running app (where no lifespan can be added)."""

    def __init__(self, service: Service, access: Access, host: str = "127.0.0.1"):
        self.access = access
        mcp = build(service)
        mcp.streamable_http_app(stateless_http=True, json_response=True, host=host)  # makes the manager
        self.manager = mcp.session_manager
        self._started: asyncio.Event | None = None
        self._task: asyncio.Task | None = None

    async def __call__(self, scope, receive, send) -> None:
        from starlette.datastructures import Headers

        try:
            self.access.check(Headers(scope=scope), scope.get("path", ""))
        except Exception as e:  # noqa: BLE001 - answered as the API answers it
            await error_response(e)(scope, receive, send)
            return
        await self._start()
        await self.manager.handle_request(scope, receive, send)

    async def _start(self) -> None:
        if self._started is None:
            self._started = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run())
        await self._started.wait()

    async def _run(self) -> None:
        async with self.manager.run():
            assert self._started is not None
            self._started.set()
            await asyncio.Event().wait()  # until the server stops and cancels this task

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
