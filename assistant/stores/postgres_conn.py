"""Connections to one PostgreSQL server, for stores/postgres.py.

One writer connection (the writer's session lock and its write transaction share it) and one
reader connection per thread: the web app answers several users at once, and a reader's
transaction must not interleave with another thread's. A connection opens on first use and again
after a failure, so a server that restarts is used again by the next call; a server that cannot
be reached is a one-line StoreUnavailable whose URL and reason hold no password.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from ..errors import MissingDependency, StoreUnavailable
from ..redact import redact, url_secrets

T = TypeVar("T")


class Connections:
    def __init__(self, url: str, setup: Callable[[Any], None]):
        self.url, self.setup = url, setup  # setup(conn): run once on each new connection
        self._conns: dict[Any, Any] = {}
        self._guard = threading.Lock()

    def use(self, role: str, fn: Callable[[Any], T], retry: bool = True) -> T:
        """Run `fn(connection)` on the "write" connection or this thread's "read" one. A
        connection the server dropped (a restart) is replaced and the call tried once more if
        `retry`; a server that cannot be reached is StoreUnavailable."""
        import psycopg

        for attempt in (1, 2):
            conn = self._connection(role)
            try:
                return fn(conn)
            except (psycopg.OperationalError, psycopg.InterfaceError) as e:
                self._drop(role, conn)
                if retry and attempt == 1:
                    continue  # the server may have restarted: a fresh connection may work
                raise StoreUnavailable(self.unavailable(e)) from e
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._guard:
            for conn in self._conns.values():
                with contextlib.suppress(Exception):  # closing a dead connection may raise anything
                    conn.close()
            self._conns.clear()

    def unavailable(self, e: Exception) -> str:
        # psycopg: 'connection failed: connection to server at "h", port 5 failed: Connection refused'
        lines = str(e).strip().splitlines()
        reason = lines[0].rsplit("failed: ", 1)[-1].strip() if lines else type(e).__name__
        reason = redact(reason, url_secrets(self.url))
        return (
            f"cannot use the PostgreSQL store at {redact(self.url)} ({reason}); start the server or "
            "fix ASSISTANT_STORE_URL / --store, then run the command again"
        )

    def _connection(self, role: str):
        key = _key(role)
        with self._guard:
            conn = self._conns.get(key)
            if conn is not None and not conn.closed:
                return conn
        psycopg = _psycopg()
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=10)
            self.setup(conn)
        except psycopg.Error as e:
            raise StoreUnavailable(self.unavailable(e)) from e
        with self._guard:
            self._conns[key] = conn
        return conn

    def _drop(self, role: str, conn) -> None:
        with self._guard:
            if self._conns.get(_key(role)) is conn:
                del self._conns[_key(role)]
        with contextlib.suppress(Exception):  # the connection is broken; closing it may fail too
            conn.close()


def _key(role: str):
    return role if role == "write" else (role, threading.get_ident())


def _psycopg():
    try:
        import psycopg
    except ImportError as e:
        raise MissingDependency(
            "the PostgreSQL store needs psycopg and pgvector: pip install 'cited-assistant[scale]'"
        ) from e
    return psycopg
