"""Helpers shared by the format tests: the exactness contract, checked on every passage."""

from __future__ import annotations

from pathlib import Path

from assistant import ingest


def exact(path: Path, doc) -> list:
    """The document's passages, after checking each against `document_text`."""
    out = ingest.passages(doc, 600, 1)
    for p in out:
        assert ingest.document_text(path, p.page)[p.start : p.end] == p.text
        for s in ingest.sentences(p):
            assert ingest.document_text(path, p.page)[s.start : s.end] == s.text
    return out


def sentence_texts(doc) -> list[str]:
    return [ingest.display_text(s.text) for p in ingest.passages(doc, 600, 0) for s in ingest.sentences(p)]
