"""HTML for the sources panel: cards that show each cited passage highlighted inside a few
sentences of the document it came from (messages.py draws the chat itself).

Pure functions from text to HTML strings (reading a source file is the one I/O, kept in
`read_source`). Every piece of document text is HTML-escaped here. A PDF page's wrapped lines
are shown joined (`segment.display_text`), for display only: the offsets shown are the
citation's, into the text as extracted.

    >>> text = "Mali is in West Africa. Serval began in 2013. It ended in 2014. France left."
    >>> highlight(text, 24, 45, sentences=1)
    'Mali is in West Africa. <mark>Serval began in 2013.</mark> It ended in 2014. …'
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from ..segment import display_text, sentence_spans
from ..types import Answer, Citation

CONTEXT_SENTENCES = 2  # sentences shown on each side of a quote: enough to judge it, still short
CONTEXT_CHARS = 320  # a cap per side, for text without sentence ends (tables, PDF debris)


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def title_of(source: str) -> str:
    """The file name of a source: what is shown when the document has no title."""
    return source.replace("\\", "/").rsplit("/", 1)[-1]


def titles_of(documents: dict) -> dict[str, str]:
    """source -> the document's title (from the index), the file name when it has none."""
    return {s: (meta or {}).get("title") or title_of(s) for s, meta in documents.items()}


# --- the quoted passage in its context ------------------------------------------------------
def context_bounds(
    text: str,
    start: int,
    end: int,
    sentences: int = CONTEXT_SENTENCES,
    max_chars: int = CONTEXT_CHARS,
    wrapped: bool = False,
) -> tuple[int, int]:
    """(start, end) of `sentences` whole sentences either side of text[start:end]; `wrapped`
    for a PDF page, whose line breaks inside a paragraph do not end sentences."""
    lo, hi = max(0, start - 2 * max_chars), min(len(text), end + 2 * max_chars)
    spans = sentence_spans(text[lo:hi], lo, wrapped=wrapped)
    if lo > 0:  # the window may cut the first and last sentence: never show half of one
        spans = spans[1:]
    if hi < len(text):
        spans = spans[:-1]
    before = [s for s, _ in spans if s < start][-sentences:] if sentences else []
    after = [e for _, e in spans if e > end][:sentences] if sentences else []
    cstart, cend = (before[0] if before else start), (after[-1] if after else end)
    if cstart < start - max_chars:  # one very long sentence: cut it at a word
        cut = text.find(" ", start - max_chars, start)
        cstart = cut + 1 if cut >= 0 else start - max_chars
    if cend > end + max_chars:
        cut = text.rfind(" ", end, end + max_chars)
        cend = cut if cut >= 0 else end + max_chars
    return cstart, cend


def highlight(
    text: str, start: int, end: int, sentences: int = CONTEXT_SENTENCES, wrapped: bool = False
) -> str:
    """The quote in <mark>, with its context around it; '…' where the file goes on. `wrapped`
    (a PDF page): its wrapped lines are shown joined, as on the page.

    >>> highlight("It rose in new\\nmines to 35 per-\\ncent. Then it fell.", 8, 37, sentences=1, wrapped=True)
    'It rose <mark>in new mines to 35 percent.</mark> Then it fell.'
    """
    cstart, cend = context_bounds(text, start, end, sentences, wrapped=wrapped)
    head = "… " if text[:cstart].strip() else ""
    tail = " …" if text[cend:].strip() else ""
    shown, (a, b) = joined(text[cstart:cend], (start - cstart, end - cstart), wrapped)
    return f"{head}{esc(shown[:a])}<mark>{esc(shown[a:b])}</mark>{esc(shown[b:])}{tail}"


def page_display(text: str) -> str:
    """A PDF page's text as a reader sees it: wrapped lines joined (`display_text`) and the
    runs of spaces that justified lines leave in the extracted text made one.

    >>> page_display("a  profound\\ndeterioration")
    'a profound deterioration'
    """
    return re.sub(" {2,}", " ", display_text(text))


def joined(text: str, cuts: tuple[int, int], wrapped: bool = True) -> tuple[str, tuple[int, int]]:
    """`text` as `display_text` shows it, and where the offsets `cuts` fall in what it shows.

    `page_display` only drops characters (a line break and the blanks around it, a line-end
    hyphen, the extra spaces of justified text) or turns a line break into a space, so walking
    both texts side by side finds each character's place.

    >>> joined("stake in new\\nmines", (9, 18))
    ('stake in new mines', (9, 18))
    """
    if not wrapped:
        return text, cuts
    shown = page_display(text)
    where, j = [], 0
    for ch in text:
        where.append(j)
        if j < len(shown) and (shown[j] == ch or (ch.isspace() and shown[j] == " ")):
            j += 1
    where.append(j)
    return shown, (where[cuts[0]], where[cuts[1]])


def read_source(root: Path, source: str, page: int | None) -> str | None:
    """The text a citation's offsets index (see types.py), or None if it cannot be read."""
    from .. import ingest
    from ..errors import BadDocument

    path = Path(source) if Path(source).is_absolute() else Path(root) / source
    try:
        if hasattr(ingest, "document_text"):  # every format's indexed text (html, docx too)
            return ingest.document_text(path, page)
        if page is not None:
            return ingest.pdf_page_text(path, page)
        with open(path, encoding="utf-8", newline="") as f:
            return f.read()
    except (OSError, UnicodeDecodeError, BadDocument, IndexError):
        return None
    except Exception:  # noqa: BLE001 - pypdf raises many types on damaged files; the card says it is missing
        return None


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


# --- source cards -----------------------------------------------------------------------
def anchor(turn: int, n: int) -> str:
    return f"src-{turn}-{n}"


def open_button(c: Citation) -> str:
    """ "Open in document": app.js shows the whole document (or PDF page) at the cited span."""
    page = "" if c.page is None else str(c.page)
    return (
        f'<button type="button" class="open-doc" data-source="{esc(c.source)}" data-page="{page}" '
        f'data-start="{c.start}" data-end="{c.end}" title="Read the whole document at this passage">'
        "Open in document</button>"
    )


def source_card(c: Citation, text: str | None, turn: int, title: str | None = None) -> str:
    """One cited source: title, page, location, and the passage highlighted in context.
    `title` is the document's title from the index; the file name is shown without one."""
    notes = []
    if text is not None and _same(text[c.start : c.end], c.quote):
        body = highlight(text, c.start, c.end, wrapped=c.page is not None)
    else:  # the file moved or changed since indexing: show what was indexed, and say so
        body = f"<mark>{esc(c.quote)}</mark>"
        notes.append("The file changed or is missing since it was indexed; this is the indexed text.")
    if not c.supported:
        notes.append("The citation check could not confirm this passage supports the sentence.")
    page = f'<span class="src-page">page {c.page}</span>' if c.page else ""
    note = "".join(f'<div class="src-note">{esc(n)}</div>' for n in notes)
    return (
        f'<div class="src-card" id="{anchor(turn, c.n)}" tabindex="0">'
        f'<div class="src-head"><span class="src-n">[{c.n}]</span> '
        f'<span class="src-title" title="{esc(c.source)}">{esc(title or title_of(c.source))}</span>'
        f'{page}</div><div class="src-path">{esc(c.source)} · characters {c.start}–{c.end}</div>'
        f'<div class="src-context">{body}</div>{note}{open_button(c)}</div>'
    )


def turn_sources(answer: Answer, turn: int, read, titles: dict[str, str] | None = None) -> str:
    """The cards for one answer's citations (none for an abstention).

    `read(source, page)` returns the source text, e.g. functools.partial(read_source, root);
    `titles` maps sources to document titles (see `titles_of`).
    """
    if not answer.citations:  # a refusal; the closest passages, when shown, are cited
        return ""
    titles = titles or {}
    cards = "".join(
        source_card(c, read(c.source, c.page), turn, c.title or titles.get(c.source))
        for c in answer.citations
    )
    return (
        f'<section class="src-turn" id="turn-{turn}">'
        f'<div class="src-question">Sources for “{esc(answer.question)}”</div>'
        f"{cards}</section>"
    )


EMPTY_SOURCES = (
    '<div class="src-empty">The passages an answer cites appear here, '
    "highlighted in their documents. Select a [n] marker to jump to one.</div>"
)


def sources_panel(turn_html) -> str:
    """Every answer's cards, newest first, so a marker in an older answer still has its card."""
    parts = [h for h in reversed(list(turn_html)) if h]
    return "".join(parts) if parts else EMPTY_SOURCES
