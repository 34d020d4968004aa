"""Load: simulated users asking at once through the web chat's answer handler, with a model
server (`assistant serve-model --parallel N`) and with the in-process model.

Each user is a browser tab: it calls `WebApp.chat.answer`, the generator the Gradio event runs, with
its own Session and tab id, and the tabs are admitted as Gradio's queue admits them (at most
`answer_slots(assistant)` answer events at once: 1 in-process, the server's slots with one).
Measured from the moment every user has asked: time to the first answer text on screen, time
to the finished answer, answers per minute. Each user's question is distinct, and every answer
is checked to be its own: the turn answers that user's question, its evidence is what retrieval
finds for that question alone, and its citations are among that evidence.

Bounded: --users answers per round, --rounds rounds, each run stopped after --max-seconds; the
model server listens on 127.0.0.1 only. Also records the resident memory (RSS) of an
`assistant ui` process, warmed up, with each backend (and of the model server).

    .venv/bin/python evals/load_test.py --model qwen --users 8 --parallel 4
    .venv/bin/python evals/load_test.py --model smollm2 --users 4 --rounds 1 --skip-rss
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.answer import Assistant  # noqa: E402
from assistant.config import from_env  # noqa: E402


def questions(n: int) -> list[str]:
    """n distinct answerable seed questions."""
    rows = [json.loads(line) for line in open(ROOT / "evals" / "seed_questions.jsonl", encoding="utf-8")]
    return [r["question"] for r in rows if r["answerable"]][:n]


def start_server(model: str, parallel: int, timeout: float = 300) -> tuple[subprocess.Popen, str]:
    """`assistant serve-model` on a free loopback port; (process, URL)."""
    cmd = [sys.executable, "-m", "assistant", "serve-model", "--model", model, "--port", "0"]
    proc = subprocess.Popen(
        [*cmd, "--parallel", str(parallel)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    for line in proc.stdout:
        found = re.search(r"at (http://127\.0\.0\.1:\d+/v1)", line)
        if found:
            return proc, found.group(1)
        if time.monotonic() > deadline:
            break
    proc.terminate()
    raise SystemExit(f"serve-model gave no URL (exit {proc.poll()})")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()  # serve-model stops cleanly on SIGTERM as on Ctrl+C
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def user(app, tab: str, question: str, slots: threading.Semaphore, t0: float) -> dict:
    """One tab asking one question; what it saw and when."""
    from assistant.web.session import Session

    request = SimpleNamespace(session_hash=tab)
    first = None
    final = None
    with slots:  # Gradio's concurrency limit for the answer event
        started = time.perf_counter() - t0
        for update in app.chat.answer(question, Session(), None, "", "", [], request):
            if isinstance(update[1], Session):
                final = update[1]  # the finished turn, with its sources
            elif first is None:
                first = time.perf_counter() - t0  # the first partial answer drawn in the chat
    turn = final.turns[-1] if final is not None else None
    return {
        "tab": tab,
        "question": question,
        "started_s": round(started, 3),
        "first_s": round(first, 3) if first is not None else None,
        "done_s": round(time.perf_counter() - t0, 3),
        "turn": turn,
    }


def own_answer(assistant, result: dict) -> list[str]:
    """Why this tab's answer is not its own ([] when it is)."""
    turn = result["turn"]
    if turn is None or turn.answer is None:
        return [f"no answer ({getattr(turn, 'error', 'none')})"]
    ans, q = turn.answer, result["question"]
    problems = []
    if turn.question != q or ans.question != q:
        problems.append(f"answers {ans.question!r}")
    hits, qvec = assistant.retrieve(q)  # alone, with no other user asking
    top_k = assistant.settings.top_k
    alone = (
        {_span(e) for e in assistant.resources.retriever.evidence(q, hits, qvec, top_k=top_k)}
        if hits
        else set()
    )
    got = {_span(e) for e in ans.evidence}
    if not got <= alone:
        problems.append("evidence from another question")
    for c in ans.citations:
        if not any(c.source == s and st <= c.start and c.end <= en for s, st, en in got):
            problems.append(f"citation [{c.n}] outside its evidence")
    return problems


def _collect(done: list, *args) -> None:
    done.append(user(*args))


def _span(evidence) -> tuple[str, int, int]:
    return evidence.passage.source, evidence.passage.start, evidence.passage.end


