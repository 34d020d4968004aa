"""False positives of the instruction detector on sentences written apart from it.

    python evals/injection/heldout_negatives.py

evals/injection/heldout_negatives.jsonl holds 150 news and encyclopedia sentences in six
languages, written by someone who had not seen the detector, that an eager filter might flag
(quoted orders, "must", "ignore", "the assistant secretary", "users of the app"); none is an
instruction to the reader or an AI. Prints how many the detector flags, with and without the
sentence vector, and lists them.
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant import guard
from assistant.embed import Embedder

HERE = Path(__file__).resolve().parent


def main() -> None:
    rows = [
        json.loads(line)
        for line in (HERE / "heldout_negatives.jsonl").read_text().splitlines()
        if line.strip()
    ]
    texts = [r["text"] for r in rows]
    vectors = Embedder().embed(texts)
    with_vec = guard.instruction_scores(texts, vectors)
    for name, flagged in (
        (
            "with the sentence vector",
            [t for t, s in zip(texts, with_vec) if s >= guard.model()["full"]["threshold"]],
        ),
        ("text only", [t for t in texts if guard.is_instruction(t)]),
    ):
        print(f"{name}: {len(flagged)} of {len(texts)} flagged")
        for t in flagged:
            print(f"  - {t}")


if __name__ == "__main__":
    main()
