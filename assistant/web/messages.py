"""HTML for the chat: questions, streamed drafts, checked answers with linked [n] markers,
declines that show their work, "Copy as Markdown", and each answer's feedback buttons.

Pure functions from text to HTML strings; every piece of document or model text is escaped
here. A `View` carries what drawing a conversation needs beyond its turns: the documents'
titles (so a source is named as its card names it, never by a hashed file name), the
conversation's id and the feedback already given.

    >>> from assistant.types import Answer, Timings
    >>> a = Answer("When?", "In 2014 [1].", False, (), "m", Timings())
    >>> link_markers("In 2014 [1].", 3, {1: "Serval"})
    'In 2014 <a class="cite" href="#src-3-1" title="Serval">[1]</a>.'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..types import Answer, Citation
from ..words import CONFIDENCE_LABEL, confidence_level, confidence_words, plural
from .highlight import anchor, esc, page_display, title_of
from .history import VERDICTS, Feedback

_MARKER = re.compile(r"\[(\d+)\]")


@dataclass(frozen=True)
class View:
    """What drawing a conversation needs beyond its turns."""

    titles: Mapping[str, str] = field(default_factory=dict)  # source -> the document's title
    conversation: str = ""  # its id in the history ("" until saved: no feedback buttons yet)
    feedback: Mapping[int, Feedback] = field(default_factory=dict)  # turn n -> given

    def title(self, source: str, citation: Citation | None = None) -> str:
        return (citation.title if citation else "") or self.titles.get(source) or title_of(source)


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
    if c is None or answer.abstained:  # a question declined or shown the closest passages says why
        return ""
    return (
        f'<div class="confidence {confidence_level(c)}" title="How likely this answer is right: the '
        f"gate's calibrated score, from the model's own probabilities, the checks and the evidence\">"
        f"{CONFIDENCE_LABEL}: {confidence_words(c)}</div>"
    )


# --- a declined answer: why, and what was read ------------------------------------------------
def why_html(answer: Answer) -> str:
    text = answer.checks.why
    return f'<div class="abstain-why">Why: {esc(text)}</div>' if text else ""


def evidence_html(answer: Answer, view: View = View()) -> str:
    """The passages the model read, collapsed: the work behind a declined answer."""
    if not answer.evidence:
        return ""
    rows = "".join(_evidence_item(e.n, e.passage, view) for e in answer.evidence)
    label = f"{plural(len(answer.evidence), 'passage')} searched"
    return f'<details class="evidence"><summary>{label}</summary>{rows}</details>'


def _evidence_item(n: int, p, view: View) -> str:
    page = f'<span class="src-page">page {p.page}</span>' if p.page else ""
    text = page_display(p.text) if p.page is not None else p.text
    return (
        f'<div class="ev-item"><div class="ev-head"><span class="src-n">[{n}]</span> '
        f'<span class="src-title" title="{esc(p.source)}">{esc(view.title(p.source))}</span>{page}</div>'
        f'<div class="src-path">{esc(p.source)} · characters {p.start}–{p.end}</div>'
        f'<div class="ev-text">{esc(text)}</div></div>'
    )


# --- copy as Markdown ------------------------------------------------------------------------
def answer_markdown(answer: Answer, view: View = View()) -> str:
    """The answer as Markdown with a numbered reference list: what "Copy" puts on the clipboard.

    >>> from assistant.types import Citation, Timings
    >>> c = Citation(1, "docs/serval.txt", 75, 108, "Serval became  Barkhane in 2014.", title="Serval")
    >>> print(answer_markdown(Answer("When?", "In 2014 [1].", False, (c,), "m", Timings())))
    **When?**
    <BLANKLINE>
    In 2014 [1].
    <BLANKLINE>
    References:
    <BLANKLINE>
    1. “Serval became Barkhane in 2014.” Serval (docs/serval.txt, characters 75–108)
    """
    parts = [f"**{_flat(answer.question)}**", answer.answer.strip()]
    if answer.abstained:
        why = answer.checks.why
        parts += [f"_Why: {why}_"] if why else []
    elif answer.citations:
        parts += ["References:", "\n".join(_reference(c, view) for c in answer.citations)]
    return "\n\n".join(parts)


def _reference(c: Citation, view: View) -> str:
    page = f", page {c.page}" if c.page else ""
    flag = " (not confirmed by the citation check)" if not c.supported else ""
    return (
        f"{c.n}. “{_flat(c.quote)}” {view.title(c.source, c)}{page} "
        f"({c.source}, characters {c.start}–{c.end}){flag}"
    )


def _flat(text: str) -> str:
    return " ".join(text.split())


def copy_html(answer: Answer, view: View = View()) -> str:
    """A Copy button and, hidden beside it, the Markdown it copies (app.js does the copying)."""
    return (
        '<button type="button" class="copy-md" '
        'title="Copy the answer and its references as Markdown">Copy as Markdown</button>'
        f'<pre class="md-copy" hidden>{esc(answer_markdown(answer, view))}</pre>'
    )


def feedback_html(turn: int, view: View) -> str:
    """Helpful / Wrong, with an optional note (app.js posts them to routes.py, which keeps
    them in the history); the verdict already given is pressed. What to post travels in class
    names (fb-c-<conversation>, fb-n-<turn>): the chat's sanitizer keeps those, not data-*."""
    if not view.conversation:
        return ""
    given = view.feedback.get(turn)
    buttons = "".join(
        f'<button type="button" class="fb fb-{key}{" pressed" if given and given.verdict == key else ""}">'
        f"{label}</button>"
        for key, label in VERDICTS.items()
    )
    note = f'<span class="fb-note-text">“{esc(given.note)}”</span>' if given and given.note else ""
    return f'<span class="feedback fb-c-{esc(view.conversation)} fb-n-{turn}">{buttons}{note}</span>'


