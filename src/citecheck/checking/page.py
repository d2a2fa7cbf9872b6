"""Fetch one web page with the checking engine's session, politeness, caps and failure words."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

import aiohttp
from multidict import CIMultiDictProxy

from citecheck.checking import pages
from citecheck.checking.engine import _resolver
from citecheck.checking.fetch import Failure, _env_proxy, redact, ssl_context
from citecheck.checking.hosts import Hosts
from citecheck.checking.options import EngineOptions
from citecheck.checking.walk import Context, _unfetched, _Walk
from citecheck.verdict import ERROR, Check, Redirect

__all__ = ["FetchedPage", "PageUnavailable", "fetch_page"]


class PageUnavailable(Exception):
    """The page could not be fetched at all; the message says why in plain words."""

    def __init__(self, verdict: str, words: str) -> None:
        super().__init__(words)
        self.verdict = verdict
        self.words = words


@dataclass(slots=True)
class FetchedPage:
    """The answer to one GET, after redirects: any HTTP status, with as much body as was read."""

    url: str  # as asked for
    final_url: str  # after redirects
    status: int
    content_type: str | None
    headers: CIMultiDictProxy[str]
    body: bytes | None  # decompressed, at most the cap; None for bodies that are not pages
    complete: bool  # the whole body was read, under the cap
    redirects: list[Redirect]

    @property
    def blocked_by(self) -> str | None:
        """The bot wall (Cloudflare, …) the answer is, if it is one."""
        page = None
        if self.body is not None and pages.is_html(self.content_type):
            page = pages.read_page(self.body, self.content_type)
        return pages.bot_wall(self.status, self.headers, page)


def fetch_page(url: str, options: EngineOptions, *, body_cap: int | None = None) -> FetchedPage:
    """GET `url` as the checking engine would, following redirects, retrying what it retries.

    `body_cap` (default `options.body_cap`) bounds the decompressed body kept. Raises
    PageUnavailable when no HTTP answer came (refused, timed out, bad name, TLS, redirect
    loop, not an http(s) address). Runs its own event loop: call it from a plain thread.
    """
    if body_cap is not None:
        options = replace(options, body_cap=body_cap)
    return asyncio.run(_fetch(url, options))


async def _fetch(raw: str, options: EngineOptions) -> FetchedPage:
    check = Check(url=raw, verdict=ERROR)
    target = _unfetched(raw, check)
    if target is None:
        raise PageUnavailable(check.verdict, check.error or "not an http(s) address")
    context, tls_problem = ssl_context()
    # The same session as the engine's run (engine._run): one place decides how citecheck
    # talks to sites, so a page read as a document is asked for exactly like a checked link.
    connector = aiohttp.TCPConnector(
        limit=max(1, options.concurrency),
        limit_per_host=0,
        ssl=context,
        ttl_dns_cache=300,
        resolver=_resolver(options),
    )
    session = aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=None),
        trust_env=False,
        auto_decompress=False,
        cookie_jar=aiohttp.CookieJar(unsafe=True),
    )
    _env_proxy.cache_clear()
    ctx = Context(options, session, Hosts(options), tls_problem)
    walk = _Walk(ctx, check)
    chain: list[Redirect] = []
    try:
        reply = await walk.follow("GET", target.with_fragment(None), chain)
    except Failure as failure:
        raise PageUnavailable(failure.verdict, redact(failure.words)) from None
    finally:
        await ctx.hosts.close()
        await session.close()
    return FetchedPage(
        url=raw,
        final_url=str(reply.url),
        status=reply.status,
        content_type=reply.content_type,
        headers=reply.headers,
        body=reply.body,
        complete=reply.complete,
        redirects=chain,
    )
