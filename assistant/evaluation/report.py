"""The report folder of one eval run, and the side-by-side comparison of two.

    evals/results/<timestamp>-<label>/
        results.jsonl     one line per question, appended as each one finishes
        summary.json      meta (settings, model, index, code version, command) and the figures
        report.md         the same, as tables for people, with the charts
        by_category.png   scores by question category
        latency.png       first-token and total seconds (not for --retrieval-only)

An interrupted run still gets summary.json and report.md for the questions it finished.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from .score import KS, SIGNALS, auroc, by_category, summarize
from .sets import BadEvalSet

DEFINITIONS = """## What the figures mean

- **Answer accuracy**: answerable questions whose answer contains every expected keyword group.
- **Citation precision**: of the citations given to answerable questions, the share whose span
  overlaps a gold quote. **Citation recall**: answerable questions with at least one citation on
  a gold quote. **Exact quotes**: citations whose quote is exactly the source text at its offsets.
- **Unanswerable declined** / **answerable wrongly declined**: the share of each kind declined.
- **Recall@k**: answerable questions with a gold quote among the first k retrieved passages;
  **MRR**: the mean of 1 / (rank of the first such passage), 0 when none is retrieved.
- **AUROC**: the chance that a random answerable question scores above a random unanswerable one
  (0.5: no better than chance; 1.0: a perfect separation), for the confidence and each signal."""


def failures(rows: list[dict]) -> tuple:
    """(id, category, question, why) for each question the run did not get right."""
    out = []
    for r in rows:
        s = r["scores"]
        if "declined" not in s:
            continue
        if not r["answerable"]:
            if not s["declined"]:
                out.append(
                    (r["id"], r["category"], r["question"], f"answered: {(r.get('answer') or '')[:90]}")
                )
            continue
        reason = (r.get("checks") or {}).get("abstain_reason")
        if s["declined"]:
            out.append((r["id"], r["category"], r["question"], f"declined ({reason})"))
        elif s.get("correct") is False:
            out.append((r["id"], r["category"], r["question"], f"wrong: {(r.get('answer') or '')[:90]}"))
        elif s["gold"] and not s["cited_on_gold"]:
            out.append((r["id"], r["category"], r["question"], "no citation on a gold quote"))
    return tuple(out)


# (key in summary.json, label): the order of every table
METRICS = [
    ("questions", "Questions"),
    ("answer_accuracy", "Answer accuracy"),
    ("answer_token_recall", "Answer token recall (reference words present)"),
    ("citation_precision", "Citation precision (cited spans on gold)"),
    ("citation_recall", "Citation recall (questions with a gold citation)"),
    ("gold_coverage", "Gold quotes covered by citations"),
    ("exact_quote_rate", "Exact quotes"),
    ("unanswerable_declined", "Unanswerable declined"),
    ("answerable_declined", "Answerable wrongly declined"),
    ("citations_removed", "Invalid citation numbers removed"),
    ("citations_replaced", "Citations moved to a supporting passage"),
    ("citations_unsupported", "Citations left unsupported"),
    ("support_true_kept", "Support check: on-gold citations kept"),
    ("support_swapped_caught", "Support check: swapped citations caught"),
    *[(f"recall@{k}", f"Retrieval recall@{k}") for k in KS],
    ("mrr", "Retrieval MRR"),
    ("gold_recall@5", "Gold quotes retrieved in top 5"),
    ("auroc_confidence", "Answerability AUROC: confidence"),
    ("auroc_refusal", "AUROC: model's refusal probability (flipped)"),
    ("auroc_relevance", "AUROC: best retrieval cosine"),
    ("auroc_coverage", "AUROC: question words covered by evidence"),
    ("auroc_typed", "AUROC: evidence holds the kind of answer asked"),
    ("auroc_verified", "AUROC: model's yes to its own answer (answered questions)"),
    ("auroc_certainty", "AUROC: model's certainty in its answer's tokens (answered)"),
    ("second_generation_rate", "Questions that needed a second generation"),
    ("first_token_median_s", "First token, median (s)"),
    ("first_token_p90_s", "First token, p90 (s)"),
    ("total_median_s", "Total, median (s)"),
    ("total_p90_s", "Total, p90 (s)"),
]


def _correct(s: dict):
    """Answer accuracy for answerable categories, the share declined for unanswerable ones."""
    return s.get("answer_accuracy") if s["answerable"] else s.get("unanswerable_declined")


# (column, value from a category's summary)
CATEGORY_COLUMNS = [
    ("Correct", _correct),
    ("Citation precision", lambda s: s.get("citation_precision")),
    ("Citation recall", lambda s: s.get("citation_recall")),
    ("Recall@5", lambda s: s.get("recall@5")),
    ("MRR", lambda s: s.get("mrr")),
]
RETRIEVAL_COLUMNS = [(f"Recall@{k}", lambda s, k=k: s.get(f"recall@{k}")) for k in KS] + [
    ("MRR", lambda s: s.get("mrr"))
]


@dataclass(frozen=True)
class Report:
    folder: Path
    meta: dict
    summary: dict
    categories: dict
    failures: tuple = ()  # (id, category, question, why) of each question not answered right

    @property
    def complete(self) -> bool:
        return not self.meta.get("interrupted")

    def table(self) -> str:
        """The summary as a text table, for the terminal."""
        rows = [[label, fmt(self.summary[key])] for key, label in METRICS if key in self.summary]
        return markdown_table(["Metric", "Value"], rows)

    def category_table(self) -> str:
        columns = RETRIEVAL_COLUMNS if self.meta.get("retrieval_only") else CATEGORY_COLUMNS
        rows = [
            [c, str(s["questions"])] + [fmt(get(s)) for _, get in columns] for c, s in self.categories.items()
        ]
        return markdown_table(["Category", "n"] + [name for name, _ in columns], rows)

    def to_json(self) -> dict:
        return {"meta": self.meta, "summary": self.summary, "by_category": self.categories}

    def markdown(self, charts=()) -> str:
        m = self.meta
        status = (
            "complete"
            if self.complete
            else f"interrupted after {m['questions_done']} of {m['questions_total']} questions"
        )
        idx = m["index"]
        head = [
            ["Started", m["started"]],
            ["Command", f"`{m['command']}`" if m["command"] else "n/a (library call)"],
            ["Code version", m["code_version"] + (" (uncommitted changes)" if m["dirty"] else "")],
            ["Model", m["model"] or "none (retrieval only)"],
            ["Question set", m["question_set"]],
            ["Status", f"{status}; {m['questions_done']} scored"],
            ["Index", f"{idx['path']}, generation {idx['generation']}, {idx['passages']} passages"],
            ["Settings fingerprint", m["fingerprint"]],
        ]
        parts = [
            f"# Eval report: {m['label']}",
            "",
            markdown_table(["", ""], head),
            "",
            "## Summary",
            "",
            self.table(),
            "",
            "## By category",
            "",
            self.category_table(),
            "",
            "Correct: answer accuracy; for `unanswerable`, the share declined.",
            "",
        ]
        parts += [f"![{name}]({name})\n" for name in charts]
        parts += [DEFINITIONS, ""]
        if self.failures:
            parts += [
                "## Questions not right",
                "",
                markdown_table(["id", "category", "question", "why"], [list(f) for f in self.failures]),
                "",
            ]
        parts += [
            "## Settings",
            "",
            markdown_table(["Setting", "Value"], [[k, f"`{v}`"] for k, v in m["settings"].items()]),
            "",
        ]
        return "\n".join(parts)


class ReportWriter:
    """Appends each question's row to results.jsonl as it finishes; `finish` writes the rest."""

    def __init__(self, folder: Path, meta: dict):
        self.folder, self.meta = folder, meta
        self.rows: list[dict] = []
        self._file = open(folder / "results.jsonl", "w", encoding="utf-8")

    @classmethod
    def create(cls, parent: Path, label: str, meta: dict) -> ReportWriter:
        slug = re.sub(r"[^A-Za-z0-9._-]+", "-", label).strip("-") or "run"
        base = Path(parent) / f"{datetime.now():%Y%m%d-%H%M%S}-{slug}"
        folder, n = base, 1
        while True:
            try:
                folder.mkdir(parents=True)
                break
            except FileExistsError:  # two runs in the same second
                n += 1
                folder = base.with_name(f"{base.name}-{n}")
        return cls(folder, {**meta, "label": label})

    def add(self, row: dict) -> None:
        self._file.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._file.flush()
        self.rows.append(row)

    def finish(self, complete: bool) -> Report:
        self._file.close()
        meta = {
            **self.meta,
            "finished": datetime.now().isoformat(timespec="seconds"),
            "questions_done": len(self.rows),
            "interrupted": not complete,
        }
        report = Report(self.folder, meta, summarize(self.rows), by_category(self.rows), failures(self.rows))
        (self.folder / "summary.json").write_text(
            json.dumps(report.to_json(), indent=1, ensure_ascii=False), encoding="utf-8"
        )
        charts = write_charts(self.folder, report, self.rows)
        (self.folder / "report.md").write_text(report.markdown(charts), encoding="utf-8")
        return report


