"""Build, update, save and load the index folder.

    index/manifest.json          format, settings, generation, and per file: sha256, size, mtime
    index/passages-<gen>.jsonl   one passage per line (source, page, start, end, text)
    index/vectors-<gen>.faiss    a FAISS inner-product index, row i = passage i
    index/sentences-<gen>.npz    a vector per sentence of each passage (`ingest.sentences`),
                                 passage i's rows are offsets[i]:offsets[i + 1]; evidence
                                 selection reads them instead of embedding at question time

Writes are atomic: a new generation's data files are written first, then manifest.json is
replaced in one `os.replace`. A run killed half-way leaves the old manifest and its files intact;
a write that fails (full disk, no permission) deletes its own partial files at once, and the next
writer deletes any `.tmp-*` file a killed run left. Readers take no lock: one that meets a rewrite
(its generation's files deleted under it) reads the manifest again and loads the new generation.

Nothing is lost to damage: a missing or unreadable manifest beside data files is an error, never
a fresh start, and `assistant index --rebuild` recovers such an index by re-reading the files
listed in its newest passages file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shlex
import stat
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from zipfile import BadZipFile

from . import ingest
from .config import Settings
from .errors import BadDocument, IndexDamaged, IndexMismatch, IndexMissing, IndexUnwritable
from .types import Passage

MANIFEST = "manifest.json"
DATA_PREFIXES = ("passages-", "vectors-", "sentences-")
LOAD_ATTEMPTS = 3  # a reader that meets rewrites re-reads the manifest this often before giving up


@runtime_checkable
class Store(Protocol):
    """What retrieval reads from an index (the seam another store plugs into)."""

    passages: list[Passage]  # row i is passage i
    vectors: Any  # numpy float32 (n, dim), unit length, row i = passage i
    manifest: dict

    @property
    def sources(self) -> dict:
        """Indexed files: source -> {sha256, size, mtime_ns, passages}."""

    def dense_search(self, qvec, k: int) -> list[int]:
        """Rows of the `k` passages nearest to `qvec` (inner product), best first."""

    def sentence_vectors_of(self, passage: Passage) -> Any:
        """The passage's sentence vectors in `ingest.sentences` order, or None."""


@dataclass
class Index:
    passages: list[Passage]
    vectors: Any  # numpy float32 array (n, dim)
    manifest: dict
    sentence_vectors: Any = None  # numpy float32 (m, dim), passage by passage
    sentence_offsets: Any = None  # numpy int64 (n + 1,): passage i has rows [o[i], o[i+1])
    _faiss: Any = field(default=None, repr=False)  # the FAISS index read from disk, if any
    _rows: dict | None = field(default=None, repr=False)  # passage key -> row, on first use

    @property
    def sources(self) -> dict:
        return self.manifest["files"]

    def sentence_vectors_of(self, passage: Passage):
        """The vectors of `passage`'s sentences, in `ingest.sentences` order (None if the
        passage is not in this index)."""
        if self._rows is None:
            self._rows = {p.key: i for i, p in enumerate(self.passages)}
        i = self._rows.get(passage.key)
        if i is None or self.sentence_vectors is None:
            return None
        return self.sentence_vectors[self.sentence_offsets[i] : self.sentence_offsets[i + 1]]

    def rows(self, rows: list[int]) -> tuple[list[Passage], Any, Any, list[int]]:
        """(passages, vectors, sentence vectors, sentences per passage) of the given rows."""
        o = self.sentence_offsets
        sent = [self.sentence_vectors[o[i] : o[i + 1]] for i in rows]
        return (
            [self.passages[i] for i in rows],
            self.vectors[rows],
            _stack(sent, self.vectors.shape[1]),
            [len(v) for v in sent],
        )

    def dense_search(self, qvec, k: int) -> list[int]:
        import numpy as np

        if not self.passages:
            return []
        _, ids = self.faiss().search(np.asarray(qvec, dtype="float32")[None], min(k, len(self.passages)))
        return [int(i) for i in ids[0] if i >= 0]

    def faiss(self):
        """A flat inner-product FAISS index: exact search, and fast for the thousands of passages
        a laptop collection has."""
        if self._faiss is None:
            import faiss

            index = faiss.IndexFlatIP(self.vectors.shape[1])
            if len(self.vectors):
                index.add(self.vectors)
            self._faiss = index
        return self._faiss


@dataclass
class UpdateReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    rebuilt: list[str] = field(default_factory=list)  # held by the index, re-read by a rebuild
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # unsupported types
    failed: list[str] = field(default_factory=list)  # one-line reasons
    passages: int = 0

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


