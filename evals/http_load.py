"""Load over HTTP: N concurrent clients streaming `POST /v1/ask` from a running `assistant serve`,
with the in-process model, and with `assistant serve-model --parallel P` behind it.

Each client asks its own seed question (`"stream": true`) and records, from the moment every
client has asked: the first draft event (first token), the final answer, and any 429. Answers
per minute count the answers finished over the round's wall time. No client may receive another
client's answer: each answer must be to its own question, its evidence must lie inside the
passages `GET /v1/search` finds for that question alone, and its citations inside its evidence.

The servers listen on 127.0.0.1 only and are stopped at the end; or pass --url to load a server
you started yourself (then only that one is measured).

    .venv/bin/python evals/http_load.py --model smollm2 --users 4 --rounds 1
    .venv/bin/python evals/http_load.py --model qwen --users 8 --parallel 4
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "evals"))

from load_test import _pct, free_port, questions, start_server, stop  # noqa: E402


def start_service(model: str, llm_url: str | None = None, parallel: int = 1, timeout: float = 600):
    """`assistant serve` on a free loopback port, warm; (process, base URL)."""
    port = free_port()
    env = {**os.environ, "ASSISTANT_MODEL": model, "ASSISTANT_LLM_URL": llm_url or ""}
    env["ASSISTANT_LLM_PARALLEL"] = str(parallel)
    cmd = [sys.executable, "-m", "assistant", "serve", "--port", str(port), "--queue", "64"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, start_new_session=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    for line in proc.stdout:
        if re.search(rf"http://127\.0\.0\.1:{port}/v1", line):
            return proc, f"http://127.0.0.1:{port}"
        if time.monotonic() > deadline:
            break
    stop(proc)
    raise SystemExit(f"assistant serve gave no URL (exit {proc.poll()})")


def client(url: str, question: str, t0: float, out: list) -> None:
    """One client: stream the answer to `question`; what it saw and when."""
    first, answer, status = None, None, None
    with httpx.Client(timeout=900) as http:
        body = {"question": question, "stream": True, "evidence": True}
        with http.stream("POST", url + "/v1/ask", json=body) as r:
            status = r.status_code
            event = ""
            for line in r.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    if event == "draft" and first is None:
                        first = time.perf_counter() - t0
                    elif event in ("answer", "error"):
                        answer = json.loads(line[5:])
    done = time.perf_counter() - t0
    out.append({"question": question, "status": status, "first_s": first, "done_s": done, "answer": answer})


def mixed(url: str, result: dict, top_k: int = 4) -> list[str]:
    """Why this client's answer is not its own ([] when it is)."""
    a, q = result["answer"], result["question"]
    if result["status"] != 200 or not a or "error" in a:
        return [f"no answer (HTTP {result['status']}: {a})"]
    problems = [] if a["question"] == q == a["search_query"] else [f"answers {a['question']!r}"]
    found = httpx.get(url + "/v1/search", params={"q": q, "k": 2 * top_k}, timeout=120).json()["passages"]
    spans = [(p["source"], p["page"], p["start"], p["end"]) for p in found]

    def inside(source, page, start, end, among) -> bool:
        return any(s == source and pg == page and st <= start and end <= en for s, pg, st, en in among)

    evidence = [(e["passage"]["source"], e["passage"]["page"], e["passage"]["start"], e["passage"]["end"])
                for e in a.get("evidence", [])]  # fmt: skip
    if not all(inside(*e, spans) for e in evidence):
        problems.append("evidence from another question's passages")
    for c in a["citations"]:
        if not inside(c["source"], c["page"], c["start"], c["end"], evidence):
            problems.append(f"citation [{c['n']}] outside its evidence")
    return problems


def run(url: str, label: str, qs: list[str], users: int, rounds: int) -> dict:
    """`rounds` rounds of `users` clients asking at once."""
    results: list[dict] = []
    t_all = time.perf_counter()
    for r in range(rounds):
        batch, out, t0 = qs[r * users : (r + 1) * users], [], time.perf_counter()
        threads = [threading.Thread(target=client, args=(url, q, t0, out)) for q in batch]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        results += out
    wall = time.perf_counter() - t_all
    answered = [r for r in results if r["status"] == 200 and r["answer"] and "error" not in r["answer"]]
    wrong = {r["question"]: p for r in results if (p := mixed(url, r))}
    firsts = [r["first_s"] for r in results if r["first_s"] is not None]
    summary = {
        "backend": label,
        "users": users,
        "asked": len(results),
        "answered": len(answered),
        "declined": sum(r["answer"]["abstained"] for r in answered),
        "refused_429": sum(r["status"] == 429 for r in results),
        "wall_s": round(wall, 1),
        "answers_per_minute": round(60 * len(answered) / wall, 2),
        "first_token_p50_s": _pct(firsts, 50),
        "first_token_p95_s": _pct(firsts, 95),
        "done_p50_s": _pct([r["done_s"] for r in results], 50),
        "done_p95_s": _pct([r["done_s"] for r in results], 95),
        "mixed_answers": len(wrong),
        "wrong": wrong,
    }
    print(json.dumps(summary), flush=True)
    summary["per_client"] = [{k: v for k, v in r.items() if k != "answer"} for r in results]
    return summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="qwen", help="qwen (default), smollm2 or a GGUF")
    ap.add_argument("--users", type=int, default=8, help="clients asking at once")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--parallel", type=int, default=4, help="the model server's slots")
    ap.add_argument("--url", help="load this running server only")
    ap.add_argument("--only", choices=["inprocess", "server"], help="measure one backend only")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    out = args.out or ROOT / "evals" / "results" / f"{stamp}-http-load-{Path(args.model).stem}"
    out.mkdir(parents=True, exist_ok=True)
    qs = questions(args.users * args.rounds)
    report: dict = {"started": stamp, "model": args.model, "questions": qs, "cpus": os.cpu_count()}
    report["command"] = " ".join(["python", *sys.argv])
    if args.url:
        report["given"] = run(args.url.rstrip("/"), "given", qs, args.users, args.rounds)
    for label in ("inprocess", "server"):
        if args.url or args.only not in (None, label):
            continue
        report[label] = backend(label, args, qs)
    (out / "http_load.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {out / 'http_load.json'}")


def backend(label: str, args, qs: list[str]) -> dict:
    """Start `assistant serve` (and for "server" a model server behind it), load it, stop."""
    model_server = None
    try:
        if label == "server":
            model_server, llm_url = start_server(args.model, args.parallel)
            proc, url = start_service(args.model, llm_url, args.parallel)
        else:
            proc, url = start_service(args.model)
        try:
            return run(url, label, qs, args.users, args.rounds)
        finally:
            stop(proc)
    finally:
        if model_server is not None:
            stop(model_server)


if __name__ == "__main__":
    main()
