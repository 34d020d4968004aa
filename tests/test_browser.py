"""The web UI in a real browser: Debian's headless Chromium, driven by Playwright.

Each app runs in this process on a free port, over a temporary project of two small documents
(never the project's own index/). One app uses the real small model (SmolLM2) to show that
text streams in; the others use EchoLLM, a scripted model that quotes its first source, so the
assertions about citations and highlights do not depend on a small model's luck.

Skipped when /usr/bin/chromium is missing, unless REQUIRE_BROWSER=1 (CI), which fails instead.
Set-up: apt-get install -y chromium && pip install playwright (never `playwright install`).
"""

from __future__ import annotations

import contextlib
import re
import socket
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from browsertools import (
    DOCS,
    FINAL,
    NOTES,
    PDF_PAGES,
    VIEWPORT,
    chromium,
)
from browsertools import ask as _ask
from browsertools import get as _get
from browsertools import open_page as _open
from browsertools import start as _start
from conftest import pdf_bytes
from fakes import EchoLLM, ScriptedLLM

from assistant import index, prompts
from assistant.answer import Assistant
from assistant.config import Settings
from assistant.web import uploads
from assistant.web.messages import DRAFT as hl_draft

pytestmark = pytest.mark.slow
browser = pytest.fixture(scope="module")(chromium)


@pytest.fixture(scope="module")
def echo_app(tmp_path_factory, embedder):
    llm = EchoLLM()
    demo, url, assistant = _start(tmp_path_factory, embedder, "echo", llm=llm)
    yield url, assistant, llm
    demo.close()


@pytest.fixture(scope="module")
def refusing_app(tmp_path_factory, embedder):
    """A model that always declines, sure the passages hold no answer: the quote of its source
    that replaces the refusal scores low, nothing is close enough to show, the answer is declined
    after evidence is read."""
    llm = ScriptedLLM(prompts.REFUSAL)
    llm.refusal_probability, llm.choice = 1.0, {prompts.NONE: 0.95, "1": 0.05}
    nothing_close = {"min_close": 0.99}
    demo, url, _ = _start(tmp_path_factory, embedder, "refusing", tuning=nothing_close, llm=llm)
    yield url
    demo.close()


@pytest.fixture(scope="module")
def smol_app(tmp_path_factory, embedder):
    demo, url, assistant = _start(tmp_path_factory, embedder, "smol", model="smollm2")
    yield url
    demo.close()


def _watch_streaming(page):
    """Record every text the streaming answer shows, as the browser renders it."""
    page.evaluate("""() => {
      window.__seen = [];
      new MutationObserver(() => {
        const s = document.querySelector('#chat .streaming');
        if (s && s.innerText.trim()) window.__seen.push(s.innerText.trim());
      }).observe(document.querySelector('#chat'),
                 {subtree: true, childList: true, characterData: true});
    }""")


def test_real_model_streams_its_answer(browser, smol_app):
    page = _open(browser, smol_app)
    _watch_streaming(page)
    final = _ask(page, "When was the Harwick lighthouse built, and by whom?")
    seen = page.evaluate("window.__seen")
    assert len(set(seen)) >= 2, f"expected text to grow in the browser, saw {seen}"
    assert "Searched for:" not in final.inner_text()  # asked as is: nothing was rewritten
    if final.get_attribute("class") == "answer":  # an answer shown says how sure it is...
        assert "Confidence that this answer is right" in final.inner_text()
    else:  # ...a question declined or shown the closest passages says why instead
        assert "Why: " in final.inner_text()
    if page.locator("#chat .answer:not(.streaming)").count():  # the model cited: check it
        assert page.locator("#sources .src-card mark").count() >= 1
    page.close()


def _title(assistant, source):
    """What a source card shows as its title: the document's title, else its file name."""
    return assistant.documents()[source].get("title") or source.rsplit("/", 1)[-1]


