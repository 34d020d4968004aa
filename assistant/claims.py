"""Checks that catch an answer that is not one, before it is shown. Pure: no model, no I/O.

    >>> q = "Which two senior Malian officials favour closer ties with Russia?"
    >>> restates(q, "Senior Malian officials are described as favouring closer ties with Russia [1].")
    True
    >>> r = review("When did Mali leave ECOWAS?", "Mali left ECOWAS in July 2022 [1].",
    ...            ["ECOWAS partially eased its sanctions on Mali in July 2022."])
    >>> r.problems
    ('The cited passage does not say that: it has none of "leave" or a word like it.',)

Each check answers one question about a drafted answer and the sentences it cites:
- `restates`: does it say anything the question does not already say?
- `kind_fits`: is it of the kind asked (checks.answer_type, checks.fits_type): a name for
  "who", a place for "where", a count for "how many" (a percentage is not), a date for "when"...
- `specifics.unsupported_specifics`: which of its names, places, numbers and dates no cited
  sentence holds (`specifics.cut_specifics` removes them where the sentence stands without);
- `relations.carries_relation`: does the sentence it takes its facts from carry the question's
  relation ("leave"), not only its entities ("Mali", "ECOWAS")?
- `parts_answered`: which parts of a several-part question it answers.
`review` runs them all and returns what the answer decision needs: the verdicts, the problems in
plain words, and numeric features for a gate.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .checks import answer_type, fits_type, sentences_of
from .relations import POINTERS, carries_relation, part_relation, predicate, split_parts, variants, words
from .specifics import cut_specifics, unsupported_specifics

MIN_RELATION = 0.4  # below: the carrying sentence is about something else (evals/claims_report.py)
CLOSE = 0.25  # a sentence answers the part whose relation it carries, or one within this of it

# Words that hedge or point at a source: they add nothing to what the question says.
HEDGES = frozenset(
    words(
        """described describes describe said says say stated states state reported reportedly
        according mentioned mentions mention known seen considered regarded noted notes appears
        document documents source sources passage passages text article essay piece answer
        question called named name specifically mainly particular indeed actually fact"""
    )
)
# Verbs too light to be an answer's content ("Maiga went on to tell ...").
LIGHT = frozenset(words("go went gone make made take took get got give gave come came put tell told"))
_ACK = re.compile(
    r"\b(documents?|sources?|passages?|text|evidence|articles?)\b[^.]{0,60}\b(do|does|did)\s*(not|n't)\b"
    r"|\b(not|never) (mentioned|stated|specified|given|provided|said|named|reported)\b"
    r"|\bno (information|mention|details?|figure|date|name)\b",
    re.IGNORECASE,
)
_KIND_WORDS = {  # how an answer says which part the documents leave open
    "date": r"\b(when|date|year|month|day)\b",
    "count": r"\b(how many|number|count|figure|total)\b",
    "quantity": r"\b(how much|number|amount|share|percentage|figure)\b",
    "place": r"\b(where|place|location|country|city|town)\b",
    "name": r"\b(who|name|names|named|identity)\b",
    "reason": r"\b(why|reason|cause)\b",
}
_KIND_PLAIN = {
    "date": "a date",
    "count": "a count",
    "quantity": "an amount",
    "place": "a place",
    "name": "a name",
    "reason": "a reason",
}


def _plain(text: str) -> str:
    return re.sub(r"\[[^\]]{0,12}\]", " ", text)


def new_words(question: str, answer: str) -> set[str]:
    """Stemmed content words of `answer` that the question does not hold, hedges, light verbs
    and other forms of the question's verbs ("led" for "leads", "quit" for "leave") left out."""
    asked = set(words(question))
    groups = {g for w in asked for g in variants(w)}
    new = set(words(_plain(answer))) - asked - HEDGES - LIGHT
    return {w for w in new if not variants(w) & groups}


def restates(question: str, answer: str) -> bool:
    """The answer says nothing the question does not already say (citation markers and hedges
    such as "is described as" or "according to the article" aside).

    >>> restates("Who replaced Parly?", "Sébastien Lecornu replaced Parly [1].")
    False
    """
    return not new_words(question, answer)


def kind_fits(kind: str | None, question: str, answer: str) -> bool:
    """The answer is of the kind asked (`checks.fits_type`; kind from `checks.answer_type`).

    >>> kind_fits("count", "How many people approve?", "Some 95 percent approve [1].")
    False
    """
    return fits_type(kind, question, answer)


_NUMBERS_AND_NAMES = re.compile(r"\d[\d,.]*|\b[A-Z][a-z]+\b")
_NAMES = re.compile(r"\b[A-Z][\w'’-]*")


