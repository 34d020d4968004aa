"""The follow-up rewrite is checked before it is searched for: a table of rewrites a small model
really writes, good and bad, and what is searched for each."""

import pytest

from assistant.prompts import checked_rewrite, rewrite_problem

JUNTA = [("Who leads Mali's junta?", "Assimi Goita leads the junta [1].")]
WAGNER = [
    (
        "In which newspaper did Le Drian speak about Wagner?",
        "Le Drian said Wagner was using the weakness of African states to increase Russia's "
        "influence, in the Journal du Dimanche.",
    )
]
TROOPS = [("When did Operation Serval become Operation Barkhane?", "In August 2014 [1].")]


@pytest.mark.parametrize(
    "question,rewrite,history,problem",
    [
        # good rewrites: pronouns replaced by names, the question's words kept
        ("When did he postpone the vote?", "When did Assimi Goita postpone the vote?", JUNTA, None),
        ("How many troops were there then?", "How many French troops were in Mali in 2014?", TROOPS, None),
        ("And his deputy?", "Who was Assimi Goita's deputy in the junta?", JUNTA, None),
        ("Why?", "Why does Assimi Goita lead Mali's junta?", JUNTA, None),  # no content word to keep
        # a rewrite that is the previous answer, or mostly its words
        ("What did he say next?", WAGNER[0][1], WAGNER, "copies an earlier answer"),
        (
            "What did he say about it?",
            "What did Le Drian say: Wagner using weakness of African states to increase influence?",
            WAGNER,
            "copies an earlier answer",
        ),
        # drift: the question's own words are gone
        ("When did he postpone the vote?", "Who is Assimi Goita?", JUNTA, "drops the question's words"),
        ("How many troops were there then?", "When did Serval end?", TROOPS, "drops the question's words"),
        # nothing usable
        ("When did he postpone the vote?", "", JUNTA, "empty"),
        ("When did he resign?", "x " * 300, JUNTA, "too long"),
    ],
)
def test_rewrite_problems(question, rewrite, history, problem):
    assert rewrite_problem(question, " ".join(rewrite.split()), history) == problem


def test_a_good_rewrite_is_searched_as_written():
    query = checked_rewrite("When did he postpone the vote?", ' "When did Goita postpone the vote?" ', JUNTA)
    assert query == "When did Goita postpone the vote?"


@pytest.mark.parametrize(
    "rewrite",
    [WAGNER[0][1], "Who is Assimi Goita?", ""],
    ids=["copies the answer", "drifts", "empty"],
)
def test_a_bad_rewrite_falls_back_to_the_question_and_the_previous_subject(rewrite):
    history = [("In which newspaper did Le Drian speak about Wagner?", "Le Drian ... [1].")]
    query = checked_rewrite("What did he say next?", rewrite, history)
    assert query == "What did he say next? (newspaper Le Drian speak Wagner)"


def test_the_fallback_with_no_history_is_the_question():
    assert checked_rewrite("When?", "", []) == "When?"
