"""`Assistant.ask`: the one call the terminal, the web UI and the eval share.

Example usage (loads the default model; the README shows a real run's output)::

    a = Assistant()
    ans = a.ask("When did Operation Serval become Operation Barkhane?")
    ans.answer          # 'Operation Serval became Operation Barkhane in August 2014 [1].'
    ans.citations[0]    # Citation(n=1, source='seeds/001_0c2ad8eadeb24f7d.txt', start=1570, ...)

A question goes: check -> (follow-up rewrite) -> retrieve -> relevance gate -> evidence ->
generate (streamed) -> parse and check citations -> decide -> Answer.

The index is read, never written, by `ask`: adding, removing and refreshing documents are
explicit calls (`add_documents`, `remove_documents`, `refresh`) that the CLI and the web app make.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from dataclasses import replace

from . import cite, decide, ingest, prompts
from . import index as index_mod
from .config import Settings, from_env
from .errors import BadQuestion, IndexMissing
from .types import Answer, Checks, Timings


def _log(msg: str) -> None:
    print(msg, file=sys.stderr)


class Assistant:
    """Holds the loaded index, embedder and LLM; every stage is loaded on first use."""

    def __init__(
        self, settings: Settings | None = None, model: str | None = None, log=_log, embedder=None, llm=None
    ):
        self.settings = settings or from_env()
        self.model = model or (str(self.settings.model_path) if self.settings.model_path else None)
        self.log = log
        self._embedder, self._llm = embedder, llm
        self._index = self._retriever = self._model_path = None
        # llama.cpp contexts are not thread-safe: queue calls; a model server takes llm_parallel at once
        n = self.settings.llm_parallel if self.settings.llm_url else 1
        self._llm_lock = threading.BoundedSemaphore(n) if n > 1 else threading.Lock()
        self._load_lock = threading.RLock()

    # --- stages, loaded lazily ---------------------------------------------------------
    @property
    def embedder(self):
        if self._embedder is None:
            from .embed import Embedder

            self._embedder = Embedder(log=self.log)
        return self._embedder

    @property
    def index(self):
        """The loaded `Store` (index.open_store). Never builds or changes it: a missing index
        is an error that names the command to build it, and files changed since indexing need
        `refresh()`."""
        with self._load_lock:
            if self._index is None:
                s = self.settings
                store = index_mod.open_store(s)
                if store.manifest() is None:
                    raise IndexMissing(
                        f"no index in {index_mod.where(s)}; build it with: {index_mod.command(s, 'PATH')}"
                    )
                self._index = index_mod.load(s, store)
            return self._index

    # --- index maintenance: explicit, for the CLI and the web app ----------------------------
    def add_documents(self, paths=None, rebuild: bool = False) -> index_mod.UpdateReport:
        """Index new or changed files under `paths` (None: the seeds folder); re-check the rest."""
        report = index_mod.update(self.settings, paths, embedder=self.embedder, rebuild=rebuild, log=self.log)
        self._reset()
        return report

    def remove_documents(self, sources) -> index_mod.UpdateReport:
        report = index_mod.remove(self.settings, sources)
        self._reset()
        return report

    def refresh(self) -> index_mod.UpdateReport | None:
        """Re-index the indexed files that changed or vanished since indexing (a stat check
        when none did), so citations match the files as they are now. None: nothing to do."""
        if index_mod.read_manifest(self.settings) is None:
            return None
        stale = index_mod.stale_sources(self.index, self.settings)
        if not stale:
            return None
        self.log(f"{len(stale)} indexed file(s) changed or vanished; updating the index ...")
        report = index_mod.update(self.settings, [], embedder=self.embedder, log=self.log)
        for line in report.failed:
            self.log(f"skipped: {line}")
        self.log(report.summary())
        self._reset()
        return report

    def sibling(self, settings: Settings) -> Assistant:
        """An Assistant over another index (a collection: `collection.of`) that shares this one's
        embedder, model and model queue, loading them now if they are not yet: one model in
        memory for every collection, and its calls still queued as one model's."""
        other = Assistant(settings, model=self.model, log=self.log, embedder=self.embedder, llm=self.llm)
        other._llm_lock = self._llm_lock
        return other

    def documents(self) -> dict:
        """The indexed files: source -> {sha256, size, mtime_ns, title, indexed_at, passages},
        read afresh (another process may have indexed since this one loaded the index)."""
        store = index_mod.open_store(self.settings)
        try:
            return store.sources()
        finally:
            store.close()

    def _reset(self) -> None:
        with self._load_lock:
            self._index = self._retriever = None

    @property
    def retriever(self):
        with self._load_lock:
            if self._retriever is None:
                from .retrieve import Retriever

                self._retriever = Retriever(self.index, self.embedder, self.settings)
            return self._retriever

    def model_path(self):
        """The GGUF to load: checked (and for the default model, prepared) without loading it."""
        if self.settings.llm_url:
            return None  # the model server holds the model
        if self._model_path is None:
            from .llms.packaged import resolve_model

            self._model_path = resolve_model(self.model, self.settings.models_path, self.log)
        return self._model_path

    @property
    def llm(self):
        with self._load_lock:
            if self._llm is None and self.settings.llm_url:
                from .llms.openai import OpenAIModel

                s = self.settings
                self._llm = OpenAIModel(s.llm_url, api_key=s.llm_api_key, model=s.llm_model)
            if self._llm is None:
                from .llms.local import LLM

                self._llm = LLM(
                    self.model_path(), n_ctx=self.settings.n_ctx, n_threads=self.settings.n_threads
                )
            return self._llm

    @property
    def model_name(self) -> str:
        if self._llm is not None:
            return self._llm.name
        if self.settings.llm_url:  # a server's model: its name is known once it has answered
            return self.settings.llm_model or self.settings.llm_url
        return self.model or "qwen"

    def preload(self) -> threading.Thread:
        """Check the model now, then load it in the background while retrieval runs.

        A bad model file fails here, in one line, before seconds go into retrieval; a load
        error in the thread is raised again, in the caller's thread, by the first `ask`.
        """
        self.model_path()

        def load():
            try:
                self.warm_up()
            except Exception:  # noqa: BLE001 - reported by the next use of self.llm
                pass

        t = threading.Thread(target=load, daemon=True)
        t.start()
        return t

    def warm_up(self) -> None:
        """Load the LLM and put the fixed start of the prompt in its KV cache (read from the
        state an earlier run saved, else computed and saved): a question then pays only for
        its own evidence. Runs while the embedder loads."""
        llm = self.llm
        with self._llm_lock:
            llm.warm(prompts.prefix_messages(), self.settings.models_path / "prompt-cache")

    # --- the pipeline --------------------------------------------------------------------
    def check_question(self, question: str) -> str:
        q = " ".join((question or "").split())
        if not q:
            raise BadQuestion(
                'the question is empty; type a question, e.g. assistant ask "Who leads Mali\'s junta?"'
            )
        if len(q) > self.settings.max_question_chars:
            raise BadQuestion(
                f"the question is {len(q):,} characters; the limit is "
                f"{self.settings.max_question_chars:,}: ask a shorter question"
            )
        return q

    def standalone(self, question: str, history) -> str:
        """Turn a follow-up into a question that stands alone, for retrieval.

        Only questions that lean on the conversation (a pronoun, "there", "then", or very
        short) pay for the rewrite: it is a second model call.
        """
        if not history or not prompts.leans_on_context(question):
            return question
        with self._llm_lock:
            rewritten = self.llm.complete(prompts.rewrite_messages(question, list(history)), max_tokens=60)
        # a rewrite that copies an earlier answer or drops the question's words falls back
        return prompts.checked_rewrite(question, rewritten, list(history))

    def retrieve(self, question: str, k: int | None = None, sources=None):
        """(hits, query vector) for a question; no LLM involved. `sources`: see `ask`."""
        retriever = self.retriever  # the index first: a missing one fails before any model loads
        if sources:
            self.check_sources(sources)
        qvec = self.embedder.embed_query(question)
        hits = retriever.search(question, k=k or 2 * self.settings.top_k, qvec=qvec, sources=sources)
        return hits, qvec

    def check_sources(self, sources) -> list[str]:
        """`sources` as given, each an indexed source name, else one line naming the listing."""
        known = self.index.sources()
        unknown = [name for name in sources if name not in known]
        if unknown:
            raise BadQuestion(
                f"not in the index: {', '.join(unknown)}; see the indexed names with: assistant docs"
            )
        return list(sources)

    def ask(self, question: str, history=(), on_token=None, top_k: int | None = None, sources=None) -> Answer:
        """Answer `question` from the indexed documents, citing exact passages.

        `history` is a list of (question, answer) pairs for follow-ups; `on_token` receives
        each piece of text as the model writes it; `top_k` overrides the number of evidence
        passages for this call only; `sources` (indexed source names, as `documents()` lists
        them) limits the search to those documents, None or empty: all of them.
        """
        t0 = time.perf_counter()
        s = self.settings
        question = self.check_question(question)
        top_k = top_k or s.top_k
        if sources:  # before the rewrite: an unknown document fails before any model call
            self.check_sources(sources)
        query = self.standalone(question, history)
        hits, qvec = self.retrieve(query, k=2 * top_k, sources=sources)
        retrieved = round(time.perf_counter() - t0, 3)
        if not hits or max(h.dense for h in hits) < s.min_relevance:
            sig = decide.signals(query, hits, [], refusal=None)
            return Answer(
                question,
                prompts.REFUSAL,
                True,
                (),
                self.model_name,
                Timings(retrieved, None, round(time.perf_counter() - t0, 3)),
                search_query=query,
                checks=Checks(abstain_reason="no relevant passage"),
                confidence=0.0,
                signals=sig,
            )
        evidence = self.retriever.evidence(query, hits, qvec, top_k=top_k)
        evidence, messages = self._fit(query, evidence)
        raw, first = self._generate(messages, on_token, t0, show_refusal=False)
        with self._llm_lock:
            certainty = self.llm.certainty()
            refusal = self.llm.opening_probability(messages, prompts.REFUSAL)
        sig = decide.signals(query, hits, evidence, refusal)
        conf = decide.confidence(sig, decide.WEIGHTS_BEFORE)
        answer = self._finish(question, query, raw, evidence)
        generations = 1
        if (
            answer.abstained
            and conf >= s.retry_confidence
            and answer.checks.abstain_reason == "model declined"
        ):
            # The model refused though the evidence probably answers: ask once more with the
            # refusal barred, and let the checks judge what it writes.
            raw2, first2 = self._generate(messages, on_token, t0, avoid=prompts.REFUSAL)
            first, generations = first or first2, 2
            second = self._finish(question, query, raw2, evidence)
            if not second.abstained:
                answer = second
                with self._llm_lock:
                    certainty = self.llm.certainty()
        if answer.abstained and conf >= s.extract_confidence:
            answer = self._extract(answer, question, query, evidence, on_token)
        if not answer.abstained and not answer.checks.extracted:
            sig = replace(sig, verified=self._verify(messages, answer.raw_answer), certainty=certainty)
            conf = decide.confidence(sig)
        if not answer.abstained and conf < s.min_confidence:
            answer = self._decline(answer, f"low confidence ({conf:.2f}) that the documents answer this")
        if answer.abstained and on_token and first is None:
            on_token(answer.answer)  # the held-back refusal, shown whole
        first = first if first is not None else round(time.perf_counter() - t0, 3)
        timings = Timings(retrieved, first, round(time.perf_counter() - t0, 3), generations=generations)
        citations = self._titled(answer.citations)
        return replace(answer, citations=citations, timings=timings, confidence=conf, signals=sig)

    def _titled(self, citations) -> tuple:
        """The citations with their documents' titles (from the index's per-file meta)."""
        if not citations:
            return tuple(citations)
        files = self.index.sources()
        return tuple(replace(c, title=(files.get(c.source) or {}).get("title") or "") for c in citations)

    def _fit(self, query: str, evidence: list) -> tuple[list, list[dict]]:
        """The answer prompt, with evidence dropped from the end until it fits the model's
        context beside the answer and the yes/no check (a margin covers the chat template)."""
        budget = self.settings.n_ctx - self.settings.max_tokens - 96
        while True:
            messages = prompts.answer_messages(query, evidence)
            used = sum(self.llm.count_tokens(m["content"]) + 8 for m in messages)
            if used <= budget or len(evidence) <= 1:
                return evidence, messages
            evidence = evidence[:-1]

    def _generate(self, messages, on_token, t0, show_refusal=True, avoid=None) -> tuple[str, float | None]:
        """Stream the model's reply to `on_token`; returns (text, time of the first piece shown).

        A reply that is turning out to be the refusal phrase is held back, and generation
        stops once it is plain: the refusal is then shown whole, in one piece (or not at all
        with `show_refusal=False`, when the caller may still ask again).
        """
        text, shown, first = "", 0, None
        pieces = self.llm.stream(
            messages, max_tokens=self.settings.max_tokens, temperature=self.settings.temperature, avoid=avoid
        )
        with self._llm_lock, contextlib.closing(pieces):
            for piece in pieces:
                text += piece
                if not shown:
                    held = decide.streaming_refusal(text)
                    if held == "wait":
                        continue
                    if held == "refusal":
                        text = prompts.REFUSAL
                        break
                if first is None:
                    first = round(time.perf_counter() - t0, 3)
                if on_token:
                    on_token(text[shown:])
                shown = len(text)
        if not shown and show_refusal:  # the refusal (or an empty reply): show it now
            first = round(time.perf_counter() - t0, 3)
            if on_token and text.strip():
                on_token(text.strip())
        return text.strip(), first

    def _finish(self, question, query, raw, evidence) -> Answer:
        """Check the model's reply: citations, salvage of unsupported details, answer type."""
        raw = prompts.plain(raw)  # no markdown image, link or HTML a document planted
        sentences, counts = cite.parse(raw, len(evidence))
        claims = [c for c in sentences if not prompts.is_refusal(c.text)]
        # every evidence sentence: the check below may move a citation to the one that carries it
        sents = [s.text for e in evidence for s in ingest.sentences(e.passage)]
        salvaged = 0
        for i, c in enumerate(claims):
            text, cut = decide.salvage(c.text, sents, query)
            if cut:
                claims[i], salvaged = replace(c, text=text), salvaged + cut
        report = cite.check(claims, evidence, self.settings.min_support, question=query)
        checks = Checks(
            evidence=len(evidence),
            invalid=counts["invalid"],
            repeated=counts["repeated"],
            replaced=report.replaced,
            unsupported=report.unsupported,
            added=report.added,
            salvaged=salvaged,
        )
        base = Answer(
            question,
            "",
            False,
            (),
            self.model_name,
            Timings(),
            raw_answer=raw,
            search_query=query,
            evidence=tuple(evidence),
            checks=checks,
        )
        supported = [c for c in report.citations if c.supported]
        kind = decide.answer_type(query)
        if not supported:
            declined = bool(sentences) and prompts.is_refusal(sentences[0].text)
            reason = "model declined" if declined or not raw else "no supported citation"
            return self._decline(base, reason)
        if not decide.fits_type(kind, query, report.text):
            return self._decline(base, f"the answer does not give the {kind} asked for")
        text, citations = cite.renumber(report.text, report.citations)
        return replace(base, answer=text, citations=citations)

    def _verify(self, messages, reply: str) -> float | None:
        """The model's P(Yes) / P(Yes or No) that its reply is stated in the sources and answers
        the question: the prompt and reply are already in its cache, so this reads a few tokens."""
        check = prompts.verify_messages(messages, reply)
        with self._llm_lock:
            yes = self.llm.opening_probability(check, "Yes")
            no = self.llm.opening_probability(check, "No")
        if yes is None or no is None or yes + no <= 0:
            return None
        return round(yes / (yes + no), 4)

    def _extract(self, declined: Answer, question, query, evidence, on_token) -> Answer:
        """The evidence sentence that best answers the question, quoted and cited, when the
        model gave no usable answer though the evidence probably holds one."""
        found = decide.extract(query, evidence)
        if found is None:
            return declined
        quoted = self._finish(question, query, f"{found[0]} [{found[1]}]", evidence)
        if quoted.abstained:
            return declined
        if on_token:
            on_token(quoted.answer)
        return replace(quoted, raw_answer=declined.raw_answer, checks=replace(quoted.checks, extracted=True))

    def _decline(self, answer: Answer, reason: str) -> Answer:
        return replace(
            answer,
            answer=prompts.REFUSAL,
            abstained=True,
            citations=(),
            checks=replace(answer.checks, abstain_reason=reason),
        )
