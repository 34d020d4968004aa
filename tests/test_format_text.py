"""Text and Markdown files: the file's own characters, and a title from the first line.

`sample` is the file that the table-wide tests of tests/test_formats.py read (for .txt and .md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import ingest


def sample(path: Path) -> Path:
    path.write_text("# Serval\r\n\r\nServal began in 2013. It became Barkhane in 2014.\nCafé près de Gao.\n")
    return path


@pytest.mark.parametrize(
    "name,text,title",
    [
        ("a.md", "# The junta\n\nCol. Goita took power.", "The junta"),
        ("b.txt", "Conflict Alerts # 508, 6 May 2022\nBody.", "Conflict Alerts # 508, 6 May 2022"),
        (
            "c.txt",
            "A first line far too long to be a title because it is a whole paragraph of text. " * 2,
            "A first line far too long to be a title because it is a whole paragraph of text",
        ),  # the first sentence, whole (its period dropped)
        (
            "f.txt",
            "What’s new?Since the coup d’état in May 2021, Malian authorities have developed ties.",
            "What’s new?",
        ),  # a heading glued to its text by a copy that lost the line break
        (
            "g.txt",
            "A first sentence that runs on and on, far past what any reader would call a title, "
            "with clause after clause; it ends here.",
            "A first sentence that runs on and on, far past what any reader would call a…",
        ),  # too long even as a sentence: cut at a word
        (
            "h.txt",
            "U.S.Army and U.N.Mission " * 5,
            "U.S.Army and U.N.Mission U.S.Army and U.N.Mission U.S.Army and U.N.Mission…",
        ),
        ("e.txt", "x" * 200, "e.txt"),  # no word break to cut at: the file name
        ("d.txt", "\ufeffTitle after a BOM\nBody.", "Title after a BOM"),
    ],
)
def test_text_titles(tmp_path, name, text, title):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    assert ingest.read_document(path, tmp_path).title == title
