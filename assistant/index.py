"""Build, update, save and load the index folder.

    index/manifest.json          format, settings, generation, and per file: sha256, size, mtime
    index/passages-<gen>.jsonl   one passage per line (source, page, start, end, text)
    index/vectors-<gen>.faiss    a FAISS inner-product index, row i = passage i
    index/sentences-<gen>.npz    a vector per sentence of each passage (`ingest.sentences`),
                                 passage i's rows are offsets[i]:offsets[i + 1]; evidence
                                 selection reads them instead of embedding at question time

Writes are atomic: a new generation's data files are written first, then manifest.json is
replaced in one `os.replace`. A run killed half-way leaves the old manifest and its files intact.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from zipfile import BadZipFile

from . import ingest
from .config import Settings
from .errors import BadDocument, IndexMismatch, IndexMissing
from .types import Passage

MANIFEST = "manifest.json"


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
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # unsupported types
    failed: list[str] = field(default_factory=list)  # one-line reasons
    passages: int = 0

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} added",
            f"{len(self.changed)} changed",
            f"{len(self.removed)} removed",
            f"{len(self.unchanged)} unchanged",
        ]
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped (unsupported type)")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        return f"Indexed: {', '.join(parts)}; {self.passages} passages in the index."


def load(settings: Settings) -> Index:
    """Load the index, or raise a one-line error naming the command that fixes it."""
    import faiss
    import numpy as np

    folder = settings.index_path
    manifest = read_manifest(settings)
    if manifest is None:
        raise IndexMissing(f"no index in {folder}; run: assistant index")
    check_settings(manifest, settings)
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
        raise IndexMissing(
            f"the index in {folder} is damaged ({type(e).__name__}); run: assistant index --rebuild"
        ) from e
    if (
        len(passages) != len(vectors)
        or len(passages) != manifest.get("passages")
        or len(offsets) != len(passages) + 1
        or offsets[-1] != len(sent_vectors)
    ):
        raise IndexMissing(f"the index in {folder} is inconsistent; run: assistant index --rebuild")
    return Index(
        passages,
        np.ascontiguousarray(vectors, dtype="float32"),
        manifest,
        np.ascontiguousarray(sent_vectors, dtype="float32"),
        offsets,
        flat,
    )


def read_manifest(settings: Settings) -> dict | None:
    path = settings.index_path / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        manifest["generation"], manifest["files"], manifest["settings"]
    except (ValueError, KeyError, TypeError):
        raise IndexMissing(f"{path} is corrupted; run: assistant index --rebuild") from None
    return manifest


def check_settings(manifest: dict, settings: Settings) -> None:
    built, wanted = manifest["settings"], settings.index_fingerprint()
    if built != wanted:
        diff = ", ".join(f"{k} {built.get(k)!r} (now {v!r})" for k, v in wanted.items() if built.get(k) != v)
        raise IndexMismatch(
            f"the index was built with other settings: {diff}; run: assistant index --rebuild"
        )


def update(
    settings: Settings,
    paths=None,
    embedder=None,
    rebuild: bool = False,
    log=lambda msg: print(msg, file=sys.stderr),
) -> UpdateReport:
    """Add or re-embed changed files under `paths`, re-check every indexed file, drop the gone.

    `paths=None` indexes the seeds folder; `[]` only re-checks what is indexed. Unchanged files
    keep their vectors. `rebuild` re-embeds every file the index holds (wherever it lives) and
    every file under `paths`: nothing indexed is dropped by a rebuild.
    """
    folder = settings.index_path
    folder.mkdir(parents=True, exist_ok=True)
    with _lock(folder):
        old = None
        manifest = read_manifest(settings)
        if not rebuild and manifest is not None:
            old = load(settings)
        files, skipped = ingest.collect([settings.seeds_path] if paths is None else paths)
        report = UpdateReport(skipped=[str(p) for p in skipped])
        old_files = old.sources if old else {}
        for source in (manifest or {}).get("files", {}) if rebuild else ():
            path = _path_of(source, settings)  # a rebuild re-reads what the index held
            if path.exists():
                files.append(path)
        by_source = {}
        for path in files:
            by_source[ingest.source_name(path, settings.root)] = path
        for source in old_files:  # re-check what was indexed before, wherever it lives
            by_source.setdefault(source, _path_of(source, settings))

        keep, fresh_docs, files_meta = [], [], {}
        for source, path in sorted(by_source.items()):
            meta = old_files.get(source)
            if not path.exists():
                report.removed.append(source)
                continue
            stat = path.stat()
            if meta and _unchanged(path, meta):
                keep.append(source)
                files_meta[source] = {**meta, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
                continue
            try:
                doc = ingest.read_document(path, settings.root)
            except BadDocument as e:
                report.failed.append(str(e))
                if meta:
                    report.removed.append(source)
                continue
            (report.changed if meta else report.added).append(source)
            fresh_docs.append(doc)
            files_meta[source] = {"sha256": doc.sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
        report.unchanged = keep

        dim = _dimension(embedder)
        passages: list[Passage] = []
        vectors: list = []
        sent_vectors: list = []
        counts: list[int] = []
        if old is not None:
            kept = set(keep)
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


def remove(settings: Settings, sources) -> UpdateReport:
    """Drop documents from the index by their source names; their files are left alone."""
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
    """`sent_counts[i]` is the number of rows of `sent_vectors` that belong to passage i."""
    import faiss
    import numpy as np

    folder = settings.index_path
    gen = uuid.uuid4().hex[:12]
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
    faiss.write_index(flat, str(folder / f"vectors-{gen}.faiss{tmp}"))
    with open(folder / f"sentences-{gen}.npz{tmp}", "wb") as f:
        offsets = np.concatenate([[0], np.cumsum(sent_counts, dtype="int64")]).astype("int64")
        np.savez(f, vectors=sent_vectors, offsets=offsets)
    names = (f"passages-{gen}.jsonl", f"vectors-{gen}.faiss", f"sentences-{gen}.npz")
    for name in names:
        os.replace(folder / f"{name}{tmp}", folder / name)
    manifest = {
        "format": settings.index_fingerprint()["format"],
        "settings": settings.index_fingerprint(),
        "dimension": int(matrix.shape[1]),
        "generation": gen,
        "passages": len(passages),
        "files": files_meta,
    }
    _atomic_write_text(folder / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
    for stale in folder.iterdir():  # the previous generation and leftovers of killed runs
        old_data = stale.name.startswith(("passages-", "vectors-", "sentences-")) and gen not in stale.name
        if old_data or ".tmp-" in stale.name:
            stale.unlink(missing_ok=True)


def _atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@contextlib.contextmanager
def _lock(folder: Path):
    """One writer at a time (the CLI and the web UI may both index)."""
    with open(folder / ".lock", "w") as f:
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
    """The file still has the indexed content: same size and mtime, or else the same sha256."""
    if not path.exists():
        return False
    st = path.stat()
    if st.st_size == meta.get("size") and st.st_mtime_ns == meta.get("mtime_ns"):
        return True
    return ingest.file_sha256(path) == meta["sha256"]  # touched, perhaps not changed


def _embedder():
    from .embed import Embedder

    return Embedder()


def _dimension(embedder) -> int:
    from .embed import DIMENSION

    return getattr(embedder, "dimension", DIMENSION)


__all__ = ["Index", "UpdateReport", "load", "update", "remove", "stale_sources"]
