"""Answer rules: whether and what to answer, decided by code rather than by the model. Pure.

    >>> streaming_refusal("The documents")
    'wait'
    >>> streaming_refusal("France withdrew")
    >>> answer_type("How many civilians were killed in Moura?")
    'count'
    >>> fits_type("count", "How many civilians were killed?", "Some 95 percent approved.")
    False
    >>> salvage("Mali cut ties on 3 May, 2013 [1].", ["On 3 May, Mali cut ties."], "")
    ('Mali cut ties on 3 May [1].', 1)

The model writes a draft; these rules decide what the user sees:
- a draft turning into the refusal phrase is held back while it streams;
- a detail the evidence does not hold (a number or year) is cut from a sentence whose rest the
  evidence supports, instead of the whole answer being thrown away (`salvage`);
- an answer must be of the kind the question asks for: a date for "when", a count for "how
  many", a name for "who" or "which country" (`answer_type`, `fits_type`);
- `confidence` turns measured signals (the model's own probability of refusing, retrieval
  scores, how much of the question the evidence covers, whether the evidence holds the kind of
  answer asked for) into a 0-1 answerability score. The caller answers when it is high even if
  the draft refused (one more generation, the refusal barred), and declines when it is low.
"""

from __future__ import annotations

import math
import re

from .cite import support
from .guard import is_instruction
from .prompts import REFUSAL
from .text import STOPWORDS, numbers, states_number, terms
from .types import Signals

# This much of the refusal phrase, and the reply is the refusal: generation stops there.
_SURE = len("The documents do not")


def streaming_refusal(text: str) -> str | None:
    """'wait' while a streamed reply may still turn out to be the refusal phrase, 'refusal'
    once it plainly is, None when it is not the refusal."""
    t = text.strip().lower()
    if not REFUSAL.lower().startswith(t):
        return None
    return "refusal" if len(t) >= _SURE else "wait"


# --- the kind of answer a question asks for ----------------------------------------------------
_TYPES = [
    ("count", re.compile(r"\bhow many\b|\b(what|which) (?:total )?number of\b", re.I)),
    (
        "quantity",
        re.compile(
            r"\bhow (much|long|old|far|large|big)\b|\b(what|which) (percentage|share|proportion|amount)\b",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(
            r"(^|[,;:]\s*)\W*(and |so |but |then )?when\b"
            r"|\b(what|which) (year|date|month|day|decade)\b|\bin what year\b",
            re.I,
        ),
    ),
    (
        "place",
        re.compile(
            r"^\W*where\b|\b(which|what)\s+(\w+\s+){0,2}?(countr(y|ies)|nations?|cit(y|ies)|towns?|regions?|places?)\b",
            re.I,
        ),
    ),
    ("reason", re.compile(r"^\W*why\b|\bfor what reason\b|\bwhat (was|is|were|are) the reasons?\b", re.I)),
    (
        "name",
        re.compile(
            r"\bwhat (was|is|were|are) the names? of\b|^\W*(who|whom|whose)\b"
            r"|\b(which|what)\s+(\w+\s+){0,2}?(person|people|minister|president|leader|official|group|"
            r"company|companies|organi[sz]ation|body|ally|allies|colonel|general|spokes\w+)\b",
            re.I,
        ),
    ),
]
_PERCENT = re.compile(r"\d[\d.,]*\s*(%|per ?cent\b)", re.I)
_DATE = re.compile(
    r"\b(1[5-9]\d\d|20\d\d)\b|\b(january|february|march|april|may|june|july|august|september|"
    r"october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"yesterday|today|tomorrow|decade|century)\b"
    r"|\b\d+ (years?|months?|weeks?|days?) (ago|later|after|before)\b",
    re.I,
)
_BECAUSE = re.compile(
    r"\b(because|since|as a result|due to|owing to|after|following|over|amid|in response|accus\w*|"
    r"in order to|so that|to (protest|punish|avoid|prevent|stop|counter|halt|fight|support)|"
    r"for (its|their|his|her)|reason|blam\w*|citing|said|says)\b",
    re.I,
)
_WORD = re.compile(r"[^\W\d_][\w’'-]*")


def answer_type(question: str) -> str | None:
    """'count', 'quantity', 'date', 'place', 'reason', 'name', or None (any statement may answer)."""
    for kind, pattern in _TYPES:
        if pattern.search(question):
            return kind
    return None


def _base(word: str) -> str:
    return re.sub(r"['’]s$", "", word.lower())


def _new_names(text: str, question: str) -> list[str]:
    """Capitalised words of `text` that the question does not already contain ("Mali's" is
    "Mali"). A headline in Title Case names nothing: none of its words count."""
    words = _WORD.findall(text)
    if sum(w[0].isupper() and w.lower() in STOPWORDS for w in words[1:]) >= 2:
        return []  # "Is", "But", "Itself" capitalised mid-sentence: a headline
    asked = {_base(w) for w in _WORD.findall(question)}
    return [w for w in words if w[0].isupper() and _base(w) not in asked and _base(w) not in STOPWORDS]


def fits_type(kind: str | None, question: str, text: str) -> bool:
    """Whether `text` is an answer of the kind asked for (a cited sentence that is on topic
    but does not say who, when or how many is not an answer)."""
    text = _strip_markers(text).strip()
    if text.endswith("?"):
        return False  # a question is not an answer, whatever it mentions
    if kind is None:
        return True
    if kind == "count":
        counts = numbers(_PERCENT.sub(" ", text)) - numbers(question)
        return bool(counts) or bool(
            re.search(
                r"\b(one|two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|thousands?|millions?)\b",
                text,
                re.I,
            )
        )
    if kind == "quantity":
        return bool(numbers(text) - numbers(question)) or states_number(text)
    if kind == "date":
        return bool(_DATE.search(text))
    if kind == "reason":  # a reason, not the question's event restated
        new = set(terms(text)) - set(terms(question))
        return len(new) >= 2 and bool(_BECAUSE.search(text))
    return bool(_new_names(text, question))  # place, name


