"""The web UI's pure pieces: follow-up history, streaming, highlighting, upload checks and names.

No Gradio and no models here: these run in well under a second.
"""

import dataclasses
import html
import os
import threading
import time

import pytest
from conftest import pdf_bytes

from assistant.errors import BadDocument, BadQuestion
from assistant.types import Answer, Checks, Citation, Evidence, Passage, Reason, Timings
from assistant.web import highlight as hl
from assistant.web import messages as msg
from assistant.web import uploads
from assistant.web.session import Session, Stopped, Turn, stream_ask, strip_markers

TEXT = (
    "Mali is in West Africa. Operation Serval began in 2013. It became Operation Barkhane "
    "in 2014. France left in 2022. The junta stayed."
)


def answer(
    question="Who leads the junta?",
    text="Assimi Goita leads it [1].",
    abstained=False,
    citations=(),
    query="",
):
    return Answer(
        question, text, abstained, tuple(citations), "test", Timings(), search_query=query or question
    )


SERVAL = TEXT.index("Operation Serval"), TEXT.index(" It became")


def cite(n=1, source="docs/a.txt", start=SERVAL[0], end=SERVAL[1], quote=None, page=None, supported=True):
    return Citation(n, source, start, end, TEXT[start:end] if quote is None else quote, page, supported)


# --- follow-ups ----------------------------------------------------------------------------
def test_history_pairs_strip_markers_and_skip_failed_turns():
    s = Session().add(Turn(1, "Who leads the junta?", answer(text="Goita leads it [1][2].")))
    s = s.add(Turn(2, "And?", error="the question is empty"))
    s = s.add(
        Turn(
            3,
            "When did he postpone the vote?",
            answer("When did he postpone the vote?", "He postponed it to 2026 [1]."),
        )
    )
    assert s.history() == (
        ("Who leads the junta?", "Goita leads it."),
        ("When did he postpone the vote?", "He postponed it to 2026."),
    )
    assert s.next_n == 4


def test_history_keeps_abstentions_and_only_the_last_turns():
    s = Session()
    for i in range(5):
        s = s.add(
            Turn(
                i + 1, f"q{i}", answer(f"q{i}", "The documents do not answer this question.", abstained=True)
            )
        )
    assert [q for q, _ in s.history()] == ["q2", "q3", "q4"]
    assert s.history(max_turns=0) == ()


def test_sessions_are_separate_values():
    a, b = Session(), Session()
    a2 = a.add(Turn(1, "mine", answer("mine")))
    assert b.history() == () and a.history() == () and len(a2.turns) == 1


@pytest.mark.parametrize(
    "text, expected",
    [
        ("It was 2014 [1].", "It was 2014."),
        ("It was 2014 [1][2]. Then 2022 [3].", "It was 2014. Then 2022."),
        ("No markers.", "No markers."),
        ("Brackets [sic] stay [12].", "Brackets [sic] stay."),
    ],
)
def test_strip_markers(text, expected):
    assert strip_markers(text) == expected


def test_stream_ask_yields_growing_text_then_the_answer():
    seen = {}

    def ask(question, history, on_token):
        seen["history"] = history
        for piece in ("Serval ", "became ", "Barkhane [1]."):
            on_token(piece)
        return answer(question, "Serval became Barkhane [1].")

    parts = list(stream_ask(ask, "q?", (("a", "b"),)))
    texts, final = parts[:-1], parts[-1]
    assert texts[-1] == "Serval became Barkhane [1]."
    assert all(texts[i + 1].startswith(texts[i]) for i in range(len(texts) - 1))
    assert isinstance(final, Answer) and seen["history"] == (("a", "b"),)


def test_stream_ask_raises_the_workers_error_in_the_caller():
    def ask(question, history, on_token):
        on_token("partial")
        raise BadQuestion("the question is empty; type a question")

    stream = stream_ask(ask, "")
    assert next(stream) == "partial"
    with pytest.raises(BadQuestion, match="empty"):
        next(stream)


def test_stream_ask_runs_off_the_callers_thread():
    threads = []

    def ask(question, history, on_token):
        threads.append(threading.current_thread())
        return answer()

    list(stream_ask(ask, "q"))
    assert threads[0] is not threading.current_thread()


