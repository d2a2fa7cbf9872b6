"""Smoke test of packaging/: desktop entry, metainfo, icon and spec parse; the app runs."""

from __future__ import annotations

import ast
import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

from PySide6.QtGui import QImage

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
APP_ID = "io.github.citecheck.Citecheck"


def test_desktop_entry_has_the_keys_desktops_need() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(PACKAGING / f"{APP_ID}.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    for key in ("Type", "Name", "Exec", "Icon", "Categories", "Comment"):
        assert desktop.get(key), key
    assert desktop["Type"] == "Application"
    assert desktop["Exec"].split()[0] == "citecheck-gui"
    assert desktop["Icon"] == APP_ID
    assert desktop["Categories"].endswith(";")
    if shutil.which("desktop-file-validate"):
        subprocess.run(["desktop-file-validate", str(PACKAGING / f"{APP_ID}.desktop")], check=True)


def test_metainfo_is_well_formed_and_valid() -> None:
    path = PACKAGING / f"{APP_ID}.metainfo.xml"
    root = ET.parse(path).getroot()
    assert root.tag == "component" and root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.find("launchable").text == f"{APP_ID}.desktop"  # type: ignore[union-attr]
    assert root.findtext("metadata_license") and root.findtext("summary")
    if shutil.which("appstreamcli"):
        done = subprocess.run(
            ["appstreamcli", "validate", "--no-net", str(path)], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_icon_png_is_the_svg_rendered(tmp_path: Path) -> None:
    svg = PACKAGING / f"{APP_ID}.svg"
    assert svg.read_bytes() == (ROOT / "src/citecheck/resources/icons/citecheck.svg").read_bytes()
    ET.parse(svg)
    shipped = QImage(str(PACKAGING / f"{APP_ID}.png"))
    assert shipped.width() == shipped.height() == 256
    sys.path.insert(0, str(PACKAGING))
    try:
        import render_icon
    finally:
        sys.path.remove(str(PACKAGING))
    fresh = QImage(str(render_icon.render(256, tmp_path / "icon.png")))
    assert fresh == shipped, "run python packaging/render_icon.py after changing the SVG"


def test_pyinstaller_spec_parses() -> None:
    tree = ast.parse((PACKAGING / "citecheck.spec").read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    names = {c.func.id for c in calls if isinstance(c.func, ast.Name)}
    assert {"Analysis", "PYZ", "EXE", "COLLECT"} <= names  # COLLECT: a one-folder app
    assert (PACKAGING / "launch.py").is_file()


def test_app_starts_and_quits_offscreen(tmp_path: Path, draft: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    done = subprocess.run(
        [sys.executable, "-m", "citecheck.gui.app", "--quit-after", "1500", str(draft)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    # The untitled project of that session was kept, with the draft in it.
    assert list((tmp_path / "data" / "citecheck" / "projects").glob("Untitled *.citecheck"))
