"""Files -> passages: exact offsets for txt, md and PDF; one-line errors for bad files."""

import pytest
from conftest import PDF_PAGES, encrypted_pdf_bytes, pdf_bytes

from assistant import ingest
from assistant.errors import BadDocument


@pytest.mark.parametrize(
    "text,expected",
    [
        ("One. Two.", ["One.", "Two."]),
        ("Col. Goita took power. He stayed.", ["Col. Goita took power.", "He stayed."]),
        (
            "The U.N. mission left. Then U.S. aid stopped.",
            ["The U.N. mission left.", "Then U.S. aid stopped."],
        ),
        ("He said: “No.” Then left.", ["He said: “No.”", "Then left."]),
        ("Title\nBody line one. Body two?  Yes!", ["Title", "Body line one.", "Body two?", "Yes!"]),
        ("In 2013. 2,400 troops stayed.", ["In 2013.", "2,400 troops stayed."]),
        ("lower. case continues", ["lower. case continues"]),
        ("What’s new?Since the coup, ties grew.", ["What’s new?", "Since the coup, ties grew."]),
        ("Then the Rev. Brown spoke. Vol. 2 followed.", ["Then the Rev. Brown spoke.", "Vol. 2 followed."]),
        ("stake in new\nmines to 35 percent.", ["stake in new", "mines to 35 percent."]),  # not a PDF
        ("", []),
        ("   \n\n  ", []),
    ],
)
def test_sentence_spans(text, expected):
    spans = ingest.sentence_spans(text)
    assert [text[s:e] for s, e in spans] == expected


@pytest.mark.parametrize(
    "page,expected",
    [
        ("stake in new\nmines to 35 percent.", ["stake in new\nmines to 35 percent."]),
        ("the ministry con-\nfirmed it. Then", ["the ministry con-\nfirmed it.", "Then"]),
        (
            "Heading\nA body line that runs on to the right margin of the page\nand stops.",
            ["Heading", "A body line that runs on to the right margin of the page\nand stops."],
        ),
        (
            "One paragraph ends here.\n\nanother starts in lower case.",
            ["One paragraph ends here.", "another starts in lower case."],
        ),
        ("• Gold: 72 tonnes\n• Cotton: 0.8 million", ["• Gold: 72 tonnes", "• Cotton: 0.8 million"]),
        (
            "Sahel Review, report 2024\nMining law\nThe largest mine in class was the\nBig one.",
            ["Sahel Review, report 2024", "Mining law", "The largest mine in class was the\nBig one."],
        ),
        (
            "The ministry of mines gave it, led by Colonel\nGoita.\nThe next paragraph starts here.",
            ["The ministry of mines gave it, led by Colonel\nGoita.", "The next paragraph starts here."],
        ),
    ],
)
def test_sentence_spans_of_a_laid_out_page(page, expected):
    got = [page[s:e] for s, e in ingest.sentence_spans(page, wrapped=True)]
    assert got == expected


@pytest.mark.parametrize("chunk_chars,overlap", [(40, 0), (80, 1), (600, 1), (10, 2)])
def test_chunks_cover_every_sentence_with_exact_offsets(chunk_chars, overlap):
    text = "Alpha one is here. Beta two follows it.\r\nGamma three — café. Delta four ends.\n"
    sents = ingest.sentence_spans(text)
    chunks = ingest.chunk_spans(text, chunk_chars, overlap)
    for s, e in sents:  # every sentence lies inside some chunk
        assert any(cs <= s and e <= ce for cs, ce in chunks)
    for cs, ce in chunks:  # chunks start and end on sentence boundaries
        assert cs in {s for s, _ in sents} and ce in {e for _, e in sents}


def test_text_and_markdown_passages_match_the_file(project, settings):
    for name in ("serval.txt", "junta.md"):
        path = project / "docs" / name
        doc = ingest.read_document(path, settings.root)
        assert doc.source == f"docs/{name}"
        raw = open(path, encoding="utf-8", newline="").read()
        passages = ingest.passages(doc, 120, 1)
        assert passages
        for p in passages:
            assert raw[p.start : p.end] == p.text and p.page is None


def test_crlf_and_non_ascii_offsets_are_exact(tmp_path):
    path = tmp_path / "w.txt"
    path.write_bytes("Première ligne, été 2022.\r\nSecond — line here.\r\n".encode())
    doc = ingest.read_document(path, tmp_path)
    raw = open(path, encoding="utf-8", newline="").read()
    assert [raw[p.start : p.end] for p in ingest.passages(doc, 30, 0)] == [
        "Première ligne, été 2022.",
        "Second — line here.",
    ]


def test_pdf_passages_index_the_page_text(project, settings):
    path = project / "docs" / "un.pdf"
    doc = ingest.read_document(path, settings.root)
    passages = ingest.passages(doc, 600, 1)
    assert {p.page for p in passages} == {1, 2}
    for p in passages:
        assert ingest.pdf_page_text(path, p.page)[p.start : p.end] == p.text
    assert "Minusma" in passages[0].text


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("empty.txt", b"", "empty"),
        ("blank.md", b"  \n\n ", "empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR" * 20, "binary"),
        ("latin1.txt", "Café au lait, près de Bamako.".encode("latin-1"), "not UTF-8"),
        ("broken.pdf", b"%PDF-1.4\nthis is not really a pdf\n%%EOF", "PDF"),
        ("truncated.pdf", pdf_bytes(PDF_PAGES)[:200], "PDF"),
        ("locked.pdf", encrypted_pdf_bytes(PDF_PAGES), "encrypted"),
        ("scan.pdf", pdf_bytes(["", ""]), "no text layer"),
        ("table.csv", b"a,b\n1,2\n", "unsupported"),
    ],
)
def test_bad_documents_raise_one_line_errors(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(BadDocument) as err:
        ingest.read_document(path, tmp_path)
    text = str(err.value)
    assert message in text and "\n" not in text and name in text


def test_collect_skips_unsupported_and_hidden_files(tmp_path):
    (tmp_path / "a.txt").write_text("A text.")
    (tmp_path / "b.pdf").write_bytes(pdf_bytes(["B text."]))
    (tmp_path / "c.doc").write_bytes(b"\xd0\xcf")
    (tmp_path / "img.png").write_bytes(b"\x89PNG")
    (tmp_path / ".hidden.txt").write_text("secret")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "d.md").write_text("# D")
    files, skipped = ingest.collect([tmp_path])
    assert [f.name for f in files] == ["a.txt", "b.pdf", "d.md"]
    assert sorted(f.name for f in skipped) == ["c.doc", "img.png"]


def test_collect_missing_path_is_a_one_line_error(tmp_path):
    with pytest.raises(BadDocument, match="no such file"):
        ingest.collect([tmp_path / "nope"])
