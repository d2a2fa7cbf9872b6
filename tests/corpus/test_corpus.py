"""The two real corpus documents scanned end to end."""

from __future__ import annotations

from pathlib import Path

from citecheck.footnotes import add_text_footnotes
from citecheck.readers import read_document
from citecheck.scan import scan

DRAFT = "cyber-partisans-draft.txt"
SCRAPE = "belarus-it-sector-scrape.txt"


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_draft_reports_six_placeholders_with_lines(corpus: Path) -> None:
    path = corpus / DRAFT
    text = path.read_text(encoding="utf-8")
    inv = scan([path])
    assert inv.documents[0].format == "markdown"
    placeholders = [k for k in inv.links if k.placeholder is not None]
    assert len(placeholders) == 6
    assert all(k.raw == "#" and k.placeholder == "fragment-only" for k in placeholders)
    expected = {
        "mandated": _line_of(text, "[mandated](#)"),
        "to act": _line_of(text, "[to act](#)"),
        "subjectivity": _line_of(text, "[subjectivity](#)"),
    }
    for label, line in expected.items():
        (hit,) = [k for k in placeholders if k.text == label]
        assert hit.line == line
        assert text.split("\n")[line - 1][hit.column - 1 :].startswith(f"[{label}](#)")
    titled = [k for k in placeholders if k.text.startswith("Tech Army Set Up")]
    assert titled and titled[0].line == _line_of(text, "[Tech Army")


def test_draft_finds_footnote_urls_whole(corpus: Path) -> None:
    inv = scan([corpus / DRAFT])
    urls = {k.url for k in inv.links if k.placeholder is None}
    assert urls == {
        "https://belaruspartisan.by/",
        "http://partisanmag.by/?cat=104",
        "http://www.artmargins.com/index.php/2-articles/"
        "588-flashmob-divide-between-art-politics-belarus-long-versionarticles",
    }


def test_draft_lists_ministry_claim(corpus: Path) -> None:
    inv = scan([corpus / DRAFT])
    hits = [c for c in inv.claims if "shut down for 18 days" in c.text]
    assert len(hits) == 1
    assert "quantity" in hits[0].kinds
    assert hits[0].line == _line_of((corpus / DRAFT).read_text(encoding="utf-8"), "shut down for")


def test_draft_relevant_articles_are_references_not_claims(corpus: Path) -> None:
    text = (corpus / DRAFT).read_text(encoding="utf-8")
    inv = scan([corpus / DRAFT])
    start = _line_of(text, "Relevant articles:")
    assert inv.claims and all(c.line < start for c in inv.claims)
    # Their placeholder links are still reported, for the editor to fix.
    assert len([k for k in inv.links if k.line > start and k.placeholder]) == 3


def test_draft_superscript_markers_point_at_footnote_urls(corpus: Path) -> None:
    doc, ex = read_document(corpus / DRAFT)
    add_text_footnotes(ex)
    assert sorted(r.label for r in ex.footnote_refs) == ["1", "2"]
    start, end = ex.footnote_defs["2"]
    inside = [k.url for k in ex.links if start <= k.offset < end]
    assert inside == [
        "http://www.artmargins.com/index.php/2-articles/"
        "588-flashmob-divide-between-art-politics-belarus-long-versionarticles"
    ]
    start, end = ex.footnote_defs["1"]
    assert len([k for k in ex.links if start <= k.offset < end]) == 2


def test_scrape_claims_listed_once_each(corpus: Path) -> None:
    inv = scan([corpus / SCRAPE])
    assert inv.documents[0].format == "text"
    assert inv.links == []
    for needle in ("80% share of the vote", "team of 40 volunteers", "some 300 CEOs"):
        hits = [c for c in inv.claims if needle in c.text]
        assert len(hits) == 1, (needle, [c.text for c in hits])
        assert hits[0].status == "unsourced"


def test_scrape_pull_quotes_merge_with_the_body(corpus: Path) -> None:
    inv = scan([corpus / SCRAPE])
    liber = [c for c in inv.claims if c.text.strip('"“”').startswith("Liber, a senior director")]
    assert len(liber) == 1
    assert len(liber[0].locations) >= 2


def test_scrape_encoding_damage_reported(corpus: Path) -> None:
    text = (corpus / SCRAPE).read_text(encoding="utf-8")
    inv = scan([corpus / SCRAPE])
    moji = [p for p in inv.problems if p.kind == "mojibake"]
    assert len(moji) == 1
    assert moji[0].line == _line_of(text, "CeauÅŸescu")
    assert "Ceauşescu" in moji[0].message
