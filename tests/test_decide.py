"""Answer rules as case tables: pure functions, no model."""

import pytest

from assistant import checks, decide


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
    "question,kind",
    [
        ("How many civilians were killed in Moura?", "count"),
        ("What number of troops stayed?", "count"),
        ("How much did the deal cost?", "quantity"),
        ("What percentage of Malians approve?", "quantity"),
        ("When did France leave Mali?", "date"),
        ("Mali left ECOWAS; when was that announced?", "date"),
        ("In what year did Serval start?", "date"),
        ("Where did the massacre happen?", "place"),
        ("Which countries left ECOWAS?", "place"),
        ("Who leads the junta?", "name"),
        ("Which close ally of France tried to save the G5 Sahel?", "name"),
        ("Which company was expelled?", "name"),
        ("Why did Mali expel the ambassador?", "reason"),
        ("What was the name of the French ambassador?", "name"),
        ("How did the ministry describe the decision?", None),
        ("What did Le Drian say about Wagner?", None),
    ],
)
def test_answer_type(question, kind):
    assert checks.answer_type(question) == kind


@pytest.mark.parametrize(
    "kind,question,text,want",
    [
        ("count", "How many civilians were killed?", "About 300 civilians were killed [1].", True),
        ("count", "How many people approve of the junta?", "95 percent approve [1].", False),
        ("count", "How many people approve of the junta?", "95% of Malians approve [1].", False),
        ("count", "How many soldiers did France have?", "Thousands of soldiers [1].", True),
        ("count", "How many of the 2,400 troops left?", "The 2,400 troops were in Mali [1].", False),
        ("quantity", "What percentage approve?", "95 percent approve [1].", True),
        ("date", "When did Serval become Barkhane?", "In August 2014 [1].", True),
        ("date", "When did Serval become Barkhane?", "Serval became Barkhane [1].", False),
        ("date", "When did France leave?", "France left 2 years later [1].", True),
        ("name", "Who leads the junta?", "Assimi Goita leads the junta [1].", True),
        ("name", "Who leads the junta?", "The junta is led by the military [1].", False),
        ("name", "Which close ally of France tried to save it?", "Chad [1].", True),
        ("place", "Which countries left ECOWAS?", "Mali, Burkina Faso and Niger [1].", True),
        ("place", "Where did Mali send the troops?", "Mali sent the troops [1].", False),
        ("reason", "Why did Mali expel him?", "Because of his hostile remarks [1].", True),
        (
            "reason",
            "Why did Mali suspend RFI and France24?",
            "The Mali government suspended RFI and France24 [1].",
            False,
        ),
        (
            "reason",
            "Why did Mali suspend RFI?",
            "Mali suspended RFI after it reported abuses by soldiers [1].",
            True,
        ),
        ("name", "Who leads Mali?", "Mali's politics have been turbulent since 2012 [1].", False),
        ("name", "Who leads Mali's junta?", "Mali’s Junta Is Looking to Blame Anyone but Itself [1]", False),
        ("date", "When did Wagner leave Mali?", "So where does this leave Mali in 2025 [1]?", False),
        ("reason", "Why did Wagner come?", "Why would Wagner come [1]?", False),
    ],
)
def test_fits_type(kind, question, text, want):
    assert checks.fits_type(kind, question, text) == want


@pytest.mark.parametrize(
    "sentence,spans,question,want",
    [
        # an invented year after a supported day and month: cut, the rest kept
        (
            "Mali ended defence ties on 3 May, 2013 [1].",
            ["On 3 May, the Mali government ended ties."],
            "",
            ("Mali ended defence ties on 3 May [1].", 1),
        ),
        (
            "France withdrew its troops in February, 2013 [2].",
            ["In February, France announced its withdrawal."],
            "",
            ("France withdrew its troops in February [2].", 1),
        ),
        (
            "Serval began in 2013 and ended in 2014 [1].",
            ["Serval ended in 2014."],
            "",
            ("Serval began and ended in 2014 [1].", 1),
        ),
        # every number unsupported: cut all the same (fits_type then finds no date in what is left)
        ("It happened in 1999 [1].", ["It happened long ago."], "", ("It happened [1].", 1)),
        # numbers from the question or the evidence are kept
        (
            "Of the 4,300 troops, 2,400 were in Mali [1].",
            ["About 2,400 troops were in Mali."],
            "How many of the 4,300 troops were in Mali?",
            ("Of the 4,300 troops, 2,400 were in Mali [1].", 0),
        ),
        ("No numbers here [1].", ["Nothing."], "", ("No numbers here [1].", 0)),
    ],
)
def test_salvage(sentence, spans, question, want):
    assert checks.salvage(sentence, spans, question) == want