# --- highlighting --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "quote, sentences, expected",
    [
        (
            "Operation Serval began in 2013.",
            1,
            "Mali is in West Africa. <mark>Operation Serval began in 2013.</mark> It became "
            "Operation Barkhane in 2014. …",
        ),
        (
            "Mali is in West Africa.",
            2,
            "<mark>Mali is in West Africa.</mark> Operation Serval began in 2013. It became "
            "Operation Barkhane in 2014. …",
        ),
        ("The junta stayed.", 1, "… France left in 2022. <mark>The junta stayed.</mark>"),
        ("Operation Serval began in 2013.", 0, "… <mark>Operation Serval began in 2013.</mark> …"),
        ("Serval", 0, "… <mark>Serval</mark> …"),  # a quote inside a sentence
        ("Serval", 1, "… Operation <mark>Serval</mark> began in 2013. …"),  # its own sentence
    ],
)
def test_highlight_shows_whole_sentences_around_the_quote(quote, sentences, expected):
    start = TEXT.index(quote)
    assert hl.highlight(TEXT, start, start + len(quote), sentences) == expected


def test_highlight_escapes_document_text():
    text = 'Intro <b>bold</b>. The <script>alert(1)</script> & co. End "q".'
    start = text.index("The")
    out = hl.highlight(text, start, text.index(" End"), 1)
    assert "<script>" not in out and "<b>" not in out
    assert "<mark>The &lt;script&gt;alert(1)&lt;/script&gt; &amp; co.</mark>" in out
    assert out.startswith("Intro &lt;b&gt;bold&lt;/b&gt;.")


def test_highlight_caps_a_context_without_sentence_ends():
    text = "word " * 1000 + "QUOTE" + " word" * 1000
    start = text.index("QUOTE")
    out = hl.highlight(text, start, start + 5)
    assert "<mark>QUOTE</mark>" in out
    assert out.startswith("…") and out.endswith("…")
    assert len(out) < 2 * hl.CONTEXT_CHARS + 40


def test_highlight_keeps_line_breaks_of_the_source():
    text = "# Title\n\nFirst line here.\nSecond line here.\nThird line here."
    start = text.index("Second")
    out = hl.highlight(text, start, start + len("Second line here."), 1)
    assert out == "… First line here.\n<mark>Second line here.</mark>\nThird line here."


