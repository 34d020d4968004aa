"""`Assistant.ask`: the one call the terminal, the web chat, the HTTP API and the eval share.

Example usage (loads the default model; the README shows a real run's output)::

    a = Assistant()
    ans = a.ask("When did Operation Serval become Operation Barkhane?")
    ans.answer          # 'Operation Serval became Operation Barkhane in August 2014 [1].'
    ans.citations[0]    # Citation(n=1, source='seeds/001_0c2ad8eadeb24f7d.txt', start=1570, ...)

A question goes: check -> (follow-up rewrite) -> retrieve -> relevance gate -> evidence ->
draft (streamed) -> check the draft (checks.py) -> decide the next step (decide.py) until it
is accept or decline -> Answer. The loaded parts live in `Resources`; the index is read, never
written, by `ask` (documents.py changes it).
"""

from __future__ import annotations

import time
from dataclasses import replace

from . import checks, claims, decide, documents, gate, generate, index, prompts
from .config import Settings
from .decide import Action
from .errors import BadQuestion
from .resources import Log, Resources, log_stderr
from .types import Answer, Checks, Citation, Evidence, Outcome, Reason, Signals, Timings


class _Drafts:
    """One question's draft and what each decision step adds to it (decide.next_step)."""

    def __init__(self, r: Resources, query: str, hits, evidence: list[Evidence], on_token, t0: float):
        self.r, self.query, self.on_token, self.t0 = r, query, on_token, t0
        self.evidence, pointer_messages = generate.fit(r, query, evidence)
        self.pointer = generate.point(r, pointer_messages, self.evidence)
        self.chosen = decide.pick(query, self.evidence, self.pointer)
        reply = str(self.chosen[0]) if self.chosen else prompts.NONE
        self.messages = prompts.answer_messages(pointer_messages, reply, self.chosen, query)
        raw, self.first = generate.draft(r, self.messages, on_token, t0, show_refusal=False)
        self.signals: Signals = replace(
            decide.signals(query, hits, self.evidence, self.pointer),
            pointed=_pointed(self.pointer, self.chosen),
            **_odds(decide.source_odds(query, self.evidence, self.pointer)),
            certainty=generate.certainty(r),
        )
        close = self.signals.relevance >= r.settings.min_close
        self.state = decide.State(self.check(raw), close=close)

    def check(self, raw: str) -> checks.Checked:
        return checks.check_reply(raw, self.evidence, self.query, self.r.settings.min_support)

    def take(self, action: Action) -> None:
        """Do one step and record what is known after it in `state`."""
        state = self.state = replace(self.state, done=self.state.done | {action})
        if action is Action.QUOTE:
            self.state = replace(state, draft=self.quote(state.draft))
            return
        draft, problem = self.review(state.draft)  # VERIFY: the checks of what the answer says,
        verified = generate.verify(self.r, self.messages, draft.raw)  # the model's yes/no,
        self.signals = replace(
            self.signals,
            verified=verified,
            support=min((c.support for c in draft.citations), default=None),
        )
        score = self.r.gate.score(self.signals.features())  # and the gate's score
        self.state = replace(state, draft=draft, problem=problem, score=score)

    def review(self, draft: checks.Checked) -> tuple[checks.Checked, tuple[Reason, str] | None]:
        """The answer's claims checked against the question and its cited sentences (claims.py):
        a detail no cited sentence holds is cut when the rest stands; what cannot be mended is the
        problem that vetoes the answer. The review's numbers go to the signals."""
        seen = claims.review(self.query, draft.text, [c.quote for c in draft.citations])
        if seen.unsupported and seen.repaired and seen.repaired != draft.text:
            mended = self.check(seen.repaired)
            if not mended.failed:
                draft = replace(
                    mended, raw=draft.raw, checks=replace(mended.checks, extracted=draft.checks.extracted)
                )
                seen = claims.review(self.query, draft.text, [c.quote for c in draft.citations])
        values = seen.features()
        self.signals = replace(
            self.signals,
            words=int(values["words"]),
            relation=round(values["relation"], 4),
            specifics=round(values["specifics"], 4),
            parts=round(values["parts"], 4),
        )
        fired = seen.fired()
        if fired["restates"]:
            return draft, (Reason.RESTATES, "")
        if fired["kind"] and seen.kind:
            return draft, (Reason.WRONG_KIND, seen.kind)
        if fired["specifics"]:
            return draft, (Reason.UNSUPPORTED_DETAIL, ", ".join(seen.unsupported))
        if fired["parts"]:
            return draft, (Reason.PART_UNANSWERED, "; ".join(seen.missing))
        return draft, None

    def quote(self, failed: checks.Checked) -> checks.Checked:
        """The chosen source's sentence of the kind asked for, quoted and cited, when the model's
        words failed the checks (else any source's)."""
        mine = [e for e in self.evidence if e.n in self.chosen]
        found = checks.extract(self.query, mine) or checks.extract(self.query, self.evidence)
        if found is None:
            return failed
        quoted = self.check(f"{found[0]} [{found[1]}]")
        if quoted.failed:
            return failed
        return replace(quoted, raw=failed.raw, checks=replace(quoted.checks, extracted=True))

    def closest(self) -> tuple[Citation, ...]:
        """The closest passages, cited exactly, for "the documents may not answer this"."""
        picked = decide.closest(self.evidence, self.pointer, self.chosen)
        by_n = {e.n: e.passage for e in self.evidence}
        return tuple(
            Citation(i, p.source, p.start, p.end, p.text, p.page)
            for i, p in enumerate((by_n[n] for n in picked), start=1)
        )


