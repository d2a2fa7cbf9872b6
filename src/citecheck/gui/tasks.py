"""Run core work off the GUI thread (Picard's run_task) with cancel tokens; a fake pool in tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

Work = Callable[[threading.Event], Any]
Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class Pool(Protocol):
    def start(self, runnable: QRunnable) -> None: ...
    def waitForDone(self, msecs: int = ...) -> bool: ...  # noqa: N802 - Qt's name
    def activeThreadCount(self) -> int: ...  # noqa: N802 - Qt's name


class SyncPool:
    """Runs each task at once on the calling thread, so GUI tests are deterministic."""

    def start(self, runnable: QRunnable) -> None:
        runnable.run()

    def waitForDone(self, msecs: int = -1) -> bool:  # noqa: N802 - Qt's name
        return True

    def activeThreadCount(self) -> int:  # noqa: N802 - Qt's name
        return 0


class _Relay(QObject):
    """Carries a task's outcome back to the GUI thread.

    Signals:
        finished(object, object): the result, or None and the exception raised.
    """

    finished = Signal(object, object)

    def __init__(self, deliver: Callable[[_Relay, Any, BaseException | None], None]) -> None:
        super().__init__()
        self._deliver = deliver
        # A slot of an object living on the GUI thread: the call is queued there.
        self.finished.connect(self._on_finished)

    def _on_finished(self, result: Any, error: BaseException | None) -> None:
        self._deliver(self, result, error)


class _Runnable(QRunnable):
    def __init__(self, work: Work, cancel: threading.Event, relay: _Relay) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._work, self._cancel, self._relay = work, cancel, relay

    def run(self) -> None:
        try:
            result, error = self._work(self._cancel), None
        except BaseException as e:  # noqa: BLE001 - every failure goes back to the window
            result, error = None, e
        self._relay.finished.emit(result, error)


class Task:
    """A handle on one running task: `cancel()` sets its token; `done` once it has reported."""

    def __init__(self, name: str, cancel: threading.Event) -> None:
        self.name = name
        self.token = cancel
        self.done = False

    def cancel(self) -> None:
        self.token.set()


class TaskRunner(QObject):
    """Starts work on a thread pool and calls back on the GUI thread with its result or error.

    Signals:
        busy_changed(bool): True when the first task starts, False when the last one ends.
    """

    busy_changed = Signal(bool)

    def __init__(self, pool: Pool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        if pool is None:
            qpool = QThreadPool(self)
            qpool.setMaxThreadCount(4)
            pool = qpool
        self.pool: Pool = pool
        self._running: dict[_Relay, Task] = {}

    def run(self, name: str, work: Work, done: Done, failed: Failed | None = None) -> Task:
        """Run `work(cancel_token)` off the GUI thread; then `done(result)` or `failed(error)`."""
        cancel = threading.Event()
        task = Task(name, cancel)
        relay = _Relay(lambda r, result, error: self._finish(r, result, error, done, failed))
        self._running[relay] = task
        if len(self._running) == 1:
            self.busy_changed.emit(True)
        self.pool.start(_Runnable(work, cancel, relay))
        return task

    def _finish(
        self,
        relay: _Relay,
        result: Any,
        error: BaseException | None,
        done: Done,
        failed: Failed | None,
    ) -> None:
        task = self._running.pop(relay, None)
        if task is not None:
            task.done = True
        try:
            if error is None:
                done(result)
            elif failed is not None:
                failed(error)
            else:
                raise error
        finally:
            if not self._running:
                self.busy_changed.emit(False)

    def tasks(self, name: str | None = None) -> list[Task]:
        return [t for t in self._running.values() if name is None or t.name == name]

    def cancel_all(self) -> None:
        for task in self._running.values():
            task.cancel()

    def shutdown(self, msecs: int = 30000) -> bool:
        """Cancel every task and wait for the workers to stop; False if one would not."""
        self.cancel_all()
        return self.pool.waitForDone(msecs)


class Inbox:
    """A thread-safe mailbox worker threads drop results into and the GUI empties on a timer.

    Only the newest progress report is kept: the window shows the state, not the history.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[tuple[str, Any]] = []
        self._progress: Any = None

    def put(self, kind: str, item: Any) -> None:
        with self._lock:
            self._items.append((kind, item))

    def progress(self, state: Any) -> None:
        with self._lock:
            self._progress = state

    def drain(self, limit: int | None = None) -> tuple[list[tuple[str, Any]], Any]:
        """The oldest `limit` items (None: all) and the newest progress report, if any."""
        with self._lock:
            if limit is None or len(self._items) <= limit:
                items, self._items = self._items, []
            else:
                items, self._items = self._items[:limit], self._items[limit:]
            progress, self._progress = self._progress, None
        return items, progress

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
