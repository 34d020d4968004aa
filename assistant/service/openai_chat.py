"""An OpenAI-compatible chat endpoint: `POST /v1/chat/completions` and `GET /v1/models`, so
chat clients that speak the OpenAI API (Open WebUI, the `openai` Python client, editors) can
ask the documents.

The last user message is the question, the earlier user/assistant pairs the history (system
messages are ignored: the assistant's own rules apply). The reply's `content` is the checked
answer with its [n] markers and a Sources list; the message's `citations` carries the same
citations as `assistant ask --json` (exact spans). Models: `assistant` (the server's collection)
and `assistant/<name>` for each collection.

Streaming follows OpenAI's chunk format. The model's unchecked draft streams as
`reasoning_content` (clients that show a model's "thinking" show it there, apart from the
answer), and the checked answer arrives as `content` in one piece once the checks are done,
with `citations` in the same delta: the content never holds words the checks removed.

    from openai import OpenAI
    client = OpenAI(base_url="http://127.0.0.1:8000/v1", api_key="unused")
    reply = client.chat.completions.create(model="assistant", messages=[{"role": "user",
        "content": "When did Operation Serval become Operation Barkhane?"}])
    reply.choices[0].message.content, reply.choices[0].message.citations
"""

from __future__ import annotations

import json
import time
import uuid

from fastapi import APIRouter
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from ..types import Answer
from ..web.session import strip_markers
from .access import Access, error_response, route_class
from .core import Service
from .errors import BadRequest, NotFound, body_of
from .routes import STREAM_HEADERS
from .streaming import Stopped, answer_events

MODEL = "assistant"
SOURCES = "\n\nSources:\n"


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[dict] | None = None


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens...: the assistant's own apply
    model: str = Field(default=MODEL, examples=[MODEL])
    messages: list[Message]
    stream: bool = False


def text_of(message: Message) -> str:
    """A message's text: a string, or the text parts of a list of parts."""
    if isinstance(message.content, list):
        return "".join(str(p.get("text", "")) for p in message.content if p.get("type") == "text")
    return message.content or ""


def conversation(messages: list[Message]) -> tuple[str, list[tuple[str, str]]]:
    """(question, history): the last user message, and the (question, answer) pairs before it
    with their markers and Sources lists removed.

    >>> m = [Message(role="user", content="Who?"), Message(role="assistant",
    ...      content="Goita [1]." + SOURCES + "- [1] ..."), Message(role="user", content="When?")]
    >>> conversation(m)
    ('When?', [('Who?', 'Goita.')])
    """
    turns = [m for m in messages if m.role in ("user", "assistant")]
    if not turns or turns[-1].role != "user":
        raise BadRequest("the last message must be the user's question (role 'user')")
    history, asked = [], None
    for m in turns[:-1]:
        if m.role == "user":
            asked = text_of(m)
        elif asked is not None:
            history.append((asked, strip_markers(text_of(m).split(SOURCES)[0])))
            asked = None
    return text_of(turns[-1]), history


def collection_of(model: str) -> str | None:
    """`assistant` -> None (the server's collection); `assistant/reports` -> "reports"."""
    if model == MODEL:
        return None
    head, _, name = model.partition("/")
    if head != MODEL or not name:
        raise NotFound(f"no model named {model!r}; use {MODEL!r} or see GET /v1/models")
    return name


def reply_text(answer: Answer) -> str:
    """The checked answer with its markers, then its sources (the closest passages, when the
    documents may not answer), then, for an answer not given, why."""
    lines = []
    for c in answer.citations:
        where = f"page {c.page}, " if c.page else ""
        title = f"{c.title} — " if c.title else ""
        quote = " ".join(c.quote.split())
        lines.append(f"- [{c.n}] {title}{c.source} ({where}chars {c.start}-{c.end}): “{quote}”")
    text = answer.answer + (SOURCES + "\n".join(lines) if lines else "")
    why = answer.checks.why if answer.abstained else ""
    return text + (f"\n\nWhy: {why}" if why else "")


def message(answer: Answer) -> dict:
    return {
        "role": "assistant",
        "content": reply_text(answer),
        "citations": [c.to_dict() for c in answer.citations],
    }


def router(service: Service, access: Access) -> APIRouter:
    api = APIRouter(route_class=route_class(access), strict_content_type=False, tags=["OpenAI-compatible"])

    @api.get("/v1/models")
    def models():
        """`assistant`, and `assistant/<name>` for each collection."""
        names = [MODEL] + [f"{MODEL}/{c['name']}" for c in service.collections() if c["name"]]
        return {"object": "list", "data": [_model(n) for n in names]}

    @api.post("/v1/chat/completions")
    async def chat(body: ChatRequest):
        """The checked answer to the last user message, with a Sources list in `content` and the
        exact citations in the message's `citations`; `stream` gives OpenAI's chunks."""
        question, history = conversation(body.messages)
        collection = collection_of(body.model)
        assistant, question, _ = await run_in_threadpool(service.check, question, None, collection)
        ticket = service.queue.admit()
        events = answer_events(
            lambda on_token: service.answer(ticket, assistant, question, history, on_token=on_token)
        )
        head = {"id": f"chatcmpl-{uuid.uuid4().hex}", "created": int(time.time()), "model": body.model}
        if body.stream:
            return StreamingResponse(
                chunks(events, head), media_type="text/event-stream", headers=STREAM_HEADERS
            )
        async for kind, value in events:
            if kind == "answer":
                choice = {"index": 0, "message": message(value), "finish_reason": "stop"}
                return JSONResponse({**head, "object": "chat.completion", "choices": [choice]})
            if kind == "error":
                return error_response(value)

    return api


async def chunks(events, head: dict):
    """OpenAI's `chat.completion.chunk` events: the role, the draft as reasoning, the checked
    answer with its citations, the finish, then [DONE]."""

    def chunk(delta: dict, finish: str | None = None) -> str:
        data = {
            **head,
            "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        }
        return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"

    yield chunk({"role": "assistant", "content": ""})
    async for kind, value in events:
        if kind == "draft":
            yield chunk({"reasoning_content": value})
        elif kind == "answer":
            yield chunk({"content": reply_text(value), "citations": [c.to_dict() for c in value.citations]})
            yield chunk({}, "stop")
        elif not isinstance(value, Stopped):
            error_response(value)  # logs a bug's traceback
            yield f"data: {json.dumps(body_of(value), ensure_ascii=False)}\n\n"
    yield "data: [DONE]\n\n"


def _model(name: str) -> dict:
    return {"id": name, "object": "model", "created": 0, "owned_by": "cited-assistant"}
