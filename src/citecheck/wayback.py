"""Wayback Machine lookups and Save Page Now captures, asked politely and at most once.

Why not waybackpy: waybackpy 3.0.6 sends every request without a timeout, builds 12-digit
timestamps, does not retry 429 (the CDX server firewalls clients that ignore it), never checks a
capture's HTTP status, rejects CDX rows other than the full seven fields (so no `fl=`), and saves
through the old GET /save/<url>, without SPN2 keys or job status. What is left worth reusing is a
few small parsing helpers, not worth those risks, so citecheck calls the three documented endpoints
with requests and runs no waybackpy code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from time import monotonic
from typing import TYPE_CHECKING

from citecheck import __version__
from citecheck.verdict import Archive, Snapshot
from citecheck.wayback_http import RateLimiter, Transport, WaybackError

if TYPE_CHECKING:
    import requests

__all__ = [
    "SaveOutcome",
    "Wayback",
    "WaybackError",
    "WaybackOptions",
]

# Snapshot links are for people, so they always name the public site, whatever base_web says.
PUBLIC_WEB = "https://web.archive.org"
TIMESTAMP = re.compile(r"\d{14}")


@dataclass(slots=True)
class WaybackOptions:
    """How the client talks to the Wayback Machine."""

    # CDX is said to allow ~60/min and to firewall clients that ignore its 429s.
    rate_per_minute: float = 50.0
    timeout: float = 30.0  # seconds for each request, connect and whole answer
    retries: int = 3  # more tries after a 429/502/503/504, honouring Retry-After
    user_agent: str = (
        f"citecheck/{__version__} (link checker; +https://github.com/citecheck/citecheck)"
    )
    access_key: str | None = None  # Save Page Now keys (S3-style, from archive.org/account/s3.php)
    secret_key: str | None = None
    base_web: str = "https://web.archive.org"  # overridable ONLY so tests can point at the fake
    base_api: str = "https://archive.org"
    # The newest this-many capture days are read in one go; longer histories cost 1–2 more queries.
    history_days: int = 1000
    poll_interval: float = 5.0  # seconds between Save Page Now status polls


@dataclass(slots=True)
class SaveOutcome:
    """What one Save Page Now request came to; `state` is "saved", "pending" or "failed"."""

    url: str
    state: str
    snapshot: Snapshot | None = None
    error: str | None = None  # plain words, when failed (or why it is still pending)
    status_ext: str | None = None  # SPN2's code, e.g. "error:not-found"
    job_id: str | None = None


class Wayback:
    """A Wayback Machine client whose every request goes through one shared rate limiter.

    Thread-safe: a GUI and the CLI may call `lookup` and `save` from worker threads at once;
    `close()` wakes any caller waiting for its turn, which then returns a "cancelled" error.
    """

    def __init__(self, options: WaybackOptions, session: requests.Session | None = None) -> None:
        self.options = options
        self._own_session = session is None
        # A plain Session keeps trust_env, so HTTP(S)_PROXY, NO_PROXY and REQUESTS_CA_BUNDLE apply.
        if session is None:
            import requests  # here: a check without archive lookups never pays its import

            session = requests.Session()
        self._session = session
        self.limiter = RateLimiter(options.rate_per_minute)
        self._http = Transport(
            self._session,
            self.limiter,
            timeout=options.timeout,
            retries=options.retries,
            user_agent=options.user_agent,
        )

    def close(self) -> None:
        self._http.close()
        if self._own_session:
            self._session.close()

    def __enter__(self) -> Wayback:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- lookups ---------------------------------------------------------------------------

    def lookup(self, url: str, as_of: date) -> Archive:
        """Count, first, last and closest-to-`as_of` good (HTTP 200) captures of `url`.

        One CDX query (the newest `history_days` capture days, one row per day) answers all four
        for nearly every URL; `snapshot_count` counts days with a good capture, and the snapshots
        are exact to the day. Only a longer history costs a second query for the first capture
        and, when `as_of` is older than the rows read, a third for the closest one; then
        `snapshot_count` is a lower bound. Network trouble ends up in `Archive.error`, with
        whatever was learnt before it.
        """
        archive = Archive(url=url, checked_at=datetime.now(UTC).isoformat(timespec="seconds"))
        target = _target(as_of)
        cap = max(1, self.options.history_days)
        try:
            days = self._captures(url, ("limit", str(-cap)), ("collapse", "timestamp:8"))
            if not days:
                return archive
            archive.snapshot_count = len(days)
            archive.last = self._snapshot(url, days[-1])
            if len(days) < cap:  # the whole history: everything is local
                archive.first = self._snapshot(url, days[0])
                archive.closest = self._snapshot(url, _nearest(days, target))
                return archive
            oldest = self._captures(url, ("limit", "1"))
            first = oldest[0] if oldest else days[0]
            archive.first = self._snapshot(url, first)
            if target >= _moment(days[0]):
                # Anything older than the rows read is farther from `as_of` than their oldest.
                archive.closest = self._snapshot(url, _nearest(days, target))
            elif target <= _moment(first):
                archive.closest = archive.first
            else:
                stamp = target.strftime("%Y%m%d%H%M%S")
                near = self._captures(url, ("sort", "closest"), ("closest", stamp), ("limit", "1"))
                archive.closest = self._snapshot(url, _nearest(near + [first, days[0]], target))
        except WaybackError as exc:
            archive.error = str(exc)
        return archive

    def _captures(self, url: str, *extra: tuple[str, str]) -> list[str]:
        """Timestamps of the good captures a CDX query returns, oldest first."""
        params = [
            ("url", url),
            ("output", "json"),
            ("fl", "timestamp,statuscode"),
            ("filter", "statuscode:200"),
            *extra,
        ]
        reply = self._http.request("GET", f"{self.options.base_web}/cdx/search/cdx", params=params)
        if reply.status == 403 and b"Blocked" in reply.body:
            raise WaybackError("the site's owner has excluded it from the Wayback Machine")
        if reply.status != 200:
            raise WaybackError(f"the Wayback Machine's index answered HTTP {reply.status}")
        rows = reply.json()
        if not isinstance(rows, list):
            raise WaybackError("the Wayback Machine sent an answer citecheck could not read")
        if not rows:
            return []  # the CDX server sends a bare [] (no header) when nothing matched
        header = rows[0]
        try:
            at, status = header.index("timestamp"), header.index("statuscode")
        except (AttributeError, ValueError) as exc:
            raise WaybackError("the Wayback Machine's index answer has no timestamps") from exc
        stamps: set[str] = set()
        for row in rows[1:]:
            # The status is checked again here: a capture of a 404 page is no archive.
            if isinstance(row, list) and len(row) == len(header) and row[status] == "200":
                stamp = str(row[at])
                if TIMESTAMP.fullmatch(stamp) and _valid(stamp):
                    stamps.add(stamp)
        return sorted(stamps)

    @staticmethod
    def _snapshot(url: str, stamp: str) -> Snapshot:
        return Snapshot(timestamp=stamp, url=f"{PUBLIC_WEB}/web/{stamp}/{url}", status=200)

    # --- Save Page Now ---------------------------------------------------------------------

    def save(self, url: str, *, wait: float = 120) -> Snapshot | None:
        """Ask Save Page Now for a capture: the new snapshot, or None (see `save_outcome`)."""
        return self.save_outcome(url, wait=wait).snapshot

    def save_outcome(self, url: str, *, wait: float = 120) -> SaveOutcome:
        """Ask SPN2 to capture `url` and poll its job for up to `wait` seconds; never raises."""
        outcome = SaveOutcome(url=url, state="failed")
        headers = {"Accept": "application/json"}
        access, secret = self.options.access_key, self.options.secret_key
        if bool(access) != bool(secret):
            outcome.error = "Save Page Now needs both the access key and the secret key"
            return outcome
        if access and secret:
            headers["Authorization"] = f"LOW {access}:{secret}"
        deadline = monotonic() + wait
        web = self.options.base_web
        try:
            # skip_first_archive: SPN2 then skips a lookup citecheck does not need; faster.
            form = {"url": url, "skip_first_archive": "1"}
            reply = self._http.request("POST", f"{web}/save", data=form, headers=headers)
            answer = _spn_json(reply.body)
            if reply.status in (401, 403):
                outcome.error = "Save Page Now refused the keys: " + _message(answer, reply.status)
                return outcome
            job = answer.get("job_id")
            if reply.status != 200 or not isinstance(job, str) or not job:
                outcome.status_ext = _text(answer.get("status_ext"))
                outcome.error = "Save Page Now refused: " + _message(answer, reply.status)
                return outcome
            outcome.job_id = job
            while True:
                pause = min(self.options.poll_interval, max(0.0, deadline - monotonic()))
                if self._http.closed.wait(pause):
                    raise WaybackError("cancelled: the Wayback client was closed")
                reply = self._http.request("GET", f"{web}/save/status/{job}", headers=headers)
                status = _spn_json(reply.body)
                state = status.get("status")
                if reply.status == 200 and state == "success":
                    return self._saved(outcome, url, status)
                if state == "error" or reply.status != 200:
                    outcome.status_ext = _text(status.get("status_ext"))
                    outcome.error = "the capture failed: " + _message(status, reply.status)
                    return outcome
                if monotonic() >= deadline:
                    outcome.state = "pending"
                    outcome.error = f"not finished after {wait:g} s; it may still appear later"
                    return outcome
        except WaybackError as exc:
            outcome.error = str(exc)
        return outcome

    @staticmethod
    def _saved(outcome: SaveOutcome, url: str, status: dict[str, object]) -> SaveOutcome:
        stamp = _text(status.get("timestamp")) or ""
        if not (TIMESTAMP.fullmatch(stamp) and _valid(stamp)):
            outcome.error = "Save Page Now reported success without a capture time"
            return outcome
        original = _text(status.get("original_url")) or url
        http_status = status.get("http_status")
        outcome.state = "saved"
        outcome.snapshot = Snapshot(
            timestamp=stamp,
            url=f"{PUBLIC_WEB}/web/{stamp}/{original}",
            status=http_status if isinstance(http_status, int) else None,
        )
        return outcome


def _target(as_of: date) -> datetime:
    """The moment to measure distance from: noon of the day, so any same-day capture wins."""
    if isinstance(as_of, datetime):
        if as_of.tzinfo is not None:
            as_of = as_of.astimezone(UTC).replace(tzinfo=None)
        return as_of
    return datetime.combine(as_of, time(12))


def _moment(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y%m%d%H%M%S")


def _valid(stamp: str) -> bool:
    try:
        _moment(stamp)
    except ValueError:
        return False
    return True


def _nearest(stamps: list[str], target: datetime) -> str:
    # On a tie the older capture wins: it is the page as the author could have seen it.
    return min(stamps, key=lambda s: (abs(_moment(s) - target), s))


def _spn_json(body: bytes) -> dict[str, object]:
    """SPN2's JSON answer, or {} when it sent something else (an HTML error page)."""
    try:
        answer = json.loads(body)
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _message(answer: dict[str, object], status: int) -> str:
    words = _text(answer.get("message")) or _text(answer.get("status_ext"))
    return words or f"HTTP {status}"
