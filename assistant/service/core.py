"""`Service`: what every HTTP route and MCP tool calls, each a call of the library.

One Assistant per collection (made on first use over `Resources.sibling`, so they share the
embedder, the model and its lock), the model queue, and a lock that lets one upload or
removal change an index at a time (as the web chat's "index" concurrency limit does). Nothing
here knows HTTP: the routes (routes.py, openai_chat.py) and the MCP tools (mcp_server.py) turn
requests into these calls and their results into JSON.

    service = Service(Assistant(settings))
    service.search("Operation Barkhane", k=3)["passages"][0]["source"]   # 'seeds/001_...txt'
"""

from __future__ import annotations

import threading
from pathlib import Path

from .. import collection as coll
from .. import documents
from ..answer import Assistant
from ..config import collection as collection_name
from ..errors import AssistantError, BadDocument, BadQuestion
from ..ingest import source_name
from ..web import uploads
from .errors import BadRequest, NotFound, TooLarge
from .queue import ModelQueue, slots_of

QUEUE_WAITING = 16  # questions that may wait for the model; more are told to come back (429)


class Service:
    def __init__(self, assistant, queue: ModelQueue | None = None, upload_limit: int = uploads.MAX_BYTES):
        self.assistant = assistant  # the collection the server was started with
        self.queue = queue or ModelQueue(slots_of(assistant.settings), QUEUE_WAITING)
        self.upload_limit = upload_limit
        self.root = Path(assistant.settings.root)
        self.ready = False  # set once `warm` has loaded the index, the embedder and the model
        self._assistants = {"": assistant}
        self._lock = threading.Lock()
        self._index_lock = threading.Lock()

    # --- collections ---------------------------------------------------------------------------
    def assistant_for(self, name: str | None = None):
        """The Assistant of collection `name` (None or "": the one the server was started with)."""
        if not name:
            return self.assistant
        name = collection_name(name, "collection") or ""
        if name not in coll.names(self.assistant.settings):
            raise NotFound(f"no collection named {name!r}; see the collections with GET /v1/collections")
        with self._lock:
            if name not in self._assistants:
                resources = self.assistant.resources.sibling(coll.of(self.assistant.settings, name))
                documents.warn_if_stale(resources)  # as for the started one
                self._assistants[name] = Assistant(resources=resources)
            return self._assistants[name]

    def collections(self) -> list[dict]:
        return coll.listing(self.assistant.settings)

    # --- questions -----------------------------------------------------------------------------
    def check(self, question: str, sources=None, collection: str | None = None):
        """(assistant, question, sources as the index names them) once the question and its
        documents are known to be good: an empty question or an unknown document fails here,
        before it takes a place in the queue."""
        assistant = self.assistant_for(collection)
        question = assistant.check_question(question)
        if "\x00" in question:
            raise BadQuestion("the question contains a NUL character; remove it and ask again")
        return assistant, question, self.known(assistant, sources) if sources else None

    def known(self, assistant, sources) -> list[str]:
        """The index's names of `sources` as typed (a path, the file name or the title the
        listing shows: documents.resolve); else NotFound in one line."""
        try:
            return documents.resolve(list(sources), assistant.documents(), self.root, "GET /v1/documents")
        except documents.UnknownDocument as e:
            raise NotFound(str(e)) from None

    def ask(self, question: str, history=(), sources=None, collection=None, top_k=None, on_token=None):
        """Answer in this thread, queued as every other question is (Busy when the queue is full)."""
        assistant, question, sources = self.check(question, sources, collection)
        ticket = self.queue.admit()
        return self.answer(ticket, assistant, question, history, sources, top_k, on_token)

    @staticmethod
    def answer(ticket, assistant, question: str, history=(), sources=None, top_k=None, on_token=None):
        """`Assistant.ask` once `ticket` (queue.admit) gets a slot: the one answer function."""
        with ticket:
            return assistant.ask(
                question, history=tuple(history), on_token=on_token, top_k=top_k, sources=sources or None
            )

    def search(self, query: str, k: int = 5, sources=None, collection=None) -> dict:
        """The best passages, as `assistant search --json` prints them; no model involved."""
        assistant, query, sources = self.check(query, sources, collection)
        hits, _ = assistant.retrieve(query, k=k, sources=sources or None)
        return {"query": query, "passages": [hit.to_json(rank) for rank, hit in enumerate(hits[:k], 1)]}

    # --- documents -----------------------------------------------------------------------------
    def documents(self, collection=None) -> list[dict]:
        return coll.document_rows(self.assistant_for(collection).documents())

    def read(self, source: str, start=None, end=None, page=None, collection=None) -> dict:
        """A document's text, or its span start:end: the text every citation's offsets index
        (`ingest.document_text`), so a citation's span read here is its quote."""
        from ..ingest import document_text

        source, meta = self._meta(source, collection)
        if source.lower().endswith(".pdf") and (page is None or page < 1):
            raise BadRequest(f"{source} is a PDF, whose text is read page by page: add page=N (1-based)")
        path = self.path_of(source)
        try:
            text = document_text(path, page)
        except IndexError:
            raise BadRequest(f"{source} has no page {page}") from None
        except BadDocument as e:  # a page it does not have: named as the index names it
            raise BadRequest(str(e).replace(str(path), source)) from None
        except OSError as e:
            raise NotFound(
                f"{source} is indexed but its file cannot be read ({e.strerror}); "
                "restore it, or update the index with: assistant index"
            ) from None
        start = 0 if start is None else start
        end = len(text) if end is None else end
        if not 0 <= start <= end <= len(text):
            raise BadRequest(
                f"start={start}, end={end} is not a span of {source}"
                f"{f' page {page}' if page else ''}: its text has {len(text)} characters"
            )
        title = meta.get("title") or ""
        return {
            "source": source,
            "title": title,
            "page": page,
            "start": start,
            "end": end,
            "text": text[start:end],
        }

    def path_of(self, source: str) -> Path:
        path = Path(source)
        return path if path.is_absolute() else self.root / path

    def _meta(self, source: str, collection=None) -> tuple[str, dict]:
        """(the index's name for `source` as typed, its meta); NotFound if it names none."""
        assistant = self.assistant_for(collection)
        (name,) = self.known(assistant, [source])
        return name, assistant.documents()[name]

    def add(self, files: list[tuple[str, Path]], collection=None) -> dict:
        """Store uploaded files (name as sent, temporary path) under uploads/ by the web chat's
        rules (uploads.store) and index them. {"added": [rows], "failed": [{"name", "error",
        "exception"}]}."""
        assistant = self.assistant_for(collection)
        stored, failed = [], []
        for name, path in files:
            try:
                stored.append(self._store(name, path))
            except AssistantError as e:
                failed.append({"name": name, "error": str(e), "exception": e})
        with self._index_lock:
            added = self._index(assistant, stored, failed) if stored else []
        return {"added": added, "failed": failed}

    def _store(self, name: str, path: Path) -> tuple[Path, bool]:
        size = path.stat().st_size
        try:
            return uploads.store(path, name, self.root, self.upload_limit)
        except BadDocument as e:
            raise (TooLarge(str(e)) if size > self.upload_limit else e) from None

    def _index(self, assistant, stored, failed: list[dict]) -> list[dict]:
        try:
            report = assistant.add_documents([path for path, _ in stored])
        except AssistantError:
            for path, replaced in stored:
                if not replaced:
                    path.unlink(missing_ok=True)
            raise
        for line in report.failed:
            failed.append({"name": line.split(": ", 1)[0], "error": line, "exception": BadDocument(line)})
        files, added = assistant.documents(), []
        for path, replaced in stored:
            source = source_name(path, self.root)
            if source not in files:  # read before, yet not indexed: do not keep it
                path.unlink(missing_ok=True)
                continue
            row = coll.document_rows({source: files[source]})[0]
            added.append({**row, "replaced": replaced})
        return added

    def remove(self, source: str, collection=None) -> dict:
        """Take a document out of the index; an uploaded one's file is deleted too."""
        assistant = self.assistant_for(collection)
        source, _ = self._meta(source, collection)
        with self._index_lock:
            report = assistant.remove_documents([source])
        deleted = uploads.delete(self.root, source)
        return {"removed": report.removed, "file_deleted": deleted, "documents": len(report.unchanged)}

    # --- health --------------------------------------------------------------------------------
    def warm(self) -> None:
        """Load the index, the embedder and the model before the first question (and say how many
        indexed documents changed on disk since indexing: answers come from the index's copy)."""
        resources = self.assistant.resources
        documents.warn_if_stale(resources)
        resources.warm_up()
        self.ready = True

    def health(self) -> dict:
        """The index (documents, passages), the model, the store: raises what is down."""
        a = self.assistant
        files = a.documents()
        if not files:
            _ = a.resources.store  # no index at all: IndexMissing, naming the command that builds it
        model = {"name": a.resources.model_name, "loaded": self.ready, "server": a.settings.llm_url}
        if a.settings.llm_url:
            _ping(a.settings.llm_url)
        return {
            "status": "ok" if self.ready else "loading",
            "index": {
                "documents": len(files),
                "passages": sum(int(m.get("passages", 0)) for m in files.values()),
            },
            "model": model,
            "queue": {"slots": self.queue.slots, "waiting": self.queue.waiting, "inside": self.queue.inside},
        }


def _ping(url: str) -> None:
    """The model server answers its model list, or ModelUnavailable naming it."""
    import httpx

    from ..errors import ModelUnavailable

    try:
        httpx.get(url + "/models", timeout=3.0).raise_for_status()
    except httpx.HTTPError as e:
        raise ModelUnavailable(
            f"the model server at {url} cannot be reached ({type(e).__name__}); start one with "
            "`assistant serve-model` or fix ASSISTANT_LLM_URL"
        ) from e
