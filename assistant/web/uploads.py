"""Files uploaded in the web UI: checked, given safe names, kept under <root>/uploads/.

A browser chooses the name it sends, so a name is never trusted: it must be a plain file name
(no folders, no "..", not absolute, not hidden), is reduced to safe characters, and the final
path is checked to lie inside the uploads folder. A file is read with `ingest.read_document`
before it is moved into place, so a broken upload changes nothing.

    >>> safe_name("Annual report (2023).PDF")
    'Annual_report_2023.PDF'
    >>> safe_name("../../etc/passwd.txt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    assistant.errors.BadDocument: ../../etc/passwd.txt: a file name may not contain folders ...
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import unicodedata
import uuid
from pathlib import Path

from ..errors import BadDocument
from ..ingest import SUPPORTED, read_document

UPLOADS = "uploads"  # the folder under the project root; sources there are named "uploads/x"
MAX_BYTES = 20 * 2**20  # a 20 MB PDF is hundreds of pages; more is rarely a document
MAX_NAME = 120  # characters; long enough for real titles, short enough for any file system
MAX_NAME_BYTES = 240  # file systems count bytes (255 at most): 120 CJK characters are 360
_UNSAFE = re.compile(r"[^\w.-]+")  # \w keeps letters of every script: "Résumé.pdf" stays


def safe_name(name: str) -> str:
    """A file name safe to store under uploads/, or BadDocument saying why there is none."""
    raw = name or ""
    shown = raw.strip()[:80] or "(no name)"
    if not raw.strip() or "\x00" in raw:
        raise BadDocument(f"{shown}: the upload has no usable file name; rename the file")
    if raw.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", raw):
        raise BadDocument(f"{shown}: absolute paths are not allowed; upload the file itself")
    if "/" in raw or "\\" in raw or raw.strip() in (".", ".."):
        raise BadDocument(f'{shown}: a file name may not contain folders or ".."; upload the file itself')
    if raw.strip().startswith("."):
        raise BadDocument(f"{shown}: hidden file names (starting with '.') are not accepted; rename the file")
    base = unicodedata.normalize("NFKC", raw.strip())
    stem, dot, suffix = base.rpartition(".")
    if not dot or f".{suffix.lower()}" not in SUPPORTED:
        kind = f".{suffix}" if dot else "(none)"
        raise BadDocument(f"{shown}: unsupported type {kind}; upload a {', '.join(sorted(SUPPORTED))} file")
    stem = _UNSAFE.sub("_", stem).strip("._-")
    stem = re.sub(r"_+", "_", stem).strip("_")[: MAX_NAME - len(suffix) - 1]
    while len(f"{stem}.{suffix}".encode()) > MAX_NAME_BYTES:
        stem = stem[:-1]
    if not stem:
        raise BadDocument(f"{shown}: the name has no letters or digits; rename the file")
    return f"{stem}.{suffix}"


def check_size(size: int, name: str, limit: int = MAX_BYTES) -> None:
    if size <= 0:
        raise BadDocument(f"{name}: the file is empty; upload a document with text")
    if size > limit:
        raise BadDocument(
            f"{name}: {_size(size)} is over the {_size(limit, 0)} limit; split "
            "the document or upload a smaller one"
        )


def _size(n: int, decimals: int = 1) -> str:
    """Binary units, as Gradio's own upload limit message counts them."""
    for unit, scale in (("MB", 2**20), ("KB", 2**10)):
        if n >= scale:
            return f"{n / scale:.{decimals}f} {unit}"
    return f"{n} bytes"


def upload_path(root: Path, name: str) -> Path:
    """Where an upload called `name` is stored; never outside <root>/uploads/."""
    folder = (Path(root) / UPLOADS).resolve()
    path = (folder / safe_name(name)).resolve()
    if path.parent != folder:  # defence in depth: safe_name already forbids this
        raise BadDocument(f"{name}: the name points outside the uploads folder; rename the file")
    return path


def store(src: Path, name: str, root: Path, limit: int = MAX_BYTES) -> tuple[Path, bool]:
    """Check the uploaded file `src` (sent as `name`) and move it into <root>/uploads/.

    Returns (stored path, True if it replaced an earlier upload of the same name). Raises
    BadDocument, naming the file as the user knows it, if it is too big, of the wrong type,
    empty or unreadable; nothing is stored then.
    """
    dest = upload_path(root, name)
    shown = dest.name
    check_size(Path(src).stat().st_size, shown, limit)
    staging = dest.parent / ".staging" / uuid.uuid4().hex
    staging.mkdir(parents=True)
    try:
        staged = staging / dest.name
        shutil.copyfile(src, staged)
        try:
            read_document(staged, root)  # empty, binary, not UTF-8, broken PDF: refuse now
        except BadDocument as e:
            raise BadDocument(str(e).replace(str(staged), shown)) from None
        replaced = dest.exists()
        os.replace(staged, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        with contextlib.suppress(OSError):
            staging.parent.rmdir()  # only when no other upload is being staged
    return dest, replaced


def is_upload(source: str) -> bool:
    return source.startswith(f"{UPLOADS}/")


def delete(root: Path, source: str) -> bool:
    """Delete the stored file of an uploaded source; False for anything not an upload."""
    if not is_upload(source):
        return False
    folder = (Path(root) / UPLOADS).resolve()
    path = (Path(root) / source).resolve()
    if path.parent != folder or not path.is_file():
        return False
    path.unlink()
    return True
