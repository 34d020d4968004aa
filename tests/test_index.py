"""The index folder: manifest, staleness, incremental updates, atomic writes, damage.

The append-only segments themselves (one per write, compaction, old format) are in
test_store_folder.py."""

import json
import os

import pytest
from fakes import HashEmbedder

from assistant import index, ingest, ondisk
from assistant.errors import IndexMismatch, IndexMissing
from assistant.stores import segments


def manifest(settings):
    return json.loads((settings.index_path / "manifest.json").read_text())


def passages(store):
    """Every passage the store holds, file by file."""
    return [p for source in store.sources() for p in store.passages_of(source)]


def test_build_writes_a_self_describing_index(settings, counting_embedder):
    report = index.update(settings, embedder=counting_embedder)
    assert sorted(report.added) == ["docs/junta.md", "docs/serval.txt", "docs/un.pdf"]
    m = manifest(settings)
    assert m["settings"] == settings.index_fingerprint()
    assert m["settings"]["embedder"] == "all-MiniLM-L6-v2" and m["dimension"] == 384
    assert set(m["files"]) == set(report.added)
    assert all(len(f["sha256"]) == 64 for f in m["files"].values())
    idx = index.load(settings)
    held = passages(idx)
    assert len(held) == m["passages"] == idx.count() == len(idx.dense_search(idx.vectors_of(held)[0], 99))
    for p in held:  # the stored passages still match their files
        if p.page is None:
            raw = open(settings.root / p.source, encoding="utf-8", newline="").read()
            assert raw[p.start : p.end] == p.text


def test_update_embeds_only_what_changed(settings, counting_embedder, project):
    index.update(settings, embedder=counting_embedder)
    gen = manifest(settings)["generation"]
    counting_embedder.calls.clear()

    again = index.update(settings, embedder=counting_embedder)  # nothing changed
    assert counting_embedder.calls == [] and not again.touched
    assert manifest(settings)["generation"] == gen
    assert len(again.unchanged) == 3

    (project / "docs" / "new.txt").write_text("Minusma peacekeepers left in December 2023.")
    added = index.update(settings, embedder=counting_embedder)
    assert added.added == ["docs/new.txt"] and len(counting_embedder.calls) == 1
    assert all("Minusma" in t for t in counting_embedder.calls[0])

    counting_embedder.calls.clear()
    (project / "docs" / "serval.txt").write_text("Barkhane ended in 2022. It had 5,100 troops.")
    changed = index.update(settings, embedder=counting_embedder)
    assert changed.changed == ["docs/serval.txt"]
    assert [t for call in counting_embedder.calls for t in call] == [  # passage, sentences
        "Barkhane ended in 2022. It had 5,100 troops.",
        "Barkhane ended in 2022.",
        "It had 5,100 troops.",
    ]

    (project / "docs" / "junta.md").unlink()
    removed = index.update(settings, embedder=counting_embedder)
    assert removed.removed == ["docs/junta.md"]
    idx = index.load(settings)
    assert {p.source for p in passages(idx)} == {"docs/serval.txt", "docs/un.pdf", "docs/new.txt"}
    assert not any("Goita" in p.text for p in passages(idx))
    assert_sentence_vectors_line_up(idx, counting_embedder)


def assert_sentence_vectors_line_up(idx, embedder):
    """Every passage's stored sentence vectors are those of its sentences, in order."""
    import numpy as np

    from assistant.ingest import sentences

    for p in passages(idx):
        texts = [s.text for s in sentences(p)]
        stored = idx.sentence_vectors_of(p)
        assert len(stored) == len(texts)
        if hasattr(embedder, "embed_passages"):  # it may pool sentences from the passage's pass
            want = embedder.embed_passages([p])[1][0]
        else:
            want = embedder.embed(texts)
        assert np.allclose(stored, want, atol=1e-4)


def test_sentence_vectors_survive_removal(settings, embedder):
    index.update(settings, embedder=embedder)
    index.remove(settings, ["docs/serval.txt"])
    assert_sentence_vectors_line_up(index.load(settings), embedder)


def test_touched_but_unchanged_file_is_not_re_embedded(settings, counting_embedder, project):
    index.update(settings, embedder=counting_embedder)
    counting_embedder.calls.clear()
    path = project / "docs" / "serval.txt"
    path.write_text(path.read_text())  # new mtime, same content
    report = index.update(settings, embedder=counting_embedder)
    assert counting_embedder.calls == [] and not report.touched


