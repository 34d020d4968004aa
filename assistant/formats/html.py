"""A saved web page -> (readable text, title), one block a line.

BeautifulSoup with Python's own `html.parser` parses the page (no compiled parser, so the text
depends only on the file and the pinned bs4 version). What a reader of the article would not
read is dropped: scripts, styles, forms, navigation, the site's header, footer and asides, and
anything marked hidden (`hidden`, `aria-hidden="true"`, `display:none`, `visibility:hidden`),
which also keeps text planted out of sight from reaching the model. When the page has a `<main>`
or `<article>`, only that is read. Each heading, paragraph, list item, quote or preformatted
block becomes its own line, whitespace inside it collapsed (kept in `<pre>`), so sentence
splitting sees headings apart from the paragraphs under them. A table row becomes one line, its
cells joined by " | ": "2022 | 72.2" under "Year | Tonnes" can be read and cited as a fact,
which the same cells one a line cannot.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import BadDocument

_DROP = ["script", "style", "noscript", "template", "svg", "canvas", "form", "button", "select",
         "textarea", "iframe", "object", "embed", "nav", "aside", "dialog", "head"]  # fmt: skip
_CHROME = ["header", "footer"]  # the site's, when outside the article
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "dt", "dd", "caption",
           "figcaption", "blockquote", "pre", "address", "summary", "div", "section", "article",
           "main", "tr", "table", "ul", "ol", "dl", "figure", "br", "hr", "header", "footer"}  # fmt: skip
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_MARK = "\x00"  # a block boundary while the tree is flattened; never in decoded HTML text


def read_html(path: Path, data: bytes) -> tuple[str, str]:
    """(text, title) of a saved web page; BadDocument when it holds no readable text."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "html.parser")
    page_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup.find_all(_DROP):
        tag.decompose()
    for tag in soup.find_all(_is_hidden):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    for tag in root.find_all(_CHROME):
        if not tag.find_parent(["article", "main"]):
            tag.decompose()
    h1 = root.find("h1")
    text = _flatten(root)
    if not text.strip():
        raise BadDocument(f"{path}: the web page has no readable text; save the article itself")
    title = " ".join(page_title.split()) or (h1.get_text(" ", strip=True) if h1 else "")
    return text, title


def _is_hidden(tag) -> bool:
    attrs = getattr(tag, "attrs", None) or {}
    return (
        "hidden" in attrs
        or str(attrs.get("aria-hidden", "")).lower() == "true"
        or bool(_HIDDEN_STYLE.search(str(attrs.get("style", ""))))
    )


def _flatten(root) -> str:
    """The tree's text with a line per block; whitespace collapsed except inside <pre>."""
    for row in reversed(root.find_all("tr")):  # innermost first: a nested table joins its cell
        found = row.find_all(["td", "th"], recursive=False)
        cells = [" ".join(c.get_text(" ").replace(_MARK, " ").split()) for c in found]
        row.replace_with(_MARK + " | ".join(c for c in cells if c) + _MARK)
    for pre in root.find_all("pre"):
        pre.replace_with(_MARK + pre.get_text().replace("\n", _MARK) + _MARK)
    for tag in root.find_all(_BLOCKS):
        tag.insert_before(_MARK)
        tag.insert_after(_MARK)
    raw = root.get_text()
    lines = (" ".join(part.split()) for part in raw.split(_MARK))
    return "\n".join(line for line in lines if line)
