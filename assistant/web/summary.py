"""The chat's "Summarise" and its suggested questions (summarize.py and suggest.py do the work).

"Summarise" (beside New conversation, and "Summarise selected" under the document list) writes
the key points of the documents chosen under "Only these documents", else of those ticked in
the list: each point appears as soon as it has passed its checks, and the finished summary is a
turn of the conversation like an answer, its citations shown as source cards, kept in the
history. Only documents this browser may see can be summarised (`Library.scope`, `owners`).

The suggested questions fill the empty chat of the first screen; a click asks one (app.js).
They are drawn from the collection's shared documents only (never from a browser's uploads,
which other browsers may not see), made in the background on first need, and cached until the
documents change (suggest.Suggestions); a timer shows them once they are ready, so the page
never waits for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import gradio as gr

from ..errors import BadQuestion
from ..suggest import Suggestions
from ..summarize import Summary, summarize
from ..types import Answer, Outcome, Timings
from . import highlight as hl
from . import messages as msg
from . import owners
from .chat import BUSY, Run, tab_of, written_turn
from .session import Session, Turn

if TYPE_CHECKING:
    from .chat import Chat
    from .conversations import Conversations
    from .library import Library

CHOOSE = (
    "Choose what to summarise: tick documents in the list (Documents), or choose them under "
    "“Only these documents”, then press Summarise."
)
WRITING = "Key points, each checked against its source"
PREFIX = "Summarise “"  # how the chat shows a summary's request (`label`)
AGAIN = "Regenerate asks a question again; to write a summary again, press Summarise."
SUGGESTED = "Questions these documents answer"


class Summaries:
    def __init__(self, library: Library, talks: Conversations, chat: Chat) -> None:
        self.library, self.talks, self.chat = library, talks, chat
        self._suggestions: dict[tuple, Suggestions] = {}

    # --- Summarise -----------------------------------------------------------------------------
    def post(self, session: Session, browser: str, collection: str, only, ticked, pending: str):
        """Show the request at once, or say under the box why it cannot be made. Returns (chat,
        pending, summarised, notice): `summarised` is what `run` summarises next ([]: nothing)."""
        if pending:
            return gr.skip(), gr.skip(), [], msg.notice_html(BUSY)
        try:
            sources = self.chosen(browser, collection or "", list(only or ()), list(ticked or ()))
        except BadQuestion as e:
            return gr.skip(), gr.skip(), [], msg.notice_html(str(e))
        label = self.label(sources)
        view = self.talks.view(browser, session.conversation)
        return msg.chat_messages(session.turns, label, view=view), label, sources, ""

    def chosen(self, browser: str, collection: str, only: list[str], ticked: list[str]) -> list[str]:
        """The documents to summarise: those chosen under "Only these documents", else those
        ticked in the list; only documents this browser may see."""
        if only:
            return self.library.scope(browser, collection, only) or []
        visible = self.library.visible(browser, collection)
        picked = [s for s in ticked if s in visible]
        if not picked:
            raise BadQuestion(CHOOSE)
        return picked

    def label(self, sources: list[str]) -> str:
        """What the chat shows as the request: 'Summarise “Title”' (the titles, shortened)."""
        titles = self.library.titles()
        named = [f"“{titles.get(s) or hl.title_of(s)}”" for s in sources]
        shown = ", ".join(named[:3]) + (f" and {len(named) - 3} more" if len(named) > 3 else "")
        return f"{PREFIX[:-1]}{shown}"

    def run(self, label: str, sources: list[str], session: Session, browser: str, collection: str,
            request: gr.Request):  # fmt: skip
        """Write the summary into the chat point by point; then show its cards and keep the turn.
        Yields (chat, session, sources panel, pending). Stop (Esc) ends it as it ends an answer."""
        if not label or not sources:
            return
        tab = tab_of(request)
        run = self.chat._runs[tab] = Run()  # Stop and New conversation find it there
        view = self.talks.view(browser, session.conversation)
        try:
            turn = yield from self._write(run, label, sources, session, collection or "", view)
        finally:
            if self.chat._runs.get(tab) is run:
                del self.chat._runs[tab]
        if run.reason == "new":
            yield [], gr.skip(), hl.EMPTY_SOURCES, gr.skip()
            return
        session = self.talks.saved(browser, session.add(turn))
        panel = hl.sources_panel(t.sources_html for t in session.turns)
        view = self.talks.view(browser, session.conversation)
        yield msg.chat_messages(session.turns, view=view), session, panel, ""

    def _write(self, run: Run, label: str, sources: list[str], session: Session, collection: str, view):
        assistant = self.library.assistant_for(collection)

        def summarise(question, history=(), on_token=None) -> Answer:
            on_point = (lambda p: on_token(f"\u2022 {p.text}\n")) if on_token else None
            return summary_answer(summarize(assistant.resources, sources, on_point=on_point), label)

        def chat(text: str) -> list:
            messages = msg.chat_messages(session.turns, label, view=view)
            messages[-1] = {"role": "assistant", "content": points_html(text)}
            return messages

        turn = Turn(session.next_n, label)
        missing = "No summary came back; please try again"
        return (yield from written_turn(run, turn, summarise, (), chat, self.library.cards, missing))

    # --- suggested questions -------------------------------------------------------------------
    def suggested(self, collection: str = ""):
        """The suggested questions of a collection, or nothing while they are being made (the
        timer asks again). Returns (html, timer)."""
        cache = self._cache(collection or "")
        found = cache.ready() if cache else []
        if found is None:
            cache.start()  # type: ignore[union-attr]
            return "", gr.Timer(active=True)
        return suggestions_html([s.question for s in found]), gr.Timer(active=False)

    def _cache(self, collection: str) -> Suggestions | None:
        """The collection's Suggestions over its shared documents (None: it has none)."""
        files = self.library.files(collection)
        shared = sorted(s for s in files if owners.owner_of(s) is None)
        if not shared:
            return None
        sources = None if len(shared) == len(files) else shared
        key = (collection, tuple(sources or ()))
        if key not in self._suggestions:
            self._suggestions[key] = Suggestions(self.library.assistant_for(collection), sources)
        return self._suggestions[key]


