"""The citation parser and checker, against a table of cases."""

import pytest

from assistant.cite import check, narrow, parse, support
from assistant.types import Evidence, Passage

# (raw answer, evidence count) -> (sentences as (text, cited), invalid, repeated)
PARSE_CASES = [
    ("Barkhane began in 2014 [1].", 2, [("Barkhane began in 2014.", (1,))], 0, 0),
    ("A happened [1]. B happened [2].", 2, [("A happened.", (1,)), ("B happened.", (2,))], 0, 0),
    ("A happened [1][2].", 2, [("A happened.", (1, 2))], 0, 0),
    ("A happened [1, 2].", 2, [("A happened.", (1, 2))], 0, 0),
    ("A happened [Source 2].", 2, [("A happened.", (2,))], 0, 0),
    ("A happened 【1†source】.", 2, [("A happened.", (1,))], 0, 0),
    # made-up and out-of-range numbers
    ("A happened [7].", 2, [("A happened.", ())], 1, 0),
    ("A happened [0].", 2, [("A happened.", ())], 1, 0),
    ("A happened [1][9].", 2, [("A happened.", (1,))], 1, 0),
    # repeated numbers in one sentence
    ("A happened [1][1].", 2, [("A happened.", (1,))], 0, 1),
    ("A happened [1, 1, 2].", 2, [("A happened.", (1, 2))], 0, 1),
    # malformed brackets
    ("A happened [1-2].", 2, [("A happened.", ())], 1, 0),
    ("A happened [source].", 2, [("A happened.", ())], 1, 0),
    ("A happened [1", 2, [("A happened", ())], 1, 0),
    ("A happened [].", 2, [("A happened [].", ())], 0, 0),
    # ordinary bracketed words are text, not citations
    ("The junta [sic] ruled [1].", 2, [("The junta [sic] ruled.", (1,))], 0, 0),
    # markers after the full stop belong to the sentence before
    ("A happened. [1] B happened [2].", 2, [("A happened.", (1,)), ("B happened.", (2,))], 0, 0),
    ("A happened. [2]", 2, [("A happened.", (2,))], 0, 0),
    # a sentence that only points at sources gives its numbers to the sentence before
    ("A happened. Sources [1] and [2] provide this information.", 2, [("A happened.", (1, 2))], 0, 0),
    ("[1]", 2, [], 1, 0),
    ("", 2, [], 0, 0),
]


@pytest.mark.parametrize("raw,n,sentences,invalid,repeated", PARSE_CASES)
def test_parse(raw, n, sentences, invalid, repeated):
    sents, counts = parse(raw, n)
    assert [(s.text, s.cited) for s in sents] == sentences
    assert counts == {"invalid": invalid, "repeated": repeated}


DOC = (
    "Operation Serval began in January 2013. "
    "Operation Serval was transformed to Operation Barkhane in August 2014. "
    "About 2,400 troops were stationed in Mali."
)
SERVAL = Evidence(1, Passage("a.txt", 100, 100 + len(DOC), DOC))
OTHER_TEXT = "The junta expelled the French ambassador in January 2022."
OTHER = Evidence(2, Passage("b.txt", 5, 5 + len(OTHER_TEXT), OTHER_TEXT))
EVIDENCE = [SERVAL, OTHER]


@pytest.mark.parametrize(
    "claim,span,low,high",
    [
        ("Serval became Barkhane in August 2014.", DOC, 0.6, 1.0),
        ("Serval became Barkhane in August 2015.", DOC, 0.0, 0.45),  # a wrong number halves it
        ("The ambassador was expelled.", DOC, 0.0, 0.2),
        ("...", DOC, 0.0, 0.0),
    ],
)
def test_support(claim, span, low, high):
    assert low <= support(claim, span) <= high


def test_check_keeps_and_narrows_a_supported_citation():
    sents, _ = parse("Serval was transformed to Barkhane in August 2014 [1].", 2)
    report = check(sents, EVIDENCE, 0.45)
    (c,) = report.citations
    assert c.quote == "Operation Serval was transformed to Operation Barkhane in August 2014."
    assert DOC[c.start - 100 : c.end - 100] == c.quote  # offsets are in the source's coordinates
    assert (c.n, c.source, c.supported) == (1, "a.txt", True)
    assert report.text == "Serval was transformed to Barkhane in August 2014 [1]."


