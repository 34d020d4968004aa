"""HTML for the web UI: answers with linked [n] markers, and source cards that show each cited
passage highlighted inside a few sentences of the file it came from.

Pure functions from text to HTML strings (reading a source file is the one I/O, kept in
`read_source`). Every piece of document or model text is HTML-escaped here; nothing else in
the UI builds markup from them.

    >>> text = "Mali is in West Africa. Serval began in 2013. It ended in 2014. France left."
    >>> highlight(text, 24, 45, sentences=1)
    'Mali is in West Africa. <mark>Serval began in 2013.</mark> It ended in 2014. …'
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from ..ingest import sentence_spans
from ..types import Answer, Citation

CONTEXT_SENTENCES = 2  # sentences shown on each side of a quote: enough to judge it, still short
CONTEXT_CHARS = 320  # a cap per side, for text without sentence ends (tables, PDF debris)
_MARKER = re.compile(r"\[(\d+)\]")


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
    """The quote in <mark>, with its context around it; '…' where the file goes on."""
    cstart, cend = context_bounds(text, start, end, sentences, wrapped=wrapped)
    head = "… " if text[:cstart].strip() else ""
    tail = " …" if text[cend:].strip() else ""
    return f"{head}{esc(text[cstart:start])}<mark>{esc(text[start:end])}</mark>{esc(text[end:cend])}{tail}"


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
    if answer.abstained or not answer.citations:
        return ""
    titles = titles or {}
    cards = "".join(
        source_card(c, read(c.source, c.page), turn, titles.get(c.source)) for c in answer.citations
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


# --- chat messages ----------------------------------------------------------------------
def link_markers(text: str, turn: int, titles: dict[int, str]) -> str:
    """Escape `text` and make each cited [n] a link to its source card."""

    def link(m):
        n = int(m.group(1))
        if n not in titles:
            return m.group()
        return f'<a class="cite" href="#{anchor(turn, n)}" title="{esc(titles[n])}">[{n}]</a>'

    return _MARKER.sub(link, esc(text))


def searched(answer: Answer) -> str:
    """The rewritten follow-up the search used, only when it differs from the question."""
    query = answer.search_query
    if not query or query == answer.question:
        return ""
    return f'<div class="searched">Searched for: {esc(query)}</div>'


def confidence_html(answer: Answer) -> str:
    """How sure the assistant is that the documents answer the question, in plain words."""
    c = answer.confidence
    if c is None:
        return ""
    level = "high" if c >= 0.75 else "medium" if c >= 0.4 else "low"
    return (
        f'<div class="confidence {level}" title="How likely the documents answer this question, '
        f"from the model's own probabilities and the retrieved evidence\">"
        f"Confidence that the documents answer this: {level} ({c:.2f})</div>"
    )


# --- a declined answer: why, and what was read ------------------------------------------------
def why_html(answer: Answer) -> str:
    text = answer.checks.why
    return f'<div class="abstain-why">Why: {esc(text)}</div>' if text else ""


def evidence_html(answer: Answer) -> str:
    """The passages the model read, collapsed: the work behind a declined answer."""
    items = answer.evidence
    if not items:
        return ""
    rows = "".join(
        f'<div class="ev-item"><div class="ev-head"><span class="src-n">[{e.n}]</span> '
        f'<span class="src-title">{esc(title_of(e.passage.source))}</span>'
        + (f'<span class="src-page">page {e.passage.page}</span>' if e.passage.page else "")
        + f'</div><div class="src-path">{esc(e.passage.source)} · characters '
        f"{e.passage.start}–{e.passage.end}</div>"
        f'<div class="ev-text">{esc(e.passage.text)}</div></div>'
        for e in items
    )
    label = f"{len(items)} passage{'s' * (len(items) != 1)} searched"
    return f'<details class="evidence"><summary>{label}</summary>{rows}</details>'


# --- copy as Markdown ------------------------------------------------------------------------
def answer_markdown(answer: Answer) -> str:
    """The answer as Markdown with a numbered reference list: what "Copy" puts on the clipboard.

    >>> from assistant.types import Citation, Timings
    >>> c = Citation(1, "docs/serval.txt", 75, 108, "Serval became  Barkhane in 2014.")
    >>> print(answer_markdown(Answer("When?", "In 2014 [1].", False, (c,), "m", Timings())))
    **When?**
    <BLANKLINE>
    In 2014 [1].
    <BLANKLINE>
    References:
    <BLANKLINE>
    1. “Serval became Barkhane in 2014.” serval.txt (docs/serval.txt, characters 75–108)
    """
    parts = [f"**{_flat(answer.question)}**", answer.answer.strip()]
    if answer.abstained:
        why = answer.checks.why
        parts += [f"_Why: {why}_"] if why else []
    elif answer.citations:
        parts += ["References:", "\n".join(_reference(c) for c in answer.citations)]
    return "\n\n".join(parts)


def _reference(c: Citation) -> str:
    page = f", page {c.page}" if c.page else ""
    flag = " (not confirmed by the citation check)" if not c.supported else ""
    return (
        f"{c.n}. “{_flat(c.quote)}” {title_of(c.source)}{page} "
        f"({c.source}, characters {c.start}–{c.end}){flag}"
    )


def _flat(text: str) -> str:
    return " ".join(text.split())


def copy_html(answer: Answer) -> str:
    """A Copy button and, hidden beside it, the Markdown it copies (app.js does the copying)."""
    return (
        '<div class="answer-tools"><button type="button" class="copy-md" '
        'title="Copy the answer and its references as Markdown">Copy as Markdown</button>'
        f'<pre class="md-copy" hidden>{esc(answer_markdown(answer))}</pre></div>'
    )


def answer_html(answer: Answer, turn: int) -> str:
    """The checked answer with linked markers, or a plainly different abstention notice."""
    if answer.abstained:
        return (
            f'<div class="abstain"><div class="abstain-text">{esc(answer.answer)}</div>'
            f"{note_html(answer)}{why_html(answer)}{confidence_html(answer)}{searched(answer)}{evidence_html(answer)}"
            f"{copy_html(answer)}</div>"
        )
    titles = {c.n: title_of(c.source) + (f", page {c.page}" if c.page else "") for c in answer.citations}
    return (
        f'<div class="answer"><p>{link_markers(answer.answer, turn, titles)}</p>'
        f"{note_html(answer)}{confidence_html(answer)}{searched(answer)}{copy_html(answer)}</div>"
    )


def note_html(answer: Answer) -> str:
    """The one line saying what the checks changed in the streamed draft (changes.py)."""
    from ..changes import change_note

    note = change_note(answer)
    return f'<div class="checked-note">{esc(note)}</div>' if note else ""


def question_html(question: str) -> str:
    return f'<div class="question">{esc(question)}</div>'


DRAFT = "Draft: being checked against the sources"


def streaming_html(text: str) -> str:
    """The model's words as they come, marked as an unchecked draft: the checked answer
    replaces them, with a note of what changed (note_html)."""
    return (
        f'<div class="answer streaming"><div class="draft-label">{DRAFT}</div>'
        f'<p>{esc(text)}<span class="cursor"></span></p></div>'
    )


def pending_html() -> str:
    return '<div class="pending">Searching the documents…</div>'


def error_html(message: str) -> str:
    return f'<div class="error">{esc(message)}</div>'


STOPPED = "Stopped. Ask again, or press Regenerate."


def stopped_html(partial: str) -> str:
    """What was written before Stop, marked as unfinished and unchecked."""
    text = f"<p>{esc(partial)}</p>" if partial.strip() else ""
    return f'<div class="answer stopped">{text}<div class="stopped-note">{STOPPED}</div></div>'


def notice_html(message: str) -> str:
    """A note under the question box: why a question was not asked."""
    return f'<div class="notice">{esc(message)}</div>' if message else ""


def _reply(t) -> str:
    if t.answer:
        return answer_html(t.answer, t.n)
    return stopped_html(t.partial) if t.stopped else error_html(t.error)


def chat_messages(turns, pending: str = "", partial: str | None = None) -> list[dict]:
    """The Chatbot's messages: every turn, then the question being answered, if any."""
    out = []
    for t in turns:
        out += [_message("user", question_html(t.question)), _message("assistant", _reply(t))]
    if pending:
        reply = streaming_html(partial) if partial else pending_html()
        out += [_message("user", question_html(pending)), _message("assistant", reply)]
    return out


def _message(role: str, content: str) -> dict:
    # The Chatbot reads a message as Markdown first, where a blank line would end the HTML
    # block and turn the rest into text: line breaks travel as character references instead.
    return {"role": role, "content": content.replace("\r", "&#13;").replace("\n", "&#10;")}
