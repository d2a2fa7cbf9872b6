"""Evaluate claim detection on held-out data and measure its throughput.

Usage (from the repository root):

    PYTHONPATH=src python benchmarks/eval_claims.py

Scores the shipped models and a rule baseline (a sentence is a claim when `claim_kinds` finds a
quantity, a date or a comparison) on the held-out part defined in `train_claims.split()`:
precision, recall and F1 of the positive class on ClaimBuster, and mean average precision over
whole CLEF 2019 transcripts. Writes benchmarks/out/claims.json.

"model" is what the app runs on a normal-size document: the held-out sentences go through
`score_sentences` as documents of `DOCUMENT_SENTENCES` sentences (each CLEF transcript cut into
such documents, in order), and the path `scoring_path` took for them is reported; every score
depends on its sentence alone, so the cut changes nothing but the path. "fast" is the fast
model that documents beyond `TRANSFORMER_BUDGET` sentences get (`score_fast`), and the
throughput is measured on 20 MB of prose, which takes that path.
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
from citecheck.claims.scoring import (  # noqa: E402
    TRANSFORMER_BUDGET,
    score_fast,
    scoring_path,
)
from citecheck.claims.transformer import MODEL_RESOURCE, TOKENIZER_RESOURCE  # noqa: E402
from train_claims import DATA, MODEL_PATH, split  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "claims.json"
RULE_KINDS = {"quantity", "temporal", "comparison"}
THROUGHPUT_MB = 20
DOCUMENT_SENTENCES = 200  # a normal draft: some 4,000 words
RESOURCES = MODEL_PATH.parent
TRANSFORMER_FILES = [RESOURCES / MODEL_RESOURCE, RESOURCES / TOKENIZER_RESOURCE]
PATHS: set[str] = set()  # the scoring paths `as_documents` went through


def as_documents(texts: list[str]) -> list[float]:
    """`score_sentences` over `texts` cut into documents of DOCUMENT_SENTENCES sentences."""
    out: list[float] = []
    for i in range(0, len(texts), DOCUMENT_SENTENCES):
        part = texts[i : i + DOCUMENT_SENTENCES]
        PATHS.add(scoring_path(len(part)))
        out.extend(score_sentences(part))
    return out


def sentences_per_second(texts: list[str], score: object) -> float:
    score(texts[:10])  # type: ignore[operator]  # load outside the timing
    t0 = time.perf_counter()
    score(texts)  # type: ignore[operator]
    return len(texts) / (time.perf_counter() - t0)


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
    score_fast(["warm up"])  # load the model outside the timing (this size takes the fast path)
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
        "path": scoring_path(len(sentences)),
    }


def main() -> int:
    if not DATA.is_dir():
        print(f"skipped: no labelled data at {DATA} (the shared data folder is absent)")
        return 0
    data = split()
    cb_text = [s.text for s in data.claimbuster_test]
    cb_y = [s.label for s in data.claimbuster_test]
    clef = {name: [(s.text, s.label) for s in doc] for name, doc in data.clef_test.items()}

    model_scores = as_documents(cb_text)
    fast_scores = score_fast(cb_text)
    rules = [rule_score(s) for s in cb_text]
    results = {
        "model_files": {
            str(p.relative_to(MODEL_PATH.parents[3])): round(p.stat().st_size / 1e3)
            for p in [MODEL_PATH, *TRANSFORMER_FILES]
            if p.is_file()
        },
        "held_out": {
            "claimbuster_sentences": len(cb_text),
            "claimbuster_positives": sum(cb_y),
            "clef_transcripts": sorted(clef),
        },
        "model": {
            "claimbuster": prf(cb_y, [is_checkworthy(s) for s in model_scores]),
            "clef": mean_ap(clef, as_documents),
        },
        "model_path": {
            "document_sentences": DOCUMENT_SENTENCES,
            "paths": sorted(PATHS),
            "transformer_budget": TRANSFORMER_BUDGET,
        },
        "fast": {
            "claimbuster": prf(cb_y, [is_checkworthy(s) for s in fast_scores]),
            "clef": mean_ap(clef, score_fast),
        },
        "rules": {
            "claimbuster": prf(cb_y, [r > 0 for r in rules]),
            "clef": mean_ap(clef, lambda texts: [rule_score(t) for t in texts]),
        },
        "targets": {"claimbuster_f1": 0.83, "clef_map": 0.166},
    }
    text = prose(THROUGHPUT_MB * 1_000_000, [s.text for s in data.train])
    results["throughput"] = throughput(text)
    results["sentences_per_second"] = {
        "model": sentences_per_second(cb_text, as_documents),
        "fast": sentences_per_second(cb_text, score_fast),
    }

    print(f"{'':26}{'precision':>10}{'recall':>10}{'F1':>8}{'CLEF MAP':>10}")
    for name in ("model", "fast", "rules"):
        cb = results[name]["claimbuster"]
        print(
            f"{name + ' (ClaimBuster held-out)':26}{cb['precision']:>10.3f}{cb['recall']:>10.3f}"
            f"{cb['f1']:>8.3f}{results[name]['clef']['map']:>10.3f}"
        )
    print("targets: F1 0.83 (ClaimBuster), MAP 0.166 (CLEF 2019)")
    print(
        f"model: path {'+'.join(sorted(PATHS))} (documents of {DOCUMENT_SENTENCES} sentences, "
        f"transformer budget {TRANSFORMER_BUDGET}); sentences/s: "
        f"model {results['sentences_per_second']['model']:.0f}, "
        f"fast {results['sentences_per_second']['fast']:.0f}"
    )
    print("files: " + ", ".join(f"{k} {v} kB" for k, v in results["model_files"].items()))
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
