"""Scoring and the eval run: each question of a set goes through `Assistant.ask`.

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
import sys
import time
from pathlib import Path

from .config import Settings
from .errors import AssistantError, IndexMismatch
from .evalset import CATEGORIES, BadEvalSet, Item, Sources, load_questions

KS = (1, 3, 5, 10)  # retrieval recall@k; the largest is how many hits are retrieved


# --- scoring one question (pure functions) -----------------------------------------------
def keywords_present(text: str, groups) -> bool:
    """Every group has at least one alternative in `text` (case-insensitive substring)."""
    folded = text.casefold()
    return all(any(alt.casefold() in folded for alt in group) for group in groups)


def touched_gold(source: str, page, start: int, end: int, gold) -> set[int]:
    """Indices of the gold quotes that the span (source, page, start:end) overlaps."""
    return {i for i, g in enumerate(gold) if g.source == source and any(
        p == page and s < end and start < e for p, s, e in g.spans)}


def quote_exact(citation, sources: Sources) -> bool:
    """The cited quote is exactly the source's text at the cited offsets."""
    try:
        text = sources.text(citation.source, citation.page)
    except (OSError, ValueError, AssistantError):
        return False
    return text[citation.start:citation.end] == citation.quote


def judge_citations(item: Item, citations, sources: Sources) -> list[dict]:
    """Each citation as a dict, with the gold quotes it overlaps and whether its quote is exact."""
    return [{**c.to_dict(), "gold": sorted(touched_gold(c.source, c.page, c.start, c.end,
                                                        item.gold)),
             "exact": quote_exact(c, sources)} for c in citations]


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


