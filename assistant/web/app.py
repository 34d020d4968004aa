"""The web front end: a chat whose answers stream in, with the passages they cite beside them.

Thin, like the CLI: questions go to `Assistant.ask` (the one answer function), documents to
`index.update` / `index.remove`. What it adds is presentation (highlight.py), upload safety
(uploads.py) and per-tab conversation state (session.py), each a pure module tested alone.

    assistant ui                     # http://127.0.0.1:7860, the default model
    assistant ui --port 8000 --model smollm2

Each browser tab has its own Session in a gr.State. Model calls are queued twice over: the
answer event runs one at a time (a Gradio concurrency limit, so a waiting user sees the queue;
with a model server, `answer_slots` at a time), and Assistant holds a lock around the LLM.
Stop (or Esc) and New conversation set the tab's stop flag: the answer event ends within 0.1 s,
drawing what they leave, and the model stops at its next token, free for the next question.

A picker chooses the collection the chat answers from (the default index, or one made with
`--collection NAME`: one Assistant each, made on first use, sharing the embedder and the model),
and "Only these documents" limits a question to the documents chosen (`ask(sources=...)`).

Conversations are kept on the server per browser (history.py, SQLite under history/): a reload
reopens the current one, and the sidebar lists, reopens, deletes and exports them. routes.py
adds the few plain HTTP routes Gradio has no component for: a source's whole document at the
cited span (docview.py), a cited PDF itself, and a conversation's Markdown/JSON export.

Expected problems (an empty or too long question, asking while an answer is written) are
notes under the question box, never raised: a raised error would show a bare "Error" badge
and a traceback in the server log.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline: no telemetry calls

from .. import documents  # noqa: E402
from ..answer import Assistant  # noqa: E402
from ..errors import AssistantError, BadDocument, BadQuestion, MissingDependency  # noqa: E402

try:
    import gradio as gr  # after the environment is set
except ImportError as e:
    raise MissingDependency("the web chat needs gradio: pip install 'cited-assistant[web]'") from e

from .. import formats  # noqa: E402
from ..ingest import source_name  # noqa: E402
from . import highlight as hl  # noqa: E402
from . import history as hist
from . import routes, uploads
from .session import Session, Turn, stream_ask, turn_from_record  # noqa: E402

STATIC = Path(__file__).with_name("static")
CSS = (STATIC / "app.css").read_text(encoding="utf-8")
JS = (STATIC / "app.js").read_text(encoding="utf-8")


HEADER = (
    "<div class='app-header'><h2 style='margin:0'>Ask your documents</h2>"
    "<div style='color:var(--body-text-color-subdued);font-size:.9em'>Answers come only "
    "from the indexed documents, with every cited passage shown in its source.</div></div>"
)
PLACEHOLDER = (
    "**Ask a question about your documents.**\n\nEach answer cites its sources: "
    "select a marker like [1] to see the passage, highlighted in its document."
)
BUSY = "An answer is still being written; ask again when it is done, or press Stop (Esc)."
EMPTY = "Type a question first, then press Enter or Ask."
NOTHING_TO_REGENERATE = "Nothing to regenerate yet: ask a question first."
NOTHING_TO_DELETE = "Nothing to delete: this conversation has no answered question yet."
GONE = "That conversation is no longer in the history."
# Runs in the page before the history is loaded: the browser's id, made once and kept in its
# localStorage (history.py says why it is random and never shown).
BROWSER_ID_JS = """() => {
  const key = 'cited-assistant-browser';
  let id = localStorage.getItem(key) || '';
  if (!/^[0-9a-f]{32}$/.test(id)) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    localStorage.setItem(key, id);
  }
  return id;
}"""


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


def _tab(request) -> str:
    return getattr(request, "session_hash", None) or ""


class WebApp:
    """The event handlers, around one shared Assistant."""

    def __init__(self, assistant, upload_limit: int = uploads.MAX_BYTES):
        self.assistant = assistant  # the default collection's
        self._assistants = {"": assistant}  # collection name -> its Assistant, made on first use
        self._assistants_lock = threading.Lock()
        self.root = Path(assistant.settings.root)
        self.top_k = assistant.settings.top_k
        self.upload_limit = upload_limit
        self.read = partial(hl.read_source, self.root)
        self._runs: dict[str, Run] = {}  # browser tab -> the answer being written for it
        self.history = hist.History(assistant.settings.history_path)
        self._clean_uploads()

    def _clean_uploads(self) -> None:
        """Delete what uploads interrupted by a stopped server left (uploads.clean), but only
        against a manifest that was read: without one, every upload would look unindexed."""
        from .. import collection
        from ..index import read_manifest

        try:
            manifest = read_manifest(self.assistant.settings)
            # an upload indexed into another collection is not left over either
            others = [collection.documents(self._settings(name)) for name in self.collection_names()[1:]]
        except AssistantError:
            return
        if manifest is None:
            return
        files = dict(manifest.get("files", {}))
        for more in others:
            files.update(more)
        for source in uploads.clean(self.root, files):
            self.assistant.log(f"deleted {source}: the server stopped before it was indexed; upload it again")

    def indexed(self) -> dict:
        """The documents of every collection (source -> meta), for the document view and the
        cards' titles; a collection that cannot be read adds none."""
        from .. import collection

        found: dict = {}
        for name in reversed(self.collection_names()):  # the default collection's meta wins
            try:
                found.update(collection.documents(self._settings(name)))
            except AssistantError:
                pass
        return found

    # --- collections -------------------------------------------------------------------------
    def collection_names(self) -> list[str]:
        """The collections' names: "" first, the one the app was started with (the default index,
        or `assistant ui --collection NAME`'s), then the others in index/collections/."""
        from .. import collection

        s = self.assistant.settings
        if s.store_url:  # a PostgreSQL store has no collection folders
            return [""]
        return ["", *(n for n in collection.names(s) if n != s.collection)]

    def _settings(self, name: str):
        from .. import collection

        return collection.of(self.assistant.settings, name) if name else self.assistant.settings

    def assistant_for(self, name: str):
        """The Assistant of collection `name` ("" or one no longer there: the default one)."""
        name = name if name in self.collection_names() else ""
        with self._assistants_lock:
            if name not in self._assistants:
                other = Assistant(resources=self.assistant.resources.sibling(self._settings(name)))
                documents.refresh(
                    other.resources
                )  # as warm_up does for the default one: citations match the files
                self._assistants[name] = other
            return self._assistants[name]

    def collection_choices(self):
        """The collection picker: (label, name), the default one first."""
        first = self.assistant.settings.collection or "default"
        choices = [(first, "")] + [(n, n) for n in self.collection_names()[1:]]
        return gr.Dropdown(choices=choices, value="")

    def only_choices(self, collection: str = ""):
        """The "Only these documents" choices: the collection's documents, none chosen (all)."""
        return gr.Dropdown(choices=self._document_choices(collection), value=[])

    def path_of(self, source: str) -> Path:
        return routes.source_path(self.root, source)

    def _cards(self, answer, n: int) -> str:
        return hl.turn_sources(answer, n, self.read, hl.titles_of(self.indexed()))

    # --- chat ------------------------------------------------------------------------------
    def post(self, question: str, session: Session, pending: str):
        """Show the question at once (even while another user's answer holds the model), or
        say under the box why it cannot be asked. Returns (box, chat, pending, asked, notice):
        `asked` is the question `answer` answers next, "" for none."""
        if pending:
            return gr.skip(), gr.skip(), gr.skip(), "", hl.notice_html(BUSY)
        try:
            q = self.assistant.check_question(question)
        except BadQuestion as e:
            return gr.skip(), gr.skip(), gr.skip(), "", hl.notice_html(question_problem(question, e))
        return "", hl.chat_messages(session.turns, q), q, q, ""

    def regenerate(self, session: Session, pending: str):
        """Ask the last question again, in place of its answer. Returns (chat, session,
        sources, pending, asked, notice)."""
        if pending or not session.turns:
            notice = hl.notice_html(BUSY if pending else NOTHING_TO_REGENERATE)
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), "", notice
        question, session = session.turns[-1].question, session.without_last()
        sources = hl.sources_panel(t.sources_html for t in session.turns)
        return hl.chat_messages(session.turns, question), session, sources, question, question, ""

    def answer(
        self,
        question: str,
        session: Session,
        top_k: int,
        browser: str,
        collection: str,
        only: list,
        request: gr.Request,
    ):
        """Stream the answer into the chat; then show its sources, and keep the turn in the
        browser's history. Yields (chat, session, sources, pending). While it runs it alone
        draws the chat: Stop and New conversation set its stop flag, and it draws what they
        leave (a raced update cannot outlive them)."""
        if not question:
            return
        tab = _tab(request)
        run = self._runs[tab] = Run()
        try:
            turn = yield from self._write(run, question, session, top_k, collection, only)
        finally:
            if self._runs.get(tab) is run:
                del self._runs[tab]
        if run.reason == "new":  # new_chat has reset the states; clear what this drew
            yield [], gr.skip(), hl.EMPTY_SOURCES, gr.skip()
            return
        session = self._saved(browser, session.add(turn))
        sources = hl.sources_panel(t.sources_html for t in session.turns)
        yield hl.chat_messages(session.turns), session, sources, ""

    def _write(self, run: Run, question: str, session: Session, top_k, collection="", only=()):
        """Yield the chat as the answer is written; return the finished (or stopped) Turn."""
        n = session.next_n
        ask = partial(self._ask, top_k=top_k, collection=collection or "", only=only)
        try:
            for part in stream_ask(ask, question, session.history(), stop=run.stop):
                if isinstance(part, str):
                    run.text = part
                    yield hl.chat_messages(session.turns, question, part), gr.skip(), gr.skip(), gr.skip()
                else:
                    self._log_timings(part)
                    return Turn(n, question, part, sources_html=self._cards(part, n))
        except AssistantError as e:
            return Turn(n, question, error=str(e))
        except Exception as e:  # noqa: BLE001 - a bug: keep the app usable and put the details in the log
            traceback.print_exc()
            return Turn(
                n, question, error=f"Internal error ({type(e).__name__}); see the server log, then try again"
            )
        if run.stop.is_set():
            return Turn(n, question, stopped=True, partial=run.text)
        # the stream ended without an answer: say so rather than show nothing
        return Turn(n, question, error="No answer came back; please ask again")

    def _ask(self, question, history, on_token, top_k, collection="", only=()):
        return self.assistant_for(collection).ask(
            question,
            history=history,
            on_token=on_token,
            top_k=int(top_k) if top_k else None,
            sources=list(only or ()) or None,
        )

    def _log_timings(self, answer) -> None:
        t = answer.timings
        self.assistant.log(
            f"answered in {t.total_s} s (first token {t.first_token_s} s): {answer.question[:70]}"
        )

    def stop(self, session: Session, pending: str, browser: str, request: gr.Request):
        """Stop the tab's answer: the answer event then shows what it had written, marked as
        stopped. An answer still queued is stopped here. Returns (chat, session, pending,
        asked, notice)."""
        if self._halt(request, "stop") or not pending:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), ""
        session = self._saved(browser, session.add(Turn(session.next_n, pending, stopped=True)))
        return hl.chat_messages(session.turns), session, "", "", ""  # asked "": the queued one skips

    def new_chat(self, browser: str, request: gr.Request):
        """Returns (session, chat, sources, pending, asked, notice, conversations, exports), all
        empty: the conversation left stays in the history, and a reload now starts afresh."""
        self._halt(request, "new")
        if hist.valid_browser_id(browser):
            self.history.set_current(browser, "")
        return Session(), [], hl.EMPTY_SOURCES, "", "", "", self.conversations(browser, ""), ""

    # --- history -------------------------------------------------------------------------------
    def restore(self, browser: str):
        """On page load: the browser's history and its current conversation, as they were.
        Returns (browser, session, chat, sources, conversations, exports)."""
        if not hist.valid_browser_id(browser):
            browser = hist.new_browser_id()  # app.js makes the id; this is only a fallback
        session = self._reopen(browser, self.history.current(browser)) or Session()
        return (
            browser,
            session,
            hl.chat_messages(session.turns),
            self._sources(session),
            self.conversations(browser, session.conversation),
            self.exports(browser, session.conversation),
        )

    def _saved(self, browser: str, session: Session) -> Session:
        """Store the conversation (a new one on its first turn); the session, with its id.
        Saved in the event that makes the turn, which alone writes the session then: a
        separate save event could overwrite a session changed meanwhile (Regenerate)."""
        if not session.turns or not hist.valid_browser_id(browser):
            return session
        return Session(session.turns, self.history.save(browser, session.conversation, session.records()))

    def listed(self, browser: str, session: Session):
        """After each answer (or stop): the history list and the export links. Returns
        (conversations, exports)."""
        if not session.conversation:
            return gr.skip(), gr.skip()
        return self.conversations(browser, session.conversation), self.exports(browser, session.conversation)

    def open_conversation(self, conversation: str, browser: str, pending: str):
        """Reopen a conversation from the list. Returns (session, chat, sources, notice,
        conversations, exports)."""
        if pending:
            return gr.skip(), gr.skip(), gr.skip(), hl.notice_html(BUSY), gr.skip(), gr.skip()
        session = self._reopen(browser, conversation or "")
        if session is None:
            listed = self.conversations(browser, "")
            return gr.skip(), gr.skip(), gr.skip(), hl.notice_html(GONE), listed, gr.skip()
        self.history.set_current(browser, session.conversation)
        chat, sources = hl.chat_messages(session.turns), self._sources(session)
        return session, chat, sources, "", gr.skip(), self.exports(browser, session.conversation)

    def delete_conversation(self, browser: str, session: Session, pending: str):
        """Delete the conversation shown. Returns (session, chat, sources, notice,
        conversations, exports)."""
        if pending or not session.conversation:
            notice = hl.notice_html(BUSY if pending else NOTHING_TO_DELETE)
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
        turns = tuple(turn_from_record(n, q, r, self._cards) for n, q, r in records)
        return Session(turns, conversation)

    @staticmethod
    def _sources(session: Session) -> str:
        return hl.sources_panel(t.sources_html for t in session.turns)

    def conversations(self, browser: str, current: str):
        """The history list: each conversation's title and when it was last used."""
        found = self.history.conversations(browser) if hist.valid_browser_id(browser) else []
        choices = [(f"{c.title} · {_when(c.updated)}", c.id) for c in found]
        return gr.Radio(choices=choices, value=current or None)

    def exports(self, browser: str, conversation: str) -> str:
        """Download links for the conversation shown (routes.py serves them)."""
        if not conversation:
            return ""
        base = f"{routes.PREFIX.lstrip('/')}/export/{conversation}"
        return (
            f'<span class="export-label">Export:</span> <a href="{base}.md?browser={browser}" download>'
            f'Markdown</a> · <a href="{base}.json?browser={browser}" download>JSON</a>'
        )

    def _halt(self, request, reason: str) -> bool:
        """Set the stop flag of the tab's answer; False if none is being written."""
        run = self._runs.pop(_tab(request), None)
        if run is None:
            return False
        run.reason = reason
        run.stop.set()
        return True

    # --- documents ---------------------------------------------------------------------------
    def documents(self, collection: str = ""):
        """The collection's indexed documents as checkbox choices: (label, source)."""
        return gr.CheckboxGroup(choices=self._document_choices(collection), value=[])

    def _document_choices(self, collection: str = "") -> list[tuple[str, str]]:
        from .. import collection as coll

        name = collection if collection in self.collection_names() else ""
        try:
            files = coll.documents(self._settings(name))
        except AssistantError:
            files = {}
        titles, choices = hl.titles_of(files), []
        for source, meta in sorted(files.items(), key=lambda kv: titles[kv[0]].lower()):
            tag = " · uploaded" if uploads.is_upload(source) else ""
            count = meta.get("passages", 0)
            name = hl.title_of(source)
            shown = name if titles[source] == name else f"{titles[source]} — {name}"
            label = f"{shown} ({count} passage{'s' * (count != 1)}{tag})"
            choices.append((label, source))
        return choices

    def upload(
        self,
        files,
        browser: str,
        collection: str,
        request: gr.Request,
        progress=gr.Progress(track_tqdm=True),
    ):
        """Check, store and index uploaded files, each browser's in a folder of its own (see
        uploads.py). Yields nothing partial: returns (status, documents, cleared file box).
        Gradio's copy of each file is deleted once handled, whether it was taken or not."""
        files = [Path(f) for f in (files or [])]
        owner = uploads.owner_folder(browser if hist.valid_browser_id(browser) else _tab(request))
        lines, stored = [], []
        for i, f in enumerate(files):
            progress(i / (len(files) + 1), desc=f"Checking {f.name}")
            try:
                stored.append(uploads.store(f, f.name, self.root, self.upload_limit, owner))
            except BadDocument as e:
                lines.append(("bad", f"Not added: {e}"))
            except OSError as e:  # a name the file system refuses, a full disk
                lines.append(("bad", f"Not added: {f.name[:80]}: cannot store it ({e.strerror}); rename it"))
            finally:
                uploads.discard_temp(f)
        if stored:
            progress(len(files) / (len(files) + 1), desc=f"Indexing {len(stored)} file(s)")
            lines += self._index(stored, self.assistant_for(collection))
        return _status(lines), self.documents(collection), None

    def _index(self, stored, assistant) -> list[tuple[str, str]]:
        try:
            report = assistant.add_documents([p for p, _ in stored])
        except AssistantError as e:
            for path, replaced in stored:
                if not replaced:
                    path.unlink(missing_ok=True)
            return [("bad", f"Not added: {e}")]
        files = assistant.documents()
        lines = [("bad", f"Not added: {reason}") for reason in report.failed]
        for path, replaced in stored:
            meta = files.get(source_name(path, self.root))
            if meta is None:  # checked before, yet not indexed: do not keep it
                path.unlink(missing_ok=True)
                continue
            verb = "replaced" if replaced else "added"
            lines.append(("ok", f"✓ {path.name} {verb}: {meta['passages']} passages; ask about it now"))
        return lines

    def remove(self, selected, collection: str = ""):
        """Drop the selected documents from the collection; delete them if they were uploads."""
        if not selected:
            return _status([("bad", "Select the documents to remove first.")]), gr.skip()
        try:
            self.assistant_for(collection).remove_documents(selected)
        except AssistantError as e:
            return _status([("bad", str(e))]), self.documents(collection)
        for source in selected:
            uploads.delete(self.root, source)
        names = ", ".join(hl.title_of(s) for s in selected)
        return _status([("ok", f"Removed from the index: {names}")]), self.documents(collection)

    def model_info(self) -> str:
        a = self.assistant
        return f"**Model:** `{a.resources.model_name}`"


