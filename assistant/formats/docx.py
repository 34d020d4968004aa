"""A Word file -> its text: paragraphs, headings and table rows, one a line, in order; its title.

python-docx opens the package once the zip is known not to be a bomb (its declared sizes within
`Settings.max_unpacked_bytes`, each part inflating, counted as a stream, to no more than it
declares: `_check_zip`), and the body
is read from its XML in document order, content controls (`w:sdt`) and tracked insertions
(`w:ins`) included, tracked deletions left out. A run a reader cannot see is left out:
formatted hidden (`w:vanish`) directly or through its character or paragraph style, under
`looks.TINY_PT`, or in a colour that cannot be told from the shading, cell or page behind it
(white on white). A line break inside a paragraph starts a new line; empty paragraphs are
dropped. A table row is one line, its cells joined by " | " (a merged cell read once, a
vertically merged one in each row it spans), so a row reads as a fact. Page headers, footers,
footnotes and text boxes are not read.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

from ..errors import BadDocument
from . import Parsed
from .limits import Budget
from .looks import NAMED, RGB, TINY_PT, WHITE, faint, hex_colour

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_OFF = {"0", "false", "off"}
_WRAPPERS = {
    "sdt",
    "sdtContent",
    "customXml",
    "ins",
    "moveTo",
    "smartTag",
    "fldSimple",
    "hyperlink",
    "dir",
    "bdo",
}


def read(data: bytes, path: Path, budget: Budget) -> Parsed:
    """The body's text and the core-properties title, or BadDocument naming the problem."""
    _check_zip(data, budget)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
        looks = _Looks(document)
        lines = list(_blocks(document.element.body, looks, looks.page, budget))
        title = document.core_properties.title or ""
    except BadDocument:
        raise
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError) as e:
        raise BadDocument(f"not a readable Word .docx file ({type(e).__name__}); re-save it as .docx") from e
    except Exception as e:  # noqa: BLE001 - lxml and zipfile raise many types on damaged files
        raise BadDocument(f"broken Word file ({type(e).__name__}); re-save it as .docx") from e
    text = "\n".join(lines)
    if not text.strip():
        raise BadDocument("the Word file has no text; add text or remove it")
    return Parsed(((None, text),), " ".join(title.split()))


def _check_zip(data: bytes, budget: Budget) -> None:
    """Refuse a zip bomb without inflating it whole. First the parts' declared sizes, before
    anything is inflated; then each part is inflated as a stream, 64 KB at a time and counted,
    and refused once it passes its declared size: a forged header can understate a part (and
    even match its CRC to the part's start), and python-docx, through zipfile, would then
    inflate all of it into memory before cutting it to the size declared."""
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise BadDocument(f"not a readable Word .docx file ({type(e).__name__}); re-save it as .docx") from e
    budget.check_unpacked(sum(p.file_size for p in parts))
    for part in parts:
        if _inflated(data, part, budget) > part.file_size:
            raise BadDocument(
                f"the part {part.filename} inflates to more than the file declares (the size "
                "Settings.max_unpacked_bytes is checked against), as a zip bomb does; this is not "
                "a file Word wrote: index the original document instead"
            )


def _inflated(data: bytes, part: zipfile.ZipInfo, budget: Budget) -> int:
    """How many bytes the part inflates to, counted in a stream and stopped just past its
    declared size (so never more than 64 KB over it in memory)."""
    at = part.header_offset
    if data[at : at + 4] != b"PK\x03\x04" or part.compress_type not in (
        zipfile.ZIP_STORED,
        zipfile.ZIP_DEFLATED,
    ):
        raise BadDocument("not a readable Word .docx file (a part Word does not write); re-save it as .docx")
    start = (
        at
        + 30
        + int.from_bytes(data[at + 26 : at + 28], "little")
        + int.from_bytes(data[at + 28 : at + 30], "little")
    )
    packed = memoryview(data)[start : start + part.compress_size]
    if part.compress_type == zipfile.ZIP_STORED:
        return len(packed)
    inflate, size, step = zlib.decompressobj(-zlib.MAX_WBITS), 0, 1 << 16
    for k in range(0, len(packed), step):
        chunk: bytes | memoryview = packed[k : k + step]
        while chunk and size <= part.file_size:
            budget.tick()
            size += len(inflate.decompress(chunk, step))
            chunk = inflate.unconsumed_tail
        if size > part.file_size:
            break
    return size


class _Looks:
    """The styles part and page colour: what a run's formatting resolves to."""

    def __init__(self, document):
        root = document.styles.element
        styles = list(root.iterchildren(f"{_W}style"))
        self.by_id = {s.get(f"{_W}styleId"): s for s in styles}
        default = [
            s for s in styles if s.get(f"{_W}type") == "paragraph" and s.get(f"{_W}default") in ("1", "true")
        ]
        self.default_paragraph = default[0].get(f"{_W}styleId") if default else None
        rpr = root.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")
        self.defaults = [rpr] if rpr is not None else []
        page = document.element.find(f"{_W}background")
        self.page = _colour(page.get(f"{_W}color") if page is not None else None) or WHITE

    def chain(self, style_id: str | None, kind: str) -> list:
        """The `kind` (rPr or pPr) of a style and of the styles it is based on, nearest first."""
        out, seen = [], set[str]()
        while style_id and style_id in self.by_id and style_id not in seen and len(seen) < 16:
            seen.add(style_id)
            style = self.by_id[style_id]
            props = style.find(f"{_W}{kind}")
            if props is not None:
                out.append(props)
            based = style.find(f"{_W}basedOn")
            style_id = based.get(f"{_W}val") if based is not None else None
        return out


