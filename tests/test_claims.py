"""The checks that catch non-answers (claims.py, specifics.py, relations.py) as case tables.

The rows come from the kinds of wrong answers issue 19 shows, the seed questions and CLAP NQ
questions 1-100; each check has rows that must fire and look-alike rows that must pass.
"""

import pytest

from assistant import checks
from assistant.claims import acknowledged, kind_fits, parts_answered, restates, review
from assistant.relations import carries_relation, predicate, split_parts
from assistant.specifics import cut_specifics, numbers_in, unsupported_specifics


# --- 1. restating the question ------------------------------------------------------------------
@pytest.mark.parametrize(
    "question,answer,want",
    [
        # fires: nothing beyond the question's words, hedges and markers aside
        (
            "Which two senior Malian officials are seen as favouring closer ties with Russia?",
            "Senior Malian officials are described as favouring closer ties with Russia [1].",
            True,
        ),
        ("What two steps did Mali take in May?", "Mali took two steps in May [2].", True),
        ("What did Mali accuse France of training?", "Mali publicly accused France of training [2].", False),
        (
            "How does the 2025 article describe how the junta funds the mercenaries?",
            "The 2025 article describes how the junta funds the mercenaries [2].",
            True,
        ),
        (
            "What decision by Goita prompted ECOWAS to impose more sanctions on Mali?",
            "According to the documents, the decision by Goita prompted ECOWAS to impose more sanctions"
            " on Mali.",
            True,
        ),
        ("Who leads Mali's junta?", "Mali’s junta is led, reportedly [1].", True),
        ("who sang the song the reverend mr black", "The song The Reverend Mr. Black was sung [1].", True),
        # passes: the asked-for content is added
        ("Which French foreign minister said it?", "Jean-Yves Le Drian [1].", False),
        (
            "What two steps did Mali take in May?",
            "Mali severed defence accords and left the G5 Sahel [1].",
            False,
        ),
        ("Which close ally of France tried to save the G5 Sahel?", "Chad [1].", False),
        ("Until what year did Goita postpone the vote?", "Goita postponed the vote until 2026 [1].", False),
        (
            "When did the UN complete the withdrawal?",
            "The U.N. completed the withdrawal in December 2023 [1].",
            False,
        ),
        (
            "what are the sirens in o brother where art thou",
            "They are three women washing clothes [1].",
            False,
        ),
        ("How many years did Keita serve?", "Keita served seven years [1].", False),
    ],
)
def test_restates(question, answer, want):
    assert restates(question, answer) is want


# --- 2. of the kind asked -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question,kind",
    [
        ("What percentage of respondents were satisfied?", "quantity"),
        ("percentage of organised and unorganised sector in india", "quantity"),
        ("How long did the siege last?", "quantity"),
        ("what is the youngest age you can marry in the usa", "quantity"),
        ("In which northern Malian city did France keep its presence?", "place"),
        ("At which former French military base was the burial filmed?", "place"),
        ("Mali's land area is less than that of which U.S. state?", "place"),
        ("Which foreign capital did Bamako's rulers pick as their arms partner?", "place"),
        ("Name the two Malian colonels who seized power.", "name"),
        ("Who was Keita's successor?", "name"),
        ("In which French newspaper did Le Drian say it?", "name"),
        ("Which European-led military task force had the Danes come to join?", "name"),
        ("Which writer on governmental foolishness is invoked?", "name"),
        ("what is the real name of jethalal in taarak mehta ka ooltah chashmah", "name"),
        ("On what exact day in January 2022 was the ambassador ordered to leave?", "date"),
        ("What was the purpose of the Molasses Act?", "reason"),
        # look-alikes that ask for no particular kind
        ("where does the term cherry picker come from", None),
        ("where does the bronx get its name from", None),
        ("who were the dadaists and what did they do", None),
        ("Who is Assimi Goita?", None),
        ("What kind of companies did the EU sanction?", None),
        ("which sport awards the oldest trophy in international sports", None),
        ("What word did Macron use?", None),
        ("What did the state announce?", None),
        # unchanged
        ("Which countries left ECOWAS?", "place"),
        ("Who is the president of Mali?", "name"),
        ("who are the three judges on american idol 2018", "name"),
    ],
)
def test_answer_type_more(question, kind):
    assert checks.answer_type(question) == kind


