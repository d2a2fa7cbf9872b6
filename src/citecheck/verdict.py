"""What a live check of one URL concluded, with the evidence an editor can trust."""

from __future__ import annotations

from dataclasses import dataclass, field

# Verdicts, in the order reports list them.
OK = "ok"
REDIRECTED = "redirected"  # moved for good: the final URL is the suggested update
DEAD = "dead"  # 404, 410, a name that does not resolve
SOFT_404 = "soft-404"  # a "not found" page served with 200, or a deep link sent to the home page
BLOCKED = "blocked"  # a bot wall or rate limit: uncertain, never reported as dead
TIMEOUT = "timeout"
UNREACHABLE = "unreachable"  # refused, reset, TLS failure, proxy error
INVALID = "invalid"  # the URL itself cannot be fetched (bad form, unsupported)
PLACEHOLDER = "placeholder"  # found by scan, never fetched
SKIPPED = "skipped"  # excluded by the user or not fetched by scheme (mailto:, tel:)
ERROR = "error"  # anything else; the detail says what

VERDICTS = (
    OK,
    REDIRECTED,
    DEAD,
    SOFT_404,
    BLOCKED,
    TIMEOUT,
    UNREACHABLE,
    INVALID,
    PLACEHOLDER,
    SKIPPED,
    ERROR,
)
# Verdicts that mean "this link needs attention" (the CLI's default --fail-on).
FAILING = (DEAD, SOFT_404, PLACEHOLDER, UNREACHABLE)
# Verdicts that count as a failing check for the "failing since" history.
NOT_OK = (DEAD, SOFT_404, TIMEOUT, UNREACHABLE, ERROR)

WORDS = {
    OK: "works",
    REDIRECTED: "moved permanently; update the link",
    DEAD: "gone (not found)",
    SOFT_404: "the page says it is not found, though the server says it is fine",
    BLOCKED: "the site blocks automated checks; open it in a browser to be sure",
    TIMEOUT: "the server did not answer in time",
    UNREACHABLE: "the server could not be reached",
    INVALID: "not a URL that can be checked",
    PLACEHOLDER: "a placeholder, not a real link",
    SKIPPED: "not checked",
    ERROR: "the check failed",
}


@dataclass(slots=True)
class Redirect:
    """One hop of a redirect chain."""

    status: int
    url: str  # where the hop pointed (absolute)


@dataclass(slots=True)
class Check:
    """The outcome of checking one URL, with its evidence."""

    url: str
    verdict: str
    http_status: int | None = None
    final_url: str | None = None
    redirects: list[Redirect] = field(default_factory=list)
    content_type: str | None = None
    elapsed: float = 0.0  # seconds, all attempts together
    attempts: int = 0
    error: str | None = None  # plain words: "connection refused", "TLS: certificate expired"
    checked_at: str = ""  # ISO 8601, UTC
    title: str | None = None  # the page's <title>, when a body was read
    from_cache: bool = False
    first_failure: str | None = None  # earliest failing check in the unbroken run of failures
    last_failure: str | None = None


@dataclass(slots=True)
class Snapshot:
    """One Wayback Machine capture."""

    timestamp: str  # 14 digits, YYYYMMDDhhmmss
    url: str  # https://web.archive.org/web/<timestamp>/<original>
    status: int | None = None


@dataclass(slots=True)
class Archive:
    """What the Wayback Machine holds for one URL."""

    url: str
    # Days with a good (200) capture; a lower bound when `count_capped` (a huge history).
    snapshot_count: int = 0
    count_capped: bool = False
    closest: Snapshot | None = None  # the 200 capture closest to the document's date
    first: Snapshot | None = None
    last: Snapshot | None = None
    saved: Snapshot | None = None  # a capture this run asked Save Page Now to make
    save_error: str | None = None  # why Save Page Now did not capture it, in plain words
    checked_at: str = ""
    error: str | None = None
