"""How the window looks: verdict colours and words, light/dark palettes, and the SVG icons."""

from __future__ import annotations

from functools import cache
from importlib import resources

from PySide6.QtCore import QByteArray, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from citecheck import verdict as V

UNCHECKED = "unchecked"  # the window's own state for a link no check has answered yet

# Short words for the table; the detail pane and tooltips use verdict.WORDS.
SHORT = {
    V.OK: "ok",
    V.REDIRECTED: "moved",
    V.DEAD: "dead",
    V.SOFT_404: "soft 404",
    V.BLOCKED: "blocked",
    V.TIMEOUT: "timed out",
    V.UNREACHABLE: "unreachable",
    V.INVALID: "invalid",
    V.PLACEHOLDER: "placeholder",
    V.SKIPPED: "not checked",
    V.ERROR: "error",
    UNCHECKED: "not checked yet",
}
WORDS = {**V.WORDS, UNCHECKED: "not checked yet"}

COLOURS = {
    V.OK: "#2e7d32",
    V.REDIRECTED: "#1565c0",
    V.DEAD: "#c62828",
    V.SOFT_404: "#e65100",
    V.BLOCKED: "#6a1b9a",
    V.TIMEOUT: "#f9a825",
    V.UNREACHABLE: "#ad1457",
    V.INVALID: "#4e342e",
    V.PLACEHOLDER: "#ef6c00",
    V.SKIPPED: "#9e9e9e",
    V.ERROR: "#4e342e",
    UNCHECKED: "#9e9e9e",
}
# Worst first: what a claim shows when its sources disagree, and the verdict column's sort order.
SEVERITY = (
    V.DEAD,
    V.UNREACHABLE,
    V.SOFT_404,
    V.PLACEHOLDER,
    V.ERROR,
    V.INVALID,
    V.TIMEOUT,
    V.BLOCKED,
    V.REDIRECTED,
    UNCHECKED,
    V.SKIPPED,
    V.OK,
)
RANK = {v: n for n, v in enumerate(SEVERITY)}

_ICON_FOR = {
    V.INVALID: "verdict-error",
    V.SKIPPED: "verdict-unchecked",
    UNCHECKED: "verdict-unchecked",
}
# Action icons are drawn in this grey; on a dark palette it is swapped for a light one.
_INK, _DARK_INK = b"#5f6368", b"#c9ccd1"


def colour(verdict: str) -> QColor:
    return QColor(COLOURS.get(verdict, COLOURS[V.ERROR]))


def tint(verdict: str, alpha: int) -> QColor:
    c = colour(verdict)
    c.setAlpha(alpha)
    return c


class SvgIconEngine(QIconEngine):
    """Renders one SVG at whatever size and pixel ratio a view asks for, so icons stay sharp."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._data = data
        self._renderer = QSvgRenderer(QByteArray(data))

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        painter.save()
        if mode == QIcon.Mode.Disabled:
            painter.setOpacity(0.4)
        self._renderer.render(painter, QRectF(rect))
        painter.restore()

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        pm = QPixmap(size * scale)
        pm.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pm)
        self.paint(painter, QRect(QPoint(0, 0), pm.size()), mode, state)
        painter.end()
        pm.setDevicePixelRatio(scale)
        return pm

    def clone(self) -> QIconEngine:
        return SvgIconEngine(self._data)


def svg_bytes(name: str) -> bytes:
    """The bytes of resources/icons/<name>.svg, read through importlib.resources."""
    return resources.files("citecheck").joinpath(f"resources/icons/{name}.svg").read_bytes()


@cache
def _icon(name: str, dark: bool) -> QIcon:
    data = svg_bytes(name)
    if dark:
        data = data.replace(_INK, _DARK_INK)
    return QIcon(SvgIconEngine(data))


def icon(name: str) -> QIcon:
    return _icon(name, is_dark())


def verdict_icon(verdict: str) -> QIcon:
    return icon(_ICON_FOR.get(verdict, f"verdict-{verdict}"))


def is_dark() -> bool:
    app = QGuiApplication.instance()
    if app is None:
        return False
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def dark_palette() -> QPalette:
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#202124",
        QPalette.ColorRole.WindowText: "#e8eaed",
        QPalette.ColorRole.Base: "#17181a",
        QPalette.ColorRole.AlternateBase: "#26272b",
        QPalette.ColorRole.ToolTipBase: "#303134",
        QPalette.ColorRole.ToolTipText: "#e8eaed",
        QPalette.ColorRole.PlaceholderText: "#9aa0a6",
        QPalette.ColorRole.Text: "#e8eaed",
        QPalette.ColorRole.Button: "#2d2e31",
        QPalette.ColorRole.ButtonText: "#e8eaed",
        QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Light: "#3c4043",
        QPalette.ColorRole.Midlight: "#35363a",
        QPalette.ColorRole.Mid: "#2a2b2e",
        QPalette.ColorRole.Dark: "#111213",
        QPalette.ColorRole.Shadow: "#000000",
        QPalette.ColorRole.Highlight: "#3d6fb6",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#8ab4f8",
        QPalette.ColorRole.LinkVisited: "#c58af9",
    }
    for role, value in roles.items():
        p.setColor(role, QColor(value))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#80868b"))
    return p


def apply_scheme(app: QApplication, scheme: Qt.ColorScheme | None = None) -> bool:
    """Fusion with the system's light or dark scheme (or the one given); True when dark."""
    if scheme is None:
        scheme = app.styleHints().colorScheme()
    app.setStyle("Fusion")
    dark = scheme == Qt.ColorScheme.Dark
    app.setPalette(dark_palette() if dark else app.style().standardPalette())
    return dark


def follow_system(app: QApplication) -> None:
    """Re-apply the palette whenever the desktop switches between light and dark."""
    apply_scheme(app)
    app.styleHints().colorSchemeChanged.connect(lambda scheme: apply_scheme(app, scheme))
