"""OpenDocument text: text:a links, bookmarks, notes tied to claims, comments."""

from __future__ import annotations

from pathlib import Path

import pytest
from odf import office, text
from odf.opendocument import OpenDocumentText

from citecheck.model import Inventory
from citecheck.readers import UnreadableInput, read_document
from citecheck.scan import add_document


def footnote(label: str, *body: object, kind: str = "footnote") -> text.Note:
    note = text.Note(noteclass=kind, id=f"ftn{label}")
    note.addElement(text.NoteCitation(text=label))
    nb = text.NoteBody()
    for p in body:
        nb.addElement(p)
    note.addElement(nb)
    return note


def make_odt(path: Path) -> Path:
    doc = OpenDocumentText()
    doc.text.addElement(text.H(outlinelevel=1, text="Harvest figures"))
    p = text.P(text="Wheat yields rose 18% in 2022, said ")
    p.addElement(text.A(href="https://www.fao.org/stats", text="the FAO"))
    p.addText(".")
    p.addElement(footnote("1", text.P(text="See https://www.usda.gov/report for detail.")))
    doc.text.addElement(p)
    q = text.P()
    q.addElement(text.Bookmark(name="method"))
    q.addText("Go to ")
    q.addElement(text.A(href="#method", text="the method"))
    q.addText(" or ")
    q.addElement(text.A(href="#gone", text="nowhere"))
    ann = office.Annotation()
    ann.addElement(text.P(text="Check https://www.wfp.org/x"))
    q.addElement(ann)
    q.addText(". Also https://www.ifad.org/en")
    doc.text.addElement(q)
    doc.save(str(path))
    return path


def test_links_notes_and_comments_of_an_odt(tmp_path: Path) -> None:
    doc, ex = read_document(make_odt(tmp_path / "harvest.odt"))
    assert doc.format == "odt"
    assert doc.title == "Harvest figures"
    got = [(k.raw, k.url, k.placeholder, k.kind, k.text) for k in ex.links]
    assert got == [
        ("https://www.fao.org/stats", "https://www.fao.org/stats", None, "inline", "the FAO"),
        ("#method", "#method", None, "inline", "the method"),
        ("#gone", None, "missing-anchor", "inline", "nowhere"),
        ("https://www.ifad.org/en", "https://www.ifad.org/en", None, "bare",
         "https://www.ifad.org/en"),
        ("https://www.usda.gov/report", "https://www.usda.gov/report", None, "bare",
         "https://www.usda.gov/report"),
        ("https://www.wfp.org/x", "https://www.wfp.org/x", None, "bare", "https://www.wfp.org/x"),
    ]  # fmt: skip
    for k in ex.links:
        assert doc.text[k.offset : k.end] == k.text
    lines = doc.text.split("\n")
    assert lines[2] == "Wheat yields rose 18% in 2022, said the FAO.¹"
    assert "Footnotes\n\n¹ See https://www.usda.gov/report" in doc.text
    assert "Comments\n\n[comment by someone] Check https://www.wfp.org/x" in doc.text

    inv = Inventory()
    add_document(inv, doc, ex, include_code=False, claims=True)
    urls = {k.id: k.url for k in inv.links}
    claim = next(c for c in inv.claims if c.text.startswith("Wheat yields"))
    assert sorted(urls[c] for c in claim.citations) == [
        "https://www.fao.org/stats",
        "https://www.usda.gov/report",
    ]
    assert (claim.line, claim.column) == (3, 1)


def test_a_damaged_odt_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "cut.odt"
    whole = make_odt(tmp_path / "whole.odt").read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(UnreadableInput, match="damaged OpenDocument"):
        read_document(path)
