"""Polite HTTP to the Wayback Machine: one shared rate limiter, retries, plain-word errors."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from citecheck.retry_after import retry_after

if TYPE_CHECKING:
    import requests

# Answers worth asking again after a pause: rate limiting and the overloaded-gateway family.
RETRIED = (429, 502, 503, 504)
# A Retry-After longer than this means "come back later", not "wait a moment".
LONGEST_WAIT = 300.0
# No Wayback answer we ask for is near this size; a bigger one is a misunderstanding.
MAX_BODY = 4 * 1024 * 1024


class WaybackError(Exception):
    """A Wayback Machine request failed; `str()` says why in plain words."""


class RateLimiter:
    """Spaces requests evenly, across threads; slows down for good when the server objects."""

    def __init__(self, per_minute: float, *, slowest: float = 6.0) -> None:
        if per_minute <= 0:
            raise ValueError("per_minute must be positive")
        self._lock = threading.Lock()
        self._interval = 60.0 / per_minute
        self._longest_interval = max(self._interval, 60.0 / slowest)
        self._next = 0.0  # monotonic time of the next free slot
        self._wake = threading.Event()

    @property
    def per_minute(self) -> float:
        with self._lock:
            return 60.0 / self._interval

    def wait(self) -> None:
        """Block until this caller's slot; slots are handed out in arrival order."""
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self._interval
        # Sleep outside the lock so other threads can queue behind us meanwhile.
        if start > now and self._wake.wait(start - now):
            raise WaybackError("cancelled: the Wayback client was closed")

    def hold(self, seconds: float) -> None:
        """Nobody sends anything for `seconds` (a Retry-After applies to the whole client)."""
        with self._lock:
            self._next = max(self._next, time.monotonic() + seconds)

    def slow_down(self) -> None:
        """Halve the rate for the rest of the run (CDX firewalls clients that ignore 429)."""
        with self._lock:
            self._interval = min(self._interval * 2, self._longest_interval)

    def close(self) -> None:
        """Wake every sleeper so a closing GUI does not wait for the queue to drain."""
        self._wake.set()


@dataclass(slots=True)
class Reply:
    """A complete answer: status, headers and the whole (decoded) body."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise WaybackError(
                "the Wayback Machine sent an answer citecheck could not read"
            ) from exc


class Transport:
    """Sends every request of one client through its limiter, with timeouts and retries."""

    def __init__(
        self,
        session: requests.Session,
        limiter: RateLimiter,
        *,
        timeout: float,
        retries: int,
        user_agent: str,
    ) -> None:
        self.session = session
        self.limiter = limiter
        self.timeout = timeout
        self.retries = retries
        self.user_agent = user_agent
        self.closed = threading.Event()

    def close(self) -> None:
        self.closed.set()
        self.limiter.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Sequence[tuple[str, str]] | None = None,
        data: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """One answer that is not a retried status; raises WaybackError in plain words."""
        sent = {"User-Agent": self.user_agent, **(headers or {})}
        attempt = 0
        while True:
            if self.closed.is_set():
                raise WaybackError("cancelled: the Wayback client was closed")
            self.limiter.wait()
            reply = self._send(method, url, params=params, data=data, headers=sent)
            if reply.status not in RETRIED:
                return reply
            delay = retry_after(reply.headers.get("Retry-After"))
            if reply.status == 429:
                self.limiter.slow_down()
            if attempt >= self.retries:
                raise WaybackError(_busy_words(reply.status))
            if delay is None:
                delay = min(2.0**attempt, 60.0)
            if delay > LONGEST_WAIT:
                pause = f"it asked for a pause of {delay / 60:.0f} minutes"
                raise WaybackError(f"{_busy_words(reply.status)} ({pause})")
            self.limiter.hold(delay)
            attempt += 1

    def _send(
        self,
        method: str,
        url: str,
        *,
        params: Sequence[tuple[str, str]] | None,
        data: Mapping[str, str] | None,
        headers: Mapping[str, str],
    ) -> Reply:
        import requests  # here, not at the top: a check without archive lookups never needs it

        started = time.monotonic()
        try:
            # A (connect, read) timeout on every request; stream so the body is bounded too.
            response = self.session.request(
                method,
                url,
                params=params,
                data=data,
                headers=dict(headers),
                timeout=(self.timeout, self.timeout),
                stream=True,
                allow_redirects=True,
            )
        except requests.exceptions.Timeout as exc:
            raise WaybackError(self._timed_out()) from exc
        except requests.exceptions.ProxyError as exc:
            raise WaybackError(f"the proxy failed to reach the Wayback Machine ({exc})") from exc
        except requests.exceptions.SSLError as exc:
            raise WaybackError(
                "a secure connection to the Wayback Machine failed (check the proxy's "
                f"certificate or REQUESTS_CA_BUNDLE): {exc}"
            ) from exc
        except requests.exceptions.ConnectionError as exc:
            raise WaybackError(f"could not reach the Wayback Machine ({_reason(exc)})") from exc
        except requests.exceptions.RequestException as exc:
            raise WaybackError(f"the request to the Wayback Machine failed ({exc})") from exc
        try:
            body = self._read(response, started)
        finally:
            response.close()
        return Reply(response.status_code, response.headers, body)

    def _read(self, response: requests.Response, started: float) -> bytes:
        import requests

        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(16384):
                size += len(chunk)
                if size > MAX_BODY:
                    raise WaybackError("the Wayback Machine sent a far larger answer than expected")
                if time.monotonic() - started > self.timeout:
                    raise WaybackError(self._timed_out())
                chunks.append(chunk)
        except requests.exceptions.RequestException as exc:
            # requests reports a read timeout mid-body as a ConnectionError that says so.
            if isinstance(exc, requests.exceptions.Timeout) or "timed out" in str(exc):
                raise WaybackError(self._timed_out()) from exc
            raise WaybackError(f"the Wayback Machine's answer broke off ({exc})") from exc
        return b"".join(chunks)

    def _timed_out(self) -> str:
        return f"the Wayback Machine did not answer in time (timed out after {self.timeout:g} s)"


def _busy_words(status: int) -> str:
    if status == 429:
        return "the Wayback Machine kept asking citecheck to slow down (HTTP 429); try again later"
    return f"the Wayback Machine is overloaded or down (HTTP {status}); try again later"


def _reason(exc: requests.exceptions.ConnectionError) -> str:
    text = str(exc)
    for words in ("Connection refused", "Name or service not known", "Connection reset"):
        if words in text:
            return words.lower()
    if "nodename nor servname" in text or "Temporary failure in name resolution" in text:
        return "name not resolved"
    return text
