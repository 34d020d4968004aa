"""Files -> text -> passages with exact character offsets.

    >>> text = "Serval began in 2013. It became Barkhane in 2014."
    >>> [text[s:e] for s, e in sentence_spans(text)]
    ['Serval began in 2013.', 'It became Barkhane in 2014.']

Reading order: `read_document` picks a reader by suffix (text here; PDF, web page and Word file
in formats/), giving each page's text, its title and, for a PDF, the spans no passage may touch
(hidden text, running headers). `passages` groups whole sentences (segment.py) into passages of
about `chunk_chars` characters, neighbours sharing `chunk_overlap` sentences. Offsets always
index `document_text(path, page)`, which gives the same text again from the file alone.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import shlex
from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .errors import BadDocument
from .segment import ABBREVIATIONS, Span, chunk_spans, display_text, outside, sentence_spans  # noqa: F401
from .types import Passage

SUPPORTED = {".txt", ".md", ".markdown", ".pdf", ".html", ".htm", ".docx"}
# Bump when what a file turns into changes (its text, the sentence or passage splits): an index
# built by another version holds other offsets and must be rebuilt. 2: laid-out PDF lines,
# hidden PDF text and running headers kept out of passages, HTML and Word files, titles.
VERSION = 2
# Byte-order marks of text that `open(source, encoding="utf-8")` cannot read. UTF-32 comes
# first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


@dataclass(frozen=True)
class Document:
    """A file read for indexing: the text of each page and what passages must leave out."""

    source: str
    sha256: str
    pages: tuple[tuple[int | None, str], ...]  # (page or None, text): what citations index
    title: str = ""  # what a person calls the document (see `_title`)
    hidden: tuple[tuple[Span, ...], ...] = ()  # per page: spans a reader cannot see (PDF)
    furniture: tuple[tuple[Span, ...], ...] = ()  # per page: running headers, page numbers

    def excluded(self, k: int) -> tuple[Span, ...]:
        """The spans of page `k` (0-based, in `pages` order) that no passage may touch."""
        pick = lambda spans: spans[k] if k < len(spans) else ()
        return tuple(sorted(pick(self.hidden) + pick(self.furniture)))


TITLE_CHARS = 80  # a first line longer than this is a paragraph, not a title


def source_name(path: Path, root: Path) -> str:
    """How a file is named in the index: relative to the project root when inside it."""
    path = Path(path).resolve()
    try:
        return path.relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def read_document(path: Path, root: Path, max_bytes: int = Settings.max_text_bytes) -> Document:
    """Read a supported file; raise BadDocument with the fix if it cannot be used.

    A text, web or Word file over `max_bytes` is refused before it is read (PDFs are not
    limited here: their size is mostly images)."""
    path = Path(path)
    kind = path.suffix.lower()
    data = _read_bytes(path, max_bytes)
    name = source_name(path, root)
    digest = hashlib.sha256(data).hexdigest()
    if kind == ".pdf":
        return _read_pdf(path, name, digest)
    text, title = _read_flat(path, kind, data)
    return Document(name, digest, ((None, text),), _title(title, text, path))


def document_text(path: Path, page: int | None = None) -> str:
    """The exact text a citation's `start:end` index, for every format:

        .txt .md   the file decoded as UTF-8 with newlines untouched (`newline=""`)
        .pdf       pypdf's text of the 1-based `page` (`pdf_page_text`)
        .html .htm the page's readable text, one block a line (formats/html.py)
        .docx      the paragraphs, headings and table cells, one a line (formats/docx.py)

    It is recomputed from the file, not stored: each reader is a deterministic function of the
    file's bytes, and the index already records each file's sha256, so a changed file is
    re-indexed rather than cited against a stale copy. A sidecar would be a second copy of every
    document to keep in step and to delete; the price of recomputing is that upgrading pypdf,
    beautifulsoup4 or python-docx may move offsets, so an upgrade should re-index (`--rebuild`).
    """
    path = Path(path)
    kind = path.suffix.lower()
    if kind == ".pdf":
        if page is None:
            raise BadDocument(f"{path}: a PDF citation needs its page number")
        return pdf_page_text(path, page)
    return _read_flat(path, kind, _read_bytes(path, None))[0]


def _read_bytes(path: Path, max_bytes: int | None) -> bytes:
    kind = path.suffix.lower()
    if kind not in SUPPORTED:
        raise BadDocument(
            f"{path}: unsupported type {path.suffix or '(none)'}; use one of {', '.join(sorted(SUPPORTED))}"
        )
    try:
        if kind != ".pdf" and max_bytes is not None:
            _check_size(path, path.stat().st_size, max_bytes)
        data = path.read_bytes()
    except OSError as e:
        raise BadDocument(f"{path}: cannot read ({e.strerror}); check the path and permissions") from e
    if not data.strip():
        raise BadDocument(f"{path}: the file is empty; add text or remove it")
    return data


def _read_flat(path: Path, kind: str, data: bytes) -> tuple[str, str]:
    """(text, title from the format) of a one-page file: text, markdown, web page, Word."""
    if kind in (".html", ".htm"):
        from .formats.html import read_html

        return read_html(path, data)
    if kind == ".docx":
        from .formats.docx import read_docx

        return read_docx(path)
    _refuse_utf16_or_32(path, data)
    if b"\x00" in data[:8192]:
        raise BadDocument(f"{path}: looks binary, not text; index the original document instead")
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError as e:
        raise BadDocument(
            f"{path}: not UTF-8 (bad byte at {e.start}); convert it, e.g. iconv -f latin1 -t utf-8"
        ) from e


def _title(title: str, text: str, path: Path) -> str:
    """The format's own title, else a short first line (markdown's '#' dropped), else the first
    line's opening words (a document with no title line still gets a name a reader can tell
    apart from its neighbours), else the file name.

    >>> line = "In 2022, every month brings a new diplomatic low in the French-Malian relationship."
    >>> _title("", line, Path("a.txt"))
    'In 2022, every month brings a new diplomatic low in the French-Malian…'
    """
    if title.strip():
        return " ".join(title.split())
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    first = " ".join(first.lstrip("\ufeff").lstrip("#").split())
    if len(first) > TITLE_CHARS:
        cut = first.rfind(" ", 0, TITLE_CHARS - 8)
        first = first[:cut].rstrip(",;:") + "…" if cut > 0 else ""
    return first or path.name


def _check_size(path: Path, size: int, limit: int) -> None:
    def shown(n: int) -> str:
        return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n:,} bytes"

    if size > limit:
        raise BadDocument(
            f"{path}: {shown(size)} is over the {shown(limit)} limit for one text file "
            "(Settings.max_text_bytes); split it into smaller files"
        )


def _refuse_utf16_or_32(path: Path, data: bytes) -> None:
    """UTF-16 and UTF-32 text (with a byte-order mark) is decoded to tell it from binary, then
    refused with a command that converts it. Reading it would be possible (`document_text`
    could decode it), but every tool that checks a citation with the plain rule
    `open(source, encoding="utf-8", newline="").read()[start:end] == quote` would then fail on
    it; a UTF-8 copy keeps that rule true for every text file. Decided for issue 11."""
    for bom, codec in _BOMS:
        if not data.startswith(bom):
            continue
        try:
            data.decode(codec.lower())
        except UnicodeDecodeError as e:
            raise BadDocument(
                f"{path}: starts like {codec} text but has a bad byte at {e.start}; "
                "index the original document instead"
            ) from e
        q, tmp = shlex.quote(str(path)), shlex.quote(f"{path}.utf8")
        raise BadDocument(
            f"{path}: {codec} text; citations need UTF-8: convert it, "
            f"e.g. iconv -f {codec} -t UTF-8 {q} > {tmp} && mv {tmp} {q}"
        )


def _read_pdf(path: Path, name: str, digest: str) -> Document:
    from .formats import pdf

    reader = pdf.open_pdf(path)
    texts, hidden = [], []
    try:
        for page in reader.pages:
            text, spans = pdf.page_text(page)
            texts.append(text)
            hidden.append(spans)
    except Exception as e:  # noqa: BLE001 - pypdf raises many types on a damaged page
        raise BadDocument(f"{path}: broken PDF page ({type(e).__name__}); re-export or repair it") from e
    if not any(text.strip() for text in texts):
        raise BadDocument(f"{path}: the PDF has no text layer (scanned?); run OCR on it first")
    pages = tuple((k, text) for k, text in enumerate(texts, start=1))
    furniture = tuple(pdf.furniture(texts))
    visible = "\n".join(_visible(t, h + f) for t, h, f in zip(texts, hidden, furniture))
    return Document(name, digest, pages, _title(pdf.title(reader), visible, path), tuple(hidden), furniture)


def _visible(text: str, spans) -> str:
    return "".join(text[s:e] for s, e in outside(len(text), spans))


def pdf_page_text(path: Path, page: int) -> str:
    """The text that a PDF citation's start/end index: pypdf's extraction of that page."""
    from .formats import pdf

    return pdf.page_text(pdf.open_pdf(Path(path)).pages[page - 1])[0]


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
            raise BadDocument(f"{p}: no such file or folder")
        for f in found:
            (files if f.suffix.lower() in SUPPORTED else skipped).append(f)
    return files, skipped


def _walk(folder: Path, skip_hidden: bool) -> list[Path]:
    """The files under `folder`, sorted; hidden files and folders left out when asked."""

    def refuse(e: OSError):
        raise BadDocument(
            f"{e.filename}: cannot read this folder ({e.strerror}); "
            f"fix its permissions (chmod u+rx) or move it out of {folder}"
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
