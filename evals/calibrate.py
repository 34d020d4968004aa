"""Fit the answerability confidence and choose the decision thresholds, on tuning sets only.

    python evals/calibrate.py REPORT_DIR [REPORT_DIR ...]

Each folder is an `assistant eval` run with a retry whenever the model declined
(`retry_confidence` below 0, `extract_confidence` above 1, `min_confidence` 0). The answer without
the retry is then known too: a question whose row says `generations: 2` had a refused draft. The
script

1. fits logistic weights for `decide.confidence` (answerable vs not) on all the pairs' questions,
   and prints each signal's AUROC and the fitted confidence's (in-sample and 5-fold);
2. replays every (retry_confidence, min_confidence) pair on the stored answers and prints the
   figures each would give, so the thresholds are chosen by measurement.

Only tuning data may go in: the seed set and CLAP NQ questions 1-100 of each file
(`assistant eval --dataset clapnq --block 1-100`). Held-out blocks are for reporting.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from assistant.decide import features
from assistant.evaluation.score import auroc, summarize
from assistant.types import Signals


def rows(folder) -> dict[str, dict]:
    with open(Path(folder) / "results.jsonl", encoding="utf-8") as f:
        return {r["id"]: r for r in map(json.loads, f)}


def feats(row) -> list[float] | None:
    s = row.get("signals")
    return list(features(Signals(**s))) if s else None


def fit(xs, ys):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0, fit_intercept=False, max_iter=1000)
    model.fit(xs, ys)
    return [round(float(w), 3) for w in model.coef_[0]]


def confidence(x, w) -> float:
    import math

    z = sum(a * b for a, b in zip(w, x))
    return 1 / (1 + math.exp(-max(-30, min(30, z))))


def cross_validated_auroc(xs, ys, folds=5) -> float | None:
    preds = [0.0] * len(xs)
    for k in range(folds):
        train = [i for i in range(len(xs)) if i % folds != k]
        w = fit([xs[i] for i in train], [ys[i] for i in train])
        for i in range(k, len(xs), folds):
            preds[i] = confidence(xs[i], w)
    return auroc(preds, ys)


def declined(row: dict, reason: str) -> dict:
    s = {
        **row["scores"],
        "declined": True,
        "cited": 0,
        "cited_on_gold": 0,
        "gold_covered": 0,
        "exact_quotes": 0,
    }
    if s.get("correct") is not None:
        s["correct"] = False
    if s.get("token_recall") is not None:
        s["token_recall"] = 0.0
    return {
        **row,
        "scores": s,
        "abstained": True,
        "checks": {**(row.get("checks") or {}), "abstain_reason": reason},
    }


class Extractor:
    """Scores the extractive answer (`decide.extract`) a row's stored evidence gives."""

    def __init__(self, items: dict, sources):
        from assistant.answer import Assistant
        from assistant.config import Settings

        self.items, self.sources, self.assistant = items, sources, Assistant(Settings(), log=lambda m: None)
        self.cache: dict[str, dict | None] = {}

    def row(self, row: dict) -> dict | None:
        if row["id"] not in self.cache:
            self.cache[row["id"]] = self._score(row)
        return self.cache[row["id"]]

    def _score(self, row):
        from assistant.decide import extract
        from assistant.evaluation.score import judge_citations, score_answer
        from assistant.types import Evidence, Passage

        item = self.items.get(row["id"])
        if item is None or not row.get("evidence"):
            return None
        ev = [Evidence(e["n"], Passage(**{k: v for k, v in e.items() if k != "n"})) for e in row["evidence"]]
        query = row.get("search_query") or row["question"]
        found = extract(query, ev)
        if found is None:
            return None
        ans = self.assistant._finish(row["question"], query, f"{found[0]} [{found[1]}]", ev)
        if ans.abstained:
            return None
        cited = judge_citations(item, ans.citations, self.sources)
        return {
            **row,
            "answer": ans.answer,
            "abstained": False,
            "scores": {**row["scores"], **score_answer(item, ans, cited)},
        }


BEFORE = 5  # features known before an answer is checked: bias, refusal, relevance, coverage, typed


def replay(rows_, w, wb, retry_at: float, decline_below: float, extract_at: float = 2.0, extractor=None):
    out = []
    for b in rows_:
        x = feats(b)
        refused = (b.get("timings") or {}).get("generations") == 2
        pre = confidence(x[:BEFORE], wb) if x else 0.0
        row = b if (not refused or pre >= retry_at) else declined(b, "model declined")
        final = confidence(x, w) if x else 0.0
        if row["abstained"] and extractor and x and pre >= extract_at:
            row, final = extractor.row(b) or row, pre  # a quote is not checked by the model
        if not row["abstained"] and final < decline_below:
            row = declined(row, "low confidence")
        out.append(row)
    return out


def load_items() -> tuple[dict, object]:
    """Every item of the tuning sets by id (the seed set, CLAP NQ questions 1-100 of each file)."""
    from assistant.config import Settings
    from assistant.evaluation.clapnq import dataset_folder, load_clapnq
    from assistant.evaluation.sets import Sources, load_questions

    root = Settings().root
    sources = Sources(root)
    items = {i.id: i for i in load_questions(root / "evals" / "seed_questions.jsonl", sources)}
    folder = dataset_folder("clapnq", root)
    items.update({i.id: i for i in load_clapnq(folder, root / ".cache" / "clapnq", sources, block=(1, 100))})
    return items, sources


def main(folders):
    every = [r for f in folders for r in rows(f).values()]
    usable = [r for r in every if feats(r)]
    xs = [feats(r) for r in usable]
    ys = [bool(r["answerable"]) for r in usable]
    names = ["bias", "answer_logit", "relevance", "coverage", "typed", "verified_logit", "certainty_logit"]
    for j, name in enumerate(names[1:], start=1):
        print(f"AUROC {name:13s} {auroc([x[j] for x in xs], ys):.3f}")
    w, wb = fit(xs, ys), fit([x[:BEFORE] for x in xs], ys)
    print(f"WEIGHTS = {tuple(w)}  # {names}")
    print(f"WEIGHTS_BEFORE = {tuple(wb)}")
    print(f"AUROC before the answer: in-sample {auroc([confidence(x[:BEFORE], wb) for x in xs], ys):.3f}")
    print(
        f"AUROC confidence in-sample {auroc([confidence(x, w) for x in xs], ys):.3f}, "
        f"5-fold {cross_validated_auroc(xs, ys):.3f}  (n={len(xs)}, answerable {sum(ys)})"
    )
    keys = [
        "answer_accuracy",
        "answer_token_recall",
        "citation_precision",
        "citation_recall",
        "unanswerable_declined",
        "answerable_declined",
    ]
    extractor = Extractor(*load_items())
    print("retry_at extract_at decline_below " + " ".join(k[:14] for k in keys))
    for retry_at in (2.0, 0.6, 0.5, 0.4, 0.3):
        for extract_at in (2.0, 0.9, 0.8, 0.7):
            for below in (0.0, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8):
                s = summarize(replay(every, w, wb, retry_at, below, extract_at, extractor))
                print(
                    f"{retry_at:8.1f} {extract_at:10.1f} {below:13.1f} "
                    + " ".join(f"{s.get(k):14.3f}" if s.get(k) is not None else f"{'n/a':>14s}" for k in keys)
                )


if __name__ == "__main__":
    main(sys.argv[1:])
