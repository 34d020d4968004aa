"""The README tells the truth: every command and option is in it, and its JSON example has the
keys a real `Answer.to_json()` has (after sqlite-utils' tests/test_docs.py)."""

import json
import re
from pathlib import Path

import click
import pytest

from assistant.terminal.cli import cli
from assistant.types import Answer, Checks, Citation, Timings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def commands():
    for name, cmd in cli.commands.items():
        yield name, cmd
        if isinstance(cmd, click.Group):
            for sub, subcmd in cmd.commands.items():
                yield f"{name} {sub}", subcmd


@pytest.mark.parametrize("name,cmd", list(commands()), ids=[n for n, _ in commands()])
def test_every_command_and_option_is_in_the_readme(name, cmd):
    assert f"assistant {name}" in README, f"`assistant {name}` is not in the README"
    for param in cmd.params:
        for opt in param.opts:
            if opt.startswith("--") and opt != "--help":
                assert opt in README, f"`assistant {name} {opt}` is not in the README"


def readme_json_example() -> dict:
    blocks = re.findall(r"```json\n(.*?)```", README, re.S)
    answers = [json.loads(b) for b in blocks if '"abstained"' in b]
    assert answers, "the README has no JSON answer example"
    return answers[0]


def test_the_readme_json_example_has_the_real_keys():
    real = Answer(
        "q",
        "a [1].",
        False,
        (Citation(1, "s.txt", 0, 1, "x"),),
        "m",
        Timings(),
        checks=Checks(),
        confidence=0.5,
    ).to_json()
    example = readme_json_example()
    assert set(example) == set(real)
    assert set(example["timings"]) == set(real["timings"])
    assert set(example["checks"]) == set(real["checks"])
    assert set(example["citations"][0]) == set(real["citations"][0])
