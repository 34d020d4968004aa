"""The HTTP service (`assistant serve`) over real HTTP: a real uvicorn on a loopback port, the
real index and retrieval (HashEmbedder vectors), and EchoLLM, a scripted model that cites its
first source a word at a time, so the routes, errors, queue, streaming and disconnects are
tested without loading a model. tests/test_service_e2e.py does it with SmolLM2 and real clients.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time

import httpx
import pytest
from fakes import EchoLLM, HashEmbedder

from assistant import index
from assistant.answer import Assistant
from assistant.errors import BadSetting
from assistant.service.access import Access, check_binding
from assistant.service.app import build
from assistant.service.core import Service
from assistant.service.queue import ModelQueue

QUESTION = "When was Operation Serval transformed to Operation Barkhane?"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(app):
    """`app` on a real uvicorn in a thread; yields its base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


class Echo(EchoLLM):
    """EchoLLM for the pointer prompt: points at source [1] and quotes its first sentence, wherever
    the prompt puts the numbered sources (before the short "answer from [1]" turn)."""

    choice = {"1": 1.0}

    def stream(self, messages, max_tokens=200, temperature=0.0, avoid=None):
        for m in reversed(messages):
            found = re.search(r"^\[1\] «?(.*?)»?$", m["content"], re.M)
            if found:
                return super().stream([{"role": "user", "content": f"[1] {found.group(1)}"}], max_tokens)
        raise AssertionError("no source [1] in the prompt")


def make_service(settings, slots=1, waiting=4, delay=0.01, llm=None) -> Service:
    index.update(settings, embedder=HashEmbedder(), log=lambda m: None)
    s = settings.with_(
        min_relevance=-1.0, max_risk=1.0
    )  # hash vectors: any passage is relevant; show every answer
    assistant = Assistant(s, embedder=HashEmbedder(), llm=llm or Echo(delay), log=lambda m: None)
    return Service(assistant, ModelQueue(slots, waiting))


@pytest.fixture
def api(settings):
    """(base URL, service, httpx client) of a running service on loopback, no key."""
    service = make_service(settings)
    with serving(build(service, Access())) as url, httpx.Client(base_url=url, timeout=30) as http:
        yield url, service, http


def exact(http, citation, collection: str | None = None) -> bool:
    """The citation's span, read back through GET /v1/documents/{source}, is its quote."""
    params = {"start": citation["start"], "end": citation["end"]}
    if collection:
        params["collection"] = collection
    if citation["page"]:
        params["page"] = citation["page"]
    r = http.get(f"/v1/documents/{citation['source']}", params=params)
    return r.status_code == 200 and r.json()["text"] == citation["quote"]


def sse_events(response) -> list[tuple[str, dict]]:
    out, event = [], None
    for line in response.iter_lines():
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            out.append((event, json.loads(line[5:])))
    return out


# --- answers ------------------------------------------------------------------------------------
def test_ask_returns_the_json_of_ask_json_with_exact_citations(api):
    _, service, http = api
    r = http.post("/v1/ask", json={"question": QUESTION})
    assert r.status_code == 200, r.text
    got = r.json()
    direct = service.assistant.ask(QUESTION).to_json()  # the library's own answer, same question
    assert set(got) == set(direct)
    for key in ("question", "answer", "abstained", "citations", "model", "search_query", "checks"):
        assert got[key] == direct[key], key
    assert got["citations"] and all(exact(http, c) for c in got["citations"])


def test_ask_streams_the_draft_then_one_checked_answer(api):
    _, _, http = api
    with http.stream("POST", "/v1/ask", json={"question": QUESTION, "stream": True}) as r:
        assert r.headers["content-type"].startswith("text/event-stream")
        events = sse_events(r)
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "answer" and set(kinds[:-1]) == {"draft"} and len(kinds) > 2
    draft = "".join(data["text"] for kind, data in events if kind == "draft")
    answer = events[-1][1]
    assert " ".join(draft.split()) == answer["raw_answer"] and answer["citations"]
    assert all(exact(http, c) for c in answer["citations"])


