"""Read Markdown with pulldown-cmark (pyromark): links where they are used, prose, footnotes."""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pyromark
import yaml
from pyromark.event import BrokenLink

from citecheck.model import Block, Document, Extraction, FootnoteRef, Link
from citecheck.positions import ByteOffsets, Spans
from citecheck.readers.text import bare_links
from citecheck.urls import judge

_OPTIONS = (
    pyromark.Options.ENABLE_FOOTNOTES
    | pyromark.Options.ENABLE_TABLES
    | pyromark.Options.ENABLE_STRIKETHROUGH
    | pyromark.Options.ENABLE_TASKLISTS
    | pyromark.Options.ENABLE_YAML_STYLE_METADATA_BLOCKS
    | pyromark.Options.ENABLE_HEADING_ATTRIBUTES
)
_LINK_KIND = {
    "Inline": "inline",
    "Reference": "reference",
    "Collapsed": "reference",
    "Shortcut": "reference",
    "Autolink": "autolink",
    "Email": "autolink",
    "WikiLink": "inline",
}
# Containers whose start or end closes the prose block being built.
_BLOCKS = {"Paragraph", "Heading", "Item", "TableCell", "BlockQuote", "FootnoteDefinition", "List"}
_HTML_LINK = re.compile(
    r"<(a|img)\b[^>]*?\b(href|src)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))[^>]*>",
    re.IGNORECASE,
)
_HTML_TAG = re.compile(r"<[^>]*>")
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_CLOSE_A = re.compile(r"</a\s*>", re.IGNORECASE)
_MARKER_LABEL = re.compile(
    r"(?:link|url|link here|url here|insert link|add link|citation needed|source|todo|tbd)",
    re.IGNORECASE,
)
_HTML_ANCHOR = re.compile(r"""\b(?:id|name)\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_SLUG_DROP = re.compile(r"[^\w\- ]", re.UNICODE)


class _Slugs:
    """GitHub-style heading anchors: "Café & Co!" → "café--co", repeats numbered -1, -2…"""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def add(self, heading: str) -> str:
        slug = _SLUG_DROP.sub("", heading.strip().lower()).replace(" ", "-")
        n = self.seen.get(slug, 0)
        self.seen[slug] = n + 1
        return slug if n == 0 else f"{slug}-{n}"


_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip() or None


def _front_matter(raw: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}


def read_markdown(doc: Document, *, include_code: bool = False, prose: bool = True) -> Extraction:
    """Every link (at its use site), prose block (unless `prose=False`) and footnote of Markdown."""
    text = doc.text
    offsets = ByteOffsets(text)
    char = offsets.char
    ascii_text = offsets.is_ascii  # then byte offsets are character offsets: skip the lookups
    doc_path = Path(doc.path) if doc.path != "-" else None
    out = Extraction()
    links = out.links
    blocks = out.blocks
    not_prose: list[tuple[int, int]] = []  # source spans whose URLs are not bare citations
    code: list[tuple[int, int]] = []  # source spans of code spans and blocks

    broken: dict[int, tuple[str, str, int]] = {}

    def on_broken(b: BrokenLink) -> None:
        # pulldown-cmark asks about every [text][label] whose label is not defined.
        kind = "Shortcut" if str(b["link_type"]).startswith("Shortcut") else str(b["link_type"])
        ref = b["reference"]
        if kind != "Shortcut" or _MARKER_LABEL.fullmatch(ref.strip()):
            broken[b["span"]["start"]] = (kind, ref, b["span"]["end"])
        return None

    # Links inside HTML comments are a draft's leftovers, not citations.
    comment_spans = (
        [(m.start(), m.end()) for m in _COMMENT.finditer(text)] if "<!--" in text else []
    )
    not_prose.extend(comment_spans)
    comments = Spans(list(comment_spans))

    if "]:" in text:
        for d in pyromark.reference_definitions(text, options=_OPTIONS).values():
            not_prose.append((char(d["span"]["start"]), char(d["span"]["end"])))

    parts: list[str] = []
    anchors: list[tuple[int, int]] = []
    length = 0
    role_stack: list[str] = []
    footnote: tuple[str, int] | None = None  # (label, start) of the open footnote definition
    labels: list[tuple[dict[str, Any], int, list[str], bool]] = []  # open links
    in_code = in_metadata = False
    code_start = 0
    metadata: list[str] = []
    # An open raw-HTML <a …> inside a paragraph: (source offset, index of its Link, label parts).
    html_open: tuple[int, int, list[str]] | None = None
    heading: list[str] | None = None  # text of the open heading, for its anchor
    slugs = _Slugs()
    anchors_found: set[str] = {"top"}  # "#top" scrolls to the top in every browser

    def flush() -> None:
        nonlocal parts, anchors, length
        if parts:
            body = "".join(parts)
            if body.strip():
                role = "prose"
                for c in reversed(role_stack):
                    if c == "Heading" or c == "Item":
                        role = "heading" if c == "Heading" else "item"
                        break
                label = None
                if footnote is not None:
                    role, label = "footnote", footnote[0]
                blocks.append(Block(body, anchors, role, label))
            parts, anchors, length = [], [], 0

    events = pyromark.events_with_range(text, options=_OPTIONS, broken_link_callback=on_broken)
    for event, rng in events:
        if event.__class__ is not dict:
            if prose and (event == "SoftBreak" or event == "HardBreak"):
                # A newline, as in the source, so notes on consecutive lines stay apart.
                anchors.append((length, char(rng["start"])))
                parts.append("\n")
                length += 1
            continue
        value = event.get("Text")
        if value is not None:
            # The hottest path: most events are text, and most text needs no work at all.
            if in_code:
                continue
            if in_metadata:
                metadata.append(value)
                continue
            if prose:
                anchors.append((length, rng["start"] if ascii_text else char(rng["start"])))
                parts.append(value)
                length += len(value)
            if labels:
                for open_link in labels:
                    open_link[2].append(value)
            if html_open is not None:
                html_open[2].append(value)
            if heading is not None:
                heading.append(value)
            continue
        ((name, value),) = event.items()
        if name == "Start":
            if value.__class__ is dict:
                ((tag, info),) = value.items()
                if tag == "Link" or tag == "Image":
                    start = rng["start"] if ascii_text else char(rng["start"])
                    labels.append((info, start, [], tag == "Image"))
                elif tag == "CodeBlock":
                    flush()
                    in_code = True
                    code_start = char(rng["start"])
                elif tag == "MetadataBlock":
                    in_metadata = True
                elif tag in _BLOCKS:
                    flush()
                    role_stack.append(tag)
                    if tag == "FootnoteDefinition":
                        footnote = (str(info), char(rng["start"]))
                    elif tag == "Heading":
                        heading = []
                        if info.get("id"):
                            anchors_found.add(str(info["id"]))
            elif value in _BLOCKS:
                flush()
                role_stack.append(value)
        elif name == "End":
            tag = value if value.__class__ is str else next(iter(value))
            if tag == "Link" or tag == "Image":
                if labels:
                    info, start, label, image = labels.pop()
                    end = rng["end"] if ascii_text else char(rng["end"])
                    if info.get("link_type") == "Collapsed" and text.startswith("[]", end):
                        end += 2  # pulldown-cmark's range stops before a collapsed "[]"
                    not_prose.append((start, end))
                    link_type = info.get("link_type", "Inline")
                    raw = info.get("dest_url") or ""
                    if link_type == "Email" and not raw.lower().startswith("mailto:"):
                        raw = "mailto:" + raw
                    t = judge(raw, document=doc_path)
                    kind = "image" if image else _LINK_KIND.get(link_type, "inline")
                    links.append(
                        Link(
                            doc.path,
                            start,
                            raw,
                            t.url,
                            "".join(label).strip(),
                            kind,
                            t.placeholder,
                            end,
                        )
                    )
            elif tag == "CodeBlock":
                in_code = False
                code.append((code_start, char(rng["end"])))
            elif tag == "MetadataBlock":
                in_metadata = False
                not_prose.append((char(rng["start"]), char(rng["end"])))
                fm = _front_matter("".join(metadata))
                out.title = _scalar(fm.get("title"))
                out.date = _scalar(fm.get("date"))
            elif tag in _BLOCKS:
                if tag == "Heading" and heading is not None:
                    anchors_found.add(slugs.add("".join(heading)))
                    heading = None
                flush()
                if role_stack:
                    role_stack.pop()
                if tag == "FootnoteDefinition" and footnote is not None:
                    out.footnote_defs[footnote[0]] = (footnote[1], char(rng["end"]))
                    footnote = None
        elif name == "Code":
            start, end = char(rng["start"]), char(rng["end"])
            code.append((start, end))
            if prose:
                anchors.append((length, start + 1))
                parts.append(value)
                length += len(value)
        elif name == "FootnoteReference":
            out.footnote_refs.append(FootnoteRef(str(value), char(rng["start"])))
        elif name == "InlineHtml" or name == "Html":
            start = char(rng["start"])
            if "id" in value or "name" in value:
                anchors_found.update(m.group(1) for m in _HTML_ANCHOR.finditer(value))
            found = _html_links(value, start, doc, doc_path, links, not_prose, comments)
            if name == "InlineHtml":
                # Text between a raw <a …> and </a> is that link's label, not a bare URL.
                tag_text = value[1:3].lower()
                if tag_text in ("a ", "a>", "a\n") and found:
                    html_open = (start, len(links) - 1, [])
                elif tag_text == "/a" and html_open is not None:
                    end = char(rng["end"])
                    not_prose.append((html_open[0], end))
                    opened = links[html_open[1]]
                    opened.text = "".join(html_open[2]).strip()
                    opened.end = end
                    html_open = None
    flush()
    if out.title is None:
        out.title = next((b.text.strip() for b in blocks if b.role == "heading"), None)

    for start, (kind, ref, end) in broken.items():
        s, e = char(start), char(end)
        not_prose.append((s, e))
        if kind == "Shortcut":
            links.append(Link(doc.path, s, "", None, text[s:e], "marker", "marker", e))
        else:
            label = text[s:e].split("]", 1)[0].lstrip("[")
            links.append(
                Link(doc.path, s, f"[{ref}]", None, label, "reference", "undefined-label", e)
            )
    skip = Spans(not_prose)
    links.extend(
        bare_links(
            doc.path,
            text,
            doc_path,
            skip=skip.__contains__,
            code=Spans(code),
            include_code=include_code,
            markdown=True,
            target=_bare_target,
        )
    )
    for link in links:
        # In-page links are judged once every heading and HTML anchor is known.
        if link.placeholder is None and link.url is not None and link.url.startswith("#"):
            fragment = unquote(link.url[1:])
            if fragment not in anchors_found and fragment.lower() not in anchors_found:
                link.url, link.placeholder = None, "missing-anchor"
    links.sort(key=lambda link: link.offset)
    return out


def _bare_target(raw: str) -> str:
    """What a bare URL in Markdown means: backslash escapes and entities undone."""
    target = _ESCAPE.sub(r"\1", raw)
    return html.unescape(target) if "&" in target else target


def _html_links(
    chunk: str,
    src: int,
    doc: Document,
    doc_path: Path | None,
    links: list[Link],
    not_prose: list[tuple[int, int]],
    comments: Spans,
) -> int:
    """`<a href>` and `<img src>` written as raw HTML inside Markdown; returns how many."""
    count = 0
    for m in _HTML_LINK.finditer(chunk):
        if src + m.start() in comments:
            continue
        count += 1
        tag = m.group(1).lower()
        raw = html.unescape(next(g for g in m.group(3, 4, 5) if g is not None))
        label = ""
        end = m.end()
        if tag == "a":
            close = _CLOSE_A.search(chunk, m.end())
            if close is not None:
                label = html.unescape(_HTML_TAG.sub("", chunk[m.end() : close.start()])).strip()
                end = close.end()
        t = judge(raw, document=doc_path)
        kind = "image" if tag == "img" else "html"
        links.append(
            Link(doc.path, src + m.start(), raw, t.url, label, kind, t.placeholder, src + m.end())
        )
        not_prose.append((src + m.start(), src + end))
    return count
