"""A verified bibliography: an entry per cited source, from pages, text, checks and archives."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from citecheck.metadata import PageMetadata, clean
from citecheck.model import Inventory, Link
from citecheck.sources import GivenSource, given_sources, title_mismatch
from citecheck.verdict import OK, PLACEHOLDER, REDIRECTED, SKIPPED, WORDS, Archive, Check

if TYPE_CHECKING:
    from citecheck.check import Results

__all__ = ["NEEDS_LINK", "TITLE_MISMATCH", "Bibliography", "Entry", "Name", "build"]

NEEDS_LINK = "needs-link"
TITLE_MISMATCH = "title-mismatch"
_FETCHED = ("http", "https")
_ORGANISATION = re.compile(
    r"\b(?:office|ministry|agency|university|institute|society|press|news|media|team|staff|"
    r"editors|bureau|department|council|committee|association|foundation|inc|ltd|llc|gmbh)\b",
    re.IGNORECASE,
)
_CYRILLIC = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіўґє",
        "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch  y  e yu ya i u g ye".split(
            " "
        ),
        strict=True,
    )
)
_STOP_WORDS = {"a", "an", "the", "on", "of", "in", "and", "der", "die", "das", "le", "la", "les"}


@dataclass(slots=True)
class Name:
    """A person (family and given names) or an organisation (`literal`)."""

    family: str | None = None
    given: str | None = None
    literal: str | None = None

    @classmethod
    def parse(cls, text: str) -> Name:
        """ "Doe, Jane" and "Jane Doe" as a person; one word or an organisation as written."""
        text = " ".join(text.split())
        if "," in text:
            family, _, given = text.partition(",")
            if family.strip() and given.strip() and len(family.split()) <= 3:
                return cls(family=family.strip(), given=given.strip())
        words = text.split()
        if len(words) < 2 or len(words) > 4 or _ORGANISATION.search(text):
            return cls(literal=text)
        return cls(family=words[-1], given=" ".join(words[:-1]))

    def __str__(self) -> str:
        if self.literal:
            return self.literal
        return " ".join(p for p in (self.given, self.family) if p)


@dataclass(slots=True)
class Entry:
    """One source as it will be cited, with what checking found about its link."""

    key: str
    url: str | None
    title: str | None = None
    authors: list[Name] = field(default_factory=list)
    date: str | None = None  # ISO: YYYY, YYYY-MM or YYYY-MM-DD
    container: str | None = None
    publisher: str | None = None
    language: str | None = None
    doi: str | None = None
    type: str = "webpage"  # a CSL type
    accessed: str | None = None  # ISO date of the check
    archive_url: str | None = None
    archive_date: str | None = None  # ISO date of the capture
    verdict: str = SKIPPED
    flags: list[str] = field(default_factory=list)
    reason: str | None = None  # why it needs attention, in plain words
    translated_title: str | None = None
    given_title: str | None = None  # the title the document gives, when it gives one
    documents: list[str] = field(default_factory=list)

    @property
    def verified(self) -> bool:
        """The link works, or an archived copy stands in for it."""
        if NEEDS_LINK in self.flags:
            return False
        return self.verdict in (OK, REDIRECTED) or self.archive_url is not None


@dataclass(slots=True)
class Bibliography:
    """Entries in the order the documents first cite them."""

    entries: list[Entry] = field(default_factory=list)

    def verified(self) -> list[Entry]:
        return [e for e in self.entries if e.verified]

    def needs_attention(self) -> list[Entry]:
        return [e for e in self.entries if not e.verified or e.flags]


def _iso_day(stamp: str | None) -> str | None:
    if not stamp:
        return None
    if re.fullmatch(r"\d{14}", stamp):
        return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}"
    return stamp[:10] if re.match(r"\d{4}-\d{2}-\d{2}", stamp) else None


def _archive_copy(archive: Archive | None) -> tuple[str | None, str | None]:
    if archive is None:
        return None, None
    snap = archive.closest or archive.saved
    if snap is None:
        return None, None
    return snap.url, _iso_day(snap.timestamp)


def _ascii(text: str) -> str:
    text = "".join(_CYRILLIC.get(c, c) for c in text.lower())
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9 ]", "", folded)


def cite_key(entry: Entry) -> str:
    """author-year-title: "pierce2020tech"; the host name stands in for a missing author."""
    who = ""
    if entry.authors:
        first = entry.authors[0]
        who = first.family or (first.literal or "").split(" ")[0]
    if not who and entry.container:
        who = entry.container
    if not who and entry.url:
        who = (urlsplit(entry.url).hostname or "").removeprefix("www.").split(".")[0]
    who = _ascii(who).replace(" ", "")[:20] or "anon"
    year = (entry.date or "")[:4] if (entry.date or "")[:4].isdigit() else "nd"
    title = entry.title if entry.title != _host(entry.url) else ""
    words = [w for w in _ascii(title or "").split() if w not in _STOP_WORDS]
    return f"{who}{year}{words[0][:15] if words else ''}"


def _host(url: str | None) -> str | None:
    return clean(urlsplit(url).hostname or url, 300) if url else None


def _accessed(check: Check | None) -> str | None:
    return _iso_day(check.checked_at) if check is not None else None


def _entry_for(
    url: str | None,
    links: list[Link],
    check: Check | None,
    archive: Archive | None,
    page: PageMetadata | None,
    given: GivenSource | None,
    verdict: str,
) -> Entry:
    """One entry: the page's account first, then the document's, then the URL's."""
    page = page or PageMetadata(url=url or "")
    entry = Entry(key="", url=url, verdict=verdict)
    entry.title = page.title or (given.title if given else None)
    names = page.authors or (given.authors if given else [])
    entry.authors = [Name.parse(n) for n in names if n]
    entry.date = page.date or (given.date if given else None)
    entry.container = page.container or (given.container if given else None)
    entry.publisher = page.publisher
    entry.language = page.language or (given.language if given else None)
    entry.doi = page.doi
    entry.type = page.type if page.type and page.type != "article" else "webpage"
    entry.accessed = _accessed(check)
    entry.archive_url, entry.archive_date = _archive_copy(archive)
    entry.documents = sorted({k.document for k in links})
    if given is not None:
        entry.translated_title = given.translated_title
        entry.given_title = given.title
        if page.title and title_mismatch(page.title, given.title):
            entry.flags.append(TITLE_MISMATCH)
    if entry.title is None and url is not None:
        entry.title = _host(url)
    return entry


