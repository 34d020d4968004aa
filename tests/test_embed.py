"""The ONNX embedder gives sentence-transformers' vectors, and the exported file is guarded."""

import json
import subprocess
import sys

import numpy as np
import pytest

from assistant import embed_export, ingest
from assistant.embed import Embedder, _pool_spans, embedder_dir, mean_pooled
from assistant.types import Passage

TEXTS = [
    "When did Operation Serval become Operation Barkhane?",
    "Qui dirige la junte du Mali ? Assimi Goïta, colonel — depuis 2021.",
    "x",
    "",
    "   leading and trailing spaces   ",
    "Ünïcödé, emoji 🎉, CJK 日本語のテキスト, Arabic النص العربي.",
    "1,2,3... 4.5% (six) [seven] {eight} <nine/> tab\tnew\nline",
    "UPPER CASE AND lower case Mixed Case",
    " ".join(["Barkhane troops left Gao in August 2022."] * 60),  # past the 256-token window
]
TOLERANCE = 0.9999  # cosine to sentence-transformers' vector; measured >= 0.99999 here


@pytest.fixture(scope="module")
def reference():
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(embedder_dir()), device="cpu")
    return model.encode(TEXTS, normalize_embeddings=True, show_progress_bar=False)


@pytest.mark.slow
def test_onnx_vectors_match_sentence_transformers(embedder, reference):
    assert embedder.backend == "onnx"
    vectors = embedder.embed(TEXTS)
    assert vectors.dtype == np.float32 and vectors.shape == (len(TEXTS), 384)
    assert (vectors * reference).sum(1).min() >= TOLERANCE
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    single = embedder.embed_query(TEXTS[0])
    assert single.shape == (384,) and float(single @ reference[0]) >= TOLERANCE


@pytest.mark.slow
def test_batching_and_order_do_not_change_vectors(embedder):
    small = Embedder(batch_size=2, models_dir=embedder.models_dir)
    small._runtime = embedder.runtime  # same session, other batches
    assert np.allclose(small.embed(TEXTS[::-1])[::-1], embedder.embed(TEXTS), atol=1e-5)
    progress = []
    small.embed(TEXTS, progress=lambda done, total: progress.append((done, total)))
    assert progress[-1] == (len(TEXTS), len(TEXTS)) and len(progress) == 5
    assert embedder.embed([]).shape == (0, 384)


@pytest.mark.slow
def test_embed_passages_gives_one_vector_per_sentence(embedder):
    text = "Serval began in 2013. It became Barkhane in 2014. " * 30 + "The last sentence ends here."
    passages = [Passage("a.txt", 0, len(text), text), Passage("b.txt", 5, 27, "One short sentence. Two.")]
    for pool in (False, True):
        e = Embedder(pool_sentences=pool)
        e._runtime = embedder.runtime
        vectors, per_passage = e.embed_passages(passages)
        assert np.allclose(vectors, embedder.embed([p.text for p in passages]), atol=1e-5)
        for p, rows in zip(passages, per_passage):
            sents = ingest.sentences(p)
            assert rows.shape == (len(sents), 384) and rows.dtype == np.float32
            assert np.allclose(np.linalg.norm(rows, axis=1), 1, atol=1e-5)
        # past the passage's 256-token window a sentence is embedded on its own: its own vector
        last = ingest.sentences(passages[0])[-1].text
        assert float(per_passage[0][-1] @ embedder.embed_query(last)) > 0.9999
    assert Embedder().embed_passages([])[0].shape == (0, 384)


def test_pooling_takes_the_word_pieces_inside_each_span():
    class Encoding:  # what `tokenizers` gives: [CLS] a b [SEP], with character offsets
        offsets = [(0, 0), (0, 3), (4, 7), (0, 0)]
        special_tokens_mask = [1, 0, 0, 1]
        overflowing: list = []

    tokens = np.array([[9.0, 9], [1, 0], [0, 1], [9, 9]], dtype="float32")
    first, second, both, outside = _pool_spans(
        tokens, Encoding(), [(0, 3, ""), (4, 7, ""), (0, 7, ""), (8, 9, "")]
    )
    assert np.allclose(first, [1, 0]) and np.allclose(second, [0, 1])
    assert np.allclose(both, [2**-0.5, 2**-0.5]) and outside is None
    Encoding.overflowing = ["more"]  # truncated: a span past the last word piece is not pooled
    assert _pool_spans(tokens, Encoding(), [(0, 3, ""), (4, 9, "")])[1] is None


@pytest.mark.slow
def test_export_is_stamped_and_a_changed_file_is_refused(tmp_path):
    target = tmp_path / embed_export.ONNX_FILE
    embed_export.export(embedder_dir(), target)
    stamp = json.loads(embed_export.stamp_path(target).read_text())
    assert stamp["sha256"] == ingest.file_sha256(target) and stamp["size"] == target.stat().st_size
    assert embed_export.verified(target, embedder_dir())
    assert not list(tmp_path.glob(".tmp-*"))  # written atomically, nothing left behind
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, other bytes, new mtime: hashed again and refused
    target.write_bytes(bytes(data))
    assert not embed_export.verified(target, embedder_dir())
    embed_export.stamp_path(target).unlink()
    assert not embed_export.verified(target, embedder_dir())


@pytest.mark.slow
def test_a_damaged_model_file_is_exported_again(tmp_path, embedder):
    models = tmp_path / "models"
    models.mkdir()
    target = models / embed_export.ONNX_FILE
    target.write_bytes(b"not a model")
    e = Embedder(models_dir=models, log=lambda m: None)
    assert e.backend == "onnx" and target.stat().st_size > 1_000_000
    assert float(e.embed_query(TEXTS[0]) @ embedder.embed_query(TEXTS[0])) > 0.9999


@pytest.mark.slow
def test_without_onnxruntime_it_falls_back_in_one_line(tmp_path):
    code = (
        "import sys; sys.modules['onnxruntime'] = None\n"
        "from assistant.embed import Embedder\n"
        "logged = []\n"
        "e = Embedder(log=logged.append)\n"
        "print(e.backend, e.embed_query('hello').shape, logged)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "sentence-transformers (384,)" in done.stdout and "pip install onnxruntime" in done.stdout
    assert "Batches" not in done.stderr and "it/s" not in done.stderr  # no progress bars leak


@pytest.mark.slow
def test_a_question_does_not_import_torch(embedder):
    embedder.embed_query("export the ONNX file first, if this is a fresh clone")
    code = (
        "import sys\n"
        "from assistant.embed import Embedder\n"
        "Embedder().embed_query('Who leads Mali?')\n"
        "print(sorted(m for m in ('torch', 'transformers', 'sentence_transformers') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_only_a_mean_pooled_normalised_pipeline_takes_the_onnx_path(tmp_path):
    assert mean_pooled(embedder_dir())
    folder = tmp_path / "model"
    (folder / "1_Pooling").mkdir(parents=True)
    for name in ("modules.json", "sentence_bert_config.json", "1_Pooling/config.json"):
        (folder / name).write_text((embedder_dir() / name).read_text())
    assert mean_pooled(folder)
    pooling = json.loads((folder / "1_Pooling/config.json").read_text())
    (folder / "1_Pooling/config.json").write_text(
        json.dumps({**pooling, "pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True})
    )
    assert not mean_pooled(folder)
    (folder / "modules.json").unlink()
    assert not mean_pooled(folder)
