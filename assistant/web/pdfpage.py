"""A cited PDF page as the reader sees it: the page drawn, the quote highlighted on it.

Drawn on the server with pypdfium2 (PDFium, the PDF engine of Chromium), rather than with
pdf.js in the page, because the highlight has to be found from the citation, which indexes
pypdf's text of the page: PDFium's text layer gives each character of the page with its box,
in the same engine that draws the picture, so finding the quote there and boxing its
characters lines the highlight up with the pixels by construction, and it is testable in
Python, without a browser. pdf.js would add 1.7 MB of vendored JavaScript (pdfjs-dist 5.6:
`pdf.min.mjs` and its worker) and the same matching, against its own extraction, written in
the browser and tested only through it.

The two extractions differ in spacing, line breaks and ligatures, so the quote is found by
its letters and digits alone (NFKC-folded, lower case), the occurrence nearest the quote's
place on the page winning; a quote that cannot be placed is said so, and the text view (exact
offsets, always) shows it.

    >>> chars = list("The bridge was opened in 1934 by Ida Brenne.")
    >>> i, j = find_quote(chars, "opened in\\n1934")
    >>> "".join(chars[i:j])
    'opened in 1934'
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SCALE = 2.0  # pixels per PDF point: 144 dpi, sharp on a laptop screen, ~0.3 MB a page as PNG
MAX_PIXELS = 12_000_000  # a poster-sized page is drawn smaller rather than filling the memory
_LOCK = threading.Lock()  # PDFium is not thread-safe; Gradio and the routes run in many threads


@dataclass(frozen=True)
class Box:
    """A rectangle on the page as fractions of its width and height, from the top left."""

    x: float
    y: float
    w: float
    h: float


@dataclass(frozen=True)
class Layout:
    """What the document view draws over the page image."""

    aspect: float  # width / height of the page as drawn
    words: tuple[tuple[str, Box], ...]  # the text layer: selectable, and what a test reads
    marks: tuple[Box, ...]  # the quote's boxes, one a line; () when it could not be placed


def _key(text: str) -> list[tuple[str, int]]:
    """(letter or digit, index in `text`) for each letter and digit, NFKC-folded, lower case."""
    out = []
    for i, ch in enumerate(text):
        for k in unicodedata.normalize("NFKC", ch).lower():
            if k.isalnum():
                out.append((k, i))
    return out


def find_quote(chars: list[str], quote: str, near: float = 0.5) -> tuple[int, int] | None:
    """(first, end) indexes in `chars` (the page's characters, in PDFium's order) of `quote`,
    matched on letters and digits; the match nearest `near` (0-1, where the quote lies in the
    page text) when it occurs more than once. None when it is not there."""
    page = [(k, i) for i, c in enumerate(chars) for k, _ in _key(c)]
    wanted = _key(quote)
    needle = "".join(k for k, _ in wanted)
    hay = "".join(k for k, _ in page)
    if not needle:
        return None
    found, at = [], hay.find(needle)
    while at >= 0:
        found.append(at)
        at = hay.find(needle, at + 1)
    if not found:
        return None
    best = min(found, key=lambda a: abs(a / max(1, len(hay)) - near))
    return page[best][1], page[best + len(needle) - 1][1] + 1


def _lines(boxes: list[tuple[float, float, float, float]]) -> list[tuple[float, float, float, float]]:
    """Character boxes (left, top, right, bottom; top < bottom) merged into one box a line."""
    out: list[list[float]] = []
    for left, top, right, bottom in boxes:
        last = out[-1] if out else None
        overlap = min(bottom, last[3]) - max(top, last[1]) if last else 0.0
        if last and overlap > 0.5 * min(bottom - top, last[3] - last[1]):  # the same line
            last[0], last[1] = min(last[0], left), min(last[1], top)
            last[2], last[3] = max(last[2], right), max(last[3], bottom)
        else:
            out.append([left, top, right, bottom])
    return [(a, b, c, d) for a, b, c, d in out]


class _Page:
    """One page's characters and their boxes, in fractions of the page drawn."""

    def __init__(self, pdf, number: int):
        import pypdfium2.raw as raw

        page = pdf[number - 1]
        self.width, self.height = page.get_size()
        if page.get_rotation() in (90, 270):
            self.width, self.height = self.height, self.width
        text = page.get_textpage()
        self.chars: list[str] = []
        self.boxes: list[tuple[float, float, float, float] | None] = []
        for i in range(text.count_chars()):
            self.chars.append(chr(raw.FPDFText_GetUnicode(text, i) or 32))
            generated = raw.FPDFText_IsGenerated(text, i) == 1
            self.boxes.append(None if generated else self._box(raw, page, *text.get_charbox(i, loose=True)))

    def _box(self, raw, page, left, bottom, right, top):
        """A character's box on the page as drawn (rotation and crop box included)."""
        import ctypes

        size = 10_000  # device units: fractions to four places
        w, h = size, round(size * self.height / self.width)
        corners = []
        for x, y in ((left, top), (right, bottom)):
            dx, dy = ctypes.c_int(), ctypes.c_int()
            raw.FPDF_PageToDevice(page, 0, 0, w, h, 0, x, y, ctypes.byref(dx), ctypes.byref(dy))
            corners.append((dx.value / w, dy.value / h))
        (x0, y0), (x1, y1) = corners
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)

    def words(self) -> tuple[tuple[str, Box], ...]:
        """The page's words with their boxes: the text layer drawn over the image."""
        boxes: list[tuple[float, float, float, float]]
        out: list[tuple[str, Box]] = []
        word, boxes = "", []  # the word being read, its characters' boxes
        for ch, box in [*zip(self.chars, self.boxes), (" ", None)]:
            if box is None or ch.isspace() or (boxes and box[0] < boxes[-1][0] - 0.001):
                if word.strip() and boxes:
                    (left, top, right, bottom), *_ = _lines(boxes)
                    out.append((word, Box(left, top, right - left, bottom - top)))
                word, boxes = "", []
            if box is not None and not ch.isspace():
                word, boxes = word + ch, [*boxes, box]
        return tuple(out)

    def marks(self, quote: str, near: float) -> tuple[Box, ...]:
        span = find_quote(self.chars, quote, near)
        if span is None:
            return ()
        boxes = [b for b in self.boxes[span[0] : span[1]] if b is not None and b[2] > b[0]]
        return tuple(Box(a, b, c - a, d - b) for a, b, c, d in _lines(boxes))