def test_cited_passage_is_highlighted_in_its_source(browser, echo_app):
    url, assistant, _ = echo_app
    page = _open(browser, url)
    _watch_streaming(page)
    final = _ask(page, "Who built the Harwick lighthouse?")
    assert len(set(page.evaluate("window.__seen"))) >= 3  # streamed word by word
    marker = final.locator("a.cite").first
    assert marker.inner_text() == "[1]" and marker.get_attribute("href") == "#src-1-1"
    card = page.locator("#sources #src-1-1")
    assert card.locator(".src-title").inner_text() == _title(assistant, "docs/lighthouse.txt")
    assert card.locator(".src-path").inner_text().startswith("docs/lighthouse.txt · characters")
    quote = card.locator("mark").inner_text()
    context = card.locator(".src-context").inner_text()
    assert quote in DOCS["lighthouse.txt"] and len(context) > len(quote)
    assert "Mara Quill" in quote or "Mara Quill" in context
    marker.click()
    page.wait_for_selector("#sources #src-1-1.selected")
    assert "selected" in (marker.get_attribute("class") or "")
    page.close()


def test_follow_up_is_searched_as_a_standalone_question(browser, echo_app):
    url, _, _ = echo_app
    page = _open(browser, url)
    _ask(page, "Who built the Harwick lighthouse?")
    final = _ask(page, "Who designed it?", nth=2)
    searched = final.locator(".searched").inner_text()
    assert searched == ("Searched for: Who designed it? (about: Who built the Harwick lighthouse?)")
    assert page.locator("#sources #src-2-1 mark").count() == 1
    assert page.locator("#sources .src-turn").first.get_attribute("id") == "turn-2"
    page.close()


def test_new_conversation_starts_afresh(browser, echo_app):
    url, _, llm = echo_app
    page = _open(browser, url)
    _ask(page, "Who built the Harwick lighthouse?")
    page.click("#new-chat")
    page.wait_for_selector("#sources .src-empty")
    assert page.locator("#chat .question").count() == 0
    llm.rewrites.clear()
    final = _ask(page, "How tall is the Harwick lighthouse?")
    assert llm.rewrites == []  # no history: nothing to rewrite
    assert final.locator("a.cite").first.get_attribute("href") == "#src-1-1"
    page.close()


def test_unanswerable_question_is_a_plain_notice_without_sources(browser, echo_app):
    url, _, _ = echo_app
    page = _open(browser, url)
    final = _ask(page, "What is the population of Lima in Peru?")
    assert final.get_attribute("class") == "abstain"
    assert "do not answer" in final.inner_text()
    assert page.locator("#sources .src-card").count() == 0
    page.close()


def test_upload_documents_then_ask_about_them(browser, echo_app, tmp_path):
    url, assistant, _ = echo_app
    uploaded = Path(assistant.settings.root) / "uploads"
    page = _open(browser, url)
    notes, pdf = tmp_path / "Ferry notes.md", tmp_path / "kestrel.pdf"
    notes.write_text(NOTES, encoding="utf-8")
    pdf.write_bytes(pdf_bytes(PDF_PAGES))
    page.set_input_files("#upload input[type=file]", [str(notes), str(pdf)])
    page.wait_for_selector("#upload-status .ok >> nth=1", timeout=60_000)
    status = page.inner_text("#upload-status")
    assert "Ferry_notes.md added" in status and "kestrel.pdf added" in status
    (stored,) = uploaded.glob("*/Ferry_notes.md")  # in this browser's own folder (uploads.py)
    assert stored.read_text(encoding="utf-8") == NOTES
    page.wait_for_selector("#documents label:has-text('kestrel.pdf')")

    final = _ask(page, "Who opened the Kestrel footbridge?")
    assert final.locator("a.cite").count() >= 1
    card = page.locator("#sources .src-card").first
    pdf_source = next(s for s in assistant.documents() if s.endswith("/kestrel.pdf"))
    assert card.locator(".src-title").inner_text() == _title(assistant, pdf_source)
    assert "kestrel.pdf" in card.locator(".src-path").inner_text()
    assert card.locator(".src-page").inner_text() == "page 2"
    assert "Ida Brenne" in card.locator("mark").inner_text()

    for name in ("kestrel.pdf", "Ferry_notes.md"):
        page.locator(f"#documents label:has-text('{name}')").click()
    page.click("#remove")
    page.wait_for_selector("#upload-status:has-text('Removed from the index')")
    assert not list(uploaded.glob("**/kestrel.pdf")) and not list(uploaded.glob("**/Ferry_notes.md"))
    assert page.locator("#documents label:has-text('kestrel.pdf')").count() == 0
    page.close()


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("empty.txt", b"", "empty.txt: the file is empty"),
        ("scan.pdf", pdf_bytes([""]), "scan.pdf: the PDF has no text layer"),
        ("bad.txt", b"\x00\x01binary", "bad.txt: looks binary"),
        ("tool.exe", b"MZ-not-a-document", "Invalid file type: tool.exe"),  # Gradio's own checks
        ("huge.txt", b"a" * (2**20 + 1), "exceed the maximum allowed size of 1.0 Mb"),
    ],
)
def test_bad_upload_gets_a_clear_message_and_changes_nothing(
    browser, echo_app, tmp_path, name, data, message
):
    url, assistant, _ = echo_app
    before = index.read_manifest(assistant.settings)["files"]
    page = _open(browser, url)
    bad = tmp_path / name
    bad.write_bytes(data)
    page.set_input_files("#upload input[type=file]", str(bad))
    page.get_by_text(message).first.wait_for(timeout=30_000)
    assert index.read_manifest(assistant.settings)["files"] == before
    assert not list((Path(assistant.settings.root) / "uploads").glob(f"**/{name}"))
    page.close()


