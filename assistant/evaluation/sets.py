"""Question sets: the JSONL format of evals/README.md, read and checked into Items.

    >>> items = load_questions(Path("evals/seed_questions.jsonl"), Sources(Path(".")))
    >>> items[0].gold[0].spans      # (page, start, end) of each place the quote occurs
    ((None, 2146, 2258),)

Gold quotes are verbatim, so their offsets are found by exact substring search in the source
read as the index reads it (`ingest.document_pages`, whatever the format): a quote that is not
found is an error in the set.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import AssistantError

CATEGORIES = (
    "fact",
    "date_number",
    "multi_part",
    "multi_doc",
    "paraphrase",
    "conflict",
    "why_how",
    "unanswerable",
)
REQUIRED = ("id", "question", "category", "answerable", "expected", "gold")


class BadEvalSet(AssistantError):
    """A question set, benchmark folder or report that cannot be used as it is."""


@dataclass(frozen=True)
class Gold:
    source: str  # as the index names it: relative to the project root when inside it
    quote: str
    spans: tuple[tuple[int | None, int, int], ...]  # (page, start, end) of every occurrence


@dataclass(frozen=True)
class Item:
    id: str
    question: str
    category: str
    answerable: bool
    expected: tuple[tuple[str, ...], ...] = ()  # keyword groups: every group, any alternative
    gold: tuple[Gold, ...] = ()
    reference: str = ""  # a free-text reference answer (CLAP NQ), scored by token recall


class Sources:
    """Source texts by name, read once and exactly as the index read them."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._pages: dict[str, list] = {}

    def pages(self, source: str) -> list[tuple[int | None, str]]:
        """Each (page, text) of a source, as citations index it, for every format."""
        if source not in self._pages:
            from ..ingest import document_pages

            path = Path(source) if Path(source).is_absolute() else self.root / source
            self._pages[source] = list(document_pages(path))
        return self._pages[source]

    def text(self, source: str, page: int | None = None) -> str:
        return next((t for p, t in self.pages(source) if p == page), "")

    def gold(self, source: str, quote: str) -> Gold:
        """A gold quote with the offsets of each place it occurs; BadEvalSet if it is not found."""
        from ..ingest import source_name

        path = Path(source) if Path(source).is_absolute() else self.root / source
        name = source_name(path, self.root)
        try:
            pages = self.pages(name)
        except (OSError, ValueError, AssistantError) as e:
            raise BadEvalSet(
                f"cannot read gold source {source} ({type(e).__name__}); "
                f"sources are paths relative to {self.root}"
            ) from e
        spans = tuple(
            (page, m.start(), m.end()) for page, text in pages for m in re.finditer(re.escape(quote), text)
        )
        if not spans:
            raise BadEvalSet(
                f"gold quote not found verbatim in {source}: {quote[:60]!r}; copy it from the file itself"
            )
        return Gold(name, quote, spans)


# --- a sample that cannot flatter -------------------------------------------------------
def stratified(items: list[Item], limit: int, seed: int = 0) -> list[Item]:
    """`limit` items drawn across the categories in proportion to their sizes (largest remainder,
    every category at least one while `limit` allows), each category's draw seeded by `seed`;
    in the set's own order. The first N of a set are its easiest (facts and dates come first),
    so a "quick" run of the first N would flatter.

    >>> kinds = ["fact"] * 6 + ["date_number"] * 2 + ["unanswerable"]
    >>> items = [Item(str(i), "q", c, c != "unanswerable") for i, c in enumerate(kinds)]
    >>> sorted(i.category for i in stratified(items, 3))
    ['date_number', 'fact', 'unanswerable']
    >>> stratified(items, 3, seed=1) == stratified(items, 3, seed=1), len(stratified(items, 50))
    (True, 9)
    """
    if limit >= len(items):
        return list(items)
    groups: dict[str, list[Item]] = {}
    for item in items:
        groups.setdefault(item.category, []).append(item)
    share = _allocate({c: len(g) for c, g in groups.items()}, limit)
    picked = set()
    for c, group in groups.items():
        rng = random.Random(f"{seed}-{c}")  # a category's draw does not depend on the others
        picked |= {id(item) for item in rng.sample(group, share[c])}
    return [item for item in items if id(item) in picked]


