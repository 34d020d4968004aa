"""Where passages and their vectors live: the `Store` seam and its backends.

    stores/folder.py    FAISS + JSONL + in-memory BM25 in a folder (the default, one machine)
    stores/postgres.py  PostgreSQL + pgvector (HNSW) + full-text search (a team's deployment)

`index.open_store(settings)` picks one: `settings.store_url` (ASSISTANT_STORE_URL, `--store URL`)
set to `postgresql://...` selects PostgreSQL, otherwise the folder `settings.index_path`.

Everything above the store stays in the app whichever store answers: reading and embedding files
(`index.update`), fusion, near-duplicate collapse, evidence selection and citation checking. So
citations are exact with any store: a store only keeps and returns `Passage`s as they were given.

Optional: `recover_sources(explicit, log) -> list[str]`, the files an index with a damaged
manifest held, which `index.update(..., rebuild=True)` then re-reads (the folder store has it; a
database has no such damage, so `update` re-raises the damage without it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from ..types import Passage


@dataclass(frozen=True)
class SourceData:
    """Everything a store keeps for one indexed file, written as one unit.

    `meta` holds sha256, size, mtime_ns, title, indexed_at (ISO 8601) and passages (the count);
    `vectors` is float32 (len(passages), dim), unit length; `sentence_vectors[i]` is float32
    (number of `ingest.sentences(passages[i])`, dim), in that order.
    """

    source: str
    meta: dict
    passages: list[Passage]
    vectors: Any
    sentence_vectors: list[Any] = field(default_factory=list)


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

    def dense_search(self, qvec, k: int) -> list[tuple[Passage, float]]:
        """The `k` passages nearest to the unit vector `qvec`, with their inner product, best first."""

    def keyword_search(self, query: str, k: int) -> list[tuple[Passage, float]]:
        """Up to `k` passages matching the words of `query`, with a score > 0, best first."""

    def vectors_of(self, passages: list[Passage]) -> Any:
        """float32 (len(passages), dim): each passage's stored vector (zeros if not held)."""

    def sentence_vectors_of(self, passage: Passage) -> Any:
        """The passage's sentence vectors in `ingest.sentences` order, or None if not held."""

    def passages_of(self, source: str) -> list[Passage]:
        """One source's passages in document order (for the whole-document view and `docs`)."""

    def write(self, fingerprint: dict, upserts: list[SourceData], removed: list[str], files: dict) -> None:
        """One atomic change: every source in `upserts` replaces all passages of that source,
        every source in `removed` is dropped, and `files` (source -> meta) becomes the full
        `sources()` mapping (entries of unchanged files may carry a new size or mtime). Readers
        see the old state or the new one, never a half; a failure leaves the old state."""

    def writing(self) -> AbstractContextManager[None]:
        """A lock held by one writer at a time (across processes) around read-modify-write."""

    def close(self) -> None:
        """Release connections and files."""


def iter_rows(data: list[SourceData]) -> Iterator[tuple[Passage, Any, Any]]:
    """(passage, vector, sentence vectors) of every passage in `data`, in order."""
    for d in data:
        for i, p in enumerate(d.passages):
            yield p, d.vectors[i], d.sentence_vectors[i] if d.sentence_vectors else None
