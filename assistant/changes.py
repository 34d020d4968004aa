"""What the checks changed between the streamed draft and the answer shown: one line.

The terminal and the web chat stream the model's words as a marked draft, then replaces them with the checked
answer. When the two differ, the reader deserves to know how, or a sentence that vanished
looks like a glitch and a wrong one that streamed looks like it was said. The note is built
from `Answer.checks` (what the checker did) and the words that went (draft versus answer).
Pure: no HTML, no I/O.

    >>> from assistant.types import Answer, Checks, Timings
    >>> a = Answer("When?", "France withdrew its troops from Mali [1].", False, (), "m", Timings(),
    ...            raw_answer="France withdrew its troops from Mali in February, 2013 [2].",
    ...            checks=Checks(salvaged=1, replaced=1))
    >>> print(change_note(a))  # doctest: +NORMALIZE_WHITESPACE
    Checked: removed 'in February, 2013': not in the sources;
    1 citation moved to the passage that supports its sentence.
"""

from __future__ import annotations

import difflib
import re

from .types import Answer

_MARKER = re.compile(r"\[(\d+)\]")
_MARKER_SPACE = re.compile(r"\s*\[\d+\]")
_TOKEN = re.compile(r"\w+|[^\w\s]")
MAX_PHRASE = 60  # characters of a removed phrase quoted in the note
MAX_PHRASES = 2  # more than two removals read as a list; the count says the rest


def _tokens(text: str) -> list[re.Match]:
    """Words and punctuation marks, each with its span."""
    return list(_TOKEN.finditer(text))


def _markers(text: str) -> list[int]:
    seen: list[int] = []
    for m in _MARKER.finditer(text):
        if int(m.group(1)) not in seen:
            seen.append(int(m.group(1)))
    return seen


def removed_phrases(draft: str, final: str) -> list[str]:
    """The runs of words in `draft` that are not in `final`, markers aside, in order.

    >>> removed_phrases("It opened in 1932 [1]. It has 99 floors [2].", "It opened in 1932 [1].")
    ['It has 99 floors']
    """
    draft, final = _MARKER_SPACE.sub("", draft), _MARKER_SPACE.sub("", final)
    a, b = _tokens(draft), _tokens(final)
    matcher = difflib.SequenceMatcher(a=[t.group() for t in a], b=[t.group() for t in b], autojunk=False)
    out = []
    for op, i1, i2, _, _ in matcher.get_opcodes():
        if op in ("delete", "replace"):
            phrase = draft[a[i1].start() : a[i2 - 1].end()].strip(" ,;:.!?")
            if any(ch.isalnum() for ch in phrase):
                out.append(phrase)
    return out


def _quote(phrase: str) -> str:
    if len(phrase) > MAX_PHRASE:
        phrase = phrase[: MAX_PHRASE - 1].rstrip() + "…"
    return f"'{phrase}'"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def change_note(answer: Answer, draft: str | None = None) -> str:
    """One line saying what the checks changed in the draft the reader saw (by default the
    model's raw words), or "" when nothing they saw changed (or no draft was written)."""
    draft = answer.raw_answer if draft is None else draft
    final, c = answer.answer, answer.checks
    if not draft.strip() or " ".join(draft.split()) == " ".join(final.split()):
        return ""
    if answer.abstained:  # the reason is said under the notice ("Why: ...")
        return "Checked: the draft was withdrawn."
    if c.extracted:
        return "Checked: the model gave no usable answer, so this quotes the passage that answers best."
    parts = []
    removed = removed_phrases(draft, final)
    if removed:
        shown = ", ".join(_quote(p) for p in removed[:MAX_PHRASES])
        more = f" and {len(removed) - MAX_PHRASES} more" if len(removed) > MAX_PHRASES else ""
        why = ": not in the sources" if (c.salvaged or c.unsupported) else ""
        parts.append(f"removed {shown}{more}{why}")
    elif c.unsupported:
        parts.append(_count(c.unsupported, "claim", "claims") + " the sources do not support removed")
    if c.invalid:
        made_up = [n for n in _markers(draft) if n > c.evidence or n < 1] if c.evidence else []
        if made_up and len(made_up) == c.invalid:
            shown = ", ".join(f"[{n}]" for n in made_up)
            parts.append(
                f"removed {shown}: "
                + ("no passage has that number" if len(made_up) == 1 else "no passages have these numbers")
            )
        else:
            parts.append(
                _count(c.invalid, "citation", "citations") + " to a passage that does not exist removed"
            )
    if c.repeated:
        parts.append(_count(c.repeated, "repeated citation", "repeated citations") + " removed")
    if c.replaced:
        parts.append(
            _count(c.replaced, "citation", "citations") + " moved to the passage that supports its sentence"
        )
    if c.added:
        parts.append(_count(c.added, "citation", "citations") + " added where a sentence had none")
    renumbered = getattr(c, "renumbered", 0) or (
        not (c.invalid or c.repeated or c.replaced or c.added)
        and _markers(draft) != _markers(final)
        and len(_markers(draft)) == len(_markers(final))
    )
    if not parts:  # renumbering alone changes no word the reader relies on: not worth a note
        return ""
    if renumbered:
        parts.append("citations renumbered in order of first use")
    return "Checked: " + "; ".join(parts) + "."
