"""Pick the reader for a document by its extension and content, and read it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from citecheck.model import Document, Extraction
from citecheck.readers.decode import MAX_BYTES, UnreadableInput, decode, find_mojibake, read_bytes
from citecheck.readers.heading import guess_title_date
from citecheck.readers.html import read_html
from citecheck.readers.markdown import read_markdown
from citecheck.readers.text import read_text

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
}
_READERS = {"markdown": read_markdown, "html": read_html, "text": read_text}
_SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", "__pycache__", ".venv", "venv", ".tox"}

_HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.I | re.S)
_MD_SYNTAX = re.compile(
    r"\[[^\]\n]+\]\([^)\n]*\)|\[[^\]\n]+\]\[[^\]\n]*\]|^\[[^\]\n]+\]:\s|<https?://[^>\s]+>|"
    r"^#{1,6} \S|^\[\^[^\]]+\]:",
    re.M,
)


def detect_format(path: Path, data: bytes, text: str) -> str:
    """'markdown', 'html' or 'text'; raises UnreadableInput for kinds citecheck cannot read."""
    suffix = path.suffix.lower()
    fmt = DOCUMENT_SUFFIXES.get(suffix)
    if fmt == "html" or (fmt != "markdown" and _HTML_START.match(data[:4096])):
        return "html"
    if fmt == "markdown":
        return "markdown"
    if fmt is None and suffix not in ("", ".log"):
        raise UnreadableInput(f"is not a kind of document citecheck reads ({suffix})")
    # A .txt (or extension-less) file written in Markdown is read as Markdown.
    return "markdown" if _MD_SYNTAX.search(text[:200_000]) else "text"


def read_document(
    path: Path, *, include_code: bool = False, max_bytes: int = MAX_BYTES, prose: bool = True
) -> tuple[Document, Extraction]:
    """Read one file; raises UnreadableInput with a one-line reason when it cannot be used.

    `prose=False` skips collecting the text blocks that claim detection needs.
    """
    data = read_bytes(path, max_bytes)
    name = str(path)
    text, encoding, problems = decode(data, name)
    fmt = detect_format(path, data, text)
    doc = Document(name, fmt, text, encoding=encoding, problems=problems)
    try:
        if fmt == "markdown":
            extraction = read_markdown(doc, include_code=include_code, prose=prose)
        else:
            extraction = _READERS[fmt](doc, include_code=include_code)
    except RecursionError:
        raise UnreadableInput("is nested too deeply to read") from None
    if fmt != "html" and (extraction.title is None or extraction.date is None):
        title, date = guess_title_date(text)
        extraction.title = extraction.title or title
        extraction.date = extraction.date or date
    doc.title = extraction.title
    doc.date = extraction.date
    doc.problems.extend(find_mojibake(text, name))
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
