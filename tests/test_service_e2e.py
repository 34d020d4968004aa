"""`assistant serve` and `assistant mcp` end to end: real processes, the real SmolLM2 model and
embedder, the seed documents, and real clients (httpx, the official `openai` client, the MCP
SDK's stdio client, `assistant ask --url`). Every citation is checked against the exactness
rule, `document_text(source, page)[start:end] == quote`, and against what a cold `assistant ask
--json` answers to the same question.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from assistant import ingest

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "Who leads Mali's junta?"  # SmolLM2 answers it from the seeds, with a citation
pytestmark = pytest.mark.slow  # every test here loads the model in a subprocess


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A project holding a copy of the seeds and their index, built by `assistant index`."""
    root = tmp_path_factory.mktemp("served")
    shutil.copytree(ROOT / "seeds", root / "seeds")
    env = environment(root)
    built = subprocess.run(
        [sys.executable, "-m", "assistant", "index"], env=env, cwd=ROOT, capture_output=True
    )
    assert built.returncode == 0, built.stderr
    return root


def environment(root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    pythonpath = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return {**env, "ASSISTANT_ROOT": str(root), "ASSISTANT_MODEL": "smollm2", "PYTHONPATH": pythonpath}


def cli(root: Path, *args: str, **env) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "assistant", *args]
    return subprocess.run(cmd, env={**environment(root), **env}, cwd=ROOT, capture_output=True, text=True)


@pytest.fixture(scope="module")
def server(project):
    """`assistant serve` on a free loopback port; its URL. Stopped with Ctrl+C (SIGINT)."""
    from llm_server import free_port

    port = free_port()
    cmd = [sys.executable, "-m", "assistant", "serve", "--port", str(port)]
    proc = subprocess.Popen(
        cmd, env=environment(project), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()  # printed once warm
    assert f"http://127.0.0.1:{port}/v1" in line, (
        line,
        proc.stderr.read() if proc.poll() is not None else "",
    )
    yield f"http://127.0.0.1:{port}"
    proc.send_signal(signal.SIGINT)
    assert proc.wait(30) == 0


@pytest.fixture(scope="module")
def cold(project) -> dict:
    """What a cold `assistant ask --json` answers, in its own process."""
    out = cli(project, "ask", "--json", QUESTION)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def assert_exact(root: Path, citations: list[dict]) -> None:
    assert citations
    for c in citations:
        path = root / c["source"]
        assert ingest.document_text(path, c["page"])[c["start"] : c["end"]] == c["quote"]


def without_timings(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k != "timings"}


def test_the_http_answer_is_what_ask_json_prints(project, server, cold):
    served = httpx.post(server + "/v1/ask", json={"question": QUESTION}, timeout=300).json()
    assert without_timings(served) == without_timings(cold)
    assert_exact(project, served["citations"])


def test_the_openai_client_gets_the_same_exact_citations(project, server, cold):
    from openai import OpenAI

    client = OpenAI(base_url=server + "/v1", api_key="unused", timeout=300)
    reply = client.chat.completions.create(
        model="assistant", messages=[{"role": "user", "content": QUESTION}]
    )
    message = reply.choices[0].message
    assert message.model_extra["citations"] == cold["citations"]
    assert message.content.startswith(cold["answer"])
    assert_exact(project, message.model_extra["citations"])


def test_ask_through_the_server_prints_what_a_cold_ask_prints(project, server, cold):
    local = cli(project, "ask", QUESTION)
    remote = cli(project, "ask", QUESTION, ASSISTANT_URL=server)
    assert remote.returncode == 0, remote.stderr
    # the same answer and sources; only the footer's times differ
    assert remote.stdout.splitlines()[:-1] == local.stdout.splitlines()[:-1]
    assert remote.stdout.splitlines()[-1].startswith("(first token ")


def test_the_mcp_stdio_server_answers_with_exact_citations(project, cold):
    import anyio
    from mcp import Client
    from mcp.client.stdio import StdioServerParameters

    env = {k: v for k, v in environment(project).items() if k.startswith(("ASSISTANT_", "PYTHON"))}
    params = StdioServerParameters(command=sys.executable, args=["-m", "assistant", "mcp"], env=env, cwd=ROOT)

    async def session():
        async with Client(params, read_timeout_seconds=300) as client:
            asked = (await client.call_tool("ask", {"question": QUESTION})).structured_content
            reads = []
            for c in asked["citations"]:
                span = {k: c[k] for k in ("source", "start", "end", "page")}
                reads.append((await client.call_tool("read_document", span)).structured_content["text"])
            return asked, reads

    asked, reads = anyio.run(session)
    assert asked["citations"] == cold["citations"]
    assert reads == [c["quote"] for c in cold["citations"]]


def test_a_client_gone_mid_answer_frees_the_real_model(server):
    with httpx.Client(timeout=300) as gone:
        with gone.stream("POST", server + "/v1/ask", json={"question": QUESTION, "stream": True}) as r:
            next(line for line in r.iter_lines() if line.startswith("event: draft"))
    deadline = time.monotonic() + 60
    while httpx.get(server + "/healthz").json()["queue"]["inside"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert httpx.get(server + "/healthz").json()["queue"]["inside"] == 0
    again = httpx.post(server + "/v1/ask", json={"question": QUESTION}, timeout=300)
    assert again.status_code == 200 and again.json()["citations"]
