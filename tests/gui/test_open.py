"""Opening the corpus draft: its links and claims, filtering, and the text view in step."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt

from citecheck.gui.tables import COL_URL, COL_VERDICT, ITEM_ROLE


def _open(window, path: Path) -> None:  # type: ignore[no-untyped-def]
    window.open_paths([str(path)])
    window.links.flush_all()
    window.claims.flush_all()


def test_open_draft_shows_six_placeholder_rows(window, draft: Path) -> None:  # type: ignore[no-untyped-def]
    _open(window, draft)
    assert window.link_proxy.rowCount() == 9
    window.filter.toggles["placeholder"].setChecked(True)
    rows = [window.link_proxy.index(r, COL_VERDICT) for r in range(window.link_proxy.rowCount())]
    assert len(rows) == 6
    assert {r.data() for r in rows} == {"placeholder"}
    assert {window.link_proxy.index(r.row(), COL_URL).data() for r in rows} == {"#"}
    # The document list counts them too.
    assert window.documents.index(1, 3).data() == 6
    assert window.windowTitle().startswith("Untitled")


def test_filter_by_text_and_toggles(window, draft: Path) -> None:  # type: ignore[no-untyped-def]
    _open(window, draft)
    window.filter.text.setText("partisan")
    urls = {window.link_proxy.index(r, COL_URL).data() for r in range(window.link_proxy.rowCount())}
    assert urls == {"https://belaruspartisan.by/", "http://partisanmag.by/?cat=104"}
    # Claims filter on the same text.
    assert 0 < window.claim_proxy.rowCount() < len(window.claims.items)
    window.filter.text.clear()
    window.filter.toggles["unsourced"].setChecked(True)
    claims = window.controller.session.inventory.claims
    unsourced = sum(1 for c in claims if c.status == "unsourced")
    by_placeholder = sum(1 for c in claims if c.status == "placeholder")
    assert unsourced and by_placeholder
    assert window.link_proxy.rowCount() == 0
    assert window.claim_proxy.rowCount() == unsourced
    window.filter.toggles["placeholder"].setChecked(True)  # either toggle
    assert window.claim_proxy.rowCount() == unsourced + by_placeholder
    assert window.link_proxy.rowCount() == 6


def _row_of(proxy, link_id: str) -> int:  # type: ignore[no-untyped-def]
    for r in range(proxy.rowCount()):
        if proxy.index(r, 0).data(ITEM_ROLE).id == link_id:
            return r
    raise AssertionError(f"{link_id} is not shown")


def test_selecting_a_row_moves_the_view_to_its_line(window, draft: Path) -> None:  # type: ignore[no-untyped-def]
    _open(window, draft)
    link = next(k for k in window.controller.session.inventory.links if k.line == 44)
    assert window.doc_view.first_visible_line() < 20  # the view starts at the top
    row = _row_of(window.link_proxy, link.id)
    window.link_table.selectionModel().setCurrentIndex(
        window.link_proxy.index(row, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert window.doc_view.cursor_line() == 44
    view = window.doc_view
    first = view.first_visible_line()
    last = view.cursorForPosition(view.viewport().rect().bottomLeft()).blockNumber() + 1
    assert first <= 44 <= last and first > 20, (first, last)
    # The detail pane speaks plain words.
    assert "placeholder" in window.detail.verdict.text()
    assert "bare '#'" in window.detail.error.text()


def test_clicking_in_the_text_selects_the_row(window, draft: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    _open(window, draft)
    session = window.controller.session
    link = next(k for k in session.inventory.links if k.url and k.url.startswith("http"))
    view = window.doc_view
    cursor = view.textCursor()
    cursor.setPosition(view._map.to_qt(link.offset + 3))
    view.setTextCursor(cursor)
    view.ensureCursorVisible()
    rect = view.cursorRect(cursor)
    assert view.viewport().rect().contains(rect.center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    current = window.link_table.currentIndex()
    assert current.isValid() and current.data(ITEM_ROLE).id == link.id
    assert window.tabs.currentWidget() is window.link_table
    # A click on a claim's sentence away from links selects the claim.
    claim = next(c for c in session.inventory.claims if not c.citations)
    view.select_at(view.offset_of_line(claim.line) + claim.column + 2)
    assert window.claim_table.currentIndex().data(ITEM_ROLE).id == claim.id
    assert window.tabs.currentWidget() is window.claim_table
    assert "needs a citation" in window.detail.sources.item(0).text()


def test_claim_detail_lists_sources_and_verdicts(window, draft: Path) -> None:  # type: ignore[no-untyped-def]
    _open(window, draft)
    claim = next(c for c in window.controller.session.inventory.claims if c.status == "placeholder")
    assert window.select_claim(claim.id)
    items = [window.detail.sources.item(i).text() for i in range(window.detail.sources.count())]
    assert items and all(t.startswith("placeholder — #") for t in items)
    window.detail.sources.itemClicked.emit(window.detail.sources.item(0))
    assert window.link_table.currentIndex().data(ITEM_ROLE).id == claim.citations[0]


def test_unreadable_file_is_reported_in_plain_words(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "locked.md"
    bad.write_text("x")
    bad.chmod(0)
    window.open_paths([str(bad), str(tmp_path / "missing.md")])
    text = window.message.label.text()
    assert window.message.isVisible()
    assert "missing.md could not be opened: no such file or folder" in text
