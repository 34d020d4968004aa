"""The question's vector without sentence-transformers is the vector sentence-transformers gives."""

import json

import numpy as np

from assistant.embed import Embedder, embedder_dir, mean_pooled

TEXTS = [
    "When did Operation Serval become Operation Barkhane?",
    "Qui dirige la junte du Mali ? Assimi Goïta, colonel — depuis 2021.",
    "x",
    " ".join(["Barkhane troops left Gao in August 2022."] * 60),  # past the 256-token window
]


def test_embed_query_matches_sentence_transformers(embedder):
    light = Embedder()  # nothing loaded: takes the transformers path
    vectors = [light.embed_query(t) for t in TEXTS]
    assert light._model is None and light._light  # sentence-transformers was not needed
    reference = embedder.embed(TEXTS)
    assert np.allclose(np.stack(vectors), reference, atol=1e-5)
    assert all(v.dtype == np.float32 and v.shape == (384,) for v in vectors)


def test_embed_query_uses_a_loaded_sentence_transformer(embedder):
    embedder.embed(["load it"])
    assert np.allclose(embedder.embed_query(TEXTS[0]), embedder.embed([TEXTS[0]])[0])


def test_only_a_mean_pooled_normalised_pipeline_takes_the_light_path(tmp_path):
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
