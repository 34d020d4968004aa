"""The folder store's files: the manifest, and the segments it names (see stores/folder.py).

    manifest.json          format, settings, dimension, segments [{id, rows}], placement
                           (source -> the segment holding its live rows), files (source -> meta)
    passages-<seg>.jsonl   one passage per line (source, page, start, end, text)
    vectors-<seg>.faiss    a FAISS inner-product index, row i = passage i
    sentences-<seg>.npz    a vector per sentence of each passage; passage i's rows are
                           offsets[i]:offsets[i + 1]
    texts-<seg>.zip        each document's page texts as read (what offsets index), one member
                           per document: {"source", "pages": [[page, text], ...]}, compressed

Every file is written under a temporary name, fsynced, then renamed; the manifest last.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shlex
import stat
import zipfile
from pathlib import Path

from ..errors import IndexDamaged, IndexMissing, IndexUnwritable
from ..types import Passage

MANIFEST = "manifest.json"
DATA_PREFIXES = ("passages-", "vectors-", "sentences-", "texts-")
_ID = re.compile(r"[0-9a-f]{1,32}")
_READ_ERRORS = (OSError, ValueError, TypeError, RuntimeError, KeyError, EOFError, zipfile.BadZipFile)


# --- the manifest ------------------------------------------------------------------------------
def read_manifest(folder: Path) -> dict | None:
    """The manifest, or None when the folder holds no index at all.

    A missing manifest beside data files is damage, not "no index": taken for none, it would let
    the next `assistant index` start afresh and delete the segments' files.
    """
    check_folder(folder)
    path = folder / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if data_files(folder):
            raise IndexDamaged(f"{path} is missing but {folder} holds index data; {fix(folder)}") from None
        return None
    except OSError as e:
        raise IndexMissing(f"cannot read {path} ({e.strerror}); fix its permissions") from e
    try:
        manifest = json.loads(text)
    except ValueError as e:  # UnicodeDecodeError included
        raise IndexDamaged(f"{path} is corrupted (not JSON); {fix(folder)}") from e
    problem = _manifest_problem(manifest)
    if problem:
        raise IndexDamaged(f"{path} is corrupted ({problem}); {fix(folder)}")
    return manifest


def fix(folder: Path) -> str:
    """The command that repairs a damaged index without losing a document."""
    return f"recover every document with: assistant index --rebuild --index {shlex.quote(str(folder))}"


_MANIFEST_TYPES = {"generation": str, "files": dict, "settings": dict, "dimension": int, "passages": int}
_JSON_NAMES = {str: "a string", dict: "an object", int: "a number", list: "a list", float: "a number"}


def _manifest_problem(manifest) -> str | None:
    """What is wrong with a parsed manifest's shape, or None. Segment ids become parts of file
    names, so each must be the hex id `write` gives it (no "../")."""
    if not isinstance(manifest, dict):
        return f"{_JSON_NAMES.get(type(manifest), 'a value')}, not an object"
    for key, kind in _MANIFEST_TYPES.items():
        value = manifest.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            got = "missing" if key not in manifest else _JSON_NAMES.get(type(value), "null")
            return f"{key!r} is {got}, not {_JSON_NAMES[kind]}"
    if not _ID.fullmatch(manifest["generation"]):
        return "'generation' is not a generation id"
    for source, meta in manifest["files"].items():
        if not isinstance(meta, dict) or not isinstance(meta.get("sha256"), str):
            return f"the entry of {source} has no sha256"
    if "segments" not in manifest:
        return None  # written before segments: one generation
    segments, placement = manifest["segments"], manifest.get("placement")
    if not isinstance(segments, list) or not all(
        isinstance(s, dict)
        and isinstance(s.get("id"), str)
        and _ID.fullmatch(s["id"])
        and type(s.get("rows")) is int
        for s in segments
    ):
        return "'segments' is not a list of segment ids and row counts"
    ids = {s["id"] for s in segments}
    if not isinstance(placement, dict) or not set(placement.values()) <= ids:
        return "'placement' names a segment that is not listed"
    return None


def segments_of(manifest: dict) -> list[tuple[str, int]]:
    """(segment id, rows) in write order; an index written before segments is one segment."""
    if "segments" in manifest:
        return [(s["id"], s["rows"]) for s in manifest["segments"]]
    return [(manifest["generation"], manifest["passages"])]


def placement_of(manifest: dict) -> dict[str, str]:
    """source -> the segment holding its live rows."""
    if "segments" in manifest:
        return dict(manifest["placement"])
    return {source: manifest["generation"] for source in manifest["files"]}


def layout(manifest: dict) -> tuple:
    return (segments_of(manifest), sorted(placement_of(manifest).items()))


# --- reading segments --------------------------------------------------------------------------
def read_segment(folder: Path, seg_id: str, n_rows: int, dim: int):
    """(passages, vectors, sentence vectors, offsets) of one segment, checked against each other
    and the manifest's row count; IndexDamaged if a file is missing or does not fit."""
    import faiss
    import numpy as np

    try:
        with open(folder / f"passages-{seg_id}.jsonl", encoding="utf-8") as f:
            passages = [Passage(**json.loads(line)) for line in f]
        flat = faiss.read_index(str(folder / f"vectors-{seg_id}.faiss"))
        vectors = flat.reconstruct_n(0, flat.ntotal) if flat.ntotal else np.zeros((0, dim), dtype="float32")
        with np.load(folder / f"sentences-{seg_id}.npz") as npz:
            sent_vectors, offsets = npz["vectors"], npz["offsets"]
        if not (folder / f"texts-{seg_id}.zip").is_file():
            raise FileNotFoundError(f"texts-{seg_id}.zip")
    except _READ_ERRORS as e:
        raise IndexDamaged(f"the index in {folder} is damaged ({type(e).__name__}); {fix(folder)}") from e
    if (
        len(passages) != len(vectors)
        or len(passages) != n_rows
        or len(offsets) != len(passages) + 1
        or offsets[-1] != len(sent_vectors)
        or (len(vectors) and vectors.shape[1] != dim)
    ):
        raise IndexDamaged(f"the index in {folder} is inconsistent; {fix(folder)}")
    return passages, np.ascontiguousarray(vectors, dtype="float32"), sent_vectors, offsets


