"""Footnotes written as text: superscript ¹²³ or [1] markers and the notes they point to."""

from __future__ import annotations

import re

from citecheck.model import Extraction, FootnoteRef

_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_DEF_START = re.compile(r"^\s*(?:([⁰¹²³⁴⁵⁶⁷⁸⁹]+)|\[(\d{1,3})\]|\^(\d{1,3}))[\s.):]")
_NOTE_LINE = re.compile(
    r"^[ \t]*(?:([⁰¹²³⁴⁵⁶⁷⁸⁹]+)|\[(\d{1,3})\]|\^(\d{1,3}))(?=[\s.):])", re.MULTILINE
)
_REF = re.compile(r"(?<=\S)([⁰¹²³⁴⁵⁶⁷⁸⁹]+)|\[(\d{1,3})\](?!\()")


def _label(m: re.Match[str]) -> str:
    found = next(g for g in m.groups() if g is not None)
    return found.translate(_SUPERSCRIPT)


def add_text_footnotes(ex: Extraction) -> None:
    """Find notes that begin with a marker and the markers in prose that point at them.

    A block starting with `¹`, `[1]` or `^1` is a note (its role becomes "footnote"); a marker
    in other prose counts only when such a note exists, so `m²` or a stray `[3]` is not taken
    for a citation.
    """
    defs: dict[str, tuple[int, int]] = {}
    for block in ex.blocks:
        if block.role == "footnote":
            continue
        body = block.text
        if _DEF_START.match(body) is None:
            continue
        # Notes often sit on consecutive lines of one paragraph: each marked line is a note.
        starts = [m for m in _NOTE_LINE.finditer(body)]
        block.role = "footnote"
        block.label = _label(starts[0])
        for k, m in enumerate(starts):
            label = _label(m)
            if label in ex.footnote_defs or label in defs:
                continue
            end = starts[k + 1].start() if k + 1 < len(starts) else len(body)
            while end > m.start() and body[end - 1].isspace():
                end -= 1
            first = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
            defs[label] = (block.source_offset(first), block.source_offset(end - 1) + 1)
    if not defs:
        return
    ex.footnote_defs.update(defs)
    for block in ex.blocks:
        if block.role == "footnote":
            continue
        text = block.text
        if "[" not in text and not any(c in text for c in "⁰¹²³⁴⁵⁶⁷⁸⁹"):
            continue
        for m in _REF.finditer(text):
            label = _label(m)
            if label in defs:
                ex.footnote_refs.append(FootnoteRef(label, block.source_offset(m.start())))
