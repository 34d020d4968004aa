"""What the web chat answers from: its collections, their documents, and whose each one is.

One Library per app, around the Assistant it was started with. A collection other than that
one gets an Assistant of its own on first use (`Assistant.sibling`: the same embedder and
model). Every list a browser is shown, and the documents an answer may cite, go through
`owners.may_see`: a browser sees the shared documents and its own uploads, never another's.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AssistantError, BadQuestion
from . import highlight as hl
from . import owners, uploads

if TYPE_CHECKING:
    from ..answer import Assistant

NONE_VISIBLE = "This collection has no documents you can ask about; upload one, or pick another collection."
ONLY_GONE = "The documents chosen under “Only these documents” are no longer indexed; choose again."


class Library:
    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant  # the default collection's
        self._assistants = {"": assistant}  # collection name -> its Assistant, made on first use
        self._lock = threading.Lock()
        self.root = Path(assistant.settings.root)

    def read(self, source: str, page: int | None = None) -> str | None:
        """The text a citation's offsets index: the index's copy (so a document whose file moved
        or changed is shown as it was cited), else the file as it reads now."""
        from .. import index
        from ..errors import AssistantError

        for name in self.collection_names():
            try:
                text = index.indexed_text(self.assistant_for(name).resources.store, source, page)
            except AssistantError:
                continue
            if text is not None:
                return text
        return hl.read_source(self.root, source, page)

    # --- collections -------------------------------------------------------------------------
    def collection_names(self) -> list[str]:
        """The collections' names: "" first, the one the app was started with (the default index,
        or `assistant ui --collection NAME`'s), then the others in index/collections/."""
        from .. import collection

        s = self.assistant.settings
        return ["", *(n for n in collection.names(s) if n != s.collection)]

    def settings_of(self, name: str):
        from .. import collection

        return collection.of(self.assistant.settings, name) if name else self.assistant.settings

    def assistant_for(self, name: str) -> Assistant:
        """The Assistant of collection `name` ("" or one no longer there: the default one)."""
        name = name if name in self.collection_names() else ""
        with self._lock:
            if name not in self._assistants:
                from .. import documents
                from ..answer import Assistant

                other = Assistant(resources=self.assistant.resources.sibling(self.settings_of(name)))
                documents.warn_if_stale(other.resources)  # as warm_up does for the default one
                self._assistants[name] = other
            return self._assistants[name]

    # --- documents ---------------------------------------------------------------------------
    def files(self, collection: str = "") -> dict:
        """Every document of a collection (source -> meta); {} when it cannot be read."""
        from .. import collection as coll

        name = collection if collection in self.collection_names() else ""
        try:
            return coll.documents(self.settings_of(name))
        except AssistantError:
            return {}

    def indexed(self) -> dict:
        """The documents of every collection (source -> meta); the default collection's meta
        wins where two hold the same source."""
        found: dict = {}
        for name in reversed(self.collection_names()):
            found.update(self.files(name))
        return found

    def visible(self, browser: str, collection: str = "") -> dict:
        """The documents of a collection this browser may see: shared ones and its uploads."""
        return {s: meta for s, meta in self.files(collection).items() if owners.may_see(browser, s)}

    def seen(self, browser: str) -> dict:
        """The documents of every collection this browser may see (the document view's list)."""
        return {s: meta for s, meta in self.indexed().items() if owners.may_see(browser, s)}

    def scope(self, browser: str, collection: str, only=()) -> list[str] | None:
        """The `sources` an answer for this browser searches: the chosen documents it may see,
        else all it may see (None when that is every document: no filter needed)."""
        files = self.files(collection)
        mine = owners.visible(browser, files)
        if only:
            chosen = [s for s in only if s in mine]
            if not chosen:
                raise BadQuestion(ONLY_GONE)
            return chosen
        if len(mine) == len(files):
            return None
        if not mine:
            raise BadQuestion(NONE_VISIBLE)
        return mine

    def titles(self) -> dict[str, str]:
        return hl.titles_of(self.indexed())

    def cards(self, answer, n: int) -> str:
        return hl.turn_sources(answer, n, self.read, self.titles())

    def path_of(self, source: str) -> Path:
        """The file of an indexed source: relative to the project root, or absolute."""
        path = Path(source)
        return path if path.is_absolute() else self.root / path

    def clean_uploads(self) -> None:
        """Delete what uploads interrupted by a stopped server left (uploads.clean), never a
        file an index of this project lists: a manifest that cannot be read stops it."""
        from .. import collection
        from ..index import read_manifest

        try:
            manifest = read_manifest(self.assistant.settings)
            others = [collection.documents(self.settings_of(n)) for n in self.collection_names()[1:]]
        except AssistantError:
            return
        if manifest is None:
            return
        files = dict(manifest.get("files", {}))
        for more in others:
            files.update(more)
        for source in uploads.clean(self.root, files):
            self.assistant.log(f"deleted {source}: the server stopped before it was indexed; upload it again")