def test_indexing_a_folder_outside_the_root_uses_absolute_names(settings, embedder, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere")
    (outside / "x.txt").write_text("Bamako is the capital of Mali.")
    report = index.update(settings, [outside], embedder=embedder)
    assert report.added == [(outside / "x.txt").resolve().as_posix()]


def test_bad_files_are_reported_and_the_rest_indexed(settings, embedder, project):
    (project / "docs" / "empty.txt").write_text("")
    (project / "docs" / "photo.jpg").write_bytes(b"\xff\xd8")
    report = index.update(settings, embedder=embedder)
    assert len(report.added) == 3 and len(report.failed) == 1 and "empty" in report.failed[0]
    assert report.skipped == [str(project / "docs" / "photo.jpg")]
    assert "1 skipped" in report.summary() and "1 failed" in report.summary()


def test_remove_drops_a_document(settings, embedder):
    index.update(settings, embedder=embedder)
    index.remove(settings, ["docs/junta.md"])
    assert "docs/junta.md" not in index.load(settings).sources()
    with pytest.raises(IndexMissing, match="not in the index"):
        index.remove(settings, ["docs/nope.txt"])


def test_missing_index_says_how_to_build_one(settings):
    with pytest.raises(IndexMissing, match="run: assistant index"):
        index.load(settings)


def test_other_settings_or_embedder_are_refused_with_the_fix(settings, embedder):
    index.update(settings, embedder=embedder)
    with pytest.raises(IndexMismatch, match="chunk_chars 600 .now 300.*--rebuild"):
        index.load(settings.with_(chunk_chars=300))
    path = settings.index_path / "manifest.json"
    m = json.loads(path.read_text())
    m["settings"]["embedder"] = "bge-small-en"
    path.write_text(json.dumps(m))
    with pytest.raises(IndexMismatch, match="embedder 'bge-small-en'"):
        index.load(settings)
    report = index.update(settings, embedder=embedder, rebuild=True)  # the fix works
    assert len(report.rebuilt) == 3 and not report.added and index.load(settings)


@pytest.mark.parametrize("damage", ["manifest", "vectors", "passages", "sentences", "texts", "count"])
def test_damaged_index_is_a_one_line_error(settings, embedder, damage):
    index.update(settings, embedder=embedder)
    folder, gen = settings.index_path, manifest(settings)["generation"]
    if damage == "manifest":
        (folder / "manifest.json").write_text("{not json")
    elif damage == "vectors":
        (folder / f"vectors-{gen}.faiss").write_bytes(b"garbage")
    elif damage == "passages":
        (folder / f"passages-{gen}.jsonl").unlink()
    elif damage == "sentences":
        (folder / f"sentences-{gen}.npz").write_bytes(b"PK\x03\x04 truncated")
    elif damage == "texts":
        (folder / f"texts-{gen}.zip").unlink()
    else:
        with open(folder / f"passages-{gen}.jsonl", "a") as f:
            f.write('{"source": "x", "start": 0, "end": 1, "text": "x", "page": null}\n')
    with pytest.raises(IndexMissing, match="--rebuild"):
        index.load(settings)


def test_a_write_killed_half_way_leaves_the_old_index_usable(settings, embedder, project, monkeypatch):
    index.update(settings, embedder=embedder)
    before = index.load(settings)
    real_replace = segments.os.replace

    def die_at_manifest(src, dst):
        if str(dst).endswith("manifest.json"):
            raise KeyboardInterrupt  # killed between the data files and the manifest
        return real_replace(src, dst)

    monkeypatch.setattr(segments.os, "replace", die_at_manifest)
    (project / "docs" / "serval.txt").write_text("Completely different content now.")
    with pytest.raises(KeyboardInterrupt):
        index.update(settings, embedder=embedder)
    monkeypatch.undo()
    after = index.load(settings)
    assert [p.text for p in passages(after)] == [p.text for p in passages(before)]
    index.update(settings, embedder=embedder)  # the next run cleans up and catches up
    assert any("Completely different" in p.text for p in passages(index.load(settings)))
    assert not [f.name for f in settings.index_path.iterdir() if ".tmp-" in f.name]
    live = {f"vectors-{s['id']}.faiss" for s in manifest(settings)["segments"]}
    assert {f.name for f in settings.index_path.glob("vectors-*")} == live  # the killed one's are gone


def test_stale_sources_sees_changed_and_vanished_files(settings, embedder, project):
    index.update(settings, embedder=embedder)
    idx = index.load(settings)
    assert index.stale_sources(idx, settings) == []
    (project / "docs" / "serval.txt").write_text("Changed.")
    (project / "docs" / "junta.md").unlink()
    assert sorted(index.stale_sources(idx, settings)) == ["docs/junta.md", "docs/serval.txt"]


# --- change detection, staleness and the texts the index keeps (no model: HashEmbedder) --------------
def quiet_update(settings, paths=None):
    return index.update(settings, paths, embedder=HashEmbedder(), log=lambda m: None)


def no_hashing(*args):
    raise AssertionError("hashed a file whose stat had not moved")


def test_a_same_size_edit_with_the_old_mtime_restored_is_noticed(settings, project, monkeypatch):
    """`cp -p` and `rsync -t` keep the size and restore the mtime; ctime still moves."""
    monkeypatch.setattr(ondisk, "RACY_NS", 0)  # trust every stat: the ctime rule alone is tested
    quiet_update(settings)
    path = project / "docs" / "serval.txt"
    before = path.stat()
    path.write_text(path.read_text().replace("2014", "2015"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert index.staleness(index.load(settings), settings).changed == ("docs/serval.txt",)
    assert quiet_update(settings).changed == ["docs/serval.txt"]
    assert "2015" in index.indexed_text(index.load(settings), "docs/serval.txt")


def test_an_unchanged_file_costs_a_stat_and_a_touched_one_a_hash_once(settings, project, monkeypatch):
    monkeypatch.setattr(ondisk, "RACY_NS", 0)
    quiet_update(settings)
    monkeypatch.setattr(ingest, "file_sha256", no_hashing)
    store = index.load(settings)
    assert len(index.staleness(store, settings)) == 0  # stat only
    monkeypatch.undo()
    monkeypatch.setattr(ondisk, "RACY_NS", 0)
    path = project / "docs" / "junta.md"
    path.write_text(path.read_text())  # touched, same content: hashed ...
    report = quiet_update(settings)
    assert not report.touched and report.unchanged == sorted(index.load(settings).sources())
    recorded = index.load(settings).sources()["docs/junta.md"]
    assert recorded["mtime_ns"] == path.stat().st_mtime_ns  # ... and its new stat recorded
    monkeypatch.setattr(ingest, "file_sha256", no_hashing)
    assert len(index.staleness(index.load(settings), settings)) == 0  # a stat again


def test_a_stat_taken_right_after_a_change_is_not_trusted(settings, project):
    """A file changed within RACY_NS of being indexed may change again within the same clock
    tick: its ctime is not recorded, so the next check hashes it."""
    path = project / "docs" / "serval.txt"
    path.write_text(path.read_text())
    quiet_update(settings)
    assert index.load(settings).sources()["docs/serval.txt"]["ctime_ns"] is None


def test_staleness_reads_and_never_writes(settings, project):
    quiet_update(settings)
    folder = settings.index_path
    before = {f.name: f.read_bytes() for f in folder.iterdir() if f.is_file()}
    (project / "docs" / "junta.md").unlink()
    (project / "docs" / "serval.txt").write_text("Changed.")
    store = index.load(settings)
    stale = index.staleness(store, settings)
    assert stale.missing == ("docs/junta.md",) and stale.changed == ("docs/serval.txt",)
    assert stale.note() == (
        "2 indexed documents are missing or changed on disk: run `assistant index` to update"
    )
    assert {f.name: f.read_bytes() for f in folder.iterdir() if f.is_file()} == before
    assert "docs/junta.md" in store.sources() and "Goita" in index.indexed_text(store, "docs/junta.md")
    assert index.file_text(settings, "docs/junta.md") is None
    assert index.file_text(settings, "docs/serval.txt") == "Changed."


def test_the_index_keeps_the_text_every_citation_indexes(settings, project):
    """For every format, the text the index holds is the text the file gives (what passages'
    offsets index), page by page; a document the index does not hold has none."""
    quiet_update(settings)
    store = index.load(settings)
    for source in store.sources():
        for p in store.passages_of(source):
            text = index.indexed_text(store, source, p.page)
            assert text == ingest.document_text(project / source, p.page)
            assert text == index.file_text(settings, source, p.page)
            assert text[p.start : p.end] == p.text
    assert index.indexed_text(store, "docs/un.pdf", 2).startswith("Wagner Group")
    assert index.indexed_text(store, "docs/un.pdf", 9) is None
    assert index.indexed_text(store, "nope.txt") is None