def run_meta(settings, assistant, set_name: str, total: int, retrieval_only: bool, command: str) -> dict:
    version, dirty = code_version(settings.root)
    manifest = assistant.resources.store.manifest() or {}
    return {
        "started": datetime.now().isoformat(timespec="seconds"),
        "command": command,
        "code_version": version,
        "dirty": dirty,
        "model": None if retrieval_only else assistant.resources.model_name,
        "retrieval_only": retrieval_only,
        "question_set": set_name,
        "questions_total": total,
        "fingerprint": settings.fingerprint(),
        "index": {
            "path": relative(settings.index_path, settings.root),
            "generation": manifest.get("generation"),  # the folder store's newest segment
            "passages": assistant.resources.store.count(),
            "settings": manifest.get("settings"),
        },
        "settings": {
            k: relative(v, settings.root) if isinstance(v, Path) else v
            for k, v in asdict(settings).items()
            if k != "llm_api_key"  # a secret: never written into a report
        },
    }


def relative(path, root: Path) -> str:
    """`path` relative to the project root ("index", "../shared/benchmarks/clapnq"), so a
    committed report names no machine's folders."""
    return os.path.relpath(Path(path).resolve(), Path(root).resolve())


def code_version(root: Path) -> tuple[str, bool]:
    """(short commit, whether the working tree has uncommitted changes); 'unknown' without git."""

    def git(*args):
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10)

    try:
        head = git("rev-parse", "--short", "HEAD")
        if head.returncode:
            return "unknown", False
        # the index and earlier reports are data, not code: changes there are not "dirty"
        status = git("status", "--porcelain", "--", ".", ":!index", ":!evals/results")
        return head.stdout.strip(), bool(status.stdout.strip())
    except (OSError, subprocess.SubprocessError):
        return "unknown", False


