"""The answer decision: what `Assistant.ask` does next with a checked draft. Pure.

    >>> streaming_refusal("The documents")
    'wait'
    >>> streaming_refusal("France withdrew")

The 1.5B model decides badly on its own, so the code decides, from signals it measures:
- a draft turning into the refusal phrase is held back while it streams (`streaming_refusal`);
- `confidence` turns the signals (the model's own probability of refusing, retrieval scores,
  how much of the question the evidence covers, whether the evidence holds the kind of answer
  asked for, the model's yes/no check of its answer) into a 0-1 answerability score;
- `next_step` reads the checked draft (checks.py) and the confidence and returns what to do:
  retry a refused draft with the refusal barred, quote the best evidence sentence, verify the
  answer, accept it, or decline with a `Reason`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from .checks import Checked, best_answer_sentence
from .config import Settings
from .prompts import REFUSAL
from .text import terms
from .types import Hit, Reason, Signals

# This much of the refusal phrase, and the reply is the refusal: generation stops there.
_SURE = len("The documents do not")


def streaming_refusal(text: str) -> str | None:
    """'wait' while a streamed reply may still turn out to be the refusal phrase, 'refusal'
    once it plainly is, None when it is not the refusal."""
    t = text.strip().lower()
    if not REFUSAL.lower().startswith(t):
        return None
    return "refusal" if len(t) >= _SURE else "wait"


# --- answerability -----------------------------------------------------------------------------
def signals(question: str, hits, evidence, refusal: float | None, verified: float | None = None) -> Signals:
    qterms = set(terms(question))
    cover = max(
        (len(qterms & set(terms(e.passage.text))) / max(1, len(qterms)) for e in evidence), default=0.0
    )
    best = best_answer_sentence(question, evidence)
    return Signals(
        refusal=refusal,
        relevance=max((h.dense for h in hits), default=0.0),
        coverage=round(cover, 4),
        typed=round(best[2], 4) if best else 0.0,
        verified=verified,
    )


# Logistic weights over `features`, fitted on the tuning sets only (the seed questions and CLAP
# NQ questions 1-100 of each file) by evals/calibrate.py; the README has the command and the
# held-out figures.
# BEFORE: what is known before an answer is checked (used to decide on a retry or a quote);
# WEIGHTS: everything, once the answer is written (the confidence the user sees).
# Fitted on 226 tuning questions (106 seed, CLAP NQ 1-60 of each file):
#   python evals/calibrate.py <seed run> <clapnq --block 1-60 run>   (both with every refusal retried)
WEIGHTS_BEFORE = (-1.791, 0.489, 2.123, -0.504, 0.641)
WEIGHTS = (-2.078, 0.34, 2.009, -0.381, 0.067, 1.142, 0.229)


def _logit(p: float | None) -> float:
    """Log-odds of a probability; 0 (even odds) when unknown."""
    if p is None:
        return 0.0
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def features(s: Signals) -> tuple[float, ...]:
    """The inputs of `confidence`: bias, the model's answer-vs-refusal log-odds, retrieval
    cosine, question coverage, answer-kind evidence, the model's yes-vs-no log-odds, and the
    log-odds of its certainty in the answer's tokens."""
    answer = None if s.refusal is None else 1 - s.refusal
    return (1.0, _logit(answer), s.relevance, s.coverage, s.typed, _logit(s.verified), _logit(s.certainty))


def confidence(s: Signals, weights=WEIGHTS) -> float:
    """How likely the documents answer the question, 0-1 (logistic over the first
    len(weights) `features`)."""
    z = sum(w * x for w, x in zip(weights, features(s)))
    return round(1 / (1 + math.exp(-max(-30.0, min(30.0, z)))), 3)


def relevant(hits: list[Hit], min_relevance: float) -> bool:
    """Whether any passage is close enough to the question to ask the model at all."""
    return bool(hits) and max(h.dense for h in hits) >= min_relevance


# --- what to do next ---------------------------------------------------------------------------
class Action(Enum):
    ACCEPT = "accept"  # show the checked answer
    RETRY = "retry"  # ask again in the same cached prompt, the refusal barred
    QUOTE = "quote"  # answer with the evidence sentence of the kind asked for that covers most
    VERIFY = "verify"  # ask the model's yes/no on its answer, then decide on the full confidence
    DECLINE = "decline"  # say the documents do not answer, and why


@dataclass(frozen=True)
class Step:
    action: Action
    reason: Reason | None = None  # for DECLINE
    detail: str = ""  # what fills the reason's words

    @property
    def final(self) -> bool:
        """Accept or decline: the answer is decided."""
        return self.action in (Action.ACCEPT, Action.DECLINE)


@dataclass(frozen=True)
class State:
    """What is known when the next step is chosen."""

    draft: Checked  # the best checked draft so far
    before: float  # confidence before the answer is checked (WEIGHTS_BEFORE)
    after: float | None = None  # confidence with the yes/no check (WEIGHTS); None until verified
    done: frozenset[Action] = frozenset()  # steps already taken


def next_step(state: State, s: Settings) -> Step:
    """What to do with `state.draft`.

    A refused draft is retried when the evidence probably answers (confidence above
    `retry_confidence`); a draft that gives nothing usable is replaced by a quote of the evidence
    when confidence is higher still (`extract_confidence`); an answer is verified, then declined
    below `min_confidence`; a quoted answer is shown as it is (the model did not write it).
    """
    draft, done = state.draft, state.done
    if draft.failed:
        reason = draft.checks.reason
        if (
            reason is Reason.MODEL_DECLINED
            and state.before >= s.retry_confidence
            and Action.RETRY not in done
        ):
            return Step(Action.RETRY)
        if state.before >= s.extract_confidence and Action.QUOTE not in done:
            return Step(Action.QUOTE)
        return Step(Action.DECLINE, reason, draft.checks.detail)
    if draft.checks.extracted:
        return Step(Action.ACCEPT)
    if state.after is None:
        return Step(Action.VERIFY)
    if state.after < s.min_confidence:
        return Step(Action.DECLINE, Reason.LOW_CONFIDENCE, f"{state.after:.2f}")
    return Step(Action.ACCEPT)
