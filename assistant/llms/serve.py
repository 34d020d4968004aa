"""`assistant serve-model`: llama.cpp's own OpenAI-compatible server, from the xllamacpp wheel.

Example usage::

    server = start(resolve_model("smollm2"), port=0, parallel=2)  # port 0: any free port
    OpenAIModel(server.url).complete([{"role": "user", "content": "Say hi"}])
    server.stop()

We write no server: llama.cpp's is maintained, batches the slots' tokens together (continuous
batching) and keeps each slot's prompt in its KV cache, so the fixed system prompt is evaluated
once per slot rather than once per question. xllamacpp ships it prebuilt (no compiler needed).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import AssistantError, MissingDependency

CTX_PER_SLOT = 2048  # Settings.n_ctx: the answer prompt, history and reply fit in it


@dataclass
class ModelServer:
    """A running server; `url` is what ASSISTANT_LLM_URL should be set to."""

    url: str
    model: Path
    parallel: int
    handle: Any  # xllamacpp.Server: serves while referenced, stops when released

    def stop(self) -> None:
        self.handle = None  # xllamacpp stops its loop and frees the model in the destructor


def start(
    model: Path,
    host: str = "127.0.0.1",
    port: int = 8080,
    parallel: int = 4,
    ctx_per_slot: int = CTX_PER_SLOT,
    threads: int | None = None,
) -> ModelServer:
    """Load `model` (a GGUF) and serve it on host:port with `parallel` slots; returns once the
    server answers. Prompt caching is on; port 0 picks a free port."""
    try:
        import xllamacpp
    except ImportError:
        raise MissingDependency(
            "serve-model needs llama.cpp's server: pip install 'cited-assistant[scale]'"
        ) from None
    params = xllamacpp.CommonParams()
    params.model.path = str(model)
    params.hostnames = [host]
    params.port = port
    params.n_parallel = parallel
    params.n_ctx = ctx_per_slot * parallel  # llama.cpp splits the context between the slots
    params.cache_prompt = True
    params.cpuparams.n_threads = params.cpuparams_batch.n_threads = threads or os.cpu_count() or 1
    params.verbosity = 3 if os.environ.get("ASSISTANT_DEBUG") else 0  # its log is per token
    try:
        handle = xllamacpp.Server(params)
    except RuntimeError as e:
        raise AssistantError(
            f"cannot serve {model.name} on {host}:{port} ({e}); is the port taken? "
            "pass another --port, or check the model file"
        ) from e
    return ModelServer(f"{handle.listening_address}/v1", Path(model), parallel, handle)


def serve(model: Path, host: str, port: int, parallel: int, log=lambda m: print(m, file=sys.stderr)) -> None:
    """Start the server, print the URL to set, and serve until Ctrl+C."""
    log(f"Loading {model.name} with {parallel} slot(s)...")
    server = start(model, host, port, parallel)
    print(f"Serving {model.name} at {server.url} (Ctrl+C to stop). In another terminal:", flush=True)
    print(f"  export ASSISTANT_LLM_URL={server.url} ASSISTANT_LLM_PARALLEL={parallel}", flush=True)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(f"Listening on {host}: anyone who can reach this machine can use the model.", flush=True)
    signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops as cleanly as Ctrl+C
    try:
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("Stopping.", flush=True)
    finally:
        server.stop()


def _interrupt(signum, frame):
    raise KeyboardInterrupt
