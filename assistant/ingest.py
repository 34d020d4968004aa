"""Files -> text -> passages with exact character offsets.

    >>> text = "Serval began in 2013. It became Barkhane in 2014."
    >>> [text[s:e] for s, e in sentence_spans(text)]
    ['Serval began in 2013.', 'It became Barkhane in 2014.']

Reading order: `read_document` looks the file's suffix up in the table of formats
(formats/__init__.py), whose reader gives each page's text, the format's title and the spans no
passage may touch (hidden text, running headers). `passages` groups whole sentences
(segment.py) into passages of about `chunk_chars` characters, neighbours sharing
`chunk_overlap` sentences. Offsets always index `document_text(path, page)`, which gives the
same text again from the file alone. File names in messages are escaped (`errors.printable`).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from . import formats
from .config import Settings
from .errors import BadDocument, printable
from .formats import Limits, Parsed
from .formats.limits import mb
from .segment import ABBREVIATIONS, Span, chunk_spans, display_text, outside, sentence_spans  # noqa: F401
from .types import Passage

SUPPORTED = formats.SUFFIXES  # kept for importers; the list of formats is formats.FORMATS


@dataclass(frozen=True)
class Document:
    """A file read for indexing: what its reader made of it, under the index's name for it."""

    source: str
    sha256: str
    parsed: Parsed
    title: str = ""  # what a person calls the document (see `_title`)

    @property
    def pages(self) -> tuple[tuple[int | None, str], ...]:  # (page or None, text): what citations index
        return self.parsed.pages

    @property
    def hidden(self) -> tuple[tuple[Span, ...], ...]:  # per page: spans a reader cannot see
        return self.parsed.hidden

    def excluded(self, k: int) -> tuple[Span, ...]:
        """The spans of page `k` (0-based, in `pages` order) that no passage may touch."""
        return self.parsed.excluded(k)


TITLE_CHARS = 80  # a first line longer than this is a paragraph, not a title
SENTENCE_CHARS = 120  # a first sentence up to this long names the document better whole than cut
# "What's new?Since the coup...": a short heading ending in ?, ! or : (or . after a lower-case
# letter, so "U.S.Army" stays whole) with the text glued on by a copy that lost the line break
_GLUED_HEADING = re.compile(rf"^(.{{3,{TITLE_CHARS}}}?(?:[?!:]|(?<=[a-z])\.))(\w)")


def source_name(path: Path, root: Path) -> str:
    """How a file is named in the index: relative to the project root when inside it."""
    path = Path(path).resolve()
    try:
        return path.relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def read_document(path: Path, root: Path, limits: Limits | None = None) -> Document:
    """Read a supported file; raise BadDocument with the fix if it cannot be used.

    `limits` (default: `Settings().read_limits()`) bound what one file may cost; a text, web or
    Word file over `limits.text_bytes` is refused before it is read (PDFs are not limited by
    size: their size is mostly images, and their pages are counted instead)."""
    path, limits = Path(path), limits or Settings().read_limits()
    fmt = _format(path)
    data = _read_bytes(path, limits.text_bytes if fmt.sized else None)
    parsed = formats.read(fmt, data, path, limits)
    visible = "\n".join(_visible(text, parsed.excluded(k)) for k, (_, text) in enumerate(parsed.pages))
    title = _title(parsed.title, visible, path)
    return Document(source_name(path, root), hashlib.sha256(data).hexdigest(), parsed, title)


def document_text(path: Path, page: int | None = None, limits: Limits | None = None) -> str:
    """The exact text a citation's `start:end` index, for every format (formats/):

        .txt .md   the file decoded as UTF-8 with newlines untouched (`newline=""`)
        .pdf       pypdf's text of the 1-based `page`
        .html .htm the page's readable text, one block a line (formats/html.py)
        .docx      the paragraphs, headings and table cells, one a line (formats/docx.py)

    It is recomputed from the file, not stored: each reader is a deterministic function of the
    file's bytes, and the index already records each file's sha256, so a changed file is
    re-indexed rather than cited against a stale copy. A sidecar would be a second copy of every
    document to keep in step and to delete; the price of recomputing is that upgrading pypdf,
    beautifulsoup4 or python-docx may move offsets, which is why their versions are part of the
    index fingerprint (an upgrade asks for `--rebuild`).
    """
    path, limits = Path(path), limits or Settings().read_limits()
    fmt = _format(path)
    if fmt.paged:
        if page is None:
            raise BadDocument(printable(f"{path}: a {fmt.name} citation needs its page number"))
        return formats.read_page(fmt, _read_bytes(path, None), path, page, limits)
    return document_pages(path, limits)[0][1]


def document_pages(path: Path, limits: Limits | None = None) -> tuple[tuple[int | None, str], ...]:
    """Every (page, text) of a file, as `document_text` gives each: what the eval's gold
    quotes are found in."""
    path, limits = Path(path), limits or Settings().read_limits()
    return formats.read(_format(path), _read_bytes(path, None), path, limits).pages


