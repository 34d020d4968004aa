"""PDF pages -> (text, hidden spans); page furniture; the title.

The text is pypdf's `extract_text()` of the page, unchanged, so every offset stays exact. While
pypdf extracts it, a visitor watches the operators that decide whether a reader can see a run of
text: the fill colour (`g`, `rg`, `k`, `sc`, `scn`, saved and restored by `q`/`Q`), the rendering
mode (`Tr` 3 and 7 draw nothing), the effective font size and where the text starts. Text that is
near-white, smaller than `TINY_PT` points, invisible or outside the page's crop box is *hidden*:
it is kept in the page text (offsets unchanged) and its spans are returned, so that ingest can
keep it out of every passage. A white page background is assumed: white text on a dark box is
flagged too, which loses a line of evidence rather than letting a planted one through.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from ..errors import BadDocument

Span = tuple[int, int]
TINY_PT = 3.0  # below this a printed or on-screen glyph is not readable
WHITE = 0.95  # a fill at least this light (gray/RGB; CMYK at most 1 - WHITE ink) reads as white
_INVISIBLE_MODES = {3, 7}  # Tr 3: neither fill nor stroke; 7: clip only
_SHOW = {b"Tj", b"TJ", b"'", b'"'}


def open_pdf(path: Path):
    """A pypdf reader, or BadDocument naming what is wrong with the file."""
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
    except Exception as e:  # noqa: BLE001 - pypdf raises many types on damaged files, e.g. DependencyError
        raise BadDocument(f"{path}: cannot read the PDF ({type(e).__name__}: {e})") from e
    return reader


def title(reader) -> str:
    """The document-information title, if the PDF has a usable one."""
    try:
        value = reader.metadata.title if reader.metadata else None
    except Exception:  # noqa: BLE001 - damaged metadata must not stop the text from being read
        return ""
    return " ".join(str(value).split()) if value else ""


def page_text(page) -> tuple[str, tuple[Span, ...]]:
    """(pypdf's text of `page`, the spans of it a reader cannot see), spans sorted and merged."""
    watch = _Visibility(page)
    text = page.extract_text(visitor_operand_before=watch.operator, visitor_text=watch.text) or ""
    if "".join(watch.pieces) != text:  # pypdf builds its text from the visited pieces; if a
        return text, ()  # version ever does not, flag nothing rather than flag the wrong span
    return text, _merge(watch.hidden)


class _Visibility:
    """The visitor: tracks the graphics state and records hidden pieces of the page text."""

    def __init__(self, page):
        box = page.cropbox
        self.box = [float(v) for v in (box.left, box.bottom, box.right, box.top)]
        self.spaces = _colour_spaces(page)
        self.space: str | None = "gray"  # the fill colour space: gray, rgb, cmyk or None (other)
        self.fill_hidden, self.mode, self.stack = False, 0, []
        self.shown: list[tuple[bool, int]] = []  # (hidden, bytes) of each text-showing operator
        self.pieces: list[str] = []
        self.length = 0  # characters in `pieces`
        self.hidden: list[Span] = []

    def operator(self, op, args, cm, tm):
        if op == b"q":
            self.stack.append((self.fill_hidden, self.mode, self.space))
        elif op == b"Q" and self.stack:
            self.fill_hidden, self.mode, self.space = self.stack.pop()
        elif op in _SET_SPACE:
            self.space = _SET_SPACE[op]
            self.fill_hidden = _is_white(self.space, args)
        elif op == b"cs" and args:
            self.space = self.spaces.get(str(args[0]))
            self.fill_hidden = False  # each space's initial colour is black (or full tint)
        elif op in (b"sc", b"scn"):
            self.fill_hidden = _is_white(self.space, args)
        elif op == b"Tr" and args:
            self.mode = int(args[0])
        elif op in _SHOW:
            hidden = self.fill_hidden or self.mode in _INVISIBLE_MODES
            self.shown.append((hidden, max(1, _byte_len(args))))

    def text(self, text, cm, tm, font_dict, font_size):
        start = self.length
        self.pieces.append(text)
        self.length += len(text)
        if not text.strip():
            return
        shown, self.shown = self.shown, []
        if self._unreadable(cm, tm, font_size):
            self.hidden.append((start, start + len(text)))
            return
        # One piece may join several operators (pypdf flushes at line changes): share it out by
        # the operators' byte counts, exact for one-byte fonts and close for two-byte ones.
        total, at = sum(n for _, n in shown) or 1, 0
        for hidden, n in shown:
            lo, at = start + round(len(text) * at / total), at + n
            if hidden:
                self.hidden.append((lo, start + round(len(text) * at / total)))

    def _unreadable(self, cm, tm, font_size) -> bool:
        a, b = tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3]
        c, d = tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]
        size = float(font_size or 0) * math.sqrt(abs(a * d - b * c))
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        left, bottom, right, top = self.box
        outside = not (left <= x <= right and bottom <= y <= top)
        return 0 < size < TINY_PT or outside


_SET_SPACE = {b"g": "gray", b"rg": "rgb", b"k": "cmyk"}
_CHANNELS = {"gray": 1, "rgb": 3, "cmyk": 4}
_DEVICE = {"/DeviceGray": "gray", "/G": "gray", "/CalGray": "gray", "/DeviceRGB": "rgb", "/RGB": "rgb",
           "/CalRGB": "rgb", "/DeviceCMYK": "cmyk", "/CMYK": "cmyk"}  # fmt: skip


def _is_white(space: str | None, args) -> bool:
    """Whether a fill colour reads as white on a white page. Only gray, RGB and CMYK are
    judged: a spot colour, an indexed palette or a pattern is taken to be visible."""
    v = [float(a) for a in args if isinstance(a, (int, float))]
    if space is None or len(v) != _CHANNELS[space]:
        return False
    return max(v) <= 1 - WHITE if space == "cmyk" else min(v) >= WHITE


def _colour_spaces(page) -> dict[str, str | None]:
    """The page's named colour spaces (`/CS0 cs`) resolved to gray, rgb, cmyk or None."""
    out: dict[str, str | None] = dict(_DEVICE)
    try:
        named = page["/Resources"].get_object().get("/ColorSpace")
        for name, value in (named.get_object() if named else {}).items():
            out[str(name)] = _space_kind(value.get_object())
    except Exception:  # noqa: BLE001 - odd resources: judge only the device spaces
        pass
    return out


def _space_kind(value) -> str | None:
    if isinstance(value, str):
        return _DEVICE.get(value)
    if isinstance(value, list) and value:
        family = str(value[0])
        if family == "/ICCBased" and len(value) > 1:
            return {1: "gray", 3: "rgb", 4: "cmyk"}.get(int(value[1].get_object().get("/N", 0)))
        return _DEVICE.get(family)  # /CalRGB [...], /CalGray [...]; Separation, Indexed: None
    return None


def _byte_len(args) -> int:
    n = 0
    for a in args:
        if isinstance(a, (bytes, str)):
            n += len(a)
        elif isinstance(a, list):
            n += _byte_len(a)
    return n


def _merge(spans: list[Span]) -> tuple[Span, ...]:
    out: list[Span] = []
    for s, e in sorted(x for x in spans if x[1] > x[0]):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return tuple(out)


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
