"""`POST /v1/summarize` and `GET /v1/suggestions`, and the MCP tool `summarize`: calls of
summarize.py and suggest.py, queued for the model as questions are.

    curl -s localhost:8000/v1/summarize -d '{"sources": ["seeds/001_0c2ad8eadeb24f7d.txt"]}'
    curl -sN localhost:8000/v1/summarize -d '{"sources": ["..."], "stream": true}'  # a `point` event each
    curl -s localhost:8000/v1/suggestions                # made now when the documents changed
    curl -s 'localhost:8000/v1/suggestions?wait=false'   # 202 while they are made in the background
"""

from __future__ import annotations

import threading
from dataclasses import asdict

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ..suggest import Suggestions
from ..summarize import Summary, summarize
from .access import error_response
from .core import Service
from .errors import body_of
from .streaming import Stopped, answer_events, sse

STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


class SummarizeRequest(BaseModel):
    sources: list[str] = Field(
        min_length=1,
        examples=[["seeds/001_0c2ad8eadeb24f7d.txt"]],
        description="The documents to summarise, as GET /v1/documents lists them, by file name or title.",
    )
    collection: str | None = Field(default=None, description="A collection; none: the server's own.")
    stream: bool = Field(default=False, description="Server-sent events: a `point` each, then `summary`.")


def checked(service: Service, sources: list[str], collection: str | None = None):
    """(the collection's Assistant, the index's names of `sources`): each found as the listing
    names it, or by its file name or title (documents.resolve); else NotFound in one line."""
    assistant = service.assistant_for(collection)
    return assistant, service.known(assistant, sources)


def summarize_now(
    service: Service, sources: list[str], collection: str | None = None, on_point=None
) -> Summary:
    """A summary in this thread, queued as a question is (Busy when the queue is full)."""
    assistant, names = checked(service, sources, collection)
    with service.queue.admit():
        return summarize(assistant.resources, names, on_point=on_point)


def add_summaries(api: APIRouter, service: Service) -> None:
    caches: dict[str, Suggestions] = {}  # collection -> its suggested questions (over all its documents)
    lock = threading.Lock()

    @api.post("/v1/summarize", tags=["answers"])
    async def summarize_route(body: SummarizeRequest):
        """The key points of indexed documents: 3-7 sentences, each with citations as exact
        spans (`document_text(source, page)[start:end] == quote`), each checked against its
        source before it is sent; `dropped` lists the points that failed. With `"stream":
        true`: server-sent events, a `point` event as each point passes, then `summary`."""
        assistant, names = await run_in_threadpool(checked, service, body.sources, body.collection)
        ticket = service.queue.admit()

        def work(on_point):
            with ticket:
                return summarize(assistant.resources, names, on_point=on_point)

        events = answer_events(work)
        if body.stream:
            return StreamingResponse(_sse(events), media_type="text/event-stream", headers=STREAM_HEADERS)
        async for kind, value in events:
            if kind == "answer":
                return JSONResponse(value.to_json())
            if kind == "error":
                return error_response(value)

    @api.get("/v1/suggestions", tags=["answers"])
    def suggestions(
        collection: str | None = None,
        wait: bool = Query(True, description="false: 202 at once while they are being made."),
    ):
        """3-5 questions drawn from the documents, each asked and answered with a citation on
        the sentence it came from before it is listed; cached until the documents change."""
        assistant = service.assistant_for(collection)
        with lock:
            cache = caches.setdefault(collection or "", Suggestions(assistant))
        found = cache.ready()
        if found is None and not wait:
            cache.start()
            return JSONResponse({"state": "making", "questions": []}, status_code=202)
        if found is None:
            with service.queue.admit():
                found = cache.get()
        return {"state": "ready", "questions": [asdict(s) for s in found]}


async def _sse(events):
    async for kind, value in events:
        if kind == "draft":
            yield sse("point", value.to_json())
        elif kind == "answer":
            yield sse("summary", value.to_json())
        elif not isinstance(value, Stopped):
            error_response(value)  # logs a bug's traceback
            yield sse("error", body_of(value))
