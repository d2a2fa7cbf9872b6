"""Guess a document's title and date from its first lines when nothing declares them."""

from __future__ import annotations

import re
from datetime import datetime

_DATE_FORMATS = (
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%Y-%m-%d",
    "%B %d %Y",
    "%A, %B %d, %Y",
    "%d.%m.%Y",
)
_ORDINAL = re.compile(r"(\d)(st|nd|rd|th)\b")
_LEAD_LINES = 3  # a title sits among the first few lines, before any list or body text
_MAX_TITLE = 150


def parse_date(line: str) -> str | None:
    """ISO date of a line that is only a date ("October 2, 2020"), else None."""
    s = _ORDINAL.sub(r"\1", " ".join(line.strip().strip(".").split()))
    if not s or len(s) > 40 or not any(c.isdigit() for c in s):
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(s, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def guess_title_date(text: str) -> tuple[str | None, str | None]:
    """The longest short line among the first lines (the date line aside), and that date."""
    lines: list[str] = []
    date = None
    for raw in text[:20_000].split("\n"):
        line = raw.strip()
        if not line:
            continue
        if date is None and (found := parse_date(line)):
            date = found
            continue
        if len(lines) < _LEAD_LINES:
            lines.append(line)
        if len(lines) >= _LEAD_LINES and date is not None:
            break
        if len(lines) >= _LEAD_LINES * 3:
            break
    titles = [
        ln
        for ln in lines
        if len(ln) <= _MAX_TITLE
        and not ln.endswith((".", ",", ";", ":"))
        and "](" not in ln
        and "://" not in ln
    ]
    title = max(titles, key=len) if titles else None
    return title, date
