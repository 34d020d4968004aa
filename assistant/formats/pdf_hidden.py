"""The parts of a PDF page's text that a reader cannot see, found while pypdf extracts it.

pypdf calls `Visibility.operator` before each content-stream operator (inside form XObjects
too) and `Visibility.text` with each piece of text it adds to the page's text. The visitor keeps
the graphics state that decides whether a glyph shows, and marks a text-showing operator hidden
when what it draws:
- is not drawn at all: rendering mode 3 or 7, or a separation colour named /None;
- is painted (fill for modes 0/2/4/6, stroke for 1/2/5/6) only in a colour that, after its
  opacity (/ca, /CA of an ExtGState), cannot be told from what is behind it (`looks.faint`):
  the last opaque rectangle painted under it, else a white page. Colours are judged in gray,
  RGB, CMYK, ICC-based, indexed and separation (spot) spaces whose tint transform is of type 2;
  patterns and other functions are taken to be visible;
- is smaller than `looks.TINY_PT` high or wide (font size 0, `Tz` near 0, a squashing matrix);
- lies outside the clipping rectangle or inside one under `TINY_PT` wide or high;
- is covered by an opaque rectangle painted after it.
Positions are estimated (half an em a glyph), enough to tell a 1x1 clip or a box laid over a
line; text starting outside the crop box or under 3 pt by pypdf's own figures is caught by
`pdf.page_text`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from .limits import Budget
from .looks import BLACK, RGB, TINY_PT, WHITE, blend, faint
from .pdf_resources import CMYK, GRAY, NOTHING, RGB_SPACE, UNKNOWN, Resources, Space

Span = tuple[int, int]
Box = tuple[float, float, float, float]  # left, bottom, right, top in device space
Point = tuple[float, float]
OPAQUE = 0.95  # a fill at least this opaque, in the normal blend mode, hides what is under it
_SHOW = {b"Tj", b"TJ", b"'", b'"'}
_FILL = {b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}
_PAINT = _FILL | {b"S", b"s", b"n"}
_FILLS_GLYPHS, _STROKES_GLYPHS = {0, 2, 4, 6}, {1, 2, 5, 6}


@dataclass(frozen=True)
class _State:
    """The part of the graphics state that `q` saves and `Q` restores and that decides sight."""

    fill: RGB | None = BLACK  # None: a colour not judged (a pattern, DeviceN, ...): seen
    stroke: RGB | None = BLACK
    fill_space: Space = GRAY
    stroke_space: Space = GRAY
    fill_alpha: float = 1.0
    stroke_alpha: float = 1.0
    normal_blend: bool = True
    mode: int = 0
    font_size: float | None = None
    h_scale: float = 1.0
    clip: Box | None = None


@dataclass(frozen=True)
class _Shown:
    """One text-showing operator: where its glyphs are, and when it was painted."""

    order: int
    space: int  # which coordinate space (the page, or one form XObject's run)
    points: tuple[Point, Point]  # its first glyph's centre and the centre of the run


class Visibility:
    def __init__(self, page, budget: Budget):
        box = page.cropbox
        self.box = [float(v) for v in (box.left, box.bottom, box.right, box.top)]
        self.res, self.budget = Resources.of(page), budget
        self.state, self.stack = _State(), list[_State]()
        self.forms: list[tuple[int, int, _State]] = []  # (id of the outer cm, its space, state)
        self.space = self.order = self.form_runs = 0
        self.path: list[Point] = []
        self.rect_path, self.clipping = True, False
        self.fills = _Fills()  # opaque fills, to find what is under and over each text
        self.shown: list[tuple[bool, int, _Shown | None]] = []  # since the last piece of text
        self.pieces: list[str] = []
        self.length = 0  # characters in `pieces`
        self.hidden: list[Span] = []
        self.seen: list[tuple[Span, _Shown]] = []  # text judged visible, unless covered later

    # --- pypdf's two callbacks ------------------------------------------------------------------
    def operator(self, op, args, cm, tm) -> None:
        self.budget.tick()
        while self.forms and id(cm) == self.forms[-1][0]:  # back from a form XObject
            _, self.space, outer = self.forms.pop()
            self.state = replace(self.state, clip=outer.clip)
        if op in _SHOW:
            self.order += 1
            hidden, where = self._judge(args, cm, tm)
            self.shown.append((hidden, max(1, _byte_len(args)), where))
        elif op == b"Do" and args and str(args[0]) in self.res.forms:
            self.form_runs += 1
            self.forms.append((id(cm), self.space, self.state))
            self.space = self.form_runs
            self.state = replace(self.state, clip=None)  # the form's coordinates are its own
        else:
            self._graphics(op, args, cm)

    def text(self, text, cm, tm, font_dict, font_size) -> None:
        start = self.length
        self.pieces.append(text)
        self.length += len(text)
        if not text.strip():
            return
        shown, self.shown = self.shown, []
        if self._unreadable(cm, tm, font_size):
            self.hidden.append((start, start + len(text)))
            return
        # One piece may join several operators (pypdf flushes at line changes): share it out by
        # the operators' byte counts, exact for one-byte fonts and close for two-byte ones.
        total, at = sum(n for _, n, _ in shown) or 1, 0
        for hidden, n, where in shown:
            lo, at = start + round(len(text) * at / total), at + n
            span = (lo, start + round(len(text) * at / total))
            if hidden:
                self.hidden.append(span)
            elif where is not None:
                self.seen.append((span, where))

    def hidden_spans(self) -> list[Span]:
        """The hidden spans, with the text that opaque fills painted later cover."""
        covered = [span for span, where in self.seen if self.fills.over(where)]
        return self.hidden + covered

    # --- the graphics state -----------------------------------------------------------------------
    def _graphics(self, op, args, cm) -> None:
        s = self.state
        if op == b"q":
            self.stack.append(s)
        elif op == b"Q":
            self.state = self.stack.pop() if self.stack else s
        elif op in _PATH:
            self._path(op, args, cm)
        elif op in (b"W", b"W*"):
            self.clipping = True
        elif op in _PAINT:
            self._paint(op)
        elif op in _STATE:
            self.state = _STATE[op](self, s, args)

    def _path(self, op, args, cm) -> None:
        v = _numbers(args)
        if op == b"re" and len(v) == 4:
            x, y, w, h = v
            self.path += [_apply(cm, x, y), _apply(cm, x + w, y + h)]
        elif op in (b"m", b"l") and len(v) == 2:
            self.path.append(_apply(cm, *v))
        elif op in (b"c", b"v", b"y"):
            self.rect_path = False  # a curve: its box is a bound, not a shape to cover with
            self.path += [_apply(cm, v[k], v[k + 1]) for k in range(0, len(v) - 1, 2)]

    def _paint(self, op) -> None:
        s, box = self.state, _bounds(self.path)
        if box and self.clipping:
            self.state = replace(s, clip=_intersect(s.clip, box) if s.clip else box)
        opaque = s.fill_alpha >= OPAQUE and s.normal_blend and s.fill != NOTHING
        if box and op in _FILL and opaque and self.rect_path and _rectangle(self.path, box):
            self.order += 1
            self.fills.add(self.order, self.space, box, s.fill)
        self.path, self.rect_path, self.clipping = [], True, False

    # --- judging one text-showing operator -------------------------------------------------------------
    def _judge(self, args, cm, tm) -> tuple[bool, _Shown | None]:
        s = self.state
        if s.font_size is None:
            return not self._painted(WHITE), None
        a, b = tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3]
        c, d = tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]
        size, wide = abs(s.font_size), abs(s.font_size * s.h_scale)
        if size * math.hypot(c, d) < TINY_PT or wide * math.hypot(a, b) < TINY_PT:
            return True, None
        x, y = tm[4] * cm[0] + tm[5] * cm[2] + cm[4], tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        up, run = 0.35 * size, 0.25 * wide * max(1, _byte_len(args))  # half an em a glyph
        first = (x + c * up + a * 0.25 * wide, y + d * up + b * 0.25 * wide)
        middle = (x + c * up + a * run, y + d * up + b * run)
        if s.clip and (_small(s.clip) or not _inside(s.clip, middle, slack=1.0)):
            return True, None
        where = _Shown(self.order, self.space, (first, middle))
        return not self._painted(self.fills.under(where)), where

    def _painted(self, background: RGB | None) -> bool:
        """Whether the glyphs' fill or stroke, as the rendering mode uses them, can be seen."""
        s = self.state

        def seen(colour: RGB | None, alpha: float) -> bool:
            if colour == NOTHING or alpha < 1 - OPAQUE:
                return False
            if colour is None or background is None:
                return True
            return not faint(blend(colour, alpha, background), background)

        fill = s.mode in _FILLS_GLYPHS and seen(s.fill, s.fill_alpha)
        return fill or (s.mode in _STROKES_GLYPHS and seen(s.stroke, s.stroke_alpha))

    def _unreadable(self, cm, tm, font_size) -> bool:
        a, b = tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3]
        c, d = tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3]
        size = float(font_size or 0) * math.sqrt(abs(a * d - b * c))
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        left, bottom, right, top = self.box
        outside = not (left <= x <= right and bottom <= y <= top)
        return 0 < size < TINY_PT or outside


