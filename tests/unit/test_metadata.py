"""Page metadata: each layer field by field, the order of trust, and hostile pages."""

from __future__ import annotations

import json

import pytest

from citecheck.metadata import PageMetadata, extract, find_doi, normalise_date, strip_site_name

URL = "https://news.example.org/2020/09/30/tech-army"


def _page(head: str, body: str = "<p>text</p>", lang: str = "") -> str:
    attr = f' lang="{lang}"' if lang else ""
    return f"<!doctype html><html{attr}><head>{head}</head><body>{body}</body></html>"


HIGHWIRE = """
<meta name="citation_title" content="Reservoir levels in a dry decade">
<meta name="citation_author" content="Doe, Jane">
<meta name="citation_author" content="Roe, Richard">
<meta name="citation_publication_date" content="2019/03/07">
<meta name="citation_journal_title" content="Journal of Water">
<meta name="citation_publisher" content="Water Society">
<meta name="citation_doi" content="doi:10.1234/JW.2019.42">
<meta name="citation_pdf_url" content="https://journal.example.org/42.pdf">
<meta name="citation_language" content="en">
"""

JSONLD = {
    "@context": "https://schema.org",
    "@graph": [
        {"@type": "WebSite", "name": "The Daily Example"},
        {
            "@type": ["NewsArticle"],
            "headline": "Tech army turns on its creator",
            "author": [{"@type": "Person", "name": "Luke Pierce"}, "Ann Other"],
            "datePublished": "2020-09-30T04:12:00-04:00",
            "publisher": {"@type": "Organization", "name": "Example Media"},
            "isPartOf": {"@type": "Periodical", "name": "The Daily Example"},
            "inLanguage": "en-US",
        },
    ],
}

DUBLIN = """
<meta name="DC.title" content="Annual report 2021">
<meta name="DC.creator" content="Statistics Office">
<meta name="DC.date" content="2021-06-01">
<meta name="DC.publisher" content="Government Press">
<meta name="DC.language" content="de">
<meta name="DC.identifier" content="https://doi.org/10.5555/ar.2021">
"""

OPENGRAPH = """
<meta property="og:title" content="Walked 70 km through the woods">
<meta property="og:site_name" content="Radio Liberty Belarus">
<meta property="og:type" content="article">
<meta property="article:published_time" content="2020-10-01T09:00:00+03:00">
<meta property="article:author" content="https://www.facebook.com/someone">
<meta name="author" content="Dmitri Gurnevich">
<meta property="og:locale" content="be_BY">
"""


def test_highwire_fields() -> None:
    m = extract(_page(HIGHWIRE), "https://journal.example.org/article/42")
    assert m.title == "Reservoir levels in a dry decade"
    assert m.authors == ["Doe, Jane", "Roe, Richard"]
    assert m.date == "2019-03-07"
    assert m.container == "Journal of Water"
    assert m.publisher == "Water Society"
    assert m.doi == "10.1234/jw.2019.42"
    assert m.pdf_url == "https://journal.example.org/42.pdf"
    assert m.language == "en"
    assert m.type == "article-journal"
    assert m.sources["title"] == "highwire"


def test_jsonld_fields() -> None:
    head = f'<script type="application/ld+json">{json.dumps(JSONLD)}</script>'
    m = extract(_page(head), URL)
    assert m.title == "Tech army turns on its creator"
    assert m.authors == ["Luke Pierce", "Ann Other"]
    assert m.date == "2020-09-30"
    assert m.container == "The Daily Example"
    assert m.publisher == "Example Media"
    assert m.language == "en-us"
    assert m.type == "article-newspaper"
    assert m.sources["title"] == "json-ld"


def test_dublin_core_fields() -> None:
    m = extract(_page(DUBLIN), "https://stats.example.org/report")
    assert (m.title, m.authors, m.date) == (
        "Annual report 2021",
        ["Statistics Office"],
        "2021-06-01",
    )
    assert (m.publisher, m.language, m.doi) == ("Government Press", "de", "10.5555/ar.2021")


