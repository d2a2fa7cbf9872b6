"""Judge link targets as written: normalise usable URLs, name placeholders and broken ones."""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import idna

# Reason codes for `Link.placeholder`, with the words shown to people.
REASONS: dict[str, str] = {
    "empty": "the link has no target",
    "fragment-only": "the target is a bare '#'",
    "javascript": "the target is a javascript: pseudo-link",
    "about-blank": "the target is about:blank",
    "example-domain": "the target is a reserved example domain",
    "reserved-domain": "the target is a reserved test/invalid domain",
    "loopback": "the target is localhost or a loopback address",
    "todo": "the target is a to-do marker, not an address",
    "scheme-only": "the target is a scheme with no address",
    "marker": "a [link]-style stand-in where a link should be",
    "undefined-label": "the reference label is never defined",
    "malformed": "the target is not a well-formed URL",
    "missing-file": "the linked local file does not exist",
    "missing-anchor": "no element in the page has this id",
}

_TODO_TARGET = re.compile(
    r"^[\s\[\]()<>{}_*\-.:]*"
    r"(todo|tbd|tbc|tk|xxx+|fixme|link|url|uri|href|placeholder|insert[\s_-]*link|"
    r"add[\s_-]*link|link[\s_-]*here|url[\s_-]*here|your[\s_-]*url|\.\.\.|…)"
    r"[\s\[\]()<>{}_*\-.:!?]*$",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_HOST_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
# Schemes that name a resource without a host; validated, never fetched.
_HOSTLESS = {"mailto", "tel", "sms", "urn", "data", "news", "geo", "magnet", "xmpp"}
_EXAMPLE = ("example.com", "example.net", "example.org")
_RESERVED_ENDINGS = ("example", "test", "invalid", "localhost", *_EXAMPLE)
_SPACE = re.compile(r"\s")
# The common case, an ordinary http(s) URL with an ASCII host name, judged without urlsplit.
_PLAIN_HTTP = re.compile(
    r"(https?)://((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?)"
    r"(?::(\d{1,5}))?((?:[/?#][^\s@\\]*)?)\Z",
    re.IGNORECASE,
)
_DEFAULT_PORT = {"http": 80, "https": 443}
_RESERVED_TLDS = ("example", "test", "invalid")


class Target(NamedTuple):
    """The verdict on one written target before any network access."""

    url: str | None
    placeholder: str | None = None
    internal: bool = False  # a '#id' pointing inside the same document


def _host_reason(host: str) -> str | None:
    h = host.rstrip(".").lower()
    if h[-1:].isalpha() and not h.endswith(_RESERVED_ENDINGS):
        return None  # an ordinary name: not reserved, not an IP address
    if h in _EXAMPLE or h.endswith(tuple("." + d for d in _EXAMPLE)):
        return "example-domain"
    tld = h.rsplit(".", 1)[-1]
    if tld == "example":
        return "example-domain"
    if tld in _RESERVED_TLDS:
        return "reserved-domain"
    if h == "localhost" or h.endswith(".localhost"):
        return "loopback"
    try:
        ip = ipaddress.ip_address(h.strip("[]"))
    except ValueError:
        return None
    if ip.is_loopback or ip.is_unspecified:
        return "loopback"
    return None


def _idna_host(host: str) -> str | None:
    """The ASCII form of a host name, or None when it is not a valid host."""
    h = host.rstrip(".").lower()
    if not h:
        return None
    if ":" in h or h.startswith("["):
        # urlsplit hands IPv6 hosts over without their brackets.
        try:
            ipaddress.IPv6Address(h.strip("[]"))
        except ValueError:
            return None
        return f"[{h.strip('[]')}]"
    if h.isascii():
        labels = h.split(".")
        if not all(_HOST_LABEL.match(lab) for lab in labels):
            return None
        if "xn--" in h:
            try:  # an A-label must decode to a valid U-label
                idna.decode(h)
            except idna.IDNAError:
                return None
        return h
    try:
        return idna.encode(h, uts46=True).decode("ascii")
    except idna.IDNAError:
        return None


def normalise(url: str) -> str | None:
    """Lower-case scheme and host, drop a default port; None when the URL is malformed."""
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a bad port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme in ("http", "https", "ftp", "ftps", "ws", "wss"):
        host = parts.hostname or ""
        ascii_host = _idna_host(unquote(host))
        if ascii_host is None:
            return None
        netloc = ascii_host
        if parts.username is not None:
            cred = parts.username + (":" + parts.password if parts.password is not None else "")
            netloc = cred + "@" + netloc
        default = {"http": 80, "https": 443, "ftp": 21, "ws": 80, "wss": 443}.get(scheme)
        if port is not None and port != default:
            netloc += f":{port}"
        path = parts.path or "/"
        return urlunsplit((scheme, netloc, path, parts.query, parts.fragment))
    return urlunsplit((scheme, parts.netloc, parts.path, parts.query, parts.fragment))


def judge(
    raw: str,
    *,
    base: str | None = None,
    document: Path | None = None,
    anchors: set[str] | None = None,
) -> Target:
    """Decide what a written target is.

    `base` resolves relative targets (an HTML page's `<base href>` or its own URL); without one,
    relative targets are local files resolved against `document`'s folder. `anchors` are the ids
    of the document, used to tell an internal `#id` link from a broken one.
    """
    target = raw.strip()
    if "\t" in target or "\n" in target or "\r" in target:
        # Browsers drop tabs and newlines inside URLs (a wrapped href still works).
        target = target.replace("\t", "").replace("\n", "").replace("\r", "")
    m = _PLAIN_HTTP.match(target)
    if m is not None:
        fast = _plain_http(m)
        if fast is not None:
            return fast
    if not target:
        return Target(None, "empty")
    if target == "#":
        return Target(None, "fragment-only")
    low = target.lower()
    if low.startswith("javascript:"):
        return Target(None, "javascript")
    if low.startswith("about:"):
        return Target(None, "about-blank")
    if _TODO_TARGET.match(target):
        return Target(None, "todo")
    if _SPACE.search(target) and not low.startswith(("mailto:", "data:")):
        return Target(None, "malformed")
    if target.startswith("//") and base is None:
        target = "https:" + target  # protocol-relative: what a browser on https would fetch
    if target.startswith("#") and (base is None or anchors is not None):
        if anchors is None or unquote(target[1:]) in anchors:
            return Target(target, internal=True)
        return Target(None, "missing-anchor")
    if low.startswith("www."):
        target = "http://" + target
    m = _SCHEME.match(target)
    if m is None or (len(m.group(1)) == 1 and os.name == "nt"):
        if base is not None:
            return judge(urljoin(base, target), document=document, anchors=anchors)
        return _local(target, document)
    scheme = m.group(1).lower()
    rest = target[m.end() :]
    if scheme in _HOSTLESS:
        return Target(
            target if rest.strip("/") else None, None if rest.strip("/") else "scheme-only"
        )
    if scheme == "file":
        return _local(unquote(urlsplit(target).path), None)
    if not rest.strip("/"):
        return Target(None, "scheme-only")
    if not rest.startswith("//"):
        # "http:foo" has no authority: a relative reference in theory, a typo in practice.
        return Target(None, "malformed")
    try:
        host = urlsplit(target).hostname
    except ValueError:
        return Target(None, "malformed")
    if not host:
        return Target(None, "malformed")
    url = normalise(target)
    if url is None:
        return Target(None, "malformed")
    reason = _host_reason(urlsplit(url).hostname or "")
    if reason:
        return Target(url, reason)
    return Target(url)


def _plain_http(m: re.Match[str]) -> Target | None:
    scheme, host, port, rest = m.groups()
    scheme = scheme.lower()
    host = host.lower()
    if "xn--" in host:
        return None  # A-labels need the full IDNA check of the slow path
    netloc = host
    if port is not None:
        number = int(port)
        if number > 65535:
            return None  # the slow path explains why it is malformed
        if number != _DEFAULT_PORT[scheme]:
            netloc = f"{host}:{number}"
    if not rest or rest[0] in "#?":
        rest = "/" + rest
    reason = None if not host.endswith(_RESERVED_ENDINGS) else _host_reason(host)
    return Target(f"{scheme}://{netloc}{rest}", reason)


def _local(target: str, document: Path | None) -> Target:
    """A relative or file: target: resolved against the document's folder; broken if missing."""
    path_part = target.split("#", 1)[0].split("?", 1)[0]
    if not path_part:
        return Target(target, internal=True)
    if "\x00" in path_part:
        return Target(None, "malformed")
    try:
        if document is None:
            path = Path(unquote(path_part))
        else:
            path = (document.parent / unquote(path_part)).resolve()
        uri = path.as_uri() if path.is_absolute() else None
        exists = path.exists()
    except (OSError, ValueError):  # a name too long for the file system, and the like
        return Target(None, "missing-file")
    return Target(uri) if exists else Target(uri, "missing-file")


# --- finding URLs in running text -------------------------------------------------------------

# A candidate: a scheme URL, a www. form, or a scheme with nothing after it. The lower-case
# pattern has a literal prefix, which makes it several times faster on large documents; the
# case-blind one runs only when the text has upper-case schemes at all.
_BARE = re.compile(r"(?:https?://|ftps?://|www\.)[^\s<>\"'`]*")
_BARE_ANY_CASE = re.compile(r"(?:https?://|ftps?://|www\.)[^\s<>\"'`]*", re.IGNORECASE)
_UPPER_HINTS = ("HTTP", "Http", "WWW.", "Www.", "FTP", "Ftp")
_NOT_BEFORE = frozenset("@/.:-")  # plus letters and digits: "xhttp://" is not a URL start
_TRAIL = ".,;:!?'\"*_~”’»"
_MARKER = re.compile(r"\[(?:link|url|link here|url here|insert link|citation needed)\]", re.I)


def trim_url(candidate: str) -> str:
    """Drop what ends a sentence rather than a URL, keeping balanced parentheses and brackets."""
    url = candidate
    while url:
        last = url[-1]
        if last in _TRAIL:
            url = url[:-1]
        elif last == ")" and url.count(")") > url.count("("):
            url = url[:-1]
        elif last == "]" and url.count("]") > url.count("["):
            url = url[:-1]
        elif last == ">":
            url = url[:-1]
        else:
            break
    return url


def find_bare_urls(text: str, *, markdown: bool = False) -> list[tuple[int, int, str]]:
    """`(start, end, written)` of every URL written out in plain text.

    Edges follow what a reader means: `…/Spillway_(disambiguation)` keeps its parentheses,
    a sentence's closing `.` or `)` is not part of the URL, and `http://` alone is still
    reported (it is a placeholder). With `markdown`, the destinations of `](url)` and `<url>`
    are skipped at once: the Markdown parser reports those as links of their own.
    """
    pattern = _BARE_ANY_CASE if any(h in text for h in _UPPER_HINTS) else _BARE
    found = []
    for m in pattern.finditer(text):
        start = m.start()
        if start:
            before = text[start - 1]
            if before.isalnum() or before in _NOT_BEFORE:
                continue
            if markdown and (before == "<" or (before == "(" and text[start - 2 : start] == "](")):
                continue
        raw = trim_url(m.group(0))
        if not raw or raw.lower() in ("www", "www."):
            continue
        found.append((start, start + len(raw), raw))
    return found


def find_markers(text: str) -> list[tuple[int, int, str]]:
    """`[link]`, `[URL]` and similar stand-ins left where a link should go."""
    return [(m.start(), m.end(), m.group(0)) for m in _MARKER.finditer(text)]
