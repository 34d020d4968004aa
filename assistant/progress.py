"""What an `index.update` run reports: the report at the end, and its progress while it runs."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from .stores import Log
from .words import plural


@dataclass(frozen=True)
class IndexProgress:
    """How far an `update` has got, after each batch of files (for a progress bar)."""

    files_done: int
    files_total: int
    passages_done: int
    passages_per_s: float
    seconds_left: float | None  # None until something is done


@dataclass
class UpdateReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    rebuilt: list[str] = field(default_factory=list)  # held by the index, re-read by a rebuild
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # unsupported types
    failed: list[str] = field(default_factory=list)  # one-line reasons, each naming its file
    passages: int = 0
    reasons: dict[str, str] = field(default_factory=dict)  # skipped or failed file -> why

    @property
    def touched(self) -> bool:
        return bool(self.added or self.changed or self.rebuilt or self.removed)

    def summary(self) -> str:
        parts = [
            f"{len(self.added)} added",
            f"{len(self.changed)} changed",
            f"{len(self.removed)} removed",
            f"{len(self.unchanged)} unchanged",
        ]
        if self.rebuilt:
            parts.insert(0, f"{len(self.rebuilt)} rebuilt")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped (unsupported type)")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        return f"Indexed: {', '.join(parts)}; {plural(self.passages, 'passage')} in the index."


class Tracker:
    """Turns batches done into `IndexProgress`: the rate in passages/s, the time left from the
    bytes still to read (file sizes are known before reading)."""

    def __init__(self, files: int, size: int, log: Log, progress: Callable[[IndexProgress], None] | None):
        self.total_files, self.total_bytes = files, size or 1
        self.files = self.passages = self.bytes = 0
        self.log, self.progress, self.start, self.next_log = log, progress, time.monotonic(), 0.1
        if progress is None:
            log(f"Embedding {files} file(s)...")

    def done(self, files: int, passages: int, size: int) -> None:
        self.files += files
        self.passages += passages
        self.bytes += size
        elapsed = max(time.monotonic() - self.start, 1e-6)
        share = min(1.0, self.bytes / self.total_bytes)
        left = elapsed * (1 - share) / share if share > 0 else None
        state = IndexProgress(self.files, self.total_files, self.passages, self.passages / elapsed, left)
        if self.progress is not None:
            self.progress(state)
        elif self.total_files >= 20 and (self.files / self.total_files >= self.next_log or left == 0):
            self.next_log = self.files / self.total_files + 0.1
            self.log(_progress_line(state))


def _progress_line(p: IndexProgress) -> str:
    """'Embedded 120/1000 files (3400 passages, 25.1 passages/s, about 5 min left)'"""
    left = "" if p.seconds_left is None else f", about {_duration(p.seconds_left)} left"
    return (
        f"Embedded {p.files_done}/{p.files_total} files "
        f"({p.passages_done} passages, {p.passages_per_s:.1f} passages/s{left})"
    )


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"
