"""Check settings: the dialog built from CHECK_OPTIONS, and where the chosen values are kept."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from citecheck.options import CHECK_OPTIONS, Option, format_duration

# Keys stay in memory for the session only (or come from CITECHECK_SPN_*): never on disk here.
_NOT_SAVED = {"secret"}


def defaults() -> dict[str, Any]:
    return {o.name: o.default for o in CHECK_OPTIONS}


def _written(option: Option, value: Any) -> str:
    if value is None:
        return ""
    if option.kind == "duration":
        return format_duration(value)
    if option.kind == "date":
        return value.isoformat()
    return str(value)


def load(path: Path) -> dict[str, Any]:
    """Saved values over the defaults; a damaged or outdated file falls back value by value."""
    values = defaults()
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return values
    for option in CHECK_OPTIONS:
        text = saved.get(option.name) if isinstance(saved, dict) else None
        if option.kind in _NOT_SAVED or not isinstance(text, str):
            continue
        try:
            values[option.name] = option.parse(text) if text else None
        except ValueError:
            pass
    return values


def save(path: Path, values: dict[str, Any]) -> None:
    data = {
        o.name: _written(o, values.get(o.name)) for o in CHECK_OPTIONS if o.kind not in _NOT_SAVED
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def check_settings(
    values: dict[str, Any], wayback: dict[str, Any] | None = None, **overrides: Any
) -> Any:
    """The core's CheckSettings for these values, as `citecheck check` would build them.

    `wayback` replaces fields of the WaybackOptions (another host serving the same APIs).
    """
    from citecheck.check import CheckSettings
    from citecheck.checking.engine import EngineOptions
    from citecheck.wayback import WaybackOptions

    engine = replace(
        EngineOptions(),
        concurrency=values["concurrency"],
        per_host=values["per_host"],
        min_gap=values["host_gap"],
        burst=values["host_burst"],
        timeout=values["timeout"],
    )
    if values.get("user_agent"):
        engine = replace(engine, user_agent=values["user_agent"])
    archive_options = replace(
        WaybackOptions(),
        access_key=values.get("spn_access_key"),
        secret_key=values.get("spn_secret_key"),
        **(wayback or {}),
    )
    max_age: timedelta = values["max_age"]
    as_of: date | None = values.get("as_of")
    settings = CheckSettings(
        engine=engine,
        wayback=archive_options,
        max_age=max_age,
        archive=values["archive"],
        as_of=as_of,
    )
    return replace(settings, **overrides)


class SettingsDialog(QDialog):
    """One field per entry of CHECK_OPTIONS, labelled and explained as the CLI's help does.

    Signals: none of its own; `accepted` after the values in `values()` were checked.
    """

    def __init__(self, values: dict[str, Any], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Check settings")
        self.setAccessibleName("Check settings")
        self._fields: dict[str, QWidget] = {}
        form = QFormLayout()
        for option in CHECK_OPTIONS:
            field = self._field(option, values.get(option.name))
            field.setToolTip(option.help)
            field.setAccessibleName(option.label)
            field.setAccessibleDescription(option.help)
            self._fields[option.name] = field
            form.addRow(option.label, field)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("Problem with the settings")
        self.problem.setStyleSheet("color: #c62828")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        restore = buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        restore.clicked.connect(lambda: self._set_all(defaults()))
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(self.problem)
        box.addWidget(buttons)

    def _field(self, option: Option, value: Any) -> QWidget:
        field: QWidget
        if option.kind == "int":
            field = QSpinBox()
            field.setRange(int(option.minimum or 0), int(option.maximum or 1_000_000))
        elif option.kind == "float":
            field = QDoubleSpinBox()
            field.setDecimals(1)
            field.setRange(option.minimum or 0.0, option.maximum or 1e6)
        elif option.kind == "choice":
            field = QComboBox()
            field.addItems(list(option.choices))
        else:
            field = QLineEdit()
            if option.kind == "secret":
                field.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
            if option.metavar:
                hint = {"DUR": "e.g. 12h or 1d", "DATE": "YYYY-MM-DD (empty: document date)"}
                field.setPlaceholderText(hint.get(option.metavar, ""))
        self._set(option, field, value)
        return field

    def _set(self, option: Option, field: QWidget, value: Any) -> None:
        if isinstance(field, QSpinBox | QDoubleSpinBox):
            field.setValue(value if value is not None else option.default)
        elif isinstance(field, QComboBox):
            field.setCurrentText(str(value or option.default))
        elif isinstance(field, QLineEdit):
            field.setText(_written(option, value))

    def _set_all(self, values: dict[str, Any]) -> None:
        for option in CHECK_OPTIONS:
            self._set(option, self._fields[option.name], values.get(option.name))

    def values(self) -> dict[str, Any]:
        """The values as typed, each read by its Option; ValueError in plain words otherwise."""
        out: dict[str, Any] = {}
        for option in CHECK_OPTIONS:
            field = self._fields[option.name]
            if isinstance(field, QSpinBox | QDoubleSpinBox):
                out[option.name] = field.value()
            elif isinstance(field, QComboBox):
                out[option.name] = field.currentText()
            elif isinstance(field, QLineEdit):
                text = field.text().strip()
                if not text:
                    out[option.name] = option.default if option.kind == "duration" else None
                    continue
                try:
                    out[option.name] = option.parse(text)
                except ValueError as e:
                    raise ValueError(
                        f"{option.label}: {str(e).replace(option.flag, 'this')}"
                    ) from e
        return out

    def accept(self) -> None:
        try:
            self.values()
        except ValueError as e:
            self.problem.setText(str(e))
            return
        super().accept()
