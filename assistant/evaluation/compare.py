"""Two eval reports side by side, and whether that comparison means anything.

    assistant eval --compare evals/results/A evals/results/B

A difference in a figure is a change only when both runs asked the same questions of the same
documents with the same settings; `differences` names what is not the same (question set,
index, settings fingerprint, model), and the comparison starts with it in bold. Comparing two
models on one set is what --compare is for: the warning then names the model alone. Below the
figures, `same_answers` says per question whether the two runs gave the same answer.
"""

from __future__ import annotations

import json
from pathlib import Path

from .report import METRICS, fmt, markdown_table
from .sets import BadEvalSet


def load_report(name, results_dir: Path) -> dict:
    """summary.json of a report folder, given as a path or a folder name under results_dir."""
    path = _folder(name, results_dir)
    try:
        data = json.loads((path / "summary.json").read_text(encoding="utf-8"))
        data["summary"], data["meta"]
    except (OSError, ValueError, KeyError, TypeError):
        raise BadEvalSet(
            f"{path} has no readable summary.json; pass a report folder written by assistant eval"
        ) from None
    return data


def compare(a, b, results_dir: Path) -> str:
    """Two reports' summary figures side by side, with B minus A; first, in bold, what differs
    between the runs other than the code."""
    ra, rb = load_report(a, results_dir), load_report(b, results_dir)
    rows = [[k, _meta(ra, k), _meta(rb, k), ""] for k in ("label", "model", "question_set")]
    rows += [
        [k, _meta(ra, k), _meta(rb, k), ""] for k in ("sample", "fingerprint", "code_version", "started")
    ]
    rows.append(["index", _index(ra["meta"]), _index(rb["meta"]), ""])
    for key, label in METRICS:
        va, vb = ra["summary"].get(key), rb["summary"].get(key)
        if va is not None or vb is not None:
            rows.append([label, fmt(va), fmt(vb), _diff(va, vb)])
    table = markdown_table(["", f"A: {Path(a).name}", f"B: {Path(b).name}", "B − A"], rows)
    differ = differences(ra["meta"], rb["meta"])
    warning = f"**Not like for like: {'; '.join(differ)}.**\n\n" if differ else ""
    return warning + table + "\n\n" + same_answers(_folder(a, results_dir), _folder(b, results_dir))


def differences(a: dict, b: dict) -> list[str]:
    """What differs between two runs' meta besides the code, one phrase each ([] if nothing).

    >>> m = {"question_set": "s.jsonl", "questions_total": 106, "fingerprint": "f1", "model": "qwen",
    ...      "index": {"path": "index", "passages": 116}}
    >>> differences(m, {**m, "questions_total": 12, "sample": "a stratified sample of 12 of 106"})
    ['the question sets differ (A: s.jsonl, 106 questions; B: s.jsonl, a stratified sample of 12 of 106)']
    >>> differences(m, {**m, "model": "smollm2"})
    ['the models differ (A: qwen; B: smollm2)']
    """
    out = []
    if not _same(a, b, lambda m: m.get("questions_hash"), _questions):
        out.append(f"the question sets differ (A: {_set(a)}; B: {_set(b)})")
    if not _same(a, b, lambda m: (m.get("index") or {}).get("documents"), _documents):
        out.append(f"the indexes differ (A: {_index(a)}; B: {_index(b)})")
    if a.get("fingerprint") != b.get("fingerprint"):
        out.append(f"the settings differ (fingerprint A: {a.get('fingerprint')}; B: {b.get('fingerprint')})")
    if a.get("model") != b.get("model"):
        out.append(f"the models differ (A: {a.get('model') or 'none'}; B: {b.get('model') or 'none'})")
    return out


def _same(a: dict, b: dict, exact, rough) -> bool:
    """Equal by `exact` (a hash newer reports record) when both have it, else by `rough`."""
    if exact(a) and exact(b):
        return exact(a) == exact(b)
    return rough(a) == rough(b)


def _questions(m: dict):
    """What older reports say of the questions asked: the set, the count, the sample."""
    return (m.get("question_set"), m.get("questions_total"), m.get("sample") or "")


def _documents(m: dict):
    """What older reports say of the index: its folder and its passages."""
    idx = m.get("index") or {}
    return (idx.get("path"), idx.get("passages"))


def _set(m: dict) -> str:
    return f"{m.get('question_set')}, " + (_sample(m) or f"{m.get('questions_total')} questions")


def _sample(m: dict) -> str:
    """'a stratified sample of 12 of 106 questions (seed 0)', without the count per category."""
    return (m.get("sample") or "").split(":")[0]


def _index(m: dict) -> str:
    idx = m.get("index") or {}
    foreign = f", {idx['foreign']} documents outside the set's folders" if idx.get("foreign") else ""
    return f"{idx.get('path')}, {idx.get('passages')} passages{foreign}"


def _meta(r: dict, k: str) -> str:
    dirty = " (dirty)" if k == "code_version" and r["meta"].get("dirty") else ""
    if k == "sample":
        return _sample(r["meta"]) or "all questions"
    return str(r["meta"].get(k) or "n/a") + dirty


def _diff(va, vb) -> str:
    if va is None or vb is None:
        return ""
    return f"{vb - va:+d}" if isinstance(va, int) and isinstance(vb, int) else f"{vb - va:+.2f}"


def _folder(name, results_dir: Path) -> Path:
    path = Path(name)
    return path if path.is_dir() or not (Path(results_dir) / name).is_dir() else Path(results_dir) / name


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