@pytest.mark.parametrize(
    "kind,question,answer,want",
    [
        # a count, not a percentage, a year or a day of the month
        (
            "count",
            "How many European countries joined France?",
            "Fifty-two percent of respondents agreed [1].",
            False,
        ),
        ("count", "How many Wagner personnel are in Mali?", "The junta turned to Wagner in 2021 [1].", False),
        ("count", "How many days did the operation last?", "It began on 3 May [1].", False),
        ("count", "How many troops are in Mali?", "About 2000 troops are in Mali [1].", True),
        ("count", "How many troops are in Mali?", "Some 2,400 troops were stationed in Mali [1].", True),
        ("count", "How many years did Keita serve?", "He served seven years [1].", True),
        # an amount
        ("quantity", "What share approve of France?", "A majority of respondents approve [1].", True),
        ("quantity", "How much does the junta pay Wagner?", "About $10 million a month [1].", True),
        ("quantity", "How much does the junta pay Wagner?", "The junta pays Wagner every year [1].", False),
        ("quantity", "How long did the siege last?", "The siege lasted several months [1].", True),
        ("quantity", "How much did the war cost?", "The war ended in 2013 [1].", False),
        # a name: not only the question's own names, demonyms or titles
        (
            "name",
            "What was the name of the French ambassador expelled from Mali?",
            "Mali accused France of training groups and expelled the French ambassador [1].",
            False,
        ),  # fmt: skip
        (
            "name",
            "Which three oil companies linked to Wagner did the EU sanction?",
            "Last month, the EU slapped sanctions on eight people and three oil companies linked to"
            " Wagner [1].",
            False,
        ),  # fmt: skip
        (
            "name",
            "Who replaced Florence Parly?",
            "Defense Minister Florence Parly suggested changes [1].",
            False,
        ),
        ("name", "Who replaced Florence Parly?", "Sébastien Lecornu replaced Florence Parly [1].", True),
        (
            "name",
            "Which Malian prime minister spoke at the UN?",
            "Maiga told the U.N. General Assembly [1].",
            True,
        ),
        # a place: a proper name (a lower-case "in the truck" is too often wrong); a month is no place
        ("place", "Where did the March massacre happen?", "It happened in March [1].", False),
        (
            "place",
            "Where did the 2022 massacre of Malian civilians happen?",
            "The massacre of Mali's civilians happened in March [1].",
            False,
        ),  # fmt: skip
        ("place", "where did the movie safe haven take place", "It took place in the truck [1].", False),
        ("place", "where did the movie safe haven take place", "It takes place in Southport [1].", True),
        ("place", "where is the bulk of medicaid funds spent", "It was spent in the past [1].", False),
        ("place", "In which central Malian town did it happen?", "In Moura [1].", True),
        # a reason: a cause or a purpose, not the event restated
        (
            "reason",
            "What was the purpose of the Molasses Act?",
            "It was meant to tax imported molasses [1].",
            True,
        ),
        ("reason", "Why did Mali suspend RFI?", "Mali suspended RFI [1].", False),
        (
            "reason",
            "Why did Mali suspend RFI?",
            "Mali suspended RFI because of its reports on abuses [1].",
            True,
        ),
        ("date", "When did Keita die?", "Keita is now deceased [1].", False),
        ("date", "When did France withdraw its troops?", "France withdrew in February [1].", True),
    ],
)
def test_kind_fits(kind, question, answer, want):
    assert kind_fits(kind, question, answer) is want


