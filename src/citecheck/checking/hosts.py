"""What the workers share about each host: request slots, spacing, backoff and its probe."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from citecheck.checking.options import EngineOptions
from citecheck.checking.pages import Probe


class Pace:
    """When the next request to one host may start: `burst` at once, then one a `gap`.

    A token bucket (in its "virtual schedule" form): a host gets at most one start per `gap`
    seconds over any long stretch, as with a fixed gap, but a host idle for a while may take
    up to `burst` starts at once, as a browser loading one page does. A draft citing a site
    five times checks those five together instead of over a quarter of a second.
    """

    def __init__(self, gap: float, burst: int) -> None:
        self.gap = max(0.0, gap)
        self._slack = self.gap * (max(1, burst) - 1)
        self._due = 0.0  # when the schedule would start the next request with no burst

    def next_start(self) -> float:
        """The loop time from which a request may start."""
        return self._due - self._slack

    def take(self, now: float) -> None:
        """Record a start at `now` (which must not be before `next_start()`)."""
        self._due = max(self._due, now) + self.gap


class HostGate:
    """Admits requests to one host: at most `per_host` at once, paced by a `Pace`, and none
    while the host has asked everyone to wait (Retry-After)."""

    def __init__(self, per_host: int, min_gap: float, burst: int = 1) -> None:
        self._slots = asyncio.Semaphore(per_host)
        self._pace = Pace(min_gap, burst)
        self._paused_until = 0.0

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Hold one of the host's slots, entered no sooner than the spacing allows."""
        async with self._slots:
            loop = asyncio.get_running_loop()
            while True:
                now = loop.time()
                start = max(self._pace.next_start(), self._paused_until)
                if start <= now:
                    # Claimed before any await, so two waiters never take the same start time.
                    self._pace.take(now)
                    break
                await asyncio.sleep(start - now)
            yield

    def pause(self, seconds: float) -> None:
        """Hold every request to this host for `seconds` from now (shared by all workers)."""
        until = asyncio.get_running_loop().time() + seconds
        self._paused_until = max(self._paused_until, until)


class Hosts:
    """The gates and soft-404 probes of every host met in one run."""

    def __init__(self, options: EngineOptions) -> None:
        self._per_host = options.per_host
        self._min_gap = options.min_gap
        self._burst = options.burst
        self._gates: dict[str, HostGate] = {}
        self._probes: dict[str, asyncio.Task[Probe | None]] = {}

    def gate(self, host: str) -> HostGate:
        gate = self._gates.get(host)
        if gate is None:
            gate = self._gates[host] = HostGate(self._per_host, self._min_gap, self._burst)
        return gate

    def start_probe(
        self, origin: str, run: Callable[[], Awaitable[Probe | None]]
    ) -> asyncio.Task[Probe | None]:
        """The probe of `origin`, started at most once per run (concurrent callers share it)."""
        task = self._probes.get(origin)
        if task is None:
            task = self._probes[origin] = asyncio.ensure_future(run())
        return task

    async def probe(self, origin: str, run: Callable[[], Awaitable[Probe | None]]) -> Probe | None:
        """The probe's answer; a caller cancelled while waiting does not cancel it for others."""
        return await asyncio.shield(self.start_probe(origin, run))

    async def close(self) -> None:
        """Stop probes still running when the run ends (cancelled or done early)."""
        pending = [t for t in self._probes.values() if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)
