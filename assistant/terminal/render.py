"""The text of answers, sources, documents and index reports: styled for a terminal, plain in a pipe.

A terminal gets colour (unless NO_COLOR is set) and text wrapped to its width; a pipe or a file
gets the same words with no escape codes and no wrapping, so `assistant ask "..." | grep` and
`> answer.txt` stay clean. What is drawn and redrawn over time (the status line, the streamed
draft, the indexing progress) is in live.py.

    >>> from assistant.types import Timings
    >>> print(answer_text(Answer("q", "In August 2014 [1].", False, (), "m", Timings()), PLAIN))
    In August 2014 [1].

rich is imported only when a terminal is there to draw on.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import printable
from ..types import Answer
from ..words import CONFIDENCE_LABEL, confidence_words, plural


@dataclass(frozen=True)
class Style:
    """What an output stream can show."""

    width: int | None  # wrap to this many columns; None: a pipe or a file, so no wrapping
    colour: bool


PLAIN = Style(None, False)


def style_for(stream) -> Style:
    """Colour and wrapping for a terminal; plain text for anything else.

    NO_COLOR (https://no-color.org) turns colour off when set to anything but the empty string.
    """
    if not is_tty(stream):
        return PLAIN
    return Style(shutil.get_terminal_size((92, 24)).columns, not os.environ.get("NO_COLOR"))


def is_tty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed, or not a real file
        return False


# --- the answer and its sources ------------------------------------------------------------------
_MARKER = re.compile(r"\[\d+\]")


def answer_text(answer: Answer, style: Style = PLAIN) -> str:
    """The checked answer (markers highlighted), then "Searched for:" if the search differed."""
    colour = "bold yellow" if answer.abstained else "bold"
    lines = [line(answer.answer, style, colour, marker="cyan")]
    if searched_differs(answer):
        lines.append(line(f"Searched for: {answer.search_query}", style, "dim"))
    return "\n".join(lines)


def heading(text: str, style: Style = PLAIN) -> str:
    return line(text, style, "bold")


def note(text: str, style: Style = PLAIN) -> str:
    """A remark about the answer (what the checks changed), in dim text on a terminal."""
    return line(text, style, "dim italic")


def searched_differs(answer: Answer) -> bool:
    """A follow-up was rewritten for the search: say what was searched, and only then."""
    q = " ".join(answer.search_query.split()).casefold()
    return bool(q) and q != " ".join(answer.question.split()).casefold()


def sources_text(answer: Answer, style: Style = PLAIN, titles: Mapping[str, str] | None = None) -> str:
    """The cited sources with their quotes, or for a refusal why and the passages read (named by
    their titles: `titles` maps source -> title); notes on stale documents; then the confidence in
    words and the times. The closest passages shown instead of an answer are cited like sources,
    with why they are not an answer."""
    notes = [line(n, style, "yellow") for n in answer.notes]
    if answer.abstained and not answer.citations:
        lines = ["", line(f"Why: {answer.checks.why or 'declined.'}", style)]
        lines += _passages_read(answer, style, titles or {})
    else:
        lines = ["", line("Sources:", style, "bold"), *cited_lines(answer.citations, style)]
        if answer.abstained:
            lines += ["", line(f"Why not an answer: {answer.checks.why or 'declined.'}", style)]
    return "\n".join([*lines, *notes, "", *footer(answer, style)])


_ON_DISK = {
    False: "(the file changed since indexing: quoted from the index's copy; run `assistant index`)",
    None: "(the file is missing: quoted from the index's copy)",
}


def cited_lines(citations, style: Style, indent: str = "  ") -> list[str]:
    """Each citation: its number and named span, what is doubtful about it, then its quote
    (an answer's sources; a summary's points, indented under their point)."""
    lines = []
    for c in citations:
        head = f"[{c.n}] {named_span(c.source, c.page, c.start, c.end, c.title)}"
        lines.append(line(head, style, "cyan", indent=indent, hang=indent + "    "))
        if not c.supported:
            lines.append(line("(not confirmed by the citation check)", style, "yellow", indent="      "))
        if c.on_disk is not True:
            lines.append(line(_ON_DISK[c.on_disk], style, "yellow", indent="      "))
        lines.append(line(display_quote(c.quote), style, indent="      ", hang="       "))
    return lines


def footer(answer: Answer, style: Style = PLAIN) -> list[str]:
    """How sure the answer is, in the web chat's words (for an answer shown: a question declined
    or shown the closest passages says why instead), then how long it took (dim)."""
    t, c = answer.timings, answer.confidence
    sure = (
        [] if c is None or answer.abstained else [line(f"{CONFIDENCE_LABEL}: {confidence_words(c)}", style)]
    )
    return [*sure, line(f"(first token {t.first_token_s} s, total {t.total_s} s)", style, "dim")]


def named_span(source: str, page: int | None, start: int, end: int, title: str = "") -> str:
    """'Title — seeds/a.txt (page 2, chars 5-40)': a document named as a reader knows it."""
    at = f"page {page}, " if page else ""
    return (f"{title} — " if title else "") + f"{source} ({at}chars {start}-{end})"


def _passages_read(answer: Answer, style: Style, titles: Mapping[str, str]) -> list[str]:
    """Under a refusal: the passages the model read, so the refusal can be checked by eye."""
    if not answer.evidence:
        return []
    lines = [line("Passages read:", style, "bold")]
    for e in answer.evidence:
        p = e.passage
        head = f"[{e.n}] {named_span(p.source, p.page, p.start, p.end, titles.get(p.source, ''))}"
        lines.append(line(head, style, "dim", indent="  ", hang="      "))
        text = " ".join(p.text.split())
        short = text if len(text) <= 160 else text[:157].rsplit(" ", 1)[0] + " ..."
        lines.append(line(short, style, "dim", indent="      "))
    return lines


def display_quote(quote: str) -> str:
    """A quote in curly double quotes, with the quotes inside it made single and balanced.

    A passage often starts or ends inside someone's words, so its own quote marks need not
    pair up; shown as is inside “...”, the reader cannot tell where a speaker stops. Only
    the display changes: the citation's offsets and text stay exact.

    >>> display_quote('“We cannot stay in Mali at any price,” she said.')
    '“‘We cannot stay in Mali at any price,’ she said.”'
    >>> display_quote('the junta, “not a French-Malian issue')
    '“the junta, ‘not a French-Malian issue’”'
    >>> display_quote('he said.” Then Mali’s junta')
    '“‘he said.’ Then Mali’s junta”'
    """
    text = " ".join(quote.split())
    out, depth, unopened, straight_open = [], 0, 0, True
    for i, ch in enumerate(text):
        after = text[i + 1 : i + 2]
        if ch == '"':  # a straight quote opens and closes in turn
            ch, straight_open = ("“" if straight_open else "”"), not straight_open
        if ch in "“‘":
            depth += 1
            out.append("‘")
        elif ch == "”" or (ch == "’" and depth and not after.isalnum()):
            # a ’ inside a word (Mali’s) or with no quote open (the soldiers’) is an apostrophe
            depth, unopened = (depth - 1, unopened) if depth else (0, unopened + 1)
            out.append("’")
        else:
            out.append(ch)
    return "“" + "‘" * unopened + "".join(out) + "’" * depth + "”"


def line(
    text: str, style: Style, colour: str = "", indent: str = "", hang: str | None = None, marker=None
) -> str:
    """`text` wrapped to the terminal (continuation lines indented by `hang`) and coloured;
    as is, after `indent`, in a pipe. rich wraps styled text, which textwrap cannot."""
    hang = indent if hang is None else hang
    if not style.colour:
        if style.width is None:
            return indent + text
        import textwrap

        return textwrap.fill(
            text, style.width, initial_indent=indent, subsequent_indent=hang, break_on_hyphens=False
        )
    from rich.text import Text

    width = style.width or 92
    body = Text(text, style=colour)
    if marker:
        body.highlight_regex(_MARKER.pattern, marker)
    console = _console(width)
    lines = body.wrap(console, max(20, width - len(hang)))
    out = []
    for i, row in enumerate(lines):
        row.rstrip()  # the space a line was broken at
        with console.capture() as cap:
            console.print(Text(indent if i == 0 else hang).append_text(row), end="", soft_wrap=True)
        out.append(cap.get())
    return "\n".join(out)


def _console(width: int):
    from rich.console import Console

    return Console(width=width, force_terminal=True, color_system="standard", highlight=False)


# --- indexing ------------------------------------------------------------------------------------
EMPTY = "the file is empty"  # ingest's reason for a file with no text: skipped, not failed


def index_problems(report) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(skipped, failed) files of an `index.UpdateReport`, each as (name, why).

    Skipped: files with nothing to index (an unsupported type, an empty file); failed: files
    that should have been indexed but could not be read (binary, not UTF-8, a broken PDF).
    """
    reasons = getattr(report, "reasons", {}) or {}
    skipped = [(name, f"unsupported type {Path(name).suffix or '(no extension)'}") for name in report.skipped]
    failed: list[tuple[str, str]] = []
    failed_names = [n for n in reasons if n not in report.skipped]
    if len(failed_names) != len(report.failed):  # no per-file reasons: parse "name: why"
        failed_names = [line.split(": ", 1)[0] for line in report.failed]
        reasons = {**reasons, **{n: line for n, line in zip(failed_names, report.failed, strict=True)}}
    for name in failed_names:
        why = _without_name(reasons[name], name)
        (skipped if why.startswith(EMPTY) else failed).append((name, why))
    return skipped, failed


