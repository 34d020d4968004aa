"""Just enough CSS to tell which parts of a saved web page a reader cannot see.

A page's <style> blocks are read into rules (simple selectors: tag, .class, #id, [attr],
[attr=value], joined by descendant or child combinators; `@media all`/`screen` blocks
included, other at-rules and pseudo-classes skipped), keeping only the properties that can hide
text. `Sheet.style(tag)` gives a tag's declarations, by specificity and then source order,
with its inline `style` last. External stylesheets are not read: a saved page's are elsewhere.

    >>> sheet = Sheet("p.note, #x > b { display: none } .c { color: red; margin: 0 }")
    >>> from bs4 import BeautifulSoup
    >>> tag = BeautifulSoup('<p class="note c" style="color: #fff">x</p>', "html.parser").p
    >>> sorted(sheet.style(tag).items())
    [('color', '#fff'), ('display', 'none'), ('margin', '0')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Properties that can hide text; every other declaration is dropped when a sheet is read.
WATCHED = frozenset(
    "display visibility opacity color background background-color font font-size position left "
    "top margin margin-left margin-top text-indent transform height width max-height max-width "
    "overflow overflow-x overflow-y clip clip-path".split()
)
_COMPOUND = re.compile(r"([a-zA-Z][\w-]*|\*)?((?:[.#][\w-]+|\[[\w-]+(?:=[\"']?[^\"'\]]*[\"']?)?\])*)")
_PART = re.compile(r"([.#])([\w-]+)|\[([\w-]+)(?:(=)[\"']?([^\"'\]]*)[\"']?)?\]")
_MEDIA_ON_SCREEN = re.compile(r"^(only\s+)?(all|screen)$")


@dataclass(frozen=True)
class _Compound:
    tag: str | None
    ids: tuple[str, ...]
    classes: tuple[str, ...]
    attrs: tuple[tuple[str, str | None], ...]

    def matches(self, el) -> bool:
        if self.tag and el.name != self.tag:
            return False
        attrs = el.attrs or {}
        if any(attrs.get("id") != i for i in self.ids):
            return False
        have = set(_classes(el))
        if any(c not in have for c in self.classes):
            return False
        return all(a in attrs and (v is None or str(attrs[a]) == v) for a, v in self.attrs)


@dataclass(frozen=True)
class _Rule:
    parts: tuple[tuple[str, _Compound], ...]  # (combinator before it, compound), left to right
    specificity: tuple[int, int, int, int]  # ids, classes and attributes, tags, source order
    declarations: tuple[tuple[str, str], ...]


class Sheet:
    """The rules of a page's <style> blocks, indexed by their rightmost compound's key."""

    def __init__(self, css: str):
        self.by_key: dict[str, list[_Rule]] = {}
        self._order = 0
        self._read(re.sub(r"/\*.*?\*/", "", css, flags=re.S))

    def style(self, el) -> dict[str, str]:
        """The tag's declarations of the watched properties: rules, then its `style` attribute."""
        keys = ["*", el.name, *(f".{c}" for c in _classes(el))]
        if (el.attrs or {}).get("id"):
            keys.append(f"#{el.attrs['id']}")
        rules = {id(r): r for k in keys for r in self.by_key.get(k, ())}.values()
        out: dict[str, str] = {}
        for rule in sorted(rules, key=lambda r: r.specificity):
            if _match(rule.parts, len(rule.parts) - 1, el):
                out.update(rule.declarations)
        out.update(declarations(str((el.attrs or {}).get("style", ""))))
        return out

    def _read(self, css: str) -> None:
        at = 0
        while (brace := css.find("{", at)) != -1:
            head = css[at:brace].strip()
            end = _block_end(css, brace)
            if head.startswith("@"):
                query = head[6:].strip().lower() if head.lower().startswith("@media") else None
                if query is not None and _MEDIA_ON_SCREEN.match(query):
                    self._read(css[brace + 1 : end])
            else:
                self._add(head, css[brace + 1 : end])
            at = end + 1

    def _add(self, selectors: str, body: str) -> None:
        decls = tuple(declarations(body).items())
        if not decls:
            return
        for text in selectors.split(","):
            parts = _parse_selector(text.strip())
            if not parts:
                continue
            self._order += 1
            last = parts[-1][1]
            key = (
                f"#{last.ids[0]}" if last.ids else f".{last.classes[0]}" if last.classes else last.tag or "*"
            )
            ids = sum(len(c.ids) for _, c in parts)
            classes = sum(len(c.classes) + len(c.attrs) for _, c in parts)
            tags = sum(bool(c.tag) for _, c in parts)
            rule = _Rule(parts, (ids, classes, tags, self._order), decls)
            self.by_key.setdefault(key, []).append(rule)


def declarations(body: str) -> dict[str, str]:
    """'color: red; FONT-SIZE:0 !important' -> {'color': 'red', 'font-size': '0'} (watched only)."""
    out = {}
    for decl in body.split(";"):
        name, colon, value = decl.partition(":")
        name = name.strip().lower()
        if colon and name in WATCHED:
            out[name] = re.sub(r"\s*!\s*important\s*$", "", value.strip(), flags=re.I)
    return out


def _parse_selector(text: str) -> tuple[tuple[str, _Compound], ...]:
    """'div.a > p' -> ((' ', div.a), ('>', p)); () for what is not supported (:hover, +, ~)."""
    if not text or re.search(r"[:+~|]", text):
        return ()
    tokens = re.findall(r">|[^\s>]+", text)
    if len(tokens) > 16:  # a selector this long is not written to hide text; matching it is slow
        return ()
    parts, combinator = [], " "
    for token in tokens:
        if token == ">":
            combinator = ">"
            continue
        m = _COMPOUND.fullmatch(token)
        if not m or not token:
            return ()
        ids, classes, attrs = [], [], []
        for kind, name, attr, eq, value in _PART.findall(m.group(2) or ""):
            if kind == "#":
                ids.append(name)
            elif kind == ".":
                classes.append(name)
            else:
                attrs.append((attr.lower(), value if eq else None))
        tag = None if m.group(1) in (None, "*") else m.group(1).lower()
        parts.append((combinator, _Compound(tag, tuple(ids), tuple(classes), tuple(attrs))))
        combinator = " "
    return tuple(parts)


def _match(parts, k: int, el) -> bool:
    """Whether `el` matches parts[: k + 1], the last of them being `el`'s own compound."""
    if not parts[k][1].matches(el):
        return False
    if k == 0:
        return True
    parent = el.parent
    if parts[k][0] == ">":
        return parent is not None and parent.name != "[document]" and _match(parts, k - 1, parent)
    while parent is not None and parent.name != "[document]":
        if _match(parts, k - 1, parent):
            return True
        parent = parent.parent
    return False


def _classes(el) -> list[str]:
    value = (el.attrs or {}).get("class") or []
    return value.split() if isinstance(value, str) else list(value)


def _block_end(css: str, brace: int) -> int:
    """The index of the '}' closing the block that opens at `brace` (the end if unclosed)."""
    depth = 0
    for i in range(brace, len(css)):
        if css[i] == "{":
            depth += 1
        elif css[i] == "}":
            depth -= 1
            if depth == 0:
                return i
    return len(css)
