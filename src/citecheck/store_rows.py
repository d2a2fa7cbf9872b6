"""Rows of the project database to and from citecheck's types (the SQL behind `store.Project`)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

from citecheck.model import Claim, Document, Inventory, Link, Location, Problem
from citecheck.sqlite_db import Database
from citecheck.verdict import NOT_OK, Archive, Check, Redirect, Snapshot

# SQLite before 3.32 allows at most 999 parameters per statement.
_CHUNK = 500
_SNAPSHOTS = ("closest", "first", "last", "saved")
_T = TypeVar("_T")


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _chunks(items: list[_T]) -> Iterator[list[_T]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def _marks(n: int) -> str:
    return ",".join("?" * n)


# -- time ---------------------------------------------------------------------------------------


def now() -> datetime:
    return datetime.now(UTC)


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def parse_time(text: str) -> datetime:
    """An ISO 8601 time; one without a zone is taken as UTC, as the checker writes UTC."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO 8601 time: {text!r}") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _timestamp(text: str) -> tuple[str, float]:
    """The text to store (as given, or now when empty) and the instant for ordering."""
    moment = parse_time(text) if text else now()
    return (text or stamp(moment)), moment.timestamp()


def younger(text: str, max_age: timedelta, at: datetime | None = None) -> bool:
    at = now() if at is None else at
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at - parse_time(text) < max_age


# -- scans --------------------------------------------------------------------------------------


def plan_inventory(inv: Inventory) -> list[tuple[Document, list[Link], list[Claim]]]:
    """Each document with its links and claims; ValueError if the inventory contradicts itself."""
    paths = [d.path for d in inv.documents]
    if len(set(paths)) != len(paths):
        raise ValueError("the inventory lists a document twice")
    links: dict[str, list[Link]] = {p: [] for p in paths}
    claims: dict[str, list[Claim]] = {p: [] for p in paths}
    for items, kind in ((inv.links, "link"), (inv.claims, "claim")):
        target: dict[str, Any] = links if kind == "link" else claims
        for item in items:
            if item.document not in target:
                raise ValueError(f"{kind} {item.id} belongs to a document not in the inventory")
            target[item.document].append(item)
    for path in paths:
        ids = {k.id for k in links[path]}
        for claim in claims[path]:
            stray = [c for c in claim.citations if c not in ids]
            if stray:
                raise ValueError(f"claim {claim.id} cites {stray[0]}, not a link of its document")
    return [(d, links[d.path], claims[d.path]) for d in inv.documents]


def upsert_document(conn: sqlite3.Connection, doc: Document, sha256: str, scanned_at: str) -> int:
    # An upsert, not a replace: the row keeps its id, and with it its place in the numbering.
    conn.execute(
        """INSERT INTO documents(path, format, title, date, encoding, sha256, scanned_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(path) DO UPDATE SET format = excluded.format, title = excluded.title,
            date = excluded.date, encoding = excluded.encoding, sha256 = excluded.sha256,
            scanned_at = excluded.scanned_at""",
        (doc.path, doc.format, doc.title, doc.date, doc.encoding, sha256, scanned_at),
    )
    found = conn.execute("SELECT id FROM documents WHERE path = ?", (doc.path,)).fetchone()
    return int(found[0])


def url_ids(db: Database, urls: Iterable[str]) -> dict[str, int]:
    """Ids of these URLs, adding the ones not seen before (plain statements: a hot path)."""
    wanted = list(dict.fromkeys(urls))
    db.conn.executemany("INSERT OR IGNORE INTO urls (url) VALUES (?)", [(u,) for u in wanted])
    found: dict[str, int] = {}
    for chunk in _chunks(wanted):
        sql = f"SELECT url, id FROM urls WHERE url IN ({_marks(len(chunk))})"
        found.update(db.conn.execute(sql, chunk).fetchall())
    return found


def link_rows(doc_id: int, links: list[Link], url_ids: dict[str, int]) -> list[dict[str, Any]]:
    return [
        {
            "document_id": doc_id,
            "seq": seq,
            "url_id": None if k.url is None else url_ids[k.url],
            "start_char": k.offset,
            "end_char": k.end,
            "line": k.line,
            "col": k.column,
            "raw": k.raw,
            "text": k.text,
            "kind": k.kind,
            "placeholder": k.placeholder,
            "in_code": int(k.in_code),
        }
        for seq, k in enumerate(links)
    ]


