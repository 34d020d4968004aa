"""HTTP routes the web chat adds beside Gradio's: the whole-document view, the PDF file of a
cited source, and the export of a conversation.

Each route answers only for what the index or the history holds: a `source` must be a key of
the index's document list (so no path typed into a URL is ever opened: "../" and absolute
paths are simply not keys), and a conversation must belong to the browser id sent with it.
Anything else is a plain 404. Responses are never cached, and the PDF is sent with
`nosniff`, so a file is only ever shown as what it is.
"""

from __future__ import annotations

from pathlib import Path

from . import docview, history
from . import highlight as hl

PREFIX = "/cited"
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def add_routes(app, web) -> None:
    """Register the routes on Gradio's FastAPI `app`, serving the WebApp `web`."""
    from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

    def missing(what: str):
        return PlainTextResponse(what, status_code=404, headers=NO_STORE)

    def document(source: str, page: int | None = None, start: int = 0, end: int = 0):
        meta = web.indexed().get(source)
        if meta is None:
            return missing("This document is not in the index.")
        text = web.read(source, page)
        if text is None:
            return missing("This document cannot be read any more; it may have moved.")
        title = meta.get("title") or hl.title_of(source)
        is_pdf = source.lower().endswith(".pdf")
        body = docview.document_html(text, start, end, title, source, page, pdf=is_pdf)
        return HTMLResponse(body, headers=NO_STORE)

    def pdf_file(source: str):
        if source not in web.indexed() or not source.lower().endswith(".pdf"):
            return missing("Only PDF documents in the index are served.")
        path = web.path_of(source)
        if not path.is_file():
            return missing("This document cannot be read any more; it may have moved.")
        headers = {**NO_STORE, "Content-Disposition": f'inline; filename="{_ascii(path.name)}"'}
        return FileResponse(path, media_type="application/pdf", headers=headers)

    def export(conversation: str, fmt: str, browser: str = ""):
        found = web.history.conversation(browser, conversation) if history.valid_browser_id(browser) else None
        if found is None or fmt not in ("md", "json"):
            return missing("No such conversation.")
        turns = web.history.turns(browser, conversation) or []
        if fmt == "md":
            body, kind = history.export_markdown(found, turns), "text/markdown; charset=utf-8"
        else:
            body, kind = history.export_json(found, turns), "application/json"
        name = f"conversation-{conversation[:8]}.{fmt}"
        headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'}
        return Response(body, media_type=kind, headers=headers)

    app.add_api_route(f"{PREFIX}/document", document, methods=["GET"])
    app.add_api_route(f"{PREFIX}/file", pdf_file, methods=["GET"])
    app.add_api_route(PREFIX + "/export/{conversation}.{fmt}", export, methods=["GET"])


def _ascii(name: str) -> str:
    return "".join(ch if ch.isascii() and ch not in '"\\' else "_" for ch in name)


def source_path(root: Path, source: str) -> Path:
    """The file of an indexed source: relative to the project root, or absolute."""
    path = Path(source)
    return path if path.is_absolute() else Path(root) / path
