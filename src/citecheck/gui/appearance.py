"""How the window looks: verdict colours and words, light/dark palettes, and the SVG icons."""

from __future__ import annotations

from functools import cache
from importlib import resources

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAction,
    QColor,
    QGuiApplication,
    QIcon,
    QIconEngine,
    QPainter,
    QPalette,
    QPixmap,
)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

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
    """Renders one SVG at whatever size and pixel ratio a view asks for, so icons stay sharp.

    Each size is rendered once and kept: a table paints the same dozen icons hundreds of
    times, and rendering SVG for each cell made every repaint during a check slow.
    """

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._data = data
        self._renderer = QSvgRenderer(QByteArray(data))
        self._rendered: dict[tuple[int, int, bool], QPixmap] = {}

    def _render(self, width: int, height: int, disabled: bool) -> QPixmap:
        key = (width, height, disabled)
        pm = self._rendered.get(key)
        if pm is None:
            pm = QPixmap(max(width, 1), max(height, 1))
            pm.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pm)
            if disabled:
                painter.setOpacity(0.4)
            self._renderer.render(painter, QRectF(pm.rect()))
            painter.end()
            if len(self._rendered) > 64:  # sizes seen by a window are few; stay bounded
                self._rendered.clear()
            self._rendered[key] = pm
        return pm

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        ratio = painter.device().devicePixelRatioF() if painter.device() else 1.0
        pm = self._render(
            round(rect.width() * ratio), round(rect.height() * ratio), mode == QIcon.Mode.Disabled
        )
        painter.drawPixmap(rect, pm)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        pm = QPixmap(
            self._render(
                round(size.width() * scale),
                round(size.height() * scale),
                mode == QIcon.Mode.Disabled,
            )
        )
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


_ICON_PROPERTY = "citecheck-icon"


def set_icon(target: QAction | QAbstractButton, name: str) -> None:
    """Give a button or action one of our icons, tinted for the palette now and after changes."""
    target.setProperty(_ICON_PROPERTY, name)
    target.setIcon(icon(name))


def retint(root: QWidget) -> None:
    """Draw the icons given with `set_icon` again for the current palette (light or dark)."""
    for target in (*root.findChildren(QAction), *root.findChildren(QAbstractButton)):
        name = target.property(_ICON_PROPERTY)
        if isinstance(name, str) and name:
            target.setIcon(icon(name))


def verdict_icon(verdict: str) -> QIcon:
    return icon(_ICON_FOR.get(verdict, f"verdict-{verdict}"))


ROW_ICON = 16  # logical pixels: the small icon size of item views


def row_pixmap(name: str) -> QPixmap:
    """An icon drawn once for table rows at the screens' pixel ratio.

    Views paint a pixmap without calling back into Python, where an icon engine written
    in Python costs one call per cell per repaint.
    """
    app = QGuiApplication.instance()
    ratio = app.devicePixelRatio() if isinstance(app, QGuiApplication) else 1.0
    return _row_pixmap(name, is_dark(), ratio)


@cache
def _row_pixmap(name: str, dark: bool, ratio: float) -> QPixmap:
    return _icon(name, dark).pixmap(QSize(ROW_ICON, ROW_ICON), ratio)


def verdict_pixmap(verdict: str) -> QPixmap:
    return row_pixmap(_ICON_FOR.get(verdict, f"verdict-{verdict}"))


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