def claim_rows(doc_id: int, links: list[Link], claims: list[Claim]) -> list[dict[str, Any]]:
    # Scan ids (L7, C3) are numbered across one scan's documents, so they are stored as places
    # within the document, which survive rescanning another document.
    seq_of = {k.id: seq for seq, k in enumerate(links)}
    return [
        {
            "document_id": doc_id,
            "seq": seq,
            "line": c.line,
            "col": c.column,
            "text": c.text,
            "kinds": _json(list(c.kinds)),
            "score": c.score,
            "status": c.status,
            "citations": _json([seq_of[i] for i in c.citations]),
            "locations": _json(
                [{"document": p.document, "line": p.line, "column": p.column} for p in c.locations]
            ),
        }
        for seq, c in enumerate(claims)
    ]


def problem_rows(doc_id: int, problems: list[Problem]) -> list[dict[str, Any]]:
    return [
        {
            "document_id": doc_id,
            "seq": seq,
            "kind": p.kind,
            "message": p.message,
            "line": p.line,
            "excerpt": p.excerpt,
        }
        for seq, p in enumerate(problems)
    ]


def _query(conn: sqlite3.Connection, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
    cursor = conn.cursor()
    cursor.row_factory = sqlite3.Row
    return cursor.execute(sql, tuple(params)).fetchall()


def read_documents(conn: sqlite3.Connection) -> list[Document]:
    docs: dict[int, Document] = {}
    for r in _query(conn, "SELECT * FROM documents ORDER BY id"):
        docs[r["id"]] = Document(
            r["path"], r["format"], "", r["title"], r["date"], r["encoding"], problems=[]
        )
    for r in _query(conn, "SELECT * FROM problems ORDER BY document_id, seq"):
        doc = docs[r["document_id"]]
        doc.problems.append(Problem(doc.path, r["kind"], r["message"], r["line"], r["excerpt"]))
    return list(docs.values())


def _bases(conn: sqlite3.Connection, table: str) -> dict[int, int]:
    """How many rows of `table` come before each document's: ids continue across documents."""
    out: dict[int, int] = {}
    base = 0
    for doc_id, n in conn.execute(
        f"""SELECT d.id, count(x.id) FROM documents d LEFT JOIN {table} x ON x.document_id = d.id
        GROUP BY d.id ORDER BY d.id"""
    ):
        out[doc_id] = base
        base += n
    return out


def read_links(conn: sqlite3.Connection, document: str | None) -> list[Link]:
    bases = _bases(conn, "links")
    return [
        Link(
            document=r["path"],
            offset=r["start_char"],
            raw=r["raw"],
            url=r["url"],
            text=r["text"],
            kind=r["kind"],
            placeholder=r["placeholder"],
            end=r["end_char"],
            in_code=bool(r["in_code"]),
            line=r["line"],
            column=r["col"],
            id=f"L{bases[r['document_id']] + r['seq'] + 1}",
        )
        for r in _query(
            conn,
            """SELECT l.*, d.path, u.url FROM links l JOIN documents d ON d.id = l.document_id
            LEFT JOIN urls u ON u.id = l.url_id WHERE ?1 IS NULL OR d.path = ?1
            ORDER BY l.document_id, l.seq""",
            (document,),
        )
    ]


def read_claims(conn: sqlite3.Connection, document: str | None) -> list[Claim]:
    link_bases, claim_bases = _bases(conn, "links"), _bases(conn, "claims")
    out = []
    for r in _query(
        conn,
        """SELECT c.*, d.path FROM claims c JOIN documents d ON d.id = c.document_id
        WHERE ?1 IS NULL OR d.path = ?1 ORDER BY c.document_id, c.seq""",
        (document,),
    ):
        link_base = link_bases[r["document_id"]]
        out.append(
            Claim(
                document=r["path"],
                line=r["line"],
                column=r["col"],
                text=r["text"],
                kinds=json.loads(r["kinds"]),
                score=r["score"],
                citations=[f"L{link_base + seq + 1}" for seq in json.loads(r["citations"])],
                status=r["status"],
                locations=[Location(**p) for p in json.loads(r["locations"])],
                id=f"C{claim_bases[r['document_id']] + r['seq'] + 1}",
            )
        )
    return out


# -- checks -------------------------------------------------------------------------------------


def check_row(check: Check) -> dict[str, Any]:
    checked_at, checked_unix = _timestamp(check.checked_at)
    return {
        "verdict": check.verdict,
        "http_status": check.http_status,
        "final_url": check.final_url,
        "redirects": _json([[r.status, r.url] for r in check.redirects]),
        "content_type": check.content_type,
        "elapsed": check.elapsed,
        "attempts": check.attempts,
        "error": check.error,
        "title": check.title,
        "checked_at": checked_at,
        "checked_unix": checked_unix,
    }


def read_latest_checks(conn: sqlite3.Connection, urls: list[str] | None) -> dict[str, Check]:
    # One pass over the history in index order, oldest first per URL, is quicker (and plainer)
    # than window functions: about 0.3 s for 300,000 checks.
    scopes: list[tuple[str, list[str]]] = [("", [])]
    if urls is not None:
        scopes = [
            (f"WHERE c.url_id IN (SELECT id FROM urls WHERE url IN ({_marks(len(c))}))", c)
            for c in _chunks(urls)
        ]
    out: dict[str, Check] = {}
    for where, params in scopes:
        # url_id -> (id of its newest check, checked_at of the first failure of the current run)
        newest: dict[int, tuple[int, str | None]] = {}
        for url_id, check_id, verdict, checked_at in conn.execute(
            f"""SELECT c.url_id, c.id, c.verdict, c.checked_at FROM checks c {where}
            ORDER BY c.url_id, c.checked_unix, c.id""",
            params,
        ):
            run_start = None
            if verdict in NOT_OK:
                before = newest.get(url_id)
                run_start = checked_at if before is None or before[1] is None else before[1]
            newest[url_id] = (check_id, run_start)
        run_starts = dict(newest.values())
        for chunk in _chunks(list(run_starts)):
            for r in _query(
                conn,
                f"""SELECT u.url, c.* FROM checks c JOIN urls u ON u.id = c.url_id
                WHERE c.id IN ({_marks(len(chunk))})""",
                chunk,
            ):
                out[r["url"]] = _check(r, run_starts[r["id"]])
    return out


def _check(r: sqlite3.Row, first_failure: str | None) -> Check:
    failing = r["verdict"] in NOT_OK
    return Check(
        url=r["url"],
        verdict=r["verdict"],
        http_status=r["http_status"],
        final_url=r["final_url"],
        redirects=[Redirect(status, url) for status, url in json.loads(r["redirects"])],
        content_type=r["content_type"],
        elapsed=r["elapsed"],
        attempts=r["attempts"],
        error=r["error"],
        checked_at=r["checked_at"],
        title=r["title"],
        from_cache=True,
        first_failure=first_failure,
        last_failure=r["checked_at"] if failing else None,
    )


# -- archives -----------------------------------------------------------------------------------


def _day(as_of: date) -> str:
    return as_of.isoformat()[:10]  # a datetime counts by its day


def archive_row(archive: Archive, as_of: date) -> dict[str, Any]:
    checked_at, checked_unix = _timestamp(archive.checked_at)
    row: dict[str, Any] = {
        "as_of": _day(as_of),
        "snapshot_count": archive.snapshot_count,
        "count_capped": int(archive.count_capped),
        "save_error": archive.save_error,
        "error": archive.error,
        "checked_at": checked_at,
        "checked_unix": checked_unix,
    }
    for name in _SNAPSHOTS:
        snap: Snapshot | None = getattr(archive, name)
        row[f"{name}_ts"] = None if snap is None else snap.timestamp
        row[f"{name}_url"] = None if snap is None else snap.url
        row[f"{name}_status"] = None if snap is None else snap.status
    return row


def read_archive(conn: sqlite3.Connection, url: str, as_of: date) -> Archive | None:
    found = _query(
        conn,
        """SELECT a.* FROM archives a JOIN urls u ON u.id = a.url_id
        WHERE u.url = ? AND a.as_of = ? AND a.error IS NULL
        ORDER BY a.checked_unix DESC, a.id DESC LIMIT 1""",
        (url, _day(as_of)),
    )
    if not found:
        return None
    r = found[0]
    snaps: dict[str, Snapshot | None] = {
        name: None
        if r[f"{name}_ts"] is None
        else Snapshot(r[f"{name}_ts"], r[f"{name}_url"], r[f"{name}_status"])
        for name in _SNAPSHOTS
    }
    return Archive(
        url=url,
        snapshot_count=r["snapshot_count"],
        count_capped=bool(r["count_capped"]),
        closest=snaps["closest"],
        first=snaps["first"],
        last=snaps["last"],
        saved=snaps["saved"],
        save_error=r["save_error"],
        checked_at=r["checked_at"],
        error=r["error"],
    )
