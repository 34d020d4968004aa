"""The folder store: FAISS + JSONL + npz segments named by a manifest, BM25 built in memory.

    index/manifest.json           format, settings, dimension, the live segments, which segment
                                  holds each file, and per file: sha256, size, mtime, title, ...
    index/passages-<seg>.jsonl    one passage per line (source, page, start, end, text)
    index/vectors-<seg>.faiss     a FAISS inner-product index, row i = passage i
    index/sentences-<seg>.npz     a vector per sentence of each passage (`ingest.sentences`),
                                  passage i's rows are offsets[i]:offsets[i + 1]

Append-only (issue 14): a write that adds or replaces files writes ONE new segment holding only
their passages, then replaces manifest.json. The old rows of a replaced or removed file stay in
their segment, dead: the manifest no longer names that segment for the file. A removal rewrites
the manifest alone. So adding one file costs that file, not the collection. When dead rows pass
half of all rows, or segments pass MAX_SEGMENTS, the live rows are rewritten into one segment
(compaction); a write that replaces every file (`--rebuild`) always starts afresh.

Writes are atomic: the segment's files are written first, then manifest.json is replaced in one
`os.replace`. A run killed half-way leaves the old manifest and its segments intact; a write that
fails (full disk, no permission) deletes its own partial files at once, and the next writer
deletes any `.tmp-*` file and any segment no manifest names. Readers take no lock: one that meets
a compaction (segment files deleted under it) reads the manifest again and loads what it names.

Nothing is lost to damage: a missing or unreadable manifest beside data files is an error, never
a fresh start, and `recover_sources` lists the files the passages files hold, for
`assistant index --rebuild`. An index written before segments (one `generation`, no `segments`)
loads as one segment, and its first write turns it into a segmented one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shlex
import stat
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from ..errors import IndexDamaged, IndexMissing, IndexUnwritable
from ..types import Passage
from . import SourceData, iter_rows

MANIFEST = "manifest.json"
DATA_PREFIXES = ("passages-", "vectors-", "sentences-")
LOAD_ATTEMPTS = 3  # a reader that meets compactions re-reads the manifest this often
MAX_SEGMENTS = 16  # more segments: compact (each search would otherwise open many files)
_ID = re.compile(r"[0-9a-f]{1,32}")
_READ_ERRORS = (OSError, ValueError, TypeError, RuntimeError, KeyError, EOFError, BadZipFile)


@dataclass
class Live:
    """The live rows of every segment, in segment order: what searches read."""

    passages: list[Passage]
    vectors: Any  # numpy float32 (n, dim), unit length
    sentence_vectors: Any  # numpy float32 (m, dim), passage by passage
    offsets: Any  # numpy int64 (n + 1,): passage i's sentences are rows offsets[i]:offsets[i+1]
    rows: dict = field(default_factory=dict)  # passage key -> row
    faiss: Any = None  # built on first dense search
    bm25: Any = None  # built on first keyword search

    def __post_init__(self):
        self.rows = {p.key: i for i, p in enumerate(self.passages)}

    def sentences(self, i: int):
        return self.sentence_vectors[self.offsets[i] : self.offsets[i + 1]]


class FolderStore:
    """The `Store` of one index folder. Reads are served from a snapshot loaded on first use
    (the manifest alone for `manifest`/`sources`); `writing()` drops it, so a writer always
    reads the state on disk under the lock.

    Example usage::

        store = FolderStore(Path("index"))
        store.sources()                       # {'seeds/001_....txt': {'sha256': ...}, ...}
        store.dense_search(qvec, 5)           # [(Passage(...), 0.61), ...]
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self._manifest: dict | None = None
        self._live: Live | None = None

    # --- reading -------------------------------------------------------------------------
    def manifest(self) -> dict | None:
        if self._manifest is None:
            self._manifest = read_manifest(self.folder)
        return self._manifest

    def sources(self) -> dict[str, dict]:
        return (self.manifest() or {}).get("files", {})

    def count(self) -> int:
        return len(self._data().passages)

    def dense_search(self, qvec, k: int) -> list[tuple[Passage, float]]:
        """Exact search: a flat inner-product FAISS index over the live rows (fast for the
        thousands of passages a laptop collection has; ~10 ms per 100k rows here)."""
        import numpy as np

        live = self._data()
        if not live.passages or k < 1:
            return []
        if live.faiss is None:
            import faiss

            # One query at a time: FAISS's default of a thread per core only adds contention
            # (measured 96 ms vs 0.7 ms per search at 10k rows on a busy 2-core machine).
            faiss.omp_set_num_threads(1)
            flat = faiss.IndexFlatIP(live.vectors.shape[1])
            flat.add(live.vectors)
            live.faiss = flat
        scores, ids = live.faiss.search(np.asarray(qvec, dtype="float32")[None], min(k, len(live.passages)))
        return [(live.passages[i], float(s)) for s, i in zip(scores[0], ids[0]) if i >= 0]

    def keyword_search(self, query: str, k: int) -> list[tuple[Passage, float]]:
        """BM25 (bm25s) over the live passages, built in memory on first use (milliseconds
        for thousands of passages)."""
        import numpy as np

        from ..text import terms

        live = self._data()
        if live.bm25 is None:
            import bm25s

            live.bm25 = bm25s.BM25()
            if live.passages:
                live.bm25.index([terms(p.text) or ["_empty_"] for p in live.passages], show_progress=False)
        vocab = getattr(live.bm25, "vocab_dict", None) or {}
        words = [w for w in terms(query) if w in vocab]
        if not live.passages or not words or k < 1:
            return []
        scores = np.asarray(live.bm25.get_scores(words), dtype="float32")
        return [(live.passages[i], float(scores[i])) for i in np.argsort(-scores)[:k] if scores[i] > 0]

    def vectors_of(self, passages: list[Passage]):
        import numpy as np

        live = self._data()
        out = np.zeros((len(passages), self._dimension()), dtype="float32")
        for j, p in enumerate(passages):
            i = live.rows.get(p.key)
            if i is not None:
                out[j] = live.vectors[i]
        return out

    def sentence_vectors_of(self, passage: Passage):
        live = self._data()
        i = live.rows.get(passage.key)
        return None if i is None else live.sentences(i)

    def passages_of(self, source: str) -> list[Passage]:
        return [p for p in self._data().passages if p.source == source]

    def close(self) -> None:
        self._manifest = self._live = None

    def _dimension(self) -> int:
        return int((self.manifest() or {}).get("dimension", 0))

    def _data(self) -> Live:
        """The live rows, loaded on first use. Readers take no lock: a compaction replaces the
        manifest, then deletes the segments it no longer names, so a reader holding the old
        manifest can find files gone. It reads the manifest again and loads what that names;
        damage is declared only when the manifest has not moved, or after LOAD_ATTEMPTS."""
        if self._live is not None:
            return self._live
        manifest = self.manifest()
        if manifest is None:
            raise IndexMissing(f"no index in {self.folder}; run: assistant index")
        for attempt in range(LOAD_ATTEMPTS):
            try:
                self._live = _load(self.folder, manifest)
                break
            except IndexDamaged:
                newer = read_manifest(self.folder)
                if attempt == LOAD_ATTEMPTS - 1 or newer is None or _layout(newer) == _layout(manifest):
                    raise
                manifest = self._manifest = newer
        assert self._live is not None
        return self._live

    # --- writing -------------------------------------------------------------------------
    @contextlib.contextmanager
    def writing(self):
        """One writer at a time, across processes (the CLI and the web UI may both index).
        Entering it deletes what killed writers left, and forgets the snapshot: the writer
        reads what is on disk now."""
        _make_folder(self.folder)
        try:
            f = open(self.folder / ".lock", "a")
        except OSError as e:
            raise IndexUnwritable(
                f"cannot write to the index folder {self.folder} ({e.strerror}); fix its permissions "
                "(chmod u+w) or point --index or ASSISTANT_INDEX at a folder you can write to"
            ) from e
        with f:
            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                _remove_leftovers(self.folder)
                self.close()
                yield
            finally:
                self.close()
                fcntl.flock(f, fcntl.LOCK_UN)

    def write(self, fingerprint: dict, upserts: list[SourceData], removed: list[str], files: dict) -> None:
        """Append one segment (or rewrite all live rows into one), then switch the manifest.

        A write that fails (full disk, no permission, Ctrl-C) deletes its partial files at once
        and leaves the previous manifest and segments as they were; an OSError becomes
        IndexUnwritable. Call it inside `writing()`."""
        new = {d.source for d in upserts}
        fresh = set(files) <= new  # every file re-embedded (a rebuild): start afresh
        old = None if fresh else self.manifest()
        gone = new | set(removed)
        placement = {} if old is None else _placement(old)
        placement = {s: seg for s, seg in placement.items() if s in files and s not in gone}
        segments = [s for s in ([] if old is None else _segments(old)) if s[0] in placement.values()]
        rows = list(iter_rows(upserts))
        live = len(rows) + sum(int(files[s].get("passages", 0)) for s in placement)
        total = len(rows) + sum(n for _, n in segments)
        if segments and (2 * (total - live) > total or len(segments) >= MAX_SEGMENTS):
            kept = self._data()  # compaction: the live rows of the other files, then the new ones
            others = [(p, kept.vectors[i], kept.sentences(i)) for i, p in enumerate(kept.passages)]
            rows = [row for row in others if row[0].source in placement] + rows
            segments, placement = [], {}
        seg_id = uuid.uuid4().hex[:12]
        appended = bool(rows or upserts or not segments)
        if appended:
            segments.append((seg_id, len(rows)))
            placement.update({s: seg_id for s in new} | {p.source: seg_id for p, _, _ in rows})
        elsewhere = sum(int(files[s].get("passages", 0)) for s, seg in placement.items() if seg != seg_id)
        manifest = {
            "format": fingerprint.get("format"),
            "settings": fingerprint,
            "dimension": _dimension_of(upserts, old),
            "generation": segments[-1][0],  # the newest segment (the only one, before segments)
            "passages": (len(rows) if appended else 0) + elsewhere,
            "segments": [{"id": s, "rows": n} for s, n in segments],
            "placement": dict(sorted(placement.items())),
            "files": files,
        }
        self._commit(manifest, seg_id, rows if appended else None)

    def _commit(self, manifest: dict, seg_id: str, rows) -> None:
        folder = self.folder
        try:
            if rows is not None:
                _write_segment(folder, seg_id, rows, manifest["dimension"])
            _atomic_write_text(folder / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
        except BaseException as e:
            _discard(folder, seg_id)
            if isinstance(e, OSError):
                raise IndexUnwritable(
                    f"cannot write the index in {folder} ({e.strerror or e}); free disk space or fix the "
                    "folder's permissions, then run the command again (the previous index is unchanged)"
                ) from e
            raise
        finally:
            self.close()
        live = {s["id"] for s in manifest["segments"]}
        with contextlib.suppress(OSError):  # what cannot be deleted now, the next write deletes
            for f in _data_files(folder):  # segments compacted away, and those of killed runs
                if _segment_of(f.name) not in live:
                    f.unlink(missing_ok=True)

    # --- recovery ------------------------------------------------------------------------
    def recover_sources(self, explicit: bool, log) -> list[str]:
        """The files a damaged index held: every source in its readable passages files (for a
        rebuild, which re-reads them). If none reads while data files exist, only `explicit`
        paths may go ahead: a rebuild of the seeds alone would lose the rest. A source whose
        rows were dead (removed from the index) comes back if its file still exists."""
        found: set[str] = set()
        read = []
        for path in _passages_files(self.folder):
            with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
                found |= _sources_in(path)
                read.append(path.name)
        if read:
            log(f"Recovering the {len(found)} indexed file(s) listed in {', '.join(read)} ...")
            return sorted(found)
        if explicit or not _data_files(self.folder):
            return []
        raise IndexDamaged(
            f"cannot tell which files the index in {self.folder} held; rebuild it from your documents: "
            f"assistant index --rebuild --index {shlex.quote(str(self.folder))} PATH ..."
        )


# --- the manifest ------------------------------------------------------------------------------
def read_manifest(folder: Path) -> dict | None:
    """The manifest, or None when the folder holds no index at all.

    A missing manifest beside data files is damage, not "no index": taken for none, it would let
    the next `assistant index` start afresh and delete the segments' files.
    """
    _check_folder(folder)
    path = folder / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if _data_files(folder):
            raise IndexDamaged(f"{path} is missing but {folder} holds index data; {fix(folder)}") from None
        return None
    except OSError as e:
        raise IndexMissing(f"cannot read {path} ({e.strerror}); fix its permissions") from e
    try:
        manifest = json.loads(text)
    except ValueError as e:  # UnicodeDecodeError included
        raise IndexDamaged(f"{path} is corrupted (not JSON); {fix(folder)}") from e
    problem = _manifest_problem(manifest)
    if problem:
        raise IndexDamaged(f"{path} is corrupted ({problem}); {fix(folder)}")
    return manifest


def fix(folder: Path) -> str:
    """The command that repairs a damaged index without losing a document."""
    return f"recover every document with: assistant index --rebuild --index {shlex.quote(str(folder))}"


_MANIFEST_TYPES = {"generation": str, "files": dict, "settings": dict, "dimension": int, "passages": int}
_JSON_NAMES = {str: "a string", dict: "an object", int: "a number", list: "a list", float: "a number"}


def _manifest_problem(manifest) -> str | None:
    """What is wrong with a parsed manifest's shape, or None. Segment ids become parts of file
    names, so each must be the hex id `write` gives it (no "../")."""
    if not isinstance(manifest, dict):
        return f"{_JSON_NAMES.get(type(manifest), 'a value')}, not an object"
    for key, kind in _MANIFEST_TYPES.items():
        value = manifest.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            got = "missing" if key not in manifest else _JSON_NAMES.get(type(value), "null")
            return f"{key!r} is {got}, not {_JSON_NAMES[kind]}"
    if not _ID.fullmatch(manifest["generation"]):
        return "'generation' is not a generation id"
    for source, meta in manifest["files"].items():
        if not isinstance(meta, dict) or not isinstance(meta.get("sha256"), str):
            return f"the entry of {source} has no sha256"
    if "segments" not in manifest:
        return None  # written before segments: one generation
    segments, placement = manifest["segments"], manifest.get("placement")
    if not isinstance(segments, list) or not all(
        isinstance(s, dict)
        and isinstance(s.get("id"), str)
        and _ID.fullmatch(s["id"])
        and type(s.get("rows")) is int
        for s in segments
    ):
        return "'segments' is not a list of segment ids and row counts"
    ids = {s["id"] for s in segments}
    if not isinstance(placement, dict) or not set(placement.values()) <= ids:
        return "'placement' names a segment that is not listed"
    return None


def _segments(manifest: dict) -> list[tuple[str, int]]:
    """(segment id, rows) in write order; an index written before segments is one segment."""
    if "segments" in manifest:
        return [(s["id"], s["rows"]) for s in manifest["segments"]]
    return [(manifest["generation"], manifest["passages"])]


def _placement(manifest: dict) -> dict[str, str]:
    """source -> the segment holding its live rows."""
    if "segments" in manifest:
        return dict(manifest["placement"])
    return {source: manifest["generation"] for source in manifest["files"]}


def _layout(manifest: dict) -> tuple:
    return (_segments(manifest), sorted(_placement(manifest).items()))


def _dimension_of(upserts: list[SourceData], old: dict | None) -> int:
    for d in upserts:
        shape = getattr(d.vectors, "shape", None)
        if shape is not None and len(shape) == 2 and shape[1]:
            return int(shape[1])
    if old is not None:
        return int(old["dimension"])
    from ..embed import DIMENSION

    return DIMENSION


# --- reading segments --------------------------------------------------------------------------
def _load(folder: Path, manifest: dict) -> Live:
    """The live rows of the segments the manifest names; IndexDamaged if a file is missing or
    inconsistent."""
    import numpy as np

    dim, placement = manifest["dimension"], _placement(manifest)
    passages: list[Passage] = []
    vectors, sent_vectors, counts = [], [], []
    for seg_id, n_rows in _segments(manifest):
        seg_passages, seg_vectors, seg_sent, offsets = _read_segment(folder, seg_id, n_rows, dim)
        live = [i for i, p in enumerate(seg_passages) if placement.get(p.source) == seg_id]
        if len(live) == len(seg_passages):
            passages += seg_passages
            vectors.append(seg_vectors)
            sent_vectors.append(seg_sent)
            counts.append(np.diff(offsets))
            continue
        passages += [seg_passages[i] for i in live]
        vectors.append(seg_vectors[live])
        sent_vectors += [seg_sent[offsets[i] : offsets[i + 1]] for i in live]
        counts.append(np.diff(offsets)[live])
    if len(passages) != manifest["passages"]:
        raise IndexDamaged(f"the index in {folder} is inconsistent; {fix(folder)}")
    offsets = np.concatenate([[0], np.cumsum(np.concatenate(counts) if counts else [], dtype="int64")])
    return Live(passages, _stack(vectors, dim), _stack(sent_vectors, dim), offsets.astype("int64"))


def _read_segment(folder: Path, seg_id: str, n_rows: int, dim: int):
    import faiss
    import numpy as np

    try:
        with open(folder / f"passages-{seg_id}.jsonl", encoding="utf-8") as f:
            passages = [Passage(**json.loads(line)) for line in f]
        flat = faiss.read_index(str(folder / f"vectors-{seg_id}.faiss"))
        vectors = flat.reconstruct_n(0, flat.ntotal) if flat.ntotal else np.zeros((0, dim), dtype="float32")
        with np.load(folder / f"sentences-{seg_id}.npz") as npz:
            sent_vectors, offsets = npz["vectors"], npz["offsets"]
    except _READ_ERRORS as e:
        raise IndexDamaged(f"the index in {folder} is damaged ({type(e).__name__}); {fix(folder)}") from e
    if (
        len(passages) != len(vectors)
        or len(passages) != n_rows
        or len(offsets) != len(passages) + 1
        or offsets[-1] != len(sent_vectors)
        or (len(vectors) and vectors.shape[1] != dim)
    ):
        raise IndexDamaged(f"the index in {folder} is inconsistent; {fix(folder)}")
    return passages, np.ascontiguousarray(vectors, dtype="float32"), sent_vectors, offsets


def _stack(arrays, dim: int):
    import numpy as np

    arrays = [a for a in arrays if len(a)]
    if not arrays:
        return np.zeros((0, dim), dtype="float32")
    return np.ascontiguousarray(np.concatenate(arrays), dtype="float32")


# --- writing segments --------------------------------------------------------------------------
def _write_segment(folder: Path, seg_id: str, rows, dim: int) -> None:
    """Write passages, vectors and sentence vectors of `rows` [(passage, vector, sentence
    vectors)] as `<kind>-<seg_id>` files: each under a temporary name, fsynced, then renamed."""
    import faiss
    import numpy as np

    tmp = f".tmp-{os.getpid()}"
    with open(folder / f"passages-{seg_id}.jsonl{tmp}", "w", encoding="utf-8") as f:
        for p, _, _ in rows:
            record = {"source": p.source, "page": p.page, "start": p.start, "end": p.end, "text": p.text}
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())
    flat = faiss.IndexFlatIP(dim)
    if rows:
        flat.add(_stack([np.asarray(v, dtype="float32")[None] for _, v, _ in rows], dim))
    try:
        faiss.write_index(flat, str(folder / f"vectors-{seg_id}.faiss{tmp}"))
    except RuntimeError as e:  # faiss reports a failed write as RuntimeError
        raise OSError(f"cannot write vectors-{seg_id}.faiss") from e
    sent = [
        np.zeros((0, dim), dtype="float32") if s is None else np.asarray(s, dtype="float32")
        for _, _, s in rows
    ]
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in sent], dtype="int64")]).astype("int64")
    with open(folder / f"sentences-{seg_id}.npz{tmp}", "wb") as f:
        np.savez(f, vectors=_stack(sent, dim), offsets=offsets)
        f.flush()
        os.fsync(f.fileno())
    for name in _data_names(seg_id):
        os.replace(folder / f"{name}{tmp}", folder / name)


