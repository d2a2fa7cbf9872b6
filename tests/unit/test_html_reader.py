"""Tests for the HTML reader: links, positions, placeholders, blocks, footnotes, robustness."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from citecheck.model import Block, Document, Extraction, Link
from citecheck.positions import LineIndex
from citecheck.readers.html import read_html


def read(text: str, path: str = "/nonexistent/page.html", **kw: bool) -> Extraction:
    return read_html(Document(path, "html", text), **kw)


def by_raw(ex: Extraction, raw: str) -> Link:
    (link,) = [lk for lk in ex.links if lk.raw == raw]
    return link


def block_with(ex: Extraction, words: str) -> Block:
    (block,) = [b for b in ex.blocks if words in b.text]
    return block


# --- links ---------------------------------------------------------------------------------------


def test_every_link_kind_is_found_with_text() -> None:
    text = (
        '<p><a href="https://a.org/">The  A\n site</a> '
        '<img src="https://img.org/p.png" alt="A   chart">\n'
        '<blockquote cite="https://bq.org/">Quoted at length here.</blockquote>\n'
        '<q cite="https://q.org/">short quote</q> <ins cite="https://ins.org/">added</ins>'
        '<del cite="https://del.org/">removed</del><a name="plain">no href</a></p>'
    )
    ex = read(text)
    got = {(lk.raw, lk.kind, lk.text) for lk in ex.links}
    assert got == {
        ("https://a.org/", "html", "The A site"),
        ("https://img.org/p.png", "image", "A chart"),
        ("https://bq.org/", "cite", "Quoted at length here."),
        ("https://q.org/", "cite", "short quote"),
        ("https://ins.org/", "cite", "added"),
        ("https://del.org/", "cite", "removed"),
    }
    assert all(lk.document == "/nonexistent/page.html" for lk in ex.links)
    assert [lk.offset for lk in ex.links] == sorted(lk.offset for lk in ex.links)


def test_cite_text_is_a_short_excerpt() -> None:
    ex = read('<blockquote cite="https://bq.org/">' + "word " * 500 + "</blockquote>")
    assert ex.links[0].text.startswith("word word")
    assert len(ex.links[0].text) <= 121 and ex.links[0].text.endswith("…")


def test_exact_line_and_column_of_links() -> None:
    text = (
        "<!doctype html>\r\n<html><body>\n<p>Привет — «quotes» first,\n"
        '  then <a\n   href="https://a.org/x">a link</a> and <img src="https://b.org/i.png">'
        "</p>\n"
    )
    ex = read(text)
    a, img = ex.links
    assert a.offset == text.index('<a\n   href="https://a.org')
    assert img.offset == text.index('<img src="https://b.org')
    assert LineIndex(text).line_col(a.offset) == (4, 8)
    # Link.end: past the element for <a>, past the start tag for <img>.
    assert text[a.offset : a.end] == '<a\n   href="https://a.org/x">a link</a>'
    assert text[img.offset : img.end] == '<img src="https://b.org/i.png">'


def test_end_of_an_implicitly_closed_link() -> None:
    text = '<p><a href="https://one.org/">one <a href="https://two.org/">two</p><p>after'
    one, two = read(text).links
    assert text[one.offset : one.end] == '<a href="https://one.org/">one '
    assert one.text == "one" and two.text == "two"
    assert text[two.offset : two.end] == '<a href="https://two.org/">two'


def test_entities_are_decoded_in_targets() -> None:
    ex = read('<a href="https://a.org/s?x=1&amp;y=2&#38;z=&quot;3&quot;">q</a>')
    assert ex.links[0].raw == 'https://a.org/s?x=1&y=2&z="3"'
    assert ex.links[0].url == 'https://a.org/s?x=1&y=2&z="3"'
    assert ex.links[0].placeholder is None


def test_wrapped_href_is_joined_like_a_browser_would() -> None:
    ex = read('<a href="https://a.org/long/\n    path">x</a>')
    assert ex.links[0].raw == "https://a.org/long/\n    path"  # as written
    assert ex.links[0].placeholder == "malformed"  # the spaces remain: browsers keep them too
    ex = read('<a href="https://a.org/long/\npath">x</a>')
    assert (ex.links[0].url, ex.links[0].placeholder) == ("https://a.org/long/path", None)


def test_placeholders() -> None:
    ex = read(
        '<a href="">e</a><a href="#">h</a><a href="javascript:void(0)">j</a>'
        '<a href="  ">s</a><a href>bare</a><a href="https://example.com/">x</a>'
    )
    assert [lk.placeholder for lk in ex.links] == [
        "empty",
        "fragment-only",
        "javascript",
        "empty",
        "empty",
        "example-domain",
    ]
    assert all(lk.kind == "html" for lk in ex.links)


def test_fragment_links_are_internal_only_when_the_anchor_exists() -> None:
    text = (
        '<h2 id="exists">Here</h2><a name="old-style"></a>'
        '<a href="#exists">1</a><a href="#old-style">2</a><a href="#missing">3</a>'
        '<a href="#caf%C3%A9">4</a><p id="café">x</p>'
    )
    ex = read(text)
    got = {lk.raw: (lk.url, lk.placeholder) for lk in ex.links}
    assert got["#exists"] == ("#exists", None)
    assert got["#old-style"] == ("#old-style", None)
    assert got["#missing"] == (None, "missing-anchor")
    assert got["#caf%C3%A9"] == ("#caf%C3%A9", None)


def test_base_href_resolves_relative_targets() -> None:
    text = (
        "<head><title>t</title></head><body>"
        '<a href="rel/page.html">r</a><a href="/root">s</a><a href="#here">h</a>'
        '<img src="../img.png"><span id="here"></span>'
        '<base href="https://base.org/dir/sub/"><base href="https://second.org/">'
    )
    ex = read(text)
    urls = {lk.raw: (lk.url, lk.placeholder) for lk in ex.links}
    assert urls["rel/page.html"] == ("https://base.org/dir/sub/rel/page.html", None)
    assert urls["/root"] == ("https://base.org/root", None)
    assert urls["../img.png"] == ("https://base.org/dir/img.png", None)
    # An in-page link stays in the page, even under a <base>.
    assert urls["#here"] == ("#here", None)


def test_a_url_named_page_is_its_own_base() -> None:
    ex = read('<a href="other.html">o</a>', path="https://site.org/a/page.html")
    assert ex.links[0].url == "https://site.org/a/other.html"
    ex = read('<base href="../b/"><a href="x">o</a>', path="https://site.org/a/page.html")
    assert ex.links[0].url == "https://site.org/b/x"


def test_protocol_relative_links_are_web_links() -> None:
    ex = read('<a href="//cdn.org/lib/">c</a>')
    assert (ex.links[0].url, ex.links[0].placeholder) == ("https://cdn.org/lib/", None)


def test_local_files_missing_and_existing(tmp_path: Path) -> None:
    (tmp_path / "there.html").write_text("hi", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pic.png").write_bytes(b"png")
    page = tmp_path / "page.html"
    text = (
        '<a href="there.html#part">1</a><a href="gone.html">2</a>'
        '<img src="sub/pic.png"><a href="sub/none.pdf">3</a>'
    )
    ex = read(text, path=str(page))
    got = {lk.raw: lk.placeholder for lk in ex.links}
    assert got == {
        "there.html#part": None,
        "gone.html": "missing-file",
        "sub/pic.png": None,
        "sub/none.pdf": "missing-file",
    }
    assert by_raw(ex, "there.html#part").url == (tmp_path / "there.html").resolve().as_uri()


def test_relative_base_in_a_local_file(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.html").write_text("a", encoding="utf-8")
    ex = read(
        '<base href="docs/"><a href="a.html">a</a><a href="b.html">b</a>',
        path=str(tmp_path / "page.html"),
    )
    assert [lk.placeholder for lk in ex.links] == [None, "missing-file"]


def test_scripts_styles_links_templates_and_comments_are_not_citations() -> None:
    text = (
        '<head><link rel="stylesheet" href="https://css.org/s.css">'
        '<script src="https://js.org/a.js"></script>'
        "<script>var u = \"<a href='https://inscript.org/'>x</a>\";</script>"
        "<style>body { background: url(https://style.org/bg.png) }</style></head>"
        '<body><!-- <a href="https://comment.org/">old</a> -->'
        '<template><a href="https://template.org/">t</a><p>template prose</p></template>'
        '<p>Real <a href="https://real.org/">link</a>.</p></body>'
    )
    ex = read(text)
    assert [lk.raw for lk in ex.links] == ["https://real.org/"]
    assert [b.text for b in ex.blocks] == ["Real link."]


def test_links_in_code_are_kept_only_on_request() -> None:
    text = (
        '<p>See <code><a href="https://inline.org/">x</a></code>.</p>'
        '<pre><a href="https://pre.org/">y</a>\n<img src="https://pre.org/i.png"></pre>'
        '<p><a href="https://prose.org/">z</a></p>'
    )
    assert [lk.raw for lk in read(text).links] == ["https://prose.org/"]
    ex = read(text, include_code=True)
    assert [(lk.raw, lk.in_code) for lk in ex.links] == [
        ("https://inline.org/", True),
        ("https://pre.org/", True),
        ("https://pre.org/i.png", True),
        ("https://prose.org/", False),
    ]


def test_nav_and_footer_links_are_kept_but_their_text_is_not_prose() -> None:
    text = (
        '<nav><a href="https://nav.org/">Home</a> Menu text.</nav>'
        "<main><p>Article text.</p></main>"
        '<footer>Copyright 2024 <a href="https://foot.org/">us</a>.</footer>'
    )
    ex = read(text)
    assert {lk.raw for lk in ex.links} == {"https://nav.org/", "https://foot.org/"}
    assert [b.text for b in ex.blocks] == ["Article text."]


# --- title and date ------------------------------------------------------------------------------


def test_title_and_meta_date() -> None:
    text = (
        "<html><head><title>\n  Page &amp;  Title </title>"
        '<meta property="article:published_time" content="2024-03-05T10:00:00Z">'
        '<meta name="date" content="1999-01-01"></head>'
        '<body><svg><title>icon</title></svg><h1>Heading</h1><article><time datetime="2020">'
    )
    ex = read(text)
    assert ex.title == "Page & Title"
    assert ex.date == "2024-03-05T10:00:00Z"


def test_title_falls_back_to_h1_and_date_to_the_first_articles_time() -> None:
    text = (
        '<body><time datetime="1990-01-01">outside</time><h1> The <em>Main</em> Title</h1>'
        '<article><p>By x, <time datetime="2021-06-07T08:00">June 7</time></p></article>'
        '<article><time datetime="2022-01-01">later</time></article>'
    )
    ex = read(text)
    assert ex.title == "The Main Title"
    assert ex.date == "2021-06-07T08:00"
    assert read("<p>nothing</p>").title is None
    assert read("<p>nothing</p>").date is None
    assert read('<meta name="DC.date" content="2001-02-03">').date == "2001-02-03"


def test_an_unclosed_head_does_not_hide_the_body() -> None:
    ex = read("<html><head><title>T</title><meta charset=utf-8><p>Body text.<p>More.")
    assert ex.title == "T"
    assert [b.text for b in ex.blocks] == ["Body text.", "More."]


def test_standard_input_resolves_local_targets_from_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "here.html").write_text("x", encoding="utf-8")
    ex = read('<a href="here.html">h</a><a href="gone.html">g</a>', path="-")
    assert [lk.placeholder for lk in ex.links] == [None, "missing-file"]
    assert all(lk.document == "-" for lk in ex.links)


# --- blocks --------------------------------------------------------------------------------------


def test_block_text_and_anchor_mapping() -> None:
    text = (
        "<div>\n<p>The  GDP\n      grew by 5&nbsp;percent &amp; more in <b>2020</b>,"
        " said <a href='https://a.org/'>the   minister</a>.</p>\n</div>"
    )
    ex = read(text)
    (block,) = ex.blocks
    assert block.text == "The GDP grew by 5 percent & more in 2020, said the minister."
    assert block.role == "prose"
    for word in ("The", "GDP", "grew", "percent", "more", "2020", "said", "minister"):
        src = block.source_offset(block.text.index(word))
        assert text[src : src + len(word)] == word, word
    amp = block.source_offset(block.text.index("&"))
    assert text.startswith("&amp;", amp)


def test_every_word_of_every_block_maps_back_to_its_source() -> None:
    text = "<ul>\n" + "".join(
        f"<li>Item {i}:\t<i>x{i}</i>  y&lt;z <span>tail  {i}</span>\n  end</li>\n"
        for i in range(200)
    )
    ex = read(text)
    assert len(ex.blocks) == 200 and {b.role for b in ex.blocks} == {"item"}
    for block in ex.blocks:
        for m in re.finditer(r"[\w:]+", block.text):
            src = block.source_offset(m.start())
            assert text[src : src + len(m.group())] == m.group()


def test_block_roles_and_splitting() -> None:
    text = (
        "<body>Loose text<h2>A heading</h2><ul><li>First item<ul><li>nested</li></ul>"
        " after nested</li></ul><table><tr><td>cell one<td>cell two</table>"
        "<dl><dt>term<dd>definition</dl><figure><figcaption>caption</figcaption></figure>"
        "<p>para one<p>para two<hr>after rule</body>"
    )
    ex = read(text)
    assert [(b.text, b.role) for b in ex.blocks] == [
        ("Loose text", "prose"),
        ("A heading", "heading"),
        ("First item", "item"),
        ("nested", "item"),
        ("after nested", "item"),
        ("cell one", "prose"),
        ("cell two", "prose"),
        ("term", "prose"),
        ("definition", "prose"),
        ("caption", "prose"),
        ("para one", "prose"),
        ("para two", "prose"),
        ("after rule", "prose"),
    ]


# --- footnotes -----------------------------------------------------------------------------------

PANDOC = """<p>The share grew 40% in 2021.<a href="#fn1" class="footnote-ref" id="fnref1"
role="doc-noteref"><sup>1</sup></a> Then it fell.<a href="#fn2" class="footnote-ref"
id="fnref2" role="doc-noteref"><sup>2</sup></a></p>
<section id="footnotes" class="footnotes footnotes-end-of-document" role="doc-endnotes">
<hr />
<ol>
<li id="fn1"><p>Report, <a href="https://stats.org/2021">stats.org</a>.<a href="#fnref1"
class="footnote-back" role="doc-backlink">↩︎</a></p></li>
<li id="fn2"><p>See <a href="https://news.org/fall">news</a>.<a href="#fnref2"
class="footnote-back" role="doc-backlink">↩︎</a></p></li>
</ol>
</section>
"""

MARKDOWN_IT = (
    '<p>Claim here.<sup class="footnote-ref"><a href="#fn1" id="fnref1">[1]</a></sup></p>\n'
    """<hr class="footnotes-sep">