def pdf_page_text(path: Path, page: int) -> str:
    """The text that a PDF citation's start/end index (`document_text` of that page)."""
    return document_text(path, page)


def _format(path: Path) -> formats.Format:
    fmt = formats.lookup(path.suffix)
    if fmt is None:
        kinds = ", ".join(sorted(formats.SUFFIXES))
        raise BadDocument(
            printable(f"{path}: unsupported type {path.suffix or '(none)'}; use one of {kinds}")
        )
    return fmt


def _read_bytes(path: Path, max_bytes: int | None) -> bytes:
    try:
        if max_bytes is not None:
            _check_size(path, path.stat().st_size, max_bytes)
        data = path.read_bytes()
    except OSError as e:
        raise BadDocument(
            printable(f"{path}: cannot read ({e.strerror}); check the path and permissions")
        ) from e
    if not data.strip():
        raise BadDocument(printable(f"{path}: the file is empty; add text or remove it"))
    return data


def _title(title: str, text: str, path: Path) -> str:
    """The format's own title, else the first line (markdown's '#' dropped) when it is short,
    else its heading glued to the text (a web page copied as text loses the break after
    "What's new?"), else its first sentence whole when that is short enough, else the sentence
    cut at a word with "…"; the file name when there is no text, or no word to cut at.

    >>> first = "In 2022, every month brings a new diplomatic low in the French-Malian relationship."
    >>> _title("", first + " Mali's junta has blended concerns", Path("a.txt"))
    'In 2022, every month brings a new diplomatic low in the French-Malian relationship'
    >>> _title("", "What’s new?Since the coup d’état in May 2021, Malian authorities " * 2, Path("a.txt"))
    'What’s new?'
    >>> _title("", "word " * 40, Path("a.txt"))
    'word word word word word word word word word word word word word word word word…'
    """
    if title.strip():
        return " ".join(title.split())
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    first = " ".join(first.lstrip("\ufeff").lstrip("#").split())
    if len(first) <= TITLE_CHARS:
        return first or path.name
    glued = _GLUED_HEADING.match(first)
    if glued and glued.group(2).isupper():
        return glued.group(1)
    s, e = sentence_spans(first)[0]
    sentence = first[s:e].rstrip()
    if len(sentence) <= SENTENCE_CHARS:
        return sentence[:-1] if sentence.endswith(".") else sentence
    cut = first.rfind(" ", 0, TITLE_CHARS)
    return first[:cut].rstrip(",;:–—-") + "…" if cut > 0 else path.name  # no word to cut at


def _check_size(path: Path, size: int, limit: int) -> None:
    if size > limit:
        raise BadDocument(
            printable(
                f"{path}: {mb(size)} is over the {mb(limit)} limit for one text file "
                "(Settings.max_text_bytes); split it into smaller files"
            )
        )


def _visible(text: str, spans) -> str:
    return "".join(text[s:e] for s, e in outside(len(text), spans))


def passages(doc: Document, chunk_chars: int, overlap: int) -> list[Passage]:
    """Split a document into passages; `passage.text == page_text[start:end]` always.

    A PDF page is split as laid-out text (`wrapped=True`), and no passage touches the page's
    hidden text or running headers (`Document.excluded`)."""
    out = []
    for k, (page, text) in enumerate(doc.pages):
        spans = chunk_spans(text, chunk_chars, overlap, wrapped=page is not None, exclude=doc.excluded(k))
        out += [Passage(doc.source, start, end, text[start:end], page) for start, end in spans]
    return out


def sentences(p: Passage) -> list[Passage]:
    """The sentences of a passage, each an exact span of the same document and page."""
    return [
        Passage(p.source, s, e, p.text[s - p.start : e - p.start], p.page)
        for s, e in sentence_spans(p.text, p.start, wrapped=p.page is not None)
    ]


def collect(paths, skip_hidden: bool = True) -> tuple[list[Path], list[Path]]:
    """Expand files and folders into (supported files, skipped files), sorted.

    A sub-folder that cannot be read is an error naming it, not a silent gap: its files may be
    indexed already, and an update that did not see them would drop them."""
    files: list[Path] = []
    skipped: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found = _walk(p, skip_hidden)
        elif p.exists():
            found = [p]
        else:
            raise BadDocument(printable(f"{p}: no such file or folder"))
        for f in found:
            (files if formats.lookup(f.suffix) else skipped).append(f)
    return files, skipped


def _walk(folder: Path, skip_hidden: bool) -> list[Path]:
    """The files under `folder`, sorted; hidden files and folders left out when asked."""

    def refuse(e: OSError):
        raise BadDocument(
            printable(
                f"{e.filename}: cannot read this folder ({e.strerror}); "
                f"fix its permissions (chmod u+rx) or move it out of {folder}"
            )
        ) from e

    found = []
    for top, dirs, names in os.walk(folder, onerror=refuse):
        if skip_hidden:
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            names = [n for n in names if not n.startswith(".")]
        found += [f for f in (Path(top) / n for n in names) if f.is_file()]
    return sorted(found)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
