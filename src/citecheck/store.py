"""The project database: one SQLite file holding scans, check history, archive lookups, reviews."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from types import TracebackType

import platformdirs

from citecheck import store_rows as rows
from citecheck.model import Claim, Document, Inventory, Link
from citecheck.sqlite_db import Database
from citecheck.store_schema import APPLICATION_ID, latest, migrate
from citecheck.verdict import Archive, Check

__all__ = ["DEFAULT_TIMEOUT", "Project", "Review", "StoreError", "default_path", "fingerprint"]

# How long to wait for another program's write to finish before giving up (seconds).
DEFAULT_TIMEOUT = 10.0

_MAGIC = b"SQLite format 3\x00"
# Project files this process has open, with how many Projects hold each. Closing any file
# descriptor of a file drops every POSIX lock this process holds on it, SQLite's included: a
# header read while a connection is open would let another process (a check running in a
# child, the CLI) take the file as unused, checkpoint and delete the WAL under us ("disk I/O
# error"). So the header is read only by the first Project of a file in this process.
_OPEN_FILES: dict[str, int] = {}
_OPEN_LOCK = threading.Lock()
# Primary SQLite result codes (extended codes carry them in the low byte).
_BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 10, 11, 13, 14, 26


class StoreError(Exception):
    """The project file cannot be used; the message says why in one line, for the user."""


@dataclass(slots=True)
class Review:
    """An editor's mark that a link's result has been looked at."""

    url: str
    reviewed_at: str  # ISO 8601, UTC
    note: str = ""


def default_path() -> Path:
    """Where the project lives when none is named."""
    return (
        Path(platformdirs.user_data_dir("citecheck", appauthor=False)) / "default.citecheck.sqlite"
    )


def fingerprint(text: str) -> str:
    """The sha256 stored for a document's text: compare it to skip rescanning an unchanged file."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Project:
    """One project's database: open it, save scans and results into it, read them back.

    Threads: each thread gets its own SQLite connection, made on first use. With WAL a reader
    never waits for a writer, so a GUI's main thread can read while a worker writes results;
    writers (threads or other programs) queue on the busy timeout. Every write takes the write
    lock up front (BEGIN IMMEDIATE) so it cannot deadlock half-way. Call `close()` only once the
    other threads are done with the project; connections of threads that have ended are closed
    when a new thread connects, and all of them on `close()`.

    Errors: a file that is not a project, is damaged, or stays locked longer than `timeout`
    raises `StoreError` with a one-line message; the file is never overwritten or deleted.
    Nothing here logs: URLs may carry credentials, and this file is the only place they go.
    """

    def __init__(self, path: str | Path | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.timeout = timeout
        self._lock = threading.Lock()
        self._dbs: dict[int, Database] = {}
        self._closed = False
        if path is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(f"{self.path.parent} cannot be created ({e.strerror})") from e
        self._key = str(self.path.resolve())
        with _OPEN_LOCK:
            if not _OPEN_FILES.get(self._key):
                self._check_header()
            _OPEN_FILES[self._key] = _OPEN_FILES.get(self._key, 0) + 1
        try:
            with self._translate():
                self._open(self._db().conn)
        except BaseException:
            self.close()
            raise

    # -- opening ------------------------------------------------------------------------------

    def _check_header(self) -> None:
        # Read the magic ourselves, so a stranger's file gets a plain message and SQLite never
        # opens it (nor leaves -wal/-shm files beside it).
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a folder, not a project file")
        try:
            with self.path.open("rb") as f:
                head = f.read(len(_MAGIC))
        except FileNotFoundError:
            return
        except OSError as e:
            raise StoreError(f"{self.path} cannot be read ({e.strerror})") from e
        if head and head != _MAGIC:
            raise StoreError(f"{self.path} is not a citecheck project (not a SQLite database)")

    def _open(self, conn: sqlite3.Connection) -> None:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        ).fetchone()[0]
        # Ours carry our application_id from their first migration; an empty file is taken as new.
        ours = app_id == APPLICATION_ID if version else (app_id == 0 and not tables)
        if not ours:
            raise StoreError(
                f"{self.path} is not a citecheck project (a SQLite database of another program)"
            )
        if version > latest():
            raise StoreError(
                f"{self.path} was made by a newer citecheck (schema version {version}; this "
                f"citecheck knows up to {latest()}); update citecheck to open it"
            )
        # Catch damage now, before anything is written, rather than half-way through a run.
        # About 0.1 s per 50 MB.
        problems = [r[0] for r in conn.execute("PRAGMA quick_check(1)")]
        if problems != ["ok"]:
            raise StoreError(f"{self.path} is damaged; {_RESTORE}")
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            # Persistent in the file; some network filesystems refuse it, which only costs
            # concurrency, so the answer is not checked.
            conn.execute("PRAGMA journal_mode = WAL")
        if version < latest():
            migrate(conn)

    def _connect(self) -> Database:
        conn = sqlite3.connect(self.path, timeout=self.timeout, check_same_thread=False)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            # In WAL mode NORMAL loses no committed write when the process dies, only (at
            # worst) the last ones on power loss, and never corrupts the file.
            conn.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            conn.close()
            raise
        return Database(conn, recursive_triggers=False, execute_plugins=False)

    def _db(self) -> Database:
        ident = threading.get_ident()
        with self._lock:
            if self._closed:
                raise StoreError(f"{self.path} is closed")
            db = self._dbs.get(ident)
            if db is not None:
                return db
            alive = {t.ident for t in threading.enumerate()}
            for gone in [i for i in self._dbs if i not in alive]:
                self._dbs.pop(gone).conn.close()
        db = self._connect()
        with self._lock:
            self._dbs[ident] = db
        return db

    def close(self) -> None:
        """Close every connection; a closed project raises StoreError when used."""
        with self._lock:
            was_open, self._closed = not self._closed, True
            dbs, self._dbs = list(self._dbs.values()), {}
        for db in dbs:
            db.conn.close()
        if was_open:
            with _OPEN_LOCK:
                left = _OPEN_FILES.get(self._key, 1) - 1
                if left > 0:
                    _OPEN_FILES[self._key] = left
                else:
                    _OPEN_FILES.pop(self._key, None)

    def __enter__(self) -> Project:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Project({str(self.path)!r})"

    # -- transactions -------------------------------------------------------------------------

    @contextmanager
    def _translate(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as e:
            raise StoreError(_message(self.path, e, self.timeout)) from e

    @contextmanager
    def _write(self) -> Iterator[Database]:
        with self._translate():
            db = self._db()
            db.conn.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.conn.execute("COMMIT")
            except BaseException:
                if db.conn.in_transaction:
                    db.conn.execute("ROLLBACK")
                raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        # One snapshot for every query of a read, so links and claims agree with each other.
        with self._translate():
            conn = self._db().conn
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")

    # -- scans --------------------------------------------------------------------------------

    def save_inventory(self, inv: Inventory) -> None:
        """Store a scan: each document replaces its earlier scan, in a transaction of its own."""
        plans = rows.plan_inventory(inv)  # checks the whole inventory before writing any of it
        scanned_at = rows.stamp(rows.now())
        for doc, links, claims in plans:
            with self._write() as db:
                doc_id = rows.upsert_document(db.conn, doc, fingerprint(doc.text), scanned_at)
                for table in ("links", "claims", "problems"):
                    db.conn.execute(f"DELETE FROM {table} WHERE document_id = ?", (doc_id,))
                url_ids = rows.url_ids(db, (k.url for k in links if k.url is not None))
                db.table("links").insert_all(rows.link_rows(doc_id, links, url_ids))
                db.table("claims").insert_all(rows.claim_rows(doc_id, links, claims))
                db.table("problems").insert_all(rows.problem_rows(doc_id, doc.problems))

    def documents(self) -> list[Document]:
        """Every scanned document, in the order first saved, with problems but without text."""
        with self._read() as conn:
            return rows.read_documents(conn)

    def fingerprints(self) -> dict[str, str]:
        """Each document's path and the `fingerprint` of the text last scanned."""
        with self._read() as conn:
            return dict(conn.execute("SELECT path, sha256 FROM documents").fetchall())

    def links(self, document: str | None = None) -> list[Link]:
        """Links of one document or of all, with ids numbered as a fresh scan would number them."""
        with self._read() as conn:
            return rows.read_links(conn, document)

    def claims(self, document: str | None = None) -> list[Claim]:
        """Claims of one document or of all; citations use the ids `links()` gives."""
        with self._read() as conn:
            return rows.read_claims(conn, document)

    # -- live checks --------------------------------------------------------------------------

    def add_check(self, check: Check) -> None:
        """Append one result and commit it at once, so a killed run keeps what it had done.

        A check read back from this store (`from_cache`) is not a new observation and is not
        added again. An empty `checked_at` means now.
        """
        self.add_checks([check])

    def add_checks(self, checks: Iterable[Check]) -> None:
        """Append several results in one transaction (a writer catching up after a burst)."""
        fresh = [c for c in checks if not c.from_cache]
        if not fresh:
            return
        # Rows before the write lock: a bad timestamp raises ValueError and nothing is written.
        made = [rows.check_row(c) for c in fresh]
        columns = ["url_id", *made[0]]
        # Plain statements: sqlite-utils' insert looks the table up each time (13 statements
        # a result, 0.5 ms); this is the hot path of a run.
        marks = ", ".join("?" * len(columns))
        sql = f"INSERT INTO checks ({', '.join(columns)}) VALUES ({marks})"
        with self._write() as db:
            ids = rows.url_ids(db, [c.url for c in fresh])
            db.conn.executemany(
                sql,
                [(ids[c.url], *row.values()) for c, row in zip(fresh, made, strict=True)],
            )

    def latest_checks(self, urls: Iterable[str] | None = None) -> dict[str, Check]:
        """The newest check per URL (all, or those named), with its run of failures filled in."""
        wanted = None if urls is None else list(dict.fromkeys(urls))
        with self._read() as conn:
            return rows.read_latest_checks(conn, wanted)

    def cached_check(
        self, url: str, max_age: timedelta, *, now: datetime | None = None
    ) -> Check | None:
        """The newest check of `url` if it is younger than `max_age`, else None."""
        return self.cached_checks([url], max_age, now=now).get(url)

    def cached_checks(
        self, urls: Iterable[str], max_age: timedelta, *, now: datetime | None = None
    ) -> dict[str, Check]:
        """The newest check of each of `urls` that is younger than `max_age` (one read)."""
        return {
            url: check
            for url, check in self.latest_checks(urls).items()
            if rows.younger(check.checked_at, max_age, now)
        }

    # -- archives -----------------------------------------------------------------------------

    def add_archive(self, archive: Archive, as_of: date) -> None:
        """Append one Wayback Machine lookup made for a document dated `as_of`."""
        row = rows.archive_row(archive, as_of)
        with self._write() as db:
            row["url_id"] = rows.url_ids(db, [archive.url])[archive.url]
            db.table("archives").insert(row)

    def cached_archive(
        self, url: str, as_of: date, max_age: timedelta, *, now: datetime | None = None
    ) -> Archive | None:
        """The newest successful lookup of `url` for `as_of` younger than `max_age`, else None.

        Failed lookups are kept but never served: the archive being down or rate-limiting says
        nothing about the URL, so the next run should ask again.
        """
        with self._read() as conn:
            archive = rows.read_archive(conn, url, as_of)
        if archive is None or not rows.younger(archive.checked_at, max_age, now):
            return None
        return archive

    # -- reviews ------------------------------------------------------------------------------

    def mark_reviewed(self, url: str, note: str = "") -> None:
        """Record that an editor looked at this URL's result (again: the newest note wins)."""
        with self._write() as db:
            url_id = rows.url_ids(db, [url])[url]
            db.table("reviews").upsert(
                {"url_id": url_id, "reviewed_at": rows.stamp(rows.now()), "note": note},
                pk="url_id",
            )

    def unmark_reviewed(self, url: str) -> None:
        with self._write() as db:
            db.conn.execute(
                "DELETE FROM reviews WHERE url_id = (SELECT id FROM urls WHERE url = ?)", (url,)
            )

    def reviewed(self) -> set[str]:
        """URLs an editor has marked reviewed."""
        return set(self.reviews())

    def reviews(self) -> dict[str, Review]:
        with self._read() as conn:
            found = conn.execute(
                "SELECT u.url, r.reviewed_at, r.note FROM reviews r JOIN urls u ON u.id = r.url_id"
            ).fetchall()
        return {url: Review(url, at, note) for url, at, note in found}


_RESTORE = "restore a backup or start a new project"


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _message(path: Path, e: sqlite3.Error, timeout: float) -> str:
    """Plain words for what went wrong with the file (never the statement or its values)."""
    code = getattr(e, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    if primary in (_BUSY, _LOCKED):
        return (
            f"{path} is busy: another program kept it locked for more than {timeout:g} s; "
            "try again when it has finished"
        )
    if primary == _NOTADB:
        return f"{path} is not a citecheck project (not a SQLite database)"
    if primary == _CORRUPT:
        return f"{path} is damaged; {_RESTORE}"
    if primary == _READONLY:
        return f"{path} cannot be written (it is read-only)"
    if primary == _FULL:
        return f"{path} cannot be written: the disk is full"
    if primary == _CANTOPEN:
        return f"{path} cannot be opened (a missing folder, or no permission)"
    if primary == _IOERR:
        return f"{path} could not be read or written (input/output error)"
    return f"{path}: database error ({_one_line(str(e))})"
