"""The seed test set (evals/test_questions.jsonl): written apart from the project, used for no
choice, run only to report. These checks keep it usable: it parses, it is big enough, its gold
quotes are verbatim, and it shares no question with the tuning set (evals/seed_questions.jsonl).

The categories are the eval's own (`evaluation.sets.CATEGORIES`); the questions' content is not
read for anything else.
"""

import json
from collections import Counter
from pathlib import Path

import pytest

from assistant.evaluation.sets import CATEGORIES

ROOT = Path(__file__).resolve().parents[1]
TEST_SET, TUNING_SET = ROOT / "evals" / "test_questions.jsonl", ROOT / "evals" / "seed_questions.jsonl"


def read(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


ITEMS = read(TEST_SET)


def test_it_is_big_enough_and_mixed():
    counts = Counter(it["category"] for it in ITEMS)
    assert len(ITEMS) >= 60 and counts["unanswerable"] >= 20
    assert set(counts) <= set(CATEGORIES) and len(set(counts) - {"unanswerable"}) >= 6
    assert len({it["id"] for it in ITEMS}) == len(ITEMS)


@pytest.mark.parametrize("item", ITEMS, ids=lambda it: it["id"])
def test_each_item_is_well_formed(item):
    assert item["answerable"] == (item["category"] != "unanswerable")
    if not item["answerable"]:
        assert item["expected"] == [] and item["gold"] == []
        return
    assert item["expected"] and all(item["expected"]) and item["gold"]
    quotes = []
    for g in item["gold"]:
        text = open(ROOT / g["source"], encoding="utf-8", newline="").read()
        assert g["quote"] in text, f"{item['id']}: gold quote not verbatim in {g['source']}"
        quotes.append(g["quote"].casefold())
    for group in item["expected"]:
        assert any(alt.casefold() in " ".join(quotes) for alt in group), f"{item['id']}: {group}"


def test_no_question_is_also_a_tuning_question():
    seen = {" ".join(it["question"].casefold().split()) for it in read(TUNING_SET)}
    assert not [it["id"] for it in ITEMS if " ".join(it["question"].casefold().split()) in seen]
