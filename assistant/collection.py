"""Collections: separate indexes side by side, e.g. the seeds and a user's own reports.

The default collection is the index folder itself (`index/`); a named one is a folder under
`index/collections/<NAME>` (`Settings.collection`, `--collection NAME`, ASSISTANT_COLLECTION),
a complete index of its own with its own manifest. Nothing is shared between collections, so
indexing one never re-embeds, locks or removes anything of another.

Example usage::

    for row in listing(from_env()):
        print(row["name"] or "(default)", row["documents"], row["passages"])
"""

from __future__ import annotations

from dataclasses import replace

from .config import COLLECTION_NAME, Settings
from .errors import AssistantError
from .stores import backend


def supported(settings: Settings) -> bool:
    """Whether the store `settings` name has collections (`Backend.supports_collections`: the
    folder store has; a PostgreSQL store keeps one index per schema instead)."""
    found = backend(settings.store_url)
    return bool(found and found.supports_collections)


def names(settings: Settings) -> list[str]:
    """The named collections under the index folder, sorted (the default one is not named);
    none for a store without collections."""
    if not supported(settings):
        return []
    try:
        folders = [p for p in settings.collections_path.iterdir() if p.is_dir()]
    except OSError:  # no collections/ yet (or unreadable: the listing then has the default only)
        return []
    return sorted(p.name for p in folders if COLLECTION_NAME.fullmatch(p.name))


def of(settings: Settings, name: str | None) -> Settings:
    """`settings` for collection `name` (None or "": the default one)."""
    return replace(settings, collection=name or None)


def documents(settings: Settings) -> dict[str, dict]:
    """The collection's indexed files (source -> meta), {} when nothing was indexed there."""
    from .index import open_store

    store = open_store(settings)
    try:
        return store.sources() if store.manifest() is not None else {}
    finally:
        store.close()


def document_rows(files: dict[str, dict]) -> list[dict]:
    """The indexed files (`documents`) as `assistant docs --json` and `GET /v1/documents` list
    them, by source."""
    return [
        {
            "source": source,
            "title": meta.get("title") or "",
            "passages": int(meta.get("passages", 0)),
            "indexed_at": meta.get("indexed_at"),
            "size": meta.get("size"),
        }
        for source, meta in sorted(files.items())
    ]


def listing(settings: Settings) -> list[dict]:
    """One row per collection, the default first: name ("" for the default), folder (or the
    store URL, without its password), documents, passages, problem (None, or why the index cannot
    be read). Reads each manifest only."""
    from .index import where

    rows = []
    for name in ["", *names(settings)]:
        s, problem = of(settings, name), None
        try:
            files = documents(s)
        except AssistantError as e:  # one damaged collection must not hide the others
            files, problem = {}, str(e)
        rows.append(
            {
                "name": name,
                "folder": where(s),
                "documents": len(files),
                "passages": sum(int(m.get("passages", 0)) for m in files.values()),
                "problem": problem,
            }
        )
    return rows
