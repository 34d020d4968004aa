"""The index in PostgreSQL: pgvector (HNSW) for dense search, BM25 over a term table for keywords.

For a team: several app instances and writers share one collection on a proven engine. Selected
with ASSISTANT_STORE_URL=postgresql://user:password@host:5432/db (or `--store URL`); to keep
several indexes in one database, give each a schema: `...?options=-csearch_path%3Dmyindex`.
The tables and the SQL of both searches are in stores/postgres_sql.py.

Why it holds: every `write` is ONE transaction, so readers (single statements, each on its own
snapshot) see the old collection or the new one, never half; writers queue on an advisory lock.
A writer killed mid-write leaves nothing: the server rolls the transaction back when the
connection drops. Sentence vectors are one `bytea` per passage: they are only ever read whole,
per passage, so a blob is the smallest row and the cheapest read (no per-sentence rows).

Keyword search is the folder store's BM25, term for term: each passage's `text.terms` (PyStemmer)
are counted here at write time into a postings table (term, passage, tf, length), and the
document frequencies and totals are kept in tables changed in the same transaction (see
postgres_sql.KEYWORD). Fusion and everything after it stay in the app (see stores/__init__.py).
"""

from __future__ import annotations

import contextlib
import json
import math
from collections import Counter
from collections.abc import Iterator
from typing import Any, TypeVar

from ..errors import BadDocument, IndexMismatch, MissingDependency, StoreUnavailable
from ..types import Passage
from . import SourceData, Sources, bm25_tokens
from . import postgres_sql as sql
from .postgres_conn import Connections

T = TypeVar("T")

LOCK_KEY = 0x61737374  # "asst": the advisory lock every writer of this store takes
# HNSW candidate list. recall@10 on clustered synthetic vectors (evals/bench_store.py): 0.74 (10k)
# and 0.88 (100k) at pgvector's default of 40; 0.95 and 0.998 at 200, for ~10-20 ms more per search.
EF_SEARCH = 200
# Filling an empty table with this many rows or more: drop the HNSW index and build it once after
# the COPY (10k passages here: 9 s, against 111 s growing the graph row by row).
BULK_ROWS = 5000
BUILD_MEMORY = "512MB"  # the 100k x 384 graph fits: a build that spills to disk is far slower