def test_two_sessions_keep_separate_conversations(browser, echo_app):
    url, _, llm = echo_app
    ctx_a, ctx_b = browser.new_context(viewport=VIEWPORT), browser.new_context(viewport=VIEWPORT)
    a, b = _open(browser, url, ctx_a), _open(browser, url, ctx_b)
    qa, qb = "Who built the Harwick lighthouse?", "When is the Velden harvest festival?"
    for page, q in ((a, qa), (b, qb)):  # both submitted before either is answered
        page.fill("#question textarea", q)
        page.press("#question textarea", "Enter")
    for page in (a, b):
        page.wait_for_selector(FINAL, timeout=60_000)
    assert qa in a.inner_text("#chat") and qb not in a.inner_text("#chat")
    assert qb in b.inner_text("#chat") and qa not in b.inner_text("#chat")
    assert "orchard.md" in b.inner_text("#sources") and "orchard.md" not in a.inner_text("#sources")

    llm.rewrites.clear()
    _ask(b, "Who plants the trees?", nth=2)  # a follow-up sees only its own session's history
    assert qb in llm.rewrites[-1] and qa not in llm.rewrites[-1]
    assert b.locator("#chat .question").count() == 2 and a.locator("#chat .question").count() == 1
    ctx_a.close()
    ctx_b.close()


# --- issue 9: show the work, errors as messages, stop, regenerate, copy, phones ---------------------
# Gradio's status badge when an event fails: a bare "Error" with no message
ERROR_BADGE = (
    "() => [...document.querySelectorAll('*')]"
    ".some(e => !e.children.length && e.textContent.trim() === 'Error')"
)


@contextlib.contextmanager
def _slow(llm, delay=0.25):
    """The echo model writing a word every `delay` seconds: time to press Stop."""
    before, llm.delay = llm.delay, delay
    try:
        yield
    finally:
        llm.delay = before


def test_a_declined_answer_shows_why_and_the_passages_searched(browser, refusing_app):
    page = _open(browser, refusing_app)
    final = _ask(page, "Who built the Harwick lighthouse?")
    assert final.get_attribute("class") == "abstain"
    why = final.locator(".abstain-why").inner_text()
    assert why == "Why: The confidence that an answer would be right is 0.05, below the 0.50 an answer needs."
    assert final.locator(".confidence").count() == 0  # the reason gives the number
    summary = final.locator("details.evidence summary")
    assert summary.inner_text().endswith("searched")
    assert not final.locator(".ev-item").first.is_visible()  # collapsed until asked for
    summary.click()
    items = final.locator(".ev-item")
    assert items.count() >= 1
    for i in range(items.count()):
        source = items.nth(i).locator(".src-title").get_attribute("title")
        text = items.nth(i).locator(".ev-text").inner_text()
        name = source.rsplit("/", 1)[-1]
        assert name in DOCS and text.strip() in DOCS[name]  # the very text that was read
        title = items.nth(i).locator(".src-title").inner_text()
        assert title != name and title in DOCS[name]  # named by title, as the cards name it
    assert "Harwick" in final.locator(".ev-item").first.inner_text()
    assert page.locator("#sources .src-card").count() == 0
    page.close()