def test_search_and_documents_match_the_cli_json(api):
    _, service, http = api
    found = http.get("/v1/search", params={"q": "Operation Barkhane", "k": 2}).json()
    assert found["query"] == "Operation Barkhane" and len(found["passages"]) == 2
    p = found["passages"][0]
    assert set(p) == {"rank", "source", "start", "end", "page", "score", "dense", "keyword", "text"}
    assert exact(http, {**p, "quote": p["text"]})
    docs = http.get("/v1/documents").json()["documents"]
    assert [d["source"] for d in docs] == sorted(service.assistant.documents())
    assert set(docs[0]) == {"source", "title", "passages", "indexed_at", "size"}
    whole = http.get("/v1/documents/docs/serval.txt").json()["text"]
    assert whole == (service.root / "docs" / "serval.txt").read_text(encoding="utf-8")
    collections = http.get("/v1/collections").json()["collections"]
    assert collections[0]["name"] == "" and collections[0]["documents"] == 3


def test_only_the_chosen_documents_are_searched(api):
    _, _, http = api
    r = http.post("/v1/ask", json={"question": "Who grabbed power in a coup?", "sources": ["docs/junta.md"]})
    assert {c["source"] for c in r.json()["citations"]} == {"docs/junta.md"}


def test_documents_are_found_by_the_names_people_type(api):
    _, _, http = api
    found = http.get("/v1/search", params={"q": "coup", "source": "the junta"}).json()  # its title
    assert {p["source"] for p in found["passages"]} == {"docs/junta.md"}
    read = http.get("/v1/documents/serval.txt").json()  # its bare name
    assert read["source"] == "docs/serval.txt"


def test_healthz_says_what_is_loaded(api):
    url, service, http = api
    health = http.get("/healthz").json()
    assert health["index"]["documents"] == 3 and health["model"]["name"] == "echo-test"
    assert health["queue"] == {"slots": 1, "waiting": 4, "inside": 0}


# --- bad input ----------------------------------------------------------------------------------
NUL = "When did\x00 Operation Serval end?"


@pytest.mark.parametrize(
    "method,path,body,status,kind,words",
    [
        ("post", "/v1/ask", {"question": ""}, 400, "bad_question", "the question is empty"),
        ("post", "/v1/ask", {"question": "x" * 1_000_000}, 400, "bad_question", "1,000,000 characters"),
        ("post", "/v1/ask", {"question": NUL}, 400, "bad_question", "NUL"),
        (
            "post",
            "/v1/ask",
            {"question": "When?", "sources": ["docs/nope.txt"]},
            404,
            "not_found",
            "nope.txt",
        ),
        (
            "post",
            "/v1/ask",
            {"question": "When?", "collection": "nope"},
            404,
            "not_found",
            "GET /v1/collections",
        ),
        (
            "post",
            "/v1/ask",
            {"question": "When?", "collection": "../x"},
            400,
            "bad_request",
            "collection name",
        ),
        ("post", "/v1/ask", {"question": "When?", "top_k": 0}, 400, "bad_request", "body.top_k"),
        ("post", "/v1/ask", {"asked": "When?"}, 400, "bad_request", "body.question: Field required"),
        ("post", "/v1/ask", b'{"question": "When?"', 400, "bad_request", "not valid JSON"),
        ("post", "/v1/ask", b"x" * (2**20 + 1), 413, "too_large", "the limit is 1,048,576"),
        ("get", "/v1/documents/docs/nope.txt", None, 404, "not_found", "GET /v1/documents"),
        ("get", "/v1/documents/docs/un.pdf", None, 400, "bad_request", "page=N"),
        ("get", "/v1/documents/docs/un.pdf?page=0", None, 400, "bad_request", "page=N"),
        ("get", "/v1/documents/docs/un.pdf?page=9", None, 400, "bad_request", "docs/un.pdf: has no page 9"),
        ("get", "/v1/documents/docs/serval.txt?start=5&end=99999", None, 400, "bad_request", "characters"),
        ("delete", "/v1/documents/docs/nope.txt", None, 404, "not_found", "not in the index"),
        ("get", "/v1/search?q=", None, 400, "bad_question", "the question is empty"),
        ("get", "/v1/nothing", None, 404, "not_found", "no route GET /v1/nothing"),
    ],
)
def test_bad_input_is_a_json_error_and_the_server_keeps_serving(api, method, path, body, status, kind, words):
    _, _, http = api
    if isinstance(body, bytes):
        r = http.request(method, path, content=body, headers={"content-type": "application/json"})
    else:
        r = http.request(method, path, json=body)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["type"] == kind and words in error["message"] and "\n" not in error["message"]
    assert http.post("/v1/ask", json={"question": QUESTION}).json()["citations"]


