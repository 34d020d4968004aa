"""Conversation history for the web chat: kept on the server in SQLite, one list per browser.

A browser is known by a random id it keeps in its localStorage (app.js makes it; nothing else
identifies a user), so two browsers never see each other's conversations, and a reload, or a
restart of the server, finds the same list. The id is a bearer secret: whoever has it can read
that browser's history, which is why it is random (128 bits) and never displayed (it travels in
a hidden field with each request, as a session cookie would).

The schema (user_version 1):

    conversations(id, browser_id, title, created, updated)   one row per conversation
    turns(conversation_id, n, question, answer_json)         one row per question, n from 1
    browsers(browser_id, current)                            the conversation a reload reopens
    feedback(conversation_id, n, verdict, note, updated)     helpful / wrong on an answer

`answer_json` holds {"answer": <every field of the Answer>}, {"error": message} or
{"stopped": partial text}, so a reopened conversation is drawn exactly as it was answered.
Feedback sits in its own table, keyed by the turn, so it survives later saves of the
conversation; an answer that changes (Regenerate) or goes loses its feedback with it. The
tables are created if missing, so a version-1 file gains the feedback table as it is opened.

    >>> import tempfile, pathlib
    >>> h = History(pathlib.Path(tempfile.mkdtemp()) / "chats.sqlite3")
    >>> b = new_browser_id()
    >>> c = h.save(b, "", [(1, "Who built it?", {"error": "No answer came back"})])
    >>> [x.title for x in h.conversations(b)], h.current(b) == c, h.conversations(new_browser_id())
    (['Who built it?'], True, [])
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import secrets
import sqlite3
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from ..types import Answer

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    browser_id TEXT NOT NULL,
    title TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_by_browser ON conversations (browser_id, updated);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    question TEXT NOT NULL,
    answer_json TEXT NOT NULL,
    PRIMARY KEY (conversation_id, n)
);
CREATE TABLE IF NOT EXISTS browsers (browser_id TEXT PRIMARY KEY, current TEXT);
CREATE TABLE IF NOT EXISTS feedback (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    verdict TEXT NOT NULL,
    note TEXT NOT NULL,
    updated REAL NOT NULL,
    PRIMARY KEY (conversation_id, n)
);
PRAGMA user_version = 2;
"""
TITLE_CHARS = 80  # the first question, cut: enough to tell conversations apart in a sidebar
NOTE_CHARS = 1000  # a feedback note: a few sentences on what was wrong
VERDICTS = {"helpful": "Helpful", "wrong": "Wrong"}  # the feedback an answer can get, as shown
_BROWSER_ID = re.compile(r"^[0-9a-f]{32}$")


def new_browser_id() -> str:
    return secrets.token_hex(16)


def valid_browser_id(value) -> bool:
    """Only ids shaped like the ones app.js makes are used: anything else gets a new one."""
    return isinstance(value, str) and bool(_BROWSER_ID.match(value))


@dataclass(frozen=True)
class Feedback:
    verdict: str  # a key of VERDICTS
    note: str = ""


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    created: float
    updated: float


