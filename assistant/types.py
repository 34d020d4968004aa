"""The data that flows through the assistant, stage by stage.

    Passage  (ingest)   a span of one document, with exact character offsets
    Hit      (retrieve) a passage with its retrieval scores
    Evidence (answer)   a numbered, narrowed span shown to the model as [n]
    Citation (cite)     a checked [n] in the answer, resolved to an exact quote
    Answer   (answer)   what `Assistant.ask` returns to the CLI, the UI and the eval,
                        with its Timings and the Checks that shaped it

Every span is (source, page, start, end), and `start:end` index `ingest.document_text(source,
page)`; `text` is always exactly that slice. By format:
    .txt .md    the file read with `open(source, encoding="utf-8", newline="").read()`
    .pdf        the text pypdf extracts from that 1-based `page` (`ingest.pdf_page_text`), its
                line breaks kept: a quote may hold a wrapped line's newline, which
                `ingest.display_text` shows as a space
    .html .htm  the page's readable text, one heading/paragraph/list item/cell a line
    .docx       the paragraphs, headings and table cells, one a line
Each is recomputed from the file alone (deterministic), so no copy of the text is stored.
Text a reader cannot see in a PDF (white, tiny, invisible, off the page) and running headers
stay in the page text but inside no passage, so they never become evidence.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from enum import Enum


@dataclass(frozen=True)
class Passage:
    source: str  # path as indexed: relative to the project root when inside it
    start: int
    end: int
    text: str
    page: int | None = None  # 1-based page for PDFs, None for text files

    @property
    def key(self) -> tuple:
        return (self.source, self.page, self.start, self.end)


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float  # fused score (reciprocal-rank fusion), higher is better
    dense: float  # cosine similarity to the question
    keyword: float  # BM25 score, 0 when no query term matched

    def to_json(self, rank: int) -> dict:
        """The hit as `assistant search --json` and `GET /v1/search` list it."""
        p = self.passage
        return {
            "rank": rank,
            "source": p.source,
            "start": p.start,
            "end": p.end,
            "page": p.page,
            "score": round(self.score, 4),
            "dense": round(self.dense, 4),
            "keyword": round(self.keyword, 4),
            "text": p.text,
        }


@dataclass(frozen=True)
class Evidence:
    n: int  # the number the model sees and cites
    passage: Passage  # narrowed to the sentences that matter for the question


@dataclass(frozen=True)
class Citation:
    n: int
    source: str
    start: int
    end: int
    quote: str
    page: int | None = None
    supported: bool = True  # False when the support check could not confirm the claim
    support: float = 0.0  # the support score of the cited span for its sentence
    title: str = ""  # the document's title (ingest.Document.title), for display
    # the file as it reads now holds the quote at these offsets; False: it changed since indexing
    # (the quote is the index's copy); None: the file is missing
    on_disk: bool | None = True

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class CiteReport:
    """What the citation checker did to the model's raw answer."""

    text: str  # the answer with invalid markers removed
    citations: tuple[Citation, ...]
    invalid: int = 0  # out of range or malformed markers dropped
    repeated: int = 0  # the same number twice in one sentence, dropped
    replaced: int = 0  # citations moved to the passage that supports the sentence
    unsupported: int = 0  # citations no passage could be shown to support
    added: int = 0  # sentences without a marker given the passage that supports them


@dataclass(frozen=True)
class Timings:
    """Seconds from the moment `ask` was called."""

    retrieve_s: float = 0.0  # retrieval and evidence selection done
    first_token_s: float | None = None  # first text shown; None when no model was needed
    total_s: float = 0.0  # the checked answer ready
    generations: int = 0  # model replies written for this answer (a second one is a retry)


class Reason(Enum):
    """Why an answer was declined. Each member's value is its plain words, which the terminal,
    the web chat and the eval all show; `{detail}` is filled from `Checks.detail`.

    >>> Reason.WRONG_KIND.words("date")
    "the model's answer does not give the date asked for"
    """

    NO_RELEVANT_PASSAGE = "no passage in the documents is close enough to the question"
    MODEL_DECLINED = "the model did not find the answer in the passages it read"
    NO_SUPPORTED_CITATION = (
        "the model's answer could not be traced to the passages it read, so it is not shown"
    )
    WRONG_KIND = "the model's answer does not give the {detail} asked for"
    RESTATES = "the model's answer only restates the question"
    UNSUPPORTED_DETAIL = "the model's answer names {detail}, which no cited passage holds"
    PART_UNANSWERED = "the model's answer leaves a part of the question unanswered ({detail})"
    LOW_CONFIDENCE = "the confidence that an answer would be right is {detail}"

    def words(self, detail: str = "") -> str:
        return self.value.format(detail=detail)


