"""Dense + BM25 retrieval over a real folder store (FAISS, bm25s) with the real small embedder."""

import pytest

from assistant import index
from assistant.retrieve import Retriever


@pytest.fixture
def retriever(settings, embedder, project):
    repeated = (
        "Mali's coup leaders ordered France's ambassador to leave the country this week. "
        "The move is the latest episode in a growing diplomatic crisis.\n"
    )
    (project / "docs" / "dup.txt").write_text(repeated * 2 + "Denmark withdrew its soldiers.\n")
    (project / "docs" / "dup2.txt").write_text(repeated)
    index.update(settings, embedder=embedder)
    return Retriever(index.load(settings), embedder, settings)


def test_keyword_retrieval_finds_exact_numbers(retriever):
    hits = retriever.search("2,400 troops", k=3)
    assert "2,400" in hits[0].passage.text and hits[0].keyword > 0


def test_dense_retrieval_finds_paraphrases(retriever):
    hits = retriever.search("Which peacekeeping force of the United Nations departed?", k=2)
    assert any("Minusma" in h.passage.text for h in hits)


def test_near_duplicate_passages_are_collapsed(retriever):
    hits = retriever.search("ambassador ordered to leave", k=5)
    ambassador = [h for h in hits if "ambassador" in h.passage.text]
    assert len(ambassador) == 1


def test_evidence_is_narrow_exact_and_numbered(retriever, settings):
    q = "When was Operation Serval transformed into Barkhane?"
    hits = retriever.search(q, k=4)
    evidence = retriever.evidence(q, hits)
    assert [e.n for e in evidence] == list(range(1, len(evidence) + 1))
    assert len(evidence) <= settings.top_k
    assert sum(len(e.passage.text) for e in evidence) <= settings.evidence_chars * 1.5
    assert "August 2014" in evidence[0].passage.text
    for e in evidence:
        p = e.passage
        if p.page is None:
            raw = open(settings.root / p.source, encoding="utf-8", newline="").read()
            assert raw[p.start : p.end] == p.text


def test_empty_index_returns_nothing(settings, embedder, tmp_path):
    empty = settings.with_(index_dir=tmp_path / "empty", seeds_dir=tmp_path / "none")
    (tmp_path / "none").mkdir()
    index.update(empty, embedder=embedder)
    assert Retriever(index.load(empty), embedder, empty).search("anything") == []


def test_evidence_reads_sentence_vectors_from_the_index(settings, counting_embedder, project):
    index.update(settings, embedder=counting_embedder)
    stored = Retriever(index.load(settings), counting_embedder, settings)
    q = "When was Operation Serval transformed into Barkhane?"
    hits = stored.search(q, k=4)
    counting_embedder.calls.clear()
    from_index = stored.evidence(q, hits)
    assert counting_embedder.calls == [[q]]  # the question only: no sentence is embedded

    # The same hits from passages the index does not hold: their sentences are embedded now,
    # and the evidence is the same.
    bare = WithoutSentenceVectors(index.load(settings))
    counting_embedder.calls.clear()
    fresh = Retriever(bare, counting_embedder, settings).evidence(q, hits)
    assert len(counting_embedder.calls) == 2
    assert [e.passage for e in fresh] == [e.passage for e in from_index]


class WithoutSentenceVectors:
    """A store that holds the passages but none of their sentence vectors."""

    def __init__(self, store):
        self.store = store

    def __getattr__(self, name):
        return getattr(self.store, name)

    def sentence_vectors_of(self, passage):
        return None


def test_a_sentence_without_full_stops_cannot_overflow_the_prompt(settings, embedder, project):
    """Meeting minutes in lower case, 9,000 characters with no sentence break: the evidence is
    cut into exact pieces within the budget, so the prompt stays bounded."""
    from assistant.retrieve import MAX_SENTENCE_CHARS

    line = "the committee discussed the gao base budget and the wells"
    words = " ".join(f"item {i} {line}" for i in range(140))
    (project / "docs" / "minutes.txt").write_text(words, encoding="utf-8")
    index.update(settings, embedder=embedder, log=lambda m: None)
    r = Retriever(index.load(settings), embedder, settings)
    q = "What did the committee discuss about the Gao base budget?"
    hits = r.search(q, k=4)
    ev = r.evidence(q, hits)
    text = (project / "docs" / "minutes.txt").read_text(encoding="utf-8")
    assert ev and sum(len(e.passage.text) for e in ev) <= settings.evidence_chars * 1.15 + MAX_SENTENCE_CHARS
    for e in ev:
        if e.passage.source.endswith("minutes.txt"):
            assert text[e.passage.start : e.passage.end] == e.passage.text
