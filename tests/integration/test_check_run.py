"""`citecheck check` end to end: local stand-ins for real sites, a fake Wayback, a real database."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
import trustme

from citecheck.check import CheckSettings, check_inventory
from citecheck.checking import EngineOptions
from citecheck.report import schema
from citecheck.scan import scan
from citecheck.store import Project
from citecheck.wayback import WaybackOptions
from fake_wayback import FakeWayback
from servers import LocalServer, page, status

DRAFT_URLS = {
    "https://belaruspartisan.by/": "ok",
    "http://partisanmag.by/?cat=104": "ok",
    "http://www.artmargins.com/index.php/2-articles/"
    "588-flashmob-divide-between-art-politics-belarus-long-versionarticles": "dead",
}


@pytest.fixture
def stand_ins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    """The draft's three sites on 127.0.0.1: HTTPS with a test CA, and plain HTTP."""
    ca = trustme.CA()
    ca_file = tmp_path / "test-ca.pem"
    ca_file.write_bytes(ca.cert_pem.bytes())
    import ssl

    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("belaruspartisan.by").configure_cert(tls)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_file))
    secure = LocalServer(tls=tls)
    plain = LocalServer()
    with secure, plain:
        secure.route("/", page("Belarus Partisan", "<h1>News</h1>"))
        plain.route("/", page("Partisan magazine", "<h1>Articles</h1>"))
        plain.route("/index.php/2-articles/*", status(404, "<title>Not Found</title>"))
        pins = {
            "belaruspartisan.by:443": ("127.0.0.1", secure.ports["127.0.0.1"]),
            "partisanmag.by:80": ("127.0.0.1", plain.ports["127.0.0.1"]),
            "www.artmargins.com:80": ("127.0.0.1", plain.ports["127.0.0.1"]),
        }
        yield {"pins": pins, "secure": secure, "plain": plain}


def _captures() -> dict[str, list[tuple[str, int]]]:
    return {
        url: [
            ("20090511120000", 200),
            ("20200915080000", 200),
            ("20201003090000", 302),
            ("20221101000000", 200),
        ]
        for url in DRAFT_URLS
    }


def test_corpus_draft_checked_against_stand_ins(
    corpus: Path, tmp_path: Path, stand_ins: dict[str, object]
) -> None:
    inv = scan([corpus / "cyber-partisans-draft.txt"])
    with FakeWayback(captures=_captures()) as wb, Project(tmp_path / "p.sqlite") as project:
        settings = CheckSettings(
            engine=EngineOptions(timeout=5, resolve=stand_ins["pins"]),  # type: ignore[arg-type]
            wayback=WaybackOptions(
                base_web=wb.base_web, base_api=wb.base_api, rate_per_minute=6000
            ),
            archive="all",
        )
        results = check_inventory(inv, project, settings)
    placeholders = [k for k in inv.links if k.placeholder is not None]
    assert len(placeholders) == 6
    assert {results.verdict(k) for k in placeholders} == {"placeholder"}
    for server in (stand_ins["secure"], stand_ins["plain"]):
        assert "#" not in "".join(server.stats.paths())  # type: ignore[attr-defined]
    assert {u: results.checks[u].verdict for u in DRAFT_URLS} == DRAFT_URLS, [
        results.checks[u].error for u in DRAFT_URLS
    ]
    for url in DRAFT_URLS:
        archive = results.archives[url]
        assert archive.snapshot_count == 3  # days with a 200 capture; the 302 is not one
        # The draft is dated October 2, 2020: the nearest good capture is September 15.
        assert archive.closest is not None and archive.closest.timestamp == "20200915080000"
        assert archive.first is not None and archive.first.timestamp.startswith("2009")
        assert archive.last is not None and archive.last.timestamp.startswith("2022")


