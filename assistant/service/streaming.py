"""An answer written in a worker thread, read as events in the server's event loop.

`Assistant.ask` is blocking code (llama.cpp, or an HTTP stream from the model server); each
answer runs in a thread of its own, which first waits for a model slot (queue.py), and sends
("draft", piece) for each piece the model writes, then ("answer", Answer) or ("error",
exception). When the reader goes away (the client disconnected, the response was cancelled),
the next piece the model writes raises `Stopped` in the worker, which ends the generation and
frees the model for the next question; the thread gives its slot back as it ends.

    async for kind, value in answer_events(lambda on_token: assistant.ask(q, on_token=on_token)):
        ...

`sse` formats one server-sent event.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import AsyncIterator, Callable


class Stopped(Exception):
    """Raised in the worker, from `on_token`, when nobody reads the answer any more."""


def answer_events(work: Callable) -> AsyncIterator[tuple]:
    """Start `work(on_token)` in a thread now; return the events to read: ("draft", str) for
    each piece, then ("answer", result) or ("error", exception). Closing the events early stops
    the work at its next piece. Call it in the event loop."""
    loop = asyncio.get_running_loop()
    events: asyncio.Queue = asyncio.Queue()
    stop = threading.Event()

    def put(kind: str, value) -> None:
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is listening
            loop.call_soon_threadsafe(events.put_nowait, (kind, value))

    def on_token(piece: str) -> None:
        if stop.is_set():
            raise Stopped
        put("draft", piece)

    def run() -> None:
        try:
            put("answer", work(on_token))
        except BaseException as e:  # noqa: BLE001 - handed to the reader, who reports it
            put("error", e)

    # started here, not on the first read: the work gives back its queue place even if the
    # events are never read (a client gone before the response began)
    threading.Thread(target=run, name="answer", daemon=True).start()
    return _read(events, stop)


async def _read(events: asyncio.Queue, stop: threading.Event) -> AsyncIterator[tuple]:
    try:
        while True:
            kind, value = await events.get()
            yield kind, value
            if kind != "draft":
                return
    finally:
        stop.set()


def sse(event: str, data) -> str:
    """One server-sent event: `event: NAME` and one `data:` line of JSON.

    >>> sse("draft", {"text": "In 2014"})
    'event: draft\\ndata: {"text": "In 2014"}\\n\\n'
    """
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
