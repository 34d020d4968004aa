"""The eval runner: scoring as pure functions over hand-made fixtures, then the real CLI.

The last two tests load real models (the embedder; the small SmolLM2 GGUF) and are marked slow.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from fakes import ScriptedAssistant

from assistant.evaluation import clapnq, report
from assistant.evaluation.run import run
from assistant.evaluation.score import (
    gold_ranks,
    judge_citations,
    keywords_present,
    percentile,
    quote_exact,
    score_answer,
    summarize,
    token_recall,
    touched_gold,
)
from assistant.evaluation.sets import BadEvalSet, Item, Sources, load_questions
from assistant.terminal.cli import cli
from assistant.types import Answer, Checks, Citation, Hit, Passage, Timings

ROOT = Path(__file__).resolve().parents[1]
DOC = "Alpha beta. Gamma delta.\r\nEpsilon zeta. Gamma delta.\r\n"  # CRLF: offsets count \r
#      0          11          23  25
GAMMA = (12, 24)  # "Gamma delta." first occurrence


@pytest.fixture
def root(tmp_path):
    (tmp_path / "docs").mkdir()
    with open(tmp_path / "docs" / "a.txt", "w", encoding="utf-8", newline="") as f:
        f.write(DOC)
    (tmp_path / "docs" / "b.txt").write_text("Other text about Moura and 300 civilians.", encoding="utf-8")
    return tmp_path


@pytest.fixture
def sources(root):
    return Sources(root)


def item(sources, quotes=(("docs/a.txt", "Epsilon zeta."),), expected=(("zeta",),), **kw):
    gold = tuple(sources.gold(s, q) for s, q in quotes)
    return Item(
        kw.pop("id", "q1"),
        "What follows epsilon?",
        kw.pop("category", "fact"),
        kw.pop("answerable", True),
        expected,
        gold,
        **kw,
    )


def cite(source="docs/a.txt", start=26, end=39, quote="Epsilon zeta.", n=1, page=None):
    return Citation(n, source, start, end, quote, page)


def answer(text="Zeta follows [1].", citations=(), abstained=False, checks=None):
    return Answer(
        "q", text, abstained, tuple(citations), "fake", Timings(total_s=1.0), checks=checks or Checks()
    )


# --- keywords -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,groups,want",
    [
        ("It became Barkhane in August 2014.", [["2014"], ["August", "Aug."]], True),
        ("It became Barkhane in Aug. 2014.", [["2014"], ["August", "Aug."]], True),
        ("It became Barkhane in 2014.", [["2014"], ["August", "Aug."]], False),  # one group missing
        ("GOÏTA leads the junta", [["Goita", "Goïta"]], True),  # case-insensitive, any alternative
        ("Goita leads", [["Goïta"]], False),  # no accent folding: list variants as alternatives
        ("", [["x"]], False),
        ("anything", [], True),  # no groups: nothing required
    ],
)
def test_keywords_present(text, groups, want):
    assert keywords_present(text, groups) is want


# --- spans ----------------------------------------------------------------------------------
def test_gold_offsets_found_by_exact_search(sources):
    g = sources.gold("docs/a.txt", "Gamma delta.")
    assert g.spans == ((None, 12, 24), (None, 40, 52))  # every occurrence, CRLF counted
    assert all(DOC[s:e] == "Gamma delta." for _, s, e in g.spans)
    assert sources.gold("./docs/../docs/a.txt", "Alpha").source == "docs/a.txt"  # as indexed


@pytest.mark.parametrize(
    "source,quote,message",
    [
        ("docs/a.txt", "Gamma  delta.", "not found verbatim"),  # two spaces
        ("docs/a.txt", "gamma delta.", "not found verbatim"),  # case matters
        ("docs/missing.txt", "Alpha", "cannot read gold source"),
    ],
)
def test_gold_errors(sources, source, quote, message):
    with pytest.raises(BadEvalSet, match=message):
        sources.gold(source, quote)


@pytest.mark.parametrize(
    "source,page,start,end,want",
    [
        ("docs/a.txt", None, 12, 24, {0}),  # exactly the gold span
        ("docs/a.txt", None, 0, 60, {0}),  # a passage containing it
        ("docs/a.txt", None, 20, 30, {0}),  # partial overlap
        ("docs/a.txt", None, 0, 12, set()),  # ends where the gold starts: no shared character
        ("docs/a.txt", None, 24, 30, set()),  # starts where the gold ends
        ("docs/a.txt", None, 45, 50, {0}),  # the quote's second occurrence counts too
        ("docs/b.txt", None, 12, 24, set()),  # same offsets, other source
        ("docs/a.txt", 1, 12, 24, set()),  # same offsets, other page
    ],
)
def test_touched_gold(sources, source, page, start, end, want):
    gold = (sources.gold("docs/a.txt", "Gamma delta."),)
    assert touched_gold(source, page, start, end, gold) == want


@pytest.mark.parametrize(
    "citation,want",
    [
        (cite(), True),
        (cite(start=25, end=38, quote="\nEpsilon zeta"), True),  # offsets include the \r\n
        (cite(start=27, end=40), False),  # off by one
        (cite(quote="Epsilon  zeta."), False),  # quote altered
        (cite(source="docs/missing.txt"), False),
    ],
)
def test_quote_exact(sources, citation, want):
    assert quote_exact(citation, sources) is want


def test_gold_ranks(sources):
    it = item(sources, quotes=(("docs/a.txt", "Alpha beta."), ("docs/b.txt", "Moura")))
    hits = [
        Hit(Passage(src, s, e, ""), 1.0, 0.5, 0.0)
        for src, s, e in [
            ("docs/b.txt", 25, 35),
            ("docs/a.txt", 26, 39),
            ("docs/a.txt", 0, 11),
            ("docs/a.txt", 5, 20),
        ]
    ]
    assert gold_ranks(hits, it.gold) == [3, None]  # first overlapping hit; Moura never hit
    assert gold_ranks([], it.gold) == [None, None]


# --- one question -----------------------------------------------------------------------------
def test_score_correct_answer_with_gold_citation(sources):
    it = item(sources)
    ans = answer(
        citations=[cite(), cite(n=2, start=0, end=11, quote="Alpha beta.")],
        checks=Checks(invalid=2, repeated=1, replaced=1, unsupported=0),
    )
    cited = judge_citations(it, ans.citations, sources)
    assert [c["gold"] for c in cited] == [[0], []] and all(c["exact"] for c in cited)
    s = score_answer(it, ans, cited)
    assert s["correct"] is True and s["declined"] is False
    assert (s["cited"], s["cited_on_gold"], s["gold_covered"], s["exact_quotes"]) == (2, 1, 1, 2)
    assert (s["removed"], s["replaced"], s["unsupported"]) == (3, 1, 0)


@pytest.mark.parametrize(
    "ans,correct",
    [
        (answer("Zeta [1].", abstained=True), False),  # declined answers are never correct
        (answer("It is beta [1]."), False),  # keyword missing
        (answer("ZETA."), True),
    ],
)
def test_score_correctness(sources, ans, correct):
    assert score_answer(item(sources), ans, [])["correct"] is correct


def test_score_without_keywords_uses_reference(sources):
    it = item(sources, expected=(), reference="the zeta function")
    assert score_answer(it, answer("Zeta [1]."), [])["correct"] is None
    assert score_answer(it, answer("Zeta [1]."), [])["token_recall"] == pytest.approx(1 / 3)
    assert score_answer(it, answer("the zeta function", abstained=True), [])["token_recall"] == 0


@pytest.mark.parametrize(
    "ans,ref,want",
    [
        ("Paris is the capital", "Paris", 1.0),
        ("It is Lyon.", "Paris, France", 0.0),
        ("paris", "Paris, France", 0.5),
        ("anything", "", None),
    ],
)
def test_token_recall(ans, ref, want):
    assert token_recall(ans, ref) == want


# --- aggregates -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "values,q,want",
    [
        ([], 50, None),
        ([None, None], 50, None),
        ([5.0], 90, 5.0),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.5),
        ([4.0, 1.0, 3.0, 2.0], 90, 3.7),  # unsorted input; linear interpolation like numpy
        ([1.0, None, 3.0], 50, 2.0),  # None (no first token: gate abstained) ignored
        ([1.0, 2.0, 3.0], 100, 3.0),
        ([1.0, 2.0, 3.0], 0, 1.0),
    ],
)
def test_percentile(values, q, want):
    assert percentile(values, q) == (pytest.approx(want) if want is not None else None)


def row(
    answerable=True,
    category="fact",
    ranks=(1,),
    declined=False,
    correct=True,
    cited=0,
    on_gold=0,
    covered=0,
    exact=None,
    removed=0,
    first=1.0,
    total=2.0,
):
    scores = {
        "gold": len(ranks),
        "gold_ranks": list(ranks),
        "correct": correct,
        "token_recall": None,
        "declined": declined,
        "cited": cited,
        "cited_on_gold": on_gold,
        "gold_covered": covered,
        "exact_quotes": cited if exact is None else exact,
        "removed": removed,
        "replaced": 0,
        "unsupported": 0,
    }
    return {
        "answerable": answerable,
        "category": category,
        "scores": scores,
        "timings": {"first_token_s": first, "total_s": total},
    }


def test_summarize():
    rows = [
        row(ranks=(1, None), cited=2, on_gold=2, covered=1, removed=1),
        row(ranks=(4,), cited=2, on_gold=1, covered=1, correct=False, exact=1),
        row(ranks=(None,), declined=True, correct=False, first=None, total=0.5),
        row(
            answerable=False,
            category="unanswerable",
            ranks=(),
            declined=True,
            correct=None,
            first=None,
            total=0.4,
        ),
        row(
            answerable=False,
            category="unanswerable",
            ranks=(),
            cited=1,
            correct=None,
            exact=1,
            first=3.0,
            total=5.0,
        ),
    ]
    s = summarize(rows)
    assert (s["questions"], s["answerable"], s["unanswerable"]) == (5, 3, 2)
    assert s["answer_accuracy"] == pytest.approx(1 / 3)
    assert s["citation_precision"] == pytest.approx(3 / 4)  # answerable questions only
    assert s["citation_recall"] == pytest.approx(2 / 3)
    assert s["gold_coverage"] == pytest.approx(2 / 4)
    assert s["exact_quote_rate"] == pytest.approx(4 / 5)  # every citation, unanswerable too
    assert s["unanswerable_declined"] == 0.5
    assert s["answerable_declined"] == pytest.approx(1 / 3)
    assert s["citations_removed"] == 1
    assert (s["recall@1"], s["recall@3"], s["recall@5"]) == pytest.approx((1 / 3, 1 / 3, 2 / 3))
    assert s["mrr"] == pytest.approx((1 + 1 / 4 + 0) / 3)
    assert s["gold_recall@5"] == pytest.approx(2 / 4)
    assert s["first_token_median_s"] == 1.0 and s["total_median_s"] == 2.0


def test_summarize_retrieval_only_and_empty():
    rows = [{"answerable": True, "category": "fact", "timings": {}, "scores": {"gold": 1, "gold_ranks": [2]}}]
    s = summarize(rows)
    assert s["recall@1"] == 0 and s["recall@3"] == 1 and s["mrr"] == 0.5
    assert "answer_accuracy" not in s and "total_median_s" not in s
    empty = summarize([])
    assert empty["questions"] == 0 and empty["recall@5"] is None


# --- question set files -----------------------------------------------------------------------
GOOD = {
    "id": "x1",
    "question": "What follows epsilon?",
    "category": "fact",
    "answerable": True,
    "expected": [["zeta"]],
    "gold": [{"source": "docs/a.txt", "quote": "Epsilon zeta."}],
    "note": "",
}
NONE = {
    "id": "x2",
    "question": "What is omega?",
    "category": "unanswerable",
    "answerable": False,
    "expected": [],
    "gold": [],
    "note": "",
}


def write_set(root, *lines):
    path = root / "set.jsonl"
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n\n", encoding="utf-8"
    )
    return path


def test_load_questions(root, sources):
    items = load_questions(write_set(root, GOOD, NONE), sources)
    assert [i.id for i in items] == ["x1", "x2"]
    assert items[0].expected == (("zeta",),) and items[0].gold[0].spans == ((None, 26, 39),)
    assert items[1].answerable is False and items[1].gold == ()


@pytest.mark.parametrize(
    "line,message",
    [
        ("{not json", "line 1: not valid JSON"),
        ("[1, 2]", "need a JSON object"),
        ({k: v for k, v in GOOD.items() if k != "gold"}, "need a JSON object with fields"),
        ({**GOOD, "category": "trivia"}, "unknown category 'trivia'"),
        ({**GOOD, "answerable": False}, "answerable must be false exactly when"),
        ({**NONE, "answerable": "false"}, "answerable must be false exactly when"),
        ({**GOOD, "question": "  "}, "the question is empty"),
        ({**GOOD, "expected": ["zeta"]}, "expected must be a list of non-empty keyword lists"),
        ({**GOOD, "expected": [[]]}, "expected must be a list of non-empty keyword lists"),
        ({**GOOD, "gold": [{"source": "docs/a.txt"}]}, "gold must be a list of"),
        ({**GOOD, "gold": []}, "needs expected keyword groups and gold quotes"),
        ({**GOOD, "gold": [{"source": "docs/a.txt", "quote": "Epsilon Zeta."}]}, "not found verbatim"),
        ({**NONE, "expected": [["x"]]}, "an unanswerable item has empty expected and gold"),
    ],
)
def test_load_questions_errors(root, sources, line, message):
    with pytest.raises(BadEvalSet, match=message) as e:
        load_questions(write_set(root, line), sources)
    assert "\n" not in str(e.value) and "set.jsonl line 1:" in str(e.value)


def test_load_questions_file_errors(root, sources):
    with pytest.raises(BadEvalSet, match="line 2: duplicate id 'x1'"):
        load_questions(write_set(root, GOOD, GOOD), sources)
    with pytest.raises(BadEvalSet, match="cannot read question set"):
        load_questions(root / "nope.jsonl", sources)
    with pytest.raises(BadEvalSet, match="has no questions"):
        load_questions(write_set(root, ""), sources)


def test_seed_set_loads():
    items = load_questions(ROOT / "evals" / "seed_questions.jsonl", Sources(ROOT))
    assert len(items) >= 50 and all(g.spans for i in items for g in i.gold)


# --- the run loop and the report folder --------------------------------------------------------
META = {
    "started": "2025-01-01T00:00:00",
    "command": "assistant eval",
    "code_version": "abc1234",
    "dirty": False,
    "model": "scripted",
    "retrieval_only": False,
    "question_set": "set.jsonl",
    "questions_total": 3,
    "fingerprint": "f00",
    "settings": {"top_k": 4},
    "index": {"path": "index", "generation": "g1", "passages": 3, "settings": {}},
}


def run_report(tmp_path, sources, label, interrupt_at=None):
    writer = report.ReportWriter.create(tmp_path / "results", label, META)
    items = [item(sources, id=f"q{i}") for i in range(3)]
    complete = run(ScriptedAssistant(interrupt_at), items, sources, writer.add)
    return writer.finish(complete)


def test_interrupted_run_keeps_finished_questions(tmp_path, sources):
    rep = run_report(tmp_path, sources, "cut", interrupt_at=3)
    assert not rep.complete and rep.summary["questions"] == 2
    lines = (rep.folder / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(x)["id"] for x in lines] == ["q0", "q1"]
    assert "interrupted after 2 of 3 questions" in (rep.folder / "report.md").read_text()


def test_report_folder_and_compare(tmp_path, sources):
    a = run_report(tmp_path, sources, "a")
    b = run_report(tmp_path, sources, "b")
    assert a.folder != b.folder and a.folder.name.endswith("-a")
    names = {p.name for p in a.folder.iterdir()}
    assert names == {"results.jsonl", "summary.json", "report.md", "by_category.png", "latency.png"}
    summary = json.loads((a.folder / "summary.json").read_text())
    assert summary["summary"]["answer_accuracy"] == 1.0
    assert summary["summary"]["citation_precision"] == 1.0
    assert summary["meta"]["questions_done"] == 3
    out = CliRunner().invoke(
        cli, ["eval", "--compare", str(a.folder), b.folder.name, "--out", str(tmp_path / "results")]
    )
    assert out.exit_code == 0, out.output
    assert "Answer accuracy" in out.output and "+0.00" in out.output
    bad = CliRunner().invoke(cli, ["eval", "--compare", str(a.folder), str(tmp_path)])
    assert bad.exit_code == 1 and "no readable summary.json" in bad.output


def test_compare_says_first_in_bold_what_differs_between_the_runs(tmp_path, sources):
    a = run_report(tmp_path, sources, "whole")
    META["sample"] = "a stratified sample of 3 of 106 questions (seed 0): fact 3"
    META["questions_hash"] = "abc"
    try:
        b = run_report(tmp_path, sources, "sample")
    finally:
        del META["sample"], META["questions_hash"]
    assert "**Asked a stratified sample of 3 of 106" in (b.folder / "report.md").read_text()
    out = CliRunner().invoke(cli, ["eval", "--compare", str(a.folder), str(b.folder)])
    assert out.exit_code == 0, out.output
    first = out.output.splitlines()[0]
    assert first.startswith("**Not like for like: the question sets differ (A: set.jsonl, 3 questions; B: ")
    assert "the models differ" not in first and "same answer text: 3 of 3" in out.output
    same = CliRunner().invoke(cli, ["eval", "--compare", str(a.folder), str(a.folder)])
    assert "Not like for like" not in same.output  # the same run: nothing to warn about


def test_limit_draws_a_stratified_sample_and_the_seed_sets_get_their_own_index(tmp_path):
    from assistant.config import Settings
    from assistant.evaluation.run import question_set

    settings, sources = Settings(root=ROOT), Sources(ROOT)
    whole = question_set(settings, sources)
    qs = question_set(settings, sources, limit=14, seed=3)
    assert len(qs.items) == 14 and {i.category for i in qs.items} == {i.category for i in whole.items}
    assert qs.items == question_set(settings, sources, limit=14, seed=3).items  # deterministic
    assert qs.items != question_set(settings, sources, limit=14, seed=4).items
    assert qs.sample.startswith("a stratified sample of 14 of ") and not whole.sample
    assert qs.settings.index_path == ROOT / ".cache" / "seed-index" and qs.docs == ROOT / "seeds"
    test = question_set(settings, sources, questions=ROOT / "evals" / "test_questions.jsonl")
    assert test.settings.index_path == ROOT / ".cache" / "seed-index" and test.docs == ROOT / "seeds"
    mine = question_set(settings.with_(index_dir=tmp_path / "index"), sources, limit=3)
    assert mine.settings.index_path == tmp_path / "index" and mine.docs is None  # --index: used as is


# --- CLAP NQ ----------------------------------------------------------------------------------
def clap_record(i, answerable):
    text = f"Passage {i} says the answer is number {i} . It has a second sentence . "
    sel = [f"Passage {i} says the answer is number {i} ."] if answerable else []
    return {
        "id": str(i),
        "input": f"what is number {i}",
        "passages": [{"title": f"Title {i}", "text": text, "sentences": []}],
        "output": [{"answer": f"number {i}" if answerable else "", "selected_sentences": sel, "meta": {}}],
    }


def test_clapnq_items_and_documents(tmp_path):
    folder = tmp_path / "clap"
    folder.mkdir()
    for kind, ids in (("answerable", (1, 2, 3)), ("unanswerable", (4, 5))):
        with open(folder / clapnq.FILES[kind], "w", encoding="utf-8") as f:
            for i in ids:
                f.write(json.dumps(clap_record(i, kind == "answerable")) + "\n")
    cache, sources = tmp_path / ".cache" / "clapnq", Sources(tmp_path)
    (cache / "docs").mkdir(parents=True)
    (cache / "docs" / "stale.txt").write_text("old", encoding="utf-8")
    items = clapnq.load_clapnq(clapnq.dataset_folder(folder, tmp_path), cache, sources, limit=4)
    assert [i.answerable for i in items] == [True, False, True, False]  # alternating
    assert items == clapnq.load_clapnq(folder, cache, sources, limit=4)  # deterministic
    assert len(list((cache / "docs").glob("*.txt"))) == 5  # every passage, stale file gone
    first = items[0]
    assert first.gold[0].source.startswith(".cache/clapnq/docs/") and first.reference
    assert not items[1].gold and items[1].category == "unanswerable"
    with pytest.raises(BadEvalSet, match="no CLAP NQ files"):
        clapnq.dataset_folder(tmp_path, tmp_path)


# --- the real command ------------------------------------------------------------------------
def test_eval_help_has_examples():
    out = CliRunner().invoke(cli, ["eval", "--help"])
    assert out.exit_code == 0 and "Example usage" in out.output


RECALL_AT_5_FLOOR = 0.85  # measured 0.95 on the seed set (all-MiniLM-L6-v2 + BM25, 600 chars)


@pytest.mark.slow
def test_eval_retrieval_only_on_seed_set(tmp_path):
    out = CliRunner().invoke(cli, ["eval", "--retrieval-only", "--json", "--out", str(tmp_path)])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout)["summary"]
    assert summary["questions"] >= 50
    assert summary["recall@5"] >= RECALL_AT_5_FLOOR


RESULT_FIELDS = {
    "id",
    "question",
    "category",
    "answer",
    "abstained",
    "citations",
    "scores",
    "timings",
    "raw_answer",
}


@pytest.mark.slow
def test_eval_end_to_end_with_small_model(tmp_path):
    out = CliRunner().invoke(
        cli, ["eval", "--model", "smollm2", "--limit", "3", "--label", "e2e", "--out", str(tmp_path)]
    )
    assert out.exit_code == 0, out.output
    (folder,) = tmp_path.iterdir()
    assert {"report.md", "summary.json", "results.jsonl", "by_category.png", "latency.png"} <= {
        p.name for p in folder.iterdir()
    }
    rows = [json.loads(x) for x in (folder / "results.jsonl").read_text().splitlines()]
    assert len(rows) == 3 and all(RESULT_FIELDS <= r.keys() for r in rows)
    assert all({"correct", "cited", "gold_ranks"} <= r["scores"].keys() for r in rows)
    assert all("total_s" in r["timings"] for r in rows)
    assert "Answer accuracy" in out.output


def test_support_check_keeps_true_pairs_and_catches_swapped_ones():
    from assistant.evaluation.score import support_check

    def row(rid, question, answer, quote):
        return {
            "id": rid,
            "question": question,
            "answer": answer,
            "citations": [{"n": 1, "quote": quote, "gold": [0]}],
        }

    rows = [
        row(
            "a",
            "When did Serval become Barkhane?",
            "It became Barkhane in August 2014 [1].",
            "Operation Serval was transformed to Operation Barkhane in August 2014.",
        ),
        row(
            "b",
            "Who conducted the poll?",
            "The Friedrich Ebert Foundation did [1].",
            "A recent poll conducted by the German Friedrich Ebert Foundation found support.",
        ),
    ]
    out = support_check(rows, 0.45)
    assert out == {"support_true_kept": 1.0, "support_swapped_caught": 1.0, "support_pairs": 2}
    assert support_check([], 0.45) == {}
