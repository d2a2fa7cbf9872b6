"""The Links and Claims tables: models fed in batches, and a proxy that filters and sorts them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import PurePath
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QModelRoleDataSpan,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)

from citecheck.model import Claim, Link

from . import appearance as look
from .session import Session

BATCH_MS = 120  # how often queued rows and changed verdicts reach the view
BATCH_ROWS = 2500  # rows inserted per tick at most, so one tick never stalls the window
RUN_GAP = 32  # changed rows closer than this share one dataChanged range

SORT_ROLE = Qt.ItemDataRole.UserRole
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1  # the Link or Claim behind a row

COL_VERDICT, COL_URL, COL_TEXT, COL_WHERE, COL_STATUS, COL_ARCHIVED, COL_CHECKED = range(7)
LINK_HEADERS = ("Verdict", "URL", "Link text", "Document:line", "HTTP", "Archived", "Last checked")
COL_C_STATUS, COL_C_TEXT, COL_C_KINDS, COL_C_WHERE, COL_C_SOURCES = range(5)
CLAIM_HEADERS = ("Sources", "Claim", "Kinds", "Document:line", "Source links")
CLAIM_WORDS = {"unsourced": "unsourced", "placeholder": "placeholder only", "sourced": "sourced"}

_Index = QModelIndex | QPersistentModelIndex


def where(document: str, line: int) -> str:
    return f"{PurePath(document).name}:{line}"


def _where_key(document: str, line: int, column: int) -> str:
    return f"{document}\0{line:09d}:{column:07d}"


def runs(rows: Iterable[int], gap: int = RUN_GAP) -> list[tuple[int, int]]:
    """Sorted rows as (first, last) ranges, joining rows fewer than `gap` apart."""
    out: list[tuple[int, int]] = []
    for row in sorted(rows):
        if out and row - out[-1][1] < gap:
            out[-1] = (out[-1][0], row)
        else:
            out.append((row, row))
    return out


def _day(stamp: str | None) -> str:
    """'20200102030405' or an ISO time as 2020-01-02."""
    if not stamp:
        return ""
    if stamp[:8].isdigit() and len(stamp) >= 8:
        return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}"
    return stamp[:10]


class _BatchedModel(QAbstractTableModel):
    """Rows queued with `queue()` and items marked with `touch()` reach the view on a timer.

    Every call from Qt into Python waits for the interpreter lock, which a running check
    holds most of the time; so the models answer a cell's roles in one `multiData()` call
    and make their own indexes, rather than one `data()` call per role and two size checks
    per index.
    """

    headers: tuple[str, ...] = ()

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.items: list[Any] = []
        self._pending: list[Any] = []
        self._touched: set[int] = set()
        self._timer = QTimer(self)
        self._timer.setInterval(BATCH_MS)
        self._timer.timeout.connect(self.flush)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if parent.isValid() or not (0 <= row < len(self.items)):
            return QModelIndex()
        if not 0 <= column < len(self.headers):
            return QModelIndex()
        return self.createIndex(row, column)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        return self.values(index.row(), index.column(), (role,))[0]

    def multiData(self, index: _Index, roles: QModelRoleDataSpan) -> None:  # noqa: N802
        if not index.isValid():
            return
        slots = list(roles)  # type: ignore[call-overload]
        found = self.values(index.row(), index.column(), [s.role() for s in slots])
        for slot, value in zip(slots, found, strict=True):
            if value is not None:
                slot.setData(value)

    def values(self, row: int, col: int, roles: Iterable[int]) -> list[Any]:
        """What a cell holds for each of `roles` (None where it has nothing to say)."""
        raise NotImplementedError

    def reset(self, session: Session, items: Iterable[Any] = ()) -> None:
        """Show `items` at once: a reset costs the view one layout whatever the row count.

        Batches are for rows that trickle in while the view is live; ten thousand rows queued
        here took four timer ticks (half a second) to appear.
        """
        self.beginResetModel()
        self.session = session
        self.items, self._pending, self._touched = list(items), [], set()
        self._indexed()
        self.endResetModel()
        self._timer.stop()

    def queue(self, items: Iterable[Any]) -> None:
        self._pending.extend(items)
        self._timer.start()

    def pending(self) -> int:
        return len(self._pending)

    def touch(self, rows: Iterable[int]) -> None:
        self._touched.update(rows)
        self._timer.start()

    def flush(self) -> None:
        """Insert the next batch of queued rows and repaint the rows whose data changed."""
        if self._pending:
            batch, self._pending = self._pending[:BATCH_ROWS], self._pending[BATCH_ROWS:]
            first = len(self.items)
            self.beginInsertRows(QModelIndex(), first, first + len(batch) - 1)
            self.items.extend(batch)
            self._indexed(first)
            self.endInsertRows()
        if self._touched:
            # One range per run of nearby rows, not one from the first to the last: a sorted
            # or filtered proxy looks again at every row of a range it is told about.
            count, last = len(self.items), len(self.headers) - 1
            touched, self._touched = self._touched, set()
            for first, end in runs(r for r in touched if r < count):
                self.dataChanged.emit(self.createIndex(first, 0), self.createIndex(end, last))
        if not self._pending and not self._touched:
            self._timer.stop()

    def flush_all(self) -> None:
        while self._pending or self._touched:
            self.flush()

    def _indexed(self, first: int = 0) -> None:
        """Called after rows from `first` on were added (0: after a reset)."""

    def item(self, row: int) -> Any:
        return self.items[row]


class LinkTableModel(_BatchedModel):
    """Every link of the open documents, one row each, with its latest check and archive."""

    headers = LINK_HEADERS

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        self._rows_by_url: dict[str, list[int]] = defaultdict(list)
        self.row_of_id: dict[str, int] = {}
        super().__init__(session, parent)

    def _indexed(self, first: int = 0) -> None:
        if first == 0:
            self._rows_by_url.clear()
            self.row_of_id.clear()
        for row in range(first, len(self.items)):
            link = self.items[row]
            self.row_of_id[link.id] = row
            if link.url:
                self._rows_by_url[link.url].append(row)

    def touch_urls(self, urls: Iterable[str]) -> None:
        self.touch(row for url in urls for row in self._rows_by_url.get(url, ()))

    def haystack(self, row: int) -> str:
        link: Link = self.items[row]
        return f"{link.url or link.raw}\n{link.text}".lower()

    def values(self, row: int, col: int, roles: Iterable[int]) -> list[Any]:
        link: Link = self.items[row]
        check, verdict = self.session.check(link), self.session.verdict(link)
        return [self._value(link, col, role, verdict, check) for role in roles]

    def _value(self, link: Link, col: int, role: int, verdict: str, check: Any) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(link, col, verdict, check)
        if role == ITEM_ROLE:
            return link
        if role == SORT_ROLE:
            return self._sort_key(link, col, verdict, check)
        if role == Qt.ItemDataRole.DecorationRole and col == COL_VERDICT:
            return look.verdict_pixmap(verdict)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_VERDICT:
                return look.WORDS.get(verdict, verdict)
            if col in (COL_URL, COL_TEXT):
                return self._display(link, col, verdict, check)
        if role == Qt.ItemDataRole.AccessibleTextRole and col == COL_VERDICT:
            return look.WORDS.get(verdict, verdict)
        return None

    def _display(self, link: Link, col: int, verdict: str, check: Any) -> Any:
        if col == COL_VERDICT:
            word = look.SHORT.get(verdict, verdict)
            return f"{word} ✓" if link.url in self.session.reviewed else word
        if col == COL_URL:
            return link.url or link.raw or "(empty)"
        if col == COL_TEXT:
            return link.text
        if col == COL_WHERE:
            return where(link.document, link.line)
        if col == COL_STATUS:
            return str(check.http_status) if check and check.http_status else ""
        if col == COL_ARCHIVED:
            archive = self.session.archive(link)
            if archive is None:
                return ""
            if archive.closest is not None:
                return _day(archive.closest.timestamp)
            if archive.saved is not None:
                return f"saved {_day(archive.saved.timestamp)}"
            return "never" if archive.error is None else "lookup failed"
        if col == COL_CHECKED:
            return _day(check.checked_at) if check else ""
        return None

    def _sort_key(self, link: Link, col: int, verdict: str, check: Any) -> Any:
        if col == COL_VERDICT:
            return look.RANK.get(verdict, 0)
        if col == COL_WHERE:
            return _where_key(link.document, link.line, link.column)
        if col == COL_STATUS:
            return check.http_status if check and check.http_status else 0
        if col == COL_ARCHIVED:
            archive = self.session.archive(link)
            capture = (archive.closest or archive.saved) if archive else None
            return capture.timestamp if capture else ""
        if col == COL_CHECKED:
            return check.checked_at if check else ""
        return str(self._display(link, col, verdict, check)).lower()


class ClaimTableModel(_BatchedModel):
    """Every check-worthy claim, with its sourcing status and its sources' worst verdict."""

    headers = CLAIM_HEADERS

    def __init__(self, session: Session, parent: QObject | None = None) -> None:
        self.row_of_id: dict[str, int] = {}
        self._rows_by_url: dict[str, list[int]] = defaultdict(list)
        super().__init__(session, parent)

    def _indexed(self, first: int = 0) -> None:
        if first == 0:
            self.row_of_id.clear()
            self._rows_by_url.clear()
        links = self.session.links_by_id
        for row in range(first, len(self.items)):
            claim = self.items[row]
            self.row_of_id[claim.id] = row
            for link_id in claim.citations:
                link = links.get(link_id)
                if link is not None and link.url:
                    self._rows_by_url[link.url].append(row)

    def touch_urls(self, urls: Iterable[str]) -> None:
        """Mark the claims citing any of `urls`: their sources' verdicts changed."""
        self.touch(row for url in urls for row in self._rows_by_url.get(url, ()))

    def touch_all(self) -> None:
        self.touch(range(len(self.items)))

    def haystack(self, row: int) -> str:
        claim: Claim = self.items[row]
        return claim.text.lower()

    def status_word(self, claim: Claim) -> str:
        if claim.status != "sourced":
            return CLAIM_WORDS.get(claim.status, claim.status)
        return look.SHORT.get(self.session.claim_verdict(claim), "sourced")

    def values(self, row: int, col: int, roles: Iterable[int]) -> list[Any]:
        claim: Claim = self.items[row]
        return [self._value(claim, col, role) for role in roles]

    def _value(self, claim: Claim, col: int, role: int) -> Any:
        if role == ITEM_ROLE:
            return claim
        if role == Qt.ItemDataRole.DisplayRole or (role == SORT_ROLE and col != COL_C_WHERE):
            if col == COL_C_STATUS:
                if role == SORT_ROLE:
                    return look.RANK.get(self.session.claim_verdict(claim), -1)
                return self.status_word(claim)
            if col == COL_C_TEXT:
                return claim.text
            if col == COL_C_KINDS:
                return ", ".join(claim.kinds)
            if col == COL_C_WHERE:
                return where(claim.document, claim.line)
            if col == COL_C_SOURCES:
                return len(claim.citations) if role == SORT_ROLE else str(len(claim.citations))
        if role == SORT_ROLE and col == COL_C_WHERE:
            return _where_key(claim.document, claim.line, claim.column)
        if role == Qt.ItemDataRole.DecorationRole and col == COL_C_STATUS:
            if claim.status == "unsourced":
                return look.row_pixmap("claim-unsourced")
            if claim.status == "placeholder":
                return look.verdict_pixmap("placeholder")
            verdict = self.session.claim_verdict(claim)
            return (
                look.row_pixmap("claim-sourced")
                if verdict == "ok"
                else look.verdict_pixmap(verdict)
            )
        if role == Qt.ItemDataRole.ToolTipRole and col == COL_C_TEXT:
            return claim.text
        return None


