"""A saved web page -> its readable text, one block a line, and its title.

BeautifulSoup with Python's own `html.parser` parses the page (no compiled parser, so the text
depends only on the file and the pinned bs4 version); nesting deeper than
`Settings.max_html_depth` stops the parse at once. What a reader of the article would not read
is dropped: scripts, styles, forms, navigation, the site's header, footer and asides, and
whatever the page hides, by its attributes (`hidden`, `aria-hidden="true"`) or by CSS, inline or
in its <style> blocks (css.py): `display:none`, `visibility:hidden`, text too small
(`font-size:0`), transparent (`opacity:0`) or the colour of its background (looks.py), boxes
moved off-screen (`left:-9999px`) or clipped to nothing (`height:0; overflow:hidden`). That
keeps text planted out of sight from reaching the model. When the page has <main> or <article>
elements, only they are read (all of them, in order). Each heading, paragraph, list item, quote
or preformatted block becomes its own line, whitespace inside it collapsed (line breaks kept in
<pre>), so sentence splitting sees headings apart from the paragraphs under them. A table row
becomes one line, its cells joined by " | ": "2022 | 72.2" under "Year | Tonnes" can be read
and cited as a fact, which the same cells one a line cannot.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

from bs4 import (
    BeautifulSoup,
    CData,
    MarkupResemblesLocatorWarning,
    NavigableString,
    Tag,
    XMLParsedAsHTMLWarning,
)

from ..errors import BadDocument
from . import Parsed
from .css import Sheet
from .limits import Budget
from .looks import BLACK, RGB, TINY_PT, WHITE, blend, css_colour, faint

# bs4 prints a paragraph on stderr when a page looks like a URL or like XML; we parse the bytes of a
# file we were given as a page on purpose, and a page with no text is our own one-line BadDocument.
warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)
warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)

_DROP = {"script", "style", "noscript", "template", "svg", "canvas", "form", "button", "select",
         "textarea", "iframe", "object", "embed", "nav", "aside", "dialog", "head"}  # fmt: skip
_CHROME = ["header", "footer"]  # the site's, when outside the article
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "caption",
           "figcaption", "blockquote", "pre", "address", "summary", "div", "section", "article",
           "main", "tr", "table", "ul", "ol", "dl", "figure", "br", "hr", "header", "footer"}  # fmt: skip
_TEXT = (NavigableString, CData)  # the string types bs4's get_text reads (not comments)
_MARK = "\x00"  # a block boundary while the tree is flattened; never in decoded HTML text
OFF_SCREEN_PX = -1000.0  # a box moved further left or up than this is off any screen
_SIZES = {"xx-small": 9, "x-small": 10, "small": 13, "medium": 16, "large": 18, "x-large": 24,
          "xx-large": 32, "xxx-large": 48}  # fmt: skip


class _Soup(BeautifulSoup):
    """BeautifulSoup that stops when the page nests deeper than the budget allows."""

    def __init__(self, data: bytes, budget: Budget):
        self._budget = budget
        super().__init__(data, "html.parser")

    def pushTag(self, tag) -> None:  # bs4's own hook, called for each tag it opens
        self._budget.tick()
        self._budget.check_depth(len(self.tagStack))
        super().pushTag(tag)


def read(data: bytes, path: Path, budget: Budget) -> Parsed:
    """The page's readable text and title; BadDocument when it holds none."""
    soup = _Soup(data, budget)
    page_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    sheet = Sheet("\n".join(style.get_text() for style in soup.find_all("style")))
    _drop_unseen(soup, sheet, budget)
    roots = _roots(soup)
    for root in roots:
        for tag in root.find_all(_CHROME):
            if not tag.find_parent(["article", "main"]):
                tag.decompose()
    h1 = next((h for h in (root.find("h1") for root in roots) if h), None)
    text = "\n".join(t for t in (_flatten(root, budget) for root in roots) if t)
    if not text.strip():
        raise BadDocument("the web page has no readable text; save the article itself")
    title = " ".join(page_title.split()) or (h1.get_text(" ", strip=True) if h1 else "")
    return Parsed(((None, text),), title)


def _roots(soup) -> list:
    """The outermost <main> elements, else the outermost <article> elements, else the body."""
    for names in (["main"], ["article"]):
        found = [t for t in soup.find_all(names) if not t.find_parent(names)]
        if found:
            return found
    return [soup.body or soup]


