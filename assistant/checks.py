"""Checks of a model's reply, before anything is shown: citations, unsupported details, the kind
of answer. Pure functions, no models.

    >>> answer_type("How many civilians were killed in Moura?")
    'count'
    >>> fits_type("count", "How many civilians were killed?", "Some 95 percent approved.")
    False
    >>> salvage("Mali cut ties on 3 May, 2013 [1].", ["On 3 May, Mali cut ties."], "")
    ('Mali cut ties on 3 May [1].', 1)

`check_reply` runs them in order on the model's raw words: markers parsed (cite.parse), details
no evidence sentence holds cut (`salvage`), each claim checked against the passage it cites
(cite.check), then the answer must be of the kind asked for: a date for "when", a count for
"how many", a name for "who" or "which country" (`answer_type`, `fits_type`). What it returns
says what was done and, when nothing usable is left, why (a `Reason`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from . import cite, prompts, specifics
from .cite import support
from .guard import is_instruction
from .ingest import sentences
from .segment import sentence_spans
from .text import STOPWORDS, numbers, terms
from .types import Checks, Citation, Evidence, Reason


@dataclass(frozen=True)
class Checked:
    """A model's reply after the checks: the answer with renumbered markers and its citations,
    or, when nothing usable is left, the reason (`checks.reason`)."""

    raw: str  # the model's words, as plain text
    text: str  # the checked answer ("" when it failed)
    citations: tuple[Citation, ...]
    checks: Checks

    @property
    def failed(self) -> bool:
        return self.checks.reason is not None


def check_reply(raw: str, evidence: list[Evidence], query: str, min_support: float) -> Checked:
    """Check the model's reply: citations, salvage of unsupported details, answer type."""
    raw = prompts.plain(raw)  # no markdown image, link or HTML a document planted
    parsed, counts = cite.parse(raw, len(evidence))
    claims = [c for c in parsed if not prompts.is_refusal(c.text)]
    # every evidence sentence: the check below may move a citation to the one that carries it
    sents = [s.text for e in evidence for s in sentences(e.passage)]
    salvaged = 0
    for i, c in enumerate(claims):
        text, cut = salvage(c.text, sents, query)
        if cut:
            claims[i], salvaged = cite.Sentence(text, c.cited), salvaged + cut
    report = cite.check(claims, evidence, min_support, question=query)
    checks = Checks(
        evidence=len(evidence),
        invalid=counts["invalid"],
        repeated=counts["repeated"],
        replaced=report.replaced,
        unsupported=report.unsupported,
        added=report.added,
        salvaged=salvaged,
    )
    kind = answer_type(query)
    if not any(c.supported for c in report.citations):
        declined = bool(parsed) and prompts.is_refusal(parsed[0].text)
        reason = Reason.MODEL_DECLINED if declined or not raw else Reason.NO_SUPPORTED_CITATION
        return Checked(raw, "", (), _failed(checks, reason))
    if not fits_type(kind, query, report.text):
        return Checked(raw, "", (), _failed(checks, Reason.WRONG_KIND, str(kind)))
    text, citations = cite.renumber(report.text, report.citations)
    return Checked(raw, text, citations, checks)


def _failed(checks: Checks, reason: Reason, detail: str = "") -> Checks:
    return replace(checks, reason=reason, detail=detail)


