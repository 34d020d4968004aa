"""The table of document formats: file suffix -> reader, each with its name and aliases.

Every format is a reader of one shape: the file's bytes (and its path, for messages) and a
`Budget` in, a `Parsed` out (after paper-qa's `ParsedText`, plus exact offsets and excluded
spans). `FORMATS` below is the one list of formats: ingestion, the upload check, the `index`
command's help, the web app's file picker and the eval's source reader all read it.

    >>> lookup(".HTM").name, listing()
    ('web page', '.docx, .html, .md, .pdf or .txt')

    text.py  .txt .md   the file decoded as UTF-8, unchanged
    pdf.py   .pdf       pypdf's text of each page; text a reader cannot see (pdf_hidden.py,
                        pdf_resources.py) and running headers returned as excluded spans
    html.py  .html .htm a saved web page's readable text, one block a line; css.py reads the
                        page's <style> rules that can hide text
    docx.py  .docx      a Word file's paragraphs, headings and table rows, one a line
    looks.py            when text counts as unseen (colour, opacity, size), for every reader
    limits.py           what one document may cost (size, pages, nesting, unpacked parts, time)

Each reader is a pure function of the file's bytes and the installed library versions, so
`ingest.document_text` gives the same text again at citation time; the versions of the
libraries named in the table go into the index fingerprint, so upgrading one asks for a
rebuild. A reader that builds its own text (web, Word) leaves out what a reader of the page
cannot see; one that must keep a library's text as it is (PDF) returns it as `hidden` spans,
which no passage may touch. Nothing here splits sentences (segment.py does).

Adding a format (say `.odt`):
1. write `formats/odt.py` with `read(data: bytes, path: Path, budget: Budget) -> Parsed`
   (and, for a paged format, `read_page(data, path, page, budget) -> str`); raise `BadDocument`
   with what is wrong and what to do, without the file name (`read` below prefixes it);
   call `budget.tick()` in loops over the document's parts;
2. add its row to `FORMATS`: name, suffixes, module, the distributions it reads with;
3. add `tests/test_format_odt.py` with a file built by the test and its round trip: every
   passage of `ingest.read_document` equals `ingest.document_text(path, page)[start:end]`.
Nothing else changes: `tests/test_formats.py` checks that every row has a reader, a name and a
round-trip case somewhere under tests/.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Protocol, cast

from ..errors import BadDocument, printable
from .limits import Budget, Limits

Span = tuple[int, int]
__all__ = ["FORMATS", "Budget", "Format", "Limits", "Parsed", "lookup", "read", "read_page"]


@dataclass(frozen=True)
class Parsed:
    """What a reader makes of one file."""

    pages: tuple[tuple[int | None, str], ...]  # (page number or None, text): what citations index
    title: str = ""  # the format's own title (PDF metadata, <title>, Word's core properties)
    hidden: tuple[tuple[Span, ...], ...] = ()  # per page: text no reader can see, kept for offsets
    furniture: tuple[tuple[Span, ...], ...] = ()  # per page: running headers, page numbers
    libraries: Mapping[str, str] = field(default_factory=dict)  # {distribution: version} that read it

    def excluded(self, k: int) -> tuple[Span, ...]:
        """The spans of page `k` (0-based, in `pages` order) that no passage may touch."""
        pick = lambda spans: spans[k] if k < len(spans) else ()
        return tuple(sorted(pick(self.hidden) + pick(self.furniture)))


class Reader(Protocol):
    def __call__(self, data: bytes, path: Path, budget: Budget) -> Parsed: ...


class PageReader(Protocol):
    def __call__(self, data: bytes, path: Path, page: int, budget: Budget) -> str: ...


@dataclass(frozen=True)
class Format:
    name: str  # what a person calls it, as help texts print it
    suffixes: tuple[str, ...]  # lower case; the first is the format's own, the rest aliases
    module: str  # formats/<module>.py, imported only when a file of this kind is read
    libraries: tuple[str, ...] = ()  # distributions whose version can change the text
    paged: bool = False  # citations carry a page number; the module has `read_page`
    sized: bool = True  # Settings.max_text_bytes applies (not to PDFs: their size is images)

    def reader(self) -> Reader:
        return cast(Reader, importlib.import_module(f"{__name__}.{self.module}").read)

    def page_reader(self) -> PageReader:
        return cast(PageReader, importlib.import_module(f"{__name__}.{self.module}").read_page)


FORMATS = (
    Format("text", (".txt",), "text"),
    Format("Markdown", (".md", ".markdown"), "text"),
    Format("PDF", (".pdf",), "pdf", ("pypdf",), paged=True, sized=False),
    Format("web page", (".html", ".htm"), "html", ("beautifulsoup4",)),
    Format("Word", (".docx",), "docx", ("python-docx", "lxml")),
)
SUFFIXES = frozenset(s for f in FORMATS for s in f.suffixes)  # every suffix, aliases included


def lookup(suffix: str) -> Format | None:
    """The format of a file suffix ('.pdf', any case), or None if none reads it."""
    return next((f for f in FORMATS if suffix.lower() in f.suffixes), None)


def listing() -> str:
    """Each format's own suffix, for a one-line label: '.docx, .html, .md, .pdf or .txt'."""
    own = sorted(f.suffixes[0] for f in FORMATS)
    return ", ".join(own[:-1]) + f" or {own[-1]}" if len(own) > 1 else own[0]


def described() -> str:
    """Every format with all its suffixes, for help texts.

    >>> described()[:44]
    'text (.txt), Markdown (.md, .markdown), PDF '
    """
    return ", ".join(f"{f.name} ({', '.join(f.suffixes)})" for f in FORMATS)


@cache
def library_versions() -> dict[str, str]:
    """{distribution: installed version} of every reader library, for the index fingerprint."""
    out = {}
    for name in sorted({lib for f in FORMATS for lib in f.libraries}):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def read(fmt: Format, data: bytes, path: Path, limits: Limits) -> Parsed:
    """`fmt`'s reader on `data`, with the reader's libraries recorded. A BadDocument from the
    reader is re-raised naming the file, control characters escaped: one line, whatever the
    file is called."""
    budget = Budget(limits)
    try:
        parsed = fmt.reader()(data, path, budget)
        budget.check_time()  # a reader with few parts looks at the clock only here
    except BadDocument as e:
        raise BadDocument(printable(f"{path}: {e}")) from e
    versions = library_versions()
    return replace(parsed, libraries={lib: versions[lib] for lib in fmt.libraries})


def read_page(fmt: Format, data: bytes, path: Path, page: int, limits: Limits) -> str:
    """The text of one page of a paged format (1-based `page`), as `read` gives it."""
    try:
        return fmt.page_reader()(data, path, page, Budget(limits))
    except BadDocument as e:
        raise BadDocument(printable(f"{path}: {e}")) from e
