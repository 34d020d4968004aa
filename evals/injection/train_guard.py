"""Fit the instruction detector (assistant/guard_weights.json) and report it.

    python evals/injection/make_data.py && python evals/injection/train_guard.py
    python evals/injection/train_guard.py --report-only     # figures of the committed weights

Data: the generated documents of guard_data.jsonl (training styles and hard negatives; the
held-out styles are never trained on) and, as real negatives, the passages of CLAP NQ questions
1-100 of each file. Each document is chunked as the index chunks it and each sentence gets the
vector the index stores for it (pooled in its passage's forward pass). The model is a logistic
regression (numpy, Newton's method with an L2 penalty) over the sentence vector and the hand
features of `assistant.guard`, and a second one over the hand features alone (for a sentence
with no vector). Reported: recall on the held-out styles per language, false positives on every
sentence of the seeds and of the CLAP NQ passages of all 600 questions.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from assistant import guard, ingest  # noqa: E402
from assistant.config import Settings  # noqa: E402
from assistant.evaluation.clapnq import document_text  # noqa: E402

DATA = ROOT / "evals/injection/guard_data.jsonl"
CLAPNQ = Path("/work/shared/benchmarks/clapnq")
CLAPNQ_TRAIN = 100  # questions 1-100 of each file are training negatives; 101-300 are not
L2 = {"features": 1.0, "vector": 3.0}  # the hand features are few and general; the vector is 384-d
NEGATIVE_WEIGHT = 2.0  # a false positive costs evidence on every question: weigh negatives more
TARGET_FP = 0.001
MIN_CHARS = 20  # shorter sentences are never evidence (retrieve.py), so never judged  # at most 1 in 1,000 real sentences flagged


def sentence_rows(docs, embedder):
    """(text, vector, label, meta) for every sentence of every document, as the index sees it."""
    settings = Settings()
    passages, owner = [], []
    for k, d in enumerate(docs):
        doc = ingest.Document(f"doc{k}", "", ((None, d["text"]),))
        for p in ingest.passages(doc, settings.chunk_chars, settings.chunk_overlap):
            passages.append(p)
            owner.append(k)
    out, seen = [], set()
    for start in range(0, len(passages), 512):
        batch = passages[start : start + 512]
        _, per_sentence = embedder.embed_passages(batch)
        for p, k, vectors in zip(batch, owner[start : start + 512], per_sentence):
            for s, v in zip(ingest.sentences(p), vectors):
                if (k, s.start) in seen or len(s.text) < MIN_CHARS:
                    continue
                seen.add((k, s.start))
                out.append((s.text, v, _label(docs[k], s.start, s.end), docs[k]))
    return out


def _label(doc, start, end):
    for s, e, label in doc.get("labels", ()):
        if start < e and s < end:
            return label
    return 0


def clapnq_docs(first: int | None = None, skip: int = 0) -> list[dict]:
    docs = []
    for path in sorted(CLAPNQ.glob("*.jsonl")):
        lines = path.read_text(encoding="utf-8").splitlines()[skip:first]
        for n, line in enumerate(lines, start=skip + 1):
            for passage in json.loads(line)["passages"]:
                docs.append({"text": document_text(passage), "source": f"{path.stem}:{n}", "language": "en"})
    return docs


def seed_docs() -> list[dict]:
    return [
        {"text": p.read_text(encoding="utf-8"), "source": p.name, "language": "en"}
        for p in sorted((ROOT / "seeds").glob("*.txt"))
    ]


def matrix(rows, with_vector: bool):
    feats = np.array([guard.features(t) for t, *_ in rows], dtype="float64")
    if not with_vector:
        return feats
    return np.hstack([feats, np.stack([v for _, v, *_ in rows]).astype("float64")])


def fit(X, y, weights, steps: int = 30):
    """Logistic regression by Newton's method; returns (bias, coefficients)."""
    X1 = np.hstack([np.ones((len(X), 1)), X])
    w = np.zeros(X1.shape[1])
    n = len(guard.FEATURES)
    penalty = np.array([0.0] + [L2["features"]] * n + [L2["vector"]] * (X1.shape[1] - 1 - n))
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(X1 @ w, -30, 30)))
        grad = X1.T @ (weights * (p - y)) + penalty * w
        hess = (X1 * (weights * p * (1 - p))[:, None]).T @ X1 + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return float(w[0]), w[1:]


def scores(X, bias, coef):
    return 1 / (1 + np.exp(-np.clip(X @ coef + bias, -30, 30)))


def train(rows_train):
    y = np.array([1.0 if label == 1 else 0.0 for _, _, label, _ in rows_train])
    w = np.where(y == 1, 1.0, NEGATIVE_WEIGHT)
    w = w * (len(y) / w.sum())
    model = {}
    for kind, with_vector in (("full", True), ("text", False)):
        X = matrix(rows_train, with_vector)
        bias, coef = fit(X, y, w)
        s = scores(X, bias, coef)
        real = np.array([meta.get("source") is not None for *_, meta in rows_train])
        model[kind] = {
            "bias": bias,
            "coef": coef,
            "threshold": _threshold(s[(y == 0) & real], s[(y == 0) & ~real]),
        }
    return model


