"""The detail pane: one link's verdict, evidence and Wayback captures, or one claim's sources."""

from __future__ import annotations

import html
from datetime import date, datetime

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from citecheck.model import Claim, Link
from citecheck.urls import REASONS
from citecheck.verdict import Archive

from . import appearance as look
from .session import Session
from .tables import CLAIM_WORDS, where


def _moment(stamp: str | None) -> datetime | None:
    try:
        return datetime.strptime(stamp or "", "%Y%m%d%H%M%S")
    except ValueError:
        return None


class Timeline(QWidget):
    """A line from the first to the last Wayback capture, marking the closest and the cited date."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Wayback captures timeline")
        self.setMinimumHeight(44)
        self._archive: Archive | None = None
        self._cited: date | None = None

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(240, 48)

    def set_archive(self, archive: Archive | None, cited: date | None) -> None:
        self._archive, self._cited = archive, cited
        self.setVisible(archive is not None and archive.error is None)
        first = _moment(archive.first.timestamp) if archive and archive.first else None
        self.setToolTip("" if first is None else "first, closest and last captures")
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_colour = self.palette().windowText().color()
        a = self._archive
        first = _moment(a.first.timestamp) if a and a.first else None
        last = _moment(a.last.timestamp) if a and a.last else None
        if first is None or last is None:
            painter.setPen(text_colour)
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "no captures")
            return
        left, right, y = 8.0, self.width() - 8.0, 16.0
        span = max((last - first).total_seconds(), 1.0)

        def x_of(moment: datetime) -> float:
            return left + (right - left) * min(max((moment - first).total_seconds() / span, 0), 1)

        painter.setPen(QPen(text_colour, 2))
        painter.drawLine(QPointF(left, y), QPointF(right, y))
        for moment in (first, last):
            painter.drawLine(QPointF(x_of(moment), y - 5), QPointF(x_of(moment), y + 5))
        if self._cited is not None:
            cited = datetime.combine(self._cited, datetime.min.time())
            painter.setPen(QPen(look.colour("redirected"), 2, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(x_of(cited), y - 9), QPointF(x_of(cited), y + 9))
        closest = _moment(a.closest.timestamp) if a and a.closest else None
        if closest is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(look.colour("ok"))
            painter.drawEllipse(QPointF(x_of(closest), y), 5, 5)
        painter.setPen(text_colour)
        box = QRectF(0, y + 10, self.width(), 16)
        painter.drawText(box, Qt.AlignmentFlag.AlignLeft, f"{first:%Y-%m-%d}")
        painter.drawText(box, Qt.AlignmentFlag.AlignRight, f"{last:%Y-%m-%d}")


class DetailPane(QStackedWidget):
    """Shows the selected link or claim and offers what an editor does next.

    Signals:
        open_live(str): open the URL in the browser.
        open_archived(str): open the closest archived copy (its web.archive.org URL).
        copy_archive(str): put the archived copy's URL on the clipboard.
        recheck(str): check this URL again now.
        save_to_wayback(str): ask Save Page Now to capture the URL.
        mark_reviewed(str): keep in the project that an editor has looked at this URL.
        source_chosen(str): the id of a claim's source link the user picked.
    """

    open_live = Signal(str)
    open_archived = Signal(str)
    copy_archive = Signal(str)
    recheck = Signal(str)
    save_to_wayback = Signal(str)
    mark_reviewed = Signal(str)
    source_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Details")
        self.setMinimumWidth(260)
        self._url = ""
        self._archived = ""
        empty = QLabel("Select a link or a claim to see what is known about it.")
        empty.setWordWrap(True)
        empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.addWidget(empty)
        self.addWidget(self._link_page())
        self.addWidget(self._claim_page())

    def _label(self, name: str, rich: bool = False) -> QLabel:
        label = QLabel()
        label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setAccessibleName(name)
        return label

    def _link_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        self.verdict = self._label("Verdict", rich=True)
        self.url = self._label("URL")
        form = QFormLayout()
        self.where = self._label("Where")
        self.status = self._label("HTTP status")
        self.title = self._label("Page title")
        self.redirects = self._label("Redirect chain", rich=True)
        self.error = self._label("Error")
        self.checked = self._label("Last checked")
        self.captures = self._label("Wayback captures")
        for name, widget in (
            ("Where", self.where),
            ("HTTP", self.status),
            ("Title", self.title),
            ("Redirects", self.redirects),
            ("Problem", self.error),
            ("Checked", self.checked),
            ("Archived", self.captures),
        ):
            form.addRow(name, widget)
        self.timeline = Timeline()
        grid = QGridLayout()
        self.buttons: dict[str, QPushButton] = {}
        for n, (key, text, signal) in enumerate(
            (
                ("live", "Open live", self.open_live),
                ("archived", "Open archived copy", self.open_archived),
                ("copy", "Copy archive URL", self.copy_archive),
                ("recheck", "Re-check", self.recheck),
                ("save", "Save to Wayback", self.save_to_wayback),
                ("reviewed", "Mark reviewed", self.mark_reviewed),
            )
        ):
            button = QPushButton(text)
            button.setAccessibleName(text)
            archived = key in ("archived", "copy")
            button.clicked.connect(
                lambda _=False, s=signal, a=archived: s.emit(self._archived if a else self._url)
            )
            self.buttons[key] = button
            grid.addWidget(button, n // 2, n % 2)
        look.set_icon(self.buttons["recheck"], "view-refresh")
        look.set_icon(self.buttons["save"], "archive")
        look.set_icon(self.buttons["reviewed"], "reviewed")
        box.addWidget(self.verdict)
        box.addWidget(self.url)
        box.addLayout(form)
        box.addWidget(self.timeline)
        box.addLayout(grid)
        box.addStretch(1)
        return page

    def _claim_page(self) -> QWidget:
        page = QWidget()
        box = QVBoxLayout(page)
        self.claim_status = self._label("Claim status", rich=True)
        self.claim_text = self._label("Claim")
        self.sources = QListWidget()
        self.sources.setAccessibleName("Sources of the claim")
        self.sources.itemActivated.connect(lambda item: self.source_chosen.emit(item.data(256)))
        self.sources.itemClicked.connect(lambda item: self.source_chosen.emit(item.data(256)))
        box.addWidget(self.claim_status)
        box.addWidget(self.claim_text)
        box.addWidget(QLabel("Sources"))
        box.addWidget(self.sources, 1)
        return page

    def clear(self) -> None:
        self.setCurrentIndex(0)

    def show_link(self, link: Link, session: Session, cited: date | None = None) -> None:
        verdict = session.verdict(link)
        check, archive = session.check(link), session.archive(link)
        self._url = link.url or ""
        capture = (archive.closest or archive.saved) if archive else None
        self._archived = capture.url if capture else ""
        reviewed = " — reviewed" if link.url in session.reviewed else ""
        self.verdict.setText(
            f"<b style='color:{look.COLOURS.get(verdict)}'>{html.escape(look.SHORT[verdict])}</b>"
            f"{reviewed}<br>{html.escape(look.WORDS.get(verdict, verdict))}"
        )
        self.url.setText(link.url or link.raw or "(empty target)")
        self.where.setText(f"{where(link.document, link.line)}, “{link.text}”")
        self.status.setText(str(check.http_status) if check and check.http_status else "—")
        self.title.setText(check.title if check and check.title else "—")
        chain = [f"{r.status} → {html.escape(r.url)}" for r in check.redirects] if check else []
        self.redirects.setText("<br>".join(chain) or "—")
        problem = REASONS.get(link.placeholder or "", "") or (check.error if check else "")
        self.error.setText(problem or "—")
        when = check.checked_at[:19].replace("T", " ") if check and check.checked_at else ""
        if check and check.from_cache:
            when += " (reused)"
        self.checked.setText(when or "not yet")
        self.captures.setText(self._capture_words(archive))
        self.timeline.set_archive(archive, cited)
        fetchable = self._url.startswith(("http://", "https://"))
        for key in ("live", "recheck", "save", "reviewed"):
            self.buttons[key].setEnabled(fetchable)
        for key in ("archived", "copy"):
            self.buttons[key].setEnabled(bool(self._archived))
        self.setCurrentIndex(1)

    @staticmethod
    def _capture_words(archive: Archive | None) -> str:
        if archive is None:
            return "not looked up"

        def day(s: object) -> str:
            stamp = getattr(s, "timestamp", "")
            return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}" if stamp else "—"

        saved = f"; saved now ({day(archive.saved)})" if archive.saved else ""
        if archive.save_error:
            saved = f"; not saved: {archive.save_error}"
        if archive.error:
            return f"lookup failed: {archive.error}{saved}"
        if archive.snapshot_count == 0:
            return "no captures" + saved
        more = "+" if archive.count_capped else ""
        return (
            f"{archive.snapshot_count}{more} captures; first {day(archive.first)}, "
            f"last {day(archive.last)}, closest {day(archive.closest)}{saved}"
        )

    def show_claim(self, claim: Claim, session: Session) -> None:
        self.claim_status.setText(
            f"<b>{html.escape(CLAIM_WORDS.get(claim.status, claim.status))}</b> · "
            f"{html.escape(where(claim.document, claim.line))} · {', '.join(claim.kinds)}"
        )
        self.claim_text.setText(claim.text)
        self.sources.clear()
        for link in session.sources(claim):
            verdict = session.verdict(link)
            item = QListWidgetItem(
                look.verdict_icon(verdict),
                f"{look.SHORT[verdict]} — {link.url or link.raw or '(empty)'} “{link.text}”",
            )
            item.setData(256, link.id)
            item.setToolTip(look.WORDS.get(verdict, verdict))
            item.setForeground(
                QColor(look.COLOURS[verdict]) if verdict != "ok" else item.foreground()
            )
            self.sources.addItem(item)
        if not claim.citations:
            self.sources.addItem("No source: this claim needs a citation.")
        self.setCurrentIndex(2)