# --- 3. specifics no cited sentence holds ---------------------------------------------------------
@pytest.mark.parametrize(
    "answer,cited,question,want",
    [
        # names
        (
            "Abdoulaye Maiga announced it [1].",
            ["The spokesman, Choguel Maiga, said so."],
            "",
            ["Abdoulaye Maiga"],
        ),
        (
            "Colonel Assimi Goita took power [1].",
            ["Col. Assimi Goïta seized power."],
            "",
            [],
        ),  # accents, titles
        (
            "Mali's junta expelled him [1].",
            ["The Malian junta expelled the ambassador."],
            "",
            [],
        ),  # possessive
        ("Jean-Yves Le Drian said so [1].", ["Foreign Minister Jean-Yves Le Drian said."], "", []),  # hyphen
        ("Jean-Yves Le Drian said so [1].", ["Foreign Minister Le Drian said."], "", ["Jean-Yves Le Drian"]),
        ("The U.N. left [1].", ["The UN completed the withdrawal."], "", []),  # U.N. = UN
        ("The UN left [1].", ["The United Nations completed the withdrawal."], "", []),  # acronym
        (
            "ECOWAS eased sanctions [1].",
            ["The Economic Community of West African States eased them."],
            "",
            [],
        ),
        ("The French troops left [1].", ["France withdrew its troops."], "", []),  # demonym
        ("Niger and Nigeria joined [1].", ["Niger joined the alliance."], "", ["Nigeria"]),
        ("The ambassador flew to Paris [1].", ["The ambassador left Mali."], "", ["Paris"]),
        (
            "The Wagner Group arrived [1].",
            ["Wagner fighters arrived."],
            "Which group arrived?",
            [],
        ),  # question
        ("Russian Blues have green eyes [1].", ["Russian Blue cats have green eyes."], "", []),  # plural
        # numbers, dates, months
        ("Mali cut ties on 3 May, 2013 [1].", ["On 3 May, Mali cut ties."], "", ["2013"]),
        ("France withdrew in Aug. 2022 [1].", ["France drew down in August 2022."], "", []),
        ("France withdrew in September 2022 [1].", ["France drew down in August 2022."], "", ["September"]),
        ("France withdrew in August 2022 [1].", ["Barkhane drew down in August 2022."], "", ["France"]),
        ("It suspended RFI in February and March [1].", ["In March, it suspended RFI."], "", ["February"]),
        ("Keita served 7 years [1].", ["Keita served seven years as head of state."], "", []),
        ("Fifty-two percent agreed [1].", ["52% of respondents agreed."], "", []),
        ("Some 95% were satisfied [1].", ["A shocking 95 percent were satisfied."], "", []),
        ("About 2400 troops stayed [1].", ["Approximately 2,400 troops were stationed in Mali."], "", []),
        (
            "About 2,500 troops stayed [1].",
            ["Approximately 2,400 troops were stationed in Mali."],
            "",
            ["2,500"],
        ),
        ("It spends $2 billion a year [1].", ["Spending is about 2 billion dollars per year."], "", []),
        ("It spends $3 billion a year [1].", ["Spending is about $2 billion per year."], "", ["3 billion"]),
        ("Of the 4,300 troops, 2,400 stayed [1].", ["2,400 troops stayed."], "Of the 4,300 troops?", []),
        ("He was one of the leaders [1].", ["He led the coup."], "", []),  # 'one' is no number
    ],
)
def test_unsupported_specifics(answer, cited, question, want):
    assert unsupported_specifics(answer, cited, question) == want


@pytest.mark.parametrize(
    "text,values",
    [
        ("Fifty-two percent", [52.0]),
        ("2,400 of 4,300", [2400.0, 4300.0]),
        ("$2 billion", [2e9]),
        ("two hundred and five", [205.0]),
        ("a dozen", [12.0]),
        ("2.5m", [2.5e6]),
        ("one of them", []),
    ],
)
def test_numbers_in(text, values):
    assert [v for _, v in numbers_in(text)] == values


