"""The plain-text reader: URLs and stand-ins with positions, and paragraphs for claims."""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck.model import Block, Document, Extraction
from citecheck.readers.text import paragraphs, read_text


def read(text: str, path: str = "notes.txt") -> Extraction:
    return read_text(Document(path, "text", text))


def check_anchor(text: str, block: Block) -> None:
    """Every non-blank character of a block lies at its mapped offset in the source."""
    for i, ch in enumerate(block.text):
        if not ch.isspace():
            assert text[block.source_offset(i)] == ch, (block.text, i)


def test_bare_urls_with_positions() -> None:
    text = "Title\n\nThe dam (see https://a.org/report) failed.\nMore at www.b.org/x.\n"
    first, second = read(text).links
    assert (first.kind, first.raw, first.url) == ("bare", "https://a.org/report", first.raw)
    assert first.offset == text.index("https://a.org")
    assert text[first.offset : first.end] == "https://a.org/report"
    assert second.offset == text.index("www.b.org")
    assert second.url == "http://www.b.org/x"
    assert first.document == "notes.txt"


def test_urls_after_non_ascii_use_character_offsets() -> None:
    text = "Привет 😀 https://a.org/ж. [URL]"
    bare, marker = read(text).links
    assert bare.offset == text.index("https")
    assert text[bare.offset : bare.end] == "https://a.org/ж"
    assert marker.offset == text.index("[URL]")


def test_markers() -> None:
    text = "Claim one [link] and claim two [citation needed].\n"
    links = read(text).links
    assert [(link.kind, link.placeholder, link.text) for link in links] == [
        ("marker", "marker", "[link]"),
        ("marker", "marker", "[citation needed]"),
    ]
    assert [text[link.offset : link.end] for link in links] == ["[link]", "[citation needed]"]


def test_scheme_only_is_a_placeholder() -> None:
    text = "Source: http:// (to add)\n"
    link = read(text).links[0]
    assert (link.raw, link.url, link.placeholder) == ("http://", None, "scheme-only")
    assert link.offset == text.index("http://")


def test_placeholder_hosts() -> None:
    links = read("See http://example.com/x and http://localhost:8080/y.\n").links
    assert [link.placeholder for link in links] == ["example-domain", "loopback"]


def test_relative_local_link_is_not_looked_for(tmp_path: Path) -> None:
    # Plain text has no link syntax: only scheme and www. forms count.
    assert read("see ./other.txt and notes/a.md\n", str(tmp_path / "n.txt")).links == []


def test_links_come_out_in_document_order() -> None:
    text = "[link] then https://a.org then [URL] then https://b.org\n"
    assert [link.offset for link in read(text).links] == sorted(
        [
            text.index("[link]"),
            text.index("https://a"),
            text.index("[URL]"),
            text.index("https://b"),
        ]
    )


# --- paragraphs ------------------------------------------------------------------------------


def test_paragraphs_are_blank_line_separated() -> None:
    text = (
        "Title line\n\n"
        "First para see https://a.org/x.\nsecond line here.\n\n"
        "  Indented para\n  continues\n\n\n\n"
        "Last."
    )
    blocks = paragraphs(text)
    assert [b.text.split("\n")[0] for b in blocks] == [
        "Title line",
        "First para see https://a.org/x.",
        "Indented para",
        "Last.",
    ]
    assert [b.anchors[0] for b in blocks] == [
        (0, text.index("Title")),
        (0, text.index("First")),
        (0, text.index("Indented")),
        (0, text.index("Last")),
    ]
    for block in blocks:
        check_anchor(text, block)
        assert block.role == "prose"


def test_paragraph_keeps_later_lines_at_their_offsets() -> None:
    text = "Intro\n\n  first line\n  second line with 42 dams\n"
    [_, block] = paragraphs(text)
    assert block.source_offset(block.text.index("42")) == text.index("42")
    check_anchor(text, block)


def test_paragraphs_with_an_offset() -> None:
    text = "one\n\ntwo"
    blocks = paragraphs(text, offset=100)
    assert [b.anchors for b in blocks] == [[(0, 100)], [(0, 105)]]


def test_long_lines_make_one_block_per_line() -> None:
    long_line = "The dam failed in 1975 after " + "heavy rain " * 10 + "https://a.org/1"
    assert len(long_line) > 100
    text = f"{long_line}\nShort line two\n  indented three\n\nFourth https://b.org\n"
    blocks = paragraphs(text)
    assert [b.text for b in blocks] == [
        long_line,
        "Short line two",
        "indented three",
        "Fourth https://b.org",
    ]
    for block in blocks:
        assert block.anchors == [(0, text.index(block.text))]
        check_anchor(text, block)


def test_hard_wrapped_text_keeps_lines_together() -> None:
    text = "a" * 60 + "\n" + "b" * 60 + "\n"
    [block] = paragraphs(text)
    assert block.text == "a" * 60 + "\n" + "b" * 60


@pytest.mark.parametrize("text", ["", "\n", "   \n\n  \n"])
def test_empty_documents(text: str) -> None:
    ex = read(text)
    assert ex.links == [] and ex.blocks == []


# --- CRLF ------------------------------------------------------------------------------------

CRLF = "Title\r\n\r\nPara one https://a.org/x.\r\nline two\r\n\r\nPara two [link].\r\n"


def test_crlf_links_and_blocks() -> None:
    ex = read(CRLF)
    bare, marker = ex.links
    assert bare.offset == CRLF.index("https")
    assert CRLF[bare.offset : bare.end] == "https://a.org/x"
    assert marker.offset == CRLF.index("[link]")
    assert len(ex.blocks) == 3
    for block, start in zip(ex.blocks, ("Title", "Para one", "Para two"), strict=True):
        assert block.anchors[0] == (0, CRLF.index(start))
        check_anchor(CRLF, block)


def test_crlf_file_read_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(CRLF.encode())
    text = path.read_bytes().decode()
    ex = read(text, str(path))
    assert [link.offset for link in ex.links] == [text.index("https"), text.index("[link]")]


def test_crlf_blocks_have_the_same_text_as_lf_blocks() -> None:
    lf = CRLF.replace("\r\n", "\n")
    assert [b.text.replace("\r\n", "\n") for b in paragraphs(CRLF)] == [
        b.text for b in paragraphs(lf)
    ]
