"""Every setting in one place, each default with the reason it was chosen.

Environment variables override the defaults (the CLI flags override both):
ASSISTANT_ROOT, ASSISTANT_INDEX or ASSISTANT_STORE_URL, ASSISTANT_COLLECTION, ASSISTANT_MODEL,
ASSISTANT_TOP_K, for a model server
ASSISTANT_LLM_URL, ASSISTANT_LLM_API_KEY, ASSISTANT_LLM_MODEL, ASSISTANT_LLM_PARALLEL. A value
that cannot be used (a root folder that does not exist, a top-k that is not a number from 1 to
20) is a BadSetting naming the variable, raised before anything is read or created.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from . import formats
from .errors import BadSetting

# The package lives in <root>/assistant, so the project root is its parent.
PACKAGE_ROOT = Path(__file__).resolve().parent.parent

INDEX_FORMAT = 3  # bump when what a store holds changes shape (3: page texts; BM25 in PostgreSQL)
# Bump when what a file turns into changes (formats/, segment.py, ingest.py: its text, hidden
# spans, sentence or passage splits): an index built by another version holds other offsets and
# must be rebuilt. 2: laid-out PDF lines, hidden PDF text and running headers kept out of
# passages, HTML and Word files, titles. 3: one reader shape; more hidden text (PDF opacity,
# scaling, clipping, covering, spot colours; CSS; Word styles and colours); every <article>
# of a page; Word content controls and tracked insertions.
INGEST_VERSION = 3
TOP_K_RANGE = (1, 20)  # evidence passages: at least one; the CLI's -k takes the same range


@dataclass(frozen=True)
class Settings:
    # --- where things live ---
    root: Path = PACKAGE_ROOT  # sources inside it are stored relative to it ("seeds/x.txt")
    index_dir: Path | None = None  # None: <root>/index
    # None: the default collection, the index folder itself; "reports": <index>/collections/reports,
    # a separate index side by side with the default one (`--collection`, the web chat's picker)
    collection: str | None = None
    seeds_dir: Path | None = None  # None: <root>/seeds, indexed on first use
    model_path: Path | None = None  # None: the default Qwen GGUF joined from its packages
    models_dir: Path | None = None  # None: <root>/models, where the joined GGUF is kept
    # None: the index is the folder above; postgresql://...: a PostgreSQL + pgvector store
    store_url: str | None = field(default=None, repr=False)  # may hold a password: never printed

    # --- what shapes the index (recorded in its manifest; changing one needs a rebuild) ---
    embedder: str = "all-MiniLM-L6-v2"  # the only embedder shipped as a PyPI package here
    chunk_chars: int = 600  # ~130 word pieces: well inside MiniLM's 256-token window
    chunk_overlap: int = 1  # sentences shared by neighbouring passages, so no fact is cut in two
    # one .txt/.md file: 20 MB is ~10,000 pages; a bigger one is a log or a dump, read whole in memory
    max_text_bytes: int = 20 * 2**20

    # --- what reading one document may cost (formats/limits.py): past it, one line says which ---
    max_pages: int = 2000  # PDF pages: a long book is ~1,000; more is an archive to split first
    max_html_depth: int = 512  # element nesting: Chromium's HTML parser stops nesting at 512 too
    # a Word file's parts, unzipped: a 1,000-page report with pictures is ~100 MB; a zip bomb is GBs
    max_unpacked_bytes: int = 256 * 2**20
    # one document, all of it: a real 36-page manual read at 0.2 s a page here (loaded machine),
    # so 2,000 pages fit; a file that takes longer is built to stall the indexer or the web server
    max_read_seconds: float = 600.0

    # --- retrieval ---
    candidates: int = 20  # hits taken from each retriever before fusion; cheap, helps recall
    rrf_k: int = 60  # the usual reciprocal-rank-fusion constant (Cormack et al. 2009)
    top_k: int = 4  # evidence passages shown to the model: prompt length sets first-token time
    evidence_chars: int = 500  # ~120 tokens: first token 2.6 s median here; 550 measured 2.98 s
    keyword_weight: float = 0.5  # how much shared question words lift a sentence over cosine alone
    # best cosine below this: off-topic, decline without the LLM
    # (measured on the seeds: off-topic questions <= 0.21, on-topic ones >= 0.35)
    min_relevance: float = 0.30
    duplicate_similarity: float = 0.90  # passages this similar (word shingles) are one passage

    # --- generation ---
    max_tokens: int = 200  # answers are 1-4 sentences; a cap keeps a looping model short
    n_ctx: int = 2048  # prompt (~600 tokens) + history + answer fit with room to spare
    n_threads: int = max(1, os.cpu_count() or 1)
    temperature: float = 0.0  # the same question gets the same answer: evals stay comparable
    max_question_chars: int = 2000  # a question longer than this is a paste accident

    # --- a model server instead of the in-process model (assistant/llms/openai.py) ---
    llm_url: str | None = None  # an OpenAI-compatible base URL, e.g. http://127.0.0.1:8080/v1
    llm_api_key: str | None = field(default=None, repr=False)  # a secret: never printed or reported
    llm_model: str | None = None  # the server's model name; None: the first one it lists
    llm_parallel: int = 4  # answers written at once: `assistant serve-model`'s default slots

    # --- citation checking and the answer decision (decide.py) ---
    min_support: float = 0.45  # a cited span must reach this support score (see cite.py)
    # The gate shows an answer when its out-of-fold share of wrong answers among those shown, on
    # the tuning data, is at most this (gate.py; ASSISTANT_MAX_RISK): one wrong in twenty.
    max_risk: float = 0.05
    min_close: float = 0.45  # a declined draft shows the closest passages when retrieval is this close

    @property
    def index_path(self) -> Path:
        if self.collection:
            return self.collections_path / self.collection
        return self.index_base

    @property
    def index_base(self) -> Path:
        """The default collection's folder, which holds the others under collections/."""
        return Path(self.index_dir) if self.index_dir else self.root / "index"

    @property
    def collections_path(self) -> Path:
        return self.index_base / "collections"

    @property
    def seeds_path(self) -> Path:
        return Path(self.seeds_dir) if self.seeds_dir else self.root / "seeds"

    @property
    def models_path(self) -> Path:
        return Path(self.models_dir) if self.models_dir else self.root / "models"

    @property
    def history_path(self) -> Path:
        """The web chat's conversation history (SQLite), in the project folder, git-ignored."""
        return self.root / "history" / "chats.sqlite3"

    def index_fingerprint(self) -> dict:
        """The settings an index is built from; an index with other values must be rebuilt."""
        readers = ", ".join(f"{name} {v}" for name, v in formats.library_versions().items())
        return {
            "format": INDEX_FORMAT,
            "ingest": INGEST_VERSION,  # how text is read and split; a new reader needs a rebuild
            "readers": readers,  # pypdf, beautifulsoup4, python-docx: an upgrade may move offsets
            "embedder": self.embedder,
            "chunk_chars": self.chunk_chars,
            "chunk_overlap": self.chunk_overlap,
        }

    def read_limits(self) -> formats.Limits:
        """What reading one document may cost, for the readers (formats/limits.py)."""
        return formats.Limits(
            text_bytes=self.max_text_bytes,
            pages=self.max_pages,
            html_depth=self.max_html_depth,
            unpacked_bytes=self.max_unpacked_bytes,
            seconds=self.max_read_seconds,
        )

    def fingerprint(self) -> str:
        """A short hash of the settings that change answers (not paths), for eval reports."""
        where = {"root", "index_dir", "seeds_dir", "model_path", "models_dir", "n_threads", "store_url"}
        where.add("collection")  # which index answers: the report names it
        where |= {"llm_url", "llm_api_key", "llm_model", "llm_parallel"}  # where the model runs
        # decide which files are indexed, not what they turn into; the report names the index
        where |= {"max_text_bytes", "max_pages", "max_html_depth", "max_unpacked_bytes", "max_read_seconds"}
        data = {k: v for k, v in asdict(self).items() if k not in where}
        blob = json.dumps(data, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    def with_(self, **changes) -> Settings:
        changes = {k: v for k, v in changes.items() if v is not None}
        return replace(self, **changes)


def from_env(env=os.environ) -> Settings:
    """Settings with the ASSISTANT_* environment variables applied (an empty one is unset).

    >>> from_env({"ASSISTANT_TOP_K": "6"}).top_k
    6
    >>> from_env({"ASSISTANT_TOP_K": "0"})
    Traceback (most recent call last):
    assistant.errors.BadSetting: ASSISTANT_TOP_K=0 is out of range; set it to 1-20 or unset it
    """
    s = Settings()
    s = s.with_(
        root=_root(env.get("ASSISTANT_ROOT")),
        index_dir=Path(env["ASSISTANT_INDEX"]) if env.get("ASSISTANT_INDEX") else None,
        store_url=store_url(env.get("ASSISTANT_STORE_URL")),
        collection=collection(env.get("ASSISTANT_COLLECTION")),
        model_path=Path(env["ASSISTANT_MODEL"]) if env.get("ASSISTANT_MODEL") else None,
        top_k=_top_k(env.get("ASSISTANT_TOP_K")),
        llm_url=_llm_url(env.get("ASSISTANT_LLM_URL")),
        llm_api_key=env.get("ASSISTANT_LLM_API_KEY") or None,
        llm_model=env.get("ASSISTANT_LLM_MODEL") or None,
        llm_parallel=_llm_parallel(env.get("ASSISTANT_LLM_PARALLEL")),
        max_risk=_max_risk(env.get("ASSISTANT_MAX_RISK")),
    )
    return check_collection(s)


def _root(value: str | None) -> Path | None:
    """The project root must exist: a misspelled one would otherwise be created, index and
    caches included, beside the real project."""
    if not value:
        return None
    root = Path(value).expanduser().resolve()
    if not root.is_dir():
        what = "a file, not a folder" if root.exists() else "no such folder"
        raise BadSetting(f"ASSISTANT_ROOT={value}: {what}; fix the path or unset it")
    return root


def _top_k(value: str | None) -> int | None:
    """A whole number in TOP_K_RANGE; 0 would silently give the model no evidence."""
    if not value:
        return None
    low, high = TOP_K_RANGE
    try:
        k = int(value)
    except ValueError as e:
        raise BadSetting(
            f"ASSISTANT_TOP_K={value!r} is not a whole number; set it to {low}-{high} or unset it"
        ) from e
    if not low <= k <= high:
        raise BadSetting(f"ASSISTANT_TOP_K={k} is out of range; set it to {low}-{high} or unset it")
    return k


def _max_risk(value: str | None) -> float | None:
    """The share of wrong answers among those shown that the gate may accept: 0 < value <= 1.

    >>> _max_risk("0.2")
    0.2
    >>> _max_risk("5")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    assistant.errors.BadSetting: ASSISTANT_MAX_RISK=5 is out of range; set it above 0 and at most 1 ...
    """
    if not value:
        return None
    hint = "set it above 0 and at most 1 (0.05: one wrong answer in twenty) or unset it"
    try:
        risk = float(value)
    except ValueError as e:
        raise BadSetting(f"ASSISTANT_MAX_RISK={value!r} is not a number; {hint}") from e
    if not 0 < risk <= 1:
        raise BadSetting(f"ASSISTANT_MAX_RISK={value} is out of range; {hint}")
    return risk


def _llm_url(value: str | None) -> str | None:
    """An http(s) base URL; a bare host:port would otherwise fail later, on the first question.

    >>> _llm_url("http://127.0.0.1:8080/v1/")
    'http://127.0.0.1:8080/v1'
    """
    if not value:
        return None
    from urllib.parse import urlsplit

    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadSetting(
            f"ASSISTANT_LLM_URL={value!r} is not an http(s) URL; set it to e.g. "
            "http://127.0.0.1:8080/v1 (what `assistant serve-model` prints) or unset it"
        )
    return url


def _llm_parallel(value: str | None) -> int | None:
    """How many answers the web chat writes at once with a model server: the server's slots."""
    if not value:
        return None
    try:
        n = int(value)
    except ValueError as e:
        raise BadSetting(f"ASSISTANT_LLM_PARALLEL={value!r} is not a whole number; set it to 1-64") from e
    if not 1 <= n <= 64:
        raise BadSetting(f"ASSISTANT_LLM_PARALLEL={n} is out of range; set it to 1-64 or unset it")
    return n


COLLECTION_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


def collection(value: str | None, name: str = "ASSISTANT_COLLECTION") -> str | None:
    """A collection's name: letters, digits, - and _ only, as it names a folder (no "..", no "/").

    >>> collection("reports-2026")
    'reports-2026'
    >>> collection("../etc")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    assistant.errors.BadSetting: ASSISTANT_COLLECTION='../etc' is not a collection name; use letters...
    """
    if not value or not value.strip():
        return None
    if not COLLECTION_NAME.fullmatch(value.strip()):
        raise BadSetting(
            f"{name}={value!r} is not a collection name; use letters, digits, - and _ (at most 64)"
        )
    return value.strip()


def check_collection(settings: Settings) -> Settings:
    """A collection is a folder beside the default index: only a store that declares
    `supports_collections` has them (PostgreSQL has not: give each index its own schema there,
    see assistant/stores/postgres.py)."""
    from .stores import backend

    found = backend(settings.store_url)
    if settings.collection and not (found and found.supports_collections):
        raise BadSetting(
            "collections are index folders: use --collection without a store URL, or give "
            "each index its own schema in the store URL"
        )
    return settings


def store_url(value: str | None, name: str = "ASSISTANT_STORE_URL") -> str | None:
    """A URL of a registered store (stores.BACKENDS: postgresql:// or postgres://); anything else
    would fail later, at the first question. The message never repeats the value: it may hold a
    password.

    >>> store_url("postgres://ann@db:5432/docs")
    'postgres://ann@db:5432/docs'
    >>> store_url("mysql://db/docs")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    assistant.errors.BadSetting: ASSISTANT_STORE_URL is not a store URL; set it to postgresql://...
    """
    from .stores import backend, url_examples

    if not value or not value.strip():
        return None
    url = value.strip()
    if "://" not in url or backend(url) is None:
        raise BadSetting(f"{name} is not a store URL; set it to {url_examples()} or unset it")
    return url