@dataclass(frozen=True)
class Checks:
    """What the checks did between the model's raw reply and the answer the user sees."""

    evidence: int = 0  # numbered evidence passages shown to the model
    invalid: int = 0  # out-of-range or malformed markers dropped
    repeated: int = 0  # the same number twice in one sentence, dropped
    replaced: int = 0  # citations moved to the passage that supports the sentence
    unsupported: int = 0  # citations no passage could be shown to support
    added: int = 0  # sentences without a marker given the passage that supports them
    salvaged: int = 0  # unsupported details cut from sentences whose rest is supported
    extracted: bool = False  # the answer quotes the best evidence sentence: the model gave none
    reason: Reason | None = None  # why the answer was declined; None when it was not
    detail: str = ""  # what fills the reason's words (the kind asked for, the confidence)

    @property
    def abstain_reason(self) -> str | None:
        """Why the answer was declined, in plain words; None when it was not."""
        return self.reason.words(self.detail) if self.reason else None

    @property
    def why(self) -> str:
        """Why the answer was declined, as a sentence ("" when it was not)."""
        words = self.abstain_reason
        return f"{words[0].upper()}{words[1:]}." if words else ""

    def to_json(self) -> dict:
        data = {k: v for k, v in asdict(self).items() if k != "reason"}
        data["reason"] = self.reason.name.lower() if self.reason else None
        data["abstain_reason"] = self.abstain_reason
        return data

    @classmethod
    def from_json(cls, data: dict) -> Checks:
        """`to_json`'s output read back; also the free-text reasons stored before `Reason`.

        >>> Checks.from_json({"abstain_reason": "the answer does not give the date asked for"}).why
        "The model's answer does not give the date asked for."
        """
        known = {f: data[f] for f in cls.__dataclass_fields__ if f in data and f not in ("reason", "detail")}
        name, detail = data.get("reason"), str(data.get("detail") or "")
        if name:
            return cls(**known, reason=Reason[str(name).upper()], detail=detail)
        reason, detail = _legacy_reason(data.get("abstain_reason"))
        return cls(**known, reason=reason, detail=detail)


def _legacy_reason(text: str | None) -> tuple[Reason | None, str]:
    """A reason stored as free text (history and eval results written before `Reason`)."""
    import re

    if not text:
        return None, ""
    fixed = {"no relevant passage": Reason.NO_RELEVANT_PASSAGE, "model declined": Reason.MODEL_DECLINED}
    if text in fixed:
        return fixed[text], ""
    if m := re.match(r"the answer does not give the (.+) asked for", text):
        return Reason.WRONG_KIND, m.group(1)
    if m := re.match(r"low confidence \((.+?)\)", text):
        return Reason.LOW_CONFIDENCE, m.group(1)
    return Reason.NO_SUPPORTED_CITATION, ""


@dataclass(frozen=True)
class Signals:
    """What is measured about a question and its draft before the gate decides (gate.FEATURES)."""

    refusal: float | None = None  # P(NONE): the pointer's probability that no source answers
    relevance: float = 0.0  # best cosine similarity of a retrieved passage to the question
    coverage: float = 0.0  # best share of the question's content words in one evidence item
    typed: float = 0.0  # share of the question's words in the best evidence of the kind asked for
    verified: float | None = None  # the model's P(yes) that its answer is stated in the sources
    certainty: float | None = None  # geometric mean probability of the answer's tokens
    pointer: tuple[float, ...] = ()  # P(NONE), P([1]), ..., P([n]): the pointer's distribution
    pointed: float | None = None  # the pointer's probability of the chosen source(s)
    picked: float | None = None  # the picker's probability that the best source states the answer
    pick_margin: float | None = None  # that probability minus the runner-up's
    margin: float = 0.0  # best retrieval cosine minus the second best
    support: float | None = None  # the weakest citation's support score
    words: int | None = None  # the answer's length in words
    relation: float | None = None  # the cited sentence carries the question's relation (0-1)
    specifics: float | None = None  # share of the answer's names/numbers/dates a cited sentence holds
    parts: float | None = None  # share of the question's parts the answer answers

    @property
    def none(self) -> float | None:
        return self.refusal

    def to_json(self) -> dict:
        return {**asdict(self), "pointer": list(self.pointer)}

    def features(self) -> dict:
        """The values the gate reads, by name (gate.FEATURES)."""
        return {**asdict(self), "none": self.refusal}


