"""Question -> ranked hits (dense + BM25, fused) -> the few sentences worth showing the model.

Dense retrieval finds paraphrases; BM25 finds names, numbers and dates the embedding misses.
The two rankings are merged by reciprocal-rank fusion, near-duplicate passages are collapsed
(a repeated paragraph would otherwise crowd out other evidence), and the best sentences of the
top passages become the numbered evidence. First-token time grows with prompt length, so the
model sees sentences that matter, not whole passages.
"""

from __future__ import annotations

import re

from . import guard
from .config import Settings
from .ingest import sentences
from .text import similarity, terms
from .types import Evidence, Hit, Passage

# Sentences that open with these lean on the sentence before; show both.
_LEANS_BACK = (
    "he ",
    "she ",
    "it ",
    "they ",
    "this ",
    "these ",
    "that ",
    "those ",
    "his ",
    "her ",
    "its ",
    "their ",
    "the move",
    "the decision",
    "however",
    "but ",
)


class Retriever:
    """Ranks passages of a `Store` (index.open_store) for a question. Only the store's ranked
    lists and vectors are read: fusion and collapse happen here, the same for every store."""

    def __init__(self, index, embedder, settings: Settings):
        self.index, self.embedder, self.settings = index, embedder, settings

    def bm25(self) -> None:
        """Build the keyword index now rather than at the first question (the folder store
        builds its BM25 in memory on first use)."""
        self.index.keyword_search("warm up", 1)

    def search(self, query: str, k: int | None = None, qvec=None, sources=None) -> list[Hit]:
        """The best `k` distinct passages for `query`, best first; with `sources` (indexed
        source names), only passages of those documents."""
        store = self.index
        if not store.count():
            return []
        k = k or self.settings.top_k
        if qvec is None:
            qvec = self.embedder.embed_query(query)
        dense, keyword = self._candidates(query, qvec, frozenset(sources) if sources else None)
        fused: dict[tuple, float] = {}
        passage_of: dict[tuple, Passage] = {}
        for ranking in (dense, keyword):
            for r, (p, _) in enumerate(ranking):
                fused[p.key] = fused.get(p.key, 0.0) + 1.0 / (self.settings.rrf_k + r + 1)
                passage_of.setdefault(p.key, p)
        keyword_score = {p.key: s for p, s in keyword}
        order = sorted(fused, key=lambda key: -fused[key])
        vectors = store.vectors_of([passage_of[key] for key in order])  # the cosine of every hit
        hits: list[Hit] = []
        for key, vector in zip(order, vectors):
            p = passage_of[key]
            if any(similarity(p.text, h.passage.text) >= self.settings.duplicate_similarity for h in hits):
                continue
            hits.append(Hit(p, fused[key], float(vector @ qvec), keyword_score.get(key, 0.0)))
            if len(hits) >= k:
                break
        return hits

    def _candidates(self, query: str, qvec, sources: frozenset | None):
        """The dense and keyword rankings, `settings.candidates` long; within `sources`, the
        store ranks only those documents' passages."""
        want = self.settings.candidates
        return (
            self.index.dense_search(qvec, want, sources),
            self.index.keyword_search(query, want, sources),
        )

    def evidence(self, query: str, hits: list[Hit], qvec=None, top_k: int | None = None) -> list[Evidence]:
        """Pick the sentences of `hits` that best answer `query`, within the prompt budget."""
        cands = _candidate_sentences(hits)
        if not cands:
            return []
        if qvec is None:
            qvec = self.embedder.embed_query(query)
        vecs = self.sentence_vectors(cands)
        cands, vecs = _trusted(cands, vecs)
        if not cands:
            return []
        cosine = [float(v @ qvec) for v in vecs]
        words_of = [set(terms(s.text)) for _, _, s, _ in cands]  # stemmed once, scored per part

        def scored(words: set) -> list[float]:
            w = self.settings.keyword_weight
            return [
                c + w * len(words & have) / max(1, len(words)) - 0.01 * rank
                for c, have, (rank, _, _, _) in zip(cosine, words_of, cands)
            ]

        scores = scored(set(terms(query)))
        # A question in parts ("Who was ousted, and which colonel seized power?") gets the best
        # sentence for each part first, so that no part is left without evidence.
        parts = [set(terms(p)) for p in question_parts(query)]
        first = (
            [max(range(len(cands)), key=s.__getitem__) for s in map(scored, parts)] if len(parts) > 1 else []
        )
        return _pack(cands, scores, self.settings, top_k or self.settings.top_k, first)

    def sentence_vectors(self, cands):
        """The candidates' sentence vectors, read from the index (stored at indexing time);
        a sentence of a passage the index does not hold is embedded now."""
        import numpy as np

        out: list = []  # a vector per candidate; None until found
        for _, j, _, passage in cands:
            stored = self.index.sentence_vectors_of(passage)
            out.append(stored[j] if stored is not None and j < len(stored) else None)
        missing = [i for i, v in enumerate(out) if v is None]
        if missing:
            for i, v in zip(missing, self.embedder.embed([cands[i][2].text for i in missing])):
                out[i] = v
        return np.stack(out)


