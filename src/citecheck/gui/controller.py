"""What the window's commands do: open, check, re-check, archive, review, save and export."""

from __future__ import annotations

import gc
import sqlite3
import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import platformdirs
from PySide6.QtCore import QObject, QTimer, Signal

from citecheck import verdict as V
from citecheck.model import Inventory, Link
from citecheck.scan import scan
from citecheck.verdict import Archive, Check

from . import settings as prefs
from .session import BIBLIOGRAPHIES, Session
from .tasks import Inbox, Pool, TaskRunner

DRAIN_MS = 150  # how often results from the workers reach the tables
DRAIN_MAX = 1000  # results taken per drain at most; the rest wait for the next tick
PROJECT_SUFFIX = ".citecheck"
_FOREVER = timedelta(days=36500)
NO_ENGINE = "Checking links needs citecheck's check engine and project store, which are missing."


def _store() -> Any:
    from citecheck import store

    return store


def known_results(project: Any, inv: Inventory) -> tuple[dict[str, Check], dict[str, Archive]]:
    """The latest check and archive lookup the project holds for each URL of `inv`."""
    urls = sorted({k.url for k in inv.links if k.url and k.placeholder is None})
    checks: dict[str, Check] = dict(project.latest_checks(urls)) if urls else {}
    dates = {d.path: d.date for d in inv.documents}
    archives: dict[str, Archive] = {}
    for link in inv.links:
        if link.url in checks and link.url not in archives:
            try:
                day = date.fromisoformat((dates.get(link.document) or "")[:10])
            except ValueError:
                day = datetime.now(UTC).date()
            archive = project.cached_archive(link.url, day, _FOREVER)
            if archive is not None:
                archives[link.url] = archive
    return checks, archives


def _with_stored(
    inv: Inventory, paths: list[str], project_path: Path
) -> tuple[Inventory, set[str]]:
    """`inv` plus, for documents the scan could not read, what the project stored of them.

    A project whose documents were moved or renamed still shows its links and results.
    Returns the inventory (links and claims numbered afresh, in `paths` order) and the paths
    that came from the project.
    """
    failed = {e.path for e in inv.errors}
    project = _store().Project(project_path)
    try:
        known = {d.path: d for d in project.documents()}
        restored = {
            p: (known[p], project.links(p), project.claims(p))
            for p in paths
            if p in failed and p in known
        }
    finally:
        project.close()
    if not restored:
        return inv, set()
    parts = []
    for doc in inv.documents:
        links = [k for k in inv.links if k.document == doc.path]
        parts.append((doc, links, [c for c in inv.claims if c.document == doc.path]))
    order = {p: n for n, p in enumerate(paths)}
    parts.extend(restored.values())
    parts.sort(key=lambda part: order.get(part[0].path, len(order)))
    out = Inventory(
        problems=inv.problems + [q for doc, _, _ in restored.values() for q in doc.problems],
        errors=[e for e in inv.errors if e.path not in restored],
    )
    for doc, links, claims in parts:
        # Each source numbered its own ids from 1; renumber so ids stay unique.
        new_ids = {}
        for link in links:
            new_ids[link.id] = link.id = f"L{len(out.links) + 1}"
            out.links.append(link)
        for claim in claims:
            claim.citations = [new_ids.get(i, i) for i in claim.citations]
            claim.id = f"C{len(out.claims) + 1}"
            out.claims.append(claim)
        out.documents.append(doc)
    return out, set(restored)


def _scanned(
    paths: list[str], project_path: Path | None, *, claims: bool
) -> tuple[Inventory, set[str]]:
    inv = scan(paths, claims=claims)
    if project_path is None or not inv.errors:
        return inv, set()
    return _with_stored(inv, paths, project_path)


