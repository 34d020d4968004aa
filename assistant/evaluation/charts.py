"""The eval report's charts (PNG, matplotlib): scores by category, risk against coverage, the
ROC curves of the confidence and its signals, latency. Each takes the run's rows and draws."""

from __future__ import annotations

import sys
from pathlib import Path

from .score import SIGNALS, auroc, risk_points


def write_charts(
    folder: Path, label: str, categories: dict, columns, rows: list[dict], threshold: float | None = None
) -> list[str]:
    """PNG charts next to report.md; returns the names written (none without matplotlib).
    `columns`: (name, value from a category's summary) for the category chart; `threshold`: the
    gate's, marked on the ROC chart."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(
            "charts skipped: matplotlib is not installed (pip install 'cited-assistant[eval]')",
            file=sys.stderr,
        )
        return []
    names = []
    if _category_chart(plt, folder / "by_category.png", label, categories, columns):
        names.append("by_category.png")
    if _risk_chart(plt, folder / "risk_coverage.png", rows, label):
        names.append("risk_coverage.png")
    if _roc_chart(plt, folder / "answerability.png", rows, label, threshold):
        names.append("answerability.png")
    first = [r["timings"].get("first_token_s") for r in rows]
    total = [r["timings"].get("total_s") for r in rows]
    if any(v is not None for v in total):
        _latency_chart(plt, folder / "latency.png", first, total)
        names.append("latency.png")
    return names


def _category_chart(plt, path: Path, label: str, categories: dict, columns) -> bool:
    cats = [
        c
        for c, s in categories.items()  # e.g. no retrieval figures for unanswerable
        if any(get(s) is not None for _, get in columns)
    ]
    if not cats:
        return False
    width = 0.8 / len(columns)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.2 * len(cats) + 2), 4))
    for j, (name, get) in enumerate(columns):
        values = [get(categories[c]) for c in cats]
        ax.bar([i + j * width for i in range(len(cats))], [v or 0 for v in values], width, label=name)
    ax.set_xticks([i + width * (len(columns) - 1) / 2 for i in range(len(cats))])
    ax.set_xticklabels([f"{c}\n(n={categories[c]['questions']})" for c in cats], fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_title(f"Scores by question category: {label}")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def _risk_chart(plt, path: Path, rows: list[dict], label: str) -> bool:
    """Wrong among the answers shown against the share of questions answered, as the gate's
    threshold moves (each draft counted as if shown when its confidence reaches the threshold),
    with the run's own operating point marked."""
    points = risk_points(rows)
    if len(points) < 2:
        return False
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    ax.plot([c for _, _, c in points], [w for _, w, _ in points], lw=2, label="as the threshold moves")
    scored = [r["scores"] for r in rows if "declined" in r["scores"]]
    shown = [s for s in scored if not s["declined"]]
    if shown:
        wrong = sum(not s.get("right", s.get("correct")) for s in shown) / len(shown)
        share = len(shown) / len(scored)
        ax.plot([share], [wrong], "o", color="C3", ms=8)
        left = share < 0.5  # the words go where the plot has room for them
        ax.annotate(f"this run: {share:.0%} answered, {wrong:.0%} of them wrong", (share, wrong),
                    textcoords="offset points", xytext=(10 if left else -10, 12),
                    ha="left" if left else "right", fontsize=8)  # fmt: skip
    ax.set_xlabel("share of questions answered (coverage)")
    ax.set_ylabel("wrong among the answers shown (risk)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, max(0.3, max(w for _, w, _ in points) + 0.05))
    ax.set_title(f"Risk against coverage: {label}")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def operating_point(rows: list[dict], threshold: float) -> tuple[float, float] | None:
    """(share of unanswerable questions whose confidence reaches `threshold`, share of answerable
    ones below it): where the gate stands on the confidence's ROC curve. None without both kinds.

    >>> rows = [{"scores": {"declined": False}, "confidence": c, "answerable": a}
    ...         for c, a in [(0.9, True), (0.3, True), (0.6, False), (0.1, False)]]
    >>> operating_point(rows, 0.5)
    (0.5, 0.5)
    """
    pairs = [
        (r["confidence"], r["answerable"])
        for r in rows
        if "declined" in r["scores"] and r.get("confidence") is not None
    ]
    pos, neg = [c for c, a in pairs if a], [c for c, a in pairs if not a]
    if not pos or not neg:
        return None
    return sum(c >= threshold for c in neg) / len(neg), sum(c < threshold for c in pos) / len(pos)


def _roc_chart(plt, path: Path, rows: list[dict], label: str, threshold: float | None = None) -> bool:
    """ROC curves (answerable = positive) of the confidence and of each signal, with the gate's
    threshold marked on the confidence's curve and said in words."""
    fig, ax = plt.subplots(figsize=(5.5, 5.6))
    drawn = False
    for name, get in SIGNALS.items():
        pairs = [(get(r), r["answerable"]) for r in rows if "declined" in r["scores"] and get(r) is not None]
        pos, neg = sum(a for _, a in pairs), sum(not a for _, a in pairs)
        if not pos or not neg:
            continue
        xs, ys = [0.0], [0.0]
        for t in sorted({s for s, _ in pairs}, reverse=True):
            ys.append(sum(a for s, a in pairs if s >= t) / pos)
            xs.append(sum(not a for s, a in pairs if s >= t) / neg)
        area = auroc([s for s, _ in pairs], [a for _, a in pairs])
        ax.plot(xs, ys, lw=2.5 if name == "confidence" else 1.2, label=f"{name} (AUROC {area:.2f})")
        drawn = True
    if not drawn:
        plt.close(fig)
        return False
    ax.plot([0, 1], [0, 1], ":", color="grey")
    point = operating_point(rows, threshold) if threshold is not None else None
    if point:
        through, declined = point
        ax.plot([through], [1 - declined], "o", color="C3", ms=9, zorder=5)
        ax.annotate("current threshold", (through, 1 - declined), textcoords="offset points",
                    xytext=(8, -14), fontsize=8, color="C3")  # fmt: skip
        words = (
            f"At the current threshold ({threshold:.2f}): {through:.0%} of unanswerable questions\n"
            f"answered, {declined:.0%} of answerable ones declined"
        )
        fig.text(0.5, 0.01, words, ha="center", fontsize=8.5)
    ax.set_xlabel("unanswerable questions let through")
    ax.set_ylabel("answerable questions kept")
    ax.set_title(f"Answerability: {label}")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout(rect=(0, 0.07, 1, 1))  # room for the operating point in words
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def _latency_chart(plt, path: Path, first: list, total: list) -> None:
    series = [
        ([v for v in values if v is not None], name)
        for values, name in ((first, "first token"), (total, "total"))
    ]
    series = [(v, f"{name} (n={len(v)})") for v, name in series if v]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.hist([v for v, _ in series], bins=20, label=[name for _, name in series])
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_xlabel("seconds")
    ax.set_ylabel("questions")
    ax.set_title("Latency per question")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
