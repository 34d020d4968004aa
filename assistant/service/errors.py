"""The service's errors, and the HTTP status and type each error a user can cause answers with.

Every error body is `{"error": {"type": ..., "message": ...}}`, the message the one line the
CLI prints for the same mistake (OpenAI's clients read the same shape).

    >>> from assistant.errors import BadQuestion, ModelUnavailable
    >>> status_of(BadQuestion("the question is empty")), status_of(ModelUnavailable("down"))
    ((400, 'bad_question'), (503, 'model_unavailable'))
"""

from __future__ import annotations

from ..errors import (
    AssistantError,
    BadDocument,
    BadQuestion,
    BadSetting,
    IndexMismatch,
    IndexMissing,
    IndexUnwritable,
    MissingDependency,
    ModelMissing,
    ModelUnavailable,
    StoreUnavailable,
)
from .queue import Busy


class NotFound(AssistantError):
    """An unknown document or collection."""


class TooLarge(AssistantError):
    """A request body over the limit."""


class Unauthorized(AssistantError):
    """A missing or wrong API key."""


class Forbidden(AssistantError):
    """A request from a web page of another site, or for a host name this server is not."""


class BadRequest(AssistantError):
    """A request the service cannot read: malformed JSON, a missing or mistyped field."""


# the most specific class first: IndexDamaged is an IndexMissing, Busy an AssistantError
STATUS: list[tuple[type[Exception], int, str]] = [
    (BadQuestion, 400, "bad_question"),
    (BadDocument, 400, "bad_document"),
    (BadSetting, 400, "bad_request"),
    (BadRequest, 400, "bad_request"),
    (Unauthorized, 401, "unauthorized"),
    (Forbidden, 403, "forbidden"),
    (NotFound, 404, "not_found"),
    (TooLarge, 413, "too_large"),
    (Busy, 429, "busy"),
    (ModelMissing, 503, "model_unavailable"),
    (ModelUnavailable, 503, "model_unavailable"),
    (MissingDependency, 503, "model_unavailable"),
    (StoreUnavailable, 503, "store_unavailable"),
    (IndexMissing, 503, "index_unavailable"),
    (IndexMismatch, 503, "index_unavailable"),
    (IndexUnwritable, 503, "index_unavailable"),
    (AssistantError, 400, "bad_request"),
]


def status_of(error: Exception) -> tuple[int, str]:
    """(HTTP status, error type) for an error; (500, "internal_error") for a bug."""
    for cls, status, kind in STATUS:
        if isinstance(error, cls):
            return status, kind
    return 500, "internal_error"


def body_of(error: Exception) -> dict:
    """The JSON error body; a bug's message names its type only (the details go to the log)."""
    status, kind = status_of(error)
    if status == 500:
        message = f"internal error ({type(error).__name__}); see the server log, then try again"
    else:
        message = " ".join(str(error).split())  # one line, whatever the error held
    return {"error": {"type": kind, "message": message}}


def headers_of(error: Exception) -> dict[str, str]:
    if isinstance(error, Busy):
        return {"Retry-After": str(error.retry_after)}
    if isinstance(error, Unauthorized):
        return {"WWW-Authenticate": "Bearer"}
    return {}
