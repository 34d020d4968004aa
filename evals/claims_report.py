"""How well the answer checks of assistant/claims.py separate, on tuning data only.

    python evals/claims_report.py relation
    python evals/claims_report.py shown [--list] RUN_DIR [RUN_DIR ...]

`relation`: `carries_relation` on gold sentences against the other sentences of the same
documents: the seed set's gold quotes (evals/seed_questions.jsonl, documents in seeds/) and CLAP
NQ questions 1-100 of the answerable file (the annotators' selected sentences against the rest
of the passage). "Hard": only the sentences, gold or not, that share at least two of the
question's content words (the sentences on the topic, which a lexical support check takes).
Prints the AUROC and, at the threshold `claims.MIN_RELATION`, the share of gold sentences
carried and of the others rejected, plain word overlap beside it for comparison; and, of the
look-alike pairs (a gold sentence and another that overlaps the question as much), how often
carries_relation ranks the gold one higher.

`shown`: for every answer an `assistant eval` run showed (not declined), each check's verdict,
counted over the wrong and the right answers, and what declining every answer with a problem
would do to wrong-among-shown. Right: a seed answer with all keyword groups; a CLAP NQ answer
with token recall >= 0.5 (the eval has no keywords for it). Wrong: everything else shown,
answered unanswerables included. Only tuning runs (the seed set, CLAP NQ 1-100); `--list`
prints each answer's problems.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from assistant.claims import MIN_RELATION, review
from assistant.evaluation.score import auroc
from assistant.relations import carries_relation, words
from assistant.segment import sentence_spans

ROOT = Path(__file__).resolve().parent.parent
CLAPNQ = ROOT.parent / "shared/benchmarks/clapnq/clapnq_dev_answerable.jsonl"
if not CLAPNQ.exists():
    CLAPNQ = Path("/work/shared/benchmarks/clapnq/clapnq_dev_answerable.jsonl")


def seed_pairs() -> list[tuple[str, str, bool]]:
    """(question, sentence, is gold) for the seed set's answerable questions."""
    out = []
    for item in map(json.loads, open(ROOT / "evals/seed_questions.jsonl", encoding="utf-8")):
        by_doc: dict[str, list[str]] = {}
        for g in item["gold"]:
            by_doc.setdefault(g["source"], []).append(g["quote"])
        for source, quotes in by_doc.items():
            text = (ROOT / source).read_text(encoding="utf-8")
            gold = [(text.find(q), text.find(q) + len(q)) for q in quotes if q in text]
            for s, e in sentence_spans(text):
                is_gold = any(s < ge and gs < e for gs, ge in gold)
                out.append((item["question"], text[s:e], is_gold))
    return out


def clap_pairs(limit: int = 100) -> list[tuple[str, str, bool]]:
    out = []
    with open(CLAPNQ, encoding="utf-8") as f:
        for line in list(f)[:limit]:
            r = json.loads(line)
            selected = {s.strip() for o in r["output"] for s in o.get("selected_sentences", [])}
            for p in r["passages"]:
                for s in p["sentences"]:
                    out.append((r["input"], s, s.strip() in selected))
    return out


def overlap(question: str, sentence: str) -> float:
    q = set(words(question))
    return len(q & set(words(sentence))) / max(1, len(q))


def lookalikes(pairs) -> tuple[float, int]:
    """Of the (gold, other) pairs of one question where the other sentence shares at least as
    many of the question's words (word overlap cannot tell them apart, or prefers the other),
    the share where carries_relation ranks the gold sentence higher (ties count half)."""
    by_q: dict[str, list] = {}
    for q, s, g in pairs:
        by_q.setdefault(q, []).append((overlap(q, s), carries_relation(q, s), g))
    wins = n = 0.0
    for rows in by_q.values():
        for go, gr, _ in (r for r in rows if r[2]):
            for _, nr, _ in (r for r in rows if not r[2] and r[0] >= go and r[0] > 0):
                n += 1
                wins += (gr > nr) + 0.5 * (gr == nr)
    return wins / max(1.0, n), int(n)