class History:
    """The history database. Each call opens its own connection: Gradio runs handlers in many
    threads, and a conversation's few rows make the cost of connecting negligible."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._ready = False  # the file is made on first use: building the app writes nothing

    @contextlib.contextmanager
    def _db(self):
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.closing(sqlite3.connect(self.path, timeout=10)) as db:
                db.executescript(SCHEMA)
            self._ready = True
        db = sqlite3.connect(self.path, timeout=10)
        try:
            db.execute("PRAGMA foreign_keys = ON")
            with db:  # one transaction: committed on success, rolled back on error
                yield db
        finally:
            db.close()

    def conversations(self, browser: str) -> list[Conversation]:
        """The browser's conversations, the most recently used first."""
        with self._db() as db:
            rows = db.execute(
                "SELECT id, title, created, updated FROM conversations WHERE browser_id = ? "
                "ORDER BY updated DESC",
                (browser,),
            ).fetchall()
        return [Conversation(*row) for row in rows]

    def save(self, browser: str, conversation: str, turns) -> str:
        """Store the turns [(n, question, answer_json dict)] of a conversation (a new one when
        `conversation` is "" or not this browser's); return its id, now the current one."""
        now = time.time()
        with self._db() as db:
            if not conversation or not self._owns(db, browser, conversation):
                conversation = uuid.uuid4().hex
                title = _title(turns[0][1]) if turns else "New conversation"
                row = (conversation, browser, title, now, now)
                db.execute("INSERT INTO conversations VALUES (?, ?, ?, ?, ?)", row)
            db.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation))
            rows = [(conversation, n, q, json.dumps(a, ensure_ascii=False)) for n, q, a in turns]
            self._drop_stale_feedback(db, conversation, rows)
            db.execute("DELETE FROM turns WHERE conversation_id = ? AND n > ?", (conversation, len(turns)))
            db.executemany("INSERT OR REPLACE INTO turns VALUES (?, ?, ?, ?)", rows)
            self._set_current(db, browser, conversation)
        return conversation

    def turns(self, browser: str, conversation: str) -> list[tuple[int, str, dict]] | None:
        """(n, question, answer_json) of a conversation of this browser; None if it has none."""
        with self._db() as db:
            if not self._owns(db, browser, conversation):
                return None
            rows = db.execute(
                "SELECT n, question, answer_json FROM turns WHERE conversation_id = ? ORDER BY n",
                (conversation,),
            ).fetchall()
        return [(n, q, json.loads(a)) for n, q, a in rows]

    def conversation(self, browser: str, conversation: str) -> Conversation | None:
        with self._db() as db:
            row = db.execute(
                "SELECT id, title, created, updated FROM conversations WHERE id = ? AND browser_id = ?",
                (conversation, browser),
            ).fetchone()
        return Conversation(*row) if row else None

    def delete(self, browser: str, conversation: str) -> bool:
        with self._db() as db:
            gone = db.execute(
                "DELETE FROM conversations WHERE id = ? AND browser_id = ?", (conversation, browser)
            ).rowcount
            if gone:
                db.execute("UPDATE browsers SET current = NULL WHERE current = ?", (conversation,))
        return bool(gone)

    def current(self, browser: str) -> str:
        """The conversation a reload of this browser reopens ("" for a new one)."""
        with self._db() as db:
            row = db.execute("SELECT current FROM browsers WHERE browser_id = ?", (browser,)).fetchone()
        return (row[0] or "") if row else ""

    def set_current(self, browser: str, conversation: str) -> None:
        with self._db() as db:
            self._set_current(db, browser, conversation or None)

    def set_feedback(self, browser: str, conversation: str, n: int, verdict: str, note: str = "") -> bool:
        """Keep a verdict (a key of VERDICTS) and an optional note on answer `n` of this
        browser's conversation; False when there is no such answered turn."""
        if verdict not in VERDICTS:
            return False
        with self._db() as db:
            row = db.execute(
                "SELECT answer_json FROM turns JOIN conversations ON id = conversation_id "
                "WHERE conversation_id = ? AND n = ? AND browser_id = ?",
                (conversation, n, browser),
            ).fetchone()
            if row is None or "answer" not in json.loads(row[0]):
                return False
            note = " ".join(note.split())[:NOTE_CHARS]
            db.execute(
                "INSERT OR REPLACE INTO feedback VALUES (?, ?, ?, ?, ?)",
                (conversation, n, verdict, note, time.time()),
            )
        return True

    def feedback(self, browser: str, conversation: str) -> dict[int, Feedback]:
        """The feedback given on a conversation of this browser: turn n -> Feedback."""
        with self._db() as db:
            rows = db.execute(
                "SELECT n, verdict, note FROM feedback JOIN conversations ON id = conversation_id "
                "WHERE conversation_id = ? AND browser_id = ?",
                (conversation, browser),
            ).fetchall()
        return {n: Feedback(verdict, note) for n, verdict, note in rows}

    @staticmethod
    def _drop_stale_feedback(db, conversation: str, rows) -> None:
        """Feedback on an answer that is replaced (Regenerate) or gone no longer applies."""
        kept = {n: _gist(q, a) for _, n, q, a in rows}
        for n, q, stored in db.execute(
            "SELECT n, question, answer_json FROM turns WHERE conversation_id = ?", (conversation,)
        ).fetchall():
            if kept.get(n) != _gist(q, stored):
                db.execute("DELETE FROM feedback WHERE conversation_id = ? AND n = ?", (conversation, n))

    @staticmethod
    def _set_current(db, browser, conversation) -> None:
        db.execute("INSERT OR REPLACE INTO browsers VALUES (?, ?)", (browser, conversation))

    @staticmethod
    def _owns(db, browser: str, conversation: str) -> bool:
        row = db.execute(
            "SELECT 1 FROM conversations WHERE id = ? AND browser_id = ?", (conversation, browser)
        ).fetchone()
        return row is not None


