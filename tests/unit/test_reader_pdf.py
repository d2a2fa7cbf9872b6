"""PDFs: link annotations and the text they cover, URLs in the text layer, pages as positions."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from reportlab.pdfgen import canvas

from citecheck.readers import UnreadableInput, read_document
from citecheck.readers.pdf import wrapped_urls
from citecheck.scan import scan


def make_pdf(path: Path) -> Path:
    c = canvas.Canvas(str(path))
    c.setTitle("Reservoir levels")
    c.drawString(72, 750, "Reservoir levels fell 40% in 2023, per")
    c.drawString(272, 750, "the agency report.")
    width = c.stringWidth("the agency report", "Helvetica", 12)
    c.linkURL("https://www.gov.uk/levels", (272, 746, 272 + width, 762), relative=0)
    c.drawString(72, 730, "Read https://www.oecd.org/reports/2023/")
    c.drawString(72, 716, "annual-summary.pdf for details.")
    c.showPage()
    c.drawString(72, 750, "Page two cites https://www.imf.org/en and nothing else.")
    c.linkURL("https://www.un.org/", (72, 600, 200, 620), relative=0)  # over no text at all
    c.save()
    return path


def test_annotations_text_layer_and_a_url_wrapped_over_two_lines(tmp_path: Path) -> None:
    path = make_pdf(tmp_path / "levels.pdf")
    doc, ex = read_document(path)
    assert doc.format == "pdf"
    assert doc.title == "Reservoir levels"
    assert doc.text.startswith("[page 1]\n\nReservoir levels fell 40% in 2023, per\n")
    assert "\n\n[page 2]\n\nPage two cites" in doc.text
    got = [(k.url, k.kind, doc.text[k.offset : k.end]) for k in ex.links]
    assert got == [
        ("https://www.gov.uk/levels", "inline", "the agency report."),
        (
            "https://www.oecd.org/reports/2023/annual-summary.pdf",
            "bare",
            "https://www.oecd.org/reports/2023/\nannual-summary.pdf",
        ),
        ("https://www.un.org/", "inline", "[page 2]"),
        ("https://www.imf.org/en", "bare", "https://www.imf.org/en"),
    ]
    assert ex.links[0].text == "the agency report."
    inv = scan([path])
    # Line and column point into the extracted text; the "[page N]" line above names the page.
    assert [(k.line, k.column) for k in inv.links] == [(4, 1), (5, 6), (8, 1), (10, 16)]
    claim = next(c for c in inv.claims if c.text.startswith("Reservoir levels fell"))
    assert claim.citations == ["L1"]


def test_an_annotation_over_its_own_printed_url_is_reported_once(tmp_path: Path) -> None:
    path = tmp_path / "once.pdf"
    c = canvas.Canvas(str(path))
    c.drawString(72, 750, "https://www.who.int/data")
    c.linkURL("https://www.who.int/data", (60, 740, 300, 765), relative=0)
    c.save()
    _, ex = read_document(path)
    assert [(k.url, k.kind) for k in ex.links] == [("https://www.who.int/data", "inline")]


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        ("see https://a.org/reports/\n2023/x.pdf now", ["https://a.org/reports/2023/x.pdf"]),
        ("see https://a.org/long-\nname/page.\nNext", ["https://a.org/long-name/page"]),
        ("see https://a.org/x?id=\n7&y=2 then", ["https://a.org/x?id=7&y=2"]),
        ("see https://a.org/report-fi\nnal.pdf.", ["https://a.org/report-final.pdf"]),
        ("see https://a.org/page\nThe next sentence.", ["https://a.org/page"]),
        ("end https://a.org/\nhttps://b.org/", ["https://a.org/", "https://b.org/"]),
        ("at https://a.org/x.\nAnd more", ["https://a.org/x"]),
    ],
)
def test_wrapped_urls_are_rejoined_only_when_the_next_line_continues_them(
    text: str, urls: list[str]
) -> None:
    found = wrapped_urls(text)
    assert [u for _, _, u in found] == urls
    for start, end, url in found:
        assert text[start:end].replace("\n", "") == url


def encrypt(source: Path, target: Path, password: str) -> Path:
    writer = PdfWriter()
    for page in PdfReader(source).pages:
        writer.add_page(page)
    writer.encrypt(user_password=password, owner_password="owner", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    target.write_bytes(buf.getvalue())
    return target


def test_encrypted_pdfs(tmp_path: Path) -> None:
    plain = make_pdf(tmp_path / "plain.pdf")
    # Encrypted only against editing: opens without a password, so it is read.
    open_one = encrypt(plain, tmp_path / "restricted.pdf", "")
    _, ex = read_document(open_one)
    assert "https://www.imf.org/en" in {k.url for k in ex.links}
    locked = encrypt(plain, tmp_path / "locked.pdf", "secret")
    with pytest.raises(UnreadableInput, match="password-protected"):
        read_document(locked)


@pytest.mark.parametrize(
    "payload",
    [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", b"", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ntrailer"],
    ids=["header-only", "empty", "no-xref"],
)
def test_damaged_pdfs_get_one_line(tmp_path: Path, payload: bytes) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(payload)
    with pytest.raises(UnreadableInput) as info:
        read_document(path)
    assert "PDF" in str(info.value) and "\n" not in str(info.value)


def test_a_truncated_pdf_is_refused_or_read_in_part(tmp_path: Path) -> None:
    whole = make_pdf(tmp_path / "whole.pdf").read_bytes()
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(whole[: len(whole) // 2])
    try:
        doc, _ = read_document(cut)
    except UnreadableInput as e:
        assert "damaged PDF" in str(e)
    else:
        assert doc.format == "pdf"
