"""Read OpenDocument text (.odt): `text:a` links, bookmarks, footnotes, endnotes and comments."""

from __future__ import annotations

from xml.etree.ElementTree import Element

from citecheck.model import Document, Extraction
from citecheck.readers.decode import UnreadableInput
from citecheck.readers.docx import superscript
from citecheck.readers.extracted import TextBuilder
from citecheck.readers.safezip import Package

__all__ = ["read_odt"]

_XLINK = "{http://www.w3.org/1999/xlink}"
_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
# Never shown as the document's text: change tracking keeps deleted passages here.
_HIDDEN = frozenset(("tracked-changes", "deletion", "annotation-end", "soft-page-break"))


def _local(tag: object) -> str:
    t = tag if isinstance(tag, str) else ""
    return t[t.rfind("}") + 1 :]


class _Reader:
    def __init__(self, b: TextBuilder) -> None:
        self.b = b
        self.notes: list[tuple[str, str, Element]] = []  # (class, citation, body)
        self.comments: list[tuple[str, Element]] = []
        self.marker = ""

    def story(self, root: Element) -> None:
        pending = [root]
        while pending:
            el = pending.pop()
            name = _local(el.tag)
            if name in ("p", "h"):
                pending.extend(reversed(self.paragraph(el)))
            elif name not in _HIDDEN and name not in ("annotation", "note"):
                pending.extend(reversed(list(el)))

    def paragraph(self, p: Element) -> list[Element]:
        """Show one paragraph; returns the paragraphs of frames inside it, read after it."""
        b = self.b
        if _local(p.tag) == "h":
            b.begin("heading")
        else:
            b.begin()
        if self.marker:
            b.text(self.marker + " ", prose=False)
            self.marker = ""
        nested: list[Element] = []
        starts: dict[int, int] = {}
        b.text(p.text or "")
        stack = [(p, iter(p))]
        while stack:
            el, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                if el is not p:
                    if id(el) in starts:
                        b.link(el.get(f"{_XLINK}href", ""), starts.pop(id(el)))
                    b.text(el.tail or "")
                continue
            if self.enter(child, nested):
                if _local(child.tag) == "a":
                    starts[id(child)] = b.here()
                b.text(child.text or "")
                stack.append((child, iter(child)))
            else:
                b.text(child.tail or "")
        b.end()
        return nested

    def enter(self, el: Element, nested: list[Element]) -> bool:
        """Handle an inline element; True when its content is shown inline."""
        name = _local(el.tag)
        b = self.b
        if name == "s":
            b.text(" " * min(int(el.get(f"{_TEXT}c", "1") or 1), 100))
        elif name in ("tab", "line-break"):
            b.text(" ")
        elif name in ("bookmark", "bookmark-start", "reference-mark", "reference-mark-start"):
            b.anchors.add(el.get(f"{_TEXT}name", ""))
        elif name == "note":
            kind = el.get(f"{_TEXT}note-class", "footnote")
            citation = next((c for c in el if _local(c.tag) == "note-citation"), None)
            body = next((c for c in el if _local(c.tag) == "note-body"), None)
            label = "".join(citation.itertext()).strip() if citation is not None else ""
            label = label or str(len(self.notes) + 1)
            b.note_ref(label, superscript(label))
            if body is not None:
                self.notes.append((kind, label, body))
        elif name == "annotation":
            who = next((c for c in el if _local(c.tag) == "creator"), None)
            self.comments.append((who.text or "someone" if who is not None else "someone", el))
        elif name in ("p", "h"):
            nested.append(el)
        elif name not in _HIDDEN:
            return True
        return False

    def sections(self) -> None:
        for kind, title in (("footnote", "Footnotes"), ("endnote", "Endnotes")):
            found = [(label, body) for k, label, body in self.notes if k == kind]
            if found:
                self.b.line(title)
            for label, body in found:
                self.b.open_note(label)
                self.marker = superscript(label)
                self.story(body)
                self.b.close_note()
        if self.comments:
            self.b.line("Comments")
        for who, el in self.comments:
            self.b.open_note(None)
            self.marker = f"[comment by {who}]"
            for child in el:
                if _local(child.tag) in ("p", "h", "list"):
                    self.story(child)
            self.b.close_note()


def read_odt(data: bytes, path: str, *, prose: bool = True) -> tuple[Document, Extraction]:
    """The extracted text of an .odt, laid out like a .docx's: body, then notes and comments."""
    pkg = Package(data, "OpenDocument text")
    if "content.xml" not in pkg:
        raise UnreadableInput("is not an OpenDocument file (it has no content.xml)")
    content = pkg.xml("content.xml")
    body = content.find(f".//{_OFFICE}text")
    b = TextBuilder(path, prose=prose)
    reader = _Reader(b)
    if body is not None:
        reader.story(body)
    reader.sections()
    text, ex = b.finish()
    meta = pkg.xml_if_present("meta.xml")
    title_el = meta.find(f".//{_DC}title") if meta is not None else None
    title = (title_el.text or "").strip() if title_el is not None else ""
    ex.title = title or next((x.text for x in ex.blocks if x.role == "heading"), None)
    return Document(path, "odt", text), ex
