"""The whole-document view: a source's full text, the cited span highlighted, as HTML; for a
PDF, first the page itself, drawn, with the quote highlighted on it (pdfpage.py).

A source card shows a few sentences; a reader who doubts them wants the whole document at
that spot. The text is exactly the one the citation's offsets index (`highlight.read_source`:
the file, or for a PDF the page's extracted text), so the text view's highlight is the cited
span, not a search for the quote; the page view's boxes come from finding that span on the
page's text layer, and say so when it cannot be placed. Pure: text in, HTML out (the route in
routes.py does the reading).

    >>> print(document_html("One. Two. Three.", 5, 9, title="Numbers", source="docs/n.txt"))
    ... # doctest: +NORMALIZE_WHITESPACE
    <div class="doc-head"><div class="doc-title">Numbers</div><div class="doc-path">docs/n.txt ·
    characters 5–9</div></div><pre class="doc-text">One. <mark id="doc-mark">Two.</mark> Three.</pre>
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from .highlight import esc
from .pdfpage import Box, Layout

MAX_VIEW_CHARS = 400_000  # ~100 pages either side of the span: more only slows the browser
NOT_PLACED = (
    "The quote could not be placed on the drawn page (its text layer differs from the text "
    "indexed); the Text view shows it exactly."
)


def clamp_span(text: str, start: int, end: int) -> tuple[int, int]:
    """A span inside `text` (offsets from a URL are not trusted)."""
    start = min(max(0, start), len(text))
    return start, min(max(start, end), len(text))


def document_html(
    text: str,
    start: int,
    end: int,
    title: str,
    source: str,
    page: int | None = None,
    pdf: bool = False,
    layout: Layout | None = None,
) -> str:
    """The document's text, escaped, with text[start:end] in <mark id="doc-mark">; a link to
    the PDF itself (served by routes.py) when `pdf`; with a `layout`, the drawn page first,
    the quote's boxes over it, and the text a tab away."""
    start, end = clamp_span(text, start, end)
    where = f"{esc(source)}{f' · page {page}' if page else ''} · characters {start}–{end}"
    link = ""
    if pdf:
        url = f"cited/file?source={quote(source)}" + (f"#page={page}" if page else "")
        link = (
            f'<a class="doc-pdf" href="{esc(url)}" target="_blank" rel="noopener">'
            f"Open the PDF{f' at page {page}' if page else ''}</a>"
        )
    head = (
        f'<div class="doc-head"><div class="doc-title">{esc(title)}</div><div class="doc-path">{where}</div>'
    )
    if layout is None or not page:
        return f"{head}{link}</div>{_text_html(text, start, end)}"
    on_page = bool(layout.marks)  # a quote not placed on the page opens on its text
    tabs = "".join(
        f'<button type="button" role="tab" class="doc-tab" data-show="{show}" '
        f'aria-selected="{"true" if (show == "page") == on_page else "false"}">{label}</button>'
        for show, label in (("page", "Page"), ("text", "Text (exact offsets)"))
    )
    return (
        f'{head}<div class="doc-tabs" role="tablist">{tabs}{link}</div></div>'
        f"{page_html(layout, source, page, title, hidden=not on_page)}"
        f'<div class="doc-textview"{" hidden" if on_page else ""}>{_text_html(text, start, end)}</div>'
    )


def _text_html(text: str, start: int, end: int) -> str:
    lo, hi = 0, len(text)
    cut = ""
    if len(text) > MAX_VIEW_CHARS:
        lo, hi = max(0, start - MAX_VIEW_CHARS // 2), min(len(text), end + MAX_VIEW_CHARS // 2)
        cut = '<div class="doc-cut">A long document: showing the part around the passage.</div>'
    head = "… " if lo else ""
    tail = " …" if hi < len(text) else ""
    return (
        f'{cut}<pre class="doc-text">{head}{esc(text[lo:start])}'
        f'<mark id="doc-mark">{esc(text[start:end])}</mark>{esc(text[end:hi])}{tail}</pre>'
    )


def _place(box: Box) -> str:
    return f"left:{box.x:.2%};top:{box.y:.2%};width:{box.w:.2%};height:{box.h:.2%}"


def page_html(layout: Layout, source: str, page: int, title: str, hidden: bool = False) -> str:
    """The drawn page (routes.py serves the image), a transparent text layer over it (select
    and copy as on paper), and a box over each line of the quote.

    >>> layout = Layout(0.5, (("Hi", Box(0.1, 0.2, 0.05, 0.01)),), (Box(0.1, 0.2, 0.3, 0.01),))
    >>> html = page_html(layout, "a.pdf", 2, "A")
    >>> 'class="pdf-mark" style="left:10.00%;top:20.00%;width:30.00%;height:1.00%"' in html
    True
    """
    image = "cited/page.png?" + urlencode({"source": source, "page": page})
    words = "".join(
        f'<span style="{_place(box)};font-size:{0.8 * box.h / layout.aspect * 100:.2f}cqw">{esc(word)}</span>'
        for word, box in layout.words
    )
    marks = "".join(f'<div class="pdf-mark" style="{_place(box)}"></div>' for box in layout.marks)
    note = "" if layout.marks else f'<div class="pdf-note">{esc(NOT_PLACED)}</div>'
    return (
        f'<div class="doc-page"{" hidden" if hidden else ""}>{note}'
        f'<div class="pdf-page" style="aspect-ratio:{layout.aspect:.4f}">'
        f'<img class="pdf-img" src="{esc(image)}" alt="Page {page} of {esc(title)}">'
        f'<div class="pdf-text">{words}</div>{marks}</div></div>'
    )
