"""The README's screenshots of summaries and suggested questions, from a real run: `assistant ui`
over the seeds.

    .venv/bin/python evals/summary_screenshots.py [--model qwen] [--port 7872] [--out docs]

Starts `assistant ui` (the default model unless --model), opens it in headless Chromium and
takes: the first screen once its suggested questions are ready (made in the background at the
first page load: each asked and answered before it is shown), and the summary of seed 001 (ticked
in the document list, "Summarise selected"), its marker [2] selected. The conversation stays in
history/ (git-ignored); the suggestions stay cached in the index folder.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from ui_screenshots import loaded, wait_up

ROOT = Path(__file__).resolve().parent.parent
SEED = "Conflict Alerts # 508"  # seed 001's title, as the document list shows it


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--port", type=int, default=7872)
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    command = [sys.executable, "-m", "assistant", "ui", "--port", str(args.port)]
    command += ["--model", args.model] if args.model else []
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    url = f"http://127.0.0.1:{args.port}"
    try:
        wait_up(url, server)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            loaded(page, url)
            page.wait_for_selector("#suggestions button.suggestion", timeout=1_800_000)
            page.screenshot(path=str(args.out / "suggested-questions.png"))
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            loaded(page, url)
            page.locator("#documents label", has_text=SEED).click()
            page.click("#summarise-selected")
            final = page.locator("#chat .answer:not(.streaming), #chat .abstain").first
            final.wait_for(timeout=1_800_000)
            cites = page.locator("#chat a.cite")
            if cites.count() > 1:
                cites.nth(1).click()
            page.wait_for_timeout(800)
            page.screenshot(path=str(args.out / "summary.png"))
            browser.close()
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
