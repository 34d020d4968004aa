"""What answering needs loaded: the embedder, the store, the retriever and the model, in one object.

Every front end (the terminal, the web chat, the HTTP API) and the eval hold one `Resources` and
warm it the same way (`warm_up`, or `preload` to do it in the background while the index
loads). Each part loads on first use; nothing here writes the index.

    r = Resources(from_env())
    r.warm_up()                 # index + BM25, embedder, model, and the fixed prompt in its cache
    r.retriever.search("Who leads Mali?")

llama.cpp contexts are not thread-safe, so model calls go through `model_lock`: one at a time
in-process, `llm_parallel` at once with a model server. `sibling` gives another collection's
Resources that share the embedder, the model and that lock.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

from . import prompts
from .config import Settings, from_env
from .errors import IndexMissing
from .gate import Fallback, Gate
from .gate import load as load_gate

if TYPE_CHECKING:
    from .embed import TextEmbedder
    from .llms import ChatModel
    from .ondisk import Staleness
    from .retrieve import Retriever
    from .stores import Store

Log = Callable[[str], None]  # where progress and warnings go (stderr, a status line, a test's list)


def log_stderr(msg: str) -> None:
    print(msg, file=sys.stderr)


class Resources:
    """The loaded parts of the pipeline, each loaded lazily and at most once."""

    def __init__(
        self,
        settings: Settings | None = None,
        model: str | None = None,
        log: Log = log_stderr,
        embedder: TextEmbedder | None = None,
        llm: ChatModel | None = None,
        gate: Gate | Fallback | None = None,
    ):
        self.settings = settings or from_env()
        self.model = model or (str(self.settings.model_path) if self.settings.model_path else None)
        self.log = log
        self._embedder, self._llm = embedder, llm
        self.gate = gate or load_gate() or Fallback()  # decides which drafts are shown (gate.py)
        self._store: Store | None = None
        self._staleness: Staleness | None = None
        self._retriever: Retriever | None = None
        self._model_path: Path | None = None
        n = self.settings.llm_parallel if self.settings.llm_url else 1
        self.model_lock: AbstractContextManager = threading.BoundedSemaphore(n) if n > 1 else threading.Lock()
        self._load_lock = threading.RLock()

    @property
    def embedder(self) -> TextEmbedder:
        if self._embedder is None:
            from .embed import Embedder

            self._embedder = Embedder(log=self.log)
        return self._embedder

    @property
    def store(self) -> Store:
        """The index (`index.load`): checked against these settings. Never built or changed
        here: a missing index is an error that names the command to build it."""
        from . import index

        with self._load_lock:
            if self._store is None:
                store = index.open_store(self.settings)
                if store.manifest() is None:
                    raise IndexMissing(
                        f"no index in {index.where(self.settings)}; "
                        f"build it with: {index.command(self.settings, 'PATH')}"
                    )
                self._store = index.load(self.settings, store)
            return self._store

    @property
    def retriever(self) -> Retriever:
        with self._load_lock:
            if self._retriever is None:
                from .retrieve import Retriever

                self._retriever = Retriever(self.store, self.embedder, self.settings)
            return self._retriever

    @property
    def staleness(self) -> Staleness:
        """Which indexed documents are missing or changed on disk, checked once per loaded index
        (a stat per file, a hash where the stat moved); nothing is written."""
        from . import index

        store = self.store
        with self._load_lock:
            if self._staleness is None:
                self._staleness = index.staleness(store, self.settings)
            return self._staleness

    def reset(self) -> None:
        """Forget the loaded index (after a write: the next use reads it afresh)."""
        with self._load_lock:
            self._store = self._retriever = self._staleness = None

    def model_path(self) -> Path | None:
        """The GGUF to load, checked (and for a packaged model, prepared) without loading it;
        None with a model server, which holds the model."""
        if self.settings.llm_url:
            return None
        if self._model_path is None:
            from .llms.packaged import resolve_model

            self._model_path = resolve_model(self.model, self.settings.models_path, self.log)
        return self._model_path

    @property
    def llm(self) -> ChatModel:
        with self._load_lock:
            if self._llm is None:
                self._llm = self._open_model()
            return self._llm

    def _open_model(self) -> ChatModel:
        s = self.settings
        if s.llm_url:
            from .llms.openai import OpenAIModel

            return OpenAIModel(s.llm_url, api_key=s.llm_api_key, model=s.llm_model)
        from .llms.local import LLM

        path = self.model_path()
        assert path is not None  # no llm_url: a local file
        return LLM(path, n_ctx=s.n_ctx, n_threads=s.n_threads)

    @property
    def model_name(self) -> str:
        if self._llm is not None:
            return self._llm.name
        if self.settings.llm_url:  # a server's model: its name is known once it has answered
            return self.settings.llm_model or self.settings.llm_url
        return self.model or "qwen"

    def warm_up(self, model: bool = True) -> None:
        """Load everything a question needs, so that the first question pays for none of it:
        the index and its keyword index, the embedder, and (with `model`) the LLM with the fixed
        start of every prompt in its cache (read from the state an earlier run saved, else
        computed and saved)."""
        self.retriever.bm25()
        self.embedder.embed_query("warm up")
        if model:
            self._warm_model()

    def _warm_model(self) -> None:
        llm = self.llm
        with self.model_lock:
            llm.warm(prompts.prefix_messages(), self.settings.models_path / "prompt-cache")

    def preload(self) -> threading.Thread:
        """Check the model file now, then load the model in the background while the caller
        reads the index: a bad file fails here, in one line; a load error in the thread is
        raised again, in the caller's thread, by the first use of `llm`."""
        self.model_path()

        def load():
            try:
                self._warm_model()
            except Exception:  # noqa: BLE001 - reported by the next use of self.llm
                pass

        t = threading.Thread(target=load, daemon=True)
        t.start()
        return t

    def sibling(self, settings: Settings) -> Resources:
        """Resources over another index (a collection) that share this one's embedder, model and
        model queue, loading them now if they are not yet: one model in memory for them all."""
        other = Resources(
            settings, model=self.model, log=self.log, embedder=self.embedder, llm=self.llm, gate=self.gate
        )
        other.model_lock = self.model_lock
        return other

    def documents(self) -> dict[str, dict]:
        """The indexed files: source -> {sha256, size, mtime_ns, title, indexed_at, passages},
        read afresh (another process may have indexed since this one loaded the index)."""
        from . import index

        store = index.open_store(self.settings)
        try:
            return store.sources()
        finally:
            store.close()
