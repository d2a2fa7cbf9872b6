"""`check_in_process`: the window's check, run in a child process against local servers."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from citecheck.check import CheckSettings
from citecheck.check_process import CheckProcessError, check_in_process
from citecheck.checking import EngineOptions
from citecheck.scan import scan
from citecheck.store import Project, StoreError
from servers import LocalServer, page, status


def _draft(path: Path, urls: list[str]) -> Path:
    lines = [f"Item {n} is [cited]({url}) here." for n, url in enumerate(urls)]
    path.write_text("\n\n".join([*lines, "A [placeholder](#) too."]) + "\n", encoding="utf-8")
    return path


def _routed(monkeypatch: pytest.MonkeyPatch, server: LocalServer) -> None:
    """Send every http request to `server`, as a proxy: public-looking names reach it."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", server.url(""))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


def _quick(**engine: object) -> CheckSettings:
    return CheckSettings(engine=EngineOptions(timeout=5, **engine), archive="none")  # type: ignore[arg-type]


def test_results_arrive_are_stored_and_follow_the_environment_of_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "p.citecheck"
    with LocalServer() as first:
        first.route("/a", page("A"))
        _routed(monkeypatch, first)
        inv = scan([_draft(tmp_path / "one.md", ["http://news.citecheck-test.org/a"])])
        assert (
            check_in_process(inv, db, _quick()).checks["http://news.citecheck-test.org/a"].verdict
            == "ok"
        )
    # A second run after the environment changed (another proxy): the child must use the
    # window's environment as it is now, not the one a reused forkserver started with.
    with LocalServer() as second:
        second.route("/b", page("B"))
        second.route("/gone", status(404, "<title>Not Found</title>"))
        _routed(monkeypatch, second)
        urls = ["http://news.citecheck-test.org/b", "http://news.citecheck-test.org/gone"]
        inv = scan([_draft(tmp_path / "two.md", urls)])
        seen: list[str] = []
        states: list[tuple[int, int]] = []
        caller = threading.get_ident()
        threads: set[int] = set()

        def on_check(check: object) -> None:
            threads.add(threading.get_ident())
            seen.append(check.url)  # type: ignore[attr-defined]

        def progress(state: object) -> None:
            states.append((state.done, state.total))  # type: ignore[attr-defined]

        results = check_in_process(inv, db, _quick(), on_check=on_check, progress=progress)
        assert second.stats.paths().count("/b") >= 1
    assert {u: results.checks[u].verdict for u in urls} == {urls[0]: "ok", urls[1]: "dead"}
    assert sorted(seen) == sorted(urls)
    assert threads == {caller}  # callbacks run on the calling thread, not a hidden one
    assert states and states[-1] == (2, 2)
    assert not results.cancelled
    with Project(db) as project:
        stored = project.latest_checks()
    assert set(stored) == {"http://news.citecheck-test.org/a", *urls}
    assert stored[urls[1]].http_status == 404


def test_cancel_stops_the_child_and_keeps_what_was_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "p.citecheck"
    with LocalServer(latency=0.3, default=page("Slow")) as slow:
        _routed(monkeypatch, slow)
        urls = [f"http://slow.citecheck-test.org/p{n}" for n in range(40)]
        inv = scan([_draft(tmp_path / "long.md", urls)])
        cancel = threading.Event()
        seen: list[str] = []

        def on_check(check: object) -> None:
            seen.append(check.url)  # type: ignore[attr-defined]
            if len(seen) >= 3:
                cancel.set()

        results = check_in_process(
            inv, db, _quick(concurrency=2, per_host=2), cancel=cancel, on_check=on_check
        )
    assert results.cancelled
    assert 3 <= len(results.checks) < 40
    assert not [p for p in multiprocessing.active_children() if p.name == "citecheck-check"]
    with Project(db) as project:
        assert set(project.latest_checks()) == set(results.checks)


def test_an_error_in_the_child_is_raised_here(tmp_path: Path) -> None:
    inv = scan([_draft(tmp_path / "d.md", ["http://news.citecheck-test.org/a"])])
    with pytest.raises(StoreError, match="cannot be opened"):
        check_in_process(inv, tmp_path / "no-such-folder" / "p.citecheck", _quick())


def test_a_child_killed_mid_run_is_reported_not_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with LocalServer(latency=0.3, default=page("Slow")) as slow:
        _routed(monkeypatch, slow)
        urls = [f"http://slow.citecheck-test.org/k{n}" for n in range(40)]
        inv = scan([_draft(tmp_path / "long.md", urls)])

        def on_check(check: object) -> None:
            for child in multiprocessing.active_children():
                if child.name == "citecheck-check" and child.pid is not None:
                    os.kill(child.pid, signal.SIGKILL)

        with pytest.raises(CheckProcessError, match="stopped unexpectedly"):
            check_in_process(
                inv, tmp_path / "p.citecheck", _quick(concurrency=2, per_host=2), on_check=on_check
            )


def test_a_warmed_up_forkserver_runs_checks(tmp_path: Path) -> None:
    # A fresh process, so the server starts here with the engine preloaded.
    doc = _draft(tmp_path / "d.md", [])
    code = f"""
import multiprocessing.forkserver as fs
from citecheck.check import CheckSettings
from citecheck.check_process import check_in_process, warm_up
from citecheck.scan import scan
if __name__ == "__main__":
    warm_up()
    assert fs._forkserver._forkserver_pid is not None, "no forkserver"
    assert "citecheck.check" in fs._forkserver._preload_modules
    results = check_in_process(scan([{str(doc)!r}]), {str(tmp_path / "p.citecheck")!r},
                               CheckSettings(archive="none"))
    print("checked", len(results.checks), results.cancelled)
"""
    script = tmp_path / "warm.py"
    script.write_text(code, encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "checked 0 False"
