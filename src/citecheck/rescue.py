"""Rescue dead links: point them at their archived capture, in a copy of the document.

Markdown gets the archive link added after the dead one (or substituted for it); HTML gets the
Robust Links attributes `data-originalurl`, `data-versionurl` and `data-versiondate` on the
`<a>` start tag. Edits are made from the link offsets the scanner found, last one first, so the
offsets of the ones still to do stay valid.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from citecheck.model import Document, Link
from citecheck.verdict import DEAD, SOFT_404

if TYPE_CHECKING:
    from citecheck.check import Results

__all__ = ["FORMATS", "MODES", "RESCUED", "Edit", "Rescue", "rescue", "unified_diff"]

FORMATS = ("markdown", "html")
MODES = ("add", "replace")
RESCUED = (DEAD, SOFT_404)  # the verdicts whose links are pointed at an archived copy
_HREF = re.compile(r"""(\shref\s*=\s*)("[^"]*"|'[^']*'|[^\s"'>]+)""", re.IGNORECASE)
_A_TAG = re.compile(r"<a(?=[\s>/])", re.IGNORECASE)


@dataclass(slots=True)
class Edit:
    """Replace `text[start:end]` with `new`."""

    start: int
    end: int
    new: str
    link: Link
    archive_url: str


@dataclass(slots=True)
class Rescue:
    """The rescued text, the edits that made it, and the failing links left as they were."""

    text: str
    edits: list[Edit] = field(default_factory=list)
    unrescued: list[Link] = field(default_factory=list)  # dead with no capture, or not editable


def _capture(link: Link, results: Results) -> tuple[str, str] | None:
    """(capture URL, ISO date) of the capture closest to the document's date, if there is one."""
    archive = results.archives.get(link.url or "")
    snap = archive.closest if archive is not None else None
    if snap is None:
        return None
    ts = snap.timestamp
    day = f"{ts[:4]}-{ts[4:6]}-{ts[6:8]}" if re.fullmatch(r"\d{8,14}", ts) else ts
    return snap.url, day


def _tag_end(text: str, start: int) -> int:
    """Index of the `>` closing the start tag that begins at `start`; -1 when there is none."""
    quote = ""
    for i in range(start + 1, len(text)):
        c = text[i]
        if quote:
            if c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == ">":
            return i
        elif c == "<":
            return -1
    return -1


def _html_edit(text: str, link: Link, version: str, day: str, mode: str) -> Edit | None:
    """Robust Links attributes on the link's `<a>` start tag (and, to replace, its href)."""
    if link.kind != "html" or not _A_TAG.match(text, link.offset):
        return None
    close = _tag_end(text, link.offset)
    if close < 0:
        return None
    tag = text[link.offset : close]
    if "data-versionurl" in tag.lower():
        return None  # already rescued, by us or by hand
    attrs = (
        f' data-originalurl="{html.escape(link.url or link.raw)}"'
        f' data-versionurl="{html.escape(version)}"'
        f' data-versiondate="{html.escape(day)}"'
    )
    if mode == "replace":
        m = _HREF.search(tag)
        if m is not None:
            tag = f'{tag[: m.start(2)]}"{html.escape(version)}"{tag[m.end(2) :]}'
    self_closing = tag.endswith("/")
    body = tag[:-1].rstrip() if self_closing else tag.rstrip()
    new = body + attrs + (" /" if self_closing else "")
    return Edit(link.offset, close, new, link, version)


def _markdown_edit(text: str, link: Link, version: str, mode: str) -> Edit | None:
    span = text[link.offset : link.end]
    if link.end <= link.offset or not link.raw:
        return None
    if mode == "add":
        return Edit(link.end, link.end, f" ([archived]({version}))", link, version)
    if link.kind == "inline":
        at = span.find(link.raw, span.find("](") + 1 if "](" in span else 0)
    elif link.kind == "autolink":
        at = span.find(link.raw)
    elif link.kind == "bare":
        at = 0 if span == link.raw else -1
    elif link.kind == "reference":
        # The URL lives in the definition, which other uses may share: this use gets its own.
        label_end = span.find("]")
        if label_end < 0:
            return None
        return Edit(link.offset, link.end, f"{span[: label_end + 1]}({version})", link, version)
    elif link.kind == "html":
        m = _HREF.search(span)
        if m is None:
            return None
        start, end = link.offset + m.start(2), link.offset + m.end(2)
        return Edit(start, end, f'"{html.escape(version)}"', link, version)
    else:
        return None
    if at < 0:
        return None
    start = link.offset + at
    return Edit(start, start + len(link.raw), version, link, version)


def rescue(doc: Document, links: list[Link], results: Results, mode: str = "add") -> Rescue:
    """The document's text with every dead and soft-404 link pointed at its archived copy."""
    if doc.format not in FORMATS:
        raise ValueError(f"rescue works on Markdown and HTML documents, not {doc.format}")
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r} (choose from {', '.join(MODES)})")
    text = doc.text
    out = Rescue(text)
    seen: set[tuple[int, int]] = set()
    for link in sorted(links, key=lambda k: (k.offset, k.end)):
        if link.document != doc.path or link.in_code or link.placeholder is not None:
            continue
        if results.verdict(link) not in RESCUED or (link.offset, link.end) in seen:
            continue
        seen.add((link.offset, link.end))
        found = _capture(link, results)
        edit = None
        if found is not None:
            version, day = found
            if doc.format == "html":
                edit = _html_edit(text, link, version, day, mode)
            else:
                edit = _markdown_edit(text, link, version, mode)
        if edit is None:
            out.unrescued.append(link)
        else:
            out.edits.append(edit)
    # Last edit first: the offsets of the earlier ones still point at the right characters.
    last = len(text) + 1
    for edit in sorted(out.edits, key=lambda e: (e.start, e.end), reverse=True):
        if edit.end > last:
            continue  # overlaps one already made (should not happen with scanner offsets)
        text = text[: edit.start] + edit.new + text[edit.end :]
        last = edit.start
    out.text = text
    return out


def unified_diff(old: str, new: str, fromfile: str, tofile: str) -> str:
    """A unified diff of two texts, as `diff -u` prints it."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), fromfile, tofile
    )
    out: list[str] = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
