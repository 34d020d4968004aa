"""What is drawn on a terminal and then redrawn or erased: the status line while the user waits,
the model's streamed draft, the indexing progress. Each does nothing, or writes plain lines,
when its stream is not a terminal (a pipe, a log file, a test runner).
"""

from __future__ import annotations

import shutil
import sys
import threading
import time

from .render import Style, is_tty


# --- the streamed draft ------------------------------------------------------------------------
class Draft:
    """The model's unchecked words, streamed dimmed to a terminal, then erased so that the
    checked answer is printed once, in their place.

    Words are wrapped to the terminal's width as they come (a word is written once it is whole,
    on the next line when it would not fit), so the draft's height is known; a draft taller
    than the screen cannot be erased, and is then left above the checked answer, which says it
    replaces it.
    """

    def __init__(self, stream, style: Style):
        self.stream, self.style, self.text = stream, style, ""
        self.width = style.width or 80
        self.column, self.lines = 0, 1  # where the cursor is, and the lines written to
        self.word, self.space = "", False  # a word still coming in; a space owed before the next

    def write(self, piece: str) -> None:
        if not self.text and self.style.colour:
            self.stream.write("\x1b[2m")  # dim: it is a draft
        self.text += piece
        for ch in piece:
            if ch.isspace():
                self._end_word(newline=ch == "\n")
            else:
                self.word += ch
        self.stream.flush()

    def _end_word(self, newline: bool = False) -> None:
        """Write the word that just ended, wrapped; then note the space or write the line break."""
        from rich.cells import cell_len

        if self.word:
            size = cell_len(self.word)
            if self.column and self.column + self.space + size > self.width:
                self._newline()
            elif self.space and self.column:
                self.stream.write(" ")
                self.column += 1
            self.stream.write(self.word)
            self.column += size
            self.lines += max(0, (self.column - 1) // self.width)  # a word wider than the screen
            self.column = (self.column - 1) % self.width + 1 if self.column > self.width else self.column
            self.word, self.space = "", False
        if newline:
            self._newline()
            self.space = False
        elif self.column:
            self.space = True

    def _newline(self) -> None:
        self.stream.write("\n")
        self.column, self.lines = 0, self.lines + 1

    def rows(self) -> int:
        """The lines the draft takes on the screen."""
        return self.lines

    def abandon(self) -> None:
        """The answer failed or was interrupted: end the dim text, keep what was written."""
        if self.text:
            self._end_word()
            self.stream.write("\x1b[0m\n" if self.style.colour else "\n")
            self.stream.flush()
            self.text = ""

    def erase(self) -> bool:
        """Clear the draft from the screen; False when it scrolled out of reach."""
        if not self.text:
            return True
        if self.style.colour:
            self.stream.write("\x1b[0m")
        rows = self.rows()
        if rows >= shutil.get_terminal_size((92, 24)).lines:
            self._end_word()
            self.stream.write("\n")
            return False
        up = f"\x1b[{rows - 1}A" if rows > 1 else ""
        self.stream.write(f"\r{up}\x1b[J")
        self.stream.flush()
        return True


# --- a status line on stderr -----------------------------------------------------------------
class Status:
    """ "Searching the documents... 2.3 s" on stderr while the user waits, then gone.

    Only on a terminal: in a pipe, a log file or with --json it does nothing at all.
    """

    FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"

    def __init__(self, stream=None, enabled: bool | None = None):
        self.stream = stream or sys.stderr
        self.enabled = is_tty(self.stream) if enabled is None else enabled
        self.text, self.t0 = "", time.perf_counter()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def show(self, text: str) -> Status:
        """Show (or change) the status; starts the ticking clock on first use."""
        if not self.enabled:
            return self
        with self._lock:
            self.text = text
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        i = 0
        while not self._stop.wait(0.1 if i else 0):
            with self._lock:
                line = (
                    f"{self.FRAMES[i % len(self.FRAMES)]} {self.text} {time.perf_counter() - self.t0:.1f} s"
                )
                self.stream.write(f"\r\x1b[2K{line}")
                self.stream.flush()
            i += 1

    def log(self, msg: str) -> None:
        """A log line on stderr that does not collide with the status line (it redraws below)."""
        with self._lock:
            self.stream.write(("\r\x1b[2K" if self._thread else "") + msg + "\n")
            self.stream.flush()

    def clear(self) -> None:
        """Stop and erase the line (safe to call twice, or when nothing was shown)."""
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        self._thread = None
        with self._lock:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()

    def __enter__(self) -> Status:
        return self

    def __exit__(self, *exc) -> None:
        self.clear()


# --- indexing ---------------------------------------------------------------------------------
class IndexBar:
    """Indexing progress on one redrawn stderr line, on a terminal only: files and passages
    done, the rate and the time left. Elsewhere `index.update` logs a line per ~10% itself."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.enabled = is_tty(self.stream)
        self.shown = False

    def update(self, p) -> None:
        """Takes an `index.IndexProgress`."""
        left = "" if p.seconds_left is None else f", about {_duration(p.seconds_left)} left"
        share = p.files_done / p.files_total if p.files_total else 1.0
        line = (
            f"Indexing {p.files_done}/{p.files_total} files ({share:.0%}): {p.passages_done} passages, "
            f"{p.passages_per_s:.1f} passages/s{left}"
        )
        self.stream.write(f"\r\x1b[2K{line}")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.shown = False


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"
