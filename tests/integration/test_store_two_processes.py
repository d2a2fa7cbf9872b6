"""Two processes on one project: the window reads while a child process checks and writes."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from citecheck.store import Project
from citecheck.verdict import Check

SRC = Path(__file__).resolve().parents[2] / "src"

# Another process (the window's check child, or the CLI) writes one result and closes.
WRITE = """
import sys
from citecheck.store import Project
from citecheck.verdict import Check
with Project(sys.argv[1]) as project:
    project.add_check(Check(sys.argv[2], "dead", http_status=404, attempts=1))
"""


def write_elsewhere(path: Path, url: str) -> None:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    subprocess.run([sys.executable, "-c", WRITE, str(path), url], env=env, check=True, timeout=60)


def test_a_second_open_here_does_not_let_another_process_pull_the_wal_away(tmp_path: Path) -> None:
    path = tmp_path / "shared.citecheck"
    first = Project(path)
    try:
        first.add_check(Check("https://a.test/1", "ok", http_status=200, attempts=1))
        # Opening and closing the same file again in this process (a worker thread's Project)
        # must keep this process's locks: reading the header with open()/close() dropped them,
        # the other process then took the file for unused and deleted the WAL under `first`.
        Project(path).close()
        write_elsewhere(path, "https://a.test/2")
        assert Path(f"{path}-wal").exists()
        seen = first.latest_checks()
        assert set(seen) == {"https://a.test/1", "https://a.test/2"}
        assert seen["https://a.test/2"].http_status == 404
        first.add_check(Check("https://a.test/3", "ok", http_status=200, attempts=1))
    finally:
        first.close()
    with Project(path) as again:
        assert len(again.latest_checks()) == 3
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