def _allocate(sizes: dict[str, int], limit: int) -> dict[str, int]:
    """How many of `limit` each category gets: one each first (the largest categories when
    `limit` is short of that), the rest by largest remainder of the proportional share."""
    out = dict.fromkeys(sizes, 0)
    for c in sorted(sizes, key=lambda c: (-sizes[c], c))[:limit]:
        out[c] = 1
    left, room = limit - sum(out.values()), {c: sizes[c] - out[c] for c in sizes}
    total = sum(room.values())
    if left <= 0 or not total:
        return out
    exact = {c: left * room[c] / total for c in sizes}
    for c in sizes:
        out[c] += int(exact[c])
    order = sorted(sizes, key=lambda c: (-(exact[c] - int(exact[c])), c))
    for c in order[: limit - sum(out.values())]:
        out[c] += 1
    return out


def describe_sample(chosen: list[Item], total: int, seed: int) -> str:
    """'a stratified sample of 12 of 106 questions (seed 0): fact 3, date_number 2, ...'."""
    counts: dict[str, int] = {}
    for item in chosen:
        counts[item.category] = counts.get(item.category, 0) + 1
    spread = ", ".join(f"{c} {n}" for c, n in counts.items())
    return f"a stratified sample of {len(chosen)} of {total} questions (seed {seed}): {spread}"


# --- loading a question set -------------------------------------------------------------
def load_questions(path: Path, sources: Sources) -> list[Item]:
    """Read and check a JSONL question set (format: evals/README.md)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise BadEvalSet(
            f"cannot read question set {path} ({type(e).__name__}); check the --questions path"
        ) from e
    items, seen = [], set()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = parse_item(line, sources)
        except BadEvalSet as e:
            raise BadEvalSet(f"{path} line {n}: {e}") from e
        if item.id in seen:
            raise BadEvalSet(f"{path} line {n}: duplicate id {item.id!r}; ids must be unique")
        seen.add(item.id)
        items.append(item)
    if not items:
        raise BadEvalSet(f"{path} has no questions; see evals/README.md for the format")
    return items


def parse_item(line: str, sources: Sources) -> Item:
    try:
        obj = json.loads(line)
    except ValueError as e:
        raise BadEvalSet(f"not valid JSON ({getattr(e, 'msg', e)}); write one object per line") from e
    if not isinstance(obj, dict) or any(f not in obj for f in REQUIRED):
        raise BadEvalSet(f"need a JSON object with fields {', '.join(REQUIRED)}")
    category, answerable, question = obj["category"], obj["answerable"], obj["question"]
    if category not in CATEGORIES:
        raise BadEvalSet(f"unknown category {category!r}; use one of {', '.join(CATEGORIES)}")
    if answerable is not (category != "unanswerable"):
        raise BadEvalSet("answerable must be false exactly when the category is unanswerable")
    if not isinstance(question, str) or not question.strip():
        raise BadEvalSet("the question is empty")
    expected = _keyword_groups(obj["expected"])
    gold = obj["gold"]
    if not isinstance(gold, list) or not all(
        isinstance(g, dict)
        and isinstance(g.get("source"), str)
        and isinstance(g.get("quote"), str)
        and g["quote"].strip()
        for g in gold
    ):
        raise BadEvalSet('gold must be a list of {"source": path, "quote": verbatim text}')
    if answerable and not (expected and gold):
        raise BadEvalSet("an answerable item needs expected keyword groups and gold quotes")
    if not answerable and (expected or gold):
        raise BadEvalSet("an unanswerable item has empty expected and gold")
    return Item(
        str(obj["id"]),
        " ".join(question.split()),
        category,
        answerable,
        expected,
        tuple(sources.gold(g["source"], g["quote"]) for g in gold),
    )


def _keyword_groups(groups) -> tuple[tuple[str, ...], ...]:
    ok = isinstance(groups, list) and all(
        isinstance(g, list) and g and all(isinstance(k, str) and k.strip() for k in g) for g in groups
    )
    if not ok:
        raise BadEvalSet('expected must be a list of non-empty keyword lists, e.g. [["2014"]]')
    return tuple(tuple(g) for g in groups)
