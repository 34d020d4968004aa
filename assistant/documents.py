"""The indexed documents as the front ends manage them: add, remove, and what changed on disk.

Every change to the index is one of these explicit calls (the `index` and `docs remove` commands,
the web chat's uploads and removals); asking a question never writes, and a document whose file
is missing or changed since indexing is still answered from what the index holds
(`warn_if_stale` says so). Each change runs the index code (index.py) and then makes `Resources`
read the index afresh.

    add(r, ["reports/"])          index new and changed files under reports/
    remove(r, ["reports/q3.pdf"]) drop a document (the file stays on disk)
"""

from __future__ import annotations

from . import index
from .resources import Resources


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
