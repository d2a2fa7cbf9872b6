"""The Wayback Machine in the window: captures and timeline, open, copy, save; re-check a link."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QDesktopServices, QGuiApplication

from citecheck.gui.tables import COL_ARCHIVED, COL_STATUS, COL_VERDICT
from conftest import routed
from conftest import write_links_document as _write

pytest.importorskip("citecheck.check", reason="the check engine is not installed")
pytest.importorskip("citecheck.store", reason="the project store is not installed")
servers = pytest.importorskip("servers", reason="tests/servers.py is not there yet")
fake_wayback = pytest.importorskip("fake_wayback", reason="tests/fake_wayback.py is missing")

from citecheck.store import Project  # noqa: E402

# The draft is dated 2021-03-04 (its front matter): the March 2021 capture is closest.
CAPTURES = [("20190105120000", 200), ("20210301080000", 200), ("20230710170000", 200)]
CLOSEST = "https://web.archive.org/web/20210301080000/"


def write_links_document(path: Path, urls: list[str]) -> Path:
    """A draft citing `urls`, dated in its front matter as a scanned document's date is read."""
    _write(path, urls, placeholders=0)
    path.write_text("---\ndate: 2021-03-04\n---\n" + path.read_text(encoding="utf-8"))
    return path


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    with servers.LocalServer() as local:
        servers.everything(local)
        local.route("/flaky", servers.sequence(servers.page("Up"), servers.status(404)))
        yield local, routed(monkeypatch, local)


@pytest.fixture
def wayback():  # type: ignore[no-untyped-def]
    with fake_wayback.FakeWayback(pending_polls=0) as fake:
        yield fake


def _use(window, fake) -> None:  # type: ignore[no-untyped-def]
    window.controller.values.update(archive="failing", timeout=5.0)
    window.controller.wayback = {
        "base_web": fake.base_web,
        "base_api": fake.base_api,
        "rate_per_minute": 60_000.0,  # the fake has no limit; the real one is ~60 a minute
        "poll_interval": 0.01,
    }


def _row(window, url: str) -> int:  # type: ignore[no-untyped-def]
    window.links.flush_all()
    return next(r for r, k in enumerate(window.links.items) if k.url == url)


def _cell(window, url: str, column: int) -> str:  # type: ignore[no-untyped-def]
    window.links.flush_all()
    return window.links.index(_row(window, url), column).data()


def _select(window, url: str) -> None:  # type: ignore[no-untyped-def]
    link = next(k for k in window.controller.session.inventory.links if k.url == url)
    assert window.select_link(link.id)


