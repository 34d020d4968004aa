"""The folder store: the store contract (tests/store_contract.py), then what is the folder's own:
what each write puts on disk (append-only segments), compaction, an index of an older format,
kill -9 mid-write, a full disk, and readers during rewrites.

Real files, real FAISS and bm25s; `HashEmbedder` (no model) where vectors need no meaning, and
hand-made vectors where the store is called directly.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from fakes import HashEmbedder
from store_contract import StoreContract, document

from assistant import index
from assistant.config import Settings
from assistant.errors import IndexDamaged, IndexMismatch
from assistant.ingest import sentences
from assistant.stores import folder as folder_store
from assistant.stores.folder import FolderStore
from assistant.types import Passage

DATA = folder_store.DATA_PREFIXES
TESTS = Path(__file__).parent


def silent(msg: str) -> None:
    pass


def data_files(folder: Path) -> dict[str, bytes]:
    return {f.name: f.read_bytes() for f in sorted(folder.iterdir()) if f.name.startswith(DATA)}


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def write_docs(folder: Path, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        (folder / f"doc{i:02d}.txt").write_text(
            f"Report {i} about Gao. The well at site {i} was dug in {1990 + i}. It still works.\n"
        )


@pytest.fixture
def docs_settings(tmp_path) -> Settings:
    docs = tmp_path / "docs"
    docs.mkdir()
    write_docs(docs, 6)
    return Settings(root=tmp_path, index_dir=tmp_path / "index", seeds_dir=docs, models_dir=tmp_path / "m")


class TestFolderStore(StoreContract):
    @pytest.fixture
    def store(self, tmp_path):
        return FolderStore(tmp_path / "index")


def update(settings, paths=None, rebuild=False):
    return index.update(settings, paths, embedder=HashEmbedder(), rebuild=rebuild, log=silent)


def all_passages(store) -> list[Passage]:
    return [p for source in store.sources() for p in store.passages_of(source)]


# --- what each write puts on disk ----------------------------------------------------------------
def test_adding_a_file_writes_one_segment_and_rewrites_no_other(docs_settings):
    update(docs_settings)
    folder = docs_settings.index_path
    before = data_files(folder)
    write_docs(docs_settings.seeds_path, 1, start=50)
    report = update(docs_settings)
    assert report.added == ["docs/doc50.txt"]
    after = data_files(folder)
    assert {k: v for k, v in after.items() if k in before} == before  # not a byte rewritten
    new = sorted(set(after) - set(before))
    seg = manifest(folder)["generation"]
    assert new == sorted(folder_store._data_names(seg))  # one segment: passages, vectors, sentences, texts
    held = [
        json.loads(line)["source"] for line in (folder / f"passages-{seg}.jsonl").read_text().splitlines()
    ]
    assert set(held) == {"docs/doc50.txt"}
    assert manifest(folder)["placement"]["docs/doc50.txt"] == seg
    store = index.load(docs_settings)
    assert store.count() == 7 and "site 50" in store.keyword_search("site 50", 1)[0][0].text


def test_replacing_a_file_leaves_its_old_rows_dead(docs_settings):
    update(docs_settings)
    folder = docs_settings.index_path
    before = data_files(folder)
    (docs_settings.seeds_path / "doc03.txt").write_text("Replaced: Kidal has no well at all.\n")
    assert update(docs_settings).changed == ["docs/doc03.txt"]
    assert {k: v for k, v in data_files(folder).items() if k in before} == before
    store = index.load(docs_settings)
    texts = [p.text for p in all_passages(store)]
    assert "Replaced: Kidal has no well at all." in texts and not any("site 3 " in t for t in texts)
    assert store.count() == 6 == manifest(folder)["passages"]
    hits = store.keyword_search("site 3 1993", 10)  # the dead row is never found
    assert all(p.source != "docs/doc03.txt" for p, _ in hits)


def test_removing_a_file_rewrites_the_manifest_alone(docs_settings):
    update(docs_settings)
    folder = docs_settings.index_path
    before = data_files(folder)
    (docs_settings.seeds_path / "doc01.txt").unlink()
    assert update(docs_settings).removed == ["docs/doc01.txt"]
    assert data_files(folder) == before
    store = index.load(docs_settings)
    assert store.passages_of("docs/doc01.txt") == [] and store.count() == 5
    assert "docs/doc01.txt" not in store.sources()


def test_dead_rows_past_half_are_compacted_into_one_segment(docs_settings):
    big = docs_settings.seeds_path / "big.txt"
    big.write_text(
        " ".join(f"Sentence {i} tells of the well at Gao, dug in year {1900 + i}." for i in range(120))
    )
    update(docs_settings)
    folder = docs_settings.index_path
    rows = manifest(folder)["segments"][0]["rows"]
    assert rows > 2 * 6 + 2  # big.txt holds most rows
    big.write_text("Now one line.\n")  # its rows die: more than half of all rows
    assert update(docs_settings).changed == ["docs/big.txt"]
    m = manifest(folder)
    assert [s["rows"] for s in m["segments"]] == [7] and m["passages"] == 7
    assert set(data_files(folder)) == set(folder_store._data_names(m["generation"]))  # the rest deleted
    store = index.load(docs_settings)
    assert sorted(p.source for p in all_passages(store)) == sorted(
        ["docs/big.txt", *(f"docs/doc0{i}.txt" for i in range(6))]
    )
    assert_rows_line_up(store)


def test_a_segment_whose_rows_all_died_is_deleted(docs_settings):
    update(docs_settings)
    write_docs(docs_settings.seeds_path, 1, start=30)
    update(docs_settings)
    first, second = (s["id"] for s in manifest(docs_settings.index_path)["segments"])
    (docs_settings.seeds_path / "doc30.txt").unlink()
    update(docs_settings)
    assert [s["id"] for s in manifest(docs_settings.index_path)["segments"]] == [first]
    assert set(data_files(docs_settings.index_path)) == set(folder_store._data_names(first))


def test_many_segments_are_compacted(docs_settings):
    update(docs_settings)
    for i in range(folder_store.MAX_SEGMENTS - 1):
        write_docs(docs_settings.seeds_path, 1, start=20 + i)
        update(docs_settings)
    assert len(manifest(docs_settings.index_path)["segments"]) == folder_store.MAX_SEGMENTS
    write_docs(docs_settings.seeds_path, 1, start=99)
    update(docs_settings)
    rows = 6 + folder_store.MAX_SEGMENTS
    assert [s["rows"] for s in manifest(docs_settings.index_path)["segments"]] == [rows]
    assert len(data_files(docs_settings.index_path)) == len(DATA)
    store = index.load(docs_settings)
    assert store.count() == rows
    assert_rows_line_up(store)


def test_a_rebuild_always_writes_one_segment(docs_settings):
    update(docs_settings)
    write_docs(docs_settings.seeds_path, 1, start=40)
    update(docs_settings)
    assert len(manifest(docs_settings.index_path)["segments"]) == 2
    report = update(docs_settings, rebuild=True)
    assert len(report.rebuilt) == 7
    m = manifest(docs_settings.index_path)
    assert len(m["segments"]) == 1 and len(data_files(docs_settings.index_path)) == len(DATA)


def assert_rows_line_up(store) -> None:
    """Every passage's stored vector and sentence vectors are those of its own text."""
    embedder = HashEmbedder()
    held = all_passages(store)
    assert np.allclose(store.vectors_of(held), embedder.embed([p.text for p in held]), atol=1e-5)
    for p in held:
        want = embedder.embed([s.text for s in sentences(p)])
        assert np.allclose(store.sentence_vectors_of(p), want, atol=1e-5)


