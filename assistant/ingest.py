"""Files -> text -> passages with exact character offsets.

    >>> text = "Serval began in 2013. It became Barkhane in 2014."
    >>> [text[s:e] for s, e in sentence_spans(text)]
    ['Serval began in 2013.', 'It became Barkhane in 2014.']

A passage is a run of whole sentences of about `chunk_chars` characters; neighbours share
`chunk_overlap` sentences. Offsets index the file's text (read with newline="") or, for a PDF,
the text pypdf extracts from one page.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .errors import BadDocument
from .types import Passage

SUPPORTED = {".txt", ".md", ".markdown", ".pdf"}
# Byte-order marks of text that `open(source, encoding="utf-8")` cannot read. UTF-32 comes
# first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)

# Words after which a period does not end a sentence ("Col. Goita", "U.N. mission").
ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sr",
    "jr",
    "st",
    "col",
    "gen",
    "lt",
    "capt",
    "maj",
    "sgt",
    "gov",
    "sen",
    "rep",
    "pres",
    "no",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "approx",
    "fig",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "inc",
}
# A sentence ends at . ! ? (plus closing quotes/brackets) followed by space and a capital,
# digit or opening quote; or at a line break.
_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])|\n")
_WORD_BEFORE = re.compile(r"(\S+)\s*$")


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, shifted by `offset`, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        if m.group() != "\n" and _is_abbreviation(text[start : m.start() + 1]):
            continue
        _add_span(text, start, m.end(), offset, spans)
        start = m.end()
    _add_span(text, start, len(text), offset, spans)
    return spans


def _is_abbreviation(before: str) -> bool:
    m = _WORD_BEFORE.search(before)
    word = m.group(1).lower().rstrip(".") if m else ""
    # initials and dotted acronyms: "U.S.", "J." ; known short words: "Col."
    return (
        word in ABBREVIATIONS
        or len(word) == 1
        and word.isalpha()
        or ("." in word and len(word) <= 5 and word.replace(".", "").isalpha())
    )


def _add_span(text, start, end, offset, spans):
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        lead = len(chunk) - len(chunk.lstrip())
        spans.append((offset + start + lead, offset + start + lead + len(stripped)))


def chunk_spans(text: str, chunk_chars: int, overlap: int) -> list[tuple[int, int]]:
    """Group sentences into passages of about `chunk_chars`, sharing `overlap` sentences."""
    sents = sentence_spans(text)
    chunks, i = [], 0
    while i < len(sents):
        j = i + 1
        while j < len(sents) and sents[j][1] - sents[i][0] <= chunk_chars:
            j += 1
        chunks.append((sents[i][0], sents[j - 1][1]))
        if j >= len(sents):
            break
        i = max(j - overlap, i + 1)
    return chunks


@dataclass(frozen=True)
class Document:
    source: str
    sha256: str
    pages: tuple[tuple[int | None, str], ...]  # (page or None, text)


def source_name(path: Path, root: Path) -> str:
    """How a file is named in the index: relative to the project root when inside it."""
    path = Path(path).resolve()
    try:
        return path.relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def read_document(path: Path, root: Path, max_bytes: int = Settings.max_text_bytes) -> Document:
    """Read a .txt, .md or .pdf file; raise BadDocument with the fix if it cannot be used.

    A text file over `max_bytes` is refused before it is read (PDFs are not limited here: their
    size is mostly images)."""
    path = Path(path)
    if path.suffix.lower() not in SUPPORTED:
        raise BadDocument(
            f"{path}: unsupported type {path.suffix or '(none)'}; use one of {', '.join(sorted(SUPPORTED))}"
        )
    try:
        if path.suffix.lower() != ".pdf":
            _check_size(path, path.stat().st_size, max_bytes)
        data = path.read_bytes()
    except OSError as e:
        raise BadDocument(f"{path}: cannot read ({e.strerror}); check the path and permissions") from e
    if not data.strip():
        raise BadDocument(f"{path}: the file is empty; add text or remove it")
    name = source_name(path, root)
    digest = hashlib.sha256(data).hexdigest()
    if path.suffix.lower() == ".pdf":
        return Document(name, digest, _pdf_pages(path))
    _refuse_utf16_or_32(path, data)
    if b"\x00" in data[:8192]:
        raise BadDocument(f"{path}: looks binary, not text; index the original document instead")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadDocument(
            f"{path}: not UTF-8 (bad byte at {e.start}); convert it, e.g. iconv -f latin1 -t utf-8"
        ) from e
    return Document(name, digest, ((None, text),))


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
    refused: citations promise `open(source, encoding="utf-8", newline="").read()[start:end]
    == quote`, which no such file can keep, so the fix is a UTF-8 copy."""
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


def _open_pdf(path: Path):
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise BadDocument(f"{path}: the PDF is encrypted; save an unencrypted copy and index that")
        reader.pages[0]  # broken files often fail only here
    except BadDocument:
        raise
    except (PdfReadError, ValueError, KeyError, IndexError, TypeError, OSError) as e:
        raise BadDocument(f"{path}: broken PDF ({type(e).__name__}); re-export or repair it") from e
    except Exception as e:  # pypdf raises many types on damaged files, e.g. DependencyError
        raise BadDocument(f"{path}: cannot read the PDF ({type(e).__name__}: {e})") from e
    return reader


def _pdf_pages(path: Path) -> tuple[tuple[int, str], ...]:
    reader = _open_pdf(path)
    pages = []
    try:
        for number, page in enumerate(reader.pages, start=1):
            pages.append((number, page.extract_text() or ""))
    except Exception as e:
        raise BadDocument(f"{path}: broken PDF page ({type(e).__name__}); re-export or repair it") from e
    if not any(text.strip() for _, text in pages):
        raise BadDocument(f"{path}: the PDF has no text layer (scanned?); run OCR on it first")
    return tuple(pages)


def pdf_page_text(path: Path, page: int) -> str:
    """The text that a PDF citation's start/end index: pypdf's extraction of that page."""
    return _open_pdf(Path(path)).pages[page - 1].extract_text() or ""


def passages(doc: Document, chunk_chars: int, overlap: int) -> list[Passage]:
    """Split a document into passages; `passage.text == page_text[start:end]` always."""
    out = []
    for page, text in doc.pages:
        for start, end in chunk_spans(text, chunk_chars, overlap):
            out.append(Passage(doc.source, start, end, text[start:end], page))
    return out


def sentences(p: Passage) -> list[Passage]:
    """The sentences of a passage, each an exact span of the same document and page."""
    return [
        Passage(p.source, s, e, p.text[s - p.start : e - p.start], p.page)
        for s, e in sentence_spans(p.text, p.start)
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
