"""Read reStructuredText: `` `text <url>`_ ``, named targets, footnotes, bare URLs, prose."""

from __future__ import annotations

import re
from pathlib import Path

from citecheck.model import Document, Extraction, FootnoteRef, Link
from citecheck.positions import Spans
from citecheck.readers.extracted import without_spans
from citecheck.readers.text import bare_links
from citecheck.urls import judge

__all__ = ["read_rst"]

_TARGET = re.compile(r"^\.\. _(`[^`]+`|[^:`]+):[ \t]*(.*(?:\n[ \t]+\S.*)*)", re.MULTILINE)
_INLINE = re.compile(r"`([^`<]*?)\s*<([^<>`]+)>`(__?)")
_NAMED_REF = re.compile(r"`([^`<]+)`_(?!_)(?!\w)|(?<![\w`:/.\-])([A-Za-z0-9][\w.\-+]*)_(?![\w_])")
_LITERAL = re.compile(r"``.+?``", re.DOTALL)
_CODE_DIRECTIVE = re.compile(
    r"^([ \t]*)\.\. (?:code-block|code|sourcecode|literalinclude)::.*"
    r"(?:\n(?:\1[ \t]+.*|[ \t]*))*",
    re.MULTILINE,
)
_LITERAL_BLOCK = re.compile(r"::[ \t]*\n(?:[ \t]*\n)+((?:[ \t]+.*\n?|[ \t]*\n)+)")
_FN_REF = re.compile(r"\[(#?[\w\-]*|\*|\d+)\]_")
_FN_DEF = re.compile(r"^\.\. \[(#?[\w\-]*|\*|\d+)\][ \t]+(.*(?:\n[ \t]+\S.*)*)", re.MULTILINE)
_DIRECTIVE_LINE = re.compile(r"^[ \t]*\.\. .*$", re.MULTILINE)
_UNDERLINE = re.compile(r"^([=\-`:'\"~^_*+#<>])\1{2,}[ \t]*$", re.MULTILINE)
_MARKUP = re.compile(r"`__?|`|\*\*|\*|_(?=\W|$)")


def _name(label: str) -> str:
    return " ".join(label.strip("`").lower().split())


def read_rst(doc: Document, *, include_code: bool = False) -> Extraction:
    """Links where they are used (named references resolved), notes tied to their markers."""
    text = doc.text
    document = Path(doc.path) if doc.path != "-" else None
    out = Extraction()
    code_list = [(m.start(), m.end()) for m in _LITERAL.finditer(text)]
    code_list += [(m.start(), m.end()) for m in _CODE_DIRECTIVE.finditer(text)]
    code_list += [(m.start(1), m.end(1)) for m in _LITERAL_BLOCK.finditer(text)]
    code = Spans(code_list)
    drop: list[tuple[int, int]] = list(code_list)
    targets: dict[str, tuple[str, int, int]] = {}  # name -> (target, offset, end)
    for m in _TARGET.finditer(text):
        if m.start() in code:
            continue
        target = "".join(m.group(2).split())
        targets.setdefault(_name(m.group(1)), (target, m.start(), m.end()))
        drop.append((m.start(), m.end()))
    used: set[str] = set()
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, target: str, label: str, kind: str) -> None:
        if target.endswith("_") and "://" not in target:  # `text <other_>`_ names a target
            name = _name(target[:-1])
            used.add(name)
            if name not in targets:
                link = Link(doc.path, start, target, None, label, kind, "undefined-label", end)
                out.links.append(link)
                return
            target = targets[name][0]
        t = judge(target, document=document)
        out.links.append(Link(doc.path, start, target, t.url, label, kind, t.placeholder, end))
        taken.append((start, end))

    for m in _INLINE.finditer(text):
        if m.start() in code:
            continue
        label = " ".join(m.group(1).split()) or m.group(2)
        add(m.start(), m.end(), m.group(2).strip(), label, "inline")
        if m.group(3) == "_" and m.group(1).strip():
            targets.setdefault(_name(m.group(1)), (m.group(2).strip(), m.start(), m.end()))
        drop.append((m.start(2) - 1, m.end(2) + 1))
    inline = Spans(list(taken))
    for m in _NAMED_REF.finditer(text):
        if m.start() in code or m.start() in inline:
            continue
        name = _name(m.group(1) or m.group(2))
        if name in targets:
            used.add(name)
            label = " ".join((m.group(1) or m.group(2)).split())
            add(m.start(), m.end(), targets[name][0], label, "reference")
    for name, (target, start, end) in targets.items():
        if name not in used and not any(s == start for s, _ in taken):
            add(start, end, target, name, "reference")  # defined, never used: still a link
    _footnotes(text, out, drop, code)
    links = Spans(taken + [(s, e) for _, s, e in targets.values()])
    out.links.extend(
        bare_links(
            doc.path,
            text,
            document,
            skip=links.__contains__,
            code=code,
            include_code=include_code,
        )
    )
    drop += [(m.start(), m.end()) for m in _DIRECTIVE_LINE.finditer(text)]
    drop += [(m.start(), m.end()) for m in _UNDERLINE.finditer(text)]
    drop += [(m.start(), m.end()) for m in _MARKUP.finditer(text)]
    out.blocks = without_spans(text, drop)
    if (first := _UNDERLINE.search(text)) is not None and first.start() > 0:
        title = text[: first.start() - 1].rsplit("\n", 1)[-1].strip()
        out.title = title or None
    out.links.sort(key=lambda k: k.offset)
    return out


def _footnotes(text: str, out: Extraction, drop: list[tuple[int, int]], code: Spans) -> None:
    """`[1]_` and `[#]_` markers tied to `.. [1]` notes (auto-numbered ones in order)."""
    defs: list[tuple[str, int, int]] = []
    for m in _FN_DEF.finditer(text):
        defs.append((m.group(1), m.start(2), m.end(2)))
        drop.append((m.start(), m.end()))
    auto = 0
    for label, start, end in defs:
        if label == "#":
            auto += 1
            label = f"#{auto}"
        out.footnote_defs.setdefault(label, (start, end))
    auto = 0
    for m in _FN_REF.finditer(text):
        if m.start() in code or text[m.start() - 3 : m.start()] == ".. ":
            continue
        label = m.group(1)
        if label == "#":
            auto += 1
            label = f"#{auto}"
        if label in out.footnote_defs:
            out.footnote_refs.append(FootnoteRef(label, m.start()))
            drop.append((m.start(), m.end()))
