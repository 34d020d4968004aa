"""The gate: whether a drafted answer is shown. Selective prediction, fitted on tuning data only.

Every question gets a draft; the gate alone decides whether it is shown. It scores the draft by
a logistic model over measured features (`FEATURES`: the pointer's probabilities, retrieval,
the checks of the answer, the model's yes/no on it) followed by a monotone (isotonic)
calibration, so the score reads as the probability that the shown answer is right. The
threshold is chosen by risk control: the lowest score whose out-of-fold share of wrong answers
among those shown is at most alpha (`ASSISTANT_MAX_RISK`, default 0.05).

    >>> g = Gate(FEATURES, [0.0] * len(FEATURES), [1.0] * len(FEATURES), [0.0] * len(FEATURES),
    ...          [0.0, 1.0], [0.1, 0.9], [(0.5, 0.04, 0.5), (0.2, 0.3, 1.0)])
    >>> g.threshold(0.05), g.threshold(0.5)
    (0.5, 0.2)

Fitting (`fit`, `out_of_fold`, `risk_curve`) is here too, in numpy, so that `evals/calibrate.py`
and the eval report compute out-of-fold figures the same way. The fitted numbers live in
gate.json beside this file, with the command that wrote them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

PARAMS = Path(__file__).with_name("gate.json")

# The features, in order; each a value from one question's signals dict (types.Signals), None
# when unknown (then the feature's training mean is used, i.e. no evidence either way).
FEATURES = (
    "none",  # log-odds of the pointer's P(NONE): no source states the answer
    "pointed",  # log-odds of the pointer's probability of the chosen source, among the sources
    "picked",  # log-odds of the picker's probability that the best source states the answer
    "pick_margin",  # that probability minus the runner-up's
    "relevance",  # best cosine of a retrieved passage to the question
    "margin",  # that cosine minus the second best
    "coverage",  # best share of the question's content words in one source
    "typed",  # share of the question's words in the best source of the kind asked for
    "verified",  # log-odds of the model's yes to "is that answer stated and does it answer?"
    "certainty",  # log-odds of the geometric-mean probability of the answer's tokens
    "support",  # the weakest citation's support score (cite.support)
    "words",  # log of the answer's length in words
    "relation",  # the cited sentence carries the question's relation (claims.py), 0-1
    "specifics",  # share of the answer's names, numbers, dates and places a cited sentence holds
    "parts",  # share of the question's parts the answer answers
)
_LOGIT = {"none", "pointed", "picked", "verified", "certainty"}


def logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def vector(signals: dict, names: Sequence[str] = FEATURES) -> list[float | None]:
    """The feature values of one question's signals (None where unknown)."""
    out: list[float | None] = []
    for name in names:
        v = signals.get(name)
        if v is None:
            out.append(None)
        elif name in _LOGIT:
            out.append(logit(float(v)))
        elif name == "words":
            out.append(math.log1p(float(v)))
        else:
            out.append(float(v))
    return out


@dataclass(frozen=True)
class Gate:
    features: Sequence[str]
    mean: Sequence[float]  # per feature: the training mean (fills unknowns) ...
    scale: Sequence[float]  # ... and standard deviation (standardises)
    weights: Sequence[float]  # bias first, then one per feature
    iso_x: Sequence[float]  # isotonic calibration: raw logistic score -> P(right), as steps
    iso_y: Sequence[float]
    curve: Sequence[tuple[float, float, float]]  # (threshold, out-of-fold risk, share shown)
    fitted_on: str = ""
    command: str = ""

    def raw(self, signals: dict) -> float:
        x = [self.mean[i] if v is None else v for i, v in enumerate(vector(signals, self.features))]
        z = self.weights[0] + sum(
            w * (v - m) / s for w, v, m, s in zip(self.weights[1:], x, self.mean, self.scale)
        )
        return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))

    def score(self, signals: dict) -> float:
        """The calibrated probability that the draft, if shown, is right."""
        return round(_step(self.raw(signals), self.iso_x, self.iso_y), 4)

    def threshold(self, alpha: float) -> float:
        """The lowest threshold whose out-of-fold wrong-among-shown is at most `alpha` (1.01,
        nothing shown, when none is)."""
        ok = [t for t, risk, _ in self.curve if risk <= alpha]
        return min(ok) if ok else 1.01

    def save(self, path: Path = PARAMS) -> None:
        path.write_text(json.dumps(asdict(self), indent=1) + "\n", encoding="utf-8")