def _doc(tmp_path: Path) -> Path:
    doc = tmp_path / "draft.md"
    doc.write_text(
        "---\ntitle: Test draft\ndate: 2021-06-01\n---\n\n"
        "The report [was published](http://news.citecheck-test.org/report) in 2020.\n\n"
        "It was [withdrawn](http://news.citecheck-test.org/gone) a year later.\n\n"
        "Figures [here](#) and [there](http://example.com/x).\n",
        encoding="utf-8",
    )
    return doc


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "citecheck.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_cli_check_reports_verdicts_archives_and_exit_codes(tmp_path: Path) -> None:
    server = LocalServer()
    captures = {"http://news.citecheck-test.org/gone": [("20210520000000", 200)]}
    with server, FakeWayback(captures=captures) as wb:
        server.route("/report", page("Annual report"))
        server.route("/gone", status(410, "<title>Gone</title>"))
        pin = f"news.citecheck-test.org:80:127.0.0.1:{server.ports['127.0.0.1']}"
        env = {"CITECHECK_WAYBACK_WEB": wb.base_web, "CITECHECK_WAYBACK_API": wb.base_api}
        db = str(tmp_path / "project.sqlite")
        args = ["check", str(_doc(tmp_path)), "--db", db, "--resolve", pin, "-f", "json"]
        first = _cli(*args, env=env)
        assert first.returncode == 1, first.stderr  # a dead link and placeholders
        data = json.loads(first.stdout)
        jsonschema.validate(data, schema())
        by_url = {k["url"] or k["raw"]: k for k in data["links"]}
        assert by_url["http://news.citecheck-test.org/report"]["check"]["verdict"] == "ok"
        gone = by_url["http://news.citecheck-test.org/gone"]
        assert gone["check"]["verdict"] == "dead" and gone["check"]["http_status"] == 410
        assert gone["check"]["first_failure"] == gone["check"]["checked_at"]
        assert gone["archive"]["closest_timestamp"] == "20210520000000"
        assert by_url["#"]["check"]["verdict"] == "placeholder"
        assert data["summary"]["verdicts"]["placeholder"] == 2
        assert wb.calls["cdx"] == 1  # only the failing link is looked up

        hits = len(server.stats.hits)
        again = _cli(*args, env=env)
        assert again.returncode == 1
        cached = json.loads(again.stdout)
        assert all(k["check"]["from_cache"] for k in cached["links"] if k["placeholder"] is None)
        assert len(server.stats.hits) == hits  # nothing fetched twice within --max-age
        assert wb.calls["cdx"] == 1  # and the archive is not asked again

        ok_only = _cli(*args, "--fail-on", "dead", "--exclude", "/gone$", env=env)
        assert ok_only.returncode == 0, ok_only.stderr
        junit = _cli(*args, "-f", "junit", env=env).stdout
        assert "<testsuite" in junit and 'type="dead"' in junit
    bad = _cli("check", str(tmp_path / "draft.md"), "--fail-on", "broken")
    assert bad.returncode == 2 and "unknown verdict" in bad.stderr and "Traceback" not in bad.stderr


def test_killed_check_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    """kill -9 in the middle of a real `citecheck check`, then run it again."""
    server = LocalServer(latency=0.05)
    n = 200
    doc = tmp_path / "many.md"
    doc.write_text(
        "\n\n".join(f"Item [{i}](http://slow.citecheck-test.org/p/{i})." for i in range(n)),
        encoding="utf-8",
    )
    db = tmp_path / "project.sqlite"
    with server:
        server.route("/p/*", page("A page"))  # a made-up path gets 404: no soft-404
        pin = f"slow.citecheck-test.org:80:127.0.0.1:{server.ports['127.0.0.1']}"
        args = [
            sys.executable,
            "-m",
            "citecheck.cli",
            "check",
            str(doc),
            "--db",
            str(db),
            "--resolve",
            pin,
            "--no-archive",
            "--per-host",
            "2",
            "--no-claims",
            "-f",
            "json",
        ]
        child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        written = 0
        while time.monotonic() < deadline and written < n // 4:
            time.sleep(0.2)
            if db.exists():
                try:
                    with sqlite3.connect(db, timeout=5) as con:
                        written = con.execute("SELECT count(*) FROM checks").fetchone()[0]
                except sqlite3.OperationalError:
                    pass
        assert child.poll() is None, "the run finished before it could be killed"
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        with sqlite3.connect(db) as con:
            before = {
                row[0]
                for row in con.execute("SELECT u.url FROM checks c JOIN urls u ON u.id = c.url_id")
            }
        assert 0 < len(before) < n
        resumed = subprocess.run(args, capture_output=True, text=True, timeout=120)
        assert resumed.returncode == 0, resumed.stderr
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "SELECT u.url, count(*) FROM checks c JOIN urls u ON u.id = c.url_id GROUP BY u.url"
        ).fetchall()
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert len(rows) == n  # every URL checked
    assert all(count == 1 for _, count in rows)  # none twice: the resumed run reused results
    assert before <= {url for url, _ in rows}


def test_host_gap_and_burst_reach_the_engine(tmp_path: Path) -> None:
    doc = tmp_path / "paced.md"
    doc.write_text(
        "\n\n".join(f"Item [{i}](http://paced.citecheck-test.org/p/{i})." for i in range(4)),
        encoding="utf-8",
    )
    with LocalServer() as server:
        server.route("/p/*", page("A page"))
        pin = f"paced.citecheck-test.org:80:127.0.0.1:{server.ports['127.0.0.1']}"
        common = ["check", str(doc), "--db", str(tmp_path / "p.sqlite"), "--resolve", pin]
        common += ["--no-archive", "--no-claims", "--refresh", "-f", "json"]
        strict = _cli(*common, "--host-gap", "0.2", "--host-burst", "1")
        assert strict.returncode == 0, strict.stderr
        starts = sorted(h.at for h in server.stats.hits)
        assert len(starts) == 5  # four links and the site's soft-404 probe
        assert min(b - a for a, b in zip(starts, starts[1:], strict=False)) >= 0.185
        bad = _cli(*common, "--host-burst", "0")
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and "--host-burst" in bad.stderr
