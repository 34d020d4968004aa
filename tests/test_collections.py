"""Collections (separate indexes side by side) and asking within selected documents only.

Indexes are built with the HashEmbedder (no model loaded): what is under test is which index and
which documents a question reaches, not how good the vectors are."""

import json
import shutil

import pytest
from clitools import one_line_error, run
from fakes import HashEmbedder, ScriptedLLM

from assistant import collection, index
from assistant.answer import Assistant
from assistant.config import Settings, from_env
from assistant.errors import BadQuestion, BadSetting
from assistant.retrieve import Retriever


# --- the setting ---------------------------------------------------------------------------------
def test_a_collection_is_a_folder_under_the_index_and_the_default_is_the_index_itself(tmp_path):
    s = from_env({"ASSISTANT_ROOT": str(tmp_path), "ASSISTANT_COLLECTION": "reports_2026"})
    assert s.collection == "reports_2026"
    assert s.index_path == tmp_path / "index" / "collections" / "reports_2026"
    assert from_env({"ASSISTANT_ROOT": str(tmp_path)}).index_path == tmp_path / "index"
    moved = from_env({"ASSISTANT_INDEX": str(tmp_path / "idx"), "ASSISTANT_COLLECTION": "a"})
    assert moved.index_path == tmp_path / "idx" / "collections" / "a"
    # where the index lives is not what the answers depend on: eval fingerprints stay comparable
    assert s.fingerprint() == Settings(root=tmp_path).fingerprint()


@pytest.mark.parametrize("name", ["../etc", "a/b", "two words", "é", "x" * 65, "."])
def test_a_collection_name_that_is_not_a_plain_folder_name_is_refused(name):
    with pytest.raises(BadSetting, match="ASSISTANT_COLLECTION=.* is not a collection name"):
        from_env({"ASSISTANT_COLLECTION": name})


def test_a_collection_with_a_postgres_store_is_refused():
    env = {"ASSISTANT_COLLECTION": "reports", "ASSISTANT_STORE_URL": "postgresql://db/x"}
    with pytest.raises(BadSetting, match="collections are index folders"):
        from_env(env)


# --- two collections side by side ----------------------------------------------------------------
@pytest.fixture
def two(project, monkeypatch):
    """The fixture documents split in two: seeds/ (serval.txt, junta.md) in the default index and
    reports/ (un.pdf) in the collection "reports"."""
    (project / "seeds").mkdir()
    (project / "reports").mkdir()
    shutil.move(project / "docs" / "serval.txt", project / "seeds")
    shutil.move(project / "docs" / "junta.md", project / "seeds")
    shutil.move(project / "docs" / "un.pdf", project / "reports")
    monkeypatch.setenv("ASSISTANT_ROOT", str(project))
    monkeypatch.setenv("ASSISTANT_INDEX", str(project / "index"))
    monkeypatch.setenv("ASSISTANT_MODEL", "smollm2")
    quiet = {"embedder": HashEmbedder(), "log": lambda m: None}
    assert len(index.update(from_env(), **quiet).added) == 2
    reports = from_env().with_(collection="reports")
    assert index.update(reports, [project / "reports"], **quiet).added == ["reports/un.pdf"]
    return project


def test_collections_keep_separate_indexes(two):
    assert (two / "index" / "collections" / "reports" / "manifest.json").is_file()
    rows = {r["name"]: r for r in collection.listing(from_env())}
    assert set(rows) == {"", "reports"}
    assert rows[""]["documents"] == 2 and rows["reports"]["documents"] == 1
    assert rows["reports"]["passages"] >= 2 and rows[""]["problem"] is None
    assert set(Assistant(from_env()).documents()) == {"seeds/serval.txt", "seeds/junta.md"}
    other = Assistant(from_env().with_(collection="reports"))
    assert set(other.documents()) == {"reports/un.pdf"}


def test_cli_collections_and_docs_per_collection(two):
    listed = json.loads(run("collections", "--json").stdout)["collections"]
    assert [(r["name"], r["documents"]) for r in listed] == [("", 2), ("reports", 1)]
    table = run("collections")
    assert table.exit_code == 0, table.output
    assert table.stdout.splitlines()[0].split() == ["NAME", "DOCUMENTS", "PASSAGES", "FOLDER"]
    assert "(default)" in table.stdout and "reports" in table.stdout
    docs = json.loads(run("docs", "--json", "--collection", "reports").stdout)["documents"]
    assert [d["source"] for d in docs] == ["reports/un.pdf"]
    assert len(json.loads(run("docs", "--json").stdout)["documents"]) == 2


def test_cli_a_bad_or_missing_collection_is_one_line(two):
    one_line_error(run("docs", "--collection", "../x"), "--collection='../x' is not a collection name")
    one_line_error(
        run("ask", "--collection", "nope", "When did Serval begin?"),
        "build it with: assistant index PATH --index",
    )
    result = run("ask", "--collection", "nope", "When did Serval begin?")
    assert "--collection nope" in result.output
    assert not (two / "index" / "collections" / "nope").exists()  # a typo makes no new index


