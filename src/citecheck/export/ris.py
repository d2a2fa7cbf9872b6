"""RIS records, the format reference managers (Zotero, EndNote, Mendeley) all import."""

from __future__ import annotations

from citecheck.bibliography import Bibliography, Entry
from citecheck.report import redact

__all__ = ["to_ris"]

_TYPES = {
    "article-journal": "JOUR",
    "article-newspaper": "NEWS",
    "article-magazine": "MGZN",
    "report": "RPRT",
    "post-weblog": "BLOG",
}


def _one_line(text: str) -> str:
    # A newline would start a new tag; "ER  -" inside a value would end the record.
    return " ".join(text.split())


def _date(iso: str) -> str:
    parts = iso.split("-") + ["", ""]
    return f"{parts[0]}/{parts[1]}/{parts[2]}/"


def record(entry: Entry) -> list[tuple[str, str]]:
    tags: list[tuple[str, str]] = [("TY", _TYPES.get(entry.type, "ELEC"))]
    if entry.title:
        tags.append(("TI", entry.title))
    for name in entry.authors:
        text = f"{name.family}, {name.given}" if name.family and name.given else str(name)
        tags.append(("AU", text))
    if entry.date:
        tags += [("PY", entry.date[:4]), ("DA", _date(entry.date))]
    if entry.container:
        tags.append(("T2", entry.container))
    if entry.publisher:
        tags.append(("PB", entry.publisher))
    if entry.language:
        tags.append(("LA", entry.language))
    if entry.doi:
        tags.append(("DO", entry.doi))
    if entry.url:
        tags.append(("UR", redact(entry.url) or ""))
    if entry.accessed:
        tags.append(("Y2", _date(entry.accessed)))
    if entry.archive_url:
        when = f" ({entry.archive_date})" if entry.archive_date else ""
        tags.append(("N1", f"Archived copy{when}: {entry.archive_url}"))
    if entry.translated_title:
        tags.append(("TT", entry.translated_title))
    if entry.reason:
        tags.append(("N1", entry.reason))
    tags.append(("ID", entry.key))
    return [(tag, _one_line(value)) for tag, value in tags if _one_line(value)]


def to_ris(bib: Bibliography) -> str:
    out: list[str] = []
    for entry in bib.entries:
        out += [f"{tag}  - {value}" for tag, value in record(entry)]
        out += ["ER  - ", ""]
    return "\n".join(out)