def test_source_card_reads_the_exact_span(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text(TEXT, encoding="utf-8", newline="")
    c = cite()
    card = hl.source_card(c, hl.read_source(tmp_path, c.source, None), turn=3)
    assert 'id="src-3-1"' in card and ">a.txt<" in card
    assert "<mark>Operation Serval began in 2013.</mark>" in card
    assert "Mali is in West Africa." in card and "src-note" not in card


def test_source_card_for_a_pdf_shows_the_page(tmp_path):
    pages = ["Nothing on page one.", "Wagner arrived in December 2021. They replaced French troops."]
    (tmp_path / "r.pdf").write_bytes(pdf_bytes(pages))
    text = hl.read_source(tmp_path, "r.pdf", 2)
    start = text.index("They")
    c = Citation(1, "r.pdf", start, len(text.rstrip()), text[start:].rstrip(), page=2)
    card = hl.source_card(c, text, turn=1)
    assert "page 2" in card and "<mark>They replaced French troops.</mark>" in card
    assert "Wagner arrived in December 2021." in card


@pytest.mark.parametrize(
    "text, note",
    [
        (None, "missing since it was indexed"),  # the file is gone
        ("Something else entirely, much longer than the quote.", "changed"),  # it changed
    ],
)
def test_source_card_says_when_the_file_no_longer_matches(text, note):
    card = hl.source_card(cite(), text, turn=1)
    assert "<mark>Operation Serval began in 2013.</mark>" in card and note in card


def test_source_card_flags_an_unconfirmed_citation():
    card = hl.source_card(cite(supported=False), TEXT, turn=1)
    assert "could not confirm" in card


def test_read_source_returns_none_for_missing_or_broken_files(tmp_path):
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4 not really")
    assert hl.read_source(tmp_path, "gone.txt", None) is None
    assert hl.read_source(tmp_path, "bad.pdf", 1) is None


def test_answer_html_links_cited_markers_only():
    a = answer(text="Goita leads it [1]. Also [2] <b>x</b> [sic].", citations=[cite(1, "docs/junta.md")])
    out = msg.answer_html(a, turn=2)
    assert '<a class="cite" href="#src-2-1" title="junta.md">[1]</a>' in out
    assert "[2]" in out and 'href="#src-2-2"' not in out  # no card: no link
    assert "&lt;b&gt;x&lt;/b&gt; [sic]" in out
    assert "Searched for" not in out  # the question was searched as asked: nothing to say
    rewritten = answer(text="Goita [1].", citations=[cite(1, "docs/junta.md")])
    rewritten = dataclasses.replace(rewritten, question="Who leads it?")
    assert 'class="searched">Searched for: Who leads the junta?' in msg.answer_html(rewritten, turn=3)


def test_abstention_looks_different_and_has_no_sources():
    a = answer(
        text="The documents do not answer this question.", abstained=True, query="Who is the mayor of Gao?"
    )
    out = msg.answer_html(a, turn=1)
    assert out.startswith('<div class="abstain">') and "cite" not in out
    assert "Searched for: Who is the mayor of Gao?" in out
    assert hl.turn_sources(a, 1, lambda s, p: TEXT) == ""


def test_sources_panel_newest_first_and_empty_state():
    one = hl.turn_sources(answer("first", citations=[cite()]), 1, lambda s, p: TEXT)
    two = hl.turn_sources(answer("second", citations=[cite()]), 2, lambda s, p: TEXT)
    panel = hl.sources_panel([one, "", two])
    assert panel.index('id="turn-2"') < panel.index('id="turn-1"')
    assert hl.sources_panel(["", ""]) == hl.EMPTY_SOURCES


def test_chat_messages_show_turns_then_the_pending_question():
    s = Session().add(Turn(1, "Who <leads>?", answer("Who <leads>?", citations=[cite()])))
    s = s.add(Turn(2, "And then?", error="the model file is missing; reinstall it"))
    msgs = msg.chat_messages(s.turns, pending="When?", partial="It was")
    assert [m["role"] for m in msgs] == ["user", "assistant"] * 3
    assert "Who &lt;leads&gt;?" in msgs[0]["content"] and 'href="#src-1-1"' in msgs[1]["content"]
    assert 'class="error"' in msgs[3]["content"] and "reinstall" in msgs[3]["content"]
    assert "streaming" in msgs[5]["content"] and "It was" in msgs[5]["content"]
    assert "Searching" in msg.chat_messages((), pending="When?")[1]["content"]
    assert msg.chat_messages(()) == []


def test_streaming_and_question_html_escape():
    assert "&lt;img src=x onerror=alert(1)&gt;" in msg.streaming_html("<img src=x onerror=alert(1)>")
    assert "<img" not in msg.question_html("<img src=x onerror=alert(1)>")


# --- uploads: names ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, expected",
    [
        ("report.pdf", "report.pdf"),
        ("Annual report (2023).PDF", "Annual_report_2023.PDF"),
        ("notes.md", "notes.md"),
        ("Résumé final.txt", "Résumé_final.txt"),
        ("a  b\tc.txt", "a_b_c.txt"),
        ("x;rm -rf ~.txt", "x_rm_-rf.txt"),
        ("..report.txt", None),  # hidden: starts with a dot
        ("report..txt", "report.txt"),
        ("ｆｕｌｌｗｉｄｔｈ.txt", "fullwidth.txt"),  # NFKC folds look-alikes
        ("a" * 300 + ".txt", "a" * (uploads.MAX_NAME - 4) + ".txt"),
    ],
)
def test_safe_name(name, expected):
    if expected is None:
        with pytest.raises(BadDocument):
            uploads.safe_name(name)
    else:
        assert uploads.safe_name(name) == expected


@pytest.mark.parametrize(
    "name, why",
    [
        ("../../etc/passwd.txt", "folders"),
        ("..", "folders"),
        ("../secret.md", "folders"),
        ("docs/../../x.txt", "folders"),
        ("sub/dir/file.txt", "folders"),
        ("..\\..\\windows\\win.ini.txt", "folders"),
        ("\\\\server\\share\\x.txt", "absolute"),
        ("/etc/passwd.txt", "absolute"),
        ("C:\\Users\\me\\x.txt", "absolute"),
        ("c:x.txt", "absolute"),
        (".bashrc.txt", "hidden"),
        (".env", "hidden"),
        ("", "no usable file name"),
        ("   ", "no usable file name"),
        ("evil\x00.txt", "no usable file name"),
        ("program.exe", "unsupported type .exe"),
        ("archive.tar.gz", "unsupported type .gz"),
        ("README", "unsupported type (none)"),
        ("report.", "unsupported type ."),
        ("___.txt", "no letters or digits"),
        ("(((.pdf", "no letters or digits"),
    ],
)
def test_safe_name_rejects_paths_hidden_and_wrong_types(name, why):
    with pytest.raises(BadDocument, match=why.replace("(", r"\(").replace(")", r"\)")) as e:
        uploads.safe_name(name)
    assert "\n" not in str(e.value)


