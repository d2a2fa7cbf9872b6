"""Check many URLs at once on a private event loop, politely per host, with results as they come."""

from __future__ import annotations

import asyncio
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver

from citecheck.checking.fetch import (
    PinnedResolver,
    PublicOnlyResolver,
    _env_proxy,
    ssl_context,
)
from citecheck.checking.hosts import Hosts, Pace
from citecheck.checking.options import EngineOptions
from citecheck.checking.walk import Context, check_url
from citecheck.verdict import Check

SPARE_DESCRIPTORS = 64  # files beside the sockets: the project, documents, DNS, pipes
_CANCEL_POLL = 0.05  # seconds between looks at the cancel event
_COOKIE_LIMIT = 5_000  # cookies kept before the jar is emptied, so 100k sites stay bounded


def check_urls(
    urls: Iterable[str],
    options: EngineOptions,
    on_result: Callable[[Check], None],
    cancel: threading.Event | None = None,
    on_start: Callable[[str], None] | None = None,
) -> None:
    """Check each distinct URL once, calling `on_result` as each is decided.

    Runs its own event loop, so call it from a worker thread (or a script), not from inside a
    running loop. Callbacks run on that thread, in completion order. Setting `cancel` stops
    the run within about 50 ms: checks in flight are abandoned and report nothing. Network
    problems become verdicts; only an exception raised by a callback propagates.
    """
    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(_run(urls, options, on_result, cancel, on_start))


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it is installed (not on Windows), else asyncio's own."""
    if os.environ.get("CITECHECK_LOOP") == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def within_descriptor_limit(wanted: int) -> int:
    """`wanted` checks at once, or fewer if this process may not open that many sockets.

    macOS allows a process 256 open files unless told otherwise, Linux often 1,024: the soft
    limit is raised towards what the run needs (up to the hard limit), and where it cannot be,
    fewer checks run at once rather than failing with "too many open files".
    """
    try:
        import resource
    except ImportError:  # Windows: sockets are not counted against such a limit
        return wanted
    need = wanted + SPARE_DESCRIPTORS
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < need:
        raised = need if hard == resource.RLIM_INFINITY else min(need, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
        except (ValueError, OSError):
            pass
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - SPARE_DESCRIPTORS))


def _host_key(url: str) -> str:
    """The host a URL's check will mostly talk to; cheap, and "" when there is none."""
    try:
        return (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""


async def _run(
    urls: Iterable[str],
    options: EngineOptions,
    on_result: Callable[[Check], None],
    cancel: threading.Event | None,
    on_start: Callable[[str], None] | None,
) -> None:
    options = replace(options, concurrency=within_descriptor_limit(options.concurrency))
    context, tls_problem = ssl_context()
    connector = aiohttp.TCPConnector(
        limit=options.concurrency,
        limit_per_host=0,  # the host gates enforce per_host, including across redirects
        ssl=context,
        ttl_dns_cache=300,
        resolver=_resolver(options),
    )
    session = aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=None),  # each attempt has its own deadline
        trust_env=False,  # proxies come from the environment once per host (fetch._env_proxy)
        auto_decompress=False,  # bodies are inflated by hand, under the cap
        cookie_jar=aiohttp.CookieJar(unsafe=True),  # cookie checks before a redirect
    )
    _env_proxy.cache_clear()  # each run sees the environment as it is now
    ctx = Context(options, session, Hosts(options), tls_problem)
    try:
        await _Scheduler(ctx, urls, on_result, cancel, on_start).run()
    finally:
        await ctx.hosts.close()
        await session.close()


_WAKE = object()  # a sleeping host's turn has come


