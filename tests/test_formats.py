"""The table of formats (formats/__init__.py): every row has a reader, a name, a test file with a
sample and an exact round trip; the places that list formats read the table; the reader
libraries' versions are in the index fingerprint. Then what holds for every format: one-line
errors, tables as rows, and a cited answer from each.

A format's own tests live in tests/test_format_<module>.py, whose `sample(path)` builds a
file of that format: adding a format adds that one test file (see formats/__init__.py).
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from formattools import exact

from assistant import formats, ingest
from assistant.config import Settings
from assistant.errors import BadDocument

TESTS = Path(__file__).resolve().parent
ROWS = {f.suffixes[0]: f for f in formats.FORMATS}


def sample_of(fmt: formats.Format):
    """The `sample` builder of the format's own test file (skips if that file skips)."""
    return importlib.import_module(f"test_format_{fmt.module}").sample


# --- the table ------------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", ROWS)
def test_every_row_has_a_reader_a_name_and_a_test_file(suffix):
    fmt = ROWS[suffix]
    assert fmt.name and all(s.startswith(".") and s == s.lower() for s in fmt.suffixes)
    assert callable(fmt.reader()) and (not fmt.paged or callable(fmt.page_reader()))
    assert (TESTS / f"test_format_{fmt.module}.py").is_file(), "each reader module has its test file"
    assert callable(sample_of(fmt))


def test_no_suffix_belongs_to_two_rows():
    suffixes = [s for f in formats.FORMATS for s in f.suffixes]
    assert len(suffixes) == len(set(suffixes)) == len(formats.SUFFIXES)


@pytest.mark.parametrize("suffix", [s for f in formats.FORMATS for s in f.suffixes])
def test_every_suffix_round_trips_exactly(tmp_path, suffix):
    fmt = formats.lookup(suffix)
    path = sample_of(fmt)(tmp_path / f"sample{suffix}")
    doc = ingest.read_document(path, tmp_path)
    assert exact(path, doc) and doc.title
    assert ingest.document_pages(path) == doc.pages
    assert dict(doc.parsed.libraries) == {lib: formats.library_versions()[lib] for lib in fmt.libraries}


def test_the_reader_libraries_are_in_the_index_fingerprint():
    readers = Settings().index_fingerprint()["readers"]
    for name in ("pypdf", "beautifulsoup4", "python-docx"):
        assert f"{name} {formats.library_versions()[name]}" in readers


def test_every_place_that_lists_formats_reads_the_table(tmp_path):
    from assistant.terminal.cli import cli
    from assistant.web import uploads

    help_text = " ".join(CliRunner().invoke(cli, ["index", "--help"]).output.split())
    assert formats.described() in help_text
    for fmt in formats.FORMATS:
        for suffix in fmt.suffixes:
            assert uploads.safe_name(f"report{suffix.upper()}")
    with pytest.raises(BadDocument, match=f"upload a {formats.listing()} file"):
        uploads.safe_name("report.odt")
    files, skipped = ingest.collect([_touch(tmp_path, s) for s in (*formats.SUFFIXES, ".odt")])
    assert len(files) == len(formats.SUFFIXES) and [p.suffix for p in skipped] == [".odt"]


def _touch(folder: Path, suffix: str) -> Path:
    path = folder / f"a{suffix}"
    path.write_text("x")
    return path


