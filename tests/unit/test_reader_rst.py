"""reStructuredText: inline links, named targets used by reference, footnotes, bare URLs."""

from __future__ import annotations

from pathlib import Path

from citecheck.readers import read_document
from citecheck.scan import scan

RST = """River report
============

Flows fell 30% in 2021, per `the EPA <https://www.epa.gov/rivers>`_. The Bureau_ agrees.
Exports rose 12% in 2020 [1]_.
See `USGS data`_ and `again <Bureau_>`_ and https://www.noaa.gov/x.

Use ``https://code.example/ignored`` like this::

    https://www.literal.org/block

.. _Bureau: https://www.usbr.gov/
.. _USGS data: https://www.usgs.gov/
   water
.. _unused: https://www.unused.org/

.. [1] Source: https://www.fao.org/note
"""


def test_links_targets_and_notes(tmp_path: Path) -> None:
    path = tmp_path / "report.rst"
    path.write_text(RST)
    doc, ex = read_document(path)
    assert (doc.format, doc.title) == ("rst", "River report")
    got = [(k.kind, k.url, k.text, doc.text[k.offset : k.end]) for k in ex.links]
    assert got == [
        ("inline", "https://www.epa.gov/rivers", "the EPA",
         "`the EPA <https://www.epa.gov/rivers>`_"),
        ("reference", "https://www.usbr.gov/", "Bureau", "Bureau_"),
        ("reference", "https://www.usgs.gov/water", "USGS data", "`USGS data`_"),
        ("inline", "https://www.usbr.gov/", "again", "`again <Bureau_>`_"),
        ("bare", "https://www.noaa.gov/x", "https://www.noaa.gov/x", "https://www.noaa.gov/x"),
        ("reference", "https://www.unused.org/", "unused",
         ".. _unused: https://www.unused.org/"),
        ("bare", "https://www.fao.org/note", "https://www.fao.org/note",
         "https://www.fao.org/note"),
    ]  # fmt: skip
    inv = scan([path])
    urls = {k.id: k.url for k in inv.links}
    exports = next(c for c in inv.claims if c.text.startswith("Exports rose"))
    assert [urls[c] for c in exports.citations] == ["https://www.fao.org/note"]
    assert (exports.line, exports.column) == (5, 1)
    flows = next(c for c in inv.claims if c.text.startswith("Flows fell"))
    assert "<https" not in flows.text and [urls[c] for c in flows.citations] == [
        "https://www.epa.gov/rivers"
    ]


def test_code_is_kept_only_on_request(tmp_path: Path) -> None:
    path = tmp_path / "code.rst"
    path.write_text(RST)
    from citecheck.readers import read_document as read

    _, ex = read(path, include_code=True)
    code = sorted(k.url or "" for k in ex.links if k.in_code)
    assert code == ["https://code.example/ignored", "https://www.literal.org/block"]