def load(settings: Settings) -> Index:
    """Load the index, or raise a one-line error naming the command that fixes it.

    Readers take no lock. A writer replaces the manifest, then deletes the previous generation,
    so a reader holding the old manifest can find its files gone: it reads the manifest again
    and loads the generation named there. Damage is declared only when the manifest still names
    the generation that failed, or after LOAD_ATTEMPTS tries.
    """
    manifest = _current_manifest(settings)
    for _ in range(LOAD_ATTEMPTS - 1):
        try:
            return _load_generation(settings.index_path, manifest)
        except IndexDamaged:
            newer = _current_manifest(settings)
            if newer["generation"] == manifest["generation"]:
                raise
            manifest = newer
    return _load_generation(settings.index_path, manifest)


def _current_manifest(settings: Settings) -> dict:
    manifest = read_manifest(settings)
    if manifest is None:
        raise IndexMissing(f"no index in {settings.index_path}; run: assistant index")
    check_settings(manifest, settings)
    return manifest


def _load_generation(folder: Path, manifest: dict) -> Index:
    """The generation the manifest names; IndexDamaged if a file is missing or inconsistent."""
    import faiss
    import numpy as np

    gen = manifest["generation"]
    try:
        with open(folder / f"passages-{gen}.jsonl", encoding="utf-8") as f:
            passages = [Passage(**json.loads(line)) for line in f]
        flat = faiss.read_index(str(folder / f"vectors-{gen}.faiss"))
        vectors = (
            flat.reconstruct_n(0, flat.ntotal)
            if flat.ntotal
            else np.zeros((0, manifest["dimension"]), dtype="float32")
        )
        with np.load(folder / f"sentences-{gen}.npz") as npz:
            sent_vectors, offsets = npz["vectors"], npz["offsets"]
    except (OSError, ValueError, TypeError, RuntimeError, KeyError, EOFError, BadZipFile) as e:
        raise IndexDamaged(f"the index in {folder} is damaged ({type(e).__name__}); {_fix(folder)}") from e
    if (
        len(passages) != len(vectors)
        or len(passages) != manifest["passages"]
        or len(offsets) != len(passages) + 1
        or offsets[-1] != len(sent_vectors)
    ):
        raise IndexDamaged(f"the index in {folder} is inconsistent; {_fix(folder)}")
    return Index(
        passages,
        np.ascontiguousarray(vectors, dtype="float32"),
        manifest,
        np.ascontiguousarray(sent_vectors, dtype="float32"),
        offsets,
        flat,
    )


def _fix(folder: Path) -> str:
    """The command that repairs a damaged index without losing a document (see `update`)."""
    return f"recover every document with: assistant index --rebuild --index {shlex.quote(str(folder))}"


def read_manifest(settings: Settings) -> dict | None:
    """The manifest, or None when the folder holds no index at all.

    A missing manifest beside data files is damage, not "no index": taken for none, it would let
    the next `assistant index` start afresh and delete the old generation's files.
    """
    folder = settings.index_path
    _check_folder(folder)
    path = folder / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if _data_files(folder):
            raise IndexDamaged(f"{path} is missing but {folder} holds index data; {_fix(folder)}") from None
        return None
    except OSError as e:
        raise IndexMissing(f"cannot read {path} ({e.strerror}); fix its permissions") from e
    try:
        manifest = json.loads(text)
    except ValueError as e:  # UnicodeDecodeError included
        raise IndexDamaged(f"{path} is corrupted (not JSON); {_fix(folder)}") from e
    problem = _manifest_problem(manifest)
    if problem:
        raise IndexDamaged(f"{path} is corrupted ({problem}); {_fix(folder)}")
    return manifest


_MANIFEST_TYPES = {"generation": str, "files": dict, "settings": dict, "dimension": int, "passages": int}
_JSON_NAMES = {str: "a string", dict: "an object", int: "a number", list: "a list", float: "a number"}


def _manifest_problem(manifest) -> str | None:
    """What is wrong with a parsed manifest's shape, or None. The generation becomes part of
    file names, so it must be the hex id `_write` gives it (no "../")."""
    if not isinstance(manifest, dict):
        return f"{_JSON_NAMES.get(type(manifest), 'a value')}, not an object"
    for key, kind in _MANIFEST_TYPES.items():
        value = manifest.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            got = "missing" if key not in manifest else _JSON_NAMES.get(type(value), "null")
            return f"{key!r} is {got}, not {_JSON_NAMES[kind]}"
    if not re.fullmatch(r"[0-9a-f]{1,32}", manifest["generation"]):
        return "'generation' is not a generation id"
    for source, meta in manifest["files"].items():
        if not isinstance(meta, dict) or not isinstance(meta.get("sha256"), str):
            return f"the entry of {source} has no sha256"
    return None