def test_formats_and_the_cli_help_import_no_reader_library():
    code = (
        "import sys, assistant.formats, assistant.config, assistant.terminal.cli; "
        "assistant.config.Settings().index_fingerprint(); "
        "print(sorted(m for m in ('pypdf', 'bs4', 'docx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("module", ["config", "formats/__init__", "formats/limits", "formats/looks"])
def test_config_and_the_table_import_neither_ingest_nor_each_other_in_a_circle(module):
    """config imports formats (versions, limits); ingest imports both; nothing imports back."""
    import ast

    tree = ast.parse((TESTS.parent / "assistant" / f"{module}.py").read_text())
    imported = {
        (node.module or "") + "." + alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert not any("ingest" in name for name in imported)
    back = any(name.startswith(("config.", ".config", "..config")) for name in imported)
    assert module == "config" or not back


# --- bad input: one line each -------------------------------------------------------------------------------
def broken_zip(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04 not really a zip")


def zip_without_document(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a word file")


def empty_docx(path: Path) -> None:
    docx = pytest.importorskip("docx")
    docx.Document().save(str(path))


@pytest.mark.parametrize(
    "name,write,message",
    [
        ("broken.docx", broken_zip, "not a readable Word .docx file"),
        ("other.docx", zip_without_document, "not a readable Word .docx file"),
        ("blank.docx", empty_docx, "has no text"),
        (
            "empty.html",
            lambda p: p.write_text("<html><body><nav>Home</nav></body></html>"),
            "no readable text",
        ),
        ("script.htm", lambda p: p.write_text("<script>alert(1)</script>"), "no readable text"),
        ("nothing.html", lambda p: p.write_bytes(b""), "empty"),
    ],
)
def test_bad_web_and_word_files_raise_one_line_errors(tmp_path, name, write, message):
    path = tmp_path / name
    write(path)
    with pytest.raises(BadDocument) as err:
        ingest.read_document(path, tmp_path)
    assert message in str(err.value) and "\n" not in str(err.value) and name in str(err.value)
    with pytest.raises(BadDocument):
        ingest.document_text(path)


def test_table_rows_read_as_lines_with_merged_and_nested_cells(tmp_path):
    docx = pytest.importorskip("docx")
    d = docx.Document()
    table = d.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "Gold exports"
    for c, value in enumerate(["2022", "72.2", "tonnes"]):
        table.cell(1, c).text = value
    d.save(str(tmp_path / "t.docx"))
    assert ingest.document_text(tmp_path / "t.docx").splitlines() == ["Gold exports", "2022 | 72.2 | tonnes"]
    html = tmp_path / "t.html"
    html.write_text(
        "<table><tr><td>Mali</td><td><table><tr><td>72.2</td><td>t</td></tr></table></td></tr></table>"
    )
    assert ingest.document_text(html).splitlines() == ["Mali | 72.2 | t"]


# --- end to end: a cited answer from each format ------------------------------------------------------
ANSWERS = {
    "mines.pdf": ("The state's stake in new mines rose to 35 percent [1].", "What stake in new mines?", "35"),
    "gold.html": ("Mali exported 72.2 tonnes of gold in 2022 [1].", "How much gold in 2022?", "72.2"),
    "gold.docx": ("The largest mine is the Loulo-Gounkoto complex [1].", "Which mine is largest?", "Loulo"),
}  # each file is its format's `sample`


@pytest.mark.parametrize("name", ANSWERS)
def test_each_format_answers_with_an_exact_citation(settings, embedder, scripted, name):
    from assistant import index
    from assistant.answer import Assistant

    reply, question, quote_has = ANSWERS[name]
    docs = settings.root / "docs"
    for old in docs.iterdir():
        old.unlink()
    sample_of(formats.lookup(Path(name).suffix))(docs / name)
    index.update(settings, [docs], embedder=embedder)
    plain = settings.with_(max_risk=1.0)
    llm = scripted(replies=[reply])
    answer = Assistant(plain, embedder=embedder, llm=llm, log=lambda m: None).ask(question)
    assert answer.citations, answer
    for c in answer.citations:
        text = ingest.document_text(settings.root / c.source, c.page)
        assert text[c.start : c.end] == c.quote and c.source == f"docs/{name}"
    assert any(quote_has in c.quote for c in answer.citations)


def test_reader_libraries_print_nothing_before_the_one_line_error(tmp_path):
    """pypdf's "invalid pdf header" and bs4's advice on URL-like or XML-like pages must not
    reach stderr; what a user sees of a bad file is our one line (in a fresh process, where no
    test runner holds the warnings)."""
    (tmp_path / "bad.pdf").write_bytes(b"not a pdf at all")
    (tmp_path / "cut.pdf").write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF")
    (tmp_path / "url.html").write_text("http://example.com/page")
    (tmp_path / "xml.html").write_text('<?xml version="1.0"?><root><p>Text about Mali.</p></root>')
    code = (
        "import sys; from pathlib import Path; from assistant import ingest\n"
        "from assistant.errors import BadDocument\n"
        "for p in sorted(Path(sys.argv[1]).iterdir()):\n"
        "    try: ingest.read_document(p, p.parent)\n"
        "    except BadDocument as e: print(e)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "bad.pdf: broken PDF" in done.stdout and "cut.pdf: broken PDF" in done.stdout
