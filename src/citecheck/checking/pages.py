"""Read a fetched page for what its status code does not say: soft-404s, bot walls, anchors."""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import unquote

from multidict import CIMultiDictProxy
from selectolax.lexbor import LexborHTMLParser
from yarl import URL

from citecheck.verdict import (
    BLOCKED,
    DEAD,
    ERROR,
    OK,
    REDIRECTED,
    SOFT_404,
    UNREACHABLE,
    Redirect,
)

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TEXT_LIMIT = 50_000  # characters of visible text compared with the probe page
_SHINGLES_LIMIT = 3_000
# A title or heading segment that is nothing but a "not found" message, in a few languages.
_NOT_FOUND = re.compile(
    r"^(?:(?:oops|sorry|whoops|error|fehler|erreur|errore|erro|fout|ошибка)\W*)*"
    r"(?:(?:http\s*)?(?:error\s*)?404(?:\s*error)?\W*)?"
    r"(?:(?:the\s+|this\s+|that\s+)?(?:page|file|document|article|post|resource|content|item)\s+)?"
    r"(?:(?:was\s+|could\s+)?not\s+(?:be\s+)?found|(?:does\s+not|doesn't)\s+exist|"
    r"cannot\s+be\s+found|can't\s+be\s+found|no\s+longer\s+(?:exists|available)|"
    r"nothing\s+(?:was\s+)?found|"
    r"(?:seite\s+)?nicht\s+gefunden|(?:page\s+)?introuvable|page\s+non\s+trouvée|"
    r"(?:página\s+)?no\s+encontrada|no\s+encontrado|(?:pagina\s+)?non\s+trovata|"
    r"(?:página\s+)?não\s+encontrada|(?:pagina\s+)?niet\s+gevonden|"
    r"nie\s+znaleziono(?:\s+strony)?|(?:страница\s+)?не\s+найдена|"
    r"ページが見つかりません|页面不存在|找不到页面|頁面不存在)?"
    r"\W*$",
    re.IGNORECASE,
)
_SEGMENT_SPLIT = re.compile(r"\s[|–—\-·:»]\s|\s*[|–—·»]\s*")
_WORD = re.compile(r"\w+", re.UNICODE)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)
# Deep links sent to one of these paths were sent to the home page.
_HOME_PATH = re.compile(
    r"^/(?:[a-z]{2}(?:[-_][a-z]{2})?/?)?(?:(?:index|default|home)(?:\.\w+)?)?$", re.I
)
_TRIVIAL_SEGMENT = re.compile(
    r"^(?:index|default|home|start)(?:\.\w+)?$|^[a-z]{2}(?:[-_][a-z]{2})?$", re.I
)
# Fragments that drive scripts or text highlighting rather than name an element.
_SCRIPT_FRAGMENTS = ("!", "/", ":~:")


@dataclass(slots=True)
class Page:
    """What was read of an HTML body: its title, first heading, anchors and text shingles."""

    title: str | None = None
    heading: str | None = None
    anchors: set[str] = field(default_factory=set)
    shingles: frozenset[int] = frozenset()
    text: str = ""  # lower-cased start of the body, for bot-wall markers


def is_html(content_type: str | None) -> bool:
    """True for HTML, and for a missing type (servers that send none mostly send HTML)."""
    return content_type is None or content_type.split(";")[0].strip().lower() in _HTML_TYPES


