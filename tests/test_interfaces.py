"""The seams: every fake and every real implementation conforms to its declared Protocol.

A runtime `isinstance` check only sees that the names exist; this also checks that each method
accepts the Protocol's parameters (by name), so a fake cannot drift from the real thing.
"""

import inspect
import subprocess
import sys

import pytest
from fakes import CountingEmbedder, EchoLLM, HashEmbedder, KeyPointLLM, ScriptedAssistant, ScriptedLLM

from assistant.answer import Assistant
from assistant.embed import Embedder, TextEmbedder
from assistant.evaluation.run import EvalTarget
from assistant.llms import ChatModel
from assistant.llms.local import LLM
from assistant.llms.openai import OpenAIModel
from assistant.stores import Store
from assistant.stores.folder import FolderStore
from assistant.stores.postgres import PostgresStore


def members(proto):
    names = {n for n, v in vars(proto).items() if callable(v) or isinstance(v, property)}
    names |= set(getattr(proto, "__annotations__", {}))
    return {n for n in names if not n.startswith("_")}


def conforms(cls, proto) -> list[str]:
    """What `cls` lacks of `proto`: missing members, or methods missing a parameter."""
    problems = []
    for name in sorted(members(proto)):
        want = vars(proto).get(name)
        have = getattr(cls, name, None)
        declared = {a for k in inspect.getmro(cls) for a in getattr(k, "__annotations__", {})}
        if have is None and name not in declared:
            problems.append(f"{cls.__name__} has no {name}")
            continue
        if inspect.isfunction(want) and callable(have):
            wanted = [p for p in inspect.signature(want).parameters if p != "self"]
            got = inspect.signature(have).parameters
            if not any(p.kind is p.VAR_KEYWORD for p in got.values()):
                problems += [f"{cls.__name__}.{name} lacks parameter {p}" for p in wanted if p not in got]
    return problems


@pytest.mark.parametrize(
    "cls,proto",
    [
        (LLM, ChatModel),
        (ScriptedLLM, ChatModel),
        (EchoLLM, ChatModel),
        (KeyPointLLM, ChatModel),
        (OpenAIModel, ChatModel),
        (Embedder, TextEmbedder),
        (CountingEmbedder, TextEmbedder),
        (HashEmbedder, TextEmbedder),
        (FolderStore, Store),
        (PostgresStore, Store),
        (Assistant, EvalTarget),
        (ScriptedAssistant, EvalTarget),
    ],
)
def test_implementations_conform(cls, proto):
    assert conforms(cls, proto) == []


def test_the_check_catches_a_drifting_fake():
    class Drifted:
        name = "x"

        def stream(self, messages):  # lost max_tokens and temperature
            yield ""

    assert "Drifted.stream lacks parameter max_tokens" in conforms(Drifted, ChatModel)
    assert "Drifted has no complete" in conforms(Drifted, ChatModel)


def test_instances_pass_the_runtime_check():
    assert isinstance(ScriptedLLM("x"), ChatModel) and isinstance(EchoLLM(), ChatModel)
    assert isinstance(ScriptedAssistant(), EvalTarget)


def test_the_pipeline_imports_no_front_end_or_chart_library():
    """`import assistant` and a question's modules never pull in gradio or matplotlib."""
    code = (
        "import sys, assistant, assistant.answer, assistant.terminal.cli, assistant.retrieve, "
        "assistant.evaluation.score; "
        "print(sorted(m for m in ('gradio', 'matplotlib', 'torch', 'llama_cpp') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


def test_the_public_api():
    import assistant

    assert assistant.Assistant is Assistant
    for name in ("Answer", "Citation", "Settings", "AssistantError", "BadQuestion"):
        assert name in assistant.__all__ and hasattr(assistant, name)
