"""The index as the pipeline sees it: files in, a `Store` (stores/) holding what they became.

    open_store(settings)      the store settings.store_url names (stores.BACKENDS), or the folder
    load(settings)            the store, checked: it exists, and was built with these settings
    update(settings, paths)   scan files, hash, read, embed new and changed ones, ONE store write
    remove(settings, sources) drop documents (their files are left alone)
    staleness(store, settings)          which indexed documents are missing or changed on disk
                                        (read-only; ondisk.py)
    indexed_text(store, source, page)   a document's text as the index holds it (ondisk.py)

Everything here goes through the `Store` Protocol, so indexing works the same whichever store
holds the passages. The store makes each write atomic and serialises writers (`writing()`);
this module decides what to write: unchanged files keep their vectors, changed and new ones
are embedded in batches of files (bounded memory on a large collection, progress between them).

Nothing is lost to damage: `update(..., rebuild=True)` re-reads every file the index holds, and
when the folder store's manifest is damaged, the files its passages files list.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import ingest, stores
from .config import Settings
from .embed import PassageEmbedder, TextEmbedder
from .errors import BadDocument, IndexDamaged, IndexMismatch, IndexMissing
from .ondisk import Staleness, file_text, indexed_text, kind, path_of, staleness, stat_meta, unchanged
from .progress import IndexProgress, Tracker, UpdateReport
from .redact import redact
from .stores import Log, Recoverable, SourceData, Store

BATCH_PASSAGES = 256  # passages embedded per call: bounded memory, and a progress report between


# --- opening and checking ------------------------------------------------------------------------
def open_store(settings: Settings) -> Store:
    """The store `settings.store_url` names (its scheme picks the backend in stores.BACKENDS),
    else the folder `index_path`. Opening reads nothing; the first call does."""
    return stores.open_store(settings.store_url, settings.index_path)


def load(settings: Settings, store: Store | None = None) -> Store:
    """The store, read and checked, or a one-line error naming the command that fixes it."""
    store = store or open_store(settings)
    manifest = store.manifest()
    if manifest is None:
        raise IndexMissing(f"no index in {where(settings)}; run: assistant index")
    check_settings(manifest, settings)
    store.count()  # reads the folder store's data now: damage is reported here, not mid-question
    return store


def read_manifest(settings: Settings) -> dict | None:
    """The index's manifest, or None when nothing was ever indexed."""
    store = open_store(settings)
    try:
        return store.manifest()
    finally:
        store.close()


def check_settings(manifest: dict, settings: Settings) -> None:
    built, wanted = manifest["settings"], settings.index_fingerprint()
    if built != wanted:
        diff = ", ".join(f"{k} {built.get(k)!r} (now {v!r})" for k, v in wanted.items() if built.get(k) != v)
        raise IndexMismatch(
            f"the index was built with other settings: {diff}; "
            f"re-embed every document with: {command(settings, '--rebuild')}"
        )


def where(settings: Settings) -> str:
    """The index's folder, or its store URL without the password (`redact`).

    >>> where(Settings(store_url="postgresql://ann:secret@db:5432/docs?password=secret"))
    'postgresql://ann@db:5432/docs'
    """
    return redact(settings.store_url) if settings.store_url else str(settings.index_path)


def command(settings: Settings, args: str) -> str:
    """The `assistant index` command line for this index, ending in `args`."""
    import shlex

    if settings.store_url:
        return f"assistant index {args}"  # the URL comes from ASSISTANT_STORE_URL or --store
    if settings.collection:
        base = shlex.quote(str(settings.index_base))
        return f"assistant index {args} --index {base} --collection {settings.collection}"
    return f"assistant index {args} --index {shlex.quote(str(settings.index_path))}"


