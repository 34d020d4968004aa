"""The behaviour every `Store` must show, written once (as haystack's testing/document_store.py).

A backend's test module subclasses `StoreContract` and provides one fixture, `store`: an empty
store of that kind. Everything here goes through the `Store` Protocol alone, so the folder store
and PostgreSQL are held to the same rules: what goes in comes back exactly; searches rank the
same data the same way (dense: exact inner product on a small collection; keywords: the BM25 of
`bm25_reference` below); one write is one atomic change; a search can be limited to documents.

    class TestFolderStore(StoreContract):
        @pytest.fixture
        def store(self, tmp_path):
            return FolderStore(tmp_path / "index")
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from assistant.ingest import sentences
from assistant.stores import BM25_B, BM25_K1, SourceData, Store, bm25_tokens
from assistant.text import terms
from assistant.types import Passage

DIM = 8
FINGERPRINT = {"format": 3, "embedder": "test", "chunk_chars": 600, "chunk_overlap": 1}


def unit(n: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, DIM)).astype("float32")
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def document(source: str, texts: list[str], seed: int, page: int | None = None) -> SourceData:
    """One document: its passages cut from one page text (offsets index it), random unit
    vectors, a random vector per sentence, and meta with a made-up sha256."""
    text = "\n".join(texts)
    passages, at = [], 0
    for t in texts:
        passages.append(Passage(source, at, at + len(t), t, page))
        at += len(t) + 1
    sents = [unit(len(sentences(p)), seed * 100 + i) for i, p in enumerate(passages)]
    meta = {"sha256": f"{seed:064x}", "passages": len(passages), "title": source}
    return SourceData(source, meta, passages, unit(len(texts), seed), sents, ((page, text),))


def write(store: Store, *data: SourceData, removed=(), files=None) -> None:
    files = files if files is not None else {d.source: d.meta for d in data}
    with store.writing():
        store.write(FINGERPRINT, list(data), list(removed), files)


def held(store: Store) -> list[Passage]:
    return [p for source in sorted(store.sources()) for p in store.passages_of(source)]


def bm25_reference(passages: list[Passage], query: str) -> list[tuple[Passage, float]]:
    """BM25 as the Store contract defines it (Lucene's idf, bm25s's "lucene" method), written
    out plainly: the ranking every store's keyword_search must give. Ties keep write order."""
    docs = [Counter(bm25_tokens(p.text)) for p in passages]
    n, avgdl = len(docs), sum(sum(d.values()) for d in docs) / max(1, len(docs))
    df = Counter(t for d in docs for t in d)
    scores = []
    for d in docs:
        length, score = sum(d.values()), 0.0
        for t in terms(query):
            if d[t]:
                idf = math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
                score += idf * d[t] / (d[t] + BM25_K1 * (1 - BM25_B + BM25_B * length / avgdl))
        scores.append(score)
    order = sorted(range(n), key=lambda i: -scores[i])
    return [(passages[i], scores[i]) for i in order if scores[i] > 0]


def assert_same_ranking(got: list, want: list, rel: float = 1e-5) -> None:
    """The same scores in the same order, and the same passages except where two scores tie
    (float32 or float64 arithmetic may order a tie either way)."""
    assert len(got) == len(want)
    assert [s for _, s in got] == pytest.approx([s for _, s in want], rel=rel)
    for (p, score), (q, _) in zip(got, want):
        tied = {x for x, s in want if s == pytest.approx(score, rel=rel)}
        assert p == q or p in tied, (p, q)


CORPUS = {
    "mali.txt": [
        "Operation Serval began in January 2013 when France sent troops to Mali.",
        "Serval became Operation Barkhane in August 2014; Barkhane covered five countries.",
        "The junta postponed the vote, and ECOWAS answered with sanctions on Mali.",
    ],
    "niger.txt": [
        "Niger expelled French troops in 2023 after its own coup.",
        "Troops, troops and more troops: the Sahel saw foreign troops for a decade.",
    ],
    "notes.txt": [
        "Barkhane ended in November 2022.",
        "A short note on nothing in particular.",
        "The of and",  # stop words only: no BM25 tokens but the placeholder
    ],
}