def is_summary(question: str) -> bool:
    """The turn's request is a summary's (`Summaries.label`), not a question."""
    return question.startswith(PREFIX)


def summary_answer(summary: Summary, label: str) -> Answer:
    """The summary as an answer turn: its points one a line, its citations as an answer's, so
    the chat, the source cards, the history and "Copy as Markdown" show it as they show answers."""
    points = bool(summary.points)
    tried = len(summary.points) + len(summary.dropped)
    return Answer(
        label,
        summary.text,
        not points,
        summary.citations,
        summary.model,
        Timings(0.0, summary.first_point_s, summary.total_s, generations=tried),
        raw_answer=summary.text,
        outcome=Outcome.ANSWER if points else Outcome.DECLINED,
    )


def points_html(text: str) -> str:
    """The points written so far (each already checked), while the next is being written."""
    items = "".join(
        f"<li>{hl.esc(line.lstrip(chr(0x2022)).strip())}</li>" for line in text.splitlines() if line.strip()
    )
    return (
        f'<div class="answer streaming summary"><div class="summary-label">{WRITING}</div>'
        f'<ul class="points">{items}<li class="pending-point"><span class="cursor"></span></li></ul></div>'
    )


def suggestions_html(questions: list[str]) -> str:
    """The suggested questions as buttons; app.js asks the one clicked."""
    if not questions:
        return ""
    buttons = "".join(
        f'<button type="button" class="suggestion" title="Ask this">{hl.esc(q)}</button>' for q in questions
    )
    return f'<div class="suggest-box"><div class="suggest-label">{SUGGESTED}</div>{buttons}</div>'


def wire(app, c: dict) -> None:
    """The events: Summarise (two buttons), the suggested questions on load and on the timer."""
    s = app.summaries
    asked = [c["session"], c["browser"], c["picker"], c["only"], c["docs"], c["pending"]]
    posted = [c["chat"], c["pending"], c["summarised"], c["notice"]]
    running = dict(
        fn=s.run,
        inputs=[c["pending"], c["summarised"], c["session"], c["browser"], c["picker"]],
        outputs=[c["chat"], c["session"], c["sources"], c["pending"]],
        concurrency_id="model",
        show_progress="minimal",
    )
    listed = dict(
        fn=app.talks.listed,
        inputs=[c["browser"], c["session"]],
        outputs=[c["conversations"], c["exports"]],
        show_progress="hidden",
        queue=False,
    )
    gr.on(
        [c["summarise"].click, c["summarise_docs"].click],
        s.post,
        asked,
        posted,
        show_progress="hidden",
        queue=False,
    ).success(**running).then(**listed)
    shown = dict(fn=s.suggested, inputs=c["picker"], outputs=[c["suggestions"], c["suggest_timer"]],
                 show_progress="hidden", queue=False)  # fmt: skip
    c["suggest_timer"].tick(**shown)
    c["picker"].change(**shown)
