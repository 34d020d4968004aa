"""One chat session in the web UI: its turns, the history follow-ups need, and streaming.

Pure Python (no Gradio, no models), so the UI's state and its follow-up logic are unit-tested
on their own. A Session is immutable: each answer makes a new one, which Gradio keeps per
browser tab, so two people never share a conversation.

    >>> from assistant.types import Answer, Timings
    >>> answer = Answer("Who leads the junta?", "Assimi Goita leads the junta [1].", False, (),
    ...                 "model", Timings())
    >>> s = Session().add(Turn(1, "Who leads the junta?", answer))
    >>> s.history()
    (('Who leads the junta?', 'Assimi Goita leads the junta.'),)

`stream_ask(assistant.ask, question, s.history())` then yields the growing partial text (str)
while the model writes, and the final Answer last; setting its `stop` event ends it early.
"""

from __future__ import annotations

import queue
import re
import threading
from dataclasses import dataclass, replace

from ..types import Answer

HISTORY_TURNS = 3  # the rewrite prompt reads the last three exchanges; older ones only cost time
_MARKER = re.compile(r"\s*\[\d+\]")


@dataclass(frozen=True)
class Turn:
    n: int  # 1-based; names this turn's source cards in the page (src-<n>-<citation>)
    question: str
    answer: Answer | None = None  # None when the question failed with `error`, or was stopped
    error: str = ""
    sources_html: str = ""  # the rendered source cards, read from the files once
    stopped: bool = False  # the user stopped the answer while it was being written
    partial: str = ""  # what had been written when it was stopped (unchecked)


@dataclass(frozen=True)
class Session:
    turns: tuple[Turn, ...] = ()
    conversation: str = ""  # its id in the history database (history.py); "" until saved

    @property
    def next_n(self) -> int:
        return len(self.turns) + 1

    def add(self, turn: Turn) -> Session:
        return replace(self, turns=self.turns + (turn,))

    def without_last(self) -> Session:
        """The session before its last turn (to answer that question again)."""
        return replace(self, turns=self.turns[:-1])

    def records(self) -> list[tuple[int, str, dict]]:
        """The turns as the history database stores them: (n, question, answer_json)."""
        return [(t.n, t.question, turn_record(t)) for t in self.turns]

    def history(self, max_turns: int = HISTORY_TURNS) -> tuple[tuple[str, str], ...]:
        """(question, answer) pairs for `Assistant.ask`, citation markers removed.

        Failed turns are left out; abstentions stay in, since their question still names
        what the user is talking about.
        """
        pairs = [(t.question, strip_markers(t.answer.answer)) for t in self.turns if t.answer is not None]
        return tuple(pairs[-max_turns:]) if max_turns else ()


def turn_record(turn: Turn) -> dict:
    """What the history keeps of a turn: the whole Answer, or the error, or the stopped text."""
    from .history import answer_to_json

    if turn.answer is not None:
        return {"answer": answer_to_json(turn.answer)}
    return {"stopped": turn.partial} if turn.stopped else {"error": turn.error}


def turn_from_record(n: int, question: str, record: dict, sources_html=lambda answer, n: "") -> Turn:
    """The Turn a stored record describes; `sources_html(answer, n)` draws its source cards
    again from the files (highlight.turn_sources), since cards are not stored."""
    from .history import answer_from_json

    if "answer" in record:
        answer = answer_from_json(record["answer"])
        return Turn(n, question, answer, sources_html=sources_html(answer, n))
    if "stopped" in record:
        return Turn(n, question, stopped=True, partial=record["stopped"] or "")
    return Turn(n, question, error=record.get("error") or "No answer came back; please ask again")


def strip_markers(text: str) -> str:
    """'Goita leads it [1][2].' -> 'Goita leads it.'"""
    return _MARKER.sub("", text).strip()


_DONE = object()


class Stopped(Exception):
    """Raised in the worker, from `on_token`, to end a generation the user stopped."""


def stream_ask(ask, question: str, history=(), stop: threading.Event | None = None):
    """Run `ask` in a worker thread; yield the growing answer text, then the Answer.

    `ask` is `Assistant.ask` (or anything with its signature). Pieces that arrive together are
    yielded as one update, so a slow browser is never flooded. An exception in `ask` is raised
    here, in the caller's thread, after the text streamed so far.

    Setting `stop` (or closing this generator) ends the stream with no Answer; the worker
    stops at the model's next piece, so the model is free for the next question.
    """
    stop = stop or threading.Event()
    pieces: queue.Queue = queue.Queue()
    result: dict = {}

    def on_token(piece):
        if stop.is_set():
            raise Stopped  # unwinds the generation, which releases the model
        pieces.put(piece)

    def work():
        try:
            result["answer"] = ask(question, history=history, on_token=on_token)
        except BaseException as e:  # noqa: BLE001 - handed to the caller's thread, raised there
            result["error"] = e
        finally:
            pieces.put(_DONE)

    threading.Thread(target=work, name="ask", daemon=True).start()
    text, done, finished = "", False, False
    try:
        while not done:
            batch = _next_batch(pieces, stop)
            if batch is None:  # stopped
                return
            done = batch[-1] is _DONE
            new = "".join(p for p in batch if p is not _DONE)
            if new:
                text += new
                yield text
        finished = True
    finally:
        if not finished:  # stopped, or the consumer went away: end the generation too
            stop.set()
    if stop.is_set():
        return
    if "error" in result:
        raise result["error"]
    yield result["answer"]


def _next_batch(pieces: queue.Queue, stop: threading.Event, poll: float = 0.1) -> list | None:
    """Every piece waiting, at least one; None once `stop` is set."""
    while not stop.is_set():
        try:
            batch = [pieces.get(timeout=poll)]
        except queue.Empty:
            continue
        while batch[-1] is not _DONE and not pieces.empty():
            batch.append(pieces.get_nowait())
        return batch
    return None
