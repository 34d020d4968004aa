"""The in-process model: llama.cpp (llama-cpp-python), streamed token by token.

Example usage (loads a model)::

    llm = LLM(resolve_model("smollm2"))
    "".join(llm.stream([{"role": "user", "content": "Say hi"}], max_tokens=8))

The chat template is the one stored in the GGUF, so any chat model works through `--model`.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ..errors import MissingDependency, ModelMissing


class _Opening:
    """A llama.cpp logits processor that keeps the prompt's token ids, the next-token
    probabilities of the first two steps and the likeliest token's log-probability at every step
    (for `certainty`), and steers away from an opening to avoid: once the reply has written
    `avoid[:k]` (k >= 1), token `avoid[k]` is barred."""

    def __init__(self, avoid: list[int] | tuple = ()):
        self.avoid: list[int] = list(avoid)
        self.prompt: list[int] | None = None
        self.steps: list = []  # next-token probabilities (numpy) after the prompt, then after 1 token
        self.chosen: list[int] = []  # the first tokens the reply wrote
        self.top_logprobs: list[float] = []  # log-probability of the likeliest token, each step

    def __call__(self, input_ids, logits):
        import numpy as np

        ids = list(input_ids)
        if self.prompt is None:
            self.prompt = ids
        written = ids[len(self.prompt) :]
        k = len(written)
        if self.avoid and 0 < k < len(self.avoid) and written == self.avoid[:k]:
            logits = logits.copy()
            logits[self.avoid[k]] = -np.inf
        x = logits.astype(np.float64)
        e = np.exp(x - x.max())
        total = e.sum()
        self.top_logprobs.append(float(-np.log(total)))  # log of (max prob) = -log(sum e^(x-max))
        if len(self.steps) < 2 and k == len(self.steps):
            self.steps.append(e / total)
        if k in (1, 2) and len(self.chosen) < k:
            self.chosen = written[:2]
        return logits

    def certainty(self) -> float | None:
        """The geometric mean probability of the reply's tokens (greedy: the likeliest each step)."""
        import math

        if not self.top_logprobs:
            return None
        return math.exp(sum(self.top_logprobs) / len(self.top_logprobs))