def run(assistant, label: str, qs: list[str], users: int, rounds: int, max_seconds: float) -> dict:
    from assistant.web.app import WebApp, answer_slots, warm_up

    warm_up(assistant, log=lambda m: None)
    app = WebApp(assistant)
    slots = threading.BoundedSemaphore(answer_slots(assistant))
    results: list[dict] = []
    t_all = time.perf_counter()
    for r in range(rounds):
        batch = qs[r * users : (r + 1) * users]
        t0 = time.perf_counter()
        done: list[dict] = []
        threads = [
            threading.Thread(target=_collect, args=(done, app, f"{label}-{r}-{i}", q, slots, t0))
            for i, q in enumerate(batch)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(max_seconds)
        results += done
        if time.perf_counter() - t_all > max_seconds:
            break
    wall = time.perf_counter() - t_all
    answered = [r for r in results if r["turn"] is not None and r["turn"].answer is not None]
    firsts = [r["first_s"] for r in results if r["first_s"] is not None]
    dones = [r["done_s"] for r in results]
    wrong = {r["tab"]: p for r in results if (p := own_answer(assistant, r))}
    return {
        "backend": label,
        "slots": answer_slots(assistant),
        "users": users,
        "asked": len(results),
        "answered": len(answered),
        "declined": sum(r["turn"].answer.abstained for r in answered),
        "wall_s": round(wall, 1),
        "answers_per_minute": round(60 * len(answered) / wall, 2),
        "first_token_p50_s": _pct(firsts, 50),
        "first_token_p95_s": _pct(firsts, 95),
        "done_p50_s": _pct(dones, 50),
        "done_p95_s": _pct(dones, 95),
        "wrong_user": wrong,
        "per_user": [{k: v for k, v in r.items() if k != "turn"} for r in results],
    }


def _pct(xs: list[float], p: int) -> float | None:
    if not xs:
        return None
    if len(xs) == 1:
        return xs[0]
    return round(statistics.quantiles(xs, n=100, method="inclusive")[p - 1], 2)


def ui_rss(env: dict, port: int, timeout: float = 600) -> float:
    """RSS (MB) of a warmed-up `assistant ui` with these environment variables."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "ui", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        deadline = time.monotonic() + timeout
        for line in proc.stdout:
            if "open http" in line or time.monotonic() > deadline:
                break
        time.sleep(2)
        if proc.poll() is not None:
            raise SystemExit(f"assistant ui exited ({proc.returncode}); is the index usable?")
        return rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(30)


def backends(args, qs: list[str], url: str, server_pid: int) -> dict:
    """The same questions through the model server, then through the in-process model."""
    from assistant.embed import Embedder

    base, embedder, report = from_env(), Embedder(), {}
    remote = base.with_(llm_url=url, llm_parallel=args.parallel)
    a = Assistant(remote, embedder=embedder, log=lambda m: None)
    report["server"] = run(a, "server", qs, args.users, args.rounds, args.max_seconds)
    report["server"]["server_rss_mb"] = rss_mb(server_pid)
    print(json.dumps({k: v for k, v in report["server"].items() if k != "per_user"}), flush=True)
    local = Assistant(base, model=args.model, embedder=embedder, log=lambda m: None)
    report["inprocess"] = run(local, "inprocess", qs, args.users, args.rounds, args.max_seconds)
    print(json.dumps({k: v for k, v in report["inprocess"].items() if k != "per_user"}), flush=True)
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="qwen", help="qwen (default) or smollm2 or a GGUF")
    ap.add_argument("--users", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=2, help="rounds of --users questions at once")
    ap.add_argument("--parallel", type=int, default=4, help="the model server's slots")
    ap.add_argument("--max-seconds", type=float, default=900, help="per backend")
    ap.add_argument("--skip-rss", action="store_true", help="no memory measurement")
    ap.add_argument("--rss-only", action="store_true", help="only the memory of `assistant ui`")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    out = args.out or ROOT / "evals" / "results" / f"{stamp}-load"
    out.mkdir(parents=True, exist_ok=True)
    qs = questions(args.users * args.rounds)
    proc, url = start_server(args.model, args.parallel)
    report: dict = {"started": stamp, "model": args.model, "questions": qs, "cpus": os.cpu_count()}
    try:
        if not args.rss_only:
            report |= backends(args, qs, url, proc.pid)
        if not args.skip_rss:
            report["ui_rss_mb"] = {
                "server": ui_rss({"ASSISTANT_LLM_URL": url}, port=free_port()),
                "inprocess": ui_rss({"ASSISTANT_MODEL": args.model, "ASSISTANT_LLM_URL": ""}, free_port()),
                "model_server": rss_mb(proc.pid),
            }
            print(json.dumps(report["ui_rss_mb"]), flush=True)
    finally:
        stop(proc)
    (out / "load.json").write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {out / 'load.json'}")


if __name__ == "__main__":
    main()