def _typed_content(kind: str | None) -> re.Pattern | None:
    """What answers a part of this kind, to be set aside when judging another part."""
    if kind in ("date", "count", "quantity"):
        return _NUMBERS_AND_NAMES
    if kind in ("name", "place"):
        return _NAMES
    return None


def _answers(part: str, kind: str | None, sentence: str, others: list[str]) -> bool:
    """Whether `sentence` answers `part`: of its kind and not restating it. For a part of no
    particular kind, it must carry some of the part's relation and add a content word that is
    not only the answer to another part ("ECOWAS imposed sanctions in July" does not say what
    prompted them)."""
    if not kind_fits(kind, part, sentence) or restates(part, sentence):
        return False
    if kind is not None:
        return True
    if predicate(part) and part_relation(part, sentence) == 0:
        return False
    rest = _plain(sentence)
    for other in others:
        typed = _typed_content(answer_type(other))
        rest = typed.sub(" ", rest) if typed else rest
    asked = set().union(*(words(o) for o in others)) if others else set()
    return bool(new_words(part, rest) - asked - LIGHT - set(words(" ".join(POINTERS))))


def parts_answered(question: str, answer: str) -> tuple[list[str], list[str]]:
    """(parts answered, parts not answered) of the question (`relations.split_parts`): a part is
    answered when some sentence of the answer is of the part's kind, does not restate it, and
    is about this part at least as much as any other (`relations.part_relation`).

    >>> q = "Which president was ousted in 2020, and which colonel seized power?"
    >>> parts_answered(q, "Keita was ousted [1]. The colonel seized power [1].")
    (['Which president was ousted in 2020'], ['which colonel seized power?'])
    """
    said = answers_by_part(question, answer)
    return [p for p, s in said.items() if s], [p for p, s in said.items() if not s]


def answers_by_part(question: str, answer: str) -> dict[str, list[str]]:
    """Each part of the question, with the sentences of the answer that answer it."""
    parts = split_parts(question)
    sents = sentences_of(answer) or [answer]
    return {part: [s for s in sents if answering(part, parts, s)] for part in parts}


def answering(part: str, parts: list[str], sentence: str) -> bool:
    """`sentence` answers `part` of a question of these `parts`."""
    others = [p for p in parts if p != part]
    return _answers(part, answer_type(part), sentence, others) and _closest(part, sentence, parts)


def _closest(part: str, sentence: str, parts: list[str]) -> bool:
    """Of the parts asking for the same kind (two names, two dates), `sentence` is about this
    one at least nearly as much as about any other (`relations.part_relation`)."""
    kind = answer_type(part)
    rivals = [p for p in parts if p != part and answer_type(p) == kind and predicate(p)]
    if kind is None or not rivals or not predicate(part):
        return True
    mine = part_relation(part, sentence)
    return all(mine >= part_relation(p, sentence) - CLOSE for p in rivals)


def acknowledged(part: str, answer: str) -> bool:
    """The answer says the documents do not answer this part ("The documents do not give the
    date")."""
    kind = answer_type(part)
    asked = set(predicate(part))
    for sentence in sentences_of(answer):
        if not _ACK.search(sentence):
            continue
        if asked & set(words(sentence)) or (kind and re.search(_KIND_WORDS[kind], sentence, re.I)):
            return True
    return False


# --- all of them -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Review:
    """The checks' verdicts on one answer, the problems in plain words, and gate features."""

    kind: str | None  # the kind asked (checks.answer_type)
    restates: bool
    kind_ok: bool
    specifics: int  # names, places, numbers and months in the answer, the question's aside
    unsupported: tuple[str, ...]  # those no cited sentence holds
    relation: float  # carries_relation of the sentence(s) the answer takes its specifics from
    answered: tuple[str, ...]  # the question's parts the answer answers
    missing: tuple[str, ...]  # parts neither answered nor said to be missing from the documents
    parts: int
    words: int
    repaired: str | None  # the answer with `unsupported` cut; None when it cannot stand without
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    def features(self) -> dict[str, float]:
        """Numbers for a gate (gate.FEATURES takes "relation", "specifics", "parts", "words"),
        each 0..1 except the answer's length in words."""
        return {
            "relation": self.relation,
            "specifics": 1 - len(self.unsupported) / self.specifics if self.specifics else 1.0,
            "parts": len(self.answered) / max(1, self.parts),
            "words": float(self.words),
            "restates": float(self.restates),
            "kind_ok": float(self.kind_ok),
            "repairable": float(self.repaired is not None),
            "parts_missing": float(bool(self.missing) and self.parts > 1),
        }

    def fired(self) -> dict[str, bool]:
        """Which checks object to the answer."""
        return {
            "restates": self.restates,
            "kind": not self.kind_ok,
            "specifics": bool(self.unsupported),
            "relation": self.relation < MIN_RELATION,
            "parts": bool(self.missing) and self.parts > 1,
            "any": not self.ok,
        }