def same_links(a: Inventory, b: Inventory) -> bool:
    """Whether two scans found the same documents and links, numbered alike."""
    if [(d.path, d.text) for d in a.documents] != [(d.path, d.text) for d in b.documents]:
        return False
    if len(a.links) != len(b.links):
        return False

    def key(k: Link) -> tuple[Any, ...]:
        return k.id, k.document, k.offset, k.end, k.url, k.raw, k.placeholder

    return all(key(k) == key(j) for k, j in zip(a.links, b.links, strict=True))


def _without(inv: Inventory, paths: set[str]) -> Inventory:
    return Inventory(
        documents=[d for d in inv.documents if d.path not in paths],
        links=[k for k in inv.links if k.document not in paths],
        claims=[c for c in inv.claims if c.document not in paths],
        problems=[p for p in inv.problems if p.document not in paths],
        errors=inv.errors,
    )


class Progress:
    """A copy of the core's progress safe to read on the GUI thread."""

    def __init__(self, state: Any) -> None:
        self.phase, self.done, self.total = state.phase, state.done, state.total
        self.verdicts = dict(state.verdicts)


def _settle() -> None:
    """Take what is open now out of the garbage collector's full passes.

    A full collection walks every object the process holds: with a 10,000-link document open
    it took 30-70 ms, on the GUI thread or on a worker holding the interpreter lock, and was
    the longest stall of the window during a check (benchmarks/gui_bench.py). The documents
    of a session live until the next open; frozen, they are skipped, and reference counting
    still frees them when they go.
    """
    gc.freeze()