def stack(arrays, dim: int):
    import numpy as np

    arrays = [a for a in arrays if len(a)]
    if not arrays:
        return np.zeros((0, dim), dtype="float32")
    return np.ascontiguousarray(np.concatenate(arrays), dtype="float32")


# --- writing segments --------------------------------------------------------------------------
def write_segment(folder: Path, seg_id: str, rows, dim: int, texts: dict[str, bytes]) -> None:
    """Write passages, vectors and sentence vectors of `rows` [(passage, vector, sentence
    vectors)] and the documents' `texts` (source -> `text_record`) as `<kind>-<seg_id>` files:
    each under a temporary name, fsynced, then renamed."""
    import faiss
    import numpy as np

    tmp = f".tmp-{os.getpid()}"
    with open(folder / f"passages-{seg_id}.jsonl{tmp}", "w", encoding="utf-8") as f:
        for p, _, _ in rows:
            record = {"source": p.source, "page": p.page, "start": p.start, "end": p.end, "text": p.text}
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())
    flat = faiss.IndexFlatIP(dim)
    if rows:
        flat.add(stack([np.asarray(v, dtype="float32")[None] for _, v, _ in rows], dim))
    try:
        faiss.write_index(flat, str(folder / f"vectors-{seg_id}.faiss{tmp}"))
    except RuntimeError as e:  # faiss reports a failed write as RuntimeError
        raise OSError(f"cannot write vectors-{seg_id}.faiss") from e
    sent = [
        np.zeros((0, dim), dtype="float32") if s is None else np.asarray(s, dtype="float32")
        for _, _, s in rows
    ]
    offsets = np.concatenate([[0], np.cumsum([len(s) for s in sent], dtype="int64")]).astype("int64")
    with open(folder / f"sentences-{seg_id}.npz{tmp}", "wb") as f:
        np.savez(f, vectors=stack(sent, dim), offsets=offsets)
        f.flush()
        os.fsync(f.fileno())
    with open(folder / f"texts-{seg_id}.zip{tmp}", "wb") as f:
        with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as z:
            for source, blob in texts.items():
                z.writestr(_member(source), blob)
        f.flush()
        os.fsync(f.fileno())
    for name in data_names(seg_id):
        os.replace(folder / f"{name}{tmp}", folder / name)


