"""Sentence splitting: abbreviations, decimals, quotes, glued pull quotes, wrapped lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck.claims import split_sentences

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith met Dr. Jones. They talked.",
            ["Mr. Smith met Dr. Jones.", "They talked."],
        ),
        (
            "Prices in the U.S. rose 3.5% last year. Nobody expected it.",
            ["Prices in the U.S. rose 3.5% last year.", "Nobody expected it."],
        ),
        (
            "Fruit, e.g. apples, i.e. the red ones, etc. are sold. Acme Inc. agreed.",
            ["Fruit, e.g. apples, i.e. the red ones, etc. are sold.", "Acme Inc. agreed."],
        ),
        ("See No. 5 and Jan. 5 today. Done.", ["See No. 5 and Jan. 5 today.", "Done."]),
        (
            "The Internet was shut off at around 7p.m. as protests began. It came back.",
            ["The Internet was shut off at around 7p.m. as protests began.", "It came back."],
        ),
        (
            "It was written by J. R. R. Tolkien in England. He was a professor.",
            ["It was written by J. R. R. Tolkien in England.", "He was a professor."],
        ),
        ("Wait... What happened? Nobody knows!", ["Wait...", "What happened?", "Nobody knows!"]),
        (
            "The rate is 2.75 now. It was 3.0 before.",
            ["The rate is 2.75 now.", "It was 3.0 before."],
        ),
    ],
)
def test_abbreviations_decimals_and_ellipses(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_closing_quotes_stay_with_their_sentence() -> None:
    text = 'He said "we will win." Then he left. She wrote: “It is over.” Nobody replied.'
    assert sentences(text) == [
        'He said "we will win."',
        "Then he left.",
        "She wrote: “It is over.”",
        "Nobody replied.",
    ]


def test_pull_quote_glued_to_the_next_sentence_is_split_after_the_quote() -> None:
    text = '"Volunteers ended up in detention."Together with others, they exposed the fraud.'
    assert sentences(text) == [
        '"Volunteers ended up in detention."',
        "Together with others, they exposed the fraud.",
    ]
    curly = "“It was over.”The next day began."
    assert sentences(curly) == ["“It was over.”", "The next day began."]


def test_single_newline_is_a_wrap_but_a_blank_line_ends_a_sentence() -> None:
    text = "This line is\nhard wrapped. Next one\n\nA heading without a stop\n\n  Body text."
    assert sentences(text) == [
        "This line is\nhard wrapped.",
        "Next one",
        "A heading without a stop",
        "Body text.",
    ]


def test_spans_are_trimmed_and_point_into_the_text() -> None:
    text = "  First one.   Second one.  \n"
    spans = split_sentences(text)
    assert spans == [(2, 12), (15, 26)]
    assert split_sentences("") == []
    assert split_sentences("   \n\n  ") == []


def test_numbered_list_items_are_not_sentences_of_their_own() -> None:
    text = "Parts:\n\n  1. The first part\n  2. The second part"
    assert all(not s.rstrip(".").isdigit() for s in sentences(text))


@pytest.mark.corpus
def test_glued_pull_quotes_in_the_scraped_article() -> None:
    path = SHARED / "corpus" / "belarus-it-sector-scrape.txt"
    if not path.is_file():
        pytest.skip(f"shared corpus not found at {path}")
    found = sentences(path.read_text(encoding="utf-8"))
    assert any(s.endswith('ended up in detention."') and s.startswith('"Liber') for s in found)
    assert any(s.startswith("Together with similar initiatives") for s in found)
    assert any(s.startswith("In response, the regime started") for s in found)
    assert any(s.startswith("Over at EPAM Systems") for s in found)
    assert any(s.endswith('in exile abroad."') for s in found)
