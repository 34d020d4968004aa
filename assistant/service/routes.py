"""The HTTP API: `/v1/ask`, `/v1/search`, `/v1/documents`, `/v1/collections` and `/healthz`.

Each route is a call of `Service` (core.py), which calls the library; the JSON is what the
CLI prints for the same request (`assistant ask --json`, `search --json`, `docs --json`,
`collections --json`). The schema, with these docstrings, is served at /docs.

    curl -s localhost:8000/v1/ask -d '{"question": "When did Operation Serval end?"}'
    curl -sN localhost:8000/v1/ask -d '{"question": "...", "stream": true}'   # server-sent events
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ..web.session import strip_markers
from .access import Access, error_response, route_class
from .core import Service
from .errors import body_of
from .streaming import Stopped, answer_events, sse
from .summaries import add_summaries

STREAM_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


class Turn(BaseModel):
    question: str
    answer: str = Field(description="The earlier answer; its [n] markers are ignored.")


class AskRequest(BaseModel):
    question: str = Field(examples=["When did Operation Serval become Operation Barkhane?"])
    history: list[Turn] = Field(default=[], description="Earlier turns, oldest first, for follow-ups.")
    sources: list[str] | None = Field(
        default=None, description="Search only these indexed documents (names as GET /v1/documents lists)."
    )
    collection: str | None = Field(default=None, description="A collection; none: the server's own.")
    top_k: int | None = Field(default=None, ge=1, le=20, description="Evidence passages shown to the model.")
    stream: bool = Field(default=False, description="Server-sent events: `draft` pieces, then `answer`.")
    evidence: bool = Field(default=False, description="Add the evidence passages the model read.")


def answer_json(answer, evidence: bool = False) -> dict:
    """`assistant ask --json`'s object; with `evidence`, the passages read too (as `asdict`)."""
    from dataclasses import asdict

    data = answer.to_json()
    if evidence:
        data["evidence"] = [asdict(e) for e in answer.evidence]
    return data


def router(service: Service, access: Access) -> APIRouter:
    api = APIRouter(route_class=route_class(access), strict_content_type=False)
    add_ask(api, service)
    add_documents(api, service)
    add_summaries(api, service)  # /v1/summarize, /v1/suggestions (summaries.py)
    return api


def add_ask(api: APIRouter, service: Service) -> None:
    @api.post("/v1/ask", tags=["answers"])
    async def ask(body: AskRequest):
        """Answer a question from the indexed documents, with citations as exact spans:
        `document_text(source, page)[start:end] == quote` (GET /v1/documents/{source} reads
        a span). With `"stream": true`: server-sent events, `draft` events with the model's
        unchecked words, then one `answer` event with the checked answer (or an `error`)."""
        assistant, question, sources = await run_in_threadpool(
            service.check, body.question, body.sources, body.collection
        )
        ticket = service.queue.admit()  # a full queue is 429 now, not after a wait
        history = [(t.question, strip_markers(t.answer)) for t in body.history]

        def work(on_token):
            return service.answer(ticket, assistant, question, history, sources, body.top_k, on_token)

        events = answer_events(work)
        if body.stream:
            return StreamingResponse(
                sse_events(events, body.evidence), media_type="text/event-stream", headers=STREAM_HEADERS
            )
        async for kind, value in events:
            if kind == "answer":
                return JSONResponse(answer_json(value, body.evidence))
            if kind == "error":
                return error_response(value)

    @api.get("/v1/search", tags=["answers"])
    def search(
        q: str = Query(description="What to look for."),
        k: int = Query(5, ge=1, le=50),
        source: list[str] | None = Query(None, description="Only these documents; repeatable."),
        collection: str | None = None,
    ):
        """The passages that best match `q`, with their exact spans, as `assistant search --json`
        prints them; no model is involved."""
        return service.search(q, k, source, collection)

    @api.get("/healthz", tags=["service"])
    def healthz():
        """200 when the index is loaded, the model is ready and the store reachable; else 503."""
        return service.health()


async def sse_events(events, evidence: bool):
    async for kind, value in events:
        if kind == "draft":
            yield sse("draft", {"text": value})
        elif kind == "answer":
            yield sse("answer", answer_json(value, evidence))
        elif not isinstance(value, Stopped):
            error_response(value)  # logs a bug's traceback
            yield sse("error", body_of(value))


def add_documents(api: APIRouter, service: Service) -> None:
    @api.get("/v1/documents", tags=["documents"])
    def documents(collection: str | None = None):
        """The indexed documents, as `assistant docs --json` lists them."""
        from ..index import where

        rows = service.documents(collection)
        return {"index": where(service.assistant_for(collection).settings), "documents": rows}

    @api.get("/v1/documents/{source:path}", tags=["documents"])
    def read(source: str, start: int | None = None, end: int | None = None, page: int | None = None,
             collection: str | None = None):  # fmt: skip
        """A document's text (a PDF's: one `page`), or its span `start:end`: a citation's span
        read here is exactly its quote."""
        return service.read(source, start, end, page, collection)

    @api.post("/v1/documents", tags=["documents"])
    def upload(files: list[UploadFile] = File(), collection: str | None = Form(None)):
        """Upload and index files (.txt .md .pdf .html .docx), under the web chat's rules: a safe
        name, under the size limit, readable; each is kept in uploads/ and indexed."""
        with tempfile.TemporaryDirectory() as tmp:
            received = []
            for f in files:
                path = Path(tmp) / uuid.uuid4().hex
                with open(path, "wb") as out:
                    shutil.copyfileobj(f.file, out)
                received.append((f.filename or "", path))
            result = service.add(received, collection)
        if not result["added"] and result["failed"]:
            raise result["failed"][0]["exception"]
        return {"added": result["added"], "failed": [_public(f) for f in result["failed"]]}

    @api.delete("/v1/documents/{source:path}", tags=["documents"])
    def remove(source: str, collection: str | None = None):
        """Take a document out of the index; an uploaded one's file is deleted too."""
        return service.remove(source, collection)

    @api.get("/v1/collections", tags=["documents"])
    def collections():
        """The collections, as `assistant collections --json` lists them."""
        return {"collections": service.collections()}


def _public(failure: dict) -> dict:
    return {"name": failure["name"], "error": failure["error"]}
