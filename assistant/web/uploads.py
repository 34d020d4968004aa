"""Files uploaded in the web UI: checked, given safe names, kept under <root>/uploads/.

A browser chooses the name it sends, so a name is never trusted: it must be a plain file name
(no folders, no "..", not absolute, not hidden), is reduced to safe characters, and the final
path is checked to lie inside the uploads folder. A file is read with `ingest.read_document`
before it is moved into place, so a broken upload changes nothing.

Names cannot collide between users: the web chat stores each browser's uploads in a folder of
its own, uploads/<owner>/, where owner is a hash of the browser's id (`owner_folder`). Two
people who upload report.txt keep two documents; uploading report.txt again from the same
browser replaces that browser's copy, and the status line says "replaced". (A content-hash
suffix would keep every revision of a file instead, and a "replace?" dialog would ask
a question the owner folder already answers.)

What an upload leaves behind is cleaned up: `clean` (run when the app starts) deletes
uploads the index never took in, because the server was stopped while it indexed them, and
`discard_temp` deletes Gradio's own copy of each uploaded file once it has been handled.
Only what an upload itself marks is ever cleaned: `store` leaves a pending mark naming its
process beside the file until `settle` says the upload was indexed or refused, and its staging
folder is named by its process too. A file without a mark, or one whose process still runs
(another web chat, on another index, sharing this uploads folder), is never touched.

    >>> safe_name("Annual report (2023).PDF")
    'Annual_report_2023.PDF'
    >>> safe_name("../../etc/passwd.txt")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    assistant.errors.BadDocument: ../../etc/passwd.txt: a file name may not contain folders ...
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import socket
import tempfile
import unicodedata
import uuid
from pathlib import Path

from .. import formats
from ..errors import BadDocument, printable
from ..ingest import read_document

UPLOADS = "uploads"  # the folder under the project root; sources there are named "uploads/x"
MAX_BYTES = 20 * 2**20  # a 20 MB PDF is hundreds of pages; more is rarely a document
MAX_NAME = 120  # characters; long enough for real titles, short enough for any file system
MAX_NAME_BYTES = 240  # file systems count bytes (255 at most): 120 CJK characters are 360
_UNSAFE = re.compile(r"[^\w.-]+")  # \w keeps letters of every script: "Résumé.pdf" stays
PENDING = ".pending"  # beside an upload's file until it is settled: <folder>/.pending/<name>
_HOST = socket.gethostname()
_WRITER = f"{os.getpid()}"  # this process, as marks and staging folders name it


def safe_name(name: str) -> str:
    """A file name safe to store under uploads/, or BadDocument saying why there is none."""
    raw = name or ""
    shown = printable(raw.strip()[:80]) or "(no name)"  # a name cannot forge a line
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
    if not dot or formats.lookup(f".{suffix}") is None:
        kind = printable(f".{suffix}") if dot else "(none)"
        raise BadDocument(f"{shown}: unsupported type {kind}; upload a {formats.listing()} file")
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


_OWNER = re.compile(r"^[0-9a-f]{12}$")


def owner_folder(browser_id: str) -> str:
    """The uploads sub-folder of one browser: a hash, so the folder name (shown in source
    paths) does not give away the id that opens the browser's history.

    >>> owner_folder("0123456789abcdef0123456789abcdef")
    '3eb1bd439947'
    """
    return hashlib.sha256(browser_id.encode()).hexdigest()[:12]


def upload_path(root: Path, name: str, owner: str = "") -> Path:
    """Where an upload called `name` is stored: <root>/uploads/[owner/]name, never outside."""
    if owner and not _OWNER.match(owner):
        raise ValueError(f"not an owner folder: {owner!r}")  # a bug, not a user's doing
    folder = (Path(root) / UPLOADS / owner).resolve()
    path = (folder / safe_name(name)).resolve()
    if path.parent != folder:  # defence in depth: safe_name already forbids this
        raise BadDocument(f"{name}: the name points outside the uploads folder; rename the file")
    return path


def store(src: Path, name: str, root: Path, limit: int = MAX_BYTES, owner: str = "") -> tuple[Path, bool]:
    """Check the uploaded file `src` (sent as `name`) and move it into <root>/uploads/[owner/].

    Returns (stored path, True if it replaced an earlier upload of the same name by the same
    owner). Raises BadDocument, naming the file as the user knows it, if it is too big, of the
    wrong type, empty or unreadable; nothing is stored then.
    """
    dest = upload_path(root, name, owner)
    shown = dest.name
    check_size(Path(src).stat().st_size, shown, limit)
    staging = dest.parent / ".staging" / f"{_WRITER}-{uuid.uuid4().hex}"
    staging.mkdir(parents=True)
    try:
        staged = staging / dest.name
        shutil.copyfile(src, staged)
        try:
            read_document(staged, root)  # empty, binary, not UTF-8, broken PDF: refuse now
        except BadDocument as e:
            raise BadDocument(str(e).replace(str(staged), shown)) from None
        replaced = dest.exists()
        _mark(dest).parent.mkdir(exist_ok=True)
        _mark(dest).write_text(f"{_WRITER}@{_HOST}", encoding="utf-8")  # until `settle`: see `clean`
        os.replace(staged, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        with contextlib.suppress(OSError):
            staging.parent.rmdir()  # only when no other upload is being staged
    return dest, replaced


def is_upload(source: str) -> bool:
    return source.startswith(f"{UPLOADS}/")


def _stored(root: Path, source: str) -> Path | None:
    """The file of an uploaded source: uploads/name or uploads/<owner>/name, nothing else."""
    if not is_upload(source):
        return None
    folder = (Path(root) / UPLOADS).resolve()
    path = (Path(root) / source).resolve()
    inside = path.parent == folder or (path.parent.parent == folder and _OWNER.match(path.parent.name))
    return path if inside and path.is_file() else None


def delete(root: Path, source: str) -> bool:
    """Delete the stored file of an uploaded source; False for anything not an upload."""
    path = _stored(root, source)
    if path is None:
        return False
    path.unlink()
    settle(path)
    with contextlib.suppress(OSError):
        if path.parent.name != UPLOADS:
            path.parent.rmdir()  # an owner folder, once empty
    return True


def settle(path: Path) -> None:
    """The upload stored at `path` was indexed, or refused and deleted: forget its mark."""
    mark = _mark(Path(path))
    mark.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        mark.parent.rmdir()  # only when no other upload is pending


def clean(root: Path, indexed) -> list[str]:
    """Delete what interrupted uploads left under <root>/uploads/: staging folders, and stored
    files whose upload was never settled by a process that has since stopped, unless `indexed`
    (every source the app's indexes list) holds them. Returns the source names deleted. A file
    no upload marked, or marked by a process still running, is never touched.
    """
    folder = Path(root) / UPLOADS
    if not folder.is_dir():
        return []
    indexed, gone = set(indexed), []
    for staging in (*folder.glob(".staging/*"), *folder.glob("*/.staging/*")):
        if not _alive(staging.name.split("-")[0] + "@" + _HOST):
            shutil.rmtree(staging, ignore_errors=True)
    for mark in sorted((*folder.glob(f"{PENDING}/*"), *folder.glob(f"*/{PENDING}/*"))):
        if _alive(mark.read_text(encoding="utf-8", errors="replace").strip()):
            continue  # an upload being indexed right now, by another server
        path = mark.parent.parent / mark.name
        source = path.relative_to(Path(root)).as_posix()
        if source not in indexed and _stored(root, source) == path.resolve():
            path.unlink()
            gone.append(source)
        settle(path)
    owners = [sub for sub in folder.glob("*") if sub.is_dir() and _OWNER.match(sub.name)]
    for empty in (folder / ".staging", *(f for sub in owners for f in (sub / ".staging", sub))):
        with contextlib.suppress(OSError):
            empty.rmdir()  # only when empty
    return gone


def _mark(path: Path) -> Path:
    return path.parent / PENDING / path.name


def _alive(writer: str) -> bool:
    """Whether the process a mark names ("pid@host") still runs; another host's: assumed so."""
    pid, _, host = writer.partition("@")
    if host and host != _HOST:
        return True
    if not pid.isdigit() or len(pid) > 9:
        return False  # a garbled mark, or a staging folder from before marks
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, as another user's process
    return True


def gradio_folder() -> Path:
    """Where Gradio keeps its copies of uploaded files (as gradio.utils.get_upload_folder
    says, without importing gradio)."""
    return Path(os.environ.get("GRADIO_TEMP_DIR") or Path(tempfile.gettempdir()) / "gradio").resolve()


def discard_temp(path: Path, folder: Path | None = None) -> bool:
    """Delete Gradio's copy of an uploaded file (and its folder, once empty), after it has
    been stored or refused: Gradio itself keeps every upload until the server stops. Only
    files inside Gradio's upload folder are touched."""
    folder = (folder or gradio_folder()).resolve()
    path = Path(path).resolve()
    if folder not in path.parents or not path.is_file():
        return False
    path.unlink()
    with contextlib.suppress(OSError):
        if path.parent != folder:
            path.parent.rmdir()  # Gradio puts each upload in a folder named by its hash
    return True