# --- updating --------------------------------------------------------------------------------------
def update(
    settings: Settings,
    paths=None,
    embedder: TextEmbedder | None = None,
    rebuild: bool = False,
    log: Log = lambda msg: print(msg, file=sys.stderr),
    progress=None,
) -> UpdateReport:
    """Add or re-embed changed files under `paths`, re-check every indexed file, drop the gone.

    `paths=None` indexes the seeds folder (skipped if it is gone while the index holds
    documents); `[]` only re-checks what is indexed. Unchanged files keep their vectors.
    `rebuild` re-embeds every file the index holds (wherever it lives) and every file under
    `paths`: a rebuild drops only files that are gone, and reports them. A rebuild also repairs
    a folder index whose manifest is damaged or missing (see `FolderStore.recover_sources`).
    Nothing is written until every file is read and embedded, then ONE `store.write` (also when
    only the recorded stat of unchanged files moved, so the next check is a stat again): an
    error leaves the index as it was. `progress(IndexProgress)` is called after each batch of
    files; without it, a line is logged every ~10% of a long run.
    """
    store = open_store(settings)
    try:
        with store.writing():
            held, old_files, empty = _previous(store, settings, rebuild, bool(paths), log)
            report, todo, files_meta = _scan(settings, paths, old_files, held)
            upserts = _read_and_embed(settings, todo, report, files_meta, embedder, log, progress)
            for names in (report.added, report.changed, report.rebuilt, report.removed):
                names.sort()
            report.passages = sum(int(meta.get("passages", 0)) for meta in files_meta.values())
            moved = any(files_meta[s] != old_files.get(s) for s in report.unchanged)
            if report.touched or empty or rebuild or moved:
                store.write(settings.index_fingerprint(), upserts, report.removed, files_meta)
            return report
    finally:
        store.close()


def _previous(store: Store, settings: Settings, rebuild: bool, explicit: bool, log):
    """(the sources the index holds, their meta to compare files with, whether it is empty).
    A rebuild compares nothing, so it needs only the sources, which the folder store can
    recover when its manifest is damaged."""
    if not rebuild:
        manifest = store.manifest()
        if manifest is None:
            return [], {}, True
        check_settings(manifest, settings)
        store.count()  # damaged data is reported now, before any file is read
        files = store.sources()
        return list(files), files, False
    try:
        manifest = store.manifest()
    except IndexDamaged:
        if not isinstance(store, Recoverable):
            raise
        return store.recover_sources(explicit, log), {}, True
    return (list(manifest["files"]) if manifest else []), {}, manifest is None


@dataclass(frozen=True)
class _ToRead:
    source: str
    path: Path
    sizes: dict  # size, mtime_ns, ctime_ns, inode (`ondisk.stat_meta`)
    label: str  # 'added', 'changed' or 'rebuilt': where it goes in the report once read


def _scan(settings: Settings, paths, old_files: dict, held: list[str]):
    """(report, files to read, manifest entries of unchanged files): notes the unchanged and the
    gone, and which files to read. Reads only the files whose stat moved (to hash them; see
    `ondisk.unchanged`)."""
    if paths is None:
        seeds = settings.seeds_path
        paths = [] if held and not seeds.exists() else [seeds]
    files, skipped = ingest.collect(paths)
    report = UpdateReport(skipped=[str(p) for p in skipped])
    report.reasons.update({str(p): "unsupported file type" for p in skipped})
    by_source = {ingest.source_name(path, settings.root): path for path in files}
    for source in held:  # re-check (re-read, for a rebuild) what the index holds, wherever it lives
        by_source.setdefault(source, path_of(source, settings))
    todo, files_meta = [], {}
    for source, path in sorted(by_source.items()):
        what, meta = kind(path), old_files.get(source)
        if what == "gone":
            report.removed.append(source)
            continue
        if what == "folder":
            raise BadDocument(
                f"{source} was indexed as a file but is now a folder; restore the file, or rename "
                "the folder (the next `assistant index` then drops the document)"
            )
        sizes = stat_meta(path.stat())
        if meta and unchanged(path, meta):
            report.unchanged.append(source)
            files_meta[source] = {**meta, **sizes}
            continue
        label = "changed" if meta else "rebuilt" if source in held else "added"
        todo.append(_ToRead(source, path, sizes, label))
    return report, todo, files_meta


