"""EPUB books: chapters in spine order through the HTML reader, links between chapters."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from citecheck.readers import UnreadableInput, read_document
from citecheck.scan import scan

CONTAINER = (
    '<?xml version="1.0"?><container version="1.0" '
    'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
    '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
    "</rootfiles></container>"
)
OPF = (
    '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
    '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>River Book</dc:title>'
    "</metadata><manifest>"
    '<item id="c2" href="text/two.xhtml" media-type="application/xhtml+xml"/>'
    '<item id="c1" href="text/one.xhtml" media-type="application/xhtml+xml"/>'
    '<item id="css" href="style.css" media-type="text/css"/>'
    '</manifest><spine><itemref idref="c1"/><itemref idref="c2"/></spine></package>'
)


def chapter(title: str, body: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE html>'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head>'
        f"<title>{title}</title></head><body>{body}</body></html>"
    )


def make_epub(path: Path, **extra: str) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", CONTAINER)
        z.writestr("OEBPS/content.opf", OPF)
        z.writestr(
            "OEBPS/text/one.xhtml",
            chapter(
                "One",
                '<h1 id="start">One</h1><p>Flows fell 30% in 2021, per '
                '<a href="https://www.epa.gov/rivers">the EPA</a>. Next: '
                '<a href="two.xhtml#dams">dams</a>, <a href="three.xhtml">lost</a>.</p>',
            ),
        )
        z.writestr(
            "OEBPS/text/two.xhtml",
            chapter(
                "Two",
                '<h2 id="dams">Dams</h2><p>See <a href="https://www.usbr.gov/x">USBR</a>.</p>',
            ),
        )
        for name, content in extra.items():
            z.writestr(name, content)
    return path


def test_chapters_in_spine_order_with_links_between_them(tmp_path: Path) -> None:
    path = make_epub(tmp_path / "river.epub")
    doc, ex = read_document(path)
    assert doc.format == "epub"
    assert doc.title == "River Book"
    assert doc.text.startswith("<!-- chapter 1: OEBPS/text/one.xhtml -->\n<?xml")
    assert "\n<!-- chapter 2: OEBPS/text/two.xhtml -->\n" in doc.text
    got = [(k.url, k.placeholder, k.text) for k in ex.links]
    assert got == [
        ("https://www.epa.gov/rivers", None, "the EPA"),
        ("#OEBPS/text/two.xhtml#dams", None, "dams"),
        (None, "missing-file", "lost"),
        ("https://www.usbr.gov/x", None, "USBR"),
    ]
    assert doc.text[ex.links[0].offset :].startswith('<a href="https://www.epa.gov/rivers">')
    inv = scan([path])
    lines = doc.text.split("\n")
    # The line of every link is in its chapter, after that chapter's marker line.
    assert [lines[k.line - 2].startswith("<!-- chapter") for k in inv.links] == [True] * 4
    assert [k.line for k in inv.links] == [2, 2, 2, 4]
    claim = next(c for c in inv.claims if c.text.startswith("Flows fell"))
    assert claim.citations == ["L1"]


def test_a_truncated_or_hollow_epub_is_refused(tmp_path: Path) -> None:
    whole = make_epub(tmp_path / "whole.epub").read_bytes()
    cut = tmp_path / "cut.epub"
    cut.write_bytes(whole[: len(whole) - 200])
    with pytest.raises(UnreadableInput, match="damaged EPUB"):
        read_document(cut)
    hollow = tmp_path / "hollow.epub"
    with zipfile.ZipFile(hollow, "w") as z:
        z.writestr("mimetype", "application/epub+zip")
    with pytest.raises(UnreadableInput, match="container.xml is missing"):
        read_document(hollow)