def _blocks(container, looks: _Looks, background: RGB | None, budget: Budget):
    """The lines of a body, cell or content control: paragraphs and table rows, in order."""
    for el in container.iterchildren():
        tag = _tag(el)
        if tag == "p":
            yield from _paragraph(el, looks, background, budget)
        elif tag == "tbl":
            yield from _table(el, looks, background, budget)
        elif tag in _WRAPPERS:
            yield from _blocks(el, looks, background, budget)


def _paragraph(p, looks: _Looks, background: RGB | None, budget: Budget):
    ppr = p.find(f"{_W}pPr")
    style = ppr.find(f"{_W}pStyle") if ppr is not None else None
    style_id = style.get(f"{_W}val") if style is not None else looks.default_paragraph
    para_props = [ppr] if ppr is not None else []
    shading = _shading(para_props + looks.chain(style_id, "pPr"))
    inherited = looks.chain(style_id, "rPr") + looks.defaults
    parts = [_text(r) for r in _runs(p, budget) if _seen(r, looks, inherited, shading or background)]
    for line in "".join(parts).split("\n"):
        line = " ".join(line.split())
        if line:
            yield line


def _runs(el, budget: Budget):
    """The runs of a paragraph in order, through hyperlinks, content controls, insertions."""
    for child in el.iterchildren():
        tag = _tag(child)
        if tag == "r":
            budget.tick()
            yield child
        elif tag in _WRAPPERS:
            yield from _runs(child, budget)


def _text(r) -> str:
    """A run's text as python-docx gives it: tabs, breaks and hyphens as characters."""
    return "".join(str(e) for e in r.xpath("w:br | w:cr | w:noBreakHyphen | w:ptab | w:t | w:tab"))


def _seen(r, looks: _Looks, inherited: list, background: RGB | None) -> bool:
    rpr = r.find(f"{_W}rPr")
    style = rpr.find(f"{_W}rStyle") if rpr is not None else None
    props = ([rpr] if rpr is not None else []) + looks.chain(
        style.get(f"{_W}val") if style is not None else None, "rPr"
    )
    props += inherited

    def first(name: str):
        return next((el for el in (p.find(f"{_W}{name}") for p in props) if el is not None), None)

    vanish = first("vanish")
    if vanish is not None and vanish.get(f"{_W}val", "1").lower() not in _OFF:
        return False
    size = first("sz")
    if size is not None and _half_points(size) < TINY_PT:
        return False
    colour = first("color")
    rgb = _colour(colour.get(f"{_W}val") if colour is not None else None)
    behind = _highlight(first("highlight")) or _shading(props) or background
    return rgb is None or behind is None or not faint(rgb, behind)


def _table(tbl, looks: _Looks, background: RGB | None, budget: Budget):
    """A row a line, its cells joined by " | ": a cell spanning columns read once, one spanning
    rows (`w:vMerge`) read in each row, as python-docx's `row.cells` gives them."""
    above: dict[int, tuple[int, str]] = {}  # grid column -> (cell id, text) in the row above
    for tr in _children(tbl, "tr"):
        before = tr.find(f"{_W}trPr/{_W}gridBefore")
        at = int(before.get(f"{_W}val", 0)) if before is not None else 0
        row: dict[int, tuple[int, str]] = {}
        cells: list[tuple[int, str]] = []
        for tc in _children(tr, "tc"):
            tcpr = tc.find(f"{_W}tcPr")
            span = tcpr.find(f"{_W}gridSpan") if tcpr is not None else None
            merge = tcpr.find(f"{_W}vMerge") if tcpr is not None else None
            if merge is not None and merge.get(f"{_W}val", "continue") == "continue":
                cell = above.get(at, (id(tc), ""))
            else:
                shade = _shading([tcpr] if tcpr is not None else []) or background
                cell = (id(tc), " ".join(_blocks(tc, looks, shade, budget)))
            if cell not in cells:
                cells.append(cell)
            width = int(span.get(f"{_W}val", 1)) if span is not None else 1
            row.update({at + k: cell for k in range(max(1, width))})
            at += max(1, width)
        above = row
        line = " | ".join(text for _, text in cells if text)
        if line:
            yield line


def _children(el, name: str):
    """Children called `name`, looking through content controls and custom-XML wrappers."""
    for child in el.iterchildren():
        tag = _tag(child)
        if tag == name:
            yield child
        elif tag in ("sdt", "sdtContent", "customXml"):
            yield from _children(child, name)


def _tag(el) -> str:
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag[len(_W) :] if tag.startswith(_W) else ""


def _half_points(el) -> float:
    try:
        return int(el.get(f"{_W}val")) / 2
    except (TypeError, ValueError):
        return 12.0


def _colour(value: str | None) -> RGB | None:
    """A Word colour ('FFFFFF'); None for 'auto' (black or white, whichever shows) or unknown."""
    return hex_colour(value) if value and value.lower() != "auto" else None


def _shading(props: list) -> RGB | None:
    el = next((s for s in (p.find(f"{_W}shd") for p in props) if s is not None), None)
    return _colour(el.get(f"{_W}fill")) if el is not None else None


def _highlight(el) -> RGB | None:
    value = (el.get(f"{_W}val") or "").lower() if el is not None else ""
    return hex_colour(NAMED[value]) if value in NAMED else None
