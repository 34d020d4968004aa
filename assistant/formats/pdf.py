"""A PDF -> each page's text, the spans of it no reader can see, running headers, the title.

The text is pypdf's `extract_text()` of each page, unchanged, so every offset stays exact.
While pypdf extracts it, `pdf_hidden.Visibility` watches the operators that decide whether a
reader can see a run of text (colour, opacity, rendering mode, size, clipping, what is painted
over it). Hidden text is kept in the page text (offsets unchanged) and its spans are returned,
so that no passage touches it; so are running headers and footers (`furniture`).
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import threading
from pathlib import Path

from ..errors import BadDocument
from . import Parsed
from .limits import Budget
from .pdf_hidden import Visibility, merge

Span = tuple[int, int]


def read(data: bytes, path: Path, budget: Budget) -> Parsed:
    """Every page's text, hidden spans and furniture, and the document's title."""
    with quiet():
        return _read(data, budget)


def _read(data: bytes, budget: Budget) -> Parsed:
    reader = open_pdf(data, budget)
    texts, hidden = [], []
    try:
        for page in reader.pages:
            budget.check_time()
            text, spans = page_text(page, budget)
            texts.append(text)
            hidden.append(spans)
    except BadDocument:
        raise
    except Exception as e:  # noqa: BLE001 - pypdf raises many types on a damaged page
        raise BadDocument(f"broken PDF page ({type(e).__name__}); re-export or repair it") from e
    if not any(text.strip() for text in texts):
        raise BadDocument("the PDF has no text layer (scanned?); run OCR on it first")
    pages = tuple((k, text) for k, text in enumerate(texts, start=1))
    return Parsed(pages, title(reader), tuple(hidden), tuple(furniture(texts)))


def read_page(data: bytes, path: Path, page: int, budget: Budget) -> str:
    """The text a PDF citation's start/end index: pypdf's extraction of that 1-based page."""
    with quiet():
        reader = open_pdf(data, budget)
        if not 1 <= page <= len(reader.pages):
            raise BadDocument(
                f"has no page {page}; the PDF changed since it was indexed: run assistant index"
            )
        return page_text(reader.pages[page - 1], budget)[0]


_quiet_lock = threading.Lock()
_quiet_readers = 0  # reads under way; pypdf's log is quiet while there is any
_quiet_level = logging.NOTSET


@contextlib.contextmanager
def quiet():
    """pypdf logs what it repairs ("invalid pdf header", "EOF marker not found") as warnings on
    stderr; for a reader they come before, and say less than, the one-line BadDocument that
    follows. Raise its logger to ERROR while any PDF is being read (counted, so one thread's
    read does not end another's quiet)."""
    global _quiet_readers, _quiet_level
    log = logging.getLogger("pypdf")
    with _quiet_lock:
        if _quiet_readers == 0:
            _quiet_level = log.level
            log.setLevel(logging.ERROR)
        _quiet_readers += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_readers -= 1
            if _quiet_readers == 0:
                log.setLevel(_quiet_level)


def open_pdf(data: bytes, budget: Budget):
    """A pypdf reader, or BadDocument naming what is wrong with the file."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise BadDocument("the PDF is encrypted; save an unencrypted copy and index that")
        budget.check_pages(len(reader.pages))
        reader.pages[0]  # broken files often fail only here
    except BadDocument:
        raise
    except (PdfReadError, ValueError, KeyError, IndexError, TypeError, OSError) as e:
        raise BadDocument(f"broken PDF ({type(e).__name__}); re-export or repair it") from e
    except Exception as e:  # noqa: BLE001 - pypdf raises many types on damaged files, e.g. DependencyError
        raise BadDocument(f"cannot read the PDF ({type(e).__name__}: {e})") from e
    return reader


def title(reader) -> str:
    """The document-information title, if the PDF has a usable one."""
    try:
        value = reader.metadata.title if reader.metadata else None
    except Exception:  # noqa: BLE001 - damaged metadata must not stop the text from being read
        return ""
    return " ".join(str(value).split()) if value else ""


def page_text(page, budget: Budget) -> tuple[str, tuple[Span, ...]]:
    """(pypdf's text of `page`, the spans of it a reader cannot see), spans sorted and merged."""
    watch = Visibility(page, budget)
    text = page.extract_text(visitor_operand_before=watch.operator, visitor_text=watch.text) or ""
    if "".join(watch.pieces) != text:  # pypdf builds its text from the visited pieces; if a
        return text, ()  # version ever does not, flag nothing rather than flag the wrong span
    return text, merge(watch.hidden_spans())


# --- running headers and footers ---------------------------------------------------------------
FURNITURE_CHARS = 100  # a running header or footer is a short line; a repeated paragraph is text
_PAGE_NUMBER = re.compile(r"(?i)^(page\s*)?\d{1,4}(\s*(/|of)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$")


def furniture(texts: list[str]) -> list[tuple[Span, ...]]:
    """Per page, the spans of running headers and footers: a short first or last line that
    repeats (digits aside) on at least half of the pages, two at least, or a bare page number. They are
    kept out of passages so that "Annual report 2024 3" never glues onto a sentence."""
    ends = [_end_lines(t) for t in texts]
    counts: dict[str, int] = {}
    for lines in ends:
        for key in {_key(line) for line, _ in lines}:
            counts[key] = counts.get(key, 0) + 1
    repeated = {k for k, n in counts.items() if n >= 2 and n * 2 >= len(texts) and len(k) <= FURNITURE_CHARS}
    out = []
    for lines in ends:
        spans = [span for line, span in lines if _key(line) in repeated or _PAGE_NUMBER.match(line)]
        out.append(tuple(sorted(set(spans))))
    return out


def _end_lines(text: str) -> list[tuple[str, Span]]:
    """The first and the last non-blank line of a page, with their spans."""
    lines = [(m.group().strip(), m.span()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
    if not lines:
        return []
    picked = [lines[0], lines[-1]] if len(lines) > 1 else [lines[0]]
    out = []
    for line, (s, e) in picked:
        lead = len(text[s:e]) - len(text[s:e].lstrip())
        out.append((line, (s + lead, s + lead + len(line))))
    return out


def _key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.lower().split()))
