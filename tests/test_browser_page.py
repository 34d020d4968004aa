"""The page as an analyst first meets it, in headless Chromium: the question box in view on a
laptop and a phone, the dark theme, the shortcuts, feedback on answers, upload errors that
cannot be missed, a PDF citation highlighted on its drawn page, uploads that stay their
browser's own, and the login beyond loopback.

Each test saves a screenshot of what it checked under $SCREENSHOT_DIR (default: a temporary
folder), so a reviewer can look at the page the assertions describe.
"""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest
from browsertools import DOCS, VIEWPORT, chromium, get, open_page, start
from browsertools import ask as ask_in
from fakes import EchoLLM

pytestmark = pytest.mark.slow
browser = pytest.fixture(scope="module")(chromium)
LAPTOP, PHONE = {"width": 1280, "height": 800}, {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def echo_app(tmp_path_factory, embedder):
    demo, url, assistant = start(tmp_path_factory, embedder, "page", llm=EchoLLM())
    yield url, assistant
    demo.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _fits(page, selector: str) -> bool:
    """Whether the element is wholly inside the viewport, with nothing scrolled."""
    return page.evaluate(
        """(sel) => { const r = document.querySelector(sel).getBoundingClientRect();
          return window.scrollY === 0 && r.top >= 0 && r.bottom <= window.innerHeight
            && r.left >= 0 && r.right <= window.innerWidth; }""",
        selector,
    )


@pytest.mark.parametrize("name, viewport, mobile", [("laptop", LAPTOP, False), ("phone", PHONE, True)])
def test_the_question_box_is_in_view_on_first_load(browser, echo_app, shots, name, viewport, mobile):
    url, _ = echo_app
    context = browser.new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile)
    page = open_page(browser, url, context)
    if mobile:  # the sidebar starts closed on a phone
        page.wait_for_function("() => !document.querySelector('.sidebar.open')", timeout=10_000)
    assert _fits(page, "#question textarea") and _fits(page, "#ask")
    assert not page.is_visible("#collection") and not page.is_visible("#only-documents")  # folded
    scope = page.locator("#scope").bounding_box()
    assert scope["height"] < 60, scope  # one line
    assert "Searching: all documents" in page.inner_text("#scope")
    page.screenshot(path=str(shots / f"first-load-{name}.png"))
    page.locator("#scope").get_by_text("Searching:").click()  # opened, the filters show
    page.wait_for_selector("#collection", state="visible")
    assert page.is_visible("#only-documents")
    context.close()


def test_the_dark_theme_is_kept_for_the_browser(browser, echo_app, shots):
    url, _ = echo_app
    context = browser.new_context(viewport=LAPTOP)
    page = open_page(browser, url, context)
    assert not page.evaluate("document.body.classList.contains('dark')")
    page.click("#theme-toggle")
    assert page.evaluate("document.body.classList.contains('dark')")
    background = page.evaluate("getComputedStyle(document.querySelector('#chat')).backgroundColor")
    page.reload()
    page.wait_for_selector("#documents label")
    page.wait_for_function("() => document.body.classList.contains('dark')")  # remembered
    assert page.get_attribute("#theme-toggle", "aria-pressed") == "true"
    page.screenshot(path=str(shots / "dark-theme.png"))
    page.locator("body").click(position={"x": 5, "y": 5})  # out of the question box
    page.keyboard.press("d")  # the shortcut switches back
    assert not page.evaluate("document.body.classList.contains('dark')")
    light = page.evaluate("getComputedStyle(document.querySelector('#chat')).backgroundColor")
    assert light != background
    context.close()


def test_the_shortcuts_sheet_and_the_shortcuts(browser, echo_app, shots):
    url, _ = echo_app
    page = open_page(browser, url)
    page.locator("body").click(position={"x": 5, "y": 5})  # out of the question box
    page.keyboard.press("?")
    sheet = page.locator("#shortcuts")
    sheet.wait_for()
    keys = sheet.locator("kbd").all_inner_texts()
    assert {"/", "Esc", "o", "n", "d", "?"} <= set(keys)
    page.screenshot(path=str(shots / "shortcuts.png"))
    page.keyboard.press("Escape")
    sheet.wait_for(state="detached")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.closest('#question') !== null")
    ask_in(page, "Who built the Harwick lighthouse?")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("1")
    page.wait_for_selector("#sources #src-1-1.selected")
    page.keyboard.press("o")  # the selected source, in its document
    page.locator("#doc-view mark#doc-mark").wait_for()
    page.keyboard.press("Escape")
    page.wait_for_selector("#doc-view", state="detached")
    page.close()


