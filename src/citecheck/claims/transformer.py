"""Score check-worthiness with the fine-tuned transformer: int8 ONNX run by onnxruntime.

The model (all-MiniLM-L6-v2 fine-tuned by `benchmarks/finetune_claims.py`, dynamically
quantized to int8) takes WordPiece token ids and returns a probability whose threshold was
folded in at training time, so `CHECKWORTHY_THRESHOLD` applies as for the fast model.
onnxruntime and tokenizers are imported only when the first sentence is scored, so that
link-only scans and the command line's start-up never pay for them.

Each sentence is run on its own (batch of one, so the graph needs no attention mask): dynamic
quantization scales activations by the whole input tensor, so a batch would let neighbours nudge
a sentence's score. One sentence at a time makes every score independent of its document.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from importlib import resources
from typing import Any

import numpy as np

__all__ = ["MAX_TOKENS", "Scorer", "available", "score"]

MODEL_RESOURCE = "claim-transformer.onnx"
TOKENIZER_RESOURCE = "claim-tokenizer.json"
MAX_TOKENS = 128  # sentences are cut after this many WordPiece tokens ([CLS] and [SEP] included)
THREADS = 1  # onnxruntime threads: one sentence is too small to split well across cores


class Scorer:
    """An onnxruntime session and its tokenizer."""

    def __init__(self, model: bytes, tokenizer_json: str, threads: int = THREADS) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = onnxruntime.InferenceSession(
            model, options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_str(tokenizer_json)
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(MAX_TOKENS)

    def score(self, sentences: Sequence[str]) -> list[float]:
        """A probability per sentence, in order."""
        if not sentences:
            return []
        run = self._session.run
        out: list[float] = []
        for encoding in self._tokenizer.encode_batch(list(sentences)):
            ids = np.array([encoding.ids], dtype=np.int64)
            [result] = run(["score"], {"input_ids": ids})
            out.append(float(np.clip(result[0], 0.0, 1.0)))
        return out


_scorer: Scorer | None = None
_missing = False
_lock = threading.Lock()  # the app scans on worker threads: load the session once


def _resource(name: str) -> Any:
    return resources.files("citecheck").joinpath("resources").joinpath(name)


def available() -> bool:
    """Whether the transformer can run here: its files are shipped and onnxruntime imports."""
    return _load() is not None


def _load() -> Scorer | None:
    global _scorer, _missing
    with _lock:
        if _scorer is None and not _missing:
            try:
                model = _resource(MODEL_RESOURCE).read_bytes()
                tokenizer = _resource(TOKENIZER_RESOURCE).read_text(encoding="utf-8")
                # Sentences are encoded a document at a time: no thread pool for that.
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                _scorer = Scorer(model, tokenizer)
            except (ImportError, OSError):
                _missing = True  # no onnxruntime or no model file: the fast model scores alone
    return _scorer


def score(sentences: Sequence[str]) -> list[float]:
    """Check-worthiness probabilities from the transformer (raises if it is unavailable)."""
    scorer = _load()
    if scorer is None:
        raise RuntimeError("the claim transformer is not available")
    return scorer.score(sentences)