def test_upload_path_stays_inside_the_uploads_folder(tmp_path):
    path = uploads.upload_path(tmp_path, "report.pdf")
    assert path == (tmp_path / "uploads" / "report.pdf").resolve()
    with pytest.raises(BadDocument):
        uploads.upload_path(tmp_path, "../report.pdf")


# --- uploads: checks and storing ---------------------------------------------------------------
@pytest.mark.parametrize(
    "size, limit, message",
    [
        (0, 100, "empty"),
        (101, 100, "101 bytes is over the 100 bytes limit"),
        (25 * 2**20, uploads.MAX_BYTES, "25.0 MB is over the 20 MB limit"),
    ],
)
def test_check_size_rejects_empty_and_too_big(size, limit, message):
    with pytest.raises(BadDocument, match=message):
        uploads.check_size(size, "a.txt", limit)


def test_check_size_accepts_up_to_the_limit():
    uploads.check_size(100, "a.txt", 100)
    uploads.check_size(1, "a.txt", 100)


def _sent(tmp_path, name, data: bytes):
    """A file as Gradio hands it over: in its own temporary folder, under the sent name."""
    folder = tmp_path / "gradio-tmp"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


def test_store_moves_a_good_file_into_uploads(tmp_path):
    root = tmp_path / "project"
    src = _sent(tmp_path, "My notes.md", b"# Notes\n\nThe bridge opened in 1932.\n")
    dest, replaced = uploads.store(src, src.name, root)
    assert dest == (root / "uploads" / "My_notes.md").resolve() and not replaced
    assert dest.read_bytes() == src.read_bytes()
    assert (root / "uploads" / uploads.PENDING / dest.name).exists()  # until it is indexed
    uploads.settle(dest)
    assert list((root / "uploads").iterdir()) == [dest]  # no staging, no mark left behind
    dest2, replaced2 = uploads.store(src, src.name, root)
    assert dest2 == dest and replaced2


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n ", "empty"),
        ("binary.txt", b"\x00\x01\x02binary", "binary"),
        ("latin1.txt", "café".encode("latin-1"), "not UTF-8"),
        ("broken.pdf", b"%PDF-1.4\nthis is not a pdf", "PDF"),
        ("scanned.pdf", pdf_bytes([""]), "no text layer"),
        ("big.txt", b"x" * (10 * 2**10 + 1), "10.0 KB is over the 10 KB limit"),
        ("virus.exe", b"MZ...", "unsupported type"),
    ],
)
def test_store_refuses_bad_files_and_changes_nothing(tmp_path, name, data, message):
    root = tmp_path / "project"
    (root / "uploads").mkdir(parents=True)
    (root / "uploads" / "keep.txt").write_text("Kept.")
    src = _sent(tmp_path, name, data)
    with pytest.raises(BadDocument, match=message) as e:
        uploads.store(src, name, root, limit=10 * 2**10)
    assert str(tmp_path) not in str(e.value)  # the message names the file, not a temp path
    assert sorted(p.name for p in (root / "uploads").iterdir()) == ["keep.txt"]


def test_a_broken_reupload_keeps_the_earlier_file(tmp_path):
    root = tmp_path / "project"
    good = _sent(tmp_path, "a.txt", b"The first version.")
    dest, _ = uploads.store(good, "a.txt", root)
    bad = _sent(tmp_path, "a.txt", b"\x00\x00")
    with pytest.raises(BadDocument):
        uploads.store(bad, "a.txt", root)
    assert dest.read_text() == "The first version."


@pytest.mark.parametrize(
    "source, deleted",
    [
        ("uploads/a.txt", True),
        ("docs/a.txt", False),  # not an upload: the user's own file is never deleted
        ("uploads/../docs/a.txt", False),
        ("uploads/missing.txt", False),
    ],
)
def test_delete_only_removes_stored_uploads(tmp_path, source, deleted):
    for folder in ("uploads", "docs"):
        (tmp_path / folder).mkdir(exist_ok=True)
        (tmp_path / folder / "a.txt").write_text("x")
    assert uploads.delete(tmp_path, source) is deleted
    assert (tmp_path / "docs" / "a.txt").exists()
    assert (tmp_path / "uploads" / "a.txt").exists() is not deleted


# --- a declined answer shows its work ------------------------------------------------------------
def declined(reason="model declined", evidence=()):
    return dataclasses.replace(
        answer(text="The documents do not answer this question.", abstained=True),
        evidence=tuple(evidence),
        checks=Checks.from_json({"abstain_reason": reason}),
        confidence=0.2,
    )


