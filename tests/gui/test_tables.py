"""Tables stay cheap while results pour in: batched updates, one call per cell, capped drains."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap

from citecheck.gui import tables
from citecheck.gui.tables import COL_URL, COL_VERDICT, LinkTableModel, runs
from citecheck.verdict import Check
from conftest import write_links_document

URLS = [f"http://reservoir-news.citecheck-fixture.org/article/{n}" for n in range(300)]


def _open(window, tmp_path: Path, urls: list[str] = URLS) -> None:  # type: ignore[no-untyped-def]
    window.open_paths([str(write_links_document(tmp_path / "many.md", urls))])
    window.links.flush_all()
    window.claims.flush_all()


def _dead(url: str) -> Check:
    return Check(url, "dead", http_status=404, checked_at="2024-05-06T07:08:09+00:00")


def test_rows_close_together_share_one_range() -> None:
    assert runs([]) == []
    assert runs([5, 1, 2, 30, 300, 301, 3]) == [(1, 30), (300, 301)]
    assert runs([0, 100], gap=200) == [(0, 100)]


def test_changed_rows_reach_the_view_in_few_ranges(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _open(window, tmp_path)
    ranges: list[tuple[int, int]] = []
    window.links.dataChanged.connect(lambda a, b, *_: ranges.append((a.row(), b.row())))
    changed = [URLS[n] for n in (3, 4, 10, 250, 251)]
    for url in changed:
        window.controller.inbox.put("check", _dead(url))
    window.controller.drain()
    assert ranges == []  # batched: nothing until the model's timer ticks
    window.links.flush()
    rows = sorted(window.links.row_of_id[k.id] for k in window.links.items if k.url in changed)
    assert ranges == [(rows[0], rows[2]), (rows[3], rows[4])]
    assert window.links.index(rows[0], COL_VERDICT).data() == "dead"


def test_a_drain_takes_a_bounded_share(window, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _open(window, tmp_path)
    monkeypatch.setattr("citecheck.gui.controller.DRAIN_MAX", 100)
    controller = window.controller
    for url in URLS:
        controller.inbox.put("check", _dead(url))
    controller.drain(100)
    assert len(controller.session.checks) == 100 and len(controller.inbox) == 200
    controller.drain(None)
    assert len(controller.session.checks) == 300 and len(controller.inbox) == 0


def test_claims_are_touched_only_when_their_sources_change(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _open(window, tmp_path)
    claims = window.claims
    claims.flush_all()
    citing = {
        r
        for r, c in enumerate(claims.items)
        if any(k.url == URLS[7] for k in window.controller.session.sources(c))
    }
    assert citing
    window._results_arrived([URLS[7]])
    assert claims._touched == citing


def test_proxy_looks_again_at_rows_only_when_results_can_move_them(window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _open(window, tmp_path)
    proxy = window.link_proxy
    assert not proxy.dynamicSortFilter()
    window.filter.text.setText("article/1")  # text filters do not depend on results
    assert not proxy.dynamicSortFilter()
    window.filter.text.clear()
    window.filter.toggles["dead"].setChecked(True)
    assert proxy.dynamicSortFilter() and proxy.rowCount() == 0
    window.controller.inbox.put("check", _dead(URLS[42]))
    window.controller.drain()
    window.links.flush_all()
    assert proxy.rowCount() == 1  # the row joined the filtered view as its verdict arrived
    window.filter.toggles["dead"].setChecked(False)
    assert not proxy.dynamicSortFilter()
    window.link_table.sortByColumn(COL_VERDICT, Qt.SortOrder.AscendingOrder)
    assert proxy.dynamicSortFilter()
    assert proxy.index(0, COL_URL).data() == URLS[42]  # dead sorts first
    window.controller.inbox.put("check", Check(URLS[42], "ok"))
    window.controller.inbox.put("check", _dead(URLS[7]))
    window.controller.drain()
    window.links.flush_all()
    assert proxy.index(0, COL_URL).data() == URLS[7]


def test_a_repaint_asks_each_cell_once(window, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _open(window, tmp_path)
    asked: list[tuple[int, int, tuple[int, ...]]] = []
    values = LinkTableModel.values

    def counted(self, row, col, roles):  # type: ignore[no-untyped-def]
        roles = tuple(roles)
        asked.append((row, col, roles))
        return values(self, row, col, roles)

    monkeypatch.setattr(LinkTableModel, "values", counted)
    window.tabs.setCurrentWidget(window.link_table)
    window.link_table.viewport().repaint()
    cells = [(r, c) for r, c, _ in asked]
    assert cells and len(cells) == len(set(cells))  # one call per cell, all roles at once
    assert all(len(roles) > 1 for _, _, roles in asked)
    # Verdict icons are pixmaps: painted without a call back into Python.
    icon = window.links.index(0, COL_VERDICT).data(Qt.ItemDataRole.DecorationRole)
    assert isinstance(icon, QPixmap) and not icon.isNull()
    assert tables.RUN_GAP > 1
