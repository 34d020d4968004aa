"""Scoring: pure functions from one answer (or a run's rows) to numbers. No models, no I/O.

    >>> keywords_present("It became Barkhane in August 2014.", (("2014",), ("August", "Aug.")))
    True
    >>> percentile([1.0, 2.0, 3.0, 4.0], 50)
    2.5

A question's scores are plain numbers in a dict, stored in its line of results.jsonl; `summarize`
turns a list of those lines into the report's figures, so a report can be recomputed from its
results.jsonl alone. Spans are compared as types.py defines them: (source, page, start, end) of
the file read with newline="", and two spans overlap when they share at least one character.
"""

from __future__ import annotations

import re

from ..errors import AssistantError
from .sets import CATEGORIES, Item, Sources

KS = (1, 3, 5, 10)  # retrieval recall@k; the largest is how many hits are retrieved


# --- scoring one question (pure functions) -----------------------------------------------
def keywords_present(text: str, groups) -> bool:
    """Every group has at least one alternative in `text` (case-insensitive substring)."""
    folded = text.casefold()
    return all(any(alt.casefold() in folded for alt in group) for group in groups)


def touched_gold(source: str, page, start: int, end: int, gold) -> set[int]:
    """Indices of the gold quotes that the span (source, page, start:end) overlaps."""
    return {
        i
        for i, g in enumerate(gold)
        if g.source == source and any(p == page and s < end and start < e for p, s, e in g.spans)
    }


def quote_exact(citation, sources: Sources) -> bool:
    """The cited quote is exactly the source's text at the cited offsets."""
    try:
        text = sources.text(citation.source, citation.page)
    except (OSError, ValueError, AssistantError):
        return False
    return text[citation.start : citation.end] == citation.quote


def judge_citations(item: Item, citations, sources: Sources) -> list[dict]:
    """Each citation as a dict, with the gold quotes it overlaps and whether its quote is exact."""
    return [
        {
            **c.to_dict(),
            "gold": sorted(touched_gold(c.source, c.page, c.start, c.end, item.gold)),
            "exact": quote_exact(c, sources),
        }
        for c in citations
    ]


def gold_ranks(hits, gold) -> list[int | None]:
    """For each gold quote, the 1-based rank of the first hit overlapping it (None: not found)."""
    ranks: list[int | None] = [None] * len(gold)
    for rank, hit in enumerate(hits, 1):
        p = hit.passage
        for i in touched_gold(p.source, p.page, p.start, p.end, gold):
            ranks[i] = ranks[i] or rank
    return ranks


def token_recall(answer: str, reference: str) -> float | None:
    """Share of the reference answer's words found in the answer (CLAP NQ's 'recall')."""
    ref = re.findall(r"\w+", reference.casefold())
    if not ref:
        return None
    have = set(re.findall(r"\w+", answer.casefold()))
    return sum(w in have for w in ref) / len(ref)


def is_right(item: Item, text: str, cited: list[dict]) -> bool:
    """Whether an answer shown with these words and citations is right: for a question with
    expected keywords, every keyword group is in it; for a benchmark question with a reference
    answer (CLAP NQ), it cites a gold sentence; an unanswerable question's answer never is."""
    if not item.answerable:
        return False
    if item.expected:
        return keywords_present(text, item.expected)
    return any(c["gold"] for c in cited)


def score_answer(item: Item, answer, cited: list[dict], draft: list[dict] | None = None) -> dict:
    """The answer-side scores of one question; `cited` (and the draft's citations, `draft`) come
    from `judge_citations`. `right`: the shown answer is right (None when nothing was shown);
    `draft_right`: the draft the gate judged would be right if shown."""
    checks = answer.checks
    ok = not answer.abstained
    draft_text = getattr(answer, "draft", "") or (answer.answer if ok else "")
    draft_cited = draft if draft is not None else (cited if ok else [])
    return {
        "outcome": answer.shown.value
        if hasattr(answer, "shown")
        else ("declined" if answer.abstained else "answer"),
        "right": is_right(item, answer.answer, cited) if ok else None,
        "draft_right": bool(draft_text) and is_right(item, draft_text, draft_cited),
        "correct": (ok and keywords_present(answer.answer, item.expected)) if item.expected else None,
        "token_recall": (token_recall(answer.answer, item.reference) if ok else 0.0)
        if item.reference
        else None,
        "declined": answer.abstained,
        "cited": len(cited),
        "cited_on_gold": sum(bool(c["gold"]) for c in cited),
        "gold_covered": len({i for c in cited for i in c["gold"]}),
        "exact_quotes": sum(c["exact"] for c in cited),
        "removed": checks.invalid + checks.repeated,
        "replaced": checks.replaced,
        "unsupported": checks.unsupported,
    }


# --- aggregating ------------------------------------------------------------------------
def mean(values) -> float | None:
    values = [float(v) for v in values if v is not None]
    return sum(values) / len(values) if values else None


def ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def percentile(values, q: float) -> float | None:
    """The q-th percentile with linear interpolation (numpy's default); None when empty."""
    xs = sorted(v for v in values if v is not None)
    if not xs:
        return None
    pos = (len(xs) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def summarize(rows: list[dict]) -> dict:
    """The report's figures from results.jsonl rows; None where a figure has no denominator."""
    answerable = [r for r in rows if r["answerable"]]
    out = {"questions": len(rows), "answerable": len(answerable), "unanswerable": len(rows) - len(answerable)}
    out.update(retrieval_summary([r["scores"] for r in answerable if r["scores"]["gold"]]))
    if any("declined" in r["scores"] for r in rows):  # not a retrieval-only run
        out.update(selective_summary(rows))
        out.update(answer_summary(rows))
        out.update(support_check([r for r in rows if r["answerable"]]))
        out.update(latency_summary([r["timings"] for r in rows]))
        out.update(answerability_summary(rows))
    return out


def retrieval_summary(scores: list[dict]) -> dict:
    best = [min((r for r in s["gold_ranks"] if r), default=None) for s in scores]
    out = {f"recall@{k}": mean(b is not None and b <= k for b in best) for k in KS}
    out["mrr"] = mean(1 / b if b else 0.0 for b in best)
    out["gold_recall@5"] = ratio(
        sum(bool(r and r <= 5) for s in scores for r in s["gold_ranks"]),
        sum(len(s["gold_ranks"]) for s in scores),
    )
    return out


def selective_summary(rows: list[dict]) -> dict:
    """The headline figures. `wrong_among_shown`: of the answers shown, the share that is wrong
    (a wrong answer to an answerable question, or any answer to an unanswerable one);
    `right_among_answerable`: answerable questions answered right; `shown`: the share of
    questions answered (neither declined nor only the closest passages shown)."""
    scores = [r["scores"] for r in rows]
    shown = [s for s in scores if not s["declined"]]
    right = [s.get("right", s.get("correct")) for s in shown]
    answerable = [s for r, s in zip(rows, scores) if r["answerable"]]
    return {
        "wrong_among_shown": ratio(sum(not x for x in right), len(shown)),
        "right_among_answerable": ratio(
            sum(bool(s.get("right", s.get("correct"))) for s in answerable if not s["declined"]),
            len(answerable),
        ),
        "shown": ratio(len(shown), len(scores)),
        "closest_shown": ratio(sum(s.get("outcome") == "closest" for s in scores), len(scores)),
        **_cited_by_outcome(answerable),
    }


def _cited_by_outcome(scores: list[dict]) -> dict:
    """`citation_precision_shown`: of the citations of the answers shown, the share on gold;
    `closest_holds_gold`: of the questions shown the closest passages, the share whose passages
    include a gold one (answerable questions with a gold quote)."""
    gold = [s for s in scores if s["gold"]]
    shown = [s for s in gold if not s["declined"]]
    closest = [s for s in gold if s.get("outcome") == "closest"]
    return {
        "citation_precision_shown": ratio(
            sum(s["cited_on_gold"] for s in shown), sum(s["cited"] for s in shown)
        ),
        "closest_holds_gold": ratio(sum(s["cited_on_gold"] > 0 for s in closest), len(closest)),
    }


def answer_summary(rows: list[dict]) -> dict:
    ans = [r["scores"] for r in rows if r["answerable"]]
    una = [r["scores"] for r in rows if not r["answerable"]]
    every = ans + una
    with_gold = [s for s in ans if s["gold"]]
    return {
        "answer_accuracy": mean(s["correct"] for s in ans),
        "answer_token_recall": mean(s["token_recall"] for s in ans),
        "citation_precision": ratio(
            sum(s["cited_on_gold"] for s in with_gold), sum(s["cited"] for s in with_gold)
        ),
        "citation_recall": mean(s["cited_on_gold"] > 0 for s in with_gold),
        "gold_coverage": ratio(sum(s["gold_covered"] for s in with_gold), sum(s["gold"] for s in with_gold)),
        "exact_quote_rate": ratio(sum(s["exact_quotes"] for s in every), sum(s["cited"] for s in every)),
        "unanswerable_declined": mean(s["declined"] for s in una),
        "answerable_declined": mean(s["declined"] for s in ans),
        "citations_removed": sum(s["removed"] for s in every),
        "citations_replaced": sum(s["replaced"] for s in every),
        "citations_unsupported": sum(s["unsupported"] for s in every),
    }


def support_check(rows: list[dict], min_support: float | None = None) -> dict:
    """How well the citation check tells true citations from wrong ones, on real answers.

    Each answer sentence whose citation overlaps a gold quote is a true pair (sentence, quote);
    pairing the same sentence with the on-gold quote of another question makes a swapped pair.
    A good check keeps the true pairs and catches the swapped ones.
    """
    from ..cite import parse, support
    from ..config import Settings

    t = Settings().min_support if min_support is None else min_support
    pairs = []
    for r in rows:
        quotes = {c["n"]: c["quote"] for c in r.get("citations") or [] if c.get("gold")}
        for sent in parse(r.get("answer") or "", 99)[0] if quotes else []:
            pairs += [(r["id"], r["question"], sent.text, quotes[n]) for n in sent.cited if n in quotes]
    if not pairs:
        return {}
    swapped = [
        (question, s, q2)
        for i, (rid, question, s, _) in enumerate(pairs)
        for rid2, _, _, q2 in [pairs[(i + len(pairs) // 2) % len(pairs)]]
        if rid2 != rid
    ]
    return {
        "support_true_kept": mean(support(s, q, qu) >= t for _, qu, s, q in pairs),
        "support_swapped_caught": mean(support(s, q, qu) < t for qu, s, q in swapped),
        "support_pairs": len(pairs),
    }


def auroc(scores: list[float], positive: list[bool]) -> float | None:
    """Area under the ROC curve: the chance that a random positive scores above a random
    negative (ties count half). None without both classes. Mann-Whitney U / (n+ * n-).

    >>> auroc([0.9, 0.8, 0.3, 0.1], [True, True, False, False])
    1.0
    >>> auroc([0.5, 0.5], [True, False])
    0.5
    """
    pos = [s for s, p in zip(scores, positive) if p]
    neg = [s for s, p in zip(scores, positive) if not p]
    if not pos or not neg:
        return None
    wins = sum((a > b) + 0.5 * (a == b) for a in pos for b in neg)
    return wins / (len(pos) * len(neg))


# Each signal oriented so that higher means "answerable" (the model's refusal probability flipped).
SIGNALS = {
    "confidence": lambda r: r.get("confidence"),
    "refusal": lambda r: (
        None if (r.get("signals") or {}).get("refusal") is None else -r["signals"]["refusal"]
    ),
    "relevance": lambda r: (r.get("signals") or {}).get("relevance"),
    "coverage": lambda r: (r.get("signals") or {}).get("coverage"),
    "typed": lambda r: (r.get("signals") or {}).get("typed"),
    "verified": lambda r: (r.get("signals") or {}).get("verified"),
    "certainty": lambda r: (r.get("signals") or {}).get("certainty"),
}


def risk_points(rows: list[dict]) -> list[tuple[float, float, float]]:
    """(threshold, wrong among shown, share answered) as the confidence threshold moves, every
    question's draft counted as shown when its confidence reaches the threshold."""
    from ..gate import risk_curve

    pairs = [
        (r["confidence"], bool(r["scores"].get("draft_right")))
        for r in rows
        if r.get("confidence") is not None and "declined" in r["scores"]
    ]
    scored = sum("declined" in r["scores"] for r in rows)
    if not pairs or not scored:
        return []
    curve = risk_curve([c for c, _ in pairs], [ok for _, ok in pairs])
    return [(t, risk, round(share * len(pairs) / scored, 4)) for t, risk, share in curve]


def gate_data(rows: list[dict]) -> tuple[list, list[bool]]:
    """(feature vectors, whether each draft would be right) of the answered rows: what the gate is
    fitted on (evals/calibrate.py) and scored out of fold on (the report)."""
    from ..gate import vector

    rows = [r for r in rows if r.get("signals") and "draft_right" in r["scores"]]
    xs = [vector({**r["signals"], "none": r["signals"].get("refusal")}) for r in rows]
    return xs, [bool(r["scores"]["draft_right"]) for r in rows]


def out_of_fold_summary(rows: list[dict], folds: int = 5) -> dict:
    """The AUROC of a gate refitted on this run's own rows, each scored by the fit that left its
    fold out: the honest figure on a set the gate is tuned on."""
    from ..gate import out_of_fold

    xs, right = gate_data(rows)
    if len(xs) < 2 * folds or len(set(right)) < 2:
        return {}
    return {"auroc_right_oof": auroc(out_of_fold(xs, right, folds), right)}


def answerability_summary(rows: list[dict]) -> dict:
    """AUROC of the confidence and of each signal it is made of: answerable vs unanswerable.
    Questions declined before the model (no relevant passage) count with confidence 0."""
    out = {}
    for name, get in SIGNALS.items():
        pairs = [(get(r), r["answerable"]) for r in rows if get(r) is not None]
        out[f"auroc_{name}"] = auroc([s for s, _ in pairs], [a for _, a in pairs]) if pairs else None
    pairs = [
        (r["confidence"], bool(r["scores"].get("draft_right")))
        for r in rows
        if r.get("confidence") is not None
    ]
    out["auroc_right"] = auroc([c for c, _ in pairs], [ok for _, ok in pairs]) if pairs else None
    gens = [(r.get("timings") or {}).get("generations") for r in rows]
    out["second_generation_rate"] = mean(g == 2 for g in gens if g is not None)
    return out


def latency_summary(timings: list[dict]) -> dict:
    first = [t.get("first_token_s") for t in timings]
    total = [t.get("total_s") for t in timings]
    return {
        "first_token_median_s": percentile(first, 50),
        "first_token_p90_s": percentile(first, 90),
        "total_median_s": percentile(total, 50),
        "total_p90_s": percentile(total, 90),
    }


def by_category(rows: list[dict]) -> dict[str, dict]:
    order = lambda c: (c == "unanswerable", CATEGORIES.index(c) if c in CATEGORIES else 99, c)
    cats = sorted({r["category"] for r in rows}, key=order)
    return {c: summarize([r for r in rows if r["category"] == c]) for c in cats}
