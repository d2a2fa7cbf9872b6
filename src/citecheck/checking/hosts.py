"""What the workers share about each host: request slots, spacing, backoff and its probe."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from citecheck.checking.pages import Probe


class HostGate:
    """Admits requests to one host: at most `per_host` at once, `min_gap` apart between starts,
    and none while the host has asked everyone to wait (Retry-After)."""

    def __init__(self, per_host: int, min_gap: float) -> None:
        self._slots = asyncio.Semaphore(per_host)
        self._min_gap = min_gap
        self._next_start = 0.0
        self._paused_until = 0.0

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Hold one of the host's slots, entered no sooner than the spacing allows."""
        async with self._slots:
            loop = asyncio.get_running_loop()
            while True:
                now = loop.time()
                start = max(self._next_start, self._paused_until)
                if start <= now:
                    # Claimed before any await, so two waiters never take the same start time.
                    self._next_start = now + self._min_gap
                    break
                await asyncio.sleep(start - now)
            yield

    def pause(self, seconds: float) -> None:
        """Hold every request to this host for `seconds` from now (shared by all workers)."""
        until = asyncio.get_running_loop().time() + seconds
        self._paused_until = max(self._paused_until, until)


class Hosts:
    """The gates and soft-404 probes of every host met in one run."""

    def __init__(self, per_host: int, min_gap: float) -> None:
        self._per_host = per_host
        self._min_gap = min_gap
        self._gates: dict[str, HostGate] = {}
        self._probes: dict[str, asyncio.Task[Probe | None]] = {}

    def gate(self, host: str) -> HostGate:
        gate = self._gates.get(host)
        if gate is None:
            gate = self._gates[host] = HostGate(self._per_host, self._min_gap)
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
