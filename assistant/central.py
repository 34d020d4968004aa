"""The sentences that say most of what a document says: chosen from the sentence vectors the
index already holds, with no model call. Summaries (summarize.py) and suggested questions
(suggest.py) are written from them.

    picked = central_sentences(store, ["seeds/001_0c2ad8eadeb24f7d.txt"], k=6)
    [s.text for s in picked]   # six sentences of the document, in document order

A sentence is central when its vector is close to the mean of its document's sentence vectors
(the document's centroid: what most of its sentences are about). Sentences are then taken by maximal marginal
relevance (Carbonell and Goldstein, SIGIR 1998): each next one is central but unlike those
already taken, at most `PER_PASSAGE` from one passage, so the picks spread over the document.
Several documents take turns, so each gets its share. What may never be a source is left out:
page debris and headings (too short), run-on text (too long), questions, sentences that lean on
the one before ("It will continue..."), and every sentence the
instruction detector flags (`guard.untrusted`) with its neighbours, as for answers' evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import guard
from .ingest import sentences
from .retrieve import _LEANS_BACK, MAX_SENTENCE_CHARS
from .text import similarity
from .types import Passage

MIN_CHARS = 40  # shorter: a heading, a caption or page debris ("Full Screen", "In the news")
MIN_WORDS = 9  # fewer: rarely a statement that stands alone ("Second, growing tensions.")
MMR_LAMBDA = 0.7  # centrality against novelty; 0.7 is the usual weight for extractive summaries
PER_PASSAGE = 2  # sentences from one passage (~600 characters), more only when it has few
DUPLICATE = 0.6  # sentences sharing this share of word 3-grams say the same (repeated paragraphs)


@dataclass(frozen=True)
class Candidate:
    sentence: Passage  # an exact span of its document
    vector: object  # its stored unit vector
    passage: tuple  # the key of the passage it was read from (where it sits)
    order: int  # its position in its document


def candidates(store, source: str) -> list[Candidate]:
    """Every sentence of `source` that may be a key point's source, in document order."""
    seen: set[tuple] = set()
    found: list[Candidate] = []
    places: list[tuple] = []
    for p in store.passages_of(source):
        vectors = store.sentence_vectors_of(p)
        for j, s in enumerate(sentences(p)):
            key = (s.page, s.start, s.end)
            if key in seen or vectors is None or j >= len(vectors):
                continue  # a sentence repeated by the passages' overlap is taken once
            seen.add(key)
            found.append(Candidate(s, vectors[j], p.key, len(found)))
            places.append((p.key, j))
    if not found:
        return []
    bad = guard.untrusted([c.sentence.text for c in found], [c.vector for c in found], places)
    return [c for i, c in enumerate(found) if i not in bad and usable(c.sentence.text)]


def usable(text: str) -> bool:
    """A sentence that can stand as a key point's source.

    >>> usable("Operation Serval was transformed to Operation Barkhane in August 2014.")
    True
    >>> usable("In the news"), usable("Why did France leave Mali after nine years of war there?")
    (False, False)
    >>> usable("It will continue with the consent of the region's countries and its partners.")
    False
    """
    flat = " ".join(text.split())
    if not MIN_CHARS <= len(flat) <= MAX_SENTENCE_CHARS or len(flat.split()) < MIN_WORDS:
        return False
    return not flat.rstrip("\"'”’)").endswith("?") and not flat.lower().startswith(_LEANS_BACK)


def centrality(cands: list[Candidate]):
    """Each candidate's cosine to its document's centroid (the mean of its sentence vectors)."""
    import numpy as np

    vectors = np.stack([np.asarray(c.vector, dtype="float32") for c in cands])
    centroid = vectors.mean(axis=0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-9)
    return vectors @ centroid


def central_sentences(store, sources: list[str], k: int) -> list[Passage]:
    """Up to `k` central, mutually different sentences of `sources` (each document in turn),
    in the order of `sources`, then of the text."""
    pools = [_Pool(cands) for cands in (candidates(store, s) for s in sources) if cands]
    places = {c.passage for pool in pools for c in pool.cands}
    cap = max(PER_PASSAGE, -(-k // max(1, len(places))))  # a short document has few passages
    chosen: list[tuple[int, Candidate]] = []
    while len(chosen) < k and any(pool.left for pool in pools):
        for d, pool in enumerate(pools):
            if len(chosen) < k and pool.left:
                best = pool.take([c for _, c in chosen], cap)
                if best is not None:
                    chosen.append((d, best))
    chosen.sort(key=lambda dc: (dc[0], dc[1].order))
    return [c.sentence for _, c in chosen]


class _Pool:
    """One document's candidates, their vectors and centrality, and which are left."""

    def __init__(self, cands: list[Candidate]):
        import numpy as np

        self.cands = cands
        self.vectors = np.stack([np.asarray(c.vector, dtype="float32") for c in cands])
        self.central = centrality(cands)
        self.alive = np.ones(len(cands), dtype=bool)

    @property
    def left(self) -> bool:
        return bool(self.alive.any())

    def take(self, taken: list[Candidate], cap: int) -> Candidate | None:
        """The candidate of best marginal relevance against `taken` (removed from the pool),
        skipping those that repeat a taken sentence or whose passage has given `cap`; None,
        and the pool emptied, when none is left."""
        import numpy as np

        near = np.zeros(len(self.cands), dtype="float32")
        if taken:
            near = (self.vectors @ np.stack([np.asarray(t.vector, dtype="float32") for t in taken]).T).max(
                axis=1
            )
        score = np.where(self.alive, MMR_LAMBDA * self.central - (1 - MMR_LAMBDA) * near, -np.inf)
        per_passage: dict[tuple, int] = {}
        for t in taken:
            per_passage[t.passage] = per_passage.get(t.passage, 0) + 1
        for i in np.argsort(-score, kind="stable"):
            if not self.alive[i]:
                break
            c = self.cands[i]
            self.alive[i] = False  # taken now, or never: a repeat, or its passage is full
            full = per_passage.get(c.passage, 0) >= cap
            if not full and not any(similarity(c.sentence.text, t.sentence.text) >= DUPLICATE for t in taken):
                return c
        return None
