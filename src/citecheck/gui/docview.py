"""The document view: the source text with every link and claim lit in its verdict's colour."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QMouseEvent,
    QResizeEvent,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from citecheck.model import Claim, Document, Link

from . import appearance as look
from .session import Session

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_CRLF = re.compile("\r\n")
_NEWLINE = re.compile("\n")
_LOOK_BACK = 4000  # characters: the longest claim the scanner keeps is 1000
_CLAIM_COLOUR = {"unsourced": "#c62828", "placeholder": "#ef6c00", "sourced": "#2e7d32"}


class TextMap:
    """Maps Python string offsets to Qt text positions and back.

    Qt counts UTF-16 units (a character beyond U+FFFF takes two) and shows "\\r\\n" as one
    line break, so the two disagree whenever a document holds either.
    """

    def __init__(self, text: str) -> None:
        self.display = text.replace("\r\n", "\n")
        # (python offset, +1 past an astral character or -1 past a dropped "\r") in text order
        steps = sorted(
            [(m.start() + 1, 1) for m in _ASTRAL.finditer(text)]
            + [(m.start() + 1, -1) for m in _CRLF.finditer(text)]
        )
        points: list[tuple[int, int]] = []  # (python offset, total shift from there on)
        shift = 0
        for offset, step in steps:
            shift += step
            points.append((offset, shift))
        self._py = [p for p, _ in points]
        self._shift = [s for _, s in points]
        self._qt = [p + s for p, s in points]

    def to_qt(self, offset: int) -> int:
        k = bisect_right(self._py, offset) - 1
        return offset + (self._shift[k] if k >= 0 else 0)

    def to_py(self, position: int) -> int:
        k = bisect_right(self._qt, position) - 1
        return position - (self._shift[k] if k >= 0 else 0)


@dataclass(slots=True)
class _Span:
    start: int  # python offsets into the document text
    end: int
    id: str
    claim: bool


def claim_span(text: str, claim: Claim, line_starts: list[int]) -> tuple[int, int]:
    """Where a claim's sentence sits in the source: its whitespace was collapsed by the scanner."""
    if claim.line - 1 >= len(line_starts):
        return 0, 0
    start = line_starts[claim.line - 1] + claim.column - 1
    want = "".join(claim.text.split())
    i, matched = start, 0
    while i < len(text) and matched < len(want):
        if not text[i].isspace():
            if text[i] != want[matched]:
                break  # markup (links, emphasis) interrupts the sentence; stop at the last match
            matched += 1
        i += 1
    return start, max(i, start + 1)


