"""GUI test fixtures: offscreen Qt, a temp project and settings per test, a synchronous pool."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

pytest.importorskip("PySide6", reason="the GUI tests need PySide6 (pip install .[gui])")
pytest.importorskip("pytestqt", reason="the GUI tests need pytest-qt")

from PySide6.QtCore import QCoreApplication, QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from citecheck.gui import appearance  # noqa: E402
from citecheck.gui.controller import Controller  # noqa: E402
from citecheck.gui.tasks import SyncPool  # noqa: E402
from citecheck.gui.window import MainWindow  # noqa: E402

HERE = Path(__file__).resolve().parent
DRAFT = Path(__file__).resolve().parents[2].parent / "shared/corpus/cyber-partisans-draft.txt"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Any Qt warning in a GUI test is a failure (qt_log_level_fail = WARNING for this folder).
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))
            # The offscreen platform says this about every top-level window; it is not ours.
            item.add_marker(pytest.mark.qt_log_ignore("does not support propagateSizeHints"))


@pytest.fixture
def draft() -> Path:
    if not DRAFT.is_file():
        pytest.skip(f"the shared corpus draft is not beside this checkout ({DRAFT})")
    return DRAFT


@pytest.fixture(autouse=True)
def _isolated_settings(qapp: QApplication, tmp_path: Path) -> Iterator[None]:
    """QSettings (geometry, recent files) in a temp folder; the light palette unless a test asks."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qs"))
    QCoreApplication.setOrganizationName("citecheck-tests")
    QCoreApplication.setApplicationName("citecheck-tests")
    appearance.apply_scheme(qapp, Qt.ColorScheme.Light)
    yield
    appearance.apply_scheme(qapp, Qt.ColorScheme.Light)


class ManualPool:
    """Holds each task until the test runs it, so a test can order the phases of an open."""

    def __init__(self) -> None:
        self.queue: list = []

    def start(self, runnable) -> None:  # type: ignore[no-untyped-def]
        self.queue.append(runnable)

    def run(self, index: int = 0) -> None:
        self.queue.pop(index).run()

    def run_all(self) -> None:
        while self.queue:
            self.run()

    def waitForDone(self, msecs: int = -1) -> bool:  # noqa: N802 - Qt's name
        self.queue.clear()  # cancelled at shutdown: what never ran reports nothing
        return True

    def activeThreadCount(self) -> int:  # noqa: N802 - Qt's name
        return len(self.queue)


def make_window(qtbot, tmp_path: Path, pool=None) -> MainWindow:  # type: ignore[no-untyped-def]
    controller = Controller(
        pool=pool, projects_dir=tmp_path / "projects", config_dir=tmp_path / "config"
    )
    window = MainWindow(controller)
    controller.setParent(window)
    qtbot.addWidget(window)
    window.show()
    return window


@pytest.fixture
def window(qtbot, tmp_path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    """A main window whose background work runs synchronously: deterministic."""
    return make_window(qtbot, tmp_path, SyncPool())


@pytest.fixture
def threaded_window(qtbot, tmp_path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    """A main window with the real thread pool, as the app runs."""
    return make_window(qtbot, tmp_path)


def write_links_document(path: Path, urls: list[str], placeholders: int = 1) -> Path:
    """A Markdown draft citing each URL in a sentence of its own, plus `placeholders` [x](#)."""
    lines = ["# A draft with sources", "", "Date: 2021-03-04", ""]
    for n, url in enumerate(urls, 1):
        lines.append(f"Source {n} reports that 1{n} reservoirs rose by {n}%: [report]({url}).")
        lines.append("")
    for n in range(placeholders):
        lines.append(f"The ministry said that {n + 3} dams failed in 2020 [citation needed](#).")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


PUBLIC_HOST = "reservoir-news.citecheck-fixture.org"


class Site:
    """A LocalServer reached as a public-looking host through HTTP_PROXY.

    The scanner rightly calls 127.0.0.1 links placeholders ("loopback"), so drafts cite a
    made-up public host and the engine reaches the local server as its proxy, which routes by
    path like any site. NO_PROXY keeps the fake Wayback (on 127.0.0.1) direct.
    """

    def __init__(self, server: object, host: str = PUBLIC_HOST) -> None:
        self.server, self.host = server, host

    def url(self, path: str) -> str:
        return f"http://{self.host}{path}"


def routed(monkeypatch: pytest.MonkeyPatch, server) -> Site:  # type: ignore[no-untyped-def]
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", server.url(""))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    return Site(server)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """The standard misbehaving routes, on a public-looking host."""
    servers = pytest.importorskip("servers", reason="tests/servers.py is not there yet")
    with servers.LocalServer() as s:
        servers.everything(s)
        yield routed(monkeypatch, s)
