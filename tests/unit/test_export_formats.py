"""Every export round-trips: BibTeX parses, CSL-JSON validates and renders, RIS reads back."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import bibtexparser
import jsonschema
import pytest
import rispy

from citecheck.bibliography import NEEDS_LINK, TITLE_MISMATCH, Bibliography, Entry, Name
from citecheck.export import export
from citecheck.export.bibtex import escape
from citecheck.export.csljson import to_csl

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
HOSTILE = "50% of R&D: $5 #1 under_score ~tilde^ back\\slash {braces} @misc{evil, <b>x</b>"


def _bib() -> Bibliography:
    return Bibliography(
        [
            Entry(
                key="pierce2020tech",
                url="https://www.thedailybeast.com/tech-army?a=1&b=%20#top",
                title="Tech Army Set Up by Europe's Last Dictator",
                authors=[Name(family="Pierce", given="Luke"), Name(literal="Staff Team")],
                date="2020-09-30",
                container="The Daily Beast",
                publisher="IAC",
                language="en",
                doi="10.1234/abc_def",
                type="article-newspaper",
                accessed="2026-11-22",
                archive_url="https://web.archive.org/web/20200930120000/https://www.thedailybeast.com/tech-army",
                archive_date="2020-09-30",
                verdict="ok",
            ),
            Entry(
                key="muller2019cafe",
                url="https://example.de/café",
                title="Café Müller – “Ŝtrange”",
                authors=[Name(family="Müller", given="Zoë")],
                date="2019",
                verdict="dead",
                reason="dead: gone; no archived copy",
                flags=[TITLE_MISMATCH],
            ),
            Entry(
                key="hostile",
                url="https://evil.example/x",
                title=HOSTILE,
                date="2021-02",
                container="=cmd|' /C calc'!A0",
                verdict="ok",
                accessed="2026-11-22",
            ),
            Entry(
                key="gurnevich2020",
                url=None,
                title="«Прайшоў 70км палесе»",
                authors=[Name(family="Gurnevich", given="Dmitri")],
                date="2020-10-01",
                container="Radio Liberty Belarus",
                language="be",
                flags=[NEEDS_LINK],
                translated_title="Walked 70 km",
                verdict="placeholder",
                reason="needs a link",
            ),
        ]
    )


@pytest.mark.parametrize("dialect", ["bibtex", "biblatex"])
def test_bibtex_parses_back_field_by_field(dialect: str) -> None:
    text = export(_bib(), dialect)
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    entries = {e.key: e for e in library.entries}
    assert list(entries) == ["pierce2020tech", "muller2019cafe", "hostile", "gurnevich2020"]
    kind = "online" if dialect == "biblatex" else "misc"
    assert {e.entry_type for e in library.entries} == {kind}
    beast = entries["pierce2020tech"].fields_dict
    assert beast["title"].value == "Tech Army Set Up by Europe's Last Dictator"
    assert beast["author"].value == "Pierce, Luke and {Staff Team}"
    assert beast["url"].value == "https://www.thedailybeast.com/tech-army?a=1&b=%20#top"
    assert beast["urldate"].value == "2026-11-22"
    assert "web.archive.org/web/20200930120000" in beast["note"].value
    if dialect == "biblatex":
        assert beast["date"].value == "2020-09-30"
        assert beast["eprinttype"].value == "Wayback Machine"
        assert beast["eprint"].value.startswith("https://web.archive.org/web/")
        assert entries["muller2019cafe"].fields_dict["title"].value.startswith("Café Müller")
    else:
        assert (beast["year"].value, beast["month"].value) == ("2020", "sep")
        assert (
            entries["muller2019cafe"]
            .fields_dict["title"]
            .value.startswith("Caf{\\'e} M{\\\"u}ller")
        )
    hostile = entries["hostile"].fields_dict["title"].value
    assert hostile == escape(HOSTILE)
    assert r"50\% of R\&D: \$5 \#1 under\_score \textasciitilde{}tilde\textasciicircum{}" in hostile
    assert r"\textbackslash{}slash \{braces\} {@}misc\{evil" in hostile


def test_bibtex_keys_are_stable_and_safe() -> None:
    bib = _bib()
    bib.entries[0].key = "we{ird} key,"
    assert "@misc{weirdkey," in export(bib, "bibtex")


def _schema() -> dict[str, Any]:
    path = SHARED / "data" / "csl" / "csl-data.json"
    if not path.is_file():
        pytest.skip(f"the shared CSL schema is not beside this checkout ({path})")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_csl_json_validates_field_by_field() -> None:
    items = json.loads(export(_bib(), "csl-json"))
    jsonschema.validate(items, _schema())
    beast = items[0]
    assert beast["id"] == "pierce2020tech" and beast["type"] == "article-newspaper"
    assert beast["author"] == [{"family": "Pierce", "given": "Luke"}, {"literal": "Staff Team"}]
    assert beast["issued"] == {"date-parts": [[2020, 9, 30]]}
    assert beast["accessed"] == {"date-parts": [[2026, 11, 22]]}
    assert beast["DOI"] == "10.1234/abc_def" and beast["container-title"] == "The Daily Beast"
    assert beast["archive_location"].startswith("https://web.archive.org/web/2020")
    assert (beast["publisher"], beast["language"]) == ("IAC", "en")
    assert items[2]["issued"] == {"date-parts": [[2021, 2]]} and items[2]["title"] == HOSTILE
    assert "URL" not in items[3] and "needs-link" in items[3]["note"]


@pytest.mark.parametrize("style", ["apa", "chicago-author-date"])
def test_formatted_renders_with_citeproc(style: str) -> None:
    md = export(_bib(), "markdown", style=style)
    assert "Pierce" in md and "*The Daily Beast*" in md and "## Needs attention" in md
    assert "<b>" not in md and "\\<b\\>" in md  # HTML in a title comes out as text
    page = export(_bib(), "html", style=style)
    assert "<i>The Daily Beast</i>" in page
    assert "<b>x</b>" not in page and "&lt;b&gt;" in page


def test_ris_parses_back() -> None:
    records = rispy.loads(export(_bib(), "ris"))
    assert len(records) == 4
    beast = records[0]
    assert beast["type_of_reference"] == "NEWS"
    assert beast["title"] == "Tech Army Set Up by Europe's Last Dictator"
    assert beast["authors"] == ["Pierce, Luke", "Staff Team"]
    assert beast["urls"] == ["https://www.thedailybeast.com/tech-army?a=1&b=%20#top"]
    assert beast["doi"] == "10.1234/abc_def" and beast["date"] == "2020/09/30/"
    assert records[2]["title"] == HOSTILE


def test_unknown_format_and_empty_bibliography() -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        export(_bib(), "docx")
    assert export(Bibliography(), "bibtex") == ""
    assert to_csl(Bibliography()) == []
    assert "# References" in export(Bibliography(), "markdown")
