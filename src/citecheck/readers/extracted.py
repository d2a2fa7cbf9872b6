"""Plain text built from a binary document, paragraph by paragraph, with its links and notes."""

from __future__ import annotations

import re
from bisect import bisect_left
from pathlib import Path

from citecheck.model import Block, Extraction, FootnoteRef, Link
from citecheck.readers.text import paragraphs
from citecheck.urls import find_bare_urls, judge

__all__ = ["TextBuilder", "without_spans"]

# One paragraph, one line of extracted text: line numbers then count paragraphs.
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\x85\u2028\u2029]")


class TextBuilder:
    """Accumulates `Document.text` with a blank line between paragraphs.

    Links, note markers and prose blocks record offsets into that text as it grows, so whatever a
    reader reports lands exactly where the extracted text shows it.
    """

    def __init__(self, path: str, *, flatten: bool = True, prose: bool = True) -> None:
        self.path = path
        self.document = Path(path) if path != "-" else None
        self.flatten = flatten  # False keeps the line breaks a text layer (PDF) has
        self.prose = prose
        self.ex = Extraction()
        self.anchors: set[str] = set()  # bookmark names, for internal "#name" links
        self._chunks: list[str] = []
        self.length = 0
        self._para = -1  # where the open paragraph's text starts, -1 before its first text
        self._pchunks: list[str] = []
        self._role = "prose"
        self._label: str | None = None
        self._parts: list[str] = []
        self._anchors: list[tuple[int, int]] = []
        self._block_len = 0
        self._spans: list[tuple[int, int]] = []  # link spans of the open paragraph
        self._note: tuple[str | None, int, int] | None = None  # label, start, end of open note

    # --- the text -------------------------------------------------------------------------------

    def begin(self, role: str = "prose", label: str | None = None) -> None:
        """Start a paragraph (the previous one must have ended); in a note, a "footnote" one."""
        if self._note is not None:
            role, label = "footnote", self._note[0]
        self._role, self._label = role, label
        self._para = -1

    def _started(self) -> None:
        if self._para < 0:
            if self.length:
                self._emit("\n\n")
            self._para = self.length
            self._pchunks = []

    def _emit(self, s: str) -> None:
        self._chunks.append(s)
        if self._para >= 0:
            self._pchunks.append(s)
        self.length += len(s)

    def _paragraph(self) -> str:
        return "".join(self._pchunks)

    def _since(self, start: int) -> str:
        """Text shown since `start`, reading back only as far as needed."""
        need = self.length - start
        found: list[str] = []
        n = 0
        for chunk in reversed(self._pchunks):
            if n >= need:
                break
            found.append(chunk)
            n += len(chunk)
        joined = "".join(reversed(found))
        return joined[len(joined) - need :] if need > 0 else ""

    def text(self, s: str, *, prose: bool = True) -> None:
        """Add shown text; `prose=False` shows it without making it part of the prose block."""
        if not s:
            return
        if self.flatten:
            s = _LINE_BREAKS.sub(" ", s)
        self._started()
        if prose and self.prose:
            self._anchors.append((self._block_len, self.length))
            self._parts.append(s)
            self._block_len += len(s)
        self._emit(s)

    def line(self, s: str) -> None:
        """A paragraph of its own that is no prose (a page or section marker)."""
        self.begin()
        self.text(s, prose=False)
        self.end()

    def link(self, raw: str, start: int, kind: str = "inline", text: str | None = None) -> Link:
        """A link covering the text from `start` to here; judged now or, if "#…", at finish."""
        # A field's result can begin in an earlier paragraph: its label is this paragraph's part.
        label = self._since(max(start, self._para)) if text is None else text
        t = judge(raw, document=self.document) if not raw.startswith("#") else None
        link = Link(
            self.path,
            start,
            raw,
            t.url if t else None,
            " ".join(label.split()),
            kind,
            t.placeholder if t else None,
            self.length,
        )
        self.ex.links.append(link)
        self._spans.append((start, self.length))
        return link

    def here(self) -> int:
        """The offset the next shown character will have."""
        self._started()
        return self.length

    def note_ref(self, label: str, shown: str) -> None:
        """A note marker: shown in the text, kept out of the prose, tied to note `label`."""
        self._started()
        self.ex.footnote_refs.append(FootnoteRef(label, self.length))
        self._emit(shown)

    def end(self) -> None:
        """End the paragraph: its prose block and the URLs written out in it."""
        if self._para >= 0:
            para = self._paragraph()
            for s, e, raw in find_bare_urls(para):
                start = self._para + s
                if any(a <= start < b for a, b in self._spans):
                    continue
                self.bare(start, self._para + e, raw)
            if self._note is not None:
                label, first, _ = self._note
                self._note = (label, first if first >= 0 else self._para, self.length)
        if self._parts and "".join(self._parts).strip():
            self.ex.blocks.append(
                Block("".join(self._parts), self._anchors, self._role, self._label)
            )
        self._parts, self._anchors, self._block_len, self._spans = [], [], 0, []
        self._para = -1
        self._pchunks = []

    def bare(self, start: int, end: int, raw: str) -> None:
        t = judge(raw, document=self.document)
        self.ex.links.append(Link(self.path, start, raw, t.url, raw, "bare", t.placeholder, end))

    def whole(self) -> str:
        return "".join(self._chunks)

    # --- notes ----------------------------------------------------------------------------------

    def open_note(self, label: str | None) -> None:
        """The paragraphs until `close_note` are the body of note `label` (None: a comment).

        Notes are not the document's prose: their sentences are not claims of their own.
        """
        self._note = (label, -1, -1)

    def close_note(self) -> None:
        if self._note is not None:
            label, start, end = self._note
            if start >= 0 and label is not None:
                self.ex.footnote_defs.setdefault(label, (start, end))
            self._note = None

    def finish(self) -> tuple[str, Extraction]:
        """The extracted text and what was found in it, internal links judged."""
        for link in self.ex.links:
            if link.raw.startswith("#"):
                t = judge(link.raw, anchors=self.anchors)
                link.url, link.placeholder = t.url, t.placeholder
        self.ex.links.sort(key=lambda k: k.offset)
        return self.whole(), self.ex


