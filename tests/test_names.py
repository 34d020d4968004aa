"""Names people type for a document (documents.resolve): the index's name, a path, the bare file
name, or the title that `assistant docs` and the web chat show; several matches list them."""

from pathlib import Path

import pytest

from assistant.documents import UnknownDocument, resolve

KNOWN = {
    "seeds/004_8a76.txt": {"title": "What’s new?"},
    "seeds/003_6d0f.txt": {"title": "Mali’s Junta Is Looking to Blame Anyone but Itself"},
    "/home/ann/reports/2023/q3.pdf": {"title": "Q3 report"},
    "/home/ann/reports/2024/q3.pdf": {"title": "Q3 report"},
    "notes/q3.md": {"title": ""},
}


@pytest.mark.parametrize(
    "typed,want",
    [
        ("seeds/004_8a76.txt", "seeds/004_8a76.txt"),  # as the index names it
        ("004_8a76.txt", "seeds/004_8a76.txt"),  # the bare file name
        ("004_8A76.TXT", "seeds/004_8a76.txt"),  # in any case
        ("004_8a76", "seeds/004_8a76.txt"),  # without its suffix
        ("what's new?", "seeds/004_8a76.txt"),  # the title, straight quotes for curly ones
        ("  Mali’s  junta is looking to blame anyone but itself ", "seeds/003_6d0f.txt"),
        ("/home/ann/reports/2023/q3.pdf", "/home/ann/reports/2023/q3.pdf"),
        ("q3.md", "notes/q3.md"),  # the file name wins over another document's stem
    ],
)
def test_a_typed_name_finds_its_document(typed, want):
    assert resolve([typed], KNOWN, Path("/project")) == [want]


@pytest.mark.parametrize(
    "typed,message",
    [
        ("q3.pdf", "q3.pdf names 2 documents: /home/ann/reports/2023/q3.pdf, /home/ann/reports/2024/q3.pdf"),
        ("Q3 report", "Q3 report names 2 documents:"),
        ("nope.txt", "not in the index: nope.txt; see the indexed names with: assistant docs"),
        ("a\nremoved: b", "not in the index: a\\nremoved: b;"),  # one line, whatever is typed
    ],
)
def test_no_or_several_documents_is_one_line(typed, message):
    with pytest.raises(UnknownDocument) as e:
        resolve([typed], KNOWN, Path("/project"))
    assert message in str(e.value) and "\n" not in str(e.value)


def test_a_path_relative_to_the_current_folder(tmp_path, monkeypatch):
    (tmp_path / "seeds").mkdir()
    monkeypatch.chdir(tmp_path / "seeds")
    assert resolve(["./004_8a76.txt"], KNOWN, tmp_path) == ["seeds/004_8a76.txt"]


def test_every_problem_in_one_line_with_the_listing_named():
    with pytest.raises(UnknownDocument) as e:
        resolve(["q3.pdf", "gone.txt"], KNOWN, Path("/project"), "GET /v1/documents")
    text = str(e.value)
    assert text.startswith("q3.pdf names 2 documents") and text.endswith(
        "not in the index: gone.txt; see the indexed names with: GET /v1/documents"
    )
