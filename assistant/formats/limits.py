"""What one document may cost to read: its size, pages, nesting, unpacked parts and time.

A reader is handed a `Budget` (the `Limits` from `Settings.read_limits()` plus a clock started
when the file is opened). Each limit, when hit, is one `BadDocument` line that names the
setting and what to do, so a hostile file (100,000 nested <div>s, a zip bomb, a PDF of 100,000
pages, a page that takes hours) fails fast instead of hanging the indexer or the web server.

    >>> budget = Budget(Limits(text_bytes=10, pages=5, html_depth=8, unpacked_bytes=100, seconds=60))
    >>> budget.check_pages(6)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    assistant.errors.BadDocument: 6 pages is over the limit of 5 (Settings.max_pages); split the PDF ...
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from ..errors import BadDocument


@dataclass(frozen=True)
class Limits:
    """The per-document limits; their defaults, each with its reason, are in config.Settings."""

    text_bytes: int  # a text, web or Word file's size on disk (Settings.max_text_bytes)
    pages: int  # PDF pages (Settings.max_pages)
    html_depth: int  # element nesting of a web page (Settings.max_html_depth)
    unpacked_bytes: int  # a Word file's parts once unzipped (Settings.max_unpacked_bytes)
    seconds: float  # reading one document, all of it (Settings.max_read_seconds)


class Budget:
    """The limits of one read, with its clock. `tick()` is cheap enough for an inner loop."""

    EVERY = 512  # ticks between two looks at the clock

    def __init__(self, limits: Limits, clock=time.monotonic):
        self.limits = limits
        self._clock = clock
        self._deadline = clock() + limits.seconds
        self._ticks = 0

    def tick(self) -> None:
        self._ticks += 1
        if self._ticks % self.EVERY == 0:
            self.check_time()

    def check_time(self) -> None:
        if self._clock() >= self._deadline:
            raise BadDocument(
                f"reading took over {self.limits.seconds:g} s (Settings.max_read_seconds); "
                "split the document or raise the limit"
            )

    def check_pages(self, pages: int) -> None:
        if pages > self.limits.pages:
            raise BadDocument(
                f"{pages:,} pages is over the limit of {self.limits.pages:,} (Settings.max_pages); "
                "split the PDF or raise the limit"
            )

    def check_depth(self, depth: int) -> None:
        if depth > self.limits.html_depth:
            raise BadDocument(
                f"elements nested over {self.limits.html_depth} deep (Settings.max_html_depth), "
                "deeper than a browser nests them; save the article itself as text or PDF"
            )

    def check_unpacked(self, size: int) -> None:
        if size > self.limits.unpacked_bytes:
            raise BadDocument(
                f"its parts unpack to {mb(size)}, over the {mb(self.limits.unpacked_bytes)} limit "
                "(Settings.max_unpacked_bytes), as a zip bomb does; if it is a real document, "
                "save it without embedded media or raise the limit"
            )


def mb(n: int) -> str:
    """A size as a person reads it: '21.0 MB', '230 bytes'."""
    return f"{n / 2**20:,.1f} MB" if n >= 2**20 else f"{n:,} bytes"