def _reason(entry: Entry, check: Check | None) -> str | None:
    if NEEDS_LINK in entry.flags:
        return "needs a link: the text names this source but its link is a placeholder"
    parts: list[str] = []
    if not entry.verified:
        detail = (check.error if check is not None else None) or WORDS.get(entry.verdict, "")
        parts.append(f"{entry.verdict}: {detail}; no archived copy")
    if TITLE_MISMATCH in entry.flags:
        parts.append(
            f"title-mismatch: the page is titled {entry.title!r}, the text says "
            f"{entry.given_title!r}; the link may point at the wrong page"
        )
    return "; ".join(parts) or None


def build(
    inv: Inventory,
    results: Results | None,
    pages: dict[str, PageMetadata] | None = None,
    given: dict[str, GivenSource] | None = None,
) -> Bibliography:
    """Entries for every fetched URL, and for every source the text names without a link."""
    pages = pages or {}
    given = given_sources(inv) if given is None else given
    checks = results.checks if results is not None else {}
    archives = results.archives if results is not None else {}
    by_url: dict[str, list[Link]] = {}
    order: list[tuple[str | None, list[Link]]] = []
    for link in inv.links:
        if link.kind == "image":
            continue
        if link.placeholder is not None:
            source = given.get(link.id)
            if source is not None and source.named:
                order.append((None, [link]))
            continue
        url = link.url
        if url is None or urlsplit(url).scheme not in _FETCHED:
            continue
        if url not in by_url:
            by_url[url] = []
            order.append((url, by_url[url]))
        by_url[url].append(link)
    bib = Bibliography()
    keys: dict[str, int] = {}
    for url, links in order:
        named = [given[k.id] for k in links if k.id in given]
        source = next((g for g in named if g.named), named[0] if named else None)
        if url is None:
            entry = _entry_for(None, links, None, None, None, source, PLACEHOLDER)
            entry.flags.append(NEEDS_LINK)
            entry.type = "article-newspaper" if entry.container else "webpage"
            entry.accessed = None
        else:
            check = checks.get(url)
            verdict = check.verdict if check is not None else SKIPPED
            entry = _entry_for(
                url, links, check, archives.get(url), pages.get(url), source, verdict
            )
        entry.reason = _reason(entry, checks.get(url or ""))
        base = cite_key(entry)
        n = keys.get(base, 0)
        keys[base] = n + 1
        entry.key = base if n == 0 else f"{base}{_suffix(n)}"
        bib.entries.append(entry)
    return bib


def _suffix(n: int) -> str:
    """b, c, … z, then aa, ab: the second entry with a key gets "b" (like biber's labels)."""
    out = ""
    while n >= 0:
        out = chr(ord("a") + n % 26) + out
        n = n // 26 - 1
    return out
