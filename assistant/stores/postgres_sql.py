"""The PostgreSQL store's tables and its two searches, as SQL (used by stores/postgres.py).

    assistant_manifest   one row: format, settings fingerprint, vector dimension
    assistant_sources    source -> meta (sha256, size, mtime_ns, title, indexed_at, passages)
    assistant_passages   id, source, page, start, end, text, vector (HNSW, inner product),
                         sentences (the sentence vectors, float32 bytes), length (BM25 tokens)
    assistant_postings   term, passage id, tf, the passage's length: BM25's inverted index
    assistant_terms      term -> df, the number of passages holding it (BM25's idf)
    assistant_bm25       one row: passages and tokens in all (BM25's average length)
    assistant_pages      source, page, text: each document's page texts as read (what
                         citations index), so quotes are checked without the files

Every table is changed only inside `PostgresStore.write`'s one transaction, so the document
frequencies always describe exactly the passages a reader sees.
"""

from __future__ import annotations

from . import BM25_B, BM25_K1

HNSW = "CREATE INDEX assistant_passages_vector ON assistant_passages USING hnsw (vector vector_ip_ops)"

SCHEMA = """
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE IF NOT EXISTS assistant_manifest (
    id int PRIMARY KEY CHECK (id = 1), format int, settings jsonb NOT NULL, dimension int NOT NULL);
CREATE TABLE IF NOT EXISTS assistant_sources (source text PRIMARY KEY, meta jsonb NOT NULL);
CREATE TABLE IF NOT EXISTS assistant_terms (term text PRIMARY KEY, df int NOT NULL);
CREATE TABLE IF NOT EXISTS assistant_bm25 (
    id int PRIMARY KEY CHECK (id = 1), passages bigint NOT NULL, tokens bigint NOT NULL);
CREATE TABLE IF NOT EXISTS assistant_pages (source text NOT NULL, page int, text text NOT NULL);
CREATE INDEX IF NOT EXISTS assistant_pages_source ON assistant_pages (source);
"""

# The passages and their postings: created together, dropped together. The postings' primary key
# serves deletes (by passage), the term index serves searches without reading a passage row.
PASSAGES = """
CREATE TABLE assistant_passages (
    id bigserial PRIMARY KEY,
    source text NOT NULL, page int, start int NOT NULL, "end" int NOT NULL, text text NOT NULL,
    vector vector({dim}) NOT NULL, sentences bytea, length int NOT NULL);
{hnsw};
CREATE INDEX assistant_passages_key ON assistant_passages (source, start, "end");
CREATE TABLE assistant_postings (
    term text NOT NULL, id bigint NOT NULL, tf int NOT NULL, length int NOT NULL,
    PRIMARY KEY (id, term));
CREATE INDEX assistant_postings_term ON assistant_postings (term) INCLUDE (id, tf, length);
"""
DROP_PASSAGES = "DROP TABLE assistant_passages; DROP TABLE IF EXISTS assistant_postings"

COLUMNS = 'id, source, page, start, "end", text'
NEW_IDS = "SELECT nextval(pg_get_serial_sequence('assistant_passages', 'id')) FROM generate_series(1, %s)"
COPY_PASSAGES = (
    'COPY assistant_passages (id, source, page, start, "end", text, vector, sentences, length) '
    "FROM STDIN BINARY"
)
PASSAGE_TYPES = ["int8", "text", "int4", "int4", "int4", "text", "vector", "bytea", "int4"]
COPY_POSTINGS = "COPY assistant_postings (term, id, tf, length) FROM STDIN BINARY"
POSTING_TYPES = ["text", "int8", "int4", "int4"]
COPY_PAGES = "COPY assistant_pages (source, page, text) FROM STDIN BINARY"

