"""The indexed documents as the front ends manage them: add, remove, refresh, list.

Every change to the index is one of these explicit calls (the `index` and `docs remove` commands,
the web chat's uploads and removals); answering a question never writes. Each call runs the
index code (index.py) and then makes `Resources` read the index afresh.

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


def refresh(r: Resources) -> index.UpdateReport | None:
    """Re-index the indexed files that changed or vanished since indexing (a stat check when
    none did), so citations match the files as they are now. None: nothing to do."""
    if index.read_manifest(r.settings) is None:
        return None
    stale = index.stale_sources(r.store, r.settings)
    if not stale:
        return None
    r.log(f"{len(stale)} indexed file(s) changed or vanished; updating the index ...")
    report = index.update(r.settings, [], embedder=r.embedder, log=r.log)
    for line in report.failed:
        r.log(f"skipped: {line}")
    r.log(report.summary())
    r.reset()
    return report
