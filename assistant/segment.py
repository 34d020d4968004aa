"""Text -> sentences and passages, as exact (start, end) character spans.

    >>> text = "Serval began in 2013. It became Barkhane in 2014."
    >>> [text[s:e] for s, e in sentence_spans(text)]
    ['Serval began in 2013.', 'It became Barkhane in 2014.']

Hand-written, and kept by measurement (evals/segmenters.py, evals/results/*-segmenters): on the
seeds, CLAP NQ passages and generated PDFs it made no more bad splits than the best maintained
segmenter with offsets (sentencex; pysbd and blingfire made ~10x more), missed fewer boundaries,
and handles laid-out lines itself; sentencex is ~2x faster and has rules for more languages.

Two kinds of text: lines that are paragraphs (text files, web pages, Word files), where a line
break always ends a sentence, and laid-out pages (PDF), where lines are wrapped to the width of
the page and only a paragraph break does (`wrapped=True`).
"""

from __future__ import annotations

import re

Span = tuple[int, int]

# Words after which a period does not end a sentence ("Col. Goita", "U.N. mission").
ABBREVIATIONS = {
    "mr",
    "mrs",
    "ms",
    "dr",
    "prof",
    "sr",
    "jr",
    "st",
    "col",
    "gen",
    "lt",
    "capt",
    "maj",
    "sgt",
    "gov",
    "sen",
    "rep",
    "pres",
    "no",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "approx",
    "fig",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "inc",
    "rev",
    "vol",
    "vols",
    "bros",
    "fr",
    "mt",
    "ft",
    "dept",
    "ave",
    "pp",
    "al",
}
# A sentence ends at . ! ? (plus closing quotes/brackets) followed by space and a capital,
# digit or opening quote, or at ? ! glued to a capitalised word ("What's new?Since", as pages
# saved from the web often have); a line break may end one too (see `_hard_breaks`).
_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])|[?!](?=[A-Z][a-z])")
_WORD_BEFORE = re.compile(r"(\S+)\s*$")
# In a laid-out page: a line starting like a list item starts a new sentence.
_ITEM = re.compile(r"\s*([•◦▪‣*–—-]|\d{1,2}[.)]|\(?[a-z]\))\s")
# Words that do not end a line of text that ends there (a wrapped line often stops on one).
_GLUE = {"a", "an", "the", "of", "in", "on", "at", "to", "for", "by", "with", "from", "and",
         "or", "but", "as", "that", "which", "who", "its", "their", "his", "her", "is", "are",
         "was", "were", "be", "has", "have", "had", "than", "into", "over", "under", "per"}  # fmt: skip
SHORT_LINE = 0.6  # a line under 60% of its neighbours' width ends its paragraph (or is a heading)
MAX_SENTENCE = 600  # a "sentence" longer than this in a laid-out page is cut at its line breaks


def sentence_spans(text: str, offset: int = 0, *, wrapped: bool = False) -> list[tuple[int, int]]:
    r"""(start, end) of each sentence in `text`, shifted by `offset`, whitespace trimmed.

    `wrapped=False` (text files, web pages, Word files: a line is a paragraph or a heading):
    every line break ends a sentence. `wrapped=True` (a PDF page, where lines are wrapped to
    the page width): a line break inside a paragraph is a space, and only a paragraph break
    ends a sentence: a blank line, a list item, a short line (a paragraph's last line, a
    heading), or the usual end punctuation. `text` is taken to be the page's text from
    `offset` on, so its first line is a whole line only when `offset` is 0.

        >>> page = "It raised the state's possible stake in new\nmines to 35 percent. Gold\nrose."
        >>> [page[s:e] for s, e in sentence_spans(page, wrapped=True)]
        ["It raised the state's possible stake in new\nmines to 35 percent.", 'Gold\nrose.']
    """
    return _spans(text, offset, wrapped, first_whole=offset == 0)


def _spans(text: str, offset: int, wrapped: bool, first_whole: bool) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for lo, hi in _blocks(text, wrapped, first_whole):
        block = text[lo:hi]
        start = 0
        for m in _END.finditer(block):
            if _is_abbreviation(block[start : m.start() + 1]):
                continue
            _add_span(block, start, m.end(), offset + lo, spans)
            start = m.end()
        _add_span(block, start, len(block), offset + lo, spans)
    return _cap(text, spans, offset) if wrapped else spans


def _blocks(text: str, wrapped: bool, first_whole: bool) -> list[tuple[int, int]]:
    """`text` cut at the line breaks that end a sentence whatever the punctuation."""
    cuts = [i for i, ch in enumerate(text) if ch == "\n"]
    if wrapped:
        cuts = _hard_breaks(text, cuts, first_whole)
    edges = [0, *cuts, len(text)]
    return [(edges[k], edges[k + 1]) for k in range(len(edges) - 1)]


