"""The settings of a checking run, with the reasons for their defaults."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from citecheck import __version__

USER_AGENT = f"citecheck/{__version__} (+https://github.com/citecheck/citecheck; link checker)"


@dataclass(slots=True)
class EngineOptions:
    """How hard and how patiently to check.

    `concurrency` 256 checks at once: a bibliography cites many sites and most of a check is
    waiting on a far server, so more in flight means sooner done; the per-host limits below,
    not this, are what a site feels. 256 stays within what a home router's NAT table and the
    descriptor limits allow (the engine raises the soft limit where it can, and runs fewer at
    once where it cannot: macOS's default is 256 files). `per_host` 8 at once, and starts paced
    by a token bucket: one per `min_gap` (0.05 s, 20 a second, lychee's spacing) over any long
    stretch, with a `burst` of one second's worth (20) for a site not asked for a while, as a
    browser loading one page asks. Rate limiters count requests over a window: over ten
    seconds a site sees at most a tenth more than the steady rate, while a draft citing one
    site a dozen times is checked at once; a 429 or 503 with Retry-After pauses the whole host.
    `timeout` bounds each attempt as a whole (connect, headers and body), so a server dripping
    bytes cannot hold a worker.
    `retries` applies to connection errors, 5xx and 429, after `retry_backoff` * 2**n seconds
    (with jitter); a Retry-After longer than `retry_after_cap` is not waited for.
    """

    concurrency: int = 256
    per_host: int = 8
    min_gap: float = 0.05
    burst: int = 20
    timeout: float = 20.0
    retries: int = 2
    max_redirects: int = 10
    body_cap: int = 512 * 1024
    retry_after_cap: float = 60.0
    user_agent: str = USER_AGENT
    exclude_private: bool = False
    retry_backoff: float = 1.0  # seconds before the first retry; doubled for each one after
    # "host:port" -> (address, port), like curl's --resolve: pins a name to an address (a
    # staging server, a site behind a hosts-file entry, or a test's local stand-in).
    resolve: dict[str, tuple[str, int]] = field(default_factory=dict)
    # GET (not just HEAD) every ok HTML page, so its body can be read for metadata.
    read_pages: bool = False
    # Called as (url as given, body, Content-Type) with the body of each ok or redirected HTML
    # page that was read; runs on the engine's thread, so it should be quick.
    on_page: Callable[[str, bytes, str | None], None] | None = None
