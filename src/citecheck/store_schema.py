"""The project database's schema: one numbered migration per version (PRAGMA user_version)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

# "CCK\0" in PRAGMA application_id tells a citecheck project apart from other SQLite files.
APPLICATION_ID = 0x43434B00

# Written once at creation; plain key/value so later versions can add keys without a migration.
_META = """CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
)"""


def _v1(conn: sqlite3.Connection) -> None:
    """Scanned documents, their links, claims and text problems, and the live-check history."""
    for sql in (
        _META,
        """CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            path TEXT NOT NULL UNIQUE,
            format TEXT NOT NULL,
            title TEXT,
            date TEXT,
            encoding TEXT NOT NULL DEFAULT 'utf-8',
            sha256 TEXT NOT NULL,  -- of the decoded text, UTF-8 encoded
            scanned_at TEXT NOT NULL
        )""",
        """CREATE TABLE urls (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE
        )""",
        # Occurrences: replaced as a whole when their document is rescanned.
        """CREATE TABLE links (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,  -- 0-based order within the document
            url_id INTEGER REFERENCES urls(id),
            start_char INTEGER NOT NULL,
            end_char INTEGER NOT NULL,
            line INTEGER NOT NULL,
            col INTEGER NOT NULL,
            raw TEXT NOT NULL,
            text TEXT NOT NULL,
            kind TEXT NOT NULL,
            placeholder TEXT,
            in_code INTEGER NOT NULL DEFAULT 0,
            UNIQUE (document_id, seq)
        )""",
        "CREATE INDEX links_url ON links(url_id)",
        """CREATE TABLE claims (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            line INTEGER NOT NULL,
            col INTEGER NOT NULL,
            text TEXT NOT NULL,
            kinds TEXT NOT NULL,  -- JSON list of claim kinds
            score REAL NOT NULL,
            status TEXT NOT NULL,
            citations TEXT NOT NULL,  -- JSON list of links.seq in the same document
            locations TEXT NOT NULL,  -- JSON list of {document, line, column}
            UNIQUE (document_id, seq)
        )""",
        """CREATE TABLE problems (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            kind TEXT NOT NULL,
            message TEXT NOT NULL,
            line INTEGER NOT NULL,
            excerpt TEXT NOT NULL,
            UNIQUE (document_id, seq)
        )""",
        # Append-only: every live check is kept, so "failing since" can be read back.
        """CREATE TABLE checks (
            id INTEGER PRIMARY KEY,
            url_id INTEGER NOT NULL REFERENCES urls(id),
            verdict TEXT NOT NULL,
            http_status INTEGER,
            final_url TEXT,
            redirects TEXT NOT NULL,  -- JSON list of [status, url]
            content_type TEXT,
            elapsed REAL NOT NULL,
            attempts INTEGER NOT NULL,
            error TEXT,
            title TEXT,
            checked_at TEXT NOT NULL,  -- as the checker wrote it
            checked_unix REAL NOT NULL  -- the same instant, for ordering and age
        )""",
        "CREATE INDEX checks_url_time ON checks(url_id, checked_unix, id)",
    ):
        conn.execute(sql)
    conn.execute(
        "INSERT INTO meta(key, value) VALUES ('created_at', strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))"
    )


def _v2(conn: sqlite3.Connection) -> None:
    """Wayback Machine lookups and the editor's "reviewed" marks."""
    snapshot_columns = ",\n".join(
        f"{name}_ts TEXT, {name}_url TEXT, {name}_status INTEGER"
        for name in ("closest", "first", "last", "saved")
    )
    for sql in (
        # Append-only like checks; the newest row per (url, as_of) is what counts. A summary,
        # not the raw capture list: a busy URL has thousands of captures.
        f"""CREATE TABLE archives (
            id INTEGER PRIMARY KEY,
            url_id INTEGER NOT NULL REFERENCES urls(id),
            as_of TEXT NOT NULL,  -- YYYY-MM-DD the closest capture was chosen for
            snapshot_count INTEGER NOT NULL,
            count_capped INTEGER NOT NULL DEFAULT 0,  -- snapshot_count is a lower bound
            {snapshot_columns},
            save_error TEXT,
            error TEXT,
            checked_at TEXT NOT NULL,
            checked_unix REAL NOT NULL
        )""",
        "CREATE INDEX archives_url_time ON archives(url_id, as_of, checked_unix, id)",
        """CREATE TABLE reviews (
            url_id INTEGER PRIMARY KEY REFERENCES urls(id),
            reviewed_at TEXT NOT NULL,
            note TEXT NOT NULL
        )""",
    ):
        conn.execute(sql)


# MIGRATIONS[n] brings a database from version n to n + 1. Append only; never edit a released one.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2]


def latest() -> int:
    """The schema version this citecheck writes."""
    return len(MIGRATIONS)


def migrate(conn: sqlite3.Connection, target: int | None = None) -> int:
    """Bring the database up to `target` (default: latest) in one transaction; return the version.

    A failed step rolls every step back, so the file is left at the version it had.
    """
    target = latest() if target is None else target
    # IMMEDIATE takes the write lock first, so two programs opening an old file at once do not
    # both migrate it: the second waits, then finds it current.
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        for step in MIGRATIONS[version:target]:
            step(conn)
        if version < target:
            conn.execute(f"PRAGMA user_version = {int(target)}")
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return max(version, target)