@pytest.mark.parametrize(
    "answer,bad,want",
    [
        ("Mali left on 3 May, 2013 [1].", ["2013"], "Mali left on 3 May [1]."),
        ("France withdrew its troops in 2022 [1].", ["2022"], "France withdrew its troops [1]."),
        (
            "The G5 had Burkina Faso, Chad, Mali and Niger [1].",
            ["Chad"],
            "The G5 had Burkina Faso, Mali and Niger [1].",
        ),
        (
            "The G5 had Burkina Faso, Chad, Mali and Niger [1].",
            ["Niger"],
            "The G5 had Burkina Faso, Chad and Mali [1].",
        ),
        ("Chad and Niger joined [1].", ["Chad"], "Niger joined [1]."),
        (
            "The spokesman (Abdoulaye Maiga) ended ties [1].",
            ["Abdoulaye Maiga"],
            "The spokesman ended ties [1].",
        ),
        ("Goita, a colonel from Kati, seized power [1].", ["Kati"], "Goita seized power [1]."),
        # a sentence that cannot stand without it is dropped; nothing left: None
        (
            "The junta expelled the ambassador [1]. Bah Ndaw led the coup [2].",
            ["Bah Ndaw"],
            "The junta expelled the ambassador [1].",
        ),
        ("Bah Ndaw [1].", ["Bah Ndaw"], None),
        ("Abdoulaye Maiga announced the end of ties [1].", ["Abdoulaye Maiga"], None),
        ("The EU sanctioned 8 people [1].", ["8"], None),
        ("Nothing to cut here [1].", [], "Nothing to cut here [1]."),
    ],
)
def test_cut_specifics(answer, bad, want):
    assert cut_specifics(answer, bad) == want


# --- 4. the relation carried ------------------------------------------------------------------
@pytest.mark.parametrize(
    "question,sentence,low",
    [
        # fires: the entities, not the relation
        ("When did Mali leave ECOWAS?", "ECOWAS partially eased its sanctions on Mali in July 2022.", True),
        ("When did France withdraw its troops?", "France deployed 4,300 troops in the Sahel in 2014.", True),
        (
            "Who replaced Florence Parly as defence minister?",
            "Defense Minister Florence Parly suggested changes.",
            True,
        ),
        ("When was the G5 Sahel force created?", "The G5 Sahel was disbanded in May 2022.", True),
        ("Who won the 2024 election?", "The 2024 election was postponed to 2026.", True),
        ("When did Keita die?", "Keita was ousted in 2020 after serving seven years.", True),
        ("What was the result of the referendum?", "The EU has been considering imposing sanctions.", True),
        # passes: the same relation in other words (stem, synonym, nominalisation)
        ("When did Mali leave ECOWAS?", "Mali announced its withdrawal from ECOWAS in January 2024.", False),
        ("When did Mali leave ECOWAS?", "Mali quit ECOWAS in 2024.", False),
        (
            "How many civilians were killed in Moura?",
            "The massacre left 500 civilian deaths in Moura.",
            False,
        ),
        (
            "When was the Alliance of Sahel States founded?",
            "The Alliance of Sahel States was set up in 2023.",
            False,
        ),
        (
            "When was the G5 Sahel force created?",
            "The force has been shaky since its creation in 2017.",
            False,
        ),
        ("Until when did Goita postpone the vote?", "The vote was delayed until 2026.", False),
        ("Which country expelled the Danish soldiers?", "Mali ordered the Danish soldiers out.", False),
        ("who sang the song the reverend mr black", "It was recorded by The Kingston Trio in 1963.", False),
        ("Who is Assimi Goita?", "Assimi Goita is a colonel.", False),  # no predicate: nothing to check
    ],
)
def test_carries_relation(question, sentence, low):
    assert (carries_relation(question, sentence) < 0.4) is low


def test_a_date_is_attached_to_the_nearest_relation():
    """The sentence says both 'deceased' and 'ousted in 2020': 2020 is when he was ousted."""
    sentence = (
        "the now-deceased president, Ibrahim Boubacar Keita, who was ousted in 2020 after serving seven years"
    )
    assert carries_relation("When did Keita die?", sentence) == 1.0
    assert carries_relation("When did Keita die?", sentence, near=("2020",)) == 0.0
    assert carries_relation("When was Keita ousted?", sentence, near=("2020",)) == 1.0


