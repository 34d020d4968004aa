"""Where passages and their vectors live: the `Store` seam, its backends, and how one is chosen.

    stores/folder.py    FAISS + JSONL + in-memory BM25 in a folder (the default, one machine)
    stores/postgres.py  PostgreSQL + pgvector (HNSW) + BM25 over a term table (a team's deployment)

Which store answers is decided here alone, from the URL scheme of `settings.store_url`
(ASSISTANT_STORE_URL, `--store URL`) in `BACKENDS`: no URL is the folder `settings.index_path`,
`postgresql://` or `postgres://` is PostgreSQL. A backend declares what it can do
(`supports_collections`); an optional method is a small Protocol of its own (`Recoverable`).

Everything above the store stays in the app whichever store answers: reading and embedding files
(`index.update`), fusion, near-duplicate collapse, evidence selection and citation checking. So
citations are exact with any store: a store only keeps and returns `Passage`s and page texts as
they were given. Both rank keywords by the same BM25 (`BM25_K1`, `BM25_B`, `text.terms` tokens),
and tests/store_contract.py is the behaviour every store must show.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from ..types import Passage

# BM25 as Lucene computes it (bm25s's "lucene" method; Kamphuis et al., ECIR 2020): the same in
# every store, so the same data ranks the same. k1 and b are the usual defaults (bm25s's too).
BM25_K1 = 1.5
BM25_B = 0.75
Sources = Collection[str] | None  # a search within these documents only; None: every document
Log = Callable[[str], None]


@dataclass(frozen=True)
class SourceData:
    """Everything a store keeps for one indexed file, written as one unit.

    `meta` holds sha256, size, mtime_ns, ctime_ns, inode, title, indexed_at (ISO 8601) and
    passages (the count); `vectors` is float32 (len(passages), dim), unit length;
    `sentence_vectors[i]` is float32 (number of `ingest.sentences(passages[i])`, dim), in that
    order; `pages` is the document's text as read, (page or None, text) per page: what the
    passages' offsets index, kept so that quotes can be checked without the file.
    """

    source: str
    meta: dict
    passages: list[Passage]
    vectors: Any
    sentence_vectors: list[Any] = field(default_factory=list)
    pages: tuple[tuple[int | None, str], ...] = ()


@runtime_checkable
class Store(Protocol):
    """What the pipeline reads from and writes to an index, whatever engine holds it."""

    def manifest(self) -> dict | None:
        """{"format", "settings" (the fingerprint it was built with), "dimension", "files"}, or
        None when nothing was ever written. `files` is the same mapping as `sources()`."""

    def sources(self) -> dict[str, dict]:
        """Indexed files: source -> meta (sha256, size, mtime_ns, title, indexed_at, passages)."""

    def count(self) -> int:
        """The number of live passages."""

    def dense_search(self, qvec, k: int, sources: Sources = None) -> list[tuple[Passage, float]]:
        """The `k` passages nearest to the unit vector `qvec`, with their inner product, best
        first; with `sources`, only passages of those documents."""

    def keyword_search(self, query: str, k: int, sources: Sources = None) -> list[tuple[Passage, float]]:
        """Up to `k` passages ranked by BM25 (BM25_K1, BM25_B, `text.terms` of the query and of
        each passage) with a score > 0, best first; with `sources`, only passages of those."""

    def vectors_of(self, passages: list[Passage]) -> Any:
        """float32 (len(passages), dim): each passage's stored vector (zeros if not held)."""

    def sentence_vectors_of(self, passage: Passage) -> Any:
        """The passage's sentence vectors in `ingest.sentences` order, or None if not held."""

    def passages_of(self, source: str) -> list[Passage]:
        """One source's passages in document order (for the whole-document view and `docs`)."""

    def document_text(self, source: str, page: int | None = None) -> str | None:
        """The text of `source` (its page `page`) as it was indexed: what the passages' offsets
        index. None if the store does not hold that document or page."""

    def write(self, fingerprint: dict, upserts: list[SourceData], removed: list[str], files: dict) -> None:
        """One atomic change: every source in `upserts` replaces all passages and page texts of
        that source, every source in `removed` is dropped, and `files` (source -> meta) becomes
        the full `sources()` mapping (entries of unchanged files may carry a new size or mtime).
        Readers see the old state or the new one, never a half; a failure leaves the old state."""

    def writing(self) -> AbstractContextManager[None]:
        """A lock held by one writer at a time (across processes) around read-modify-write."""

    def close(self) -> None:
        """Release connections and files."""


@runtime_checkable
class Recoverable(Protocol):
    """A store whose index can be damaged on disk, and which can list what it held."""

    def recover_sources(self, explicit: bool, log: Log) -> list[str]:
        """The sources a damaged index held, for `index.update(..., rebuild=True)` to re-read."""


# --- which store: one table, keyed by URL scheme ---------------------------------------------------
@dataclass(frozen=True)
class Backend:
    """One kind of store: how to open it and what it can do."""

    name: str
    open: Callable[[str | None, Path], Store]  # (store URL or None, index folder) -> the store
    supports_collections: bool  # named collections are folders beside the default index
    example: str = ""  # a URL of this kind, for messages ("" for the folder store)


BACKENDS: dict[str, Backend] = {}  # URL scheme ("" for no URL) -> backend


def register(schemes: tuple[str, ...], backend: Backend) -> None:
    """Make `backend` the store for URLs of these schemes ("" for no URL); the built-in ones
    below are registered the same way a new one would be."""
    for scheme in schemes:
        BACKENDS[scheme.lower()] = backend


def backend(url: str | None) -> Backend | None:
    """The backend of `url` (None or "": the folder store); None for a scheme nobody registered.

    >>> backend(None).name, backend("postgres://db/x").name, backend("mysql://db/x")
    ('folder', 'postgresql', None)
    """
    scheme = urlsplit(url).scheme.lower() if url and "://" in url else ("" if not url else None)
    return None if scheme is None else BACKENDS.get(scheme)


def open_store(url: str | None, folder: Path) -> Store:
    """The store `url` names, or the folder store at `folder` when there is no URL. Opening reads
    nothing; the first call does. `config.store_url` has checked the scheme already."""
    found = backend(url)
    if found is None:
        raise ValueError(f"no store is registered for {urlsplit(url or '').scheme}:// URLs")
    return found.open(url, folder)


def url_examples() -> str:
    """'postgresql://user:password@host:5432/db': the URL kinds, for a message."""
    return " or ".join(sorted({b.example for b in BACKENDS.values() if b.example}))


def _folder(url: str | None, folder: Path) -> Store:
    from .folder import FolderStore

    return FolderStore(folder)


def _postgres(url: str | None, folder: Path) -> Store:
    from .postgres import PostgresStore

    return PostgresStore(url or "")


register(("",), Backend("folder", _folder, supports_collections=True))
register(
    ("postgresql", "postgres"),
    Backend(
        "postgresql", _postgres, supports_collections=False, example="postgresql://user:password@host:5432/db"
    ),
)


def iter_rows(data: list[SourceData]) -> Iterator[tuple[Passage, Any, Any]]:
    """(passage, vector, sentence vectors) of every passage in `data`, in order."""
    for d in data:
        for i, p in enumerate(d.passages):
            yield p, d.vectors[i], d.sentence_vectors[i] if d.sentence_vectors else None


def bm25_tokens(text: str) -> list[str]:
    """A passage's BM25 tokens: `text.terms`, or one placeholder for a passage with none (so its
    length is 1, as bm25s counts it)."""
    from ..text import terms

    return terms(text) or ["_empty_"]
