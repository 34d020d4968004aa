"""Time to first streamed text in the web chat, as a reader sees it in a real browser.

    .venv/bin/python evals/ui_latency.py [--port 7861] [--model qwen] [--first 6]

Starts `assistant ui`, opens it in headless Chromium (/usr/bin/chromium, driven by
Playwright), and for each of the first N seed questions, each in a new page (a new
conversation), measures Enter -> first answer text on screen and Enter -> finished answer.
One question is asked first and not counted, so the figures are for a warm server.
Run it with nothing else using the CPU.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FINAL = "#chat .answer:not(.streaming), #chat .abstain, #chat .error"
WATCH = """() => {
  window.__first = null;
  new MutationObserver(() => {
    const s = document.querySelector('#chat .streaming, #chat .answer, #chat .abstain');
    if (window.__first === null && s && s.innerText.trim()) window.__first = performance.now();
  }).observe(document.querySelector('#chat'), {subtree: true, childList: true,
                                                characterData: true});
}"""


def wait_up(url: str, seconds: float = 300) -> None:
    end = time.time() + seconds
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(1)
    sys.exit(f"the UI did not come up at {url}")


def ask(browser, url: str, question: str) -> tuple[float, float]:
    page = browser.new_page()
    page.goto(url)
    page.wait_for_selector("#question textarea")
    page.evaluate(WATCH)
    page.fill("#question textarea", question)
    start = page.evaluate("() => performance.now()")
    page.press("#question textarea", "Enter")
    page.wait_for_function("(sel) => document.querySelector(sel)", arg=FINAL, timeout=180_000)
    done = page.evaluate("() => performance.now()")
    first = page.evaluate("() => window.__first")
    page.close()
    return (first - start) / 1000, (done - start) / 1000


def main() -> None:
    from playwright.sync_api import sync_playwright

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=7861)
    ap.add_argument("--model", default="qwen")
    ap.add_argument("--first", type=int, default=6)
    args = ap.parse_args()
    questions = [
        json.loads(line)["question"]
        for line in (ROOT / "evals" / "seed_questions.jsonl").read_text().splitlines()
        if line.strip()
    ][: args.first + 1]
    url = f"http://127.0.0.1:{args.port}/"
    exe = Path(sys.executable).with_name("assistant")
    server = subprocess.Popen(
        [str(exe), "ui", "--port", str(args.port), "--model", args.model],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_up(url)
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            ask(browser, url, questions[0])  # warm-up, not counted
            rows = [ask(browser, url, q) for q in questions[1:]]
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    for q, (first, total) in zip(questions[1:], rows):
        print(f"{first:6.2f} s first text, {total:6.2f} s done  {q[:70]}")
    firsts = [r[0] for r in rows]
    print(
        f"median first text {statistics.median(firsts):.2f} s "
        f"(min {min(firsts):.2f}, max {max(firsts):.2f}) over {len(rows)} questions"
    )


if __name__ == "__main__":
    main()
