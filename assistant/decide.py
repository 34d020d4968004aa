"""The answer decision: what `Assistant.ask` does next with a checked draft. Pure.

    >>> streaming_refusal("The documents")
    'wait'
    >>> streaming_refusal("France withdrew")

The 1.5B model decides badly on its own, so the code decides. The model points at the source
that states the answer (or NONE) under a grammar, and its probabilities are read (`signals`,
`pick`); it writes the answer from the chosen source; the checks (checks.py, claims.py) judge
the answer; then `next_step` says what to do: quote the chosen source when the model's words
failed the checks, verify the answer (the model's yes/no completes the signals), then show it
when the gate (gate.py) scores it above the threshold that risk control chose, else show the
closest passages when some are close, else decline, with a `Reason`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from .checks import Checked, answer_type, best_answer_sentence, fits_type
from .prompts import NONE, REFUSAL
from .relations import carries_relation, split_parts
from .text import terms
from .types import Evidence, Hit, Reason, Signals

# This much of the refusal phrase, and the reply is the refusal: generation stops there.
_SURE = len("The documents do not")


def streaming_refusal(text: str) -> str | None:
    """'wait' while a streamed reply may still turn out to be the refusal phrase, 'refusal'
    once it plainly is, None when it is not the refusal."""
    t = text.strip().lower()
    if not REFUSAL.lower().startswith(t):
        return None
    return "refusal" if len(t) >= _SURE else "wait"


# --- what is measured before the answer is written ---------------------------------------------
def relevant(hits: list[Hit], min_relevance: float) -> bool:
    """Whether any passage is close enough to the question to ask the model at all."""
    return bool(hits) and max(h.dense for h in hits) >= min_relevance


def signals(question: str, hits: list[Hit], evidence: list[Evidence], pointer: dict | None) -> Signals:
    """Retrieval's signals and the pointer's distribution (P(NONE) first, then each source)."""
    qterms = set(terms(question))
    cover = max(
        (len(qterms & set(terms(e.passage.text))) / max(1, len(qterms)) for e in evidence), default=0.0
    )
    best = best_answer_sentence(question, evidence)
    dense = sorted((h.dense for h in hits), reverse=True)
    probs = (pointer or {}).get
    dist = tuple(round(float(probs(k) or 0.0), 4) for k in [NONE, *(str(e.n) for e in evidence)])
    return Signals(
        refusal=dist[0] if pointer else None,
        relevance=dense[0] if dense else 0.0,
        margin=round(dense[0] - dense[1], 4) if len(dense) > 1 else 0.0,
        coverage=round(cover, 4),
        typed=round(best[2], 4) if best else 0.0,
        pointer=dist if pointer else (),
    )


# How the source an answer is written from is picked: a logistic score over PICK_FEATURES, fitted
# on tuning runs by `python evals/fit_pointer.py RUN...` (which prints these numbers and how often
# the pick is on a gold source, out of fold, against the pointer's argmax alone). The pointer
# copies rank order and is flat when unsure, so what the source says counts beside it.
PICK_FEATURES = (
    "logp",  # log of the pointer's probability of the source, among the sources
    "first",  # 1 for the best-ranked source
    "relation",  # the source carries the question's relation (relations.carries_relation)
    "kind",  # the source holds the kind of answer asked for (checks.fits_type)
    "cover",  # share of the question's content words in the source
)
PICK_WEIGHTS: tuple[float, ...] | None = (-0.45, 1.746, 1.511, 0.817, 1.184, 1.468)  # 164 tuning questions


def pick_features(question: str, evidence: list[Evidence], pointer: dict | None) -> list[list[float]]:
    """Each source's PICK_FEATURES values."""
    kind, asked = answer_type(question), set(terms(question))
    probs = {k: v for k, v in (pointer or {}).items() if k != NONE}
    mass = sum(probs.values()) or 1.0
    rows = []
    for i, e in enumerate(evidence):
        text = e.passage.text
        p = probs.get(str(e.n), 1.0 / len(evidence) if not probs else 0.0) / mass
        rows.append(
            [
                math.log(max(p, 1e-4)),
                1.0 if i == 0 else 0.0,
                carries_relation(question, text),
                float(fits_type(kind, question, text)),
                len(asked & set(terms(text))) / max(1, len(asked)),
            ]
        )
    return rows


