"""Screenshots of the window with a checked document, light and dark, saved to test-artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from citecheck.gui import appearance
from citecheck.gui.tasks import SyncPool
from conftest import ARTIFACTS, make_window, write_links_document

pytest.importorskip("citecheck.check", reason="the check engine is not installed")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshot_of_a_checked_document(qapp, qtbot, server, tmp_path: Path, scheme: str) -> None:  # type: ignore[no-untyped-def]
    appearance.apply_scheme(qapp, Qt.ColorScheme.Dark if scheme == "dark" else Qt.ColorScheme.Light)
    assert appearance.is_dark() == (scheme == "dark")
    window = make_window(qtbot, tmp_path, SyncPool())
    window.resize(1500, 900)
    urls = [
        server.url(p)
        for p in ("/page", "/404", "/moved", "/deep/article/42", "/410", "/challenge", "/found")
    ]
    doc = write_links_document(tmp_path / "reservoirs-draft.md", urls, placeholders=2)
    window.controller.values.update(archive="none", timeout=5.0)
    window.open_paths([str(doc)])
    window.controller.start_check()
    window.links.flush_all()
    dead = next(k for k in window.controller.session.inventory.links if k.url == urls[1])
    window.select_link(dead.id)
    window.doc_view.reveal(dead.id)
    qtbot.wait(50)
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"citecheck-window-{scheme}.png"
    image = window.grab().toImage()
    assert image.save(str(path))
    assert image.width() >= 1400
    # The picture is not blank: the window's background and the verdict colours both show.
    colours = {
        image.pixelColor(x, y).name()
        for x in range(0, image.width(), 37)
        for y in range(0, image.height(), 23)
    }
    assert len(colours) > 10
