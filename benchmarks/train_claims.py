"""Train the check-worthiness model and write src/citecheck/resources/claim-model.npz.

Usage (from the repository root):

    PYTHONPATH=src python benchmarks/train_claims.py            # train and write the model
    PYTHONPATH=src python benchmarks/train_claims.py --explore  # compare settings by validation

The held-out data (`split()` below, also used by `eval_claims.py`) is never seen here: 20% of
ClaimBuster (stratified, fixed seed) and a fixed set of whole CLEF 2019 transcripts. Settings and
the decision threshold are chosen by cross-validation on the training part only.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, f1_score, precision_recall_curve
from sklearn.model_selection import StratifiedKFold, train_test_split

from citecheck.claims.scoring import (
    _SEPARATOR,
    CHECKWORTHY_THRESHOLD,
    MODEL_RESOURCE,
    feature_scale,
    featurize,
    tokenize,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "claims"
MODEL_PATH = ROOT / "src" / "citecheck" / "resources" / MODEL_RESOURCE

SEED = 20190
TEST_FRACTION = 0.2
HELD_OUT_TRANSCRIPTS = 6  # whole CLEF 2019 transcripts, picked with SEED

# Chosen with --explore (cross-validation on the training part only).
SETTINGS = {"c": 10.0, "min_df": 2, "clef": False, "clef_weight": 1.0, "class_weight": "balanced"}


@dataclass
class Sentence:
    text: str
    label: int
    source: str  # "claimbuster" or the CLEF transcript's file name


@dataclass
class Split:
    train: list[Sentence]
    claimbuster_test: list[Sentence]
    clef_test: dict[str, list[Sentence]]  # transcript name -> sentences in document order


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def load_claimbuster() -> list[Sentence]:
    rows = json.loads((DATA / "claimbuster-train.json").read_text(encoding="utf-8"))
    return [Sentence(r["text"], int(r["label"]), "claimbuster") for r in rows]


def load_clef() -> dict[str, list[Sentence]]:
    docs: dict[str, list[Sentence]] = {}
    for path in sorted((DATA / "clef2019-training").glob("*.tsv")):
        rows = []
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.rstrip("\r").split("\t")
            if len(parts) == 4:
                rows.append(Sentence(parts[2], int(parts[3]), path.name))
        docs[path.name] = rows
    return docs


def split() -> Split:
    """The fixed split: the same on every run, shared with eval_claims.py."""
    claimbuster = load_claimbuster()
    labels = [s.label for s in claimbuster]
    cb_train, cb_test = train_test_split(
        claimbuster, test_size=TEST_FRACTION, stratify=labels, random_state=SEED
    )
    clef = load_clef()
    held_out = sorted(random.Random(SEED).sample(sorted(clef), HELD_OUT_TRANSCRIPTS))
    clef_test = {name: clef[name] for name in held_out}
    # ClaimBuster and CLEF share the 2016 debates: drop any training sentence that also occurs
    # in held-out data, so that nothing tested on was trained on.
    unseen = {_norm(s.text) for s in cb_test}
    unseen |= {_norm(s.text) for doc in clef_test.values() for s in doc}
    train = [s for s in cb_train if _norm(s.text) not in unseen]
    train += [
        s
        for name, doc in clef.items()
        if name not in clef_test
        for s in doc
        if _norm(s.text) not in unseen
    ]
    return Split(train=train, claimbuster_test=cb_test, clef_test=clef_test)


# --- features and fitting ------------------------------------------------------------------


def build_vocabulary(texts: list[str], min_df: int) -> tuple[dict[bytes, int], np.ndarray]:
    """Words and bigrams seen in at least `min_df` training sentences."""
    df: dict[bytes, int] = {}
    pair_df: dict[tuple[bytes, bytes], int] = {}
    for text in texts:
        tokens = tokenize([text])
        for w in set(tokens[1:]):
            df[w] = df.get(w, 0) + 1
        for pair in set(zip(tokens, tokens[1:], strict=False)):
            pair_df[pair] = pair_df.get(pair, 0) + 1
    words = sorted(w for w, n in df.items() if n >= min_df)
    words.append(_SEPARATOR)
    vocabulary = {w: i for i, w in enumerate(words)}
    size = len(vocabulary)
    codes = sorted(
        vocabulary[a] * size + vocabulary[b]
        for (a, b), n in pair_df.items()
        if n >= min_df and a in vocabulary and b in vocabulary
    )
    return vocabulary, np.array(codes, dtype=np.int64)


def matrix(
    texts: list[str], vocabulary: dict[bytes, int], bigrams: np.ndarray
) -> sparse.csr_matrix:
    """The exact features `score_sentences` computes: counts scaled by 1/sqrt(n)."""
    f = featurize(texts, vocabulary, bigrams)
    scale = feature_scale(f)
    shape = (len(texts), len(vocabulary) + len(bigrams))
    return sparse.csr_matrix((scale[f.sentence], (f.sentence, f.feature)), shape=shape)


@dataclass
class Fitted:
    vocabulary: dict[bytes, int]
    bigrams: np.ndarray
    weights: np.ndarray
    bias: float

    def decision(self, texts: list[str]) -> np.ndarray:
        x = matrix(texts, self.vocabulary, self.bigrams)
        return np.asarray(x @ self.weights + self.bias)


def fit(train: list[Sentence], settings: dict) -> Fitted:
    use = [s for s in train if settings["clef"] or s.source == "claimbuster"]
    texts = [s.text for s in use]
    y = np.array([s.label for s in use])
    weight = np.array([1.0 if s.source == "claimbuster" else settings["clef_weight"] for s in use])
    vocabulary, bigrams = build_vocabulary(texts, settings["min_df"])
    model = LogisticRegression(
        C=settings["c"], class_weight=settings["class_weight"], max_iter=2000, solver="lbfgs"
    )
    model.fit(matrix(texts, vocabulary, bigrams), y, sample_weight=weight)
    return Fitted(vocabulary, bigrams, model.coef_[0].copy(), float(model.intercept_[0]))


def best_threshold(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """The probability threshold with the best F1 on (y, p), and that F1."""
    precision, recall, thresholds = precision_recall_curve(y, p)
    f1 = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    k = int(np.argmax(f1[:-1]))
    return float(thresholds[k]), float(f1[k])


def validate(train: list[Sentence], settings: dict, folds: int = 5) -> dict[str, float]:
    """Cross-validated F1 (ClaimBuster part) and MAP (CLEF transcripts) on training data only."""
    cb = [s for s in train if s.source == "claimbuster"]
    clef = [s for s in train if s.source != "claimbuster"]
    names = sorted({s.source for s in clef})
    y = np.array([s.label for s in cb])
    oof = np.zeros(len(cb))
    aps: list[float] = []
    kfold = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    for k, (fit_idx, val_idx) in enumerate(kfold.split(cb, y)):
        held = set(names[k::folds])  # every transcript is validated on exactly once
        part = [cb[i] for i in fit_idx] + [s for s in clef if s.source not in held]
        model = fit(part, settings)
        oof[val_idx] = _sigmoid(model.decision([cb[i].text for i in val_idx]))
        for name in held:
            doc = [s for s in clef if s.source == name]
            labels = np.array([s.label for s in doc])
            if labels.any():
                aps.append(average_precision_score(labels, model.decision([s.text for s in doc])))
    threshold, f1 = best_threshold(y, oof)
    return {
        "f1": f1,
        "threshold": threshold,
        "f1_at_half": float(f1_score(y, oof >= 0.5)),
        "map": float(np.mean(aps)) if aps else 0.0,
    }


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def write(model: Fitted, threshold: float, path: Path = MODEL_PATH) -> None:
    # Shift the bias so that the validated threshold becomes CHECKWORTHY_THRESHOLD.
    shift = math.log(threshold / (1 - threshold)) - math.log(
        CHECKWORTHY_THRESHOLD / (1 - CHECKWORTHY_THRESHOLD)
    )
    words = sorted(model.vocabulary, key=model.vocabulary.__getitem__)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        vocabulary=np.array("\n".join(w.decode("ascii") for w in words)),
        bigrams=model.bigrams,
        weights=model.weights.astype(np.float32),
        bias=np.array(model.bias - shift),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--explore", action="store_true", help="compare settings, write nothing")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"skipped: no training data at {DATA}")
        return 0
    data = split()
    print(
        f"train: {len(data.train)} sentences; held out: {len(data.claimbuster_test)} ClaimBuster, "
        f"CLEF {', '.join(data.clef_test)}"
    )
    if args.explore:
        for clef in (False, True):
            for c in (0.3, 1.0, 3.0, 10.0):
                for class_weight in (None, "balanced"):
                    settings = dict(SETTINGS, c=c, clef=clef, class_weight=class_weight)
                    result = validate(data.train, settings)
                    print(json.dumps(settings), {k: round(v, 4) for k, v in result.items()})
                    sys.stdout.flush()
        return 0
    result = validate(data.train, SETTINGS)
    print("validation:", {k: round(v, 4) for k, v in result.items()})
    model = fit(data.train, SETTINGS)
    write(model, result["threshold"])
    print(f"wrote {MODEL_PATH} ({MODEL_PATH.stat().st_size / 1e3:.0f} kB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