@lru_cache(maxsize=8)
def _layout(path: str, stamp: tuple, number: int, quote: str, near: float) -> Layout:
    import pypdfium2 as pdfium

    with _LOCK:
        pdf = pdfium.PdfDocument(path)
        try:
            page = _Page(pdf, number)
            return Layout(page.width / page.height, page.words(), page.marks(quote, near))
        finally:
            pdf.close()


def layout(path: Path, number: int, quote: str, near: float = 0.5) -> Layout:
    """The text layer of page `number` (1-based) and the boxes of `quote` on it."""
    st = Path(path).stat()
    return _layout(str(path), (st.st_size, st.st_mtime_ns), number, quote, round(near, 3))


def page_png(path: Path, number: int, scale: float = SCALE) -> bytes:
    """Page `number` (1-based) drawn as a PNG, as the reader would see it printed."""
    import io

    import pypdfium2 as pdfium

    with _LOCK:
        pdf = pdfium.PdfDocument(str(path))
        try:
            page = pdf[number - 1]
            width, height = page.get_size()
            scale = min(scale, (MAX_PIXELS / max(1.0, width * height)) ** 0.5)
            image = page.render(scale=scale).to_pil()
        finally:
            pdf.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def page_count(path: Path) -> int:
    import pypdfium2 as pdfium

    with _LOCK:
        pdf = pdfium.PdfDocument(str(path))
        try:
            return len(pdf)
        finally:
            pdf.close()
