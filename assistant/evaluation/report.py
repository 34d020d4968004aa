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
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from .. import redact
from .charts import write_charts
from .score import KS, by_category, out_of_fold_summary, summarize

DEFINITIONS = """## What the figures mean

- **Wrong among the answers shown** (the headline): of the answers shown, the share that is
  wrong: an answerable question answered wrongly, or an unanswerable one answered at all.
  Declined questions and those shown only the closest passages are not answers.
  **Right answers among answerable questions**: answerable questions answered right. An answer
  is right when it holds every expected keyword group (a question set with keywords) or cites a
  gold sentence (CLAP NQ).
- **AUROC of the confidence (right drafts)**: the chance that a random draft that would be right
  scores above one that would not. On a set the gate was fitted on, only the **out-of-fold**
  figure is honest (each question scored by a gate fitted without it; `evals/calibrate.py`).
- **Answer accuracy**: answerable questions whose answer contains every expected keyword group.
- **Citation precision of the answers shown**: of the citations of answers shown (not the
  closest passages), the share on a gold quote. **Closest passages holding a gold quote**: of the
  answerable questions shown the closest passages instead of an answer, the share where one of
  them is a gold quote (the answer is there for the reader to see).
- **Citation precision**: of the citations given to answerable questions (answers and closest
  passages alike), the share whose span overlaps a gold quote. **Citation recall**: answerable
  questions with at least one citation on a gold quote. **Exact quotes**: citations whose quote
  is exactly the source text at its offsets.
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


ROLES = {
    "tuning": "tuning: the gate is fitted on this set, so its figures are in-sample",
    "choosing": "choosing: held out from fitting, used to choose between alternatives",
    "test": "test: used for no choice, run only to report",
    "other": "a set outside the project's splits",
}


# (key in summary.json, label): the order of every table
METRICS = [
    ("questions", "Questions"),
    ("wrong_among_shown", "Wrong among the answers shown"),
    ("right_among_answerable", "Right answers among answerable questions"),
    ("shown", "Questions answered"),
    ("closest_shown", "Questions shown the closest passages instead"),
    ("citation_precision_shown", "Citation precision of the answers shown"),
    ("closest_holds_gold", "Closest passages holding a gold quote"),
    ("auroc_right", "AUROC of the confidence: right drafts vs the rest"),
    ("auroc_right_oof", "AUROC of the confidence, out of fold (tuning sets)"),
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
        parts = [f"# Eval report: {m['label']}", "", *self.warnings(), markdown_table(["", ""], self.head())]
        parts += ["", "## Summary", "", self.table(), "", "## By category", "", self.category_table(), ""]
        parts += ["Correct: answer accuracy; for `unanswerable`, the share declined.", ""]
        parts += [f"![{name}]({name})\n" for name in charts]
        parts += [DEFINITIONS, ""]
        if self.failures:
            rows = [list(f) for f in self.failures]
            parts += [
                "## Questions not right",
                "",
                markdown_table(["id", "category", "question", "why"], rows),
                "",
            ]
        settings = [[k, f"`{v}`"] for k, v in m["settings"].items()]
        parts += ["## Settings", "", markdown_table(["Setting", "Value"], settings), ""]
        return "\n".join(parts)

    def warnings(self) -> list[str]:
        """Bold lines above the figures when they are not those of the whole set on a clean index."""
        m, out = self.meta, []
        if m.get("sample"):
            out.append(f"**Asked {m['sample']}: the figures are the sample's, not the whole set's.**")
        if m["index"].get("foreign"):
            out.append(
                f"**The index held {m['index']['foreign']} document(s) outside the question set's folders: "
                "they compete with the gold passages, so this is not a clean run.**"
            )
        return [*(f"{w}\n" for w in out)]

    def head(self) -> list[list[str]]:
        """What was run, on what, with what: the table at the top of report.md."""
        m, idx = self.meta, self.meta["index"]
        status = (
            "complete"
            if self.complete
            else f"interrupted after {m['questions_done']} of {m['questions_total']} questions"
        )
        return [
            ["Started", m["started"]],
            ["Command", f"`{m['command']}`" if m["command"] else "n/a (library call)"],
            ["Code version", m["code_version"] + (" (uncommitted changes)" if m["dirty"] else "")],
            ["Model", m["model"] or "none (retrieval only)"],
            ["Question set", m["question_set"] + (f"; {m['sample']}" if m.get("sample") else "")],
            ["Role of the set", ROLES.get(m.get("role", "other"), "n/a")],
            ["Status", f"{status}; {m['questions_done']} scored"],
            ["Index", f"{idx['path']}, generation {idx['generation']}, {idx['passages']} passages"],
            ["Settings fingerprint", m["fingerprint"]],
        ]


class ReportWriter:
    """Appends each question's row to results.jsonl as it finishes; `finish` writes the rest."""

    def __init__(self, folder: Path, meta: dict):
        self.folder, self.meta = folder, meta
        self.rows: list[dict] = []
        self._file = open(folder / "results.jsonl", "w", encoding="utf-8")

    @classmethod
    def create(cls, parent: Path, label: str, meta: dict) -> ReportWriter:
        label = redact.redact(label)
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
        summary = summarize(self.rows)
        if meta.get("tuning"):  # a set the gate was fitted on: its figures are in-sample
            summary.update(out_of_fold_summary(self.rows))
        report = Report(self.folder, meta, summary, by_category(self.rows), failures(self.rows))
        (self.folder / "summary.json").write_text(
            json.dumps(report.to_json(), indent=1, ensure_ascii=False), encoding="utf-8"
        )
        columns = RETRIEVAL_COLUMNS if meta.get("retrieval_only") else CATEGORY_COLUMNS
        charts = write_charts(
            self.folder, meta["label"], report.categories, columns, self.rows, meta.get("threshold")
        )
        (self.folder / "report.md").write_text(report.markdown(charts), encoding="utf-8")
        return report


