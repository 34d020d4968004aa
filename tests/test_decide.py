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


# --- the pointer's distribution and the sources an answer is written from ---------------------------
def _ev(*texts):
    from assistant.types import Evidence, Passage

    return [Evidence(i, Passage("a.txt", 10 * i, 10 * i + len(t), t)) for i, t in enumerate(texts, 1)]


@pytest.mark.parametrize(
    "question, pointer, want",
    [
        ("Who leads Mali?", {"NONE": 0.1, "1": 0.2, "2": 0.7}, [2]),
        ("Who leads Mali?", {"NONE": 0.9, "1": 0.06, "2": 0.04}, [1]),  # NONE aside: always a draft
        ("Who leads Mali?", None, [1]),  # no probabilities: the best-ranked source
        # without fitted weights every part picks by the pointer alone: one source
        ("Who was ousted, and which colonel seized power?", {"NONE": 0.1, "1": 0.5, "2": 0.4}, [1]),
    ],
)
def test_pick_by_the_pointer_alone(question, pointer, want, monkeypatch):
    monkeypatch.setattr(decide, "PICK_WEIGHTS", None)  # before weights are fitted
    assert decide.pick(question, _ev("Goita leads Mali.", "Keita was ousted."), pointer) == want
    assert decide.source_odds(question, _ev("a b"), pointer) == []


def test_a_question_in_parts_takes_the_best_source_for_each_part(monkeypatch):
    # weights that follow what a source says (relation, kind, cover) more than the pointer
    monkeypatch.setattr(decide, "PICK_WEIGHTS", (0.0, 0.1, 0.0, 2.0, 1.0, 3.0))
    ev = _ev("Keita was ousted in the coup.", "Colonel Goita seized power in August 2020.", "Mali is big.")
    pointer = {"NONE": 0.1, "1": 0.3, "2": 0.3, "3": 0.3}
    assert decide.pick("Who was ousted, and which colonel seized power?", ev, pointer) == [1, 2]
    assert decide.pick("Which colonel seized power?", ev, pointer) == [2]


def test_signals_read_the_pointers_distribution_and_the_retrieval_margin():
    from assistant.types import Hit, Passage

    p = Passage("a.txt", 0, 5, "Mali.")
    hits = [Hit(p, 0.03, 0.62, 1.0), Hit(p, 0.02, 0.50, 0.0)]
    sig = decide.signals("Who leads Mali?", hits, _ev("Goita leads Mali.", "x y"), {"NONE": 0.2, "1": 0.8})
    assert sig.refusal == 0.2 and sig.pointer == (0.2, 0.8, 0.0)
    assert sig.relevance == 0.62 and sig.margin == 0.12
    assert decide.signals("Who leads Mali?", hits, [], None).pointer == ()


def test_closest_puts_the_chosen_sources_first():
    ev = _ev("a", "b", "c", "d")
    assert decide.closest(ev, {"NONE": 0.5, "1": 0.1, "2": 0.05, "3": 0.3, "4": 0.05}, [2]) == [2, 3, 1]


# --- the decision step: what to do next with a checked draft --------------------------------------
def _draft(reason=None, extracted=False):
    from assistant.types import Checks

    return checks.Checked(
        "raw", "" if reason else "An answer [1].", (), Checks(reason=reason, extracted=extracted)
    )


A, R = decide.Action, decide.Reason


@pytest.mark.parametrize(
    "draft, score, problem, close, done, want",
    [
        # words that failed the checks are replaced by a quote of the source, once
        (_draft(R.MODEL_DECLINED), None, None, False, set(), (A.QUOTE, None)),
        (_draft(R.WRONG_KIND), None, None, True, {A.QUOTE}, (A.CLOSEST, R.WRONG_KIND)),
        (_draft(R.NO_SUPPORTED_CITATION), None, None, False, {A.QUOTE}, (A.DECLINE, R.NO_SUPPORTED_CITATION)),
        # an answer (written or quoted) is verified, then the gate decides
        (_draft(), None, None, False, set(), (A.VERIFY, None)),
        (_draft(extracted=True), None, None, False, {A.QUOTE}, (A.VERIFY, None)),
        (_draft(), 0.8, None, False, {A.VERIFY}, (A.ACCEPT, None)),
        (_draft(), 0.5, None, False, {A.VERIFY}, (A.ACCEPT, None)),  # at the threshold: shown
        (_draft(), 0.3, None, True, {A.VERIFY}, (A.CLOSEST, R.LOW_CONFIDENCE)),
        (_draft(), 0.3, None, False, {A.VERIFY}, (A.DECLINE, R.LOW_CONFIDENCE)),
        # a failed review of the answer vetoes it whatever the score
        (_draft(), 0.99, (R.WRONG_KIND, "date"), False, {A.VERIFY}, (A.DECLINE, R.WRONG_KIND)),
    ],
)
def test_next_step(draft, score, problem, close, done, want):
    state = decide.State(draft, score, problem, close, frozenset(done))
    step = decide.next_step(state, threshold=0.5)
    assert (step.action, step.reason) == want
    assert step.final == (step.action in (A.ACCEPT, A.CLOSEST, A.DECLINE))
    if step.reason is R.LOW_CONFIDENCE:
        assert step.detail == f"{score:.2f}, below the 0.50 an answer needs"
