"""Offsets to line/column, and UTF-8 byte offsets to character offsets."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from citecheck.positions import ByteOffsets, LineIndex


def test_line_col_on_first_line() -> None:
    index = LineIndex("alpha\nbeta\n")
    assert index.line_col(0) == (1, 1)
    assert index.line_col(4) == (1, 5)
    assert index.line_col(5) == (1, 6)  # the newline itself belongs to line 1


def test_line_col_on_later_and_last_lines() -> None:
    text = "alpha\nbeta\ngamma"
    index = LineIndex(text)
    assert index.line_col(text.index("beta")) == (2, 1)
    assert index.line_col(text.index("ta")) == (2, 3)
    assert index.line_col(text.index("gamma")) == (3, 1)
    assert index.line_col(len(text) - 1) == (3, 5)
    assert index.line_col(len(text)) == (3, 6)


def test_line_col_across_empty_lines() -> None:
    text = "a\n\n\nb\n"
    index = LineIndex(text)
    assert index.line_col(2) == (2, 1)
    assert index.line_col(3) == (3, 1)
    assert index.line_col(text.index("b")) == (4, 1)
    # Past a trailing newline is the start of an (empty) last line.
    assert index.line_col(len(text)) == (5, 1)
    assert index.line(len(text)) == 5


def test_line_col_on_empty_text() -> None:
    index = LineIndex("")
    assert index.line_col(0) == (1, 1)
    assert index.line_text(1) == ""


def test_columns_count_characters_not_bytes() -> None:
    text = "ж😀x\nёb"
    index = LineIndex(text)
    assert index.line_col(text.index("x")) == (1, 3)
    assert index.line_col(text.index("b")) == (2, 2)


def test_line_text_returns_each_line_without_newline() -> None:
    text = "first\n\nthird\nlast"
    index = LineIndex(text)
    assert [index.line_text(n) for n in (1, 2, 3, 4)] == ["first", "", "third", "last"]


@given(st.text(alphabet=st.sampled_from("ab\n ж")), st.data())
def test_line_col_agrees_with_counting(text: str, data: st.DataObject) -> None:
    offset = data.draw(st.integers(0, len(text)))
    line = text[:offset].count("\n") + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    index = LineIndex(text)
    assert index.line_col(offset) == (line, column)
    assert index.line(offset) == line


def test_byte_offsets_are_identity_for_ascii() -> None:
    text = "plain ascii\ntext"
    offsets = ByteOffsets(text)
    assert offsets.is_ascii
    for i in range(len(text) + 1):
        assert offsets.char(i) == i


def test_byte_offsets_for_multibyte_text() -> None:
    text = "Привет 😀 мир\nstraße é"
    offsets = ByteOffsets(text)
    data = text.encode("utf-8")
    assert offsets.char(data.index("мир".encode())) == text.index("мир")
    assert offsets.char(data.index("straße".encode())) == text.index("straße")
    assert offsets.char(data.index("é".encode())) == text.index("é")
    assert offsets.char(len(data)) == len(text)
    assert offsets.char(0) == 0


def test_byte_offsets_accept_given_bytes() -> None:
    text = "ж a"
    data = text.encode()
    offsets = ByteOffsets(text, data)
    assert not offsets.is_ascii
    assert offsets.char(data.index(b"a")) == 2


@given(st.text())
def test_byte_offsets_round_trip_every_character_boundary(text: str) -> None:
    offsets = ByteOffsets(text)
    for i in range(len(text) + 1):
        assert offsets.char(len(text[:i].encode("utf-8"))) == i
