"""Where a one-off `assistant ask` spends its time, on this machine.

    .venv/bin/python evals/cold_start.py [--runs 3] [--question "..."] [--model qwen]

1. Wall time of `assistant ask --json QUESTION` in fresh processes (what a user waits), their
   median and the peak RSS of the largest.
2. The same work, stage by stage, one stage after another in a fresh process (in a real
   `ask` the model loads in a background thread while the embedder is imported), with that
   process's peak RSS and whether torch, transformers or sentence-transformers were imported
   (none should be: questions are embedded with ONNX Runtime).

Results are printed and saved to evals/results/<UTC time>-cold-start/results.json.

Run it with nothing else using the CPU. The saved prompt state (models/prompt-cache) is used
when present; `--fresh-prefix` deletes it first, to time a first run.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "When did Operation Serval become Operation Barkhane?"


def wall_times(question: str, model: str, runs: int) -> tuple[list[float], float]:
    """(wall seconds per fresh process, peak RSS in MB of the largest of them)."""
    exe = Path(sys.executable).with_name("assistant")
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        done = subprocess.run(
            [str(exe), "ask", "--json", "--model", model, question], cwd=ROOT, capture_output=True, text=True
        )
        out.append(time.perf_counter() - t)
        if done.returncode:
            sys.exit(f"assistant ask failed: {done.stderr.strip()[-300:]}")
        json.loads(done.stdout)  # the contract holds
    return out, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


STAGES = r"""
import json, resource, sys, time
t = time.perf_counter()
stages = {}
def mark(name):
    global t
    now = time.perf_counter(); stages[name] = round(now - t, 3); t = now
from assistant.answer import Assistant
from assistant import prompts
mark("imports (assistant: numpy, faiss, bm25s, llama_cpp)")
a = Assistant(model=sys.argv[1], log=lambda m: None)
r = a.resources
r.embedder.embed_query("warm"); mark("embedder load (" + r.embedder.backend + ")")
r.retriever.bm25(); mark("index + BM25 load")
r.model_path(); mark("model check (stamp)")
r.llm; mark("LLM load")
r.warm_up(); mark("fixed prompt prefix (saved state or computed)")
q = sys.argv[2]
hits, qvec = a.retrieve(q); ev = r.retriever.evidence(q, hits, qvec); mark("retrieval + evidence")
first = []
for piece in r.llm.stream(prompts.answer_messages(q, ev), max_tokens=a.settings.max_tokens):
    if not first:
        first.append(1); mark("question prompt (to first token)")
mark("generation")
heavy = sorted(m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"stages": stages, "staged_peak_rss_mb": round(rss), "heavy_imports": heavy}))
"""


def stage_times(question: str, model: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", STAGES, model, question], cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"stage timing failed: {done.stderr.strip()[-300:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--question", default=QUESTION)
    ap.add_argument("--model", default="qwen")
    ap.add_argument(
        "--fresh-prefix", action="store_true", help="delete the saved prompt state first (time a first run)"
    )
    args = ap.parse_args()
    if args.fresh_prefix:
        shutil.rmtree(ROOT / "models" / "prompt-cache", ignore_errors=True)
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    walls, rss = wall_times(args.question, args.model, args.runs)
    median = statistics.median(walls)
    print(
        f"cold `assistant ask --json`, {args.runs} runs: "
        + ", ".join(f"{w:.2f} s" for w in walls)
        + f"; median {median:.2f} s; peak RSS {rss:.0f} MB (load average {load})"
    )
    staged = stage_times(args.question, args.model)
    stages = staged["stages"]
    print("\n| stage | seconds |\n|---|---|")
    for name, secs in stages.items():
        print(f"| {name} | {secs:.2f} |")
    print(f"| total | {sum(stages.values()):.2f} |")
    print(
        f"\nstaged process: peak RSS {staged['staged_peak_rss_mb']} MB; "
        f"heavy imports: {', '.join(staged['heavy_imports']) or 'none'}"
    )
    save(
        {
            "question": args.question,
            "model": args.model,
            "load_average_at_start": load,
            "walls_s": [round(w, 2) for w in walls],
            "median_wall_s": round(median, 2),
            "peak_rss_mb": round(rss),
            **staged,
        }
    )


def save(result: dict) -> None:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    folder = ROOT / "evals" / "results" / f"{stamp}-cold-start"
    folder.mkdir(parents=True)
    (folder / "results.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"Saved: {folder.relative_to(ROOT)}/results.json")


if __name__ == "__main__":
    main()