def decode(body: bytes, content_type: str | None) -> str:
    """Body text in its declared charset (header, then `<meta>`), UTF-8 when none is given."""
    charset = None
    if content_type and "charset=" in content_type.lower():
        charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'")
    if charset is None:
        m = _META_CHARSET.search(body[:4096])
        charset = m.group(1).decode("ascii", "replace") if m else "utf-8"
    try:
        return body.decode(charset, errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def read_page(body: bytes, content_type: str | None, path: str = "") -> Page:
    """Parse a (possibly truncated) HTML body; `path` is left out of the text compared."""
    html = decode(body, content_type)
    tree = LexborHTMLParser(html)
    page = Page(text=html[:200_000].lower())
    title_node = tree.css_first("title")
    if title_node is not None:
        page.title = " ".join(title_node.text().split()) or None
    h1 = tree.css_first("h1")
    if h1 is not None:
        page.heading = " ".join(h1.text().split()) or None
    for node in tree.css("[id]"):
        page.anchors.add(node.attributes.get("id") or "")
    for node in tree.css("a[name]"):
        page.anchors.add(node.attributes.get("name") or "")
    tree.strip_tags(["script", "style", "noscript", "template"], recursive=True)
    root = tree.body or tree.root
    text = root.text(separator=" ")[:_TEXT_LIMIT] if root is not None else ""
    page.shingles = shingles(text, path)
    return page


def shingles(text: str, path: str = "") -> frozenset[int]:
    """Hashed word 3-grams, without digits and the words of `path` (pages echo the address)."""
    skip = {w.lower() for w in _WORD.findall(unquote(path))}
    words = [w for w in _WORD.findall(text.lower()) if not w.isdigit() and w not in skip]
    grams = {hash((a, b, c)) for a, b, c in zip(words, words[1:], words[2:], strict=False)}
    if not grams and words:
        grams = {hash(w) for w in words}
    # The smallest hashes make a bottom-k sketch: two pages keep comparable samples.
    return frozenset(heapq.nsmallest(_SHINGLES_LIMIT, grams))


def similarity(a: frozenset[int], b: frozenset[int]) -> float:
    """Jaccard similarity of two shingle sets; 0 when either is empty."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def says_not_found(text: str | None) -> bool:
    """True when a title or heading is, in one of its segments, only a "not found" message."""
    if not text:
        return False
    for segment in _SEGMENT_SPLIT.split(text.strip()):
        segment = segment.strip().replace("\u2019", "'")
        if segment and any(ch.isalnum() for ch in segment) and _NOT_FOUND.match(segment):
            return True
    return False


def normalised_title(title: str | None, path: str = "") -> str:
    """A title with digits and the words of `path` removed, for comparing with the probe's."""
    if not title:
        return ""
    skip = {w.lower() for w in _WORD.findall(unquote(path))}
    return " ".join(w for w in _WORD.findall(title.lower()) if not w.isdigit() and w not in skip)


def bot_wall(status: int, headers: CIMultiDictProxy[str], page: Page | None) -> str | None:
    """Name the bot wall or challenge that answered, or None.

    Cloudflare's own script (`/cdn-cgi/challenge-platform/…`) is injected into many ordinary
    pages, so on a 2xx answer only an explicit challenge counts.
    """
    server = headers.get("Server", "").lower()
    text = page.text if page is not None else ""
    title = (page.title or "").lower() if page is not None else ""
    refused = status in (403, 429, 503)
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return "a Cloudflare challenge page"
    cf_markers = "cf-chl" in text or "_cf_chl_opt" in text
    cf_title = title.startswith(("just a moment", "attention required", "checking your browser"))
    if (
        refused and (server == "cloudflare" or "cf-ray" in headers) and (cf_title or cf_markers)
    ) or (cf_markers and (refused or cf_title)):
        return "a Cloudflare challenge page"
    if (
        "x-datadome" in headers
        or server == "datadome"
        or (refused and "captcha-delivery.com" in text)
    ):
        return "a DataDome challenge page"
    if refused and ("_pxcaptcha" in text or "px-captcha" in text or "perimeterx" in text):
        return "a PerimeterX challenge page"
    if headers.get("x-amzn-waf-action", "").lower() in ("challenge", "captcha"):
        return "an AWS WAF challenge"
    if refused and ("_incapsula_resource" in text or "incapsula incident" in text):
        return "an Imperva (Incapsula) block page"
    if status == 403 and server.startswith("akamai"):
        return "an Akamai block page"
    if "x-sucuri-block" in headers:
        return "a Sucuri block page"
    return None


def deep_link_sent_home(url: URL, final: URL, chain: list[Redirect]) -> bool:
    """True when a link below the root was redirected to the same site's home page."""
    if not chain:
        return False
    segments = [s for s in url.path.split("/") if s]
    if not segments or all(_TRIVIAL_SEGMENT.match(s) for s in segments):
        return False
    return _same_site(url.host, final.host) and bool(_HOME_PATH.match(final.path or "/"))


def _same_site(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    a, b = a.lower().removeprefix("www."), b.lower().removeprefix("www.")
    return a == b or a.split(".")[-2:] == b.split(".")[-2:] and "." in a


def checkable_fragment(fragment: str) -> str | None:
    """The anchor a fragment names, or None for script routes and text fragments."""
    if not fragment or fragment.startswith(_SCRIPT_FRAGMENTS):
        return None
    return fragment


def has_anchor(page: Page, fragment: str) -> bool:
    """True when an element has the id (or `<a name>`) the fragment names."""
    name = unquote(fragment)
    # GitHub renders README headings with a "user-content-" id and resolves #x by script.
    return bool({fragment, name, "user-content-" + name} & page.anchors)


def status_words(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase.lower()
    except ValueError:
        return f"HTTP {status}"
    return f"{phrase} (HTTP {status})"


def classify_status(status: int, via_proxy: bool = False) -> tuple[str, str] | None:
    """The verdict for an answer that is not a success, or None for 2xx."""
    if 200 <= status < 300:
        return None
    if status in (404, 410):
        return DEAD, status_words(status)
    if status == 401:
        return BLOCKED, "the site asks for a login (HTTP 401)"
    if status == 403:
        return BLOCKED, "the site refused the request (HTTP 403)"
    if status == 429:
        return BLOCKED, "rate limited: too many requests (HTTP 429)"
    if status == 999:
        return BLOCKED, "the site refuses automated checks (HTTP 999)"
    if 300 <= status < 400:
        return ERROR, f"a redirect without a usable Location ({status_words(status)})"
    if status in (502, 503, 504):
        who = "the proxy or gateway" if via_proxy else "the server's gateway"
        return UNREACHABLE, f"{who} answered {status_words(status)}"
    if status >= 500:
        return ERROR, f"server error: {status_words(status)}"
    return ERROR, status_words(status)


@dataclass(slots=True)
class Probe:
    """How a site answers a path that cannot exist: a real 404, or a page served with 200."""

    status: int
    title: str  # normalised
    shingles: frozenset[int]

    @property
    def soft(self) -> bool:
        return 200 <= self.status < 300


def looks_like_probe(page: Page, path: str, probe: Probe) -> bool:
    """True when a page resembles the site's answer to a made-up path.

    Many sites give every page one title, so a shared title alone is not enough; it must come
    with broadly shared text. Near-identical text alone is enough.
    """
    if not probe.soft:
        return False
    sim = similarity(page.shingles, probe.shingles)
    title = normalised_title(page.title, path)
    return sim >= 0.9 or (bool(title) and title == probe.title and sim >= 0.5)


def success_verdict(
    url: URL,
    final: URL,
    chain: list[Redirect],
    page: Page | None,
    probe: Probe | None,
    fragment: str | None,
    complete: bool,
) -> tuple[str, str | None]:
    """The verdict for a 2xx answer, from the chain and what was read of the page.

    A missing `#anchor` is reported as `error` ("the page has no #x anchor"): the page is
    there, so `dead` would be false, yet the link does not land where it says; `error` counts
    as a failing check in the history without failing a CI run (it is not in FAILING), which
    suits a finding that scripts adding ids at run time can make wrong. It is only reported
    when the whole body was read: past the cap the anchor may still exist.
    """
    if deep_link_sent_home(url, final, chain):
        return SOFT_404, "a deep link was redirected to the site's home page"
    if page is not None:
        if says_not_found(page.title) or says_not_found(page.heading):
            return SOFT_404, "the page says it is not found"
        if probe is not None and looks_like_probe(page, final.path, probe):
            return SOFT_404, "the page looks like the site's answer to a made-up address"
        if fragment and complete and not has_anchor(page, fragment):
            return ERROR, f"the page has no #{fragment} anchor"
    if any(hop.status in (301, 308) for hop in chain):
        return REDIRECTED, None
    return OK, None


__all__ = [
    "Page",
    "Probe",
    "bot_wall",
    "checkable_fragment",
    "classify_status",
    "read_page",
    "success_verdict",
]