@pytest.mark.parametrize(
    "question,want",
    [
        ("When did Mali leave ECOWAS?", ["leav"]),
        ("Which French foreign minister said the crisis was not a Malian issue?", ["crisi", "issu"]),
        ("Which five countries made up the G-5 Sahel?", ["consist"]),  # "made up" = "consisted"
        (
            "What was the name of the 2015 peace agreement that followed the intervention?",
            ["follow", "intervent"],
        ),
        ("Which writer is invoked at the end of the 2025 piece?", ["invok"]),
        (
            "What has been Mali's main revenue source, according to the 2025 article?",
            ["main", "revenu", "sourc"],
        ),
    ],
)
def test_predicate(question, want):
    assert predicate(question) == want


# --- 5. parts answered ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "question,parts",
    [
        (
            "When and where was the treaty signed?",
            ["When was the treaty signed?", "where was the treaty signed?"],
        ),
        ("who discovered the wreck and when", ["who discovered the wreck", "when discovered the wreck"]),
        (
            "Which two broadcasters did Mali suspend, and in which month?",
            ["Which two broadcasters did Mali suspend", "in which month?"],
        ),
        (
            "Which group did the junta turn to, in what year, and roughly how many are deployed?",
            ["Which group did the junta turn to", "in what year", "roughly how many are deployed?"],
        ),
        (
            "Besides Mali, which countries belong to the alliance?",
            ["Besides Mali, which countries belong to the alliance?"],
        ),
        ("Who leads Mali and Burkina Faso?", ["Who leads Mali and Burkina Faso?"]),
    ],
)
def test_split_parts(question, parts):
    assert split_parts(question) == parts


@pytest.mark.parametrize(
    "question,answer,missing",
    [
        # a part answered only by a restatement
        (
            "What decision by Goita prompted ECOWAS to impose more sanctions, and in which month had ECOWAS"
            " imposed sanctions?",
            "The decision by Goita prompted ECOWAS to impose more sanctions [1]. ECOWAS imposed sanctions in"
            " July 2022 [2].",
            ["What decision by Goita prompted ECOWAS to impose more sanctions"],
        ),
        (
            "Which Malian prime minister told the UN that France had abandoned Mali, and what did Mali accuse"
            " France of training?",
            "Maiga went on to tell the U.N. that France had abandoned Mali [1]. Mali accused France of"
            " training [2].",
            ["what did Mali accuse France of training?"],
        ),
        # a part with no answer of its kind
        (
            "Where did the March 2022 massacre of Malian civilians happen, and roughly how many"
            " civilians were killed?",
            "About 300 civilians were killed in an operation with Mali's army in March [1].",
            ["Where did the March 2022 massacre of Malian civilians happen"],
        ),
        (
            "Which group did Mali's junta turn to, in what year, and roughly how many of its personnel"
            " are deployed?",
            "The junta turned to the Wagner Group [1]. The junta did this in 2021 [1]. The Wagner Group"
            " has roughly personnel deployed [1].",
            ["roughly how many of its personnel are deployed?"],
        ),
        (
            "Which two senior Malian officials favour closer ties with Russia, and what posts do they hold?",
            "Malian authorities have developed closer relations with Russia, now a favored partner [1].",
            ["Which two senior Malian officials favour closer ties with Russia", "what posts do they hold?"],
        ),
        # every part answered, one sentence may answer two
        (
            "How many people and how many companies did the EU sanction?",
            "The EU sanctioned eight people and three oil companies [1].",
            [],
        ),
        (
            "In what year did Serval become Barkhane, and when did Barkhane draw down?",
            "Serval became Barkhane in August 2014 [1]. Barkhane drew down in August 2022 [2].",
            [],
        ),
        (
            "how did the government mishandle the separatists, and how did it feed Islamist violence?",
            "It made no concessions to the separatists, and it fed Islamist violence by targeting"
            " civilians [1].",
            [],
        ),
        (
            "who bought the old london bridge and where is it now",
            "Robert P. McCulloch bought it; it is in Arizona.",
            [],
        ),
    ],
)
def test_parts_answered(question, answer, missing):
    done, not_done = parts_answered(question, answer)
    assert not_done == missing
    assert len(done) + len(not_done) == len(split_parts(question))