# --- the kind of answer a question asks for ----------------------------------------------------
_BETWEEN = (  # words between "which" and the noun that says what is asked for: not a verb
    r"(?:(?!(?:is|was|are|were|did|does|do|has|have|had|can|could|should|would|will|must|might|may|"
    r"kind|kinds|type|types|sort)\b)[\w.'’-]+\s+)"
)
_PLACES = (
    r"countr(y|ies)|nations?|cit(y|ies)|towns?|villages?|regions?|places?|capitals?|states?|"
    r"provinces?|continents?|islands?|bases?|ports?|districts?"
)
_BODIES = (
    r"person|people|minister|president|leader|official|group|company|companies|organi[sz]ation|body|"
    r"ally|allies|colonel|general|spokes\w+|newspaper|broadcaster|writer|author|analyst|force|"
    r"operation|mission|alliance|agreement|treaty|war|party|movement|militia|firm|band|album|song|"
    r"film|book|team|agency|institution|successor|predecessor"
)
_TYPES = [
    ("count", re.compile(r"\bhow many\b|\b(what|which) (?:total )?number of\b", re.I)),
    (
        "quantity",
        re.compile(
            r"\bhow (much|long|old|far|large|big|tall|high|deep|often)\b"
            r"|\b(what|which) (percentage|percent|share|proportion|amount|fraction|portion)\b"
            r"|^\W*(percentage|proportion|share) of\b"
            r"|\bwhat (is|was) the (average |minimum |maximum |youngest |total )?"
            r"(age|temperature|population|cost|price)\b",
            re.I,
        ),
    ),
    (
        "date",
        re.compile(
            r"(^|[,;:]\s*)\W*(and |so |but |then )?when\b"
            r"|\b(what|which) (exact |precise |specific )?(year|date|month|day|decade|century)\b"
            r"|\bin what year\b",
            re.I,
        ),
    ),
    ("place", re.compile(rf"^\W*where\b|\b(which|what)\s+{_BETWEEN}{{0,3}}?({_PLACES})\b", re.I)),
    (
        "reason",
        re.compile(
            r"^\W*why\b|\bfor what reason\b|\bhow come\b|\bwhat (caused|led to|prompted|motivated)\b"
            r"|\bwhat (was|is|were|are) the (main |primary )?(reasons?|causes?|purpose|motives?|rationale)\b",
            re.I,
        ),
    ),
    (
        "name",
        re.compile(
            r"\bwhat (was|is|were|are) the (\w+ )?names? of\b|^\W*(who|whom|whose)\b"
            r"|^\W*name (the|two|three|four|five|all|both|each)\b"
            rf"|\b(which|what)\s+{_BETWEEN}{{0,3}}?(?:{_BODIES})s?\b",
            re.I,
        ),
    ),
]
# "Who were the Dadaists?", "who is Assimi Goita?": a description, not a name.
_DESCRIBE = re.compile(
    r"^\W*[Ww]ho\s+(?:is|was|are|were)\s+(?:the\s+)?(?:[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*|[a-z]+s)\s*(?:\?|$|,?\s+and\b)"
)
# "Where did the word come from?" asks for an origin, which is rarely a place name.
_ORIGIN = re.compile(
    r"^\W*where\b.*\b(come|came|comes) from\b|^\W*where\b.*\b(originate|get (its|their|the) name)", re.I
)
_NUMBER_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty|forty|"
    r"fifty|sixty|seventy|eighty|ninety|hundred)"
)
_PERCENT = re.compile(rf"(\d[\d.,]*|{_NUMBER_WORD}(?:[ -]{_NUMBER_WORD})*)\s*(%|per ?cent\b)", re.I)
_DATE = re.compile(
    r"\b(1[5-9]\d\d|20\d\d)\b|\b(january|february|march|april|may|june|july|august|september|"
    r"october|november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"yesterday|today|tomorrow|decade|century)\b"
    r"|\b\d+ (years?|months?|weeks?|days?) (ago|later|after|before)\b",
    re.I,
)
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
# a year ("in 2021", "May 2022") or a day of the month ("3 May", "May 19"): a date, not a count
_NOT_COUNT = re.compile(
    rf"\b{_MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}\s+{_MONTH}"
    r"|(?<![\d,.])(1[5-9]\d\d|20\d\d)(?![\d,.]*\s+[a-z]+s\b)",  # "2000 troops" counts
    re.I,
)
_COUNT_WORDS = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|\w+teen|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|dozens?|hundreds?|thousands?|millions?|billions?)\b",
    re.I,
)
_FRACTIONS = re.compile(
    r"\b(half|a third|two.thirds|a quarter|three.quarters|majority|minority|percent)\b", re.I
)
_DURATION = re.compile(r"\b(years?|months?|weeks?|days?|hours?|minutes?|decades?|centur(y|ies))\b", re.I)
_BECAUSE = re.compile(
    r"\b(because|since|as a result|due to|owing to|after|following|over|amid|in response|accus\w*|"
    r"in order to|so that|to (protest|punish|avoid|prevent|stop|counter|halt|fight|support)|"
    r"for (its|their|his|her)|reason|blam\w*|citing|said|says)\b",
    re.I,
)
_PURPOSE_Q = re.compile(r"\b(purpose|aim|goal|what for)\b", re.I)
_WORD = re.compile(r"[^\W\d_][\w’'-]*")


