"""Summaries of the seeds, measured: how many key points survive their checks, whether every
citation is exact, and the time per document; then the suggested questions of the collection.

    python evals/summary_bench.py                      # the default model, the five seeds
    python evals/summary_bench.py --model smollm2 --out results.json
    python evals/summary_bench.py --no-suggestions

One warm process (the model loaded and its fixed prompt cached once, as a web chat or a server
is), each seed summarised alone; then the collection's suggested questions, made and cached in
the index folder as the web chat makes them (a second run reads them from there). A citation is
exact when the index's text and the file's text both hold its quote at its offsets
(`document_text(source, page)[start:end] == quote`). Prints one line a document and the totals;
--out keeps every point, dropped point and suggestion.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant import ingest  # noqa: E402
from assistant.answer import Assistant  # noqa: E402
from assistant.config import from_env  # noqa: E402
from assistant.suggest import Suggestions  # noqa: E402
from assistant.summarize import summarize  # noqa: E402


def exact(assistant, c) -> bool:
    held = assistant.resources.store.document_text(c.source, c.page) or ""
    now = ingest.document_text(assistant.settings.root / c.source, c.page)
    return held[c.start : c.end] == c.quote == now[c.start : c.end]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="qwen (default), smollm2 or a GGUF path")
    parser.add_argument("--out", type=Path, help="write every point and suggestion as JSON here")
    parser.add_argument("--no-suggestions", action="store_true", help="summaries only")
    args = parser.parse_args()
    assistant = Assistant(from_env(), model=args.model, log=lambda m: print(m, file=sys.stderr))
    assistant.resources.warm_up()
    seeds = sorted(s for s in assistant.documents() if s.startswith("seeds/"))
    rows, kept, tried, cited, good = [], 0, 0, 0, 0
    print(f"{'document':34} {'kept':>6} {'exact':>6} {'first':>7} {'total':>7}")
    for source in seeds:
        s = summarize(assistant.resources, [source])
        ok = sum(exact(assistant, c) for p in s.points for c in p.citations)
        n = sum(len(p.citations) for p in s.points)
        kept, tried = kept + len(s.points), tried + len(s.points) + len(s.dropped)
        cited, good = cited + n, good + ok
        print(f"{source:34} {len(s.points):>2} of {len(s.points) + len(s.dropped):<2} {ok:>2}/{n:<3} "
              f"{s.first_point_s:>6}s {s.total_s:>6}s")  # fmt: skip
        rows.append(s.to_json())
    print(f"points kept {kept} of {tried}; exact citations {good}/{cited} = {good / max(1, cited):.2f}")
    found, seconds = [], 0.0
    if not args.no_suggestions:
        cache, t0 = Suggestions(assistant), time.perf_counter()
        cached = cache.ready() is not None
        found = cache.get()  # kept in the index folder, as the web chat keeps them
        seconds = round(time.perf_counter() - t0, 1)
        print(f"suggested questions: {len(found)} in {seconds} s" + (" (cached)" if cached else ""))
        for q in found:
            print(f"  {q.question}  ->  {q.answer}")
    if args.out:
        data = {"summaries": rows, "suggestions": [asdict(q) for q in found], "suggest_s": seconds}
        args.out.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