@pytest.mark.parametrize(
    "question, message",
    [
        ("   ", "Type a question first, then press Enter or Ask."),
        ("x" * 2001, "The question is 2,001 characters; the limit is 2,000: ask a shorter question"),
    ],
    ids=["empty", "too-long"],
)
def test_a_bad_question_is_a_message_not_an_error(browser, echo_app, capfd, question, message):
    url, _, _ = echo_app
    page = _open(browser, url)
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    notice = page.locator("#notice .notice")
    notice.wait_for(timeout=10_000)
    assert notice.inner_text() == message
    assert "assistant ask" not in notice.inner_text()  # no terminal command for a web user
    assert page.locator("#chat .question").count() == 0
    assert not page.evaluate(ERROR_BADGE)
    _ask(page, "Who built the Harwick lighthouse?")  # the next question works, the note goes
    assert page.locator("#notice .notice").count() == 0
    assert "Traceback" not in capfd.readouterr().err
    page.close()


def test_stop_ends_the_stream_and_the_next_question_works(browser, echo_app, capfd):
    url, _, llm = echo_app
    page = _open(browser, url)
    unfinished = llm.unfinished
    with _slow(llm):
        page.fill("#question textarea", "Who built the Harwick lighthouse?")
        page.press("#question textarea", "Enter")
        page.wait_for_selector("#chat .streaming", timeout=30_000)
        assert page.is_visible("#stop") and not page.is_visible("#ask")
        page.fill("#question textarea", "How tall is it?")  # asking while it streams
        page.press("#question textarea", "Enter")
        page.wait_for_selector("#notice .notice:has-text('still being written')")
        page.wait_for_selector("#chat .streaming:has-text('Harwick')")  # a few words in, even when slow
        page.keyboard.press("Escape")
        stopped = page.locator("#chat .stopped")
        stopped.wait_for(timeout=5_000)
        shown = stopped.inner_text()
        assert "Stopped. Ask again, or press Regenerate." in shown and "Harwick" in shown
        page.wait_for_timeout(1_500)  # long enough for the rest of the reply to have come
        assert stopped.inner_text() == shown and page.locator("#chat .streaming").count() == 0
        assert llm.unfinished == unfinished + 1  # the model itself stopped writing
        assert not page.is_visible("#stop") and page.is_visible("#ask")
    final = _ask(page, "How tall is the Harwick lighthouse?", nth=2)  # the stopped turn is 1
    assert final.locator("a.cite").count() >= 1 and "stopped" not in final.get_attribute("class")
    assert not page.evaluate(ERROR_BADGE)
    assert "Traceback" not in capfd.readouterr().err
    page.close()


def test_regenerate_asks_the_last_question_again(browser, echo_app):
    url, _, llm = echo_app
    page = _open(browser, url)
    _ask(page, "Who built the Harwick lighthouse?")
    with _slow(llm, 0.1):
        page.click("#regenerate")
        page.wait_for_selector("#chat .streaming", timeout=30_000)
    page.wait_for_function("() => !document.querySelector('#chat .streaming, #chat .pending')")
    assert page.locator("#chat .question").count() == 1  # in place of the answer, not a new turn
    assert page.locator("#chat .answer a.cite").count() >= 1
    assert page.locator("#sources .src-turn").count() == 1
    page.close()


def test_new_conversation_mid_stream_clears_for_good(browser, echo_app):
    url, _, llm = echo_app
    page = _open(browser, url)
    with _slow(llm):
        page.fill("#question textarea", "Who built the Harwick lighthouse?")
        page.press("#question textarea", "Enter")
        page.wait_for_selector("#chat .streaming", timeout=30_000)
        page.click("#new-chat")
        page.wait_for_timeout(1_500)  # the old answer would have gone on writing meanwhile
        assert page.locator("#chat .question").count() == 0
        assert page.locator("#sources .src-empty").count() == 1
    llm.rewrites.clear()
    final = _ask(page, "How tall is the Harwick lighthouse?")
    assert llm.rewrites == []  # no history: nothing to rewrite
    assert page.locator("#chat .question").count() == 1 and final.locator("a.cite").count() >= 1
    page.close()


