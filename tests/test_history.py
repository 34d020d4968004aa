"""The web chat's conversation history (assistant/web/history.py): a real SQLite file in a
temporary folder, real Answers in and out. No Gradio, no models."""

from __future__ import annotations

import json
import sqlite3

import pytest

from assistant.types import Answer, Checks, Citation, Evidence, Passage, Signals, Timings
from assistant.web import history as hist
from assistant.web.session import Session, Turn, turn_from_record

QUOTE = "It was built in 1887 by the engineer Mara Quill."


def full_answer(question="Who built the lighthouse?") -> Answer:
    cite = Citation(1, "docs/lighthouse.txt", 69, 117, QUOTE, None, True, 0.8)
    ev = Evidence(1, Passage("docs/lighthouse.txt", 69, 117, QUOTE))
    return Answer(
        question,
        "Mara Quill built it in 1887 [1].",
        False,
        (cite,),
        "echo-test",
        Timings(0.1, 0.5, 1.2, 1),
        raw_answer="Mara Quill built it in 1887 [3].",
        search_query=question,
        evidence=(ev,),
        checks=Checks(evidence=1, invalid=1, added=1),
        confidence=0.82,
        signals=Signals(0.01, 0.7, 0.5, 1.0, 0.9, 0.8),
    )


@pytest.fixture
def store(tmp_path):
    return hist.History(tmp_path / "history" / "chats.sqlite3")


def test_an_answer_survives_the_round_trip_through_json():
    a = full_answer()
    data = json.loads(json.dumps(hist.answer_to_json(a)))
    assert hist.answer_from_json(data) == a


def test_old_or_newer_records_still_open():
    data = hist.answer_to_json(full_answer())
    data["a_field_from_the_future"] = 1
    data["checks"]["renumbered"] = 2
    del data["signals"], data["confidence"]
    a = hist.answer_from_json(data)
    assert a.answer == "Mara Quill built it in 1887 [1]." and a.signals is None and a.confidence is None


def test_saved_turns_come_back_as_they_were(store):
    browser = hist.new_browser_id()
    session = Session().add(Turn(1, "Who built the lighthouse?", full_answer()))
    session = session.add(Turn(2, "And the wall?", error="No answer came back; please ask again"))
    session = session.add(Turn(3, "How tall?", stopped=True, partial="It is 41"))
    conv = store.save(browser, "", session.records())
    restored = [turn_from_record(n, q, r) for n, q, r in store.turns(browser, conv)]
    assert restored == list(session.turns)  # sources_html is drawn again, not stored
    assert store.current(browser) == conv


def test_a_conversation_is_titled_by_its_first_question_and_listed_newest_first(store):
    browser = hist.new_browser_id()
    first = store.save(browser, "", [(1, "  Who built\nthe lighthouse?  ", {"error": "x"})])
    second = store.save(browser, "", [(1, "q" * 200, {"error": "x"})])
    listed = store.conversations(browser)
    assert [c.id for c in listed] == [second, first]
    assert listed[1].title == "Who built the lighthouse?"
    assert len(listed[0].title) == hist.TITLE_CHARS and listed[0].title.endswith("…")
    store.save(browser, first, [(1, "Who built the lighthouse?", {"error": "x"})])
    assert store.conversations(browser)[0].id == first  # used last: first in the list


def test_saving_again_replaces_turns_and_drops_the_ones_gone(store):
    """Regenerate answers the last question again: the same n, a new answer."""
    browser = hist.new_browser_id()
    conv = store.save(browser, "", [(1, "a?", {"error": "x"}), (2, "b?", {"error": "y"})])
    assert store.save(browser, conv, [(1, "a?", {"stopped": "half"})]) == conv
    assert store.turns(browser, conv) == [(1, "a?", {"stopped": "half"})]


def test_two_browsers_never_see_each_others_history(store):
    a, b = hist.new_browser_id(), hist.new_browser_id()
    conv = store.save(a, "", [(1, "mine?", {"error": "x"})])
    assert store.conversations(b) == [] and store.turns(b, conv) is None
    assert store.conversation(b, conv) is None and not store.delete(b, conv)
    # b cannot append to a's conversation by naming it: it gets a new one of its own
    other = store.save(b, conv, [(1, "theirs?", {"error": "x"})])
    assert other != conv and store.turns(a, conv) == [(1, "mine?", {"error": "x"})]


def test_delete_removes_the_conversation_its_turns_and_the_current_mark(store, tmp_path):
    browser = hist.new_browser_id()
    conv = store.save(browser, "", [(1, "a?", {"error": "x"})])
    assert store.delete(browser, conv)
    assert store.conversations(browser) == [] and store.current(browser) == ""
    with sqlite3.connect(store.path) as db:
        assert db.execute("SELECT count(*) FROM turns").fetchone() == (0,)


def test_the_history_survives_reopening_the_database(store):
    browser = hist.new_browser_id()
    conv = store.save(browser, "", [(1, "a?", {"error": "x"})])
    again = hist.History(store.path)
    assert again.current(browser) == conv and again.turns(browser, conv) == [(1, "a?", {"error": "x"})]


@pytest.mark.parametrize(
    "value, ok",
    [
        ("0123456789abcdef0123456789abcdef", True),
        ("0123456789ABCDEF0123456789ABCDEF", False),
        ("", False),
        ("' OR 1=1 --", False),
        (None, False),
        ("0123456789abcdef", False),
    ],
)
def test_only_well_formed_browser_ids_are_used(value, ok):
    assert hist.valid_browser_id(value) is ok
    assert hist.valid_browser_id(hist.new_browser_id())


def test_export_markdown_gives_each_answer_with_its_references(store):
    browser = hist.new_browser_id()
    session = Session().add(Turn(1, "Who built the lighthouse?", full_answer()))
    session = session.add(Turn(2, "And the wall?", error="No answer came back"))
    conv = store.save(browser, "", session.records())
    text = hist.export_markdown(store.conversation(browser, conv), store.turns(browser, conv))
    assert text.startswith("# Who built the lighthouse?\n\n_")
    assert "**Who built the lighthouse?**\n\nMara Quill built it in 1887 [1]." in text
    assert f"1. “{QUOTE}” lighthouse.txt (docs/lighthouse.txt, characters 69–117)" in text
    assert "**And the wall?**\n\n_Not answered: No answer came back_" in text


def test_export_json_gives_each_answer_as_the_cli_prints_it(store):
    browser = hist.new_browser_id()
    session = Session().add(Turn(1, "Who built the lighthouse?", full_answer()))
    session = session.add(Turn(2, "How tall?", stopped=True, partial="It is"))
    conv = store.save(browser, "", session.records())
    data = json.loads(hist.export_json(store.conversation(browser, conv), store.turns(browser, conv)))
    assert data["title"] == "Who built the lighthouse?"
    first, second = data["turns"]
    assert first["answer"] == full_answer().to_json()
    assert second == {"n": 2, "question": "How tall?", "stopped": "It is"}


def test_nothing_is_written_until_the_history_is_used(tmp_path):
    store = hist.History(tmp_path / "history" / "chats.sqlite3")  # what building the app does
    assert not (tmp_path / "history").exists()
    assert store.current(hist.new_browser_id()) == "" and store.path.is_file()
