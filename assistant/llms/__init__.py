"""The model as the pipeline sees it: the `ChatModel` Protocol, and its backends.

    local.py     a llama.cpp model in this process (llama-cpp-python), the default
    packaged.py  the GGUFs shipped as PyPI packages, joined and verified once (`resolve_model`)
    openai.py    any OpenAI-compatible server (llama.cpp's, vLLM, TGI) over HTTP
    serve.py     `assistant serve-model`: llama.cpp's server from the xllamacpp wheel

`open_model(settings, model)` picks the backend: a model server when `settings.llm_url` is set,
else the in-process model.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, runtime_checkable


def gbnf(options: list[str]) -> str:
    """A llama.cpp grammar (GBNF) whose only sentences are `options`.

    >>> gbnf(["NONE", "1", "2"])
    'root ::= "NONE" | "1" | "2"'
    """
    quoted = ('"' + o.replace("\\", "\\\\").replace('"', '\\"') + '"' for o in options)
    return "root ::= " + " | ".join(quoted)


def renormalise(probs: dict[str, float]) -> dict[str, float] | None:
    """`probs` scaled to sum to 1; None when they sum to 0.

    >>> renormalise({"a": 0.25, "b": 0.75, "c": 0.0})
    {'a': 0.25, 'b': 0.75, 'c': 0.0}
    """
    total = sum(probs.values())
    return {k: v / total for k, v in probs.items()} if total > 0 else None


@runtime_checkable
class ChatModel(Protocol):
    """What the pipeline needs from a chat model (the seam a fake or a server client plugs into)."""

    @property
    def name(self) -> str:
        """The model's name, shown with every answer."""

    def stream(
        self, messages: list[dict], max_tokens: int = 200, temperature: float = 0.0, avoid: str | None = None
    ) -> Iterator[str]:
        """Yield the reply's text pieces as they are generated; with `avoid`, a reply that opens
        with that text is steered away from it once its first token is written."""

    def opening_probability(self, messages: list[dict], text: str) -> float | None:
        """The model's probability that its reply to `messages` opens with `text` (its first two
        tokens), or None when the backend cannot tell."""

    def choose(self, messages: list[dict], options: list[str]) -> dict[str, float] | None:
        """The model's reply to `messages` constrained to one of `options` (a llama.cpp grammar):
        each option's probability as the reply's first token, renormalised over the options.
        Options must start with different tokens. None when the backend cannot tell."""

    def certainty(self) -> float | None:
        """The geometric mean probability of the tokens of the last streamed reply, or None."""

    def complete(self, messages: list[dict], max_tokens: int = 64) -> str:
        """The whole reply, stripped."""

    def warm(self, messages: list[dict], cache_dir: Path | None = None) -> bool:
        """Put the prompt of `messages` in the model's cache; True when read from `cache_dir`."""

    def count_tokens(self, text: str) -> int:
        """How many tokens `text` takes in this model's vocabulary."""
