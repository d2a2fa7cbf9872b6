"""A check run killed with SIGKILL loses no committed result, and a rerun resumes where it died."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
N = 2000

# The shape of a real run: ask the cache first, check what is not fresh, store each result as it
# arrives, then report it. The pause stands in for the network, so the kill lands mid-run.
RUN = """
import sys, time
from datetime import timedelta
from citecheck.store import Project
from citecheck.verdict import Check

path, n, pause = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
with Project(path) as project:
    for i in range(n):
        url = f"https://example.org/page/{i}"
        if project.cached_check(url, timedelta(hours=1)) is not None:
            continue
        project.add_check(Check(url, "ok", http_status=200, attempts=1))
        print(url, flush=True)
        time.sleep(pause)
"""


def run(path: Path, pause: float) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]))
    return subprocess.Popen(
        [sys.executable, "-c", RUN, str(path), str(N), str(pause)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
@pytest.mark.parametrize("kill_after", [1, 1200])
def test_a_killed_run_loses_nothing_and_resumes(tmp_path: Path, kill_after: int) -> None:
    path = tmp_path / "crash.citecheck.sqlite"

    reported: list[str] = []
    with run(path, pause=0.001) as first:
        assert first.stdout is not None
        for line in first.stdout:
            reported.append(line.strip())
            if len(reported) == kill_after:
                os.kill(first.pid, signal.SIGKILL)
                break
        reported += first.stdout.read().split()  # what it printed before the signal landed
        first.wait(timeout=30)
    assert first.returncode == -signal.SIGKILL
    assert kill_after <= len(reported) < N, "the first run must die part-way"
    assert Path(f"{path}-wal").exists(), "killed without a clean close: recovery is exercised"

    with run(path, pause=0) as second:
        out, _ = second.communicate(timeout=120)
    assert second.returncode == 0
    resumed = out.split()

    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        counts = dict(
            conn.execute(
                "SELECT u.url, count(c.id) FROM urls u JOIN checks c ON c.url_id = u.id "
                "GROUP BY u.url"
            ).fetchall()
        )
    finally:
        conn.close()

    everything = {f"https://example.org/page/{i}" for i in range(N)}
    assert set(reported) <= set(counts), "a result the first run reported as written is lost"
    assert not set(resumed) & set(reported), "the resumed run rechecked a stored URL"
    assert len(resumed) == len(set(resumed))
    assert set(counts) == everything
    assert set(counts.values()) == {1}, "some URL was stored twice"
    # At most one result was committed but not yet reported when the signal landed.
    assert N - len(reported) - len(resumed) in (0, 1)
