"""Errors a user can cause. Each message says what happened and what to do, in one line."""

import unicodedata


class AssistantError(Exception):
    """Base class: the CLI prints the message alone, with no traceback, and exits 1."""


class BadDocument(AssistantError):
    """A file that cannot be indexed: empty, binary, not UTF-8, broken or encrypted PDF."""


class BadQuestion(AssistantError):
    """An empty or absurdly long question."""


class IndexMissing(AssistantError):
    """No index where one was expected, or its files are damaged."""


class IndexDamaged(IndexMissing):
    """The manifest or a data file of the index is damaged, missing or inconsistent; the fix
    named in the message (a rebuild that re-reads every indexed file) loses no document."""


class IndexUnwritable(AssistantError):
    """The index folder is a file, cannot be created, or cannot be written to (no permission,
    full disk); the previous index is left as it was."""


class BadSetting(AssistantError):
    """An ASSISTANT_* environment variable holds a value that cannot be used."""


class IndexMismatch(AssistantError):
    """The index was built with other settings or another embedder."""


class ModelMissing(AssistantError):
    """A model file or model package is missing, truncated or unreadable."""


class MissingDependency(AssistantError):
    """An optional package is not installed."""


class ModelUnavailable(AssistantError):
    """The model server (ASSISTANT_LLM_URL) cannot be reached or refused the request; the next
    question tries it again, so a restarted server is used without restarting the app."""


class StoreUnavailable(AssistantError):
    """The index's database server cannot be reached or refused the connection; the message
    names the URL without its password."""


def printable(text: str) -> str:
    r"""`text` with line breaks and other control characters escaped, for a message or a report
    line: a file may be named "a\nadded: b.txt", and printed raw that name forges a second line.

    >>> printable("report\nadded: forged.txt")
    'report\\nadded: forged.txt'
    >>> printable("Résumé\u202e.txt")  # a right-to-left override would reverse what follows
    'Résumé\\u202e.txt'
    """

    def escaped(ch: str) -> str:
        if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"):
            return ch
        return ch.encode("unicode_escape").decode("ascii")  # \n, \x1b, \u202e, \U000e0001

    return "".join(map(escaped, text))
