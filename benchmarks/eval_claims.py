"""Evaluate claim detection on held-out data and measure its throughput.

Usage (from the repository root):

    PYTHONPATH=src python benchmarks/eval_claims.py

Scores the shipped model (through `score_sentences`) and a rule baseline (a sentence is a claim
when `claim_kinds` finds a quantity, a date or a comparison) on the held-out part defined in
`train_claims.split()`: precision, recall and F1 of the positive class on ClaimBuster, and mean
average precision over whole CLEF 2019 transcripts. Writes benchmarks/out/claims.json.
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import average_precision_score, precision_recall_fscore_support

sys.path.insert(0, str(Path(__file__).resolve().parent))

from citecheck.claims import (  # noqa: E402
    claim_kinds,
    is_checkworthy,
    score_sentences,
    split_sentences,
)
from train_claims import DATA, MODEL_PATH, split  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "claims.json"
RULE_KINDS = {"quantity", "temporal", "comparison"}
THROUGHPUT_MB = 20


def rule_score(sentence: str) -> float:
    """The baseline: how many of number, date and comparison the sentence shows (0-3)."""
    return float(len(RULE_KINDS.intersection(claim_kinds(sentence))))


def prf(y: list[int], predicted: list[bool]) -> dict[str, float]:
    p, r, f, _ = precision_recall_fscore_support(
        y, predicted, average="binary", pos_label=1, zero_division=0
    )
    return {"precision": float(p), "recall": float(r), "f1": float(f)}


def mean_ap(docs: dict[str, list[tuple[str, int]]], score: object) -> dict[str, float]:
    per_doc = {}
    for name, rows in docs.items():
        labels = np.array([label for _, label in rows])
        scores = score([text for text, _ in rows])  # type: ignore[operator]
        per_doc[name] = float(average_precision_score(labels, scores))
    return {"map": float(np.mean(list(per_doc.values()))), **per_doc}


def prose(size: int, sentences: list[str], seed: int = 7) -> str:
    """Paragraphs of 2-8 sentences, hard-wrapped at about 80 columns, up to `size` characters."""
    rng = random.Random(seed)
    paragraphs: list[str] = []
    total = 0
    while total < size:
        words = " ".join(rng.choice(sentences) for _ in range(rng.randint(2, 8))).split(" ")
        lines, line = [], ""
        for w in words:
            if len(line) + len(w) > 80:
                lines.append(line)
                line = w
            else:
                line = f"{line} {w}" if line else w
        lines.append(line)
        paragraphs.append("\n".join(lines))
        total += len(paragraphs[-1]) + 2
    return "\n\n".join(paragraphs)


def throughput(text: str) -> dict[str, float]:
    """MB/s of split + kinds + score over `text`, as `citecheck scan` runs them."""
    mb = len(text.encode("utf-8")) / 1e6
    score_sentences(["warm up"])  # load the model outside the timing
    t0 = time.perf_counter()
    spans = split_sentences(text)
    t1 = time.perf_counter()
    sentences = [text[a:b] for a, b in spans]
    kinds = [claim_kinds(s) for s in sentences]
    t2 = time.perf_counter()
    scores = score_sentences(sentences)
    t3 = time.perf_counter()
    assert len(kinds) == len(scores)
    return {
        "megabytes": round(mb, 2),
        "sentences": len(spans),
        "split_mb_s": mb / (t1 - t0),
        "kinds_mb_s": mb / (t2 - t1),
        "score_mb_s": mb / (t3 - t2),
        "total_mb_s": mb / (t3 - t0),
        "claims": sum(is_checkworthy(s) for s in scores),
    }


def main() -> int:
    if not DATA.is_dir():
        print(f"skipped: no labelled data at {DATA} (the shared data folder is absent)")
        return 0
    data = split()
    cb_text = [s.text for s in data.claimbuster_test]
    cb_y = [s.label for s in data.claimbuster_test]
    clef = {name: [(s.text, s.label) for s in doc] for name, doc in data.clef_test.items()}

    model_scores = score_sentences(cb_text)
    rules = [rule_score(s) for s in cb_text]
    results = {
        "model_file": str(MODEL_PATH.relative_to(MODEL_PATH.parents[3])),
        "model_kB": round(MODEL_PATH.stat().st_size / 1e3),
        "held_out": {
            "claimbuster_sentences": len(cb_text),
            "claimbuster_positives": sum(cb_y),
            "clef_transcripts": sorted(clef),
        },
        "model": {
            "claimbuster": prf(cb_y, [is_checkworthy(s) for s in model_scores]),
            "clef": mean_ap(clef, score_sentences),
        },
        "rules": {
            "claimbuster": prf(cb_y, [r > 0 for r in rules]),
            "clef": mean_ap(clef, lambda texts: [rule_score(t) for t in texts]),
        },
        "targets": {"claimbuster_f1": 0.83, "clef_map": 0.166},
    }
    text = prose(THROUGHPUT_MB * 1_000_000, [s.text for s in data.train])
    results["throughput"] = throughput(text)

    print(f"{'':26}{'precision':>10}{'recall':>10}{'F1':>8}{'CLEF MAP':>10}")
    for name in ("model", "rules"):
        cb = results[name]["claimbuster"]
        print(
            f"{name + ' (ClaimBuster held-out)':26}{cb['precision']:>10.3f}{cb['recall']:>10.3f}"
            f"{cb['f1']:>8.3f}{results[name]['clef']['map']:>10.3f}"
        )
    print("targets: F1 0.83 (ClaimBuster), MAP 0.166 (CLEF 2019)")
    tp = results["throughput"]
    print(
        f"throughput on {tp['megabytes']} MB of prose ({tp['sentences']} sentences): "
        f"split {tp['split_mb_s']:.1f}, kinds {tp['kinds_mb_s']:.1f}, "
        f"score {tp['score_mb_s']:.1f}, total {tp['total_mb_s']:.2f} MB/s"
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
