"""Read an HTML page: its links, prose blocks, footnotes, title and date, with exact offsets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urljoin

from citecheck.model import Block, Document, Extraction, FootnoteRef, Link
from citecheck.urls import judge

__all__ = ["read_html"]

_VOID = frozenset(
    "area base br col embed hr img input keygen link meta param source track wbr".split()
)
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
# Elements whose own text forms a block; nested blocks split the outer one's text.
_BLOCKS = _HEADINGS | frozenset(
    "p li blockquote td th dd dt figcaption caption div section article main aside header footer "
    "nav address figure form fieldset legend details summary ul ol dl table tr thead tbody tfoot "
    "center hgroup pre dialog menu body".split()
)
# A start tag of one of these closes an open <p> (HTML's optional end tag rules).
_CLOSES_P = _HEADINGS | frozenset(
    "address article aside blockquote details dialog div dl fieldset figcaption figure footer "
    "form header hgroup hr main menu nav ol p pre section table ul li dd dt".split()
)
_SCOPE = ("html", "table", "td", "th", "caption", "template", "button", "object", "marquee")
_LIST_SCOPE = (*_SCOPE, "ol", "ul")
# Text here is not the article's prose (chrome, code, embedded media, the <title>).
_NO_PROSE = frozenset(
    "title nav footer pre select textarea svg math iframe object canvas audio video noscript "
    "button head".split()
)
_INERT = frozenset(("script", "style", "template"))
_CITE = frozenset(("blockquote", "q", "ins", "del"))
# Tags a <head> may hold; any other start tag means the head was left open.
_HEAD_TAGS = frozenset("title meta link script style base noscript template".split())
_DATE_NAMES = frozenset(
    "date dc.date dcterms.date dc.date.issued article:published_time datepublished "
    "citation_publication_date citation_date".split()
)
_FN_DEF_ID = re.compile(
    r"^_?(?:fn|ftn|edn|footnote|endnote|cite_note)(?:[-_:.]|(?=\d))(.+)$", re.IGNORECASE
)
_FN_DEF_CLASSES = frozenset(("footnote", "footnote-item", "footnote-definition", "fn"))
_FN_LIST_CLASSES = frozenset(("footnotes", "footnotes-list", "references", "endnotes", "notes"))
_FN_REF_CLASSES = frozenset(("footnote-ref", "footnote", "fnref", "footnote-reference", "noteref"))
_FN_BACK_CLASSES = frozenset(
    ("footnote-back", "footnote-backref", "reversefootnote", "footnote-return")
)
# The same pattern html.unescape uses, so entity pieces decode exactly as the parser did.
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
_WORD = re.compile(r"\S+")
_COMMENT_CLOSE = re.compile(r"--\s*>")  # as html.parser ends comments
_URL_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*://")
_LINK_TEXT_LIMIT, _EXCERPT_LIMIT = 1000, 120


class _Prose:
    """Whitespace-collapsed text of one block, with anchors back to source offsets."""

    __slots__ = ("anchors", "length", "parts", "space", "tag")

    def __init__(self, tag: str = "") -> None:
        self.tag = tag  # the block element this text belongs to ("" for text outside blocks)
        self.parts: list[str] = []
        self.length = 0
        self.anchors: list[tuple[int, int]] = []
        self.space = False

    def text(self) -> str:
        return "".join(self.parts)

    def add(self, word: str, src: int) -> None:
        """Append text that lies contiguously in the source at `src`."""
        if self.space and self.length:
            self.parts.append(" ")
            self.length += 1
        self.space = False
        a = self.anchors
        # A new anchor only where the running mapping would be wrong: usually one per run.
        if not a or a[-1][1] + self.length - a[-1][0] != src:
            a.append((self.length, src))
        self.parts.append(word)
        self.length += len(word)

    def feed(self, seg: str, src: int, contiguous: bool = True) -> None:
        """Add a decoded piece; `contiguous` is False for an entity expansion (one source spot)."""
        stripped = seg.strip()
        if contiguous and stripped and " ".join(stripped.split()) == stripped:
            # Fast path: the words are separated by single spaces, so one anchor maps them all.
            lead = len(seg) - len(seg.lstrip())
            if lead:
                self.space = True
            self.add(stripped, src + lead)
            if lead + len(stripped) < len(seg):
                self.space = True
            return
        pos = 0
        for m in _WORD.finditer(seg):
            if m.start() > pos:
                self.space = True
            self.add(m.group(), src + m.start() if contiguous else src)
            pos = m.end()
        if pos < len(seg):
            self.space = True


def _collapse(text: str, limit: int) -> str:
    words = " ".join(text.split())
    if len(words) > limit:
        words = words[:limit].rsplit(" ", 1)[0] + "…"
    return words


class _Ctx(NamedTuple):
    """What the open elements imply for the text and links inside them."""

    no_prose: bool = False  # text here is not the article's prose
    code: bool = False  # inside <pre> or <code>
    sup: bool = False
    inert: bool = False  # inside script, style or template: nothing here counts
    fn: str | None = None  # id of the footnote definition we are inside
    fn_list: bool = False  # inside a footnotes section
    first_article: bool = False
    svg: bool = False


@dataclass(slots=True)
class _Frame:
    tag: str
    start: int
    ctx: _Ctx  # the context to restore when the element closes
    id: str | None = None
    prose: _Prose | None = None  # set when the element is a block
    limit: int = 0  # when > 0, the element's text is collected up to this many characters
    chunk: int = 0  # where its text starts in _Reader.chunks
    link: Link | None = None
    ref_target: str | None = None  # a footnote reference's target id


def _pieces(raw: str) -> list[tuple[str, int, bool]]:
    """`(decoded, position in raw, contiguous)` pieces of a text run, entities separate."""
    if "&" not in raw:
        return [(raw, 0, True)]
    out: list[tuple[str, int, bool]] = []
    pos = 0
    for m in _CHARREF.finditer(raw):
        if m.start() > pos:
            out.append((raw[pos : m.start()], pos, True))
        decoded = unescape(m.group())
        out.append((decoded, m.start(), decoded == m.group()))
        pos = m.end()
    if pos < len(raw):
        out.append((raw[pos:], pos, True))
    return out


def _label_from_id(ident: str) -> str:
    m = _FN_DEF_ID.match(ident)
    return m.group(1) if m else ident


class _Reader(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.src = text
        starts = [0]
        i = text.find("\n")
        while i != -1:
            starts.append(i + 1)
            i = text.find("\n", i + 1)
        self.starts = starts
        self.stack: list[_Frame] = []
        self.open: dict[str, list[int]] = {}  # tag -> stack indexes where it is open
        self.blocks: list[Block] = []
        self.fn_blocks: list[tuple[Block, str]] = []  # footnote blocks, labelled at the end
        self.prose_stack: list[_Prose] = [_Prose()]  # the root collects text outside blocks
        # Text of the open <a>, cite, <title> elements: one shared list, so deep nesting stays
        # linear (each element remembers where its text starts).
        self.chunks: list[str] = []
        self.collecting = 0
        self.links: list[Link] = []
        self.refs: list[tuple[str, str, int]] = []  # (label or "", target id, offset)
        self.ref_targets: set[str] = set()
        self.spans: dict[str, tuple[int, int]] = {}
        self.ids: set[str] = set()
        self.fn_defs: list[str] = []  # ids of footnote definitions, in order
        self.pending: tuple[int, str] | None = None  # a data run waiting for its end offset
        self.base: str | None = None
        self.title: str | None = None
        self.h1: str | None = None
        self.meta_date: str | None = None
        self.time_date: str | None = None
        self.articles = 0
        self.c = _Ctx()  # saved in each frame, restored when the element closes
        self.last_comment_close = -1
        self.comment_to_end = False
        if "<!--" in text:
            for m in _COMMENT_CLOSE.finditer(text):
                self.last_comment_close = m.start()

    # --- positions and text runs ----------------------------------------------------------------

    def here(self) -> int:
        line, col = self.getpos()
        return self.starts[line - 1] + col

    def flush(self, end: int) -> None:
        """Hand the pending text run to the open collectors, now that its source end is known."""
        if self.pending is None:
            return
        start, data = self.pending
        self.pending = None
        if self.c.inert:
            return
        if self.collecting:
            self.chunks.append(data[: 2 * _LINK_TEXT_LIMIT])
        if self.c.no_prose:
            return
        prose = self.prose_stack[-1]
        raw = self.src[start:end]
        pieces = _pieces(raw)
        if "".join(p[0] for p in pieces) != data:
            # The parser read this run differently (malformed markup): map it approximately.
            pieces = [(data, 0, True)]
        for seg, pos, contiguous in pieces:
            prose.feed(seg, start + pos, contiguous)

    def handle_data(self, data: str) -> None:
        pos = self.here()
        self.flush(pos)
        self.pending = (pos, data)

    def handle_comment(self, data: str) -> None:
        self.flush(self.here())

    def handle_decl(self, decl: str) -> None:
        self.flush(self.here())

    def handle_pi(self, data: str) -> None:
        self.flush(self.here())

    def unknown_decl(self, data: str) -> None:
        self.flush(self.here())

    # --- html.parser quirks, smoothed over the way browsers read the same text ---------------

    def parse_comment(self, i: int, report: bool = True) -> int:
        raw = self.rawdata
        for empty in ("<!-->", "<!--->"):  # empty comments in HTML5
            if raw.startswith(empty, i):
                return i + len(empty)
        if self.here() + 4 > self.last_comment_close:
            # No "-->" ahead: as in browsers the comment runs to the end. (html.parser would
            # rescan to the end for each such "<!--", which is quadratic, then show it as text.)
            self.flush(self.here())
            self.comment_to_end = True
            return len(raw)
        return int(super().parse_comment(i, report))

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        try:
            return int(super().parse_marked_section(i, report))
        except AssertionError:  # "<![foo[": html.parser asserts; browsers see a bogus comment
            j = self.rawdata.find(">", i)
            return j + 1 if j >= 0 else -1

    # --- the element stack ----------------------------------------------------------------------

    def _in_scope(self, tag: str, scope: tuple[str, ...]) -> int:
        """Stack index of the innermost open `tag` not hidden behind a scope boundary, or -1."""
        idx = self.open.get(tag)
        if not idx:
            return -1
        bound = max((self.open[b][-1] for b in scope if self.open.get(b)), default=-1)
        return idx[-1] if idx[-1] > bound else -1

    def _close_to(self, index: int, end: int) -> None:
        while len(self.stack) > index:
            self._pop(end)

    def _pop(self, end: int) -> None:
        f = self.stack.pop()
        self.open[f.tag].pop()
        if f.id is not None:
            self.spans.setdefault(f.id, (f.start, end))
        if f.prose is not None:
            self._emit(self.prose_stack.pop())
        label = ""
        if f.limit:
            text = self._collected(f.chunk, f.limit)
            label = text.strip(" []()")
            if f.link is not None:
                f.link.text = text
            elif f.tag == "title":
                self.title = self.title or text or None
            elif self.h1 is None and text:
                self.h1 = text
        if f.link is not None:
            f.link.end = end
        if f.ref_target is not None:
            self.refs.append((label, f.ref_target, f.start))
        self.c = f.ctx

    def _collected(self, first: int, limit: int) -> str:
        """The collapsed text gathered since chunk `first`, reading only as much as needed."""
        n = 4
        while True:
            text = "".join(self.chunks[first : first + n])
            if len(text) >= limit or first + n >= len(self.chunks):
                break
            n *= 2  # doubling keeps the reads linear in what is kept
        self.collecting -= 1
        if not self.collecting:
            self.chunks.clear()
        return _collapse(text, limit)

    def _emit(self, prose: _Prose) -> None:
        if not prose.length or self.c.no_prose:
            return
        tag = prose.tag
        role = "heading" if tag in _HEADINGS else "item" if tag == "li" else "prose"
        if self.c.fn is not None:
            role = "footnote"
        block = Block(prose.text(), prose.anchors, role)
        self.blocks.append(block)
        if self.c.fn is not None:
            self.fn_blocks.append((block, self.c.fn))

    def _split_prose(self) -> None:
        """End the current block's text here; what follows starts a new block."""
        self._emit(self.prose_stack[-1])
        self.prose_stack[-1] = _Prose(self.prose_stack[-1].tag)

    # --- tags -----------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # XHTML-style <x/>: treat as opened and closed at once (safer than letting it swallow text).
        self._start(tag, attrs, closed=True)

    def handle_endtag(self, tag: str) -> None:
        pos = self.here()
        self.flush(pos)
        idx = self.open.get(tag)
        if not idx:
            return  # a stray end tag: browsers ignore it too
        gt = self.src.find(">", pos)
        end = gt + 1 if gt != -1 else len(self.src)
        self._close_to(idx[-1] + 1, pos)
        self._pop(end)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        pos = self.here()
        self.flush(pos)
        a: dict[str, str] = {}
        for k, v in attrs:
            a.setdefault(k, v or "")  # the first of a repeated attribute wins, as in browsers
        if self.c.inert:
            if tag not in _VOID and not closed:
                self._push(_Frame(tag, pos, self.c))
            return
        if (head := self.open.get("head")) and tag not in _HEAD_TAGS:
            self._close_to(head[-1], pos)  # </head> is optional: body content ends the head
        self._implicit_closes(tag, pos)
        ident = a.get("id") or (a.get("name") if tag == "a" else None)
        if ident:
            self.ids.add(ident)
        tag_end = pos + len(self.get_starttag_text() or "")
        if tag in _VOID:
            self._void(tag, a, pos, tag_end)
            return
        frame = _Frame(tag, pos, self.c, id=a.get("id") or None)
        self._enter(frame, tag, a, pos)
        self._push(frame)
        if closed:
            self._pop(tag_end)

    def _implicit_closes(self, tag: str, pos: int) -> None:
        if tag in _CLOSES_P and (i := self._in_scope("p", _SCOPE)) >= 0:
            self._close_to(i, pos)
        if tag == "li" and (i := self._in_scope("li", _LIST_SCOPE)) >= 0:
            self._close_to(i, pos)
        elif tag in ("dd", "dt"):
            i = max(self._in_scope("dd", ("dl", *_SCOPE)), self._in_scope("dt", ("dl", *_SCOPE)))
            if i >= 0:
                self._close_to(i, pos)
        elif tag in ("td", "th", "tr"):
            i = self._in_scope("tr", ("table",)) if tag == "tr" else -1
            if i < 0:
                i = max(self._in_scope("td", ("table",)), self._in_scope("th", ("table",)))
            if i >= 0:
                self._close_to(i, pos)
        elif tag == "a" and (i := self._in_scope("a", _SCOPE)) >= 0:
            self._close_to(i, pos)  # <a> cannot nest: an unclosed one ends here
        elif tag in _HEADINGS and self.stack and self.stack[-1].tag in _HEADINGS:
            self._close_to(len(self.stack) - 1, pos)

    def _push(self, frame: _Frame) -> None:
        self.open.setdefault(frame.tag, []).append(len(self.stack))
        self.stack.append(frame)

    def _void(self, tag: str, a: dict[str, str], pos: int, tag_end: int) -> None:
        if tag == "img":
            alt = a.get("alt", "")
            if self.collecting:
                self.chunks.append(f" {alt} ")
            if "src" in a:
                link = self._link(pos, a["src"], "image")
                link.text, link.end = " ".join(alt.split()), tag_end
        elif tag == "br":
            self.prose_stack[-1].space = True
            if self.collecting:
                self.chunks.append(" ")
        elif tag == "hr":
            self._split_prose()
        elif tag == "base" and self.base is None and "href" in a:
            self.base = a["href"]
        elif tag == "meta" and self.meta_date is None and a.get("content"):
            names = {a.get(k, "").strip().lower() for k in ("name", "property", "itemprop")}
            if names & _DATE_NAMES:
                self.meta_date = a["content"]

    def _link(self, pos: int, raw: str, kind: str) -> Link:
        link = Link("", pos, raw, None, "", kind, in_code=self.c.code)
        self.links.append(link)
        return link

    def _enter(self, f: _Frame, tag: str, a: dict[str, str], pos: int) -> None:
        """Set up what an opening element collects and how it changes the context."""
        classes = set(a.get("class", "").lower().split())
        role = a.get("role", "").lower()
        c = self.c
        ch: dict[str, Any] = {}  # context changes, applied at once
        if tag in _BLOCKS:
            # Before the context changes: the text so far belongs to the outer block as it was.
            self._split_prose()
            f.prose = _Prose(tag)
        if tag in _INERT:
            self.c = c._replace(inert=True)
            return
        if tag in _NO_PROSE:
            ch["no_prose"] = True
        if tag in ("pre", "code"):
            ch["code"] = True
        elif tag in ("sup", "svg"):
            ch[tag] = True
        elif tag == "article":
            self.articles += 1
            ch["first_article"] = self.articles == 1
        elif tag == "time" and c.first_article and self.time_date is None:
            self.time_date = a.get("datetime") or None
        if classes & _FN_LIST_CLASSES or role == "doc-endnotes" or a.get("id") == "footnotes":
            ch["fn_list"] = True
        if tag == "a" and "href" in a:
            href = a["href"]
            f.link = self._link(pos, href, "html")
            f.limit = _LINK_TEXT_LIMIT
            if href.startswith("#") and len(href) > 1:
                if (
                    classes & _FN_BACK_CLASSES
                    or role == "doc-backlink"
                    or href.startswith(("#fnref", "#cite_ref"))
                ):
                    ch["no_prose"] = True  # the "↩" of a footnote is not prose
                elif (
                    c.sup
                    or role == "doc-noteref"
                    or a.get("rel") == "footnote"
                    or (classes & _FN_REF_CLASSES)
                ):
                    f.ref_target = href[1:]
                    self.ref_targets.add(f.ref_target)
                    ch["no_prose"] = True  # keep "grew 5%.¹" from reading "grew 5%.1"
        elif tag in _CITE and "cite" in a:
            f.link = self._link(pos, a["cite"], "cite")
            f.limit = _EXCERPT_LIMIT
        elif (tag == "title" and not c.svg and self.title is None) or (
            tag == "h1" and self.h1 is None
        ):
            f.limit = _LINK_TEXT_LIMIT
        if f.limit:
            f.chunk = len(self.chunks)
            self.collecting += 1
        ident = a.get("id")
        if (
            ident
            and tag != "a"
            and c.fn is None
            and (
                classes & _FN_DEF_CLASSES
                or role in ("doc-footnote", "doc-endnote")
                or (c.fn_list and tag == "li")
                or _FN_DEF_ID.match(ident)
                or ident in self.ref_targets
            )
        ):
            self.fn_defs.append(ident)
            ch["fn"] = ident
            ch["no_prose"] = False  # footnotes in a <footer> are still the article's notes
        if ch:
            self.c = c._replace(**ch)
        if f.prose is not None:
            self.prose_stack.append(f.prose)

    def run(self) -> None:
        text = self.src
        # Nothing after the last '>' can be markup; html.parser rescans to the end for every
        # unfinished '<x' or '<!--' there, which is quadratic, so that tail is read as text.
        cut = text.rfind(">") + 1
        self.feed(text[:cut])
        self.close()
        stop = cut if self.comment_to_end else text.find("<!--", cut)
        stop = len(text) if stop < 0 else stop
        if cut < stop:
            self.flush(cut)
            self.pending = (cut, unescape(text[cut:stop]))
        self.flush(stop)
        self._close_to(0, len(self.src))
        self._emit(self.prose_stack[0])


