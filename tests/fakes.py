"""Test stand-ins. Each plugs in through a declared interface (embed.TextEmbedder,
llms.ChatModel, evaluation.run.EvalTarget); tests/test_interfaces.py proves that it does."""

from __future__ import annotations

import hashlib
import re
import time

from assistant.types import Answer, Checks, Citation, Hit, Passage, Timings


class CountingEmbedder:
    """The real embedder, counting what it is asked to embed (for incremental-update tests)."""

    dimension: int

    def __init__(self, inner):
        self.inner, self.calls = inner, []
        self.dimension = inner.dimension

    def embed(self, texts, progress=False):
        self.calls.append(list(texts))
        return self.inner.embed(texts)

    def embed_query(self, text):
        self.calls.append([text])
        return self.inner.embed_query(text)


class HashEmbedder:
    """A stand-in `embed.TextEmbedder` with no model: a unit vector per text from its words'
    hashes (for tests of the index's files, where what the vectors mean does not matter)."""

    dimension = 384

    def embed(self, texts, progress=False):
        import numpy as np

        out = np.zeros((len(texts), self.dimension), dtype="float32")
        for i, text in enumerate(texts):
            for word in text.lower().split():
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimension] += 1.0
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)

    def embed_query(self, text):
        return self.embed([text])[0]


class FakeModel:
    """What the scripted models share: nothing to cache, words for tokens, a fixed belief
    about refusing, and no token probabilities."""

    refusal_probability: float | None = None  # what it "believes" about refusing; None: unknown

    def warm(self, messages, cache_dir=None):
        return False  # nothing to cache

    def count_tokens(self, text):
        return len(text.split())

    def opening_probability(self, messages, text):
        return self.refusal_probability

    choice: dict | None = None  # what `choose` answers; None: "cannot tell"

    def choose(self, messages, options):
        return {o: self.choice.get(o, 0.0) for o in options} if self.choice else None

    def certainty(self):
        return None


class ScriptedLLM(FakeModel):
    """Plugs in where assistant.llms.local.LLM does; replies with a fixed script, records prompts."""

    name = "scripted"

    def __init__(self, reply: str | None = None, replies=None):
        self.replies = list(replies or [reply or ""])
        self.prompts: list[list[dict]] = []

    def stream(self, messages, max_tokens=200, temperature=0.0, avoid=None):
        self.prompts.append(messages)
        reply = self.replies[min(len(self.prompts) - 1, len(self.replies) - 1)]
        for i in range(0, len(reply), 7):
            yield reply[i : i + 7]

    def complete(self, messages, max_tokens=64):
        return "".join(self.stream(messages, max_tokens)).strip()


class EchoLLM(FakeModel):
    """A scripted model: answers with the first sentence of source [1], cited, a word at a
    time; rewrites a follow-up by joining it to the conversation's first question."""

    name = "echo-test"
    refusal_probability = 0.0  # it always answers

    def __init__(self, delay: float = 0.03):
        self.delay, self.rewrites = delay, []
        self.unfinished = 0  # replies whose reader stopped them before the end (Stop)

    def stream(self, messages, max_tokens=200, temperature=0.0, avoid=None):
        # the sources are in the pointer turn, which the answer turn follows (prompts.py)
        sources = next(
            (m["content"] for m in reversed(messages) if re.search(r"^\[1\] ", m["content"], re.M)), ""
        )
        m = re.search(r"^\[1\] (.*)$", sources, re.M)
        sentence = re.split(r"(?<=[.!?])\s", m.group(1))[0].rstrip(".")
        words, sent = f"{sentence} [1].".split(" "), 0
        try:
            for word in words:
                time.sleep(self.delay)
                yield word + " "
                sent += 1
        finally:
            self.unfinished += sent < len(words)

    def complete(self, messages, max_tokens=64):
        prompt = messages[-1]["content"]
        if "Last question:" not in prompt:  # not a follow-up to rewrite: a question that leans on
            return "What is this about?"  # its context, which a suggestion never is (suggest.py)
        self.rewrites.append(prompt)
        questions = re.findall(r"[A-Z][^?\n:]*\?", prompt)
        return f"{questions[-1]} (about: {questions[0]})"


def scripted_citation(source="docs/a.txt", start=26, end=39, quote="Epsilon zeta.", n=1, page=None):
    return Citation(n, source, start, end, quote, page)


class ScriptedAssistant:
    """Stands in for Assistant in the eval loop tests: retrieval and answers are scripted."""

    def __init__(self, interrupt_at=None):
        self.interrupt_at, self.asked = interrupt_at, 0

    def retrieve(self, question, k=None):
        return [Hit(Passage("docs/a.txt", 26, 39, "Epsilon zeta."), 1.0, 0.9, 1.0)], None

    def ask(self, question, history=(), on_token=None, top_k=None):
        self.asked += 1
        if self.asked == self.interrupt_at:
            raise KeyboardInterrupt
        return Answer(
            question,
            "Zeta [1].",
            False,
            (scripted_citation(),),
            "scripted",
            Timings(0.01, 0.5, 1.0),
            raw_answer="Zeta [1].",
            checks=Checks(),
        )


class KeyPointLLM(EchoLLM):
    """EchoLLM that also writes what summaries and suggested questions ask for: a key point is
    its source sentence, cited ("[n] «text»" -> "text [n]."); a suggested question asks what
    the sentence's opening words lead to ("What about <its first five words>?")."""

    name = "keypoint-test"

    def stream(self, messages, max_tokens=200, temperature=0.0, avoid=None):
        last = messages[-1]["content"]
        m = re.search(r"^\[(\d+)\] \u00ab(.*)\u00bb$", last, re.M)
        if m and "The key point of source" in last:
            time.sleep(self.delay)
            yield f"{m.group(2).rstrip('.')} [{m.group(1)}].\n"
            return
        yield from super().stream(messages, max_tokens, temperature, avoid)

    def complete(self, messages, max_tokens=64):
        m = re.fullmatch(r"\u00ab(.*)\u00bb", messages[-1]["content"].strip())
        if m:  # a sentence to ask about
            return f"What about {' '.join(m.group(1).split()[:5]).rstrip('.,;:')}?"
        return super().complete(messages, max_tokens)