def _gist(question: str, answer_json: str) -> tuple:
    """What feedback is about: the question, the answer's words and where it cites (not
    every stored field, which a newer version of the app may add to)."""
    answer = json.loads(answer_json).get("answer") or {}
    cited = [(c.get("source"), c.get("start"), c.get("end")) for c in answer.get("citations") or ()]
    return question, answer.get("answer"), cited


def _title(question: str) -> str:
    flat = " ".join(question.split())
    return flat if len(flat) <= TITLE_CHARS else flat[: TITLE_CHARS - 1].rstrip() + "…"


# --- answers to and from JSON ----------------------------------------------------------------
def answer_to_json(answer: Answer) -> dict:
    """Every field of the Answer (evidence, checks and signals included), JSON-ready."""
    return {**answer.to_json(), "evidence": [dataclasses.asdict(e) for e in answer.evidence]}


def answer_from_json(data: dict) -> Answer:
    """The Answer `answer_to_json` stored; fields added to the types since are left at their
    defaults, and fields since removed are ignored, so old history still opens."""
    return Answer.from_json(data)


# --- exports ------------------------------------------------------------------------------------
def export_json(conversation: Conversation, turns, feedback=None) -> str:
    """The conversation as JSON: each answer as `assistant ask --json` prints it, with the
    feedback given on it."""
    feedback = feedback or {}
    out = []
    for n, question, stored in turns:
        item: dict = {"n": n, "question": question}
        if "answer" in stored:
            item["answer"] = answer_from_json(stored["answer"]).to_json()
        else:
            item.update({k: v for k, v in stored.items() if k in ("error", "stopped")})
        if n in feedback:
            item["feedback"] = dataclasses.asdict(feedback[n])
        out.append(item)
    data = {
        "title": conversation.title,
        "created": _iso(conversation.created),
        "updated": _iso(conversation.updated),
        "turns": out,
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def export_markdown(conversation: Conversation, turns, feedback=None, titles=None) -> str:
    """The conversation as Markdown: each answer with its numbered references, as Copy gives it,
    and the feedback given on it; `titles` (source -> title) names the documents."""
    from .messages import View, answer_markdown

    feedback, view = feedback or {}, View(titles=titles or {})
    parts = [f"# {conversation.title}", f"_{_iso(conversation.updated)}_"]
    for n, question, stored in turns:
        if "answer" in stored:
            parts.append(answer_markdown(answer_from_json(stored["answer"]), view))
        elif "error" in stored:
            parts.append(f"**{question}**\n\n_Not answered: {stored['error']}_")
        else:
            parts.append(f"**{question}**\n\n_Stopped before the answer was checked._")
        if n in feedback:
            given = feedback[n]
            parts.append(
                f"_Feedback: {VERDICTS[given.verdict].lower()}" + (f": {given.note}_" if given.note else "_")
            )
    return "\n\n".join(parts) + "\n"


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(seconds))