def _when(seconds: float) -> str:
    return time.strftime("%d %b %H:%M", time.localtime(seconds))


def _status(lines) -> str:
    return "".join(f'<div class="{kind}">{hl.esc(text)}</div>' for kind, text in lines)


def answer_slots(assistant) -> int:
    """How many answers are written at once: one with the in-process model (llama.cpp contexts
    are not thread-safe), the server's slots (ASSISTANT_LLM_PARALLEL) with a model server."""
    s = assistant.settings
    return s.llm_parallel if s.llm_url else 1


def build(assistant, upload_limit: int = uploads.MAX_BYTES) -> gr.Blocks:
    """The page: documents and settings in a sidebar; the chat with its sources beside it."""
    return _build(assistant, upload_limit)[0]


def _build(assistant, upload_limit: int) -> tuple[gr.Blocks, WebApp]:
    app = WebApp(assistant, upload_limit)
    with gr.Blocks(title="Cited assistant") as demo:
        # pending: the question being answered; asked: the question the next answer event answers
        session, pending, asked = gr.State(Session()), gr.State(""), gr.State("")
        # the browser's id (BROWSER_ID_JS), which keys its history: a component, not a gr.State,
        # since only a component's value travels from the page, where the id is kept
        browser = gr.Textbox("", visible=False, elem_id="browser-id")
        files, status, docs, remove, conversations, delete_conv, exports, model, top_k = _sidebar(app)
        gr.HTML(HEADER)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=360):
                picker, only = _chooser(app)
                chat = gr.Chatbot(
                    elem_id="chat",
                    show_label=False,
                    height="68vh",
                    placeholder=PLACEHOLDER,
                    feedback_options=None,
                    latex_delimiters=[],
                    buttons=[],  # each answer has its own "Copy as Markdown" (highlight.copy_html)
                )
                with gr.Row():
                    box = gr.Textbox(
                        placeholder="Ask about your documents…",
                        show_label=False,
                        scale=8,
                        elem_id="question",
                        autofocus=True,
                        max_lines=6,
                        container=False,
                    )
                    ask = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="ask")
                    # shown only while an answer is written (app.css); Esc presses it (app.js)
                    stop = gr.Button("Stop", variant="stop", scale=1, min_width=80, elem_id="stop")
                notice = gr.HTML("", elem_id="notice")
                with gr.Row():
                    regenerate = gr.Button("Regenerate", size="sm", elem_id="regenerate")
                    new = gr.Button("New conversation", size="sm", elem_id="new-chat")
            with gr.Column(scale=2, min_width=300):
                gr.Markdown("#### Sources")
                sources = gr.HTML(hl.EMPTY_SOURCES, elem_id="sources")
        answer_step = dict(
            fn=app.answer,
            inputs=[asked, session, top_k, browser, picker, only],
            outputs=[chat, session, sources, pending],
            concurrency_id="model",
            concurrency_limit=answer_slots(assistant),
            show_progress="minimal",
        )
        listed_step = dict(
            fn=app.listed,
            inputs=[browser, session],
            outputs=[conversations, exports],
            show_progress="hidden",
            queue=False,
        )
        gr.on(
            [box.submit, ask.click],
            app.post,
            [box, session, pending],
            [box, chat, pending, asked, notice],
            show_progress="hidden",
            queue=False,
        ).success(**answer_step).then(**listed_step)
        regenerate.click(
            app.regenerate,
            [session, pending],
            [chat, session, sources, pending, asked, notice],
            show_progress="hidden",
            queue=False,
        ).success(**answer_step).then(**listed_step)
        # No `cancels=`: Gradio 6's cancel at times left an "Error" badge on the chat; the stop
        # flag these set ends the answer event itself, within 0.1 s, and frees the model.
        stopped = [chat, session, pending, asked, notice]
        stop.click(app.stop, [session, pending, browser], stopped, queue=False).then(**listed_step)
        cleared = [session, chat, sources, pending, asked, notice, conversations, exports]
        for reset in (new.click, chat.clear):
            reset(app.new_chat, browser, cleared, queue=False)
        shown = [session, chat, sources, notice, conversations, exports]
        conversations.input(app.open_conversation, [conversations, browser, pending], shown, queue=False)
        delete_conv.click(app.delete_conversation, [browser, session, pending], shown, queue=False)
        files.upload(
            app.upload,
            [files, browser, picker],
            [status, docs, files],
            concurrency_id="index",
            concurrency_limit=1,
        ).then(app.only_choices, picker, only, queue=False)
        remove.click(
            app.remove, [docs, picker], [status, docs], concurrency_id="index", concurrency_limit=1
        ).then(app.only_choices, picker, only, queue=False)
        picker.change(lambda c: (app.documents(c), app.only_choices(c)), picker, [docs, only], queue=False)
        demo.load(
            lambda: (app.documents(), app.model_info(), app.collection_choices(), app.only_choices()),
            None,
            [docs, model, picker, only],
        )
        restored = [browser, session, chat, sources, conversations, exports]
        demo.load(app.restore, browser, restored, js=BROWSER_ID_JS, queue=False)
    return demo, app