def run_meta(settings, assistant, set_name: str, items: list, retrieval_only: bool, command: str) -> dict:
    """What a report says about its run: enough for `compare` to tell whether two runs asked the
    same questions of the same documents with the same settings and model. Every URL and secret
    in it is redacted (`redact`): a store URL's password never reaches a report."""
    from ..gate import threshold

    version, dirty = code_version(settings.root)
    resources = assistant.resources
    manifest = resources.store.manifest() or {}
    secrets = redact.secrets(settings)
    return {
        "started": datetime.now().isoformat(timespec="seconds"),
        "command": redact.redact(command, secrets),
        "code_version": version,
        "dirty": dirty,
        "model": None if retrieval_only else resources.model_name,
        "retrieval_only": retrieval_only,
        "question_set": set_name,
        "questions_total": len(items),
        "questions_hash": digest(sorted(item.id for item in items)),
        "fingerprint": settings.fingerprint(),
        "threshold": threshold(resources.gate, settings.max_risk),  # the gate's, to mark on charts
        "index": {
            "path": relative(settings.index_path, settings.root),
            "generation": manifest.get("generation"),  # the folder store's newest segment
            "passages": resources.store.count(),
            "documents": digest(sorted((s, m.get("sha256")) for s, m in resources.store.sources().items())),
            "settings": manifest.get("settings"),
        },
        "settings": {
            k: relative(v, settings.root) if isinstance(v, Path) else _redacted(v, secrets)
            for k, v in asdict(settings).items()
            if k != "llm_api_key"  # a secret: never written into a report
        },
    }


def digest(value) -> str:
    """A short hash of a JSON-able value: the same questions or documents give the same one."""
    import hashlib

    return hashlib.sha256(json.dumps(value, ensure_ascii=False).encode()).hexdigest()[:12]


def _redacted(value, secrets: list[str]):
    return redact.redact(value, secrets) if isinstance(value, str) else value


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