# --- charts ------------------------------------------------------------------------------
def write_charts(folder: Path, report: Report, rows: list[dict]) -> list[str]:
    """PNG charts next to report.md; returns the names written (none without matplotlib)."""
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
    if _category_chart(plt, folder / "by_category.png", report):
        names.append("by_category.png")
    if _roc_chart(plt, folder / "answerability.png", rows, report.meta["label"]):
        names.append("answerability.png")
    first = [r["timings"].get("first_token_s") for r in rows]
    total = [r["timings"].get("total_s") for r in rows]
    if any(v is not None for v in total):
        _latency_chart(plt, folder / "latency.png", first, total)
        names.append("latency.png")
    return names


def _category_chart(plt, path: Path, report: Report) -> bool:
    columns = RETRIEVAL_COLUMNS if report.meta.get("retrieval_only") else CATEGORY_COLUMNS
    cats = [
        c
        for c, s in report.categories.items()  # e.g. no retrieval figures for unanswerable
        if any(get(s) is not None for _, get in columns)
    ]
    if not cats:
        return False
    width = 0.8 / len(columns)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.2 * len(cats) + 2), 4))
    for j, (name, get) in enumerate(columns):
        values = [get(report.categories[c]) for c in cats]
        ax.bar([i + j * width for i in range(len(cats))], [v or 0 for v in values], width, label=name)
    ax.set_xticks([i + width * (len(columns) - 1) / 2 for i in range(len(cats))])
    ax.set_xticklabels([f"{c}\n(n={report.categories[c]['questions']})" for c in cats], fontsize=8)
    ax.set_ylim(0, 1.05)
    ax.set_title(f"Scores by question category: {report.meta['label']}")
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def _roc_chart(plt, path: Path, rows: list[dict], label: str) -> bool:
    """ROC curves (answerable = positive) of the confidence and of each signal."""
    fig, ax = plt.subplots(figsize=(5.5, 5))
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
    ax.set_xlabel("unanswerable questions let through")
    ax.set_ylabel("answerable questions kept")
    ax.set_title(f"Answerability: {label}")
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
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


