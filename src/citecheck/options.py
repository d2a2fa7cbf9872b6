"""Every check setting declared once: read by the CLI and by the settings dialog."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.IGNORECASE)
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> timedelta:
    """'90s', '30m', '12h', '1d', '2w' (a bare number is seconds)."""
    m = _DURATION.match(text)
    if m is None:
        raise ValueError(f"not a duration: {text!r} (try 30m, 12h or 1d)")
    return timedelta(seconds=float(m.group(1)) * _UNITS[m.group(2).lower()])


def format_duration(value: timedelta) -> str:
    seconds = int(value.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"not a date: {text!r} (use YYYY-MM-DD)") from None


@dataclass(frozen=True, slots=True)
class Option:
    """One setting: how the CLI spells it, how the settings dialog shows it, and its default."""

    name: str  # attribute name in CheckSettings
    flag: str  # command-line flag
    kind: str  # "int", "float", "duration", "date", "choice", "text", "secret", "bool"
    default: Any
    help: str
    label: str  # short label for the settings dialog
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    metavar: str | None = None

    def parse(self, text: str) -> Any:
        """The option's value from its written form; ValueError with plain words otherwise."""
        parsers: dict[str, Callable[[str], Any]] = {
            "int": int,
            "float": float,
            "duration": parse_duration,
            "date": parse_date,
        }
        parser = parsers.get(self.kind, str)
        try:
            value = parser(text)
        except ValueError as e:
            raise ValueError(
                str(e)
                if self.kind in ("duration", "date")
                else f"{self.flag} expects a number, not {text!r}"
            ) from None
        if self.choices and value not in self.choices:
            raise ValueError(f"{self.flag} must be one of {', '.join(self.choices)}")
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"{self.flag} must be at least {self.minimum:g}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"{self.flag} must be at most {self.maximum:g}")
        return value


CHECK_OPTIONS: tuple[Option, ...] = (
    Option(
        "concurrency",
        "--concurrency",
        "int",
        256,
        "requests in flight at once, overall",
        "Requests at once",
        1,
        1024,
        metavar="N",
    ),
    Option(
        "per_host",
        "--per-host",
        "int",
        8,
        "requests in flight at once to one host",
        "Requests per host",
        1,
        64,
        metavar="N",
    ),
    Option(
        "host_gap",
        "--host-gap",
        "float",
        0.05,
        "seconds between request starts to one host, on average (0.05: 20 a second)",
        "Seconds between requests to a host",
        0,
        60,
        metavar="S",
    ),
    Option(
        "host_burst",
        "--host-burst",
        "int",
        20,
        "requests a host not asked for a while may get before the spacing applies "
        "(1: every start spaced)",
        "Burst of requests to a host",
        1,
        1000,
        metavar="N",
    ),
    Option(
        "timeout",
        "--timeout",
        "float",
        20.0,
        "seconds one attempt may take, body included",
        "Timeout (seconds)",
        1,
        600,
        metavar="S",
    ),
    Option(
        "user_agent",
        "--user-agent",
        "text",
        "",
        "User-Agent header (default names citecheck and its version)",
        "User agent",
        metavar="TEXT",
    ),
    Option(
        "max_age",
        "--max-age",
        "duration",
        timedelta(days=1),
        "reuse a check of the same URL younger than this",
        "Reuse checks younger than",
        metavar="DUR",
    ),
    Option(
        "archive",
        "--archive",
        "choice",
        "failing",
        "Wayback lookups: for links that are not ok, for all links, or none",
        "Archive lookups",
        choices=("failing", "all", "none"),
        metavar="WHICH",
    ),
    Option(
        "as_of",
        "--as-of",
        "date",
        None,
        "date the citations were made (default: each document's date, else today)",
        "Cited as of",
        metavar="DATE",
    ),
    Option(
        "spn_access_key",
        "--spn-access-key",
        "secret",
        None,
        "Save Page Now access key (archive.org S3 keys; or CITECHECK_SPN_ACCESS)",
        "Save Page Now access key",
        metavar="KEY",
    ),
    Option(
        "spn_secret_key",
        "--spn-secret-key",
        "secret",
        None,
        "Save Page Now secret key (or CITECHECK_SPN_SECRET)",
        "Save Page Now secret key",
        metavar="KEY",
    ),
)

OPTIONS_BY_NAME = {o.name: o for o in CHECK_OPTIONS}
