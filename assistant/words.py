"""Plain words the front ends share: counts with their plurals, the confidence as a level.

The terminal and the web chat say the same thing the same way:

    >>> plural(1, "passage"), plural(3, "passage"), confidence_words(0.87)
    ('1 passage', '3 passages', 'high (0.87)')
"""

from __future__ import annotations

HIGH = 0.75  # the confidence is the gate's calibrated chance that a shown answer is right
MEDIUM = 0.4
CONFIDENCE_LABEL = "Confidence that this answer is right"


def plural(n: int, one: str, many: str | None = None) -> str:
    """'1 passage', '3 passages'.

    >>> plural(1, "passage"), plural(0, "passage"), plural(2, "match", "matches")
    ('1 passage', '0 passages', '2 matches')
    """
    return f"{n} {one if n == 1 else (many or one + 's')}"


def confidence_level(c: float) -> str:
    """'high', 'medium' or 'low'."""
    return "high" if c >= HIGH else "medium" if c >= MEDIUM else "low"


def confidence_words(c: float) -> str:
    """'high (0.87)': the level, then the number it stands for."""
    return f"{confidence_level(c)} ({c:.2f})"