# --- salvage ---------------------------------------------------------------------------------
def salvage(sentence: str, spans: list[str], question: str) -> tuple[str, int]:
    """`sentence` without the numbers that neither the span carrying it nor the question holds,
    and how many were cut: "on 3 May, 2013" becomes "on 3 May" when no source says 2013.

    The carrying span is the one of `spans` (evidence sentences) holding most of the sentence's
    words, numbers aside (then most of its numbers): a number must be in the sentence that makes
    the claim, not just somewhere nearby. Whether what is left still answers is for the support
    check and `fits_type` to say."""
    claim = _strip_markers(sentence)
    words, stated = re.sub(r"\d[\d,.]*", " ", claim), numbers(claim)
    carrier = max(spans, key=lambda t: (support(words, t), len(stated & numbers(t))), default="")
    bad = stated - numbers(carrier) - numbers(question)
    if not bad:
        return sentence, 0
    out = sentence
    for n in sorted(bad, key=len, reverse=True):
        pattern = rf"(,\s*|\s+(in|on|of|by|since|until|from|at)\s+)?(?<![\d.,]){re.escape(n)}(?![\d]|[.,]\d)"
        out = re.sub(pattern, "", out, count=1)
    out = re.sub(r"\s{2,}", " ", out)
    out = re.sub(r"\s+([.,;:!?\[])", lambda m: m.group(1) if m.group(1) != "[" else " [", out)
    return out.strip(), len(bad)


def _strip_markers(text: str) -> str:
    return re.sub(r"\[[^\]]{0,12}\]", " ", text)


# --- an extractive answer ------------------------------------------------------------------------
def extract(question: str, evidence) -> tuple[str, int] | None:
    found = _best_answer_sentence(question, evidence)
    return found[:2] if found else None


def _best_answer_sentence(question: str, evidence) -> tuple[str, int, float] | None:
    """(text, evidence number, share of the question's words it holds) of the best sentence
    (or whole evidence item) of the kind asked for."""
    from .ingest import sentences

    """The evidence sentence that best answers `question`, as (sentence, its evidence number):
    what the assistant says, quoting its source, when the model will not answer although the
    evidence probably does. Only a sentence of the kind asked for (a date for "when"...) that
    shares at least one content word with the question qualifies.

    >>> from assistant.types import Evidence, Passage
    >>> ev = [Evidence(1, Passage("a.txt", 0, 60, "Mali cut ties with France. It did so on 3 May 2022."))]
    >>> extract("When did Mali cut ties with France?", ev)
    ('Mali cut ties with France. It did so on 3 May 2022.', 1)
    """

    kind, words = answer_type(question), set(terms(question))
    best, best_key = None, (0.0, 0)
    for ev in evidence:
        # each sentence alone, and the whole item (a sentence may lean on the one before it)
        for text in {s.text.strip() for s in sentences(ev.passage)} | {ev.passage.text.strip()}:
            if not fits_type(kind, question, text) or is_instruction(text):
                continue
            key = (len(words & set(terms(text))) / max(1, len(words)), -len(text))
            if key[0] > 0 and key > best_key:
                best, best_key = (text, ev.n, key[0]), key
    return best


# --- answerability -----------------------------------------------------------------------------
def signals(question: str, hits, evidence, refusal: float | None, verified: float | None = None) -> Signals:
    qterms = set(terms(question))
    cover = max(
        (len(qterms & set(terms(e.passage.text))) / max(1, len(qterms)) for e in evidence), default=0.0
    )
    best = _best_answer_sentence(question, evidence)
    return Signals(
        refusal=refusal,
        relevance=max((h.dense for h in hits), default=0.0),
        coverage=round(cover, 4),
        typed=round(best[2], 4) if best else 0.0,
        verified=verified,
    )


# Logistic weights over `features`, fitted on the tuning sets only (the seed questions and CLAP
# NQ questions 1-100 of each file) by evals/calibrate.py; the README has the command and the
# held-out figures.
# BEFORE: what is known before an answer is checked (used to decide on a retry or a quote);
# WEIGHTS: everything, once the answer is written (the confidence the user sees).
# Fitted on 226 tuning questions (106 seed, CLAP NQ 1-60 of each file):
#   python evals/calibrate.py <seed run> <clapnq --block 1-60 run>   (both with every refusal retried)
WEIGHTS_BEFORE = (-1.791, 0.489, 2.123, -0.504, 0.641)
WEIGHTS = (-2.078, 0.34, 2.009, -0.381, 0.067, 1.142, 0.229)


def _logit(p: float | None) -> float:
    """Log-odds of a probability; 0 (even odds) when unknown."""
    if p is None:
        return 0.0
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def features(s: Signals) -> tuple[float, ...]:
    """The inputs of `confidence`: bias, the model's answer-vs-refusal log-odds, retrieval
    cosine, question coverage, answer-kind evidence, the model's yes-vs-no log-odds, and the
    log-odds of its certainty in the answer's tokens."""
    answer = None if s.refusal is None else 1 - s.refusal
    return (1.0, _logit(answer), s.relevance, s.coverage, s.typed, _logit(s.verified), _logit(s.certainty))


def confidence(s: Signals, weights=WEIGHTS) -> float:
    """How likely the documents answer the question, 0-1 (logistic over the first
    len(weights) `features`)."""
    z = sum(w * x for w, x in zip(weights, features(s)))
    return round(1 / (1 + math.exp(-max(-30.0, min(30.0, z)))), 3)
