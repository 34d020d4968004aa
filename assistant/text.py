"""Word-level text helpers shared by keyword retrieval and citation checking.

>>> terms("Mali severed defence accords with France in May 2022.")
['mali', 'sever', 'defenc', 'accord', 'franc', 'may', '2022']
"""

from __future__ import annotations

import re
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")

STOPWORDS = frozenset(
    """
a about above after again against all am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i if in into is it its itself
just me more most my myself no nor not of off on once only or other our ours ourselves out over
own same she should so some such than that the their theirs them themselves then there these
they this those through to too under until up very was we were what when where which while who
whom why will with would you your yours yourself yourselves also according said says did does
s t ’s 's""".split()
)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer: the Snowball stemmers, fast C code

    return Stemmer.Stemmer("english")


def terms(text: str) -> list[str]:
    """Lower-cased, stemmed content words and numbers, stopwords removed, in order."""
    words = [w.lower().replace("’", "'") for w in _WORD.findall(text)]
    words = [w[:-2] if w.endswith("'s") else w for w in words]
    words = [w for w in words if w not in STOPWORDS]
    return _stemmer().stemWords(words) if words else []


def tidy(text: str) -> str:
    """Whitespace collapsed, and no space before punctuation.

    >>> tidy("It ended  in 2014 .")
    'It ended in 2014.'
    """
    return re.sub(r"\s+([.,;:!?])", r"\1", " ".join(text.split()))


def numbers(text: str) -> set[str]:
    """Numbers as written, without thousands separators: '2,400' -> '2400'."""
    return {n.replace(",", "").rstrip(".") for n in _NUMBER.findall(text)}


def shingles(text: str, n: int = 3) -> set[tuple]:
    words = [w.lower() for w in _WORD.findall(text)]
    return {tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1))}


def similarity(a: str, b: str) -> float:
    """Share of the shorter text's word 3-grams found in the other: 1.0 for a repeated paragraph."""
    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / max(1, min(len(sa), len(sb)))


_ASKS_NUMBER = re.compile(
    r"(^|[,;:]\s*)\W*(and |so |but |then )?when\b|\bhow (many|much|long|old)\b|"
    r"\b(what|which) (year|date|month|day|decade|percentage|share|proportion|number)\b",
    re.IGNORECASE,
)
_STATES_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|dozen|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"year|month|week|decade|century)\b",
    re.IGNORECASE,
)


def asks_for_number(question: str) -> bool:
    """The question wants a date, a time or a quantity ("When ...?", "How many ...?")."""
    return bool(_ASKS_NUMBER.search(question))


def states_number(text: str) -> bool:
    return bool(_STATES_NUMBER.search(text))