def test_copy_gives_markdown_with_numbered_references(browser, echo_app):
    url, assistant, _ = echo_app
    context = browser.new_context(viewport=VIEWPORT, permissions=["clipboard-read", "clipboard-write"])
    page = _open(browser, url, context)
    final = _ask(page, "Who built the Harwick lighthouse?")
    final.locator("button.copy-md").click()
    page.wait_for_selector("#chat button.copy-md.copied")
    markdown = page.evaluate("navigator.clipboard.readText()")
    question, text, heading, refs = markdown.split("\n\n")
    assert question == "**Who built the Harwick lighthouse?**"
    assert text.endswith("[1].") and "<" not in markdown
    assert heading == "References:"
    m = re.fullmatch(r"1\. “(.+)” (.+) \(docs/lighthouse\.txt, characters (\d+)–(\d+)\)", refs)
    assert m, refs
    assert DOCS["lighthouse.txt"][int(m[3]) : int(m[4])] == m[1]  # the exact span
    assert m[2] == _title(assistant, "docs/lighthouse.txt")  # named as its card names it
    context.close()


def test_a_phone_shows_the_chat_first_and_sources_by_tap(browser, echo_app):
    url, _, _ = echo_app
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = _open(browser, url, context)
    page.wait_for_function("() => !document.querySelector('.sidebar.open')", timeout=10_000)
    page.wait_for_function("() => document.querySelector('.sidebar').getBoundingClientRect().right <= 0")
    chat = page.locator("#chat").bounding_box()
    assert chat["x"] >= 0 and chat["x"] + chat["width"] <= 390 and chat["y"] < 844 / 2
    center = page.evaluate(
        "([x, y]) => !!document.elementFromPoint(x, y).closest('#chat')",
        [chat["x"] + chat["width"] / 2, chat["y"] + 40],
    )
    assert center  # nothing covers the chat
    final = _ask(page, "Who built the Harwick lighthouse?")
    final.locator("a.cite").first.tap()
    page.wait_for_selector("#sources #src-1-1.selected")
    page.wait_for_function(
        "() => { const r = document.querySelector('#src-1-1').getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight; }"
    )
    context.close()


def test_a_too_long_upload_name_gets_a_readable_status(browser, echo_app):
    url, assistant, _ = echo_app
    page = _open(browser, url)
    name = "Quarterly report on the harbour " * 10 + ".txt"  # 321 characters
    page.set_input_files(
        "#upload input[type=file]",
        files=[{"name": name, "mimeType": "text/plain", "buffer": b"The harbour wall is 300 m long."}],
    )
    status = page.locator("#upload-status .ok, #upload-status .bad").first
    status.wait_for(timeout=60_000)
    assert re.fullmatch(
        r"✓ Quarterly_report_on_the_harbour\S*\.txt added: 1 passage; ask about it now", status.inner_text()
    ), status.inner_text()
    assert not page.evaluate(ERROR_BADGE)
    stored = status.inner_text().split()[1]
    assert len(stored) <= uploads.MAX_NAME
    (source,) = [s for s in assistant.documents() if s.endswith(f"/{stored}")]
    assistant.remove_documents([source])
    uploads.delete(assistant.settings.root, source)
    page.close()


# --- issues 9, 11, 12: history, an honest draft, the whole document, uploads per browser ----------
class SlowScriptedLLM(ScriptedLLM):
    """A scripted reply written a piece at a time, slowly enough to watch the draft."""

    refusal_probability = 0.0

    def stream(self, messages, max_tokens=200, temperature=0.0, avoid=None):
        for piece in super().stream(messages, max_tokens, temperature, avoid):
            time.sleep(0.05)
            yield piece


@pytest.fixture(scope="module")
def checked_app(tmp_path_factory, embedder):
    """A model whose draft cites a passage that does not exist: the checks change it."""
    llm = SlowScriptedLLM("The Harwick lighthouse was built in 1887 by the engineer Mara Quill [9].")
    demo, url, _ = _start(tmp_path_factory, embedder, "checked", llm=llm)
    yield url
    demo.close()


