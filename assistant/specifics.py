"""The specifics of an answer (names, places, numbers, dates) that no cited sentence holds. Pure.

    >>> cited = ["Col. Assimi Goïta seized power in August 2020."]
    >>> unsupported_specifics("Colonel Assimi Goita took power in August 2021 [1].", cited, "")
    ['2021']
    >>> unsupported_specifics("Bah Ndaw was ousted by Assimi Goïta [1].", cited, "Who?")
    ['Bah Ndaw']
    >>> cut_specifics("Mali left on 3 May, 2013 [1].", ["2013"])
    'Mali left on 3 May [1].'

A name is a run of capitalised words ("Jean-Yves Le Drian", "Friedrich Ebert Foundation"); each
of its words must be in a cited sentence or the question, accents, possessives, hyphens and
dotted acronyms aside (Goïta = Goita, Mali's = Mali, U.N. = UN = United Nations); titles
("Col.", "President") are not checked. A number is compared by value ("2,400" = 2400, "seven" =
7, "Fifty-two percent" = 52, "$2 billion" = 2e9); a month by its name ("Aug." = August).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .relations import fold
from .segment import sentence_spans
from .text import STOPWORDS, terms

MONTHS = "january february march april may june july august september october november december".split()
_MONTH_ABBR = {m[:3]: m for m in MONTHS} | {"sept": "september"}
_DAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
_UNITS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve "
          "thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split())}  # fmt: skip
_TENS = {
    w: 10 * i
    for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split())
    if i > 1
}
_SCALES = {
    "hundred": 1e2,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "trillion": 1e12,
    "bn": 1e9,
    "m": 1e6,
}
_NUMWORD = "|".join([*_UNITS, *_TENS, "hundred", "thousand", "dozen"])
_NUMBER = re.compile(
    rf"(?<![\w.])(?:\d[\d,.]*\d|\d|(?:{_NUMWORD})(?:[\s-]+(?:{_NUMWORD}|and))*)"
    r"(?:\s*(?:hundred|thousand|million|billion|trillion|bn)\b|(?<=\d)m\b)?",
    re.IGNORECASE,
)
TITLES = frozenset(
    """mr mrs ms dr col colonel gen general lt capt captain maj major sgt president vice minister
    prime defence defense foreign interior security secretary spokesman spokesperson sen senator
    rep gov governor king queen prince princess sir lord saint st prof professor chief judge
    justice ambassador emperor pope lady mount mt lake river cape fort""".split()
)
# Capitalised at the start of a sentence only because they start it.
OPENERS = frozenset(
    """additionally however overall also furthermore moreover therefore thus yes no
    approximately roughly about around nearly some both each this these those it they he she
    there then first second third finally later meanwhile instead while although despite since
    after before during following according based unfortunately specifically notably today
    currently initially in on at by for from with as when where which who what why how yet
    many several most all one another other such last next earlier recently""".split()
)
_DEMONYM = ("n", "an", "ian", "ese", "ish", "i", "s", "es")
_IRREGULAR = {"french": "france", "dutch": "netherland", "danish": "denmark", "british": "britain",
              "swiss": "switzerland", "greek": "greece", "spanish": "spain", "english": "england",
              "turkish": "turkey", "swedish": "sweden", "polish": "poland", "irish": "ireland"}  # fmt: skip
_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|[^\W\d_][\w'’-]*|\d[\d,.]*\d|\d|[^\w\s]")


def _num_value(text: str) -> float | None:
    """The value of one number as written: '2,400' -> 2400, 'fifty-two' -> 52, '2 billion' -> 2e9."""
    t = text.lower().replace(",", "")
    scale = 1.0
    m = re.search(r"\s*(hundred|thousand|million|billion|trillion|bn|m)$", t)
    if m and re.search(r"\d", t[: m.start()]):
        scale, t = _SCALES[m.group(1)], t[: m.start()]
    try:
        return float(t.rstrip(".")) * scale
    except ValueError:
        pass
    total = current = 0.0
    for w in re.split(r"[\s-]+", t):
        if w in _UNITS:
            current += _UNITS[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "dozen":
            current = (current or 1) * 12
        elif w == "hundred":
            current = (current or 1) * 100
        elif w in _SCALES:
            total, current = total + (current or 1) * _SCALES[w], 0.0
    return (total + current) * scale


def numbers_in(text: str) -> list[tuple[str, float]]:
    """(as written, value) of each number in `text`; 'one' (a pronoun as often as a number)
    is left out."""
    out = []
    for m in _NUMBER.finditer(text):
        written = m.group().strip(" -")
        if written.lower() in ("one", "and") or not written:
            continue
        value = _num_value(written)
        if value is not None:
            out.append((written, value))
    return out


def _is_date_word(low: str) -> bool:
    return low in MONTHS or low in _DAYS or (low in _MONTH_ABBR and low != "may")


def months_in(text: str) -> list[tuple[str, str]]:
    """(as written, month) for each capitalised month name or abbreviation ('Aug.')."""
    found = re.finditer(r"\b([A-Z][a-z]{2,8})\b\.?", text)
    out = []
    for m in found:
        w = m.group(1).lower()
        if w in MONTHS or (w in _MONTH_ABBR and len(w) <= 4):
            out.append((m.group(1), _MONTH_ABBR.get(w[:3], w) if w not in MONTHS else w))
    return out


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    found = terms(fold(word).lower().replace("'s", ""))
    return found[0] if found else word.lower()


def names_in(text: str) -> list[list[str]]:
    """Runs of capitalised words (a name's words, titles included), the words a sentence opens
    with, months and days left out."""
    runs: list[list[str]] = []
    run: list[str] = []
    start = True
    for tok in _TOKEN.findall(text):
        low = _plain(tok)
        named = tok[0].isupper() and low not in STOPWORDS and not _is_date_word(low) and not numbers_in(tok)
        if named and start and low in OPENERS:
            named = False
        if named or (run and low in ("de", "du", "da", "al", "bin", "van", "von", "der", "la", "le")):
            run.append(tok)
        else:
            if run:
                runs.append(run)
            run = []
        start = tok in ".!?"
    if run:
        runs.append(run)
    return [r[:-1] if r[-1].lower() in ("de", "du", "da", "al", "van", "von", "der") else r for r in runs]


@lru_cache(maxsize=8192)
def _plain(word: str) -> str:
    """'Mali’s' -> 'mali', 'U.N.' -> 'un', 'Goïta' -> 'goita'."""
    low = fold(word).strip().lower().rstrip("'-")
    return low[:-2] if low.endswith("'s") else low


def known(word: str, have: set[str], phrases: list[list[str]] | None = None) -> bool:
    """`word` is in `have` (stems) as itself or its demonym ('Malian' for 'Mali'), or, in
    capitals, abbreviates one of `phrases` ('UN' for 'United Nations')."""
    low = _plain(word)
    if low in TITLES or low in STOPWORDS:
        return True
    if all(stem(p) in have for p in low.split("-") if p):
        return True
    if phrases and word.replace(".", "").isupper() and any(abbreviates(low, p) for p in phrases):
        return True
    base = _IRREGULAR.get(low)
    if base and any(h.startswith(base[:5]) for h in have):
        return True
    if any(country.startswith(low[:5]) and demonym in have for demonym, country in _IRREGULAR.items()):
        return True
    return any(low == h + s or h == low + s for h in have for s in _DEMONYM if len(h) >= 4)


_PROPER = re.compile(r"[A-Z][\w'-]*(?:\s+(?:(?:of|the|and|for)\s+)*[A-Z][\w'-]*)+")
_CONNECTORS = ("of", "the", "and", "for")


def abbreviates(acronym: str, phrase: list[str]) -> bool:
    """`acronym` takes the first letter or letters of each word of `phrase` in turn, and at
    most one of each 'of', 'the', 'and', 'for': 'un' for 'United Nations', 'ecowas' for
    'Economic Community of West African States'."""
    if not phrase:
        return not acronym
    head, rest = phrase[0].lower(), phrase[1:]
    if head in _CONNECTORS and abbreviates(acronym, rest):
        return True
    for k in range(1, min(len(head), len(acronym)) + 1):
        if head[:k] != acronym[:k]:
            break
        if abbreviates(acronym[k:], rest):
            return True
    return False


def unsupported_specifics(answer: str, cited_sentences: list[str], question: str) -> list[str]:
    """The names, numbers and months of `answer` (citation markers aside) that neither a cited
    sentence nor the question holds, as written in the answer, in order."""
    answer = re.sub(r"\[[^\]]{0,12}\]", " ", answer)
    source = fold(" ".join([*cited_sentences, question]))
    have = {stem(w) for w in re.findall(r"[^\W\d_][\w']*", source)}
    phrases = [m.group().split() for m in _PROPER.finditer(source)]
    capitals = {w.lower() for w in re.findall(r"\b[A-Z]{2,6}\b", source)}
    values = {round(v, 3) for _, v in numbers_in(source)}
    months = {m for _, m in months_in(source)}
    bad = [w for w, v in numbers_in(answer) if round(v, 3) not in values]
    bad += [w for w, m in months_in(answer) if m not in months]
    for run in names_in(answer):
        words = [p for w in run for p in w.split("-") if p]
        if all(known(w, have, phrases) for w in words):
            continue
        plain = [fold(w) for w in run]
        if not (len(run) > 1 and any(abbreviates(c, plain) for c in capitals)):
            bad.append(" ".join(run))
    return list(dict.fromkeys(bad))


# --- cutting what no source holds ------------------------------------------------------------
_PREP = r"(?:in|on|at|by|since|until|from|near|of|during|after|before|around|about|for|with)"
_MONTH_RE = "|".join(m.capitalize() for m in MONTHS) + r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"
_END = r"(?=\s*(?:\[\d+\])*\s*(?:[.,;:!?)]|$))"
_DANGLING = re.compile(rf"\b(?:{_PREP}|the|a|an|and|or|to|as|is|was|were|are|by)\W*(?:\[\d+\]\W*)*$", re.I)


def _cuts(spec: str) -> list[tuple[str, str]]:
    """(pattern, replacement) that remove `spec` and only what leans on it, the safest first."""
    s = re.escape(spec)
    return [
        (rf"\s*\([^()]*(?<!\w){s}(?!\w)[^()]*\)", ""),  # a parenthesis
        (rf"(\b(?:{_MONTH_RE})\.?)\s*,?\s*{s}(?!\w)", r"\1"),  # the year after "3 May"
        (rf",\s*{s}(?!\w)(?=\s*,)", ""),  # a middle item of "A, B, C"
        (rf",\s*([^,]{{1,40}}),?\s+(?:and|or)\s+{s}(?!\w)", r" and \1"),  # "A, B and X"
        (rf",?\s+(?:and|or)\s+{s}(?!\w)", ""),  # "A and X"
        (rf"(?<!\w){s},\s*(?=[A-Z])", ""),  # the first item of "X, B and C"
        (rf"(?<!\w){s}\s+(?:and|or)\s+(?=[A-Z])", ""),  # the first of "X and B"
        (rf",\s*[^,\[]{{0,40}}(?<!\w){s}(?!\w)[^,\[]{{0,40}},(?=\s)", ""),  # an aside ", ... X ...,"
        (rf",?\s+{_PREP}\s+(?:the\s+)?(?:[\w'-]+\s+){{0,2}}?{s}(?!\w){_END}", ""),  # a closing "in 2013"
    ]


def _cut_one(sentence: str, spec: str) -> str | None:
    for pattern, repl in _cuts(spec):
        out, n = re.subn(pattern, repl, sentence, count=1)
        if n:
            out = re.sub(r"\s{2,}", " ", out).replace(" ,", ",").replace(" .", ".")
            body = re.sub(r"\[[^\]]{0,12}\]", "", out).strip(" .!?;:,")
            if len(body.split()) >= 2 and not _DANGLING.search(body):
                return out.strip()
    return None


def cut_specifics(answer: str, bad: list[str]) -> str | None:
    """`answer` without the specifics in `bad`, each cut with only the words that lean on it
    (its preposition, its list comma, its parenthesis); a sentence that cannot stand without
    one is dropped; None when no sentence is left."""
    kept = []
    for start, end in sentence_spans(answer):
        sentence: str | None = answer[start:end]
        for spec in bad:
            if sentence is not None and re.search(rf"(?<!\w){re.escape(spec)}(?!\w)", sentence):
                sentence = _cut_one(sentence, spec)
        if sentence:
            kept.append(sentence)
    return " ".join(kept) if kept else None