class PostgresStore:
    """A `Store` in a PostgreSQL database with the pgvector extension.

    Connections open on first use and again after a failure, so a server that restarts is used
    again by the next call; a server that cannot be reached is a one-line StoreUnavailable.
    """

    def __init__(self, url: str):
        self.url = url
        self._db = Connections(url, _setup)
        self._schema_ready = False
        self._locked = False  # inside writing()

    # --- reading -------------------------------------------------------------------------------

    def manifest(self) -> dict | None:
        row = self._read(
            "SELECT format, settings, dimension, "
            "(SELECT coalesce(jsonb_object_agg(source, meta), '{}') FROM assistant_sources) "
            "FROM assistant_manifest",
            one=True,
        )
        if row is None:
            return None
        fmt, settings, dimension, files = row
        return {"format": fmt, "settings": settings, "dimension": dimension, "files": files}

    def sources(self) -> dict[str, dict]:
        return dict(self._read("SELECT source, meta FROM assistant_sources"))

    def count(self) -> int:
        if not self._has_passages():
            return 0
        return self._read("SELECT count(*) FROM assistant_passages", one=True)[0]

    def dense_search(self, qvec, k: int, sources: Sources = None) -> list[tuple[Passage, float]]:
        import numpy as np

        if k <= 0 or not self._has_passages():
            return []
        args = {"q": np.asarray(qvec, dtype="float32").ravel(), "k": int(k)}

        def query(conn):
            with conn.transaction():  # SET LOCAL lasts for this query only
                if sources is not None:
                    conn.execute(sql.DENSE_WITHIN[0])
                    return conn.execute(sql.DENSE_WITHIN[1], {**args, "sources": list(sources)}).fetchall()
                # The planner prefers a full scan up to tens of thousands of rows (measured: 70 ms
                # at 10k where the graph takes 13); the graph at ef_search >= k is near exact.
                ef = max(EF_SEARCH, int(k))
                conn.execute(f"SET LOCAL hnsw.ef_search = {ef}; SET LOCAL enable_seqscan = off")
                return conn.execute(sql.DENSE, args).fetchall()

        return [(_passage(r), float(r[6])) for r in self._db.use("read", query)]

    def keyword_search(self, query: str, k: int, sources: Sources = None) -> list[tuple[Passage, float]]:
        from ..text import terms

        counts = Counter(terms(query))
        if k <= 0 or not counts or not self._has_passages():
            return []
        within = sql.WITHIN if sources is not None else ""

        def search(conn):
            with conn.transaction():
                conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")  # one snapshot
                n, avgdl, dfs = conn.execute(sql.STATS, {"terms": list(counts)}).fetchone()
                weights = {t: c * _idf(dfs[t], n) for t, c in counts.items() if t in dfs}
                if not weights:
                    return []
                args = {"terms": list(weights), "weights": list(weights.values()), "avgdl": avgdl}
                args |= {"k": int(k), "sources": list(sources or ())}
                return conn.execute(sql.KEYWORD.format(within=within), args).fetchall()

        return [(_passage(r), float(r[6])) for r in self._db.use("read", search) if r[6] > 0]

    def vectors_of(self, passages: list[Passage]) -> Any:
        import numpy as np

        row = self._read("SELECT dimension FROM assistant_manifest", one=True)
        out = np.zeros((len(passages), row[0] if row else 0), dtype="float32")
        if not passages or not row or not self._has_passages():
            return out
        keys = _key_arrays(passages)
        rows = self._read(
            "SELECT k.i, p.vector FROM unnest(%s::text[], %s::int[], %s::int[], %s::int[]) "
            "WITH ORDINALITY AS k(source, page, start, e, i) JOIN assistant_passages p "
            "ON p.source = k.source AND p.page IS NOT DISTINCT FROM k.page AND p.start = k.start "
            'AND p."end" = k.e',
            keys,
        )
        for i, vector in rows:
            out[i - 1] = vector.to_numpy() if hasattr(vector, "to_numpy") else vector
        return out

    def sentence_vectors_of(self, passage: Passage) -> Any:
        import numpy as np

        if not self._has_passages():
            return None
        row = self._read(
            "SELECT p.sentences, m.dimension FROM assistant_passages p, assistant_manifest m "
            'WHERE p.source = %s AND p.page IS NOT DISTINCT FROM %s AND p.start = %s AND p."end" = %s '
            "LIMIT 1",
            (passage.source, passage.page, passage.start, passage.end),
            one=True,
        )
        if row is None or row[0] is None:
            return None
        return np.frombuffer(row[0], dtype="float32").reshape(-1, row[1])

    def passages_of(self, source: str) -> list[Passage]:
        if not self._has_passages():
            return []
        rows = self._read(
            f"SELECT {sql.COLUMNS} FROM assistant_passages WHERE source = %s ORDER BY id", (source,)
        )
        return [_passage(r) for r in rows]

    def document_text(self, source: str, page: int | None = None) -> str | None:
        row = self._read(
            "SELECT text FROM assistant_pages WHERE source = %s AND page IS NOT DISTINCT FROM %s LIMIT 1",
            (source, page),
            one=True,
        )
        return None if row is None else row[0]

    # --- writing -------------------------------------------------------------------------------

    def write(self, fingerprint: dict, upserts: list[SourceData], removed: list[str], files: dict) -> None:
        """One transaction: the sources' old rows and page texts deleted (and counted out of
        BM25's term table), their new ones copied in (and counted in), the manifest and the
        sources table replaced. Any failure (or a killed process) rolls all of it back."""
        _refuse_nul(upserts)
        dim = _dimension(upserts)
        tokens = [_bm25_row(p.text) for d in upserts for p in d.passages]  # once, even if retried
        gone = [d.source for d in upserts] + list(removed)

        def transaction(conn):
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
                dim_now = self._prepare(conn, dim or None, gone)
                conn.execute(
                    "INSERT INTO assistant_manifest VALUES (1, %s, %s, %s) ON CONFLICT (id) DO UPDATE "
                    "SET format = excluded.format, settings = excluded.settings, "
                    "dimension = excluded.dimension",
                    (fingerprint.get("format"), _json(fingerprint), dim_now),
                )
                for statement in sql.FORGET:
                    conn.execute(statement, {"gone": gone})
                self._insert(conn, upserts, tokens)
                conn.execute("DELETE FROM assistant_sources")
                with conn.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO assistant_sources VALUES (%s, %s)",
                        [(s, _json(m)) for s, m in files.items()],
                    )

        # A write is idempotent, so one on a connection that died (a restart) is tried again on a
        # fresh one; not inside writing(), whose lock died with the old connection.
        self._db.use("write", transaction, retry=not self._locked)

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """A session advisory lock on the writer's connection: the xact lock `write` takes on the
        same connection nests inside it, and other processes' writers wait."""
        self._db.use("write", lambda c: c.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,)))
        self._locked = True
        try:
            yield
        finally:
            self._locked = False
            with contextlib.suppress(StoreUnavailable):  # a lost connection released it already
                self._db.use("write", lambda c: c.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,)))

    def close(self) -> None:
        self._db.close()

    def _prepare(self, conn, dim: int | None, gone: list[str]) -> int:
        """The passages table exists with vectors of `dim` (created on the first write). A table
        of another embedder's dimension, or of an older layout, is recreated by a write that
        replaces every passage (a rebuild); any other write is refused."""
        row = conn.execute("SELECT dimension FROM assistant_manifest").fetchone()
        exists = conn.execute("SELECT to_regclass('assistant_passages') IS NOT NULL").fetchone()[0]
        held = row[0] if row and exists else None
        old = exists and conn.execute(sql.OLD_LAYOUT).fetchone()[0]
        if old or (held and dim and held != dim):
            left = conn.execute(
                "SELECT count(*) FROM assistant_passages WHERE NOT source = ANY(%s)", (gone,)
            ).fetchone()[0]
            if left:
                what = "an older layout" if old else f"{held}-dimension vectors, not {dim}"
                raise IndexMismatch(f"the store holds {what}; rebuild it: assistant index --rebuild")
            conn.execute(sql.DROP_PASSAGES)
            conn.execute("TRUNCATE assistant_terms, assistant_bm25")  # every passage is going
            exists, held = False, None
        if not exists:
            conn.execute(sql.PASSAGES.format(dim=dim or held or _default_dimension(), hnsw=sql.HNSW))
        return held or dim or _default_dimension()

    def _insert(self, conn, upserts: list[SourceData], tokens: list[tuple]) -> None:
        """Copy the new passages and page texts in, and count their terms into BM25's tables.
        Into an empty table, many rows at once: the HNSW graph is built once, after the COPY."""
        bulk = (
            len(tokens) >= BULK_ROWS
            and not conn.execute("SELECT EXISTS (SELECT 1 FROM assistant_passages)").fetchone()[0]
        )
        if bulk:
            conn.execute("DROP INDEX assistant_passages_vector")
        _copy(conn, upserts, tokens)
        if bulk:
            conn.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
            conn.execute(sql.HNSW)
        dfs = Counter(term for terms, _, _ in tokens for term in terms)
        args = {"terms": list(dfs), "dfs": list(dfs.values()), "passages": len(tokens)}
        for statement in sql.COUNT_IN:
            conn.execute(statement, {**args, "tokens": sum(length for _, _, length in tokens)})

    # --- connections ---------------------------------------------------------------------------

    def _has_passages(self) -> bool:
        if not self._schema_ready:
            self._schema_ready = self._read("SELECT to_regclass('assistant_passages') IS NOT NULL", one=True)[
                0
            ]
        return self._schema_ready

    def _read(self, sql: str, params=None, one: bool = False):
        def run(conn):
            cur = conn.execute(sql, params)
            return cur.fetchone() if one else cur.fetchall()

        return self._db.use("read", run)

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _passage(row) -> Passage:
    _, source, page, start, end, text = row[:6]
    return Passage(source=source, start=start, end=end, text=text, page=page)