def check_settings(manifest: dict, settings: Settings) -> None:
    built, wanted = manifest["settings"], settings.index_fingerprint()
    if built != wanted:
        diff = ", ".join(f"{k} {built.get(k)!r} (now {v!r})" for k, v in wanted.items() if built.get(k) != v)
        folder = shlex.quote(str(settings.index_path))
        raise IndexMismatch(
            f"the index was built with other settings: {diff}; "
            f"re-embed every document with: assistant index --rebuild --index {folder}"
        )


def update(
    settings: Settings,
    paths=None,
    embedder=None,
    rebuild: bool = False,
    log=lambda msg: print(msg, file=sys.stderr),
) -> UpdateReport:
    """Add or re-embed changed files under `paths`, re-check every indexed file, drop the gone.

    `paths=None` indexes the seeds folder (skipped if it is gone while the index holds
    documents); `[]` only re-checks what is indexed. Unchanged files keep their vectors.
    `rebuild` re-embeds every file the index holds (wherever it lives) and every file under
    `paths`: a rebuild drops only files that are gone, and reports them. A rebuild also repairs
    an index whose manifest is damaged or missing: the files to re-read are those listed in
    its newest passages file. Every file is read before anything is written, so an error
    leaves the index as it was.
    """
    folder = settings.index_path
    _make_folder(folder)
    with _lock(folder):
        _remove_leftovers(folder)
        old, held = _previous(settings, rebuild, bool(paths), log)
        report, fresh_docs, files_meta = _scan(settings, paths, old, held)

        dim = _dimension(embedder)
        passages: list[Passage] = []
        vectors: list = []
        sent_vectors: list = []
        counts: list[int] = []
        if old is not None:
            kept = set(report.unchanged)
            rows = [i for i, p in enumerate(old.passages) if p.source in kept]
            passages, matrix, sent, counts = old.rows(rows)
            vectors.append(matrix)
            sent_vectors.append(sent)
        new_passages = [
            p
            for doc in fresh_docs
            for p in ingest.passages(doc, settings.chunk_chars, settings.chunk_overlap)
        ]
        if new_passages:
            embedder = embedder or _embedder()
            sentences = [[s.text for s in ingest.sentences(p)] for p in new_passages]
            flat = [t for group in sentences for t in group]
            log(
                f"Embedding {len(new_passages)} passages and their {len(flat)} sentences "
                f"from {len(fresh_docs)} file(s)..."
            )
            texts = [p.text for p in new_passages] + flat  # one call: one progress bar
            embedded = embedder.embed(texts, progress=len(texts) > 64)
            vectors.append(embedded[: len(new_passages)])
            sent_vectors.append(embedded[len(new_passages) :])
            counts += [len(group) for group in sentences]
            passages += new_passages
        for source in files_meta:
            files_meta[source]["passages"] = sum(p.source == source for p in passages)
        report.passages = len(passages)
        if report.touched or old is None or rebuild:
            _write(settings, passages, _stack(vectors, dim), _stack(sent_vectors, dim), counts, files_meta)
        return report


def _previous(settings: Settings, rebuild: bool, explicit: bool, log) -> tuple[Index | None, list[str]]:
    """(the index whose vectors are reused, the sources it holds). A rebuild reuses no vectors,
    so it needs only the list of sources, which it can recover when the manifest is damaged."""
    if not rebuild:
        old = load(settings) if read_manifest(settings) is not None else None
        return old, list(old.sources) if old else []
    try:
        manifest = read_manifest(settings)
    except IndexDamaged:
        return None, _recover_sources(settings.index_path, explicit, log)
    return None, list(manifest["files"]) if manifest else []


def _scan(settings: Settings, paths, old: Index | None, held: list[str]):
    """(report, documents to embed, files' manifest entries): reads every new or changed file,
    every held one for a rebuild, and notes the gone. Writes nothing."""
    if paths is None:
        seeds = settings.seeds_path
        paths = [] if held and not seeds.exists() else [seeds]
    files, skipped = ingest.collect(paths)
    report = UpdateReport(skipped=[str(p) for p in skipped])
    by_source = {ingest.source_name(path, settings.root): path for path in files}
    for source in held:  # re-check (re-read, for a rebuild) what the index holds, wherever it lives
        by_source.setdefault(source, _path_of(source, settings))
    old_files = old.sources if old else {}
    fresh_docs, files_meta = [], {}
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
        try:
            doc = ingest.read_document(path, settings.root, settings.max_text_bytes)
        except BadDocument as e:
            report.failed.append(str(e))
            if source in held:
                report.removed.append(source)
            continue
        (report.changed if meta else report.rebuilt if source in held else report.added).append(source)
        fresh_docs.append(doc)
        files_meta[source] = {"sha256": doc.sha256, **sizes}
    return report, fresh_docs, files_meta


