"""The fine-tuned transformer scorer, and how `score_sentences` chooses between the two models."""

from __future__ import annotations

import subprocess
import sys

import pytest

from citecheck.claims import detect as detect_module
from citecheck.claims import scoring, transformer
from citecheck.claims.scoring import (
    CHECKWORTHY_THRESHOLD,
    TRANSFORMER_BUDGET,
    score_fast,
    score_sentences,
    scoring_path,
)

CLAIMS = [
    "Unemployment fell to 3.5% in 2019, the lowest rate in 50 years.",
    "The bill will cost taxpayers $1.5 trillion over the next ten years.",
    "Under this administration, 12 million people lost their health insurance.",
    "The factory shut down for 18 days after the attack, and 400 workers were sent home.",
]
NOT_CLAIMS = [
    "Thank you all for coming tonight.",
    "Good evening, and welcome to the debate.",
    "I want to thank my wonderful family.",
    "What do you think we should do about it?",
]


def test_the_transformer_ships_and_loads() -> None:
    assert transformer.available()
    assert scoring_path(1) == scoring_path(TRANSFORMER_BUDGET) == "transformer"


def test_clear_claims_score_above_and_chit_chat_below_the_threshold() -> None:
    for sentence, score in zip(CLAIMS, transformer.score(CLAIMS), strict=True):
        assert score > CHECKWORTHY_THRESHOLD + 0.2, sentence
    for sentence, score in zip(NOT_CLAIMS, transformer.score(NOT_CLAIMS), strict=True):
        assert score < CHECKWORTHY_THRESHOLD - 0.2, sentence


def test_scores_keep_order_and_depend_on_the_sentence_alone() -> None:
    batch = CLAIMS + NOT_CLAIMS + ["", "   ", "42", "¡Olé! 東京", "word " * 2000]
    first = transformer.score(batch)
    assert len(first) == len(batch)
    assert all(0.0 <= s <= 1.0 for s in first)
    assert transformer.score(list(reversed(batch))) == list(reversed(first))
    assert [transformer.score([s])[0] for s in batch] == first
    assert transformer.score([]) == []
    assert score_sentences([]) == []


def test_small_documents_get_the_transformer_and_big_ones_the_fast_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    batch = CLAIMS + NOT_CLAIMS
    monkeypatch.setattr(scoring, "TRANSFORMER_BUDGET", len(batch))
    assert scoring_path(len(batch)) == "transformer"
    assert score_sentences(batch) == transformer.score(batch)
    assert scoring_path(len(batch) + 1) == "fast"
    assert score_sentences([*batch, "One more."]) == score_fast([*batch, "One more."])
    assert score_sentences(batch, fast=True) == score_fast(batch)
    # The two models differ, or the switch above would prove nothing.
    assert score_fast(batch) != transformer.score(batch)


def test_without_the_transformer_the_fast_model_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transformer, "available", lambda: False)
    assert scoring_path(3) == "fast"
    assert score_sentences(CLAIMS) == score_fast(CLAIMS)


def test_big_documents_never_load_the_transformer(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> None:
        raise AssertionError("the transformer was loaded for a big document")

    monkeypatch.setattr(transformer, "_load", refuse)
    monkeypatch.setattr(scoring, "TRANSFORMER_BUDGET", 5)
    found = detect_module.detect(CLAIMS + NOT_CLAIMS)
    assert [f.score for f in found] == [s for s in score_fast(CLAIMS + NOT_CLAIMS) if s >= 0.5]


def test_link_only_scans_do_not_import_onnxruntime(tmp_path) -> None:  # type: ignore[no-untyped-def]
    doc = tmp_path / "draft.md"
    doc.write_text("Sales rose 40% in 2020, [the report](https://example.org/r) says.\n")
    code = (
        "import sys; import citecheck.cli; from citecheck.scan import scan; "
        f"inv = scan([{str(doc)!r}], claims=False); assert inv.links; "
        "assert 'onnxruntime' not in sys.modules and 'tokenizers' not in sys.modules, 'loaded'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_fast_claims_switch_scores_every_document_with_the_fast_model(
    tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    import json

    from citecheck.cli import main

    doc = tmp_path / "draft.md"
    doc.write_text(" ".join(CLAIMS + NOT_CLAIMS) + "\n", encoding="utf-8")
    out = tmp_path / "report.json"
    assert main(["scan", str(doc), "--format", "json", "-o", str(out)]) == 0
    accurate = {c["text"]: c["score"] for c in json.loads(out.read_text())["claims"]}

    def refuse() -> None:
        raise AssertionError("the transformer was loaded despite --fast-claims")

    monkeypatch.setattr(transformer, "_load", refuse)
    assert main(["scan", str(doc), "--fast-claims", "--format", "json", "-o", str(out)]) == 0
    fast = {c["text"]: c["score"] for c in json.loads(out.read_text())["claims"]}
    expected = dict(zip(CLAIMS + NOT_CLAIMS, score_fast(CLAIMS + NOT_CLAIMS), strict=True))
    assert fast and all(score == round(expected[text], 3) for text, score in fast.items())
    assert fast != accurate  # the switch changed the model, not only the path's name
