"""The index in PostgreSQL: pgvector (HNSW) for dense search, full-text search for keywords.

For a team: several app instances and writers share one collection on a proven engine. Selected
with ASSISTANT_STORE_URL=postgresql://user:password@host:5432/db (or `--store URL`); to keep
several indexes in one database, give each a schema: `...?options=-csearch_path%3Dmyindex`.

    assistant_manifest   one row: format, settings fingerprint, vector dimension
    assistant_sources    source -> meta (sha256, size, mtime_ns, title, indexed_at, passages)
    assistant_passages   id, source, page, start, end, text, vector (HNSW, inner product),
                         sentences (the sentence vectors, float32 bytes), tsv (generated, GIN)

Why it holds: every `write` is ONE transaction, so readers (single statements, each on its own
snapshot) see the old collection or the new one, never half; writers queue on an advisory lock.
A writer killed mid-write leaves nothing: the server rolls the transaction back when the
connection drops. Sentence vectors are one `bytea` per passage: they are only ever read whole,
per passage, so a blob is the smallest row and the cheapest read (no per-sentence rows).

Keyword search: the question's words ORed against GIN-indexed tsvectors, ranked by ts_rank (see
OR_QUERY). Fusion and everything after it stay in the app (see stores/__init__.py).
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import urlsplit

from ..errors import BadDocument, IndexMismatch, MissingDependency, StoreUnavailable
from ..types import Passage
from . import SourceData

T = TypeVar("T")

LOCK_KEY = 0x61737374  # "asst": the advisory lock every writer of this store takes
# HNSW candidate list. recall@10 on clustered synthetic vectors (evals/bench_store.py): 0.74 (10k)
# and 0.88 (100k) at pgvector's default of 40; 0.95 and 0.998 at 200, for ~10-20 ms more per search.
EF_SEARCH = 200
COLUMNS = 'id, source, page, start, "end", text'
# Filling an empty table with this many rows or more: drop the HNSW index and build it once after
# the COPY (10k passages here: 9 s, against 111 s growing the graph row by row).
BULK_ROWS = 5000
BUILD_MEMORY = "512MB"  # the 100k x 384 graph fits: a build that spills to disk is far slower
HNSW = "CREATE INDEX assistant_passages_vector ON assistant_passages USING hnsw (vector vector_ip_ops)"

SCHEMA = """
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE IF NOT EXISTS assistant_manifest (
    id int PRIMARY KEY CHECK (id = 1), format int, settings jsonb NOT NULL, dimension int NOT NULL);
