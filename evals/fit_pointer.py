"""Fit how the answer's source is picked (decide.PICK_WEIGHTS), on tuning runs only.

    python evals/fit_pointer.py RUN [RUN ...]

Each RUN is an `assistant eval` report folder on a tuning set (the seed set, CLAP NQ questions
1-100 of each file); its rows hold every question's numbered sources and the pointer's
probabilities over them (`signals.pointer`). For each source the script computes the features
`decide.pick_features` computes at run time, labels it by whether it overlaps a gold quote, and
fits a logistic model over them. It prints, out of fold (5 folds by question), how often the
source picked is on gold among the questions that have a gold source, for the fitted model and
for the simple rules (the pointer's argmax, the first source), then the weights to paste.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from pathlib import Path

from assistant import decide, gate
from assistant.evaluation.clapnq import dataset_folder, load_clapnq
from assistant.evaluation.score import touched_gold
from assistant.evaluation.sets import Sources, load_questions
from assistant.types import Evidence, Passage

ROOT = Path(__file__).resolve().parents[1]


def items_of(meta: dict) -> dict:
    """The run's question set, with gold spans, by id."""
    sources = Sources(ROOT)
    if meta["question_set"].startswith("CLAP NQ"):
        folder = dataset_folder("clapnq", ROOT)
        items = load_clapnq(folder, ROOT / ".cache" / "clapnq", sources, block=(1, 300))
    else:
        items = load_questions(ROOT / "evals" / "seed_questions.jsonl", sources)
    return {it.id: it for it in items}


def questions(folder: Path):
    """(question, evidence, pointer dict, gold flags) of each answered row of a run."""
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    if summary["meta"].get("role") != "tuning":
        sys.exit(f"{folder}: not a tuning run; refusing to fit on it")
    items = items_of(summary["meta"])
    for line in (folder / "results.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        ptr = (row.get("signals") or {}).get("pointer") or []
        ev = [
            Evidence(e["n"], Passage(e["source"], e["start"], e["end"], e["text"], e.get("page")))
            for e in row.get("evidence") or []
        ]
        if not ev or len(ptr) != len(ev) + 1:
            continue
        pointer = {"NONE": ptr[0], **{str(e.n): p for e, p in zip(ev, ptr[1:])}}
        item = items[row["id"]]
        gold = [
            bool(touched_gold(e.passage.source, e.passage.page, e.passage.start, e.passage.end, item.gold))
            for e in ev
        ]
        yield row.get("search_query") or row["question"], ev, pointer, gold


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path)
    args = parser.parse_args(argv)
    data = [q for folder in args.runs for q in questions(folder)]
    with_gold = [q for q in data if any(q[3])]
    print(f"{len(data)} questions with sources; {len(with_gold)} have a gold source among them")
    order = list(range(len(with_gold)))
    random.Random(0).shuffle(order)
    fold = {i: k % 5 for k, i in enumerate(order)}
    feats = [[decide.pick_features(q, ev, ptr) for _ in [0]][0] for q, ev, ptr, _ in with_gold]
    hits = {"fitted": 0, "pointer argmax": 0, "first source": 0}
    for k in range(5):
        train = [i for i in range(len(with_gold)) if fold[i] != k]
        xs = [x for i in train for x in feats[i]]
        ys = [g for i in train for g in with_gold[i][3]]
        fitted = gate.fit(xs, ys, names=decide.PICK_FEATURES, l2=1.0)
        for i in (i for i in range(len(with_gold)) if fold[i] == k):
            q, ev, ptr, gold = with_gold[i]
            scores = [fitted.raw(dict(zip(decide.PICK_FEATURES, x))) for x in feats[i]]
            hits["fitted"] += gold[max(range(len(ev)), key=scores.__getitem__)]
            hits["pointer argmax"] += gold[max(range(len(ev)), key=lambda j: ptr.get(str(ev[j].n), 0.0))]
            hits["first source"] += gold[0]
    for name, n in hits.items():
        print(f"  {name:>15}: picks a gold source {n / len(with_gold):.3f} (out of fold)")
    final = gate.fit(
        [x for f in feats for x in f], [g for q in with_gold for g in q[3]], names=decide.PICK_FEATURES
    )
    weights = [final.weights[0]] + [w / s for w, s in zip(final.weights[1:], final.scale)]
    bias = weights[0] - sum(w * m for w, m in zip(weights[1:], final.mean))
    print("\nPICK_WEIGHTS = " + repr(tuple(round(v, 3) for v in [bias, *weights[1:]])))
    print(
        f"# over {decide.PICK_FEATURES}, fitted on {len(with_gold)} questions of: "
        + ", ".join(p.name for p in args.runs)
    )
    return 0 if math.isfinite(bias) else 1


if __name__ == "__main__":
    sys.exit(main())
