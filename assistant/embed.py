"""The sentence embedder, loaded from the folder of its installed PyPI package (never a hub).

Example usage (loads the model)::

    e = Embedder()
    e.embed(["Operation Barkhane"]).shape       # (1, 384)
    e.embed_query("Who leads Mali?").shape       # (384,)
    vectors, per_sentence = e.embed_passages(passages)   # what indexing calls

It runs all-MiniLM-L6-v2 on ONNX Runtime, with the Rust `tokenizers` library: no torch, no
transformers, so a one-off `assistant ask` skips ~2 s of imports, and indexing runs 2-3x faster
than sentence-transformers on a laptop CPU. The ONNX graph is exported once from the installed
package's weights (`embed_export.py`, at set-up or on first use) and checked against its stamp
on load. Pooling is sentence-transformers' own (mean of the token vectors under the attention
mask, then unit length), so the vectors are the same (tests/test_embed.py: cosine >= 0.9999).
Where ONNX cannot be used (onnxruntime missing, the export impossible, or a package whose
pipeline pools another way) it falls back to sentence-transformers, saying so in one line.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from .embed_export import EMBEDDER_PACKAGE, embedder_dir  # noqa: F401 - part of this module's API
from .errors import AssistantError, MissingDependency, ModelMissing

DIMENSION = 384
BATCH_SIZE = 16  # texts per forward pass, sorted by length (evals/bench_index.py measured 8-64)


@runtime_checkable
class TextEmbedder(Protocol):
    """What the index and the retriever need from an embedder (the seam a fake plugs into).

    An embedder may also be a `PassageEmbedder`; the index then uses `embed_passages`."""

    dimension: int

    def embed(self, texts: list[str], progress: bool = False) -> Any:
        """Unit-length float32 vectors, one row per text (numpy array (n, dimension))."""

    def embed_query(self, text: str) -> Any:
        """One unit-length float32 vector (numpy array (dimension,))."""


@runtime_checkable
class PassageEmbedder(TextEmbedder, Protocol):
    """An embedder that embeds passages and their sentences in one call (see `Embedder`)."""

    def embed_passages(self, passages: list, progress: Callable[[int, int], None] | None = None) -> Any:
        """(passage vectors (n, dimension), [sentence vectors of passage i, one row per
        `ingest.sentences(passage)`, in order])."""


Progress = Callable[[int, int], None]  # (texts done, texts in all)


class Embedder:
    """Unit-length float32 vectors, so inner product is cosine similarity.

    `threads` is ONNX Runtime's intra-op thread count (default: every core). `pool_sentences`
    makes `embed_passages` take sentence vectors from the passage's own forward pass instead of
    embedding each sentence again: a sentence read in its passage's context picks better
    evidence (`evals/bench_index.py --evidence`: gold quotes in the evidence 0.51 -> 0.64 on
    100 CLAP NQ questions, 0.69 -> 0.70 on the seed set), and indexing does one pass, not two."""

    dimension = DIMENSION
    spinning = False  # ONNX Runtime's busy-waiting worker threads (see OnnxRuntime.load)

    def __init__(
        self,
        batch_size: int = BATCH_SIZE,
        threads: int | None = None,
        models_dir: Path | None = None,
        pool_sentences: bool = True,
        log: Callable[[str], None] = lambda msg: print(msg, file=sys.stderr),
    ):
        self.batch_size = batch_size
        self.threads = threads
        self.models_dir = models_dir
        self.pool_sentences = pool_sentences
        self.log = log
        self._runtime: Any = None

    @property
    def runtime(self):
        """The ONNX runtime, or sentence-transformers where ONNX cannot be used; loaded once."""
        if self._runtime is None:
            folder = _offline_dir()
            try:
                self._runtime = OnnxRuntime.load(folder, self._models_dir(), self.threads, self.spinning)
            except (ImportError, AssistantError, OSError, RuntimeError) as e:
                self.log(f"Embedding with sentence-transformers (slower): {_reason(e)}")
                self._runtime = SentenceTransformersRuntime(folder)
        return self._runtime

    @property
    def backend(self) -> str:
        return self.runtime.name

    def embed(self, texts: list[str], progress: bool | Progress = False):
        """One unit-length vector per text. `progress` may be a callback (done, total), called
        after each batch; nothing is drawn on the terminal here."""
        import numpy as np

        if not texts:
            return np.zeros((0, self.dimension), dtype="float32")
        report = progress if callable(progress) else None
        return self.runtime.embed(list(texts), self.batch_size, report)

    def embed_query(self, text: str):
        return self.embed([text])[0]

    def embed_passages(self, passages, progress: Progress | None = None):
        """(passage vectors (n, 384), [sentence vectors of passage i, one row per
        `ingest.sentences(passage)`, in order]); one batched call.

        With `pool_sentences` and the ONNX runtime, a sentence's vector is the mean of its
        tokens' vectors in the passage's forward pass (normalised); a sentence the passage's
        256-token window cuts off is embedded on its own. Otherwise every sentence is
        embedded on its own, in the same sorted batches as the passages."""
        import numpy as np

        from . import ingest

        spans = [
            [(s.start - p.start, s.end - p.start, s.text) for s in ingest.sentences(p)] for p in passages
        ]
        texts = [p.text for p in passages]
        if self.pool_sentences and isinstance(self.runtime, OnnxRuntime) and texts:
            vectors, pooled = self.runtime.embed_pooled(texts, spans, self.batch_size, progress)
            missing = [(i, j) for i, rows in enumerate(pooled) for j, v in enumerate(rows) if v is None]
            if missing:
                extra = self.embed([spans[i][j][2] for i, j in missing])
                for (i, j), v in zip(missing, extra):
                    pooled[i][j] = v
            empty = np.zeros((0, self.dimension), dtype="float32")
            return vectors, [np.stack(rows).astype("float32") if rows else empty for rows in pooled]
        flat = [s[2] for group in spans for s in group]
        embedded = self.embed(texts + flat, progress or False)
        out, at = [], len(texts)
        for group in spans:
            out.append(embedded[at : at + len(group)])
            at += len(group)
        return embedded[: len(texts)], out

    def _models_dir(self) -> Path:
        if self.models_dir is not None:
            return Path(self.models_dir)
        from .config import from_env

        return from_env().models_path


class OnnxRuntime:
    """all-MiniLM-L6-v2 on ONNX Runtime: token vectors from the graph, pooling in numpy."""

    name = "onnx"

    def __init__(self, session, tokenizer):
        self.session, self.tokenizer = session, tokenizer

    @classmethod
    def load(cls, folder: Path, models_dir: Path, threads: int | None, spinning: bool) -> OnnxRuntime:
        if not mean_pooled(folder):
            raise ModelMissing("the embedder package pools another way than the ONNX path does")
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from . import embed_export

        target = models_dir / embed_export.ONNX_FILE
        if not embed_export.verified(target, folder):
            embed_export.export(folder, target)
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or os.cpu_count() or 1
        options.inter_op_num_threads = 1
        # Idle threads sleep instead of spinning: an `ask` loads the LLM on another thread
        # while the question is embedded, and a laptop runs other work beside indexing.
        options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
        options.log_severity_level = 3  # errors only: no optimiser notes on the terminal
        session = ort.InferenceSession(str(target), options, providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        max_tokens = int(json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"])
        tokenizer.enable_truncation(max_tokens)  # tokenizer.json says 128; sentence-transformers 256
        tokenizer.no_padding()  # each batch is padded to its own longest text below
        return cls(session, tokenizer)

    def forward(self, texts: list[str], batch_size: int, progress: Progress | None):
        """Yield (indices, encodings, token vectors (b, t, d), mask (b, t, 1)) per batch, the
        texts taken longest first so that a batch pads little."""
        import numpy as np

        encodings = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: -len(encodings[i].ids))
        done = 0
        for at in range(0, len(order), batch_size):
            idx = order[at : at + batch_size]
            batch = [encodings[i] for i in idx]
            width = max(len(e.ids) for e in batch)
            ids = np.zeros((len(batch), width), dtype="int64")
            for row, e in enumerate(batch):
                ids[row, : len(e.ids)] = e.ids
            mask = np.zeros_like(ids)
            for row, e in enumerate(batch):
                mask[row, : len(e.ids)] = 1
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            tokens = self.session.run(None, feeds)[0]
            yield idx, batch, tokens, mask[..., None].astype("float32")
            done += len(idx)
            if progress:
                progress(done, len(texts))

    def embed(self, texts: list[str], batch_size: int, progress: Progress | None):
        import numpy as np

        out = np.zeros((len(texts), DIMENSION), dtype="float32")
        for idx, _, tokens, mask in self.forward(texts, batch_size, progress):
            out[idx] = _unit((tokens * mask).sum(1) / np.maximum(mask.sum(1), 1e-9))
        return out

    def embed_pooled(self, texts, spans, batch_size: int, progress: Progress | None):
        """(text vectors, per text a list of sentence vectors, None for a sentence past the
        token window). `spans[i]` holds (start, end, _) character spans within texts[i]."""
        import numpy as np

        out = np.zeros((len(texts), DIMENSION), dtype="float32")
        pooled: list[list] = [[] for _ in texts]
        for idx, batch, tokens, mask in self.forward(texts, batch_size, progress):
            out[idx] = _unit((tokens * mask).sum(1) / np.maximum(mask.sum(1), 1e-9))
            for row, (i, enc) in enumerate(zip(idx, batch)):
                pooled[i] = _pool_spans(tokens[row, : len(enc.ids)], enc, spans[i])
        return out, pooled


def _pool_spans(tokens, encoding, spans) -> list:
    """The mean of each span's word-piece vectors (those starting inside the span), unit
    length; None when the passage's window ends before the span does."""
    import numpy as np

    starts = np.array([a for a, _ in encoding.offsets])
    real = ~np.array(encoding.special_tokens_mask, dtype=bool)
    covered = max((b for (_, b), r in zip(encoding.offsets, real) if r), default=0)
    if not encoding.overflowing:  # the whole passage is in the window
        covered = float("inf")
    out: list = []
    for start, end, _ in spans:
        rows = real & (starts >= start) & (starts < end)
        if end > covered or not rows.any():
            out.append(None)
            continue
        out.append(_unit(tokens[rows].mean(0)[None])[0])
    return out


