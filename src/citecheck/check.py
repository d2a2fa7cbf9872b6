"""Check links live and in the Wayback Machine, keeping every result in the project."""

from __future__ import annotations

import os
import queue
import re
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from citecheck.checking import EngineOptions, check_urls
from citecheck.model import Inventory, Link
from citecheck.store import Project
from citecheck.verdict import (
    BLOCKED,
    NOT_OK,
    OK,
    PLACEHOLDER,
    REDIRECTED,
    SKIPPED,
    Archive,
    Check,
)
from citecheck.wayback import Wayback, WaybackOptions

FETCHED_SCHEMES = ("http", "https")
# Archive lookups are slow (about one a second): a capture list stays good for a week.
ARCHIVE_MAX_AGE = timedelta(days=7)


@dataclass(slots=True)
class CheckSettings:
    """Everything a check run needs beyond the documents themselves."""

    engine: EngineOptions = field(default_factory=EngineOptions)
    wayback: WaybackOptions = field(default_factory=WaybackOptions)
    max_age: timedelta = timedelta(days=1)
    refresh: bool = False
    archive: str = "failing"  # "failing", "all" or "none"
    save_missing: bool = False
    as_of: date | None = None
    exclude: list[re.Pattern[str]] = field(default_factory=list)


@dataclass(slots=True)
class Progress:
    """Counts a run reports as it goes; `phase` is "checking", "archive" or "saving"."""

    phase: str = "checking"
    done: int = 0
    total: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)


ProgressCallback = Callable[[Progress], None]


@dataclass(slots=True)
class Results:
    """What a run found: a check per URL and, where looked up, an archive per URL."""

    checks: dict[str, Check] = field(default_factory=dict)
    archives: dict[str, Archive] = field(default_factory=dict)
    cancelled: bool = False

    def verdict(self, link: Link) -> str:
        if link.placeholder is not None:
            return PLACEHOLDER
        check = self.checks.get(link.url or "")
        return check.verdict if check is not None else SKIPPED


class _Writer:
    """Stores results on a thread of its own, so database commits never stall the engine.

    The thread commits whatever has queued up since its last commit in one transaction (a
    group commit): one result when they trickle in, a few dozen in a burst. A killed process
    loses only the checks in flight and those still queued, as before, while a 2,000-link run
    spends a tenth of the CPU on storing (one insert per result cost 0.4 ms, and each one
    took the interpreter lock from the engine).
    """

    _DONE = object()

    def __init__(self, project: Project, first: Callable[[], None] | None = None) -> None:
        self._project = project
        self._first = first  # a write to make before any result (the documents of the run)
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="citecheck-writer", daemon=True)
        self._thread.start()

    def put(self, check: Check) -> None:
        if self._error is not None:
            raise self._error
        self._queue.put(check)

    def _run(self) -> None:
        if self._first is not None:
            try:
                self._first()
            except BaseException as e:  # noqa: BLE001 - re-raised on the caller's thread
                self._error = e
        done = False
        while not done:
            batch = [self._queue.get()]
            while True:  # and whatever else is already waiting
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if batch[-1] is self._DONE:
                batch.pop()
                done = True
            if batch and self._error is None:
                try:
                    self._project.add_checks(batch)  # type: ignore[arg-type]
                except BaseException as e:  # noqa: BLE001 - re-raised on the caller's thread
                    self._error = e

    def close(self) -> None:
        self._queue.put(self._DONE)
        self._thread.join()
        if self._error is not None:
            raise self._error


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _skipped(url: str, why: str) -> Check:
    return Check(url, SKIPPED, error=why, checked_at=_now())


def wayback_options_from_env(options: WaybackOptions) -> WaybackOptions:
    """Save Page Now keys from the environment when not given, so they stay off command lines.

    CITECHECK_WAYBACK_WEB and CITECHECK_WAYBACK_API point the client at another host serving
    the same APIs (a mirror, or a test's local fake); production never needs them.
    """
    access = options.access_key or os.environ.get("CITECHECK_SPN_ACCESS")
    secret = options.secret_key or os.environ.get("CITECHECK_SPN_SECRET")
    web = os.environ.get("CITECHECK_WAYBACK_WEB") or options.base_web
    api = os.environ.get("CITECHECK_WAYBACK_API") or options.base_api
    return replace(options, access_key=access, secret_key=secret, base_web=web, base_api=api)


def urls_to_check(links: Iterable[Link], settings: CheckSettings) -> tuple[list[str], list[Check]]:
    """Distinct URLs to fetch, and the ones decided without fetching (excluded, not http)."""
    fetch: list[str] = []
    decided: list[Check] = []
    seen: set[str] = set()
    for link in links:
        url = link.url
        if link.placeholder is not None or url is None or url in seen:
            continue
        seen.add(url)
        if url.startswith(("#", "?")):
            continue  # a place in the document itself
        if any(p.search(url) for p in settings.exclude):
            decided.append(_skipped(url, "excluded by --exclude"))
        elif urlsplit(url).scheme not in FETCHED_SCHEMES:
            decided.append(_skipped(url, f"not fetched ({urlsplit(url).scheme}: link)"))
        else:
            fetch.append(url)
    return fetch, decided


