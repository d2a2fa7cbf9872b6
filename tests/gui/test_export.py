"""Export from the File menu, and the settings dialog built from CHECK_OPTIONS."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from PySide6.QtWidgets import QComboBox, QFileDialog, QLineEdit, QSpinBox

from citecheck.gui import settings as prefs
from citecheck.gui.settings import SettingsDialog
from citecheck.options import CHECK_OPTIONS


def test_export_every_report_format(window, draft: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window.open_paths([str(draft)])
    out = tmp_path / "out"
    out.mkdir()
    assert window.controller.export(out / "r.json", "JSON")
    data = json.loads((out / "r.json").read_text())
    assert data["summary"]["placeholders"] == 6 and len(data["links"]) == 9
    assert window.controller.export(out / "r.csv", "CSV")
    assert (out / "r.csv").read_text().count("fragment-only") == 6
    assert window.controller.export(out / "r.md", "Markdown")
    assert (out / "r.md").read_text().startswith("# citecheck")
    pytest.importorskip("citecheck.check")
    assert window.controller.export(out / "r.xml", "JUnit")
    root = ET.parse(out / "r.xml").getroot()
    assert sum(int(s.get("failures", 0)) for s in root) == 6
    assert "Exported the JUnit report" in window.message.label.text()


def test_export_menu_asks_for_a_file(window, draft: Path, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window.open_paths([str(draft)])
    target = tmp_path / "report"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "CSV spreadsheet (*.csv)")
    )
    assert window.act_export.shortcut().toString() == "Ctrl+E"
    window.act_export.trigger()
    assert (tmp_path / "report.csv").read_text().startswith("type,id,document")


def test_export_to_an_unwritable_place_says_so(window, draft: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window.open_paths([str(draft)])
    assert not window.controller.export(tmp_path / "no" / "such" / "r.json", "JSON")
    assert window.message.isVisible() and "could not be written" in window.message.label.text()


def test_settings_dialog_has_a_field_per_option(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = SettingsDialog(prefs.defaults())
    qtbot.addWidget(dialog)
    assert set(dialog._fields) == {o.name for o in CHECK_OPTIONS}
    for option in CHECK_OPTIONS:
        field = dialog._fields[option.name]
        assert field.accessibleName() == option.label and field.toolTip() == option.help
    concurrency = dialog._fields["concurrency"]
    assert isinstance(concurrency, QSpinBox) and concurrency.value() == 256
    assert isinstance(dialog._fields["archive"], QComboBox)
    secret = dialog._fields["spn_secret_key"]
    assert isinstance(secret, QLineEdit) and secret.echoMode() != QLineEdit.EchoMode.Normal
    dialog._fields["max_age"].setText("soon")
    dialog.accept()
    assert dialog.isVisible() is False and "not a duration" in dialog.problem.text()
    dialog._fields["max_age"].setText("12h")
    dialog._fields["spn_secret_key"].setText("s3cret")
    values = dialog.values()
    assert values["max_age"] == timedelta(hours=12)
    # Saved values come back; secrets never reach the file.
    path = tmp_path / "settings.json"
    prefs.save(path, values)
    assert "s3cret" not in path.read_text()
    again = prefs.load(path)
    assert again["max_age"] == timedelta(hours=12) and again["spn_secret_key"] is None
    pytest.importorskip("citecheck.check")
    settings = prefs.check_settings(again, refresh=True)
    assert settings.max_age == timedelta(hours=12) and settings.engine.concurrency == 256
    assert settings.refresh is True
