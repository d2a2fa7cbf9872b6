"""What a document says about its sources, read next to each link."""

from __future__ import annotations

from pathlib import Path

from citecheck.bibliography import NEEDS_LINK, TITLE_MISMATCH, Name, build
from citecheck.metadata import PageMetadata
from citecheck.scan import scan
from citecheck.sources import given_sources, title_mismatch

DRAFT = """# Draft

Partisans are named in many places.¹

¹ Doe Jane (2009) "Flashmob - the Divide Between Art and Politics", in *Art Margins* (<http://www.artmargins.com/588>).

Jane Doe wrote this.

Relevant articles:

- Luke Pierce
Original EN [Tech Army Set Up by Europe's Last Dictator](#), *The Daily Beast*, September 30, 2020.
RU Переклады: [«Лукашенко, мы тебя предупреждаем»](#), *The Village Belarus*, October 1, 2020.
- Dmitri Gurnevich
Original BE and RU [«Прайшоў 70км палесе»](#)
[Walked 70 km through the woods], *Radio Liberty Belarus*, October 1, 2020.

They were [mandated](#) to act.
"""


def _inv(tmp_path: Path):  # type: ignore[no-untyped-def]
    doc = tmp_path / "draft.md"
    doc.write_text(DRAFT, encoding="utf-8")
    return scan([doc])


def test_reads_footnote_and_relevant_articles(tmp_path: Path) -> None:
    inv = _inv(tmp_path)
    given = {g.title: g for g in given_sources(inv).values() if g.named}
    assert len(given) == 4
    art = given["Flashmob - the Divide Between Art and Politics"]
    assert art.authors == ["Jane Doe"]  # turned round: the text writes "Jane Doe" elsewhere
    assert (art.container, art.date, art.needs_link) == ("Art Margins", "2009", False)
    beast = given["Tech Army Set Up by Europe's Last Dictator"]
    assert (beast.authors, beast.container, beast.date) == (
        ["Luke Pierce"],
        "The Daily Beast",
        "2020-09-30",
    )
    assert beast.language == "en" and beast.needs_link
    village = given["«Лукашенко, мы тебя предупреждаем»"]
    assert (village.authors, village.container, village.date, village.language) == (
        ["Luke Pierce"],
        "The Village Belarus",
        "2020-10-01",
        "ru",
    )
    liberty = given["«Прайшоў 70км палесе»"]
    assert liberty.authors == ["Dmitri Gurnevich"] and liberty.language == "be"
    assert liberty.container == "Radio Liberty Belarus"
    assert liberty.translated_title == "Walked 70 km through the woods"


def test_a_bare_placeholder_is_not_a_named_source(tmp_path: Path) -> None:
    inv = _inv(tmp_path)
    mandated = next(k for k in inv.links if k.text == "mandated")
    assert not given_sources(inv)[mandated.id].named
    bib = build(inv, None)
    needs = [e for e in bib.entries if NEEDS_LINK in e.flags]
    assert len(needs) == 3 and all(not e.verified for e in needs)
    assert [e.key for e in needs] == [
        "pierce2020tech",
        "pierce2020lukashenko",
        "gurnevich2020praishou",
    ]


def test_title_mismatch_flags_a_link_to_another_page(tmp_path: Path) -> None:
    assert not title_mismatch(
        "Flashmob: the divide between art and politics", "Flashmob - the Divide"
    )
    assert title_mismatch(
        "Cheap flights to Minsk", "Flashmob - the Divide Between Art and Politics"
    )
    assert not title_mismatch(None, "x")
    inv = _inv(tmp_path)
    url = "http://www.artmargins.com/588"
    pages = {url: PageMetadata(url=url, title="Cheap flights to Minsk", authors=["Ann Other"])}
    entry = next(e for e in build(inv, None, pages).entries if e.url == url)
    assert TITLE_MISMATCH in entry.flags and entry.title == "Cheap flights to Minsk"
    assert entry.authors == [Name(family="Other", given="Ann")]  # the page's, before the text's
    assert entry.container == "Art Margins"  # the page has none: the text's
    assert entry.reason is not None and "wrong page" in entry.reason


def test_names() -> None:
    assert Name.parse("Doe, Jane") == Name(family="Doe", given="Jane")
    assert Name.parse("Jane van Doe") == Name(family="Doe", given="Jane van")
    assert Name.parse("Statistics Office") == Name(literal="Statistics Office")
    assert Name.parse("Reuters") == Name(literal="Reuters")
