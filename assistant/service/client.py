"""`Client`: a running `assistant serve`, with the calls of `Assistant` the terminal makes.

With ASSISTANT_URL (or --url), `assistant ask`, `search` and `chat` send their questions here
instead of loading the model, and print what they print for a local answer: `ask` streams the
answer's draft (server-sent events) and rebuilds the checked `Answer` from its JSON.

    client = Client("http://127.0.0.1:8000")
    answer = client.ask("When did Operation Serval become Operation Barkhane?")
    answer.citations[0].quote

Errors come back as the server's one-line messages, as the same error classes; a server that
cannot be reached is one line naming its URL.
"""

from __future__ import annotations

import json
import os
from urllib.parse import urlsplit

from ..errors import AssistantError, BadQuestion, BadSetting, IndexMissing, ModelUnavailable, StoreUnavailable
from ..types import Answer

ERRORS = {  # the server's error type -> the class the CLI knows (a bad question lets `chat` go on)
    "bad_question": BadQuestion,
    "model_unavailable": ModelUnavailable,
    "store_unavailable": StoreUnavailable,
    "index_unavailable": IndexMissing,
}


class ServerUnavailable(AssistantError):
    """The assistant server cannot be reached, or broke off its answer."""


def base_url(value: str) -> str:
    """The server's root URL from ASSISTANT_URL or --url (with or without /v1).

    >>> base_url("http://127.0.0.1:8000/v1/")
    'http://127.0.0.1:8000'
    """
    url = value.strip().rstrip("/")
    url = url[: -len("/v1")] if url.endswith("/v1") else url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadSetting(
            f"ASSISTANT_URL={value!r} is not an http(s) URL; set it to e.g. http://127.0.0.1:8000"
        )
    return url


class Client:
    def __init__(
        self, url: str, collection: str | None = None, top_k: int | None = None, timeout: float = 300
    ):
        import httpx

        self.url = base_url(url)
        self.collection, self.top_k = collection, top_k  # sent with every question
        key = os.environ.get("ASSISTANT_API_KEY")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.http = httpx.Client(headers=headers, timeout=httpx.Timeout(timeout, connect=5.0))

    def ask(self, question: str, history=(), on_token=None, top_k: int | None = None, sources=None) -> Answer:
        """`Assistant.ask` on the server: the draft's pieces to `on_token`, then the Answer (with
        the evidence passages the model read, for a refusal's "Passages read")."""
        body = {
            "question": question,
            "history": [{"question": q, "answer": a} for q, a in history],
            "sources": list(sources) if sources else None,
            "collection": self.collection,
            "top_k": top_k or self.top_k,
            "stream": True,
            "evidence": True,
        }
        with self._request("POST", "/v1/ask", json=body, stream=True) as r:
            for event, data in _events(r.iter_lines()):
                if event == "draft" and on_token:
                    on_token(data["text"])
                elif event == "answer":
                    return Answer.from_json(data)
                elif event == "error":
                    raise _error(data)
        raise ServerUnavailable(f"the assistant server at {self.url} ended the answer early; ask again")

    def search(self, query: str, k: int = 5) -> dict:
        """`GET /v1/search`: {"query", "passages"}, as `assistant search --json` prints it."""
        params = {"q": query, "k": k, **({"collection": self.collection} if self.collection else {})}
        with self._request("GET", "/v1/search", params=params) as r:
            return r.json()

    def _request(self, method: str, path: str, stream: bool = False, **kwargs):
        """The response as a context manager; an error status raises the server's error."""
        import contextlib

        import httpx

        @contextlib.contextmanager
        def opened():
            try:
                with self.http.stream(method, self.url + path, **kwargs) as r:
                    if r.status_code >= 400:
                        r.read()
                        raise _error(_json(r), r.status_code)
                    if not stream:
                        r.read()
                    yield r
            except httpx.HTTPError as e:
                raise ServerUnavailable(
                    f"no assistant server answers at {self.url} ({type(e).__name__}); start one with "
                    "`assistant serve`, or unset ASSISTANT_URL to answer in this process"
                ) from e

        return opened()


def _events(lines):
    """(event, data) for each server-sent event."""
    event = "message"
    for line in lines:
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            yield event, json.loads(line[5:])
            event = "message"


def _json(response) -> dict:
    try:
        return response.json()
    except ValueError:
        return {"error": {"type": "", "message": f"HTTP {response.status_code}: {response.text[:160]}"}}


def _error(data: dict, status: int | None = None) -> AssistantError:
    error = data.get("error") or {}
    message = error.get("message") or f"the server answered HTTP {status}"
    return ERRORS.get(error.get("type", ""), AssistantError)(message)