# --- tables and comparison ---------------------------------------------------------------
def fmt(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool) or isinstance(value, int):
        return str(int(value))
    return f"{value:.2f}"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def load_report(name, results_dir: Path) -> dict:
    """summary.json of a report folder, given as a path or a folder name under results_dir."""
    path = Path(name)
    if not path.is_dir() and (Path(results_dir) / name).is_dir():
        path = Path(results_dir) / name
    try:
        data = json.loads((path / "summary.json").read_text(encoding="utf-8"))
        data["summary"], data["meta"]
    except (OSError, ValueError, KeyError, TypeError):
        raise BadEvalSet(
            f"{path} has no readable summary.json; pass a report folder written by assistant eval"
        ) from None
    return data


def compare(a, b, results_dir: Path) -> str:
    """Two reports' summary figures side by side, with B minus A."""
    ra, rb = load_report(a, results_dir), load_report(b, results_dir)

    def meta(r, k):
        dirty = " (dirty)" if k == "code_version" and r["meta"].get("dirty") else ""
        return str(r["meta"].get(k) or "n/a") + dirty

    rows = [
        [k, meta(ra, k), meta(rb, k), ""]
        for k in ("label", "model", "question_set", "fingerprint", "code_version", "started")
    ]
    rows.append(
        ["index generation", ra["meta"]["index"]["generation"], rb["meta"]["index"]["generation"], ""]
    )
    for key, label in METRICS:
        va, vb = ra["summary"].get(key), rb["summary"].get(key)
        if va is None and vb is None:
            continue
        diff = (
            ""
            if va is None or vb is None
            else (f"{vb - va:+d}" if isinstance(va, int) and isinstance(vb, int) else f"{vb - va:+.2f}")
        )
        rows.append([label, fmt(va), fmt(vb), diff])
    table = markdown_table(["", f"A: {Path(a).name}", f"B: {Path(b).name}", "B − A"], rows)
    return table + "\n\n" + same_answers(_folder(a, results_dir), _folder(b, results_dir))


def _folder(name, results_dir: Path) -> Path:
    path = Path(name)
    return path if path.is_dir() else Path(results_dir) / name


def same_answers(a: Path, b: Path) -> str:
    """Per question, whether two runs gave the same answer: the same words, the same decision
    (answered or declined) and the same cited spans. What a refactoring must leave unchanged."""

    def rows(folder: Path) -> dict:
        try:
            lines = (folder / "results.jsonl").read_text(encoding="utf-8").splitlines()
        except OSError:
            return {}
        return {r["id"]: r for r in map(json.loads, filter(str.strip, lines))}

    ra, rb = rows(a), rows(b)
    both = [k for k in ra if k in rb]
    if not both:
        return "Per question: no question is in both runs."
    spans = lambda r: sorted(
        (c["source"], c.get("page"), c["start"], c["end"]) for c in r.get("citations", [])
    )
    same = {
        "answer text": [k for k in both if ra[k]["answer"] == rb[k]["answer"]],
        "answered or declined": [k for k in both if ra[k]["abstained"] == rb[k]["abstained"]],
        "cited spans": [k for k in both if spans(ra[k]) == spans(rb[k])],
    }
    lines = [f"Per question ({len(both)} in both runs; {len(ra)} in A, {len(rb)} in B):"]
    for what, ids in same.items():
        differ = [k for k in both if k not in set(ids)]
        tail = f" (differ: {', '.join(differ[:12])}{' ...' if len(differ) > 12 else ''})" if differ else ""
        lines.append(f"- same {what}: {len(ids)} of {len(both)}{tail}")
    return "\n".join(lines)