CREATE TABLE IF NOT EXISTS assistant_sources (source text PRIMARY KEY, meta jsonb NOT NULL);
"""

PASSAGES = """
CREATE TABLE assistant_passages (
    id bigserial PRIMARY KEY,
    source text NOT NULL, page int, start int NOT NULL, "end" int NOT NULL, text text NOT NULL,
    vector vector({dim}) NOT NULL, sentences bytea,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED);
{hnsw};
CREATE INDEX assistant_passages_tsv ON assistant_passages USING gin (tsv);
CREATE INDEX assistant_passages_key ON assistant_passages (source, start, "end");
"""

# The question's words ORed: plainto_tsquery stems and drops stop words, then ' & ' becomes ' | '
# (all of a question's words are rarely in one passage). The text is cast back to tsquery as is
# (to_tsquery would stem the stems a second time). Ranked by ts_rank, length-normalised: it has
# no idf, so this is not BM25. Measured on the seed questions, recall@5 0.9125 vs the folder
# store's bm25s 0.9375; a BM25 written in SQL reached 0.925 but scored every matching passage
# (2.2 s per query at 10k passages whose words are common), so ts_rank it is.
OR_QUERY = "(SELECT replace(plainto_tsquery('english', %s)::text, ' & ', ' | ')::tsquery AS q) AS w"


class PostgresStore:
    """A `Store` in a PostgreSQL database with the pgvector extension.

    Connections open on first use and again after a failure, so a server that restarts is used
    again by the next call; a server that cannot be reached is a one-line StoreUnavailable.
    """

    def __init__(self, url: str):
        self.url = url
        # One writer connection (writing()'s session lock and write()'s transaction share it) and
        # one reader connection per thread: the web app answers several users at once, and a
        # reader's transaction (dense_search) must not interleave with another thread's.
        self._conns: dict[Any, Any] = {}
        self._guard = threading.Lock()
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

    def dense_search(self, qvec, k: int) -> list[tuple[Passage, float]]:
        import numpy as np

        if k <= 0 or not self._has_passages():
            return []
        q = np.asarray(qvec, dtype="float32").ravel()

        def query(conn):
            with conn.transaction():  # SET LOCAL lasts for this query only
                # The planner prefers a full scan up to tens of thousands of rows (measured: 70 ms
                # at 10k where the graph takes 13); the graph at ef_search >= k is near exact.
                ef = max(EF_SEARCH, int(k))
                conn.execute(f"SET LOCAL hnsw.ef_search = {ef}; SET LOCAL enable_seqscan = off")
                return conn.execute(
                    f"SELECT {COLUMNS}, -(vector <#> %s) FROM assistant_passages "
                    "ORDER BY vector <#> %s LIMIT %s",  # the distance alone, or HNSW is not used
                    (q, q, k),
                ).fetchall()

        return [(_passage(r), float(r[6])) for r in self._use("read", query)]

    def keyword_search(self, query: str, k: int) -> list[tuple[Passage, float]]:
        if k <= 0 or not query.strip() or not self._has_passages():
            return []
        rows = self._read(
            f"SELECT {COLUMNS}, ts_rank(tsv, q, 1) AS score FROM assistant_passages, {OR_QUERY} "
            "WHERE tsv @@ q ORDER BY score DESC, id LIMIT %s",
            (query, k),
        )
        return [(_passage(r), float(r[6])) for r in rows if r[6] > 0]

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
            f"SELECT {COLUMNS} FROM assistant_passages WHERE source = %s ORDER BY id", (source,)
        )
        return [_passage(r) for r in rows]

    # --- writing -------------------------------------------------------------------------------

    def write(self, fingerprint: dict, upserts: list[SourceData], removed: list[str], files: dict) -> None:
        """One transaction: the sources' old rows deleted, their new rows copied in, the manifest
        and the sources table replaced. Any failure (or a killed process) rolls all of it back."""
        for d in upserts:
            if any("\x00" in p.text for p in d.passages):
                raise BadDocument(f"{d.source}: contains a NUL character, which PostgreSQL text cannot hold")
        dim = _dimension(upserts)

        def transaction(conn):
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
                dim_now = self._prepare(conn, dim or None)
                conn.execute(
                    "INSERT INTO assistant_manifest VALUES (1, %s, %s, %s) ON CONFLICT (id) DO UPDATE "
                    "SET format = excluded.format, settings = excluded.settings, "
                    "dimension = excluded.dimension",
                    (fingerprint.get("format"), _json(fingerprint), dim_now),
                )
                gone = [d.source for d in upserts] + list(removed)
                conn.execute("DELETE FROM assistant_passages WHERE source = ANY(%s)", (gone,))
                bulk = (
                    _rows(upserts) >= BULK_ROWS
                    and not conn.execute("SELECT EXISTS (SELECT 1 FROM assistant_passages)").fetchone()[0]
                )
                if bulk:  # into an empty table: build the graph once, after the rows are in
                    conn.execute("DROP INDEX assistant_passages_vector")
                self._copy(conn, upserts)
                if bulk:
                    conn.execute(f"SET LOCAL maintenance_work_mem = '{BUILD_MEMORY}'")
                    conn.execute(HNSW)
                conn.execute("DELETE FROM assistant_sources")
                with conn.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO assistant_sources VALUES (%s, %s)",
                        [(s, _json(m)) for s, m in files.items()],
                    )

        # A write is idempotent, so one on a connection that died (a restart) is tried again on a
        # fresh one; not inside writing(), whose lock died with the old connection.
        self._use("write", transaction, retry=not self._locked)

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """A session advisory lock on the writer's connection: the xact lock `write` takes on the
        same connection nests inside it, and other processes' writers wait."""
        self._use("write", lambda c: c.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,)))
        self._locked = True
        try:
            yield
        finally:
            self._locked = False
            with contextlib.suppress(StoreUnavailable):  # a lost connection released it already
                self._use("write", lambda c: c.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,)))

    def close(self) -> None:
        with self._guard:
            for conn in self._conns.values():
                with contextlib.suppress(Exception):  # closing a dead connection may raise anything
                    conn.close()
            self._conns.clear()

    def _prepare(self, conn, dim: int | None) -> int:
        """The passages table exists with vectors of `dim` (created on the first write; recreated
        when the collection is being emptied and refilled with another embedder's vectors)."""
        row = conn.execute("SELECT dimension FROM assistant_manifest").fetchone()
        exists = conn.execute("SELECT to_regclass('assistant_passages') IS NOT NULL").fetchone()[0]
        held = row[0] if row and exists else None
        if held is None or dim is None or held == dim:
            if not exists:
                conn.execute(PASSAGES.format(dim=dim or _default_dimension(), hnsw=HNSW))
            return held or dim or _default_dimension()
        left = conn.execute("SELECT count(*) FROM assistant_passages").fetchone()[0]
        if left:  # only a rebuild may change the dimension, and a rebuild replaces every source
            raise IndexMismatch(
                f"the store holds {held}-dimension vectors, not {dim}; rebuild it: assistant index --rebuild"
            )
        conn.execute("DROP TABLE assistant_passages")
        conn.execute(PASSAGES.format(dim=dim, hnsw=HNSW))
        return dim

    def _copy(self, conn, upserts: list[SourceData]) -> None:
        """Binary COPY, the bulk path into PostgreSQL; vectors go as pgvector's binary form."""
        import numpy as np

        cols = 'source, page, start, "end", text, vector, sentences'
        types = ["text", "int4", "int4", "int4", "text", "vector", "bytea"]
        with conn.cursor() as cur, cur.copy(f"COPY assistant_passages ({cols}) FROM STDIN BINARY") as copy:
            copy.set_types(types)
            for d in upserts:
                for i, p in enumerate(d.passages):
                    sent = d.sentence_vectors[i] if d.sentence_vectors else None
                    blob = None if sent is None else np.ascontiguousarray(sent, dtype="float32").tobytes()
                    vec = np.asarray(d.vectors[i], dtype="float32")
                    copy.write_row((p.source, p.page, p.start, p.end, p.text, vec, blob))

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

        return self._use("read", run)

    def _use(self, role: str, fn: Callable[[Any], T], retry: bool = True) -> T:
        """Run `fn(connection)`. A connection the server dropped (a restart) is replaced and the
        call tried once more if `retry`; a server that cannot be reached is StoreUnavailable."""
        import psycopg

        for attempt in (1, 2):
            conn = self._connection(role)
            try:
                return fn(conn)
            except (psycopg.OperationalError, psycopg.InterfaceError) as e:
                self._drop(role, conn)
                if retry and attempt == 1:
                    continue  # the server may have restarted: a fresh connection may work
                raise StoreUnavailable(self._unavailable(e)) from e
        raise AssertionError("unreachable")

    def _connection(self, role: str):
        key = _key(role)
        with self._guard:
            conn = self._conns.get(key)
            if conn is not None and not conn.closed:
                return conn
        psycopg = _psycopg()
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
            _setup(conn)
        except psycopg.Error as e:
            raise StoreUnavailable(self._unavailable(e)) from e
        with self._guard:
            self._conns[key] = conn
        return conn

    def _drop(self, role: str, conn) -> None:
        with self._guard:
            if self._conns.get(_key(role)) is conn:
                del self._conns[_key(role)]
        with contextlib.suppress(Exception):  # the connection is broken; closing it may fail too
            conn.close()

    def _unavailable(self, e: Exception) -> str:
        # psycopg: 'connection failed: connection to server at "h", port 5 failed: Connection refused'
        lines = str(e).strip().splitlines()
        reason = lines[0].rsplit("failed: ", 1)[-1].strip() if lines else type(e).__name__
        password = urlsplit(self.url).password
        if password:
            reason = reason.replace(password, "***")
        return (
            f"cannot use the PostgreSQL store at {redact(self.url)} ({reason}); start the server or "
            "fix ASSISTANT_STORE_URL / --store, then run the command again"
        )

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _key(role: str):
    return role if role == "write" else (role, threading.get_ident())


def redact(url: str) -> str:
    """The URL without its password, fit for messages and logs.

    >>> redact("postgresql://ann:s3cret@db.example:5432/docs")
    'postgresql://ann@db.example:5432/docs'
    >>> redact("postgresql:///docs?password=s3cret&sslmode=require")
    'postgresql:///docs?sslmode=require'
    """
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)
    if len(netloc) == 2:
        netloc[0] = netloc[0].split(":", 1)[0]
    query = "&".join(q for q in parts.query.split("&") if q and not q.lower().startswith("password="))
    return f"{parts.scheme}://{'@'.join(netloc)}{parts.path}" + (f"?{query}" if query else "")


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


def _rows(upserts: list[SourceData]) -> int:
    return sum(len(d.passages) for d in upserts)


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


def _psycopg():
    try:
        import psycopg
    except ImportError as e:
        raise MissingDependency(
            "the PostgreSQL store needs psycopg and pgvector: pip install 'cited-assistant[scale]'"
        ) from e
    return psycopg


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
        conn.execute(SCHEMA)
    register_vector(conn)