class FilterProxy(QSortFilterProxyModel):
    """Free text, document and verdict toggles over a Links or Claims model; sorts on UserRole."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(False)
        self._text = ""
        self._toggles: frozenset[str] = frozenset()
        self._document: str | None = None

    def set_filter(
        self, text: str | None = None, toggles: Iterable[str] | None = None, **kw: Any
    ) -> None:
        new_text = self._text if text is None else text.strip().lower()
        new_toggles = self._toggles if toggles is None else frozenset(toggles)
        document = kw.get("document", self._document)
        if (new_text, new_toggles, document) == (self._text, self._toggles, self._document):
            return  # each pass asks Python about every row: ten thousand calls for nothing
        self.beginFilterChange()
        self._text, self._toggles, self._document = new_text, new_toggles, document
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        self._follow_results()

    def expect_document(self, document: str | None) -> None:
        """Filter on `document` from the source's next reset on, without a pass of its own."""
        self._document = document

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        super().sort(column, order)
        self._follow_results()

    def _follow_results(self) -> None:
        # Rows only move when results change if a verdict toggle or a sort depends on them.
        # Otherwise a changed row needs no second look: the proxy passes dataChanged on
        # without asking filterAcceptsRow about each row again, the Python call per row
        # that stalled the window during checks.
        wanted = bool(self._toggles) or self.sortColumn() >= 0
        if wanted != self.dynamicSortFilter():
            self.setDynamicSortFilter(wanted)

    def multiData(self, index: _Index, roles: QModelRoleDataSpan) -> None:  # noqa: N802
        # QSortFilterProxyModel would ask the source one role at a time; pass the span on.
        source = self.mapToSource(index)
        if source.isValid():
            self.sourceModel().multiData(source, roles)

    def filterAcceptsRow(self, row: int, parent: _Index) -> bool:  # noqa: N802
        if not (self._text or self._toggles or self._document):
            return True  # called for every row added: keep the common case cheap
        model = self.sourceModel()
        item = model.items[row]  # type: ignore[attr-defined]
        if self._document is not None and item.document != self._document:
            return False
        if self._text and self._text not in model.haystack(row):  # type: ignore[attr-defined]
            return False
        if self._toggles:
            session: Session = model.session  # type: ignore[attr-defined]
            if isinstance(item, Link):
                found = session.categories(item)
            else:
                found = session.claim_categories(item)
            return not self._toggles.isdisjoint(found)
        return True
