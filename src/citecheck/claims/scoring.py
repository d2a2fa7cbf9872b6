"""Score how check-worthy sentences are: a fine-tuned transformer, or a fast linear model.

`score_sentences` picks the model by the size of the document. Up to `TRANSFORMER_BUDGET`
sentences (any ordinary draft) the fine-tuned transformer of `citecheck.claims.transformer`
scores them, more accurate but a few hundred sentences a second; bigger inputs, and any place
where onnxruntime or its model file is missing, get the fast model below, tens of thousands of
sentences a second. Both are calibrated to the same `CHECKWORTHY_THRESHOLD`.

The fast model (trained by `benchmarks/train_claims.py`) is a logistic regression over two feature
groups: word unigrams and bigrams (scaled by 1/sqrt(n)), and a static sentence embedding, the
length-normalised sum of per-word vectors distilled at training time from a sentence-embedding
model (all-MiniLM-L6-v2, the model2vec idea). The regression is linear in the embedding, so its
weights fold into one number per word; only the normalisation needs vectors, and it uses their
projection on a few principal directions. Features are computed for a whole batch at once with
byte translation and numpy, so scoring keeps up with sentence splitting on big documents. The
shipped file holds no pickles: vocabulary strings, bigram codes and float arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from itertools import repeat
from typing import Literal

import numpy as np
import numpy.typing as npt

from citecheck.claims import transformer

__all__ = [
    "CHECKWORTHY_THRESHOLD",
    "TRANSFORMER_BUDGET",
    "is_checkworthy",
    "score_fast",
    "score_sentences",
    "scoring_path",
]

# Training shifts the model's bias so that the threshold chosen on validation data lands here.
CHECKWORTHY_THRESHOLD = 0.5

MODEL_RESOURCE = "claim-model.npz"

# The most sentences the transformer scores for one document. It runs about 250 sentences of
# news prose a second on one core (a second core adds 5%), so a draft of 4,000 words takes under
# a second and one of 20,000 words (1,000 sentences) about four; anything bigger gets the fast
# model, some 60,000 sentences a second. Claims are found after the links are shown, on a worker.
TRANSFORMER_BUDGET = 1000

# Tokens are made on UTF-8 bytes with one translation table (much faster than a regex over
# str): ASCII letters are lowercased, digits become "0" so that numbers generalise by shape
# ("0.0 %", "0000" for a year), and everything else separates tokens.
_SEPARATOR = b"\x1e"  # stands between sentences of a batch, and for "start of sentence"


def _byte_class(b: int) -> int:
    if 97 <= b <= 122 or b in b"%$\x1e":
        return b
    if 65 <= b <= 90:
        return b + 32  # lowercase
    if 48 <= b <= 57:
        return 48  # "0"
    return 32  # a space: separates tokens


_TABLE = bytes(_byte_class(b) for b in range(256))
_BATCH = 20_000  # sentences per numpy pass: big enough to amortise, small enough for memory

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Features:
    """Token features of a batch: parallel arrays of sentence index and feature index."""

    sentence: IntArray
    feature: IntArray
    count: int  # number of sentences


def tokenize(sentences: Sequence[str]) -> list[bytes]:
    """Tokens of a batch of sentences, each sentence opened by the separator token."""
    text = "\x1e" + "\x1e".join(sentences)
    if text.count("\x1e") != len(sentences):  # a separator inside a sentence: drop it
        text = "\x1e" + "\x1e".join(s.replace("\x1e", " ") for s in sentences)
    data = text.encode("utf-8", "replace").replace(b"\x1e", b" \x1e ")
    data = data.replace(b"%", b" %").replace(b"$", b"$ ")
    return data.translate(_TABLE).split()


def featurize(
    sentences: Sequence[str], vocabulary: dict[bytes, int], bigrams: IntArray
) -> Features:
    """Map sentences to unigram ids (0..V-1) and bigram ids (V..V+len(bigrams)-1).

    `vocabulary` must map the separator to an id; unknown words are dropped. `bigrams` holds
    sorted codes `first_id * V + second_id`.
    """
    return featurize_tokens(tokenize(sentences), len(sentences), vocabulary, bigrams)


def featurize_tokens(
    tokens: list[bytes], count: int, vocabulary: dict[bytes, int], bigrams: IntArray
) -> Features:
    """`featurize` on the output of `tokenize` for `count` sentences."""
    ids = np.fromiter(map(vocabulary.get, tokens, repeat(-1)), dtype=np.int64, count=len(tokens))
    return featurize_ids(ids, count, len(vocabulary), vocabulary[_SEPARATOR], bigrams)


def featurize_ids(ids: IntArray, count: int, size: int, sep: int, bigrams: IntArray) -> Features:
    """`featurize` on token ids (-1 for unknown) of a vocabulary of `size` words."""
    starts = ids == sep
    sentence = np.cumsum(starts) - 1
    known = ids >= 0
    unigram = known & ~starts
    # Bigrams: consecutive known tokens of one sentence (the separator opens each sentence).
    pair = known[1:] & known[:-1] & ~starts[1:]
    codes = ids[:-1][pair] * size + ids[1:][pair]
    pos = np.searchsorted(bigrams, codes)
    pos[pos >= len(bigrams)] = 0
    hit = bigrams[pos] == codes if len(bigrams) else np.zeros(len(codes), dtype=bool)
    pair_sentence = sentence[1:][pair][hit]
    return Features(
        sentence=np.concatenate([sentence[unigram], pair_sentence]),
        feature=np.concatenate([ids[unigram], size + pos[hit]]),
        count=count,
    )


def feature_scale(features: Features) -> FloatArray:
    """Per-sentence factor that makes long and short sentences comparable (1/sqrt(n))."""
    n = np.bincount(features.sentence, minlength=features.count).astype(np.float64)
    return 1.0 / np.sqrt(np.maximum(n, 1.0))


def static_words(tokens: list[bytes], vocabulary: dict[bytes, int]) -> tuple[IntArray, IntArray]:
    """Sentence index and static-vocabulary id of each token of `tokens` found in `vocabulary`.

    `tokens` comes from `tokenize`; the separator must not be in `vocabulary`.
    """
    ids = np.fromiter(map(vocabulary.get, tokens, repeat(-1)), dtype=np.int64, count=len(tokens))
    starts = np.fromiter(map(_SEPARATOR.__eq__, tokens), dtype=bool, count=len(tokens))
    sentence = np.cumsum(starts) - 1
    known = ids >= 0
    return sentence[known], ids[known]


def static_norm(sentence: IntArray, ids: IntArray, vectors: FloatArray, count: int) -> FloatArray:
    """Euclidean norm of the sum of `vectors[:, ids]` per sentence (0 for a sentence with none).

    `vectors` is stored transposed (dims x words): one bincount per dimension is much faster
    than gathering rows, and sums in token order whatever the batch.
    """
    squares = np.zeros(count, dtype=np.float64)
    for row in vectors:
        total = np.bincount(sentence, weights=row[ids], minlength=count)
        squares += total * total
    return np.sqrt(squares)


def static_score(
    sentence: IntArray, ids: IntArray, weights: FloatArray, norm: FloatArray
) -> FloatArray:
    """The embedding group's contribution: sum of per-word weights over the norm of the sum."""
    raw = np.bincount(sentence, weights=weights[ids], minlength=len(norm))
    return raw / np.maximum(norm, 1e-12) * (norm > 0)


