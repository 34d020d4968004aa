"""CLAP NQ (Rosenthal et al. 2024, arXiv 2404.02103) as an eval set over its own corpus.

Example usage::

    folder = dataset_folder("clapnq", root)        # ../shared/benchmarks/clapnq
    items = load_clapnq(folder, root / ".cache/clapnq", Sources(root), block=(1, 100))

Questions 1-100 of each file fit, 101-250 choose between alternatives, and 251-300 are the test
block, run only to report (`assistant eval --dataset clapnq --block 251-300`).

Every distinct passage of both files becomes one document, <cache>/docs/<hash>.txt: the
Wikipedia title, a blank line, then the passage text exactly as given (NQ tokenization and all),
so gold sentences match by substring. The eval indexes that folder into <cache>/index, apart
from the seed index. Questions alternate answerable / unanswerable, each file shuffled by `seed`.
An answerable item's gold quotes are its selected sentences (the whole passage when none were
selected); its reference answer is scored by token recall, as there are no keyword groups.
"""

from __future__ import annotations

import hashlib
import json
import random
from itertools import zip_longest
from pathlib import Path

from .sets import BadEvalSet, Item, Sources

FILES = {"answerable": "clapnq_dev_answerable.jsonl", "unanswerable": "clapnq_dev_unanswerable.jsonl"}


def dataset_folder(name_or_path, root: Path) -> Path:
    """`clapnq` means shared/benchmarks/clapnq next to the project; anything else is a folder."""
    if str(name_or_path) == "clapnq":
        folder = Path(root).resolve().parent / "shared" / "benchmarks" / "clapnq"
    else:
        folder = Path(name_or_path).expanduser()
    missing = [f for f in FILES.values() if not (folder / f).is_file()]
    if missing:
        raise BadEvalSet(
            f"no CLAP NQ files in {folder} (missing {', '.join(missing)}); "
            "pass --dataset clapnq or the folder that holds them"
        )
    return folder


def read_records(path: Path) -> list[dict]:
    records = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                rec["id"], rec["input"], rec["passages"][0]["text"], rec["output"][0]
            except (ValueError, KeyError, IndexError, TypeError) as e:
                raise BadEvalSet(
                    f"{path} line {n}: not a CLAP NQ record ({type(e).__name__}); "
                    "see the benchmark's README.md"
                ) from e
            records.append(rec)
    return records


def document_text(passage: dict) -> str:
    title = (passage.get("title") or "").strip()
    return f"{title}\n\n{passage['text']}" if title else passage["text"]


def write_docs(docs: Path, records: list[dict]) -> dict[str, Path]:
    """One file per distinct passage; unchanged files are left alone (their index entries stay
    valid) and files of passages no longer in the set are removed. Returns text -> path."""
    docs.mkdir(parents=True, exist_ok=True)
    paths = {}
    for rec in records:
        text = document_text(rec["passages"][0])
        if text not in paths:
            paths[text] = docs / f"{hashlib.sha256(text.encode()).hexdigest()[:16]}.txt"
    for text, path in paths.items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(text)
    keep = set(paths.values())
    for stale in docs.glob("*.txt"):
        if stale not in keep:
            stale.unlink()
    return paths


def interleave(
    records: dict[str, list], limit: int | None, seed: int, block: tuple[int, int] | None = None
) -> list[tuple[str, dict]]:
    """(kind, record) pairs: answerable, unanswerable, answerable, ..., each file shuffled; or,
    with `block` (first, last), records first..last (1-based, file order) of each file."""
    if block:
        shuffled = [[(kind, r) for r in records[kind][block[0] - 1 : block[1]]] for kind in FILES]
    else:
        rng = random.Random(seed)
        shuffled = [[(kind, r) for r in rng.sample(records[kind], len(records[kind]))] for kind in FILES]
    mixed = [pair for both in zip_longest(*shuffled) for pair in both if pair]
    return mixed[:limit] if limit else mixed


def load_clapnq(
    folder: Path,
    cache: Path,
    sources: Sources,
    limit: int | None = None,
    seed: int = 0,
    block: tuple[int, int] | None = None,
) -> list[Item]:
    records = {kind: read_records(Path(folder) / name) for kind, name in FILES.items()}
    paths = write_docs(Path(cache) / "docs", [r for rs in records.values() for r in rs])
    items = []
    for kind, rec in interleave(records, limit, seed, block):
        passage, output = rec["passages"][0], rec["output"][0]
        source = str(paths[document_text(passage)])
        answerable = kind == "answerable"
        quotes = (output.get("selected_sentences") or [passage["text"].strip()]) if answerable else []
        items.append(
            Item(
                f"clapnq-{rec['id']}",
                rec["input"],
                kind,
                answerable,
                (),
                tuple(sources.gold(source, q) for q in quotes),
                reference=(output.get("answer") or "") if answerable else "",
            )
        )
    return items
