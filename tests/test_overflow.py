"""No document can overflow the real model's context (issue 11): a 9,000-character paragraph with
no sentence break, asked about with the real SmolLM2 tokenizer and a small context, answers or
declines; it never raises "Requested tokens exceed context window"."""

from __future__ import annotations

import pytest

from assistant import Assistant, index
from assistant.llms.local import LLM
from assistant.llms.packaged import resolve_model


@pytest.mark.slow
def test_a_long_paragraph_fits_the_real_models_context(settings, embedder, project, tmp_path):
    line = "the committee discussed the gao base budget and the wells and the convoy schedule"
    minutes = " ".join(f"item {i} {line}" for i in range(110))
    assert len(minutes) > 9000 and "." not in minutes
    (project / "docs" / "minutes.txt").write_text(minutes, encoding="utf-8")
    index.update(settings, embedder=embedder, log=lambda m: None)
    # the case: the whole paragraph as one "sentence" asked for 2,049 tokens of a 2,048
    # context; evidence now comes in exact pieces of at most 400 characters, and the prompt is
    # measured with the model's own tokenizer
    n_ctx = settings.n_ctx
    llm = LLM(resolve_model("smollm2", tmp_path, log=lambda m: None), n_ctx=n_ctx)
    s = settings.with_(top_k=8)
    a = Assistant(s, embedder=embedder, llm=llm, log=lambda m: None)
    ans = a.ask("What did the committee discuss about the Gao base budget and the convoy schedule?")
    assert ans.answer  # answered or declined, but no exception
    for c in ans.citations:
        assert minutes[c.start : c.end] == c.quote or c.source != "docs/minutes.txt"
