"""CSL-JSON items, valid against the official CSL data schema."""

from __future__ import annotations

import json
from typing import Any

from citecheck.bibliography import Bibliography, Entry, Name
from citecheck.report import redact

__all__ = ["to_csl", "to_csl_json"]

# The schema's closed list; anything else falls back to "webpage".
CSL_TYPES = {
    "article",
    "article-journal",
    "article-magazine",
    "article-newspaper",
    "post",
    "post-weblog",
    "report",
    "webpage",
}


def date_parts(iso: str | None) -> dict[str, Any] | None:
    """{"date-parts": [[2020, 9, 30]]} from "2020-09-30" (or "2020-09", "2020")."""
    if not iso:
        return None
    try:
        parts = [int(p) for p in iso.split("-")[:3]]
    except ValueError:
        return None
    return {"date-parts": [parts]}


def _name(name: Name) -> dict[str, str]:
    if name.literal or not name.family:
        return {"literal": str(name)}
    out = {"family": name.family}
    if name.given:
        out["given"] = name.given
    return out


def item(entry: Entry) -> dict[str, Any]:
    """One entry as a CSL-JSON item; fields without a value are left out."""
    data: dict[str, Any] = {
        "id": entry.key,
        "type": entry.type if entry.type in CSL_TYPES else "webpage",
        "title": entry.title,
        "author": [_name(n) for n in entry.authors] or None,
        "issued": date_parts(entry.date),
        "accessed": date_parts(entry.accessed),
        "URL": redact(entry.url),
        "DOI": entry.doi,
        "container-title": entry.container,
        "publisher": entry.publisher,
        "language": entry.language,
    }
    if entry.archive_url:
        data["archive"] = "Internet Archive Wayback Machine"
        data["archive_location"] = entry.archive_url
    notes = []
    if entry.translated_title:
        notes.append(f"English title: {entry.translated_title}")
    if entry.flags:
        notes.append("citecheck: " + ", ".join(entry.flags))
    if entry.reason:
        notes.append(entry.reason)
    if notes:
        data["note"] = "\n".join(notes)
    return {k: v for k, v in data.items() if v not in (None, "", [])}


def to_csl(bib: Bibliography) -> list[dict[str, Any]]:
    return [item(e) for e in bib.entries]


def to_csl_json(bib: Bibliography) -> str:
    return json.dumps(to_csl(bib), ensure_ascii=False, indent=2) + "\n"
