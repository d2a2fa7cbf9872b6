"""URL lists: one address a line, comments, and .txt files that hold nothing but URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck.readers import DOCUMENT_SUFFIXES, read_document
from citecheck.readers.urllist import is_url_list

LIST = """# sources for the river piece
https://www.epa.gov/rivers
  https://www.usbr.gov/x#dams   # the dams section

www.noaa.gov/rivers
oecd.org/report
Annual data: https://www.usgs.gov/y
http://
"""


@pytest.mark.parametrize("name", ["sources.urls", "sources.list", "sources.txt"])
def test_one_url_a_line(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    text = LIST
    if name.endswith(".txt"):  # a .txt is a list only when every line is a URL
        text = text.replace("Annual data: ", "").replace("oecd.org/report\n", "")
    path.write_text(text)
    doc, ex = read_document(path)
    assert doc.format == "urllist"
    got = [(k.url, k.placeholder, doc.text[k.offset : k.end]) for k in ex.links]
    expected = [
        ("https://www.epa.gov/rivers", None, "https://www.epa.gov/rivers"),
        ("https://www.usbr.gov/x#dams", None, "https://www.usbr.gov/x#dams"),
        ("http://www.noaa.gov/rivers", None, "www.noaa.gov/rivers"),
        ("http://oecd.org/report", None, "oecd.org/report"),
        ("https://www.usgs.gov/y", None, "https://www.usgs.gov/y"),
        (None, "scheme-only", "http://"),
    ]
    if name.endswith(".txt"):
        expected.remove(("http://oecd.org/report", None, "oecd.org/report"))
    assert got == expected
    assert not ex.blocks


def test_only_pure_lists_are_read_as_lists() -> None:
    assert is_url_list("https://a.org/\n# note\n\nwww.b.org\n")
    assert not is_url_list("https://a.org/\nSome prose here.\n")
    assert not is_url_list("# only comments\n")


def test_every_format_is_offered_to_open_dialogs() -> None:
    formats = set(DOCUMENT_SUFFIXES.values())
    assert {"docx", "odt", "pdf", "epub", "latex", "bibtex", "rst", "urllist"} <= formats