def _reload(page):
    page.reload()
    page.wait_for_selector("#question textarea")
    page.wait_for_selector("#documents label")


def _conversations(page) -> list[str]:
    return page.locator("#history label").all_inner_texts()


def test_history_survives_a_reload_and_each_browser_sees_only_its_own(browser, echo_app):
    url, _, _ = echo_app
    ctx_a, ctx_b = browser.new_context(viewport=VIEWPORT), browser.new_context(viewport=VIEWPORT)
    a = _open(browser, url, ctx_a)
    q1, q2 = "Who built the Harwick lighthouse?", "When is the Velden harvest festival?"
    _ask(a, q1)
    a.wait_for_selector(f"#history label:has-text('{q1}')")
    _reload(a)  # the conversation comes back, cards and all
    a.wait_for_selector("#chat .answer a.cite")
    assert a.locator("#chat .question").all_inner_texts() == [q1]
    assert a.locator("#sources #src-1-1 mark").count() == 1
    assert a.locator("#history input:checked").count() == 1
    _ask(a, "Who designed it?", nth=2)  # a follow-up after the reload continues it
    a.wait_for_function("() => document.querySelectorAll('#chat .question').length == 2")
    assert len(_conversations(a)) == 1

    b = _open(browser, url, ctx_b)  # another browser: its own empty history
    b.wait_for_timeout(1_000)
    assert _conversations(b) == [] and b.locator("#chat .question").count() == 0
    _ask(b, q2)
    b.wait_for_selector(f"#history label:has-text('{q2}')")
    assert len(_conversations(b)) == 1 and q1 not in " ".join(_conversations(b))

    a.click("#new-chat")
    a.wait_for_selector("#sources .src-empty")
    _reload(a)  # after New conversation, a reload starts afresh; the list keeps the old one
    a.wait_for_selector(f"#history label:has-text('{q1}')")
    assert a.locator("#chat .question").count() == 0 and q2 not in " ".join(_conversations(a))

    a.locator("#history label", has_text=q1).click()  # reopen it from the list
    a.wait_for_function("() => document.querySelectorAll('#chat .question').length == 2")
    assert "Who designed it?" in a.inner_text("#chat")
    with a.expect_download() as download:
        a.click("#history-export a:has-text('Markdown')")
    markdown = Path(download.value.path()).read_text(encoding="utf-8")
    assert f"**{q1}**" in markdown and "**Who designed it?**" in markdown and "References:" in markdown
    href = a.get_attribute("#history-export a:has-text('JSON')", "href")
    data = _get(a, href).json()
    assert [t["question"] for t in data["turns"]] == [q1, "Who designed it?"]
    assert data["turns"][0]["answer"]["citations"][0]["source"] == "docs/lighthouse.txt"
    b_id = b.evaluate("localStorage.getItem('cited-assistant-browser')")
    assert _get(b, re.sub(r"browser=\w+", f"browser={b_id}", href)).status == 404  # not b's

    a.click("#history-delete")
    a.wait_for_function("() => !document.querySelector('#history label')")
    assert a.locator("#chat .question").count() == 0
    _reload(a)
    a.wait_for_timeout(1_000)
    assert _conversations(a) == [] and a.locator("#chat .question").count() == 0
    assert len(_conversations(b)) == 1  # b's history is untouched
    ctx_a.close()
    ctx_b.close()


def test_the_draft_streams_marked_and_the_answer_says_what_the_checks_changed(browser, checked_app):
    page = _open(browser, checked_app)
    _watch_streaming(page)
    final = _ask(page, "Who built the Harwick lighthouse?")
    seen = page.evaluate("window.__seen")
    assert seen and all(hl_draft.lower() in s.lower() for s in seen)  # marked while it streams
    assert any("[9]" in s for s in seen)  # the unchecked words were shown as the model wrote them
    assert "[9]" not in final.locator("p").inner_text()
    assert final.locator(".checked-note").inner_text() == (
        "Checked: removed [9]: no passage has that number; 1 citation added where a sentence had none."
    )
    page.close()


