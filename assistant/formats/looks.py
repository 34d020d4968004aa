"""Whether text can be seen: one rule for colours and sizes, shared by the PDF, web and Word readers.

Text is hidden when it is too small (`TINY_PT`) or when its colour, blended by its opacity over
what is behind it, is too close to that background (`faint`). "Too close" is a low contrast
ratio (WCAG's, below `CONTRAST`) *and* a small difference on every channel: white on white,
snow on white or black on black are hidden; light grey (#aaa), red or even yellow on white
(contrast 1.07, but a vivid colour anyone sees) are not.

    >>> faint(css_colour("#fff")[0], WHITE), faint(css_colour("#aaa")[0], WHITE)
    (True, False)
    >>> faint(blend((0, 0, 0), 0.02), WHITE)  # black at 2% opacity
    True
"""

from __future__ import annotations

import colorsys
import re

RGB = tuple[float, float, float]  # each channel 0-1
WHITE: RGB = (1.0, 1.0, 1.0)
BLACK: RGB = (0.0, 0.0, 0.0)
TINY_PT = 3.0  # below this a printed or on-screen glyph is not readable; 6-8 pt small print is
CONTRAST = 1.12  # gray 0.95 (#f2f2f2) on white is 1.12: the old PDF rule's "near-white"
CHANNEL = 0.25  # ... unless a channel differs by more: yellow on white is seen


def blend(colour: RGB, alpha: float, under: RGB = WHITE) -> RGB:
    """`colour` painted at opacity `alpha` over `under`."""
    a = min(1.0, max(0.0, alpha))
    return (
        colour[0] * a + under[0] * (1 - a),
        colour[1] * a + under[1] * (1 - a),
        colour[2] * a + under[2] * (1 - a),
    )


def faint(colour: RGB, background: RGB = WHITE) -> bool:
    """Whether text in `colour` cannot be told from `background`."""
    lo, hi = sorted((_luminance(colour), _luminance(background)))
    close = max(abs(a - b) for a, b in zip(colour, background)) < CHANNEL
    return close and (hi + 0.05) / (lo + 0.05) < CONTRAST


def _luminance(c: RGB) -> float:
    """WCAG 2's relative luminance of an sRGB colour."""
    lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def hex_colour(value: str) -> RGB | None:
    """'FFFFFF' or 'fff' (as Word and HTML write them) -> RGB; None if it is not one."""
    value = value.strip().lstrip("#")
    if len(value) in (3, 4):
        value = "".join(ch * 2 for ch in value)
    if len(value) not in (6, 8) or not re.fullmatch(r"[0-9a-fA-F]+", value):
        return None
    r, g, b = (int(value[k : k + 2], 16) / 255 for k in (0, 2, 4))
    return (r, g, b)


def css_colour(value: str) -> tuple[RGB, float] | None:
    """A CSS colour -> (RGB, alpha); None for what is not judged (currentcolor, var(), ...).

    >>> css_colour("rgba(255, 255, 255, 0.5)"), css_colour("transparent")
    (((1.0, 1.0, 1.0), 0.5), ((0.0, 0.0, 0.0), 0.0))
    """
    v = value.strip().lower()
    if v == "transparent":
        return BLACK, 0.0
    if v in NAMED:
        return hex_colour(NAMED[v]) or BLACK, 1.0
    if v.startswith("#"):
        rgb = hex_colour(v)
        digits = v[1:] if len(v) > 5 else "".join(ch * 2 for ch in v[1:])
        return (rgb, int(digits[6:8] or "ff", 16) / 255) if rgb else None
    m = re.fullmatch(r"(rgba?|hsla?)\((.*)\)", v)
    if not m:
        return None
    parts = [p for p in re.split(r"[\s,/]+", m.group(2).strip()) if p]
    try:
        nums = [_number(p, 255 if m.group(1).startswith("rgb") else 1) for p in parts[:3]]
        alpha = _number(parts[3], 1) if len(parts) > 3 else 1.0
    except ValueError:
        return None
    if len(nums) != 3:
        return None
    if m.group(1).startswith("rgb"):
        return (nums[0] / 255, nums[1] / 255, nums[2] / 255), alpha
    return colorsys.hls_to_rgb(nums[0] / 360 % 1.0, nums[2], nums[1]), alpha


