"""The README's screenshots of the web chat, from a real run: `assistant ui` over the seeds.

    .venv/bin/python evals/ui_screenshots.py [--model qwen] [--port 7871] [--out docs]

Starts `assistant ui` (the default model unless --model), opens it in headless Chromium
(/usr/bin/chromium, driven by Playwright) and takes: the first screen on a laptop and a phone;
a cited answer (marker [1] selected, marked Helpful) above a question shown the closest passages
and a declined question; a second
conversation in the history list; a source opened in its document; a PDF source (seed 001
typeset as a PDF and uploaded, then chosen under "Only these documents") with the quote
highlighted on its drawn page; and the dark theme with the shortcuts sheet. The upload is
removed again at the end; the conversations stay in history/ (git-ignored).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FINAL = "#chat .answer:not(.streaming), #chat .abstain, #chat .error"
FONT = Path("/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf")
QUESTIONS = {
    "cited": "When did the UN complete the withdrawal of its peacekeepers from Mali?",
    "closest": "When did Operation Serval become Operation Barkhane?",
    "declined": "Who won the 2022 football World Cup?",
    "second": "Which French defence minister said France 'cannot stay in Mali at any price'?",
    "pdf": "Who was the Malian military spokesperson who announced the end of defence ties with France?",
}


def seed_pdf(folder: Path) -> Path:
    """Seed 001 typeset as a two-column-free report PDF, as an analyst might receive it."""
    from fpdf import FPDF

    text = (ROOT / "seeds" / "001_0c2ad8eadeb24f7d.txt").read_text(encoding="utf-8")
    pdf = FPDF(format="A4")
    pdf.add_font("Serif", fname=str(FONT))
    pdf.set_font("Serif", size=11)
    pdf.set_margins(25, 25, 25)
    pdf.add_page()
    for paragraph in text.splitlines():
        if paragraph.strip():
            pdf.multi_cell(0, 6, paragraph.strip(), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    path = folder / "conflict-alerts-508.pdf"
    pdf.output(str(path))
    return path


def wait_up(url: str, server: subprocess.Popen, seconds: float = 900) -> None:
    end = time.time() + seconds
    while time.time() < end:
        if server.poll() is not None:
            sys.exit("assistant ui stopped before it served")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(2)
    sys.exit(f"the UI did not come up at {url}")


def ask(page, question: str, nth: int) -> None:
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length >= n", arg=[FINAL, nth], timeout=900_000
    )


def loaded(page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("#question textarea")
    page.wait_for_selector("#documents label")


def first_screens(browser, url: str, out: Path) -> None:
    for name, viewport, mobile in (
        ("first-load.png", {"width": 1280, "height": 800}, False),
        ("first-load-phone.png", {"width": 390, "height": 844}, True),
    ):
        context = browser.new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile)
        page = context.new_page()
        loaded(page, url)
        if mobile:
            page.wait_for_function("() => !document.querySelector('.sidebar.open')")
        page.wait_for_timeout(500)
        page.screenshot(path=str(out / name))
        context.close()


def conversations(page, out: Path) -> None:
    ask(page, QUESTIONS["cited"], 1)
    if page.locator("#chat a.cite").count():  # a small model may decline: then nothing to select
        page.locator("#chat a.cite").first.click()
    page.locator("#chat button.fb-helpful").first.click()
    page.wait_for_selector("#chat .fb-status")
    page.locator("body").click(position={"x": 5, "y": 5})
    ask(page, QUESTIONS["closest"], 2)
    ask(page, QUESTIONS["declined"], 3)
    summary = page.locator("#chat details.evidence summary")
    if summary.count():
        summary.first.click()
    page.wait_for_timeout(500)
    page.screenshot(path=str(out / "screenshot.png"))
    page.click("#new-chat")
    page.wait_for_selector("#sources .src-empty")
    ask(page, QUESTIONS["second"], 1)
    page.wait_for_function("() => document.querySelectorAll('#history label').length >= 2")
    page.screenshot(path=str(out / "chat-history.png"))
    card = page.locator("#sources .src-card").first
    if card.count():
        card.locator("button.open-doc").click()
        page.locator("#doc-view mark#doc-mark").wait_for()
        page.wait_for_timeout(500)
        page.screenshot(path=str(out / "document-view.png"))
        page.keyboard.press("Escape")


def pdf_page(page, pdf: Path, out: Path) -> None:
    page.click("#new-chat")
    page.set_input_files("#upload input[type=file]", str(pdf))
    page.wait_for_selector("#upload-status .ok", timeout=600_000)
    page.locator("#scope").get_by_text("Searching:").click()
    page.click("#only-documents input")
    page.locator("[role=listbox] [role=option]", has_text=pdf.name).first.click()
    page.locator("#scope").get_by_text("Searching:").click()
    ask(page, QUESTIONS["pdf"], 1)
    page.locator("#sources .src-card").first.locator("button.open-doc").click()
    page.locator("#doc-view .pdf-mark").first.wait_for()
    page.wait_for_function("() => document.querySelector('#doc-view .pdf-img').naturalWidth > 0")
    page.wait_for_timeout(500)
    page.screenshot(path=str(out / "pdf-highlight.png"))
    page.keyboard.press("Escape")


def remove_upload(page, name: str) -> None:
    page.locator("#documents label", has_text=name).click()
    page.click("#remove")
    page.wait_for_selector("#upload-status:has-text('Removed from the index')")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--port", type=int, default=7871)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    command = [sys.executable, "-m", "assistant", "ui", "--port", str(args.port)]
    command += ["--model", args.model] if args.model else []
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    url = f"http://127.0.0.1:{args.port}"
    try:
        wait_up(url, server)
        with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            first_screens(browser, url, args.out)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            loaded(page, url)
            conversations(page, args.out)
            pdf = seed_pdf(Path(tmp))
            try:
                pdf_page(page, pdf, args.out)
            finally:
                remove_upload(page, pdf.name)
            page.locator("body").click(position={"x": 5, "y": 5})
            page.click("#theme-toggle")
            page.keyboard.press("?")
            page.wait_for_selector("#shortcuts")
            page.screenshot(path=str(args.out / "dark-shortcuts.png"))
            page.keyboard.press("Escape")
            page.click("#theme-toggle")
            browser.close()
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