def _without_name(message: str, name: str) -> str:
    """ "seeds/a.txt: the file is empty; ..." -> "the file is empty; ..." (the name is shown apart).
    Messages print names escaped (`errors.printable`), and a name may itself hold ": "."""
    shown = printable(name)
    at = message.find(f"{shown}: ")
    if at == 0 or (at > 0 and message[:at].endswith("/") and " " not in message[:at]):
        return message[at + len(shown) + 2 :]
    head, sep, rest = message.partition(": ")
    return rest if sep and (head == name or head.endswith(name) or name.endswith(head)) else message


def index_summary(report, skipped: int, failed: int) -> str:
    """One line: what changed, what could not be indexed, and the size of the index."""
    parts = [f"{len(report.added)} added", f"{len(report.changed)} changed"]
    parts += [f"{len(report.removed)} removed", f"{len(report.unchanged)} unchanged"]
    if report.rebuilt:
        parts.insert(0, f"{len(report.rebuilt)} rebuilt")
    problems = [f"{skipped} skipped"] * bool(skipped) + [f"{failed} failed"] * bool(failed)
    tail = f"; {', '.join(problems)}" if problems else ""
    return f"Indexed: {', '.join(parts)}{tail}; {plural(report.passages, 'passage')} in the index."


# --- documents -------------------------------------------------------------------------------------
def documents_table(rows: list[dict], style: Style = PLAIN) -> str:
    """`assistant docs`: one line per document, aligned; the title last, cut to the terminal.

    >>> print(documents_table([{"source": "seeds/a.txt", "title": "Mali", "passages": 3,
    ...                         "indexed_at": "2026-12-03T06:10:00+00:00"}]))
    PASSAGES  INDEXED (UTC)     PATH         TITLE
           3  2026-12-03 06:10  seeds/a.txt  Mali
    """
    path_w = max([len("PATH"), *(len(r["source"]) for r in rows)])
    head = f"{'PASSAGES':>8}  {'INDEXED (UTC)':<16}  {'PATH':<{path_w}}  TITLE"
    lines = [line(head, style, "bold") if style.colour else head]
    for r in rows:
        when = _when(r.get("indexed_at"))
        text = f"{r['passages']:>8}  {when:<16}  {r['source']:<{path_w}}  {r['title'] or '-'}"
        if style.width and len(text) > style.width:
            text = text[: style.width - 3] + "..."
        lines.append(text)
    return "\n".join(lines)


def _when(iso: str | None) -> str:
    """'2026-12-03T06:10:00+00:00' -> '2026-12-03 06:10' (UTC); '-' when it was not recorded."""
    if not iso:
        return "-"
    from datetime import datetime, timezone

    try:
        t = datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return str(iso)[:16]
    if t.tzinfo is not None:
        t = t.astimezone(timezone.utc)
    return t.strftime("%Y-%m-%d %H:%M")