def _unit(m):
    """Rows scaled to unit length, as torch.nn.functional.normalize (eps 1e-12) does."""
    import numpy as np

    return (m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)).astype("float32")


class SentenceTransformersRuntime:
    """The fallback: the package's own sentence-transformers pipeline (imports torch)."""

    name = "sentence-transformers"

    def __init__(self, folder: Path):
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging
        except ImportError:
            raise MissingDependency(
                "sentence-transformers is not installed; run the set-up command in the README"
            ) from None
        hf_logging.disable_progress_bar()  # "Loading weights" bars on every run
        self.model = SentenceTransformer(str(folder), device="cpu")

    def embed(self, texts: list[str], batch_size: int, progress: Progress | None):
        out = []
        for at in range(0, len(texts), 512):  # chunks, so that a progress callback is called
            part = self.model.encode(
                texts[at : at + 512],
                batch_size=batch_size,
                normalize_embeddings=True,
                show_progress_bar=False,
                convert_to_numpy=True,
            )
            out.append(part.astype("float32"))
            if progress:
                progress(min(at + 512, len(texts)), len(texts))
        import numpy as np

        return np.concatenate(out)


def _reason(e: BaseException) -> str:
    if isinstance(e, ImportError):
        return f"{e.name or 'onnxruntime'} is not installed (pip install onnxruntime)"
    return str(e).splitlines()[0] if str(e) else type(e).__name__


def _offline_dir() -> Path:
    # The model is local; switching the hub off makes any accidental fetch fail fast.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    return embedder_dir()


def mean_pooled(folder: Path) -> bool:
    """True when the package's sentence-transformers pipeline is exactly: transformer, mean
    pooling, normalisation (what the ONNX path reproduces); otherwise sentence-transformers
    embeds everything."""
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
