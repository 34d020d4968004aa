"""The terminal front end: errors, indexing, help, and the `ask --json` contract end to end."""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli
from assistant.generate import SMOLLM2, _package_file


@pytest.fixture
def env(project, monkeypatch):
    """A project whose seeds/ holds the fixture documents; settings come from the environment."""
    shutil.move(project / "docs", project / "seeds")
    values = {
        "ASSISTANT_ROOT": str(project),
        "ASSISTANT_INDEX": str(project / "index"),
        "ASSISTANT_MODEL": "smollm2",
    }
    for k, v in values.items():
        monkeypatch.setenv(k, v)
    return values


def run(*args):
    return CliRunner().invoke(cli, list(args))


def one_line_error(result, text):
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and text in errors[0], result.output
    assert "Traceback" not in result.output


def test_every_command_has_help():
    for name, command in cli.commands.items():
        result = run(name, "--help")
        assert result.exit_code == 0 and command.help and "Example usage" in command.help, name


@pytest.mark.parametrize(
    "question,text",
    [("", "the question is empty"), ("   ", "the question is empty"), ("x" * 100_000, "100,000 characters")],
)
def test_bad_questions(env, question, text):
    one_line_error(run("ask", question), text)


def test_missing_model_file(env, tmp_path):
    one_line_error(run("ask", "--model", str(tmp_path / "nope.gguf"), "When?"), "not found")


def test_not_a_gguf(env, tmp_path):
    bad = tmp_path / "model.gguf"
    bad.write_bytes(b"PK\x03\x04 a zip, not a model")
    one_line_error(run("ask", "--model", str(bad), "When?"), "is not a GGUF model")


@pytest.mark.slow
def test_truncated_gguf(env, tmp_path):
    real = _package_file(*SMOLLM2.files[0], SMOLLM2.pip)
    cut = tmp_path / "cut.gguf"
    with open(real, "rb") as f:
        cut.write_bytes(f.read(3_000_000))
    # in a subprocess: a native crash in llama.cpp must not take the test run down with it
    built = subprocess.run(
        [sys.executable, "-m", "assistant", "index"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
    )
    assert built.returncode == 0, built.stderr  # the index is there: the model is what fails
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "ask", "--model", str(cut), "When?"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=300,
    )
    assert proc.returncode == 1 and "cannot load" in proc.stderr and "Traceback" not in proc.stderr


def test_missing_index_and_no_seeds(env, project):
    shutil.rmtree(project / "seeds")
    one_line_error(run("ask", "When did Serval begin?"), "build it with: assistant index")


def test_a_mistyped_index_folder_is_an_error_not_a_new_index(env, project, tmp_path):
    wrong = tmp_path / "indx"
    one_line_error(run("ask", "--index", str(wrong), "When did Serval begin?"), "no index in")
    assert not wrong.exists()


@pytest.mark.slow
def test_index_built_with_another_embedder(env, project):
    assert run("index").exit_code == 0
    path = project / "index" / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["settings"]["embedder"] = "e5-small"
    path.write_text(json.dumps(manifest))
    one_line_error(run("ask", "When did Serval begin?"), "assistant index --rebuild")


@pytest.mark.slow
def test_corrupted_index(env, project):
    assert run("index").exit_code == 0
    (project / "index" / "manifest.json").write_text("\x00\x01garbage")
    one_line_error(run("ask", "When did Serval begin?"), "corrupted")


@pytest.mark.slow
def test_index_reports_what_it_did(env, project):
    first = run("index")
    assert first.exit_code == 0 and first.output.count("added:") == 3
    (project / "seeds" / "serval.txt").write_text("Serval ended in 2014.")
    second = run("index")
    assert "changed: seeds/serval.txt" in second.output and "2 unchanged" in second.output


@pytest.mark.slow
def test_index_a_mixed_folder(env, project, tmp_path):
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    (mixed / "good.txt").write_text("Gao hosted the largest French base in Mali.")
    (mixed / "empty.txt").write_text("")
    (mixed / "notes.docx").write_bytes(b"PK")
    (mixed / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    result = run("index", str(mixed))
    assert result.exit_code == 1  # something could not be indexed: say so in the exit code
    assert "1 skipped (unsupported type)" in result.output and "2 failed" in result.output
    assert "added: mixed/good.txt" in result.output  # inside the project root: a relative name


@pytest.mark.slow
def test_ask_json_contract_with_the_real_small_model(env, project):
    """`assistant ask --json` in a real process with SmolLM2: structure, not content."""
    built = subprocess.run(
        [sys.executable, "-m", "assistant", "index"],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=600,
        cwd=project,
    )
    assert built.returncode == 0, built.stderr
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "assistant",
            "ask",
            "--json",
            "When was Operation Serval transformed to Operation Barkhane?",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=600,
        cwd=project,
    )
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)  # stdout is exactly one JSON object; logs go to stderr
    assert {"question", "answer", "abstained", "citations", "model", "timings"} <= set(answer)
    assert answer["model"] == SMOLLM2.file
    assert set(answer["timings"]) >= {"retrieve_s", "first_token_s", "total_s"}
    if answer["abstained"]:
        assert answer["citations"] == []
    numbers = [c["n"] for c in answer["citations"]]
    assert len(numbers) == len(set(numbers))
    for c in answer["citations"]:
        assert f"[{c['n']}]" in answer["answer"]  # only cited sources are listed
        assert set(c) >= {"n", "source", "start", "end", "quote", "page"}
        text = (
            open(Path(project) / c["source"], encoding="utf-8", newline="").read()
            if c["page"] is None
            else None
        )
        if text is not None:
            assert text[c["start"] : c["end"]] == c["quote"]
    assert 0 <= answer["confidence"] <= 1  # computed for every answer, declined ones too
    assert set(answer["signals"]) == {"refusal", "relevance", "coverage", "typed", "verified", "certainty"}
    assert numbers == list(range(1, len(numbers) + 1))  # numbered 1..n, no gaps


