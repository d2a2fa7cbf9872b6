"""Read URL lists: one address a line, `#` starts a comment, blank lines are ignored."""

from __future__ import annotations

import re
from pathlib import Path

from citecheck.model import Document, Extraction, Link
from citecheck.urls import find_bare_urls, judge

__all__ = ["is_url_list", "read_urllist"]

_COMMENT = re.compile(r"(?:^|\s)#.*$")  # a '#' inside a URL is its fragment, not a comment
_URL_LINE = re.compile(r"(?:https?://|ftps?://|www\.)\S*$", re.IGNORECASE)
# "oecd.org/report" in a list of addresses is a web address, not a file next to the list.
_BARE_HOST = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}(?:[/?#:]|$)", re.IGNORECASE)
_SAMPLE_LINES = 5000


def is_url_list(text: str) -> bool:
    """True when every line (of the first few thousand) is blank, a comment or a lone URL."""
    urls = 0
    for n, line in enumerate(text.split("\n", _SAMPLE_LINES)):
        if n >= _SAMPLE_LINES:
            break
        body = _COMMENT.sub("", line).strip()
        if not body:
            continue
        if _URL_LINE.match(body) is None:
            return False
        urls += 1
    return urls > 0


def read_urllist(doc: Document, *, include_code: bool = False) -> Extraction:
    """Each line's address, at its line; text around a URL on a line is allowed but not prose."""
    out = Extraction()
    document = Path(doc.path) if doc.path != "-" else None
    pos = 0
    for line in doc.text.split("\n"):
        start = pos
        pos += len(line) + 1
        m = _COMMENT.search(line)
        body = line[: m.start()] if m else line
        token = body.strip()
        if not token:
            continue
        if any(c.isspace() for c in token):
            # "Annual report: https://…" — only the URLs of a described line are targets.
            for s, e, raw in find_bare_urls(body):
                t = judge(raw, document=document)
                out.links.append(
                    Link(doc.path, start + s, raw, t.url, raw, "bare", t.placeholder, start + e)
                )
            continue
        lead = start + len(body) - len(body.lstrip())
        target = f"http://{token}" if _BARE_HOST.match(token) and "://" not in token else token
        t = judge(target, document=document)
        out.links.append(
            Link(doc.path, lead, token, t.url, token, "bare", t.placeholder, lead + len(token))
        )
    return out
