"""Claim detection over many blocks: the multi-process path finds exactly what one process does."""

from __future__ import annotations

import random

from citecheck.claims import detect as detect_module
from citecheck.claims.detect import PARALLEL_CHARS, _chunks, detect, detect_all


def _prose(n_blocks: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    words = "the council said water levels rose by percent in since report dam river".split()
    blocks = []
    for _ in range(n_blocks):
        sentences = []
        for _ in range(rng.randint(2, 8)):
            body = " ".join(rng.choices(words, k=rng.randint(6, 16)))
            if rng.random() < 0.4:
                body += f" {rng.randint(2, 99)}% in {rng.randint(1990, 2024)}"
            sentences.append(body.capitalize() + ".")
        blocks.append(" ".join(sentences))
    return blocks


def test_chunks_cover_every_block_once_in_order() -> None:
    texts = [f"block {i} " * (i % 7 + 1) for i in range(101)]
    chunks = _chunks(texts, 3)
    assert len(chunks) == 3
    assert [t for _, part in chunks for t in part] == texts
    assert [first for first, _ in chunks] == [
        0,
        len(chunks[0][1]),
        len(chunks[0][1]) + len(chunks[1][1]),
    ]


def test_parallel_detection_matches_serial(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    texts = _prose(3000)
    monkeypatch.setattr(detect_module, "PARALLEL_CHARS", sum(len(t) for t in texts) // 2)
    monkeypatch.setattr(detect_module, "_workers", lambda: 2)
    serial = detect(texts)
    parallel = detect_all(texts)
    assert serial and parallel == serial
    assert max(f.block for f in parallel) > 2000  # the second process's blocks came back


def test_small_documents_stay_in_one_process(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a process pool was started for a small document")

    monkeypatch.setattr(detect_module, "ProcessPoolExecutor", no_pool)
    texts = _prose(50)
    assert sum(len(t) for t in texts) < PARALLEL_CHARS
    assert detect_all(texts) == detect(texts)
