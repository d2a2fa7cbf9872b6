"""Read a web page given by its address: fetch it, keep its main content, find its links."""

from __future__ import annotations

import logging
import re
from html import unescape
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from citecheck.model import Document, Extraction, Problem
from citecheck.readers.decode import MAX_BYTES, UnreadableInput, _mb, find_mojibake
from citecheck.readers.html import read_html
from citecheck.urls import judge

if TYPE_CHECKING:
    from citecheck.checking.options import EngineOptions
    from citecheck.checking.page import FetchedPage

__all__ = ["PAGE_CAP", "is_web_address", "main_content", "read_webpage"]

# A page's HTML is rarely over 2 MB even with inline scripts; past 8 MiB it is not an
# article, and parsing more would only cost memory. `--max-size` lowers it further.
PAGE_CAP = 8 * 1024 * 1024
_WEB = re.compile(r"^https?://\S", re.IGNORECASE)
_ID = re.compile(r"""\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
_BASE = re.compile(
    r"""<base\s[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE
)


def is_web_address(given: object) -> bool:
    """True for an http(s) address given where a path is expected."""
    return isinstance(given, str) and bool(_WEB.match(given.strip()))


def read_webpage(
    url: str,
    *,
    options: EngineOptions | None = None,
    whole_page: bool = False,
    include_code: bool = False,
    max_bytes: int = MAX_BYTES,
) -> tuple[Document, Extraction]:
    """Fetch `url` with the checking engine and read its main content (or all of it).

    The Document's `text` is the HTML the positions refer to: the main content as extracted
    (an HTML fragment holding the article's paragraphs and their links), or with `whole_page`
    the page as served. Raises UnreadableInput with a one-line reason when the page cannot be
    fetched or is not HTML.
    """
    from citecheck.checking.options import EngineOptions
    from citecheck.checking.page import PageUnavailable, fetch_page

    url = url.strip()
    cap = max(1, min(max_bytes, PAGE_CAP))
    try:
        fetched = fetch_page(url, options or EngineOptions(), body_cap=cap)
    except PageUnavailable as e:
        raise UnreadableInput(f"cannot be fetched: {e.words}") from None
    if not 200 <= fetched.status < 300:
        raise UnreadableInput(f"cannot be fetched: {_refusal(fetched)}")
    if fetched.body is None or not _is_page(fetched.content_type):
        kind = (fetched.content_type or "").split(";")[0].strip() or "an unknown type"
        raise UnreadableInput(f"is not a web page (the server sent {kind})")
    from citecheck.checking.pages import decode

    html = decode(fetched.body, fetched.content_type)
    if "\x00" in html[:8192]:
        raise UnreadableInput("is not a web page (the server sent binary data as HTML)")
    problems: list[Problem] = []
    if not fetched.complete:
        problems.append(
            Problem(
                url,
                "truncated",
                f"the page is larger than {_mb(cap)}; only its first {_mb(cap)} were read",
            )
        )
    doc, ex = _read(html, fetched.final_url, whole_page, include_code, problems, url)
    # Positions were worked out against the final address (relative links resolve there);
    # the document is named by the address it was asked for.
    doc.path = url
    for link in ex.links:
        link.document = url
    for problem in doc.problems:
        problem.document = url
    doc.problems.extend(find_mojibake(doc.text, url))
    doc.title, doc.date = ex.title, ex.date
    return doc, ex


def _read(
    html: str,
    final_url: str,
    whole_page: bool,
    include_code: bool,
    problems: list[Problem],
    url: str,
) -> tuple[Document, Extraction]:
    if whole_page:
        doc = Document(final_url, "html", html, problems=problems)
        return doc, read_html(doc, include_code=include_code)
    found = main_content(html)
    if found is None:
        problems.append(
            Problem(
                url,
                "extraction",
                "no main content could be told apart from the page's navigation; "
                "the whole page was read",
            )
        )
        doc = Document(final_url, "html", html, problems=problems)
        return doc, read_html(doc, include_code=include_code)
    text, title, date = found
    # The fragment keeps links as written; they resolve against the page's own address
    # (or its <base>), which read_html takes from the document's name.
    doc = Document(_base(html, final_url), "html", text, problems=problems)
    ex = read_html(doc, include_code=include_code)
    _judge_in_page_anchors(ex, html)
    # The fragment has no <title>; the page's own metadata names the article better.
    ex.title = title or ex.title
    ex.date = date or ex.date
    return doc, ex


def main_content(html: str) -> tuple[str, str | None, str | None] | None:
    """(HTML of the article's main content, its title, its date), or None when none is found.

    trafilatura drops navigation, sidebars, footers, comments and boilerplate and keeps the
    article's paragraphs, headings, lists, tables, quotes and images with their links as
    written. It is given no address, and its metadata is read apart from the content: with
    an address (passed in, or found in the page's canonical link or <base>) it resolves
    relative links against the site's root, dropping their path; read_html resolves them.
    """
    try:
        import trafilatura
    except ImportError as e:  # pragma: no cover - a dependency of citecheck
        raise UnreadableInput(f"needs trafilatura to find a page's main content ({e})") from None
    _quiet()
    try:
        tree = trafilatura.load_html(html)
        if tree is None:
            return None
        text = trafilatura.extract(
            tree,
            output_format="html",
            include_links=True,
            include_images=True,
            include_tables=True,
            include_formatting=True,
            include_comments=False,
        )
        if not text:
            return None
        meta = trafilatura.extract_metadata(tree)
    except (ValueError, RecursionError):
        return None  # markup it cannot parse: the whole page is read instead
    return text, _text(meta.title), _text(meta.date)


def _quiet() -> None:
    # With no logging set up, Python prints warnings and errors of any library to stderr;
    # trafilatura's notes on odd pages are not the one line an unreadable input gets.
    for name in ("trafilatura", "htmldate", "courlan", "justext"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(logging.NullHandler())


def _base(html: str, final_url: str) -> str:
    """The address the page's relative links resolve against: its <base href>, or its own."""
    m = _BASE.search(html, 0, 65536)
    if m is None:
        return final_url
    href = unescape(next(g for g in m.groups() if g is not None)).strip()
    href = href.replace("\t", "").replace("\n", "").replace("\r", "")
    joined = urljoin(final_url, href) if href else final_url
    return joined if is_web_address(joined) else final_url


def _judge_in_page_anchors(ex: Extraction, html: str) -> None:
    """`#id` links judged against the whole page: the extracted content keeps no ids."""
    ids: set[str] | None = None
    for link in ex.links:
        if link.placeholder == "missing-anchor":
            if ids is None:
                ids = {
                    unescape(next(g for g in m.groups() if g is not None))
                    for m in _ID.finditer(html)
                }
            target = judge(link.raw, anchors=ids)
            link.url, link.placeholder = target.url, target.placeholder


def _text(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _is_page(content_type: str | None) -> bool:
    from citecheck.checking.pages import is_html

    return is_html(content_type)


def _refusal(fetched: FetchedPage) -> str:
    from citecheck.checking.pages import status_words

    status = fetched.status
    wall = fetched.blocked_by
    if wall is not None:
        return f"blocked by {wall} ({status_words(status)})"
    return f"the server answered {status_words(status)}"