# --- access -------------------------------------------------------------------------------------
def test_a_key_is_required_once_set_and_healthz_stays_open(settings):
    service = make_service(settings)
    with serving(build(service, Access(api_key="s3cret"))) as url:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "s3cret"}):
            r = httpx.get(url + "/v1/documents", headers=headers)
            assert r.status_code == 401 and r.json()["error"]["type"] == "unauthorized"
            assert r.headers["www-authenticate"] == "Bearer"
        assert httpx.get(url + "/v1/documents", headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert httpx.post(url + "/mcp", json={}).status_code == 401  # MCP too
        assert httpx.get(url + "/healthz").status_code == 200


def test_on_loopback_other_hosts_and_other_sites_pages_are_refused(api):
    url, _, http = api
    r = http.get("/v1/documents", headers={"Host": "evil.example:8000"})
    assert r.status_code == 403 and "loopback" in r.json()["error"]["message"]
    r = http.post("/v1/ask", json={"question": QUESTION}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and "other sites" in r.json()["error"]["message"]
    assert http.get("/v1/documents", headers={"Origin": url}).status_code == 200


@pytest.mark.parametrize(
    "host,key,insecure,refused",
    [
        ("127.0.0.1", None, False, False),
        ("localhost", None, False, False),
        ("::1", None, False, False),
        ("0.0.0.0", None, False, True),
        ("192.168.1.5", None, False, True),
        ("0.0.0.0", "k", False, False),
        ("0.0.0.0", None, True, False),
    ],
)
def test_serving_beyond_loopback_needs_a_key_or_insecure(host, key, insecure, refused):
    if refused:
        with pytest.raises(BadSetting, match="set ASSISTANT_API_KEY.*--insecure"):
            check_binding(host, key, insecure)
    else:
        check_binding(host, key, insecure)


def test_serve_refuses_to_start_beyond_loopback_without_a_key_in_one_line(monkeypatch):
    from clitools import one_line_error, run

    monkeypatch.delenv("ASSISTANT_API_KEY", raising=False)
    one_line_error(run("serve", "--host", "0.0.0.0"), "lets other machines in: set ASSISTANT_API_KEY")


# --- the queue and disconnects ------------------------------------------------------------------
def test_a_full_queue_answers_429_with_retry_after_then_serves_again(settings):
    service = make_service(settings, slots=1, waiting=0, delay=0.15)
    with serving(build(service, Access())) as url, httpx.Client(base_url=url, timeout=30) as http:
        with http.stream("POST", "/v1/ask", json={"question": QUESTION, "stream": True}) as first:
            lines = first.iter_lines()
            assert next(line for line in lines if line.startswith("data:"))  # it is answering
            r = http.post("/v1/ask", json={"question": QUESTION})
            assert r.status_code == 429 and r.json()["error"]["type"] == "busy"
            assert int(r.headers["retry-after"]) >= 1 and "ask again in" in r.json()["error"]["message"]
            list(lines)  # the first answer finishes
        assert http.post("/v1/ask", json={"question": QUESTION}).status_code == 200


def test_a_client_that_disconnects_mid_stream_stops_its_answer_and_frees_the_model(settings):
    service = make_service(settings, slots=1, waiting=0, delay=0.2)
    llm = service.assistant.resources.llm
    with serving(build(service, Access())) as url:
        with httpx.Client(base_url=url, timeout=30) as gone:
            with gone.stream("POST", "/v1/ask", json={"question": QUESTION, "stream": True}) as r:
                next(line for line in r.iter_lines() if line.startswith("data:"))
        # the connection is closed: the model stops at its next word and the slot comes back
        deadline = time.monotonic() + 10
        while service.queue.inside and time.monotonic() < deadline:
            time.sleep(0.05)
        assert service.queue.inside == 0 and llm.unfinished == 1
        r = httpx.post(url + "/v1/ask", json={"question": QUESTION}, timeout=30)
        assert r.status_code == 200 and r.json()["citations"]


class DownLLM(Echo):
    """A model server that went away: every reply fails, as OpenAIModel's does."""

    def stream(self, messages, max_tokens=200, temperature=0.0, avoid=None):
        from assistant.errors import ModelUnavailable

        raise ModelUnavailable("the model server at http://127.0.0.1:9/v1 cannot be reached (ConnectError)")


def test_a_failed_answer_is_a_503_and_gives_its_place_back(settings):
    service = make_service(settings, slots=1, waiting=0, llm=DownLLM())
    with serving(build(service, Access())) as url:
        for stream in (False, True):
            r = httpx.post(url + "/v1/ask", json={"question": QUESTION, "stream": stream}, timeout=30)
            if stream:
                (event, data) = [e for e in sse_events(r) if e[0] != "draft"][-1]
                assert event == "error"
            else:
                assert r.status_code == 503
                data = r.json()
            assert (
                data["error"]["type"] == "model_unavailable"
                and "cannot be reached" in data["error"]["message"]
            )
        assert service.queue.inside == 0


def test_a_follow_up_sends_its_history(api):
    _, service, http = api
    history = [{"question": "Who grabbed power in Mali in 2020?", "answer": "Col. Assimi Goita [1]."}]
    r = http.post("/v1/ask", json={"question": "When did he postpone the vote?", "history": history})
    assert r.status_code == 200 and service.assistant.resources.llm.rewrites  # the follow-up was rewritten
    assert "Assimi Goita." in service.assistant.resources.llm.rewrites[-1]  # the answer, markers removed


# --- documents ----------------------------------------------------------------------------------
def test_upload_ask_about_it_then_remove_it(api, tmp_path):
    _, service, http = api
    text = "The Wagner Group left Mali in June 2025.\nAfrica Corps replaced it.\n"
    r = http.post("/v1/documents", files=[("files", ("wagner notes.txt", text.encode(), "text/plain"))])
    assert r.status_code == 200, r.text
    (added,) = r.json()["added"]
    assert added["source"] == "uploads/wagner_notes.txt" and added["replaced"] is False
    answer = http.post(
        "/v1/ask", json={"question": "When did Wagner leave Mali?", "sources": [added["source"]]}
    )
    (cited,) = answer.json()["citations"]
    assert cited["source"] == added["source"] and exact(http, cited)
    r = http.delete(f"/v1/documents/{added['source']}")
    assert r.json()["removed"] == [added["source"]] and r.json()["file_deleted"] is True
    assert not (service.root / added["source"]).exists()
    assert added["source"] not in [d["source"] for d in http.get("/v1/documents").json()["documents"]]


@pytest.mark.parametrize(
    "name,data,status,words",
    [
        ("notes.exe", b"MZ", 400, "unsupported type .exe"),
        ("empty.txt", b"", 400, "empty"),
        ("../../etc/passwd.txt", b"root", 400, "folders"),
        ("binary.txt", bytes(range(256)) * 4, 400, "binary"),
        ("big.txt", b"a " * 600_000, 413, "limit"),
    ],
)
def test_bad_uploads_are_refused_with_the_web_chats_rules(settings, name, data, status, words):
    service = make_service(settings)
    service.upload_limit = 1_000_000
    access = Access(upload_limit=2_000_000)
    with serving(build(service, access)) as url:
        r = httpx.post(url + "/v1/documents", files=[("files", (name, data, "application/octet-stream"))])
        assert r.status_code == status, r.text
        assert words in r.json()["error"]["message"]
        assert len(httpx.get(url + "/v1/documents").json()["documents"]) == 3
    assert not (service.root / "uploads").exists() or not any((service.root / "uploads").rglob("*.*"))


# --- OpenAI-compatible chat, with the official client ------------------------------------------
def test_the_openai_client_gets_the_checked_answer_with_exact_citations(api):
    from openai import OpenAI

    url, _, http = api
    client = OpenAI(base_url=url + "/v1", api_key="unused")
    assert [m.id for m in client.models.list()] == ["assistant"]
    reply = client.chat.completions.create(
        model="assistant", messages=[{"role": "user", "content": QUESTION}]
    )
    message = reply.choices[0].message
    citations = message.model_extra["citations"]
    assert citations and all(exact(http, c) for c in citations)
    answer, sources = message.content.split("\n\nSources:\n")
    assert "[1]" in answer and citations[0]["quote"] in sources


def test_the_openai_stream_sends_the_draft_as_reasoning_and_the_answer_once(api):
    from openai import OpenAI

    url, _, http = api
    client = OpenAI(base_url=url + "/v1", api_key="unused")
    history = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Who grabbed power in Mali?"},
        {"role": "assistant", "content": "Assimi Goita [1].\n\nSources:\n- [1] ..."},
        {"role": "user", "content": QUESTION},
    ]
    chunks = list(client.chat.completions.create(model="assistant", messages=history, stream=True))
    deltas = [c.choices[0].delta for c in chunks]
    reasoning = [
        d.model_extra.get("reasoning_content") for d in deltas if d.model_extra.get("reasoning_content")
    ]
    contents = [d.content for d in deltas if d.content]
    assert len(reasoning) > 1 and len(contents) == 1 and chunks[-1].choices[0].finish_reason == "stop"
    citations = next(d.model_extra["citations"] for d in deltas if d.content)
    assert citations and all(exact(http, c) for c in citations)


def test_openai_errors_are_the_clients_own_exceptions(api):
    import openai

    url, _, _ = api
    client = openai.OpenAI(base_url=url + "/v1", api_key="unused", max_retries=0)
    with pytest.raises(openai.NotFoundError, match="no model named"):
        client.chat.completions.create(model="gpt-4", messages=[{"role": "user", "content": QUESTION}])
    with pytest.raises(openai.BadRequestError, match="the question is empty"):
        client.chat.completions.create(model="assistant", messages=[{"role": "user", "content": " "}])
    with pytest.raises(openai.BadRequestError, match="last message must be the user's"):
        client.chat.completions.create(model="assistant", messages=[{"role": "assistant", "content": "Hi"}])


# --- MCP over streamable HTTP, with the SDK's client ----------------------------------------------
def test_the_mcp_tools_over_http_return_exact_citations(api):
    import anyio
    from mcp import Client

    url, _, http = api

    async def session():
        async with Client(url + "/mcp") as client:
            tools = {t.name for t in (await client.list_tools()).tools}
            asked = (await client.call_tool("ask", {"question": QUESTION})).structured_content
            found = (await client.call_tool("search", {"query": "Barkhane", "k": 2})).structured_content
            listed = (await client.call_tool("list_documents", {})).structured_content
            c = asked["citations"][0]
            span = {"source": c["source"], "start": c["start"], "end": c["end"]}
            read = (await client.call_tool("read_document", span)).structured_content
            bad = await client.call_tool("ask", {"question": ""})
            return tools, asked, found, listed, read, bad

    tools, asked, found, listed, read, bad = anyio.run(session)
    assert tools == {"search", "ask", "summarize", "list_documents", "read_document"}
    assert asked["citations"] and all(exact(http, c) for c in asked["citations"])
    assert read["text"] == asked["citations"][0]["quote"]
    assert len(found["passages"]) == 2 and len(listed["documents"]) == 3
    assert bad.is_error and "the question is empty" in bad.content[0].text, bad


# --- the terminal through the server ---------------------------------------------------------------
def test_ask_and_search_with_url_print_what_the_server_answers(api, monkeypatch):
    from clitools import run

    url, _, http = api
    monkeypatch.setenv("ASSISTANT_URL", url)
    out = run("ask", "--json", QUESTION)
    assert out.exit_code == 0, out.output
    remote, served = json.loads(out.stdout), http.post("/v1/ask", json={"question": QUESTION}).json()
    assert {k: v for k, v in remote.items() if k != "timings"} == {
        k: v for k, v in served.items() if k != "timings"
    }
    plain = run("ask", QUESTION)
    assert plain.stdout.startswith(served["answer"]) and "Sources:" in plain.stdout
    assert served["citations"][0]["quote"] in plain.stdout
    found = json.loads(run("search", "--json", "-k", "2", "Operation Barkhane").stdout)
    assert found == http.get("/v1/search", params={"q": "Operation Barkhane", "k": 2}).json()


def test_chat_with_url_keeps_the_conversation(api, monkeypatch):
    from click.testing import CliRunner

    from assistant.terminal.cli import cli

    url, _, _ = api
    out = CliRunner().invoke(cli, ["chat", "--url", url], input=f"{QUESTION}\n\n")
    assert out.exit_code == 0, out.output
    assert out.stdout.count("Sources:") == 1


def test_a_server_that_is_down_is_one_line_naming_its_url():
    from clitools import one_line_error, run

    url = f"http://127.0.0.1:{free_port()}"
    for command in (["ask", "--url", url, QUESTION], ["search", "--url", url, "Barkhane"]):
        one_line_error(run(*command), f"no assistant server answers at {url}")


# --- beside the web chat ----------------------------------------------------------------------------
def test_assistant_ui_serves_the_api_and_mcp_beside_the_web_chat(settings):
    import anyio
    from mcp import Client

    from assistant.web.app import launch

    service = make_service(settings)
    port = free_port()
    demo = launch(service.assistant, "127.0.0.1", port)
    url = f"http://127.0.0.1:{port}"
    try:
        assert httpx.get(url + "/").status_code == 200  # the web chat
        answer = httpx.post(url + "/v1/ask", json={"question": QUESTION}, timeout=30).json()
        assert answer["citations"] and all(exact(httpx.Client(base_url=url), c) for c in answer["citations"])

        async def tools():
            async with Client(url + "/mcp") as client:
                return {t.name for t in (await client.list_tools()).tools}

        assert anyio.run(tools) == {"search", "ask", "summarize", "list_documents", "read_document"}
    finally:
        demo.close()


def test_ask_with_url_sends_the_key_and_a_wrong_one_is_one_line(settings, monkeypatch):
    from clitools import one_line_error, run

    service = make_service(settings)
    with serving(build(service, Access(api_key="s3cret"))) as url:
        monkeypatch.setenv("ASSISTANT_URL", url)
        monkeypatch.setenv("ASSISTANT_API_KEY", "s3cret")
        assert json.loads(run("ask", "--json", QUESTION).stdout)["citations"]
        monkeypatch.setenv("ASSISTANT_API_KEY", "wrong")
        one_line_error(run("ask", QUESTION), "missing or wrong API key")


def test_a_collection_is_a_model_and_a_field(api):
    from openai import OpenAI

    from assistant import collection

    _, service, http = api
    reports = collection.of(service.assistant.settings, "reports")
    (service.root / "reports").mkdir()
    (service.root / "reports" / "q3.txt").write_text("The Q3 report put costs at 4 million euros.\n")
    index.update(reports, [service.root / "reports"], embedder=HashEmbedder(), log=lambda m: None)
    client = OpenAI(base_url=str(http.base_url.join("/v1")), api_key="unused")
    assert [m.id for m in client.models.list()] == ["assistant", "assistant/reports"]
    reply = client.chat.completions.create(
        model="assistant/reports", messages=[{"role": "user", "content": "What did Q3 cost?"}]
    )
    assert {c["source"] for c in reply.choices[0].message.citations} == {"reports/q3.txt"}
    asked = http.post("/v1/ask", json={"question": "What did Q3 cost?", "collection": "reports"}).json()
    assert asked["citations"] and all(exact(http, c, "reports") for c in asked["citations"])
    assert not exact(http, asked["citations"][0])  # not a document of the default collection
    found = http.get("/v1/documents", params={"collection": "reports"}).json()["documents"]
    assert [d["source"] for d in found] == ["reports/q3.txt"]


def test_the_schema_is_served_at_docs(api):
    _, _, http = api
    schema = http.get("/openapi.json").json()
    assert {"/v1/ask", "/v1/search", "/v1/documents", "/v1/chat/completions", "/healthz"} <= set(
        schema["paths"]
    )
    assert http.get("/docs").status_code == 200


@pytest.mark.parametrize(
    "host,key,guarded,served",
    [
        ("127.0.0.1", None, True, True),  # loopback: the API's own host and origin checks
        ("0.0.0.0", None, True, False),  # behind the chat's login: the API would be a way around it
        ("0.0.0.0", "k", True, True),  # with a key: bearer, as `assistant serve`
        ("0.0.0.0", None, False, True),  # `assistant ui --insecure`: open, as the chat is
    ],
)
def test_beside_the_chat_the_api_needs_a_key_where_the_chat_needs_a_login(
    settings, monkeypatch, host, key, guarded, served
):
    from fastapi import FastAPI

    from assistant.service.app import attach

    if key:
        monkeypatch.setenv("ASSISTANT_API_KEY", key)
    else:
        monkeypatch.delenv("ASSISTANT_API_KEY", raising=False)
    app = FastAPI()
    attach(app, make_service(settings).assistant, host, guarded=guarded)
    assert ("/v1/ask" in app.openapi()["paths"]) is served