@pytest.mark.parametrize(
    "reason, words",
    [
        ("no relevant passage", "No passage in the documents is close enough to the question."),
        ("model declined", "The model did not find the answer in the passages it read."),
        ("no supported citation", "The model's answer could not be traced to the passages it read"),
        ("the answer does not give the date asked for", "The model's answer does not give the date"),
        (
            "low confidence (0.12) that the documents answer this",
            "The confidence that an answer would be right is 0.12",
        ),
        (None, ""),
    ],
)
def test_reason_text_says_why_in_plain_words(reason, words):
    text = Checks.from_json({"abstain_reason": reason}).why
    assert text.startswith(words) and (not text or text.endswith("."))


def test_a_declined_answer_shows_why_and_the_passages_searched():
    ev = [
        Evidence(1, Passage("docs/a.txt", 0, 23, "Mali is in West <Africa>.")),
        Evidence(2, Passage("docs/r.pdf", 5, 30, "Line one.\nLine two.", page=2)),
    ]
    out = msg.answer_html(declined(evidence=ev), turn=1)
    assert 'class="abstain-why">Why: The model did not find the answer' in out
    assert 'class="confidence' not in out  # no answer shown: the reason says why, not a level
    details = out[out.index("<details") : out.index("</details>")]
    assert "<summary>2 passages searched</summary>" in details
    assert ">a.txt<" in details and "docs/a.txt · characters 0–23" in details
    assert "Mali is in West &lt;Africa&gt;." in details and "<Africa>" not in details
    assert "page 2" in details and "Line one.\nLine two." in details
    assert "<details" not in msg.answer_html(declined("no relevant passage"), turn=1)


# --- copy as Markdown ----------------------------------------------------------------------------
def test_answer_markdown_lists_numbered_references():
    pdf = Citation(2, "docs/r.pdf", 4, 20, "Wagner  arrived\nin 2021.", page=2, supported=False)
    a = answer("Who came, and when?", "Serval began [1]. Wagner came in 2021 [2].", citations=[cite(), pdf])
    md = msg.answer_markdown(a)
    assert md.split("\n\n") == [
        "**Who came, and when?**",
        "Serval began [1]. Wagner came in 2021 [2].",
        "References:",
        f"1. “Operation Serval began in 2013.” a.txt (docs/a.txt, characters {SERVAL[0]}–{SERVAL[1]})\n"
        "2. “Wagner arrived in 2021.” r.pdf, page 2 (docs/r.pdf, characters 4–20) "
        "(not confirmed by the citation check)",
    ]
    assert "<" not in md


def test_answer_markdown_of_a_declined_answer_gives_the_reason():
    md = msg.answer_markdown(declined("no relevant passage"))
    assert md.endswith("_Why: No passage in the documents is close enough to the question._")
    assert "References" not in md


def test_every_answer_carries_its_markdown_for_the_copy_button():
    a = answer(text="Serval began <then> [1].", citations=[cite()])
    out = msg.answer_html(a, turn=1)
    assert '<button type="button" class="copy-md"' in out
    hidden = out[out.index('<pre class="md-copy" hidden>') :]
    assert html.unescape(hidden[len('<pre class="md-copy" hidden>') : hidden.index("</pre>")]) == (
        msg.answer_markdown(a)
    )
    assert "copy-md" in msg.answer_html(declined(), turn=1)


def test_chat_messages_carry_line_breaks_as_references():
    a = answer(text="Line one.\n\nLine two [1].", citations=[cite()])
    (user, bot) = msg.chat_messages([Turn(1, "Two\n\nparagraphs?", a)])
    # a blank line would end the Chatbot's HTML block and show the rest as Markdown text
    assert "\n" not in user["content"] + bot["content"]
    assert "Two&#10;&#10;paragraphs?" in user["content"] and "Line one.&#10;&#10;Line two" in bot["content"]


# --- stop ------------------------------------------------------------------------------------------
def test_a_stopped_turn_shows_its_partial_text_and_is_not_history():
    s = Session().add(Turn(1, "Who leads the junta?", stopped=True, partial="Assimi <Goita>"))
    (_, bot) = msg.chat_messages(s.turns)
    assert 'class="answer stopped"' in bot["content"] and "Assimi &lt;Goita&gt;" in bot["content"]
    assert msg.STOPPED in bot["content"]
    assert s.history() == () and s.next_n == 2