def _discard(folder: Path, seg_id: str) -> None:
    """Delete a failed write's files: its temporary files, and its segment unless the manifest
    on disk already names it (the failure came after the switch)."""
    committed = False
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        committed = seg_id in {s for s, _ in _segments(manifest)}
    doomed = set() if committed else set(_data_names(seg_id))
    with contextlib.suppress(OSError):
        for f in folder.iterdir():
            if f.name.endswith(f".tmp-{os.getpid()}") or f.name in doomed:
                f.unlink(missing_ok=True)


def _data_names(seg_id: str) -> tuple[str, str, str]:
    return (f"passages-{seg_id}.jsonl", f"vectors-{seg_id}.faiss", f"sentences-{seg_id}.npz")


def _segment_of(name: str) -> str:
    """'passages-0123abcd.jsonl' -> '0123abcd'."""
    return name.split("-", 1)[1].split(".", 1)[0]


def _data_files(folder: Path) -> list[Path]:
    """The segments' data files in `folder`, unfinished writes' temporary files excluded."""
    try:
        names = list(folder.iterdir())
    except FileNotFoundError:
        return []
    except OSError as e:
        raise IndexMissing(
            f"cannot read the index folder {folder} ({e.strerror}); fix its permissions"
        ) from e
    return [f for f in names if f.name.startswith(DATA_PREFIXES) and ".tmp-" not in f.name]


def _passages_files(folder: Path) -> list[Path]:
    return sorted(f for f in _data_files(folder) if f.name.startswith("passages-") and f.suffix == ".jsonl")


def _sources_in(path: Path) -> set[str]:
    with open(path, encoding="utf-8") as f:
        sources = {json.loads(line)["source"] for line in f if line.strip()}
    if not all(isinstance(s, str) for s in sources):
        raise TypeError("a source that is not a string")
    return sources


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


# --- the folder itself ---------------------------------------------------------------------------
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
