"""Start and stop a real `assistant serve-model` for tests and the load test, on 127.0.0.1 only.

The server runs as its own process, exactly as a user starts it, and is stopped with Ctrl+C
(SIGINT), so the clean shutdown is exercised too. When it cannot start, tests skip with the
reason, unless REQUIRE_ENGINES=1 (CI), where they fail.
"""

from __future__ import annotations

import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ASSISTANT = [sys.executable, "-m", "assistant"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unavailable(reason: str):
    """Skip with the reason, or fail when the engines are required."""
    if os.environ.get("REQUIRE_ENGINES") == "1":
        pytest.fail(f"the model server could not start and REQUIRE_ENGINES=1: {reason}")
    pytest.skip(f"the model server could not start: {reason}")


class ServerFailed(Exception):
    """`assistant serve-model` exited or printed no URL in time."""


def start(model: str, port: int, parallel: int = 2, timeout: float = 120) -> tuple[subprocess.Popen, str]:
    """Run `assistant serve-model` and wait for the URL it prints; (process, url)."""
    cmd = [*ASSISTANT, "serve-model", "--model", model, "--port", str(port), "--parallel", str(parallel)]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    assert proc.stdout is not None
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not sel.select(timeout=0.5):
            if proc.poll() is not None:
                break
            continue
        line = proc.stdout.readline()
        found = re.search(r"at (http://\S+/v1)", line)
        if found:
            return proc, found.group(1)
        if not line and proc.poll() is not None:
            break
    stop(proc)
    err = proc.stderr.read() if proc.stderr else ""
    raise ServerFailed(" ".join(err.split())[-300:] or f"no URL within {timeout:.0f} s")


def stop(proc: subprocess.Popen, timeout: float = 20) -> int:
    """Ctrl+C, as a user would; killed if it does not stop in time. Returns the exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode
