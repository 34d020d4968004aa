"""The history's events: restore on load, the list of conversations, reopen, delete, export,
and the feedback given on answers (all kept in history.py's SQLite file, per browser)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import gradio as gr

from . import highlight as hl
from . import history as hist
from . import messages as msg
from .chat import BUSY
from .session import Session, turn_from_record

if TYPE_CHECKING:
    from .library import Library

GONE = "That conversation is no longer in the history."
NOTHING_TO_DELETE = "Nothing to delete: this conversation has no answered question yet."
EXPORTS = "cited/export"  # routes.py serves a conversation's Markdown and JSON under it


class Conversations:
    def __init__(self, library: Library, history: hist.History) -> None:
        self.library = library
        self.history = history

    def view(self, browser: str, conversation: str) -> msg.View:
        """What drawing this browser's conversation needs: titles, its id, its feedback."""
        feedback = self.history.feedback(browser, conversation) if conversation else {}
        return msg.View(self.library.titles(), conversation, feedback)

    def restore(self, browser: str):
        """On page load: the browser's history and its current conversation, as they were.
        Returns (browser, session, chat, sources, conversations, exports)."""
        if not hist.valid_browser_id(browser):
            browser = hist.new_browser_id()  # app.js makes the id; this is only a fallback
        session = self._reopen(browser, self.history.current(browser)) or Session()
        return (
            browser,
            session,
            self.chat(browser, session),
            _sources(session),
            self.conversations(browser, session.conversation),
            self.exports(browser, session.conversation),
        )

    def chat(self, browser: str, session: Session) -> list[dict]:
        return msg.chat_messages(session.turns, view=self.view(browser, session.conversation))

    def saved(self, browser: str, session: Session) -> Session:
        """Store the conversation (a new one on its first turn); the session, with its id.
        Saved in the event that makes the turn, which alone writes the session then: a
        separate save event could overwrite a session changed meanwhile (Regenerate)."""
        if not session.turns or not hist.valid_browser_id(browser):
            return session
        return Session(session.turns, self.history.save(browser, session.conversation, session.records()))

    def leave(self, browser: str) -> None:
        """New conversation: a reload now starts afresh."""
        if hist.valid_browser_id(browser):
            self.history.set_current(browser, "")

    def listed(self, browser: str, session: Session):
        """After each answer (or stop): the history list and the export links. Returns
        (conversations, exports)."""
        if not session.conversation:
            return gr.skip(), gr.skip()
        return self.conversations(browser, session.conversation), self.exports(browser, session.conversation)

    def open(self, conversation: str, browser: str, pending: str):
        """Reopen a conversation from the list. Returns (session, chat, sources, notice,
        conversations, exports)."""
        if pending:
            return gr.skip(), gr.skip(), gr.skip(), msg.notice_html(BUSY), gr.skip(), gr.skip()
        session = self._reopen(browser, conversation or "")
        if session is None:
            listed = self.conversations(browser, "")
            return gr.skip(), gr.skip(), gr.skip(), msg.notice_html(GONE), listed, gr.skip()
        self.history.set_current(browser, session.conversation)
        chat, sources = self.chat(browser, session), _sources(session)
        return session, chat, sources, "", gr.skip(), self.exports(browser, session.conversation)

    def delete(self, browser: str, session: Session, pending: str):
        """Delete the conversation shown. Returns (session, chat, sources, notice,
        conversations, exports)."""
        if pending or not session.conversation:
            notice = msg.notice_html(BUSY if pending else NOTHING_TO_DELETE)
            return gr.skip(), gr.skip(), gr.skip(), notice, gr.skip(), gr.skip()
        self.history.delete(browser, session.conversation)
        listed = self.conversations(browser, "")
        return Session(), [], hl.EMPTY_SOURCES, "", listed, ""

    def _reopen(self, browser: str, conversation: str) -> Session | None:
        if not conversation or not hist.valid_browser_id(browser):
            return None
        records = self.history.turns(browser, conversation)
        if records is None:
            return None
        turns = tuple(turn_from_record(n, q, r, self.library.cards) for n, q, r in records)
        return Session(turns, conversation)

    def conversations(self, browser: str, current: str):
        """The history list: each conversation's title and when it was last used."""
        found = self.history.conversations(browser) if hist.valid_browser_id(browser) else []
        choices = [(f"{c.title} · {_when(c.updated)}", c.id) for c in found]
        return gr.Radio(choices=choices, value=current or None)

    def exports(self, browser: str, conversation: str) -> str:
        """Download links for the conversation shown (routes.py serves them)."""
        if not conversation:
            return ""
        base = f"{EXPORTS}/{conversation}"
        return (
            f'<span class="export-label">Export:</span> <a href="{base}.md?browser={browser}" download>'
            f'Markdown</a> · <a href="{base}.json?browser={browser}" download>JSON</a>'
        )


def _sources(session: Session) -> str:
    return hl.sources_panel(t.sources_html for t in session.turns)


def _when(seconds: float) -> str:
    return time.strftime("%d %b %H:%M", time.localtime(seconds))
