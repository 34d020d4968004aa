"""The terminal rendering (terminal/render.py, terminal/live.py): plain in pipes, wrapped and coloured on
terminals, balanced quotes, the draft erased, the status line gone, honest index reports."""

import io
import re

import pytest

from assistant.changes import change_note
from assistant.index import IndexProgress, UpdateReport
from assistant.terminal import live, render
from assistant.types import Answer, Checks, Citation, Evidence, Passage, Reason, Timings

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Tty(io.StringIO):
    def isatty(self):
        return True


def visible(text: str) -> str:
    return ANSI.sub("", text)


QUOTE = (
    "“The issue we are facing is not a French-Malian issue,” French Foreign Minister Jean-Yves "
    "Le Drian said Tuesday, speaking about Mali’s junta and the Wagner mercenaries."
)
ANSWER = Answer(
    "Who said it was not a French-Malian issue?",
    "Jean-Yves Le Drian, the French foreign minister, said the crisis with Mali was not a French-Malian "
    "issue but a European one [1].",
    False,
    (Citation(1, "seeds/002.txt", 10, 10 + len(QUOTE), QUOTE),),
    "qwen",
    Timings(0.5, 2.0, 3.0),
    search_query="Who said it was not a French-Malian issue?",
    confidence=0.9,
)


@pytest.mark.parametrize(
    "quote,shown",
    [
        ("plain words", "“plain words”"),
        ("“We cannot stay,” she said.", "“‘We cannot stay,’ she said.”"),
        ("she said “we cannot stay", "“she said ‘we cannot stay’”"),  # cut inside the speech
        ("we cannot stay,” she said.", "“‘we cannot stay,’ she said.”"),  # began before the passage
        ('He said "no" twice.', "“He said ‘no’ twice.”"),  # straight quotes pair up
        ("Mali’s junta and the soldiers’ base", "“Mali’s junta and the soldiers’ base”"),  # apostrophes
        ("‘Mali first’ policy", "“‘Mali first’ policy”"),
        ("a “b ‘c’ d” e", "“a ‘b ‘c’ d’ e”"),
        ("line one\nline two", "“line one line two”"),  # PDF line breaks shown as spaces
    ],
)
def test_quotes_are_balanced(quote, shown):
    assert render.display_quote(quote) == shown


def test_a_pipe_gets_plain_unwrapped_text():
    assert render.style_for(io.StringIO()) == render.PLAIN
    text = render.answer_text(ANSWER) + render.sources_text(ANSWER)
    assert "\x1b" not in text
    assert ANSWER.answer in text  # one line, whatever its length
    assert "  [1] seeds/002.txt (chars 10-" in text
    assert "Searched for" not in text  # the question was searched as asked