# --- operators that set the state: each returns the new state ---------------------------------------
def _colour(space: Space, args) -> RGB | None:
    values = _numbers(args)
    if len(values) != len(args):  # a pattern name among the operands
        return None
    return space.colour(values)


def _set_space(v: Visibility, s: _State, args, stroke: bool) -> _State:
    space = (v.res.spaces.get(str(args[0])) if args else None) or UNKNOWN
    colour = space.colour(space.initial)
    if stroke:
        return replace(s, stroke_space=space, stroke=colour)
    return replace(s, fill_space=space, fill=colour)


def _set_gstate(v: Visibility, s: _State, args) -> _State:
    g = v.res.gstates.get(str(args[0]), {}) if args else {}
    return replace(
        s,
        fill_alpha=g.get("ca", s.fill_alpha),
        stroke_alpha=g.get("CA", s.stroke_alpha),
        normal_blend=g.get("normal", s.normal_blend),
    )


def _device(space: Space, stroke: bool):
    """`g`, `rg`, `k` and their stroking twins: set the space and the colour at once."""
    if stroke:
        return lambda v, s, a: replace(s, stroke_space=space, stroke=_colour(space, a))
    return lambda v, s, a: replace(s, fill_space=space, fill=_colour(space, a))


def _number(args, k: int, default: float) -> float:
    values = _numbers(args)  # a name operand (Tf's font) is not counted
    return values[k] if len(values) > k else default