def answer_type(question: str) -> str | None:
    """'count', 'quantity', 'date', 'place', 'reason', 'name', or None (any statement may answer)."""
    if _DESCRIBE.search(question):
        return None
    for kind, pattern in _TYPES:
        if kind == "place" and _ORIGIN.search(question):
            continue
        if pattern.search(question):
            return kind
    return None


def sentences_of(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def _new_names(text: str, question: str) -> list[str]:
    """Names (specifics.names_in) in `text` with a word the question does not contain ("Mali's"
    is "Mali"). A headline in Title Case names nothing: none of its words count."""
    asked = {specifics.stem(w) for w in _WORD.findall(question)}
    return [name for sentence in sentences_of(text) for name in _names(sentence, asked)]


def _names(sentence: str, asked: set[str]) -> list[str]:
    words = _WORD.findall(sentence)
    if sum(w[0].isupper() and w.lower() in STOPWORDS for w in words[1:]) >= 2:
        return []  # "Is", "But", "Itself" capitalised mid-sentence: a headline
    return [
        " ".join(run)
        for run in specifics.names_in(sentence)
        if not all(specifics.known(w, asked) for w in run)
    ]


def _counts(text: str, question: str) -> set[str]:
    """Numbers of `text` that may count things: not in the question, not a percentage, a
    year or a day of the month."""
    return numbers(_NOT_COUNT.sub(" ", _PERCENT.sub(" ", text))) - numbers(question)


def fits_type(kind: str | None, question: str, text: str) -> bool:
    """Whether `text` is an answer of the kind asked for (a cited sentence that is on topic
    but does not say who, when or how many is not an answer)."""
    text = strip_markers(text).strip()
    if text.endswith("?"):
        return False  # a question is not an answer, whatever it mentions
    if kind is None:
        return True
    if kind == "count":  # a count: not a percentage, not a year
        return bool(_counts(text, question)) or bool(_COUNT_WORDS.search(_PERCENT.sub(" ", text)))
    if kind == "quantity":
        if numbers(_NOT_COUNT.sub(" ", text)) - numbers(question) or _COUNT_WORDS.search(text):
            return True
        timed = re.search(r"\bhow (long|old)\b", question, re.I) and _DURATION.search(text)
        return bool(_FRACTIONS.search(text) or timed)
    if kind == "date":
        return bool(_DATE.search(text))
    if kind == "reason":  # a reason, not the question's event restated
        new = set(terms(text)) - set(terms(question))
        purpose = _PURPOSE_Q.search(question)  # "what was the act for?": what it does answers
        return len(new) >= 2 and bool(purpose or _BECAUSE.search(text))
    return bool(_new_names(text, question))  # place, name


# --- salvage ---------------------------------------------------------------------------------
def salvage(sentence: str, spans: list[str], question: str) -> tuple[str, int]:
    """`sentence` without the numbers that neither the span carrying it nor the question holds,
    and how many were cut: "on 3 May, 2013" becomes "on 3 May" when no source says 2013.

    The carrying span is the one of `spans` (evidence sentences) holding most of the sentence's
    words, numbers aside (then most of its numbers): a number must be in the sentence that makes
    the claim, not just somewhere nearby. Whether what is left still answers is for the support
    check and `fits_type` to say."""
    claim = strip_markers(sentence)
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


def strip_markers(text: str) -> str:
    return re.sub(r"\[[^\]]{0,12}\]", " ", text)


# --- an extractive answer ------------------------------------------------------------------------
def extract(question: str, evidence) -> tuple[str, int] | None:
    """The evidence sentence that best answers `question`, as (sentence, its evidence number):
    what the assistant says, quoting its source, when the model will not answer although the
    evidence probably does. Only a sentence of the kind asked for (a date for "when"...) that
    shares at least one content word with the question qualifies.

    >>> from assistant.types import Evidence, Passage
    >>> ev = [Evidence(1, Passage("a.txt", 0, 60, "Mali cut ties with France. It did so on 3 May 2022."))]
    >>> extract("When did Mali cut ties with France?", ev)
    ('Mali cut ties with France. It did so on 3 May 2022.', 1)
    """
    found = best_answer_sentence(question, evidence)
    return found[:2] if found else None


def best_answer_sentence(question: str, evidence) -> tuple[str, int, float] | None:
    """(text, evidence number, share of the question's content words it holds) of the evidence
    sentence, or whole evidence item, of the kind asked for that holds most of the question's
    words (the shorter on a tie); None when none holds any. Instructions never qualify."""
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
