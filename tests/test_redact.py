"""One redaction (assistant/redact.py) for every URL and secret: the table of cases, and each place
that shows a URL or writes one (index.where, `assistant collections`, the eval report).

An eval against a real PostgreSQL with a password in its URL, grepped file by file and line by
line, is in test_postgres.py (`test_an_eval_with_a_password_in_the_store_url_writes_it_nowhere`).
"""

from __future__ import annotations

import json

import pytest
from fakes import ScriptedAssistant
from pg import free_port
from test_evaluate import DOC, item

from assistant import collection, index
from assistant.config import Settings
from assistant.evaluation import report
from assistant.evaluation.run import run
from assistant.evaluation.sets import Sources
from assistant.gate import Fallback
from assistant.redact import redact, secrets

PW = "SECRETPW"


@pytest.mark.parametrize(
    "text,want",
    [
        ("postgresql://ann:s3cret@db:5432/docs", "postgresql://ann@db:5432/docs"),
        ("postgres://ann@db/docs", "postgres://ann@db/docs"),  # nothing to remove
        ("postgresql:///docs?password=s3cret&sslmode=require", "postgresql:///docs?sslmode=require"),
        ("postgresql://h/db?sslmode=require&PASSWORD=x", "postgresql://h/db?sslmode=require"),
        ("postgresql://h/db?sslpassword=x", "postgresql://h/db"),
        ("postgresql://u:p%40ss@[::1]:5432/db", "postgresql://u@[::1]:5432/db"),
        ("postgresql://u:p@ss@h/db", "postgresql://u@h/db"),  # an unencoded @ in the password
        ("https://api.example/v1?api_key=k-123&model=x#top", "https://api.example/v1?model=x#top"),
        ("https://host:8080/a@b?x=1", "https://host:8080/a@b?x=1"),  # an @ in the path is no user
        ("--store 'postgresql://u:pw@h/db' --label x", "--store 'postgresql://u@h/db' --label x"),
        ('url="http://u:pw@h/"; and http://v:pw2@g/x', 'url="http://u@h/"; and http://v@g/x'),
        ("no url at all: user:password@host", "no url at all: user:password@host"),
    ],
)
def test_redact(text, want):
    assert redact(text) == want


def test_secrets_of_the_settings_are_replaced_anywhere():
    s = Settings(
        store_url=f"postgresql://ann:{PW}@db/x?password={PW}2",
        llm_api_key="sk-live-123",
        llm_url="http://u:llmpass@127.0.0.1:8080/v1",
    )
    assert set(secrets(s)) == {PW, f"{PW}2", "sk-live-123", "llmpass"}
    line = f"connect failed for ann/{PW} with key sk-live-123 (llmpass)"
    assert redact(line, secrets(s)) == "connect failed for ann/*** with key *** (***)"
    assert redact("a b", ["a"]) == "a b"  # too short to replace everywhere


def test_where_and_collections_show_no_password(tmp_path):
    port = free_port()
    s = Settings(root=tmp_path, store_url=f"postgresql://ann:{PW}@127.0.0.1:{port}/x?password={PW}")
    assert index.where(s) == f"postgresql://ann@127.0.0.1:{port}/x"
    rows = collection.listing(s)  # nothing listens there: the row carries the problem
    assert len(rows) == 1 and rows[0]["problem"] and PW not in json.dumps(rows)
    assert rows[0]["folder"] == index.where(s) and collection.names(s) == []


class Store:
    """What `report.run_meta` reads of the store: its manifest, count and sources."""

    def manifest(self):
        return {"settings": {"format": 3}}

    def count(self):
        return 3

    def sources(self):
        return {"docs/a.txt": {"sha256": "0" * 64}}


class Indexed:
    """What `report.run_meta` reads of an assistant: its resources' store, model name and gate."""

    class resources:  # noqa: N801  (an attribute, as Assistant.resources is)
        store = Store()
        model_name = "scripted"
        gate = Fallback()


def test_an_eval_report_holds_no_password_in_any_file(tmp_path):
    """summary.json, report.md, results.jsonl and the charts of a run whose settings and command
    line hold a store password, an API key and a model server password."""
    root = tmp_path / "project"
    (root / "docs").mkdir(parents=True)
    with open(root / "docs" / "a.txt", "w", encoding="utf-8", newline="") as f:
        f.write(DOC)  # what ScriptedAssistant cites
    s = Settings(
        root=root,
        store_url=f"postgresql://ann:{PW}@db:5432/docs?password={PW}",
        llm_api_key=f"key-{PW}",
        llm_url=f"http://u:{PW}@127.0.0.1:8080/v1",
    )
    command = f"assistant eval --store 'postgresql://ann:{PW}@db:5432/docs?password={PW}' --label run"
    sources = Sources(root)
    meta = report.run_meta(s, Indexed(), "set.jsonl", [item(sources, id="q0")], False, command)
    writer = report.ReportWriter.create(tmp_path / "results", f"run-postgresql://ann:{PW}@db/x", meta)
    run(ScriptedAssistant(), [item(sources, id="q0")], sources, writer.add)
    folder = writer.finish(True).folder
    assert PW not in str(folder)
    files = [f for f in folder.iterdir() if f.is_file()]
    assert {"summary.json", "report.md", "results.jsonl"} <= {f.name for f in files}
    for f in files:
        assert PW.encode() not in f.read_bytes(), f.name
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["meta"]["command"] == "assistant eval --store 'postgresql://ann@db:5432/docs' --label run"
    assert summary["meta"]["settings"]["store_url"] == "postgresql://ann@db:5432/docs"
