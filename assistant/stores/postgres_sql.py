"""The PostgreSQL store's tables and its two searches, as SQL (used by stores/postgres.py).

    assistant_manifest   one row: format, settings fingerprint, vector dimension
    assistant_sources    source -> meta (sha256, size, mtime_ns, title, indexed_at, passages)
    assistant_passages   id, source, page, start, end, text, vector (HNSW, inner product),
                         sentences (the sentence vectors, float32 bytes), and for BM25: terms
                         (the passage's distinct `text.terms`, GIN), tfs (their counts), length
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

PASSAGES = """
CREATE TABLE assistant_passages (
    id bigserial PRIMARY KEY,
    source text NOT NULL, page int, start int NOT NULL, "end" int NOT NULL, text text NOT NULL,
    vector vector({dim}) NOT NULL, sentences bytea,
    terms text[] NOT NULL, tfs int[] NOT NULL, length int NOT NULL);
{hnsw};
CREATE INDEX assistant_passages_terms ON assistant_passages USING gin (terms);
CREATE INDEX assistant_passages_key ON assistant_passages (source, start, "end");
"""

COLUMNS = 'id, source, page, start, "end", text'
COPY_PASSAGES = (
    'COPY assistant_passages (source, page, start, "end", text, vector, sentences, terms, tfs, length) '
    "FROM STDIN BINARY"
)
COPY_PAGES = "COPY assistant_pages (source, page, text) FROM STDIN BINARY"
PASSAGE_TYPES = ["text", "int4", "int4", "int4", "text", "vector", "bytea", "text[]", "int4[]", "int4"]

# The rows of the sources in %(gone)s taken out of the document frequencies and the totals, then
# deleted (each passage's `terms` are distinct, so count(*) is its share of a term's df).
FORGET = (
    """UPDATE assistant_terms t SET df = t.df - d.n
    FROM (SELECT term, count(*) AS n FROM assistant_passages, unnest(terms) AS term
          WHERE source = ANY(%(gone)s) GROUP BY term) d
    WHERE t.term = d.term""",
    """INSERT INTO assistant_bm25
    SELECT 1, -count(*), -coalesce(sum(length), 0) FROM assistant_passages WHERE source = ANY(%(gone)s)
    ON CONFLICT (id) DO UPDATE SET passages = assistant_bm25.passages + excluded.passages,
                                   tokens = assistant_bm25.tokens + excluded.tokens""",
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

# BM25 as bm25s's "lucene" method computes it, per query term t (counted as often as the query
# repeats it) in a passage of `length` tokens holding t `tf` times:
#     idf(t) * tf / (tf + k1 * (1 - b + b * length / avgdl)),  idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5))
# One statement, so the passages, the document frequencies and the totals are read on one
# snapshot. Only passages holding a query term are scored (the GIN index on `terms` finds them).
KEYWORD = f"""
WITH q AS (SELECT * FROM unnest(%(terms)s::text[], %(counts)s::int[]) AS q(term, n)),
t AS (SELECT passages::float8 AS docs, tokens::float8 / greatest(passages, 1) AS avgdl
      FROM assistant_bm25),
w AS (SELECT q.term, q.n * ln(1 + (t.docs - d.df + 0.5) / (d.df + 0.5)) AS idf
      FROM q JOIN assistant_terms d ON d.term = q.term CROSS JOIN t)
SELECT p.id, p.source, p.page, p.start, p."end", p.text,
       sum(w.idf * x.tf / (x.tf + {BM25_K1} * (1 - {BM25_B} + {BM25_B} * p.length / t.avgdl))) AS score
FROM assistant_passages p
CROSS JOIN LATERAL unnest(p.terms, p.tfs) AS x(term, tf)
JOIN w ON w.term = x.term
CROSS JOIN t
WHERE p.terms && %(terms)s::text[] {{within}}
GROUP BY p.id
ORDER BY score DESC, p.id
LIMIT %(k)s
"""
WITHIN = "AND p.source = ANY(%(sources)s)"

# Nearest first by inner product. Unfiltered, the HNSW graph answers (the distance alone in
# ORDER BY, or it is not used); within sources, an exact scan of their rows (the graph would
# filter after its candidate list and could return fewer than k).
DENSE = f"SELECT {COLUMNS}, -(vector <#> %(q)s) FROM assistant_passages ORDER BY vector <#> %(q)s LIMIT %(k)s"
DENSE_WITHIN = (
    "SET LOCAL enable_indexscan = off",  # bitmap scans of the source index stay allowed
    f"SELECT {COLUMNS}, -(vector <#> %(q)s) FROM assistant_passages WHERE source = ANY(%(sources)s) "
    "ORDER BY vector <#> %(q)s, id LIMIT %(k)s",
)

# A passages table of format 2 (full-text tsvector, no BM25 columns): a rebuild replaces it.
OLD_LAYOUT = """
SELECT NOT EXISTS (SELECT 1 FROM information_schema.columns
                   WHERE table_name = 'assistant_passages' AND column_name = 'terms'
                   AND table_schema = current_schema())
"""
