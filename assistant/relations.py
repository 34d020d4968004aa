"""Whether a sentence carries the relation a question asks about, not only its entities. Pure.

    >>> q = "When did Mali leave ECOWAS?"
    >>> carries_relation(q, "Mali announced its withdrawal from ECOWAS on 28 January 2024.")
    1.0
    >>> carries_relation(q, "ECOWAS eased its sanctions on Mali in July 2022.")
    0.0

A question's *predicate* is what is left of its content words once its named entities, numbers,
question words and words that only point at a source ("according to the 2025 article") are
taken out: "leave" above. A sentence carries the relation when the predicate, or a close variant
of it, is in the sentence: the same stem, or a word of the same group in `GROUPS` (left, withdrew,
withdrawal, exit, quit...). The score is the share of the predicate carried, the words of the
groups (mostly verbs and their nouns: the relation itself) weighing `VERB_WEIGHT` times the
others, the question's own verb (its first group word) twice that. The words naming what is
asked for ("which French foreign minister ...") are not the relation, nor are framing words
("at the end of", "on a map"). A date taken from a sentence about something else shares the
entities and none of the relation, and scores low however many words overlap; with `near`, a
date is read with the relation nearest to it ("ousted in 2020" in a sentence that also says
"now-deceased" does not say when he died). Measured by `evals/claims_report.py relation`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .retrieve import question_parts
from .text import STOPWORDS, terms

# Words of one group say the same relation (verbs, their nouns and close synonyms).
GROUPS = """
leave left leaving exit quit withdraw withdrew withdrawn withdrawal depart departure pull
  pullout abandon abandoned draw drew drawdown
become became transform transformed turn turned convert converted rename renamed
kill killed killing death deaths died die dead deceased fatalities massacre massacred slain
  murder murdered
found founded founding foundation create created creation establish established establishment
  formed formation launch launched inception
postpone postponed postponement delay delayed defer deferred
expel expelled expulsion order ordered kick kicked evict eject oust ousted
overthrow overthrew overthrown oust ousted depose deposed topple toppled coup putsch
seize seized grab grabbed takeover coup putsch
resign resigned resignation quit
begin began begun beginning start started launch launched commence commenced outbreak
end ended ending terminate terminated termination sever severed cut halt halted stop stopped
  scrap scrapped dissolve dissolved disband disbanded
sign signed signing conclude concluded
win won winner victory victor triumph beat defeated
lose lost loss defeat defeated
elect elected election vote voted ballot referendum
lead led leader leadership headed command commanded commander rule ruled ruler
succeed succeeded successor replace replaced replacement
suspend suspended suspension ban banned prohibit prohibited block blocked bar barred
strangle strangled blockade blockaded besiege besieged siege choke choked cut cutting
impose imposed sanction sanctions sanctioned penalty penalties
ease eased easing lift lifted relax relaxed
accuse accused accusation charge charged allege alleged blame blamed
arrest arrested detain detained detention jail jailed imprison imprisoned capture captured
attack attacked assault raid raided strike struck ambush
deploy deployed deployment station stationed send sent dispatch dispatched
pay paid payment fund funded funding finance financed cost costs spend spent spending
buy bought purchase purchased acquire acquired acquisition sell sold sale
own owned owner ownership belong belongs rights
write wrote written writer author authored pen penned
sing sang sung singer vocals vocalist perform performed performer record recorded recording
play played player portray portrayed role star starred actor actress cast
direct directed director film filmed
invent invented inventor invention discover discovered discovery develop developed developer
  devise devised credit credited
build built construction construct constructed erect erected
bear born birth
call called dub dubbed describe described label labelled refer referred
  mean means meaning
