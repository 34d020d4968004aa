"""Answer rules as case tables: pure functions, no model."""

import pytest

from assistant import decide


@pytest.mark.parametrize(
    "text,want",
    [
        ("", "wait"),
        ("The", "wait"),
        ("The documents do", "wait"),
        ("The documents do not", "refusal"),
        ("The documents do not answer this question.", "refusal"),
        ("  the documents do not answer", "refusal"),
        ("The document says", None),
        ("France withdrew in 2022 [1].", None),
        ("The documents do not answer this question. But France", None),
    ],
)
def test_streaming_refusal(text, want):
    assert decide.streaming_refusal(text) == want


@pytest.mark.parametrize(
    "question,claims,want",
    [
        ("When did France leave Mali?", ["France left Mali."], True),
        ("When did France leave Mali?", ["France left Mali in August 2022."], False),
        ("How many troops did France have?", ["About 2,400 troops."], False),
        ("How many troops did France have?", ["Several thousand troops."], False),
        ("How many troops did France have?", ["France had troops in Gao."], True),
        ("Who leads Mali?", ["Assimi Goita leads Mali."], False),
        ("What year did Barkhane start?", ["Barkhane started in 2014."], False),
    ],
)
def test_missing_number(question, claims, want):
    assert decide.missing_number(question, claims) == want
