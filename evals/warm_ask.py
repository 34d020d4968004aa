"""A one-off `assistant ask` through a warm `assistant serve` (ASSISTANT_URL), against a cold one.

Each run is a new `assistant ask` process on a pseudo-terminal, as a user types it: the time to
its first word on screen (the draft's first piece) and to its exit, imports included. The warm
runs send the question to a server started once (and asked once to warm its caches); the cold
runs load the index, the embedder and the model themselves.

    .venv/bin/python evals/warm_ask.py --model smollm2 --runs 3
    .venv/bin/python evals/warm_ask.py --runs 5          # the default model
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import select
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "evals"))

from http_load import start_service  # noqa: E402
from load_test import stop  # noqa: E402

QUESTION = "When did Operation Serval become Operation Barkhane?"  # the README's


def timed(cmd: list[str], env: dict) -> dict:
    """Run `cmd` with its stdout on a pseudo-terminal; seconds to its first byte and to exit."""
    master, slave = pty.openpty()
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=slave, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
    )
    os.close(slave)
    first, out = None, b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.02)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        try:
            data = os.read(master, 65536)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        first = first if first is not None else time.perf_counter() - t0
        out += data
    proc.wait()
    total = time.perf_counter() - t0
    os.close(master)
    return {"first_s": round(first or total, 3), "total_s": round(total, 3), "exit": proc.returncode,
            "tail": out.decode(errors="replace")[-300:]}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="qwen")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--question", default=QUESTION)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    out = args.out or ROOT / "evals" / "results" / f"{stamp}-warm-ask-{Path(args.model).stem}"
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "ASSISTANT_MODEL": args.model, "ASSISTANT_LLM_URL": "", "COLUMNS": "100"}
    ask = [sys.executable, "-m", "assistant", "ask", args.question]
    proc, url = start_service(args.model)
    try:
        timed(ask, {**env, "ASSISTANT_URL": url})  # the server's first answer fills its caches
        warm = [timed(ask, {**env, "ASSISTANT_URL": url}) for _ in range(args.runs)]
    finally:
        stop(proc)
    cold = [timed(ask, env) for _ in range(args.runs)]
    report = {
        "started": stamp,
        "model": args.model,
        "question": args.question,
        "command": " ".join(["python", *sys.argv]),
        "load_average": os.getloadavg(),
        "warm": summary(warm),
        "cold": summary(cold),
        "runs": {"warm": warm, "cold": cold},
    }
    print(json.dumps({k: report[k] for k in ("model", "warm", "cold", "load_average")}), flush=True)
    (out / "warm_ask.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {out / 'warm_ask.json'}")


def summary(runs: list[dict]) -> dict:
    return {
        "first_token_median_s": round(statistics.median(r["first_s"] for r in runs), 3),
        "total_median_s": round(statistics.median(r["total_s"] for r in runs), 3),
        "failed": sum(r["exit"] != 0 for r in runs),
    }


if __name__ == "__main__":
    main()
