"""Check one URL: scheme rules, HEAD then GET, redirects, retries, then the verdict."""

from __future__ import annotations

import asyncio
import os
import random
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import aiohttp
from yarl import URL

from citecheck.checking import pages
from citecheck.checking.fetch import Failure, Reply, fetch_once, is_private, redact
from citecheck.checking.hosts import Hosts
from citecheck.checking.options import EngineOptions
from citecheck.retry_after import retry_after
from citecheck.urls import REASONS, judge
from citecheck.verdict import (
    BLOCKED,
    ERROR,
    INVALID,
    OK,
    REDIRECTED,
    SKIPPED,
    UNREACHABLE,
    Check,
    Redirect,
)

_REDIRECTS = (301, 302, 303, 307, 308)
# HEAD answers that say nothing about what GET would get.
_HEAD_UNRELIABLE = 400
_ERROR_PAGE_CAP = 64 * 1024  # enough of an error page to recognise a bot wall
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~%-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,63}$"
)
_PHONE = re.compile(r"^\+?[0-9().\- ]*[0-9][0-9().\- ]*(?:;[a-z\-]+=[^;]*)*$", re.IGNORECASE)
_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"


@dataclass(slots=True)
class Context:
    """What every check in a run shares."""

    options: EngineOptions
    session: aiohttp.ClientSession
    hosts: Hosts
    tls_problem: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # Requests in flight, all hosts together: checks are limited by the scheduler, but a
    # site's probe runs beside its first check and must count too.
    in_flight: asyncio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self.in_flight = asyncio.Semaphore(max(1, self.options.concurrency))
        self.headers = {
            "User-Agent": self.options.user_agent,
            "Accept": _ACCEPT,
            "Accept-Encoding": "gzip, deflate",
            "Accept-Language": "en;q=0.9,*;q=0.5",
        }

    @property
    def via_proxy(self) -> bool:
        return any(os.environ.get(v) for v in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY"))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class _Walk:
    """The requests made for one URL, with the evidence they leave."""

    def __init__(self, ctx: Context, check: Check) -> None:
        self.ctx = ctx
        self.check = check
        self.opts = ctx.options
        self.fragment = ""  # the fragment in force: the URL's, or one a redirect supplied

    async def attempt(self, method: str, url: URL, *, retry: bool = True) -> Reply:
        """One hop, tried again after connection errors, 5xx and 429 (GET only)."""
        gate = self.ctx.hosts.gate(url.host or "")
        n = 0
        while True:
            if self.opts.exclude_private and is_private(url.host or ""):
                raise Failure(SKIPPED, "not fetched (private address)")
            if self.ctx.tls_problem and url.scheme == "https":
                raise Failure(UNREACHABLE, self.ctx.tls_problem)
            read = method == "GET"
            try:
                async with gate.turn(), self.ctx.in_flight:
                    reply = await fetch_once(
                        self.ctx.session,
                        method,
                        url,
                        headers=self.ctx.headers,
                        timeout=self.opts.timeout,
                        body_cap=self.opts.body_cap,
                        read_body=read,
                    )
            except Failure as failure:
                if not (retry and method == "GET" and failure.retryable and n < self.opts.retries):
                    raise
                await self._back_off(n)
                n += 1
                self.check.attempts += 1
                continue
            status = reply.status
            wait = retry_after(reply.headers.get("Retry-After")) if status in (429, 503) else None
            if wait is not None:
                gate.pause(min(wait, self.opts.retry_after_cap))
            if (
                retry
                and method == "GET"
                and (status == 429 or 500 <= status < 600)
                and n < self.opts.retries
            ):
                if pages.bot_wall(status, reply.headers, self._page(reply)):
                    return reply  # a challenge does not go away by asking again
                if wait is not None and wait > self.opts.retry_after_cap:
                    return reply  # asked to come back later than we are willing to wait
                if wait is None:
                    await self._back_off(n)
                n += 1  # with a Retry-After, the gate itself waits
                self.check.attempts += 1
                continue
            return reply

    async def _back_off(self, n: int) -> None:
        delay = self.opts.retry_backoff * 2**n * random.uniform(0.5, 1.5)
        await asyncio.sleep(min(delay, self.opts.retry_after_cap))

    def _page(self, reply: Reply) -> pages.Page | None:
        if reply.body is None or not pages.is_html(reply.content_type):
            return None
        return pages.read_page(reply.body, reply.content_type, reply.url.path)

    async def follow(
        self, method: str, url: URL, chain: list[Redirect], *, retry: bool = True
    ) -> Reply:
        """Follow redirects from `url`, recording each hop; the last answer is returned."""
        visits: dict[str, int] = {str(url): 1}
        hops = 0
        while True:
            try:
                reply = await self.attempt(method, url, retry=retry)
            except Failure as failure:
                failure.url = url
                raise
            location = reply.headers.get("Location")
            if reply.status not in _REDIRECTS or not location:
                return reply
            try:
                target = url.join(URL(location.strip()))
            except ValueError as exc:
                raise Failure(ERROR, "a redirect points at a malformed address") from exc
            chain.append(Redirect(reply.status, str(target)))
            if target.scheme not in ("http", "https"):
                raise Failure(
                    ERROR, f"a redirect points at a {target.scheme or 'relative'}: address"
                )
            hops += 1
            key = str(target.with_fragment(None))
            seen = visits.get(key, 0)
            # A site may send a visitor back to the same address once, after setting a cookie.
            if seen >= 2 or (seen and "Set-Cookie" not in reply.headers):
                raise Failure(ERROR, "redirect loop")
            if hops > self.opts.max_redirects:
                raise Failure(ERROR, f"more than {self.opts.max_redirects} redirects")
            visits[key] = seen + 1
            if reply.status == 303 and method != "HEAD":
                method = "GET"
            if target.fragment:
                self.fragment = target.fragment
            url = target.with_fragment(None)

    def _probe_run(self, final: URL) -> tuple[str, Callable[[], Awaitable[pages.Probe | None]]]:
        origin = str(final.origin())

        async def run() -> pages.Probe | None:
            path = f"/citecheck-probe-{secrets.token_hex(6)}"
            walk = _Walk(self.ctx, Check(url=origin, verdict=ERROR))
            try:
                reply = await walk.follow("GET", final.origin().with_path(path), [], retry=False)
            except Failure:
                return None
            page = walk._page(reply)
            title = pages.normalised_title(page.title if page else None, path)
            return pages.Probe(reply.status, title, page.shingles if page else frozenset())

        return origin, run

    async def probe(self, final: URL) -> pages.Probe | None:
        """How the site answers a made-up path, asked once per site per run."""
        return await self.ctx.hosts.probe(*self._probe_run(final))

    def start_probe(self, url: URL) -> None:
        """Start the site's probe now, alongside the first request, rather than after it."""
        self.ctx.hosts.start_probe(*self._probe_run(url))


async def check_url(ctx: Context, raw: str) -> Check:
    """Check one URL; network problems become verdicts, never exceptions."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    check = Check(url=raw, verdict=ERROR, checked_at=_now(), attempts=0)
    try:
        await _check(ctx, raw, check)
    except Failure as failure:
        check.verdict, check.error = failure.verdict, redact(failure.words)
    except Exception as exc:  # one odd URL must not end a run of thousands
        check.verdict, check.error = ERROR, redact(f"{type(exc).__name__}: {exc}")
    check.elapsed = round(loop.time() - started, 3)
    return check


def _unfetched(raw: str, check: Check) -> URL | None:
    """The URL to fetch, or None when the scheme rules settle the check."""
    text = raw.strip()
    scheme = text.split(":", 1)[0].lower() if ":" in text else ""
    if scheme in ("mailto", "tel"):
        rest = text.split(":", 1)[1].split("?", 1)[0]
        if scheme == "mailto":
            good = bool(rest) and all(_EMAIL.match(a.strip()) for a in rest.split(",") if a)
        else:
            good = bool(_PHONE.match(rest)) and sum(c.isdigit() for c in rest) >= 3
        check.verdict = SKIPPED if good else INVALID
        check.error = f"not fetched ({scheme})" if good else f"a malformed {scheme}: address"
        return None
    if scheme and scheme not in ("http", "https") and re.match(r"^[a-z][a-z0-9+.\-]*$", scheme):
        check.verdict, check.error = SKIPPED, f"not fetched ({scheme})"
        return None
    target = judge(text)
    if target.url is None or not target.url.lower().startswith(("http://", "https://")):
        reason = REASONS.get(target.placeholder or "", "not an absolute http(s) URL")
        check.verdict, check.error = INVALID, reason
        return None
    return URL(target.url)


async def _check(ctx: Context, raw: str, check: Check) -> None:
    url = _unfetched(raw, check)
    if url is None:
        return
    walk = _Walk(ctx, check)
    walk.fragment = url.fragment
    url = url.with_fragment(None)
    check.attempts = 1
    if not _is_root(url):
        # Most sites have a page that needs it; asked in parallel it costs no extra round trip.
        walk.start_probe(url)
    chain: list[Redirect] = []
    check.redirects = chain
    reply: Reply | None = None
    try:
        reply = await walk.follow("HEAD", url, chain)
    except Failure as failure:
        # Servers that mishandle HEAD reset or drop it; a GET settles whether they work.
        if not failure.retryable:
            raise
        start = failure.url or url
    else:
        start = reply.url
    probe: pages.Probe | None = None
    if reply is None or reply.status >= _HEAD_UNRELIABLE:
        if reply is None or not _come_back_later(ctx, reply):
            reply = await walk.follow("GET", start, chain)
    elif 200 <= reply.status < 300 and pages.is_html(reply.content_type):
        fragment = pages.checkable_fragment(walk.fragment)
        if not _is_root(reply.url):
            probe = await walk.probe(reply.url)
        if fragment or (probe is not None and probe.soft) or ctx.options.read_pages:
            reply = await walk.follow("GET", reply.url, chain)
    inspectable = 200 <= reply.status < 300 and pages.is_html(reply.content_type)
    if probe is None and inspectable and reply.body is not None and not _is_root(reply.url):
        probe = await walk.probe(reply.url)
    _conclude(ctx, walk, url, reply, probe, check)


def _come_back_later(ctx: Context, reply: Reply) -> bool:
    """True for a 429 whose Retry-After is longer than the run will wait."""
    wait = retry_after(reply.headers.get("Retry-After"))
    return reply.status == 429 and wait is not None and wait > ctx.options.retry_after_cap


def _is_root(url: URL) -> bool:
    return url.path in ("", "/")


def _conclude(
    ctx: Context, walk: _Walk, url: URL, reply: Reply, probe: pages.Probe | None, check: Check
) -> None:
    check.http_status = reply.status
    check.final_url = str(reply.url.with_fragment(walk.fragment or None))
    check.content_type = reply.content_type
    page = walk._page(reply) if reply.body is not None else None
    check.title = page.title if page is not None else None
    wall = pages.bot_wall(reply.status, reply.headers, page)
    if wall is not None:
        check.verdict, check.error = BLOCKED, f"blocked by {wall}"
        return
    settled = pages.classify_status(reply.status, via_proxy=ctx.via_proxy)
    if settled is not None:
        check.verdict, check.error = settled
        return
    fragment = pages.checkable_fragment(walk.fragment)
    check.verdict, check.error = pages.success_verdict(
        url, reply.url, check.redirects, page, probe, fragment, reply.complete
    )
    if ctx.options.on_page is not None and page is not None and check.verdict in (OK, REDIRECTED):
        assert reply.body is not None
        ctx.options.on_page(check.url, reply.body, reply.content_type)
