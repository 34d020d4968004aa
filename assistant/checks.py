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

from . import cite, prompts
from .cite import support
from .ingest import sentences
from .prompts import is_instruction
from .text import STOPWORDS, numbers, states_number, terms
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
    text = strip_markers(text).strip()
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
