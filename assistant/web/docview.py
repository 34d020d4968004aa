"""The whole-document view: a source's full text, the cited span highlighted, as HTML.

A source card shows a few sentences; a reader who doubts them wants the whole document at
that spot. The text is exactly the one the citation's offsets index (`highlight.read_source`:
the file, or for a PDF the page's extracted text), so the highlight is the cited span, not a
search for the quote. Pure: text in, HTML out (the route in routes.py does the reading).

    >>> print(document_html("One. Two. Three.", 5, 9, title="Numbers", source="docs/n.txt"))
    ... # doctest: +NORMALIZE_WHITESPACE
    <div class="doc-head"><div class="doc-title">Numbers</div><div class="doc-path">docs/n.txt ·
    characters 5–9</div></div><pre class="doc-text">One. <mark id="doc-mark">Two.</mark> Three.</pre>
"""

from __future__ import annotations

from urllib.parse import quote

from .highlight import esc

MAX_VIEW_CHARS = 400_000  # ~100 pages either side of the span: more only slows the browser


def clamp_span(text: str, start: int, end: int) -> tuple[int, int]:
    """A span inside `text` (offsets from a URL are not trusted)."""
    start = min(max(0, start), len(text))
    return start, min(max(start, end), len(text))


def document_html(
    text: str, start: int, end: int, title: str, source: str, page: int | None = None, pdf: bool = False
) -> str:
    """The document's text, escaped, with text[start:end] in <mark id="doc-mark">; a link to
    the PDF itself (served by routes.py) when `pdf`."""
    start, end = clamp_span(text, start, end)
    lo, hi = 0, len(text)
    cut = ""
    if len(text) > MAX_VIEW_CHARS:
        lo, hi = max(0, start - MAX_VIEW_CHARS // 2), min(len(text), end + MAX_VIEW_CHARS // 2)
        cut = '<div class="doc-cut">A long document: showing the part around the passage.</div>'
    where = f"{esc(source)}{f' · page {page}' if page else ''} · characters {start}–{end}"
    link = ""
    if pdf:
        url = f"cited/file?source={quote(source)}" + (f"#page={page}" if page else "")
        link = (
            f'<a class="doc-pdf" href="{esc(url)}" target="_blank" rel="noopener">'
            f"Open the PDF{f' at page {page}' if page else ''}</a>"
        )
    head = "… " if lo else ""
    tail = " …" if hi < len(text) else ""
    return (
        f'<div class="doc-head"><div class="doc-title">{esc(title)}</div>'
        f'<div class="doc-path">{where}</div>{link}</div>{cut}'
        f'<pre class="doc-text">{head}{esc(text[lo:start])}<mark id="doc-mark">{esc(text[start:end])}</mark>'
        f"{esc(text[end:hi])}{tail}</pre>"
    )
