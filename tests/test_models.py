"""Preparing models from installed packages: joining, checksums, clear errors."""

import hashlib

import pytest

from assistant.errors import ModelMissing
from assistant.llms.packaged import QWEN, SMOLLM2, PackagedModel, _package_file, prepare, resolve_model


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
    return PackagedModel(
        file="fake.gguf",
        files=(("fakepart1", "data/part.bin"), ("fakepart2", "data/part.bin")),
        size=len(whole),
        sha256=hashlib.sha256(whole).hexdigest(),
        pip="pip install fakepart1 fakepart2",
    ), whole


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
    missing = PackagedModel(
        "x.gguf", (("no_such_model_pkg", "x.bin"),), 1, "0" * 64, "pip install no-such-model-pkg"
    )
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


@pytest.mark.slow
def test_a_saved_prompt_state_answers_like_a_computed_one(tmp_path):
    """The fixed prompt prefix is evaluated once and its KV state saved; a new process that
    reads it back answers exactly as one that computed it (greedy decoding)."""
    from assistant.llms.local import LLM

    path, cache = resolve_model("smollm2", tmp_path, log=lambda m: None), tmp_path / "cache"
    system = {"role": "system", "content": "You answer in one short sentence."}
    prefix = [system, {"role": "user", "content": "Question:"}]
    full = [system, {"role": "user", "content": "Question: What is the capital of France?"}]

    computed = LLM(path, n_ctx=512)
    assert computed.warm(prefix, cache) is False  # nothing saved yet: computed, then saved
    assert len(list(cache.glob("*.state"))) == 1
    expected = computed.complete(full, max_tokens=12)
    assert expected

    restored = LLM(path, n_ctx=512)
    assert restored.warm(prefix, cache) is True and restored.llama.n_tokens > 5
    assert restored.complete(full, max_tokens=12) == expected

    other = [system, {"role": "user", "content": "Sources:"}]  # another prefix, another file
    assert LLM(path, n_ctx=512).warm(other, cache) is False
    assert len(list(cache.glob("*.state"))) == 2

    for state in cache.glob("*.state"):
        state.write_bytes(b"not a llama.cpp state")
    damaged = LLM(path, n_ctx=512)
    assert damaged.warm(prefix, cache) is False  # dropped and computed again
    assert damaged.complete(full, max_tokens=12) == expected
    assert LLM(path, n_ctx=512).warm(prefix, cache) is True  # the rewritten file loads


@pytest.mark.slow
def test_opening_probability_and_avoid_with_a_real_model(tmp_path):
    """The model's own probability of an opening, read from the stream's first steps or from
    one more token's evaluation, agrees both ways; `avoid` steers a reply off that opening."""
    from assistant.llms.local import LLM

    llm = LLM(resolve_model("smollm2", tmp_path, log=lambda m: None), n_ctx=512)
    messages = [{"role": "user", "content": "Say: The sky is blue."}]
    reply = "".join(llm.stream(messages, max_tokens=8))
    first_two = llm.llama.detokenize(llm._opening[1].chosen).decode()
    p_own = llm.opening_probability(messages, first_two)  # read from the stream's own steps
    assert 0 < p_own <= 1
    other = "Maybe not"
    p_other = llm.opening_probability(messages, other)  # needs one more token evaluated
    assert 0 <= p_other < 1 and p_other + p_own <= 1 + 1e-6
    fresh = [dict(m) for m in messages]  # a new list: computed from scratch, same value
    assert llm.opening_probability(fresh, other) == pytest.approx(p_other, rel=1e-3)
    steered = "".join(llm.stream(messages, max_tokens=8, avoid=reply))
    assert not steered.startswith(reply.strip()[:12]) or len(llm._tokens(reply)) < 2