cause caused causes reason because due result trigger triggered
support supported backing backed favour favoured favor favored approve approved satisfied
oppose opposed opposition condemn condemned reject rejected protest protested
train trained training instruct instructor instructors trainer trainers
marry married marriage wed wedding spouse wife husband
produce produced production producer manufacture manufactured
make made consist consisting comprise comprising compose composed include includes including
join joined member membership admitted
meet met meeting summit talk talks visit visited
grow grew growth increase increased rise rose raise raised
fall fell decline declined decrease decreased drop dropped reduce reduced reduction
choose chose chosen pick picked select selected opt opted prefer preferred
try tried attempt attempted
see saw seen consider considered regard regarded view viewed believe believed think thought
show showed shown reveal revealed depict depicted
""".strip()
# Words of one line name the same thing: matched like a relation, weighed like any word.
NOUNS = """
troop troops soldier soldiers personnel force forces army military
survey surveyed poll polled respondents
mercenary mercenaries hired contractor contractors fighters
ruler rulers authorities junta government leaders regime
arms military weapons
main chief principal primary preferred
agreement agreements accord accords deal treaty pact
""".strip()

# Words that ask (question words) or point at a source or a kind of answer, not at a relation.
POINTERS = frozenset(
    """what which who whom whose when where why how name names year years date month day time
    many much number percentage share amount kind type sort part exactly roughly approximately
    according article articles essay piece commentary report analysis account author's document
    documents text passage say said says tell told give list identify get got
    take took come came use used go went
    happen happened happens do did does done one two three four five six seven eight nine ten
    first second third still long early late former current recent other others instead ever
    never more less supposedly reportedly allegedly also really actually now today old original
    purpose reason cause role function meaning definition difference result located location
    situated fact facts thing things information detail details example examples""".split()
)
_VERB = (
    r"(?:did|does|do|was|were|is|are|has|have|had|can|could|will|would|should|said|says|made|"
    r"told|took|led|won|became|began|went|saw|gave|left|sang|wrote|built|bought|sold|paid|came|"
    r"got|held|kept|met|put|set|stood|[\w'’-]+ed)\b"
)
# Phrases that place or frame, not relate: "at the end of the piece", "take place", "come from".
_PHRASES = re.compile(
    r"\b(?:at|by|in|to|towards?)\s+the\s+(?:end|beginning|start|time|middle)\b|\btakes?\s+place\b"
    r"|\b(?:come|comes|came)\s+from\b|\baccording\s+to\s+[^,;?]*|\bon\s+an?\s+(?:world\s+)?map\b",
    re.IGNORECASE,
)
# The noun phrase naming what is asked for ("which French foreign minister said ...", "who was
# the military spokesperson who ..."): the kind of the answer, not the relation.
_HEAD = re.compile(
    rf"\b(?:which|what)\s+(?!{_VERB})((?:(?!{_VERB})[\w'’-]+\s+){{1,4}}?)(?={_VERB})"
    r"|\bwho\s+(?:is|was|are|were)\s+the\s+((?:[\w'’-]+\s+){1,4}?)(?=(?:who|that|which|of|for|in|on|at)\b)"
    r"|\bnames?\s+of\s+(?:the\s+)?((?:[\w'’-]+\s+){1,4}?)(?=(?:who|that|which|in|[\w'’-]+ed)\b)",
    re.IGNORECASE,
)
VERB_WEIGHT = 3.0  # a word of a group is the relation itself; other content words are context
SLACK = 4  # a relation this many words further from a date than the nearest one is another's


def fold(text: str) -> str:
    """Accents dropped, dotted acronyms joined, curly apostrophes straightened:
    'Goïta' -> 'Goita', 'U.N.' -> 'UN'."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch)).replace("’", "'")
    return re.sub(r"\b(?:[A-Za-z]\.){2,}", lambda m: m.group().replace(".", "") + " ", text)


_SPELLING = [
    (re.compile(r"(?<=\w{2})our(?=\w*\b)"), "or"),  # favour, labour
    (re.compile(r"(?<=\w{2})is(e|ed|es|ing|ation|ations)\b"), r"iz\1"),  # organise
    (re.compile(r"\b(defen|offen|licen)ce\b"), r"\1se"),
]


@lru_cache(maxsize=4096)
def _word_stem(word: str) -> str:
    for pattern, repl in _SPELLING:
        word = pattern.sub(repl, word)
    found = terms(word)
    return found[0] if found else ""