def test_feedback_on_an_answer_is_kept_and_exported(browser, echo_app, shots):
    url, assistant = echo_app
    context = browser.new_context(viewport=LAPTOP)
    page = open_page(browser, url, context)
    final = ask_in(page, "How tall is the Harwick lighthouse?")
    page.wait_for_selector("#history-export a")  # saved: the answer can be judged
    final = page.locator("#chat .answer:not(.streaming)").first
    final.locator("button.fb-wrong").click()
    note = final.locator("input.fb-note")
    note.fill("It is 41 metres, but the question was about the harbour wall.")
    note.press("Enter")
    final.locator(".fb-status:has-text('Note kept.')").wait_for()
    page.screenshot(path=str(shots / "feedback.png"))
    page.reload()  # drawn again from the history, the verdict and the note with it
    page.wait_for_selector("#chat .feedback button.fb-wrong.pressed")
    assert "harbour wall" in page.inner_text("#chat .feedback")
    href = page.get_attribute("#history-export a:has-text('JSON')", "href")
    data = get(page, href).json()
    assert data["turns"][0]["feedback"] == {
        "verdict": "wrong",
        "note": "It is 41 metres, but the question was about the harbour wall.",
    }
    markdown = get(page, href.replace(".json", ".md")).text()
    assert "_Feedback: wrong: It is 41 metres" in markdown
    context.close()


def test_an_upload_error_is_a_message_that_cannot_be_missed(browser, echo_app, shots, tmp_path):
    url, _ = echo_app
    page = open_page(browser, url)
    empty = tmp_path / "minutes.txt"
    empty.write_bytes(b"")
    page.set_input_files("#upload input[type=file]", str(empty))
    alert = page.locator("#upload-status .alert-bad")
    alert.wait_for(timeout=30_000)
    assert alert.get_attribute("role") == "alert"
    assert "minutes.txt: the file is empty" in alert.inner_text()
    style = alert.evaluate(
        "(e) => { const s = getComputedStyle(e), b = getComputedStyle(e.querySelector('.bad'));"
        " return [parseFloat(b.fontSize), parseFloat(s.borderTopWidth), s.backgroundColor]; }"
    )
    assert style[0] >= 14 and style[1] >= 2 and style[2] != "rgba(0, 0, 0, 0)", style
    page.locator("#upload-status").screenshot(path=str(shots / "upload-error.png"))
    page.close()


def _bridge_pdf(path: Path) -> str:
    """A PDF whose page 2 holds a paragraph wrapped over several lines; returns its text."""
    from fpdf import FPDF

    paragraph = (
        "The Kestrel footbridge over the river Aune was opened in 1934 by the mayor of Tolmey, "
        "Ida Brenne, after two winters of work by the Aune ferrymen and the town's masons."
    )
    pdf = FPDF(format="A4")
    pdf.set_font("Helvetica", size=12)
    pdf.add_page()
    pdf.multi_cell(120, 7, "The Tolmey town records, volume two. Bridges, ferries and fords.")
    pdf.add_page()
    pdf.multi_cell(120, 7, paragraph)
    pdf.output(str(path))
    return paragraph


def test_a_pdf_citation_is_highlighted_on_its_drawn_page(browser, echo_app, shots, tmp_path):
    from PIL import Image

    url, assistant = echo_app
    page = open_page(browser, url)
    pdf = tmp_path / "tolmey-records.pdf"
    _bridge_pdf(pdf)
    page.set_input_files("#upload input[type=file]", str(pdf))
    page.wait_for_selector("#upload-status .ok", timeout=60_000)
    (source,) = [s for s in assistant.documents() if s.endswith("/tolmey-records.pdf")]
    try:
        ask_in(page, "Who opened the Kestrel footbridge over the Aune?")
        card = page.locator("#sources .src-card").first
        assert card.locator(".src-page").inner_text() == "page 2"
        quote = card.locator("mark").inner_text()
        assert "Ida Brenne" in quote and "\n" not in quote  # the page's line breaks joined
        card.locator("button.open-doc").click()
        marks = page.locator("#doc-view .pdf-mark")
        marks.first.wait_for(timeout=20_000)
        page.wait_for_function("() => document.querySelector('#doc-view .pdf-img').naturalWidth > 0")
        covered = page.evaluate(
            """() => {
              const marks = [...document.querySelectorAll('#doc-view .pdf-mark')]
                .map((m) => m.getBoundingClientRect());
              const inside = (r) => marks.some((m) => {
                const x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
                return x >= m.left && x <= m.right && y >= m.top && y <= m.bottom; });
              return [...document.querySelectorAll('#doc-view .pdf-text span')]
                .filter((s) => inside(s.getBoundingClientRect())).map((s) => s.textContent);
            }"""
        )
        assert " ".join(covered) == " ".join(quote.split())  # the quote's words, no others
        first = marks.first.bounding_box()
        ink = Image.open(io.BytesIO(page.screenshot(clip=first))).convert("L")
        assert min(ink.getdata()) < 100  # drawn text under the highlight, not blank page
        page.locator("#doc-view .doc-box").screenshot(path=str(shots / "pdf-highlight.png"))
        page.click("#doc-view .doc-tab[data-show=text]")  # the exact offsets, a tab away
        assert "Ida Brenne" in page.inner_text("#doc-view mark#doc-mark")
    finally:
        assistant.remove_documents([source])
    page.close()