def without_spans(text: str, drop: list[tuple[int, int]]) -> list[Block]:
    """The prose paragraphs of a markup text with the `drop` spans (commands, targets) cut out."""
    drop = sorted(drop)
    merged: list[tuple[int, int]] = []
    for s, e in drop:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    starts = [s for s, _ in merged]
    blocks: list[Block] = []
    for block in paragraphs(text):
        parts: list[str] = []
        anchors: list[tuple[int, int]] = []
        length = 0
        bounds = [*(a[0] for a in block.anchors[1:]), len(block.text)]
        for (tpos, src), tend in zip(block.anchors, bounds, strict=True):
            pos, stop = src, src + (tend - tpos)
            k = max(bisect_left(starts, pos) - 1, 0)
            while pos < stop:
                while k < len(merged) and merged[k][1] <= pos:
                    k += 1
                cut_start = merged[k][0] if k < len(merged) else stop
                if cut_start <= pos:
                    pos = min(merged[k][1], stop)
                    continue
                piece_end = min(cut_start, stop)
                piece = block.text[tpos + pos - src : tpos + piece_end - src]
                anchors.append((length, pos))
                parts.append(piece)
                length += len(piece)
                pos = piece_end
        body = "".join(parts)
        if body.strip():
            blocks.append(_trimmed(Block(body, anchors, block.role, block.label)))
    return blocks


def _trimmed(block: Block) -> Block:
    """The block without the blank lines and spaces that cutting markup out left at its ends."""
    body = block.text.rstrip()
    lead = len(body) - len(body.lstrip())
    if not lead:
        return Block(body, block.anchors, block.role, block.label)
    anchors = [(0, block.source_offset(lead))]
    anchors += [(t - lead, s) for t, s in block.anchors if t > lead]
    return Block(body[lead:], anchors, block.role, block.label)