def _number(text: str, scale: float) -> float:
    """'50%' -> half of `scale`; '0.5' -> 0.5; '120deg' -> 120."""
    if text.endswith("%"):
        return float(text[:-1]) / 100 * scale
    return float(re.sub(r"deg$", "", text))


# The CSS named colours (CSS Color 4), as hex.
NAMED = dict(
    pair.split(":")
    for pair in (
        "aliceblue:f0f8ff antiquewhite:faebd7 aqua:00ffff aquamarine:7fffd4 azure:f0ffff beige:f5f5dc "
        "bisque:ffe4c4 black:000000 blanchedalmond:ffebcd blue:0000ff blueviolet:8a2be2 brown:a52a2a "
        "burlywood:deb887 cadetblue:5f9ea0 chartreuse:7fff00 chocolate:d2691e coral:ff7f50 "
        "cornflowerblue:6495ed cornsilk:fff8dc crimson:dc143c cyan:00ffff darkblue:00008b darkcyan:008b8b "
        "darkgoldenrod:b8860b darkgray:a9a9a9 darkgreen:006400 darkgrey:a9a9a9 darkkhaki:bdb76b "
        "darkmagenta:8b008b darkolivegreen:556b2f darkorange:ff8c00 darkorchid:9932cc darkred:8b0000 "
        "darksalmon:e9967a darkseagreen:8fbc8f darkslateblue:483d8b darkslategray:2f4f4f "
        "darkslategrey:2f4f4f darkturquoise:00ced1 darkviolet:9400d3 deeppink:ff1493 deepskyblue:00bfff "
        "dimgray:696969 dimgrey:696969 dodgerblue:1e90ff firebrick:b22222 floralwhite:fffaf0 "
        "forestgreen:228b22 fuchsia:ff00ff gainsboro:dcdcdc ghostwhite:f8f8ff gold:ffd700 "
        "goldenrod:daa520 gray:808080 green:008000 greenyellow:adff2f grey:808080 honeydew:f0fff0 "
        "hotpink:ff69b4 indianred:cd5c5c indigo:4b0082 ivory:fffff0 khaki:f0e68c lavender:e6e6fa "
        "lavenderblush:fff0f5 lawngreen:7cfc00 lemonchiffon:fffacd lightblue:add8e6 lightcoral:f08080 "
        "lightcyan:e0ffff lightgoldenrodyellow:fafad2 lightgray:d3d3d3 lightgreen:90ee90 lightgrey:d3d3d3 "
        "lightpink:ffb6c1 lightsalmon:ffa07a lightseagreen:20b2aa lightskyblue:87cefa "
        "lightslategray:778899 lightslategrey:778899 lightsteelblue:b0c4de lightyellow:ffffe0 lime:00ff00 "
        "limegreen:32cd32 linen:faf0e6 magenta:ff00ff maroon:800000 mediumaquamarine:66cdaa "
        "mediumblue:0000cd mediumorchid:ba55d3 mediumpurple:9370db mediumseagreen:3cb371 "
        "mediumslateblue:7b68ee mediumspringgreen:00fa9a mediumturquoise:48d1cc mediumvioletred:c71585 "
        "midnightblue:191970 mintcream:f5fffa mistyrose:ffe4e1 moccasin:ffe4b5 navajowhite:ffdead "
        "navy:000080 oldlace:fdf5e6 olive:808000 olivedrab:6b8e23 orange:ffa500 orangered:ff4500 "
        "orchid:da70d6 palegoldenrod:eee8aa palegreen:98fb98 paleturquoise:afeeee palevioletred:db7093 "
        "papayawhip:ffefd5 peachpuff:ffdab9 peru:cd853f pink:ffc0cb plum:dda0dd powderblue:b0e0e6 "
        "purple:800080 rebeccapurple:663399 red:ff0000 rosybrown:bc8f8f royalblue:4169e1 "
        "saddlebrown:8b4513 salmon:fa8072 sandybrown:f4a460 seagreen:2e8b57 seashell:fff5ee sienna:a0522d "
        "silver:c0c0c0 skyblue:87ceeb slateblue:6a5acd slategray:708090 slategrey:708090 snow:fffafa "
        "springgreen:00ff7f steelblue:4682b4 tan:d2b48c teal:008080 thistle:d8bfd8 tomato:ff6347 "
        "turquoise:40e0d0 violet:ee82ee wheat:f5deb3 white:ffffff whitesmoke:f5f5f5 yellow:ffff00 "
        "yellowgreen:9acd32"
    ).split()
)
