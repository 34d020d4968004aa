"""Answer rules: what counts as an answer, decided by code rather than by the model. Pure.

    >>> streaming_refusal("The documents")
    'wait'
    >>> streaming_refusal("The documents do not answer")
    'refusal'
    >>> streaming_refusal("France withdrew")
    >>> missing_number("When did France leave Mali?", ["France left Mali."])
    True

The model writes a draft; these rules decide whether the user sees it. A draft that is turning
into the refusal phrase is held back while it streams (the user sees the refusal once, whole);
a when- or how-many question answered with no date or number is not answered.
"""

from __future__ import annotations

from .prompts import REFUSAL
from .text import asks_for_number, states_number

# This much of the refusal phrase, and the reply is the refusal: generation stops there.
_SURE = len("The documents do not")


def streaming_refusal(text: str) -> str | None:
    """'wait' while a streamed reply may still turn out to be the refusal phrase, 'refusal'
    once it plainly is, None when it is not the refusal."""
    t = text.strip().lower()
    if not REFUSAL.lower().startswith(t):
        return None
    return "refusal" if len(t) >= _SURE else "wait"


def missing_number(question: str, claims: list[str]) -> bool:
    """A question that asks for a date or quantity, answered with none."""
    return asks_for_number(question) and not any(states_number(c) for c in claims)
