"""Running the CLI in-process, and the one-line-error check the CLI tests share."""

from __future__ import annotations

from click.testing import CliRunner

from assistant.terminal.cli import cli


def run(*args):
    return CliRunner().invoke(cli, list(args))


def one_line_error(result, text):
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and text in errors[0], result.output
    assert "Traceback" not in result.output
