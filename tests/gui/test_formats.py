"""Documents other than Markdown in the window: a Word file shows its links and its text."""

from __future__ import annotations

from pathlib import Path

import docx

from citecheck.gui.tables import COL_URL
from citecheck.gui.window import DOCUMENT_FILTER


def test_open_dialog_offers_every_readable_kind() -> None:
    for suffix in ("*.md", "*.html", "*.docx", "*.odt", "*.pdf", "*.epub", "*.tex", "*.bib"):
        assert suffix in DOCUMENT_FILTER


def test_a_word_draft_opens_with_its_links_and_extracted_text(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "draft.docx"
    word = docx.Document()
    word.add_paragraph("Reservoir levels")
    word.add_paragraph("Levels fell 12% in 2023, see https://www.usgs.gov/water-data for figures.")
    word.save(str(path))
    window.open_paths([str(path)])
    window.links.flush_all()
    urls = [window.link_proxy.index(r, COL_URL).data() for r in range(window.link_proxy.rowCount())]
    assert urls == ["https://www.usgs.gov/water-data"]
    doc = window.controller.session.inventory.documents[0]
    assert doc.format == "docx"
    shown = window.doc_view.toPlainText()
    link = window.controller.session.inventory.links[0]
    # The view shows the extracted text, and the link's position points into it.
    line = shown.split("\n")[link.line - 1]
    assert line[link.column - 1 :].startswith("https://www.usgs.gov/water-data")