def test_check_moves_a_wrong_citation_to_the_supporting_passage():
    sents, _ = parse("The junta expelled the French ambassador [1].", 2)
    report = check(sents, EVIDENCE, 0.45)
    assert report.replaced == 1 and report.text.endswith("[2].")
    assert report.citations[0].quote == OTHER_TEXT


def test_check_marks_a_claim_no_passage_supports():
    sents, _ = parse("Germany sent 900 tanks to Mali [1].", 2)
    report = check(sents, EVIDENCE, 0.45)
    assert report.unsupported == 1 and not report.citations[0].supported


def test_check_adds_a_citation_to_an_uncited_supported_sentence():
    sents, _ = parse("About 2,400 troops were stationed in Mali.", 2)
    report = check(sents, EVIDENCE, 0.45)
    assert report.added == 1 and report.citations[0].quote == "About 2,400 troops were stationed in Mali."


def test_same_number_cited_twice_is_one_citation_spanning_both_sentences():
    sents, _ = parse("Serval began in January 2013 [1]. It became Barkhane in August 2014 [1].", 2)
    report = check(sents, EVIDENCE, 0.45)
    (c,) = report.citations
    assert c.quote.startswith("Operation Serval began") and c.quote.endswith("August 2014.")


def test_narrow_falls_back_to_the_whole_span_when_no_sentence_carries_the_claim():
    assert narrow("Something unrelated entirely.", SERVAL, 0.45) == (SERVAL.passage.start, SERVAL.passage.end)


def test_no_evidence_means_no_citations():
    sents, counts = parse("A happened [1].", 0)
    assert counts["invalid"] == 1
    assert check(sents, [], 0.45).citations == ()


@pytest.mark.parametrize(
    "question,expected",
    [
        ("When did Mali leave ECOWAS?", True),
        ("And when did he postpone the vote?", True),
        ("On what date did Mali officially leave ECOWAS?", True),
        ("According to the alert, how many troops were in Mali?", True),
        ("What share of those surveyed saw them as instructors?", True),
        ("Who was president when Serval began?", False),
        ("Who leads the junta?", False),
    ],
)
def test_questions_that_want_a_date_or_number(question, expected):
    from assistant.text import asks_for_number

    assert asks_for_number(question) is expected


@pytest.mark.parametrize(
    "claim,question,low,high",
    [
        # words taken from the question prove nothing: a restatement supports nothing
        (
            "The Canadian mining company was expelled from Mali.",
            "Which Canadian mining company was expelled from Mali?",
            0.0,
            0.0,
        ),
        # only the new words need the span: "Russia" is in it
        (
            "Bamako's rulers picked Russia as their chief arms partner.",
            "Which capital did Bamako's rulers pick as their chief arms partner?",
            0.9,
            1.0,
        ),
    ],
)
def test_support_counts_only_what_the_claim_adds_to_the_question(claim, question, low, high):
    span = "Malian authorities chose Russia as their main military partner, and a company was expelled."
    assert low <= support(claim, span, question) <= high


@pytest.mark.parametrize(
    "text,numbers,want_text,want_numbers",
    [
        ("A [2]. B [4].", (2, 4), "A [1]. B [2].", (1, 2)),
        ("A [4]. B [2][4].", (2, 4), "A [1]. B [2][1].", (1, 2)),
        ("Only [3].", (3,), "Only [1].", (1,)),
        ("A [1]. B [2].", (1, 2), "A [1]. B [2].", (1, 2)),
        ("A [5] in [1990].", (5,), "A [1] in [1990].", (1,)),  # not a citation: left alone
    ],
)
def test_citations_are_renumbered_in_order_of_appearance(text, numbers, want_text, want_numbers):
    from assistant.cite import renumber
    from assistant.types import Citation

    out, cited = renumber(text, tuple(Citation(n, f"s{n}.txt", 0, 1, "x") for n in numbers))
    assert out == want_text and tuple(c.n for c in cited) == want_numbers
    assert {c.source for c in cited} == {f"s{n}.txt" for n in numbers}  # each keeps its source