def pick(question: str, evidence: list[Evidence], pointer: dict | None) -> list[int]:
    """The sources the answer is written from (at most MAX_PICKED): the best-scoring source for
    the question and, for a question in parts, the best for each part (PICK_WEIGHTS over
    `pick_features`; before they are fitted, the pointer's favourite, NONE aside: every question
    gets a draft, the gate judges it). Without probabilities, the first source."""
    if not evidence:
        return []
    chosen: list[int] = []
    for asked in dict.fromkeys([question, *split_parts(question)]):
        score = _scores(asked, evidence, pointer)
        best = max(score, key=score.__getitem__)
        if best not in chosen:
            chosen.append(best)
    return sorted(chosen[:MAX_PICKED])


def source_odds(question: str, evidence: list[Evidence], pointer: dict | None) -> list[float]:
    """The picker's probability that each source states the answer, best first (sigmoid of the
    PICK_WEIGHTS score); [] before the weights are fitted. A gate feature: the best one, and its
    lead over the runner-up."""
    if PICK_WEIGHTS is None or not evidence:
        return []
    z = _scores(question, evidence, pointer).values()
    return sorted((1 / (1 + math.exp(-max(-30.0, min(30.0, v)))) for v in z), reverse=True)


MAX_PICKED = 3  # a question rarely has more parts; each source costs the answer prompt tokens


def _scores(question: str, evidence: list[Evidence], pointer: dict | None) -> dict[int, float]:
    if PICK_WEIGHTS is None:
        n0 = evidence[0].n  # the best-ranked source breaks ties (and decides without a pointer)
        return {e.n: ((pointer or {}).get(str(e.n)) or 0.0) + 1e-6 * (e.n == n0) for e in evidence}
    rows = pick_features(question, evidence, pointer)
    return {
        e.n: PICK_WEIGHTS[0] + sum(w * x for w, x in zip(PICK_WEIGHTS[1:], row))
        for e, row in zip(evidence, rows)
    }


def closest(evidence: list[Evidence], pointer: dict | None, chosen: list[int], limit: int = 3) -> list[int]:
    """The sources shown when the documents may not answer: the chosen ones, then the next the
    pointer rates highest, at most `limit`."""
    rest = sorted(
        (e.n for e in evidence if e.n not in chosen), key=lambda n: -((pointer or {}).get(str(n)) or 0.0)
    )
    return [*chosen, *rest][:limit]


# --- what to do next ---------------------------------------------------------------------------
class Action(Enum):
    ACCEPT = "accept"  # show the checked answer
    QUOTE = "quote"  # answer with the chosen source's sentence of the kind asked for
    VERIFY = "verify"  # the model's yes/no on its answer, the answer's checks, then the gate
    CLOSEST = "closest"  # "the documents may not answer this", with the closest passages cited
    DECLINE = "decline"  # "the documents do not answer this question", and why


@dataclass(frozen=True)
class Step:
    action: Action
    reason: Reason | None = None  # for CLOSEST and DECLINE
    detail: str = ""  # what fills the reason's words

    @property
    def final(self) -> bool:
        """The answer is decided: nothing more to compute."""
        return self.action in (Action.ACCEPT, Action.CLOSEST, Action.DECLINE)


@dataclass(frozen=True)
class State:
    """What is known when the next step is chosen."""

    draft: Checked  # the best checked draft so far
    score: float | None = None  # the gate's score of the draft; None until verified
    problem: tuple[Reason, str] | None = None  # a check the answer failed (claims.py), and its detail
    close: bool = False  # some source is close enough to show when the draft is not
    done: frozenset[Action] = frozenset()  # steps already taken


def next_step(state: State, threshold: float) -> Step:
    """What to do with `state.draft`, given the gate's `threshold` (gate.Gate.threshold).

    A draft whose words failed the checks is replaced by a quote of its source once; an answer
    is verified and reviewed, then shown when nothing failed and the gate's score reaches the
    threshold; otherwise the closest passages are shown when some are close, else the question
    is declined.
    """
    draft, done = state.draft, state.done
    if draft.failed and Action.QUOTE not in done:
        return Step(Action.QUOTE)
    if not draft.failed and Action.VERIFY not in done:
        return Step(Action.VERIFY)
    if draft.failed:
        reason, detail = draft.checks.reason or Reason.MODEL_DECLINED, draft.checks.detail
    elif state.problem:
        reason, detail = state.problem
    elif state.score is not None and state.score >= threshold:
        return Step(Action.ACCEPT)
    else:
        reason, detail = (
            Reason.LOW_CONFIDENCE,
            f"{state.score or 0.0:.2f}, below the {threshold:.2f} an answer needs",
        )
    return Step(Action.CLOSEST if state.close else Action.DECLINE, reason, detail)