@contextlib.contextmanager
def _quiet_stderr():
    """llama.cpp writes load diagnostics straight to fd 2; keep the terminal clean."""
    if os.environ.get("ASSISTANT_DEBUG"):
        yield
        return
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class LLM:
    """A llama.cpp model. Calls reuse the KV cache of the longest shared prompt prefix, so a
    warm process pays for the fixed system prompt once."""

    name: str  # the GGUF's file name, shown with every answer

    def __init__(self, path: Path, n_ctx: int = 2048, n_threads: int | None = None):
        try:
            from llama_cpp import Llama
        except ImportError:
            raise MissingDependency("llama-cpp-python is not installed; run the README's set-up") from None
        self.path, self.name = Path(path), Path(path).name
        try:
            with _quiet_stderr():
                self.llama = Llama(
                    model_path=str(path), n_ctx=n_ctx, n_threads=n_threads, n_batch=512, verbose=False
                )
        except (ValueError, RuntimeError, OSError) as e:
            raise ModelMissing(
                f"cannot load {path} ({e}); the file may be truncated or not a "
                "chat model: re-download it or pick another"
            ) from e

    def stream(self, messages: list[dict], max_tokens: int = 200, temperature: float = 0.0, avoid=None):
        """Yield the reply's text pieces as they are generated.

        The next-token probabilities of the first two steps are kept (`_opening`), so that
        `opening_probability` can read them afterwards without evaluating the prompt again.
        """
        watch = _Opening(self._tokens(avoid) if avoid else ())
        self._opening = (messages, watch)
        create: Any = self.llama.create_chat_completion  # typed for its own message dicts
        chunks = create(
            messages=messages,
            max_tokens=max_tokens,
            temperature=temperature,
            repeat_penalty=1.0,
            stream=True,
            logits_processor=[watch],
        )
        for chunk in chunks:
            piece = chunk["choices"][0]["delta"].get("content")
            if piece:
                yield piece

    def choose(self, messages: list[dict], options: list[str]) -> dict[str, float] | None:
        """One reply token under a grammar that allows only `options`; their probabilities are read
        from the distribution the model computed before the grammar masked it (renormalised)."""
        from llama_cpp import LlamaGrammar

        from . import gbnf, renormalise

        with _quiet_stderr():
            grammar = LlamaGrammar.from_string(gbnf(options), verbose=False)
        watch = _Opening(())
        self._opening = (messages, watch)
        create: Any = self.llama.create_chat_completion
        create(messages=messages, max_tokens=1, temperature=0.0, grammar=grammar, logits_processor=[watch])
        if not watch.steps:
            return None
        first = watch.steps[0]
        return renormalise({o: float(first[self._tokens(o)[0]]) for o in options})

    def certainty(self) -> float | None:
        """How sure the model was of its last streamed reply: the geometric mean probability of
        the tokens it wrote (a hallucinated detail is usually written with lower probability)."""
        last = getattr(self, "_opening", None)
        return last[1].certainty() if last else None

    def opening_probability(self, messages: list[dict], text: str) -> float | None:
        """P(first token) x P(second token | first) of `text` as the reply to `messages`.

        Reads the probabilities kept by the last `stream` of the same messages; the second factor
        costs one token's evaluation when the reply took another first token.
        """
        last = getattr(self, "_opening", None)
        if last is None or last[0] is not messages or not last[1].steps:
            for _ in self.stream(messages, max_tokens=1):
                pass
            last = self._opening
        watch: _Opening = last[1]
        want = self._tokens(text)[:2]
        p = float(watch.steps[0][want[0]])
        if len(want) < 2 or p < 1e-4:
            return p
        if watch.chosen[:1] == want[:1] and len(watch.steps) > 1:
            return p * float(watch.steps[1][want[1]])
        probe = _Opening(())
        generate: Any = self.llama.generate  # typed for llama_cpp.LogitsProcessorList
        for _ in generate(list(watch.prompt or []) + want[:1], temp=0.0, logits_processor=[probe]):
            break  # the first sample is enough: `probe` has seen the distribution after want[0]
        return p * float(probe.steps[0][want[1]])

    def _tokens(self, text: str) -> list[int]:
        return self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=False)

    def warm(self, messages: list[dict], cache_dir: Path | None = None) -> bool:
        """Evaluate the prompt of `messages` into the KV cache, so later calls that start the
        same way pay only for the rest.

        With `cache_dir`, the evaluated state (the KV cache of those tokens, a few MB) is saved
        there and read back by later processes: milliseconds instead of seconds of prompt
        processing for every one-off `assistant ask`. Returns True when it was read back.
        """
        path = self._state_path(messages, cache_dir) if cache_dir else None
        if path is not None and path.is_file() and self._load_state(path):
            return True
        for _ in self.stream(messages, max_tokens=1):
            pass
        if path is not None:
            self._save_state(path)
        return False

    def _state_path(self, messages: list[dict], cache_dir: Path) -> Path:
        import llama_cpp

        st = self.path.stat()
        key = json.dumps(
            {
                "model": str(self.path.resolve()),
                "size": st.st_size,
                "mtime_ns": st.st_mtime_ns,
                "n_batch": self.llama.n_batch,
                "llama_cpp": llama_cpp.__version__,
                "messages": messages,
            },
            sort_keys=True,
        )
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        return Path(cache_dir) / f"{self.path.stem}-{digest}.state"

    def _save_state(self, path: Path) -> None:
        import llama_cpp

        n = self.llama.n_tokens
        tokens = (llama_cpp.llama_token * n)(*self.llama.input_ids[:n].tolist())
        tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        try:  # a cache: a read-only or full disk only means the next run is slower
            path.parent.mkdir(parents=True, exist_ok=True)
            with _quiet_stderr():
                saved = llama_cpp.llama_state_save_file(self.llama.ctx, str(tmp).encode(), tokens, n)
            if saved:
                os.replace(tmp, path)
        except OSError:
            pass
        finally:
            tmp.unlink(missing_ok=True)

    def _load_state(self, path: Path) -> bool:
        import llama_cpp

        capacity = self.llama.n_ctx()
        tokens = (llama_cpp.llama_token * capacity)()
        count = ctypes.c_size_t(0)
        with _quiet_stderr():
            ok = llama_cpp.llama_state_load_file(
                self.llama.ctx, str(path).encode(), tokens, capacity, ctypes.byref(count)
            )
        n = count.value
        if not ok or not 0 < n <= capacity:  # damaged or from another build: redo it
            self.llama.reset()
            path.unlink(missing_ok=True)
            return False
        self.llama.input_ids[:n] = tokens[:n]
        self.llama.n_tokens = n  # the next prompt reuses the longest shared prefix of these
        return True

    def complete(self, messages: list[dict], max_tokens: int = 64) -> str:
        return "".join(self.stream(messages, max_tokens=max_tokens)).strip()

    def count_tokens(self, text: str) -> int:
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))
