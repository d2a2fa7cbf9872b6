"""Live checks of links: a Qt-free asyncio engine behind a synchronous `check_urls`.

Modules: `engine` (scheduling and the public entry point), `walk` (one URL: schemes, HEAD
then GET, redirects, retries), `fetch` (one request under a deadline, capped bodies, failures
in plain words), `hosts` (per-host limits, backoff and soft-404 probes), `pages` (what a page
says: verdicts, soft-404s, bot walls, anchors), `options` (the settings and their defaults).
"""

from __future__ import annotations

from citecheck.checking.engine import check_urls
from citecheck.checking.options import USER_AGENT, EngineOptions

__all__ = ["USER_AGENT", "EngineOptions", "check_urls"]
