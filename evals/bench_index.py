"""How fast the project indexes a real collection, against sentence-transformers alone.

    .venv/bin/python evals/bench_index.py                 # (a)-(c) on the 600 CLAP NQ passages
    .venv/bin/python evals/bench_index.py --files 10000   # and (d), a 10,000-file collection
    .venv/bin/python evals/bench_index.py --sweep         # ONNX batch size x threads, then exit
    .venv/bin/python evals/bench_index.py --evidence      # pooled vs separate sentence vectors

In one process and one run (so that a busy machine slows both alike):
(a) sentence-transformers' raw `encode` rate of the collection's passages (batch 32, what the
    project used before), (b) the project's full indexing rate of the same files (`index.update`
    into a temporary folder: reading, passages, sentence vectors, writing), and their ratio,
(c) adding one small file to that index, split into embedding and the rest,
(d) with --files N, N files made from CLAP NQ passages, indexed in a fresh process (its own
    peak RSS, from getrusage), then one question retrieved with exact spans.

The collection is CLAP NQ's dev passages (../shared/benchmarks/clapnq), one .txt file each,
written under a temporary folder. Results go to evals/results/<UTC time>-bench-index/.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import index as index_mod  # noqa: E402
from assistant import ingest  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.embed import Embedder, embedder_dir  # noqa: E402


def clapnq_records() -> list[dict]:
    from assistant.evaluation.clapnq import FILES, dataset_folder, read_records

    folder = dataset_folder("clapnq", ROOT)
    return [r for name in FILES.values() for r in read_records(folder / name)]


def write_collection(folder: Path, files: int | None = None) -> list[Path]:
    """The CLAP NQ passages as .txt files (all distinct ones, or `files` files cycling through
    them with a numbered first line, so that each file is distinct)."""
    from assistant.evaluation.clapnq import document_text, write_docs

    records = clapnq_records()
    if files is None:
        return sorted(write_docs(folder, records).values())
    texts = list(dict.fromkeys(document_text(r["passages"][0]) for r in records))
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(files):
        path = folder / f"{i // 1000:02d}" / f"doc{i:05d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"Document {i}.\n\n{texts[i % len(texts)]}", encoding="utf-8")
        paths.append(path)
    return paths


def passages_of(paths: list[Path], settings: Settings) -> list:
    out = []
    for path in paths:
        doc = ingest.read_document(path, settings.root)
        out += ingest.passages(doc, settings.chunk_chars, settings.chunk_overlap)
    return out


class Timed:
    """The embedder, with the seconds spent in it counted (for the split of an update)."""

    def __init__(self, inner):
        self.inner, self.seconds, self.dimension = inner, 0.0, inner.dimension
        if hasattr(inner, "embed_passages"):
            self.embed_passages = self._timed(inner.embed_passages)

    def _timed(self, fn):
        def call(*args, **kwargs):
            t = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - t

        return call

    def embed(self, texts, progress=False):
        return self._timed(self.inner.embed)(texts, progress)

    def embed_query(self, text):
        return self._timed(self.inner.embed_query)(text)


def sentence_transformer():
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    model = SentenceTransformer(str(embedder_dir()), device="cpu")
    model.encode(["warm up"] * 32, batch_size=32, show_progress_bar=False)
    return model


def raw_encode_rate(model, texts: list[str]) -> float:
    """Passages/s of sentence-transformers' own `encode` (batch 32, as the project used)."""
    t = time.perf_counter()
    model.encode(texts, batch_size=32, normalize_embeddings=True, show_progress_bar=False)
    return len(texts) / (time.perf_counter() - t)


