"""Start the citecheck window: `citecheck gui [PATH…]` and the `citecheck-gui` launcher."""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from citecheck import __version__

from . import appearance

APP_ID = "io.github.citecheck.Citecheck"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="citecheck-gui", description="Open documents, folders or a project in a window."
    )
    p.add_argument(
        "paths", nargs="*", metavar="PATH", help="documents, folders or a .citecheck project"
    )
    p.add_argument("--version", action="version", version=f"citecheck {__version__}")
    p.add_argument(
        "--quit-after",
        type=int,
        metavar="MS",
        help=argparse.SUPPRESS,  # smoke tests: start, show the window, quit after MS
    )
    return p


_SWITCH_INTERVAL = 0.0001  # seconds
_WARM_UP_MS = 1500


def application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, created once, named for QSettings and following the system palette."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(["citecheck", *(argv or [])])
    # Every paint calls back into Python many times (one model call per cell), and each call
    # waits for the GIL while a worker thread (a scan, claims, a check's relay) holds it: the
    # default 5 ms switch interval turns a paint into a stall of a tenth of a second or more.
    # Measured with benchmarks/gui_bench.py when checks still ran on a thread: 0.5 ms left
    # stalls of 150-240 ms, 0.1 ms brought them to 60-150 ms (checks now run in a process).
    sys.setswitchinterval(_SWITCH_INTERVAL)
    app.setApplicationName("citecheck")
    app.setOrganizationName("citecheck")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    appearance.follow_system(app)
    app.setWindowIcon(appearance.icon("citecheck"))
    # Once the window is up and any documents named on the command line are read.
    QTimer.singleShot(_WARM_UP_MS, _warm_up_checks)
    return app


def _warm_up_checks() -> None:
    """Have the process that runs checks ready before the first one (see check_process)."""
    from citecheck.check_process import warm_up

    threading.Thread(target=_quietly(warm_up), name="citecheck-warm-up", daemon=True).start()


def _quietly(work: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            work()
        except Exception:  # noqa: BLE001 - a check will start its own process if this failed
            pass

    return run


def main(argv: list[str] | None = None) -> int:
    """Open a window on the paths given; returns the exit code when the window closes."""
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    app = application()
    from .window import MainWindow

    window = MainWindow()
    window.show()
    if args.paths:
        window.open_paths(args.paths)
    if args.quit_after is not None:
        QTimer.singleShot(args.quit_after, window.close)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
