"""The folder store: FAISS + JSONL + npz + zip segments named by a manifest, BM25 built in memory.

    index/manifest.json           format, settings, dimension, the live segments, which segment
                                  holds each file, and per file: sha256, size, mtime, title, ...
    index/passages-<seg>.jsonl    one passage per line (source, page, start, end, text)
    index/vectors-<seg>.faiss     a FAISS inner-product index, row i = passage i
    index/sentences-<seg>.npz     a vector per sentence of each passage (`ingest.sentences`)
    index/texts-<seg>.zip         each document's page texts as read: what citations index
(the files themselves: stores/segments.py)

Append-only (issue 14): a write that adds or replaces files writes ONE new segment holding only
their passages and texts, then replaces manifest.json. The old rows of a replaced or removed file
stay in their segment, dead: the manifest no longer names that segment for the file. A removal
rewrites the manifest alone. So adding one file costs that file, not the collection. When dead
rows pass half of all rows, or segments pass MAX_SEGMENTS, the live rows are rewritten into one
segment (compaction); a write that replaces every file (`--rebuild`) always starts afresh.

Writes are atomic: the segment's files are written first, then manifest.json is replaced in one
`os.replace`. A run killed half-way leaves the old manifest and its segments intact; a write that
fails (full disk, no permission) deletes its own partial files at once, and the next writer
deletes any `.tmp-*` file and any segment no manifest names. Readers take no lock: one that meets
a compaction (segment files deleted under it) reads the manifest again and loads what it names.

Nothing is lost to damage: a missing or unreadable manifest beside data files is an error, never
a fresh start, and `recover_sources` lists the files the passages files hold, for
`assistant index --rebuild`. An index of an older format is refused with that command.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import shlex
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import IndexDamaged, IndexUnwritable
from ..types import Passage
from . import BM25_B, BM25_K1, SourceData, Sources, bm25_tokens, iter_rows
from . import segments as seg

DATA_PREFIXES = seg.DATA_PREFIXES
LOAD_ATTEMPTS = 3  # a reader that meets compactions re-reads the manifest this often
MAX_SEGMENTS = 16  # more segments: compact (each search would otherwise open many files)
_data_names = seg.data_names  # the files of one segment (tests name them)


@dataclass
class Live:
    """The live rows of every segment, in segment order: what searches read."""

    passages: list[Passage]
    vectors: Any  # numpy float32 (n, dim), unit length
    sentence_vectors: Any  # numpy float32 (m, dim), passage by passage
    offsets: Any  # numpy int64 (n + 1,): passage i's sentences are rows offsets[i]:offsets[i+1]
    rows: dict = field(default_factory=dict)  # passage key -> row
    by_source: dict = field(default_factory=dict)  # source -> its rows, in document order
    faiss: Any = None  # built on first dense search
    bm25: Any = None  # built on first keyword search

    def __post_init__(self):
        self.rows = {p.key: i for i, p in enumerate(self.passages)}
        for i, p in enumerate(self.passages):
            self.by_source.setdefault(p.source, []).append(i)

    def sentences(self, i: int):
        return self.sentence_vectors[self.offsets[i] : self.offsets[i + 1]]

    def rows_of(self, sources: Sources):
        """The rows to search, in row order: every row, or those of `sources`."""
        import numpy as np

        if sources is None:
            return np.arange(len(self.passages))
        rows = [i for s in set(sources) for i in self.by_source.get(s, ())]
        return np.asarray(sorted(rows), dtype="int64")


def _best(live: Live, rows, scores, k: int, positive: bool = False) -> list[tuple[Passage, float]]:
    """The `k` best of `scores` (one per row of `rows`), best first; ties in row order."""
    import numpy as np

    order = np.argsort(-scores, kind="stable")[:k]
    return [(live.passages[rows[i]], float(scores[i])) for i in order if not positive or scores[i] > 0]


class FolderStore:
    """The `Store` of one index folder. Reads are served from a snapshot loaded on first use
    (the manifest alone for `manifest`/`sources`/`document_text`); `writing()` drops it, so a
    writer always reads the state on disk under the lock.

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
            self._manifest = seg.read_manifest(self.folder)
        return self._manifest

    def sources(self) -> dict[str, dict]:
        return (self.manifest() or {}).get("files", {})

    def count(self) -> int:
        return len(self._data().passages)

    def dense_search(self, qvec, k: int, sources: Sources = None) -> list[tuple[Passage, float]]:
        """Exact search: a flat inner-product FAISS index over the live rows (fast for the
        thousands of passages a laptop collection has; ~10 ms per 100k rows here); within
        `sources`, a product with those documents' rows alone."""
        import numpy as np

        live = self._data()
        if not live.passages or k < 1:
            return []
        q = np.asarray(qvec, dtype="float32").ravel()
        if sources is not None:
            rows = live.rows_of(sources)
            return _best(live, rows, live.vectors[rows] @ q, k)
        if live.faiss is None:
            import faiss

            # One query at a time: FAISS's default of a thread per core only adds contention
            # (measured 96 ms vs 0.7 ms per search at 10k rows on a busy 2-core machine).
            faiss.omp_set_num_threads(1)
            flat = faiss.IndexFlatIP(live.vectors.shape[1])
            flat.add(live.vectors)
            live.faiss = flat
        scores, ids = live.faiss.search(q[None], min(k, len(live.passages)))
        return [(live.passages[i], float(s)) for s, i in zip(scores[0], ids[0]) if i >= 0]

    def keyword_search(self, query: str, k: int, sources: Sources = None) -> list[tuple[Passage, float]]:
        """BM25 (bm25s, Lucene's formula) over the live passages, built in memory on first use
        (milliseconds for thousands of passages); ties in row order."""
        import numpy as np

        from ..text import terms

        live = self._data()
        if live.bm25 is None:
            import bm25s

            live.bm25 = bm25s.BM25(k1=BM25_K1, b=BM25_B, method="lucene")
            if live.passages:
                live.bm25.index([bm25_tokens(p.text) for p in live.passages], show_progress=False)
        vocab = getattr(live.bm25, "vocab_dict", None) or {}  # bm25s sets it only once indexed
        words = [w for w in terms(query) if w in vocab]
        if not live.passages or not words or k < 1:
            return []
        scores = np.asarray(live.bm25.get_scores(words), dtype="float32")
        rows = live.rows_of(sources)
        return _best(live, rows, scores[rows], k, positive=True)

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
        live = self._data()
        return [live.passages[i] for i in live.by_source.get(source, ())]

    def document_text(self, source: str, page: int | None = None) -> str | None:
        """From the texts file of the segment that holds `source`; a compaction that deleted it
        meanwhile sends the reader to the manifest that replaced it."""
        manifest = self.manifest()
        for _ in range(LOAD_ATTEMPTS):
            seg_id = seg.placement_of(manifest).get(source) if manifest is not None else None
            if manifest is None or seg_id is None:
                return None
            try:
                record = seg.read_text_record(self.folder, seg_id, source)
            except FileNotFoundError:
                newer = seg.read_manifest(self.folder)
                if newer is None or seg.layout(newer) == seg.layout(manifest):
                    break
                manifest = newer
                continue
            return None if record is None else seg.page_of(record, source, page)
        raise IndexDamaged(f"the index in {self.folder} lacks texts-{seg_id}.zip; {seg.fix(self.folder)}")

    def close(self) -> None:
        self._manifest = self._live = None

    def _dimension(self) -> int:
        return int((self.manifest() or {}).get("dimension", 0))

    def _data(self) -> Live:
        """The live rows, loaded on first use. Readers take no lock: a compaction replaces the
        manifest, then deletes the segments it no longer names, so a reader holding the old
        manifest can find files gone. It reads the manifest again and loads what that names;
        damage is declared only when the manifest has not moved, or after LOAD_ATTEMPTS. A
        folder that holds no index yet is an empty store."""
        if self._live is not None:
            return self._live
        manifest = self.manifest()
        if manifest is None:  # nothing written yet: an empty store
            return _empty()
        for attempt in range(LOAD_ATTEMPTS):
            try:
                self._live = _load(self.folder, manifest)
                break
            except IndexDamaged:
                newer = seg.read_manifest(self.folder)
                if attempt == LOAD_ATTEMPTS - 1 or newer is None or seg.layout(newer) == seg.layout(manifest):
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
        seg.make_folder(self.folder)
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
                seg.remove_leftovers(self.folder)
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
        placement = {} if old is None else seg.placement_of(old)
        placement = {s: sid for s, sid in placement.items() if s in files and s not in gone}
        segments = [s for s in ([] if old is None else seg.segments_of(old)) if s[0] in placement.values()]
        rows = list(iter_rows(upserts))
        texts = {d.source: seg.text_record(d.source, d.pages) for d in upserts}
        live = len(rows) + sum(int(files[s].get("passages", 0)) for s in placement)
        total = len(rows) + sum(n for _, n in segments)
        if segments and (2 * (total - live) > total or len(segments) >= MAX_SEGMENTS):
            rows, texts = self._compacted(placement, rows, texts)
            segments, placement = [], {}
        seg_id = uuid.uuid4().hex[:12]
        appended = bool(rows or upserts or not segments)
        if appended:
            segments.append((seg_id, len(rows)))
            placement.update({s: seg_id for s in new} | {p.source: seg_id for p, _, _ in rows})
        elsewhere = sum(int(files[s].get("passages", 0)) for s, sid in placement.items() if sid != seg_id)
        manifest = {
            "format": fingerprint.get("format"),
            "settings": fingerprint,
            "dimension": _dimension_of(upserts, old),
            "generation": segments[-1][0],  # the newest segment
            "passages": (len(rows) if appended else 0) + elsewhere,
            "segments": [{"id": s, "rows": n} for s, n in segments],
            "placement": dict(sorted(placement.items())),
            "files": files,
        }
        self._commit(manifest, seg_id, (rows, texts) if appended else None)

    def _compacted(self, placement: dict, rows: list, texts: dict) -> tuple[list, dict]:
        """The live rows and texts of the files in `placement` (in their order), then the new
        ones: what a compaction writes as one segment."""
        kept = self._data()
        others = [(p, kept.vectors[i], kept.sentences(i)) for i, p in enumerate(kept.passages)]
        old_texts = {}
        for source, seg_id in placement.items():
            record = seg.read_text_record(self.folder, seg_id, source)
            if record is not None:
                old_texts[source] = record
        return [row for row in others if row[0].source in placement] + rows, old_texts | texts

    def _commit(self, manifest: dict, seg_id: str, data) -> None:
        folder = self.folder
        try:
            if data is not None:
                seg.write_segment(folder, seg_id, data[0], manifest["dimension"], data[1])
            seg.atomic_write_text(folder / seg.MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
        except BaseException as e:
            seg.discard(folder, seg_id)
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
            for f in seg.data_files(folder):  # segments compacted away, and those of killed runs
                if seg.segment_of(f.name) not in live:
                    f.unlink(missing_ok=True)

    # --- recovery ------------------------------------------------------------------------
    def recover_sources(self, explicit: bool, log) -> list[str]:
        """The files a damaged index held: every source in its readable passages files (for a
        rebuild, which re-reads them). If none reads while data files exist, only `explicit`
        paths may go ahead: a rebuild of the seeds alone would lose the rest. A source whose
        rows were dead (removed from the index) comes back if its file still exists."""
        found: set[str] = set()
        read = []
        for path in seg.passages_files(self.folder):
            with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
                found |= seg.sources_in(path)
                read.append(path.name)
        if read:
            log(f"Recovering the {len(found)} indexed file(s) listed in {', '.join(read)} ...")
            return sorted(found)
        if explicit or not seg.data_files(self.folder):
            return []
        raise IndexDamaged(
            f"cannot tell which files the index in {self.folder} held; rebuild it from your documents: "
            f"assistant index --rebuild --index {shlex.quote(str(self.folder))} PATH ..."
        )


def _load(folder: Path, manifest: dict) -> Live:
    """The live rows of the segments the manifest names; IndexDamaged if a file is missing or
    inconsistent."""
    import numpy as np

    dim, placement = manifest["dimension"], seg.placement_of(manifest)
    passages: list[Passage] = []
    vectors, sent_vectors, counts = [], [], []
    for seg_id, n_rows in seg.segments_of(manifest):
        seg_passages, seg_vectors, seg_sent, offsets = seg.read_segment(folder, seg_id, n_rows, dim)
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
        raise IndexDamaged(f"the index in {folder} is inconsistent; {seg.fix(folder)}")
    offsets = np.concatenate([[0], np.cumsum(np.concatenate(counts) if counts else [], dtype="int64")])
    return Live(passages, seg.stack(vectors, dim), seg.stack(sent_vectors, dim), offsets.astype("int64"))


def _empty() -> Live:
    import numpy as np

    return Live([], np.zeros((0, 0), "float32"), np.zeros((0, 0), "float32"), np.zeros(1, "int64"))


def _dimension_of(upserts: list[SourceData], old: dict | None) -> int:
    for d in upserts:
        shape = getattr(d.vectors, "shape", None)
        if shape is not None and len(shape) == 2 and shape[1]:
            return int(shape[1])
    if old is not None:
        return int(old["dimension"])
    from ..embed import DIMENSION

    return DIMENSION


read_manifest = seg.read_manifest  # the manifest of a folder, for callers outside the store
