"""`OpenAIModel`: the ChatModel over HTTP, for llama.cpp's server or any OpenAI-compatible one.

Example usage (a server started with `assistant serve-model` prints its URL)::

    llm = OpenAIModel("http://127.0.0.1:8080/v1")
    "".join(llm.stream([{"role": "user", "content": "Say hi"}], max_tokens=8))

Everything goes through `/v1/chat/completions`, so vLLM, TGI or a hosted API work unchanged. What
the answer decision reads besides the text comes from the `logprobs` those servers return, and
degrades where a server gives less (each method says how; None means "cannot tell", which
decide.py treats as no evidence either way):

- `certainty`: the geometric mean probability of the streamed reply's tokens, from the
  log-probability of the likeliest token at each step (as the in-process model computes it).
- `opening_probability`: one 2-token completion with `top_logprobs`. On llama.cpp's server the
  text is tokenized (`/tokenize`) and P(first) x P(second | first) is read exactly as in-process
  (a prefilled reply probes the second token when the model chose another first one). Elsewhere
  token ids are unknown: the probability mass of the first-step tokens that begin the text is
  summed, times the second step's when the reply took one of them (else the second factor is
  taken as 1: an upper bound).
- `stream(avoid=...)`: a reply that opens with `avoid` (its first two tokens) is abandoned and
  written again. On llama.cpp's server as in-process: the first token is kept (the reply is
  prefilled with it) and the second barred by `logit_bias` for that step; the words after may
  differ a little, as the server reads the prefilled opening back as text. Elsewhere the first
  token is barred instead (a heavier touch: measured on the seed questions, it made the model
  answer unanswerable ones it declined in-process), and a server that gives no token ids cannot
  be steered: the reply is kept as written.
- `count_tokens`: llama.cpp's `/tokenize`; elsewhere len(text) / 3.5, a typical English
  characters-per-token ratio for BPE vocabularies (the prompt keeps a margin for the error).
- `warm`: llama.cpp's server keeps the prompt's KV cache (`cache_prompt`); other servers: no-op.

Each thread keeps its own last reply, so several users can stream through one client at once.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from pathlib import Path

from ..errors import MissingDependency, ModelUnavailable

CHARS_PER_TOKEN = 3.5  # the count_tokens estimate where the server cannot tokenize
TOP_LOGPROBS = 20  # OpenAI's maximum; enough to find the refusal's or "Yes"'s first token


class OpenAIModel:
    """A chat model behind an OpenAI-compatible HTTP API; `url` ends in /v1."""

    def __init__(self, url: str, api_key: str | None = None, model: str | None = None, timeout: float = 300):
        try:
            import httpx
        except ImportError:
            raise MissingDependency(
                "a model server needs httpx: pip install 'cited-assistant[scale]'"
            ) from None
        self.url = url.rstrip("/")
        self.root = self.url[: -len("/v1")] if self.url.endswith("/v1") else self.url  # llama.cpp extras
        self.model = model
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(headers=headers, timeout=httpx.Timeout(timeout, connect=5.0))
        self._llamacpp: bool | None = None  # does the server tokenize (llama.cpp)? known once asked
        self._name: str | None = None
        self._local = threading.local()

    # --- requests and errors -----------------------------------------------------------------
    def _fail(self, why: str) -> ModelUnavailable:
        return ModelUnavailable(
            f"the model server at {self.url} {why}; start one with `assistant serve-model` "
            "or fix ASSISTANT_LLM_URL"
        )

    def _post(self, path: str, body: dict, root: bool = False) -> dict:
        import httpx

        try:
            r = self.client.post((self.root if root else self.url) + path, json=body)
        except httpx.HTTPError as e:
            raise self._fail(f"cannot be reached ({type(e).__name__})") from e
        self._check(r)
        return r.json()

    def _check(self, r) -> None:
        if r.status_code in (401, 403):
            raise self._fail(f"refused the API key (HTTP {r.status_code}); set ASSISTANT_LLM_API_KEY")
        if r.status_code >= 400:
            r.read()
            detail = " ".join(r.text.split())[:160]
            raise self._fail(f"answered HTTP {r.status_code} ({detail})")

    def _body(self, messages: list[dict], max_tokens: int, temperature: float = 0.0, **extra) -> dict:
        body = {"messages": messages, "max_tokens": max_tokens, "temperature": temperature, **extra}
        if self.model:
            body["model"] = self.model
        if self.is_llamacpp():
            body["cache_prompt"] = True  # the shared system prompt is evaluated once per slot
        return body

    def is_llamacpp(self) -> bool:
        """True when the server tokenizes (llama.cpp's `/tokenize`); asked once."""
        if self._llamacpp is None:
            import httpx

            try:
                r = self.client.post(self.root + "/tokenize", json={"content": "a"})
            except httpx.HTTPError as e:
                raise self._fail(f"cannot be reached ({type(e).__name__})") from e
            self._llamacpp = r.status_code == 200 and "tokens" in r.json()
        return self._llamacpp

    @property
    def name(self) -> str:
        """The model's name as the server lists it (a path is shortened to its file name)."""
        if self._name is None:
            try:
                listed = self.client.get(self.url + "/models").json()["data"][0]["id"]
            except Exception:  # noqa: BLE001 - a name is cosmetic: fall back and ask again later
                return self.model or f"server at {self.url}"
            self._name = self.model or Path(listed).name
        return self._name

    # --- generation ---------------------------------------------------------------------------
    def _events(self, body: dict) -> Iterator[tuple[str, list[dict]]]:
        """(text piece, token log-probability entries) for each server-sent event of a stream."""
        import httpx

        try:
            # llama.cpp's server closes a connection after a stream: do not pool it for reuse
            close = {"Connection": "close"}
            with self.client.stream("POST", self.url + "/chat/completions", json=body, headers=close) as r:
                self._check(r)
                for line in r.iter_lines():
                    if not line.startswith("data:") or line[5:].strip() == "[DONE]":
                        continue
                    choice = (json.loads(line[5:]).get("choices") or [{}])[0]
                    piece = (choice.get("delta") or {}).get("content") or ""
                    tokens = (choice.get("logprobs") or {}).get("content") or []
                    if piece or tokens:
                        yield piece, tokens
        except httpx.HTTPError as e:
            raise self._fail(f"cannot be reached ({type(e).__name__})") from e

    def _stream_once(self, body: dict, written: tuple = ()) -> Iterator[tuple[str, list[dict]]]:
        logprobs: list[float | None] = [_top(t) for t in written]  # tokens already shown
        self._local.logprobs = logprobs
        for piece, tokens in self._events(body):
            logprobs.extend(_top(t) for t in tokens)
            yield piece, tokens

    def stream(self, messages: list[dict], max_tokens: int = 200, temperature: float = 0.0, avoid=None):
        """Yield the reply's text pieces as the server writes them (see the module for `avoid`)."""
        body = self._body(messages, max_tokens, temperature, stream=True, logprobs=True, top_logprobs=1)
        events = self._stream_once(body)
        if avoid:
            events = self._steer(events, body, avoid)
        for piece, _ in events:
            if piece:
                yield piece

    def _steer(self, events, body: dict, avoid: str):
        """Hold the reply back while it follows `avoid`; once two tokens have, write it again:
        on llama.cpp's server as the in-process model does, the first token kept (a prefilled
        reply) and the second barred; elsewhere with the first token barred, when the server
        gave its id."""
        held: list[tuple[str, list[dict]]] = []
        written: list[dict] = []
        for event in events:
            held.append(event)
            written.extend(event[1] or [{}])
            text = "".join(p for p, _ in held).lstrip()
            if text and not avoid.startswith(text):
                break  # a different reply: let it through
            if len(written) >= 2 and text:
                first, second = written[0], written[1]
                if first.get("id") is None:
                    break  # no token ids: the reply cannot be steered, keep it
                events.close()
                if self.is_llamacpp() and second.get("id") is not None and first.get("token"):
                    yield from self._swap_second(body, first, second["id"])
                else:
                    yield from self._stream_once({**body, "logit_bias": {str(first["id"]): -100}})
                return
        yield from held
        yield from events

    def _swap_second(self, body: dict, first: dict, second: int):
        """The reply again from its first token, with its second token barred for that one step
        (one 1-token request), then continued freely: what the in-process model writes."""
        begun = [*body["messages"], {"role": "assistant", "content": first["token"]}]
        step = {**body, "messages": begun, "max_tokens": 1, "stream": False}
        reply = self._post("/chat/completions", {**step, "logit_bias": {str(second): -100}})
        (swapped,) = reply["choices"][0]["logprobs"]["content"][:1] or [None]
        if swapped is None:  # the reply ended at its first token
            yield first["token"], [first]
            return
        yield first["token"], [first]
        yield swapped["token"], [swapped]
        begun[-1] = {"role": "assistant", "content": first["token"] + swapped["token"]}
        rest = {**body, "messages": begun, "max_tokens": max(1, body["max_tokens"] - 2)}
        yield from self._stream_once(rest, written=(first, swapped))

    def certainty(self) -> float | None:
        """The geometric mean probability of this thread's last streamed reply (the likeliest
        token's probability at each step), or None when the server sent no log-probabilities."""
        logprobs = [x for x in getattr(self._local, "logprobs", []) if x is not None]
        return math.exp(sum(logprobs) / len(logprobs)) if logprobs else None

    def complete(self, messages: list[dict], max_tokens: int = 64) -> str:
        reply = self._post("/chat/completions", self._body(messages, max_tokens))
        return (reply["choices"][0]["message"].get("content") or "").strip()

    def warm(self, messages: list[dict], cache_dir: Path | None = None) -> bool:
        """Have llama.cpp's server evaluate and keep the prompt of `messages` (one token is
        written); other servers manage their own cache. Never read from `cache_dir`: False."""
        if self.is_llamacpp():
            self._post("/chat/completions", self._body(messages, 1))
        return False

    def count_tokens(self, text: str) -> int:
        if self.is_llamacpp():
            return len(self._tokenize(text))
        return math.ceil(len(text) / CHARS_PER_TOKEN)

    def _tokenize(self, text: str) -> list[int]:
        return self._post("/tokenize", {"content": text, "add_special": False}, root=True)["tokens"]

    def choose(self, messages: list[dict], options: list[str]) -> dict[str, float] | None:
        """One reply token under a grammar that allows only `options` (llama.cpp's `grammar`
        field; other servers ignore it), their probabilities read from the top log-probabilities
        of that step (renormalised); None when the server gives none."""
        from . import gbnf, renormalise

        body = self._body(messages, 1, logprobs=True, top_logprobs=TOP_LOGPROBS, grammar=gbnf(options))
        reply = self._post("/chat/completions", body)
        tokens = ((reply["choices"][0].get("logprobs") or {}).get("content")) or []
        if not tokens:
            return None
        top = tokens[0].get("top_logprobs") or [tokens[0]]
        probs = {o: 0.0 for o in options}
        for t in top:
            token = (t.get("token") or "").strip()
            for o in options:
                if token and o.startswith(token):
                    probs[o] += math.exp(t["logprob"])
                    break
        return renormalise(probs)

    # --- the opening's probability -------------------------------------------------------------
    def opening_probability(self, messages: list[dict], text: str) -> float | None:
        """P(the reply to `messages` opens with `text`), over its first two tokens (see the module
        for how exact that is on each kind of server). None when the server gives no logprobs."""
        steps = self._steps(messages)
        if not steps:
            return None
        if self.is_llamacpp():
            return self._exact(messages, steps, self._tokenize(text)[:2])
        return _by_text(steps, text)

    def _steps(self, messages: list[dict], prefill: str | None = None) -> list[dict]:
        """The first steps' top tokens of the reply: [{"chosen": entry, "top": [entries]}].
        One request per messages, per thread: "Yes" and "No" share it."""
        key = json.dumps([messages, prefill])
        cache = self._local.__dict__.setdefault("steps", {})
        if key in cache:
            return cache[key]
        ask = messages + [{"role": "assistant", "content": prefill}] if prefill else messages
        body = self._body(ask, 1 if prefill else 2, logprobs=True, top_logprobs=TOP_LOGPROBS)
        reply = self._post("/chat/completions", body)
        tokens = ((reply["choices"][0].get("logprobs") or {}).get("content")) or []
        steps = [{"chosen": t, "top": t.get("top_logprobs") or [t]} for t in tokens]
        if len(cache) >= 4:  # another question's: drop them
            cache.clear()
        cache[key] = steps
        return steps

    def _exact(self, messages: list[dict], steps: list[dict], want: list[int]) -> float:
        """P(want[0]) x P(want[1] | want[0]) with llama.cpp's token ids, as the in-process model."""
        p = _prob(steps[0]["top"], want[0])
        if len(want) < 2 or p < 1e-4:
            return p
        if steps[0]["chosen"].get("id") == want[0] and len(steps) > 1:
            return p * _prob(steps[1]["top"], want[1])
        first = next(t["token"] for t in steps[0]["top"] if t.get("id") == want[0])
        probe = self._steps(messages, prefill=first)  # the reply as if it had begun with want[0]
        return p * (_prob(probe[0]["top"], want[1]) if probe else 1.0)


def _top(entry: dict) -> float | None:
    """The likeliest token's log-probability at one step (greedy: the token written)."""
    top = entry.get("top_logprobs") or [entry]
    return top[0].get("logprob")


def _prob(top: list[dict], token_id: int) -> float:
    """A token's probability among the top entries; 0 when it is not among them."""
    return next((math.exp(t["logprob"]) for t in top if t.get("id") == token_id), 0.0)


def _by_text(steps: list[dict], text: str) -> float:
    """Without token ids: the mass of first tokens that begin `text`, times, for the token the
    reply took, the mass of second tokens that continue it (1 for the others: an upper bound).

    >>> step = lambda chosen, *top: {"chosen": {"token": chosen}, "top": [
    ...     {"token": t, "logprob": math.log(p)} for t, p in top]}
    >>> round(_by_text([step("Yes", ("Yes", .6), ("No", .3)), step(".", (".", .9))], "Yes"), 3)
    0.6
    >>> round(_by_text([step("The", ("The", .5), ("Op", .4)), step(" doc", (" doc", .8))], "The docs"), 3)
    0.4
    """
    total = 0.0
    for t in steps[0]["top"]:
        token = t["token"]
        if not token or not text.startswith(token):
            continue
        p, rest = math.exp(t["logprob"]), text[len(token) :]
        if rest and token == steps[0]["chosen"]["token"] and len(steps) > 1:
            p *= sum(
                math.exp(u["logprob"]) for u in steps[1]["top"] if u["token"] and rest.startswith(u["token"])
            )
        total += p
    return total