class DocumentView(QPlainTextEdit):
    """Read-only source text; rows selected elsewhere scroll here, clicks here select rows.

    Signals:
        link_clicked(str): the id of the link under a click in the text.
        claim_clicked(str): the id of the claim under a click, when no link is there.
    """

    link_clicked = Signal(str)
    claim_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setAccessibleName("Document text")
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont)
        font.setPointSizeF(font.pointSizeF() * 1.05)
        self.setFont(font)
        self.document_path: str | None = None
        self._map = TextMap("")
        self._text = ""
        self._line_starts: list[int] = [0]
        self._links: list[_Span] = []
        self._claims: list[_Span] = []
        self._link_starts: list[int] = []
        self._claim_starts: list[int] = []
        self._session: Session | None = None
        self._current: _Span | None = None
        self._claim_items: dict[str, Claim] = {}
        self._formats: dict[str, QTextCharFormat] = {}
        # After a scroll settles, not inside it: asking for the layout mid-scroll moves it.
        self._later = QTimer(self, singleShot=True, interval=0)
        self._later.timeout.connect(self.refresh)
        self.verticalScrollBar().valueChanged.connect(self._later.start)

    def show_document(
        self, doc: Document | None, links: list[Link], claims: list[Claim], session: Session
    ) -> None:
        self._session = session
        self.document_path = doc.path if doc else None
        text = doc.text if doc else ""
        self._map = TextMap(text)
        self._text = text
        self.setPlainText(self._map.display)
        self._links = sorted(
            (_Span(k.offset, max(k.end, k.offset + 1), k.id, False) for k in links),
            key=lambda s: s.start,
        )
        self._link_starts = [s.start for s in self._links]
        self._formats.clear()  # the palette may have changed since
        self._current = None
        self.set_claims(claims)

    def set_claims(self, claims: list[Claim]) -> None:
        """Light these claims (found after the text was shown) without moving the view."""
        line_starts = [0] + [m.end() for m in _NEWLINE.finditer(self._text)]
        self._line_starts = line_starts
        # Where each sentence ends takes a walk over its text: done for those on screen or
        # under a click, not for ten thousand at once (end -1 until then).
        spans = (
            _Span(line_starts[c.line - 1] + c.column - 1, -1, c.id, True)
            if 0 < c.line <= len(line_starts)
            else _Span(0, 0, c.id, True)
            for c in claims
            if c.document == self.document_path
        )
        self._claims = sorted(spans, key=lambda s: s.start)
        self._claim_starts = [s.start for s in self._claims]
        self._claim_items = {c.id: c for c in claims}
        if self._current is not None and self._current.claim:
            self._current = next((s for s in self._claims if s.id == self._current.id), None)
        self.refresh()

    def restyle(self) -> None:
        """Forget formats made for the previous palette and colour the text again."""
        self._formats.clear()
        self.refresh()

    def refresh(self) -> None:
        """Recolour the highlights on screen from the session's current verdicts.

        Only spans in view get an ExtraSelection (scrolling asks again), so a document with
        ten thousand links costs no more to repaint than one with ten.
        """
        session = self._session
        if session is None:
            self.setExtraSelections([])
            return
        first, last = self._visible()
        selections = []
        for span in self._in_view(self._claims, self._claim_starts, first, last):
            claim = self._claim_items.get(span.id)
            if claim is not None:
                selections.append(self._selection(span, self._claim_format(claim.status)))
        for span in self._in_view(self._links, self._link_starts, first, last):
            link = session.links_by_id.get(span.id)
            if link is not None:
                selections.append(self._selection(span, self._link_format(session.verdict(link))))
        if self._current is not None:
            fmt = QTextCharFormat()
            fmt.setFontWeight(QFont.Weight.Bold)
            fmt.setBackground(look.tint("ok" if self._current.claim else "redirected", 90))
            selections.append(self._selection(self._current, fmt))
        self.setExtraSelections(selections)

    def _visible(self) -> tuple[int, int]:
        """The Python offsets of the first and last characters on screen."""
        top = self.firstVisibleBlock().position()
        bottom = self.cursorForPosition(self.viewport().rect().bottomRight()).block()
        return self._map.to_py(top), self._map.to_py(bottom.position() + bottom.length())

    def _in_view(self, spans: list[_Span], starts: list[int], first: int, last: int) -> list[_Span]:
        # A claim may begin a long paragraph above the screen; look back a page of text.
        i = bisect_right(starts, first - _LOOK_BACK)
        j = bisect_right(starts, last)
        return [s for s in spans[i:j] if self._end(s) >= first]

    def _end(self, span: _Span) -> int:
        if span.end < 0:
            claim = self._claim_items.get(span.id)
            span.end = (
                claim_span(self._text, claim, self._line_starts)[1]
                if claim is not None
                else span.start + 1
            )
        return span.end

    def _link_format(self, verdict: str) -> QTextCharFormat:
        fmt = self._formats.get(verdict)
        if fmt is None:
            fmt = QTextCharFormat()
            fmt.setBackground(look.tint(verdict, 70))
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setUnderlineColor(look.colour(verdict))
            self._formats[verdict] = fmt
        return fmt

    def _claim_format(self, status: str) -> QTextCharFormat:
        key = "claim:" + status
        fmt = self._formats.get(key)
        if fmt is None:
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
            fmt.setUnderlineColor(QColor(_CLAIM_COLOUR.get(status, "#9e9e9e")))
            self._formats[key] = fmt
        return fmt

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._later.start()

    def _selection(self, span: _Span, fmt: QTextCharFormat) -> QTextEdit.ExtraSelection:
        sel = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._map.to_qt(span.start))
        cursor.setPosition(self._map.to_qt(self._end(span)), QTextCursor.MoveMode.KeepAnchor)
        sel.cursor = cursor  # type: ignore[attr-defined]
        sel.format = fmt  # type: ignore[attr-defined]
        return sel

    def reveal(self, item_id: str) -> bool:
        """Scroll to a link or claim by id, mark it, and put the cursor on it."""
        span = next((s for s in self._links + self._claims if s.id == item_id), None)
        if span is None:
            return False
        self._current = span
        cursor = self.textCursor()
        cursor.setPosition(self._map.to_qt(span.start))
        self.setTextCursor(cursor)
        self.centerCursor()
        self.refresh()
        return True

    def span_at(self, offset: int) -> tuple[str, bool] | None:
        """The link (preferred) or claim covering a Python offset: (id, is_claim)."""
        for spans, starts in ((self._links, self._link_starts), (self._claims, self._claim_starts)):
            k = bisect_right(starts, offset) - 1
            # Claims can nest links; look back over a few earlier starts for a covering span.
            for j in range(k, max(k - 8, -1), -1):
                if spans[j].start <= offset < self._end(spans[j]):
                    return spans[j].id, spans[j].claim
        return None

    def offset_of_line(self, line: int) -> int:
        block = self.document().findBlockByNumber(max(line - 1, 0))
        return self._map.to_py(block.position())

    def first_visible_line(self) -> int:
        return self.firstVisibleBlock().blockNumber() + 1

    def cursor_line(self) -> int:
        return self.textCursor().blockNumber() + 1

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton or self.textCursor().hasSelection():
            return
        self.select_at(
            self._map.to_py(self.cursorForPosition(event.position().toPoint()).position())
        )

    def select_at(self, offset: int) -> None:
        hit = self.span_at(offset)
        if hit is None:
            return
        item_id, is_claim = hit
        (self.claim_clicked if is_claim else self.link_clicked).emit(item_id)