def test_a_browsers_uploads_are_its_own(browser, echo_app, shots, tmp_path):
    url, assistant = echo_app
    ctx_a, ctx_b = browser.new_context(viewport=VIEWPORT), browser.new_context(viewport=VIEWPORT)
    a, b = open_page(browser, url, ctx_a), open_page(browser, url, ctx_b)
    secret = tmp_path / "quarry-notes.txt"
    secret.write_text("The Quarry bell tower was repaired in 1911 by Oskar Lind.\n", encoding="utf-8")
    a.set_input_files("#upload input[type=file]", str(secret))
    a.wait_for_selector("#upload-status .ok", timeout=60_000)
    (source,) = [s for s in assistant.documents() if s.endswith("/quarry-notes.txt")]
    try:
        a.wait_for_selector("#documents label:has-text('quarry-notes.txt')")
        b.reload()
        b.wait_for_selector("#documents label")
        assert "quarry-notes.txt" not in b.inner_text("#documents")  # not listed for B
        for name in DOCS:
            assert name in b.inner_text("#documents")  # the shared ones are
        ask_in(b, "Who repaired the Quarry bell tower?")
        assert "Oskar Lind" not in b.inner_text("#chat") and "quarry-notes" not in b.inner_text("#sources")
        ask_in(a, "Who repaired the Quarry bell tower?")
        assert "Oskar Lind" in a.inner_text("#sources")  # A's own upload answers A
        for path in (f"cited/document?source={source}", f"cited/file?source={source}"):
            assert get(b, path).status == 404
        assert get(a, f"cited/document?source={source}").status == 200
        b.screenshot(path=str(shots / "uploads-own-b.png"))
    finally:
        assistant.remove_documents([source])
        ctx_a.close()
        ctx_b.close()


def test_a_login_guards_the_page_and_its_routes(browser, tmp_path_factory, embedder, shots):
    demo, url, _ = start(tmp_path_factory, embedder, "login", llm=EchoLLM(), logins=[("ann", "harbour-1887")])
    try:
        context = browser.new_context(viewport=LAPTOP)
        page = context.new_page()
        page.goto(url)
        page.wait_for_selector("input[type=password]")
        assert page.locator("#question").count() == 0
        assert get(page, "cited/document?source=docs/lighthouse.txt").status == 401
        page.screenshot(path=str(shots / "login.png"))
        page.fill("input[type=text]", "ann")
        page.fill("input[type=password]", "harbour-1887")
        page.keyboard.press("Enter")
        page.wait_for_selector("#documents label", timeout=30_000)
        assert get(page, "cited/document?source=docs/lighthouse.txt").status == 200
        context.close()
    finally:
        demo.close()


def test_the_history_export_names_documents_by_title(browser, echo_app):
    url, assistant = echo_app
    page = open_page(browser, url)
    ask_in(page, "Who built the Harwick lighthouse?")
    page.wait_for_selector("#history-export a")
    markdown = get(page, page.get_attribute("#history-export a:has-text('Markdown')", "href")).text()
    title = assistant.documents()["docs/lighthouse.txt"]["title"]
    assert re.search(rf"” {re.escape(title)} \(docs/lighthouse\.txt, characters", markdown), markdown
    assert json.loads(get(page, page.get_attribute("#history-export a:has-text('JSON')", "href")).text())
    page.close()
