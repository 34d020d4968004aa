"""The indexed documents as the front ends manage them: add, remove, and what changed on disk.

Every change to the index is one of these explicit calls (the `index` and `docs remove` commands,
the web chat's uploads and removals); asking a question never writes, and a document whose file
is missing or changed since indexing is still answered from what the index holds
(`warn_if_stale` says so). Each change runs the index code (index.py) and then makes `Resources`
read the index afresh.

    add(r, ["reports/"])          index new and changed files under reports/
    remove(r, ["reports/q3.pdf"]) drop a document (the file stays on disk)
    resolve(["q3.pdf"], r.documents(), root)   the index's name for what a person typed

`resolve` is how every front end turns a typed document name into the index's: the terminal's
`ask --doc` and `docs remove`, the HTTP API's document routes and its `sources`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from . import index
from .errors import AssistantError, printable
from .resources import Resources


class UnknownDocument(AssistantError):
    """A typed document name that names no indexed document, or more than one."""


def add(r: Resources, paths=None, rebuild: bool = False) -> index.UpdateReport:
    """Index new or changed files under `paths` (None: the seeds folder); re-check the rest."""
    report = index.update(r.settings, paths, embedder=r.embedder, rebuild=rebuild, log=r.log)
    r.reset()
    return report


def remove(r: Resources, sources) -> index.UpdateReport:
    """Take documents out of the index by their source names; their files are left alone."""
    report = index.remove(r.settings, sources)
    r.reset()
    return report


def warn_if_stale(r: Resources) -> index.Staleness:
    """Say, in one line on the log, how many indexed documents are missing or changed on disk
    (answers still come from what the index holds); write nothing."""
    stale = r.staleness
    if stale:
        r.log(stale.note())
    return stale


def resolve(
    typed: Iterable[str], known: Mapping[str, dict], root: Path, listing: str = "assistant docs"
) -> list[str]:
    """The index's source name for each document as a person types it, in order.

    A name is found as the index names it ("seeds/a.txt"), as a path to the file (relative to
    the current folder, absolute, or with ~), as its bare file name ("a.txt", or "a"), or as its
    title: what `assistant docs` and the web chat show. Case, runs of spaces and curly quotes do
    not matter for the last two. A name that fits several documents, or none, is one
    UnknownDocument line that lists the candidates, or names `listing` to see the names.

    >>> known = {"seeds/mali.txt": {"title": "Mali’s Junta"}, "r/2023/q3.pdf": {}, "r/2024/q3.pdf": {}}
    >>> resolve(["mali.txt", "mali's junta", "seeds/mali.txt"], known, Path("/nowhere"))
    ['seeds/mali.txt', 'seeds/mali.txt', 'seeds/mali.txt']
    >>> resolve(["q3.pdf"], known, Path("/nowhere"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    assistant.documents.UnknownDocument: q3.pdf names 2 documents: r/2023/q3.pdf, r/2024/q3.pdf; ...
    """
    found, problems = [], []
    for name in typed:
        matches = candidates(name, known, root)
        if len(matches) == 1:
            found.append(matches[0])
        elif matches:
            shown = ", ".join(map(printable, matches))
            problems.append(f"{printable(name)} names {len(matches)} documents: {shown}; type one of these")
        else:
            problems.append(f"not in the index: {printable(name)}")
    if problems:
        unknown = any(p.startswith("not in the index") for p in problems)
        tail = f"; see the indexed names with: {listing}" if unknown else ""
        raise UnknownDocument("; ".join(problems) + tail)
    return found


def candidates(name: str, known: Mapping[str, dict], root: Path) -> list[str]:
    """The indexed sources `name` may mean, by the first rule that finds any (see `resolve`)."""
    from .ingest import source_name

    if name in known:
        return [name]
    try:
        as_path = source_name(Path(name).expanduser(), root)
    except (OSError, RuntimeError):  # an unreadable cwd, a loop of links
        as_path = ""
    if as_path in known:
        return [as_path]
    typed = _folded(name)
    for key in (_file_name, _stem, _title):
        matches = sorted(s for s, meta in known.items() if typed and _folded(key(s, meta)) == typed)
        if matches:
            return matches
    return []


def _file_name(source: str, meta: dict) -> str:
    return PurePosixPath(source.replace("\\", "/")).name


def _stem(source: str, meta: dict) -> str:
    return PurePosixPath(source.replace("\\", "/")).stem


def _title(source: str, meta: dict) -> str:
    return str((meta or {}).get("title") or "")


_QUOTES = str.maketrans("‘’‚‛“”„‟", "''''\"\"\"\"")


def _folded(text: str) -> str:
    """A name as compared: NFC, case folded, spaces collapsed, curly quotes made straight, a
    title's trailing "…" dropped (a cut title is typed without it)."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTES).rstrip("…").casefold()
    return " ".join(text.split())
