"""A local fake of the Wayback Machine's availability, CDX and Save Page Now 2 APIs for tests."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

FIELDS = ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"]
BLOCKED = (
    "org.archive.util.io.RuntimeIOException: "
    "org.archive.wayback.exception.AdministrativeAccessControlException: Blocked Site Error\n"
)


@dataclass
class Seen:
    """One request the fake received."""

    endpoint: str  # "cdx", "available", "save" or "status"
    at: float  # time.monotonic() on arrival
    params: list[tuple[str, str]]
    headers: dict[str, str]


@dataclass
class Failure:
    """Answer the next `count` requests (of `endpoint`, or any) with `status`."""

    count: int
    status: int = 429
    retry_after: int | None = 1
    endpoint: str | None = None


@dataclass
class Job:
    url: str
    polls: int = 0


@dataclass
class FakeWayback:
    """Serves the three APIs from `captures` (url -> [(14-digit timestamp, status)]).

    Use as a context manager; point WaybackOptions at `.base_web` and `.base_api`.
    `.calls` counts requests per endpoint, `.sent` counts body bytes per endpoint and
    `.seen` keeps every request. Knobs: `fail_next()`, `hang` (never answer), `stall`,
    `keys` (the one accepted `LOW access:secret`), `pending_polls` (how many status polls
    answer "pending" before "success"), `save_errors` (url -> (status_ext, message): the
    capture job fails), `refusals` (the same, but SPN2 refuses the request itself, as it does
    for daily limits), `blocked` (URLs excluded from the archive).
    """

    captures: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    keys: tuple[str, str] | None = None
    pending_polls: int = 1
    save_errors: dict[str, tuple[str, str]] = field(default_factory=dict)
    refusals: dict[str, tuple[str, str]] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)
    hang: bool = False
    stall: bool = False  # send the headers and half the body, then nothing
    calls: Counter[str] = field(default_factory=Counter)
    sent: Counter[str] = field(default_factory=Counter)
    seen: list[Seen] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    jobs: dict[str, Job] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    servers: list[ThreadingHTTPServer] = field(default_factory=list)

    def fail_next(
        self,
        count: int,
        status: int = 429,
        retry_after: int | None = 1,
        endpoint: str | None = None,
    ) -> None:
        with self.lock:
            self.failures.append(Failure(count, status, retry_after, endpoint))

    def times(self, endpoint: str) -> list[float]:
        return [s.at for s in self.seen if s.endpoint == endpoint]

    @property
    def base_web(self) -> str:
        return _base(self.servers[0])

    @property
    def base_api(self) -> str:
        return _base(self.servers[1])

    def __enter__(self) -> FakeWayback:
        for role in ("web", "api"):
            server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self, role))
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
            self.servers.append(server)
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()  # releases hanging handlers
        for server in self.servers:
            server.shutdown()
            server.server_close()

    # --- the APIs, as pure functions of the query -----------------------------------------

    def cdx(self, q: list[tuple[str, str]]) -> tuple[int, str, str]:
        params = dict(q)
        url = params.get("url", "")
        if url in self.blocked:
            return 403, "text/plain", BLOCKED
        with self.lock:
            rows = [_row(url, ts, st) for ts, st in sorted(self.captures.get(url, []))]
        low, high = params.get("from"), params.get("to")
        if low:
            rows = [r for r in rows if r[1] >= low.ljust(14, "0")]
        if high:
            rows = [r for r in rows if r[1] <= high.ljust(14, "9")]
        for spec in (v for k, v in q if k == "filter"):
            rows = _filter(rows, spec)
        for spec in (v for k, v in q if k == "collapse"):
            rows = _collapse(rows, spec)
        if params.get("sort") == "closest" and params.get("closest"):
            goal = _moment(params["closest"].ljust(14, "0"))
            rows.sort(key=lambda r: abs(_moment(r[1]) - goal))
        limit = int(params.get("limit", "150000"))
        rows = rows[:limit] if limit >= 0 else rows[limit:]
        names = params.get("fl", ",".join(FIELDS)).split(",")
        picked = [[r[FIELDS.index(n)] for n in names] for r in rows]
        if params.get("output") == "json":
            return 200, "application/json", json.dumps([names, *picked] if picked else [])
        return 200, "text/plain", "".join(" ".join(r) + "\n" for r in picked)

    def available(self, q: list[tuple[str, str]]) -> dict[str, Any]:
        params = dict(q)
        url = params.get("url", "")
        with self.lock:
            captures = sorted(self.captures.get(url, []))
        answer: dict[str, Any] = {"url": url, "archived_snapshots": {}}
        if "timestamp" in params:
            answer["timestamp"] = params["timestamp"]
        if captures:
            goal = _moment(params.get("timestamp", "99991231").ljust(14, "0")[:14])
            # Like the real one, it does not insist on a 200 capture.
            ts, status = min(captures, key=lambda c: abs(_moment(c[0]) - goal))
            answer["archived_snapshots"]["closest"] = {
                "status": str(status),
                "available": True,
                "url": f"http://web.archive.org/web/{ts}/{url}",
                "timestamp": ts,
            }
        return answer

    def save(self, form: dict[str, str], auth: str | None) -> tuple[int, dict[str, Any]]:
        if auth is not None:
            match = re.fullmatch(r"LOW ([^:\s]+):([^:\s]+)", auth)
            if match is None or (self.keys is not None and match.groups() != self.keys):
                return 401, {"status": "error", "message": "Bad auth: wrong S3 keys format."}
        url = form.get("url")
        if not url:
            return 400, {"status": "error", "status_ext": "error:invalid-url-syntax"}
        if url in self.refusals:
            ext, message = self.refusals[url]
            return 200, {"status": "error", "status_ext": ext, "message": message}
        job_id = "spn2-" + hashlib.sha1(f"{url}{time.monotonic()}".encode()).hexdigest()
        with self.lock:
            self.jobs[job_id] = Job(url)
        return 200, {"url": url, "job_id": job_id}

    def status(self, job_id: str) -> dict[str, Any]:
        with self.lock:
            job = self.jobs.get(job_id)
            if job is None:
                return {"status": "error", "message": "Job not found", "job_id": job_id}
            job.polls += 1
            if job.polls <= self.pending_polls:
                return {"status": "pending", "job_id": job_id, "resources": []}
            if job.url in self.save_errors:
                ext, message = self.save_errors[job.url]
                return {"status": "error", "status_ext": ext, "message": message, "job_id": job_id}
            ts = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
            self.captures.setdefault(job.url, []).append((ts, 200))
        return {
            "status": "success",
            "job_id": job_id,
            "original_url": job.url,
            "timestamp": ts,
            "http_status": 200,
            "duration_sec": 0.1,
            "resources": [job.url],
        }


def _handler(fake: FakeWayback, role: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self._serve(None)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._serve(dict(parse_qsl(self.rfile.read(length).decode())))

        def _serve(self, form: dict[str, str] | None) -> None:
            parts = urlsplit(self.path)
            query = parse_qsl(parts.query, keep_blank_values=True)
            endpoint = _endpoint(role, parts.path, form is not None)
            with fake.lock:
                fake.calls[endpoint] += 1
                fake.seen.append(Seen(endpoint, time.monotonic(), query, dict(self.headers)))
                failure = next(
                    (f for f in fake.failures if f.endpoint in (None, endpoint) and f.count > 0),
                    None,
                )
                if failure is not None:
                    failure.count -= 1
            if fake.hang:
                fake.stopping.wait(60)
                return
            if failure is not None:
                extra: dict[str, object] = {}
                if failure.retry_after is not None:
                    extra["Retry-After"] = failure.retry_after
                self._send(
                    endpoint, failure.status, "text/html", "<h1>Too Many Requests</h1>", extra
                )
            elif endpoint == "cdx":
                self._send(endpoint, *fake.cdx(query))
            elif endpoint == "available":
                self._json(endpoint, 200, fake.available(query))
            elif endpoint == "save" and form is not None:
                self._json(endpoint, *fake.save(form, self.headers.get("Authorization")))
            elif endpoint == "status":
                self._json(endpoint, 200, fake.status(parts.path.rsplit("/", 1)[-1]))
            else:
                self._send(endpoint, 404, "text/plain", "not found")

        def _json(self, endpoint: str, status: int, answer: dict[str, Any]) -> None:
            self._send(endpoint, status, "application/json", json.dumps(answer))

        def _send(
            self,
            endpoint: str,
            status: int,
            kind: str,
            text: str,
            extra: dict[str, object] | None = None,
        ) -> None:
            body = text.encode()
            with fake.lock:
                fake.sent[endpoint] += len(body)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (extra or {}).items():
                self.send_header(name, str(value))
            self.end_headers()
            if fake.stall:
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                fake.stopping.wait(60)
                return
            self.wfile.write(body)

    return Handler


def _endpoint(role: str, path: str, post: bool) -> str:
    if role == "api":
        return "available" if path == "/wayback/available" else "other"
    if path == "/cdx/search/cdx":
        return "cdx"
    if path == "/save" and post:
        return "save"
    if path.startswith("/save/status/"):
        return "status"
    return "other"


def _base(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}"


def _row(url: str, ts: str, status: int) -> list[str]:
    host, _, path = url.split("://", 1)[-1].partition("/")
    urlkey = ",".join(reversed(host.removeprefix("www.").split("."))) + ")/" + path
    digest = hashlib.sha1(f"{url}{ts}".encode()).hexdigest()[:32].upper()
    return [urlkey, ts, url, "text/html", str(status), digest, "1234"]


def _filter(rows: list[list[str]], spec: str) -> list[list[str]]:
    negate = spec.startswith("!")
    name, _, pattern = spec.lstrip("!").partition(":")
    at = FIELDS.index(name)
    regex = re.compile(pattern)
    # The CDX server's Java regex must match the whole field.
    return [r for r in rows if bool(regex.fullmatch(r[at])) != negate]


def _collapse(rows: list[list[str]], spec: str) -> list[list[str]]:
    name, _, width = spec.partition(":")
    at = FIELDS.index(name)
    size = int(width) if width else None
    kept: list[list[str]] = []
    for row in rows:
        # Only adjacent duplicates collapse; the first of a run is kept.
        if not kept or kept[-1][at][:size] != row[at][:size]:
            kept.append(row)
    return kept


def _moment(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y%m%d%H%M%S")


def spread(
    start: str, count: int, every: float, statuses: Iterator[int] | None = None
) -> list[tuple[str, int]]:
    """`count` captures `every` seconds apart from `start` (14 digits), all 200 unless told."""
    first = _moment(start)
    return [
        (
            (first + timedelta(seconds=i * every)).strftime("%Y%m%d%H%M%S"),
            next(statuses) if statuses is not None else 200,
        )
        for i in range(count)
    ]
