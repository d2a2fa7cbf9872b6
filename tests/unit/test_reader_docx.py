"""Word files: every place a .docx keeps a link, positions in the extracted text, cited claims."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pyromark
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from citecheck.model import Inventory
from citecheck.readers import UnreadableInput, read_document
from citecheck.scan import add_document, scan

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def para(*runs: str, style: str = "") -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{ppr}{''.join(runs)}</w:p>"


def field(instr: str, shown: str) -> str:
    """A complex field: begin, instruction (split over two runs, as Word does), result, end."""
    half = len(instr) // 2
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve">{instr[:half]}</w:instrText></w:r>'
        f'<w:r><w:instrText xml:space="preserve">{instr[half:]}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f"{run(shown)}"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def write_docx(
    path: Path,
    body: str,
    *,
    rels: dict[str, str] | None = None,
    footnotes: str = "",
    endnotes: str = "",
    comments: str = "",
    extra: dict[str, str] | None = None,
) -> Path:
    """A minimal but valid WordprocessingML package, part by part."""
    ns = f'xmlns:w="{W}" xmlns:r="{R}"'
    doc_rels = [
        f'<Relationship Id="{rid}" Type="{TYPES}/hyperlink" Target="{url}" TargetMode="External"/>'
        for rid, url in (rels or {}).items()
    ]
    parts = {"word/document.xml": f"<w:document {ns}><w:body>{body}</w:body></w:document>"}
    for name, tag, content in (
        ("footnotes", "footnotes", footnotes),
        ("endnotes", "endnotes", endnotes),
        ("comments", "comments", comments),
    ):
        if content:
            parts[f"word/{name}.xml"] = f"<w:{tag} {ns}>{content}</w:{tag}>"
            doc_rels.append(
                f'<Relationship Id="rId{name}" Type="{TYPES}/{name}" Target="{name}.xml"/>'
            )
    parts["word/_rels/document.xml.rels"] = (
        f'<Relationships xmlns="{PKG}">{"".join(doc_rels)}</Relationships>'
    )
    parts["_rels/.rels"] = (
        f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
        f'Type="{TYPES}/officeDocument" Target="word/document.xml"/></Relationships>'
    )
    parts["[Content_Types].xml"] = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
    )
    parts.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in parts.items():
            if not content.startswith("<?xml"):
                content = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + content
            z.writestr(name, content)
    return path


def note(kind: str, nid: int, *paragraphs: str) -> str:
    return f'<w:{kind} w:id="{nid}">{"".join(paragraphs)}</w:{kind}>'


def spans(text: str, links: list) -> list[str]:  # type: ignore[type-arg]
    return [text[k.offset : k.end] for k in links]


def test_python_docx_hyperlinks_and_bare_urls(tmp_path: Path) -> None:
    d = docx.Document()
    d.add_heading("Water report", 0)
    p = d.add_paragraph("Reservoir levels fell 40% in 2023, says ")
    rid = d.part.relate_to("https://www.gov.uk/levels", RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    r = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = "the agency"
    r.append(t)
    link.append(r)
    p._p.append(link)
    p.add_run(".")
    d.add_paragraph("More at https://www.bbc.co.uk/news.")
    path = tmp_path / "report.docx"
    d.save(str(path))

    doc, ex = read_document(path)
    assert doc.format == "docx"
    assert doc.title == "Water report"
    lines = doc.text.split("\n")
    assert lines[0] == "Water report" and lines[1] == ""  # one paragraph, one line, blank between
    assert lines[2] == "Reservoir levels fell 40% in 2023, says the agency."
    assert [(k.url, k.kind, k.text) for k in ex.links] == [
        ("https://www.gov.uk/levels", "inline", "the agency"),
        ("https://www.bbc.co.uk/news", "bare", "https://www.bbc.co.uk/news"),
    ]
    assert spans(doc.text, ex.links) == ["the agency", "https://www.bbc.co.uk/news"]
    inv = scan([path])
    assert [(k.line, k.column) for k in inv.links] == [(3, 41), (5, 9)]


def test_a_docx_whose_only_links_are_field_codes_and_footnotes(tmp_path: Path) -> None:
    body = (
        para(
            run("Exports rose 12% in 2022 according to "),
            field(' HYPERLINK "https://www.wto.org/stats" \\o "tip" ', "the WTO"),
            run("."),
        )
        + para(
            '<w:fldSimple w:instr=" HYPERLINK &quot;https://data.worldbank.org/x&quot; ">'
            + run("World Bank data")
            + "</w:fldSimple>",
            run(" shows the same."),
        )
        + para(
            run("Unemployment doubled between 2019 and 2021."),
            '<w:r><w:footnoteReference w:id="2"/></w:r>',
        )
    )
    footnotes = f'<w:footnote w:type="separator" w:id="-1">{para(run("sep"))}</w:footnote>' + note(
        "footnote",
        2,
        para(
            "<w:r><w:footnoteRef/></w:r>",
            run(" Source: https://www.ilo.org/data and "),
            field('HYPERLINK "https://stats.oecd.org/"', "OECD"),
        ),
    )
    path = write_docx(tmp_path / "fields.docx", body, footnotes=footnotes)
    doc, ex = read_document(path)
    got = {(k.url, k.kind, k.text) for k in ex.links}
    assert got == {
        ("https://www.wto.org/stats", "inline", "the WTO"),
        ("https://data.worldbank.org/x", "inline", "World Bank data"),
        ("https://www.ilo.org/data", "bare", "https://www.ilo.org/data"),
        ("https://stats.oecd.org/", "inline", "OECD"),
    }
    assert "Unemployment doubled between 2019 and 2021.¹" in doc.text
    assert "\n\nFootnotes\n\n¹  Source: https://www.ilo.org/data and OECD" in doc.text
    for k in ex.links:
        assert doc.text[k.offset : k.end] == k.text
    assert "sep" not in doc.text  # separator notes are layout, not content

    inv = Inventory()
    add_document(inv, doc, ex, include_code=False, claims=True)
    by_id = {k.id: k.url for k in inv.links}
    claim = next(c for c in inv.claims if c.text.startswith("Unemployment doubled"))
    assert claim.status == "sourced"
    assert sorted(by_id[c] for c in claim.citations) == [
        "https://stats.oecd.org/",
        "https://www.ilo.org/data",
    ]
    assert claim.line == 5  # the third paragraph of the body
    exports = next(c for c in inv.claims if c.text.startswith("Exports rose"))
    assert [by_id[c] for c in exports.citations] == ["https://www.wto.org/stats"]


def test_bookmarks_endnotes_comments_and_deleted_text(tmp_path: Path) -> None:
    body = (
        para('<w:bookmarkStart w:id="0" w:name="method"/>', run("Method"), style="Heading1")
        + para(
            f'<w:hyperlink w:anchor="method">{run("see method")}</w:hyperlink>',
            run(" and "),
            f'<w:hyperlink w:anchor="nowhere">{run("a lost section")}</w:hyperlink>',
            '<w:del w:id="9"><w:r><w:delText>https://deleted.org/x</w:delText></w:r></w:del>',
            '<w:r><w:endnoteReference w:id="1"/></w:r>',
            '<w:commentRangeStart w:id="0"/>',
            f'<w:hyperlink r:id="rId7">{run("press release")}</w:hyperlink>',
        )
        + "<w:tbl><w:tr><w:tc>"
        + para(run("In a table: https://www.un.org/table"))
        + "</w:tc></w:tr></w:tbl>"
    )
    path = write_docx(
        tmp_path / "notes.docx",
        body,
        rels={"rId7": "https://press.example.org/release"},
        endnotes=note("endnote", 1, para(run("Endnote source https://www.imf.org/en"))),
        comments='<w:comment w:id="0" w:author="Ana">'
        + para(run("Check https://www.reuters.com/a first"))
        + "</w:comment>",
    )
    doc, ex = read_document(path)
    got = [(k.raw, k.url, k.placeholder, k.text) for k in ex.links]
    assert got == [
        ("#method", "#method", None, "see method"),
        ("#nowhere", None, "missing-anchor", "a lost section"),
        ("https://press.example.org/release", "https://press.example.org/release",
         "example-domain", "press release"),
        ("https://www.un.org/table", "https://www.un.org/table", None, "https://www.un.org/table"),
        ("https://www.imf.org/en", "https://www.imf.org/en", None, "https://www.imf.org/en"),
        ("https://www.reuters.com/a", "https://www.reuters.com/a", None,
         "https://www.reuters.com/a"),
    ]  # fmt: skip
    assert "deleted.org" not in doc.text
    assert "see method and a lost sectionⁱpress release" in doc.text
    assert "Endnotes\n\nⁱ Endnote source" in doc.text
    assert "Comments\n\n[comment by Ana] Check" in doc.text
    assert ex.footnote_defs.keys() == {"i"}
    assert [b.role for b in ex.blocks][:1] == ["heading"]
    assert all(b.role == "footnote" for b in ex.blocks if "Endnote" in b.text or "Check" in b.text)


def test_damaged_and_encrypted_docx_are_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(UnreadableInput, match="damaged Word document"):
        read_document(broken)
    ole = tmp_path / "locked.docx"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(UnreadableInput, match="password-protected"):
        read_document(ole)
    bad_xml = write_docx(tmp_path / "bad.docx", "<w:p><w:r>")
    with pytest.raises(UnreadableInput, match="not well-formed XML"):
        read_document(bad_xml)
    empty = tmp_path / "empty.docx"
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(UnreadableInput, match="no word/document.xml"):
        read_document(empty)


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed"
)
def test_docx_and_pdf_converted_from_markdown_have_its_links(tmp_path: Path) -> None:
    source = tmp_path / "draft.md"
    source.write_text(
        "# Draft\n\nYields rose 18% in 2022, per [the FAO](https://www.fao.org/stats).\n\n"
        "Data: <https://www.usda.gov/report> and [WTO](https://www.wto.org/x).\n"
    )
    page = tmp_path / "draft.html"
    page.write_text(f"<html><body>{pyromark.html(source.read_text())}</body></html>")
    for fmt in ("docx", "pdf"):
        subprocess.run(
            # Loaded as a Writer document: the default web view has no DOCX export.
            [
                "soffice",
                "--headless",
                "--infilter=HTML (StarWriter)",
                "--convert-to",
                fmt,
                "--outdir",
                str(tmp_path),
                str(page),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    want = sorted(k.url or "" for k in read_document(source)[1].links)
    for fmt in ("docx", "pdf"):
        links = read_document(tmp_path / f"draft.{fmt}")[1].links
        assert sorted({k.url or "" for k in links}) == want, fmt
