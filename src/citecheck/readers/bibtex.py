"""Read BibTeX: each entry's `url`, `doi` and `\\url{…}` targets, with the entry key as label."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from citecheck.model import Document, Extraction, Link
from citecheck.urls import judge

__all__ = ["Entry", "closing", "entry_links", "parse_bibtex", "read_bibtex"]

_ENTRY = re.compile(r"@\s*([A-Za-z]+)\s*([{(])")
_KEY = re.compile(r"\s*([^,\s{}()=\"#]+)\s*,")
_NAME = re.compile(r"\s*([A-Za-z][\w\-:.]*)\s*=\s*")
_WORD = re.compile(r"[\w\-:.+/]+")
_URL_CMD = re.compile(r"\\(?:url|href)\s*\{([^{}]*)\}")
_ESCAPED = re.compile(r"\\([_%#&$~])")
_DOI_PREFIX = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)
_SKIP_TYPES = frozenset(("comment", "preamble", "string"))
# Fields whose value is the target itself, and fields where a \url{…} may be written.
_URL_FIELDS = ("url", "doi", "eprint")
_TEXT_FIELDS = ("howpublished", "note", "annote", "addendum")


@dataclass(slots=True)
class Entry:
    """One `@type{key, …}` with each field's raw value and where that value starts."""

    kind: str
    key: str
    offset: int  # of the key
    fields: dict[str, tuple[str, int]] = field(default_factory=dict)


def closing(text: str, i: int, open_: str, close: str) -> int:
    """Index just past the bracket that closes the one at `i` (or the text's end)."""
    depth = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(text)


def _value(text: str, i: int, stop: int) -> tuple[str, int, int]:
    """(raw value, start of its content, index after it): braces, quotes or a bare word."""
    if i < stop and text[i] == "{":
        end = closing(text, i, "{", "}")
        return text[i + 1 : end - 1], i + 1, end
    if i < stop and text[i] == '"':
        j = i + 1
        depth = 0
        while j < stop and not (text[j] == '"' and depth == 0 and text[j - 1] != "\\"):
            depth += text[j] == "{"
            depth -= text[j] == "}"
            j += 1
        return text[i + 1 : j], i + 1, min(j + 1, stop)
    m = _WORD.match(text, i)
    return (m.group(0), i, m.end()) if m else ("", i, i + 1)


def parse_bibtex(text: str) -> list[Entry]:
    """Every entry of a .bib text; damaged entries are skipped rather than fatal."""
    entries: list[Entry] = []
    pos = 0
    while (m := _ENTRY.search(text, pos)) is not None:
        kind = m.group(1).lower()
        opener = m.group(2)
        body_end = closing(text, m.end() - 1, opener, "}" if opener == "{" else ")")
        pos = m.end()
        if kind in _SKIP_TYPES:
            pos = body_end
            continue
        key = _KEY.match(text, m.end())
        if key is None:
            continue
        entry = Entry(kind, key.group(1), key.start(1))
        i = key.end()
        while i < body_end - 1:
            name = _NAME.match(text, i)
            if name is None:
                break
            raw, start, i = _value(text, name.end(), body_end)
            while True:  # "a" # {b}: concatenated pieces
                j = i
                while j < body_end and text[j] in " \t\r\n":
                    j += 1
                if j >= body_end or text[j] != "#":
                    break
                j += 1
                while j < body_end and text[j] in " \t\r\n":
                    j += 1
                more, _, i = _value(text, j, body_end)
                raw += more
            entry.fields.setdefault(name.group(1).lower(), (raw, start))
            while i < body_end and text[i] in " \t\r\n,":
                i += 1
        entries.append(entry)
        pos = body_end
    return entries


def _clean(raw: str) -> str:
    # BibTeX wraps long values over lines; escapes such as \_ stand for the plain character.
    s = _ESCAPED.sub(r"\1", "".join(raw.split()))
    return s.replace("{", "").replace("}", "")


def entry_links(entry: Entry) -> list[tuple[int, str, str]]:
    """(offset, as written, target) of each web address an entry gives."""
    found: list[tuple[int, str, str]] = []
    for name in _URL_FIELDS:
        if name not in entry.fields:
            continue
        raw, start = entry.fields[name]
        cmd = _URL_CMD.search(raw)
        written = cmd.group(1) if cmd else raw
        target = _clean(written)
        if not target:
            continue
        if name == "doi":
            target = "https://doi.org/" + _DOI_PREFIX.sub("", target)
        elif name == "eprint":
            prefix = entry.fields.get("archiveprefix", ("", 0))[0].lower()
            if "arxiv" not in prefix:
                continue
            target = "https://arxiv.org/abs/" + target
        offset = start + (cmd.start(1) if cmd else len(raw) - len(raw.lstrip()))
        found.append((offset, written.strip(), target))
    for name in _TEXT_FIELDS:
        if name in entry.fields:
            raw, start = entry.fields[name]
            for cmd in _URL_CMD.finditer(raw):
                found.append((start + cmd.start(1), cmd.group(1), _clean(cmd.group(1))))
    return found


def read_bibtex(doc: Document, *, include_code: bool = False) -> Extraction:
    """Each entry's targets, labelled with the entry key (a bibliography's position)."""
    out = Extraction()
    document = Path(doc.path) if doc.path != "-" else None
    for entry in parse_bibtex(doc.text):
        for offset, written, target in entry_links(entry):
            t = judge(target, document=document)
            out.links.append(
                Link(
                    doc.path,
                    offset,
                    written,
                    t.url,
                    entry.key,
                    "inline",
                    t.placeholder,
                    offset + len(written),
                )
            )
    out.links.sort(key=lambda k: k.offset)
    return out
