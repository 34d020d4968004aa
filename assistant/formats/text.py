"""A text or Markdown file -> its text, decoded as UTF-8 and otherwise unchanged.

Offsets index `open(path, encoding="utf-8", newline="").read()`, so any tool can check a
citation with that one line. Binary data, text in another encoding and UTF-16/32 (with a
byte-order mark) are refused with the command that converts them.

    >>> from assistant.config import Settings
    >>> read("Bamako.\\r\\n".encode(), Path("a.txt"), Budget(Settings().read_limits())).pages
    ((None, 'Bamako.\\r\\n'),)
"""

from __future__ import annotations

import codecs
import re
import shlex
from pathlib import Path

from ..errors import BadDocument
from . import Parsed
from .limits import Budget

# Byte-order marks of text that `open(source, encoding="utf-8")` cannot read. UTF-32 comes
# first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def read(data: bytes, path: Path, budget: Budget) -> Parsed:
    """The file's text as one page; the title is left to ingest (its first line)."""
    _refuse_utf16_or_32(path, data)
    if b"\x00" in data[:8192]:
        raise BadDocument("looks binary, not text; index the original document instead")
    try:
        return Parsed(((None, data.decode("utf-8")),))
    except UnicodeDecodeError as e:
        raise BadDocument(
            f"not UTF-8 (bad byte at {e.start}); convert it, e.g. iconv -f latin1 -t utf-8"
        ) from e


def _refuse_utf16_or_32(path: Path, data: bytes) -> None:
    """UTF-16 and UTF-32 text (with a byte-order mark) is decoded to tell it from binary, then
    refused with a command that converts it. Reading it would be possible (`document_text`
    could decode it), but every tool that checks a citation with the plain rule
    `open(source, encoding="utf-8", newline="").read()[start:end] == quote` would then fail on
    it; a UTF-8 copy keeps that rule true for every text file. Decided for issue 11."""
    for bom, codec in _BOMS:
        if not data.startswith(bom):
            continue
        try:
            data.decode(codec.lower())
        except UnicodeDecodeError as e:
            raise BadDocument(
                f"starts like {codec} text but has a bad byte at {e.start}; "
                "index the original document instead"
            ) from e
        q, tmp = shell_quote(str(path)), shell_quote(f"{path}.utf8")
        raise BadDocument(
            f"{codec} text; citations need UTF-8: convert it, "
            f"e.g. iconv -f {codec} -t UTF-8 {q} > {tmp} && mv {tmp} {q}"
        )


def shell_quote(name: str) -> str:
    r"""A shell word for `name` that fits on one line: shlex's quoting, or bash's $'...' with
    escapes when the name holds a line break or another control character.

    >>> shell_quote("wide name.txt"), shell_quote("a\nb.txt")
    ("'wide name.txt'", "$'a\\nb.txt'")
    """
    if not re.search(r"[\x00-\x1f\x7f]", name):
        return shlex.quote(name)
    body = name.replace("\\", "\\\\").replace("'", "\\'")
    named = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}
    escape = lambda m: named.get(m.group(), f"\\x{ord(m.group()):02x}")
    return "$'" + re.sub(r"[\x00-\x1f\x7f]", escape, body) + "'"
