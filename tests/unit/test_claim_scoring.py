"""Check-worthiness scores from the shipped models: the transformer and the fast model."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from citecheck.claims import (
    CHECKWORTHY_THRESHOLD,
    is_checkworthy,
    score_sentences,
    split_sentences,
)
from citecheck.claims.scoring import score_fast

Scorer = Callable[[Sequence[str]], list[float]]
# score_sentences runs the transformer on batches this small; score_fast is the big-input path.
SCORERS = pytest.mark.parametrize("score", [score_sentences, score_fast], ids=["auto", "fast"])

SHARED = Path(__file__).resolve().parents[2].parent / "shared"

CLAIMS = [
    "Unemployment fell to 3.5% in 2019, the lowest rate in 50 years.",
    "The bill will cost taxpayers $1.5 trillion over the next ten years.",
    "Crime in our cities has gone up by 20 percent since 2015.",
]
CHIT_CHAT = [
    "Thank you all for coming tonight.",
    "Good evening, and welcome to the debate.",
    "I want to thank my wonderful family.",
]


@SCORERS
def test_factual_claims_score_above_the_threshold(score: Scorer) -> None:
    for sentence, value in zip(CLAIMS, score(CLAIMS), strict=True):
        assert value > CHECKWORTHY_THRESHOLD, sentence
        assert is_checkworthy(value)


@SCORERS
def test_chit_chat_scores_below_the_threshold(score: Scorer) -> None:
    for sentence, value in zip(CHIT_CHAT, score(CHIT_CHAT), strict=True):
        assert value < CHECKWORTHY_THRESHOLD, sentence
        assert not is_checkworthy(value)


@SCORERS
def test_scores_are_probabilities_in_order_and_deterministic(score: Scorer) -> None:
    batch = CLAIMS + CHIT_CHAT + ["", "   ", "42", "¡Olé!", "x" * 5000]
    first = score(batch)
    assert len(first) == len(batch)
    assert all(0.0 <= s <= 1.0 for s in first)
    assert score(batch) == first
    # A sentence scores the same alone as within a batch.
    assert score([CLAIMS[0]]) == [first[0]]
    assert score(list(reversed(batch))) == list(reversed(first))
    assert score([]) == []


def test_large_batches_match_small_ones() -> None:
    batch = (CLAIMS + CHIT_CHAT) * 7000  # spans several internal batches of the fast model
    scores = score_sentences(batch)  # far beyond the transformer's budget: the fast model
    assert scores == score_fast(batch)
    assert scores[: len(CLAIMS + CHIT_CHAT)] == score_fast(CLAIMS + CHIT_CHAT)
    assert scores[-1] == scores[len(CLAIMS + CHIT_CHAT) - 1]


def _sentence_with(text: str, needle: str) -> str:
    for a, b in split_sentences(text):
        if needle in text[a:b]:
            return text[a:b]
    raise AssertionError(f"no sentence contains {needle!r}")


@pytest.mark.corpus
@SCORERS
@pytest.mark.parametrize(
    ("document", "needle"),
    [
        ("belarus-it-sector-scrape.txt", "a team of 40 volunteers"),
        ("belarus-it-sector-scrape.txt", "80% share of the vote"),
        ("belarus-it-sector-scrape.txt", "some 300 CEOs"),
        ("cyber-partisans-draft.txt", "shut down for 18 days"),
    ],
)
def test_corpus_claims_are_checkworthy(score: Scorer, document: str, needle: str) -> None:
    path = SHARED / "corpus" / document
    if not path.is_file():
        pytest.skip(f"shared corpus not found at {path}")
    sentence = _sentence_with(path.read_text(encoding="utf-8"), needle)
    [value] = score([sentence])
    assert is_checkworthy(value), (value, sentence)
