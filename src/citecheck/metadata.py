"""What a web page says about itself: title, authors, date, outlet, language and DOI."""

from __future__ import annotations

import html as htmllib
import json
import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser

from citecheck.checking.pages import decode

if TYPE_CHECKING:
    from citecheck.checking import EngineOptions

__all__ = [
    "PageMetadata",
    "extract",
    "fetch_metadata",
    "find_doi",
    "normalise_date",
    "raw_capture_url",
]

# Caps keep a hostile page from filling an export: a title longer than this is not a title.
MAX_TEXT = 500
MAX_AUTHORS = 50
_JSONLD_CAP = 256 * 1024  # bytes of JSON-LD parsed per page
_ARTICLE_TYPES = {
    "article": "article",
    "newsarticle": "article-newspaper",
    "reportagenewsarticle": "article-newspaper",
    "analysisnewsarticle": "article-newspaper",
    "opinionnewsarticle": "article-newspaper",
    "scholarlyarticle": "article-journal",
    "blogposting": "post-weblog",
    "socialmediaposting": "post",
    "report": "report",
    "webpage": "webpage",
}
_TAG = re.compile(r"<[^>]{0,2000}>")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"'<>]+)", re.IGNORECASE)
_ISO = re.compile(r"^\s*(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?(?:[T\s].*)?\s*$")
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        (
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        )
    )
    for m in names.split()
}
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|" + (
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MDY = re.compile(_MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", re.IGNORECASE)
_DMY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\.?\s+" + _MONTH + r",?\s+(\d{4})", re.IGNORECASE)
_MY = re.compile(_MONTH + r",?\s+(\d{4})", re.IGNORECASE)
_TITLE_SEPARATORS = re.compile(r"\s+[|–—\-·:»/]\s+|\s*::\s*")


@dataclass(slots=True)
class PageMetadata:
    """A page's own account of itself; every field may be missing."""

    url: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    date: str | None = None  # ISO: YYYY, YYYY-MM or YYYY-MM-DD
    container: str | None = None  # journal, newspaper or site name
    publisher: str | None = None
    language: str | None = None  # BCP 47, lower-cased
    doi: str | None = None
    type: str | None = None  # a CSL type hint: "article-journal", "article-newspaper", …
    pdf_url: str | None = None
    sources: dict[str, str] = field(default_factory=dict)  # field -> where it came from

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PageMetadata:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def clean(value: object, limit: int = MAX_TEXT) -> str | None:
    """Plain one-line text: tags and entities resolved, controls dropped, length capped."""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return None
    text = str(value)[: limit * 8]
    if "<" in text:
        text = _TAG.sub(" ", text)
    text = htmllib.unescape(text)
    text = _CONTROL.sub("", unicodedata.normalize("NFC", text))
    text = " ".join(text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text or None


def normalise_date(value: object) -> str | None:
    """An ISO date (YYYY, YYYY-MM or YYYY-MM-DD) from the ways pages and people write one."""
    text = clean(value, 100)
    if text is None:
        return None
    m = _ISO.match(text)
    if m:
        return _iso(int(m.group(1)), _int(m.group(2)), _int(m.group(3)))
    m = _MDY.search(text)
    if m:
        return _iso(int(m.group(3)), _MONTHS[m.group(1).lower().rstrip(".")], int(m.group(2)))
    m = _DMY.search(text)
    if m:
        return _iso(int(m.group(3)), _MONTHS[m.group(2).lower().rstrip(".")], int(m.group(1)))
    m = _MY.search(text)
    if m:
        return _iso(int(m.group(2)), _MONTHS[m.group(1).lower().rstrip(".")], None)
    return None


def _int(text: str | None) -> int | None:
    return int(text) if text else None


def _iso(year: int, month: int | None, day: int | None) -> str | None:
    if not 1000 <= year <= 2999:
        return None
    if month is None or not 1 <= month <= 12:
        return f"{year:04d}"
    if day is None or not 1 <= day <= 31:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def find_doi(text: str | None) -> str | None:
    """The first DOI in a URL or string (`doi:`, `https://doi.org/…` or bare), lower-cased."""
    if not text:
        return None
    m = _DOI.search(unquote(text))
    if m is None:
        return None
    doi = m.group(1).rstrip(".,;)]}").lower()
    return doi if len(doi) <= 200 else None


class _Meta:
    """The page's <meta> tags by lower-cased name or property, in page order."""

    def __init__(self, tree: LexborHTMLParser) -> None:
        self.values: dict[str, list[str]] = {}
        for node in tree.css("meta"):
            attrs = node.attributes
            key = attrs.get("name") or attrs.get("property") or attrs.get("itemprop")
            content = attrs.get("content")
            if key and content:
                self.values.setdefault(key.strip().lower(), []).append(content)

    def first(self, *keys: str) -> str | None:
        for key in keys:
            for value in self.values.get(key, []):
                text = clean(value)
                if text:
                    return text
        return None

    def all(self, *keys: str) -> list[str]:
        out: list[str] = []
        for key in keys:
            out.extend(t for t in (clean(v, 200) for v in self.values.get(key, [])) if t)
            if out:
                return out  # the first key that has any wins; no mixing of sources
        return out


def _highwire(meta: _Meta) -> dict[str, Any]:
    return {
        "title": meta.first("citation_title"),
        "authors": meta.all("citation_author"),
        "date": normalise_date(
            meta.first("citation_publication_date", "citation_date", "citation_online_date")
        ),
        "container": meta.first(
            "citation_journal_title", "citation_conference_title", "citation_book_title"
        ),
        "publisher": meta.first("citation_publisher"),
        "language": meta.first("citation_language"),
        "doi": find_doi(meta.first("citation_doi")),
        "type": "article-journal" if meta.first("citation_journal_title") else None,
        "pdf_url": meta.first("citation_pdf_url"),
    }


def _jsonld_items(tree: LexborHTMLParser) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object on the page, @graph members included."""
    for node in tree.css('script[type="application/ld+json"]'):
        raw = node.text(deep=True)[:_JSONLD_CAP]
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack: list[Any] = [data]
        seen = 0
        while stack and seen < 500:
            item = stack.pop(0)
            seen += 1
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if "@graph" in item:
                    stack.extend(item["@graph"] if isinstance(item["@graph"], list) else [])
                yield item


def _types(item: dict[str, Any]) -> list[str]:
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return [k.lower() for k in kinds if isinstance(k, str)]


def _names(value: Any) -> list[str]:
    """Names from a schema.org Person/Organization, a string, or a list of them."""
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items[:MAX_AUTHORS]:
        name = item.get("name") if isinstance(item, dict) else item
        text = clean(name, 200)
        if text:
            out.append(text)
    return out


def _jsonld(tree: LexborHTMLParser) -> dict[str, Any]:
    article = next(
        (i for i in _jsonld_items(tree) if any(t in _ARTICLE_TYPES for t in _types(i))), None
    )
    if article is None:
        return {}
    kind = next((_ARTICLE_TYPES[t] for t in _types(article) if t in _ARTICLE_TYPES), None)
    part_of = _names(article.get("isPartOf"))
    publisher = _names(article.get("publisher"))
    return {
        "title": clean(article.get("headline") or article.get("name")),
        "authors": _names(article.get("author")),
        "date": normalise_date(article.get("datePublished") or article.get("dateCreated")),
        "container": part_of[0] if part_of else None,
        "publisher": publisher[0] if publisher else None,
        "language": clean(article.get("inLanguage"), 35),
        "doi": find_doi(clean(article.get("identifier")) or clean(article.get("sameAs"))),
        "type": None if kind in ("article", "webpage") else kind,
    }


def _dublin_core(meta: _Meta) -> dict[str, Any]:
    return {
        "title": meta.first("dc.title", "dcterms.title"),
        "authors": meta.all("dc.creator", "dcterms.creator"),
        "date": normalise_date(meta.first("dc.date", "dcterms.date", "dcterms.issued")),
        "publisher": meta.first("dc.publisher", "dcterms.publisher"),
        "language": meta.first("dc.language", "dcterms.language"),
        "doi": find_doi(meta.first("dc.identifier", "dcterms.identifier")),
    }


def _opengraph(meta: _Meta) -> dict[str, Any]:
    # article:author is often a profile URL; a URL is no one's name.
    authors = [a for a in meta.all("article:author") if "://" not in a] or meta.all("author")
    return {
        "title": meta.first("og:title", "twitter:title"),
        "authors": authors,
        "date": normalise_date(meta.first("article:published_time", "og:published_time")),
        "container": meta.first("og:site_name", "application-name"),
        "language": (meta.first("og:locale") or "").replace("_", "-") or None,
        "type": "article" if (meta.first("og:type") or "").lower() == "article" else None,
    }


def strip_site_name(title: str, site: str | None, host: str) -> str:
    """A <title> without the " | Site name" part most sites add to it."""
    parts = [p for p in _TITLE_SEPARATORS.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    words = re.sub(r"[^a-z0-9]", "", host.lower().removeprefix("www.").rsplit(".", 1)[0])
    for i in (len(parts) - 1, 0):
        part = parts[i].strip()
        squashed = re.sub(r"[^a-z0-9]", "", part.lower())
        if (site and part.lower() == site.lower()) or (squashed and squashed == words):
            rest = parts[:i] + parts[i + 1 :]
            return " - ".join(p.strip() for p in rest)
    return title


def extract(body: bytes | str, url: str, content_type: str | None = None) -> PageMetadata:
    """A page's metadata, each field from the most trusted layer that has it.

    Order of trust: Highwire `citation_*` tags (written for indexers, mostly right), JSON-LD,
    Dublin Core, OpenGraph (written for social previews, often marketing copy), then the
    `<title>` minus its site-name suffix.
    """
    text = body if isinstance(body, str) else decode(body, content_type)
    tree = LexborHTMLParser(text)
    meta = _Meta(tree)
    found = PageMetadata(url=url)
    layers = (
        ("highwire", _highwire(meta)),
        ("json-ld", _jsonld(tree)),
        ("dublin-core", _dublin_core(meta)),
        ("opengraph", _opengraph(meta)),
    )
    for name, values in layers:
        for key, value in values.items():
            if value and not getattr(found, key):
                setattr(found, key, value[:MAX_AUTHORS] if isinstance(value, list) else value)
                found.sources[key] = name
    host = urlsplit(url).hostname or ""
    if not found.title:
        node = tree.css_first("title")
        title = clean(node.text()) if node is not None else None
        if title:
            found.title = strip_site_name(title, found.container, host)
            found.sources["title"] = "html-title"
    if not found.language:
        root = tree.css_first("html")
        found.language = clean(root.attributes.get("lang"), 35) if root is not None else None
        if found.language:
            found.sources["language"] = "html-lang"
    found.language = _language(found.language)
    if not found.doi:
        found.doi = find_doi(url) if "doi" in url.lower() or "/10." in url else None
        if found.doi:
            found.sources["doi"] = "url"
    if not found.date:
        found.date = _fallback_date(text, url)
        if found.date:
            found.sources["date"] = "htmldate"
    return found


def _language(value: str | None) -> str | None:
    if not value:
        return None
    m = re.match(r"^([a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*)", value.strip().replace("_", "-"))
    return m.group(1).lower() if m else None


def _fallback_date(text: str, url: str) -> str | None:
    """A date from the URL or page text (htmldate), when no metadata layer gave one."""
    try:
        from htmldate import find_date
    except ImportError:  # optional: metadata without it simply has fewer dates
        return None
    try:
        found = find_date(text[: 512 * 1024], url=url, extensive_search=False)
    except Exception:  # a third-party parser must not end an export over one odd page
        return None
    return normalise_date(found) if isinstance(found, str) else None


_WAYBACK_PAGE = re.compile(r"^(https?://[^/]+/web/)(\d{14})(?:[a-z]{2}_)?/(.+)$")


def raw_capture_url(snapshot_url: str) -> str | None:
    """The Wayback capture in raw `id_` mode: the page as archived, without the archive's bar."""
    m = _WAYBACK_PAGE.match(snapshot_url)
    return f"{m.group(1)}{m.group(2)}id_/{m.group(3)}" if m else None


def fetch_metadata(
    urls: dict[str, str], options: EngineOptions, cancel: threading.Event | None = None
) -> dict[str, PageMetadata]:
    """Read pages through the check engine: `urls` maps the address to fetch to the one cited.

    The same engine (politeness, caps, pins, TLS) reads live pages and raw Wayback captures;
    each result is keyed by the cited address.
    """
    from citecheck.checking import check_urls

    found: dict[str, PageMetadata] = {}

    def on_page(url: str, body: bytes, content_type: str | None) -> None:
        cited = urls.get(url, url)
        found[cited] = extract(body, cited, content_type)

    opts = replace(options, read_pages=True, on_page=on_page)
    check_urls(list(urls), opts, lambda check: None, cancel=cancel)
    return found