def test_confidence_rises_with_the_models_belief_and_the_retrieval():
    """The fitted weights may weigh lexical signals either way (on the tuning sets, questions the
    documents do not answer cover their evidence better than paraphrased answerable ones do);
    the model's own signals and retrieval must count for an answer."""
    from assistant.types import Signals

    low = Signals(refusal=0.9, relevance=0.3, coverage=0.5, typed=0.5, verified=0.2, certainty=0.5)
    assert 0 <= decide.confidence(low) <= 1
    for change in ({"refusal": 0.1}, {"relevance": 0.7}, {"verified": 0.9}, {"certainty": 0.95}):
        higher = Signals(**{**low.__dict__, **change})
        assert decide.confidence(higher) > decide.confidence(low), change
    unknown = Signals(None, 0.5, 0.5, 1.0)
    assert decide.confidence(unknown) == decide.confidence(Signals(0.5, 0.5, 0.5, 1.0, 0.5, 0.5))


# --- the decision step: what to do next with a checked draft --------------------------------------
def _draft(reason=None, extracted=False):
    from assistant.types import Checks

    return checks.Checked(
        "raw", "" if reason else "An answer [1].", (), Checks(reason=reason, extracted=extracted)
    )


A, R = decide.Action, decide.Reason
S = decide.Settings(retry_confidence=0.4, extract_confidence=0.7, min_confidence=0.5)


@pytest.mark.parametrize(
    "draft, before, after, done, want",
    [
        # a refusal with good evidence is retried once, then quoted, then declined
        (_draft(R.MODEL_DECLINED), 0.8, None, set(), (A.RETRY, None)),
        (_draft(R.MODEL_DECLINED), 0.8, None, {A.RETRY}, (A.QUOTE, None)),
        (_draft(R.MODEL_DECLINED), 0.8, None, {A.RETRY, A.QUOTE}, (A.DECLINE, R.MODEL_DECLINED)),
        # below the retry threshold a refusal stands
        (_draft(R.MODEL_DECLINED), 0.3, None, set(), (A.DECLINE, R.MODEL_DECLINED)),
        # an unsupported answer is not retried (the model did answer) but may be quoted
        (_draft(R.NO_SUPPORTED_CITATION), 0.5, None, set(), (A.DECLINE, R.NO_SUPPORTED_CITATION)),
        (_draft(R.NO_SUPPORTED_CITATION), 0.9, None, set(), (A.QUOTE, None)),
        (_draft(R.WRONG_KIND), 0.9, None, {A.QUOTE}, (A.DECLINE, R.WRONG_KIND)),
        # an answer is verified, then accepted or declined on the full confidence
        (_draft(), 0.2, None, set(), (A.VERIFY, None)),
        (_draft(), 0.2, 0.6, {A.VERIFY}, (A.ACCEPT, None)),
        (_draft(), 0.9, 0.3, {A.VERIFY}, (A.DECLINE, R.LOW_CONFIDENCE)),
        # a quoted answer is shown as it is: the model did not write it
        (_draft(extracted=True), 0.8, None, {A.QUOTE}, (A.ACCEPT, None)),
    ],
)
def test_next_step(draft, before, after, done, want):
    step = decide.next_step(decide.State(draft, before, after, frozenset(done)), S)
    assert (step.action, step.reason) == want
    if step.reason is R.LOW_CONFIDENCE:
        assert step.detail == f"{after:.2f}"