# --- what a reader cannot see -------------------------------------------------------------------
@dataclass(frozen=True)
class _Look:
    """What an element passes on to its text: the inherited properties that decide sight."""

    font_px: float = 16.0
    colour: tuple[RGB, float] | None = (BLACK, 1.0)  # None: not judged (currentcolor, var())
    background: RGB | None = WHITE  # None: an image or an unknown colour, not judged
    opacity: float = 1.0  # the product down the tree
    visible: bool = True  # `visibility`, which a child may set back to visible
    # inside a box moved off-screen or clipped to nothing: "static" when that box is not
    # positioned (an absolutely positioned child escapes it), "positioned" when it is
    clipped: str | None = None


def _drop_unseen(soup, sheet: Sheet, budget: Budget) -> None:
    """Remove the elements a reader cannot see, and the strings shown in an unseen way."""
    gone, unseen, stack = [], [], [(soup, _Look())]
    while stack:
        el, look = stack.pop()
        for child in el.contents:
            if isinstance(child, Tag):
                budget.tick()
                style = sheet.style(child)
                if child.name in _DROP or _not_displayed(child, style):
                    gone.append(child)
                else:
                    stack.append((child, _look(style, look)))
            elif type(child) in _TEXT and child.strip() and not _seen(look):
                unseen.append(child)
    for el in gone:
        el.decompose()
    for string in unseen:
        string.extract()


def _not_displayed(el, style: dict[str, str]) -> bool:
    """Whether the element and all it holds are not on the page at all."""
    attrs = el.attrs or {}
    if "hidden" in attrs or str(attrs.get("aria-hidden", "")).lower() == "true":
        return True
    return style.get("display", "").strip().lower() == "none"


def _clipped(style: dict[str, str], parent: str | None, em: float) -> str | None:
    """Whether the element's box is off-screen or clipped to nothing, or inside such a box:
    a fixed box escapes every clip, an absolute one the clip of a box that is not positioned."""
    position = style.get("position", "").strip().lower()
    positioned = position in ("absolute", "fixed", "relative", "sticky")
    if _offscreen(style, em) or _boxed_to_nothing(style, em):
        return "positioned" if positioned else "static"
    if position == "fixed" or (position == "absolute" and parent == "static"):
        return None
    return "positioned" if parent and positioned else parent


def _boxed_to_nothing(style: dict[str, str], em: float) -> bool:
    overflow = {style.get(k, "").strip().lower() for k in ("overflow", "overflow-x", "overflow-y")}
    if overflow & {"hidden", "clip"}:
        sizes = [_length(style.get(k, ""), em) for k in ("height", "max-height", "width", "max-width")]
        if any(v is not None and v < TINY_PT * 4 / 3 for v in sizes):
            return True
    clip = style.get("clip", "") + " " + style.get("clip-path", "")
    return bool(
        re.search(r"rect\(\s*0\w*[\s,]+0\w*[\s,]+0\w*[\s,]+0\w*\s*\)|inset\(\s*(50|100)%|circle\(\s*0", clip)
    )


def _offscreen(style: dict[str, str], em: float) -> bool:
    positioned = style.get("position", "").strip().lower() in ("absolute", "fixed", "relative")
    sides = ("left", "top") if positioned else ()
    for key in (*sides, "margin-left", "margin-top", "text-indent"):
        v = _length(style.get(key, ""), em)
        if v is not None and v <= OFF_SCREEN_PX:
            return True
    margin = style.get("margin", "").split()
    if any((v := _length(m, em)) is not None and v <= OFF_SCREEN_PX for m in margin[:1] + margin[3:4]):
        return True
    transform = style.get("transform", "").lower()
    moved = re.findall(r"translate[xy]?\(\s*(-?[\d.]+\w*)", transform)
    if any((v := _length(m, em)) is not None and v <= OFF_SCREEN_PX for m in moved):
        return True
    return bool(re.search(r"scale[xy]?\(\s*0(\.0*)?\s*[,)]", transform))


def _look(style: dict[str, str], parent: _Look) -> _Look:
    font_px = _font_px(style, parent.font_px)
    look = replace(parent, font_px=font_px, clipped=_clipped(style, parent.clipped, font_px))
    visibility = style.get("visibility", "").strip().lower()
    if visibility in ("hidden", "collapse", "visible"):
        look = replace(look, visible=visibility == "visible")
    if "color" in style:
        value = style["color"].strip().lower()
        if value not in ("inherit", "unset", "initial"):
            look = replace(look, colour=css_colour(value))
    paint = style.get("background-color") or style.get("background")
    if paint:
        look = replace(look, background=_background(paint, parent.background))
    try:
        opacity = float(style.get("opacity", "1").strip().rstrip("%"))
        opacity = opacity / 100 if style["opacity"].strip().endswith("%") else opacity
    except (ValueError, KeyError):
        opacity = 1.0
    return replace(look, opacity=look.opacity * max(0.0, min(1.0, opacity)))