class Outcome(Enum):
    """What the user is shown."""

    ANSWER = "answer"  # a checked answer with its citations
    CLOSEST = "closest"  # "the documents may not answer this", with the closest passages cited
    DECLINED = "declined"  # "the documents do not answer this question"


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    abstained: bool
    citations: tuple[Citation, ...]
    model: str
    timings: Timings
    raw_answer: str = ""  # the model's words before citation checking
    search_query: str = ""  # the standalone question used for retrieval
    evidence: tuple[Evidence, ...] = ()
    checks: Checks = field(default_factory=Checks)
    confidence: float | None = None  # 0-1: the gate's probability that the answer is right
    signals: Signals | None = None  # what `confidence` was computed from
    outcome: Outcome | None = None  # None: ANSWER unless abstained, else DECLINED
    draft: str = ""  # the checked draft the gate judged (shown only when the outcome is ANSWER)
    draft_citations: tuple[Citation, ...] = ()  # its citations
    notes: tuple[str, ...] = ()  # what the reader should know beside the answer (stale documents)

    def __post_init__(self):
        if self.outcome is None:  # an answer made without a decision: shown unless abstained
            object.__setattr__(self, "outcome", Outcome.DECLINED if self.abstained else Outcome.ANSWER)

    @property
    def shown(self) -> Outcome:
        """What the user is shown (`outcome`, never None once made)."""
        return self.outcome or (Outcome.DECLINED if self.abstained else Outcome.ANSWER)

    def to_json(self) -> dict:
        """The answer as plain JSON-ready data (what `assistant ask --json` prints)."""
        return {
            "question": self.question,
            "answer": self.answer,
            "outcome": self.shown.value,
            "abstained": self.abstained,
            "confidence": self.confidence,
            "citations": [c.to_dict() for c in self.citations],
            "model": self.model,
            "timings": asdict(self.timings),
            "raw_answer": self.raw_answer,
            "search_query": self.search_query,
            "checks": self.checks.to_json(),
            "signals": self.signals.to_json() if self.signals else None,
            "draft": {"answer": self.draft, "citations": [c.to_dict() for c in self.draft_citations]},
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, data: dict) -> Answer:
        """The Answer `to_json` (or `dataclasses.asdict`, evidence included) describes: what a
        front end rebuilds from `POST /v1/ask`. Unknown keys are ignored, missing ones default.

        >>> c = Citation(1, "s.txt", 0, 7, "In 2014")
        >>> a = Answer("q", "In 2014 [1].", False, (c,), "m", Timings(0.1, 0.5, 1.0), confidence=0.8,
        ...            outcome=Outcome.ANSWER, draft="In 2014 [1].", draft_citations=(c,))
        >>> Answer.from_json(a.to_json()) == a
        True
        """
        values = _known(cls, data)
        values["citations"] = _citations(data.get("citations"))
        values["timings"] = Timings(**_known(Timings, data.get("timings") or {}))
        values["evidence"] = tuple(
            Evidence(e["n"], Passage(**_known(Passage, e["passage"]))) for e in data.get("evidence") or ()
        )
        values["checks"] = Checks.from_json(data.get("checks") or {})
        signals = data.get("signals")
        if signals:
            values["signals"] = Signals(
                **{**_known(Signals, signals), "pointer": tuple(signals.get("pointer") or ())}
            )
        outcome = data.get("outcome")
        values["outcome"] = Outcome(getattr(outcome, "value", outcome)) if outcome else None
        draft = data.get("draft")
        if isinstance(draft, dict):  # to_json's {"answer", "citations"}; asdict keeps the fields apart
            values["draft"], values["draft_citations"] = draft.get("answer") or "", draft.get("citations")
        values["draft_citations"] = _citations(values.get("draft_citations"))
        values["notes"] = tuple(data.get("notes") or ())
        return cls(**values)


def _citations(items) -> tuple[Citation, ...]:
    return tuple(Citation(**_known(Citation, c)) for c in items or ())


def _known(cls, data: dict) -> dict:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}
