"""Fit the gate (assistant/gate.py) on tuning runs, and report it out of fold.

    python evals/calibrate.py RUN [RUN ...]            # print the figures
    python evals/calibrate.py RUN [RUN ...] --write    # and write assistant/gate.json

Each RUN is an `assistant eval` report folder on a TUNING set: the seed set
(`assistant eval`) or CLAP NQ questions 1-100 of each file (`assistant eval --dataset clapnq
--block 1-100`). Runs on other sets are refused: fitting on them would spoil them as test sets.

Every question of a run was drafted; its row holds the signals the gate reads and whether the
draft would be right if shown (`scores.draft_right`). The script

1. scores every question out of fold (5 folds: fit on four, score the fifth), prints the AUROC
   of those scores (right drafts against the rest) per run and pooled, and the risk each alpha
   buys: the lowest threshold whose out-of-fold wrong-among-shown is at most alpha, the share of
   questions that threshold answers, and the right answers among answerable questions;
2. with --write, fits the gate on all the runs' questions and stores it with the out-of-fold
   risk curve, from which `Gate.threshold(ASSISTANT_MAX_RISK)` reads the threshold at run time.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from assistant import gate
from assistant.evaluation.score import auroc, gate_data

ALPHAS = (0.02, 0.05, 0.10, 0.15, 0.20, 0.30)


def load(folder: Path) -> tuple[dict, list[dict]]:
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    with open(folder / "results.jsonl", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return summary["meta"], rows


def at_alpha(scores, right, answerable, total: int, alpha: float) -> dict:
    """What showing every draft scoring at least the risk-controlled threshold gives."""
    curve = gate.risk_curve(scores, right)
    ok = [t for t, risk, _ in curve if risk <= alpha]
    t = min(ok) if ok else 1.01
    shown = [i for i, s in enumerate(scores) if s >= t]
    wrong = sum(not right[i] for i in shown)
    n_ans = sum(answerable)
    return {
        "alpha": alpha,
        "threshold": round(t, 4),
        "answered": round(len(shown) / total, 3),
        "wrong_among_shown": round(wrong / len(shown), 3) if shown else None,
        "right_among_answerable": round(sum(right[i] for i in shown) / n_ans, 3) if n_ans else None,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path)
    parser.add_argument("--write", action="store_true", help="write assistant/gate.json")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)
    pooled_x, pooled_y, pooled_ans, total = [], [], [], 0
    for folder in args.runs:
        meta, rows = load(folder)
        if meta.get("role") != "tuning":
            print(
                f"{folder}: not a tuning run (role {meta.get('role')!r}); refusing to fit on it",
                file=sys.stderr,
            )
            return 2
        xs, ys = gate_data(rows)
        answerable = [r["answerable"] for r in rows if r.get("signals") and "draft_right" in r["scores"]]
        oof = gate.out_of_fold(xs, ys, args.folds)
        print(
            f"{folder.name}: {len(rows)} questions, {sum(ys)} right drafts; "
            f"out-of-fold AUROC {auroc(oof, ys):.3f}"
        )
        pooled_x += xs
        pooled_y += ys
        pooled_ans += answerable
        total += len(rows)
    oof = gate.out_of_fold(pooled_x, pooled_y, args.folds)
    print(
        f"\npooled: {total} questions, {sum(pooled_y)} right drafts; "
        f"out-of-fold AUROC {auroc(oof, pooled_y):.3f}"
    )
    print("\nout of fold, by alpha (the risk the threshold is chosen for):")
    print(f"{'alpha':>6} {'threshold':>9} {'answered':>8} {'wrong/shown':>11} {'right/answerable':>16}")
    for alpha in ALPHAS:
        r = at_alpha(oof, pooled_y, pooled_ans, total, alpha)
        print(
            f"{r['alpha']:>6.2f} {r['threshold']:>9.4f} {r['answered']:>8.3f} "
            f"{r['wrong_among_shown'] if r['wrong_among_shown'] is not None else '-':>11} "
            f"{r['right_among_answerable'] if r['right_among_answerable'] is not None else '-':>16}"
        )
    if args.write:
        fitted = gate.fit(pooled_x, pooled_y)
        names = ", ".join(p.name for p in args.runs)
        command = "python evals/calibrate.py " + " ".join(shlex.quote(p.name) for p in args.runs) + " --write"
        from dataclasses import replace

        final = replace(
            fitted,
            curve=gate.risk_curve(oof, pooled_y),
            fitted_on=f"{total} tuning questions: {names}",
            command=command,
        )
        final.save()
        print(f"\nwrote {gate.PARAMS} (weights: {[round(w, 3) for w in final.weights]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
