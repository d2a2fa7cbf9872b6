"""Render the app icon's SVG to the PNG that desktops and the PyInstaller spec use."""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PNG = HERE / "io.github.citecheck.Citecheck.png"
SVG = HERE / "io.github.citecheck.Citecheck.svg"


def render(size: int = 256, target: Path = PNG) -> Path:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(SVG)).render(painter)
    painter.end()
    if not image.save(str(target)):
        raise OSError(f"could not write {target}")
    return target


if __name__ == "__main__":
    print(render())
