"""Read Word (.docx) files: hyperlinks, HYPERLINK fields, bookmarks, notes, comments and prose."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from xml.etree.ElementTree import Element

from citecheck.model import Document, Extraction
from citecheck.readers.decode import UnreadableInput
from citecheck.readers.extracted import TextBuilder
from citecheck.readers.safezip import Package, refuse_ole

__all__ = ["read_docx", "superscript"]

_REL_NS = "relationships"  # r:id lives in the officeDocument relationships namespace
# Part-level relationship types, by the last segment of their Type URI.
_OFFICE_DOCUMENT = "officeDocument"
_HYPERLINK = re.compile(r'^\s*HYPERLINK\b\s*(?:"([^"]*)"|([^\s"\\]+))?', re.IGNORECASE)
_ANCHOR_SWITCH = re.compile(r'\\l\s+(?:"([^"]*)"|(\S+))', re.IGNORECASE)
_HEADING_STYLE = re.compile(r"^(heading|title|subtitle|berschrift|titre|titolo)", re.IGNORECASE)
# Containers whose content is not shown: deleted text, moved-away text, fallback copies.
_SKIP = frozenset(("del", "moveFrom", "Fallback", "delText", "rPr", "pPr"))
_SUPERSCRIPT = str.maketrans("0123456789ivxlcdm", "⁰¹²³⁴⁵⁶⁷⁸⁹ⁱᵛˣˡᶜᵈᵐ")
_ROMAN = (
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
    (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
)  # fmt: skip


def superscript(label: str) -> str:
    """A note label as the raised marker a word processor shows ("12" → "¹²")."""
    return label.translate(_SUPERSCRIPT)


def _roman(n: int) -> str:
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def _local(tag: object) -> str:
    t = tag if isinstance(tag, str) else ""
    return t[t.rfind("}") + 1 :]


def _attr(el: Element, name: str, ns_part: str = "wordprocessingml") -> str | None:
    """An attribute by local name, in a namespace whose URI contains `ns_part`."""
    for key, value in el.attrib.items():
        if key.endswith("}" + name) and ns_part in key:
            return value
    return None


def _walk(root: Element) -> Iterator[tuple[bool, Element]]:
    """(is_start, element) in document order, without recursion and without skipped parts."""
    yield True, root
    stack = [(root, iter(root))]
    while stack:
        el, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            yield False, el
            continue
        name = _local(child.tag)
        if name in _SKIP:
            continue
        yield True, child
        if name == "p" or name == "instrText":
            yield False, child  # nested paragraphs (text boxes) are read on their own
        else:
            stack.append((child, iter(child)))


class _Part:
    """One story of the document (body, notes, comments) with its own relationships."""

    def __init__(self, pkg: Package, name: str) -> None:
        folder, base = posixpath.split(name)
        rels_xml = pkg.xml_if_present(posixpath.join(folder, "_rels", base + ".rels"))
        self.targets: dict[str, str] = {}
        self.types: dict[str, str] = {}
        for rel in rels_xml if rels_xml is not None else ():
            rid, target = rel.get("Id"), rel.get("Target")
            if rid is None or target is None:
                continue
            self.targets[rid] = target
            kind = (rel.get("Type") or "").rsplit("/", 1)[-1]
            external = rel.get("TargetMode") == "External"
            if not external:
                # Part names are relative to the part's folder, or to the package root with "/".
                inner = target[1:] if target.startswith("/") else posixpath.join(folder, target)
                target = posixpath.normpath(inner)
            self.types[kind] = target


@dataclass(slots=True)
class _Field:
    """An open complex field: its instruction so far, and where its shown result began."""

    instruction: list[str] = dataclass_field(default_factory=list)
    start: int | None = None  # None until fldChar "separate": still reading the instruction


class _Reader:
    def __init__(self, pkg: Package, b: TextBuilder) -> None:
        self.pkg = pkg
        self.b = b
        self.fields: list[_Field] = []
        self.notes: dict[str, list[str]] = {"footnote": [], "endnote": []}  # ids in order
        self.marker = ""  # shown before the next paragraph: a note's own number

    def story(self, root: Element, part: _Part) -> None:
        """Every paragraph under `root`, tables and content controls included, in order."""
        pending = [root]
        while pending:
            el = pending.pop()
            name = _local(el.tag)
            if name == "p":
                nested = self.paragraph(el, part)
                pending.extend(reversed(nested))
            elif name not in _SKIP and name not in ("sectPr", "tblPr", "tcPr", "trPr"):
                pending.extend(reversed(list(el)))

    def paragraph(self, p: Element, part: _Part) -> list[Element]:
        b = self.b
        role = "prose"
        style = p.find("./{*}pPr/{*}pStyle")
        if style is not None and _HEADING_STYLE.match(_attr(style, "val") or ""):
            role = "heading"
        elif p.find("./{*}pPr/{*}numPr") is not None:
            role = "item"
        b.begin(role)
        if self.marker:
            b.text(self.marker + " ", prose=False)
            self.marker = ""
        nested: list[Element] = []
        opened: dict[int, int] = {}  # id(element) -> start offset of a hyperlink or fldSimple
        for start, el in _walk(p):
            name = _local(el.tag)
            if el is not p and name == "p":
                if start:
                    nested.append(el)
                continue
            if name == "t" and start:
                if not self.fields or self.fields[-1].start is not None:
                    b.text(el.text or "")
            elif name in ("hyperlink", "fldSimple"):
                if start:
                    opened[id(el)] = b.here()
                else:
                    self.close(el, name, part, opened.pop(id(el), b.here()))
            elif not start:
                continue
            elif name in ("tab", "br", "cr"):
                b.text(" ")
            elif name == "noBreakHyphen":
                b.text("-")
            elif name == "fldChar":
                self.field_char(_attr(el, "fldCharType") or "")
            elif name == "instrText" and self.fields and self.fields[-1].start is None:
                self.fields[-1].instruction.append(el.text or "")
            elif name in ("footnoteReference", "endnoteReference"):
                kind = name[:-9]
                ids = self.notes[kind]
                ids.append(_attr(el, "id") or "")
                label = str(len(ids)) if kind == "footnote" else _roman(len(ids))
                b.note_ref(label, superscript(label))
            elif name == "bookmarkStart":
                b.anchors.add(_attr(el, "name") or "")
            elif name == "hlinkClick":
                rid = _attr(el, "id", _REL_NS)
                if rid and rid in part.targets:
                    b.link(part.targets[rid], b.here(), text="")
        b.end()
        return nested

    def close(self, el: Element, name: str, part: _Part, start: int) -> None:
        if name == "fldSimple":
            target = _field_target(_attr(el, "instr") or "")
            if target is not None:
                self.b.link(target, start)
            return
        rid = _attr(el, "id", _REL_NS)
        target = part.targets.get(rid, "") if rid else ""
        anchor = _attr(el, "anchor")
        if anchor:
            target = f"{target}#{anchor}"
        if rid or anchor:
            self.b.link(target, start)

    def field_char(self, kind: str) -> None:
        if kind == "begin":
            self.fields.append(_Field())
        elif kind == "separate" and self.fields:
            self.fields[-1].start = self.b.here()
        elif kind == "end" and self.fields:
            done = self.fields.pop()
            target = _field_target("".join(done.instruction))
            if target is not None and done.start is not None:
                self.b.link(target, done.start)

    def notes_of(self, kind: str, part_name: str | None) -> None:
        """The footnotes or endnotes, numbered in the order the body refers to them."""
        if part_name is None or part_name not in self.pkg:
            return
        part = _Part(self.pkg, part_name)
        root = self.pkg.xml(part_name)
        bodies = {
            _attr(n, "id") or "": n
            for n in root
            if _local(n.tag) == kind and (_attr(n, "type") or "normal") == "normal"
        }
        order = self.notes[kind]
        labels = {
            nid: (str(k) if kind == "footnote" else _roman(k)) for k, nid in enumerate(order, 1)
        }
        extra = [nid for nid in bodies if nid not in labels]
        if not bodies:
            return
        self.b.line("Footnotes" if kind == "footnote" else "Endnotes")
        for nid in [*dict.fromkeys(order), *extra]:
            note = bodies.get(nid)
            if note is None:
                continue
            label = labels.get(nid, f"{kind[0]}{nid}")
            self.b.open_note(label)
            self.marker = superscript(label) if nid in labels else f"[{label}]"
            self.fields = []
            self.story(note, part)
            self.b.close_note()

    def comments(self, part_name: str | None) -> None:
        if part_name is None or part_name not in self.pkg:
            return
        part = _Part(self.pkg, part_name)
        found = [c for c in self.pkg.xml(part_name) if _local(c.tag) == "comment"]
        if found:
            self.b.line("Comments")
        for c in found:
            self.b.open_note(None)
            self.marker = f"[comment by {_attr(c, 'author') or 'someone'}]"
            self.fields = []
            self.story(c, part)
            self.b.close_note()


def _field_target(instr: str) -> str | None:
    m = _HYPERLINK.match(instr)
    if m is None:
        return None
    target = m.group(1) or m.group(2) or ""
    anchor = _ANCHOR_SWITCH.search(instr)
    if anchor:
        target = f"{target}#{anchor.group(1) or anchor.group(2)}"
    return target


def _title(pkg: Package) -> str | None:
    core = pkg.xml_if_present("docProps/core.xml")
    if core is None:
        return None
    el = core.find("{http://purl.org/dc/elements/1.1/}title")
    return (el.text or "").strip() or None if el is not None else None


def read_docx(data: bytes, path: str, *, prose: bool = True) -> tuple[Document, Extraction]:
    """The extracted text of a .docx (one paragraph per line, blank lines between) and its links.

    The body comes first, then "Footnotes", "Endnotes" and "Comments" sections; a note's marker
    in the body (¹, ⁱ) is tied to the note, so a claim's footnote sources are found.
    """
    refuse_ole(data, "Word")
    pkg = Package(data, "Word document")
    root_rels = _Part(pkg, "")
    main = root_rels.types.get(_OFFICE_DOCUMENT, "word/document.xml")
    if main not in pkg:
        raise UnreadableInput("is not a Word document (it has no word/document.xml)")
    b = TextBuilder(path, prose=prose)
    reader = _Reader(pkg, b)
    part = _Part(pkg, main)
    body = pkg.xml(main)
    reader.story(body, part)
    reader.notes_of("footnote", part.types.get("footnotes"))
    reader.notes_of("endnote", part.types.get("endnotes"))
    reader.comments(part.types.get("comments"))
    text, ex = b.finish()
    ex.title = _title(pkg) or next((x.text for x in ex.blocks if x.role == "heading"), None)
    return Document(path, "docx", text), ex
