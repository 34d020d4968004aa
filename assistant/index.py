"""The index as the pipeline sees it: files in, a `Store` (stores/) holding what they became.

    open_store(settings)      the folder store (default) or PostgreSQL (settings.store_url)
    load(settings)            the store, checked: it exists, and was built with these settings
    update(settings, paths)   scan files, hash, read, embed new and changed ones, ONE store write
    remove(settings, sources) drop documents (their files are left alone)

Everything here goes through the `Store` Protocol, so indexing works the same whichever store
holds the passages. The store makes each write atomic and serialises writers (`writing()`);
this module decides what to write: unchanged files keep their vectors, changed and new ones
are embedded in batches of files (bounded memory on a large collection, progress between them).

Nothing is lost to damage: `update(..., rebuild=True)` re-reads every file the index holds, and
when the folder store's manifest is damaged, the files its passages files list.
"""

from __future__ import annotations

import stat
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import ingest
from .config import Settings
from .errors import BadDocument, IndexDamaged, IndexMismatch, IndexMissing
from .stores import SourceData, Store

BATCH_PASSAGES = 256  # passages embedded per call: bounded memory, and a progress report between


@dataclass(frozen=True)
class IndexProgress:
    """How far an `update` has got, after each batch of files (for a progress bar)."""

    files_done: int
    files_total: int
    passages_done: int
    passages_per_s: float
    seconds_left: float | None  # None until something is done


@dataclass
class UpdateReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    rebuilt: list[str] = field(default_factory=list)  # held by the index, re-read by a rebuild
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # unsupported types
    failed: list[str] = field(default_factory=list)  # one-line reasons, each naming its file
    passages: int = 0
    reasons: dict[str, str] = field(default_factory=dict)  # skipped or failed file -> why

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed or self.rebuilt or self.removed)

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} added",
            f"{len(self.changed)} changed",
            f"{len(self.removed)} removed",
            f"{len(self.unchanged)} unchanged",
        ]
        if self.rebuilt:
            parts.insert(0, f"{len(self.rebuilt)} rebuilt")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped (unsupported type)")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        return f"Indexed: {', '.join(parts)}; {self.passages} passages in the index."


# --- opening and checking ------------------------------------------------------------------------
def open_store(settings: Settings) -> Store:
    """The store `settings` name: PostgreSQL for a `store_url`, else the folder `index_path`.
    Opening reads nothing; the first call does."""
    url = getattr(settings, "store_url", None)
    if url:
        from .stores.postgres import PostgresStore

        return PostgresStore(url)
    from .stores.folder import FolderStore

    return FolderStore(settings.index_path)


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
    """The index's folder, or its database URL without the password.

    >>> where(Settings(store_url="postgresql://ann:secret@db:5432/docs"))
    'postgresql://ann@db:5432/docs'
    """
    url = getattr(settings, "store_url", None)
    if not url:
        return str(settings.index_path)
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host  # an IPv6 address
    netloc = f"{parts.username + '@' if parts.username else ''}{host}{f':{parts.port}' if parts.port else ''}"
    return parts._replace(netloc=netloc).geturl()


def command(settings: Settings, args: str) -> str:
    """The `assistant index` command line for this index, ending in `args`."""
    import shlex

    if getattr(settings, "store_url", None):
        return f"assistant index {args}"  # the URL comes from ASSISTANT_STORE_URL or --store
    if getattr(settings, "collection", None):
        base = shlex.quote(str(settings.index_base))
        return f"assistant index {args} --index {base} --collection {settings.collection}"
    return f"assistant index {args} --index {shlex.quote(str(settings.index_path))}"


