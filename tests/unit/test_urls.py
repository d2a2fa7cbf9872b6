"""Judging link targets, and finding URLs and stand-ins in running text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citecheck.urls import REASONS, find_bare_urls, find_markers, judge, normalise, trim_url

# (target as written, expected reason code)
PLACEHOLDERS = [
    ("", "empty"),
    ("   ", "empty"),
    ("#", "fragment-only"),
    (" # ", "fragment-only"),
    ("javascript:void(0)", "javascript"),
    ("JavaScript:alert(1)", "javascript"),
    ("about:blank", "about-blank"),
    ("http://example.com", "example-domain"),
    ("https://example.net/page", "example-domain"),
    ("http://example.org/", "example-domain"),
    ("HTTP://EXAMPLE.COM/x", "example-domain"),
    ("http://sub.example.com/a", "example-domain"),
    ("http://foo.example/", "example-domain"),
    ("http://example.com./", "example-domain"),
    ("https://site.test/x", "reserved-domain"),
    ("http://nothing.invalid", "reserved-domain"),
    ("http://localhost:8000/", "loopback"),
    ("http://app.localhost/", "loopback"),
    ("http://127.0.0.1/", "loopback"),
    ("http://127.5.5.5:8080/x", "loopback"),
    ("http://0.0.0.0/", "loopback"),
    ("TODO", "todo"),
    ("todo", "todo"),
    ("TBD", "todo"),
    ("XXX", "todo"),
    ("xxxx", "todo"),
    ("link", "todo"),
    ("url", "todo"),
    ("URL", "todo"),
    ("<url>", "todo"),
    ("[URL]", "todo"),
    ("insert link", "todo"),
    ("...", "todo"),
    ("…", "todo"),
    ("http://", "scheme-only"),
    ("https://", "scheme-only"),
    ("https:", "scheme-only"),
    ("mailto:", "scheme-only"),
    ("http://a b.com/", "malformed"),
    ("https://a.org/two words", "malformed"),
    ("http://a.com:99999/", "malformed"),
    ("http://a.com:abc/", "malformed"),
    ("http://-x-.com/", "malformed"),
    ("http://xn--a.com/", "malformed"),
    ("http:foo", "malformed"),
    ("http:///path-only", "malformed"),
]


@pytest.mark.parametrize(("raw", "reason"), PLACEHOLDERS)
def test_judge_names_placeholders(raw: str, reason: str) -> None:
    assert reason in REASONS
    assert judge(raw).placeholder == reason


@pytest.mark.parametrize(
    "raw",
    [
        "http://example.com",
        "http://localhost/",
        "http://127.0.0.1/",
        "https://site.test/",
    ],
)
def test_placeholder_hosts_still_get_a_normalised_url(raw: str) -> None:
    target = judge(raw)
    assert target.placeholder is not None
    assert target.url is not None and target.url.startswith("http")


@pytest.mark.parametrize(
    "raw",
    ["", "#", "javascript:void(0)", "about:blank", "TODO", "http://", "http://a b.com/"],
)
def test_unusable_targets_have_no_url(raw: str) -> None:
    assert judge(raw).url is None


@pytest.mark.parametrize(
    "raw",
    [
        "http://notexample.com/",
        "http://example.com.au/",
        "https://mytest.org/",
        "http://localhost.com/",
    ],
)
def test_lookalikes_of_reserved_names_are_real(raw: str) -> None:
    assert judge(raw).placeholder is None


def test_every_reason_code_is_exercised() -> None:
    produced_here = {reason for _, reason in PLACEHOLDERS}
    # The rest come from judge() with a document or anchors (below) and from the readers.
    elsewhere = {"missing-file", "missing-anchor", "marker", "undefined-label"}
    assert produced_here | elsewhere == set(REASONS)


@pytest.mark.parametrize(
    ("raw", "url", "reason"),
    [
        ("http://[::1]/", "http://[::1]/", "loopback"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x", "loopback"),
        ("http://[2001:db8::1]/page", "http://[2001:db8::1]/page", None),
    ],
)
def test_ipv6_hosts(raw: str, url: str, reason: str | None) -> None:
    target = judge(raw)
    assert (target.url, target.placeholder) == (url, reason)


# --- normalisation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        ("HTTP://EN.Wikipedia.ORG/Wiki/Foo", "http://en.wikipedia.org/Wiki/Foo"),
        ("https://a.org:443/x", "https://a.org/x"),
        ("http://a.org:80/x", "http://a.org/x"),
        ("http://a.org:8080/x", "http://a.org:8080/x"),
        ("https://a.org:80/x", "https://a.org:80/x"),
        ("ftp://files.org:21/f.txt", "ftp://files.org/f.txt"),
        ("https://a.org", "https://a.org/"),
        ("http://bücher.de/Seite", "http://xn--bcher-kva.de/Seite"),
        ("https://ПРИМЕР.рф/путь", "https://xn--e1afmkfd.xn--p1ai/путь"),
        ("www.bbc.co.uk/news", "http://www.bbc.co.uk/news"),
        ("WWW.BBC.CO.UK/News", "http://www.bbc.co.uk/News"),
        ("https://a.org/Path/To?Q=1#Frag", "https://a.org/Path/To?Q=1#Frag"),
        ("http://User:Pw@A.org/", "http://User:Pw@a.org/"),
        ("  https://a.org/x  ", "https://a.org/x"),
        ("http://a.com?q=1", "http://a.com/?q=1"),
        ("http://A.com#Frag", "http://a.com/#Frag"),
        ("http://a.org.:80/", "http://a.org/"),
    ],
)
def test_judge_normalises_usable_urls(raw: str, url: str) -> None:
    target = judge(raw)
    assert target.placeholder is None
    assert target.url == url


def test_normalise_returns_none_for_a_bad_port() -> None:
    assert normalise("http://a.org:99999/") is None
    assert normalise("http://a.org:x/") is None


def test_normalise_leaves_other_schemes_alone() -> None:
    assert normalise("mailto:Someone@Example.ORG") == "mailto:Someone@Example.ORG"


@pytest.mark.parametrize(
    "raw", ["mailto:editor@news.org", "tel:+44-20-7946-0000", "urn:isbn:0451450523"]
)
def test_hostless_schemes_are_kept_as_written(raw: str) -> None:
    target = judge(raw)
    assert (target.url, target.placeholder) == (raw, None)


# --- local files and anchors -----------------------------------------------------------------


def test_existing_relative_file(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "other.md").write_text("x")
    doc = tmp_path / "doc.md"
    for raw in ("notes/other.md", "./notes/other.md", "notes/other.md#part", "notes/other.md?v=2"):
        target = judge(raw, document=doc)
        assert target.placeholder is None, raw
        assert target.url == (tmp_path / "notes" / "other.md").resolve().as_uri()


def test_percent_encoded_relative_file(tmp_path: Path) -> None:
    (tmp_path / "my notes.md").write_text("x")
    target = judge("my%20notes.md", document=tmp_path / "doc.md")
    assert target.placeholder is None


def test_missing_relative_file(tmp_path: Path) -> None:
    target = judge("gone.md", document=tmp_path / "doc.md")
    assert target.placeholder == "missing-file"
    assert target.url == (tmp_path / "gone.md").resolve().as_uri()


def test_parent_folder_reference(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "top.md").write_text("x")
    assert judge("../top.md", document=tmp_path / "sub" / "doc.md").placeholder is None
    assert judge("../nope.md", document=tmp_path / "sub" / "doc.md").placeholder == "missing-file"


def test_file_scheme(tmp_path: Path) -> None:
    real = tmp_path / "real.txt"
    real.write_text("x")
    assert judge(real.as_uri()).placeholder is None
    assert judge((tmp_path / "nope.txt").as_uri()).placeholder == "missing-file"


def test_internal_anchor_without_anchor_list_is_internal() -> None:
    target = judge("#results")
    assert target.internal
    assert target.placeholder is None
    assert target.url == "#results"


def test_internal_anchor_checked_against_anchors() -> None:
    anchors = {"intro", "café"}
    found = judge("#intro", anchors=anchors)
    assert found.internal and found.placeholder is None
    assert judge("#caf%C3%A9", anchors=anchors).placeholder is None
    missing = judge("#nowhere", anchors=anchors)
    assert missing.placeholder == "missing-anchor"
    assert missing.url is None


# --- base resolution -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "url"),
    [
        ("page2.html", "https://news.org/dir/page2.html"),
        ("/about", "https://news.org/about"),
        ("../up.html", "https://news.org/up.html"),
        ("#frag", "https://news.org/dir/index.html#frag"),
        ("//cdn.org/x.js", "https://cdn.org/x.js"),
        ("https://other.org/", "https://other.org/"),
    ],
)
def test_relative_targets_resolve_against_base(raw: str, url: str) -> None:
    target = judge(raw, base="https://news.org/dir/index.html")
    assert (target.url, target.placeholder) == (url, None)


def test_resolved_target_is_still_judged() -> None:
    assert judge("x", base="http://example.com/a/").placeholder == "example-domain"
    assert judge("TODO", base="https://news.org/").placeholder == "todo"


# --- URLs in running text --------------------------------------------------------------------


def _urls(text: str) -> list[str]:
    found = find_bare_urls(text)
    for start, end, raw in found:
        assert text[start:end] == raw
    return [raw for _, _, raw in found]


def test_wikipedia_parentheses_are_kept() -> None:
    url = "https://en.wikipedia.org/wiki/Spillway_(disambiguation)"
    assert _urls(f"See {url}.") == [url]
    assert _urls(f"(see {url})") == [url]
    assert _urls("https://a.org/wiki/A_(b)_(c)") == ["https://a.org/wiki/A_(b)_(c)"]


@pytest.mark.parametrize("trail", list(".,;:!?)'\"") + ["...", ").", "”", "»", "*"])
def test_trailing_punctuation_is_dropped(trail: str) -> None:
    assert _urls(f"Read http://a.org/x{trail} now") == ["http://a.org/x"]


def test_url_in_parentheses() -> None:
    text = "The report (see http://a.org/x) says so."
    [(start, end, raw)] = find_bare_urls(text)
    assert raw == "http://a.org/x"
    assert start == text.index("http")


def test_angle_bracket_form() -> None:
    text = "Mail <http://a.org> today"
    [(start, end, raw)] = find_bare_urls(text)
    assert (start, end, raw) == (text.index("http"), text.index(">"), "http://a.org")


def test_quoted_urls() -> None:
    assert _urls("'http://a.org/x'") == ["http://a.org/x"]
    assert _urls('"http://a.org/x"') == ["http://a.org/x"]
    assert _urls("«http://a.org/x»") == ["http://a.org/x"]
    assert _urls("“http://a.org/x”") == ["http://a.org/x"]


def test_www_forms() -> None:
    assert _urls("visit www.bbc.co.uk/news.") == ["www.bbc.co.uk/news"]
    assert _urls("VISIT WWW.BBC.CO.UK NOW") == ["WWW.BBC.CO.UK"]
    assert _urls("just www. alone") == []


@pytest.mark.parametrize(
    "written",
    [
        "HTTP://A.ORG/X",
        "Https://a.org/x",
        "Www.a.org/x",
        "FTP://f.org/a",
        "Ftp://f.org",
    ],
)
def test_upper_and_title_case_forms(written: str) -> None:
    text = f"Old style: {written}, kept."
    assert find_bare_urls(text) == [(11, 11 + len(written), written)]
    assert judge(written).url is not None


def test_scheme_only_is_reported() -> None:
    text = "Source: http:// (fill in)"
    [(start, end, raw)] = find_bare_urls(text)
    assert raw == "http://"
    assert start == text.index("http://")
    assert judge(raw).placeholder == "scheme-only"


def test_no_match_glued_to_other_text() -> None:
    assert _urls("foo@http://a.org") == []
    assert _urls("Xhttp://a.org") == []
    assert _urls("path/http://a.org") == []


def test_query_and_fragment_kept() -> None:
    assert _urls("a http://a.org/?q=1&b=2#f. b") == ["http://a.org/?q=1&b=2#f"]
    assert _urls("http://a.org/x?y=(1)") == ["http://a.org/x?y=(1)"]


def test_several_urls_in_order() -> None:
    text = "first https://a.org, then ftp://f.org/file and www.c.org."
    assert _urls(text) == ["https://a.org", "ftp://f.org/file", "www.c.org"]


def test_non_ascii_url_path() -> None:
    assert _urls("Ссылка: http://a.org/путь, ok") == ["http://a.org/путь"]


@pytest.mark.parametrize(
    ("candidate", "url"),
    [
        ("http://a.org/x).", "http://a.org/x"),
        ("http://a.org/A_(b))", "http://a.org/A_(b)"),
        ("http://a.org/x]", "http://a.org/x"),
        ("http://a.org/[x]", "http://a.org/[x]"),
        ("http://a.org/>", "http://a.org/"),
        ("http://a.org/x", "http://a.org/x"),
        (".,;", ""),
    ],
)
def test_trim_url(candidate: str, url: str) -> None:
    assert trim_url(candidate) == url


_segment = st.from_regex(r"\A[A-Za-z0-9](?:[A-Za-z0-9._~%-]{0,10}[A-Za-z0-9])?\Z")
_paren_segment = st.builds(lambda a, b: f"{a}_({b})", _segment, _segment)
_host = st.lists(st.from_regex(r"\A[a-z0-9]{1,8}\Z"), min_size=1, max_size=3).map(
    lambda labels: ".".join([*labels, "org"])
)


@st.composite
def _urls_strategy(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http://", "https://", "ftp://"]))
    host = draw(_host)
    segments = draw(st.lists(st.one_of(_segment, _paren_segment), max_size=4))
    url = scheme + host + "".join("/" + s for s in segments)
    if draw(st.booleans()):
        url += "/"
    if draw(st.booleans()):
        url += "?" + draw(_segment) + "=" + draw(_segment)
    return url


@given(_urls_strategy(), st.sampled_from(list(".,;:!?'\"") + [")", "", "...", "”"]))
def test_property_sentence_end_is_not_part_of_url(url: str, trail: str) -> None:
    text = f"See {url}{trail}"
    assert find_bare_urls(text) == [(4, 4 + len(url), url)]


@given(_urls_strategy())
def test_property_url_in_parentheses(url: str) -> None:
    assert _urls(f"A claim (see {url}). More.") == [url]


def test_find_markers() -> None:
    text = "a [link] b [URL] c [Link Here] d [citation needed] e [insert link] f [links] g"
    found = find_markers(text)
    assert [raw for _, _, raw in found] == [
        "[link]",
        "[URL]",
        "[Link Here]",
        "[citation needed]",
        "[insert link]",
    ]
    for start, end, raw in found:
        assert text[start:end] == raw


@given(
    st.sampled_from(["http", "https"]),
    _host,
    st.sampled_from(["", ":80", ":443", ":8080"]),
    st.lists(_segment, max_size=3),
    st.booleans(),
)
def test_property_judge_agrees_with_normalise(
    scheme: str, host: str, port: str, segments: list[str], upper: bool
) -> None:
    path = "".join("/" + s for s in segments)
    written = f"{scheme}://{host.upper() if upper else host}{port}{path}"
    target = judge(written)
    assert target.placeholder is None
    assert target.url == normalise(written)
    default = {"http": ":80", "https": ":443"}[scheme]
    kept_port = "" if port == default else port
    assert target.url == f"{scheme}://{host}{kept_port}{path or '/'}"
