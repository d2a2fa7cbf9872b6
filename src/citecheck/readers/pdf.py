"""Read PDFs with pypdf: link annotations with the text they cover, and URLs in the text layer."""

from __future__ import annotations

import io
import logging
import re
import warnings
from pathlib import Path
from typing import Any

from citecheck.model import Document, Extraction, Link
from citecheck.readers.decode import UnreadableInput
from citecheck.readers.heading import guess_title_date
from citecheck.readers.text import paragraphs
from citecheck.urls import find_bare_urls, judge, trim_url

__all__ = ["read_pdf"]

MAX_PAGES = 5000
MAX_CHARS = 20_000_000  # of extracted text in all; a bounded result for a crafted file
# Damage is reported once, as citecheck's one-line error; pypdf's own notes would be noise.
logging.getLogger("pypdf").setLevel(logging.ERROR)

_RUN = re.compile(r"\S+")
_URL_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")
_SCHEME_START = re.compile(r"(?:https?|ftps?)://|www\.", re.IGNORECASE)
# A wrapped URL's next line continues it when the line broke after a separator, or when what
# follows is plainly more path ("2023/report.pdf", "?id=7"), never a new word of the sentence.
_BREAK_AFTER = "/-_?=&#%~+:"
_MORE_PATH = re.compile(r"[/?=&#%_]|^[\w\-]*\.(?:pdf|html?|php|aspx?|jsp|txt|xml|json|docx?)\b")
_SLACK = 2.0  # points: a glyph's origin sits just inside or on the edge of a link's rectangle


def _continues(before: str, token: str) -> bool:
    if not token or _URL_CHARS.fullmatch(token) is None or _SCHEME_START.match(token):
        return False
    return before[-1:] in _BREAK_AFTER or _MORE_PATH.search(token) is not None


def wrapped_urls(text: str) -> list[tuple[int, int, str]]:
    """`(start, end, url)` of URLs in a text layer, rejoined where a line break split them."""
    found: list[tuple[int, int, str]] = []
    for start, end, raw in find_bare_urls(text):
        if found and start < found[-1][1]:
            continue  # the tail of a URL already rejoined
        m = _RUN.match(text, start)
        run_end = m.end() if m else end
        pieces = [text[start:run_end]]
        while text[run_end : run_end + 1] == "\n":
            nxt = _RUN.match(text, run_end + 1)
            if nxt is None or not _continues(pieces[-1], nxt.group(0)):
                break
            pieces.append(nxt.group(0))
            run_end = nxt.end()
        if len(pieces) > 1:
            whole = "".join(pieces)
            raw = trim_url(whole)
            end = run_end - (len(whole) - len(raw))
        found.append((start, end, raw))
    return found


def _point(tm: list[float], cm: list[float]) -> tuple[float, float]:
    x, y = tm[4], tm[5]
    return x * cm[0] + y * cm[2] + cm[4], x * cm[1] + y * cm[3] + cm[5]


def _annotations(page: Any) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(URI, rectangle) of the page's web links; in-document jumps are not citations."""
    out = []
    for ref in page.get("/Annots") or []:
        annot = ref.get_object()
        if annot.get("/Subtype") != "/Link":
            continue
        action = annot.get("/A")
        action = action.get_object() if action is not None else None
        uri = action.get("/URI") if action is not None else None
        if uri is None:
            continue
        if isinstance(uri, bytes):
            uri = uri.decode("latin-1")
        x0, y0, x1, y1 = (float(v) for v in annot.get("/Rect", [0, 0, 0, 0]))
        out.append((str(uri), (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))))
    return out


def _page_text(page: Any) -> tuple[str, list[tuple[str, float, float]]]:
    """The page's text layer and each shown string with where it starts on the page."""
    pieces: list[tuple[str, float, float]] = []

    def visit(text: str, cm: Any, tm: Any, _font: Any, _size: Any) -> None:
        if text.strip():
            x, y = _point(list(tm), list(cm))
            pieces.append((text, x, y))

    return page.extract_text(visitor_text=visit) or "", pieces


