"""Find the check-worthy sentences of many blocks of prose, on several cores for large documents."""

from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from typing import NamedTuple

from citecheck.claims.kinds import claim_kinds
from citecheck.claims.scoring import is_checkworthy, score_sentences
from citecheck.claims.sentences import split_sentences

# Sentences shorter than this are headings, captions and fragments, never claims worth a check.
MIN_CLAIM_CHARS = 20
MAX_CLAIM_CHARS = 1000
# Below this much prose a second process costs more (start-up, numpy import) than it saves.
PARALLEL_CHARS = 2_000_000


class Found(NamedTuple):
    """A check-worthy sentence of one block: where it is, its text, score and kinds."""

    block: int  # index into the blocks given
    start: int  # character span in the block's text
    end: int
    next_start: int  # where the block's next sentence starts, or -1 for the last one
    text: str  # whitespace collapsed, at most MAX_CLAIM_CHARS
    score: float
    kinds: list[str]


def detect(texts: list[str], first: int = 0, fast: bool = False) -> list[Found]:
    """The check-worthy sentences of `texts`, in order; block numbers start at `first`.

    `texts` are one document's blocks: `score_sentences` picks its model by their number of
    sentences, unless `fast` asks for the fast model.
    """
    sentences: list[str] = []
    where: list[tuple[int, int, int, int]] = []
    for n, body in enumerate(texts, first):
        spans = split_sentences(body)
        for k, (start, end) in enumerate(spans):
            if end - start < MIN_CLAIM_CHARS:
                continue
            sentences.append(" ".join(body[start:end].split())[:MAX_CLAIM_CHARS])
            where.append((n, start, end, spans[k + 1][0] if k + 1 < len(spans) else -1))
    if not sentences:
        return []
    found: list[Found] = []
    kinds_of: dict[str, list[str]] = {}  # repeated sentences are tagged once
    for sentence, (n, start, end, nxt), score in zip(
        sentences, where, score_sentences(sentences, fast=fast), strict=True
    ):
        if is_checkworthy(score):
            kinds = kinds_of.get(sentence)
            if kinds is None:
                kinds = kinds_of[sentence] = claim_kinds(sentence)
            found.append(Found(n, start, end, nxt, sentence, float(score), kinds))
    return found


def _chunks(texts: list[str], parts: int) -> list[tuple[int, list[str]]]:
    """Consecutive runs of blocks with about equal amounts of text: (first index, texts)."""
    total = sum(len(t) for t in texts)
    goal = total / parts
    out: list[tuple[int, list[str]]] = []
    first, size = 0, 0
    for i, text in enumerate(texts):
        size += len(text)
        if size >= goal and len(out) < parts - 1:
            out.append((first, texts[first : i + 1]))
            first, size = i + 1, 0
    if first < len(texts):
        out.append((first, texts[first:]))
    return out


def _workers() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def detect_all(texts: list[str], fast: bool = False) -> list[Found]:
    """`detect` over all blocks, split across processes when the prose is large; `fast` asks
    for the fast model whatever the size.

    Claim detection is pure Python and regex work that holds the GIL, so threads would not
    help; separate processes (forkserver where there is one, never a bare fork of a process
    that may run a GUI's threads) do, for documents of several megabytes. Those are far beyond
    the transformer's budget, so the workers score with the fast model (and never load the
    transformer): the same model `detect` picks for the whole document.
    """
    workers = _workers()
    if workers < 2 or sum(len(t) for t in texts) < PARALLEL_CHARS:
        return detect(texts, fast=fast)
    methods = multiprocessing.get_all_start_methods()
    frozen = getattr(sys, "frozen", False)  # a PyInstaller app can only spawn itself
    method = "forkserver" if "forkserver" in methods and not frozen else "spawn"
    context = multiprocessing.get_context(method)
    chunks = _chunks(texts, workers)
    try:
        with ProcessPoolExecutor(max_workers=len(chunks), mp_context=context) as pool:
            parts = list(
                pool.map(
                    detect, [c[1] for c in chunks], [c[0] for c in chunks], [True] * len(chunks)
                )
            )
    except (OSError, RuntimeError):
        return detect(texts, fast=True)  # no processes to be had here: one core it is
    return [found for part in parts for found in part]