def _base_url(doc: Document, base_href: str | None) -> str | None:
    """The URL relative targets resolve against, or None to resolve them as local files."""
    page = doc.path if _URL_NAME.match(doc.path) else None
    href = _clean(base_href or "")
    if not href:
        return page
    if _URL_NAME.match(href) or href.lower().startswith("file:"):
        return href
    if page is not None:
        return urljoin(page, href)
    # A relative <base> in a local file: resolve it the way a browser would, as a file: URL.
    here = Path(doc.path if doc.path != "-" else "page.html").resolve()
    return urljoin(here.as_uri(), href)


def _clean(raw: str) -> str:
    # Browsers drop tabs and newlines anywhere in a URL; long hrefs are often wrapped.
    return raw.strip().replace("\t", "").replace("\n", "").replace("\r", "")


def read_html(doc: Document, *, include_code: bool = False) -> Extraction:
    """Everything in an HTML page that citecheck reports on, with source offsets.

    `Link.offset` is where the element's start tag begins; `Link.end` is just past the element
    (its end tag, or where it was implicitly closed) for <a> and cite elements, and just past
    the start tag for <img>. Footnote markers and back-links are left out of block text.
    """
    reader = _Reader(doc.text)
    reader.run()

    base = _base_url(doc, reader.base)
    document = Path(doc.path) if not _URL_NAME.match(doc.path) else None
    links = []
    for link in reader.links:
        link.document = doc.path
        if link.in_code and not include_code:
            continue
        target = _clean(link.raw)
        if target.startswith("//") and (base is None or base.startswith("file:")):
            target = "https:" + target  # protocol-relative: a web address, not a local path
        # An in-page '#id' stays in the page even under a <base> that points elsewhere.
        try:
            verdict = judge(
                target,
                base=None if target.startswith("#") else base,
                document=document,
                anchors=reader.ids,
            )
            link.url, link.placeholder = verdict.url, verdict.placeholder
        except ValueError:  # judge's file check rejects a NUL in the path
            link.url, link.placeholder = None, "malformed"
        except OSError:  # a path too long for the file system cannot name an existing file
            link.url, link.placeholder = None, "missing-file"
        links.append(link)

    labels: dict[str, str] = {}
    refs = []
    for label, target, offset in reader.refs:
        label = label or _label_from_id(target)
        labels.setdefault(target, label)
        refs.append(FootnoteRef(label, offset))
    defs: dict[str, tuple[int, int]] = {}
    for target, label in labels.items():
        if target in reader.spans:
            defs.setdefault(label, reader.spans[target])
    for ident in reader.fn_defs:
        label = labels.setdefault(ident, _label_from_id(ident))
        if ident in reader.spans:
            defs.setdefault(label, reader.spans[ident])
    for block, ident in reader.fn_blocks:
        block.label = labels.get(ident, _label_from_id(ident))

    return Extraction(
        links=links,
        blocks=reader.blocks,
        footnote_refs=refs,
        footnote_defs=defs,
        title=reader.title or reader.h1,
        date=reader.meta_date or reader.time_date,
    )