def _sidebar(app: WebApp):
    with gr.Sidebar(label="Documents and settings", width=330):
        gr.Markdown("### Conversations")
        conversations = gr.Radio(label="Kept for this browser", elem_id="history")
        exports = gr.HTML("", elem_id="history-export")
        delete_conv = gr.Button("Delete this conversation", size="sm", elem_id="history-delete")
        gr.Markdown("### Documents")
        files = gr.File(
            label=f"Add {formats.listing()} files (up to {app.upload_limit // 2**20} MB each)",
            file_count="multiple",
            file_types=sorted(formats.SUFFIXES),
            type="filepath",
            elem_id="upload",
            height=120,
        )
        status = gr.HTML("", elem_id="upload-status")
        docs = gr.CheckboxGroup(label="Indexed documents", elem_id="documents")
        remove = gr.Button("Remove selected", size="sm", elem_id="remove")
        gr.Markdown("### Settings")
        model = gr.Markdown(app.model_info(), elem_id="model")
        top_k = gr.Slider(
            1,
            10,
            value=app.top_k,
            step=1,
            label="Passages to retrieve",
            info="More passages can find more, but the first word comes later.",
            elem_id="top-k",
        )
    return files, status, docs, remove, conversations, delete_conv, exports, model, top_k


def _chooser(app: WebApp):
    """Above the chat: which collection answers, and which of its documents (none: all)."""
    with gr.Row(elem_id="scope"):
        picker = gr.Dropdown(
            choices=[("default", "")], value="", label="Collection", elem_id="collection", scale=1
        )
        only = gr.Dropdown(
            choices=[],
            value=[],
            multiselect=True,
            label="Only these documents",
            info="None chosen: every document of the collection.",
            elem_id="only-documents",
            scale=2,
        )
    return picker, only