def tools_html(answer: Answer, turn: int, view: View) -> str:
    return f'<div class="answer-tools">{copy_html(answer, view)}{feedback_html(turn, view)}</div>'


def answer_html(answer: Answer, turn: int, view: View = View()) -> str:
    """The checked answer with linked markers, or a plainly different abstention notice."""
    tools = tools_html(answer, turn, view)
    notes = "".join(f'<div class="stale-note">{esc(n)}</div>' for n in answer.notes)
    if answer.abstained:
        closest = ""
        if answer.citations:  # "the documents may not answer this": the closest passages, cited
            titles = {c.n: view.title(c.source, c) for c in answer.citations}
            closest = (
                "<p>" + " ".join(link_markers(f"[{c.n}]", turn, titles) for c in answer.citations) + "</p>"
            )
        return (
            f'<div class="abstain"><div class="abstain-text">{esc(answer.answer)}</div>{closest}'
            f"{note_html(answer)}{why_html(answer)}{confidence_html(answer)}{searched(answer)}"
            f"{evidence_html(answer, view)}{notes}{tools}</div>"
        )
    titles = {c.n: view.title(c.source, c) + (f", page {c.page}" if c.page else "") for c in answer.citations}
    return (
        f'<div class="answer"><p>{link_markers(answer.answer, turn, titles)}</p>'
        f"{note_html(answer)}{confidence_html(answer)}{searched(answer)}{notes}{tools}</div>"
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


def _reply(t, view: View) -> str:
    if t.answer:
        return answer_html(t.answer, t.n, view)
    return stopped_html(t.partial) if t.stopped else error_html(t.error)


def chat_messages(turns, pending: str = "", partial: str | None = None, view: View = View()) -> list[dict]:
    """The Chatbot's messages: every turn, then the question being answered, if any."""
    out = []
    for t in turns:
        out += [_message("user", question_html(t.question)), _message("assistant", _reply(t, view))]
    if pending:
        reply = streaming_html(partial) if partial else pending_html()
        out += [_message("user", question_html(pending)), _message("assistant", reply)]
    return out


def _message(role: str, content: str) -> dict:
    # The Chatbot reads a message as Markdown first, where a blank line would end the HTML
    # block and turn the rest into text: line breaks travel as character references instead.
    return {"role": role, "content": content.replace("\r", "&#13;").replace("\n", "&#10;")}
