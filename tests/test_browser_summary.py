"""Summaries and suggested questions in the web chat, in headless Chromium: the first screen
offers questions the documents answer (a click asks one), and "Summarise" writes cited key
points point by point, with source cards like an answer's. KeyPointLLM (fakes.py) writes each
point from its source and each suggested question from its sentence; the real embedder ranks.

Each test saves a screenshot under $SCREENSHOT_DIR (default: a temporary folder).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browsertools import FINAL, chromium, open_page, start
from fakes import KeyPointLLM

pytestmark = pytest.mark.slow
browser = pytest.fixture(scope="module")(chromium)
LAPTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def points_app(tmp_path_factory, embedder):
    demo, url, assistant = start(tmp_path_factory, embedder, "summary", llm=KeyPointLLM(delay=0.4))
    yield url, assistant
    demo.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_the_first_screen_suggests_questions_the_documents_answer(browser, points_app, shots):
    url, assistant = points_app
    context = browser.new_context(viewport=LAPTOP)
    page = open_page(browser, url, context)
    page.wait_for_selector("#suggestions button.suggestion", timeout=60_000)  # made in the background
    questions = page.locator("#suggestions button.suggestion").all_inner_texts()
    assert 1 <= len(questions) <= 5 and all(q.endswith("?") for q in questions)
    box = page.locator("#question textarea").bounding_box()
    assert box["y"] + box["height"] <= LAPTOP["height"]  # still in view on first load
    page.screenshot(path=str(shots / "suggested-questions.png"))
    page.locator("#suggestions button.suggestion").first.click()
    answer = page.locator(FINAL).first
    answer.wait_for(timeout=60_000)
    assert page.inner_text("#chat .question") == questions[0]
    assert answer.locator("a.cite").count() >= 1  # verified before it was offered: it is answered
    page.wait_for_selector("#suggestions", state="hidden")  # gone once a question is asked
    context.close()


def test_summarise_writes_cited_points_one_by_one_with_source_cards(browser, points_app, shots):
    url, _ = points_app
    context = browser.new_context(viewport=LAPTOP)
    page = open_page(browser, url, context)
    page.locator("#documents label", has_text="lighthouse").click()
    page.click("#summarise-selected")
    page.wait_for_selector("#chat .summary.streaming ul.points li:not(.pending-point)", timeout=60_000)
    final = page.locator("#chat .answer:not(.streaming)").first
    final.wait_for(timeout=60_000)
    assert page.inner_text("#chat .question").startswith("Summarise “")
    lines = [line for line in final.locator("p").inner_text().splitlines() if line.strip()]
    assert 3 <= len(lines) <= 7 and all(line.startswith("• ") for line in lines)
    cites = final.locator("a.cite")
    assert cites.count() == len(lines)
    cards = page.locator("#sources .src-card")
    assert cards.count() == len(lines)
    assert all("lighthouse.txt" in t for t in cards.locator(".src-path").all_inner_texts())
    cites.nth(1).click()
    page.wait_for_selector("#sources #src-1-2.selected")
    assert page.locator("#sources #src-1-2 mark").inner_text().strip()
    page.screenshot(path=str(shots / "summary.png"))
    page.click("#regenerate")  # a summary is not a question to ask again
    page.wait_for_selector("#notice .notice")
    assert "press Summarise" in page.inner_text("#notice")
    context.close()


def test_summarise_the_documents_chosen_or_say_what_to_choose(browser, points_app):
    url, _ = points_app
    page = open_page(browser, url)
    page.click("#summarise")  # nothing chosen
    page.wait_for_selector("#notice .notice")
    assert "Choose what to summarise" in page.inner_text("#notice")
    page.locator("#scope").get_by_text("Searching:").click()
    page.click("#only-documents input")
    page.get_by_role("option", name="The Velden orchard").click()
    page.locator("body").click(position={"x": 5, "y": 5})
    page.click("#summarise")
    final = page.locator("#chat .answer:not(.streaming), #chat .abstain").first
    final.wait_for(timeout=60_000)
    assert "The Velden orchard" in page.inner_text("#chat .question")
    assert all("orchard.md" in t for t in page.locator("#sources .src-path").all_inner_texts())
    page.close()
