"""The chat's events: ask, stream the answer, stop, regenerate, start a new conversation.

Questions go to `Assistant.ask` (the one answer function) through `session.stream_ask`, and
only ever search what the asking browser may see (`Library.scope`). Each browser tab has one
Run at a time: Stop (or Esc) and New conversation set its stop flag, the answer event ends
within 0.1 s, drawing what they leave, and the model stops at its next token.

Expected problems (an empty or too long question, asking while an answer is written) are
notes under the question box, never raised: a raised error would show a bare "Error" badge
and a traceback in the server log.
"""

from __future__ import annotations

import threading
import traceback
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

import gradio as gr

from ..errors import AssistantError, BadQuestion
from . import highlight as hl
from . import messages as msg
from .session import Session, Turn, stream_ask

if TYPE_CHECKING:
    from .conversations import Conversations
    from .library import Library

BUSY = "An answer is still being written; ask again when it is done, or press Stop (Esc)."
EMPTY = "Type a question first, then press Enter or Ask."
NOTHING_TO_REGENERATE = "Nothing to regenerate yet: ask a question first."


def question_problem(question: str, error: BadQuestion) -> str:
    """The web's words for a question `check_question` refused (its empty-question message
    names a terminal command)."""
    if not (question or "").strip():
        return EMPTY
    message = str(error)
    return message[:1].upper() + message[1:]


@dataclass
class Run:
    """The answer being written for one browser tab: its stop flag and the text so far."""

    stop: threading.Event = field(default_factory=threading.Event)
    text: str = ""
    reason: str = ""  # why it was stopped: "stop" (the Stop button, Esc) or "new" (New conversation)


def tab_of(request) -> str:
    return getattr(request, "session_hash", None) or ""


