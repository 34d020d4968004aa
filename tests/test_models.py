"""Preparing models from installed packages: joining, checksums, clear errors."""
import hashlib

import pytest

from assistant.errors import ModelMissing
from assistant.generate import QWEN, SMOLLM2, PackagedModel, _package_file, prepare, resolve_model


@pytest.fixture
def chunked(tmp_path, monkeypatch):
    """Two fake model packages on sys.path, each holding one chunk of a 'model'."""
    chunks = [b"GGUF" + b"a" * 1000, b"b" * 777]
    for i, data in enumerate(chunks, start=1):
        pkg = tmp_path / "site" / f"fakepart{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        (pkg / "data" / "part.bin").write_bytes(data)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    whole = b"".join(chunks)
    return PackagedModel(file="fake.gguf", files=(("fakepart1", "data/part.bin"),
                                                  ("fakepart2", "data/part.bin")),
                         size=len(whole), sha256=hashlib.sha256(whole).hexdigest(),
                         pip="pip install fakepart1 fakepart2"), whole


def test_chunks_are_joined_verified_and_reused(chunked, tmp_path):
    model, whole = chunked
    path = prepare(model, tmp_path / "models", log=lambda m: None)
    assert path.read_bytes() == whole
    mtime = path.stat().st_mtime_ns
    assert prepare(model, tmp_path / "models", log=lambda m: None) == path  # a stat, no re-join
    assert path.stat().st_mtime_ns == mtime


def test_a_damaged_joined_file_is_rebuilt(chunked, tmp_path):
    model, whole = chunked
    path = prepare(model, tmp_path / "models", log=lambda m: None)
    path.write_bytes(whole[:100])  # truncated on disk
    assert prepare(model, tmp_path / "models", log=lambda m: None).read_bytes() == whole


def test_a_wrong_checksum_is_refused(chunked, tmp_path):
    model, _ = chunked
    bad = PackagedModel(model.file, model.files, model.size, "0" * 64, model.pip)
    with pytest.raises(ModelMissing, match="checksum"):
        prepare(bad, tmp_path / "models", log=lambda m: None)


def test_a_missing_package_names_the_install_command(tmp_path):
    missing = PackagedModel("x.gguf", (("no_such_model_pkg", "x.bin"),), 1, "0" * 64,
                            "pip install no-such-model-pkg")
    with pytest.raises(ModelMissing, match="pip install no-such-model-pkg"):
        prepare(missing, tmp_path, log=lambda m: None)


def test_the_default_model_packages_are_installed_and_complete():
    parts = [_package_file(pkg, inner, QWEN.pip) for pkg, inner in QWEN.files]
    assert len(parts) == 22 and sum(p.stat().st_size for p in parts) == QWEN.size


def test_the_test_model_verifies(tmp_path):
    path = resolve_model("smollm2", tmp_path, log=lambda m: None)
    assert path.name == SMOLLM2.file and path.stat().st_size == SMOLLM2.size


def test_a_user_gguf_path_is_taken_as_is(tmp_path):
    model = tmp_path / "mine.gguf"
    model.write_bytes(b"GGUF\x03\x00\x00\x00")
    assert resolve_model(str(model)) == model
