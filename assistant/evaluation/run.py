"""Running an eval: each question of a set goes through `Assistant.ask` and is scored.

    assistant eval                                   # the seed set, default model
    assistant eval --dataset clapnq --block 251-300  # CLAP NQ's test block (report only)

Rows are handed to the report writer one by one, so Ctrl-C keeps what was scored.
"""

from __future__ import annotations

import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ..config import Settings
from ..errors import IndexMismatch
from ..types import Answer
from . import report
from .score import KS, gold_ranks, judge_citations, score_answer
from .sets import Item, Sources, describe_sample, load_questions, stratified


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


@dataclass(frozen=True)
class QuestionSet:
    """What one eval asks, and of which index."""

    settings: Settings  # to run with: the seed set and benchmarks get an index of their own
    items: list[Item]
    name: str  # where the questions come from, relative to the project
    sample: str = ""  # how --limit drew the items ("" when every question is asked)
    docs: Path | None = None  # the folder indexed into the set's own index first (None: none)


def question_set(
    settings: Settings, sources: Sources, questions=None, dataset=None, limit=None, seed=0, block=None
) -> QuestionSet:
    """The questions to ask and the settings to ask them with. The seed sets (the tuning set
    evals/seed_questions.jsonl and the test set evals/test_questions.jsonl) are asked of their
    own clean index of seeds/ (.cache/seed-index), never of the user's index and its uploads,
    unless --index, --store or --collection names one; a benchmark always has its own
    (.cache/<name>)."""
    if dataset:
        return _benchmark(settings, sources, dataset, limit, seed, block)
    seed_set = settings.root / "evals" / "seed_questions.jsonl"
    path = Path(questions) if questions else seed_set
    items = load_questions(path, sources)
    chosen = stratified(items, limit, seed) if limit else items
    sample = describe_sample(chosen, len(items), seed) if len(chosen) < len(items) else ""
    name = report.relative(path, settings.root)
    own = not (settings.index_dir or settings.store_url or settings.collection)
    if own and path.resolve() in {seed_set.resolve(), seed_set.with_name("test_questions.jsonl").resolve()}:
        clean = settings.with_(index_dir=settings.root / ".cache" / "seed-index")
        return QuestionSet(clean, chosen, name, sample, settings.seeds_path)
    return QuestionSet(settings, chosen, name, sample)


def _benchmark(settings: Settings, sources: Sources, dataset, limit, seed, block) -> QuestionSet:
    from .clapnq import dataset_folder, load_clapnq

    folder = dataset_folder(dataset, settings.root)
    cache = settings.root / ".cache" / "clapnq"  # never the seed index or seeds/
    items = load_clapnq(folder, cache, sources, limit, seed, block)
    which = f"questions {block[0]}-{block[1]} of each file" if block else f"seed {seed}"
    sample = f"{len(items)} questions ({which}), alternating answerable and unanswerable" if limit else ""
    docs = cache / "docs"
    name = f"CLAP NQ dev ({report.relative(folder, settings.root)}), {which}"
    return QuestionSet(settings.with_(index_dir=cache / "index", seeds_dir=docs), items, name, sample, docs)


def own_index(settings: Settings, docs: Path, embedder, log) -> None:
    """Bring a set's own index up to date with `docs` (only changed files are embedded again);
    rebuilt when it was made with other settings or by an older version."""
    from .. import index as index_mod

    try:
        index_mod.update(settings, [docs], embedder=embedder, log=log)
    except IndexMismatch:
        index_mod.update(settings, [docs], embedder=embedder, log=log, rebuild=True)


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
    from ..answer import Assistant

    log = log or (lambda msg: print(msg, file=sys.stderr))
    sources = Sources(settings.root)
    qs = question_set(settings, sources, questions, dataset, limit, seed, block)
    if qs.sample:
        log(f"Asking {qs.sample}.")
    assistant = Assistant(qs.settings, model=model, log=log)
    if qs.docs is not None:
        own_index(qs.settings, qs.docs, assistant.resources.embedder, log)
    assistant.retrieve("warm-up", k=1)  # load index and embedder now: timings are per question
    if not retrieval_only:
        assistant.resources.warm_up()  # load the LLM and cache the fixed prompt: latency is warm
    meta = report.run_meta(qs.settings, assistant, qs.name, qs.items, retrieval_only, command)
    meta.update(sample=qs.sample, role=role(questions, dataset, block))
    meta["tuning"] = meta["role"] == "tuning"
    if qs.docs is None and not dataset:
        meta["index"]["foreign"] = _foreign(assistant, qs.items, log)
    label = label or default_label(dataset, model, retrieval_only)
    writer = report.ReportWriter.create(
        Path(out) if out else settings.root / "evals" / "results", label, meta
    )
    complete = False
    try:
        complete = run(assistant, qs.items, sources, writer.add, retrieval_only)
    finally:  # whatever stopped the run, report the questions that were scored
        result = writer.finish(complete)
    return result


def _foreign(assistant, items: list[Item], log) -> int:
    """How many indexed documents no question's gold quote is in (a user's uploads, say),
    said on stderr: they compete with the gold passages, so such a run is not a clean one."""
    gold = {g.source for item in items for g in item.gold}
    folders = {str(Path(s).parent) for s in gold}
    others = [s for s in assistant.documents() if s not in gold and str(Path(s).parent) not in folders]
    if others:
        log(
            f"The index holds {len(others)} document(s) outside the question set's folders "
            f"(e.g. {others[0]}): they compete with the gold passages, so these figures are "
            "not those of a clean index."
        )
    return len(others)


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
