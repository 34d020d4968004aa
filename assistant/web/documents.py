"""The documents' events: the lists (sidebar, "Only these documents", collections), upload
and removal. A browser lists, uploads and removes only what `owners` lets it: its own uploads
and the shared documents, of which it removes only its uploads.

Upload problems are shown as a message box above the list (status_html), one line a file,
saying what happened and what to do; nothing partial is ever indexed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import gradio as gr

from ..errors import AssistantError, BadDocument
from ..ingest import source_name
from . import highlight as hl
from . import history as hist
from . import owners, uploads
from .messages import plural

if TYPE_CHECKING:
    from .library import Library

CHOOSE_FIRST = "Select the documents to remove first."


class Documents:
    def __init__(self, library: Library, upload_limit: int = uploads.MAX_BYTES) -> None:
        self.library = library
        self.upload_limit = upload_limit

    def collection_choices(self):
        """The collection picker: (label, name), the default one first."""
        first = self.library.assistant.settings.collection or "default"
        choices = [(first, "")] + [(n, n) for n in self.library.collection_names()[1:]]
        return gr.Dropdown(choices=choices, value="")

    def only_choices(self, browser: str = "", collection: str = ""):
        """The "Only these documents" choices: the documents it may see, none chosen (all)."""
        return gr.Dropdown(choices=self.choices(browser, collection), value=[])

    def listed(self, browser: str = "", collection: str = ""):
        """The collection's documents this browser may see, as checkbox choices."""
        return gr.CheckboxGroup(choices=self.choices(browser, collection), value=[])

    def choices(self, browser: str = "", collection: str = "") -> list[tuple[str, str]]:
        """(label, source): title — file name (passages · uploaded), sorted by title."""
        files = self.library.visible(browser, collection)
        titles, out = hl.titles_of(files), []
        for source, meta in sorted(files.items(), key=lambda kv: titles[kv[0]].lower()):
            tag = (
                " · your upload"
                if owners.owner_of(source)
                else " · uploaded"
                if uploads.is_upload(source)
                else ""
            )
            name = hl.title_of(source)
            shown = name if titles[source] == name else f"{titles[source]} — {name}"
            out.append((f"{shown} ({plural(meta.get('passages', 0), 'passage')}{tag})", source))
        return out

    def scope_label(self, collection: str = "", only=()) -> str:
        """The one line the collapsed filters show: what the next question searches."""
        which = collection or self.library.assistant.settings.collection or "default"
        docs = plural(len(only), "chosen document") if only else "all documents"
        return f"Searching: {docs} · {which}"

    def upload(
        self, files, browser: str, collection: str, request: gr.Request, progress=gr.Progress(track_tqdm=True)
    ):
        """Check, store and index uploaded files, each browser's in a folder of its own (see
        uploads.py). Returns (status, documents, cleared file box). Gradio's copy of each file
        is deleted once handled, whether it was taken or not."""
        files = [Path(f) for f in (files or [])]
        if not hist.valid_browser_id(browser):
            for f in files:
                uploads.discard_temp(f)
            bad = ("bad", "The page has not finished loading; reload it, then upload again.")
            return status_html([bad]), gr.skip(), None
        owner, lines, stored = uploads.owner_folder(browser), [], []
        for i, f in enumerate(files):
            progress(i / (len(files) + 1), desc=f"Checking {f.name}")
            try:
                stored.append(uploads.store(f, f.name, self.library.root, self.upload_limit, owner))
            except BadDocument as e:
                lines.append(("bad", f"Not added: {e}"))
            except OSError as e:  # a name the file system refuses, a full disk
                lines.append(("bad", f"Not added: {f.name[:80]}: cannot store it ({e.strerror}); rename it"))
            finally:
                uploads.discard_temp(f)
        if stored:
            progress(len(files) / (len(files) + 1), desc=f"Indexing {plural(len(stored), 'file')}")
            lines += self._index(stored, self.library.assistant_for(collection))
        return status_html(lines), self.listed(browser, collection), None

    def _index(self, stored, assistant) -> list[tuple[str, str]]:
        try:
            report = assistant.add_documents([p for p, _ in stored])
        except AssistantError as e:
            for path, replaced in stored:
                if not replaced:
                    path.unlink(missing_ok=True)
                uploads.settle(path)
            return [("bad", f"Not added: {e}")]
        files = assistant.documents()
        lines = [("bad", f"Not added: {reason}") for reason in report.failed]
        for path, replaced in stored:
            meta = files.get(source_name(path, self.library.root))
            if meta is None:  # checked before, yet not indexed: do not keep it
                path.unlink(missing_ok=True)
            else:
                verb = "replaced" if replaced else "added"
                count = plural(meta["passages"], "passage")
                lines.append(("ok", f"✓ {path.name} {verb}: {count}; ask about it now"))
            uploads.settle(path)
        return lines

    def remove(self, selected, browser: str, collection: str = ""):
        """Drop this browser's selected uploads from the collection, and delete their files;
        shared documents are refused with the command that removes them."""
        if not selected:
            return status_html([("bad", CHOOSE_FIRST)]), gr.skip()
        mine = [s for s in selected if owners.may_remove(browser, s)]
        lines = [("bad", _not_yours(s)) for s in selected if s not in mine]
        if mine:
            try:
                self.library.assistant_for(collection).remove_documents(mine)
            except AssistantError as e:
                return status_html([*lines, ("bad", str(e))]), self.listed(browser, collection)
            for source in mine:
                uploads.delete(self.library.root, source)
            lines.insert(0, ("ok", f"Removed from the index: {', '.join(hl.title_of(s) for s in mine)}"))
        return status_html(lines), self.listed(browser, collection)

    def model_info(self) -> str:
        return f"**Model:** `{self.library.assistant.resources.model_name}`"


def _not_yours(source: str) -> str:
    if owners.owner_of(source) is None:
        return (
            f"Not removed: {hl.title_of(source)} is shared (indexed from the command line); "
            f"remove it there with: assistant docs remove {source}"
        )
    return f"Not removed: {hl.title_of(source)} is not one of your uploads."


def status_html(lines) -> str:
    """The upload and removal messages: problems in an alert box first, each a line saying
    what happened and what to do (never small print), then what went well."""
    bad = "".join(f'<div class="bad">{hl.esc(text)}</div>' for kind, text in lines if kind == "bad")
    ok = "".join(f'<div class="ok">{hl.esc(text)}</div>' for kind, text in lines if kind == "ok")
    return (f'<div class="alert alert-bad" role="alert">{bad}</div>' if bad else "") + (
        f'<div class="alert alert-ok" role="status">{ok}</div>' if ok else ""
    )
