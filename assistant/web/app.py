"""The web front end: a chat whose answers stream in, with the passages they cite beside them.

Thin, like the CLI: questions go to `Assistant.ask` (the one answer function), documents to
`index.update` / `index.remove`. This module lays out the page and wires its events to the
handlers, one module a job:

    chat.py           ask, stream, stop, regenerate, new conversation
    conversations.py  the history (history.py's SQLite, per browser): restore, reopen, export
    documents.py      the document lists, upload (uploads.py) and removal
    library.py        the collections and their documents, and whose each one is (owners.py)
    messages.py, highlight.py, docview.py, pdfpage.py   the HTML drawn, pure
    routes.py         the plain HTTP routes (document view, PDF page, exports, feedback)
    server.py         `assistant ui`: login, warm-up, serving, `mount` for more routes

    assistant ui                     # http://127.0.0.1:7860, the default model
    assistant ui --port 8000 --model smollm2

Each browser tab has its own Session in a gr.State. Model calls are queued twice over: the
answer event runs one at a time (a Gradio concurrency limit, so a waiting user sees the queue;
with a model server, `answer_slots` at a time), and Assistant holds a lock around the LLM.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline: no telemetry calls

from ..errors import MissingDependency  # noqa: E402

try:
    import gradio as gr  # after the environment is set
except ImportError as e:
    raise MissingDependency("the web chat needs gradio: pip install 'cited-assistant[web]'") from e

from .. import formats  # noqa: E402
from ..answer import Assistant  # noqa: E402
from . import highlight as hl  # noqa: E402
from . import history as hist
from . import summary, uploads
from .chat import Chat
from .conversations import Conversations
from .documents import Documents
from .library import Library
from .server import answer_slots, check_port, launch, serve, warm_up  # noqa: F401 - `assistant ui` and evals
from .session import Session
from .summary import Summaries

STATIC = Path(__file__).with_name("static")
CSS = (STATIC / "app.css").read_text(encoding="utf-8")
JS = (STATIC / "app.js").read_text(encoding="utf-8")

HEADER = (
    "<div class='app-header'><div><h2>Ask your documents</h2>"
    "<div class='app-sub'>Answers come only from the indexed documents, with every cited passage "
    "shown in its source.</div></div><div class='app-tools'>"
    "<button type='button' id='theme-toggle' aria-pressed='false' title='Dark theme (d)'>◐ Dark</button>"
    "<button type='button' id='shortcuts-open' title='Keyboard shortcuts (?)' "
    "aria-label='Keyboard shortcuts'>?</button></div></div>"
)
PLACEHOLDER = (
    "**Ask a question about your documents.**\n\nEach answer cites its sources: "
    "select a marker like [1] to see the passage, highlighted in its document. Press ? for shortcuts."
)
# Runs in the page before the history is loaded: the browser's id, made once and kept in its
# localStorage (history.py says why it is random and never shown), and sent as a same-site
# cookie too, so the plain routes (routes.py) know whose documents a request may see.
BROWSER_ID_JS = """() => {
  const key = 'cited-assistant-browser';
  let id = localStorage.getItem(key) || '';
  if (!/^[0-9a-f]{32}$/.test(id)) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    localStorage.setItem(key, id);
  }
  document.cookie = `cited-browser=${id}; path=/; SameSite=Strict; max-age=31536000`;
  return id;
}"""


class WebApp:
    """The event handlers, around one shared Assistant."""

    def __init__(self, assistant: Assistant, upload_limit: int = uploads.MAX_BYTES) -> None:
        self.assistant = assistant
        self.library = Library(assistant)
        self.history = hist.History(assistant.settings.history_path)
        self.talks = Conversations(self.library, self.history)
        self.chat = Chat(self.library, self.talks)
        self.documents = Documents(self.library, upload_limit)
        self.summaries = Summaries(self.library, self.talks, self.chat)
        self.upload_limit = upload_limit
        self.library.clean_uploads()


def build(assistant: Assistant, upload_limit: int = uploads.MAX_BYTES) -> gr.Blocks:
    """The page: documents and settings in a sidebar; the chat with its sources beside it."""
    return build_app(assistant, upload_limit)[0]


def build_app(assistant: Assistant, upload_limit: int = uploads.MAX_BYTES) -> tuple[gr.Blocks, WebApp]:
    app = WebApp(assistant, upload_limit)
    with gr.Blocks(title="Cited assistant") as demo:
        # pending: the question being answered; asked: the question the next answer event answers
        c: dict[str, Any] = {"session": gr.State(Session()), "pending": gr.State(""), "asked": gr.State("")}
        # the browser's id (BROWSER_ID_JS), which keys its history: a component, not a gr.State,
        # since only a component's value travels from the page, where the id is kept
        c["browser"] = gr.Textbox("", visible=False, elem_id="browser-id")
        c["summarised"] = gr.State([])  # the documents the next summary is of (summary.py)
        c["suggest_timer"] = gr.Timer(3.0, active=False)  # shows the suggestions once made
        c.update(_sidebar(app))
        gr.HTML(HEADER)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=360, elem_id="chat-column"):
                c.update(_chooser())
                c.update(_chat_box())
            with gr.Column(scale=2, min_width=300, elem_id="sources-column"):
                gr.Markdown("#### Sources")
                c["sources"] = gr.HTML(hl.EMPTY_SOURCES, elem_id="sources")
        _wire_chat(app, c)
        _wire_history(app, c)
        _wire_documents(app, c)
        _wire_load(app, c, demo)
        summary.wire(app, c)
    return demo, app


def _chat_box() -> dict:
    chat = gr.Chatbot(
        elem_id="chat",
        show_label=False,
        height="60vh",  # app.css fits it to the screen, so the question box shows at once
        placeholder=PLACEHOLDER,
        feedback_options=None,  # each answer has its own Helpful / Wrong (messages.feedback_html)
        latex_delimiters=[],
        buttons=[],  # each answer has its own "Copy as Markdown" (messages.copy_html)
    )
    suggestions = gr.HTML("", elem_id="suggestions")  # over the empty chat (app.css), summary.py
    with gr.Row(elem_id="ask-row"):
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
    with gr.Row(elem_id="chat-tools"):
        regenerate = gr.Button("Regenerate", size="sm", elem_id="regenerate")
        new = gr.Button("New conversation", size="sm", elem_id="new-chat")
        summarise = gr.Button("Summarise", size="sm", elem_id="summarise")
    return dict(chat=chat, box=box, ask=ask, stop=stop, notice=notice, regenerate=regenerate, new=new,
                suggestions=suggestions, summarise=summarise)  # fmt: skip


def _wire_chat(app: WebApp, c: dict) -> None:
    answer_step = dict(
        fn=app.chat.answer,
        inputs=[c["asked"], c["session"], c["top_k"], c["browser"], c["picker"], c["only"]],
        outputs=[c["chat"], c["session"], c["sources"], c["pending"]],
        concurrency_id="model",
        concurrency_limit=answer_slots(app.assistant),
        show_progress="minimal",
    )
    listed_step = dict(
        fn=app.talks.listed,
        inputs=[c["browser"], c["session"]],
        outputs=[c["conversations"], c["exports"]],
        show_progress="hidden",
        queue=False,
    )
    quiet = dict(show_progress="hidden", queue=False)
    posted = [c["box"], c["chat"], c["pending"], c["asked"], c["notice"]]
    gr.on(
        [c["box"].submit, c["ask"].click],
        app.chat.post,
        [c["box"], c["session"], c["pending"]],
        posted,
        **quiet,
    ).success(**answer_step).then(**listed_step)
    again = [c["chat"], c["session"], c["sources"], c["pending"], c["asked"], c["notice"]]
    c["regenerate"].click(
        app.chat.regenerate, [c["session"], c["pending"], c["browser"]], again, **quiet
    ).success(**answer_step).then(**listed_step)
    # No `cancels=`: Gradio 6's cancel at times left an "Error" badge on the chat; the stop
    # flag these set ends the answer event itself, within 0.1 s, and frees the model.
    stopped = [c["chat"], c["session"], c["pending"], c["asked"], c["notice"]]
    c["stop"].click(app.chat.stop, [c["session"], c["pending"], c["browser"]], stopped, queue=False).then(
        **listed_step
    )
    cleared = ["session", "chat", "sources", "pending", "asked", "notice", "conversations", "exports"]
    for reset in (c["new"].click, c["chat"].clear):
        reset(app.chat.new_chat, c["browser"], [c[k] for k in cleared], queue=False)


def _wire_history(app: WebApp, c: dict) -> None:
    shown = [c[k] for k in ("session", "chat", "sources", "notice", "conversations", "exports")]
    c["conversations"].input(
        app.talks.open, [c["conversations"], c["browser"], c["pending"]], shown, queue=False
    )
    c["delete_conv"].click(app.talks.delete, [c["browser"], c["session"], c["pending"]], shown, queue=False)


def _wire_documents(app: WebApp, c: dict) -> None:
    docs = app.documents
    picked = [c["browser"], c["picker"]]
    rescoped = dict(fn=docs.only_choices, inputs=picked, outputs=c["only"], queue=False)
    c["files"].upload(
        docs.upload,
        [c["files"], c["browser"], c["picker"]],
        [c["status"], c["docs"], c["files"]],
        concurrency_id="index",
        concurrency_limit=1,
    ).then(**rescoped)
    c["remove"].click(
        docs.remove,
        [c["docs"], c["browser"], c["picker"]],
        [c["status"], c["docs"]],
        concurrency_id="index",
        concurrency_limit=1,
    ).then(**rescoped)
    c["picker"].change(
        lambda browser, name: (docs.listed(browser, name), docs.only_choices(browser, name)),
        picked,
        [c["docs"], c["only"]],
        queue=False,
    )
    for changed in (c["picker"].change, c["only"].change):
        changed(
            lambda name, only: gr.Accordion(label=docs.scope_label(name, only)),
            [c["picker"], c["only"]],
            c["scope"],
            queue=False,
        )


def _wire_load(app: WebApp, c: dict, demo: gr.Blocks) -> None:
    """On page load: the browser's id (made in the page), its conversation, then the lists
    of what it may see."""
    docs = app.documents
    restored = [c[k] for k in ("browser", "session", "chat", "sources", "conversations", "exports")]
    listed = [c[k] for k in ("docs", "model", "picker", "only", "scope")]
    loaded = demo.load(app.talks.restore, c["browser"], restored, js=BROWSER_ID_JS, queue=False)
    loaded.then(app.summaries.suggested, None, [c["suggestions"], c["suggest_timer"]], queue=False)
    loaded.then(
        lambda browser: (
            docs.listed(browser),
            docs.model_info(),
            docs.collection_choices(),
            docs.only_choices(browser),
            gr.Accordion(label=docs.scope_label()),
        ),
        c["browser"],
        listed,
    )


def _sidebar(app: WebApp) -> dict:
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
        with gr.Row():
            summarise_docs = gr.Button("Summarise selected", size="sm", elem_id="summarise-selected")
            remove = gr.Button("Remove selected", size="sm", elem_id="remove")
        gr.Markdown("### Settings")
        model = gr.Markdown(app.documents.model_info(), elem_id="model")
        top_k = gr.Slider(
            1,
            10,
            value=app.assistant.settings.top_k,
            step=1,
            label="Passages to retrieve",
            info="More passages can find more, but the first word comes later.",
            elem_id="top-k",
        )
    return dict(
        files=files, status=status, docs=docs, remove=remove, summarise_docs=summarise_docs,
        conversations=conversations,
        delete_conv=delete_conv, exports=exports, model=model, top_k=top_k,
    )  # fmt: skip


def _chooser() -> dict:
    """Above the chat, folded into one line until opened: which collection answers, and which
    of its documents (none: all)."""
    with gr.Accordion("Searching: all documents · default", open=False, elem_id="scope") as scope:
        with gr.Row():
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
    return dict(scope=scope, picker=picker, only=only)