def test_progress_is_reported_per_batch_of_files(docs_settings, monkeypatch):
    write_docs(docs_settings.seeds_path, 24, start=10)  # 30 files, one passage each
    monkeypatch.setattr(index, "BATCH_PASSAGES", 4)
    seen: list[index.IndexProgress] = []
    report = index.update(docs_settings, embedder=HashEmbedder(), log=silent, progress=seen.append)
    assert [p.files_done for p in seen] == [4, 8, 12, 16, 20, 24, 28, 30]
    assert {p.files_total for p in seen} == {30} and seen[-1].passages_done == report.passages == 30
    assert seen[-1].seconds_left == 0 and all(p.passages_per_s > 0 for p in seen)
    lines: list[str] = []
    (docs_settings.seeds_path / "doc10.txt").write_text("Changed.")
    index.update(docs_settings, embedder=HashEmbedder(), log=lines.append, rebuild=True)  # no callback
    assert lines[0] == "Embedding 30 file(s)..." and 8 <= len(lines) <= 12
    assert lines[-1].startswith("Embedded 30/30 files (30 passages,")


# --- the store called directly -----------------------------------------------------------------------
FINGERPRINT = {"format": 3, "embedder": "test", "chunk_chars": 600, "chunk_overlap": 1}


def test_texts_survive_compaction(tmp_path):
    """A compaction rewrites the kept documents' page texts into the new segment."""
    store = FolderStore(tmp_path)
    docs = [document(f"d{i}.txt", [f"Document {i} text."], seed=i) for i in range(3)]
    with store.writing():
        store.write(FINGERPRINT, docs, [], {d.source: d.meta for d in docs})
    for i in range(folder_store.MAX_SEGMENTS):  # a segment per write: compaction at MAX_SEGMENTS
        new = document(f"n{i}.txt", [f"New {i}."], seed=10 + i)
        with store.writing():
            store.write(FINGERPRINT, [new], [], {**store.sources(), new.source: new.meta})
    assert len(manifest(tmp_path)["segments"]) < folder_store.MAX_SEGMENTS
    assert [store.document_text(d.source) for d in docs] == [d.pages[0][1] for d in docs]
    assert store.document_text("n0.txt") == "New 0."


