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
    import numpy as np

    pools = []
    for source in sources:
        cands = candidates(store, source)
        if cands:
            pools.append(dict(zip(range(len(cands)), zip(cands, centrality(cands).tolist()))))
    places = {c.passage for pool in pools for c, _ in pool.values()}
    cap = max(PER_PASSAGE, -(-k // max(1, len(places))))  # a short document has few passages
    chosen: list[tuple[int, Candidate]] = []
    while len(chosen) < k and any(pools):
        for d, pool in enumerate(pools):
            if len(chosen) >= k:
                break
            taken = [c for _, c in chosen]
            best = _next(pool, taken, cap, np)
            if best is None:
                pool.clear()
                continue
            chosen.append((d, pool.pop(best)[0]))
    chosen.sort(key=lambda dc: (dc[0], dc[1].order))
    return [c.sentence for _, c in chosen]


def _next(pool: dict, taken: list[Candidate], cap: int, np) -> int | None:
    """The pool's candidate with the best marginal relevance against `taken`; None when every
    one left repeats a taken sentence or its passage has given `cap` already."""
    per_passage: dict[tuple, int] = {}
    for c in taken:
        per_passage[c.passage] = per_passage.get(c.passage, 0) + 1
    best, best_score = None, -np.inf
    for i, (c, central) in pool.items():
        if per_passage.get(c.passage, 0) >= cap:
            continue
        if any(similarity(c.sentence.text, t.sentence.text) >= DUPLICATE for t in taken):
            continue
        near = max((float(np.dot(c.vector, t.vector)) for t in taken), default=0.0)
        score = MMR_LAMBDA * central - (1 - MMR_LAMBDA) * near
        if score > best_score:
            best, best_score = i, score
    return best
