"""The Markdown reader: every link where it is used, prose blocks, footnotes, front matter."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from citecheck.model import Document, Extraction, Link
from citecheck.readers.markdown import read_markdown


def read(text: str, *, path: str = "doc.md", include_code: bool = False) -> Extraction:
    return read_markdown(Document(path, "markdown", text), include_code=include_code)


def only(ex: Extraction, kind: str | None = None) -> Link:
    links = [link for link in ex.links if kind is None or link.kind == kind]
    assert len(links) == 1, links
    return links[0]


def written(text: str, link: Link) -> str:
    return text[link.offset : link.end]


# --- link kinds ------------------------------------------------------------------------------


def test_inline_link() -> None:
    text = "See [the report](https://a.org/r) now.\n"
    link = only(read(text))
    assert link.kind == "inline"
    assert link.offset == text.index("[the report]")
    assert written(text, link) == "[the report](https://a.org/r)"
    assert (link.raw, link.url, link.text, link.placeholder) == (
        "https://a.org/r",
        "https://a.org/r",
        "the report",
        None,
    )
    assert link.document == "doc.md"
    assert not link.in_code


def test_inline_link_with_title() -> None:
    text = 'A [b](https://x.org/p "Title") c\n'
    link = only(read(text))
    assert link.url == "https://x.org/p"
    assert written(text, link) == '[b](https://x.org/p "Title")'


def test_reference_link_is_reported_where_it_is_used() -> None:
    text = "Intro.\n\nUse [the text][lbl] here.\n\n[lbl]: https://b.org/x\n"
    link = only(read(text))
    assert link.kind == "reference"
    assert link.offset == text.index("[the text][lbl]")
    assert link.offset != text.index("[lbl]:")
    assert written(text, link) == "[the text][lbl]"
    assert (link.url, link.text) == ("https://b.org/x", "the text")


def test_reference_defined_before_use() -> None:
    text = "[lbl]: https://z.org\n\nFirst use [Lbl].\n"
    link = only(read(text))
    assert link.offset == text.index("[Lbl]")
    assert link.url == "https://z.org/"


def test_collapsed_and_shortcut_references() -> None:
    text = "Use [lbl][] and [lbl] here.\n\n[lbl]: https://b.org/x\n"
    links = read(text).links
    assert [link.kind for link in links] == ["reference", "reference"]
    assert [link.offset for link in links] == [text.index("[lbl][]"), text.index("[lbl] here")]
    assert written(text, links[1]) == "[lbl]"
    assert all(link.url == "https://b.org/x" for link in links)


def test_collapsed_reference_end_covers_the_empty_brackets() -> None:
    text = "Use [lbl][] here.\n\n[lbl]: https://b.org/x\n"
    assert written(text, only(read(text))) == "[lbl][]"


def test_undefined_reference_label() -> None:
    text = "Text.\n\nUse [the text][nolabel] here.\n"
    link = only(read(text))
    assert link.placeholder == "undefined-label"
    assert link.kind == "reference"
    assert link.url is None
    assert link.text == "the text"
    assert link.offset == text.index("[the text]")
    assert written(text, link) == "[the text][nolabel]"


def test_escaped_brackets_are_not_an_undefined_reference() -> None:
    assert read("Escaped \\[text\\]\\[nolabel\\] here.\n").links == []


def test_autolinks_and_email() -> None:
    text = "Auto <https://c.org/x> and <me@d.org> end.\n"
    auto, mail = read(text).links
    assert auto.kind == mail.kind == "autolink"
    assert auto.offset == text.index("<https://c.org/x>")
    assert written(text, auto) == "<https://c.org/x>"
    assert auto.url == "https://c.org/x"
    assert mail.offset == text.index("<me@d.org>")
    assert (mail.raw, mail.url) == ("mailto:me@d.org", "mailto:me@d.org")


def test_bare_urls_in_prose() -> None:
    text = "Plain https://e.org/y, and www.f.org/z.\n"
    bare, www = read(text).links
    assert bare.kind == www.kind == "bare"
    assert bare.offset == text.index("https://e.org/y")
    assert written(text, bare) == "https://e.org/y"
    assert www.offset == text.index("www.f.org")
    assert written(text, www) == "www.f.org/z"
    assert www.url == "http://www.f.org/z"


def test_bare_url_across_a_soft_line_break() -> None:
    text = "See\nhttps://a.org/x and  \nhttps://b.org/y\n"
    first, second = read(text).links
    assert first.offset == text.index("https://a.org")
    assert second.offset == text.index("https://b.org")
    assert written(text, second) == "https://b.org/y"


def test_bare_url_inside_emphasis() -> None:
    text = "Under **bold https://a.org/x** end\n"
    link = only(read(text))
    assert written(text, link) == "https://a.org/x"


def test_bare_url_with_an_entity() -> None:
    text = "A https://a.org/?a=1&amp;b=2 z\n"
    link = only(read(text))
    assert written(text, link) == "https://a.org/?a=1&amp;b=2"
    assert link.url == "https://a.org/?a=1&b=2"


def test_bare_url_with_a_backslash_escape() -> None:
    text = "A https://a.org/x\\_y z\n"
    link = only(read(text))
    assert link.offset == text.index("https")
    assert link.url == "https://a.org/x_y"


def test_images(tmp_path: Path) -> None:
    (tmp_path / "here.png").write_bytes(b"\x89PNG")
    doc = str(tmp_path / "doc.md")
    text = "Img ![alt text](here.png) ![gone](gone.png) ![web](https://g.org/p.png)\n"
    here, gone, web = read(text, path=doc).links
    assert {here.kind, gone.kind, web.kind} == {"image"}
    assert here.offset == text.index("![alt text]")
    assert written(text, here) == "![alt text](here.png)"
    assert here.text == "alt text"
    assert here.placeholder is None
    assert here.url == (tmp_path / "here.png").resolve().as_uri()
    assert gone.placeholder == "missing-file"
    assert web.url == "https://g.org/p.png"


def test_image_inside_a_link() -> None:
    text = "[![logo](https://i.org/logo.png)](https://b.org) after\n"
    links = read(text).links
    assert sorted((link.kind, link.offset) for link in links) == [
        ("image", text.index("![logo]")),
        ("inline", 0),
    ]


def test_relative_link_to_existing_and_missing_files(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("x")
    text = "[ok](other.md) and [bad](missing.md#part)\n"
    ok, bad = read(text, path=str(tmp_path / "doc.md")).links
    assert ok.placeholder is None
    assert bad.placeholder == "missing-file"


def test_raw_html_links_inline_and_block() -> None:
    text = (
        'Inline <a href="https://h.org/x">H</a> and more.\n\n'
        "<div><a href='https://i.org/y'>I</a> <img src=\"https://j.org/p.png\"></div>\n"
    )
    inline, block, img = read(text).links
    assert (inline.kind, inline.url) == ("html", "https://h.org/x")
    assert inline.offset == text.index('<a href="https://h.org/x"')
    assert (block.kind, block.url, block.text) == ("html", "https://i.org/y", "I")
    assert block.offset == text.index("<a href='https://i.org/y'")
    assert (img.kind, img.url) == ("image", "https://j.org/p.png")
    assert img.offset == text.index("<img")


def test_raw_html_entity_and_unquoted_href() -> None:
    text = 'x <a href="https://u.org/?a=1&amp;b=2">u</a> <a href=https://v.org/p>v</a> y\n'
    first, second = read(text).links
    assert first.raw == "https://u.org/?a=1&b=2"
    assert (second.kind, second.url) == ("html", "https://v.org/p")
    assert second.offset == text.index("<a href=https://v")


def test_links_in_html_comments_are_not_reported() -> None:
    text = '<!-- https://old.org/x and <a href="http://old.org">old</a> -->\n\nText\n'
    assert read(text).links == []


def test_raw_html_inline_anchor_keeps_its_label() -> None:
    link = only(read('Inline <a href="https://h.org/x">the label</a> and more.\n'))
    assert link.text == "the label"


def test_raw_html_anchor_text_url_is_not_a_second_link() -> None:
    text = 'Inline <a href="https://h.org/x">https://h.org/x</a> end.\n'
    link = only(read(text))
    assert link.kind == "html"


def test_url_as_link_label_is_counted_once() -> None:
    text = "[http://a.org](http://a.org)\n"
    link = only(read(text))
    assert link.kind == "inline"
    assert link.offset == 0


def test_url_inside_a_link_label_is_not_a_bare_link() -> None:
    text = "[see https://a.org/x here](https://b.org)\n"
    link = only(read(text))
    assert link.url == "https://b.org/"


def test_autolink_is_not_also_bare() -> None:
    assert only(read("Read <https://a.org/x>.\n")).kind == "autolink"


# --- placeholders and markers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("written_link", "reason"),
    [
        ("[x](#)", "fragment-only"),
        ("[x]()", "empty"),
        ("[x](<>)", "empty"),
        ("[x](javascript:void(0))", "javascript"),
        ("[x](http://example.com)", "example-domain"),
        ("[x](TODO)", "todo"),
        ("[x](http://)", "scheme-only"),
        ("[x](http://localhost:3000/a)", "loopback"),
        ("[x](<https://a.org/two words>)", "malformed"),
    ],
)
def test_placeholder_links(written_link: str, reason: str) -> None:
    text = f"Claim here {written_link} end.\n"
    link = only(read(text))
    assert link.placeholder == reason
    assert link.offset == text.index(written_link)
    assert written(text, link) == written_link


def test_markers() -> None:
    text = "Fill in [link] and [URL] and [citation needed].\n"
    links = read(text).links
    assert [link.kind for link in links] == ["marker"] * 3
    assert [link.placeholder for link in links] == ["marker"] * 3
    assert [written(text, link) for link in links] == ["[link]", "[URL]", "[citation needed]"]
    assert all(link.url is None for link in links)


def test_marker_in_code_is_not_reported() -> None:
    assert read("Write `[link]` literally.\n").links == []


# --- code ------------------------------------------------------------------------------------

CODE_DOC = (
    "Code `https://c1.org/x` here.\n\n"
    "```\nhttps://c2.org/y\n```\n\n"
    "    https://c3.org/z\n\n"
    "Prose https://p.org.\n"
)


def test_urls_in_code_are_excluded_by_default() -> None:
    link = only(read(CODE_DOC))
    assert link.offset == CODE_DOC.index("https://p.org")
    assert not link.in_code


def test_urls_in_code_with_include_code() -> None:
    links = read(CODE_DOC, include_code=True).links
    assert [(link.raw, link.in_code) for link in links] == [
        ("https://c1.org/x", True),
        ("https://c2.org/y", True),
        ("https://c3.org/z", True),
        ("https://p.org", False),
    ]
    for link in links:
        assert link.offset == CODE_DOC.index(link.raw)
        assert written(CODE_DOC, link) == link.raw


def test_code_offsets_with_non_ascii_before() -> None:
    text = "Жж 😀 `ж https://c.org/x` после https://d.org\n"
    links = read(text, include_code=True).links
    assert [(link.offset, link.in_code) for link in links] == [
        (text.index("https://c.org"), True),
        (text.index("https://d.org"), False),
    ]


# --- offsets in characters -------------------------------------------------------------------


def test_offsets_are_characters_after_cyrillic() -> None:
    text = "Привет, мир! См. [отчёт](https://a.org/r) и https://b.org/x.\n"
    inline, bare = read(text).links
    assert inline.offset == text.index("[отчёт]")
    assert written(text, inline) == "[отчёт](https://a.org/r)"
    assert inline.text == "отчёт"
    assert bare.offset == text.index("https://b.org")
    assert written(text, bare) == "https://b.org/x"


def test_offsets_are_characters_after_emoji() -> None:
    text = "😀😀 emoji [e](https://e.org) 🎉 https://f.org\n"
    inline, bare = read(text).links
    assert inline.offset == text.index("[e]")
    assert bare.offset == text.index("https://f.org")
    assert written(text, bare) == "https://f.org"


def test_offsets_on_later_lines_after_non_ascii_front_matter() -> None:
    text = "---\ntitle: Плотина «Баньцяо»\n---\n\n# Глава\n\nТекст [a](https://a.org) 🎉\n"
    ex = read(text)
    link = only(ex)
    assert link.offset == text.index("[a]")
    assert ex.title == "Плотина «Баньцяо»"


_WORDS = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Lo", "So")), max_size=20)


@settings(max_examples=60)
@given(_WORDS, _WORDS)
def test_property_link_offset_after_any_letters(before: str, after: str) -> None:
    text = f"{before} [x](https://a.org/p) {after} https://b.org/q\n"
    inline, bare = read(text).links
    assert inline.offset == len(before) + 1
    assert written(text, inline) == "[x](https://a.org/p)"
    assert bare.offset == text.rindex("https://b.org/q")
    assert written(text, bare) == "https://b.org/q"


# --- footnotes -------------------------------------------------------------------------------


FOOTNOTE_DOC = (
    "Claim[^1] and more[^n].\n\n"
    "[^1]: See https://j.org/src and [K](https://k.org).\n\n"
    "[^n]: Note n.\n"
)


def test_footnote_references_and_definitions() -> None:
    ex = read(FOOTNOTE_DOC)
    assert [(r.label, r.offset) for r in ex.footnote_refs] == [
        ("1", FOOTNOTE_DOC.index("[^1]")),
        ("n", FOOTNOTE_DOC.index("[^n]")),
    ]
    assert set(ex.footnote_defs) == {"1", "n"}
    start, end = ex.footnote_defs["1"]
    assert start == FOOTNOTE_DOC.index("[^1]:")
    assert "https://j.org/src" in FOOTNOTE_DOC[start:end]
    assert "Note n" not in FOOTNOTE_DOC[start:end]
    start_n, end_n = ex.footnote_defs["n"]
    assert start_n == FOOTNOTE_DOC.index("[^n]:")
    assert "Note n." in FOOTNOTE_DOC[start_n:end_n]


def test_links_inside_footnote_definitions_are_found() -> None:
    ex = read(FOOTNOTE_DOC)
    assert [(link.kind, link.url, link.offset) for link in ex.links] == [
        ("bare", "https://j.org/src", FOOTNOTE_DOC.index("https://j.org")),
        ("inline", "https://k.org/", FOOTNOTE_DOC.index("[K]")),
    ]


def test_footnote_blocks_have_role_and_label() -> None:
    ex = read(FOOTNOTE_DOC)
    notes = [b for b in ex.blocks if b.role == "footnote"]
    assert [(b.label, b.text) for b in notes] == [
        ("1", "See https://j.org/src and K."),
        ("n", "Note n."),
    ]
    assert notes[0].source_offset(0) == FOOTNOTE_DOC.index("See https://j.org")


# --- front matter ----------------------------------------------------------------------------


def test_front_matter_title_and_date() -> None:
    text = "---\ntitle: My Post\ndate: 2024-03-05\n---\n\n# Head\n\nBody https://a.org.\n"
    ex = read(text)
    assert ex.title == "My Post"
    assert ex.date == "2024-03-05"
    link = only(ex)
    assert link.offset == text.index("https://a.org")
    assert all("title" not in b.text for b in ex.blocks)


def test_front_matter_datetime_and_quoted_title() -> None:
    ex = read('---\ntitle: "Quoted: title"\ndate: 2024-03-05T10:20:30\n---\nBody\n')
    assert ex.title == "Quoted: title"
    assert ex.date == "2024-03-05T10:20:30"


@pytest.mark.parametrize(
    "front",
    ["---\n- a list\n---\n", "---\ntitle: [unclosed\n---\n", "---\ntitle:\n---\n"],
)
def test_odd_front_matter_is_ignored(front: str) -> None:
    ex = read(front + "\nBody.\n")
    assert ex.title is None
    assert ex.date is None


# --- blocks ----------------------------------------------------------------------------------


BLOCK_DOC = (
    "# Heading https://h.org\n\n"
    "- item one https://i.org\n"
    "- item two\n\n"
    "> quoted prose\n\n"
    "Plain *emphasis* and [a link](https://l.org) end.\n"
    "Second line.\n"
)


def test_block_roles() -> None:
    blocks = read(BLOCK_DOC).blocks
    assert [(b.role, b.text) for b in blocks] == [
        ("heading", "Heading https://h.org"),
        ("item", "item one https://i.org"),
        ("item", "item two"),
        ("prose", "quoted prose"),
        ("prose", "Plain emphasis and a link end.\nSecond line."),  # soft breaks stay newlines
    ]


def test_block_source_offsets_map_back_to_the_source() -> None:
    for block in read(BLOCK_DOC).blocks:
        for i, ch in enumerate(block.text):
            if ch != " ":  # a soft break becomes a space in the block text
                assert BLOCK_DOC[block.source_offset(i)] == ch, (block.text, i)


def test_block_source_offsets_with_non_ascii() -> None:
    text = "Ж **жирный** текст 😀 [ссылка](https://a.org) конец.\n"
    [block] = read(text).blocks
    assert block.text == "Ж жирный текст 😀 ссылка конец."
    for word in ("жирный", "текст", "😀", "ссылка", "конец"):
        assert block.source_offset(block.text.index(word)) == text.index(word)


def test_list_inside_blockquote_is_an_item() -> None:
    text = "> - quote item https://a.org\n"
    ex = read(text)
    assert [(b.role, b.text) for b in ex.blocks] == [("item", "quote item https://a.org")]
    assert only(ex).offset == text.index("https://a.org")


def test_table_cells_are_scanned() -> None:
    text = "| a | b |\n|---|---|\n| https://t.org | [x](https://u.org) |\n"
    links = read(text).links
    assert [(link.kind, link.offset) for link in links] == [
        ("bare", text.index("https://t.org")),
        ("inline", text.index("[x]")),
    ]


def test_empty_document() -> None:
    ex = read("")
    assert ex.links == [] and ex.blocks == [] and ex.title is None


# --- hostile input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        ">" * 10_000 + " https://a.org\n",
        "[" * 10_000 + "https://a.org\n",
        "*" * 10_000 + "https://a.org" + "*" * 10_000 + "\n",
        "[a](" * 10_000 + "\n",
        "- " * 5_000 + "x https://a.org\n",
        "\n".join(">" * i + " x" for i in range(1, 2_000)),
        "`" * 10_000 + "\n",
        "<a href='x'>" * 5_000,
    ],
    ids=["quotes", "brackets", "stars", "open-links", "lists", "deep-quotes", "ticks", "html"],
)
def test_pathological_nesting_does_not_crash(text: str) -> None:
    ex = read(text)
    for link in ex.links:
        assert 0 <= link.offset <= link.end <= len(text)


def test_pathological_nesting_still_finds_the_url() -> None:
    text = ">" * 10_000 + " https://a.org\n"
    link = only(read(text))
    assert link.offset == text.index("https://a.org")


def test_in_page_links_are_checked_against_headings_and_html_ids() -> None:
    text = (
        "# Hello World!\n\n## Café & Co {#custom}\n\n## Café & Co\n\n"
        '<a name="x"></a> <div id="y"></div>\n\n'
        "[a](#hello-world) [b](#custom) [c](#nope) [d](#x) [e](#y) [f](#café--co-1) [g](#top)\n"
    )
    ex = read_markdown(Document("page.md", "markdown", text))
    verdicts = {link.raw: link.placeholder for link in ex.links}
    assert verdicts == {
        "#hello-world": None,
        "#custom": None,
        "#nope": "missing-anchor",
        "#x": None,
        "#y": None,
        "#café--co-1": None,
        "#top": None,
    }