# --- search and chat ---------------------------------------------------------------------------------
def no_llm(*args, **kwargs):
    raise AssertionError("`assistant search` loaded an LLM")


def span_text(project, p):
    if p["page"] is None:
        return open(Path(project) / p["source"], encoding="utf-8", newline="").read()[p["start"] : p["end"]]
    from assistant.ingest import pdf_page_text

    return pdf_page_text(Path(project) / p["source"], p["page"])[p["start"] : p["end"]]


@pytest.mark.slow
def test_search_prints_exact_spans_and_loads_no_llm(env, project, monkeypatch):
    from assistant import generate

    assert run("index").exit_code == 0
    monkeypatch.setattr(generate.LLM, "__init__", no_llm)
    monkeypatch.setattr(generate, "resolve_model", no_llm)
    result = run("search", "--json", "-k", "3", "When did Operation Serval become Barkhane?")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["query"] == "When did Operation Serval become Barkhane?"
    assert 1 <= len(out["passages"]) <= 3
    assert [p["rank"] for p in out["passages"]] == list(range(1, len(out["passages"]) + 1))
    for p in out["passages"]:
        assert set(p) == {"rank", "source", "start", "end", "page", "score", "dense", "keyword", "text"}
        assert span_text(project, p) == p["text"]  # the exact span, PDFs by page
    assert out["passages"][0]["source"] == "seeds/serval.txt"
    assert any(p["page"] for p in json.loads(run("search", "--json", "Wagner fighters").stdout)["passages"])

    text = run("search", "--top-k", "1", "Operation Barkhane")
    first = text.stdout.splitlines()[0]
    assert re.fullmatch(r"\[1\] seeds/serval\.txt \(chars \d+-\d+\)  score [\d.]+", first), first
    assert len(text.stdout.strip().splitlines()) >= 2  # the passage's text under it


def test_search_of_an_empty_query_is_a_one_line_error(env):
    one_line_error(run("search", "  "), "the question is empty")


@pytest.fixture
def scripted_chat(env, embedder, monkeypatch):
    """`assistant chat` over the fixture index, with a scripted model in place of the real one."""
    from fakes import ScriptedLLM

    from assistant import answer, index
    from assistant.config import from_env

    index.update(from_env(), embedder=embedder)
    llm = ScriptedLLM(
        replies=[
            "Operation Serval was transformed to Operation Barkhane in August 2014 [1].",
            "How many French troops were in Mali during Operation Barkhane?",  # the rewrite
            "Approximately 2,400 of France's 4,300 troops were in Mali [1].",
        ]
    )
    real = answer.Assistant

    def build(settings, model=None, **kwargs):
        sure = settings.with_(retry_confidence=2.0, extract_confidence=2.0, min_confidence=0.0)
        return real(sure, model=model, embedder=embedder, llm=llm, log=lambda m: None)

    monkeypatch.setattr(answer, "Assistant", build)
    return llm


def test_chat_answers_line_by_line_with_the_conversation_as_history(scripted_chat):
    questions = [
        "When did Operation Serval become Operation Barkhane?",
        "How many troops were there then?",
        "",  # an empty line ends the conversation
        "This is never asked?",
    ]
    result = CliRunner().invoke(cli, ["chat"], input="\n".join(questions) + "\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Operation Barkhane in August 2014 [1]." in out and "2,400 of France's 4,300 troops" in out
    assert out.count("Sources:") == 2 and out.count("[1] seeds/serval.txt (chars ") == 2
    assert "Traceback" not in result.output
    assert len(scripted_chat.prompts) == 3  # two answers and one follow-up rewrite: nothing more
    rewrite = scripted_chat.prompts[1][-1]["content"]
    assert "User: When did Operation Serval become Operation Barkhane?" in rewrite
    assert "Assistant: Operation Serval was transformed to Operation Barkhane in August 2014." in rewrite


def test_chat_ends_at_end_of_input_and_goes_on_after_a_bad_question(scripted_chat):
    text = "x" * 3000 + "\nWhen did Operation Serval become Operation Barkhane?"  # no final newline
    result = CliRunner().invoke(cli, ["chat"], input=text)
    assert result.exit_code == 0, result.output
    assert "3,000 characters" in result.stderr and "August 2014 [1]." in result.stdout
