"""File → Rescue Dead Links: the changes as a unified diff, then a copy saved where asked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

MODES = {"Add the archive link": "add", "Replace the link": "replace"}


def rescued_name(path: str) -> str:
    """draft.md → draft.rescued.md, beside the document."""
    p = Path(path)
    return str(p.with_name(f"{p.stem}.rescued{p.suffix}"))


class RescueDialog(QDialog):
    """Shows what rescuing an open document changes; Save Copy… writes it elsewhere."""

    def __init__(self, controller: Any, path: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.path = path
        self.rescued: Any = None
        self.setWindowTitle(f"Rescue dead links — {Path(path).name}")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.mode = QComboBox()
        self.mode.addItems(list(MODES))
        self.mode.setAccessibleName("How to rescue Markdown links")
        self.mode.currentIndexChanged.connect(self.refresh)
        self.diff_view = QPlainTextEdit()
        self.diff_view.setReadOnly(True)
        self.diff_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.diff_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.diff_view.setAccessibleName("Changes as a unified diff")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton("&Save Copy…", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.clicked.connect(self.ask_save)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.mode)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.diff_view, 1)
        box.addWidget(buttons)
        self.resize(900, 560)
        self.refresh()

    def refresh(self) -> None:
        from citecheck.rescue import unified_diff

        doc = self.controller.session.document(self.path)
        self.rescued = self.controller.rescue(self.path, MODES[self.mode.currentText()])
        if self.rescued is None or doc is None:
            self.summary.setText("This document cannot be rescued.")
            self.diff_view.setPlainText("")
            self.save_button.setEnabled(False)
            return
        n, left = len(self.rescued.edits), len(self.rescued.unrescued)
        words = f"{n} dead link{'s' if n != 1 else ''} pointed at an archived copy"
        if left:
            words += f"; {left} without an archived copy left as they are"
        if not n and not left:
            words = "No dead link to rescue (check the links first to find them)."
        self.summary.setText(words)
        self.diff_view.setPlainText(
            unified_diff(doc.text, self.rescued.text, self.path, rescued_name(self.path))
        )
        self.save_button.setEnabled(n > 0)

    def ask_save(self) -> None:
        doc = self.controller.session.document(self.path)
        if self.rescued is None or doc is None:
            return
        target, _ = QFileDialog.getSaveFileName(
            self, "Save the rescued copy", rescued_name(self.path)
        )
        if not target:
            return
        if self.controller.save_rescued(self.path, target, self.rescued.text, doc.encoding):
            self.accept()
