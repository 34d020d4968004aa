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

from . import checks, decide, documents, generate, prompts
from .config import Settings
from .decide import Action, State
from .errors import BadQuestion
from .resources import Log, Resources, log_stderr
from .types import Answer, Checks, Citation, Evidence, Reason, Signals, Timings


class _Drafts:
    """One question's drafts: the first, and what each decision step adds (decide.next_step)."""

    def __init__(self, r: Resources, query: str, hits, evidence: list[Evidence], on_token, t0: float):
        self.r, self.query, self.on_token, self.t0 = r, query, on_token, t0
        self.evidence, self.messages = generate.fit(r, query, evidence)
        raw, self.first = generate.draft(r, self.messages, on_token, t0, show_refusal=False)
        refusal, self.certainty = generate.refusal_and_certainty(r, self.messages)
        self.signals: Signals = decide.signals(query, hits, self.evidence, refusal)
        self.generations = 1
        self.state = State(self.check(raw), before=decide.confidence(self.signals, decide.WEIGHTS_BEFORE))

    def check(self, raw: str) -> checks.Checked:
        return checks.check_reply(raw, self.evidence, self.query, self.r.settings.min_support)

    def take(self, action: Action) -> None:
        """Do one step and record what is known after it in `state`."""
        state = self.state = replace(self.state, done=self.state.done | {action})
        if action is Action.RETRY:  # the model refused though the evidence probably answers
            raw, first = generate.draft(self.r, self.messages, self.on_token, self.t0, avoid=prompts.REFUSAL)
            self.first, self.generations = self.first or first, 2
            second = self.check(raw)
            if not second.failed:
                self.certainty = generate.certainty(self.r)
                self.state = replace(state, draft=second)
        elif action is Action.QUOTE:
            self.state = replace(state, draft=self.quote(state.draft))
        else:  # VERIFY: the model's yes/no on its answer completes the signals
            verified = generate.verify(self.r, self.messages, state.draft.raw)
            self.signals = replace(self.signals, verified=verified, certainty=self.certainty)
            self.state = replace(state, after=decide.confidence(self.signals))

    def quote(self, failed: checks.Checked) -> checks.Checked:
        """The evidence sentence that best answers the question, quoted and cited, when the model
        gave no usable answer though the evidence probably holds one."""
        found = checks.extract(self.query, self.evidence)
        if found is None:
            return failed
        quoted = self.check(f"{found[0]} [{found[1]}]")
        if quoted.failed:
            return failed
        if self.on_token:
            self.on_token(quoted.text)
        return replace(quoted, raw=failed.raw, checks=replace(quoted.checks, extracted=True))


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
            sig = decide.signals(query, hits, [], refusal=None)
            failed = checks.Checked("", "", (), Checks(reason=Reason.NO_RELEVANT_PASSAGE))
            return self._answer(question, query, failed, sig, 0.0, Timings(retrieved, None, retrieved))
        drafts = _Drafts(r, query, hits, r.retriever.evidence(query, hits, qvec, top_k=top_k), on_token, t0)
        while not (step := decide.next_step(drafts.state, self.settings)).final:
            drafts.take(step.action)
        state = drafts.state
        final = state.draft if step.action is Action.ACCEPT else _declined(state.draft, step)
        if final.failed and on_token and drafts.first is None:
            on_token(prompts.REFUSAL)  # the held-back refusal, shown whole
        total = round(time.perf_counter() - t0, 3)
        first = drafts.first if drafts.first is not None else total
        conf = state.after if state.after is not None else state.before
        timings = Timings(retrieved, first, total, generations=drafts.generations)
        return self._answer(question, query, final, drafts.signals, conf, timings, drafts.evidence)

    def _answer(self, question, query, final, signals, conf, timings, evidence=()) -> Answer:
        return Answer(
            question,
            prompts.REFUSAL if final.failed else final.text,
            final.failed,
            self._titled(final.citations),
            self.resources.model_name,
            timings,
            raw_answer=final.raw,
            search_query=query,
            evidence=tuple(evidence),
            checks=final.checks,
            confidence=conf,
            signals=signals,
        )

    def _titled(self, citations: tuple[Citation, ...]) -> tuple[Citation, ...]:
        """The citations with their documents' titles (from the index's per-file meta)."""
        if not citations:
            return citations
        files = self.resources.store.sources()
        return tuple(replace(c, title=(files.get(c.source) or {}).get("title") or "") for c in citations)

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
