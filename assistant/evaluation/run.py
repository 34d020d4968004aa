"""Running an eval: each question of a set goes through `Assistant.ask` and is scored.

    assistant eval                                   # the seed set, default model
    assistant eval --dataset clapnq --block 101-250  # CLAP NQ's held-out block

Rows are handed to the report writer one by one, so Ctrl-C keeps what was scored.
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ..config import Settings
from ..errors import IndexMismatch
from ..types import Answer
from . import report
from .score import KS, gold_ranks, judge_citations, score_answer
from .sets import Item, Sources, load_questions


@runtime_checkable
class EvalTarget(Protocol):
    """What the eval loop needs from `Assistant` (the seam its test stand-in plugs into)."""

    def retrieve(self, question: str, k: int | None = None) -> tuple[list, Any]:
        """(hits, query vector) for a question; no LLM."""

    def ask(self, question: str, history=(), on_token=None, top_k: int | None = None) -> Answer:
        """The checked answer."""


def evaluate_item(assistant, item: Item, sources: Sources, retrieval_only: bool = False) -> dict:
    """Ask one question and score it: one line of results.jsonl."""
    t0 = time.perf_counter()
    hits, _ = assistant.retrieve(item.question, k=max(KS))
    scores = {"gold": len(item.gold), "gold_ranks": gold_ranks(hits, item.gold)}
    row = {
        "id": item.id,
        "question": item.question,
        "category": item.category,
        "answerable": item.answerable,
        "answer": None,
        "abstained": None,
        "citations": [],
        "scores": scores,
        "timings": {"retrieve_s": round(time.perf_counter() - t0, 3)},
        "raw_answer": None,
    }
    if not retrieval_only:
        ans = assistant.ask(item.question)
        cited = judge_citations(item, ans.citations, sources)
        draft = judge_citations(item, ans.draft_citations, sources)
        scores.update(score_answer(item, ans, cited, draft))
        row.update(
            answer=ans.answer,
            outcome=ans.shown.value,
            abstained=ans.abstained,
            citations=cited,
            draft={"answer": ans.draft, "citations": draft},
            timings=asdict(ans.timings),
            raw_answer=ans.raw_answer,
            checks=ans.checks.to_json(),
            confidence=ans.confidence,
            signals=asdict(ans.signals) if ans.signals else None,
            evidence=[{"n": e.n, **asdict(e.passage)} for e in ans.evidence],
            search_query=ans.search_query,
            model=ans.model,
            reference=item.reference or None,
        )
    row["retrieved"] = [
        {"source": h.passage.source, "page": h.passage.page, "start": h.passage.start, "end": h.passage.end}
        for h in hits
    ]
    return row


def run(assistant, items: list[Item], sources: Sources, write, retrieval_only=False) -> bool:
    """Score each item, handing each row to `write` as soon as it is done.

    Returns False when interrupted (Ctrl-C): the rows written so far stand.
    """
    from tqdm import tqdm

    bar = tqdm(
        items,
        desc="retrieval" if retrieval_only else "questions",
        unit="q",
        file=sys.stderr,
        dynamic_ncols=True,
    )
    try:
        for item in bar:
            write(evaluate_item(assistant, item, sources, retrieval_only))
    except KeyboardInterrupt:
        return False
    finally:
        bar.close()
    return True


def question_set(
    settings: Settings, sources: Sources, questions=None, dataset=None, limit=None, seed=0, block=None
):
    """(settings to run with, items, a description of the set, documents folder to index)."""
    if dataset:
        from .clapnq import dataset_folder, load_clapnq

        folder = dataset_folder(dataset, settings.root)
        cache = settings.root / ".cache" / "clapnq"  # never the seed index or seeds/
        items = load_clapnq(folder, cache, sources, limit, seed, block)
        docs = cache / "docs"
        which = f"questions {block[0]}-{block[1]} of each file" if block else f"seed {seed}"
        return (
            settings.with_(index_dir=cache / "index", seeds_dir=docs),
            items,
            f"CLAP NQ dev ({report.relative(folder, settings.root)}), {which}",
            docs,
        )
    path = Path(questions) if questions else settings.root / "evals" / "seed_questions.jsonl"
    items = load_questions(path, sources)
    return settings, items[:limit] if limit else items, report.relative(path, settings.root), None


def run_eval(
    settings: Settings,
    model=None,
    questions=None,
    dataset=None,
    retrieval_only=False,
    limit=None,
    seed=0,
    label=None,
    out=None,
    command="",
    log=None,
    block=None,
):
    """Run a question set (or a benchmark) and write its report folder; returns the Report."""
    from .. import index as index_mod
    from ..answer import Assistant

    log = log or (lambda msg: print(msg, file=sys.stderr))
    sources = Sources(settings.root)
    settings, items, set_name, docs = question_set(settings, sources, questions, dataset, limit, seed, block)
    assistant = Assistant(settings, model=model, log=log)
    if docs is not None:  # the dataset's own index under .cache: rebuilt if from an older version
        try:
            index_mod.update(settings, [docs], embedder=assistant.resources.embedder, log=log)
        except IndexMismatch:
            index_mod.update(settings, [docs], embedder=assistant.resources.embedder, log=log, rebuild=True)
    assistant.retrieve("warm-up", k=1)  # load index and embedder now: timings are per question
    if not retrieval_only:
        assistant.resources.warm_up()  # load the LLM and cache the fixed prompt: latency is warm
    label = label or default_label(dataset, model, retrieval_only)
    meta = report.run_meta(settings, assistant, set_name, len(items), retrieval_only, command)
    meta["role"] = role(questions, dataset, block)
    meta["tuning"] = meta["role"] == "tuning"
    writer = report.ReportWriter.create(
        Path(out) if out else settings.root / "evals" / "results", label, meta
    )
    complete = False
    try:
        complete = run(assistant, items, sources, writer.add, retrieval_only)
    finally:  # whatever stopped the run, report the questions that were scored
        result = writer.finish(complete)
    return result


def role(questions, dataset, block) -> str:
    """Which part the question set plays (ROLES): the seed set and CLAP NQ 1-100 are for
    fitting, CLAP NQ 101-250 for choosing, CLAP NQ 251-300 and evals/test_questions.jsonl are
    the test sets.

    >>> role(None, None, None), role(None, "clapnq", (251, 300)), role("test_questions.jsonl", None, None)
    ('tuning', 'test', 'test')
    """
    if dataset:
        if not block:
            return "other"
        first, last = block
        return (
            "tuning"
            if last <= 100
            else "choosing"
            if first > 100 and last <= 250
            else "test"
            if first > 250
            else "other"
        )
    name = Path(questions).name if questions else "seed_questions.jsonl"
    return {"seed_questions.jsonl": "tuning", "test_questions.jsonl": "test"}.get(name, "other")


def default_label(dataset, model, retrieval_only) -> str:
    what = "retrieval" if retrieval_only else Path(str(model or "qwen")).stem
    return f"{'clapnq' if dataset else 'seed'}-{what}"
