"""A PDF page's named resources that decide whether text shows: colour spaces and graphics states.

`Resources.of(page)` reads them from the page and from every form XObject it draws (a form's
names usually mean the same as the page's; where they differ, the page's win). Colour spaces
turn a colour operator's operands into RGB (or `NOTHING`, for a separation named /None, which
never marks, or None for what is not judged: patterns, DeviceN, sampled or PostScript tint
transforms, Lab).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .looks import RGB

NOTHING: RGB = (-1.0, -1.0, -1.0)  # a colour that never marks


class Space:
    """A colour space: how many operands, their initial values, and the colour they make."""

    def __init__(self, convert, initial: list[float]):
        self._convert, self.initial = convert, initial

    def colour(self, values: list[float]) -> RGB | None:
        try:
            return self._convert(values)
        except (ValueError, IndexError, TypeError, ZeroDivisionError):
            return None


def _gray(v):
    return (v[0], v[0], v[0]) if len(v) == 1 else None


def _rgb(v):
    return (v[0], v[1], v[2]) if len(v) == 3 else None


def _cmyk(v):
    if len(v) != 4:
        return None
    c, m, y, k = v
    return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))


UNKNOWN = Space(lambda v: None, [])  # a space not judged: its colours are taken to be seen
GRAY, RGB_SPACE, CMYK = Space(_gray, [0.0]), Space(_rgb, [0.0, 0.0, 0.0]), Space(_cmyk, [0.0, 0.0, 0.0, 1.0])
DEVICE = {"/DeviceGray": GRAY, "/G": GRAY, "/CalGray": GRAY, "/DeviceRGB": RGB_SPACE, "/RGB": RGB_SPACE,
          "/CalRGB": RGB_SPACE, "/DeviceCMYK": CMYK, "/CMYK": CMYK}  # fmt: skip
_BY_COMPONENTS = {1: GRAY, 3: RGB_SPACE, 4: CMYK}


@dataclass
class Resources:
    spaces: dict[str, Space | None] = field(default_factory=lambda: dict(DEVICE))
    gstates: dict[str, dict] = field(default_factory=dict)  # name -> {"ca", "CA", "normal"}
    forms: set[str] = field(default_factory=set)  # names of form XObjects

    @classmethod
    def of(cls, page, limit: int = 64) -> Resources:
        """The page's resources and those of up to `limit` form XObjects it draws."""
        out, todo, seen = cls(), [page.get("/Resources")], set[int]()
        while todo and len(seen) < limit:
            res = _get(todo.pop())
            if not isinstance(res, dict) or id(res) in seen:
                continue
            seen.add(id(res))
            out._add(res, todo)
        return out

    def _add(self, res: dict, todo: list) -> None:
        for name, value in (_get(res.get("/ColorSpace")) or {}).items():
            self.spaces.setdefault(str(name), space_of(value))
        for name, value in (_get(res.get("/ExtGState")) or {}).items():
            self.gstates.setdefault(str(name), _gstate(_get(value)))
        for name, value in (_get(res.get("/XObject")) or {}).items():
            xobject = _get(value)
            if isinstance(xobject, dict) and str(xobject.get("/Subtype")) == "/Form":
                self.forms.add(str(name))
                todo.append(xobject.get("/Resources"))


def _get(value):
    """The object behind an indirect reference; damaged references read as None."""
    try:
        return value.get_object() if hasattr(value, "get_object") else value
    except Exception:  # noqa: BLE001 - pypdf raises many types on damaged references
        return None


def _gstate(g) -> dict:
    out: dict = {}
    if not isinstance(g, dict):
        return out
    for key in ("/ca", "/CA"):
        if isinstance(g.get(key), (int, float)):
            out[key[1:]] = float(g[key])
    if "/BM" in g:
        mode = _get(g["/BM"])
        mode = mode[0] if isinstance(mode, list) and mode else mode
        out["normal"] = str(mode) in ("/Normal", "/Compatible")
    return out


def space_of(value, depth: int = 0) -> Space | None:
    """A colour space from its resource value; None when it is not judged."""
    value = _get(value)
    if isinstance(value, str):
        return DEVICE.get(str(value))
    if not isinstance(value, list) or not value or depth > 4:
        return None
    family = str(value[0])
    if family == "/ICCBased" and len(value) > 1:
        stream = _get(value[1])
        return _BY_COMPONENTS.get(int(stream.get("/N", 0))) if isinstance(stream, dict) else None
    if family == "/Separation" and len(value) > 3:
        return _separation(str(value[1]), space_of(value[2], depth + 1), _get(value[3]))
    if family == "/Indexed" and len(value) > 3:
        return _indexed(space_of(value[1], depth + 1), _get(value[3]))
    return DEVICE.get(family)  # /CalRGB [...], /CalGray [...]; DeviceN, Pattern, Lab: None


def _separation(name: str, alternate: Space | None, tint) -> Space | None:
    """A spot colour. /None never marks; /All marks every colorant (black at full tint);
    otherwise the tint transform gives the alternate space's colour, judged for type 2."""
    if name == "/None":
        return Space(lambda v: NOTHING, [1.0])
    if name == "/All":
        return Space(lambda v: (1 - v[0],) * 3 if len(v) == 1 else None, [1.0])
    if alternate is None or not isinstance(tint, dict) or int(tint.get("/FunctionType", -1)) != 2:
        return None
    c0 = [float(x) for x in tint.get("/C0", [0.0])]
    c1 = [float(x) for x in tint.get("/C1", [1.0])]
    n = float(tint.get("/N", 1.0))
    return Space(lambda v: alternate.colour([a + v[0] ** n * (b - a) for a, b in zip(c0, c1)]), [1.0])


def _indexed(base: Space | None, lookup) -> Space | None:
    """A palette: the index picks `base`'s components from the lookup table."""
    if base is None:
        return None
    table = lookup.get_data() if hasattr(lookup, "get_data") else lookup
    if isinstance(table, str):
        table = table.encode("latin-1")
    if not isinstance(table, bytes):
        return None
    n = len(base.initial)

    def convert(v):
        k = int(v[0]) * n
        return base.colour([b / 255 for b in table[k : k + n]]) if len(v) == 1 else None

    return Space(convert, [0.0])