def _key_arrays(passages: list[Passage]) -> tuple[list, list, list, list]:
    return (
        [p.source for p in passages],
        [p.page for p in passages],
        [p.start for p in passages],
        [p.end for p in passages],
    )


def _copy(conn, upserts: list[SourceData], tokens: list[tuple]) -> None:
    """Binary COPY, the bulk path into PostgreSQL: the passages (vectors as pgvector's binary
    form) under ids taken from their sequence, then their postings and the page texts."""
    import numpy as np

    ids = [r[0] for r in conn.execute(sql.NEW_IDS, (len(tokens),)).fetchall()]
    rows = iter(zip(ids, tokens))
    with conn.cursor() as cur, cur.copy(sql.COPY_PASSAGES) as copy:
        copy.set_types(sql.PASSAGE_TYPES)
        for d in upserts:
            for i, p in enumerate(d.passages):
                sent = d.sentence_vectors[i] if d.sentence_vectors else None
                blob = None if sent is None else np.ascontiguousarray(sent, dtype="float32").tobytes()
                vec = np.asarray(d.vectors[i], dtype="float32")
                pid, (_, _, length) = next(rows)
                copy.write_row((pid, p.source, p.page, p.start, p.end, p.text, vec, blob, length))
    with conn.cursor() as cur, cur.copy(sql.COPY_POSTINGS) as copy:
        copy.set_types(sql.POSTING_TYPES)
        for pid, (terms, tfs, length) in zip(ids, tokens):
            for term, tf in zip(terms, tfs):
                copy.write_row((term, pid, tf, length))
    with conn.cursor() as cur, cur.copy(sql.COPY_PAGES) as copy:
        copy.set_types(["text", "int4", "text"])
        for d in upserts:
            for page, text in d.pages:
                copy.write_row((d.source, page, text))


