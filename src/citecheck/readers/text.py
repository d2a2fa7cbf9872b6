"""Read plain text: URLs written out in prose, `[link]` stand-ins, and paragraphs for claims."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from citecheck.model import Block, Document, Extraction, Link
from citecheck.positions import Spans
from citecheck.urls import find_bare_urls, find_markers, judge

# Lines longer than this mean the text is not hard-wrapped: each line is a paragraph of its own.
_UNWRAPPED_LINE = 100


def read_text(doc: Document, *, include_code: bool = False) -> Extraction:
    """Every URL and placeholder marker in a plain-text document, and its paragraphs."""
    text = doc.text
    doc_path = Path(doc.path) if doc.path != "-" else None
    out = Extraction()
    out.links.extend(bare_links(doc.path, text, doc_path))
    for start, end, raw in find_markers(text):
        out.links.append(Link(doc.path, start, "", None, raw, "marker", "marker", end))
    out.links.sort(key=lambda link: link.offset)
    out.blocks = paragraphs(text)
    return out


def bare_links(
    name: str,
    text: str,
    document: Path | None,
    *,
    skip: Callable[[int], bool] | None = None,
    code: Spans | None = None,
    include_code: bool = False,
    markdown: bool = False,
    target: Callable[[str], str] | None = None,
) -> list[Link]:
    """Links for the URLs written out in `text`, as every reader reports them.

    `skip` leaves out offsets already covered by the format's own link syntax; URLs starting
    inside `code` are kept only with `include_code` (marked `in_code`); `target` turns what is
    written into what is judged (unescaping, entity decoding).
    """
    found = []
    for start, end, raw in find_bare_urls(text, markdown=markdown):
        if skip is not None and skip(start):
            continue
        in_code = code is not None and start in code
        if in_code and not include_code:
            continue
        t = judge(target(raw) if target else raw, document=document)
        found.append(Link(name, start, raw, t.url, raw, "bare", t.placeholder, end, in_code))
    return found


def paragraphs(text: str, offset: int = 0) -> list[Block]:
    """Blocks of prose: blank-line separated, or one a line when lines are long (scraped text).

    Lines keep their own anchors, so dropping a CR or indentation never shifts later offsets.
    """
    lines = text.split("\n")
    per_line = max((len(line) for line in lines), default=0) > _UNWRAPPED_LINE
    blocks: list[Block] = []
    parts: list[str] = []
    anchors: list[tuple[int, int]] = []
    length = 0
    pos = offset
    for line in lines:
        body = line.rstrip("\r")
        lead = len(body) - len(body.lstrip())
        body = body.strip()
        if body and not (per_line and parts):
            if parts:
                parts.append("\n")
                length += 1
            anchors.append((length, pos + lead))
            parts.append(body)
            length += len(body)
        if parts and (not body or per_line):
            blocks.append(Block("".join(parts), anchors))
            parts, anchors, length = [], [], 0
        pos += len(line) + 1
    if parts:
        blocks.append(Block("".join(parts), anchors))
    return blocks