def _open(data: bytes) -> Any:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        try:
            # Many PDFs are encrypted only to restrict printing, with an empty password to open.
            opened = reader.decrypt("")
        except DependencyError:
            raise UnreadableInput(
                "is an encrypted PDF whose cipher needs the 'cryptography' package"
            ) from None
        if not opened:
            raise UnreadableInput("is a password-protected (encrypted) PDF")
    return reader


def read_pdf(data: bytes, path: str, *, prose: bool = True) -> tuple[Document, Extraction]:
    """The text layer page by page ("[page N]" before each) and every web link on the pages."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _read(data, path, prose)
    except UnreadableInput:
        raise
    except MemoryError:
        raise UnreadableInput("is too large to read in the memory available") from None
    except Exception as e:  # noqa: BLE001 - pypdf raises many kinds of error on damaged files
        reason = str(e).splitlines()[0][:120] if str(e) else type(e).__name__
        raise UnreadableInput(f"is a damaged PDF ({reason})") from None


def _read(data: bytes, path: str, prose: bool) -> tuple[Document, Extraction]:
    reader = _open(data)
    document = Path(path) if path != "-" else None
    ex = Extraction()
    chunks: list[str] = []
    length = 0
    first_page = ""
    for n, page in enumerate(reader.pages, 1):
        if n > MAX_PAGES or length > MAX_CHARS:
            break
        body, pieces = _page_text(page)
        body = "\n".join(line.rstrip() for line in body.replace("\r", "").split("\n")).strip()
        body = body[: max(MAX_CHARS - length, 0)]
        first_page = first_page or body
        header = f"[page {n}]"
        if chunks:
            chunks.append("\n\n")
            length += 2
        chunks.append(header + "\n\n")
        start = length + len(header) + 2
        chunks.append(body)
        length = start + len(body)
        marker = (start - len(header) - 2, start - 2)
        taken = _links(ex, page, body, start, marker, pieces, path, document)
        for s, e, raw in wrapped_urls(body):
            t = judge(raw, document=document)
            if any(a <= start + s < b for a, b in taken) or t.url in taken.values():
                continue
            ex.links.append(
                Link(path, start + s, raw, t.url, raw, "bare", t.placeholder, start + e)
            )
        if prose:
            ex.blocks.extend(paragraphs(body, start))
    text = "".join(chunks)
    meta = reader.metadata
    title = str(meta.title).strip() if meta is not None and meta.title else None
    ex.title = title or guess_title_date(first_page)[0]
    ex.links.sort(key=lambda k: k.offset)
    return Document(path, "pdf", text), ex


def _links(
    ex: Extraction,
    page: Any,
    body: str,
    start: int,
    marker: tuple[int, int],
    pieces: list[tuple[str, float, float]],
    path: str,
    document: Path | None,
) -> dict[tuple[int, int], str]:
    """Add the page's link annotations; returns the text spans they cover, with their URLs."""
    taken: dict[tuple[int, int], str] = {}
    for uri, (x0, y0, x1, y1) in _annotations(page):
        covered = "".join(
            t
            for t, x, y in pieces
            if x0 - _SLACK <= x <= x1 + _SLACK and y0 - _SLACK <= y <= y1 + _SLACK
        ).strip()
        t = judge(uri, document=document)
        # Where the link sits: its covered text, or the URL itself printed on the page.
        at, label = -1, covered
        if covered:
            at = body.find(covered)
        if at < 0:
            for s, e, raw in wrapped_urls(body):
                if judge(raw, document=document).url == t.url:
                    at, label = s, body[s:e]
                    break
        if at < 0:
            # Nothing to point at in the text layer: the link is placed at its page's marker.
            offset, end = marker
        else:
            offset, end = start + at, start + at + len(label)
            taken[(offset, end)] = t.url or uri
        text = " ".join((covered or label).split())
        ex.links.append(Link(path, offset, uri, t.url, text, "inline", t.placeholder, end))
    return taken
