"""Footnotes written as text: superscript and [1] markers and the notes they point at."""

from __future__ import annotations

from citecheck.footnotes import add_text_footnotes
from citecheck.model import Document, Extraction
from citecheck.readers.markdown import read_markdown
from citecheck.readers.text import read_text


def text_notes(text: str) -> Extraction:
    ex = read_text(Document("notes.txt", "text", text))
    add_text_footnotes(ex)
    return ex


def markdown_notes(text: str) -> Extraction:
    ex = read_markdown(Document("notes.md", "markdown", text))
    add_text_footnotes(ex)
    return ex


SUPERSCRIPT_DOC = (
    "The dam failed in 1975.¹ Critics said “it was doomed”² later.\n\n"
    "¹ Report, https://a.org/r\n\n"
    "² Interview, 2001.\n"
)


def test_superscript_markers_after_words_and_quotes() -> None:
    ex = text_notes(SUPERSCRIPT_DOC)
    assert [(r.label, r.offset) for r in ex.footnote_refs] == [
        ("1", SUPERSCRIPT_DOC.index("¹ Critics")),
        ("2", SUPERSCRIPT_DOC.index("² later")),
    ]


def test_superscript_definitions() -> None:
    ex = text_notes(SUPERSCRIPT_DOC)
    assert set(ex.footnote_defs) == {"1", "2"}
    start, end = ex.footnote_defs["1"]
    assert SUPERSCRIPT_DOC[start:end] == "¹ Report, https://a.org/r"
    start, end = ex.footnote_defs["2"]
    assert SUPERSCRIPT_DOC[start:end] == "² Interview, 2001."
    notes = [b for b in ex.blocks if b.role == "footnote"]
    assert [b.label for b in notes] == ["1", "2"]
    # The note's link is still an ordinary link of the document.
    assert [link.url for link in ex.links] == ["https://a.org/r"]


def test_bracket_number_markers_and_definitions() -> None:
    text = "Claim[1] and another [2].\n\n[1] Source one.\n\n[2] Source two.\n"
    ex = text_notes(text)
    assert [(r.label, r.offset) for r in ex.footnote_refs] == [
        ("1", text.index("[1] and")),
        ("2", text.index("[2].")),
    ]
    start, end = ex.footnote_defs["2"]
    assert text[start:end] == "[2] Source two."


def test_multi_digit_superscript() -> None:
    text = "Claim¹ and more¹². \n\n¹ one\n\n¹² twelve\n"
    ex = text_notes(text)
    assert [(r.label, r.offset) for r in ex.footnote_refs] == [
        ("1", text.index("¹ and")),
        ("12", text.index("¹²")),
    ]


def test_marker_without_a_definition_is_ignored() -> None:
    text = "Area is 5 m² and claim[1] and stray [3].\n\n[1] Source one.\n"
    ex = text_notes(text)
    assert [r.label for r in ex.footnote_refs] == ["1"]
    assert set(ex.footnote_defs) == {"1"}


def test_squared_unit_is_not_a_footnote_without_note_two() -> None:
    text = "The reservoir covers 5 km² of land.¹\n\n¹ Survey, 1980.\n"
    ex = text_notes(text)
    assert [(r.label, r.offset) for r in ex.footnote_refs] == [("1", text.index("¹\n"))]


def test_no_notes_means_no_references() -> None:
    ex = text_notes("Area 5 m² and claim[1].\n")
    assert ex.footnote_refs == []
    assert ex.footnote_defs == {}
    assert all(b.role == "prose" for b in ex.blocks)


def test_marker_separated_by_a_space_is_not_a_reference() -> None:
    text = "Claim ¹ here.\n\n¹ note\n"
    assert text_notes(text).footnote_refs == []


def test_bracket_before_parenthesis_is_a_link_not_a_note() -> None:
    text = "See [1](https://x.org) and [1].\n\n[1] note\n"
    ex = markdown_notes(text)
    assert [(r.label, r.offset) for r in ex.footnote_refs] == [("1", text.index("[1]."))]


def test_text_notes_in_markdown() -> None:
    text = "Claim¹ here.\n\n¹ note one https://n.org\n"
    ex = markdown_notes(text)
    assert [(r.label, r.offset) for r in ex.footnote_refs] == [("1", text.index("¹ here"))]
    start, end = ex.footnote_defs["1"]
    assert text[start:end] == "¹ note one https://n.org"


def test_markdown_footnotes_are_not_overridden() -> None:
    text = "Claim[^1] and text[1].\n\n[^1]: Real note.\n\n[1] Text note.\n"
    ex = markdown_notes(text)
    assert ex.footnote_defs["1"][0] == text.index("[^1]:")
    assert [r.offset for r in ex.footnote_refs] == [text.index("[^1]")]


def test_caret_definition_start() -> None:
    text = "Claim[1].\n\n^1 The note.\n"
    ex = text_notes(text)
    assert set(ex.footnote_defs) == {"1"}
    assert [r.offset for r in ex.footnote_refs] == [text.index("[1]")]


def test_notes_on_consecutive_lines() -> None:
    text = "Claim one¹ and claim two².\n\n¹ First source.\n² Second source.\n"
    ex = text_notes(text)
    assert [r.label for r in ex.footnote_refs] == ["1", "2"]
    start, end = ex.footnote_defs["1"]
    assert text[start:end] == "¹ First source."
    start, end = ex.footnote_defs["2"]
    assert text[start:end] == "² Second source."
