"""Every setting in one place, each default with the reason it was chosen.

Environment variables override the defaults (the CLI flags override both):
ASSISTANT_ROOT, ASSISTANT_INDEX, ASSISTANT_MODEL, ASSISTANT_TOP_K.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path

# The package lives in <root>/assistant, so the project root is its parent.
PACKAGE_ROOT = Path(__file__).resolve().parent.parent

INDEX_FORMAT = 2  # bump when the files under index/ change shape


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
    retry_confidence: float = 0.5  # a refused draft is retried, the refusal barred, above this
    min_confidence: float = 0.0  # an answer is declined below this confidence

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
        data = {k: v for k, v in asdict(self).items() if k not in where}
        blob = json.dumps(data, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()[:12]

    def with_(self, **changes) -> Settings:
        changes = {k: v for k, v in changes.items() if v is not None}
        return replace(self, **changes)


def from_env(env=os.environ) -> Settings:
    """Settings with the ASSISTANT_* environment variables applied."""
    s = Settings()
    root = env.get("ASSISTANT_ROOT")
    return s.with_(
        root=Path(root).resolve() if root else None,
        index_dir=Path(env["ASSISTANT_INDEX"]) if env.get("ASSISTANT_INDEX") else None,
        model_path=Path(env["ASSISTANT_MODEL"]) if env.get("ASSISTANT_MODEL") else None,
        top_k=int(env["ASSISTANT_TOP_K"]) if env.get("ASSISTANT_TOP_K") else None,
    )
