"""The project database on real SQLite files: schema, round trips, history, damage, threads."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import fields, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from citecheck import store, store_schema
from citecheck.model import (
    PLACEHOLDER,
    SOURCED,
    UNSOURCED,
    Claim,
    Document,
    Inventory,
    Link,
    Location,
    Problem,
)
from citecheck.scan import scan
from citecheck.store import Project, StoreError
from citecheck.verdict import DEAD, OK, TIMEOUT, Archive, Check, Redirect, Snapshot

SAMPLES = Path(__file__).resolve().parents[2] / "resources" / "samples"
T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


def inventory() -> Inventory:
    a = Document(
        "notes/a.md",
        "markdown",
        "the text of A",
        title="A",
        date="2024-01-02",
        problems=[Problem("notes/a.md", "mojibake", "the text shows a wrong decoding", 3, "Ã©")],
    )
    b = Document("b.html", "html", "the text of B", encoding="windows-1252")
    links = [
        Link(
            "notes/a.md",
            10,
            "https://example.org/x",
            "https://example.org/x",
            "x",
            "inline",
            None,
            30,
            False,
            2,
            5,
            "L1",
        ),  # fmt: skip
        Link("notes/a.md", 40, "", None, "link", "marker", "empty", 46, False, 3, 1, "L2"),
        Link(
            "notes/a.md",
            50,
            "https://u:pw@example.org/y",
            "https://u:pw@example.org/y",
            "",
            "bare",
            None,
            70,
            True,
            4,
            2,
            "L3",
        ),  # fmt: skip
        Link(
            "b.html",
            5,
            "/x",
            "https://example.org/x",
            "é ünïcode",
            "html",
            None,
            20,
            False,
            1,
            6,
            "L4",
        ),  # fmt: skip
    ]
    claims = [
        Claim(
            "notes/a.md",
            2,
            1,
            "In 2023, 40% of the water left.",
            ["quantity", "temporal"],
            0.912,
            ["L1", "L3"],
            SOURCED,
            [Location("notes/a.md", 2, 1), Location("notes/a.md", 9, 4)],
            "C1",
        ),  # fmt: skip
        Claim(
            "notes/a.md",
            3,
            1,
            "Floods caused it.",
            ["causal"],
            0.5,
            ["L2"],
            PLACEHOLDER,
            [Location("notes/a.md", 3, 1)],
            "C2",
        ),  # fmt: skip
        Claim(
            "b.html",
            1,
            1,
            "Nobody said so.",
            [],
            0.7,
            [],
            UNSOURCED,
            [Location("b.html", 1, 1)],
            "C3",
        ),  # fmt: skip
    ]
    return Inventory(documents=[a, b], links=links, claims=claims, problems=list(a.problems))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "project.citecheck.sqlite"


@pytest.fixture
def project(db_path: Path) -> Iterator[Project]:
    with Project(db_path) as p:
        yield p


def pragma(path: Path, name: str) -> object:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        conn.close()


# -- opening and schema -----------------------------------------------------------------------


def test_create_sets_version_wal_and_connection_settings(db_path: Path) -> None:
    with Project(db_path) as p:
        assert p.path == db_path
        conn = p._db().conn
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000
    assert pragma(db_path, "user_version") == store_schema.latest() == 2
    assert pragma(db_path, "journal_mode") == "wal"
    assert pragma(db_path, "application_id") == store_schema.APPLICATION_ID


def test_default_path_is_in_the_user_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("platformdirs.user_data_dir", lambda *a, **k: str(tmp_path / "d"))
    with Project() as p:
        assert p.path == tmp_path / "d" / "default.citecheck.sqlite"
    assert p.path.is_file()


def test_reopen_keeps_everything(db_path: Path) -> None:
    with Project(db_path) as p:
        p.save_inventory(inventory())
        p.add_check(Check("https://example.org/x", OK, checked_at=at(0)))
        p.mark_reviewed("https://example.org/x", "fine")
    with Project(db_path) as p:
        assert [d.path for d in p.documents()] == ["notes/a.md", "b.html"]
        assert len(p.links()) == 4
        assert p.latest_checks()["https://example.org/x"].verdict == OK
        assert p.reviewed() == {"https://example.org/x"}


def test_a_v1_database_is_migrated_with_its_data(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as m:
        m.setattr(store_schema, "MIGRATIONS", store_schema.MIGRATIONS[:1])
        with Project(db_path) as p:
            p.save_inventory(inventory())
            p.add_check(Check("https://example.org/x", DEAD, checked_at=at(0)))
    assert pragma(db_path, "user_version") == 1
    with Project(db_path) as p:
        assert p.links() == inventory().links
        assert p.latest_checks()["https://example.org/x"].first_failure == at(0)
        p.add_archive(Archive("https://example.org/x", 3, checked_at=at(1)), date(2024, 1, 1))
        p.mark_reviewed("https://example.org/x")
    assert pragma(db_path, "user_version") == 2


def test_a_failed_migration_leaves_the_file_at_its_version(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Project(db_path).close()

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("bug in migration 3")

    monkeypatch.setattr(store_schema, "MIGRATIONS", [*store_schema.MIGRATIONS, broken])
    with pytest.raises(RuntimeError):
        Project(db_path)
    assert pragma(db_path, "user_version") == 2
    conn = sqlite3.connect(db_path)
    found = conn.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").fetchone()
    conn.close()
    assert found == (0,)


def test_a_newer_database_is_refused_untouched(db_path: Path) -> None:
    Project(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(StoreError, match="was made by a newer citecheck") as e:
        Project(db_path)
    assert "\n" not in str(e.value)
    assert db_path.read_bytes() == before


def test_another_programs_database_is_refused_untouched(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE bookmarks (url TEXT)")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(StoreError, match="not a citecheck project"):
        Project(db_path)
    assert db_path.read_bytes() == before


def test_a_versioned_database_without_our_id_is_refused(db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 2")
    conn.close()
    with pytest.raises(StoreError, match="not a citecheck project"):
        Project(db_path)


def test_an_empty_file_becomes_a_project(db_path: Path) -> None:
    db_path.touch()
    with Project(db_path) as p:
        p.mark_reviewed("https://example.org/")
    assert pragma(db_path, "user_version") == 2


def test_a_file_that_is_not_sqlite_is_refused_untouched(db_path: Path) -> None:
    db_path.write_bytes(b"# My notes\n\nnot a database at all\n" * 50)
    before = db_path.read_bytes()
    with pytest.raises(StoreError, match="not a SQLite database") as e:
        Project(db_path)
    assert "\n" not in str(e.value)
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in db_path.parent.iterdir()) == [db_path.name]


def test_a_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        Project(tmp_path)


def _filled(db_path: Path) -> bytes:
    with Project(db_path) as p:
        p.save_inventory(inventory())
        for i in range(500):
            p.add_check(Check(f"https://example.org/{i}", OK, title="a page " * 40))
    assert not Path(f"{db_path}-wal").exists()  # checkpointed on close: all in the file
    return db_path.read_bytes()


def _truncate_half(data: bytearray) -> bytes:
    return bytes(data[: len(data) // 2])


def _truncate_odd(data: bytearray) -> bytes:
    return bytes(data[: len(data) - 3000])


def _garbage_middle(data: bytearray) -> bytes:
    page = int.from_bytes(data[16:18], "big")
    for n in range(3, len(data) // page, 2):
        data[n * page : n * page + 200] = b"\xa5" * 200
    return bytes(data)


def _garbage_schema(data: bytearray) -> bytes:
    data[100:400] = b"\x5a" * 300  # page 1's b-tree header and the schema table's cells
    return bytes(data)


@pytest.mark.parametrize(
    "damage", [_truncate_half, _truncate_odd, _garbage_middle, _garbage_schema]
)
def test_a_damaged_database_is_refused_untouched(
    db_path: Path, damage: Callable[[bytearray], bytes]
) -> None:
    db_path.write_bytes(damage(bytearray(_filled(db_path))))
    before = db_path.read_bytes()
    with pytest.raises(StoreError, match="damaged|not a") as e:
        Project(db_path)
    assert "\n" not in str(e.value)
    assert db_path.read_bytes() == before


def test_a_file_locked_too_long_gives_a_plain_error(db_path: Path) -> None:
    Project(db_path).close()
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with Project(db_path, timeout=0.2) as p:
            assert p.latest_checks() == {}  # readers are not blocked by a writer under WAL
            start = time.monotonic()
            with pytest.raises(StoreError, match="is busy") as e:
                p.add_check(Check("https://user:secret@example.org/", OK))
            assert time.monotonic() - start >= 0.2
            assert "secret" not in str(e.value)
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_closed_project_says_so(project: Project) -> None:
    project.close()
    with pytest.raises(StoreError, match="is closed"):
        project.links()


# -- scans ------------------------------------------------------------------------------------


def test_inventory_round_trips_field_by_field(project: Project) -> None:
    inv = inventory()
    project.save_inventory(inv)
    assert project.documents() == [replace(d, text="") for d in inv.documents]
    assert project.links() == inv.links
    assert project.claims() == inv.claims
    assert project.links("b.html") == inv.links[3:]
    assert project.claims("b.html") == inv.claims[2:]
    assert project.links("missing.md") == []
    assert project.fingerprints() == {d.path: store.fingerprint(d.text) for d in inv.documents}


def test_a_real_scan_round_trips(project: Project) -> None:
    inv = scan([SAMPLES])
    assert inv.links and inv.claims
    project.save_inventory(inv)
    assert project.links() == inv.links
    assert project.claims() == inv.claims
    assert [d.title for d in project.documents()] == [d.title for d in inv.documents]


def test_rescanning_a_document_replaces_only_its_links(project: Project) -> None:
    inv = inventory()
    project.save_inventory(inv)
    first_b = project.documents()[1]
    # A fresh scan of b.html alone numbers from L1/C1 and finds one link and no claims.
    again = Document("b.html", "html", "new text of B", title="B, revised")
    link = Link("b.html", 3, "https://new.example/", "https://new.example/", "new", "inline",
                None, 25, False, 1, 4, "L1")  # fmt: skip
    project.save_inventory(Inventory(documents=[again], links=[link]))
    assert project.links("notes/a.md") == inv.links[:3]
    assert project.claims("notes/a.md") == inv.claims[:2]
    assert project.links("b.html") == [replace(link, id="L4")]  # numbered after a.md's links
    assert project.claims("b.html") == []
    docs = project.documents()
    assert [d.path for d in docs] == ["notes/a.md", "b.html"]
    assert docs[1].title == "B, revised" and docs[1] != first_b
    assert project.fingerprints()["b.html"] == store.fingerprint("new text of B")


def test_an_inventory_that_contradicts_itself_writes_nothing(project: Project) -> None:
    inv = inventory()
    inv.claims[2].citations = ["L1"]  # a link of another document
    with pytest.raises(ValueError, match="cites L1"):
        project.save_inventory(inv)
    assert project.documents() == []


# -- checks -----------------------------------------------------------------------------------


def test_cached_check_respects_max_age_to_the_microsecond(project: Project) -> None:
    check = Check("https://example.org/x", OK, http_status=200, checked_at=T0.isoformat())
    project.add_check(check)
    day = timedelta(days=1)
    hit = project.cached_check(check.url, day, now=T0 + day - timedelta(microseconds=1))
    assert hit is not None and hit.from_cache and hit.http_status == 200
    assert project.cached_check(check.url, day, now=T0 + day) is None
    assert project.cached_check("https://example.org/never", day, now=T0) is None
    # Without `now`, the real clock: a check made just now is fresh.
    project.add_check(Check("https://example.org/now", OK))
    assert project.cached_check("https://example.org/now", timedelta(minutes=1)) is not None


def test_check_round_trips(project: Project) -> None:
    check = Check(
        "https://example.org/a?b=c#d",
        "redirected",
        http_status=301,
        final_url="https://example.org/new",
        redirects=[Redirect(301, "https://example.org/mid"), Redirect(308, "https://e.org/n")],
        content_type="text/html; charset=utf-8",
        elapsed=1.25,
        attempts=2,
        error=None,
        checked_at="2024-05-01T12:00:00Z",
        title="Ünïcode title",
    )
    project.add_check(check)
    assert project.latest_checks()[check.url] == replace(check, from_cache=True)


def test_history_is_append_only_and_gives_the_current_run_of_failures(
    db_path: Path, project: Project
) -> None:
    url, other = "https://example.org/gone", "https://example.org/flaky"
    project.add_check(Check(url, OK, checked_at=at(0)))
    project.add_check(Check(url, DEAD, checked_at=at(10)))
    project.add_check(Check(url, DEAD, http_status=404, checked_at=at(20)))
    # Recorded out of order: ordering is by time, not by arrival.
    project.add_check(Check(other, TIMEOUT, checked_at=at(5)))
    project.add_check(Check(other, DEAD, checked_at=at(1)))
    latest = project.latest_checks()
    assert (latest[url].verdict, latest[url].http_status) == (DEAD, 404)
    assert (latest[url].first_failure, latest[url].last_failure) == (at(10), at(20))
    assert (latest[other].first_failure, latest[other].last_failure) == (at(1), at(5))

    project.add_check(Check(url, OK, checked_at=at(30)))
    now_ok = project.latest_checks([url])
    assert list(now_ok) == [url]
    assert (now_ok[url].first_failure, now_ok[url].last_failure) == (None, None)
    project.add_check(Check(url, DEAD, checked_at=at(40)))
    again = project.latest_checks([url])[url]
    assert (again.first_failure, again.last_failure) == (at(40), at(40))

    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM checks").fetchone() == (7,)
    conn.close()


def test_latest_checks_of_many_urls(project: Project) -> None:
    urls = [f"https://example.org/{i}" for i in range(1200)]  # more than one chunk
    for u in urls:
        project.add_check(Check(u, OK, checked_at=at(0)))
    assert set(project.latest_checks(urls[::2] + ["https://unknown.example/"])) == set(urls[::2])
    assert len(project.latest_checks()) == 1200


def test_a_cached_check_is_not_added_again(db_path: Path, project: Project) -> None:
    project.add_check(Check("https://example.org/x", OK, checked_at=at(0)))
    cached = project.cached_check("https://example.org/x", timedelta(days=1), now=T0)
    assert cached is not None
    project.add_check(cached)
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT count(*) FROM checks").fetchone() == (1,)
    conn.close()


def test_a_bad_timestamp_is_a_value_error(project: Project) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        project.add_check(Check("https://example.org/x", OK, checked_at="yesterday"))


def test_nothing_is_logged(project: Project, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    url = "https://editor:hunter2@example.org/private"
    project.add_check(Check(url, DEAD, checked_at=at(0)))
    project.mark_reviewed(url)
    project.latest_checks()
    assert caplog.records == []


# -- archives and reviews ---------------------------------------------------------------------


def test_archives_are_cached_per_as_of_date(project: Project) -> None:
    url = "https://example.org/x"
    snap = Snapshot("20200102030405", f"https://web.archive.org/web/20200102030405/{url}", 200)
    early = Archive(url, 12, closest=snap, first=snap, last=None, checked_at=at(0))
    later = Archive(url, 5000, count_capped=True, saved=Snapshot("20240501120000", "w", None),
                    save_error=None, checked_at=at(1))  # fmt: skip
    unsaved = Archive(url, 0, save_error="Save Page Now refused: too many requests",
                      checked_at=at(1))  # fmt: skip
    project.add_archive(early, date(2020, 1, 1))
    project.add_archive(later, date(2024, 5, 1))
    day = timedelta(days=1)
    assert project.cached_archive(url, date(2020, 1, 1), day, now=T0) == early
    assert project.cached_archive(url, date(2024, 5, 1), day, now=T0) == later
    project.add_archive(unsaved, date(2023, 1, 1))
    assert project.cached_archive(url, date(2023, 1, 1), day, now=T0) == unsaved
    assert project.cached_archive(url, date(2022, 1, 1), day, now=T0) is None
    assert project.cached_archive(url, date(2020, 1, 1), day, now=T0 + day) is None
    # A failed lookup is kept but not served; the last good one still is.
    project.add_archive(Archive(url, error="rate limited", checked_at=at(2)), date(2020, 1, 1))
    assert project.cached_archive(url, date(2020, 1, 1), day, now=T0) == early


def test_reviews(project: Project) -> None:
    assert project.reviewed() == set()
    project.mark_reviewed("https://example.org/x", "checked by hand")
    project.mark_reviewed("https://example.org/y")
    project.mark_reviewed("https://example.org/x", "still fine")
    assert project.reviewed() == {"https://example.org/x", "https://example.org/y"}
    assert project.reviews()["https://example.org/x"].note == "still fine"
    project.unmark_reviewed("https://example.org/y")
    project.unmark_reviewed("https://example.org/never-marked")
    assert project.reviewed() == {"https://example.org/x"}


def test_the_store_knows_every_field() -> None:
    # A field added to one of these types must get a column (and a migration once released),
    # or the store would drop it without a word. Update this list together with the schema.
    stored = {
        Document: "path format text title date encoding problems",
        Link: "document offset raw url text kind placeholder end in_code line column id",
        Claim: "document line column text kinds score citations status locations id",
        Problem: "document kind message line excerpt",
        Location: "document line column",
        Check: "url verdict http_status final_url redirects content_type elapsed attempts error "
        "checked_at title from_cache first_failure last_failure",
        Archive: "url snapshot_count count_capped closest first last saved save_error "
        "checked_at error",
        Snapshot: "timestamp url status",
        Redirect: "status url",
    }
    for kind, names in stored.items():
        assert {f.name for f in fields(kind)} == set(names.split()), kind.__name__


# -- threads and other programs ---------------------------------------------------------------


def test_a_writer_thread_and_readers_do_not_lock_each_other_out(db_path: Path) -> None:
    errors: list[BaseException] = []
    done = threading.Event()
    n = 400

    with Project(db_path) as gui, Project(db_path) as cli:  # two programs on one file

        def worker() -> None:  # the GUI's worker writing results as they arrive
            try:
                for i in range(n):
                    gui.add_check(Check(f"https://example.org/{i}", OK))
            except BaseException as e:
                errors.append(e)
            finally:
                done.set()

        def reader() -> None:  # the GUI's main thread refreshing its tables
            try:
                while not done.is_set():
                    gui.latest_checks()
                    gui.links()
            except BaseException as e:
                errors.append(e)

        def other_program() -> None:  # the CLI rescanning and marking at the same time
            try:
                while not done.is_set():
                    cli.save_inventory(inventory())
                    cli.mark_reviewed("https://example.org/x")
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=f) for f in (worker, reader, reader, other_program)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert errors == []
        assert len(gui.latest_checks()) == n
        assert cli.links() == inventory().links