def _recover_sources(folder: Path, explicit: bool, log) -> list[str]:
    """The files a damaged index held: the sources in its newest readable passages file
    (complete generations first). If no passages file reads while data files exist, only
    `explicit` paths may go ahead: a rebuild of the seeds alone would lose the rest."""
    for path in _passages_files(folder):
        with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
            sources = _sources_in(path)
            log(f"Recovering the {len(sources)} indexed file(s) listed in {path} ...")
            return sources
    if explicit or not _data_files(folder):
        return []
    raise IndexDamaged(
        f"cannot tell which files the index in {folder} held; rebuild it from your documents: "
        f"assistant index --rebuild --index {shlex.quote(str(folder))} PATH ..."
    )


def _passages_files(folder: Path) -> list[Path]:
    """Every generation's passages file: complete generations first, then newest first."""

    def rank(path: Path) -> tuple[bool, int]:
        gen = path.name[len("passages-") : -len(".jsonl")]
        complete = all((folder / name).exists() for name in _data_names(gen)[1:])
        return complete, path.stat().st_mtime_ns

    found = [f for f in _data_files(folder) if f.name.startswith("passages-") and f.suffix == ".jsonl"]
    return sorted(found, key=rank, reverse=True)


def _sources_in(path: Path) -> list[str]:
    with open(path, encoding="utf-8") as f:
        sources = {json.loads(line)["source"] for line in f if line.strip()}
    if not all(isinstance(s, str) for s in sources):
        raise TypeError("a source that is not a string")
    return sorted(sources)


def remove(settings: Settings, sources) -> UpdateReport:
    """Drop documents from the index by their source names; their files are left alone."""
    _current_manifest(settings)  # no index, or a damaged one: say so before taking the lock
    with _lock(settings.index_path):
        old = load(settings)
        gone = set(sources)
        unknown = gone - set(old.sources)
        if unknown:
            raise IndexMissing(
                f"not in the index: {', '.join(sorted(unknown))}; "
                "see the indexed names in index/manifest.json"
            )
        rows = [i for i, p in enumerate(old.passages) if p.source not in gone]
        files = {k: v for k, v in old.sources.items() if k not in gone}
        report = UpdateReport(removed=sorted(gone), unchanged=sorted(files), passages=len(rows))
        _write(settings, *old.rows(rows), files)
        return report


def _stack(arrays, dim: int):
    import numpy as np

    arrays = [a for a in arrays if len(a)]
    return np.concatenate(arrays).astype("float32") if arrays else np.zeros((0, dim), dtype="float32")


