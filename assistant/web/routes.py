"""HTTP routes the web chat adds beside Gradio's: the whole-document view, a cited PDF page
drawn, the PDF file itself, a conversation's export, and feedback on an answer.

Each route answers only for what the index or the history holds, and only to the browser it
belongs to: a `source` must be a document this browser may see (`Library.seen`: the shared
ones and its own uploads; so no path typed into a URL is ever opened: "../" and absolute
paths are simply not keys), and a conversation must belong to the browser id sent with it
(the `cited-browser` cookie the page sets, or `?browser=` on an export link). Anything else
is a plain 404. Responses are never cached, and files are sent with `nosniff`, so a file is
only ever shown as what it is.
"""

from fastapi import Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, PlainTextResponse, Response

from . import docview, history, pdfpage
from . import highlight as hl

PREFIX = "/cited"
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
COOKIE = "cited-browser"  # set by the page (app.BROWSER_ID_JS)
NOT_INDEXED = "This document is not in the index."
MOVED = "This document cannot be read any more; it may have moved."


class Routes:
    """The routes' handlers, over the WebApp `web` (its library and history)."""

    def __init__(self, web):
        self.library, self.history = web.library, web.history

    def _seen(self, request: Request, source: str) -> dict | None:
        return self.library.seen(request.cookies.get(COOKIE, "")).get(source)

    def document(self, request: Request, source: str, page: int | None = None, start: int = 0, end: int = 0):
        meta = self._seen(request, source)
        if meta is None:
            return _missing(NOT_INDEXED)
        text = self.library.read(source, page)
        if text is None:
            return _missing(MOVED)
        title = meta.get("title") or hl.title_of(source)
        pdf = source.lower().endswith(".pdf")
        layout = _layout(self.library.path_of(source), page, text, start, end) if pdf and page else None
        body = docview.document_html(text, start, end, title, source, page, pdf=pdf, layout=layout)
        return HTMLResponse(body, headers=NO_STORE)

    def pdf_file(self, request: Request, source: str):
        if self._seen(request, source) is None or not source.lower().endswith(".pdf"):
            return _missing("Only PDF documents in the index are served.")
        path = self.library.path_of(source)
        if not path.is_file():
            return _missing(MOVED)
        headers = {**NO_STORE, "Content-Disposition": f'inline; filename="{_ascii(path.name)}"'}
        return FileResponse(path, media_type="application/pdf", headers=headers)

    def page_image(self, request: Request, source: str, page: int):
        if self._seen(request, source) is None or not source.lower().endswith(".pdf") or page < 1:
            return _missing("Only pages of PDF documents in the index are drawn.")
        try:
            png = pdfpage.page_png(self.library.path_of(source), page)
        except Exception:  # noqa: BLE001 - PDFium fails in its own ways on a moved or damaged file
            return _missing(MOVED)
        return Response(png, media_type="image/png", headers=NO_STORE)

    def export(self, request: Request, conversation: str, fmt: str, browser: str = ""):
        browser = browser or request.cookies.get(COOKIE, "")
        ok = history.valid_browser_id(browser)
        found = self.history.conversation(browser, conversation) if ok else None
        if found is None or fmt not in ("md", "json"):
            return _missing("No such conversation.")
        turns = self.history.turns(browser, conversation) or []
        feedback = self.history.feedback(browser, conversation)
        if fmt == "md":
            body = history.export_markdown(found, turns, feedback, self.library.titles())
            kind = "text/markdown; charset=utf-8"
        else:
            body, kind = history.export_json(found, turns, feedback), "application/json"
        name = f"conversation-{conversation[:8]}.{fmt}"
        headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'}
        return Response(body, media_type=kind, headers=headers)

    async def feedback(self, request: Request):
        try:
            data = await request.json()
            args = (
                str(data["conversation"]),
                int(data["n"]),
                str(data["verdict"]),
                str(data.get("note") or ""),
            )
        except (ValueError, KeyError, TypeError):
            return _missing("Send JSON: conversation, n, verdict (helpful or wrong), note.", 400)
        if not self.history.set_feedback(request.cookies.get(COOKIE, ""), *args):
            return _missing("No such answer in this browser's history.")
        return Response(status_code=204, headers=NO_STORE)


def add_routes(app, web, login=None) -> None:
    """Register the routes on Gradio's FastAPI `app`, serving the WebApp `web`; `login` is a
    FastAPI dependency every route needs (server.login_required)."""
    r = Routes(web)
    guard = [Depends(login)] if login else []
    for path, endpoint, method in (
        ("/document", r.document, "GET"),
        ("/file", r.pdf_file, "GET"),
        ("/page.png", r.page_image, "GET"),
        ("/export/{conversation}.{fmt}", r.export, "GET"),
        ("/feedback", r.feedback, "POST"),
    ):
        app.add_api_route(PREFIX + path, endpoint, methods=[method], dependencies=guard)


def _missing(what: str, status: int = 404):
    return PlainTextResponse(what, status_code=status, headers=NO_STORE)


def _layout(path, page: int, text: str, start: int, end: int):
    """The cited span's boxes on the drawn page; None when PDFium cannot read the page."""
    start, end = docview.clamp_span(text, start, end)
    try:
        return pdfpage.layout(path, page, text[start:end], near=start / max(1, len(text)))
    except Exception:  # noqa: BLE001 - the text view still shows the span; the page is a bonus
        return None


def _ascii(name: str) -> str:
    return "".join(ch if ch.isascii() and ch not in '"\\' else "_" for ch in name)