@dataclass(frozen=True, slots=True)
class _Model:
    vocabulary: dict[bytes, int]
    bigrams: IntArray
    weights: FloatArray
    bias: float
    words: dict[bytes, int]  # every word of either group, to look each token up only once
    ngram_id: IntArray  # word -> n-gram vocabulary id, or -1
    static_id: IntArray  # word -> static vocabulary id, or -1
    static_weights: FloatArray  # one per static word: the regression folded into each vector
    static_vectors: FloatArray  # dims x words: the vectors' projection on a few directions


_model: _Model | None = None


def _load() -> _Model:
    global _model
    if _model is None:
        ref = resources.files("citecheck").joinpath("resources").joinpath(MODEL_RESOURCE)
        with ref.open("rb") as f, np.load(f, allow_pickle=False) as data:
            words = str(data["vocabulary"]).encode("ascii").split(b"\n")
            static = str(data["static_vocabulary"]).encode("ascii").split(b"\n")
            union = {w: i for i, w in enumerate(words)}
            for w in static:
                union.setdefault(w, len(union))
            ngram_id = np.full(len(union), -1, dtype=np.int64)
            ngram_id[: len(words)] = np.arange(len(words))
            static_id = np.full(len(union), -1, dtype=np.int64)
            static_id[[union[w] for w in static]] = np.arange(len(static))
            _model = _Model(
                vocabulary={w: i for i, w in enumerate(words)},
                bigrams=data["bigrams"].astype(np.int64),
                weights=data["weights"].astype(np.float64),
                bias=float(data["bias"]),
                words=union,
                ngram_id=ngram_id,
                static_id=static_id,
                static_weights=data["static_weights"].astype(np.float64),
                static_vectors=np.ascontiguousarray(data["static_vectors"].T, dtype=np.float64),
            )
    return _model


def score_fast(sentences: Sequence[str]) -> list[float]:
    """Check-worthiness in [0, 1] from the fast linear model, for each sentence (same order)."""
    model = _load()
    out: list[float] = []
    for i in range(0, len(sentences), _BATCH):
        batch = sentences[i : i + _BATCH]
        tokens = tokenize(batch)
        word = np.fromiter(
            map(model.words.get, tokens, repeat(-1)), dtype=np.int64, count=len(tokens)
        )
        ids = np.where(word >= 0, model.ngram_id[word], -1)
        sep = model.vocabulary[_SEPARATOR]
        features = featurize_ids(ids, len(batch), len(model.vocabulary), sep, model.bigrams)
        raw = np.bincount(
            features.sentence, weights=model.weights[features.feature], minlength=len(batch)
        )
        static = np.where(word >= 0, model.static_id[word], -1)
        known = static >= 0
        sentence = (np.cumsum(ids == sep) - 1)[known]
        ids = static[known]
        norm = static_norm(sentence, ids, model.static_vectors, len(batch))
        z = model.bias + raw * feature_scale(features)
        z += static_score(sentence, ids, model.static_weights, norm)
        out.extend((1.0 / (1.0 + np.exp(-z))).tolist())
    return out


def scoring_path(count: int) -> Literal["transformer", "fast"]:
    """Which model `score_sentences` runs for a batch of `count` sentences."""
    if 0 < count <= TRANSFORMER_BUDGET and transformer.available():
        return "transformer"
    return "fast"


def score_sentences(sentences: Sequence[str], *, fast: bool = False) -> list[float]:
    """Return a check-worthiness score in [0, 1] for each sentence (same order).

    The sentences are taken as one document: the transformer scores them when there are at
    most `TRANSFORMER_BUDGET`, the fast model when there are more (or when `fast` is set).
    """
    if fast or scoring_path(len(sentences)) == "fast":
        return score_fast(sentences)
    return transformer.score(sentences)


def is_checkworthy(score: float) -> bool:
    """Whether a score from `score_sentences` marks a check-worthy claim."""
    return score >= CHECKWORTHY_THRESHOLD
