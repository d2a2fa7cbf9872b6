"""Run `check_inventory` in a process of its own and hear its results as they arrive.

A window that checks links on one of its own threads shares the interpreter lock with the
engine: every Qt-to-Python call while painting waits for the engine's next switch, and a
2,000-link check stalled the window for up to 150 ms. In a child process the engine has a whole
interpreter (and, on a two-core laptop, a core) to itself; the parent only reads small batches
from a pipe.

The child owns the project database for the run and writes each result as it arrives, exactly
as `citecheck check` does, so a killed window loses no more than a killed CLI. It is started
with forkserver where there is one (never a bare fork of a process running a GUI's threads),
with spawn in a frozen app, and is stopped when the parent cancels, dies or goes away.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from citecheck.check import CheckSettings, Progress, Results
    from citecheck.model import Inventory
    from citecheck.verdict import Archive, Check

BATCH_SECONDS = 0.05  # how often the child sends what it found: 20 small batches a second
BATCH_MAX = 500  # results per batch at most, so no single message is long to read
NICENESS = 5  # the child's lower CPU priority (Unix)
STOP_SECONDS = 10.0  # how long a cancelled child may take to finish its in-flight writes


class CheckProcessError(RuntimeError):
    """The child stopped without reporting (killed, out of memory, could not start)."""


def _context() -> Any:  # a ForkServerContext or a SpawnContext
    methods = multiprocessing.get_all_start_methods()
    frozen = getattr(sys, "frozen", False)  # a PyInstaller app can only spawn itself
    return multiprocessing.get_context(
        "forkserver" if "forkserver" in methods and not frozen else "spawn"
    )


def warm_up() -> None:
    """Start the forkserver now, with the engine imported in it, so a check starts sooner.

    Call early (a window calls it on a thread at start-up). Each check's child is then forked
    from a server that already holds the engine's modules, instead of importing them first.
    """
    context = _context()
    if context.get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver

    context.set_forkserver_preload(["citecheck.check", "citecheck.store"])
    forkserver.ensure_running()


def check_in_process(
    inv: Inventory,
    project_path: str | Path,
    settings: CheckSettings,
    *,
    progress: Callable[[Progress], None] | None = None,
    cancel: threading.Event | None = None,
    on_check: Callable[[Check], None] | None = None,
    on_archive: Callable[[Archive], None] | None = None,
) -> Results:
    """`check_inventory` run in a child process; the callbacks run on the calling thread.

    Blocks until the run ends, like `check_inventory`; setting `cancel` stops the child the
    way Ctrl-C stops the CLI (what was checked is kept). An error raised in the child is raised
    here; a child that dies without a word raises CheckProcessError.
    """
    if settings.engine.on_page is not None:
        raise ValueError("an on_page callback cannot cross into another process")
    context = _context()
    receive, send = context.Pipe(duplex=False)  # results, child to parent
    control, stop = context.Pipe(duplex=False)  # "stop", parent to child; closing it stops too
    child = context.Process(
        target=_child,
        args=(inv, str(project_path), settings, send, control, dict(os.environ)),
        name="citecheck-check",
        daemon=True,  # never outlives the window
    )
    child.start()
    send.close()  # the child's ends: once the child exits, reading here ends with EOFError
    control.close()
    stopping = False
    try:
        while True:
            if cancel is not None and cancel.is_set() and not stopping:
                _send(stop, "stop")
                stopping = True
            if not receive.poll(BATCH_SECONDS):
                continue
            try:
                kind, payload = receive.recv()
            except EOFError:
                child.join(STOP_SECONDS)
                raise CheckProcessError(
                    f"the check stopped unexpectedly (exit code {child.exitcode})"
                ) from None
            if kind == "batch":
                checks, archives, state = payload
                if on_check is not None:
                    for check in checks:
                        on_check(check)
                if on_archive is not None:
                    for archive in archives:
                        on_archive(archive)
                if state is not None and progress is not None:
                    progress(state)
            elif kind == "done":
                results: Results = payload
                return results
            else:  # "error"
                raise payload
    finally:
        stop.close()  # a child still running sees the end of its control pipe and stops
        child.join(STOP_SECONDS)
        if child.is_alive():
            child.terminate()
            child.join(1.0)
        receive.close()


class _Outbox:
    """What the engine's threads found, sent to the parent in batches by one sender thread."""

    def __init__(self, conn: Connection, gone: threading.Event) -> None:
        self._conn, self._gone = conn, gone
        self._lock = threading.Lock()
        self._checks: list[Check] = []
        self._archives: list[Archive] = []
        self._state: Progress | None = None
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._run, name="citecheck-outbox", daemon=True)
        self._thread.start()

    def check(self, check: Check) -> None:
        with self._lock:
            self._checks.append(check)

    def archive(self, archive: Archive) -> None:
        with self._lock:
            self._archives.append(archive)

    def progress(self, state: Progress) -> None:
        with self._lock:
            self._state = replace(state, verdicts=state.verdicts.copy())

    def _flush(self) -> bool:
        with self._lock:
            checks, self._checks = self._checks[:BATCH_MAX], self._checks[BATCH_MAX:]
            archives, self._archives = self._archives[:BATCH_MAX], self._archives[BATCH_MAX:]
            state, self._state = self._state, None
            more = bool(self._checks or self._archives)
        if checks or archives or state is not None:
            self.send(("batch", (checks, archives, state)))
        return more

    def send(self, message: tuple[str, Any]) -> None:
        try:
            self._conn.send(message)
        except (BrokenPipeError, ConnectionResetError, EOFError):
            self._gone.set()  # the parent is gone: stop checking for nobody

    def _run(self) -> None:
        while not self._closed.is_set():
            if not self._flush():
                self._closed.wait(BATCH_SECONDS)

    def close(self) -> None:
        """Send everything still held; afterwards only this thread's caller sends."""
        self._closed.set()
        self._thread.join()
        while self._flush():
            pass