def test_dead_link_shows_its_captures_and_timeline(window, site, wayback, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, host = site
    dead, ok = host.url("/404"), host.url("/page")
    wayback.captures[dead] = list(CAPTURES)
    doc = write_links_document(tmp_path / "draft.md", [dead, ok])
    _use(window, wayback)
    window.open_paths([str(doc)])
    assert window.controller.start_check()
    assert _cell(window, dead, COL_VERDICT) == "dead"
    # Only the failing link was looked up, and the table says which capture is closest.
    assert wayback.calls["cdx"] >= 1
    assert _cell(window, dead, COL_ARCHIVED) == "2021-03-01"
    assert _cell(window, ok, COL_ARCHIVED) == ""
    _select(window, dead)
    detail = window.detail
    words = detail.captures.text()
    assert words.startswith("3 captures"), words
    assert "first 2019-01-05" in words and "last 2023-07-10" in words
    assert "closest 2021-03-01" in words
    assert detail.timeline.isVisibleTo(detail)
    assert detail.timeline._archive is window.controller.session.archives[dead]
    assert str(detail.timeline._cited) == "2021-03-04"  # the document's date is marked
    assert detail.buttons["archived"].isEnabled() and detail.buttons["copy"].isEnabled()
    # The lookup is kept in the project: reopening shows it without asking again.
    with Project(window.controller.project_path) as project:
        assert set(project.latest_checks()) == {dead, ok}


def test_open_and_copy_the_closest_capture(  # type: ignore[no-untyped-def]
    window, site, wayback, tmp_path: Path, monkeypatch
) -> None:
    _, host = site
    dead = host.url("/404")
    wayback.captures[dead] = list(CAPTURES)
    doc = write_links_document(tmp_path / "draft.md", [dead])
    _use(window, wayback)
    window.open_paths([str(doc)])
    window.controller.start_check()
    _select(window, dead)
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    window.detail.buttons["archived"].click()
    assert opened == [CLOSEST + dead]
    window.detail.buttons["live"].click()
    assert opened[-1] == dead
    window.detail.buttons["copy"].click()
    assert QGuiApplication.clipboard().text() == CLOSEST + dead


def test_a_link_with_no_captures_offers_nothing_to_open(
    window, site, wayback, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _, host = site
    dead = host.url("/410")
    doc = write_links_document(tmp_path / "draft.md", [dead])
    _use(window, wayback)
    window.open_paths([str(doc)])
    window.controller.start_check()
    assert _cell(window, dead, COL_ARCHIVED) == "never"
    _select(window, dead)
    assert window.detail.captures.text() == "no captures"
    assert not window.detail.buttons["archived"].isEnabled()
    assert not window.detail.buttons["copy"].isEnabled()
    window.filter.toggles["not-archived"].setChecked(True)
    assert window.link_proxy.rowCount() == 1


def test_save_to_wayback_runs_save_page_now_and_updates_the_row(  # type: ignore[no-untyped-def]
    window, site, wayback, tmp_path: Path, monkeypatch
) -> None:
    _, host = site
    ok = host.url("/page")
    doc = write_links_document(tmp_path / "draft.md", [ok])
    _use(window, wayback)
    window.open_paths([str(doc)])
    window.controller.start_check()
    assert _cell(window, ok, COL_ARCHIVED) == ""  # ok links are not looked up by default
    window.filter.toggles["not-archived"].setChecked(True)
    assert window.link_proxy.rowCount() == 1
    _select(window, ok)
    window.detail.buttons["save"].click()
    # Anonymous: no keys were sent, and the fake made the capture.
    assert wayback.calls["save"] == 1
    assert all("authorization" not in {h.lower() for h in s.headers} for s in wayback.seen)
    assert len(wayback.captures[ok]) == 1
    stamp = wayback.captures[ok][0][0]
    day = f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}"
    assert _cell(window, ok, COL_ARCHIVED) == f"saved {day}"
    assert "Saved to the Wayback Machine" in window.message.label.text()
    window._refresh_views()
    assert f"saved now ({day})" in window.detail.captures.text()
    # The new capture is what "Open archived copy" opens now.
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    window.detail.buttons["archived"].click()
    assert opened == [f"https://web.archive.org/web/{stamp}/{ok}"]
    # It no longer counts as not archived, and the project keeps the capture.
    window.filter.toggles["not-archived"].setChecked(False)
    window.filter.toggles["not-archived"].setChecked(True)
    assert window.link_proxy.rowCount() == 0
    with Project(window.controller.project_path) as project:
        from datetime import date, timedelta

        kept = project.cached_archive(ok, date.today(), timedelta(days=1))
        assert kept is not None and kept.saved is not None and kept.saved.timestamp == stamp


def test_a_refused_save_is_said_in_plain_words(window, site, wayback, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, host = site
    ok = host.url("/page")
    wayback.refusals[ok] = (
        "error:too-many-daily-captures",
        "This URL has been captured 10 times today.",
    )
    doc = write_links_document(tmp_path / "draft.md", [ok])
    _use(window, wayback)
    window.open_paths([str(doc)])
    window.controller.start_check()
    _select(window, ok)
    window.detail.buttons["save"].click()
    assert window.message.level == "warning"
    assert "did not save" in window.message.label.text()
    assert _cell(window, ok, COL_ARCHIVED) == ""


def test_recheck_of_the_selected_link_fetches_it_again(window, site, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    local, host = site
    flaky = host.url("/flaky")
    doc = write_links_document(tmp_path / "draft.md", [flaky, host.url("/page")])
    window.controller.values.update(archive="none", timeout=5.0)
    window.open_paths([str(doc)])
    window.controller.start_check()
    assert _cell(window, flaky, COL_VERDICT) == "ok"
    before = local.stats.paths().count("/flaky")
    assert before >= 1
    _select(window, flaky)
    window.act_recheck.trigger()
    # The server saw it again, though the first result is younger than max_age.
    assert local.stats.paths().count("/flaky") > before
    assert _cell(window, flaky, COL_VERDICT) == "dead"
    assert _cell(window, flaky, COL_STATUS) == "404"
    assert "Checked again" in window.message.label.text()
    window._refresh_views()
    assert "dead" in window.detail.verdict.text()
    with Project(window.controller.project_path) as project:
        assert project.latest_checks([flaky])[flaky].verdict == "dead"
    # Only that link was fetched again.
    assert local.stats.paths().count("/page") == 1