def relation_table(name: str, pairs) -> None:
    hard = [p for p in pairs if len(set(words(p[0])) & set(words(p[1]))) >= 2]
    for label, rows in ((f"{name}, all", pairs), (f"{name}, hard", hard)):
        gold = [carries_relation(q, s) for q, s, g in rows if g]
        neg = [carries_relation(q, s) for q, s, g in rows if not g]
        both = [carries_relation(q, s) for q, s, _ in rows]
        flags = [g for *_, g in rows]
        carried = sum(x >= MIN_RELATION for x in gold) / max(1, len(gold))
        rejected = sum(x < MIN_RELATION for x in neg) / max(1, len(neg))
        acc = (sum(x >= MIN_RELATION for x in gold) + sum(x < MIN_RELATION for x in neg)) / len(rows)
        base = auroc([overlap(q, s) for q, s, _ in rows], flags)
        print(
            f"| {label} | {len(gold)} / {len(neg)} | {auroc(both, flags):.3f} | {base:.3f} "
            f"| {carried:.3f} | {rejected:.3f} | {acc:.3f} |"
        )


def relation() -> None:
    print(f"carries_relation >= {MIN_RELATION}")
    print(
        "| pairs | gold / other sentences | AUROC | AUROC, word overlap | gold carried | other rejected "
        "| accuracy |"
    )
    print("|---|---|---|---|---|---|---|")
    seed, clap = seed_pairs(), clap_pairs()
    relation_table("seed", seed)
    relation_table("CLAP NQ 1-100", clap)
    for name, pairs in (("seed", seed), ("CLAP NQ 1-100", clap)):
        share, n = lookalikes(pairs)
        print(
            f"{name}: look-alike pairs (the other sentence overlaps the question as much): {n}, "
            f"gold ranked higher {share:.3f}"
        )


def right(row: dict) -> bool:
    s = row["scores"]
    if not row["answerable"]:
        return False
    if s.get("correct") is not None:
        return bool(s["correct"])
    return (s.get("token_recall") or 0.0) >= 0.5


def shown(folders: list[str], listing: bool = False) -> None:
    counts: dict[str, list[int]] = {}
    n = {True: 0, False: 0}
    took = 0.0
    for folder in folders:
        for row in map(json.loads, open(Path(folder) / "results.jsonl", encoding="utf-8")):
            if row["scores"].get("declined"):
                continue
            ok = right(row)
            n[ok] += 1
            quotes = [c["quote"] for c in row.get("citations") or []]
            start = time.perf_counter()
            r = review(row["question"], row["answer"], quotes)
            took += time.perf_counter() - start
            if listing and r.problems:
                print(f"{'right' if ok else 'WRONG'} {row['id']}: {' '.join(r.problems)}")
            for check, fired in r.fired().items():
                c = counts.setdefault(check, [0, 0])
                c[ok] += fired
    print(
        f"shown answers: {n[False]} wrong, {n[True]} right; "
        f"review() {1000 * took / max(1, sum(n.values())):.1f} ms each"
    )
    print("| check | fires on wrong | fires on right |")
    print("|---|---|---|")
    for check, (wrong, good) in counts.items():
        print(f"| {check} | {wrong} / {n[False]} | {good} / {n[True]} |")
    wrong, good = counts.get("any", [0, 0])
    left = n[False] - wrong + n[True] - good
    print(
        f"declining every answer with a problem: wrong among shown {n[False] / max(1, sum(n.values())):.2f}"
        f" -> {(n[False] - wrong) / max(1, left):.2f}, right answers shown {n[True]} -> {n[True] - good}"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["relation"]:
        relation()
    elif sys.argv[1:2] == ["shown"] and sys.argv[2:]:
        folders = [a for a in sys.argv[2:] if a != "--list"]
        shown(folders, listing="--list" in sys.argv)
    else:
        sys.exit("usage: python evals/claims_report.py relation | shown [--list] RUN_DIR [RUN_DIR ...]")