# Phrasal verbs, read as the one word they mean.
_PHRASAL = {
    "set up": "established", "sets up": "establishes", "pull out": "withdraw", "pulled out": "withdrew",
    "push back": "postpone", "pushed back": "postponed", "put off": "postpone", "called off": "cancelled",
    "took power": "seized", "take power": "seize", "took over": "seized", "kicked out": "expelled",
    "stepped down": "resigned", "step down": "resign", "made up": "consisted", "make up": "consist",
    "cut off": "cut", "broke out": "began", "break out": "begin", "carried out": "conducted",
}  # fmt: skip
_PHRASAL_RE = re.compile(r"\b(" + "|".join(_PHRASAL) + r")\b")


def words(text: str) -> list[str]:
    """Stemmed content words of `text`, accents folded, British spellings made American and
    phrasal verbs read as one word ("set up" = "established")."""
    low = _PHRASAL_RE.sub(lambda m: _PHRASAL[m.group()], fold(text).lower())
    found = re.findall(r"[^\W_]+(?:'[^\W_]+)*", low)
    found = [w[:-2] if w.endswith("'s") else w for w in found]
    return [s for s in (_word_stem(w) for w in found if w not in STOPWORDS) if s]


@lru_cache(maxsize=2)
def _groups(table: str) -> dict[str, frozenset[int]]:
    """stem -> the lines of `table` it is on (a line may wrap onto indented ones)."""
    out: dict[str, set[int]] = {}
    for i, line in enumerate(re.split(r"\n(?!\s)", table)):
        for stem in words(line):
            out.setdefault(stem, set()).add(i)
    return {k: frozenset(v) for k, v in out.items()}


def variants(stem: str) -> frozenset[int]:
    """The relation groups of `stem` (empty when it names no known relation)."""
    return _groups(GROUPS).get(stem, frozenset())


def _synonyms(stem: str) -> frozenset[int]:
    return variants(stem) | {-1 - i for i in _groups(NOUNS).get(stem, frozenset())}


_CAPITAL = re.compile(r"(?<!^)\b[A-Z][\w'-]*")


def entities(question: str, sentence: str = "") -> set[str]:
    """Stems of the question's named entities: its capitalised words after the first, and the
    words the sentence writes capitalised (a lower-case question: "who sang the reverend mr
    black" and "Mr. Black" in the sentence)."""
    q = fold(question)
    named = {w for m in _CAPITAL.finditer(q) for w in words(m.group())}
    first = re.match(r"\W*([A-Z][\w'-]*)\s+[A-Z]", q)  # "Assimi Goita was ...": a name first
    named |= set(words(first.group(1))) if first else set()
    if sentence:
        shown = {w for m in _CAPITAL.finditer(fold(sentence)) for w in words(m.group())}
        named |= shown & set(words(q))
    return named


def predicate(question: str, sentence: str = "") -> list[str]:
    """The question's content words other than its entities, numbers, pointer words and the
    words naming what is asked for ("which French foreign minister said ..." -> said ...)."""
    skip = entities(question, sentence) | _pointers()
    asked = _PHRASES.sub(" ", _HEAD.sub(" ", question))
    return [w for w in dict.fromkeys(words(asked)) if w not in skip and not w[0].isdigit()]


@lru_cache(maxsize=1)
def _pointers() -> frozenset[str]:
    return frozenset(words(" ".join(POINTERS)))


_WH = r"(who|whom|what|when|where|which|why|how)"


def split_parts(question: str) -> list[str]:
    """The parts of a question (retrieve.question_parts), and the two asks of "when and where
    did ...?" or "who discovered it and when?", each with the question's words.

    >>> split_parts("When and where was the treaty signed?")
    ['When was the treaty signed?', 'where was the treaty signed?']
    >>> split_parts("who discovered the wreck and when")
    ['who discovered the wreck', 'when discovered the wreck']
    """
    q = question.strip()
    both = re.match(rf"^\W*{_WH}\s+and\s+{_WH}\b\s*(.*)$", q, re.IGNORECASE)
    if both:
        return [f"{both[1]} {both[3]}", f"{both[2]} {both[3]}"]
    tail = re.match(rf"^(.*?)[,;]?\s+and\s+{_WH}\W*$", q, re.IGNORECASE)
    if tail:
        rest = re.sub(rf"^\W*{_WH}\b\s*", "", tail[1], flags=re.IGNORECASE)
        return [*_parts(tail[1]), f"{tail[2]} {rest}"]
    return _parts(q)