def test_opengraph_fields_and_profile_urls_are_not_names() -> None:
    m = extract(_page(OPENGRAPH), "https://www.svaboda.org/a/30867.html")
    assert m.title == "Walked 70 km through the woods"
    assert m.container == "Radio Liberty Belarus"
    assert m.date == "2020-10-01"
    assert m.authors == ["Dmitri Gurnevich"]
    assert m.language == "be-by"


def test_order_of_trust_highwire_over_jsonld_over_opengraph() -> None:
    head = (
        '<meta property="og:title" content="Share this!">'
        f'<script type="application/ld+json">{json.dumps(JSONLD)}</script>'
        '<meta name="citation_title" content="The real title">'
    )
    m = extract(_page(head), URL)
    assert m.title == "The real title"
    assert m.authors == ["Luke Pierce", "Ann Other"]  # Highwire had none: JSON-LD's


def test_title_tag_minus_site_name_and_html_lang() -> None:
    m = extract(_page("<title>Tech army turns | The Daily Beast</title>", lang="en-GB"), URL)
    assert m.title == "Tech army turns | The Daily Beast"  # no site name known: kept whole
    head = '<title>Tech army turns | The Daily Beast</title><meta property="og:site_name" '
    m = extract(_page(head + 'content="The Daily Beast">', lang="en-GB"), URL)
    assert m.title == "Tech army turns" and m.language == "en-gb"
    assert m.sources["title"] == "html-title"
    assert strip_site_name("Home - Belaruspartisan", None, "belaruspartisan.by") == "Home"


def test_doi_from_url_and_forms() -> None:
    m = extract(_page("<title>x</title>"), "https://doi.org/10.1000/XYZ.123")
    assert m.doi == "10.1000/xyz.123"
    assert find_doi("see https://doi.org/10.1038/nphys1170).") == "10.1038/nphys1170"
    assert find_doi("no doi here") is None


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2020-09-30T04:12:00Z", "2020-09-30"),
        ("2020/9/3", "2020-09-03"),
        ("2020", "2020"),
        ("2020-13-01", "2020"),
        ("September 30, 2020", "2020-09-30"),
        ("30 Sept. 2020", "2020-09-30"),
        ("October 2020", "2020-10"),
        ("yesterday", None),
        ("", None),
        (12, None),
    ],
)
def test_normalise_date(text: object, iso: str | None) -> None:
    assert normalise_date(text) == iso


def test_date_from_url_when_no_metadata() -> None:
    m = extract(_page("<title>x</title>"), URL)
    assert m.date == "2020-09-30" and m.sources["date"] == "htmldate"


def test_missing_everything() -> None:
    m = extract(b"", "https://example.org/")
    assert m == PageMetadata(url="https://example.org/", sources={})


def test_hostile_metadata_comes_out_plain_and_bounded() -> None:
    head = (
        '<meta name="citation_title" content="&lt;script&gt;alert(1)&lt;/script&gt;Big } @misc{x,'
        ' title=&#x7b;\u202eevil">'
        + "".join(f'<meta name="citation_author" content="A{i}">' for i in range(500))
        + f'<meta property="og:site_name" content="{"S" * 100_000}">'
        + '<script type="application/ld+json">{"@type": "Article", "headline": ['
        + "1," * 10_000
        + "1]}</script>"
        + '<script type="application/ld+json">{not json</script>'
    )
    m = extract(_page(head), URL)
    assert m.title is not None and "<" not in m.title and "\u202e" not in m.title
    assert "}" in m.title and "@misc" in m.title  # kept as text; exports escape it
    assert len(m.authors) == 50
    assert m.container is not None and len(m.container) <= 500


def test_conflicting_layers_never_mix_authors() -> None:
    head = (
        '<meta name="citation_author" content="One">'
        '<meta name="DC.creator" content="Two"><meta name="author" content="Three">'
    )
    assert extract(_page(head), URL).authors == ["One"]


def test_bytes_in_declared_charset_and_round_trip() -> None:
    body = _page('<meta charset="windows-1251"><title>Лукашенко</title>').encode("cp1251")
    m = extract(body, "https://example.by/a")
    assert m.title == "Лукашенко"
    assert PageMetadata.from_dict(m.to_dict()) == m
