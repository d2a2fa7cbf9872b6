"""LaTeX: \\url, \\href, bare URLs, footnotes, and \\cite keys resolved through named .bib files."""

from __future__ import annotations

from pathlib import Path

from citecheck.readers import read_document
from citecheck.scan import scan

TEX = r"""\documentclass{article}
\usepackage{hyperref}
\addbibresource{refs.bib}
\title{Rivers \& dams}
\begin{document}
\maketitle
% see https://commented.org/out
Flows fell 30\% in 2021 \cite{epa2021, missing}. The \href{https://www.usbr.gov/x}{Bureau of
Reclamation} measured a 25\% drop.\footnote{Data at \url{https://www.usgs.gov/water_data}.}
Also https://www.noaa.gov/rivers and \cite[p.~4]{book}.
\begin{verbatim}
https://code.org/ignored
\end{verbatim}
\bibliography{more,/etc/passwd}
\end{document}
"""
BIB = """@article{epa2021,
  title = {Rivers},
  url = {https://www.epa.gov/rivers_2021},
}
@book{book, title = {No URL}}
"""


def test_links_cites_and_footnotes(tmp_path: Path) -> None:
    (tmp_path / "refs.bib").write_text(BIB)
    (tmp_path / "more.bib").write_text("@misc{doi1, doi = {10.1000/xyz123}}\n")
    path = tmp_path / "paper.tex"
    path.write_text(TEX)
    doc, ex = read_document(path)
    assert (doc.format, doc.title) == ("latex", "Rivers & dams")
    got = [(k.kind, k.url, k.placeholder, k.text, doc.text[k.offset : k.end]) for k in ex.links]
    assert got == [
        ("reference", "https://www.epa.gov/rivers_2021", None, "epa2021", "epa2021"),
        ("reference", None, "undefined-label", "missing", "missing"),
        ("inline", "https://www.usbr.gov/x", None, "Bureau of Reclamation",
         "\\href{https://www.usbr.gov/x}{Bureau of\nReclamation}"),
        ("autolink", "https://www.usgs.gov/water_data", None, "https://www.usgs.gov/water_data",
         "\\url{https://www.usgs.gov/water_data}"),
        ("bare", "https://www.noaa.gov/rivers", None, "https://www.noaa.gov/rivers",
         "https://www.noaa.gov/rivers"),
    ]  # fmt: skip
    assert ex.blocks[0].text.startswith("Flows fell 30% in 2021 . The Bureau of\nReclamation")
    inv = scan([path])
    urls = {k.id: k.url for k in inv.links}
    flows = next(c for c in inv.claims if c.text.startswith("Flows fell"))
    assert [urls[c] for c in flows.citations] == ["https://www.epa.gov/rivers_2021", None]
    assert (flows.line, flows.column) == (8, 1)
    bureau = next(c for c in inv.claims if c.text.startswith("The Bureau"))
    # The footnote after the sentence is its source, through the footnote marker.
    assert sorted(urls[c] for c in bureau.citations) == [
        "https://www.usbr.gov/x",
        "https://www.usgs.gov/water_data",
    ]


def test_cites_without_a_bibliography_are_not_links(tmp_path: Path) -> None:
    path = tmp_path / "bare.tex"
    path.write_text("Text \\cite{x} and \\url{https://www.un.org/}.\n")
    _, ex = read_document(path)
    assert [k.url for k in ex.links] == ["https://www.un.org/"]
