"""The main window: lays out the views, wires them to the controller, and keeps them in step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QMainWindow,
    QSplitter,
    QTableView,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from citecheck.model import Claim, Link
from citecheck.readers import DOCUMENT_SUFFIXES

from . import appearance as look
from .controller import PROJECT_SUFFIX, Controller
from .detail import DetailPane
from .docview import DocumentView
from .panels import CheckProgress, DocumentList, FilterBar, MessageBar
from .session import EXPORTS
from .settings import SettingsDialog
from .summary import SummaryView
from .tables import ITEM_ROLE, ClaimTableModel, FilterProxy, LinkTableModel

REFRESH_MS = 300  # counts, highlights and the summary follow results at most this often
MAX_RECENT = 10
# Every kind of document the readers take, from the one list the core keeps.
DOCUMENT_FILTER = (
    "Documents (" + " ".join(f"*{suffix}" for suffix in sorted(DOCUMENT_SUFFIXES)) + ")"
    ";;All files (*)"
)


def _table(model: FilterProxy, name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    # Unsorted until asked: rows stay in document order, and ten thousand of them arriving
    # cost no sort; a click on a header sorts on the model's UserRole keys.
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class MainWindow(QMainWindow):
    """Documents on the left, tables over the text in the middle, details on the right.

    Signals: none of its own; it listens to the controller and its views.
    """

    def __init__(self, controller: Controller | None = None) -> None:
        super().__init__()
        self.controller = controller or Controller(parent=self)
        self.setWindowTitle("citecheck")
        self.setWindowIcon(look.icon("citecheck"))
        self.setAcceptDrops(True)
        self._syncing = False
        self._resetting = False
        self.rescue_dialog: Any = None  # the open File → Rescue Dead Links preview
        self._current: Link | Claim | None = None
        session = self.controller.session
        self.links = LinkTableModel(session, self)
        self.claims = ClaimTableModel(session, self)
        self.link_proxy, self.claim_proxy = FilterProxy(self), FilterProxy(self)
        self.link_proxy.setSourceModel(self.links)
        self.claim_proxy.setSourceModel(self.claims)
        self.documents = DocumentList(self)
        self._build()
        self._build_actions()
        self._connect()
        self._refresh = QTimer(self, singleShot=True, interval=REFRESH_MS)
        self._refresh.timeout.connect(self._refresh_views)
        self._restore()

    # -- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.message = MessageBar()
        self.filter = FilterBar()
        self.doc_list = QTreeView()
        self.doc_list.setAccessibleName("Documents")
        self.doc_list.setRootIsDecorated(False)
        self.doc_list.setModel(self.documents)
        header = self.doc_list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.link_table = _table(self.link_proxy, "Links")
        self.claim_table = _table(self.claim_proxy, "Claims")
        for col, width in ((0, 130), (1, 300), (2, 180), (3, 150), (4, 50), (5, 90)):
            self.link_table.setColumnWidth(col, width)
        for col, width in ((0, 130), (1, 480), (2, 150), (3, 150)):
            self.claim_table.setColumnWidth(col, width)
        self.summary = SummaryView()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Results")
        self.tabs.addTab(self.link_table, "Links")
        self.tabs.addTab(self.claim_table, "Claims")
        self.tabs.addTab(self.summary, "Summary")
        self.doc_view = DocumentView()
        self.detail = DetailPane()
        middle = QSplitter(Qt.Orientation.Vertical)
        middle.addWidget(self.tabs)
        middle.addWidget(self.doc_view)
        middle.setSizes([420, 300])
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.doc_list)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.detail)
        self.splitter.setSizes([380, 800, 340])
        self.splitter.setStretchFactor(1, 1)
        central = QWidget()
        box = QVBoxLayout(central)
        box.setContentsMargins(6, 6, 6, 0)
        box.addWidget(self.message)
        box.addWidget(self.filter)
        box.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.progress = CheckProgress()
        self.statusBar().addPermanentWidget(self.progress)
        self.resize(1400, 860)

    def _action(self, text: str, slot: Any, shortcut: Any = None, icon: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon:
            look.set_icon(action, icon)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        K = QKeySequence.StandardKey  # noqa: N806
        self.act_open = self._action("&Open…", self.ask_open, K.Open, "document-open")
        self.act_folder = self._action(
            "Open &Folder…", self.ask_open_folder, "Ctrl+Shift+O", "folder-open"
        )
        self.act_project = self._action("Open &Project…", self.ask_open_project, "Ctrl+Shift+P")
        self.act_save = self._action("&Save Project As…", self.ask_save_project, K.Save)
        self.act_export = self._action("&Export…", self.ask_export, "Ctrl+E", "document-export")
        self.act_rescue = self._action("&Rescue Dead Links…", self.ask_rescue)
        self.act_quit = self._action("&Quit", self.close, K.Quit)
        self.act_check = self._action("&Check All Links", self.check_all, "F5", "view-refresh")
        self.act_recheck = self._action("&Re-check Selected", self.recheck_selected, "Ctrl+R")
        self.act_cancel = self._action(
            "C&ancel Check", self.controller.cancel_check, "Ctrl+.", "process-stop"
        )
        self.act_settings = self._action("Se&ttings…", self.ask_settings, K.Preferences)
        self.act_find = self._action("&Find", self.find, K.Find, "edit-find")
        self.act_cancel.setEnabled(False)
        file = self.menuBar().addMenu("&File")
        file.addActions([self.act_open, self.act_folder])
        self.recent_menu = file.addMenu("Open &Recent")
        file.addSeparator()
        file.addActions([self.act_project, self.act_save])
        file.addSeparator()
        export = file.addMenu("Export &As")
        for fmt in EXPORTS:
            export.addAction(self._action(fmt + "…", lambda _=False, f=fmt: self.ask_export(f)))
        file.addAction(self.act_export)
        file.addAction(self.act_rescue)
        file.addSeparator()
        file.addAction(self.act_quit)
        check = self.menuBar().addMenu("&Check")
        check.addActions([self.act_check, self.act_recheck, self.act_cancel])
        check.addSeparator()
        check.addAction(self.act_settings)
        view = self.menuBar().addMenu("&View")
        view.addAction(self.act_find)
        for n, name in enumerate(("Links", "Claims", "Summary")):
            view.addAction(
                self._action(
                    name, lambda _=False, i=n: self.tabs.setCurrentIndex(i), f"Ctrl+{n + 1}"
                )
            )
        bar = self.addToolBar("Main")
        bar.setObjectName("main-toolbar")
        bar.setAccessibleName("Main toolbar")
        bar.addActions(
            [
                self.act_open,
                self.act_folder,
                self.act_check,
                self.act_cancel,
                self.act_export,
                self.act_find,
            ]
        )
        self._fill_recent()

    def _connect(self) -> None:
        c = self.controller
        c.session_changed.connect(self._session_changed)
        c.claims_arrived.connect(self._claims_arrived)
        c.results_arrived.connect(self._results_arrived)
        c.progress.connect(self.progress.update_progress)
        c.checking.connect(self._checking)
        c.message.connect(self.message.show_message)
        c.project_changed.connect(self._project_changed)
        self.progress.cancel.connect(c.cancel_check)
        self.filter.changed.connect(self._filter)
        self.doc_list.selectionModel().currentRowChanged.connect(self._document_chosen)
        self.link_table.selectionModel().currentRowChanged.connect(self._link_chosen)
        self.claim_table.selectionModel().currentRowChanged.connect(self._claim_chosen)
        self.doc_view.link_clicked.connect(self.select_link)
        self.doc_view.claim_clicked.connect(self.select_claim)
        d = self.detail
        d.open_live.connect(lambda url: QDesktopServices.openUrl(QUrl(url)))
        d.open_archived.connect(lambda url: QDesktopServices.openUrl(QUrl(url)))
        d.copy_archive.connect(lambda url: QGuiApplication.clipboard().setText(url))
        d.recheck.connect(c.recheck)
        d.save_to_wayback.connect(c.save_to_wayback)
        d.mark_reviewed.connect(c.mark_reviewed)
        d.source_chosen.connect(self.select_link)

    # -- reacting to the controller -------------------------------------------------------

    def _session_changed(self) -> None:
        session = self.controller.session
        row = 1 if len(session.documents) == 1 else 0
        # The document filter is in place before the rows arrive: one filter pass, not two.
        path = session.documents[0].path if row else None
        self.link_proxy.expect_document(path)
        self.claim_proxy.expect_document(path)
        self.links.reset(session, session.inventory.links)
        self.claims.reset(session, session.inventory.claims)
        self.documents.reset(session)
        self.detail.clear()
        self._current = None
        self._resetting = True  # the current row's signal is answered once, below
        try:
            self.doc_list.setCurrentIndex(self.documents.index(row, 0))
        finally:
            self._resetting = False
        self._document_chosen(self.documents.index(row, 0))
        for doc in session.documents:
            self._remember(doc.path)

    def _claims_arrived(self) -> None:
        # The Links table is left alone: its rows, selection, filter and scroll stay.
        session = self.controller.session
        self.claims.reset(session, session.inventory.claims)
        self.documents.recount()
        path = self.doc_view.document_path
        self.doc_view.set_claims(session.claims_of(path))
        self.summary.show_session(session, self.link_proxy_document())
        if isinstance(self._current, Link):
            self.detail.show_link(self._current, session, session.cited(self._current))

    def _results_arrived(self, urls: list[str]) -> None:
        self.links.touch_urls(urls)
        self.claims.touch_urls(urls)
        if not self._refresh.isActive():
            self._refresh.start()

    def _refresh_views(self) -> None:
        session = self.controller.session
        self.documents.recount()
        self.doc_view.refresh()
        if self.tabs.currentWidget() is self.summary:
            self.summary.show_session(session, self.link_proxy_document())
        current = self._current
        if isinstance(current, Link):
            self.detail.show_link(current, session, session.cited(current))
        elif isinstance(current, Claim):
            self.detail.show_claim(current, session)

    def _checking(self, running: bool) -> None:
        self.act_check.setEnabled(not running)
        self.act_cancel.setEnabled(running)
        if running:
            self.progress.start()
        else:
            self.progress.hide()
            self._refresh_views()
            self.statusBar().showMessage("Check finished", 5000)

    def _project_changed(self, path: str) -> None:
        self.setWindowTitle(f"{Path(path).stem} — citecheck")
        if not Path(path).stem.startswith("Untitled"):
            self._remember(path)

    # -- selection in step ----------------------------------------------------------------

    def link_proxy_document(self) -> str | None:
        index = self.doc_list.currentIndex()
        return self.documents.data(index, Qt.ItemDataRole.UserRole) if index.isValid() else None

    def _document_chosen(self, index: QModelIndex, *_: Any) -> None:
        if self._resetting:
            return
        path = self.documents.data(index, Qt.ItemDataRole.UserRole) if index.isValid() else None
        self.link_proxy.set_filter(document=path)
        self.claim_proxy.set_filter(document=path)
        session = self.controller.session
        shown = path or (session.documents[0].path if session.documents else None)
        self._show_document(shown)
        self.summary.show_session(session, path)

    def _show_document(self, path: str | None) -> None:
        if path is not None and path == self.doc_view.document_path:
            return
        s = self.controller.session
        missing = path in s.stored
        self.doc_view.setPlaceholderText(
            f"The text is not shown: the document is no longer at {path}." if missing else ""
        )
        self.doc_view.show_document(s.document(path), s.links_of(path), s.claims_of(path), s)

    def _link_chosen(self, index: QModelIndex, *_: Any) -> None:
        link = index.data(ITEM_ROLE) if index.isValid() else None
        if isinstance(link, Link):
            self._current = link
            session = self.controller.session
            self.detail.show_link(link, session, session.cited(link))
            if not self._syncing:
                self._show_document(link.document)
                self.doc_view.reveal(link.id)

    def _claim_chosen(self, index: QModelIndex, *_: Any) -> None:
        claim = index.data(ITEM_ROLE) if index.isValid() else None
        if isinstance(claim, Claim):
            self._current = claim
            self.detail.show_claim(claim, self.controller.session)
            if not self._syncing:
                self._show_document(claim.document)
                self.doc_view.reveal(claim.id)

    def _select(self, table: QTableView, proxy: FilterProxy, model: Any, item_id: str) -> bool:
        model.flush_all()
        row = model.row_of_id.get(item_id)
        if row is None:
            return False
        index = proxy.mapFromSource(model.index(row, 0))
        if not index.isValid():  # hidden by the filter: show it anyway
            self.filter.text.clear()
            for button in self.filter.toggles.values():
                button.setChecked(False)
            index = proxy.mapFromSource(model.index(row, 0))
        self.tabs.setCurrentWidget(table)
        flags = (
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows
        )
        table.selectionModel().setCurrentIndex(index, flags)
        table.scrollTo(index)
        return True

    def select_link(self, link_id: str) -> bool:
        """Select a link's row (from a click in the text or a claim's source list)."""
        self._syncing = True
        try:
            return self._select(self.link_table, self.link_proxy, self.links, link_id)
        finally:
            self._syncing = False

    def select_claim(self, claim_id: str) -> bool:
        self._syncing = True
        try:
            return self._select(self.claim_table, self.claim_proxy, self.claims, claim_id)
        finally:
            self._syncing = False

    def _filter(self, text: str, toggles: list[str]) -> None:
        self.link_proxy.set_filter(text, toggles)
        self.claim_proxy.set_filter(text, toggles)

    # -- commands -------------------------------------------------------------------------

    def open_paths(self, paths: list[str]) -> None:
        projects = [p for p in paths if p.endswith(PROJECT_SUFFIX)]
        documents = [p for p in paths if not p.endswith(PROJECT_SUFFIX)]
        if projects:
            self.controller.open_project(projects[0])
        if documents:
            self.controller.open_paths(documents)

    def ask_open(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Open documents", "", DOCUMENT_FILTER)
        if paths:
            self.open_paths(paths)

    def ask_open_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Open a folder of documents")
        if path:
            self.open_paths([path])

    def ask_open_project(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open project", "", f"citecheck projects (*{PROJECT_SUFFIX});;All files (*)"
        )
        if path:
            self.controller.open_project(path)

    def ask_save_project(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save project as", "", f"citecheck projects (*{PROJECT_SUFFIX})"
        )
        if path:
            if not path.endswith(PROJECT_SUFFIX):
                path += PROJECT_SUFFIX
            self.controller.save_project_as(path)

    def ask_export(self, fmt: str | None = None) -> None:
        formats = [fmt] if fmt else list(EXPORTS)
        filters = ";;".join(EXPORTS[f][1] for f in formats)
        path, chosen = QFileDialog.getSaveFileName(self, "Export report", "", filters)
        if not path:
            return
        fmt = next((f for f in formats if EXPORTS[f][1] == chosen), formats[0])
        if not Path(path).suffix:
            path += "." + EXPORTS[fmt][0]
        self.controller.export(path, fmt)

    def ask_rescue(self) -> None:
        """Preview the rescue of the chosen document (or the first) as a diff, then save a copy."""
        from .rescue_dialog import RescueDialog

        session = self.controller.session
        path = self.link_proxy_document() or (
            session.documents[0].path if session.documents else None
        )
        if path is None:
            self.message.show_message("warning", "Open a Markdown or HTML document first.")
            return
        if session.document(path) is None or self.controller.rescue(path) is None:
            return
        self.rescue_dialog = RescueDialog(self.controller, path, self)
        self.rescue_dialog.open()

    def ask_settings(self) -> None:
        dialog = SettingsDialog(self.controller.values, self)
        if dialog.exec():
            self.controller.set_values(dialog.values())

    def check_all(self) -> None:
        self.controller.start_check()

    def recheck_selected(self) -> None:
        if isinstance(self._current, Link) and self._current.url:
            self.controller.recheck(self._current.url)

    def find(self) -> None:
        self.filter.text.setFocus()
        self.filter.text.selectAll()

    # -- recent files, drag and drop, window state ----------------------------------------

    def _remember(self, path: str) -> None:
        settings = QSettings()
        recent = [p for p in settings.value("recent", [], list) or [] if p != path]
        settings.setValue("recent", [path, *recent][:MAX_RECENT])
        self._fill_recent()

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = QSettings().value("recent", [], list) or []
        for path in recent:
            self.recent_menu.addAction(Path(path).name, lambda p=path: self.open_paths([p]))
        self.recent_menu.setEnabled(bool(recent))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            self.open_paths(paths)
            event.acceptProposedAction()

    def _restore(self) -> None:
        settings = QSettings()
        geometry, state = settings.value("window/geometry"), settings.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
        splitter = settings.value("window/splitter")
        if splitter is not None:
            self.splitter.restoreState(splitter)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        # The desktop (or the user) switched between light and dark: icons drawn in the old
        # palette's ink would be grey on grey, and the text view's colours follow too.
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            look.retint(self)
            self.doc_view.restyle()
            self.link_table.viewport().update()
            self.claim_table.viewport().update()
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/splitter", self.splitter.saveState())
        # Results are already in the project; a running check stops and its worker is waited for.
        self.controller.shutdown()
        event.accept()
