"""The model queue: how many questions are answered at once, how many may wait, and the answer
to the rest (429 with Retry-After).

llama.cpp's in-process model is not thread-safe, so it answers one question at a time; a model
server (`assistant serve-model`, ASSISTANT_LLM_URL) answers ASSISTANT_LLM_PARALLEL at once. A
question is admitted at once or refused at once (`admit` never blocks), so a full queue costs
the client one round trip, not a long wait; an admitted question then waits in its own thread
for a slot (`with ticket:`) and holds it for the whole answer, retrieval to last check, as the
web chat's concurrency limit does: two questions that interleave their model calls would both
finish later than one after the other.

    >>> q = ModelQueue(slots=1, waiting=1)
    >>> first, second = q.admit(), q.admit()
    >>> q.admit()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    assistant.service.queue.Busy: the assistant is answering 2 question(s) already ...
"""

from __future__ import annotations

import math
import statistics
import threading
import time
from collections import deque

from ..errors import AssistantError

FIRST_GUESS_S = 5.0  # seconds an answer takes before any was timed (a cold answer, in-process)


class Busy(AssistantError):
    """The queue is full; `retry_after` is when a slot is likely to be free, in seconds."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def slots_of(settings) -> int:
    """Answers written at once: 1 in-process (llama.cpp contexts are not thread-safe), the
    server's slots with a model server."""
    return settings.llm_parallel if settings.llm_url else 1


class Ticket:
    """An admitted question: `with ticket:` waits for a slot and gives it back, and the place in
    the queue, when the answer is done (or failed, or was stopped)."""

    def __init__(self, queue: ModelQueue):
        self._queue, self._t0 = queue, 0.0

    def __enter__(self) -> Ticket:
        self._queue._slots.acquire()
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self._queue._done(time.perf_counter() - self._t0)

    def cancel(self) -> None:
        """Give the place back without having answered (the worker never started)."""
        self._queue._leave()


class ModelQueue:
    def __init__(self, slots: int = 1, waiting: int = 16):
        self.slots, self.waiting = slots, waiting
        self._slots = threading.Semaphore(slots)
        self._lock = threading.Lock()
        self._inside = 0  # admitted and not yet done: answering or waiting
        self._seconds: deque[float] = deque(maxlen=20)  # the last answers' durations

    @property
    def inside(self) -> int:
        return self._inside

    def admit(self) -> Ticket:
        """A place in the queue, or Busy at once when every slot and waiting place is taken."""
        with self._lock:
            if self._inside >= self.slots + self.waiting:
                raise Busy(
                    f"the assistant is answering {self._inside} question(s) already (queue full); "
                    f"ask again in {self.retry_after()} s",
                    self.retry_after(),
                )
            self._inside += 1
        return Ticket(self)

    def retry_after(self) -> int:
        """Seconds until the queue is likely to have room: the questions ahead, shared over the
        slots, times the median answer time lately."""
        typical = statistics.median(self._seconds) if self._seconds else FIRST_GUESS_S
        ahead = max(1, self._inside - self.slots + 1)
        return max(1, math.ceil(ahead / self.slots * typical))

    def _done(self, seconds: float) -> None:
        self._seconds.append(seconds)
        self._slots.release()
        self._leave()

    def _leave(self) -> None:
        with self._lock:
            self._inside -= 1