class StoreContract:
    """Behaviour tests every store passes; subclasses provide the `store` fixture."""

    @pytest.fixture
    def store(self) -> Store:
        raise NotImplementedError("a backend's test class provides an empty store")

    @pytest.fixture
    def filled(self, store) -> tuple[Store, list[SourceData]]:
        data = [document(s, texts, seed) for seed, (s, texts) in enumerate(CORPUS.items(), start=1)]
        write(store, *data)
        return store, data

    # --- empty, and what goes in comes back ------------------------------------------------------
    def test_conforms_and_starts_empty(self, store):
        assert isinstance(store, Store)
        assert store.manifest() is None and store.sources() == {} and store.count() == 0
        assert store.dense_search(unit(1, 0)[0], 5) == [] and store.keyword_search("Mali", 5) == []
        assert store.passages_of("a.txt") == [] and store.document_text("a.txt") is None

    def test_passages_vectors_and_sentence_vectors_come_back_exactly(self, store):
        texts = ["Serval became\r\nBarkhane in 2014. It ended.", "Ségou — 🙂 ‘quotes’\ttab  ", "\n\nlast"]
        a = document("docs/a.txt", texts, seed=1)
        b = document("docs/b.pdf", ["Page three text."], seed=2, page=3)
        write(store, a, b)
        assert store.passages_of("docs/a.txt") == a.passages  # text, offsets, page None as given
        assert store.passages_of("docs/b.pdf") == b.passages and store.passages_of("nowhere") == []
        got = store.vectors_of([b.passages[0], Passage("nowhere", 0, 1, "x"), a.passages[2]])
        assert np.array_equal(got[0], b.vectors[0]) and np.array_equal(got[2], a.vectors[2])
        assert not got[1].any()  # not held: zeros
        for i, p in enumerate(a.passages):
            assert np.array_equal(store.sentence_vectors_of(p), a.sentence_vectors[i])
        assert store.sentence_vectors_of(Passage("docs/a.txt", 0, 5, "Serva")) is None
        assert store.count() == 4

    def test_sources_and_manifest(self, filled):
        store, data = filled
        assert store.sources() == {d.source: d.meta for d in data}
        m = store.manifest()
        assert (m["format"], m["settings"], m["dimension"]) == (3, FINGERPRINT, DIM)
        assert m["files"] == store.sources() and store.count() == sum(len(d.passages) for d in data)

    def test_passages_of_a_document_come_in_document_order(self, store):
        texts = [f"Passage {i} of the long report." for i in range(30)]
        write(store, document("long.txt", texts, seed=5), document("other.txt", ["Other."], seed=6))
        assert [p.text for p in store.passages_of("long.txt")] == texts

    def test_the_page_texts_and_sha256_are_kept(self, store):
        """Each document's text as read (what offsets index) and its sha256: quotes are checked
        and documents shown without the files."""
        a = document("docs/a.txt", ["Gao lies on the Niger.", "Kidal is north."], seed=1)
        pdf = SourceData(
            "docs/r.pdf", {"sha256": "f" * 64, "passages": 0}, [], np.zeros((0, DIM), "float32"), [],
            ((1, "Page one."), (2, "Page two: 🙂\r\n")),
        )  # fmt: skip
        write(store, a, pdf)
        assert store.document_text("docs/a.txt") == "Gao lies on the Niger.\nKidal is north."
        for p in a.passages:
            assert store.document_text(p.source, p.page)[p.start : p.end] == p.text
        assert store.document_text("docs/r.pdf", 2) == "Page two: 🙂\r\n"
        assert store.document_text("docs/r.pdf", 3) is None and store.document_text("docs/r.pdf") is None
        assert store.document_text("nowhere.txt") is None
        assert store.sources()["docs/a.txt"]["sha256"] == a.meta["sha256"]

    # --- searches ------------------------------------------------------------------------------------
    def test_dense_search_is_exact_inner_product_order(self, filled):
        store, _ = filled
        passages = held(store)
        vectors = store.vectors_of(passages)
        for seed in range(5):
            q = unit(1, 100 + seed)[0]
            hits = store.dense_search(q, 4)
            want = np.argsort(-(vectors @ q), kind="stable")[:4]
            assert [p for p, _ in hits] == [passages[i] for i in want]
            assert [s for _, s in hits] == pytest.approx([float(vectors[i] @ q) for i in want], abs=1e-5)
        assert len(store.dense_search(q, 100)) == len(passages) and store.dense_search(q, 0) == []

    def test_keyword_search_ranks_by_bm25(self, filled):
        """The same BM25 in every store: the reference ranking, scores within float32 rounding."""
        store, _ = filled
        passages = held(store)
        for query in ["When did Operation Serval become Barkhane?", "French troops", "troops Mali 2013"]:
            assert_same_ranking(store.keyword_search(query, 10), bm25_reference(passages, query)[:10])
        best = bm25_reference(passages, "Barkhane")[0][0]
        assert [p for p, _ in store.keyword_search("Barkhane", 1)] == [best]

    def test_keyword_search_ranks_a_larger_collection_by_bm25(self, store):
        """300 passages over a small vocabulary (every query word is in many passages, so many
        scores are close): the reference ranking, whole and within documents."""
        rng = np.random.default_rng(3)
        vocab = [
            f"{a}{b}" for a in ("gao", "kidal", "mopti", "segou") for b in ("ra", "na", "ti", "ko", "lu")
        ]
        weights = 1 / np.arange(1, len(vocab) + 1)
        data = []
        for d in range(6):  # sources in sorted order: the reference's order of ties is write order
            texts = [" ".join(rng.choice(vocab, size=rng.integers(3, 30), p=weights / weights.sum())) + "."
                     for _ in range(50)]  # fmt: skip
            data.append(document(f"doc{d}.txt", texts, seed=20 + d))
        write(store, *data)
        passages = held(store)
        for _ in range(8):
            query = " ".join(rng.choice(vocab, size=rng.integers(1, 6)))
            assert_same_ranking(store.keyword_search(query, 10), bm25_reference(passages, query)[:10])
            within = {"doc1.txt", "doc4.txt"}
            want = [(p, s) for p, s in bm25_reference(passages, query) if p.source in within][:10]
            assert_same_ranking(store.keyword_search(query, 10, within), want)

    def test_keyword_search_stems_ors_and_ignores_stop_words(self, filled):
        store, _ = filled
        assert store.keyword_search("postponing votes", 5)[0][0].text == CORPUS["mali.txt"][2]
        hits = store.keyword_search("sanctions zebra", 5)  # any word, not all
        assert [p.text for p, _ in hits] == [CORPUS["mali.txt"][2]] and hits[0][1] > 0
        assert store.keyword_search("the of and", 5) == [] and store.keyword_search("zzz", 5) == []
        assert store.keyword_search("troops", 0) == [] and store.keyword_search("", 5) == []

    def test_searches_within_sources(self, filled):
        """A search limited to documents ranks their passages as the whole search would, with
        the others left out (BM25's statistics stay the collection's)."""
        store, _ = filled
        q = unit(1, 7)[0]
        for within in ({"niger.txt"}, {"mali.txt", "notes.txt"}):
            dense = [(p, s) for p, s in store.dense_search(q, 100) if p.source in within]
            assert [p for p, _ in store.dense_search(q, 2, within)] == [p for p, _ in dense[:2]]
            keyword = [(p, s) for p, s in store.keyword_search("troops Barkhane", 100) if p.source in within]
            got = store.keyword_search("troops Barkhane", 10, within)
            assert [p for p, _ in got] == [p for p, _ in keyword]
            assert [s for _, s in got] == pytest.approx([s for _, s in keyword], rel=1e-5)
        assert store.dense_search(q, 5, set()) == [] and store.keyword_search("troops", 5, ["nowhere"]) == []

    # --- writes ---------------------------------------------------------------------------------------
    def test_one_write_replaces_and_removes(self, filled):
        store, data = filled
        new = document("mali.txt", ["Mali now: one passage about troops."], seed=9)
        extra = document("extra.txt", ["An extra document."], seed=10)
        files = {"mali.txt": new.meta, "extra.txt": extra.meta, "notes.txt": data[2].meta}
        write(store, new, extra, removed=["niger.txt"], files=files)
        assert store.sources() == files and store.count() == 1 + 1 + 3
        assert store.passages_of("mali.txt") == new.passages and store.passages_of("niger.txt") == []
        assert store.document_text("mali.txt") == new.pages[0][1] and store.document_text("niger.txt") is None
        assert {p.source for p, _ in store.keyword_search("troops", 10)} == {"mali.txt"}
        passages = held(store)
        assert [p for p, _ in store.keyword_search("troops Barkhane", 10)] == [
            p for p, _ in bm25_reference(passages, "troops Barkhane")
        ]  # the statistics follow the write
        assert {p.source for p, _ in store.dense_search(unit(1, 3)[0], 100)} == set(files)
        write(store, removed=list(files), files={})
        assert store.count() == 0 and store.sources() == {} and store.keyword_search("troops", 5) == []

    def test_a_write_of_unchanged_files_meta_alone(self, filled):
        store, data = filled
        files = {d.source: {**d.meta, "mtime_ns": 5} for d in data}
        write(store, files=files)
        assert store.sources() == files and held(store) == [p for d in data for p in d.passages]

    def test_a_failed_write_leaves_the_old_state(self, filled):
        store, data = filled
        before = (store.sources(), held(store), store.document_text("mali.txt"))
        good = document("mali.txt", ["Replaced."], seed=11)
        broken = SourceData("b.txt", {"sha256": "b"}, [Passage("b.txt", 0, 1, "b")] * 2, unit(1, 12))
        with pytest.raises(Exception):  # noqa: B017  (each store fails in its own way)
            write(store, good, broken, files={"mali.txt": good.meta, "b.txt": broken.meta})
        assert (store.sources(), held(store), store.document_text("mali.txt")) == before
        write(store, good, files={**before[0], "mali.txt": good.meta})  # usable again
        assert store.passages_of("mali.txt") == good.passages
