"""The web chat's server-side rules, without a browser: whose documents a browser may see, cite,
open and remove; the login `assistant ui` needs beyond loopback; feedback in the history; and
the cited quote found on a drawn PDF page.

The index is built with the HashEmbedder and answers come from a scripted model (no model is
loaded): what is under test is which documents a request reaches, not the answers' quality.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from clitools import one_line_error, run
from conftest import pdf_bytes
from fakes import HashEmbedder, ScriptedLLM

from assistant import index
from assistant.answer import Assistant
from assistant.errors import AssistantError, BadQuestion
from assistant.web import history as hist
from assistant.web import owners, pdfpage, server, uploads

pytest.importorskip("gradio")

A, B = "a" * 32, "b" * 32  # two browsers' ids
SECRET = "The Quarry bell tower was repaired in 1911 by Oskar Lind."


@pytest.fixture
def app(settings):
    """The web app over the fixture documents plus one upload of browser A (a PDF)."""
    from assistant.web.app import WebApp

    folder = settings.root / "uploads" / uploads.owner_folder(A)
    folder.mkdir(parents=True)
    (folder / "bell.pdf").write_bytes(pdf_bytes(["Nothing here.", f"Town notes.\n{SECRET}"]))
    quiet = {"embedder": HashEmbedder(), "log": lambda m: None}
    index.update(settings, [settings.root / "docs", folder], **quiet)
    s = settings.with_(min_relevance=-1.0, max_risk=1.0)
    llm = ScriptedLLM("Oskar Lind repaired it [1].")
    return WebApp(Assistant(s, llm=llm, **quiet))


def secret_source(app) -> str:
    (source,) = [s for s in app.library.indexed() if s.endswith("/bell.pdf")]
    return source


@pytest.mark.parametrize(
    "source, owner",
    [
        (f"uploads/{uploads.owner_folder(A)}/x.txt", uploads.owner_folder(A)),
        ("uploads/x.txt", None),  # an upload from before owner folders: shared
        ("docs/serval.txt", None),
        (f"docs/uploads/{uploads.owner_folder(A)}/x.txt", None),
        (f"uploads/{uploads.owner_folder(A)}/sub/x.txt", None),
    ],
)
def test_the_source_name_says_whose_an_upload_is(source, owner):
    assert owners.owner_of(source) == owner
    assert owners.may_see(A, source) and owners.may_see(B, source) == (owner is None)
    assert owners.may_see("not-an-id", source) == (owner is None)


def test_each_browser_lists_the_shared_documents_and_only_its_own_uploads(app):
    secret = secret_source(app)
    listed = {b: [src for _, src in app.documents.choices(b)] for b in (A, B)}
    assert secret in listed[A] and secret not in listed[B]
    assert set(listed[B]) == {"docs/serval.txt", "docs/junta.md", "docs/un.pdf"}
    assert "your upload" in dict((s, label) for label, s in app.documents.choices(A))[secret]


def test_a_question_searches_only_what_its_browser_may_see(app):
    secret = secret_source(app)
    assert app.library.scope(A, "") is None  # every document: no filter at all
    assert secret not in app.library.scope(B, "") and len(app.library.scope(B, "")) == 3
    mine = app.chat._ask("Who repaired the bell tower?", [], None, 4, browser=A)
    assert any(e.passage.source == secret for e in mine.evidence)
    theirs = app.chat._ask("Who repaired the bell tower?", [], None, 4, browser=B)
    assert all(e.passage.source != secret for e in theirs.evidence)
    assert all(c.source != secret for c in theirs.citations)
    with pytest.raises(BadQuestion, match="no longer indexed"):  # chosen by hand: still refused
        app.chat._ask("Who repaired the bell tower?", [], None, 4, only=[secret], browser=B)


def test_removal_takes_only_the_browsers_own_uploads(app):
    secret = secret_source(app)
    status, _ = app.documents.remove([secret], B)
    assert "not one of your uploads" in status and secret in app.library.indexed()
    status, _ = app.documents.remove(["docs/serval.txt"], A)
    assert "assistant docs remove docs/serval.txt" in status and "docs/serval.txt" in app.library.indexed()
    status, _ = app.documents.remove([secret], A)
    assert "Removed from the index: bell.pdf" in status and secret not in app.library.indexed()
    assert not (app.library.root / secret).exists()


def cookie(browser: str) -> dict:
    return {"Cookie": f"cited-browser={browser}"}


def _client(app, logins=None):
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    api = FastAPI()
    api.auth, api.cookie_id, api.tokens = (logins or None), "t", {"good": "ann"}
    server.mount(api, app)
    return TestClient(api)


def test_the_document_view_the_pdf_and_its_page_answer_only_the_owner(app):
    secret = secret_source(app)
    client = _client(app)
    text = app.library.read(secret, 2)
    start = text.index("Oskar")
    for path in (
        f"/cited/document?source={secret}&page=2&start={start}&end={start + 10}",
        f"/cited/file?source={secret}",
        f"/cited/page.png?source={secret}&page=2",
    ):
        assert client.get(path, headers=cookie(A)).status_code == 200, path
        for other in (B, "", "../" + A):
            response = client.get(path, headers=cookie(other))
            assert response.status_code == 404 and "Oskar" not in response.text, (path, other)
    view = client.get(
        f"/cited/document?source={secret}&page=2&start={start}&end={start + 10}", headers=cookie(A)
    ).text
    assert 'class="pdf-mark"' in view and "cited/page.png?source=" in view


def test_routes_need_the_login_when_the_app_has_one(app):
    client = _client(app, logins=[("ann", "pw")])
    assert client.get("/cited/document?source=docs/serval.txt").status_code == 401
    ok = client.get("/cited/document?source=docs/serval.txt", headers={"Cookie": "access-token-t=good"})
    assert ok.status_code == 200


@pytest.mark.parametrize(
    "host, logins, insecure, refused",
    [
        ("127.0.0.1", None, False, False),
        ("localhost", None, False, False),
        ("::1", None, False, False),
        ("0.0.0.0", None, False, True),
        ("192.168.1.5", None, False, True),
        ("myhost", None, False, True),
        ("0.0.0.0", [("ann", "pw")], False, False),
        ("0.0.0.0", None, True, False),
    ],
)
def test_beyond_loopback_the_web_chat_needs_a_login_or_insecure(host, logins, insecure, refused):
    if refused:
        with pytest.raises(AssistantError, match="pass --auth FILE"):
            server.check_exposure(host, logins, insecure)
    else:
        server.check_exposure(host, logins, insecure)


def test_logins_come_from_a_file_or_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(server.AUTH_VARIABLE, raising=False)
    assert server.credentials(None) is None
    logins = tmp_path / "logins.txt"
    logins.write_text("# the team\nann:s3cret:with colon\n\nbo:pw\n", encoding="utf-8")
    assert server.credentials(logins) == [("ann", "s3cret:with colon"), ("bo", "pw")]
    monkeypatch.setenv(server.AUTH_VARIABLE, "cy:pw2")
    assert server.credentials(None) == [("cy", "pw2")]
    logins.write_text("ann\n", encoding="utf-8")
    with pytest.raises(AssistantError, match="each line must be user:password"):
        server.credentials(logins)


def test_cli_ui_beyond_loopback_without_a_login_is_one_line(monkeypatch):
    monkeypatch.delenv(server.AUTH_VARIABLE, raising=False)
    one_line_error(run("ui", "--host", "0.0.0.0"), "refusing to listen on 0.0.0.0 without a login")


# --- feedback ---------------------------------------------------------------------------------
def test_feedback_is_kept_per_answer_and_exported(tmp_path):
    from test_history import full_answer

    from assistant.web.session import Session, Turn

    store = hist.History(tmp_path / "chats.sqlite3")
    session = Session().add(Turn(1, "Who built it?", full_answer()))
    session = session.add(Turn(2, "And?", error="No answer came back"))
    c = store.save(A, "", session.records())
    assert store.set_feedback(A, c, 1, "wrong", "  The year is\n1888, not 1887. ")
    assert not store.set_feedback(B, c, 1, "helpful")  # not B's conversation
    assert not store.set_feedback(A, c, 2, "helpful")  # no answer to judge
    assert not store.set_feedback(A, c, 1, "great")  # not a verdict
    assert store.feedback(A, c) == {1: hist.Feedback("wrong", "The year is 1888, not 1887.")}
    store.save(A, c, session.records())  # saved again, unchanged: the feedback stays
    assert store.feedback(A, c)[1].verdict == "wrong"
    found = store.conversation(A, c)
    data = json.loads(hist.export_json(found, store.turns(A, c), store.feedback(A, c)))
    assert data["turns"][0]["feedback"] == {"verdict": "wrong", "note": "The year is 1888, not 1887."}
    md = hist.export_markdown(found, store.turns(A, c), store.feedback(A, c))
    assert "_Feedback: wrong: The year is 1888, not 1887._" in md
    redone = Session(session.turns[:1], c).without_last()
    other = dataclasses.replace(full_answer(), answer="The harbour master built it [1].")
    store.save(A, c, redone.add(Turn(1, "Who built it?", other)).records())
    assert store.feedback(A, c) == {}  # Regenerate wrote another answer: the feedback was on the old one


# --- the quote on the drawn page -------------------------------------------------------------
def test_the_quote_is_boxed_where_its_words_are_drawn(tmp_path):
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    lines = ["The town council met on Monday.", "The bridge was opened in 1934 by", "the mayor, Ida Brenne."]
    for i, line in enumerate(lines):
        pdf.text(20, 100 + 10 * i, line)  # mm from the top left: baselines at 100, 110, 120
    path = tmp_path / "bridge.pdf"
    pdf.output(str(path))
    layout = pdfpage.layout(path, 1, "opened in 1934 by\nthe mayor, Ida Brenne.")
    assert len(layout.marks) == 2  # one box a line
    height = 297  # mm: an A4 page
    first, second = layout.marks
    assert first.y * height < 110 < (first.y + first.h) * height  # around the second baseline
    assert second.y * height < 120 < (second.y + second.h) * height
    assert abs(second.x * 210 - 20) < 1  # the third line starts at the margin
    opened = next(box for word, box in layout.words if word == "opened")
    assert abs(first.x - opened.x) < 0.002  # the box starts at the first word of the quote
    assert pdfpage.layout(path, 1, "words that are not on the page").marks == ()


@pytest.mark.parametrize(
    "page, quote, near, expected",
    [
        ("a cat and a cat", "cat", 0.1, (2, 5)),
        ("a cat and a cat", "cat", 0.9, (12, 15)),  # the nearer of two
        ("ﬁnal text", "final", 0.5, (0, 4)),  # a ligature on the page
        ("con-\nfirmed it", "confirmed", 0.5, (0, 11)),
        ("nothing", "absent", 0.5, None),
        ("anything", "  ", 0.5, None),
    ],
)
def test_find_quote_matches_letters_and_digits(page, quote, near, expected):
    assert pdfpage.find_quote(list(page), quote, near) == expected


def test_a_second_web_chat_on_another_index_keeps_the_first_ones_uploads(settings):
    """Two web chats in one project, each on its own index: starting the second deletes none
    of the first one's uploads (they are in no index the second knows), only a left-over mark
    of a stopped process."""
    from assistant.web.app import WebApp

    quiet = {"embedder": HashEmbedder(), "log": lambda m: None}
    index.update(settings, [settings.root / "docs"], **quiet)
    sent = settings.root / "sent.txt"
    sent.write_text(SECRET, encoding="utf-8")
    stored, _ = uploads.store(sent, "bell.txt", settings.root, owner=uploads.owner_folder(A))
    index.update(settings, [stored], **quiet)  # the first chat indexed it...
    uploads.settle(stored)  # ...and settled it
    pending, _ = uploads.store(sent, "being-indexed.txt", settings.root, owner=uploads.owner_folder(A))
    second = settings.with_(index_dir=settings.root / "index-b")
    index.update(second, [settings.root / "docs"], **quiet)
    WebApp(Assistant(second, llm=ScriptedLLM("x"), **quiet))  # starts, and cleans up
    assert stored.exists() and pending.exists()  # indexed elsewhere; being indexed by a live process
