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
from clitools import one_line_error, run

from assistant.llms.packaged import SMOLLM2, _package_file
from assistant.terminal.cli import cli


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
    (mixed / "notes.xyz").write_bytes(b"PK")
    (mixed / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    result = run("index", str(mixed))
    assert result.exit_code == 0, result.output  # it indexed what it could
    assert "added: mixed/good.txt" in result.stdout  # inside the project root: a relative name
    assert f"skipped: {mixed / 'notes.xyz'} (unsupported type .xyz)" in result.stderr
    assert "skipped: mixed/empty.txt (the file is empty; add text or remove it)" in result.stderr
    assert re.search(r"failed: mixed/binary\.txt \(looks binary", result.stderr), result.stderr
    assert "1 added, 0 changed, 0 removed, 0 unchanged; 2 skipped, 1 failed;" in result.stdout
    again = run("index", str(mixed))  # nothing new, but the good file is in the index: still 0
    assert again.exit_code == 0 and "1 unchanged; 2 skipped, 1 failed;" in again.stdout
    assert run("index", "--strict", str(mixed)).exit_code == 1  # --strict: any problem fails


@pytest.mark.slow
def test_index_exits_1_when_nothing_could_be_indexed(env, project, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_text("")
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    result = run("index", str(bad))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "skipped: bad/empty.txt" in result.stderr and "failed: bad/binary.txt" in result.stderr


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
    assert answer["outcome"] in {"answer", "closest", "declined"}
    assert answer["abstained"] == (answer["outcome"] != "answer")
    if answer["outcome"] == "declined":
        assert answer["citations"] == []  # "the documents may not answer this" cites the closest
    numbers = [c["n"] for c in answer["citations"]]
    assert len(numbers) == len(set(numbers))
    for c in answer["citations"]:
        if answer["outcome"] == "answer":
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
    from assistant.gate import FEATURES

    assert set(FEATURES) - {"none"} <= set(answer["signals"])  # what the gate reads is in the record
    assert "refusal" in answer["signals"]  # the pointer's P(NONE), which the gate reads as "none"
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
    from assistant.llms import local, packaged

    assert run("index").exit_code == 0
    monkeypatch.setattr(local.LLM, "__init__", no_llm)
    monkeypatch.setattr(packaged, "resolve_model", no_llm)
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
    # the rank, the title, the exact span, and the similarity a reader understands (not the RRF score)
    assert re.fullmatch(r"\[1\] .+ — seeds/serval\.txt \(chars \d+-\d+\)  similarity 0\.\d\d", first), first
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
        sure = settings.with_(max_risk=1.0)
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
    assert out.count("Sources:") == 2 and out.count("seeds/serval.txt (chars ") == 2  # after the title
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


def test_a_follow_up_is_searched_as_rewritten_and_says_so_only_then(scripted_chat):
    questions = ["When did Operation Serval become Operation Barkhane?", "How many troops were there then?"]
    result = CliRunner().invoke(cli, ["chat"], input="\n".join(questions) + "\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("Searched for:") == 1  # the first question was searched as asked
    assert "Searched for: How many French troops were in Mali during Operation Barkhane?" in result.stdout


def test_a_rewrite_that_copies_the_answer_falls_back_to_the_question(scripted_chat):
    scripted_chat.replies[1] = scripted_chat.replies[0]  # the "rewrite" is the previous answer
    questions = ["When did Operation Serval become Operation Barkhane?", "How many troops were there then?"]
    result = CliRunner().invoke(cli, ["chat"], input="\n".join(questions) + "\n")
    assert result.exit_code == 0, result.output
    assert (
        "Searched for: How many troops were there then? (Operation Serval become Barkhane)" in result.stdout
    )


def test_a_pipe_gets_the_checked_answer_once_and_no_draft(scripted_chat):
    # the draft cites a source that does not exist; the checked answer drops the marker
    scripted_chat.replies[0] = (
        "Operation Serval was transformed to Operation Barkhane in August 2014 [1] [7]."
    )
    result = run("ask", "When did Operation Serval become Operation Barkhane?")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.count("Operation Barkhane in August 2014") == 2  # the answer, and its quote
    assert "[7]" not in out and "Checked answer" not in out and "\x1b" not in out
    assert out.startswith("Operation Serval was transformed to Operation Barkhane in August 2014 [1].\n")
    assert "Searched for" not in out


# --- an --index that does not exist --------------------------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ["ask", "When did Serval begin?"],
        ["search", "Serval"],
        ["chat"],
        ["docs"],
        ["docs", "remove", "seeds/serval.txt"],
        ["eval", "--retrieval-only", "--limit", "1"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_every_command_refuses_an_index_folder_that_does_not_exist(env, project, tmp_path, args):
    if args[0] == "eval":  # a question set over the fixture documents, so the index is what fails
        item = {"id": "q1", "question": "When did Serval begin?", "category": "fact", "answerable": True}
        item |= {"expected": [["2013"]], "gold": [{"source": "seeds/serval.txt", "quote": "January 2013"}]}
        (project / "set.jsonl").write_text(json.dumps(item) + "\n")
        args = [*args, "--questions", str(project / "set.jsonl")]
    wrong = tmp_path / "indx"
    one_line_error(run(*args, "--index", str(wrong)), f"no index in {wrong}")
    assert not wrong.exists()  # only `assistant index` creates an index


# --- assistant docs ---------------------------------------------------------------------------------
class WordVectors:
    """Vectors from hashed words: enough to build a real index whose listing and removal are
    under test, with no embedding model loaded (the vectors' quality does not matter here)."""

    def __init__(self):
        from assistant.embed import DIMENSION

        self.dimension = DIMENSION

    def embed(self, texts, progress=False):
        import numpy as np

        out = np.zeros((len(texts), self.dimension), dtype="float32")
        for i, text in enumerate(texts):
            for word in text.lower().split():
                out[i, hash(word) % self.dimension] += 1.0
            out[i] /= max(float(np.linalg.norm(out[i])), 1e-6)
        return out

    def embed_query(self, text):
        return self.embed([text])[0]


@pytest.fixture
def indexed(env, project):
    from assistant import index
    from assistant.config import from_env

    report = index.update(from_env(), embedder=WordVectors(), log=lambda m: None)
    assert len(report.added) == 3
    return project


def test_docs_lists_each_document_with_its_passages_and_date(indexed):
    result = run("docs")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["PASSAGES", "INDEXED", "(UTC)", "PATH", "TITLE"]
    assert len(lines) == 4
    for line in lines[1:]:
        assert re.match(r"\s+[1-9]\d*  (\d{4}-\d\d-\d\d \d\d:\d\d|-)\s+seeds/\S+ +\S", line), line
    assert "seeds/serval.txt" in result.stdout and "seeds/un.pdf" in result.stdout
    assert "3 documents, " in result.stderr


def test_docs_json(indexed):
    out = json.loads(run("docs", "--json").stdout)
    docs = {d["source"]: d for d in out["documents"]}
    assert set(docs) == {"seeds/serval.txt", "seeds/junta.md", "seeds/un.pdf"}
    for d in docs.values():
        assert set(d) == {"source", "title", "passages", "indexed_at", "size"} and d["passages"] >= 1
        assert isinstance(d["title"], str)


def test_docs_remove_takes_documents_out_of_the_index_not_off_the_disk(indexed):
    result = run("docs", "remove", "seeds/serval.txt", str(indexed / "seeds" / "junta.md"))
    assert result.exit_code == 0, result.output
    assert "removed: seeds/serval.txt" in result.stdout and "removed: seeds/junta.md" in result.stdout
    left = [d["source"] for d in json.loads(run("docs", "--json").stdout)["documents"]]
    assert left == ["seeds/un.pdf"]
    assert (indexed / "seeds" / "serval.txt").exists() and (indexed / "seeds" / "junta.md").exists()


def test_docs_remove_takes_the_names_people_type(indexed, tmp_path):
    from assistant import index
    from assistant.config import from_env

    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "serval.txt").write_text("A second file of the same name, outside the project.")
    index.update(from_env(), [other], embedder=WordVectors(), log=lambda m: None)
    twice = run("docs", "remove", "serval.txt")  # two documents have that name: both listed
    one_line_error(twice, "serval.txt names 2 documents: elsewhere/serval.txt, seeds/serval.txt")
    result = run("docs", "remove", "the JUNTA", "un.pdf", str(other / "serval.txt"))  # title, name, path
    assert result.exit_code == 0, result.output
    left = [d["source"] for d in json.loads(run("docs", "--json").stdout)["documents"]]
    assert left == ["seeds/serval.txt"]
    assert "1 document, " in result.stdout  # left: no "1 document(s)"


def test_docs_remove_of_an_unknown_name_says_how_to_see_the_names(indexed):
    one_line_error(run("docs", "remove", "seeds/nope.txt"), "see the indexed names with: assistant docs")
    assert len(json.loads(run("docs", "--json").stdout)["documents"]) == 3  # nothing removed


# --- on a real terminal ------------------------------------------------------------------------------
TTY_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from fakes import ScriptedLLM
from assistant import answer
from assistant.terminal import cli

real = answer.Assistant
llm = ScriptedLLM(reply={reply!r})

def build(settings, model=None, **kwargs):
    sure = settings.with_(max_risk=1.0)
    return real(sure, model=model, llm=llm, **kwargs)

answer.Assistant = build
sys.argv = ["assistant", "ask", "When did Operation Serval become Operation Barkhane?"]
cli.main()
"""


def run_in_a_terminal(env, project, columns: int, extra_env=()) -> str:
    """Run `assistant ask` (scripted model, real embedder) with stdout and stderr on a pty."""
    import fcntl
    import pty
    import struct
    import termios

    script = TTY_SCRIPT.format(
        tests=str(Path(__file__).parent),
        reply="Operation Serval was transformed to Operation Barkhane in August 2014 [1] [7].",
    )
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        env={**environ, **env, **dict(extra_env)},
        cwd=project,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # the pty closes when the process ends
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=600) == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode()


@pytest.mark.slow
def test_a_terminal_gets_a_status_line_a_draft_replaced_by_the_checked_answer_and_colour(env, project):
    assert run("index").exit_code == 0
    out = run_in_a_terminal(env, project, columns=60)
    assert "Searching the documents" in out  # the status line, on stderr
    assert "[7]" in out and "\x1b[J" in out  # the draft streamed, then erased
    final = out[out.rindex("\x1b[J") :]
    assert "[7]" not in final.split("Checked:")[0]  # the checked answer has no [7] ...
    assert "Checked: removed [7]: no passage has that number." in final  # ... and says why
    assert "Confidence that this answer is right: " in final  # in words, as the web chat says
    assert "\x1b[1m" in final  # the answer in bold
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", final).replace("\r", "")
    assert max(len(line) for line in text.splitlines()) <= 60  # wrapped to the terminal
    assert "Operation Serval was transformed to Operation Barkhane" in " ".join(text.split())


@pytest.mark.slow
def test_no_color_on_a_terminal(env, project):
    assert run("index").exit_code == 0
    out = run_in_a_terminal(env, project, columns=100, extra_env={"NO_COLOR": "1"})
    final = out[out.rindex("\x1b[J") :]
    assert not re.search(r"\x1b\[[0-9;]*m", final)  # no colour, though the draft is still erased
    assert "August 2014 [1]." in final
