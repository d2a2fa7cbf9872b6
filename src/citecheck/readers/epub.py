"""Read EPUB books: each XHTML chapter of the spine through the HTML reader, chapter as position."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote, urlsplit

from citecheck.model import Block, Document, Extraction, FootnoteRef
from citecheck.readers.decode import UnreadableInput, decode
from citecheck.readers.html import read_html
from citecheck.readers.safezip import Package

__all__ = ["read_epub"]

_HTML_TYPES = ("application/xhtml+xml", "text/html")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")
_DC = "{http://purl.org/dc/elements/1.1/}"


def _local(tag: object) -> str:
    t = tag if isinstance(tag, str) else ""
    return t[t.rfind("}") + 1 :]


def _spine(pkg: Package) -> tuple[list[str], str | None]:
    """The chapters' member names in reading order, and the book's title."""
    container = pkg.xml("META-INF/container.xml")
    rootfile = next(
        (el.get("full-path") for el in container.iter() if _local(el.tag) == "rootfile"), None
    )
    if not rootfile:
        raise UnreadableInput("is a damaged EPUB (its container names no package file)")
    opf = pkg.xml(rootfile)
    folder = posixpath.dirname(rootfile)
    manifest: dict[str, tuple[str, str]] = {}
    order: list[str] = []
    for el in opf.iter():
        name = _local(el.tag)
        if name == "item" and el.get("id") and el.get("href"):
            href = posixpath.normpath(posixpath.join(folder, unquote(el.get("href", ""))))
            manifest[el.get("id", "")] = (href, el.get("media-type", ""))
        elif name == "itemref" and el.get("idref"):
            order.append(el.get("idref", ""))
    chapters = [manifest[i][0] for i in order if i in manifest and manifest[i][1] in _HTML_TYPES]
    if not chapters:  # an EPUB without a usable spine: its XHTML parts in name order
        chapters = sorted(h for h, t in manifest.values() if t in _HTML_TYPES)
    title_el = opf.find(f".//{_DC}title")
    title = (title_el.text or "").strip() or None if title_el is not None else None
    return list(dict.fromkeys(chapters)), title


def read_epub(data: bytes, path: str, *, prose: bool = True) -> tuple[Document, Extraction]:
    """The chapters' XHTML one after another, each after a `<!-- chapter N: name -->` line.

    Offsets point into that text, as for an HTML page; links between chapters are places in
    the book ("#chapter.xhtml#id"), not files next to it.
    """
    pkg = Package(data, "EPUB")
    chapters, title = _spine(pkg)
    parts: list[str] = []
    length = 0
    out = Extraction(title=title)
    for n, member in enumerate(chapters, 1):
        if member not in pkg:
            continue
        source, _, _ = decode(pkg.read(member), member)
        header = f"<!-- chapter {n}: {member} -->\n"
        base = length + len(header)
        parts.extend((header, source, "\n"))
        length = base + len(source) + 1
        ex = read_html(Document(path, "html", source))
        _merge(out, ex, base, f"{n}:", member, pkg.names, prose)
        out.date = out.date or ex.date
    out.links.sort(key=lambda k: k.offset)
    return Document(path, "epub", "".join(parts), title=title), out


def _merge(
    out: Extraction,
    ex: Extraction,
    base: int,
    prefix: str,
    member: str,
    names: set[str],
    prose: bool,
) -> None:
    """Add one chapter's findings, shifted to where the chapter sits in the book's text."""
    for link in ex.links:
        link.offset += base
        link.end = link.end + base if link.end >= 0 else link.end
        target = link.raw.strip()
        if target and not target.startswith(("#", "//")) and not _SCHEME.match(target):
            parts = urlsplit(target)
            inner = posixpath.normpath(
                posixpath.join(posixpath.dirname(member), unquote(parts.path))
            )
            if inner in names:
                frag = f"#{parts.fragment}" if parts.fragment else ""
                link.url, link.placeholder = f"#{inner}{frag}", None
            else:
                link.url, link.placeholder = None, "missing-file"
        out.links.append(link)
    if prose:
        for b in ex.blocks:
            label = prefix + b.label if b.label is not None else None
            out.blocks.append(Block(b.text, [(t, s + base) for t, s in b.anchors], b.role, label))
    out.footnote_refs.extend(
        FootnoteRef(prefix + r.label, r.offset + base) for r in ex.footnote_refs
    )
    for label, (s, e) in ex.footnote_defs.items():
        out.footnote_defs[prefix + label] = (s + base, e + base)