<section class="footnotes">
<ol class="footnotes-list">
<li id="fn1" class="footnote-item"><p>Source <a href="https://s.org/">s</a> <a href="#fnref1"
class="footnote-backref">↩︎</a></p>
</li>
</ol>
</section>
"""
)


def _links_in(ex: Extraction, span: tuple[int, int]) -> list[str]:
    return [lk.raw for lk in ex.links if span[0] <= lk.offset < span[1]]


def test_pandoc_footnotes() -> None:
    ex = read(PANDOC)
    assert [(r.label, r.offset) for r in ex.footnote_refs] == [
        ("1", PANDOC.index('<a href="#fn1"')),
        ("2", PANDOC.index('<a href="#fn2"')),
    ]
    assert set(ex.footnote_defs) == {"1", "2"}
    start, end = ex.footnote_defs["1"]
    assert start == PANDOC.index('<li id="fn1">')
    assert PANDOC[start:end].endswith("</li>")
    assert _links_in(ex, ex.footnote_defs["1"]) == ["https://stats.org/2021", "#fnref1"]
    assert _links_in(ex, ex.footnote_defs["2"]) == ["https://news.org/fall", "#fnref2"]
    # Back-links and references are internal links; markers stay out of the prose.
    for raw in ("#fn1", "#fnref1", "#fnref2"):
        assert (by_raw(ex, raw).url, by_raw(ex, raw).placeholder) == (raw, None)
    assert block_with(ex, "share").text == "The share grew 40% in 2021. Then it fell."
    notes = [(b.text, b.role, b.label) for b in ex.blocks if b.role == "footnote"]
    assert notes == [("Report, stats.org.", "footnote", "1"), ("See news.", "footnote", "2")]


def test_markdown_it_footnotes() -> None:
    ex = read(MARKDOWN_IT)
    assert [r.label for r in ex.footnote_refs] == ["1"]
    assert _links_in(ex, ex.footnote_defs["1"]) == ["https://s.org/", "#fnref1"]
    assert block_with(ex, "Claim").text == "Claim here."
    assert block_with(ex, "Source").label == "1"


def test_plain_sup_reference_and_div_footnote() -> None:
    text = (
        '<p>Fact one<sup><a href="#note-a">1</a></sup>.</p>'
        '<div class="footnote" id="note-a">Per <a href="https://a.org/">a</a>.</div>'
        '<p>Fact two.<sup><a href="#cite_note-7">[7]</a></sup></p>'
        '<ol class="references"><li id="cite_note-7"><a href="#cite_ref-7">^</a>'
        ' <a href="https://w.org/">W</a></li></ol>'
    )
    ex = read(text)
    assert [r.label for r in ex.footnote_refs] == ["1", "7"]
    assert _links_in(ex, ex.footnote_defs["1"]) == ["https://a.org/"]
    assert _links_in(ex, ex.footnote_defs["7"]) == ["#cite_ref-7", "https://w.org/"]
    assert block_with(ex, "Per").text == "Per a."
    assert block_with(ex, "Per").role == "footnote"


def test_a_fragment_link_that_is_not_a_footnote_makes_no_reference() -> None:
    ex = read('<p>See <a href="#sec">below</a>.</p><h2 id="sec">S</h2>')
    assert ex.footnote_refs == [] and ex.footnote_defs == {}
    assert block_with(ex, "See").text == "See below."


# --- robustness ----------------------------------------------------------------------------------


def test_malformed_html_does_not_crash() -> None:
    samples = [
        '<a href="https://a.org/>unterminated',
        "<p><b><i>crossed</b></i></p></div></span></a>",
        "<<>><a href=x>>< /a>&&;&#xZZ;&#99999999;<!---->--><![CDATA[x]]><?pi?>",
        '<table><td><a href="https://t.org/">t</td><td>no close',
        "</p></li></body></html>" * 10,
        '<a href="https://x.org/"\x00>nul</a><a href="a\x00b">z</a>',
        "<a href='" + "y" * 5000 + "'>long</a>",
        "<![foo[bar]]><![if !supportLists]>x<![endif]><![CDATA[y]]><!x><?pi>",
        "",
    ]
    for text in samples:
        ex = read(text)
        for lk in ex.links:
            assert text[lk.offset] == "<"
    ex = read("<p>one <a href='https://a.org/'>A <p>two <a href='https://b.org/'>B")
    assert [(lk.raw, lk.text) for lk in ex.links] == [
        ("https://a.org/", "A"),
        ("https://b.org/", "B"),
    ]


def test_comments_including_empty_and_unfinished_ones_are_not_text() -> None:
    ex = read('<p>a<!-->b<!--->c<!-- <a href="https://no.org/">x</a> -->d<!-- open <p>e')
    assert [b.text for b in ex.blocks] == ["abcd"]
    assert ex.links == []


def test_unfinished_markup_stays_fast() -> None:
    # html.parser rescans to the end for each unfinished construct: quadratic without care.
    for text in ("<a " * 50_000, "<a <b>x<!-- " * 20_000, "x<!--" * 50_000 + ">"):
        started = time.perf_counter()
        read(text)
        assert time.perf_counter() - started < 10


def test_deep_nesting_does_not_crash() -> None:
    n = 10_000
    ex = read("<div>x" * n + "</div>" * n)
    assert len(ex.blocks) == n
    ex = read('<blockquote cite="https://c.org/">q' * n)
    assert len(ex.links) == n and ex.links[-1].text == "q"
    ex = read("<span><b>" * n + '<a href="https://deep.org/">deep</a>' + "</b></span>" * n)
    assert [lk.text for lk in ex.links] == ["deep"]