def _child(
    inv: Inventory,
    project_path: str,
    settings: CheckSettings,
    conn: Connection,
    control: Connection,
    environ: dict[str, str],
) -> None:
    # A forkserver child inherits the server's environment, not the window's as it is now.
    os.environ.clear()
    os.environ.update(environ)
    # Background work: where cores are scarce the window the editor is looking at goes first.
    # The engine mostly waits on the network, so this costs it little.
    if hasattr(os, "nice"):
        try:
            os.nice(NICENESS)
        except OSError:
            pass
    cancel = threading.Event()

    def watch() -> None:
        # A word from the parent, or the end of the pipe (the parent closed it or died).
        # Plain pipes, not a multiprocessing Event: a thread killed inside Event.wait when
        # this process exits would leave the parent's next Event.set waiting forever.
        try:
            control.recv()
        except (EOFError, OSError):
            pass
        cancel.set()

    outbox = _Outbox(conn, cancel)
    threading.Thread(target=watch, name="citecheck-watch", daemon=True).start()
    try:
        from citecheck.check import check_inventory
        from citecheck.store import Project

        project = Project(project_path)
        try:
            results = check_inventory(
                inv,
                project,
                settings,
                progress=outbox.progress,
                cancel=cancel,
                on_check=outbox.check,
                on_archive=outbox.archive,
            )
        finally:
            project.close()
    except BaseException as e:  # noqa: BLE001 - every failure goes back to the parent
        outbox.close()
        outbox.send(("error", _picklable(e)))
    else:
        outbox.close()
        outbox.send(("done", results))
    finally:
        cancel.set()
        conn.close()


def _send(conn: Connection, message: str) -> None:
    try:
        conn.send(message)
    except OSError:  # BrokenPipeError and kin: the child has already gone
        pass


def _picklable(error: BaseException) -> BaseException:
    """`error` itself when it survives pickling, else a RuntimeError with its words."""
    import pickle

    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # noqa: BLE001 - any failure to round-trip means "send words instead"
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error