def main_bench(args) -> dict:
    out: dict = {"started_utc": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        docs = Path(tmp) / "docs"
        paths = write_collection(docs)
        settings = Settings().with_(index_dir=Path(tmp) / "index", seeds_dir=docs)
        texts = [p.text for p in passages_of(paths, settings)]
        out.update(files=len(paths), passages=len(texts))
        print(f"{len(paths)} files, {len(texts)} passages", flush=True)

        st_model = sentence_transformer()
        raw_before = raw_encode_rate(st_model, texts)
        print(f"(a) sentence-transformers encode: {raw_before:.1f} passages/s", flush=True)

        embedder = Timed(Embedder(threads=args.threads, log=print))
        embedder.embed_query("warm up")  # load (and, the first time, export) outside the timing
        out["embedder_backend"] = embedder.inner.backend
        t = time.perf_counter()
        report = index_mod.update(settings, [docs], embedder=embedder, log=lambda m: None)
        wall = time.perf_counter() - t
        rate = report.passages / wall
        # (a) again after (b): the load of a shared machine drifts, so (a) brackets (b)
        raw_after = raw_encode_rate(st_model, texts)
        raw = (raw_before + raw_after) / 2
        print(f"(a) again, after (b): {raw_after:.1f} passages/s; mean {raw:.1f}", flush=True)
        out["raw_st_encode_passages_per_s"] = [round(raw_before, 1), round(raw_after, 1)]
        out.update(
            index_wall_s=round(wall, 2),
            index_passages=report.passages,
            index_passages_per_s=round(rate, 1),
            index_embedding_s=round(embedder.seconds, 2),
            ratio_index_to_raw=round(rate / raw, 2),
        )
        print(
            f"(b) full indexing ({embedder.inner.backend}): {report.passages} passages in {wall:.1f} s, "
            f"{rate:.1f} passages/s; ratio to (a): {rate / raw:.2f} (target >= 1.5)",
            flush=True,
        )

        extra = docs / "zz-added.txt"
        extra.write_text(
            "Operation Barkhane\n\nOperation Barkhane replaced Operation Serval on 1 August 2014. "
            "It was led by France with troops based in Chad. It ended in November 2022.",
            encoding="utf-8",
        )
        embedder.seconds = 0.0
        t = time.perf_counter()
        report = index_mod.update(settings, [docs], embedder=embedder, log=lambda m: None)
        wall = time.perf_counter() - t
        out.update(
            add_one_file_wall_s=round(wall, 2),
            add_one_file_embedding_s=round(embedder.seconds, 2),
            add_one_file_rest_s=round(wall - embedder.seconds, 2),
            add_one_file_added=report.added,
        )
        print(
            f"(c) adding one file to {report.passages - 1}+ passages: {wall:.2f} s wall "
            f"(embedding {embedder.seconds:.2f} s, the rest {wall - embedder.seconds:.2f} s)",
            flush=True,
        )
    if args.files:
        out["large"] = large_in_subprocess(args.files, args.threads)
    return out


def large_in_subprocess(files: int, threads: int | None) -> dict:
    """(d) in a fresh process, so that its peak RSS is its own (no sentence-transformers)."""
    cmd = [sys.executable, __file__, "--large-only", str(files)]
    if threads:
        cmd += ["--threads", str(threads)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"the {files}-file run failed: {done.stderr.strip()[-500:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"(d) {files} files, {result['passages']} passages: {result['wall_s']:.0f} s wall, "
        f"{result['passages_per_s']:.1f} passages/s, peak RSS {result['peak_rss_mb']:.0f} MB; "
        f"question answered with exact spans: {result['exact_spans']}",
        flush=True,
    )
    return result


def large_only(files: int, threads: int | None) -> None:
    from assistant.retrieve import Retriever

    with tempfile.TemporaryDirectory(prefix="bench-index-large-") as tmp:
        docs = Path(tmp) / "docs"
        write_collection(docs, files)
        settings = Settings().with_(index_dir=Path(tmp) / "index", seeds_dir=docs)
        embedder = Embedder(threads=threads, log=lambda m: print(m, file=sys.stderr))
        t = time.perf_counter()
        report = index_mod.update(settings, [docs], embedder=embedder, log=lambda m: None)
        wall = time.perf_counter() - t
        store = index_mod.load(settings)
        retriever = Retriever(store, embedder, settings)
        question = "When did Operation Serval become Operation Barkhane?"
        hits = retriever.search(question, k=5, qvec=embedder.embed_query(question))
        exact = all(
            Path(h.passage.source).read_text(encoding="utf-8")[h.passage.start : h.passage.end]
            == h.passage.text
            for h in hits
        )
        peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(
            json.dumps(
                {
                    "files": files,
                    "passages": report.passages,
                    "wall_s": round(wall, 1),
                    "passages_per_s": round(report.passages / wall, 1),
                    "peak_rss_mb": round(peak_kb / 1024),
                    "exact_spans": exact and bool(hits),
                }
            )
        )


def sweep(configs: list[tuple[int, int, bool]], n: int) -> dict:
    """ONNX passages/s for each (threads, batch size, spinning), on `n` passages, interleaved."""
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        paths = write_collection(Path(tmp) / "docs")
        texts = [p.text for p in passages_of(paths, Settings())][:n]
    embedders = {}
    for threads, batch, spin in configs:
        e = Embedder(batch_size=batch, threads=threads, log=print)
        e.spinning = spin
        e.embed(texts[:16])
        embedders[f"threads={threads} batch={batch} spinning={spin}"] = e
    rates: dict = {}
    for _ in range(2):  # two rounds, interleaved: the machine's load changes under us
        for key, e in embedders.items():
            start = time.perf_counter()
            e.embed(texts)
            rates.setdefault(key, []).append(len(texts) / (time.perf_counter() - start))
    for key, values in rates.items():
        print(f"{key}: " + ", ".join(f"{v:.1f}" for v in values) + " passages/s", flush=True)
    return {k: [round(v, 1) for v in vs] for k, vs in rates.items()}


def evidence(limit_clapnq: int) -> dict:
    """Gold quotes reached by the evidence, with the index's sentence vectors (each sentence
    embedded alone) and with sentence vectors pooled from the passage's forward pass."""
    from assistant.answer import Assistant
    from assistant.evaluation.run import question_set
    from assistant.evaluation.score import touched_gold
    from assistant.evaluation.sets import Sources

    out = {}
    for name, dataset in (("seed", None), ("clapnq", "clapnq")):
        settings = Settings()
        sources = Sources(settings.root)
        settings, items, _, docs = question_set(
            settings, sources, dataset=dataset, limit=limit_clapnq if dataset else None
        )
        a = Assistant(settings, embedder=Embedder(log=print), log=lambda m: None)
        if docs is not None:
            index_mod.update(settings, [docs], embedder=a.embedder, log=lambda m: None)
        store = a.retriever.index
        passages = [p for source in store.sources() for p in store.passages_of(source)]
        _, pooled = Embedder(pool_sentences=True, log=print).embed_passages(passages)
        by_key = {p.key: v for p, v in zip(passages, pooled)}
        modes = {"separate": store.sentence_vectors_of, "pooled": lambda p, d=by_key: d.get(p.key)}
        answerable = [it for it in items if it.answerable and it.gold]
        result = {}
        for mode, lookup in modes.items():
            store.sentence_vectors_of = lookup  # the retriever reads sentence vectors here
            reached = total = any_gold = 0
            for it in answerable:
                hits, qvec = a.retrieve(it.question)
                got: set[int] = set()
                for e in a.retriever.evidence(it.question, hits, qvec):
                    got |= touched_gold(
                        e.passage.source, e.passage.page, e.passage.start, e.passage.end, it.gold
                    )
                reached += len(got)
                total += len(it.gold)
                any_gold += bool(got)
            result[mode] = {
                "questions": len(answerable),
                "gold_in_evidence": round(reached / total, 4),
                "questions_with_gold_in_evidence": round(any_gold / len(answerable), 4),
            }
            print(f"{name} {mode}: {result[mode]}", flush=True)
        out[name] = result
    return out


def save(result: dict, kind: str) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    folder = ROOT / "evals" / "results" / f"{stamp}-{kind}"
    folder.mkdir(parents=True)
    (folder / "results.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"Saved: {folder.relative_to(ROOT)}/results.json")
    return folder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=0, help="also index a collection of N files (d)")
    ap.add_argument("--threads", type=int, default=None, help="ONNX Runtime threads (default: all cores)")
    ap.add_argument("--sweep", action="store_true", help="batch size x threads for ONNX, then exit")
    ap.add_argument("--sweep-passages", type=int, default=200, help="passages per --sweep point")
    ap.add_argument("--evidence", action="store_true", help="pooled vs separate sentence vectors")
    ap.add_argument("--clapnq-limit", type=int, default=200, help="CLAP NQ questions for --evidence")
    ap.add_argument("--large-only", type=int, default=0, help=argparse.SUPPRESS)
    args = ap.parse_args()
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    if args.large_only:
        large_only(args.large_only, args.threads)
        return
    if args.sweep:
        configs = [(1, 16, False), (2, 8, False), (2, 16, False), (2, 32, False), (2, 16, True)]
        save({"load_average": load, "sweep": sweep(configs, args.sweep_passages)}, "bench-embed-sweep")
        return
    if args.evidence:
        save({"load_average": load, "evidence": evidence(args.clapnq_limit)}, "bench-evidence")
        return
    result = main_bench(args)
    result["load_average_at_start"] = load
    save(result, "bench-index")


if __name__ == "__main__":
    main()
