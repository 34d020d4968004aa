"""Sanity checks for the hand-written evaluation set in evals/seed_questions.jsonl.

Standard library + pytest only; does not import the ``assistant`` package.
"""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EVAL_FILE = ROOT / "evals" / "seed_questions.jsonl"

CATEGORIES = {
    "fact",
    "date_number",
    "multi_part",
    "multi_doc",
    "paraphrase",
    "conflict",
    "unanswerable",
}
REQUIRED_FIELDS = {"id", "question", "category", "answerable", "expected", "gold", "note"}
MIN_QUESTIONS = 50
MIN_UNANSWERABLE = 10


def _read_lines():
    with open(EVAL_FILE, encoding="utf-8") as fh:
        return [(n, line) for n, line in enumerate(fh, 1) if line.strip()]


LINES = _read_lines()


def _parse_all():
    items = []
    for _, line in LINES:
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError:
            pass
    return items


ITEMS = _parse_all()
ANSWERABLE = [it for it in ITEMS if it.get("answerable") is True]
UNANSWERABLE = [it for it in ITEMS if it.get("answerable") is False]
GOLD = [(it["id"], k, g) for it in ANSWERABLE for k, g in enumerate(it.get("gold") or [])]

_source_cache = {}


def _source_text(rel):
    if rel not in _source_cache:
        with open(ROOT / rel, encoding="utf-8", newline="") as fh:
            _source_cache[rel] = fh.read()
    return _source_cache[rel]


def _item_id(it):
    return str(it.get("id", "?"))


@pytest.mark.parametrize("lineno,line", LINES, ids=[f"line{n}" for n, _ in LINES])
def test_line_parses(lineno, line):
    obj = json.loads(line)
    assert isinstance(obj, dict), f"line {lineno} is not a JSON object"
    missing = REQUIRED_FIELDS - obj.keys()
    assert not missing, f"line {lineno} missing fields {sorted(missing)}"


def test_ids_unique():
    ids = [it.get("id") for it in ITEMS]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"duplicate ids: {dupes}"


def test_counts():
    assert len(ITEMS) == len(LINES), "some lines did not parse"
    assert len(ITEMS) >= MIN_QUESTIONS, f"only {len(ITEMS)} questions"
    assert len(UNANSWERABLE) >= MIN_UNANSWERABLE, f"only {len(UNANSWERABLE)} unanswerable questions"


@pytest.mark.parametrize("item", ITEMS, ids=_item_id)
def test_item_shape(item):
    assert item["category"] in CATEGORIES, f"bad category {item['category']!r}"
    assert isinstance(item["answerable"], bool)
    assert isinstance(item["question"], str) and item["question"].strip()
    assert isinstance(item["expected"], list)
    assert isinstance(item["gold"], list)
    assert isinstance(item["note"], str)
    assert (item["category"] == "unanswerable") == (not item["answerable"]), (
        "category 'unanswerable' must coincide with answerable == false"
    )


@pytest.mark.parametrize("item", ANSWERABLE, ids=_item_id)
def test_answerable_has_expected_and_gold(item):
    assert item["expected"], "answerable item needs at least one expected keyword group"
    assert item["gold"], "answerable item needs at least one gold quote"
    for group in item["expected"]:
        assert isinstance(group, list) and group, f"empty keyword group in {item['id']}"
        for kw in group:
            assert isinstance(kw, str) and kw.strip(), f"blank keyword in {item['id']}"


@pytest.mark.parametrize("item", UNANSWERABLE, ids=_item_id)
def test_unanswerable_has_no_expected_or_gold(item):
    assert item["expected"] == []
    assert item["gold"] == []


@pytest.mark.parametrize("item_id,k,gold", GOLD, ids=[f"{i}-gold{k}" for i, k, _ in GOLD])
def test_gold_quote_verbatim(item_id, k, gold):
    source, quote = gold["source"], gold["quote"]
    assert isinstance(quote, str) and quote.strip(), "empty quote"
    path = ROOT / source
    assert path.is_file(), f"{item_id}: source file {source} does not exist"
    text = _source_text(source)
    assert quote in text, f"{item_id}: quote not found verbatim in {source}: {quote!r}"