def _background(value: str, under: RGB | None) -> RGB | None:
    """The colour behind the element's text: its own background over its parent's."""
    if "url(" in value.lower() or "gradient(" in value.lower():
        return None
    for token in re.findall(r"#[0-9a-fA-F]+|(?:rgba?|hsla?)\([^)]*\)|[a-zA-Z]+", value):
        found = css_colour(token)
        if found:
            rgb, alpha = found
            return None if under is None else blend(rgb, alpha, under)
    return under


def _seen(look: _Look) -> bool:
    """Whether text with this look can be seen (on a known background)."""
    if not look.visible or look.clipped or look.font_px < TINY_PT * 4 / 3 or look.opacity < 0.05:
        return False
    if look.colour is None or look.background is None:
        return True
    rgb, alpha = look.colour
    return not faint(blend(rgb, alpha * look.opacity, look.background), look.background)


def _font_px(style: dict[str, str], parent_px: float) -> float:
    value = style.get("font-size", "")
    if not value and "font" in style:  # the shorthand: "italic bold 12px/30px Georgia", "0/0 a"
        m = re.search(
            r"(?:^|\s)((?:\d*\.)?\d+\w*%?|[a-z-]+-?(?:small|large)|medium)(?:/\S+)?(?:\s|$)", style["font"]
        )
        value = m.group(1) if m else ""
    value = value.strip().lower()
    if value in _SIZES:
        return float(_SIZES[value])
    if value in ("smaller", "larger"):
        return parent_px / 1.2 if value == "smaller" else parent_px * 1.2
    if value.endswith("%"):
        try:
            return parent_px * float(value[:-1]) / 100
        except ValueError:
            return parent_px
    size = _length(value, parent_px)
    return parent_px if size is None else size


def _length(value: str, em: float) -> float | None:
    """A CSS length in px ('0', '-9999px', '2em', '12pt'); None for what cannot be resolved."""
    m = re.fullmatch(r"\s*(-?(?:\d*\.)?\d+)\s*(px|pt|em|rem|pc|in|cm|mm)?\s*", value.lower())
    if not m:
        return None
    scale = {"pt": 4 / 3, "em": em, "rem": 16.0, "pc": 16.0, "in": 96.0, "cm": 37.8, "mm": 3.78}
    return float(m.group(1)) * scale.get(m.group(2) or "px", 1.0)


# --- the text ------------------------------------------------------------------------------------
def _flatten(root, budget: Budget) -> str:
    """The tree's text with a line per block; whitespace collapsed except line breaks in <pre>.
    One pass, without changing the tree (inserting marks into bs4's tree costs a walk each)."""
    out: list[str] = []
    end = object()  # on the stack: a block's end
    stack: list = list(reversed(root.contents))
    while stack:
        node = stack.pop()
        if node is end:
            out.append(_MARK)
        elif isinstance(node, Tag):
            budget.tick()
            if node.name == "tr":
                out.append(_row(node))
            elif node.name == "pre":
                out.append(_MARK + _plain(node, "").replace("\n", _MARK) + _MARK)
            elif node.name in _BLOCKS:
                out.append(_MARK)
                stack += [end, *reversed(node.contents)]
            else:
                stack += reversed(node.contents)
        elif type(node) in _TEXT:
            out.append(str(node))
    lines = (" ".join(part.split()) for part in "".join(out).split(_MARK))
    return "\n".join(line for line in lines if line)


def _row(tr) -> str:
    """A table row as one line, its cells joined by " | " (a nested table's rows join its cell)."""
    found = tr.find_all(["td", "th"], recursive=False)
    cells = [" ".join(_plain(c, " ").replace(_MARK, " ").split()) for c in found]
    return _MARK + " | ".join(c for c in cells if c) + _MARK


def _plain(node, sep: str) -> str:
    """The strings under `node` joined by `sep`, as bs4's get_text, with each nested table row
    read as one line (`_row`)."""
    parts: list[str] = []
    stack = list(reversed(node.contents))
    while stack:
        n = stack.pop()
        if isinstance(n, Tag):
            if n.name == "tr":
                parts.append(_row(n))
            else:
                stack += reversed(n.contents)
        elif type(n) in _TEXT:
            parts.append(str(n))
    return sep.join(parts)