def test_setting_stop_ends_the_stream_and_the_generation():
    stop, started, ended = threading.Event(), threading.Event(), []

    def ask(question, history, on_token):
        on_token("Serval ")
        started.set()
        try:
            for _ in range(200):  # a model writing slowly
                time.sleep(0.01)
                on_token("and ")
        except Stopped:
            ended.append("stopped")
            raise
        return answer()

    stream = stream_ask(ask, "q", stop=stop)
    assert next(stream) == "Serval "
    started.wait(2)
    stop.set()
    assert list(stream) == []  # no more text, no Answer
    deadline = time.monotonic() + 2
    while not ended and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ended == ["stopped"]  # the worker stopped writing at its next piece


def test_closing_the_stream_stops_the_worker_too():
    ended = []

    def ask(question, history, on_token):
        try:
            while True:
                on_token("x")
                time.sleep(0.01)
        except Stopped:
            ended.append(True)
            raise

    stream = stream_ask(ask, "q")
    next(stream)
    stream.close()  # what a consumer that goes away does
    deadline = time.monotonic() + 2
    while not ended and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ended == [True]


def test_upload_names_fit_the_file_system_in_bytes():
    name = uploads.safe_name("中" * 200 + ".txt")
    assert len(name.encode()) <= uploads.MAX_NAME_BYTES and name.endswith(".txt")


# --- honest streaming: what the checks changed, in one line (changes.py) -------------------------
def checked(draft, final, abstained=False, **checks):
    return dataclasses.replace(
        answer(text=final, abstained=abstained), raw_answer=draft, checks=Checks(evidence=3, **checks)
    )


