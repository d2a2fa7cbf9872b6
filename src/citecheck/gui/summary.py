"""The summary tab: a bar chart of verdicts and the domains with the most dead or blocked links."""

from __future__ import annotations

from collections import Counter
from pathlib import PurePath

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QHeaderView, QLabel, QTreeView, QVBoxLayout, QWidget

from . import appearance as look
from .session import Session


class VerdictChart(QWidget):
    """Horizontal bars, one per verdict present, worst first, drawn with QPainter."""

    ROW = 22

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Chart of verdicts")
        self.counts: Counter[str] = Counter()

    def set_counts(self, counts: Counter[str]) -> None:
        self.counts = counts
        words = ", ".join(f"{n} {look.SHORT.get(v, v)}" for v, n in self._rows())
        self.setAccessibleDescription(words or "no links")
        self.setToolTip(words)
        self.updateGeometry()
        self.update()

    def _rows(self) -> list[tuple[str, int]]:
        return sorted(
            ((v, n) for v, n in self.counts.items() if n), key=lambda r: look.RANK.get(r[0], 0)
        )

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(360, max(1, len(self._rows())) * self.ROW + 8)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(200, self.sizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().windowText().color()
        rows = self._rows()
        if not rows:
            painter.setPen(text)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No links yet")
            return
        metrics = painter.fontMetrics()
        label_w = max(metrics.horizontalAdvance(look.SHORT.get(v, v)) for v, _ in rows) + 28
        count_w = metrics.horizontalAdvance(str(max(n for _, n in rows))) + 10
        bar_w = max(self.width() - label_w - count_w - 8, 10)
        top = max(n for _, n in rows)
        for i, (verdict, n) in enumerate(rows):
            y = 4 + i * self.ROW
            look.verdict_icon(verdict).paint(painter, 0, y + 3, 16, 16)
            painter.setPen(text)
            painter.drawText(
                QRectF(20, y, label_w - 24, self.ROW),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                look.SHORT.get(verdict, verdict),
            )
            width = max(bar_w * n / top, 2)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(look.colour(verdict))
            painter.drawRoundedRect(QRectF(label_w, y + 4, width, self.ROW - 8), 3, 3)
            painter.setPen(text)
            painter.drawText(
                QRectF(label_w + width + 6, y, count_w, self.ROW),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                str(n),
            )


class SummaryView(QWidget):
    """The verdict chart and the worst domains, for one document or for all of them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel()
        self.heading.setAccessibleName("Summary heading")
        self.chart = VerdictChart()
        self.domains = QStandardItemModel(0, 3, self)
        self.domains.setHorizontalHeaderLabels(["Domain", "Dead", "Blocked"])
        view = QTreeView()
        view.setAccessibleName("Domains with the most dead or blocked links")
        view.setRootIsDecorated(False)
        view.setModel(self.domains)
        view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        view.header().setStretchLastSection(False)
        box = QVBoxLayout(self)
        box.addWidget(self.heading)
        box.addWidget(self.chart)
        box.addWidget(QLabel("Domains with the most dead or blocked links"))
        box.addWidget(view, 1)

    def show_session(self, session: Session, document: str | None) -> None:
        counts = session.counts(document)
        name = PurePath(document).name if document else "All documents"
        self.heading.setText(
            f"<b>{name}</b>: {counts['links']} links, {counts['dead']} dead, "
            f"{counts['placeholders']} placeholders, {counts['unsourced']} unsourced claims"
        )
        self.chart.set_counts(session.verdict_counts(document))
        self.domains.removeRows(0, self.domains.rowCount())
        for host, dead, blocked in session.worst_domains(document):
            row = [QStandardItem(host), QStandardItem(str(dead)), QStandardItem(str(blocked))]
            for item in row:
                item.setEditable(False)
            self.domains.appendRow(row)
