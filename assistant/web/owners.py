"""Who may see a document in the web chat: a browser its own uploads, everyone the rest.

A browser's uploads live in uploads/<owner>/, where owner is a hash of the browser's random id
(`uploads.owner_folder`), so the source name itself says whose an upload is. Documents indexed
from the command line (and uploads from before owner folders) have no owner: they are shared.
The server applies this rule everywhere a document can show up (the document list and picker,
the search behind an answer, the document view, the PDF file, removal), never only the page.

    >>> mine = "0123456789abcdef0123456789abcdef"
    >>> owner_of("uploads/3eb1bd439947/report.txt"), owner_of("seeds/a.txt")
    ('3eb1bd439947', None)
    >>> may_see(mine, "uploads/3eb1bd439947/report.txt"), may_see("f" * 32, "uploads/3eb1bd439947/report.txt")
    (True, False)
    >>> may_see("", "seeds/a.txt"), may_remove(mine, "seeds/a.txt")
    (True, False)
"""

from __future__ import annotations

import re

from .history import valid_browser_id
from .uploads import UPLOADS, owner_folder

_OWNED = re.compile(rf"^{UPLOADS}/([0-9a-f]{{12}})/[^/]+$")


def owner_of(source: str) -> str | None:
    """The owner folder of a browser's upload; None for a shared document."""
    m = _OWNED.match(source)
    return m.group(1) if m else None


def _folder(browser: str) -> str | None:
    return owner_folder(browser) if valid_browser_id(browser) else None


def may_see(browser: str, source: str) -> bool:
    """Whether this browser may list, cite, open or ask about `source`."""
    owner = owner_of(source)
    return owner is None or owner == _folder(browser)


def may_remove(browser: str, source: str) -> bool:
    """Only a browser's own uploads are removed from the web chat; shared documents are
    removed where they were indexed (`assistant docs remove`), not by whoever visits."""
    owner = owner_of(source)
    return owner is not None and owner == _folder(browser)


def visible(browser: str, sources) -> list[str]:
    """The sources this browser may see, in their order."""
    return [s for s in sources if may_see(browser, s)]
