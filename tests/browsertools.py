"""What the browser tests share: Debian's headless Chromium driven by Playwright, an app
served in this process over a temporary project, and the few steps every test takes.

Set-up: apt-get install -y chromium && pip install playwright (never `playwright install`).
Tests skip when /usr/bin/chromium is missing, unless REQUIRE_BROWSER=1 (CI), which fails.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urljoin

import pytest

from assistant import index
from assistant.answer import Assistant
from assistant.config import Settings
from assistant.gate import Fallback

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DOCS = {
    "lighthouse.txt": (
        "The Harwick lighthouse stands on the northern cape of Elsby island.\n"
        "It was built in 1887 by the engineer Mara Quill, who also designed the harbour wall.\n"
        "The tower is 41 metres tall and its lamp can be seen from 30 kilometres away.\n"
        "In 1962 the lamp was electrified, and the last keeper left in 1979.\n"
    ),
    "orchard.md": (
        "# The Velden orchard\n\nThe Velden orchard grows about 300 apple trees of twelve "
        "varieties. Its harvest festival is held every October, when visitors press cider.\n"
    ),
}
PDF_PAGES = [
    "The Kestrel footbridge crosses the river Aune at Tolmey.",
    "The Kestrel footbridge was opened in 1934 by the mayor, Ida Brenne.",
]
NOTES = "# Ferry\n\nThe Tolmey ferry runs every hour from April to October.\n"
VIEWPORT = {"width": 1400, "height": 900}
FINAL = "#chat .answer:not(.streaming), #chat .abstain, #chat .error"


def need(what: str):
    reason = f"{what}; install it: apt-get install -y chromium, pip install playwright"
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def chromium():
    """Headless Chromium for a test module: `browser = pytest.fixture(scope="module")(chromium)`."""
    if not CHROMIUM.exists():
        need(f"no browser at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need("the playwright package is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(tmp_path_factory, embedder, name, upload_limit=2**20, tuning=None, logins=None, **assistant_kwargs):
    from assistant.web import app as ui

    root = tmp_path_factory.mktemp(name)
    (root / "docs").mkdir()
    for file, text in DOCS.items():
        (root / "docs" / file).write_text(text, encoding="utf-8")
    settings = Settings(
        root=root, index_dir=root / "index", seeds_dir=root / "docs", models_dir=root / "models"
    ).with_(**(tuning or {}))
    index.update(settings, [root / "docs"], embedder=embedder, log=lambda m: None)
    if "llm" in assistant_kwargs:  # a scripted model has no real signals: the unfitted gate
        assistant_kwargs.setdefault("gate", Fallback())
    assistant = Assistant(settings, embedder=embedder, log=lambda m: None, **assistant_kwargs)
    port = free_port()
    demo = ui.launch(assistant, port=port, upload_limit=upload_limit, logins=logins)
    return demo, f"http://127.0.0.1:{port}", assistant


def open_page(browser, url, context=None):
    page = context.new_page() if context else browser.new_page(viewport=VIEWPORT)
    page.goto(url)
    page.wait_for_selector("#question textarea")
    page.wait_for_selector("#documents label")  # the page-load event has run
    return page


def ask(page, question, nth=1, timeout=120_000):
    page.fill("#question textarea", question)
    page.press("#question textarea", "Enter")
    page.wait_for_function(
        "([sel, n]) => document.querySelectorAll(sel).length >= n", arg=[FINAL, nth], timeout=timeout
    )
    return page.locator(FINAL).nth(nth - 1)


def get(page, path: str):
    """An HTTP GET from inside the page's browser context (same cookies, same origin)."""
    return page.request.get(urljoin(page.url, path))
