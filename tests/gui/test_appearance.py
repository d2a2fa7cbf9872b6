"""Light and dark at runtime: grey action icons are tinted again when the palette flips."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon

from citecheck.gui import appearance


def _ink(icon: QIcon) -> int:
    """The lightness of the darkest opaque pixel: the icon's ink."""
    image = icon.pixmap(QSize(32, 32)).toImage()
    found = 255
    for y in range(image.height()):
        for x in range(image.width()):
            colour = image.pixelColor(x, y)
            if colour.alpha() > 200:
                found = min(found, colour.lightness())
    return found


def test_switching_to_dark_retints_the_icons_on_screen(window, qapp, qtbot) -> None:  # type: ignore[no-untyped-def]
    targets = {
        "action": window.act_open,
        "filter toggle": window.filter.toggles["not-archived"],
        "detail button": window.detail.buttons["recheck"],
    }
    light = {name: _ink(t.icon()) for name, t in targets.items()}
    appearance.apply_scheme(qapp, Qt.ColorScheme.Dark)
    qapp.processEvents()
    assert appearance.is_dark()
    dark = {name: _ink(t.icon()) for name, t in targets.items()}
    assert all(dark[name] > light[name] + 40 for name in targets), (light, dark)
    # And back again.
    appearance.apply_scheme(qapp, Qt.ColorScheme.Light)
    qapp.processEvents()
    assert {name: _ink(t.icon()) for name, t in targets.items()} == light


def test_verdict_pixmaps_follow_the_palette_too(window, qapp) -> None:  # type: ignore[no-untyped-def]
    before = appearance.row_pixmap("archive").toImage()
    appearance.apply_scheme(qapp, Qt.ColorScheme.Dark)
    qapp.processEvents()
    assert appearance.row_pixmap("archive").toImage() != before
