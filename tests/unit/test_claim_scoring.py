"""Check-worthiness scores from the shipped model."""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck.claims import (
    CHECKWORTHY_THRESHOLD,
    is_checkworthy,
    score_sentences,
    split_sentences,
)

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


def test_factual_claims_score_above_the_threshold() -> None:
    for sentence, score in zip(CLAIMS, score_sentences(CLAIMS), strict=True):
        assert score > CHECKWORTHY_THRESHOLD, sentence
        assert is_checkworthy(score)


def test_chit_chat_scores_below_the_threshold() -> None:
    for sentence, score in zip(CHIT_CHAT, score_sentences(CHIT_CHAT), strict=True):
        assert score < CHECKWORTHY_THRESHOLD, sentence
        assert not is_checkworthy(score)


def test_scores_are_probabilities_in_order_and_deterministic() -> None:
    batch = CLAIMS + CHIT_CHAT + ["", "   ", "42", "¡Olé!", "x" * 5000]
    first = score_sentences(batch)
    assert len(first) == len(batch)
    assert all(0.0 <= s <= 1.0 for s in first)
    assert score_sentences(batch) == first
    # A sentence scores the same alone as within a batch.
    assert score_sentences([CLAIMS[0]]) == [first[0]]
    assert score_sentences(list(reversed(batch))) == list(reversed(first))
    assert score_sentences([]) == []


def test_large_batches_match_small_ones() -> None:
    batch = (CLAIMS + CHIT_CHAT) * 7000  # spans several internal batches
    scores = score_sentences(batch)
    assert scores[: len(CLAIMS + CHIT_CHAT)] == score_sentences(CLAIMS + CHIT_CHAT)
    assert scores[-1] == scores[len(CLAIMS + CHIT_CHAT) - 1]


def _sentence_with(text: str, needle: str) -> str:
    for a, b in split_sentences(text):
        if needle in text[a:b]:
            return text[a:b]
    raise AssertionError(f"no sentence contains {needle!r}")


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("document", "needle"),
    [
        ("belarus-it-sector-scrape.txt", "a team of 40 volunteers"),
        ("belarus-it-sector-scrape.txt", "80% share of the vote"),
        ("belarus-it-sector-scrape.txt", "some 300 CEOs"),
        ("cyber-partisans-draft.txt", "shut down for 18 days"),
    ],
)
def test_corpus_claims_are_checkworthy(document: str, needle: str) -> None:
    path = SHARED / "corpus" / document
    if not path.is_file():
        pytest.skip(f"shared corpus not found at {path}")
    sentence = _sentence_with(path.read_text(encoding="utf-8"), needle)
    [score] = score_sentences([sentence])
    assert is_checkworthy(score), (score, sentence)