class Chat:
    def __init__(self, library: Library, talks: Conversations) -> None:
        self.library = library
        self.talks = talks  # conversations.Conversations: saving, the history list, the View
        self._runs: dict[str, Run] = {}  # browser tab -> the answer being written for it

    def post(self, question: str, session: Session, pending: str):
        """Show the question at once (even while another user's answer holds the model), or
        say under the box why it cannot be asked. Returns (box, chat, pending, asked, notice):
        `asked` is the question `answer` answers next, "" for none."""
        if pending:
            return gr.skip(), gr.skip(), gr.skip(), "", msg.notice_html(BUSY)
        try:
            q = self.library.assistant.check_question(question)
        except BadQuestion as e:
            return gr.skip(), gr.skip(), gr.skip(), "", msg.notice_html(question_problem(question, e))
        return "", msg.chat_messages(session.turns, q), q, q, ""

    def regenerate(self, session: Session, pending: str, browser: str):
        """Ask the last question again, in place of its answer. Returns (chat, session,
        sources, pending, asked, notice)."""
        if pending or not session.turns:
            notice = msg.notice_html(BUSY if pending else NOTHING_TO_REGENERATE)
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), "", notice
        from .summary import AGAIN, is_summary

        if is_summary(session.turns[-1].question):  # not a question: "Summarise" writes it again
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), "", msg.notice_html(AGAIN)
        question, session = session.turns[-1].question, session.without_last()
        sources = hl.sources_panel(t.sources_html for t in session.turns)
        view = self.talks.view(browser, session.conversation)
        return msg.chat_messages(session.turns, question, view=view), session, sources, question, question, ""

    def answer(
        self, question, session: Session, top_k, browser: str, collection: str, only, request: gr.Request
    ):
        """Stream the answer into the chat; then show its sources, and keep the turn in the
        browser's history. Yields (chat, session, sources, pending). While it runs it alone
        draws the chat: Stop and New conversation set its stop flag, and it draws what they
        leave (a raced update cannot outlive them)."""
        if not question:
            return
        tab = tab_of(request)
        run = self._runs[tab] = Run()
        ask = partial(self._ask, top_k=top_k, collection=collection or "", only=only, browser=browser)
        try:
            turn = yield from self._write(
                run, question, session, ask, self.talks.view(browser, session.conversation)
            )
        finally:
            if self._runs.get(tab) is run:
                del self._runs[tab]
        if run.reason == "new":  # new_chat has reset the states; clear what this drew
            yield [], gr.skip(), hl.EMPTY_SOURCES, gr.skip()
            return
        session = self.talks.saved(browser, session.add(turn))
        sources = hl.sources_panel(t.sources_html for t in session.turns)
        yield (
            msg.chat_messages(session.turns, view=self.talks.view(browser, session.conversation)),
            session,
            sources,
            "",
        )

    def _write(self, run: Run, question: str, session: Session, ask, view: msg.View):
        """Yield the chat as the answer is written; return the finished (or stopped) Turn."""
        turn = yield from written_turn(
            run,
            Turn(session.next_n, question),
            ask,
            session.history(),
            lambda text: msg.chat_messages(session.turns, question, text, view),
            self.library.cards,
            missing="No answer came back; please ask again",
        )
        if turn.answer:
            self._log_timings(turn.answer)
        return turn

    def _ask(self, question, history, on_token, top_k, collection="", only=(), browser=""):
        """`Assistant.ask` within what this browser may see (its uploads and the shared)."""
        return self.library.assistant_for(collection).ask(
            question,
            history=history,
            on_token=on_token,
            top_k=int(top_k) if top_k else None,
            sources=self.library.scope(browser, collection, list(only or ())),
        )

    def _log_timings(self, answer) -> None:
        t = answer.timings
        self.library.assistant.log(
            f"answered in {t.total_s} s (first token {t.first_token_s} s): {answer.question[:70]}"
        )

    def stop(self, session: Session, pending: str, browser: str, request: gr.Request):
        """Stop the tab's answer: the answer event then shows what it had written, marked as
        stopped. An answer still queued is stopped here. Returns (chat, session, pending,
        asked, notice)."""
        if self._halt(request, "stop") or not pending:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), ""
        session = self.talks.saved(browser, session.add(Turn(session.next_n, pending, stopped=True)))
        chat = msg.chat_messages(session.turns, view=self.talks.view(browser, session.conversation))
        return chat, session, "", "", ""  # asked "": the queued one skips

    def new_chat(self, browser: str, request: gr.Request):
        """Returns (session, chat, sources, pending, asked, notice, conversations, exports), all
        empty: the conversation left stays in the history, and a reload now starts afresh."""
        self._halt(request, "new")
        self.talks.leave(browser)
        return Session(), [], hl.EMPTY_SOURCES, "", "", "", self.talks.conversations(browser, ""), ""

    def _halt(self, request, reason: str) -> bool:
        """Set the stop flag of the tab's answer; False if none is being written."""
        run = self._runs.pop(tab_of(request), None)
        if run is None:
            return False
        run.reason = reason
        run.stop.set()
        return True


def written_turn(run: Run, turn: Turn, ask, history, chat, cards, missing: str):
    """Stream `ask(turn.question, history=history, on_token=...)` into the page: yield the chat
    (`chat(text)`) as the reply is written; return `turn` finished: the answer with its source
    cards (`cards(answer, n)`), the error in one line, what was written when Stop was pressed,
    or `missing` when the stream ended with nothing (said rather than showing nothing). The
    chat's answers and the summaries share it."""
    n, question = turn.n, turn.question
    try:
        for part in stream_ask(ask, question, history, stop=run.stop):
            if isinstance(part, str):
                run.text = part
                yield chat(part), gr.skip(), gr.skip(), gr.skip()
            else:
                return Turn(n, question, part, sources_html=cards(part, n))
    except AssistantError as e:
        return Turn(n, question, error=str(e))
    except Exception as e:  # noqa: BLE001 - a bug: keep the app usable and put the details in the log
        traceback.print_exc()
        return Turn(
            n, question, error=f"Internal error ({type(e).__name__}); see the server log, then try again"
        )
    if run.stop.is_set():
        return Turn(n, question, stopped=True, partial=run.text)
    return Turn(n, question, error=missing)