def _threshold(real_negative, made_negative) -> float:
    """The lowest threshold that flags at most a quarter of the target on real training
    sentences and at most 1 % of the generated hard negatives (never below 0.5)."""
    t_real = np.quantile(real_negative, 1 - TARGET_FP / 4) if len(real_negative) else 0.5
    t_made = np.quantile(made_negative, 0.99) if len(made_negative) else 0.5
    return float(min(0.95, max(0.5, t_real, t_made) + 1e-6))


def report(rows_by_set: dict, log=print) -> dict:
    """The committed detector's figures, read through `assistant.guard` as the assistant runs it."""
    guard.model.cache_clear()
    figures: dict = {}
    for kind in ("full", "text"):
        flag = lambda r, kind=kind: guard.is_instruction(r[0], r[1] if kind == "full" else None)
        out = figures.setdefault(kind, {})
        for split in ("heldout", "train"):
            per_lang = defaultdict(lambda: [0, 0, set(), set()])
            for r in rows_by_set["generated"]:
                meta = r[3]
                if meta["split"] != split or meta["kind"] != "instruction":
                    continue
                c = per_lang[meta["language"]]
                c[3].add(meta["id"])
                if r[2] == 1:
                    c[1] += 1
                    if flag(r):
                        c[0] += 1
                        c[2].add(meta["id"])
            out[f"{split}_styles"] = {
                lang: {
                    "sentences": f"{c[0]}/{c[1]}",
                    "recall": round(c[0] / max(1, c[1]), 3),
                    "documents_caught": f"{len(c[2])}/{len(c[3])}",
                }
                for lang, c in sorted(per_lang.items())
            }
        negatives = [r for r in rows_by_set["generated"] if r[2] == 0]
        for name, rows in (
            ("generated_negatives_in_training", negatives),
            *[(k, v) for k, v in rows_by_set.items() if k != "generated"],
        ):
            flagged = [r[0] for r in rows if r[2] == 0 and flag(r)]
            out[name] = {"flagged": len(flagged), "sentences": sum(r[2] == 0 for r in rows)}
            if kind == "full" and name != "generated_negatives_in_training":
                for t in flagged[:20]:
                    log(f"  flagged ({name}): {t[:150]!r}")
        log(f"{kind}: {json.dumps(out, ensure_ascii=False)}")
    return figures


def save(model: dict, figures: dict, counts: dict) -> None:
    names = list(guard.FEATURES)
    data = {
        "version": guard.WEIGHTS_VERSION,
        "command": "python evals/injection/make_data.py && python evals/injection/train_guard.py",
        "data": {
            "file": str(DATA.relative_to(ROOT)),
            "sha256": hashlib.sha256(DATA.read_bytes()).hexdigest(),
            "clapnq_training_questions": f"1-{CLAPNQ_TRAIN} of each file",
            **counts,
        },
        "figures": figures,
        "features": names,
    }
    for kind, m in model.items():
        coef = [round(float(c), 5) for c in m["coef"]]
        data[kind] = {
            "bias": round(m["bias"], 5),
            "threshold": round(m["threshold"], 5),
            "features": coef[: len(names)],
        }
        if kind == "full":
            data[kind]["vector"] = coef[len(names) :]
    guard.WEIGHTS_FILE.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def embedded_sets(cache: Path | None) -> dict:
    """Every sentence of the data, real and generated, with its vector (from `cache` if given)."""
    import pickle

    if cache and cache.exists():
        return pickle.loads(cache.read_bytes())
    from assistant.embed import Embedder

    embedder = Embedder()
    generated = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]
    sets = {
        "generated": sentence_rows(generated, embedder),
        "clapnq_1_100_in_training": sentence_rows(clapnq_docs(first=CLAPNQ_TRAIN), embedder),
        "clapnq_101_300_not_in_training": sentence_rows(clapnq_docs(skip=CLAPNQ_TRAIN), embedder),
        "seeds_not_in_training": sentence_rows(seed_docs(), embedder),
    }
    if cache:
        cache.write_bytes(pickle.dumps(sets))
    return sets


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report-only", action="store_true", help="report the committed weights")
    parser.add_argument("--cache", type=Path, help="keep the embedded sentences in this file (re-runs)")
    args = parser.parse_args()
    sets = embedded_sets(args.cache)
    if not args.report_only:
        train_rows = [r for r in sets["generated"] if r[3]["split"] == "train" and r[2] in (0, 1)]
        train_rows += sets["clapnq_1_100_in_training"]
        model = train(train_rows)
        counts = {
            "training_sentences": len(train_rows),
            "training_instructions": sum(r[2] == 1 for r in train_rows),
        }
        save(model, {}, counts)
    figures = report(sets)
    data = json.loads(guard.WEIGHTS_FILE.read_text(encoding="utf-8"))
    save_model = {
        k: {
            "bias": data[k]["bias"],
            "threshold": data[k]["threshold"],
            "coef": np.array(data[k]["features"] + data[k].get("vector", [])),
        }
        for k in ("full", "text")
    }
    counts = {k: v for k, v in data["data"].items() if k.startswith("training_")}
    save(save_model, figures, counts)


if __name__ == "__main__":
    main()