class Controller(QObject):
    """Owns the open session and project and runs the core's work on the task runner.

    Signals:
        session_changed(): documents were opened or a project loaded; views rebuild.
        claims_arrived(): the claims of the documents just opened joined the session.
        results_arrived(list): URLs whose check, archive or review mark changed.
        progress(object): a Progress of the running check.
        checking(bool): a check run started (True) or ended (False).
        message(str, str): a level ("error", "warning", "info") and plain words to show.
        project_changed(str): the project file now in use.
    """

    session_changed = Signal()
    claims_arrived = Signal()
    results_arrived = Signal(list)
    progress = Signal(object)
    checking = Signal(bool)
    message = Signal(str, str)
    project_changed = Signal(str)

    def __init__(
        self,
        pool: Pool | None = None,
        projects_dir: Path | None = None,
        config_dir: Path | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = TaskRunner(pool, self)
        self.session = Session()
        self.project: Any = None
        self.project_path: Path | None = None
        self.projects_dir = projects_dir or platformdirs.user_data_path("citecheck") / "projects"
        config = config_dir or platformdirs.user_config_path("citecheck")
        self.settings_file = config / "check-settings.json"
        self.values = prefs.load(self.settings_file)
        # WaybackOptions fields to use instead of the defaults: a mirror, or a test's fake.
        self.wayback: dict[str, Any] = {}
        self.inbox = Inbox()
        self._drain = QTimer(self)
        self._drain.setInterval(DRAIN_MS)
        self._drain.timeout.connect(self.drain)
        self._generation = 0  # of the latest open; phases of older ones are dropped
        self._claims_pending = False
        self._save_after_check: tuple[Inventory, set[str]] | None = None

    # -- projects -------------------------------------------------------------------------

    def _use_project(self, path: Path) -> bool:
        try:
            store = _store()
        except ImportError:
            return False
        try:
            project = store.Project(path)
        except store.StoreError as e:
            self.message.emit("error", f"The project {path.name} cannot be opened: {e}")
            return False
        if self.project is not None:
            self.project.close()
        self.project, self.project_path = project, path
        self.session.reviewed = set(project.reviewed())
        self.project_changed.emit(str(path))
        return True

    def _ensure_project(self) -> None:
        if self.project is None:
            stamp = datetime.now().strftime("%Y-%m-%d %H.%M.%S")
            self.projects_dir.mkdir(parents=True, exist_ok=True)
            self._use_project(self.projects_dir / f"Untitled {stamp}{PROJECT_SUFFIX}")

    def open_project(self, path: str | Path) -> None:
        """Load a project and show its documents with their last results at once."""
        path = Path(path)
        if not path.is_file():
            self.message.emit("error", f"There is no project file at {path}.")
            return
        if not self._use_project(path):
            return
        paths = [d.path for d in self.project.documents()]
        self._load(paths)

    def save_project_as(self, path: str | Path) -> bool:
        """Copy the project file (checks, archives, reviews) to `path` and go on there."""
        target = Path(path)
        if self.project_path is None:
            self._ensure_project()
        if self.project_path is None or target == self.project_path:
            return self.project_path is not None
        try:
            with sqlite3.connect(self.project_path) as src, sqlite3.connect(target) as dst:
                src.backup(dst)
            src.close()
            dst.close()
        except sqlite3.Error as e:
            self.message.emit("error", f"The project could not be saved to {target}: {e}")
            return False
        return self._use_project(target)

    # -- documents ------------------------------------------------------------------------

    def open_paths(self, paths: list[str | Path]) -> None:
        """Scan documents and folders (added to those already open) in the background."""
        self._ensure_project()
        known = [d.path for d in self.session.documents]
        wanted = known + [str(p) for p in paths if str(p) not in known]
        self._load(wanted)

    def _load(self, paths: list[str]) -> None:
        # Two phases: the links alone (a tenth of the scan) are shown at once; claim detection
        # follows on the worker and its claims join the session when they come. Each open
        # gets a generation, so a phase of an open since superseded changes nothing.
        self._generation += 1
        generation, project_path = self._generation, self.project_path

        def work(cancel: threading.Event) -> tuple[Inventory, set[str]]:
            return _scanned(paths, project_path, claims=False)

        self.runner.run(
            "open",
            work,
            lambda found: self._opened(*found, generation=generation, paths=paths),
            self._failed,
        )

    def _opened(
        self,
        inv: Inventory,
        stored: set[str] | None = None,
        *,
        generation: int | None = None,
        paths: list[str] | None = None,
    ) -> None:
        """Show a scan. With `paths`, it holds links only and the claims of `paths` follow."""
        if generation is not None and generation != self._generation:
            return  # a later open is on its way
        stored = set(stored or ())
        self._show(inv, stored)
        project_path = self.project_path
        if paths is None or not [d for d in inv.documents if d.path not in stored]:
            # Complete already (or nothing was read: what came from the project has claims).
            self._save(inv, stored)
            return
        self._claims_pending = True
        if project_path is not None:
            # Last results first, so verdicts fill in while claims are still being found.
            def known(cancel: threading.Event) -> tuple[dict, dict]:
                project = _store().Project(project_path)
                try:
                    return known_results(project, inv)
                finally:
                    project.close()

            self.runner.run("store", known, lambda found: self._known(inv, found), self._failed)
        generation = self._generation  # this open's, also when called without one

        def work(cancel: threading.Event) -> tuple[Inventory, set[str]]:
            return _scanned(paths, project_path, claims=True)

        def failed(error: BaseException) -> None:
            if generation == self._generation:
                self._claims_pending = False
                self._save(inv, stored, read_results=False)
            self._failed(error)

        self.runner.run(
            "claims", work, lambda found: self._claims_found(inv, *found, generation), failed
        )

    def _show(self, inv: Inventory, stored: set[str]) -> None:
        reviewed = self.session.reviewed
        gc.unfreeze()  # what was open before may now be garbage: let the collector see it
        self.session = Session(inventory=inv, reviewed=reviewed, stored=stored)
        for error in inv.errors:
            name = Path(error.path).name
            self.message.emit("error", f"{name} could not be opened: {error.message}")
        for path in sorted(stored):
            self.message.emit(
                "warning",
                f"{Path(path).name} is no longer at {path}: its links and their last results "
                "come from the project, without its text. Open it where it is now to scan it.",
            )
        self.session_changed.emit()
        _settle()

    def _claims_found(
        self, shown: Inventory, full: Inventory, stored: set[str], generation: int
    ) -> None:
        """Phase two of an open: merge the claims into the session shown in phase one."""
        if generation != self._generation or self.session.inventory is not shown:
            return  # stale: another open (or project) has replaced what this belongs to
        self._claims_pending = False
        if not same_links(shown, full) or stored != self.session.stored:
            # A document changed on disk between the two reads: show the newer read whole.
            self._show(full, stored)
            self._save(full, stored)
            return
        # In place, so the Links table, its selection and a running check keep their objects.
        shown.claims = full.claims
        shown.problems = full.problems
        for doc, again in zip(shown.documents, full.documents, strict=True):
            doc.problems = again.problems
        self.claims_arrived.emit()
        _settle()
        if self.is_checking():
            # The check saved the inventory as it was when it started, without claims; save
            # once it is done so that write cannot land after this one.
            self._save_after_check = (shown, stored)
        else:
            self._save(shown, stored, read_results=False)

    def _known(self, inv: Inventory, found: tuple[dict, dict]) -> None:
        if self.session.inventory is inv:
            self.session.merge(*found)
            self.results_arrived.emit(list(found[0]) + list(found[1]))

    def _save(self, inv: Inventory, stored: set[str], read_results: bool = True) -> None:
        """Store a scan in the project, then (with `read_results`) show its last results."""
        project_path = self.project_path
        if project_path is None or not inv.documents:
            return
        # What the project holds for a document that could not be read is kept as it is.
        scanned = _without(inv, stored) if stored else inv

        def work(cancel: threading.Event) -> tuple[dict, dict]:
            project = _store().Project(project_path)
            try:
                if scanned.documents:
                    project.save_inventory(scanned)
                return known_results(project, inv) if read_results else ({}, {})
            finally:
                project.close()

        self.runner.run("store", work, lambda found: self._known(inv, found), self._failed)

    def claims_pending(self) -> bool:
        """True while the claims of the documents just opened are still being found."""
        return self._claims_pending

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ImportError):
            self.message.emit("error", NO_ENGINE)
            return
        try:
            store_error: type[BaseException] = _store().StoreError
        except ImportError:
            store_error = OSError
        from citecheck.check_process import CheckProcessError

        if isinstance(error, store_error | OSError):
            self.message.emit("error", f"The project file could not be used: {error}")
        elif isinstance(error, CheckProcessError):
            self.message.emit(
                "error",
                f"The check stopped before it finished ({error}). The results it found are "
                "kept; check again to finish the rest.",
            )
        else:
            self.message.emit(
                "error",
                f"Something went wrong ({type(error).__name__}: {error}). "
                "Your documents and results are unchanged; please report this.",
            )

    # -- checks ---------------------------------------------------------------------------

    def is_checking(self) -> bool:
        return bool(self.runner.tasks("check"))

    def _settings(self, **overrides: Any) -> Any:
        """A function that builds the core's settings from the values as they are now.

        Called on the worker: the first call imports the check engine, which takes a quarter
        of a second the GUI thread should not wait for. A missing engine raises ImportError
        there and comes back as a message.
        """
        values, wayback = dict(self.values), dict(self.wayback)
        return lambda: prefs.check_settings(values, wayback=wayback, **overrides)

    def start_check(self, **overrides: Any) -> bool:
        """Check every link of the open documents; results are stored and shown as they come."""
        if self.is_checking() or not self.session.inventory.links:
            return False
        settings = self._settings(**overrides)
        self._ensure_project()
        if self.project_path is None:
            return False
        inv, project_path, inbox = self.session.inventory, self.project_path, self.inbox

        def work(cancel: threading.Event) -> Any:
            # The engine runs in a child process: on a thread of this one it would compete
            # with painting for the interpreter lock (measured: stalls up to 150 ms).
            from citecheck.check_process import check_in_process

            def report(state: Any) -> None:
                try:
                    inbox.progress(Progress(state))
                except RuntimeError:
                    pass  # counts changed while copied; the next report carries them

            def found(check: Check) -> None:
                inbox.put("check", check)

            def archived(archive: Archive) -> None:
                inbox.put("archive", archive)

            return check_in_process(
                inv,
                project_path,
                settings(),
                progress=report,
                cancel=cancel,
                on_check=found,
                on_archive=archived,
            )

        self.checking.emit(True)
        self._drain.start()
        self.runner.run("check", work, self._checked, self._check_failed)
        return True

    def cancel_check(self) -> None:
        for task in self.runner.tasks("check"):
            task.cancel()

    def drain(self, limit: int | None = DRAIN_MAX) -> None:
        """Move what the workers found into the session and tell the views.

        At most `limit` results a tick (None: all), so a burst never stalls the window.
        """
        items, progress = self.inbox.drain(limit)
        urls = []
        for kind, item in items:
            (self.session.checks if kind == "check" else self.session.archives)[item.url] = item
            urls.append(item.url)
        if urls:
            self.results_arrived.emit(urls)
        if progress is not None:
            self.progress.emit(progress)

    def _check_ended(self) -> None:
        self.drain(None)
        self._drain.stop()
        pending, self._save_after_check = self._save_after_check, None
        if pending is not None and pending[0] is self.session.inventory:
            self._save(*pending, read_results=False)

    def _checked(self, results: Any) -> None:
        self._check_ended()
        self.session.merge(results.checks, results.archives)
        self.results_arrived.emit(list(results.checks) + list(results.archives))
        self.checking.emit(False)
        fetched = [c for c in results.checks.values() if c.verdict != V.SKIPPED]
        offline = fetched and all(c.verdict in (V.UNREACHABLE, V.TIMEOUT) for c in fetched)
        if results.cancelled:
            self.message.emit("info", f"Check cancelled. {len(results.checks)} results are kept.")
        elif offline and len(fetched) > 1:
            self.message.emit(
                "warning",
                "No link could be reached: the network may be down. Results are kept; "
                "check again when you are back online.",
            )

    def _check_failed(self, error: BaseException) -> None:
        self._check_ended()
        self.checking.emit(False)
        self._failed(error)

    def recheck(self, url: str) -> None:
        """Check one URL again now, ignoring any recent result."""
        settings = self._settings(refresh=True)
        if self.project_path is None:
            return
        project_path = self.project_path

        def work(cancel: threading.Event) -> list[Check]:
            from citecheck.checking.engine import check_urls

            found: list[Check] = []
            lock = threading.Lock()
            project = _store().Project(project_path)

            def on_result(check: Check) -> None:
                with lock:
                    project.add_check(check)
                    found.append(check)

            try:
                check_urls([url], settings().engine, on_result, cancel=cancel)
            finally:
                project.close()
            return found

        def done(found: list[Check]) -> None:
            for check in found:
                self.session.checks[check.url] = check
            self.results_arrived.emit([url])
            if found:
                words = V.WORDS.get(found[0].verdict, found[0].verdict)
                self.message.emit("info", f"Checked again: {url} — {words}.")

        self.runner.run("recheck", work, done, self._failed)

    def save_to_wayback(self, url: str) -> None:
        """Ask Save Page Now to capture `url`; the capture is kept in the project."""
        make_settings = self._settings()
        if self.project_path is None:
            return
        project_path = self.project_path
        known = self.session.archives.get(url)
        # A copy: the worker fills it in while the window may be showing the original.
        archive = replace(known) if known is not None else Archive(url)

        def work(cancel: threading.Event) -> Any:
            from citecheck.check import wayback_options_from_env
            from citecheck.wayback import Wayback

            settings = make_settings()
            with Wayback(wayback_options_from_env(settings.wayback)) as client:
                outcome = client.save_outcome(url)
            if outcome.snapshot is not None:
                archive.saved = outcome.snapshot
                project = _store().Project(project_path)
                try:
                    project.add_archive(archive, settings.as_of or datetime.now(UTC).date())
                finally:
                    project.close()
            return outcome

        def done(outcome: Any) -> None:
            if outcome.snapshot is not None:
                self.session.archives[url] = archive
                self.results_arrived.emit([url])
                self.message.emit("info", f"Saved to the Wayback Machine: {outcome.snapshot.url}")
            else:
                why = outcome.error or outcome.state
                self.message.emit("warning", f"The Wayback Machine did not save {url}: {why}")

        self.runner.run("save", work, done, self._failed)

    def mark_reviewed(self, url: str, note: str = "") -> None:
        if self.project is None:
            self.message.emit("error", NO_ENGINE)
            return
        try:
            self.project.mark_reviewed(url, note)
        except _store().StoreError as e:
            self.message.emit("error", f"The review mark could not be saved: {e}")
            return
        self.session.reviewed.add(url)
        self.results_arrived.emit([url])

    # -- settings, export, shutdown -------------------------------------------------------

    def set_values(self, values: dict[str, Any]) -> None:
        self.values = values
        try:
            prefs.save(self.settings_file, values)
        except OSError as e:
            self.message.emit("warning", f"The settings apply now but could not be saved: {e}")

    def export(self, path: str | Path, fmt: str) -> bool:
        target = Path(path)
        try:
            text = self.session.render(fmt)
            tmp = target.with_name(target.name + ".part")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(target)
        except (OSError, ImportError) as e:
            self.message.emit("error", f"The report could not be written to {target}: {e}")
            return False
        what = "bibliography" if fmt in BIBLIOGRAPHIES else "report"
        self.message.emit("info", f"Exported the {fmt} {what} to {target}.")
        return True

    def rescue(self, path: str, mode: str = "add") -> Any:
        """What `citecheck rescue` would make of an open document, from the results known now.

        Returns a citecheck.rescue.Rescue (its `text` and `edits`), or None after saying why
        the document cannot be rescued. Nothing is fetched and nothing is written.
        """
        doc = self.session.document(path)
        if doc is None or path in self.session.stored:
            self.message.emit("error", f"{path} is not open, so its links cannot be rescued.")
            return None
        try:
            from citecheck.check import Results
            from citecheck.rescue import FORMATS, rescue
        except ImportError as e:
            self.message.emit("error", f"{NO_ENGINE} ({e})")
            return None
        if doc.format not in FORMATS:
            self.message.emit(
                "error", f"Rescue works on Markdown and HTML documents; {path} is {doc.format}."
            )
            return None
        results = self.session.results() or Results()
        return rescue(doc, self.session.links_of(path), results, mode)

    def save_rescued(self, source: str, target: str | Path, text: str, encoding: str) -> bool:
        """Write a rescued copy; never over the document itself."""
        target = Path(target)
        if target.resolve() == Path(source).resolve():
            self.message.emit(
                "error", f"The rescued copy would overwrite {source}; choose another name."
            )
            return False
        try:
            tmp = target.with_name(target.name + ".part")
            with tmp.open("w", encoding=encoding, newline="") as f:
                f.write(text)
            tmp.replace(target)
        except (OSError, LookupError, UnicodeError) as e:
            self.message.emit("error", f"The rescued copy could not be written to {target}: {e}")
            return False
        self.message.emit("info", f"Saved the rescued copy to {target}.")
        return True

    def shutdown(self) -> None:
        """Cancel running work, wait for the workers to stop, and close the project."""
        self.runner.shutdown()
        self.drain(None)
        self._drain.stop()
        if self.project is not None:
            self.project.close()
            self.project = None
