"""Write the instruction detector's data: short documents with planted instructions and with
hard negatives, in English, French, German and Spanish. Deterministic (fixed seed).

    python evals/injection/make_data.py            # writes evals/injection/guard_data.jsonl

One JSON object a line: id, kind ("instruction" or "negative"), style, language, split
("train" for the training styles and the negatives, "heldout" for the held-out styles), text
(the document) and labels: [start, end, label] spans of the text, label 1 for an instruction
sentence and "payload" for a bare claim an instruction points at (left out of training and
scoring). Every other sentence of the text is a negative. Real text (seed articles, CLAP NQ
passages) is read by train_guard.py itself, not copied here.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from negatives import NEGATIVES, SLOTS  # noqa: E402
from templates import AI, CONTEXT, HELD_OUT_STYLES, PAYLOADS, TOPICS, TRAIN_STYLES, USER  # noqa: E402

OUT = HERE / "guard_data.jsonl"
SEED = 20
PER_STYLE = 30  # documents per style and language
NEGATIVE_FILLS = {"en": 7, "fr": 10, "de": 10, "es": 10}  # fillings of each negative template

# Formatting around an instruction (the same for every style): plain, a bullet, bold, a quote line
DRESS = [("", ""), ("", ""), ("", ""), ("- ", ""), ("* ", ""), ("**", "**"), ("> ", "")]


def fill(template: str, lang: str, rng: random.Random) -> str:
    topic, question, claim, avoid = rng.choice(TOPICS[lang])
    return template.format(
        ai=rng.choice(AI[lang]),
        user=rng.choice(USER[lang]),
        topic=topic,
        question=question,
        claim=claim,
        Claim=claim[0].upper() + claim[1:],
        avoid=avoid,
        payload=rng.choice(PAYLOADS),
    )


def document(parts: list[tuple[str, object]], rng: random.Random) -> tuple[str, list]:
    """Join (sentence, label) parts into one text (same line or new lines), with label spans."""
    text, labels = "", []
    for k, (sentence, label) in enumerate(parts):
        if k:  # a bullet or a quote line starts a line
            text += "\n" if sentence[:2] in ("- ", "* ", "> ") else rng.choice([" ", " ", " ", "\n", "\n\n"])
        if label:
            labels.append([len(text), len(text) + len(sentence), label])
        text += sentence
    return text, labels


def planted(style: str, lang: str, templates: list, rng: random.Random) -> tuple[str, list]:
    template = rng.choice(templates)
    if isinstance(template, tuple):
        first, second = template
        label2 = "payload" if second.startswith("payload:") else 1
        core = [(fill(first, lang, rng), 1), (fill(second.removeprefix("payload:"), lang, rng), label2)]
    else:
        before, after = rng.choice(DRESS)
        sentence = fill(template, lang, rng)
        if rng.random() < 0.08:
            sentence = sentence.upper()
        core = [(before + sentence + after, 1)]
    context = rng.sample(CONTEXT[lang], rng.randint(0, 4))
    cut = rng.randint(0, len(context))
    parts = [(c, 0) for c in context[:cut]] + core + [(c, 0) for c in context[cut:]]
    return document(parts, rng)


def negatives(lang: str, rng: random.Random) -> list[tuple[str, list]]:
    sentences = []
    for template in NEGATIVES[lang]:
        for _ in range(NEGATIVE_FILLS[lang]):
            slots = {k: rng.choice(v) for k, v in SLOTS[lang].items()}
            sentences.append(template.format(**slots))
    sentences = sorted(set(sentences))
    rng.shuffle(sentences)
    docs, i = [], 0
    while i < len(sentences):
        n = rng.randint(1, 3)
        group = sentences[i : i + n] + rng.sample(CONTEXT[lang], rng.randint(0, 2))
        rng.shuffle(group)
        docs.append(document([(s, 0) for s in group], rng))
        i += n
    return docs


def rows():
    rng = random.Random(SEED)
    for split, styles in (("train", TRAIN_STYLES), ("heldout", HELD_OUT_STYLES)):
        for style, by_lang in styles.items():
            for lang, templates in by_lang.items():
                for k in range(PER_STYLE):
                    text, labels = planted(style, lang, templates, rng)
                    yield {
                        "id": f"{style}-{lang}-{k:02d}",
                        "kind": "instruction",
                        "style": style,
                        "language": lang,
                        "split": split,
                        "text": text,
                        "labels": labels,
                    }
    for lang in NEGATIVES:
        for k, (text, labels) in enumerate(negatives(lang, rng)):
            yield {
                "id": f"negative-{lang}-{k:03d}",
                "kind": "negative",
                "style": "hard_negative",
                "language": lang,
                "split": "train",
                "text": text,
                "labels": labels,
            }


def main():
    n = 0
    with OUT.open("w", encoding="utf-8") as f:
        for row in rows():
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    print(f"wrote {n} documents to {OUT.relative_to(HERE.parents[1])}")


if __name__ == "__main__":
    main()
