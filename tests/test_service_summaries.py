"""`POST /v1/summarize`, `GET /v1/suggestions` and the MCP `summarize` tool over real HTTP (a real
uvicorn, the real index with HashEmbedder vectors, and KeyPointLLM, a scripted model that writes
each point from its source), as tests/test_service.py tests the other routes."""

from __future__ import annotations

import time

import httpx
import pytest
from fakes import KeyPointLLM
from test_service import exact, make_service, serving, sse_events

from assistant.service.access import Access
from assistant.service.app import build

SOURCES = ["docs/serval.txt", "docs/junta.md"]


@pytest.fixture
def api(settings):
    service = make_service(settings, llm=KeyPointLLM(delay=0))
    with serving(build(service, Access())) as url, httpx.Client(base_url=url, timeout=60) as http:
        yield url, service, http


def test_summarize_returns_checked_points_with_exact_citations(api):
    _, _, http = api
    r = http.post("/v1/summarize", json={"sources": SOURCES})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["sources"] == SOURCES and data["points"] and data["model"] == "keypoint-test"
    cited = [c for p in data["points"] for c in p["citations"]]
    assert cited and all(exact(http, c) for c in cited)
    assert {c["source"] for c in cited} == set(SOURCES)  # each document took its turn
    assert all(p["text"].endswith(f"[{p['citations'][-1]['n']}].") for p in data["points"])


def test_summarize_streams_a_point_event_each_then_the_summary(api):
    _, _, http = api
    with http.stream("POST", "/v1/summarize", json={"sources": SOURCES[:1], "stream": True}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        events = sse_events(r)
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "summary" and kinds[:-1] == ["point"] * (len(kinds) - 1) and len(kinds) > 1
    assert [d for k, d in events if k == "point"] == events[-1][1]["points"]


@pytest.mark.parametrize(
    "body, status, kind, words",
    [
        ({"sources": ["docs/nope.txt"]}, 404, "not_found", "not in the index: docs/nope.txt"),
        ({"sources": []}, 400, "bad_request", "body.sources"),
        ({"sources": SOURCES, "collection": "nope"}, 404, "not_found", "GET /v1/collections"),
    ],
)
def test_bad_summary_requests_are_json_errors(api, body, status, kind, words):
    _, _, http = api
    r = http.post("/v1/summarize", json=body)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["type"] == kind and words in error["message"]


def test_suggestions_are_made_then_cached(api):
    _, service, http = api
    r = http.get("/v1/suggestions", params={"wait": "false"})
    assert r.status_code in (200, 202), r.text
    for _ in range(200):  # made in the background
        r = http.get("/v1/suggestions", params={"wait": "false"})
        if r.status_code == 200:
            break
        time.sleep(0.05)
    data = r.json()
    assert r.status_code == 200 and data["state"] == "ready" and 1 <= len(data["questions"]) <= 5
    for q in data["questions"]:
        assert q["question"].endswith("?") and q["answer"] and q["source"] in {*SOURCES, "docs/un.pdf"}
    assert (service.assistant.settings.index_path / "suggestions.json").exists()
    assert http.get("/v1/suggestions").json() == data  # cached


def test_the_mcp_summarize_tool(api):
    import anyio
    from mcp import Client

    url, _, http = api

    async def session():
        async with Client(url + "/mcp") as client:
            made = (await client.call_tool("summarize", {"sources": SOURCES[:1]})).structured_content
            bad = await client.call_tool("summarize", {"sources": ["docs/nope.txt"]})
            return made, bad

    made, bad = anyio.run(session)
    cited = [c for p in made["points"] for c in p["citations"]]
    assert cited and all(exact(http, c) for c in cited)
    assert bad.is_error and "not in the index: docs/nope.txt" in bad.content[0].text