def _leaning(quote: str) -> list[str]:
    """The quote's sentences, each joined to the one before when it leans on it ("It did so
    on 3 May.")."""
    sents = sentences_of(quote) or [quote]
    out = []
    for i, s in enumerate(sents):
        leans = i and re.match(r"\W*(it|he|she|they|this|that|these|those|the move|the decision)\b", s, re.I)
        out.append(f"{sents[i - 1]} {s}" if leans else s)
    return out


def relation_of(
    question: str, answer: str, cited_sentences: list[str], said: dict[str, list[str]] | None = None
) -> float:
    """How well the cited sentences carry the relation of what the answer says: for each part
    of the question, the answer's sentences that answer it are traced to the cited sentences
    holding their specifics (names, numbers, dates the question does not give), and the part's
    relation must be in them (`relations.carries_relation`, near those specifics). The weakest
    part asking for a name, place, date or number counts, else the best other part. 1.0 when
    nothing is cited. `said`: `answers_by_part`, when known."""
    sents = [s for quote in cited_sentences for s in _leaning(quote)]
    if not sents:
        return 1.0
    typed: list[float] = []
    untyped: list[float] = []
    for part, answering_sentences in (said or answers_by_part(question, answer)).items():
        best = [_carried_by(part, s, sents, question) for s in answering_sentences]
        if best:
            (typed if answer_type(part) else untyped).append(max(best))
    if typed:  # every date, number and name must come from a sentence on its part's relation
        return min(typed)
    if untyped:
        return max(untyped)
    return max(carries_relation(question, s, context=answer) for s in sents)  # nothing answers a part


# a year, or a month named
_DATE_WORD = re.compile(r"^(1[0-9]|20)\d\d$|^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?$")


def _carried_by(part: str, answer_sentence: str, sents: list[str], question: str) -> float:
    """part_relation of the cited sentences holding most of `answer_sentence`'s specifics; for
    a part asking for a date, with the relation nearest to the dates."""
    own = unsupported_specifics(answer_sentence, [], question)
    if not own:
        return max(part_relation(part, s, context=answer_sentence) for s in sents)
    held = [[x for x in own if x not in unsupported_specifics(answer_sentence, [s], question)] for s in sents]
    top = max(len(h) for h in held)
    if not top:
        return max(part_relation(part, s, context=answer_sentence) for s in sents)
    dated = answer_type(part) == "date"  # a date is read with the relation nearest to it
    return max(
        part_relation(part, s, tuple(x for x in h if dated and _DATE_WORD.match(x)), answer_sentence)
        for s, h in zip(sents, held)
        if len(h) == top
    )


def _said(question: str, stems: list[str]) -> list[str]:
    """The question's own words for these stems."""
    found = re.findall(r"[^\W\d_][\w'’-]*", question)
    return list(dict.fromkeys(w for w in found if set(words(w)) & set(stems)))


def review(question: str, answer: str, cited_sentences: list[str]) -> Review:
    """Every check on `answer`, given the sentences it cites (the citations' quotes)."""
    kind = answer_type(question)
    again = restates(question, answer)
    fits = kind_fits(kind, question, answer)
    bad = unsupported_specifics(answer, cited_sentences, question)
    count = len(unsupported_specifics(answer, [], question))
    said = answers_by_part(question, answer)
    relation = relation_of(question, answer, cited_sentences, said)
    done = [p for p, s in said.items() if s]
    missing = [p for p, s in said.items() if not s and not acknowledged(p, answer)]
    problems = []
    if again:
        problems.append("The answer only restates the question.")
    if not fits and kind:
        problems.append(f"The question asks for {_KIND_PLAIN[kind]}; the answer gives none.")
    if bad:
        problems.append(f"Not in the cited passages: {', '.join(bad)}.")
    if relation < MIN_RELATION:
        lacking = _said(question, predicate(question, " ".join([*cited_sentences, answer]))) or ["it"]
        problems.append(
            f'The cited passage does not say that: it has none of "{", ".join(lacking)}" or a word like it.'
        )
    if missing and len(said) > 1:
        problems.append("Not answered, and not said to be missing: " + "; ".join(f'"{p}"' for p in missing))
    return Review(
        kind=kind,
        restates=again,
        kind_ok=fits,
        specifics=count,
        unsupported=tuple(bad),
        relation=relation,
        answered=tuple(done),
        missing=tuple(missing),
        parts=len(said),
        words=len(_plain(answer).split()),
        repaired=cut_specifics(answer, bad) if bad else answer,
        problems=tuple(problems),
    )
