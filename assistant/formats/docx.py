"""A Word file -> (text, title): paragraphs, headings and table rows, one a line, in order.

python-docx reads the body in document order (`iter_inner_content`). Runs formatted as hidden
(`w:vanish`) are left out, as Word leaves them out of the page. A line break inside a paragraph
starts a new line; empty paragraphs are dropped. A table row is one line, its cells joined by
" | " (a merged cell read once), so a row reads as a fact. Page
headers, footers, footnotes and text boxes are not read.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import BadDocument


def read_docx(path: Path) -> tuple[str, str]:
    """(text, core-properties title) of a .docx file, or BadDocument naming the problem."""
    import zipfile

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
        lines = list(_lines(document))
        title = document.core_properties.title or ""
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError) as e:
        raise BadDocument(
            f"{path}: not a readable Word .docx file ({type(e).__name__}); re-save it as .docx"
        ) from e
    except Exception as e:  # noqa: BLE001 - lxml and zipfile raise many types on damaged files
        raise BadDocument(f"{path}: broken Word file ({type(e).__name__}); re-save it as .docx") from e
    text = "\n".join(lines)
    if not text.strip():
        raise BadDocument(f"{path}: the Word file has no text; add text or remove it")
    return text, " ".join(title.split())


def _lines(container):
    from docx.table import Table

    for block in container.iter_inner_content():
        if isinstance(block, Table):
            yield from _table_lines(block)
        else:
            yield from _paragraph_lines(block)


def _paragraph_lines(paragraph):
    from docx.text.run import Run

    parts = []
    for item in paragraph.iter_inner_content():
        if isinstance(item, Run) and item.font.hidden:
            continue
        parts.append(item.text)
    for line in "".join(parts).split("\n"):
        line = " ".join(line.split())
        if line:
            yield line


def _table_lines(table):
    """A row a line, its cells joined by " | " (a merged cell read once), as in formats/html.py."""
    for row in table.rows:
        cells, seen = [], []
        for cell in row.cells:
            if any(cell._tc is tc for tc in seen):
                continue
            seen.append(cell._tc)
            cells.append(" ".join(_lines(cell)))
        line = " | ".join(c for c in cells if c)
        if line:
            yield line
