"""File → Export As: bibliographies from what the window knows; File → Rescue Dead Links."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import pytest
from PySide6.QtWidgets import QFileDialog

pytest.importorskip("citecheck.check")

from citecheck.verdict import Archive, Check, Snapshot  # noqa: E402

GONE = "http://news.citecheck-test.org/gone"
LIVE = "http://news.citecheck-test.org/report"
CAPTURE = f"https://web.archive.org/web/20210520000000/{GONE}"
MARKDOWN = (
    "---\ntitle: Test draft\ndate: 2021-06-01\n---\n\n"
    f"The report [was published]({LIVE}) in 2020.\n\n"
    f"It was [withdrawn]({GONE}) a year later.\n"
)


def _known_results(window) -> None:  # type: ignore[no-untyped-def]
    """A check run's results, as if one had just finished: no network in these tests."""
    when = "2026-01-02T03:04:05+00:00"
    window.controller.session.merge(
        {
            LIVE: Check(LIVE, "ok", http_status=200, checked_at=when),
            GONE: Check(GONE, "dead", http_status=404, checked_at=when),
        },
        {GONE: Archive(GONE, 2, closest=Snapshot("20210520000000", CAPTURE, 200))},
    )


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    path = tmp_path / "draft.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    return path


def test_export_menu_offers_every_bibliography_format(window, doc: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window.open_paths([str(doc)])
    _known_results(window)
    file_menu = window.menuBar().actions()[0].menu()
    export_as = next(a.menu() for a in file_menu.actions() if a.text() == "Export &As")
    offered = [a.text() for a in export_as.actions()]
    for name in ("BibTeX…", "BibLaTeX…", "CSL-JSON…", "RIS…"):
        assert name in offered

    out = tmp_path / "out"
    out.mkdir()
    assert window.controller.export(out / "refs.bib", "BibTeX")
    library = bibtexparser.parse_string((out / "refs.bib").read_text(encoding="utf-8"))
    assert not library.failed_blocks
    assert sorted(e.fields_dict["url"].value for e in library.entries) == [GONE, LIVE]
    assert "Exported the BibTeX bibliography" in window.message.label.text()
    assert window.controller.export(out / "refs-latex.bib", "BibLaTeX")
    assert (out / "refs-latex.bib").read_text(encoding="utf-8").count("@online{") == 2
    assert window.controller.export(out / "refs.json", "CSL-JSON")
    items = {i["URL"]: i for i in json.loads((out / "refs.json").read_text(encoding="utf-8"))}
    assert items[GONE]["archive_location"] == CAPTURE
    assert items[LIVE]["accessed"] == {"date-parts": [[2026, 1, 2]]}
    assert window.controller.export(out / "refs.ris", "RIS")
    ris = (out / "refs.ris").read_text(encoding="utf-8")
    assert ris.count("ER  -") == 2 and f"UR  - {GONE}" in ris


def test_bibliography_menu_asks_for_a_file(window, doc: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window.open_paths([str(doc)])  # not checked yet: entries from the text alone
    target = tmp_path / "refs"
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        lambda *a, **k: (str(target), "CSL-JSON bibliography (*.json)"),
    )
    window.ask_export("CSL-JSON")
    items = json.loads((tmp_path / "refs.json").read_text(encoding="utf-8"))
    assert sorted(i["URL"] for i in items) == [GONE, LIVE]


def test_corpus_draft_bibliography_lists_sources_needing_links(
    window, draft: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    window.open_paths([str(draft)])
    assert window.controller.export(tmp_path / "refs.json", "CSL-JSON")
    items = json.loads((tmp_path / "refs.json").read_text(encoding="utf-8"))
    needs = [i for i in items if "URL" not in i]
    assert len(items) == 6 and len(needs) == 3
    assert all("needs-link" in i["note"] for i in needs)


def test_rescue_previews_the_diff_then_saves_a_copy(
    window, doc: Path, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    window.open_paths([str(doc)])
    _known_results(window)
    window.act_rescue.trigger()
    dialog = window.rescue_dialog
    assert dialog is not None and dialog.isVisible()
    diff = dialog.diff_view.toPlainText()
    assert f"-It was [withdrawn]({GONE}) a year later." in diff
    assert f"+It was [withdrawn]({GONE}) ([archived]({CAPTURE})) a year later." in diff
    assert "1 dead link pointed at an archived copy" in dialog.summary.text()
    dialog.mode.setCurrentIndex(1)  # replace
    assert f"+It was [withdrawn]({CAPTURE}) a year later." in dialog.diff_view.toPlainText()

    # Never over the document itself.
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(doc), ""))
    dialog.save_button.click()
    assert doc.read_text(encoding="utf-8") == MARKDOWN
    assert "would overwrite" in window.message.label.text()

    target = tmp_path / "draft.rescued.md"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    dialog.save_button.click()
    assert target.read_text(encoding="utf-8") == MARKDOWN.replace(f"({GONE})", f"({CAPTURE})")
    assert not dialog.isVisible()
    assert doc.read_text(encoding="utf-8") == MARKDOWN


def test_rescue_refuses_other_formats(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    notes = tmp_path / "notes.txt"
    notes.write_text(f"See {GONE}.\n", encoding="utf-8")
    window.open_paths([str(notes)])
    window.act_rescue.trigger()
    assert window.rescue_dialog is None
    assert "Markdown and HTML" in window.message.label.text()