def _read_and_embed(settings, todo: list[_ToRead], report, files_meta, embedder, log, progress):
    """Read and embed the files of `todo`, a batch of about BATCH_PASSAGES passages at a time,
    so that memory holds one batch of texts, not a collection's. A file that cannot be read is
    reported in `report.failed` (and dropped, if the index held it)."""
    if not todo:
        return []
    tracker = Tracker(len(todo), sum(t.sizes["size"] for t in todo), log, progress)
    upserts: list[SourceData] = []
    batch: list[tuple[_ToRead, object, list]] = []
    for item in todo:
        try:
            doc = ingest.read_document(item.path, settings.root, settings.read_limits())
        except BadDocument as e:
            report.failed.append(str(e))
            report.reasons[item.source] = str(e)
            if item.label != "added":
                report.removed.append(item.source)
            tracker.done(1, 0, item.sizes["size"])
            continue
        batch.append((item, doc, ingest.passages(doc, settings.chunk_chars, settings.chunk_overlap)))
        if sum(len(ps) for _, _, ps in batch) >= BATCH_PASSAGES:
            embedder = embedder or _embedder()
            upserts += _embed_batch(batch, embedder, report, files_meta, tracker)
            batch = []
    if batch:
        embedder = embedder or _embedder()
        upserts += _embed_batch(batch, embedder, report, files_meta, tracker)
    return upserts


def _embed_batch(batch, embedder, report, files_meta, tracker) -> list[SourceData]:
    """SourceData of each file in `batch`: one embedding call for all their passages and the
    sentences evidence selection reads (`ingest.sentences`)."""
    import numpy as np

    passages = [p for _, _, ps in batch for p in ps]
    if passages:
        vectors, sentence_vectors = _embed(embedder, passages)
    else:
        vectors, sentence_vectors = np.zeros((0, _dimension(embedder)), dtype="float32"), []
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    out, at = [], 0
    for item, doc, ps in batch:
        meta = {
            "sha256": doc.sha256,
            **item.sizes,
            "passages": len(ps),
            "title": doc.title or "",
            "indexed_at": now,
        }
        part = slice(at, at + len(ps))
        out.append(SourceData(item.source, meta, ps, vectors[part], sentence_vectors[part], doc.pages))
        at += len(ps)
        files_meta[item.source] = meta
        getattr(report, item.label).append(item.source)
    tracker.done(len(batch), len(passages), sum(item.sizes["size"] for item, _, _ in batch))
    return out


def _embed(embedder: TextEmbedder, passages):
    """(passage vectors, each passage's sentence vectors). A `PassageEmbedder` does both itself
    (it may pool sentences from the passage's own pass); otherwise passages and sentences go in
    one `embed` call."""
    if isinstance(embedder, PassageEmbedder):
        vectors, sentence_vectors = embedder.embed_passages(passages)
        return vectors, list(sentence_vectors)
    groups = [[s.text for s in ingest.sentences(p)] for p in passages]
    texts = [p.text for p in passages] + [t for group in groups for t in group]
    embedded = embedder.embed(texts, progress=False)
    out, at = [], len(passages)
    for group in groups:
        out.append(embedded[at : at + len(group)])
        at += len(group)
    return embedded[: len(passages)], out


def remove(settings: Settings, sources) -> UpdateReport:
    """Drop documents from the index by their source names; their files are left alone."""
    store = open_store(settings)
    try:
        manifest = store.manifest()  # no index, or a damaged one: say so before taking the lock
        if manifest is None:
            raise IndexMissing(f"no index in {where(settings)}; run: assistant index")
        check_settings(manifest, settings)
        with store.writing():
            files = store.sources()
            gone = set(sources)
            unknown = gone - set(files)
            if unknown:
                raise IndexMissing(
                    f"not in the index: {', '.join(sorted(unknown))}; "
                    "see the indexed names with: assistant docs"
                )
            kept = {k: v for k, v in files.items() if k not in gone}
            store.write(settings.index_fingerprint(), [], sorted(gone), kept)
            passages = sum(int(meta.get("passages", 0)) for meta in kept.values())
            return UpdateReport(removed=sorted(gone), unchanged=sorted(kept), passages=passages)
    finally:
        store.close()


# --- files on disk (ondisk.py) ------------------------------------------------------------------------
def stale_sources(store: Store, settings: Settings) -> list[str]:
    """Indexed files that were changed or removed since indexing (`staleness`, as one list)."""
    return staleness(store, settings).sources


def _embedder():
    from .embed import Embedder

    return Embedder()


def _dimension(embedder: TextEmbedder) -> int:
    return embedder.dimension


__all__ = [
    "IndexProgress",
    "Staleness",
    "Store",
    "UpdateReport",
    "check_settings",
    "command",
    "file_text",
    "indexed_text",
    "load",
    "open_store",
    "read_manifest",
    "remove",
    "stale_sources",
    "staleness",
    "update",
]
