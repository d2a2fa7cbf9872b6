"""Window benchmarks: fill the Links table with 10,000 links; keep the event loop live in a check.

Run: `QT_QPA_PLATFORM=offscreen python benchmarks/gui_bench.py` (not a test). Prints:
- how long a 10,000-link document takes to scan, then to fill the table (target: under 1 s);
- the longest event-loop stall during a 2,000-link check against the local latency server,
  measured by a 10 ms QTimer probe (target: under 100 ms).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from PySide6.QtCore import QElapsedTimer, QSettings, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from citecheck.gui.app import application  # noqa: E402
from citecheck.gui.controller import Controller  # noqa: E402
from citecheck.gui.window import MainWindow  # noqa: E402

HOST = "reservoir-news.citecheck-fixture.org"


def draft(path: Path, n: int, hosts: int = 1) -> Path:
    """A draft citing `n` distinct URLs spread over `hosts` made-up public hosts."""
    lines = ["# Ten thousand sources", ""]
    for i in range(n):
        host = f"s{i % hosts}.{HOST}" if hosts > 1 else HOST
        lines.append(f"Item {i}: see [source {i}](http://{host}/article/{i}) for details.")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


class Probe:
    """Ticks every 10 ms; the longest gap between ticks is the longest the loop was blocked."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.longest = 0
        self.ticks = 0
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.clock.start()
        self.timer.start()

    def _tick(self) -> None:
        gap = self.clock.restart()
        self.ticks += 1
        self.longest = max(self.longest, gap)


def wait(app: QApplication, done: object, limit: float) -> float:
    start = time.perf_counter()
    while not done() and time.perf_counter() - start < limit:  # type: ignore[operator]
        app.processEvents()
        time.sleep(0.001)
    return time.perf_counter() - start


def window(app: QApplication, tmp: Path) -> MainWindow:
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "qs"))
    w = MainWindow(Controller(projects_dir=tmp / "projects", config_dir=tmp / "config"))
    w.resize(1400, 860)
    w.show()
    app.processEvents()
    return w


def bench_fill(app: QApplication, tmp: Path) -> None:
    doc = draft(tmp / "big.md", 10_000)
    w = window(app, tmp / "fill")
    started = time.perf_counter()
    w.controller.open_paths([str(doc)])
    opened = wait(app, lambda: bool(w.controller.session.inventory.links), 120)
    mark = time.perf_counter()
    probe = Probe()
    probe.start()
    wait(app, lambda: w.link_proxy.rowCount() == 10_000 and not w.links.pending(), 10)
    app.processEvents()
    w.link_table.viewport().repaint()
    filled = time.perf_counter() - mark
    total = time.perf_counter() - started
    t = time.perf_counter()
    w.filter.text.setText("article/99")
    app.processEvents()
    filtered = time.perf_counter() - t
    t = time.perf_counter()
    w.link_table.sortByColumn(1, w.link_table.horizontalHeader().sortIndicatorOrder())
    app.processEvents()
    sorted_ = time.perf_counter() - t
    print(f"10,000 links: scan {opened:.2f} s (worker thread; saving to the project follows)")
    print(f"10,000 links: table filled and painted {filled * 1000:.0f} ms after the scan")
    print(f"              longest event-loop stall while filling {probe.longest} ms")
    print(f"              open to painted table, all told {total:.2f} s")
    print(f"              text filter {filtered * 1000:.0f} ms, sort {sorted_ * 1000:.0f} ms")
    w.close()


_SERVER = """
import sys
sys.path.insert(0, {tests!r})
import servers
local = servers.LocalServer(latency={latency!r}, default=servers.page("Fine"), record=False)
local.start()
print(local.url(""), flush=True)
sys.stdin.read()  # serve until the benchmark closes our stdin
local.stop()
"""


def bench_check(app: QApplication, tmp: Path, n: int = 2000, latency: float = 0.05) -> None:
    # The server runs in a process of its own, as a real site would: in this process its
    # thread would compete with the window for the interpreter lock and distort the stalls.
    tests = str(Path(__file__).resolve().parents[1] / "tests")
    server = subprocess.Popen(
        [sys.executable, "-c", _SERVER.format(tests=tests, latency=latency)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None and server.stdin is not None
    os.environ["HTTP_PROXY"] = server.stdout.readline().strip()
    os.environ["NO_PROXY"] = os.environ["no_proxy"] = "127.0.0.1,localhost"
    try:
        # The engine spaces requests to one host; many hosts let 128 run at once, as in a real
        # bibliography. All of them reach the local server, set as the HTTP proxy.
        doc = draft(tmp / "check.md", n, hosts=100)
        w = window(app, tmp / "check")
        w.controller.values.update(archive="none", concurrency=128, per_host=8, timeout=20.0)
        w.controller.open_paths([str(doc)])
        wait(app, lambda: len(w.controller.session.inventory.links) == n, 60)
        wait(app, lambda: w.link_proxy.rowCount() == n, 10)
        # An editor presses Check once the document is open, claims included.
        wait(app, lambda: not w.controller.claims_pending(), 60)
        probe = Probe()
        probe.start()
        assert w.controller.start_check()
        took = wait(app, lambda: not w.controller.is_checking(), 600)
        checked = len(w.controller.session.checks)
        print(
            f"{n:,}-link check ({latency * 1000:.0f} ms server latency): {checked} results in "
            f"{took:.1f} s; longest event-loop stall {probe.longest} ms over {probe.ticks} probes"
        )
        w.close()
    finally:
        server.stdin.close()
        server.wait(10)


def main() -> None:
    app = application()
    with tempfile.TemporaryDirectory() as tmp:
        bench_fill(app, Path(tmp))
        bench_check(app, Path(tmp))


if __name__ == "__main__":
    main()
