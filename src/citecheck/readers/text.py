"""Read plain text: URLs written out in prose, `[link]` stand-ins, and paragraphs for claims."""

from __future__ import annotations

from pathlib import Path

from citecheck.model import Block, Document, Extraction, Link
from citecheck.urls import find_bare_urls, find_markers, judge

# Lines longer than this mean the text is not hard-wrapped: each line is a paragraph of its own.
_UNWRAPPED_LINE = 100


def read_text(doc: Document, *, include_code: bool = False) -> Extraction:
    """Every URL and placeholder marker in a plain-text document, and its paragraphs."""
    text = doc.text
    doc_path = Path(doc.path) if doc.path != "-" else None
    out = Extraction()
    for start, end, raw in find_bare_urls(text):
        t = judge(raw, document=doc_path)
        out.links.append(Link(doc.path, start, raw, t.url, raw, "bare", t.placeholder, end))
    for start, end, raw in find_markers(text):
        out.links.append(Link(doc.path, start, "", None, raw, "marker", "marker", end))
    out.links.sort(key=lambda link: link.offset)
    out.blocks = paragraphs(text)
    return out


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