_PREP = r"(?:in|on|at|by|from|to|for|during|until|of|with)"
_PREP_WH = re.compile(
    rf"[,;]\s+(?:and\s+)?(?={_PREP}\s+(?:which|what|whom|how)\b)"
    rf"|\s+and\s+(?={_PREP}\s+(?:which|what|whom|how)\b)"
    r"|[,;]?\s+and\s+(?=(?:roughly|about|approximately|exactly|precisely)\s+(?:how|what|when)\b)",
    re.IGNORECASE,
)


def _parts(question: str) -> list[str]:
    """question_parts, also cut before "and in which month ..." and, after a part that asks
    already, before ", which country ..."."""
    out = []
    for part in question_parts(question):
        for piece in _PREP_WH.split(part):
            asks = re.search(rf"\b{_WH}\b", piece, re.IGNORECASE)
            cut = [piece]
            if asks and asks.start() < piece.find(","):
                cut = re.split(r",\s+(?=(?:who|whom|what|when|where|which|why|how)\b)", piece, flags=re.I)
            out += [p for p in cut if p.strip()]
    return out


def _carried(stem: str, have: set[str], have_groups: set[int]) -> bool:
    if stem in have or _synonyms(stem) & have_groups:
        return True
    return len(stem) >= 5 and any(h[:5] == stem[:5] and len(h) >= 5 for h in have)


def carries_relation(question: str, sentence: str, near: tuple[str, ...] = (), context: str = "") -> float:
    """0..1: how much of the question's predicate (`predicate`) the sentence carries, group
    words weighing VERB_WEIGHT (the first, the question's verb, twice that); 1.0 when the
    question has no predicate (nothing to check). For
    a question of several parts, the part the sentence carries best. With `near` (what an
    answer took from the sentence: "2020"), a relation counts only if it is the one nearest to
    them: "the now-deceased president, who was ousted in 2020" says when he was ousted, not
    when he died. `context` (the answer) may show more of the question's names capitalised."""
    return max(part_relation(part, sentence, near, context) for part in split_parts(question))


def _tokens(text: str) -> list[str]:
    return re.findall(r"[^\W_]+(?:'[^\W_]+)*", fold(text).lower())


def nearest_relations(sentence: str, near: tuple[str, ...]) -> frozenset[int] | None:
    """The groups of the relation words nearest to each of `near` in `sentence` (up to SLACK
    words further than the nearest); None when the sentence holds no relation word or none of
    `near`."""
    toks = _tokens(sentence)
    stems = [_word_stem(t) if t not in STOPWORDS else "" for t in toks]
    rel = [i for i, st in enumerate(stems) if st and variants(st)]
    spots = [i for n in near for first in _tokens(n)[:1] for i, t in enumerate(toks) if t == first]
    if not rel or not spots:
        return None
    out: set[int] = set()
    for spot in spots:
        dist = min(abs(i - spot) for i in rel)
        out |= {g for i in rel if abs(i - spot) <= dist + SLACK for g in variants(stems[i])}
    return frozenset(out)


def part_relation(question: str, sentence: str, near: tuple[str, ...] = (), context: str = "") -> float:
    """carries_relation for one part."""
    pred = predicate(question, f"{sentence} {context}")
    if not pred:
        return 1.0
    have = set(words(sentence))
    have_groups = {g for w in have for g in _synonyms(w)}
    nearest = nearest_relations(sentence, near) if near else None
    main = next((stem for stem in pred if variants(stem)), None)  # the question's verb, first
    total = got = 0.0
    for stem in pred:
        relation = variants(stem)
        weight = (2 * VERB_WEIGHT if stem == main else VERB_WEIGHT) if relation else 1.0
        total += weight
        ok = _carried(stem, have, have_groups)
        if relation and nearest is not None:
            ok = ok and bool(relation & nearest)
        got += weight * ok
    return round(got / total, 3)