def test_a_terminal_gets_colour_and_its_width(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("COLUMNS", "50")
    style = render.style_for(Tty())
    assert style == render.Style(50, True)
    text = render.answer_text(ANSWER, style) + "\n" + render.sources_text(ANSWER, style)
    assert "\x1b[" in text
    lines = visible(text).splitlines()
    assert max(len(line) for line in lines) <= 50
    assert " ".join(visible(render.answer_text(ANSWER, style)).split()) == ANSWER.answer  # all words kept
    assert any(line.startswith("       ") for line in lines)  # quotes continue under their start


def test_no_color_keeps_the_width_but_drops_the_colour(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "60")
    style = render.style_for(Tty())
    assert style == render.Style(60, False)
    text = render.sources_text(ANSWER, style)
    assert "\x1b" not in text and max(len(line) for line in text.splitlines()) <= 60


def test_searched_for_only_when_the_search_differed():
    same = Answer(
        "When did he resign?", "In 2020 [1].", False, (), "m", Timings(), search_query="When did he resign?"
    )
    other = Answer(
        "When did he resign?",
        "In 2020 [1].",
        False,
        (),
        "m",
        Timings(),
        search_query="When did Keita resign?",
    )
    assert "Searched for" not in render.answer_text(same)
    assert render.answer_text(other).endswith("Searched for: When did Keita resign?")


def test_a_refusal_says_why_and_lists_what_was_read():
    ev = (Evidence(1, Passage("seeds/a.txt", 5, 40, "France left Gao in August 2022.")),)
    declined = Answer(
        "q", "The documents do not answer this question.", True, (), "m", Timings(),
        evidence=ev, checks=Checks(reason=Reason.MODEL_DECLINED),
    )  # fmt: skip
    text = render.sources_text(declined)
    assert "Why: The model did not find the answer in the passages it read." in text
    assert "[1] seeds/a.txt (chars 5-40)" in text and "France left Gao" in text


def test_the_confidence_in_the_web_chats_words_once():
    text = render.sources_text(ANSWER)
    assert "Confidence that this answer is right: high (0.90)" in text
    assert "qwen" not in text  # the model file is in --json, not in the footer
    low = Answer(
        "q", "", True, (), "m", Timings(), confidence=0.05,
        checks=Checks(reason=Reason.LOW_CONFIDENCE, detail="0.05, below the 0.92 an answer needs"),
    )  # fmt: skip
    shown = render.sources_text(low)
    assert "The confidence that an answer would be right is 0.05, below the 0.92 an answer needs." in shown
    assert "Confidence that this answer is right" not in shown  # no answer shown: the reason says it


def test_markers_in_documents_are_text_not_markup(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.delenv("NO_COLOR", raising=False)
    odd = Answer("q", "It says [bold]x[/bold] and [1].", False, (), "m", Timings())
    assert "[bold]x[/bold]" in visible(render.answer_text(odd, render.style_for(Tty())))


@pytest.mark.parametrize(
    "checks,abstained,draft,note",
    [
        (Checks(), False, "In 2014 [1].", ""),
        (
            Checks(replaced=1),
            False,
            "In 2014 [2].",
            "Checked: 1 citation moved to the passage that supports its sentence.",
        ),
        (
            Checks(salvaged=1),
            False,
            "In February 2013 [1].",
            ": not in the sources.",
        ),
        (
            Checks(reason=Reason.NO_SUPPORTED_CITATION),
            True,
            "In 2013 [1].",
            "Checked: the draft was withdrawn.",
        ),
        (Checks(), False, "", ""),  # nothing was streamed: nothing to compare
        (Checks(), False, "In 2014 [2].", ""),  # renumbered only: no note
    ],
)
def test_change_note(checks, abstained, draft, note):
    final = "The documents do not answer this question." if abstained else "In 2014 [1]."
    text = change_note(Answer("q", final, abstained, (), "m", Timings(), checks=checks), draft)
    assert (note in text) if note else text == ""


def test_the_draft_is_dimmed_then_erased():
    out = Tty()
    draft = live.Draft(out, render.Style(20, True))
    for piece in ["France withdrew its ", "troops in February ", "2013 [1]."]:
        draft.write(piece)
    assert draft.rows() == 3  # 48 characters on a 20-column terminal
    assert draft.erase()
    written = out.getvalue()
    assert written.startswith("\x1b[2m") and written.endswith("\x1b[0m\r\x1b[2A\x1b[J")


def test_the_draft_is_wrapped_at_words_as_it_streams():
    out = Tty()
    draft = live.Draft(out, render.Style(20, False))
    draft.write("France withdrew its troops in Febr")  # a word cut between two pieces
    draft.write("uary 2013 [1]. ")
    assert out.getvalue() == "France withdrew its\ntroops in February\n2013 [1]."
    assert draft.rows() == 3
    wide = live.Draft(Tty(), render.Style(10, False))
    wide.write("a " + "x" * 25 + " b ")  # a word wider than the screen takes the lines it fills
    assert wide.rows() == 4


def test_a_draft_taller_than_the_screen_is_left_in_place(monkeypatch):
    monkeypatch.setenv("LINES", "5")
    monkeypatch.setenv("COLUMNS", "10")
    draft = live.Draft(Tty(), render.Style(10, False))
    draft.write("word " * 40)
    assert not draft.erase()


def test_the_status_line_shows_on_a_terminal_and_is_cleared():
    err = Tty()
    status = live.Status(err).show("Searching...")
    status.log("1 file changed; updating the index ...")
    status.clear()
    written = err.getvalue()
    assert "Searching... " in written and " s" in written
    assert "1 file changed; updating the index ...\n" in written
    assert written.endswith("\r\x1b[2K")


def test_no_status_line_in_a_pipe():
    err = io.StringIO()
    with live.Status(err).show("Searching..."):
        pass
    assert err.getvalue() == ""


def test_the_index_bar_draws_files_passages_rate_and_time_left():
    err = Tty()
    bar = live.IndexBar(err)
    assert bar.enabled
    bar.update(IndexProgress(3, 12, 140, 25.04, 95.0))
    bar.clear()
    line = err.getvalue()
    assert "3/12 files (25%): 140 passages, 25.0 passages/s, about 2 min left" in line
    assert line.endswith("\r\x1b[2K")
    assert not live.IndexBar(io.StringIO()).enabled


def test_index_problems_name_each_file_and_count_an_empty_one_as_skipped():
    empty = "/tmp/mixed/empty.txt: the file is empty; add text or remove it"
    binary = "/tmp/mixed/binary.txt: looks binary, not text; index the original document instead"
    report = UpdateReport(
        added=["mixed/good.txt"],
        skipped=["/tmp/mixed/notes.xyz"],
        failed=[empty, binary],
        passages=1,
        reasons={
            "/tmp/mixed/notes.xyz": "unsupported file type",
            "mixed/empty.txt": empty,
            "mixed/binary.txt": binary,
        },
    )
    skipped, failed = render.index_problems(report)
    assert skipped == [
        ("/tmp/mixed/notes.xyz", "unsupported type .xyz"),
        ("mixed/empty.txt", "the file is empty; add text or remove it"),
    ]
    assert failed == [("mixed/binary.txt", "looks binary, not text; index the original document instead")]
    summary = render.index_summary(report, len(skipped), len(failed))
    assert summary == (
        "Indexed: 1 added, 0 changed, 0 removed, 0 unchanged; 2 skipped, 1 failed; 1 passage in the index."
    )


def test_index_problems_without_per_file_reasons():
    report = UpdateReport(failed=["a.txt: the file is empty; add text or remove it", "b.pdf: broken PDF"])
    assert render.index_problems(report) == (
        [("a.txt", "the file is empty; add text or remove it")],
        [("b.pdf", "broken PDF")],
    )


def test_documents_table_cuts_titles_to_the_terminal():
    rows = [{"source": "seeds/a.txt", "title": "A very long title " * 10, "passages": 3, "indexed_at": None}]
    text = render.documents_table(rows, render.Style(60, False))
    assert all(len(line) <= 60 for line in text.splitlines())
    assert text.splitlines()[1].split()[:3] == ["3", "-", "seeds/a.txt"]