class _Scheduler:
    """Feeds a bounded window of URLs to at most `concurrency` checks, round-robin over hosts.

    Only a window of the input is held (pending plus running), so 100k URLs cost no more than
    a few thousand; a host at its limit does not hold up the others, because its URLs wait in
    its own queue instead of occupying a worker.
    """

    def __init__(
        self,
        ctx: Context,
        urls: Iterable[str],
        on_result: Callable[[Check], None],
        cancel: threading.Event | None,
        on_start: Callable[[str], None] | None,
    ) -> None:
        self.ctx = ctx
        self.urls: Iterator[str] = iter(urls)
        self.on_result = on_result
        self.cancel = cancel
        self.on_start = on_start
        opts = ctx.options
        self.concurrency = max(1, opts.concurrency)
        self.per_host = max(1, opts.per_host)
        self.window = max(4 * self.concurrency, 256)
        self.seen: set[str] = set()
        self.waiting: dict[str, deque[str]] = {}
        self.ready: deque[str] = deque()  # hosts with waiting URLs and a free slot
        self.in_ready: set[str] = set()
        self.active: dict[str, int] = {}
        self.running: dict[asyncio.Task[Check], str] = {}
        # Finished tasks arrive here: O(1) per completion, where asyncio.wait on all running
        # tasks would add and remove a callback on each of them at every wake-up.
        self.done: asyncio.Queue[asyncio.Task[Check] | None | object] = asyncio.Queue()
        # When each host may next see a request start. A check dispatched earlier would wait in
        # its host's gate while holding one of the `concurrency` places, idling it; so hosts
        # wait here instead, and their places go to hosts that can start now.
        self.min_gap = max(0.0, opts.min_gap)
        self.burst = opts.burst
        self.paces: dict[str, Pace] = {}
        self.sleeping: set[str] = set()
        self.pending = 0
        self.exhausted = False
        self.finished = 0

    def _top_up(self) -> None:
        while not self.exhausted and self.pending < self.window:
            try:
                url = next(self.urls)
            except StopIteration:
                self.exhausted = True
                return
            if url in self.seen:
                continue
            self.seen.add(url)
            host = _host_key(url)
            self.waiting.setdefault(host, deque()).append(url)
            self.pending += 1
            self._mark_ready(host)

    def _mark_ready(self, host: str) -> None:
        if (
            host not in self.in_ready
            and host not in self.sleeping
            and self.waiting.get(host)
            and self.active.get(host, 0) < self.per_host
        ):
            self.ready.append(host)
            self.in_ready.add(host)

    def _wake(self, host: str) -> None:
        self.sleeping.discard(host)
        self._mark_ready(host)
        self.done.put_nowait(_WAKE)

    def _dispatch(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        while self.ready and len(self.running) < self.concurrency:
            host = self.ready.popleft()
            self.in_ready.discard(host)
            pace = self.paces.get(host)
            if pace is None:
                pace = self.paces[host] = Pace(self.min_gap, self.burst)
            at = pace.next_start()
            if at > now:
                self.sleeping.add(host)
                loop.call_at(at, self._wake, host)
                continue
            pace.take(now)
            queue = self.waiting[host]
            url = queue.popleft()
            if not queue:
                del self.waiting[host]
            self.pending -= 1
            self.active[host] = self.active.get(host, 0) + 1
            if self.on_start is not None:
                self.on_start(url)
            task = asyncio.create_task(check_url(self.ctx, url))
            task.add_done_callback(self.done.put_nowait)
            self.running[task] = host
            self._mark_ready(host)  # round-robin: back of the line if it has more

    def _finish(self, task: asyncio.Task[Check]) -> Check:
        host = self.running.pop(task)
        left = self.active[host] - 1
        if left:
            self.active[host] = left
        else:
            del self.active[host]
        self._mark_ready(host)
        return task.result()

    def _trim_cookies(self) -> None:
        # Cookies only matter within one site's redirect dance; old ones are safe to drop.
        jar = self.ctx.session.cookie_jar
        if len(jar) > _COOKIE_LIMIT:
            jar.clear()

    def _cancelled(self) -> bool:
        return self.cancel is not None and self.cancel.is_set()

    async def _watch_cancel(self) -> None:
        """Wake the run loop when another thread sets the cancel event."""
        assert self.cancel is not None
        while not self.cancel.is_set():
            await asyncio.sleep(_CANCEL_POLL)
        self.done.put_nowait(None)

    async def run(self) -> None:
        watcher = asyncio.create_task(self._watch_cancel()) if self.cancel is not None else None
        try:
            while not self._cancelled():
                self._top_up()
                self._dispatch()
                if not self.running and self.exhausted and not self.pending:
                    return
                # With nothing running, the next event is a sleeping host's wake-up.
                finished = [await self.done.get()]
                while not self.done.empty():
                    finished.append(self.done.get_nowait())
                for task in finished:
                    if task is None or self._cancelled():
                        return
                    if task is _WAKE:
                        continue
                    assert isinstance(task, asyncio.Task)
                    result = self._finish(task)
                    self.on_result(result)
                    self.finished += 1
                    if self.finished % 1000 == 0:
                        self._trim_cookies()
        finally:
            if watcher is not None:
                watcher.cancel()
            await self._abandon()

    async def _abandon(self) -> None:
        """Cancel whatever is still running and wait for it to unwind."""
        tasks = list(self.running)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self.running.clear()


def _resolver(options: EngineOptions) -> AbstractResolver | None:
    inner: AbstractResolver | None = PublicOnlyResolver() if options.exclude_private else None
    if options.resolve:
        return PinnedResolver(options.resolve, inner or aiohttp.DefaultResolver())
    return inner
