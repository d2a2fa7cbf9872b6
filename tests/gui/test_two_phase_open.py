"""Opening in two phases: links at once, claims after; older phases never overwrite newer ones."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel

from citecheck.gui.controller import same_links
from citecheck.gui.tables import ITEM_ROLE
from citecheck.scan import scan
from conftest import ManualPool, make_window, write_links_document

URLS = [f"http://reservoir-news.citecheck-fixture.org/article/{n}" for n in range(40)]


@pytest.fixture
def pool() -> ManualPool:
    return ManualPool()


@pytest.fixture
def held(qtbot, tmp_path: Path, pool: ManualPool):  # type: ignore[no-untyped-def]
    """A main window whose background tasks wait until the test runs them."""
    return make_window(qtbot, tmp_path, pool)


def _run(window, pool: ManualPool, name: str) -> None:  # type: ignore[no-untyped-def]
    """Run the oldest waiting task called `name` (the runner lists tasks in the pool's order)."""
    names = [t.name for t in window.controller.runner.tasks()]
    assert len(names) == len(pool.queue), names
    pool.run(names.index(name))


def _select_row(window, row: int) -> None:  # type: ignore[no-untyped-def]
    window.link_table.selectionModel().setCurrentIndex(
        window.link_proxy.index(row, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )


def test_a_scan_without_claims_numbers_links_as_the_full_scan(draft: Path, tmp_path: Path) -> None:
    many = write_links_document(tmp_path / "many.md", URLS, placeholders=3)
    for paths in ([str(draft)], [str(many)], [str(many), str(draft)]):
        quick, full = scan(paths, claims=False), scan(paths)
        assert not quick.claims and full.claims
        assert same_links(quick, full)
        assert [(k.id, k.line, k.column) for k in quick.links] == [
            (k.id, k.line, k.column) for k in full.links
        ]


def test_claims_arrive_after_the_links_without_disturbing_the_links_table(  # type: ignore[no-untyped-def]
    held, pool: ManualPool, draft: Path
) -> None:
    window, controller = held, held.controller
    window.open_paths([str(draft)])
    _run(window, pool, "open")
    # Phase one: the links, their counts and the text; no claims yet.
    assert window.link_proxy.rowCount() == 9
    assert window.documents.index(1, 1).data() == 9
    assert window.documents.index(1, 3).data() == 6
    assert window.documents.index(1, 4).data() == 0
    assert controller.claims_pending() and window.claims.rowCount() == 0
    assert window.doc_view.document_path == str(draft) and not window.doc_view._claims
    window.filter.text.setText("by")
    shown = window.link_proxy.rowCount()
    assert 0 < shown < 9
    _select_row(window, shown - 1)
    picked = window.link_table.currentIndex().data(ITEM_ROLE)
    resets: list[int] = []
    window.links.modelReset.connect(lambda: resets.append(1))
    window.link_proxy.layoutChanged.connect(lambda: resets.append(2))
    window.tabs.setCurrentWidget(window.summary)
    # Phase two: the claims join the session.
    pool.run_all()
    assert not controller.claims_pending()
    claims = controller.session.inventory.claims
    unsourced = sum(1 for c in claims if c.status == "unsourced")
    assert claims and unsourced
    assert window.claims.rowCount() == len(claims)
    assert window.documents.index(1, 4).data() == unsourced
    assert f"{unsourced} unsourced claims" in window.summary.heading.text()
    assert window.doc_view._claims  # sentences are lit in the text
    # The Links table was left as it was: same rows, filter, and selected link.
    assert resets == []
    assert window.link_proxy.rowCount() == shown and window.filter.text.text() == "by"
    assert window.link_table.currentIndex().data(ITEM_ROLE) is picked
    # Claims cite the very links shown, and the project holds them.
    assert all(c in controller.session.links_by_id for k in claims for c in k.citations)
    store = pytest.importorskip("citecheck.store")
    project = store.Project(controller.project_path)
    try:
        assert len(project.claims(str(draft))) == len(claims)
    finally:
        project.close()


def test_a_second_open_during_phase_two_wins(held, pool: ManualPool, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window, controller = held, held.controller
    first = write_links_document(tmp_path / "first.md", URLS[:5])
    second = write_links_document(tmp_path / "second.md", URLS[5:12])
    window.open_paths([str(first)])
    _run(window, pool, "open")
    assert controller.claims_pending()
    window.open_paths([str(second)])  # both documents now; the first open's claims are stale
    _run(window, pool, "open")
    assert len(controller.session.inventory.links) == 5 + 1 + 7 + 1
    _run(window, pool, "claims")  # the first open's claims come late
    assert controller.session.inventory.claims == [] and window.claims.rowCount() == 0
    assert controller.claims_pending()
    pool.run_all()
    claims = controller.session.inventory.claims
    assert {c.document for c in claims} == {str(first), str(second)}
    assert window.claims.rowCount() == len(claims)
    links = controller.session.links_by_id
    assert all(links[i].document == c.document for c in claims for i in c.citations)


def test_a_check_begun_before_the_claims_does_not_lose_them(  # type: ignore[no-untyped-def]
    held, pool: ManualPool, tmp_path: Path
) -> None:
    pytest.importorskip("citecheck.check", reason="the check engine is not installed")
    store = pytest.importorskip("citecheck.store", reason="the project store is not installed")
    window, controller = held, held.controller
    # Placeholders only: the check runs without the network.
    doc = write_links_document(tmp_path / "draft.md", [], placeholders=4)
    controller.values.update(archive="none")
    window.open_paths([str(doc)])
    _run(window, pool, "open")
    assert controller.start_check()
    _run(window, pool, "claims")  # the claims arrive while the check runs
    claims = controller.session.inventory.claims
    assert claims and window.claims.rowCount() == len(claims)
    # No save while the check runs: its own save, without claims, could land after it.
    assert [t.name for t in controller.runner.tasks()] == ["store", "check"]
    _run(window, pool, "check")
    assert [t.name for t in controller.runner.tasks()] == ["store", "store"]
    pool.run_all()
    assert not controller.is_checking()
    project = store.Project(controller.project_path)
    try:
        assert len(project.claims(str(doc))) == len(claims)
    finally:
        project.close()


def test_the_corpus_draft_still_shows_six_placeholder_rows_when_threaded(  # type: ignore[no-untyped-def]
    qtbot, tmp_path: Path, draft: Path
) -> None:
    window = make_window(qtbot, tmp_path)
    window.open_paths([str(draft)])
    qtbot.waitUntil(lambda: window.link_proxy.rowCount() == 9, timeout=5000)
    qtbot.waitUntil(lambda: not window.controller.claims_pending(), timeout=5000)
    qtbot.waitUntil(lambda: not window.controller.runner.tasks(), timeout=5000)
    window.filter.toggles["placeholder"].setChecked(True)
    assert window.link_proxy.rowCount() == 6
    assert window.documents.index(1, 3).data() == 6
    assert window.documents.index(1, 4).data() > 0