def _hard_breaks(text: str, breaks: list[int], first_whole: bool) -> list[int]:
    """The line breaks of a laid-out page that end a paragraph (see `sentence_spans`)."""
    starts = [0, *(i + 1 for i in breaks)]
    ends = [*breaks, len(text)]
    lines = [text[s:e].strip() for s, e in zip(starts, ends)]
    hard = []
    for k, at in enumerate(breaks):
        line, nxt = lines[k], lines[k + 1]
        prev = lines[k - 1] if k > 0 else ""
        if not line or not nxt or _ITEM.match(text, starts[k + 1]):
            hard.append(at)
        elif nxt[0].islower() or _ends_open(line):
            continue  # the sentence goes on: "stake in new / mines", "con- / firmed", "of / Mali"
        elif k + 2 < len(lines) and _is_heading(nxt, line, lines[k + 2]):
            hard.append(at)  # "Annual report 2024 / Mining law / The largest mine ..."
        elif k > 0 or first_whole:
            if len(line) < SHORT_LINE * max(len(prev) if k > 1 or first_whole else 0, len(nxt)):
                hard.append(at)  # a heading, or the last line of a paragraph
        else:
            hard.append(at)  # only the end of this line is here: a capital after it starts anew
    return hard


def _is_heading(line: str, before: str, after: str) -> bool:
    """A short line between two longer ones that does not end like a sentence: a heading."""
    return line[-1] not in ".!?:;,”’\"')" and len(line) < SHORT_LINE * min(len(before), len(after))


def _ends_open(line: str) -> bool:
    """Whether a line stops where a sentence cannot: on a comma, a hyphen or a small word."""
    if line[-1] in ",;:(-–—\xad":
        return True
    return line.split()[-1].lower() in _GLUE


def _cap(text: str, spans: list[tuple[int, int]], offset: int) -> list[tuple[int, int]]:
    """Sentences over MAX_SENTENCE characters (a table, a list without bullets) cut at line
    breaks, so one "sentence" never fills a passage."""
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if e - s <= MAX_SENTENCE:
            out.append((s, e))
            continue
        piece = text[s - offset : e - offset]
        start = 0
        for m in re.finditer("\n", piece):
            if m.start() - start > MAX_SENTENCE // 2:
                _add_span(piece, start, m.start(), s, out)
                start = m.end()
        _add_span(piece, start, len(piece), s, out)
    return out


def display_text(text: str, *, wrapped: bool = True) -> str:
    r"""A quote as a reader sees it on the page: wrapped lines joined with a space and words
    hyphenated at a line end made whole; paragraph breaks kept. For showing and prompting only:
    offsets index the text as extracted (the citation's `quote`), never this.

        >>> display_text("It raised the stake in new\nmines to 35 per-\ncent.")
        'It raised the stake in new mines to 35 percent.'
    """
    if not wrapped:
        return text
    hard = set(_hard_breaks(text, [i for i, ch in enumerate(text) if ch == "\n"], False))
    out, last = [], 0
    for i, ch in enumerate(text):
        if ch != "\n" or i in hard:
            continue
        lo = i
        while lo > last and text[lo - 1] in " \t":
            lo -= 1
        hi = i + 1
        while hi < len(text) and text[hi] in " \t":
            hi += 1
        hyphen = lo > last and text[lo - 1] in "-\xad" and lo > 1 and text[lo - 2].isalpha()
        if hyphen and hi < len(text) and text[hi].islower():
            out.append(text[last : lo - 1])  # "con-/firmed": one word split by the line end
        else:
            out.append(text[last:lo] + ("" if hyphen else " "))  # "Loulo-/Gounkoto" keeps it
        last = hi
    out.append(text[last:])
    return "".join(out)


def _is_abbreviation(before: str) -> bool:
    m = _WORD_BEFORE.search(before)
    word = m.group(1).lower().rstrip(".") if m else ""
    # initials and dotted acronyms: "U.S.", "J." ; known short words: "Col."
    return (
        word in ABBREVIATIONS
        or len(word) == 1
        and word.isalpha()
        or ("." in word and len(word) <= 5 and word.replace(".", "").isalpha())
    )


def _add_span(text, start, end, offset, spans):
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        lead = len(chunk) - len(chunk.lstrip())
        spans.append((offset + start + lead, offset + start + lead + len(stripped)))


def chunk_spans(
    text: str, chunk_chars: int, overlap: int, *, wrapped: bool = False, exclude: tuple = ()
) -> list[tuple[int, int]]:
    """Group sentences into passages of about `chunk_chars`, sharing `overlap` sentences.

    `exclude` holds sorted (start, end) spans no passage may touch (text a reader cannot see,
    running headers): the text between them is split on its own, so no sentence or passage
    crosses or contains one."""
    chunks: list[tuple[int, int]] = []
    for lo, hi in outside(len(text), exclude):
        whole = lo == 0 or text[lo - 1] == "\n"  # e.g. the line after a running header
        sents = _spans(text[lo:hi], lo, wrapped, first_whole=whole)
        i = 0
        while i < len(sents):
            j = i + 1
            while j < len(sents) and sents[j][1] - sents[i][0] <= chunk_chars:
                j += 1
            chunks.append((sents[i][0], sents[j - 1][1]))
            if j >= len(sents):
                break
            i = max(j - overlap, i + 1)
    return chunks


def outside(size: int, exclude) -> list[tuple[int, int]]:
    """The stretches of [0, size) outside the sorted, merged `exclude` spans."""
    out, at = [], 0
    for s, e in sorted(exclude):
        if s > at:
            out.append((at, s))
        at = max(at, e)
    if at < size:
        out.append((at, size))
    return out