def discard(folder: Path, seg_id: str) -> None:
    """Delete a failed write's files: its temporary files, and its segment unless the manifest
    on disk already names it (the failure came after the switch)."""
    committed = False
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        committed = seg_id in {s for s, _ in segments_of(manifest)}
    doomed = set() if committed else set(data_names(seg_id))
    with contextlib.suppress(OSError):
        for f in folder.iterdir():
            if f.name.endswith(f".tmp-{os.getpid()}") or f.name in doomed:
                f.unlink(missing_ok=True)


def data_names(seg_id: str) -> tuple[str, ...]:
    exts = ("jsonl", "faiss", "npz", "zip")
    return tuple(f"{kind}{seg_id}.{ext}" for kind, ext in zip(DATA_PREFIXES, exts))


# --- page texts ------------------------------------------------------------------------------------
def text_record(source: str, pages) -> bytes:
    """What texts-<seg>.zip holds for one document: its source and (page, text) pairs."""
    return json.dumps({"source": source, "pages": [list(p) for p in pages]}, ensure_ascii=False).encode()


def read_text_record(folder: Path, seg_id: str, source: str) -> bytes | None:
    """The record of `source` in segment `seg_id`, None if it holds none; IndexDamaged if the
    file cannot be read (FileNotFoundError passes: a compaction may have deleted it)."""
    try:
        with zipfile.ZipFile(folder / f"texts-{seg_id}.zip") as z:
            return z.read(_member(source))
    except KeyError:
        return None
    except FileNotFoundError:
        raise
    except _READ_ERRORS as e:
        raise IndexDamaged(f"the index in {folder} is damaged ({type(e).__name__}); {fix(folder)}") from e


def page_of(record: bytes, source: str, page: int | None) -> str | None:
    """The text of `page` in a `text_record` of `source`, or None."""
    data = json.loads(record)
    if data.get("source") != source:
        return None
    return next((text for p, text in data["pages"] if p == page), None)


def _member(source: str) -> str:
    """A document's member name: a hash of its source, so that no name (a newline, "..", a
    leading "/") is ever a zip path."""
    return hashlib.sha256(source.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def segment_of(name: str) -> str:
    """'passages-0123abcd.jsonl' -> '0123abcd'."""
    return name.split("-", 1)[1].split(".", 1)[0]


def data_files(folder: Path) -> list[Path]:
    """The segments' data files in `folder`, unfinished writes' temporary files excluded."""
    try:
        names = list(folder.iterdir())
    except FileNotFoundError:
        return []
    except OSError as e:
        raise IndexMissing(
            f"cannot read the index folder {folder} ({e.strerror}); fix its permissions"
        ) from e
    return [f for f in names if f.name.startswith(DATA_PREFIXES) and ".tmp-" not in f.name]


def passages_files(folder: Path) -> list[Path]:
    return sorted(f for f in data_files(folder) if f.name.startswith("passages-") and f.suffix == ".jsonl")


def sources_in(path: Path) -> set[str]:
    with open(path, encoding="utf-8") as f:
        sources = {json.loads(line)["source"] for line in f if line.strip()}
    if not all(isinstance(s, str) for s in sources):
        raise TypeError("a source that is not a string")
    return sources


def remove_leftovers(folder: Path) -> None:
    """Delete the temporary files of writes that were killed (kill -9, power cut). Only called
    under the lock, so no writer is using them."""
    for f in folder.iterdir():
        if ".tmp-" in f.name:
            with contextlib.suppress(OSError):
                f.unlink(missing_ok=True)


def atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# --- the folder itself ---------------------------------------------------------------------------
def check_folder(folder: Path) -> None:
    """Refuse an index path that is a file or lies under one: it can never hold an index, and
    "no index here, build one" would send the user in circles."""
    for p in (folder, *folder.parents):
        try:
            mode = p.stat().st_mode
        except (FileNotFoundError, NotADirectoryError):
            continue  # not there yet: look at its parent
        except OSError as e:
            raise IndexUnwritable(
                f"cannot reach the index folder {folder} ({e.strerror} at {p}); "
                "point --index or ASSISTANT_INDEX at a folder you can use"
            ) from e
        if not stat.S_ISDIR(mode):
            where = "is a file" if p == folder else f"cannot be created: {p} is a file"
            raise IndexUnwritable(
                f"the index folder {folder} {where}; point --index or ASSISTANT_INDEX at a folder"
            )
        return


def make_folder(folder: Path) -> None:
    check_folder(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise IndexUnwritable(
            f"cannot create the index folder {folder} ({e.strerror}); "
            "point --index or ASSISTANT_INDEX at a folder you can write to"
        ) from e
