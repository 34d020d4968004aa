"""`assistant eval`: score a question set, or compare two reports."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .options import make_settings, settings_options


@click.command("eval")
@click.option(
    "--questions",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Question set, JSONL as in evals/README.md (default: evals/seed_questions.jsonl).",
)
@click.option(
    "--dataset",
    help="Run a benchmark instead: clapnq, or the folder with its files. "
    "Uses its own index in .cache/clapnq.",
)
@click.option("--retrieval-only", is_flag=True, help="Score retrieval alone, with no LLM (fast).")
@click.option(
    "--limit",
    type=click.IntRange(1),
    help="Ask only N questions: a sample across the categories, drawn by --seed (for --dataset, "
    "N alternating answerable/not). The report says it is a sample.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Draws the --limit sample, and shuffles the questions drawn from --dataset.",
)
@click.option(
    "--block",
    metavar="FIRST-LAST",
    callback=lambda c, p, v: parse_block(v),
    help="With --dataset: questions FIRST..LAST of each file, in file order "
    "(1-100 fit, 101-250 choose between alternatives, 251-300 is the test block).",
)
@click.option("--label", help="Name for the report folder (default: set and model).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where report folders go (default: evals/results).",
)
@click.option(
    "--compare",
    nargs=2,
    metavar="A B",
    help="Show two report folders' figures side by side, saying first what differs between the "
    "runs (questions, index, settings, model), and exit.",
)
@click.option("--json", "as_json", is_flag=True, help="Print summary.json on stdout.")
@settings_options
def eval_command(compare, out, as_json, model, top_k, index_dir, **chosen):
    """Score answers, citations, abstention, retrieval and latency on a question set.

    The seed set is asked of its own index of seeds/ (.cache/seed-index, updated when the seeds
    change), not of your index, unless --index, --store or --collection is given. Writes
    evals/results/<time>-<label>/ (report.md, summary.json, results.jsonl, charts) and prints
    the summary. Ctrl-C stops early and keeps the questions already scored.

    Example usage:

    \b
        assistant eval --retrieval-only
        assistant eval --model smollm2 --limit 14 --seed 1
        assistant eval --dataset clapnq --limit 100
        assistant eval --compare evals/results/A evals/results/B
    """
    import shlex

    from ..evaluation import run

    settings, model = make_settings(index_dir, top_k, model)
    results_dir = out or settings.root / "evals" / "results"
    if compare:
        return show_comparison(compare[0], compare[1], results_dir=results_dir)
    if chosen["questions"] and chosen["dataset"]:
        raise click.UsageError("use --questions or --dataset, not both")
    command = shlex.join(["assistant", *sys.argv[1:]])
    result = run.run_eval(settings, model=model, out=results_dir, command=command, **chosen)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=1, ensure_ascii=False))
    else:
        click.echo(f"{result.table()}\n\n{result.category_table()}")
    click.echo(f"Report: {result.folder / 'report.md'}", err=True)
    if not result.complete:
        done, total = result.meta["questions_done"], result.meta["questions_total"]
        click.echo(f"Interrupted: {done} of {total} questions scored.", err=True)
        sys.exit(130)


def show_comparison(a, b, results_dir: Path) -> None:
    """Print `compare`'s tables; its warning (what differs between the runs) in bold."""
    from ..evaluation.compare import compare

    for line in compare(a, b, results_dir=results_dir).splitlines():
        bold = line.startswith("**") and line.endswith("**")
        click.echo(click.style(line, bold=True) if bold else line)


def parse_block(value):
    if value is None:
        return None
    try:
        first, last = (int(x) for x in value.split("-"))
    except ValueError:
        raise click.BadParameter(f"{value!r}: write it as FIRST-LAST, e.g. 101-250") from None
    if not 1 <= first <= last:
        raise click.BadParameter(f"{value!r}: FIRST must be at least 1 and at most LAST")
    return first, last
