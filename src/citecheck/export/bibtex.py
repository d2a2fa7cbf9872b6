"""BibTeX `@misc` and BibLaTeX `@online` entries, escaped so any title compiles."""

from __future__ import annotations

import re

from citecheck.bibliography import Bibliography, Entry, Name
from citecheck.report import redact

__all__ = ["escape", "to_bibtex"]

_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIAL_RE = re.compile(r"[\\{}%&$#_~^]")
# Characters a URL may not carry raw inside a braced field: braces must balance, and a
# backslash or space would end \url's argument early. % and # stay: url fields are verbatim.
_URL_UNSAFE = re.compile(r"[{}\\\s]")
_MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()


def _latin_macro(ch: str) -> str:
    """A LaTeX macro for an accented Latin letter or typographic sign, braced; else ch."""
    if ord(ch) > 0x2FFF:
        return ch  # CJK and beyond: left for a UTF-8 engine
    from pylatexenc.latexencode import unicode_to_latex

    macro: str = unicode_to_latex(ch, non_ascii_only=True, unknown_char_policy="keep")
    if macro == ch or not macro.startswith("\\") or macro.startswith(("\\CYR", "\\cyr")):
        return ch  # Cyrillic macros need T2A fonts; UTF-8 is kinder to most set-ups
    return "{" + macro.strip() + "}"


def escape(text: str, ascii_only: bool = False) -> str:
    """`text` safe inside a braced BibTeX field: specials escaped, accents as macros."""
    out = _SPECIAL_RE.sub(lambda m: _SPECIAL[m.group(0)], text)
    out = out.replace("@", "{@}")  # a bare @ confuses older parsers scanning for entries
    if ascii_only:
        out = "".join(c if ord(c) < 128 else _latin_macro(c) for c in out)
    return out


def _url(url: str) -> str:
    return _URL_UNSAFE.sub(lambda m: f"%{ord(m.group(0)):02X}", redact(url) or "")


def _names(names: list[Name], ascii_only: bool) -> str:
    parts = []
    for name in names:
        if name.literal or not name.family:
            # Double braces: an organisation is one name, not "Office" with given "Statistics".
            parts.append("{" + escape(str(name), ascii_only) + "}")
        else:
            given = escape(name.given or "", ascii_only)
            fam = escape(name.family, ascii_only)
            parts.append(f"{fam}, {given}" if given else fam)
    return " and ".join(parts)


def _archive_note(entry: Entry) -> str | None:
    if not entry.archive_url:
        return None
    when = f" on {entry.archive_date}" if entry.archive_date else ""
    # In a note \url is an ordinary macro argument: % and # must be escaped there.
    url = _url(entry.archive_url).replace("%", "\\%").replace("#", "\\#")
    return f"Archived{when} at \\url{{{url}}}"


def _fields(entry: Entry, biblatex: bool) -> list[tuple[str, str]]:
    ascii_only = not biblatex  # BibTeX is 8-bit; biber reads UTF-8
    fields: list[tuple[str, str]] = []
    if entry.authors:
        fields.append(("author", _names(entry.authors, ascii_only)))
    if entry.title:
        fields.append(("title", escape(entry.title, ascii_only)))
    if entry.container:
        key = "organization" if biblatex else "howpublished"
        fields.append((key, escape(entry.container, ascii_only)))
    if entry.publisher:
        fields.append(("publisher", escape(entry.publisher, ascii_only)))
    if entry.date:
        if biblatex:
            fields.append(("date", entry.date))
        else:
            fields.append(("year", entry.date[:4]))
            if len(entry.date) >= 7:
                fields.append(("month", _MONTHS[int(entry.date[5:7]) - 1]))
    if entry.url:
        fields.append(("url", _url(entry.url)))
    if entry.accessed:
        fields.append(("urldate", entry.accessed))
    if entry.doi:
        fields.append(("doi", escape(entry.doi)))
    if entry.language:
        fields.append(("langid" if biblatex else "language", escape(entry.language)))
    notes = [n for n in (_archive_note(entry),) if n]
    if entry.translated_title:
        notes.append("English title: " + escape(entry.translated_title, ascii_only))
    if entry.flags:
        notes.append("citecheck: " + escape(", ".join(entry.flags)))
    if notes:
        fields.append(("note", ". ".join(notes)))
    if biblatex and entry.archive_url:
        # biblatex prints eprints as "<eprinttype>: <eprint>"; the capture is the archive copy.
        fields.append(("eprinttype", "Wayback Machine"))
        fields.append(("eprint", _url(entry.archive_url)))
    return fields


def _key(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_:.-]", "", key) or "entry"


def to_bibtex(bib: Bibliography, biblatex: bool = False) -> str:
    """Every entry as `@misc` (BibTeX) or `@online` (BibLaTeX), in the bibliography's order."""
    kind = "online" if biblatex else "misc"
    out = []
    for entry in bib.entries:
        lines = [f"@{kind}{{{_key(entry.key)},"]
        lines += [f"  {name} = {{{value}}}," for name, value in _fields(entry, biblatex)]
        lines.append("}")
        out.append("\n".join(lines))
    return "\n\n".join(out) + ("\n" if out else "")