@pytest.mark.parametrize(
    "draft, final, checks, note",
    [
        ("Serval began in 2013 [1].", "Serval began in 2013 [1].", {}, ""),  # nothing changed
        ("", "Serval began in 2013 [1].", {}, ""),  # no draft was written (no model)
        ("Serval  began in 2013 [1].", "Serval began in 2013 [1].", {}, ""),  # spacing only
        (
            "France withdrew its troops from Mali in February, 2013 [2].",
            "France withdrew its troops from Mali [2].",
            {"salvaged": 1},
            "Checked: removed 'in February, 2013': not in the sources.",
        ),
        (
            "Serval began in 2013 [1]. It had 99 tanks [2].",
            "Serval began in 2013 [1].",
            {"unsupported": 1},
            "Checked: removed 'It had 99 tanks': not in the sources.",
        ),
        (
            "Ann came [1]. Bo left [1]. Cy came [1]. Di left [1]. Ed came [1]. Flo left [1].",
            "Ann came [1]. Cy came [1]. Ed came [1].",
            {"unsupported": 3},
            "Checked: removed 'Bo left', 'Di left' and 1 more: not in the sources.",
        ),
        (
            "Serval began in 2013 [7].",
            "Serval began in 2013.",
            {"invalid": 1},
            "Checked: removed [7]: no passage has that number.",
        ),
        (
            "Serval began in 2013 [7][9].",
            "Serval began in 2013 [1].",
            {"invalid": 2, "added": 1},
            "Checked: removed [7], [9]: no passages have these numbers; 1 citation added where a "
            "sentence had none.",
        ),
        (
            "Serval began in 2013 [1][1].",
            "Serval began in 2013 [1].",
            {"repeated": 1},
            "Checked: 1 repeated citation removed.",
        ),
        (
            "Serval began in 2013 [2].",
            "Serval began in 2013 [1].",
            {"replaced": 1},
            "Checked: 1 citation moved to the passage that supports its sentence.",
        ),
        (
            "Serval began in 2013.",
            "Serval began in 2013 [1].",
            {"added": 1},
            "Checked: 1 citation added where a sentence had none.",
        ),
        (
            "Serval began in 2013 [2]. It ended in 2014 [1].",
            "Serval began in 2013 [1]. It ended in 2014 [2].",
            {},
            "",  # renumbered only: no note (it changes no word the reader relies on)
        ),
        (
            "I think it is about tanks.",
            "Operation Serval began in 2013 [1].",
            {"extracted": True},
            "Checked: the model gave no usable answer, so this quotes the passage that answers best.",
        ),
        (
            "Serval began in 1999 [1].",
            "The documents do not answer this question.",
            {"abstained": True, "reason": Reason.NO_SUPPORTED_CITATION},
            "Checked: the draft was withdrawn.",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and len(v) < 20 else None,
)
def test_change_note_says_what_the_checks_changed(draft, final, checks, note):
    from assistant.changes import change_note

    abstained = checks.pop("abstained", False)
    assert change_note(checked(draft, final, abstained, **checks)) == note


def test_the_draft_is_marked_and_the_checked_answer_carries_the_note():
    assert msg.DRAFT in msg.streaming_html("Serval began [7]")
    shown = msg.answer_html(checked("Serval began in 2013 [7].", "Serval began in 2013.", invalid=1), 1)
    assert '<div class="checked-note">Checked: removed [7]: no passage has that number.</div>' in shown
    assert "checked-note" not in msg.answer_html(checked("Same [1].", "Same [1]."), 1)


# --- titles and the whole-document view ------------------------------------------------------------
def test_a_card_shows_the_title_with_the_file_in_its_path_and_opens_the_document(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text(TEXT, encoding="utf-8")
    c = cite(source="docs/a.txt")
    card = hl.source_card(c, TEXT, 1, title="Operations in Mali")
    assert '<span class="src-title" title="docs/a.txt">Operations in Mali</span>' in card
    assert '<div class="src-path">docs/a.txt · characters' in card
    assert f'data-source="docs/a.txt" data-page="" data-start="{c.start}" data-end="{c.end}"' in card
    assert '<span class="src-title" title="docs/a.txt">a.txt</span>' in hl.source_card(c, TEXT, 1)


def test_titles_fall_back_to_the_file_name():
    titles = hl.titles_of(
        {"docs/a.txt": {"title": "Alpha"}, "uploads/x/b.md": {"passages": 2}, "c.pdf": {"title": ""}}
    )
    assert titles == {"docs/a.txt": "Alpha", "uploads/x/b.md": "b.md", "c.pdf": "c.pdf"}


def test_document_html_marks_the_exact_span_and_escapes():
    from assistant.web.docview import document_html

    text = "<b>Intro</b>\n" + TEXT
    start = text.index("Operation Serval")
    end = text.index(" It became")
    shown = document_html(text, start, end, "Mali & France", "docs/a.txt")
    assert f'<mark id="doc-mark">{text[start:end]}</mark>' in shown
    assert "&lt;b&gt;Intro&lt;/b&gt;" in shown and "Mali &amp; France" in shown
    pdf = document_html("Page two text.", 0, 4, "Report", "uploads/r.pdf", page=2, pdf=True)
    assert 'href="cited/file?source=uploads/r.pdf#page=2"' in pdf and "Open the PDF at page 2" in pdf


@pytest.mark.parametrize("start, end", [(-5, 3), (3, 999), (9, 2), (999, 1000)])
def test_document_html_clamps_offsets_from_a_url(start, end):
    from assistant.web.docview import clamp_span

    s, e = clamp_span("0123456789", start, end)
    assert 0 <= s <= e <= 10


def test_document_html_of_a_long_document_shows_the_part_around_the_span():
    from assistant.web.docview import MAX_VIEW_CHARS, document_html

    text = "x " * MAX_VIEW_CHARS + "THE SPAN" + " y" * MAX_VIEW_CHARS
    start = text.index("THE SPAN")
    shown = document_html(text, start, start + 8, "Long", "docs/long.txt")
    assert '<mark id="doc-mark">THE SPAN</mark>' in shown and "A long document" in shown
    assert len(shown) < 2 * MAX_VIEW_CHARS


# --- uploads: per-browser folders, interrupted uploads, Gradio's copies ------------------------
OWNER_A, OWNER_B = uploads.owner_folder("a" * 32), uploads.owner_folder("b" * 32)


def test_the_same_name_from_two_browsers_keeps_both(tmp_path):
    root = tmp_path / "project"
    a = _sent(tmp_path, "report.txt", b"Report of browser A.")
    dest_a, _ = uploads.store(a, "report.txt", root, owner=OWNER_A)
    b = _sent(tmp_path, "report.txt", b"Report of browser B.")
    dest_b, replaced = uploads.store(b, "report.txt", root, owner=OWNER_B)
    assert dest_a != dest_b and not replaced
    assert dest_a.read_text() == "Report of browser A." and dest_b.read_text() == "Report of browser B."
    assert dest_b == (root / "uploads" / OWNER_B / "report.txt").resolve()
    again, replaced = uploads.store(b, "report.txt", root, owner=OWNER_B)  # the same browser again
    assert again == dest_b and replaced


def test_an_owner_folder_is_a_hash_not_the_browser_id():
    assert OWNER_A != OWNER_B and len(OWNER_A) == 12 and "a" * 12 != OWNER_A
    with pytest.raises(ValueError):
        uploads.upload_path("/tmp", "a.txt", owner="../x")


@pytest.mark.parametrize(
    "source, deleted",
    [
        (f"uploads/{OWNER_A}/a.txt", True),
        ("uploads/not-an-owner/a.txt", False),
        (f"uploads/{OWNER_A}/../../docs/a.txt", False),
    ],
)
def test_delete_removes_uploads_in_owner_folders_only(tmp_path, source, deleted):
    for folder in (f"uploads/{OWNER_A}", "uploads/not-an-owner", "docs"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        (tmp_path / folder / "a.txt").write_text("x")
    assert uploads.delete(tmp_path, source) is deleted
    assert (tmp_path / "docs" / "a.txt").exists() and (tmp_path / "uploads/not-an-owner/a.txt").exists()
    assert (tmp_path / f"uploads/{OWNER_A}").exists() is not deleted  # an emptied folder goes too


def _dead_pid() -> int:
    """The id of a process that has ended."""
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_clean_deletes_only_what_an_interrupted_upload_left(tmp_path):
    import socket

    up, dead = tmp_path / "uploads", f"{_dead_pid()}@{socket.gethostname()}"
    for rel in (f"{OWNER_A}/kept.txt", f"{OWNER_A}/half.txt", "old.txt", f"{OWNER_B}/lost.md", "docs.txt"):
        (up / rel).parent.mkdir(parents=True, exist_ok=True)
        (up / rel).write_text("x")
    (up / OWNER_B / "other-index.txt").write_text("indexed by another web chat's index")
    (up / OWNER_B / "being-indexed.txt").write_text("another server is indexing it now")
    for rel, writer in [
        (f"{OWNER_A}/half.txt", dead),  # stored, then the server was killed while indexing it
        (f"{OWNER_B}/lost.md", dead),
        (f"{OWNER_A}/kept.txt", dead),  # killed after indexing, before settling: indexed, kept
        (f"{OWNER_B}/being-indexed.txt", f"{os.getpid()}@{socket.gethostname()}"),  # alive
    ]:
        mark = up / rel.rpartition("/")[0] / uploads.PENDING / rel.rpartition("/")[2]
        mark.parent.mkdir(exist_ok=True)
        mark.write_text(writer)
    (up / OWNER_A / ".staging" / "f00").mkdir(parents=True)  # from before marks: no process
    (up / OWNER_A / ".staging" / "f00" / "copying.txt").write_text("partial")
    (up / OWNER_B / ".staging" / f"{os.getpid()}-f01").mkdir(parents=True)  # being copied now
    (up / "not-an-owner").mkdir()
    (up / "not-an-owner" / "x.txt").write_text("not ours to judge")
    indexed = {f"uploads/{OWNER_A}/kept.txt", "uploads/old.txt", "uploads/docs.txt"}
    gone = uploads.clean(tmp_path, indexed)
    assert gone == [f"uploads/{OWNER_A}/half.txt", f"uploads/{OWNER_B}/lost.md"]
    left = sorted(p.relative_to(up).as_posix() for p in up.rglob("*") if p.is_file())
    assert left == sorted(
        [
            "docs.txt",
            f"{OWNER_A}/kept.txt",
            f"{OWNER_B}/other-index.txt",  # no mark: never touched, whatever index lists it
            f"{OWNER_B}/being-indexed.txt",
            f"{OWNER_B}/{uploads.PENDING}/being-indexed.txt",
            "not-an-owner/x.txt",
            "old.txt",
        ]
    )
    assert not (up / OWNER_A / ".staging").exists() and (up / OWNER_B / ".staging").exists()
    assert uploads.clean(tmp_path / "nothing-here", set()) == []


def test_discard_temp_deletes_gradios_copy_only(tmp_path):
    gradio = tmp_path / "gradio"
    copy = gradio / "3f2a9c" / "report.txt"
    copy.parent.mkdir(parents=True)
    copy.write_text("x")
    elsewhere = tmp_path / "docs" / "report.txt"
    elsewhere.parent.mkdir()
    elsewhere.write_text("the user's own file")
    assert uploads.discard_temp(copy, gradio) and not copy.parent.exists() and gradio.exists()
    assert not uploads.discard_temp(elsewhere, gradio) and elsewhere.exists()
    assert not uploads.discard_temp(gradio / ".." / "docs" / "report.txt", gradio) and elsewhere.exists()


def test_gradio_folder_follows_gradio_temp_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("GRADIO_TEMP_DIR", str(tmp_path))
    assert uploads.gradio_folder() == tmp_path.resolve()