def test_a_placement_naming_an_unlisted_segment_is_damage(tmp_path):
    store = FolderStore(tmp_path)
    a = document("a.txt", ["Gao."], 1)
    with store.writing():
        store.write(FINGERPRINT, [a], [], {"a.txt": a.meta})
    m = manifest(tmp_path)
    m["placement"]["a.txt"] = "abcdef"
    (tmp_path / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(IndexDamaged, match="'placement' names a segment"):
        FolderStore(tmp_path).manifest()


# --- an index of an older format -------------------------------------------------------------------------
def write_old_format(folder: Path, settings: Settings, docs: Path) -> None:
    """An index as the single-generation writer (format 2, before segments and page texts) left
    it: one generation's three files and a manifest naming it, with no `segments` or `placement`."""
    import faiss

    from assistant import ingest

    embedder, gen = HashEmbedder(), "0123456789ab"
    folder.mkdir()
    passages, files = [], {}
    for path in sorted(docs.iterdir()):
        doc = ingest.read_document(path, settings.root)
        ps = ingest.passages(doc, settings.chunk_chars, settings.chunk_overlap)
        passages += ps
        st = path.stat()
        files[doc.source] = {
            "sha256": doc.sha256,
            "size": st.st_size,
            "mtime_ns": st.st_mtime_ns,
            "passages": len(ps),
        }
    with open(folder / f"passages-{gen}.jsonl", "w", encoding="utf-8") as f:
        for p in passages:
            f.write(
                json.dumps(
                    {"source": p.source, "page": p.page, "start": p.start, "end": p.end, "text": p.text}
                )
                + "\n"
            )
    flat = faiss.IndexFlatIP(384)
    flat.add(embedder.embed([p.text for p in passages]))
    faiss.write_index(flat, str(folder / f"vectors-{gen}.faiss"))
    groups = [[s.text for s in sentences(p)] for p in passages]
    offsets = np.concatenate([[0], np.cumsum([len(g) for g in groups])]).astype("int64")
    np.savez(
        folder / f"sentences-{gen}.npz",
        vectors=embedder.embed([t for g in groups for t in g]),
        offsets=offsets,
    )
    fingerprint = {**settings.index_fingerprint(), "format": 2}
    old = {
        "format": 2,
        "settings": fingerprint,
        "dimension": 384,
        "generation": gen,
        "passages": len(passages),
    }
    (folder / "manifest.json").write_text(json.dumps({**old, "files": files}))


def test_an_index_of_an_older_format_asks_for_a_rebuild_which_keeps_every_document(docs_settings):
    folder = docs_settings.index_path
    write_old_format(folder, docs_settings, docs_settings.seeds_path)
    old_files = data_files(folder)
    for attempt in (lambda: index.load(docs_settings), lambda: update(docs_settings)):
        with pytest.raises(IndexMismatch, match=r"format 2 \(now 3\).*assistant index --rebuild"):
            attempt()
    assert data_files(folder) == old_files  # refused: nothing written
    report = update(docs_settings, rebuild=True)
    assert report.rebuilt == [f"docs/doc0{i}.txt" for i in range(6)]
    m = manifest(folder)
    assert len(m["segments"]) == 1
    assert set(data_files(folder)) == set(folder_store._data_names(m["generation"]))
    store = index.load(docs_settings)
    assert store.count() == 6 and store.keyword_search("1992", 1)[0][0].source == "docs/doc02.txt"
    assert store.document_text("docs/doc02.txt").startswith("Report 2 about Gao.")
    assert_rows_line_up(store)


# --- kill -9 and readers without a lock ---------------------------------------------------------------
KILLER = textwrap.dedent(
    """
    import os, signal, sys
    sys.path.insert(0, {tests!r})
    from fakes import HashEmbedder
    from assistant import index
    from assistant.config import Settings
    from assistant.stores import segments

    real = os.replace
    def replace(src, dst):
        if str(dst).endswith({at!r}):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(src, dst)
    segments.os.replace = replace
    settings = Settings(root={root!r}, index_dir={index!r}, seeds_dir={docs!r})
    index.update(settings, embedder=HashEmbedder(), rebuild={rebuild}, log=lambda m: None)
    """
)


@pytest.mark.parametrize("at", ["vectors-", "manifest.json"])  # in the segment; before the switch
@pytest.mark.parametrize("rebuild", [False, True])  # appending one segment; rewriting all
def test_kill_9_mid_write_leaves_the_previous_index(docs_settings, at, rebuild):
    update(docs_settings)
    folder = docs_settings.index_path
    before_manifest, before = (folder / "manifest.json").read_text(), data_files(folder)
    write_docs(docs_settings.seeds_path, 1, start=70)
    (docs_settings.seeds_path / "doc02.txt").write_text("Changed before the kill.\n")
    script = KILLER.format(
        tests=str(TESTS),
        at=at if at == "manifest.json" else ".faiss",
        root=str(docs_settings.root),
        index=str(folder),
        docs=str(docs_settings.seeds_path),
        rebuild=rebuild,
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert (folder / "manifest.json").read_text() == before_manifest
    assert {k: v for k, v in data_files(folder).items() if k in before} == before
    assert index.load(docs_settings).count() == 6  # the previous index, whole
    assert any(".tmp-" in f.name for f in folder.iterdir())  # the killed run's leftovers ...
    report = update(docs_settings)
    assert report.added == ["docs/doc70.txt"] and report.changed == ["docs/doc02.txt"]
    live = {n for s in manifest(folder)["segments"] for n in folder_store._data_names(s["id"])}
    assert set(data_files(folder)) == live  # ... and its finished files: gone after the next write
    assert not any(".tmp-" in f.name for f in folder.iterdir())


FULL_DISK = textwrap.dedent(
    """
    import resource, signal, sys
    sys.path.insert(0, {tests!r})
    from fakes import HashEmbedder
    from assistant import index
    from assistant.config import Settings
    from assistant.errors import IndexUnwritable

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, as on a full disk
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))
    settings = Settings(root={root!r}, index_dir={index!r}, seeds_dir={docs!r})
    try:
        index.update(settings, embedder=HashEmbedder(), log=lambda m: None)
    except IndexUnwritable as e:
        sys.exit(str(e))
    """
)


def test_a_segment_that_cannot_be_written_leaves_nothing_behind(docs_settings):
    update(docs_settings)
    folder = docs_settings.index_path
    before = {f.name: f.read_bytes() for f in folder.iterdir()}
    write_docs(docs_settings.seeds_path, 1, start=80)
    script = FULL_DISK.format(
        tests=str(TESTS), root=str(docs_settings.root), index=str(folder), docs=str(docs_settings.seeds_path)
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1 and "cannot write the index in" in proc.stderr, proc.stderr
    assert "previous index is unchanged" in proc.stderr and "Traceback" not in proc.stderr
    assert {f.name: f.read_bytes() for f in folder.iterdir()} == before  # no partial file left


WRITER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {tests!r})
    from pathlib import Path
    from fakes import HashEmbedder
    from assistant import index
    from assistant.config import Settings

    settings = Settings(root={root!r}, index_dir={index!r}, seeds_dir={docs!r})
    doc = Path({docs!r}) / "doc00.txt"
    for i in range({rounds}):
        doc.write_text(f"Round {{i}} of rewrites. Gao again.\\n")
        index.update(settings, embedder=HashEmbedder(), rebuild=i % 3 == 0, log=lambda m: None)
    """
)


def test_readers_during_rewrites_never_see_damage(docs_settings):
    """A writer process appends, compacts and rebuilds (deleting segments) in a loop; readers in
    this process, without a lock, load and search all the while: never an error."""
    update(docs_settings)
    folder = docs_settings.index_path
    script = WRITER.format(
        tests=str(TESTS),
        root=str(docs_settings.root),
        index=str(folder),
        docs=str(docs_settings.seeds_path),
        rounds=40,
    )
    writer = subprocess.Popen([sys.executable, "-c", script], stderr=subprocess.PIPE, text=True)
    reads, qvec = 0, HashEmbedder().embed_query("Gao rewrites")
    try:
        while writer.poll() is None:
            store = FolderStore(folder)
            assert store.count() == 6
            assert store.dense_search(qvec, 3) and store.keyword_search("Gao", 3)
            reads += 1
    finally:
        _, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert reads > 5
    assert "Round 39" in FolderStore(folder).passages_of("docs/doc00.txt")[0].text
