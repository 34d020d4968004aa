"""Score finished eval runs again with this checkout's figures, in place.

    python evals/rescore.py evals/results/RUN [RUN ...]

For a run made before a figure existed (a new metric, or a run of older code, which may lack
`scores.right`): `right` is filled as `score.is_right` decides it (the keywords for a keyword
set, a gold citation for CLAP NQ; never for an unanswerable question), then summary.json,
report.md and the charts are written again from results.jsonl, which is not changed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assistant.evaluation.report import ReportWriter


def filled(row: dict) -> dict:
    s = row["scores"]
    if "declined" in s and "right" not in s:
        if s["declined"]:
            right = None
        elif not row["answerable"]:
            right = False
        else:
            right = s["correct"] if s.get("correct") is not None else s["cited_on_gold"] > 0
        row = {**row, "scores": {**s, "right": right}}
    return row


def rescore(folder: Path) -> dict:
    meta = json.loads((folder / "summary.json").read_text(encoding="utf-8"))["meta"]
    with open(folder / "results.jsonl", encoding="utf-8") as f:
        rows = [filled(json.loads(line)) for line in f if line.strip()]
    writer = ReportWriter.__new__(ReportWriter)  # the rows are read, not appended
    writer.folder, writer.meta, writer.rows = folder, meta, rows
    writer._file = open(folder / "results.jsonl", encoding="utf-8")  # closed by finish; never written
    summary = writer.finish(complete=not meta.get("interrupted")).summary
    data = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    data["meta"]["finished"] = meta.get("finished")  # when the run ended, not this rescoring
    data["meta"]["rescored"] = "python evals/rescore.py"
    (folder / "summary.json").write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="+", type=Path)
    for folder in parser.parse_args().runs:
        s = rescore(folder)
        print(
            f"{folder.name}: wrong among shown {s.get('wrong_among_shown')}, right among answerable "
            f"{s.get('right_among_answerable')}, answered {s.get('shown')}"
        )


if __name__ == "__main__":
    main()