def score_answer(item: Item, answer, cited: list[dict]) -> dict:
    """The answer-side scores of one question; `cited` comes from `judge_citations`."""
    checks = answer.checks or {}
    ok = not answer.abstained
    return {
        "correct": (ok and keywords_present(answer.answer, item.expected))
        if item.expected else None,
        "token_recall": (token_recall(answer.answer, item.reference) if ok else 0.0)
        if item.reference else None,
        "declined": answer.abstained,
        "cited": len(cited),
        "cited_on_gold": sum(bool(c["gold"]) for c in cited),
        "gold_covered": len({i for c in cited for i in c["gold"]}),
        "exact_quotes": sum(c["exact"] for c in cited),
        "removed": checks.get("invalid", 0) + checks.get("repeated", 0),
        "replaced": checks.get("replaced", 0),
        "unsupported": checks.get("unsupported", 0),
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
    out = {"questions": len(rows), "answerable": len(answerable),
           "unanswerable": len(rows) - len(answerable)}
    out.update(retrieval_summary([r["scores"] for r in answerable if r["scores"]["gold"]]))
    if any("declined" in r["scores"] for r in rows):  # not a retrieval-only run
        out.update(answer_summary(rows))
        out.update(support_check([r for r in rows if r["answerable"]]))
        out.update(latency_summary([r["timings"] for r in rows]))
    return out


def retrieval_summary(scores: list[dict]) -> dict:
    best = [min((r for r in s["gold_ranks"] if r), default=None) for s in scores]
    out = {f"recall@{k}": mean(b is not None and b <= k for b in best) for k in KS}
    out["mrr"] = mean(1 / b if b else 0.0 for b in best)
    out["gold_recall@5"] = ratio(sum(bool(r and r <= 5) for s in scores for r in s["gold_ranks"]),
                                 sum(len(s["gold_ranks"]) for s in scores))
    return out


def answer_summary(rows: list[dict]) -> dict:
    ans = [r["scores"] for r in rows if r["answerable"]]
    una = [r["scores"] for r in rows if not r["answerable"]]
    every = ans + una
    with_gold = [s for s in ans if s["gold"]]
    return {
        "answer_accuracy": mean(s["correct"] for s in ans),
        "answer_token_recall": mean(s["token_recall"] for s in ans),
        "citation_precision": ratio(sum(s["cited_on_gold"] for s in with_gold),
                                    sum(s["cited"] for s in with_gold)),
        "citation_recall": mean(s["cited_on_gold"] > 0 for s in with_gold),
        "gold_coverage": ratio(sum(s["gold_covered"] for s in with_gold),
                               sum(s["gold"] for s in with_gold)),
        "exact_quote_rate": ratio(sum(s["exact_quotes"] for s in every),
                                  sum(s["cited"] for s in every)),
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
    from .cite import parse, support
    from .config import Settings

    t = Settings().min_support if min_support is None else min_support
    pairs = []
    for r in rows:
        quotes = {c["n"]: c["quote"] for c in r.get("citations") or [] if c.get("gold")}
        for sent in parse(r.get("answer") or "", 99)[0] if quotes else []:
            pairs += [(r["id"], r["question"], sent.text, quotes[n])
                      for n in sent.cited if n in quotes]
    if not pairs:
        return {}
    swapped = [(question, s, q2) for i, (rid, question, s, _) in enumerate(pairs)
               for rid2, _, _, q2 in [pairs[(i + len(pairs) // 2) % len(pairs)]] if rid2 != rid]
    return {"support_true_kept": mean(support(s, q, qu) >= t for _, qu, s, q in pairs),
            "support_swapped_caught": mean(support(s, q, qu) < t for qu, s, q in swapped),
            "support_pairs": len(pairs)}


def latency_summary(timings: list[dict]) -> dict:
    first = [t.get("first_token_s") for t in timings]
    total = [t.get("total_s") for t in timings]
    return {"first_token_median_s": percentile(first, 50), "first_token_p90_s": percentile(first, 90),
            "total_median_s": percentile(total, 50), "total_p90_s": percentile(total, 90)}


def by_category(rows: list[dict]) -> dict[str, dict]:
    order = lambda c: (c == "unanswerable", CATEGORIES.index(c) if c in CATEGORIES else 99, c)
    cats = sorted({r["category"] for r in rows}, key=order)
    return {c: summarize([r for r in rows if r["category"] == c]) for c in cats}


# --- running ----------------------------------------------------------------------------
def evaluate_item(assistant, item: Item, sources: Sources, retrieval_only: bool = False) -> dict:
    """Ask one question and score it: one line of results.jsonl."""
    t0 = time.perf_counter()
    hits, _ = assistant.retrieve(item.question, k=max(KS))
    scores = {"gold": len(item.gold), "gold_ranks": gold_ranks(hits, item.gold)}
    row = {"id": item.id, "question": item.question, "category": item.category,
           "answerable": item.answerable, "answer": None, "abstained": None, "citations": [],
           "scores": scores, "timings": {"retrieve_s": round(time.perf_counter() - t0, 3)},
           "raw_answer": None}
    if not retrieval_only:
        ans = assistant.ask(item.question)
        cited = judge_citations(item, ans.citations, sources)
        scores.update(score_answer(item, ans, cited))
        row.update(answer=ans.answer, abstained=ans.abstained, citations=cited,
                   timings=ans.timings, raw_answer=ans.raw_answer, checks=ans.checks,
                   model=ans.model, reference=item.reference or None)
    row["retrieved"] = [{"source": h.passage.source, "page": h.passage.page,
                         "start": h.passage.start, "end": h.passage.end} for h in hits]
    return row


def run(assistant, items: list[Item], sources: Sources, write, retrieval_only=False) -> bool:
    """Score each item, handing each row to `write` as soon as it is done.

    Returns False when interrupted (Ctrl-C): the rows written so far stand.
    """
    from tqdm import tqdm

    bar = tqdm(items, desc="retrieval" if retrieval_only else "questions", unit="q",
               file=sys.stderr, dynamic_ncols=True)
    try:
        for item in bar:
            write(evaluate_item(assistant, item, sources, retrieval_only))
    except KeyboardInterrupt:
        return False
    finally:
        bar.close()
    return True


def question_set(settings: Settings, sources: Sources, questions=None, dataset=None, limit=None,
                 seed=0):
    """(settings to run with, items, a description of the set, documents folder to index)."""
    if dataset:
        from .clapnq import dataset_folder, load_clapnq

        folder = dataset_folder(dataset, settings.root)
        cache = settings.root / ".cache" / "clapnq"  # never the seed index or seeds/
        items = load_clapnq(folder, cache, sources, limit, seed)
        docs = cache / "docs"
        return settings.with_(index_dir=cache / "index", seeds_dir=docs), items, \
            f"CLAP NQ dev ({folder}), seed {seed}", docs
    path = Path(questions) if questions else settings.root / "evals" / "seed_questions.jsonl"
    items = load_questions(path, sources)
    return settings, items[:limit] if limit else items, str(path), None


def run_eval(settings: Settings, model=None, questions=None, dataset=None,
             retrieval_only=False, limit=None, seed=0, label=None, out=None, command="",
             log=None):
    """Run a question set (or a benchmark) and write its report folder; returns the Report."""
    from . import index as index_mod, report
    from .answer import Assistant

    log = log or (lambda msg: print(msg, file=sys.stderr))
    sources = Sources(settings.root)
    settings, items, set_name, docs = question_set(settings, sources, questions, dataset, limit,
                                                   seed)
    assistant = Assistant(settings, model=model, log=log)
    if docs is not None:  # the dataset's own index under .cache: rebuilt if from an older version
        try:
            index_mod.update(settings, [docs], embedder=assistant.embedder, log=log)
        except IndexMismatch:
            index_mod.update(settings, [docs], embedder=assistant.embedder, log=log, rebuild=True)
    assistant.retrieve("warm-up", k=1)  # load index and embedder now: timings are per question
    if not retrieval_only:
        assistant.warm_up()  # load the LLM and cache the fixed prompt: latency is warm
    label = label or default_label(dataset, model, retrieval_only)
    meta = report.run_meta(settings, assistant, set_name, len(items), retrieval_only, command)
    writer = report.ReportWriter.create(Path(out) if out else settings.root / "evals" / "results",
                                        label, meta)
    complete = False
    try:
        complete = run(assistant, items, sources, writer.add, retrieval_only)
    finally:  # whatever stopped the run, report the questions that were scored
        result = writer.finish(complete)
    return result


def default_label(dataset, model, retrieval_only) -> str:
    what = "retrieval" if retrieval_only else Path(str(model or "qwen")).stem
    return f"{'clapnq' if dataset else 'seed'}-{what}"


__all__ = ["BadEvalSet", "Item", "Sources", "load_questions", "keywords_present",
           "touched_gold", "quote_exact", "judge_citations", "gold_ranks", "score_answer",
           "summarize", "by_category", "percentile", "run", "run_eval"]