# --- updating --------------------------------------------------------------------------------------
def update(
    settings: Settings,
    paths=None,
    embedder=None,
    rebuild: bool = False,
    log=lambda msg: print(msg, file=sys.stderr),
    progress=None,
) -> UpdateReport:
    """Add or re-embed changed files under `paths`, re-check every indexed file, drop the gone.

    `paths=None` indexes the seeds folder (skipped if it is gone while the index holds
    documents); `[]` only re-checks what is indexed. Unchanged files keep their vectors.
    `rebuild` re-embeds every file the index holds (wherever it lives) and every file under
    `paths`: a rebuild drops only files that are gone, and reports them. A rebuild also repairs
    a folder index whose manifest is damaged or missing (see `FolderStore.recover_sources`).
    Nothing is written until every file is read and embedded, then ONE `store.write`: an error
    leaves the index as it was. `progress(IndexProgress)` is called after each batch of files;
    without it, a line is logged every ~10% of a long run.
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
            if report.touched or empty or rebuild:
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
        recover = getattr(store, "recover_sources", None)
        if recover is None:
            raise
        return recover(explicit, log), {}, True
    return (list(manifest["files"]) if manifest else []), {}, manifest is None


@dataclass(frozen=True)
class _ToRead:
    source: str
    path: Path
    sizes: dict  # size, mtime_ns
    label: str  # 'added', 'changed' or 'rebuilt': where it goes in the report once read


def _scan(settings: Settings, paths, old_files: dict, held: list[str]):
    """(report, files to read, manifest entries of unchanged files): notes the unchanged and the
    gone, and which files to read. Reads only the files whose size or mtime changed (to hash them)."""
    if paths is None:
        seeds = settings.seeds_path
        paths = [] if held and not seeds.exists() else [seeds]
    files, skipped = ingest.collect(paths)
    report = UpdateReport(skipped=[str(p) for p in skipped])
    report.reasons.update({str(p): "unsupported file type" for p in skipped})
    by_source = {ingest.source_name(path, settings.root): path for path in files}
    for source in held:  # re-check (re-read, for a rebuild) what the index holds, wherever it lives
        by_source.setdefault(source, _path_of(source, settings))
    todo, files_meta = [], {}
    for source, path in sorted(by_source.items()):
        kind, meta = _kind(path), old_files.get(source)
        if kind == "gone":
            report.removed.append(source)
            continue
        if kind == "folder":
            raise BadDocument(
                f"{source} was indexed as a file but is now a folder; restore the file, or rename "
                "the folder (the next `assistant index` then drops the document)"
            )
        st = path.stat()
        sizes = {"size": st.st_size, "mtime_ns": st.st_mtime_ns}
        if meta and _unchanged(path, meta):
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
    tracker = _Tracker(todo, log, progress)
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
            "title": getattr(doc, "title", "") or "",
            "indexed_at": now,
        }
        out.append(
            SourceData(item.source, meta, ps, vectors[at : at + len(ps)], sentence_vectors[at : at + len(ps)])
        )
        at += len(ps)
        files_meta[item.source] = meta
        getattr(report, item.label).append(item.source)
    tracker.done(len(batch), len(passages), sum(item.sizes["size"] for item, _, _ in batch))
    return out


def _embed(embedder, passages):
    """(passage vectors, each passage's sentence vectors). An embedder with `embed_passages`
    does both itself (it may pool sentences from the passage's own pass); otherwise passages
    and sentences go in one `embed` call."""
    if hasattr(embedder, "embed_passages"):
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


class _Tracker:
    """Turns batches done into `IndexProgress`: the rate in passages/s, the time left from the
    bytes still to read (file sizes are known before reading)."""

    def __init__(self, todo: list[_ToRead], log, progress):
        self.total_files, self.total_bytes = len(todo), sum(t.sizes["size"] for t in todo) or 1
        self.files = self.passages = self.bytes = 0
        self.log, self.progress, self.start, self.next_log = log, progress, time.monotonic(), 0.1
        if progress is None:
            log(f"Embedding {len(todo)} file(s)...")

    def done(self, files: int, passages: int, size: int) -> None:
        self.files += files
        self.passages += passages
        self.bytes += size
        elapsed = max(time.monotonic() - self.start, 1e-6)
        share = min(1.0, self.bytes / self.total_bytes)
        left = elapsed * (1 - share) / share if share > 0 else None
        state = IndexProgress(self.files, self.total_files, self.passages, self.passages / elapsed, left)
        if self.progress is not None:
            self.progress(state)
        elif self.total_files >= 20 and (self.files / self.total_files >= self.next_log or left == 0):
            self.next_log = self.files / self.total_files + 0.1
            self.log(_progress_line(state))


def _progress_line(p: IndexProgress) -> str:
    """'Embedded 120/1000 files (3400 passages, 25.1 passages/s, about 5 min left)'"""
    left = "" if p.seconds_left is None else f", about {_duration(p.seconds_left)} left"
    return (
        f"Embedded {p.files_done}/{p.files_total} files "
        f"({p.passages_done} passages, {p.passages_per_s:.1f} passages/s{left})"
    )


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


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


# --- files on disk -----------------------------------------------------------------------------------
def stale_sources(store: Store, settings: Settings) -> list[str]:
    """Indexed files that were changed or removed since indexing (a cheap stat check)."""
    return [
        source for source, meta in store.sources().items() if not _unchanged(_path_of(source, settings), meta)
    ]


def _path_of(source: str, settings: Settings) -> Path:
    p = Path(source)
    return p if p.is_absolute() else settings.root / p


def _unchanged(path: Path, meta: dict) -> bool:
    """The file still has the indexed content: same size and mtime, or else the same sha256.
    A folder in its place is a change (`update` then says what to do)."""
    if _kind(path) != "file":
        return False
    st = path.stat()
    if st.st_size == meta.get("size") and st.st_mtime_ns == meta.get("mtime_ns"):
        return True
    return ingest.file_sha256(path) == meta["sha256"]  # touched, perhaps not changed


def _kind(path: Path) -> str:
    """'file', 'folder' or 'gone'. A path that cannot be examined (a folder on its way is not
    readable) is an error, never 'gone': calling it gone would drop its passages."""
    try:
        mode = path.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "gone"
    except OSError as e:
        raise BadDocument(f"{path}: cannot check it ({e.strerror}); fix the permissions of its folder") from e
    return "folder" if stat.S_ISDIR(mode) else "file"


def _embedder():
    from .embed import Embedder

    return Embedder()


def _dimension(embedder) -> int:
    from .embed import DIMENSION

    return getattr(embedder, "dimension", DIMENSION)


__all__ = [
    "IndexProgress",
    "Store",
    "UpdateReport",
    "check_settings",
    "command",
    "load",
    "open_store",
    "read_manifest",
    "remove",
    "stale_sources",
    "update",
]
