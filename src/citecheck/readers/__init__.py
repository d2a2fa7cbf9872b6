"""Pick the reader for a document by its extension and content, and read it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from importlib import import_module
from pathlib import Path
from typing import Any

from citecheck.model import Document, Extraction
from citecheck.readers.decode import MAX_BYTES, UnreadableInput, decode, find_mojibake, read_bytes
from citecheck.readers.heading import guess_title_date
from citecheck.readers.urllist import is_url_list

__all__ = ["DOCUMENT_SUFFIXES", "UnreadableInput", "detect_format", "read_document", "walk"]

DOCUMENT_SUFFIXES = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".mkd": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".txt": "text",
    ".text": "text",
    ".docx": "docx",
    ".odt": "odt",
    ".pdf": "pdf",
    ".epub": "epub",
    ".tex": "latex",
    ".latex": "latex",
    ".ltx": "latex",
    ".bib": "bibtex",
    ".rst": "rst",
    ".rest": "rst",
    ".urls": "urllist",
    ".list": "urllist",
}
# Each reader is imported when a document needs it: a Markdown draft never loads the PDF,
# LaTeX or EPUB readers (and the command starts sooner for it).
_READERS = {
    "markdown": "markdown:read_markdown",
    "html": "html:read_html",
    "text": "text:read_text",
    "latex": "latex:read_latex",
    "bibtex": "bibtex:read_bibtex",
    "rst": "rst:read_rst",
    "urllist": "urllist:read_urllist",
}
# Formats read from their bytes, not decoded as text: each reader builds the text it shows.
_BINARY = {
    "docx": "docx:read_docx",
    "odt": "odt:read_odt",
    "pdf": "pdf:read_pdf",
    "epub": "epub:read_epub",
}


def _reader(where: str) -> Callable[..., Any]:
    module, name = where.split(":")
    reader: Callable[..., Any] = getattr(import_module(f"citecheck.readers.{module}"), name)
    return reader


_SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox"}

_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S)
_MD_SYNTAX = re.compile(
    r"\[[^\]\n]+\]\([^)\n]*\)|\[[^\]\n]+\]\[[^\]\n]*\]|^\[[^\]\n]+\]:\s|<https?://[^>\s]+>|"
    r"^#{1,6} \S|^\[\^[^\]]+\]:",
    re.M,
)


def detect_format(path: Path, data: bytes, text: str) -> str:
    """The reader a text file needs ('markdown', 'html', 'text', 'latex', 'rst', …).

    Raises UnreadableInput for kinds citecheck cannot read.
    """
    suffix = path.suffix.lower()
    fmt = DOCUMENT_SUFFIXES.get(suffix)
    if fmt == "html" or (fmt in (None, "text") and _HTML_START.match(data[:4096])):
        return "html"
    if fmt not in (None, "text"):
        return fmt
    if fmt is None and suffix not in ("", ".log"):
        raise UnreadableInput(f"is not a kind of document citecheck reads ({suffix})")
    # A .txt of nothing but URLs is a list ("# …" lines are its comments, not headings);
    # one written in Markdown is read as Markdown.
    if is_url_list(text):
        return "urllist"
    return "markdown" if _MD_SYNTAX.search(text[:200_000]) else "text"


def read_document(
    path: Path, *, include_code: bool = False, max_bytes: int = MAX_BYTES, prose: bool = True
) -> tuple[Document, Extraction]:
    """Read one file; raises UnreadableInput with a one-line reason when it cannot be used.

    `prose=False` skips collecting the text blocks that claim detection needs.
    """
    data = read_bytes(path, max_bytes)
    name = str(path)
    binary_name = _BINARY.get(DOCUMENT_SUFFIXES.get(path.suffix.lower(), ""))
    binary = _reader(binary_name) if binary_name else None
    if binary is not None:
        try:
            doc, extraction = binary(data, name, prose=prose)
        except RecursionError:
            raise UnreadableInput("is nested too deeply to read") from None
        return _finish(doc, extraction)
    text, encoding, problems = decode(data, name)
    fmt = detect_format(path, data, text)
    doc = Document(name, fmt, text, encoding=encoding, problems=problems)
    try:
        if fmt == "markdown":
            read_markdown = _reader(_READERS["markdown"])
            extraction = read_markdown(doc, include_code=include_code, prose=prose)
        else:
            extraction = _reader(_READERS[fmt])(doc, include_code=include_code)
    except RecursionError:
        raise UnreadableInput("is nested too deeply to read") from None
    return _finish(doc, extraction)


def _finish(doc: Document, extraction: Extraction) -> tuple[Document, Extraction]:
    """Title and date (guessed from the first lines when the format does not say) and mojibake."""
    if doc.format != "html" and (extraction.title is None or extraction.date is None):
        title, date = guess_title_date(doc.text)
        extraction.title = extraction.title or title
        extraction.date = extraction.date or date
    doc.title = extraction.title
    doc.date = extraction.date
    doc.problems.extend(find_mojibake(doc.text, doc.path))
    return doc, extraction


def walk(path: Path) -> Iterator[Path]:
    """Documents under a folder, in a stable order, skipping hidden and tool folders."""
    for entry in sorted(path.iterdir(), key=lambda p: p.name):
        if entry.name.startswith(".") or entry.name in _SKIP_DIRS:
            continue
        if entry.is_dir() and not entry.is_symlink():
            yield from walk(entry)
        elif entry.is_file() and entry.suffix.lower() in DOCUMENT_SUFFIXES:
            yield entry
