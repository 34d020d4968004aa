"""Every setting in one place, each default with the reason it was chosen.

Environment variables override the defaults (the CLI flags override both):
ASSISTANT_ROOT, ASSISTANT_INDEX, ASSISTANT_MODEL, ASSISTANT_TOP_K. A value that cannot be used
(a root folder that does not exist, a top-k that is not a number from 1 to 20) is a BadSetting
naming the variable, raised before anything is read or created.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from .errors import BadSetting

# The package lives in <root>/assistant, so the project root is its parent.
PACKAGE_ROOT = Path(__file__).resolve().parent.parent

INDEX_FORMAT = 2  # bump when the files under index/ change shape
TOP_K_RANGE = (1, 20)  # evidence passages: at least one; the CLI's -k takes the same range


@dataclass(frozen=True)
class Settings:
    # --- where things live ---
    root: Path = PACKAGE_ROOT  # sources inside it are stored relative to it ("seeds/x.txt")
    index_dir: Path | None = None  # None: <root>/index
    seeds_dir: Path | None = None  # None: <root>/seeds, indexed on first use
    model_path: Path | None = None  # None: the default Qwen GGUF joined from its packages
    models_dir: Path | None = None  # None: <root>/models, where the joined GGUF is kept

    # --- what shapes the index (recorded in its manifest; changing one needs a rebuild) ---
    embedder: str = "all-MiniLM-L6-v2"  # the only embedder shipped as a PyPI package here
    chunk_chars: int = 600  # ~130 word pieces: well inside MiniLM's 256-token window
    chunk_overlap: int = 1  # sentences shared by neighbouring passages, so no fact is cut in two
    # one .txt/.md file: 20 MB is ~10,000 pages; a bigger one is a log or a dump, read whole in memory
    max_text_bytes: int = 20 * 2**20

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

    # --- citation checking and the answer decision (decide.py) ---
    min_support: float = 0.45  # a cited span must reach this support score (see cite.py)
    # Thresholds chosen by replaying the tuning runs (evals/calibrate.py): on the 226 tuning
    # questions they halve answerable questions wrongly declined (0.29 -> 0.14) for 0.12 fewer
    # unanswerable ones declined (0.72 -> 0.61); see the README for held-out figures.
    retry_confidence: float = 0.4  # a refused draft is retried, the refusal barred, above this
    extract_confidence: float = 0.7  # no usable answer from the model: quote the evidence above this
    min_confidence: float = 0.5  # an answer is declined below this confidence

    @property
    def index_path(self) -> Path:
        return Path(self.index_dir) if self.index_dir else self.root / "index"

    @property
    def seeds_path(self) -> Path:
        return Path(self.seeds_dir) if self.seeds_dir else self.root / "seeds"

    @property
    def models_path(self) -> Path:
        return Path(self.models_dir) if self.models_dir else self.root / "models"

    def index_fingerprint(self) -> dict:
        """The settings an index is built from; an index with other values must be rebuilt."""
        return {
            "format": INDEX_FORMAT,
            "embedder": self.embedder,
            "chunk_chars": self.chunk_chars,
            "chunk_overlap": self.chunk_overlap,
        }

    def fingerprint(self) -> str:
        """A short hash of the settings that change answers (not paths), for eval reports."""
        where = {"root", "index_dir", "seeds_dir", "model_path", "models_dir", "n_threads"}
        where.add("max_text_bytes")  # decides which files are indexed; the report names the index
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
    return s.with_(
        root=_root(env.get("ASSISTANT_ROOT")),
        index_dir=Path(env["ASSISTANT_INDEX"]) if env.get("ASSISTANT_INDEX") else None,
        model_path=Path(env["ASSISTANT_MODEL"]) if env.get("ASSISTANT_MODEL") else None,
        top_k=_top_k(env.get("ASSISTANT_TOP_K")),
    )


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
