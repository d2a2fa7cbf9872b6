"""The window's smaller parts: filter bar, document list, message bar and check progress."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QToolButton,
    QWidget,
)

from . import appearance as look
from .session import TOGGLE_LABELS, TOGGLES, Session

_Index = QModelIndex | QPersistentModelIndex
_TOGGLE_ICONS = {
    "dead": "verdict-dead",
    "placeholder": "verdict-placeholder",
    "soft-404": "verdict-soft-404",
    "blocked": "verdict-blocked",
    "not-archived": "archive",
    "ok": "verdict-ok",
    "unsourced": "claim-unsourced",
}


class FilterBar(QWidget):
    """Free text plus one toggle per kind of problem; no toggle on means everything shows.

    Signals:
        changed(str, list): the text and the toggles now on.
    """

    changed = Signal(str, list)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        box = QHBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        self.text = QLineEdit()
        self.text.setPlaceholderText("Filter by URL, link text, claim or document")
        self.text.setAccessibleName("Filter text")
        self.text.setClearButtonEnabled(True)
        self.text.textChanged.connect(self._emit)
        box.addWidget(self.text, 1)
        self.toggles: dict[str, QToolButton] = {}
        for key in TOGGLES:
            button = QToolButton()
            button.setText(TOGGLE_LABELS[key])
            look.set_icon(button, _TOGGLE_ICONS[key])
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setCheckable(True)
            button.setAccessibleName(f"Show {TOGGLE_LABELS[key].lower()}")
            button.toggled.connect(self._emit)
            self.toggles[key] = button
            box.addWidget(button)

    def on(self) -> list[str]:
        return [k for k, b in self.toggles.items() if b.isChecked()]

    def _emit(self, *_: Any) -> None:
        self.changed.emit(self.text.text(), self.on())


class DocumentList(QAbstractTableModel):
    """'All documents' and then each open document, with its counts."""

    HEADERS = ("Document", "Links", "Dead", "Placeholders", "Unsourced")
    KEYS = ("links", "dead", "placeholders", "unsourced")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = Session()
        self.paths: list[str | None] = [None]
        self._counts: list[dict[str, int]] = [self.session.counts(None)]

    def reset(self, session: Session) -> None:
        self.beginResetModel()
        self.session = session
        self.paths = [None] + [d.path for d in session.documents]
        counts = session.counts_by_document()
        self._counts = [counts[p] for p in self.paths]
        self.endResetModel()

    def recount(self) -> None:
        counts = self.session.counts_by_document()
        self._counts = [counts[p] for p in self.paths]
        if self.paths:
            self.dataChanged.emit(self.index(0, 1), self.index(len(self.paths) - 1, 4))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.paths)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        path, col = self.paths[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return PurePath(path).name if path else "All documents"
            return self._counts[index.row()][self.KEYS[col - 1]]
        if role == Qt.ItemDataRole.ToolTipRole and col == 0:
            doc = self.session.document(path)
            return f"{path}\n{doc.title or ''}" if doc else "Every open document"
        if role == Qt.ItemDataRole.ForegroundRole and col in (2, 3, 4):
            if self._counts[index.row()][self.KEYS[col - 1]]:
                return look.colour("dead" if col != 3 else "placeholder")
        if role == Qt.ItemDataRole.UserRole:
            return path
        return None


class MessageBar(QFrame):
    """A line at the top of the window saying what went wrong (or right) in plain words."""

    _STYLE = {"error": "#c62828", "warning": "#e65100", "info": "#1565c0"}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setAccessibleName("Message")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setAccessibleName("Dismiss message")
        close.clicked.connect(self.hide)
        box = QHBoxLayout(self)
        box.setContentsMargins(8, 4, 4, 4)
        box.addWidget(self.label, 1)
        box.addWidget(close)
        self.level = ""
        self.messages: list[tuple[str, str]] = []
        self.hide()

    def show_message(self, level: str, text: str) -> None:
        self.messages.append((level, text))
        self.level = level
        # Several errors at once (a batch of unreadable files) stay together.
        shown = [t for lv, t in self.messages[-4:] if lv == level] if self.isVisible() else [text]
        self.label.setText("\n".join(dict.fromkeys(shown)))
        colour = self._STYLE.get(level, "#1565c0")
        self.setStyleSheet(
            f"MessageBar {{ border: 1px solid {colour}; border-left: 4px solid {colour}; }}"
        )
        self.show()

    def hideEvent(self, event: Any) -> None:  # noqa: N802
        self.messages.clear()
        super().hideEvent(event)


class CheckProgress(QWidget):
    """The progress bar, live counts by verdict and Cancel, shown in the status bar during a check.

    Signals:
        cancel(): the user asked to stop the check.
    """

    cancel = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Check progress")
        self.bar.setMaximumWidth(220)
        self.counts = QLabel()
        self.counts.setAccessibleName("Counts by verdict")
        self.button = QPushButton("Cancel")
        look.set_icon(self.button, "process-stop")
        self.button.setAccessibleName("Cancel the check")
        self.button.clicked.connect(self.cancel)
        box = QHBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.counts)
        box.addWidget(self.bar)
        box.addWidget(self.button)
        self.hide()

    def start(self) -> None:
        self.bar.setRange(0, 0)
        self.counts.setText("Starting…")
        self.button.setEnabled(True)
        self.show()

    def update_progress(self, progress: Any) -> None:
        self.bar.setRange(0, max(progress.total, 1))
        self.bar.setValue(progress.done)
        phase = {"checking": "Checking", "archive": "Looking up archives", "saving": "Saving"}
        counts = ", ".join(
            f"{n} {look.SHORT.get(v, v)}"
            for v, n in sorted(progress.verdicts.items(), key=lambda r: look.RANK.get(r[0], 0))
            if n
        )
        self.counts.setText(
            f"{phase.get(progress.phase, progress.phase)} {progress.done}/{progress.total}"
            + (f" · {counts}" if counts else "")
        )