_OUTCOME = {Action.ACCEPT: Outcome.ANSWER, Action.CLOSEST: Outcome.CLOSEST, Action.DECLINE: Outcome.DECLINED}


def _odds(odds: list[float]) -> dict:
    """The picker's best probability and its lead over the runner-up, as signals."""
    if not odds:
        return {}
    return {
        "picked": round(odds[0], 4),
        "pick_margin": round(odds[0] - (odds[1] if len(odds) > 1 else 0.0), 4),
    }


def _pointed(pointer: dict | None, chosen: list[int]) -> float | None:
    """The pointer's probability of the chosen sources, among the sources (NONE aside)."""
    if not pointer or not chosen:
        return None
    sources = sum(v for k, v in pointer.items() if k != prompts.NONE)
    return round(sum(pointer.get(str(n), 0.0) for n in chosen) / sources, 4) if sources > 0 else None


class Assistant:
    """Answers questions from the indexed documents with exact citations."""

    def __init__(
        self,
        settings: Settings | None = None,
        model: str | None = None,
        log: Log = log_stderr,
        resources: Resources | None = None,
        **parts,
    ):
        """`resources`: already loaded parts to share (`Resources.sibling`); `parts`: an
        `embedder` or `llm` to use instead of loading one (a test's stand-in, say)."""
        self.resources = resources or Resources(settings, model=model, log=log, **parts)

    @property
    def settings(self) -> Settings:
        return self.resources.settings

    @settings.setter
    def settings(self, value: Settings) -> None:
        self.resources.settings = value

    @property
    def log(self) -> Log:
        return self.resources.log

    def ask(self, question: str, history=(), on_token=None, top_k: int | None = None, sources=None) -> Answer:
        """Answer `question` from the indexed documents, citing exact passages.

        `history` is a list of (question, answer) pairs for follow-ups; `on_token` receives
        each piece of text as it is shown; `top_k` overrides the number of evidence passages for
        this call; `sources` (indexed source names) limits the search to those documents.
        """
        t0, r = time.perf_counter(), self.resources
        question = self.check_question(question)
        top_k = top_k or self.settings.top_k
        if sources:  # before the rewrite: an unknown document fails before any model call
            self.check_sources(sources)
        query = generate.standalone(r, question, history)
        hits, qvec = self.retrieve(query, k=2 * top_k, sources=sources)
        retrieved = round(time.perf_counter() - t0, 3)
        if not decide.relevant(hits, self.settings.min_relevance):
            sig = decide.signals(query, hits, [], pointer=None)
            timings = Timings(retrieved, None, retrieved)
            checked = Checks(reason=Reason.NO_RELEVANT_PASSAGE)
            return Answer(question, prompts.REFUSAL, True, (), r.model_name, timings, search_query=query,
                          checks=checked, confidence=0.0, signals=sig, outcome=Outcome.DECLINED)  # fmt: skip
        drafts = _Drafts(r, query, hits, r.retriever.evidence(query, hits, qvec, top_k=top_k), on_token, t0)
        threshold = gate.threshold(r.gate, self.settings.max_risk)
        while not (step := decide.next_step(drafts.state, threshold)).final:
            drafts.take(step.action)
        if step.action is not Action.ACCEPT and on_token and drafts.first is None:
            on_token(prompts.CLOSEST if step.action is Action.CLOSEST else prompts.REFUSAL)
        total = round(time.perf_counter() - t0, 3)
        timings = Timings(
            retrieved, drafts.first if drafts.first is not None else total, total, generations=1
        )
        return self._answer(question, drafts, step, timings)

    def _answer(self, question: str, drafts: _Drafts, step: decide.Step, timings: Timings) -> Answer:
        """The Answer of a decided question: the draft when accepted, else the closest passages or
        the refusal, with the draft kept beside it for the record."""
        draft, outcome = drafts.state.draft, _OUTCOME[step.action]
        final = draft if outcome is Outcome.ANSWER else _declined(draft, step)
        text = {Outcome.ANSWER: draft.text, Outcome.CLOSEST: prompts.CLOSEST}.get(outcome, prompts.REFUSAL)
        citations = drafts.closest() if outcome is Outcome.CLOSEST else final.citations
        return Answer(
            question,
            text,
            outcome is not Outcome.ANSWER,
            self._titled(citations),
            self.resources.model_name,
            timings,
            raw_answer=draft.raw,
            search_query=drafts.query,
            evidence=tuple(drafts.evidence),
            checks=final.checks,
            confidence=drafts.state.score,
            signals=drafts.signals,
            outcome=outcome,
            draft=draft.text,
            draft_citations=self._titled(draft.citations),
            notes=(self.resources.staleness.note(),) if self.resources.staleness else (),
        )

    def _titled(self, citations: tuple[Citation, ...]) -> tuple[Citation, ...]:
        """The citations as shown: each with its document's title, and checked against the file as
        it reads now (`on_disk`): a document changed since indexing is still cited from the
        index's copy, and marked so, never passed off as the file's current text."""
        if not citations:
            return citations
        r = self.resources
        files, stale = r.store.sources(), set(r.staleness.sources)
        out = []
        for c in citations:
            c = replace(c, title=(files.get(c.source) or {}).get("title") or "")
            if c.source in stale:
                now = index.file_text(self.settings, c.source, c.page)
                c = replace(c, on_disk=None if now is None else now[c.start : c.end] == c.quote)
            out.append(c)
        return tuple(out)

    # --- the parts front ends call directly ----------------------------------------------------
    def check_question(self, question: str) -> str:
        """The question with its whitespace collapsed; a BadQuestion when empty or too long."""
        q = " ".join((question or "").split())
        if not q:
            raise BadQuestion(
                'the question is empty; type a question, e.g. assistant ask "Who leads Mali\'s junta?"'
            )
        limit = self.settings.max_question_chars
        if len(q) > limit:
            raise BadQuestion(
                f"the question is {len(q):,} characters; the limit is {limit:,}: ask a shorter question"
            )
        return q

    def retrieve(self, question: str, k: int | None = None, sources=None):
        """(hits, query vector) for a question; no LLM involved. `sources`: see `ask`."""
        retriever = self.resources.retriever  # the index first: a missing one fails before a model loads
        if sources:
            self.check_sources(sources)
        qvec = self.resources.embedder.embed_query(question)
        hits = retriever.search(question, k=k or 2 * self.settings.top_k, qvec=qvec, sources=sources)
        return hits, qvec

    def check_sources(self, sources) -> list[str]:
        """`sources` as given, each an indexed source name, else one line naming the listing."""
        known = self.resources.store.sources()
        unknown = [name for name in sources if name not in known]
        if unknown:
            raise BadQuestion(
                f"not in the index: {', '.join(unknown)}; see the indexed names with: assistant docs"
            )
        return list(sources)

    def documents(self) -> dict[str, dict]:
        return self.resources.documents()

    def add_documents(self, paths=None, rebuild: bool = False):
        return documents.add(self.resources, paths, rebuild)

    def remove_documents(self, sources):
        return documents.remove(self.resources, sources)


def _declined(draft: checks.Checked, step: decide.Step) -> checks.Checked:
    """`draft` declined for the step's reason (the counts of what the checks did are kept)."""
    reason = step.reason or Reason.MODEL_DECLINED
    return replace(
        draft, text="", citations=(), checks=replace(draft.checks, reason=reason, detail=step.detail)
    )
