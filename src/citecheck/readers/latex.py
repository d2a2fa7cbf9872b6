"""Read LaTeX: `\\url`, `\\href`, bare URLs, footnotes, `\\cite` keys looked up in .bib files."""

from __future__ import annotations

import re
from pathlib import Path

from citecheck.model import Document, Extraction, FootnoteRef, Link
from citecheck.positions import Spans
from citecheck.readers.bibtex import closing, entry_links, parse_bibtex
from citecheck.readers.decode import UnreadableInput, decode, read_bytes
from citecheck.readers.extracted import without_spans
from citecheck.readers.text import bare_links
from citecheck.urls import judge

__all__ = ["read_latex"]

MAX_BIB_FILES = 20
_COMMENT = re.compile(r"(?<!\\)%.*$", re.MULTILINE)
_VERBATIM = re.compile(
    r"\\begin\{(verbatim|lstlisting|minted|Verbatim|comment)\*?\}.*?(?:\\end\{\1\*?\}|\Z)", re.S
)
_URL = re.compile(r"\\(url|href|nolinkurl)\s*\{")
_CITE = re.compile(r"\\(?:[a-zA-Z]*cite[a-zA-Z]*|cite)\*?\s*(?:\[[^\]]*\]\s*){0,2}\{([^{}]*)\}")
_BIB = re.compile(r"\\(bibliography|addbibresource|addglobalbib)\s*(?:\[[^\]]*\])?\s*\{([^{}]*)\}")
_FOOTNOTE = re.compile(r"\\footnote\s*(?:\[[^\]]*\])?\s*\{")
_TITLE = re.compile(r"\\title\s*(?:\[[^\]]*\])?\s*\{")
_COMMAND = re.compile(r"\\(?:[A-Za-z@]+\*?|.)|[{}~]")
_ESCAPE = re.compile(r"\\[%&$#_{}]")
_NON_PROSE = re.compile(
    r"\\(?:label|ref|eqref|pageref|cref|Cref|autoref|input|include|includegraphics|"
    r"bibliographystyle|bibliography|addbibresource|usepackage|documentclass|begin|end)"
    r"\s*(?:\[[^\]]*\])?\s*\{[^{}]*\}"
)


def _bib_targets(doc: Document, text: str) -> dict[str, tuple[str, str]] | None:
    """key -> (as written, target) from the .bib files the document names; None when none."""
    if doc.path == "-":
        return None
    folder = Path(doc.path).resolve().parent
    names = [
        n.strip()
        + (".bib" if m.group(1) == "bibliography" and not n.strip().endswith(".bib") else "")
        for m in _BIB.finditer(text)
        for n in m.group(2).split(",")
        if n.strip()
    ]
    if not names:
        return None
    targets: dict[str, tuple[str, str]] = {}
    for name in names[:MAX_BIB_FILES]:
        path = (folder / name).resolve()
        # Only bibliography files are read: "\bibliography{/etc/passwd}" names nothing usable.
        if path.suffix.lower() != ".bib":
            continue
        try:
            bib, _, _ = decode(read_bytes(path), str(path))
        except UnreadableInput:
            continue
        for entry in parse_bibtex(bib):
            found = entry_links(entry)
            if found:
                targets.setdefault(entry.key, found[0][1:])
            else:
                targets.setdefault(entry.key, ("", ""))
    return targets


def read_latex(doc: Document, *, include_code: bool = False) -> Extraction:
    """Links where they are written; a `\\cite{key}` becomes a link to that entry's URL or DOI."""
    text = doc.text
    document = Path(doc.path) if doc.path != "-" else None
    out = Extraction()
    drop: list[tuple[int, int]] = [(m.start(), m.end()) for m in _COMMENT.finditer(text)]
    code = [(m.start(), m.end()) for m in _VERBATIM.finditer(text)]
    begin = text.find("\\begin{document}")
    if begin > 0:
        drop.append((0, begin))  # the preamble is set-up, not prose
    hidden = Spans(drop + code)
    in_code = Spans(code)

    taken: list[tuple[int, int]] = []
    for m in _URL.finditer(text):
        if m.start() in hidden:
            continue
        arg_end = closing(text, m.end() - 1, "{", "}")
        target = text[m.end() : arg_end - 1]
        end, label = arg_end, target
        if m.group(1) == "href" and text[arg_end : arg_end + 1] == "{":
            end = closing(text, arg_end, "{", "}")
            label = " ".join(_COMMAND.sub("", text[arg_end + 1 : end - 1]).split())
        t = judge(re.sub(r"\\([%#&_~])", r"\1", target.strip()), document=document)
        kind = "inline" if m.group(1) == "href" else "autolink"
        out.links.append(Link(doc.path, m.start(), target, t.url, label, kind, t.placeholder, end))
        taken.append((m.start(), end))
        drop.append((m.start(), m.end() + len(target) + (1 if kind == "autolink" else 0)))
    commands = Spans(taken)
    out.links.extend(
        bare_links(
            doc.path,
            text,
            document,
            skip=lambda s: s in commands or (s in hidden and s not in in_code),
            code=in_code,
            include_code=include_code,
        )
    )
    _cites(doc, text, out, drop, hidden, document)
    _footnotes(text, out, drop, hidden)
    drop.extend(code)
    drop.extend((m.start(), m.end()) for m in _NON_PROSE.finditer(text))
    drop.extend((m.start(), m.start() + 1) for m in _ESCAPE.finditer(text))
    drop.extend(
        (m.start(), m.end()) for m in _COMMAND.finditer(text) if not _ESCAPE.match(m.group(0))
    )
    out.blocks = without_spans(text, drop)
    if (found := _TITLE.search(text)) is not None:
        end = closing(text, found.end() - 1, "{", "}")
        title = re.sub(r"\\([%&$#_])", r"\1", text[found.end() : end - 1])
        out.title = " ".join(_COMMAND.sub(" ", title).split()) or None
    out.links.sort(key=lambda k: k.offset)
    return out


def _cites(
    doc: Document,
    text: str,
    out: Extraction,
    drop: list[tuple[int, int]],
    hidden: Spans,
    document: Path | None,
) -> None:
    targets = _bib_targets(doc, text)
    for m in _CITE.finditer(text):
        if m.start() in hidden:
            continue
        drop.append((m.start(), m.end()))
        if m.group(0).startswith("\\nocite"):
            continue
        pos = m.start(1)
        for key in m.group(1).split(","):
            start = pos + len(key) - len(key.lstrip())
            pos += len(key) + 1
            key = key.strip()
            if not key or targets is None:
                continue
            written, target = targets.get(key, (None, ""))
            if written is None:
                out.links.append(
                    Link(doc.path, start, "", None, key, "reference", "undefined-label",
                         start + len(key))
                )  # fmt: skip
            elif target:
                t = judge(target, document=document)
                out.links.append(
                    Link(doc.path, start, written, t.url, key, "reference", t.placeholder,
                         start + len(key))
                )  # fmt: skip


def _footnotes(text: str, out: Extraction, drop: list[tuple[int, int]], hidden: Spans) -> None:
    """`\\footnote{…}`: a marker tied to its own text, which is kept out of the sentence."""
    n = 0
    for m in _FOOTNOTE.finditer(text):
        if m.start() in hidden:
            continue
        n += 1
        end = closing(text, m.end() - 1, "{", "}")
        out.footnote_refs.append(FootnoteRef(str(n), m.start()))
        out.footnote_defs[str(n)] = (m.end(), end - 1)
        drop.append((m.start(), end))