def test_cli_remove_within_a_collection_leaves_the_default_alone(two):
    result = run("docs", "remove", "--collection", "reports", "reports/un.pdf")
    assert result.exit_code == 0, result.output
    assert json.loads(run("docs", "--json", "--collection", "reports").stdout)["documents"] == []
    assert len(json.loads(run("docs", "--json").stdout)["documents"]) == 2


# --- asking within selected documents ------------------------------------------------------------
def test_search_within_sources_keeps_only_their_passages(two):
    s = from_env().with_(candidates=1)  # one candidate per round: the pool must grow to find them
    store = index.load(s)
    retriever = Retriever(store, HashEmbedder(), s)
    everywhere = retriever.search("Operation Serval Barkhane troops", k=4)
    assert everywhere[0].passage.source == "seeds/serval.txt"
    within = retriever.search("Operation Serval Barkhane troops", k=4, sources={"seeds/junta.md"})
    assert within and {h.passage.source for h in within} == {"seeds/junta.md"}


def test_ask_with_sources_shows_the_model_only_those_documents(two):
    s = from_env().with_(min_relevance=-1.0, max_risk=1.0)  # hash vectors: no relevance gate
    llm = ScriptedLLM(reply="Goita postponed the vote [1].")
    a = Assistant(s, embedder=HashEmbedder(), llm=llm, log=lambda m: None)
    a.ask("When did Operation Serval become Operation Barkhane?", sources=["seeds/junta.md"])
    prompt = llm.prompts[0][-3]["content"]  # the sources, in the pointer's turn
    assert "Goita" in prompt and "Barkhane in August 2014" not in prompt
    llm.prompts.clear()
    a.ask("When did Operation Serval become Operation Barkhane?")  # no filter: all documents
    assert "Barkhane in August 2014" in llm.prompts[0][-3]["content"]


def test_ask_with_an_unknown_source_fails_before_any_model_call(two):
    llm = ScriptedLLM(reply="unused")
    a = Assistant(from_env(), embedder=HashEmbedder(), llm=llm, log=lambda m: None)
    with pytest.raises(BadQuestion, match="not in the index: reports/un.pdf; see .*assistant docs"):
        a.ask("Who left Mali?", sources=["reports/un.pdf"])  # indexed, but in the other collection
    assert llm.prompts == []


def test_cli_ask_doc_that_is_not_indexed_names_the_listing(two):
    one_line_error(
        run("ask", "--collection", "reports", "--doc", "seeds/serval.txt", "Who left Mali?"),
        "not in the index: seeds/serval.txt; see the indexed names with: assistant docs --collection reports",
    )


# --- the web chat's picker -----------------------------------------------------------------------
def test_web_chat_answers_from_the_chosen_collection_and_documents(two):
    pytest.importorskip("gradio")
    from assistant.web.app import WebApp, build

    s = from_env().with_(min_relevance=-1.0, max_risk=1.0)
    llm, embedder = ScriptedLLM(reply="Minusma left [1]."), HashEmbedder()
    base = Assistant(s, embedder=embedder, llm=llm, log=lambda m: None)
    app = WebApp(base)
    library = app.library
    assert library.collection_names() == ["", "reports"]
    assert [c for _, c in app.documents.collection_choices().choices] == ["", "reports"]
    assert [src for _, src in app.documents.choices("", "reports")] == ["reports/un.pdf"]
    assert set(library.indexed()) == {"seeds/serval.txt", "seeds/junta.md", "reports/un.pdf"}  # cards, views

    reports = library.assistant_for("reports")
    assert reports is library.assistant_for("reports")  # made once
    r, b = reports.resources, base.resources
    assert r.llm is llm and r.embedder is embedder and r.model_lock is b.model_lock
    assert library.assistant_for("no-such") is base

    app.chat._ask("Who left Mali in 2023?", [], None, 4, collection="reports")
    assert "Minusma" in llm.prompts[-1][-3]["content"]
    app.chat._ask("When did Serval begin?", [], None, 4, collection="", only=["seeds/junta.md"])
    prompt = llm.prompts[-1][-3]["content"]
    assert "Goita" in prompt and "Barkhane" not in prompt and "2,400" not in prompt
    build(base)  # the page wires the picker into the answer, upload and remove events


def test_web_chat_started_on_a_collection_offers_it_first(two):
    pytest.importorskip("gradio")
    from assistant.web.app import WebApp

    started = Assistant(from_env().with_(collection="reports"), embedder=HashEmbedder(), llm=ScriptedLLM("x"))
    app = WebApp(started)
    assert app.library.collection_names() == [""] and app.library.assistant_for("") is started
    assert app.documents.collection_choices().choices == [("reports", "")]
    assert [src for _, src in app.documents.choices("", "")] == ["reports/un.pdf"]