def _candidate_sentences(hits: list[Hit]) -> list[tuple[int, int, Passage, Passage]]:
    """(hit rank, sentence number, sentence, its passage) for every distinct sentence; page
    debris ("Full Screen", "1 / 5") left out."""
    seen, out = set(), []
    for rank, h in enumerate(hits):
        for j, sent in enumerate(sentences(h.passage)):
            key = (sent.source, sent.page, sent.start)
            if key in seen or len(sent.text) < 20:
                continue
            seen.add(key)
            out += [(rank, j, piece, h.passage) for piece in windows(sent, MAX_SENTENCE_CHARS)]
    return out


def _trusted(cands, vecs):
    """The candidates that may be evidence, with their vectors: documents are data, so a
    sentence that instructs the assistant or the reader (`guard.untrusted`, which sees the
    sentence's stored vector) is never evidence, nor are its neighbours in its passage."""
    bad = guard.untrusted([c[2].text for c in cands], vecs, [(c[3].key, c[1]) for c in cands])
    keep = [i for i in range(len(cands)) if i not in bad]
    return [cands[i] for i in keep], vecs[keep]


MAX_SENTENCE_CHARS = 400  # a longer "sentence" (minutes with no full stops) is shown in pieces


def windows(sent: Passage, size: int) -> list[Passage]:
    """`sent` cut at spaces into exact sub-spans of at most `size` characters (one span when it
    is short), so that no sentence can overflow the prompt.

    >>> [p.text for p in windows(Passage("a.txt", 10, 33, "one two three four five"), 10)]
    ['one two', 'three four', 'five']
    >>> windows(Passage("a.txt", 0, 5, "short"), 10)[0].start
    0
    """
    text, out, start = sent.text, [], 0
    while start < len(text):
        while start < len(text) and text[start].isspace():
            start += 1
        end = len(text) if len(text) - start <= size else (text.rfind(" ", start, start + size + 1))
        if end <= start:  # one word longer than the window: cut it
            end = start + size
        piece = text[start:end]
        lead = len(piece) - len(piece.lstrip())
        piece = piece.strip()
        if piece:
            s = sent.start + start + lead
            out.append(Passage(sent.source, s, s + len(piece), piece, sent.page))
        start = end
    return out


_PART = re.compile(
    r"\?\s+(?=\S)|[,;]?\s+and\s+(?=(who|what|when|where|which|how|why|whom|whose|did|does|do|is|are|was|were)\b)",
    re.IGNORECASE,
)


def question_parts(question: str) -> list[str]:
    """The parts of a question that asks several things; one part for a simple question.

    >>> question_parts("Which president was ousted in 2020, and which colonel seized power?")
    ['Which president was ousted in 2020', 'which colonel seized power?']
    >>> question_parts("Who leads Mali and Burkina Faso?")
    ['Who leads Mali and Burkina Faso?']
    """
    pieces, start = [], 0
    for m in _PART.finditer(question):
        pieces.append(question[start : m.start()].strip(" ,;"))
        start = m.end()
    pieces.append(question[start:].strip())
    return [p for p in pieces if len(terms(p)) >= 1] or [question]


def _pack(cands, scores, settings: Settings, top_k: int, first=()) -> list[Evidence]:
    """Take the best sentences until the budget is spent (those in `first` before all others);
    join neighbours into one span."""
    ranked = sorted(range(len(cands)), key=lambda i: -scores[i])
    order = list(dict.fromkeys([*first, *ranked]))
    chosen: list[int] = []
    used = 0
    by_pos = {(c[0], c[1]): i for i, c in enumerate(cands)}
    for i in order:
        if len(chosen) >= top_k + 2 or used >= settings.evidence_chars:
            break
        sent = cands[i][2]
        if any(similarity(sent.text, cands[j][2].text) >= settings.duplicate_similarity for j in chosen):
            continue
        group = [i]
        prev = by_pos.get((cands[i][0], cands[i][1] - 1))
        if prev is not None and sent.text.lower().startswith(_LEANS_BACK):
            group.insert(0, prev)
        group = [g for g in group if g not in chosen]
        cost = sum(len(cands[g][2].text) for g in group)
        if chosen and used + cost > settings.evidence_chars * 1.15:
            continue
        chosen += group
        used += cost
    return _merge(cands, chosen, scores, top_k)


def _merge(cands, chosen, scores, max_items) -> list[Evidence]:
    """Sentences adjacent in one passage become one span; items ordered by their best score."""
    groups: list[list[int]] = []
    for i in sorted(chosen, key=lambda i: (cands[i][0], cands[i][1])):
        last = groups[-1][-1] if groups else None
        if last is not None and cands[last][0] == cands[i][0] and cands[last][1] + 1 == cands[i][1]:
            groups[-1].append(i)
        else:
            groups.append([i])
    groups.sort(key=lambda g: -max(scores[i] for i in g))
    out = []
    for n, g in enumerate(groups[:max_items], start=1):
        first, last = cands[g[0]][2], cands[g[-1]][2]
        out.append(Evidence(n, _join(first, last, cands[g[0]][3]) if len(g) > 1 else first))
    return out


def _join(first: Passage, last: Passage, whole: Passage) -> Passage:
    """One exact span from `first` to `last`, cut from the passage both came from."""
    text = whole.text[first.start - whole.start : last.end - whole.start]
    return Passage(whole.source, first.start, last.end, text, whole.page)