@pytest.mark.parametrize(
    "part,answer,want",
    [
        ("in which month?", "Mali suspended RFI [1]. The documents do not give the month.", True),
        ("in which month?", "Mali suspended RFI [1]. The sources do not say when.", True),
        ("roughly how many are deployed?", "The number deployed is not stated in the documents.", True),
        ("in which month?", "Mali suspended RFI [1].", False),
        ("which colonel seized power?", "The documents do not give the month.", False),
    ],
)
def test_acknowledged(part, answer, want):
    assert acknowledged(part, answer) is want


# --- 6. review: everything at once ------------------------------------------------------------
def test_review_of_the_issues_example():
    """A sentence on when sanctions were eased, cited for when Mali left the bloc."""
    r = review(
        "When did Mali leave ECOWAS?",
        "Mali left ECOWAS in July 2022 [1].",
        [
            "Despite the partial easing by ECOWAS in July 2022 of the sanctions it had imposed on Mali,"
            " relations remain troubled."
        ],
    )
    assert r.fired() == {
        "restates": False,
        "kind": False,
        "specifics": False,
        "relation": True,
        "parts": False,
        "any": True,
    }
    assert r.relation == 0.0 and "leave" in r.problems[0]


def test_review_of_a_right_answer():
    cited = ["Operation Serval was transformed to Operation Barkhane in August 2014.",
             "France’s Operation Barkhane drew down in August 2022."]  # fmt: skip
    r = review(
        "In what year did Operation Serval become Operation Barkhane, and when did Barkhane draw down"
        " in Mali?",
        "Operation Serval became Operation Barkhane in August 2014 [1]. Barkhane drew down in"
        " August 2022 [2].",
        cited,
    )
    assert r.ok and r.problems == ()
    assert r.features() == {
        "relation": 1.0,
        "specifics": 1.0,
        "parts": 1.0,
        "words": 16.0,
        "restates": 0.0,
        "kind_ok": 1.0,
        "repairable": 1.0,
        "parts_missing": 0.0,
    }


def test_review_counts_and_cuts_what_no_source_holds():
    r = review(
        "Which two French broadcasters did Mali suspend, and in which month?",
        "Mali suspended Radio France International and France24 in February and March [1].",
        ["In March, the Malian government suspended Radio France International and France24."],
    )
    assert r.unsupported == ("February",)
    assert r.repaired == "Mali suspended Radio France International and France24 in March [1]."
    assert 0 < r.features()["specifics"] < 1
    assert r.problems == ("Not in the cited passages: February.",)


@pytest.mark.parametrize(
    "question,answer,cited,problem",
    [
        (
            "What was the name of the French ambassador expelled from Mali in 2022?",
            "Mali publicly accused France of training groups and expelled the French ambassador [1].",
            ["Mali publicly accused France of training groups and expelled the French ambassador."],
            "The question asks for a name; the answer gives none.",
        ),
        (
            "Which two senior Malian officials favour closer ties with Russia?",
            "Senior Malian officials are described as favouring closer ties with Russia [1].",
            ["Senior Malian officials are described as favouring closer ties with Russia."],
            "The answer only restates the question.",
        ),
        (
            "Who replaced Florence Parly as French defence minister?",
            "Sébastien Lecornu replaced Florence Parly [1].",
            ["Defense Minister Florence Parly suggested changes could soon affect the country's presence."],
            "Not in the cited passages: Sébastien Lecornu.",
        ),
        (
            "Which president was ousted in 2020, and which colonel seized power?",
            "Keita was ousted in 2020 [1].",
            ["Keita was ousted in 2020."],
            'Not answered, and not said to be missing: "which colonel seized power?"',
        ),
    ],
)
def test_review_problems(question, answer, cited, problem):
    assert problem in review(question, answer, cited).problems


def test_an_acknowledged_gap_is_no_problem():
    r = review(
        "Which president was ousted in 2020, and which colonel seized power?",
        "Keita was ousted in 2020 [1]. The documents do not name the colonel who seized power.",
        ["Keita was ousted in 2020."],
    )
    assert r.missing == () and r.ok and r.parts == 2


def test_nothing_cited_is_not_a_relation_problem():
    assert review("When did Mali leave ECOWAS?", "In January 2024.", []).relation == 1.0