def _idf(df: int, n: int) -> float:
    """BM25's idf as Lucene (and bm25s's "lucene" method) computes it."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))


def _bm25_row(text: str) -> tuple[list[str], list[int], int]:
    """(distinct terms, their counts, length in tokens) of a passage, as bm25s counts them."""
    counts = Counter(bm25_tokens(text))
    return list(counts), list(counts.values()), sum(counts.values())


def _refuse_nul(upserts: list[SourceData]) -> None:
    for d in upserts:
        if any("\x00" in p.text for p in d.passages) or any("\x00" in text for _, text in d.pages):
            raise BadDocument(f"{d.source}: contains a NUL character, which PostgreSQL text cannot hold")


def _dimension(upserts: list[SourceData]) -> int:
    for d in upserts:
        shape = getattr(d.vectors, "shape", None)
        if shape is not None and len(shape) == 2 and shape[0]:
            return int(shape[1])
    return 0


def _default_dimension() -> int:
    from ..embed import DIMENSION

    return DIMENSION


def _json(value: dict):
    from psycopg.types.json import Jsonb

    return Jsonb(json.loads(json.dumps(value, default=str)))


def _setup(conn) -> None:
    """The schema (first use), then the vector type's adapters (numpy arrays in and out)."""
    try:
        from pgvector.psycopg import register_vector
    except ImportError as e:
        raise MissingDependency(
            "the PostgreSQL store needs the pgvector package: pip install 'cited-assistant[scale]'"
        ) from e
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY + 1,))  # two first uses at once
        conn.execute(sql.SCHEMA)
    register_vector(conn)