def load(path: Path = PARAMS) -> Gate | None:
    """The fitted gate, or None when none was fitted yet."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        return None
    data["curve"] = [tuple(c) for c in data["curve"]]
    return Gate(**data)


def _step(x: float, xs: Sequence[float], ys: Sequence[float]) -> float:
    """The isotonic fit at `x`: linear between its knots, flat beyond them."""
    if not xs:
        return x
    if x <= xs[0]:
        return ys[0]
    for i in range(1, len(xs)):
        if x <= xs[i]:
            span = xs[i] - xs[i - 1]
            t = (x - xs[i - 1]) / span if span > 0 else 1.0
            return ys[i - 1] + t * (ys[i] - ys[i - 1])
    return ys[-1]


# --- the gate in use ----------------------------------------------------------------------------
class Fallback:
    """The gate before one is fitted (and the tests' gate): the pointer's 1 - P(NONE), shown at
    0.5 or more."""

    def score(self, signals: dict) -> float:
        none = signals.get("none")
        return round(1 - none, 4) if none is not None else 0.5

    def threshold(self, alpha: float) -> float:
        return 0.5


def threshold(scorer: Gate | Fallback, alpha: float) -> float:
    """The score a draft needs to be shown at risk `alpha` (1 or more: every checked draft)."""
    return 0.0 if alpha >= 1 else scorer.threshold(alpha)


# --- fitting (evals/calibrate.py, the eval report) -----------------------------------------------
def fit(rows: list[list[float | None]], right: list[bool], names=FEATURES, l2: float = 1.0) -> Gate:
    """A logistic model (L2-penalised, standardised features) and its isotonic calibration."""
    import numpy as np

    X = np.array([[np.nan if v is None else v for v in r] for r in rows], dtype=float)
    known = ~np.isnan(X)
    mean = np.where(known.any(axis=0), np.nansum(X, axis=0) / np.maximum(known.sum(axis=0), 1), 0.0)
    X = np.where(np.isnan(X), mean, X)
    scale = X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    Z = np.hstack([np.ones((len(X), 1)), (X - mean) / scale])
    y = np.array(right, dtype=float)
    w = np.zeros(Z.shape[1])
    for _ in range(50):  # Newton's method on the penalised log-likelihood (the bias unpenalised)
        p = 1 / (1 + np.exp(-np.clip(Z @ w, -30, 30)))
        penalty = np.full(len(w), l2)
        penalty[0] = 0.0
        grad = Z.T @ (p - y) + penalty * w
        hess = Z.T @ (Z * (p * (1 - p))[:, None]) + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    raw = 1 / (1 + np.exp(-np.clip(Z @ w, -30, 30)))
    iso_x, iso_y = isotonic(raw.tolist(), right)
    return Gate(tuple(names), mean.tolist(), scale.tolist(), w.tolist(), iso_x, iso_y, ())


def isotonic(scores: list[float], right: list[bool]) -> tuple[list[float], list[float]]:
    """Pool-adjacent-violators: the non-decreasing step function of `scores` closest to `right`,
    as knots (the mean score and the mean outcome of each pooled block).

    >>> isotonic([0.1, 0.2, 0.3, 0.4], [False, True, False, True])
    ([0.1, 0.25, 0.4], [0.0, 0.5, 1.0])
    """
    blocks: list[list[float]] = []  # [sum of scores, sum of outcomes, count]
    for s, r in sorted(zip(scores, right)):
        blocks.append([s, float(r), 1.0])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]:
            b = blocks.pop()
            blocks[-1] = [blocks[-1][0] + b[0], blocks[-1][1] + b[1], blocks[-1][2] + b[2]]
    return [b[0] / b[2] for b in blocks], [b[1] / b[2] for b in blocks]


def out_of_fold(rows, right: list[bool], folds: int = 5, names=FEATURES, seed: int = 0) -> list[float]:
    """Each question's score from a gate fitted without its fold (k-fold, folds by a fixed
    shuffle): the honest score on the data the gate is fitted on."""
    import random

    order = list(range(len(rows)))
    random.Random(seed).shuffle(order)
    fold = {i: k % folds for k, i in enumerate(order)}
    out = [0.0] * len(rows)
    for k in range(folds):
        train = [i for i in range(len(rows)) if fold[i] != k]
        if len({right[i] for i in train}) < 2:
            continue
        g = fit([rows[i] for i in train], [right[i] for i in train], names)
        for i in range(len(rows)):
            if fold[i] == k:
                out[i] = _scored(g, rows[i])
    return out


def _scored(g: Gate, row: list[float | None]) -> float:
    x = [g.mean[i] if v is None else v for i, v in enumerate(row)]
    z = g.weights[0] + sum(w * (v - m) / s for w, v, m, s in zip(g.weights[1:], x, g.mean, g.scale))
    return _step(1 / (1 + math.exp(-max(-30.0, min(30.0, z)))), g.iso_x, g.iso_y)


def risk_curve(scores: list[float], right: list[bool]) -> list[tuple[float, float, float]]:
    """For each distinct score t (high to low): (t, wrong among shown, share shown) when every
    draft scoring at least t is shown.

    >>> risk_curve([0.9, 0.8, 0.3], [True, False, True])
    [(0.9, 0.0, 0.3333), (0.8, 0.5, 0.6667), (0.3, 0.3333, 1.0)]
    """
    out, shown, wrong = [], 0, 0
    pairs = sorted(zip(scores, right), key=lambda p: -p[0])
    for i, (s, r) in enumerate(pairs):
        shown, wrong = shown + 1, wrong + (not r)
        if i + 1 == len(pairs) or pairs[i + 1][0] < s:
            out.append((round(s, 4), round(wrong / shown, 4), round(shown / len(pairs), 4)))
    return out
