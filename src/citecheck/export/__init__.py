"""Write a bibliography as BibTeX, BibLaTeX, CSL-JSON, RIS, or formatted Markdown or HTML."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the command line reads FORMATS without loading the bibliography code
    from citecheck.bibliography import Bibliography

__all__ = ["FORMATS", "STYLES", "export"]

FORMATS = ("bibtex", "biblatex", "csl-json", "ris", "markdown", "html")
STYLES = ("apa", "chicago-author-date")


def export(bib: Bibliography, to: str, style: str = "apa") -> str:
    """The bibliography in format `to`; ValueError for an unknown format or style."""
    if to in ("bibtex", "biblatex"):
        from citecheck.export.bibtex import to_bibtex

        return to_bibtex(bib, biblatex=to == "biblatex")
    if to == "csl-json":
        from citecheck.export.csljson import to_csl_json

        return to_csl_json(bib)
    if to == "ris":
        from citecheck.export.ris import to_ris

        return to_ris(bib)
    if to in ("markdown", "html"):
        from citecheck.export.formatted import render

        return render(bib, style, html=to == "html")
    raise ValueError(f"unknown export format {to!r} (choose from {', '.join(FORMATS)})")
