"""The model calls of answering a question, each queued on the model lock (resources.py).

    standalone(r, question, history)   a follow-up rewritten to stand alone, for retrieval
    fit(r, query, evidence)            the answer prompt, evidence dropped until it fits
    draft(r, messages, ...)            the reply streamed, a refusal held back until it is plain
    verify(r, messages, reply)         the model's P(yes) that its reply is stated and answers

Every backend is a `llms.ChatModel`; what a backend cannot tell (a probability) is None, which
the decision reads as no evidence either way.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from . import decide, prompts
from .resources import Resources
from .types import Evidence

OnToken = Callable[[str], None]  # receives each piece of text as it is shown
MAX_SOURCES = 9  # sources are numbered 1-9: one token each, so the pointer reads one step


def standalone(r: Resources, question: str, history) -> str:
    """Turn a follow-up into a question that stands alone, for retrieval.

    Only questions that lean on the conversation (a pronoun, "there", "then", or very short)
    pay for the rewrite: it is a second model call. A rewrite that copies an earlier answer or
    drops the question's words falls back to the user's words (`prompts.checked_rewrite`).
    """
    if not history or not prompts.leans_on_context(question):
        return question
    with r.model_lock:
        rewritten = r.llm.complete(prompts.rewrite_messages(question, list(history)), max_tokens=60)
    return prompts.checked_rewrite(question, rewritten, list(history))


def fit(r: Resources, query: str, evidence: list[Evidence]) -> tuple[list[Evidence], list[dict]]:
    """The pointer prompt, with evidence dropped from the end until it fits the model's context
    beside the answer turn, the answer and the yes/no check (a margin covers the template)."""
    budget = r.settings.n_ctx - r.settings.max_tokens - 128
    evidence = evidence[:MAX_SOURCES]
    while True:
        messages = prompts.pointer_messages(query, evidence)
        used = sum(r.llm.count_tokens(m["content"]) + 8 for m in messages)
        if used <= budget or len(evidence) <= 1:
            return evidence, messages
        evidence = evidence[:-1]


def point(r: Resources, messages: list[dict], evidence: list[Evidence]) -> dict[str, float] | None:
    """The pointer step: the model's reply constrained to NONE or a source's number, and the
    probability of each (renormalised over those options); None when the backend cannot tell."""
    options = [prompts.NONE, *(str(e.n) for e in evidence)]
    with r.model_lock:
        return r.llm.choose(messages, options)


def draft(
    r: Resources,
    messages: list[dict],
    on_token: OnToken | None,
    t0: float,
    show_refusal: bool = True,
    avoid: str | None = None,
) -> tuple[str, float | None]:
    """Stream the model's reply to `on_token`; returns (text, seconds from `t0` to the first
    piece shown, or None when nothing was shown).

    A reply that is turning out to be the refusal phrase is held back, and generation stops
    once it is plain: the refusal is then shown whole, in one piece (or not at all with
    `show_refusal=False`, when the caller may still ask again).
    """
    s = r.settings
    text, shown, first = "", 0, None
    pieces = r.llm.stream(messages, max_tokens=s.max_tokens, temperature=s.temperature, avoid=avoid)
    with r.model_lock, contextlib.closing(pieces):  # type: ignore[type-var]
        for piece in pieces:
            text += piece
            if not shown:
                held = decide.streaming_refusal(text)
                if held == "wait":
                    continue
                if held == "refusal":
                    text = prompts.REFUSAL
                    break
            if first is None:
                first = round(time.perf_counter() - t0, 3)
            if on_token:
                on_token(text[shown:])
            shown = len(text)
    if not shown and show_refusal:  # the refusal (or an empty reply): show it now
        first = round(time.perf_counter() - t0, 3)
        if on_token and text.strip():
            on_token(text.strip())
    return text.strip(), first


def certainty(r: Resources) -> float | None:
    with r.model_lock:
        return r.llm.certainty()


def verify(r: Resources, messages: list[dict], reply: str) -> float | None:
    """The model's P(Yes) / P(Yes or No) that its reply is stated in the sources and answers the
    question: the prompt and reply are already in its cache, so this reads a few tokens."""
    check = prompts.verify_messages(messages, reply)
    with r.model_lock:
        yes = r.llm.opening_probability(check, "Yes")
        no = r.llm.opening_probability(check, "No")
    if yes is None or no is None or yes + no <= 0:
        return None
    return round(yes / (yes + no), 4)
