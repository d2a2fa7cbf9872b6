"""Checking links from the window: verdicts arriving, cancel, close mid-run, reopen the project."""

from __future__ import annotations

import multiprocessing
import os
import signal
from pathlib import Path

import pytest

from citecheck.gui.controller import PROJECT_SUFFIX
from citecheck.gui.tables import COL_STATUS, COL_VERDICT
from conftest import make_window, routed, write_links_document

pytest.importorskip("citecheck.check", reason="the check engine is not installed")
pytest.importorskip("citecheck.store", reason="the project store is not installed")

from citecheck.store import Project  # noqa: E402


def _routes(server) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "ok": server.url("/page"),
        "dead": server.url("/404"),
        "moved": server.url("/moved"),
        "soft": server.url("/deep/article/42"),
    }


def _verdicts(window) -> dict[str, str]:  # type: ignore[no-untyped-def]
    window.links.flush_all()
    model = window.links
    return {
        link.url or link.raw: model.index(row, COL_VERDICT).data()
        for row, link in enumerate(model.items)
    }


def _quick(window) -> None:  # type: ignore[no-untyped-def]
    window.controller.values.update(archive="none", timeout=5.0)


def test_check_shows_verdicts_as_they_arrive(  # type: ignore[no-untyped-def]
    threaded_window, server, tmp_path: Path, qtbot
) -> None:
    window = threaded_window
    urls = _routes(server)
    doc = write_links_document(tmp_path / "draft.md", list(urls.values()))
    _quick(window)
    window.open_paths([str(doc)])
    qtbot.waitUntil(lambda: len(window.controller.session.inventory.links) == 5, timeout=5000)
    assert set(_verdicts(window).values()) == {"not checked yet", "placeholder"}
    seen: list = []
    window.controller.progress.connect(seen.append)
    with qtbot.waitSignal(window.controller.checking, timeout=20000) as started:
        window.check_all()
    assert started.args == [True]
    assert window.progress.isVisible() and window.act_cancel.isEnabled()
    qtbot.waitUntil(lambda: not window.controller.is_checking(), timeout=20000)
    verdicts = _verdicts(window)
    assert verdicts[urls["ok"]] == "ok"
    assert verdicts[urls["dead"]] == "dead"
    assert verdicts[urls["moved"]] == "moved"
    assert verdicts[urls["soft"]] == "soft 404"
    assert verdicts["#"] == "placeholder"
    assert seen and seen[-1].done == seen[-1].total == 4
    assert not window.progress.isVisible()
    row = next(r for r, k in enumerate(window.links.items) if k.url == urls["dead"])
    assert window.links.index(row, COL_STATUS).data() == "404"
    # Results were stored as they arrived.
    with Project(window.controller.project_path) as project:
        assert set(project.latest_checks()) == set(urls.values())
    # Counts and the summary follow.
    qtbot.waitUntil(lambda: window.documents.index(1, 2).data() == 1)
    window.tabs.setCurrentWidget(window.summary)
    window._refresh_views()
    assert window.summary.chart.counts["dead"] == 1
    assert "dead" in window.summary.chart.accessibleDescription()


