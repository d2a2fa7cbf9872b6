"""What a document itself says about a source next to its link: author, title, outlet, date."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from citecheck.metadata import clean, normalise_date
from citecheck.model import Document, Inventory, Link

__all__ = ["GivenSource", "given_sources", "title_mismatch"]

# Below this rapidfuzz score (0–100) the page's title and the document's are different texts.
MISMATCH_BELOW = 60.0
_QUOTED = re.compile(r"[\"“„«]([^\"“”„«»\n]{3,300})[\"”»]")
_ITALIC = re.compile(r"(?<![*\w])[*_]([^*_\n]{2,150})[*_](?![*\w])")
_IN_OUTLET = re.compile(r"\bin\s+[*_]([^*_\n]{2,150})[*_]", re.IGNORECASE)
_YEAR_PAREN = re.compile(r"\((\d{4})\)")
_LANGS = re.compile(r"\b(EN|RU|BE|UK|PL|DE|FR|ES|IT|LT|LV|ET)\b")
# A list item that is nothing but a name or two ("- Luke Pierce"): the author of what follows.
_NAME_LINE = re.compile(
    r"^\s*(?:[-*+]|\d+[.)])\s+([A-ZÀ-ÖØ-ÞА-ЯЁІЎ][\w.'’-]+(?:\s+[\w.'’-]+){1,3})\s*$"
)
_NAME_BEFORE_YEAR = re.compile(
    r"(?:^|[¹²³⁴⁵⁶⁷⁸⁹⁰\d.\]]\s*)([A-ZÀ-ÖØ-ÞА-ЯЁІЎ][\w'’-]+(?:,?\s+[A-ZÀ-ÖØ-ÞА-ЯЁІЎ][\w.'’-]*){1,3})"
    r"\s*\(\d{4}\)"
)
_BRACKETED = re.compile(r"^\s*\[([^\]\n]{3,300})\]")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_DATE = re.compile(
    r"(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+\d{4}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?\s+\d{4}|\d{4}-\d{2}-\d{2})"
)


@dataclass(slots=True)
class GivenSource:
    """A source as the document describes it; `needs_link` when its link is a placeholder."""

    document: str
    link_id: str
    url: str | None
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    container: str | None = None
    date: str | None = None  # ISO
    language: str | None = None
    translated_title: str | None = None
    needs_link: bool = False
    line: int = 0

    @property
    def named(self) -> bool:
        """True when the text says enough to cite it: a title and an outlet, date or author."""
        return bool(self.title) and bool(self.container or self.date or self.authors)


def title_mismatch(page_title: str | None, given_title: str | None) -> bool:
    """True when a page's title and the title a document gives it are plainly different."""
    if not page_title or not given_title:
        return False
    from rapidfuzz import fuzz

    a, b = page_title.casefold(), given_title.casefold()
    return max(fuzz.token_set_ratio(a, b), fuzz.partial_ratio(a, b)) < MISMATCH_BELOW


def given_sources(inv: Inventory) -> dict[str, GivenSource]:
    """What each document says about each of its links, keyed by link id."""
    out: dict[str, GivenSource] = {}
    by_doc: dict[str, list[Link]] = {}
    for link in inv.links:
        by_doc.setdefault(link.document, []).append(link)
    for doc in inv.documents:
        links = sorted(by_doc.get(doc.path, []), key=lambda k: k.offset)
        for i, link in enumerate(links):
            if link.kind == "image" or link.end < 0:
                continue
            out[link.id] = _read(doc, links, i)
    return out


def _paragraph(text: str, offset: int) -> tuple[int, int]:
    """The span of the paragraph (between blank lines) holding `offset`."""
    start = text.rfind("\n\n", 0, offset)
    start = 0 if start < 0 else start + 2
    end = text.find("\n\n", offset)
    return start, len(text) if end < 0 else end


def _segment(text: str, links: list[Link], i: int) -> tuple[int, int, int]:
    """(item start, segment start, segment end): the text that speaks about link i alone.

    A segment runs from the start of the link's line (or the end of an earlier link on the
    same line) to the line of the next link (or the end of the paragraph).
    """
    link = links[i]
    p_start, p_end = _paragraph(text, link.offset)
    item = p_start
    # A list item starts at the last "- " line before the link, within the paragraph.
    for m in re.finditer(r"(?m)^\s*(?:[-*+]|\d+[.)])\s", text[p_start : link.offset]):
        item = p_start + m.start()
    line_start = text.rfind("\n", 0, link.offset) + 1
    start = max(line_start, p_start)
    if i > 0 and links[i - 1].end > start and links[i - 1].document == link.document:
        start = min(links[i - 1].end, link.offset)
    end = p_end
    if i + 1 < len(links) and links[i + 1].offset < p_end:
        nxt = links[i + 1].offset
        nxt_line = text.rfind("\n", 0, nxt) + 1
        end = nxt_line if nxt_line > link.end else nxt
    return item, start, max(end, link.end)


def _read(doc: Document, links: list[Link], i: int) -> GivenSource:
    link = links[i]
    text = doc.text
    item, start, end = _segment(text, links, i)
    before = text[start : link.offset]
    after = text[link.end : end]
    segment = text[start:end]
    given = GivenSource(
        document=doc.path,
        link_id=link.id,
        url=link.url,
        needs_link=link.placeholder is not None,
        line=link.line,
    )
    label = clean(link.text, 300)
    quoted = [q for q in _QUOTED.findall(_MD_LINK.sub(r"\1", before)) if len(q.split()) >= 3]
    if label and len(label.split()) >= 3 and link.kind in ("inline", "reference", "html"):
        given.title = label
    elif quoted:
        given.title = clean(quoted[-1], 300)
    # An outlet is "in *Outlet*", or the first italics right after the link.
    outlet = _IN_OUTLET.search(segment) or _ITALIC.search(after[:200])
    if outlet is not None:
        given.container = clean(outlet.group(1), 200)
    date = _DATE.search(after) or _DATE.search(before)
    if date is not None:
        given.date = normalise_date(date.group(0))
    else:
        year = _YEAR_PAREN.search(before) or _YEAR_PAREN.search(after)
        given.date = year.group(1) if year else None
    translated = _BRACKETED.match(after.lstrip("\n"))
    if translated is not None:
        given.translated_title = clean(translated.group(1), 300)
    langs = _LANGS.findall(before)
    given.language = langs[0].lower() if langs else None  # "BE and RU": the first is original
    given.authors = _authors(text, item, start, before)
    return given


def _authors(text: str, item: int, start: int, before: str) -> list[str]:
    """The author named just before the title ("Name Surname (2009)"), or the item's head."""
    m = _NAME_BEFORE_YEAR.search(before)
    if m is not None:
        return [_document_order(text, clean(m.group(1), 200) or "")]
    head_end = text.find("\n", item)
    if item < start and 0 <= head_end <= start:
        head = _NAME_LINE.match(text[item:head_end])
        if head is not None:
            return [clean(head.group(1), 200) or ""]
    return []


def _document_order(text: str, name: str) -> str:
    """`name` turned round when the document writes it the other way elsewhere.

    "Ousmanova Almira (2009)" names the draft's own author, written "Almira Ousmanova" in its
    byline: the byline's order tells which word is the family name.
    """
    words = name.replace(",", "").split()
    if len(words) == 2 and f"{words[1]} {words[0]}" in text:
        return f"{words[1]} {words[0]}"
    return name