def check_inventory(
    inv: Inventory,
    project: Project,
    settings: CheckSettings,
    *,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    on_check: Callable[[Check], None] | None = None,
    on_archive: Callable[[Archive], None] | None = None,
) -> Results:
    """Check every link of `inv`, store each result as it arrives, then look up archives.

    Results younger than `settings.max_age` are reused from the project (marked `from_cache`)
    unless `settings.refresh`; a cancelled or killed run resumes where it stopped.
    `on_check` sees each result as it is decided (from the engine's thread), `on_archive` each
    archive record as it is looked up or saved.
    """
    cancel = cancel or threading.Event()
    # The documents are stored by the writer while the first requests are out, not before.
    writer = _Writer(project, first=lambda: project.save_inventory(inv))
    results = Results()
    fetch, decided = urls_to_check(inv.links, settings)
    state = Progress("checking", 0, len(fetch) + len(decided))

    def report() -> None:
        if progress is not None:
            progress(state)

    lock = threading.Lock()

    def record(check: Check, store: bool = True) -> None:
        if store:
            writer.put(check)
        with lock:
            results.checks[check.url] = check
            state.done += 1
            state.verdicts[check.verdict] += 1
        if on_check is not None:
            on_check(check)
        report()

    try:
        for check in decided:
            # Exclusions are this run's choice, not something learnt about the URL: not stored.
            record(check, store=False)
        todo: list[str] = []
        fresh = {} if settings.refresh else project.cached_checks(fetch, settings.max_age)
        for url in fetch:
            cached = fresh.get(url)
            if cached is not None:
                record(cached, store=False)
            else:
                todo.append(url)
        report()
        if todo and not cancel.is_set():
            check_urls(todo, settings.engine, record, cancel=cancel)
    finally:
        writer.close()  # every result decided so far is written before we go on
    results.cancelled = cancel.is_set()
    # Failing-since dates come from the whole history, this run included (only a failing
    # check has one).
    history = project.latest_checks(
        [url for url, check in results.checks.items() if check.verdict in NOT_OK]
    )
    for url, check in results.checks.items():
        past = history.get(url)
        if past is not None:
            check.first_failure, check.last_failure = past.first_failure, past.last_failure
    if settings.archive != "none" and not results.cancelled:
        _archive(inv, project, settings, results, state, report, cancel, on_archive)
    return results


def _as_of_by_url(inv: Inventory, settings: CheckSettings) -> dict[str, date]:
    """The date each URL was cited: --as-of, else its document's date, else today."""
    today = datetime.now(UTC).date()
    doc_dates: dict[str, date] = {}
    for doc in inv.documents:
        try:
            doc_dates[doc.path] = date.fromisoformat((doc.date or "")[:10])
        except ValueError:
            doc_dates[doc.path] = today
    out: dict[str, date] = {}
    for link in inv.links:
        if link.url and link.url not in out:
            out[link.url] = settings.as_of or doc_dates.get(link.document, today)
    return out


def _archive(
    inv: Inventory,
    project: Project,
    settings: CheckSettings,
    results: Results,
    state: Progress,
    report: Callable[[], None],
    cancel: threading.Event,
    on_archive: Callable[[Archive], None] | None = None,
) -> None:
    """Wayback lookups for the links that need them, each asked at most once per week."""
    tell = on_archive or (lambda archive: None)
    wanted = [
        url
        for url, check in results.checks.items()
        if urlsplit(url).scheme in FETCHED_SCHEMES
        and (settings.archive == "all" or check.verdict not in (OK, REDIRECTED, SKIPPED))
    ]
    if not wanted:
        return
    as_of = _as_of_by_url(inv, settings)
    today = datetime.now(UTC).date()
    finished = threading.Event()
    with Wayback(wayback_options_from_env(settings.wayback)) as client:
        # Closing the client wakes a lookup waiting for its turn, so Cancel is prompt.
        watcher = threading.Thread(
            target=_close_on_cancel, args=(client, cancel, finished), daemon=True
        )
        watcher.start()
        try:
            state.phase, state.done, state.total = "archive", 0, len(wanted)
            report()
            for url in wanted:
                if cancel.is_set():
                    break
                day = as_of.get(url, today)
                archive = (
                    None if settings.refresh else project.cached_archive(url, day, ARCHIVE_MAX_AGE)
                )
                if archive is None:
                    archive = client.lookup(url, day)
                    if archive.error is None:
                        project.add_archive(archive, day)
                results.archives[url] = archive
                tell(archive)
                state.done += 1
                report()
            if settings.save_missing and not cancel.is_set():
                _save_missing(client, project, results, state, report, cancel, as_of, today, tell)
        finally:
            finished.set()
            watcher.join()
    if cancel.is_set():
        results.cancelled = True


def _close_on_cancel(client: Wayback, cancel: threading.Event, finished: threading.Event) -> None:
    while not finished.wait(0.1):
        if cancel.is_set():
            client.close()
            return


def _save_missing(
    client: Wayback,
    project: Project,
    results: Results,
    state: Progress,
    report: Callable[[], None],
    cancel: threading.Event,
    as_of: dict[str, date],
    today: date,
    tell: Callable[[Archive], None],
) -> None:
    """Ask Save Page Now to capture live links the archive has never seen."""
    missing = [
        url
        for url, archive in results.archives.items()
        if archive.snapshot_count == 0
        and archive.error is None
        and results.checks[url].verdict in (OK, REDIRECTED, BLOCKED)
    ]
    state.phase, state.done, state.total = "saving", 0, len(missing)
    report()
    for url in missing:
        if cancel.is_set():
            return
        outcome = client.save_outcome(url)
        archive = results.archives[url]
        archive.saved = outcome.snapshot
        archive.save_error = None if outcome.state == "saved" else outcome.error
        project.add_archive(archive, as_of.get(url, today))
        tell(archive)
        state.done += 1
        report()