# The rows of the sources in %(gone)s taken out of the document frequencies and the totals, then
# deleted with their postings and page texts.
FORGET = (
    """UPDATE assistant_terms t SET df = t.df - d.n
    FROM (SELECT x.term, count(*) AS n FROM assistant_passages p JOIN assistant_postings x ON x.id = p.id
          WHERE p.source = ANY(%(gone)s) GROUP BY x.term) d
    WHERE t.term = d.term""",
    """INSERT INTO assistant_bm25
    SELECT 1, -count(*), -coalesce(sum(length), 0) FROM assistant_passages WHERE source = ANY(%(gone)s)
    ON CONFLICT (id) DO UPDATE SET passages = assistant_bm25.passages + excluded.passages,
                                   tokens = assistant_bm25.tokens + excluded.tokens""",
    """DELETE FROM assistant_postings x USING assistant_passages p
    WHERE x.id = p.id AND p.source = ANY(%(gone)s)""",
    "DELETE FROM assistant_passages WHERE source = ANY(%(gone)s)",
    "DELETE FROM assistant_pages WHERE source = ANY(%(gone)s)",
)

# After the new rows are in: their terms counted in, their passages and tokens added.
COUNT_IN = (
    """INSERT INTO assistant_terms SELECT * FROM unnest(%(terms)s::text[], %(dfs)s::int[])
    ON CONFLICT (term) DO UPDATE SET df = assistant_terms.df + excluded.df""",
    "DELETE FROM assistant_terms WHERE df <= 0",
    """INSERT INTO assistant_bm25 VALUES (1, %(passages)s, %(tokens)s)
    ON CONFLICT (id) DO UPDATE SET passages = assistant_bm25.passages + excluded.passages,
                                   tokens = assistant_bm25.tokens + excluded.tokens""",
)

# BM25 as bm25s's "lucene" method computes it, per query term t in a passage of `length` tokens
# holding t `tf` times:  weight(t) * tf / (tf + k1 * (1 - b + b * length / avgdl)), where
# weight(t) = idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5)), times how often the query repeats t.
# STATS reads N, avgdl and the terms' df; postgres.py computes the weights and runs KEYWORD on the
# same snapshot. The postings of the query's terms are summed per passage from the term index
# alone, and only the k best passages are read (measured: 27 ms at 10k passages where every
# passage holds a query word, against 208 ms scoring passage rows). The weights go in as values,
# not as a query over the terms table, so that the planner knows how few terms there are.
STATS = """
SELECT coalesce(max(passages), 0), coalesce(max(tokens::float8 / greatest(passages, 1)), 1),
       coalesce((SELECT jsonb_object_agg(term, df) FROM assistant_terms WHERE term = ANY(%(terms)s)), '{}')
FROM assistant_bm25
"""
KEYWORD = f"""
WITH s AS (
    SELECT x.id, sum(w.weight * x.tf / (x.tf + {BM25_K1} * (1 - {BM25_B} + {BM25_B} * x.length / %(avgdl)s)))
                 AS score
    FROM unnest(%(terms)s::text[], %(weights)s::float8[]) AS w(term, weight)
    JOIN assistant_postings x ON x.term = w.term
    {{within}}
    GROUP BY x.id ORDER BY score DESC, x.id LIMIT %(k)s)
SELECT p.id, p.source, p.page, p.start, p."end", p.text, s.score
FROM s JOIN assistant_passages p ON p.id = s.id
ORDER BY s.score DESC, p.id
"""
WITHIN = "WHERE x.id IN (SELECT id FROM assistant_passages WHERE source = ANY(%(sources)s))"

# Nearest first by inner product. Unfiltered, the HNSW graph answers (the distance alone in
# ORDER BY, or it is not used); within sources, an exact scan of their rows (the graph would
# filter after its candidate list and could return fewer than k).
DENSE = f"SELECT {COLUMNS}, -(vector <#> %(q)s) FROM assistant_passages ORDER BY vector <#> %(q)s LIMIT %(k)s"
DENSE_WITHIN = (
    "SET LOCAL enable_indexscan = off",  # bitmap scans of the source index stay allowed
    f"SELECT {COLUMNS}, -(vector <#> %(q)s) FROM assistant_passages WHERE source = ANY(%(sources)s) "
    "ORDER BY vector <#> %(q)s, id LIMIT %(k)s",
)

# A store written before BM25 (format 2: a full-text tsvector, no postings): a rebuild replaces it.
OLD_LAYOUT = "SELECT to_regclass('assistant_postings') IS NULL"