def test_a_source_opens_its_whole_document_at_the_cited_span(browser, echo_app, tmp_path):
    url, assistant, _ = echo_app
    page = _open(browser, url)
    lines = [f"Entry {i}: the ledger records an ordinary day at the mill." for i in range(300)]
    target = "The Quarry bell tower was repaired in 1911 by Oskar Lind."
    long_doc = tmp_path / "chronicle.txt"
    text = "\n".join(lines[:250] + [target] + lines[250:]) + "\n"
    long_doc.write_text(text, encoding="utf-8")
    page.set_input_files("#upload input[type=file]", str(long_doc))
    page.wait_for_selector("#upload-status .ok", timeout=120_000)
    (source,) = [s for s in assistant.documents() if s.endswith("/chronicle.txt")]
    try:
        final = _ask(page, "Who repaired the Quarry bell tower?")
        assert final.locator("a.cite").count() >= 1
        card = page.locator("#sources #src-1-1")
        quote = card.locator("mark").inner_text()
        span = re.search(r"characters (\d+)–(\d+)", card.locator(".src-path").inner_text())
        start, end = int(span[1]), int(span[2])
        assert text[start:end] == quote and start > len(text) * 0.7  # far down the file
        card.locator("button.open-doc").click()
        view = page.locator("#doc-view")
        mark = view.locator("mark#doc-mark")
        mark.wait_for(timeout=10_000)
        assert mark.inner_text() == quote
        assert view.locator(".doc-text").inner_text().count("ordinary day at the mill") == 300
        assert "chronicle.txt" in view.locator(".doc-path").inner_text()
        in_view = """() => {
          const body = document.querySelector('#doc-view .doc-body').getBoundingClientRect();
          const m = document.querySelector('#doc-mark').getBoundingClientRect();
          return document.querySelector('#doc-view .doc-body').scrollTop > 0
            && m.top >= body.top && m.bottom <= body.bottom; }"""
        page.wait_for_function(in_view, timeout=5_000)  # scrolled to the span, far down the file
        page.keyboard.press("Escape")
        page.wait_for_selector("#doc-view", state="detached")
    finally:
        assistant.remove_documents([source])
        uploads.delete(assistant.settings.root, source)
    page.close()


def test_a_pdf_source_opens_its_page_and_the_pdf_and_nothing_else_is_served(browser, echo_app, tmp_path):
    url, assistant, _ = echo_app
    page = _open(browser, url)
    pdf = tmp_path / "kestrel-view.pdf"
    pdf.write_bytes(pdf_bytes(PDF_PAGES))
    page.set_input_files("#upload input[type=file]", str(pdf))
    page.wait_for_selector("#upload-status .ok", timeout=60_000)
    (source,) = [s for s in assistant.documents() if s.endswith("/kestrel-view.pdf")]
    try:
        _ask(page, "Who opened the Kestrel footbridge?")
        page.locator("#sources .src-card").first.locator("button.open-doc").click()
        page.locator("#doc-view .pdf-mark").first.wait_for(timeout=10_000)  # the page first
        page.click("#doc-view .doc-tab[data-show=text]")  # the text, at the exact offsets
        page.locator("#doc-view mark#doc-mark").wait_for(timeout=10_000)
        assert "Ida Brenne" in page.inner_text("#doc-view mark")
        assert page.inner_text("#doc-view .doc-text").strip() == PDF_PAGES[1]  # that page's text
        link = page.locator("#doc-view a.doc-pdf")
        assert link.inner_text() == "Open the PDF at page 2"
        response = _get(page, link.get_attribute("href"))
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        assert response.body() == pdf.read_bytes()
        for path in (
            "cited/file?source=../../../../etc/passwd",
            "cited/file?source=/etc/passwd",
            "cited/file?source=docs/lighthouse.txt",  # indexed, but only PDFs are served
            f"cited/file?source={quote(source.replace('uploads/', 'uploads/../uploads/'))}",
            "cited/document?source=/etc/passwd",
            "cited/document?source=docs/../docs/lighthouse.txt",
            "cited/document?source=index/manifest.json",
            "cited/page.png?source=docs/lighthouse.txt&page=1",
            "cited/page.png?source=/etc/passwd&page=1",
            "cited/export/abc.md?browser=../../etc",
        ):
            response = _get(page, path)
            assert response.status == 404 and "root:" not in response.text(), path
    finally:
        assistant.remove_documents([source])
        uploads.delete(assistant.settings.root, source)
    page.close()