def launch(
    assistant, host: str = "127.0.0.1", port: int = 7860, upload_limit: int = uploads.MAX_BYTES
) -> gr.Blocks:
    """Start serving the app on host:port in the background; return the running Blocks."""
    demo, app = _build(assistant, upload_limit)
    demo.queue(default_concurrency_limit=1)
    try:
        demo.launch(
            server_name=host,
            server_port=port,
            prevent_thread_lock=True,
            quiet=True,
            show_error=False,
            max_file_size=upload_limit,
            css=CSS,
            js=JS,
            theme=gr.themes.Soft(),
            footer_links=[],
        )
    except OSError as e:
        raise AssistantError(f"cannot listen on {host}:{port} ({e}); pass another --port") from e
    routes.add_routes(demo.app, app)  # the document view, the PDF file, the history export
    from ..service.app import attach

    attach(demo.app, assistant, host)  # the HTTP API, OpenAI-compatible chat and MCP (service/)
    return demo


def serve(assistant, host: str = "127.0.0.1", port: int = 7860) -> None:
    """`assistant ui`: warm up, serve, print the address, and run until Ctrl+C."""
    check_port(host, port)  # before the slow warm-up, not after it
    warm_up(assistant)
    demo = launch(assistant, host, port)
    print(f"Cited assistant: open http://{host}:{port} in your browser (Ctrl+C to stop)", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"Listening on {host}: anyone who can reach this machine can use the app.", flush=True)
    try:
        while demo.is_running:
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("Stopping.")
    finally:
        demo.close()


def check_port(host: str, port: int) -> None:
    """Fail in one line, before the slow start, if host:port cannot be listened on."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server itself will
        try:
            s.bind((host, port))
        except OSError as e:
            fix = (
                "is the app already running? Pass another --port"
                if e.errno == errno.EADDRINUSE
                else "check --host and --port"
            )
            raise AssistantError(f"cannot listen on {host}:{port} ({e.strerror}); {fix}") from e


def warm_up(assistant, log=lambda msg: print(msg, file=sys.stderr)) -> None:
    """Load the index, the embedder and the LLM before serving, so the first question is not
    also the slowest. In this thread: llama.cpp silences stdout while it loads, which would
    swallow the address printed meanwhile."""
    log("Loading the index, the embedder and the model...")
    documents.refresh(assistant.resources)  # files changed since indexing are re-indexed before anyone asks
    assistant.resources.warm_up()  # index, embedder, and the model with the fixed prompt cached