def _write(settings, passages, matrix, sent_vectors, sent_counts, files_meta) -> None:
    """Write a new generation, point the manifest at it, then delete the previous one.

    `sent_counts[i]` is the number of rows of `sent_vectors` that belong to passage i. A write
    that fails (full disk, no permission, Ctrl-C) deletes its partial files at once and leaves
    the previous manifest and generation as they were; an OSError becomes IndexUnwritable.
    """
    folder = settings.index_path
    gen = uuid.uuid4().hex[:12]
    manifest = {
        "format": settings.index_fingerprint()["format"],
        "settings": settings.index_fingerprint(),
        "dimension": int(matrix.shape[1]),
        "generation": gen,
        "passages": len(passages),
        "files": files_meta,
    }
    try:
        _write_generation(folder, gen, passages, matrix, sent_vectors, sent_counts)
        _atomic_write_text(folder / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
    except BaseException as e:
        _discard(folder, gen)
        if isinstance(e, OSError):
            raise IndexUnwritable(
                f"cannot write the index in {folder} ({e.strerror or e}); free disk space or fix the "
                "folder's permissions, then run the command again (the previous index is unchanged)"
            ) from e
        raise
    with contextlib.suppress(OSError):  # what cannot be deleted now, the next write deletes
        for stale in folder.iterdir():  # the previous generation and leftovers of killed runs
            if stale.name.startswith(DATA_PREFIXES) and gen not in stale.name or ".tmp-" in stale.name:
                stale.unlink(missing_ok=True)


def _write_generation(folder: Path, gen: str, passages, matrix, sent_vectors, sent_counts) -> None:
    import faiss
    import numpy as np

    tmp = f".tmp-{os.getpid()}"
    with open(folder / f"passages-{gen}.jsonl{tmp}", "w", encoding="utf-8") as f:
        for p in passages:
            f.write(
                json.dumps(
                    {"source": p.source, "page": p.page, "start": p.start, "end": p.end, "text": p.text},
                    ensure_ascii=False,
                )
                + "\n"
            )
        f.flush()
        os.fsync(f.fileno())
    flat = faiss.IndexFlatIP(matrix.shape[1])
    if len(matrix):
        flat.add(matrix)
    try:
        faiss.write_index(flat, str(folder / f"vectors-{gen}.faiss{tmp}"))
    except RuntimeError as e:  # faiss reports a failed write as RuntimeError
        raise OSError(f"cannot write vectors-{gen}.faiss") from e
    with open(folder / f"sentences-{gen}.npz{tmp}", "wb") as f:
        offsets = np.concatenate([[0], np.cumsum(sent_counts, dtype="int64")]).astype("int64")
        np.savez(f, vectors=sent_vectors, offsets=offsets)
    for name in _data_names(gen):
        os.replace(folder / f"{name}{tmp}", folder / name)


def _discard(folder: Path, gen: str) -> None:
    """Delete a failed write's files: its temporary files, and its generation unless the
    manifest on disk already names it (the failure came after the switch)."""
    committed = False
    with contextlib.suppress(OSError, ValueError, TypeError):
        committed = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["generation"] == gen
    doomed = set() if committed else set(_data_names(gen))
    with contextlib.suppress(OSError):
        for f in folder.iterdir():
            if f.name.endswith(f".tmp-{os.getpid()}") or f.name in doomed:
                f.unlink(missing_ok=True)


def _data_names(gen: str) -> tuple[str, str, str]:
    return (f"passages-{gen}.jsonl", f"vectors-{gen}.faiss", f"sentences-{gen}.npz")


def _data_files(folder: Path) -> list[Path]:
    """The generations' data files in `folder`, unfinished writes' temporary files excluded."""
    try:
        names = list(folder.iterdir())
    except FileNotFoundError:
        return []
    except OSError as e:
        raise IndexMissing(
            f"cannot read the index folder {folder} ({e.strerror}); fix its permissions"
        ) from e
    return [f for f in names if f.name.startswith(DATA_PREFIXES) and ".tmp-" not in f.name]


def _remove_leftovers(folder: Path) -> None:
    """Delete the temporary files of writes that were killed (kill -9, power cut). Only called
    under the lock, so no writer is using them."""
    for f in folder.iterdir():
        if ".tmp-" in f.name:
            with contextlib.suppress(OSError):
                f.unlink(missing_ok=True)


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _check_folder(folder: Path) -> None:
    """Refuse an index path that is a file or lies under one: it can never hold an index, and
    "no index here, build one" would send the user in circles."""
    for p in (folder, *folder.parents):
        try:
            mode = p.stat().st_mode
        except (FileNotFoundError, NotADirectoryError):
            continue  # not there yet: look at its parent
        except OSError as e:
            raise IndexUnwritable(
                f"cannot reach the index folder {folder} ({e.strerror} at {p}); "
                "point --index or ASSISTANT_INDEX at a folder you can use"
            ) from e
        if not stat.S_ISDIR(mode):
            where = "is a file" if p == folder else f"cannot be created: {p} is a file"
            raise IndexUnwritable(
                f"the index folder {folder} {where}; point --index or ASSISTANT_INDEX at a folder"
            )
        return


def _make_folder(folder: Path) -> None:
    _check_folder(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise IndexUnwritable(
            f"cannot create the index folder {folder} ({e.strerror}); "
            "point --index or ASSISTANT_INDEX at a folder you can write to"
        ) from e


@contextlib.contextmanager
def _lock(folder: Path):
    """One writer at a time (the CLI and the web UI may both index)."""
    try:
        f = open(folder / ".lock", "a")
    except OSError as e:
        raise IndexUnwritable(
            f"cannot write to the index folder {folder} ({e.strerror}); fix its permissions "
            "(chmod u+w) or point --index or ASSISTANT_INDEX at a folder you can write to"
        ) from e
    with f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def stale_sources(index: Index, settings: Settings) -> list[str]:
    """Indexed files that were changed or removed since indexing (a cheap stat check)."""
    return [
        source for source, meta in index.sources.items() if not _unchanged(_path_of(source, settings), meta)
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


__all__ = ["Index", "UpdateReport", "load", "update", "remove", "stale_sources"]