def test_the_same_file_name_from_two_browsers_keeps_both_and_gradio_keeps_no_copy(
    browser, echo_app, tmp_path
):
    url, assistant, _ = echo_app
    name = f"report-{uuid.uuid4().hex[:8]}.txt"
    contexts = [browser.new_context(viewport=VIEWPORT) for _ in range(2)]
    texts = ["The Velden orchard report says 40 trees were planted.", "The ferry report says 12 crossings."]
    pages = [_open(browser, url, c) for c in contexts]
    for page, text in zip(pages, texts, strict=True):
        sent = tmp_path / page.evaluate("localStorage.getItem('cited-assistant-browser')") / name
        sent.parent.mkdir()
        sent.write_text(text, encoding="utf-8")
        page.set_input_files("#upload input[type=file]", str(sent))
        page.wait_for_selector("#upload-status .ok", timeout=60_000)
        assert f"{name} added" in page.inner_text("#upload-status")  # added, not replaced
    sources = sorted(s for s in assistant.documents() if s.endswith(f"/{name}"))
    try:
        assert len(sources) == 2
        root = Path(assistant.settings.root)
        assert sorted((root / s).read_text(encoding="utf-8") for s in sources) == sorted(texts)
        assert list(uploads.gradio_folder().rglob(name)) == []  # Gradio's copies are gone
    finally:
        assistant.remove_documents(sources)
        for s in sources:
            uploads.delete(assistant.settings.root, s)
        for c in contexts:
            c.close()


def test_a_refused_upload_leaves_no_gradio_copy(browser, echo_app, tmp_path):
    url, _, _ = echo_app
    page = _open(browser, url)
    name = f"blank-{uuid.uuid4().hex[:8]}.txt"
    (tmp_path / name).write_bytes(b"   \n")
    page.set_input_files("#upload input[type=file]", str(tmp_path / name))
    page.wait_for_selector("#upload-status .bad", timeout=30_000)
    assert list(uploads.gradio_folder().rglob(name)) == []
    page.close()


def test_an_upload_interrupted_by_a_stopped_server_is_cleaned_on_the_next_start(tmp_path, embedder):
    """A server killed while indexing leaves a stored file the index never took in: the next
    start deletes it (and any half-copied staging folder), keeping every indexed upload."""
    from assistant.web import app as ui

    root = tmp_path
    (root / "docs").mkdir()
    (root / "docs" / "a.txt").write_text(DOCS["lighthouse.txt"], encoding="utf-8")
    owner = uploads.owner_folder("c" * 32)
    kept = root / "uploads" / owner / "kept.txt"
    kept.parent.mkdir(parents=True)
    kept.write_text(DOCS["orchard.md"], encoding="utf-8")
    settings = Settings(root=root, index_dir=root / "index", seeds_dir=root / "docs", models_dir=root / "m")
    index.update(settings, [root / "docs", kept], embedder=embedder, log=lambda m: None)
    half = root / "uploads" / owner / "half.txt"  # stored, then the server was killed
    half.write_text("Never indexed.", encoding="utf-8")
    mark = root / "uploads" / owner / uploads.PENDING / "half.txt"
    mark.parent.mkdir()
    mark.write_text(f"{_dead_pid()}@{socket.gethostname()}", encoding="utf-8")  # its writer is gone
    other = root / "uploads" / owner / "other.txt"  # another web chat's upload, on another index
    other.write_text("Indexed elsewhere.", encoding="utf-8")
    staging = root / "uploads" / owner / ".staging" / f"{_dead_pid()}-0f" / "copying.txt"
    staging.parent.mkdir(parents=True)
    staging.write_text("Half a copy.", encoding="utf-8")
    logged = []
    ui.build(Assistant(settings, embedder=embedder, log=logged.append, llm=EchoLLM()))
    assert kept.exists() and other.exists() and not half.exists() and not mark.exists()
    assert not staging.parent.parent.exists()
    assert logged == [
        f"deleted uploads/{owner}/half.txt: the server stopped before it was indexed; upload it again"
    ]
    assert sorted(index.read_manifest(settings)["files"]) == ["docs/a.txt", f"uploads/{owner}/kept.txt"]


def _dead_pid() -> int:
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid
