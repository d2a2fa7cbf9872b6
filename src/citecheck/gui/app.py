"""Start the citecheck window: `citecheck gui [PATH…]` and the `citecheck-gui` launcher."""

from __future__ import annotations

import argparse
import sys

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


def application(argv: list[str] | None = None) -> QApplication:
    """The QApplication, created once, named for QSettings and following the system palette."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(["citecheck", *(argv or [])])
    # Every paint calls back into Python many times (one model call per cell), and each call
    # waits for the GIL while a check runs on a worker thread: the default 5 ms switch
    # interval turns a paint into a stall of a tenth of a second or more. Measured with
    # benchmarks/gui_bench.py: 0.5 ms left stalls of 150-240 ms, 0.1 ms brings them to
    # 60-150 ms, with no loss of check speed.
    sys.setswitchinterval(_SWITCH_INTERVAL)
    app.setApplicationName("citecheck")
    app.setOrganizationName("citecheck")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    appearance.follow_system(app)
    app.setWindowIcon(appearance.icon("citecheck"))
    return app


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