_STATE = {
    b"g": _device(GRAY, False),
    b"rg": _device(RGB_SPACE, False),
    b"k": _device(CMYK, False),
    b"G": _device(GRAY, True),
    b"RG": _device(RGB_SPACE, True),
    b"K": _device(CMYK, True),
    b"cs": lambda v, s, a: _set_space(v, s, a, stroke=False),
    b"CS": lambda v, s, a: _set_space(v, s, a, stroke=True),
    b"sc": lambda v, s, a: replace(s, fill=_colour(s.fill_space, a)),
    b"scn": lambda v, s, a: replace(s, fill=_colour(s.fill_space, a)),
    b"SC": lambda v, s, a: replace(s, stroke=_colour(s.stroke_space, a)),
    b"SCN": lambda v, s, a: replace(s, stroke=_colour(s.stroke_space, a)),
    b"gs": _set_gstate,
    b"Tr": lambda v, s, a: replace(s, mode=int(_number(a, 0, 0))),
    b"Tf": lambda v, s, a: replace(s, font_size=_number(a, 0, 12.0)),
    b"Tz": lambda v, s, a: replace(s, h_scale=_number(a, 0, 100.0) / 100),
}
_PATH = {b"re", b"m", b"l", b"c", b"v", b"y", b"h"}


class _Fills:
    """Opaque filled rectangles, bucketed by a coarse grid so each text looks at a few."""

    CELL = 64.0  # points: a bucket's side
    WIDE = 256  # a box over this many buckets (a page background) is checked for every text

    def __init__(self) -> None:
        self.grid: dict[tuple[int, int, int], list] = {}
        self.wide: list = []

    def add(self, order: int, space: int, box: Box, colour: RGB | None) -> None:
        fill = (order, space, box, colour)
        cols = range(int(box[0] // self.CELL), int(box[2] // self.CELL) + 1)
        rows = range(int(box[1] // self.CELL), int(box[3] // self.CELL) + 1)
        if len(cols) * len(rows) > self.WIDE:
            self.wide.append(fill)
            return
        for gx in cols:
            for gy in rows:
                self.grid.setdefault((space, gx, gy), []).append(fill)

    def _around(self, where: _Shown) -> list:
        x, y = where.points[1]
        near = self.grid.get((where.space, int(x // self.CELL), int(y // self.CELL)), [])
        return [
            f for f in near + self.wide if f[1] == where.space and all(_inside(f[2], p) for p in where.points)
        ]

    def under(self, where: _Shown) -> RGB | None:
        """The colour of the last opaque fill painted under the text, else the white page;
        None for a fill whose colour is not judged (a pattern)."""
        below = [f for f in self._around(where) if f[0] < where.order]
        return max(below, key=lambda f: f[0])[3] if below else WHITE

    def over(self, where: _Shown) -> bool:
        """Whether an opaque fill painted after the text covers it."""
        return any(f[0] > where.order for f in self._around(where))


# --- geometry ------------------------------------------------------------------------------------
def _apply(cm, x: float, y: float) -> Point:
    return (x * cm[0] + y * cm[2] + cm[4], x * cm[1] + y * cm[3] + cm[5])


def _bounds(points: list[Point]) -> Box | None:
    if not points:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def _intersect(a: Box, b: Box) -> Box:
    left, bottom = max(a[0], b[0]), max(a[1], b[1])
    return (left, bottom, max(left, min(a[2], b[2])), max(bottom, min(a[3], b[3])))


def _inside(box: Box, p: Point, slack: float = 0.0) -> bool:
    return box[0] - slack <= p[0] <= box[2] + slack and box[1] - slack <= p[1] <= box[3] + slack


def _rectangle(points: list[Point], box: Box) -> bool:
    """Whether a path of straight lines is its own bounding box (drawn by `re` or four lines)."""
    on = lambda v, ends: min(abs(v - ends[0]), abs(v - ends[1])) < 0.01
    return all(on(x, (box[0], box[2])) and on(y, (box[1], box[3])) for x, y in points)


def _small(box: Box) -> bool:
    return box[2] - box[0] < TINY_PT or box[3] - box[1] < TINY_PT


def _numbers(args) -> list[float]:
    return [float(a) for a in args if isinstance(a, (int, float))]


def _byte_len(args) -> int:
    n = 0
    for a in args:
        if isinstance(a, (bytes, str)):
            n += len(a)
        elif isinstance(a, list):
            n += _byte_len(a)
    return n


def merge(spans: list[Span]) -> tuple[Span, ...]:
    """Spans sorted, empty ones dropped, overlapping ones joined."""
    out: list[Span] = []
    for s, e in sorted(x for x in spans if x[1] > x[0]):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return tuple(out)