def test_check_is_deterministic_with_the_synchronous_pool(window, server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    urls = _routes(server)
    doc = write_links_document(tmp_path / "draft.md", list(urls.values()))
    _quick(window)
    window.open_paths([str(doc)])
    assert window.controller.start_check()
    assert _verdicts(window)[urls["dead"]] == "dead"
    link = next(k for k in window.controller.session.inventory.links if k.url == urls["moved"])
    window.select_link(link.id)
    assert "→" in window.detail.redirects.text() and "/page" in window.detail.redirects.text()
    # Mark reviewed is kept in the project.
    window.detail.buttons["reviewed"].click()
    with Project(window.controller.project_path) as project:
        assert project.reviewed() == {urls["moved"]}
    assert _verdicts(window)[urls["moved"]] == "moved ✓"


def _slow_check_under_way(  # type: ignore[no-untyped-def]
    window, qtbot, local, monkeypatch, tmp_path: Path, links: int, seen: int
) -> None:
    """Open a draft of `links` slow links, check two at a time, and wait for `seen` results."""
    slow = routed(monkeypatch, local)
    doc = write_links_document(tmp_path / "long.md", [slow.url(f"/p{n}") for n in range(links)])
    _quick(window)
    window.controller.values.update(concurrency=2, per_host=2)
    window.open_paths([str(doc)])
    qtbot.waitUntil(
        lambda: len(window.controller.session.inventory.links) == links + 1, timeout=5000
    )
    window.check_all()
    qtbot.waitUntil(lambda: len(window.controller.session.checks) >= seen, timeout=10000)


def test_cancel_mid_run_keeps_what_was_checked(  # type: ignore[no-untyped-def]
    threaded_window, tmp_path: Path, qtbot, monkeypatch
) -> None:
    servers = pytest.importorskip("servers")
    window = threaded_window
    with servers.LocalServer(latency=0.3, default=servers.page("Slow")) as local:
        _slow_check_under_way(window, qtbot, local, monkeypatch, tmp_path, links=60, seen=4)
        window.progress.button.click()
        qtbot.waitUntil(lambda: not window.controller.is_checking(), timeout=5000)
    checked = len(window.controller.session.checks)
    assert 4 <= checked < 60
    assert "cancelled" in window.message.label.text()
    with Project(window.controller.project_path) as project:
        assert len(project.latest_checks()) == checked
    assert window.act_check.isEnabled() and not window.act_cancel.isEnabled()


def test_a_check_process_that_dies_is_reported_and_the_window_goes_on(  # type: ignore[no-untyped-def]
    threaded_window, tmp_path: Path, qtbot, monkeypatch
) -> None:
    servers = pytest.importorskip("servers")
    window = threaded_window
    with servers.LocalServer(latency=0.3, default=servers.page("Slow")) as local:
        _slow_check_under_way(window, qtbot, local, monkeypatch, tmp_path, links=40, seen=2)
        # As the system's out-of-memory killer would.
        for child in multiprocessing.active_children():
            if child.name == "citecheck-check" and child.pid is not None:
                os.kill(child.pid, signal.SIGKILL)
        qtbot.waitUntil(lambda: not window.controller.is_checking(), timeout=10000)
    assert window.message.level == "error"
    assert "stopped before it finished" in window.message.label.text()
    assert window.act_check.isEnabled() and not window.act_cancel.isEnabled()
    assert not window.progress.isVisible()
    with Project(window.controller.project_path) as project:
        assert len(project.latest_checks()) >= 2


def test_closing_the_window_during_a_check_stops_it(qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    servers = pytest.importorskip("servers")
    window = make_window(qtbot, tmp_path)
    with servers.LocalServer(latency=0.5, default=servers.page("Slow")) as local:
        _slow_check_under_way(window, qtbot, local, monkeypatch, tmp_path, links=40, seen=2)
        path = window.controller.project_path
        window.close()
        assert window.controller.runner.pool.activeThreadCount() == 0
        assert window.controller.project is None
    with Project(path) as project:
        assert 2 <= len(project.latest_checks()) < 40


def test_reopen_project_shows_last_results_at_once(window, server, tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    urls = _routes(server)
    doc = write_links_document(tmp_path / "draft.md", list(urls.values()))
    _quick(window)
    window.open_paths([str(doc)])
    window.controller.start_check()
    saved = tmp_path / f"fact-check{PROJECT_SUFFIX}"
    assert window.controller.save_project_as(saved)
    assert window.windowTitle().startswith("fact-check")
    window.close()

    again = make_window(qtbot, tmp_path / "second", pool=None)
    again.open_paths([str(saved)])
    # No check runs: the stored results come back with the documents.
    qtbot.waitUntil(lambda: urls["ok"] in again.controller.session.checks, timeout=5000)
    assert not again.controller.is_checking()
    verdicts = _verdicts(again)
    assert verdicts[urls["dead"]] == "dead" and verdicts[urls["ok"]] == "ok"
    assert again.controller.session.checks[urls["dead"]].http_status == 404
    # The recent list remembers the project.
    assert any(a.text() == saved.name for a in again.recent_menu.actions())


def test_a_project_whose_documents_moved_still_shows_its_links(  # type: ignore[no-untyped-def]
    window, server, tmp_path: Path, qtbot
) -> None:
    urls = _routes(server)
    kept = write_links_document(tmp_path / "kept.md", [urls["ok"]], placeholders=0)
    moved = write_links_document(tmp_path / "moved.md", list(urls.values()))
    _quick(window)
    window.open_paths([str(kept), str(moved)])
    window.controller.start_check()
    saved = tmp_path / f"moved{PROJECT_SUFFIX}"
    assert window.controller.save_project_as(saved)
    window.close()
    moved.rename(tmp_path / "elsewhere.md")

    again = make_window(qtbot, tmp_path / "second", pool=None)
    again.open_paths([str(saved)])
    qtbot.waitUntil(lambda: urls["dead"] in again.controller.session.checks, timeout=5000)
    session = again.controller.session
    assert [d.path for d in session.documents] == [str(kept), str(moved)]
    assert session.stored == {str(moved)}
    verdicts = _verdicts(again)
    assert verdicts[urls["dead"]] == "dead" and verdicts[urls["moved"]] == "moved"
    assert verdicts["#"] == "placeholder"
    ids = [k.id for k in session.inventory.links]
    assert len(ids) == len(set(ids)) == 6  # one from kept.md, five stored for moved.md
    claim = next(c for c in session.inventory.claims if c.document == str(moved) and c.citations)
    assert all(session.links_by_id[i].document == str(moved) for i in claim.citations)
    assert again.message.level == "warning"
    assert "moved.md is no longer at" in again.message.label.text()
    # Its row still leads to its details; the text view says why it is empty.
    link = next(k for k in session.inventory.links if k.url == urls["dead"])
    assert again.select_link(link.id)
    assert "404" in again.detail.status.text()
    again.doc_list.setCurrentIndex(again.documents.index(2, 0))
    assert again.doc_view.document_path == str(moved)
    assert "no longer at" in again.doc_view.placeholderText()
    again.doc_list.setCurrentIndex(again.documents.index(1, 0))
    assert again.doc_view.placeholderText() == ""
    # The project still holds the stored document as it was.
    with Project(saved) as project:
        assert len(project.links(str(moved))) == 5
