"""One HTTP request under a wall-clock deadline, its body capped after decompression."""

from __future__ import annotations

import asyncio
import errno
import functools
import ipaddress
import os
import re
import socket
import ssl
import zlib
from dataclasses import dataclass

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.helpers import get_env_proxy_for_url
from multidict import CIMultiDictProxy
from yarl import URL

from citecheck.checking.pages import is_html
from citecheck.verdict import DEAD, ERROR, INVALID, SKIPPED, TIMEOUT, UNREACHABLE

_CHUNK = 64 * 1024
_CREDENTIALS = re.compile(r"(//)[^/@\s]*@")


class Failure(Exception):
    """A request that ended without an HTTP answer, said in plain words."""

    def __init__(self, verdict: str, words: str, retryable: bool = False) -> None:
        super().__init__(words)
        self.verdict = verdict
        self.words = words
        self.retryable = retryable
        self.url: URL | None = None  # the hop that failed, when known


@dataclass(slots=True)
class Reply:
    """An HTTP answer, with as much of its decoded body as was read."""

    status: int
    url: URL
    headers: CIMultiDictProxy[str]
    body: bytes | None = None  # decompressed, at most the cap; None when not read
    complete: bool = False  # the whole body was read

    @property
    def content_type(self) -> str | None:
        return self.headers.get("Content-Type")


def redact(text: str) -> str:
    """Text with any `user:password@` of a URL removed."""
    return _CREDENTIALS.sub(r"\1", text)


def ssl_context() -> tuple[ssl.SSLContext, str | None]:
    """The TLS context, and what went wrong loading a CA file named in the environment.

    REQUESTS_CA_BUNDLE (as requests does) or SSL_CERT_FILE replaces the trusted roots, which is
    how corporate proxies and test CAs are configured; otherwise the system store plus
    certifi's, since frozen apps and some systems ship no usable system store.
    """
    for name in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
        cafile = os.environ.get(name)
        if cafile:
            try:
                return ssl.create_default_context(cafile=cafile), None
            except (OSError, ssl.SSLError):
                problem = f"TLS: the CA file named by {name} cannot be read"
                return ssl.create_default_context(), problem
    context = ssl.create_default_context()
    try:
        import certifi

        context.load_verify_locations(certifi.where())
    except (ImportError, OSError, ssl.SSLError):
        pass  # the system store alone
    return context, None


def is_private(host: str) -> bool:
    """True for loopback, link-local, private and unspecified addresses."""
    try:
        ip = ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return False
    return ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_unspecified


class PrivateAddress(OSError):
    """A name that resolves to an address the user asked not to fetch."""


class PublicOnlyResolver(AbstractResolver):
    """The default resolver, refusing names that resolve to private addresses."""

    def __init__(self) -> None:
        self._inner = aiohttp.DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        if any(is_private(r["host"]) for r in found):
            raise PrivateAddress(errno.EACCES, "private address")
        return found

    async def close(self) -> None:
        await self._inner.close()


class PinnedResolver(AbstractResolver):
    """Answers pinned "host:port" names from a fixed table (curl's --resolve), others as usual."""

    def __init__(self, pins: dict[str, tuple[str, int]], inner: AbstractResolver) -> None:
        self._pins = {k.lower(): v for k, v in pins.items()}
        self._inner = inner

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        pinned = self._pins.get(f"{host.lower()}:{port}")
        if pinned is None:
            return await self._inner.resolve(host, port, family)
        address, to_port = pinned
        return [
            {
                "hostname": host,
                "host": address,
                "port": to_port,
                "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        await self._inner.close()


_ENCODINGS = ("", "identity", "gzip", "x-gzip", "deflate")


class _Decoder:
    """Incremental Content-Encoding decoder whose output never exceeds what is asked for."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding.strip().lower()
        if self.encoding in ("", "identity"):
            self._wbits: int | None = None
        elif self.encoding in ("gzip", "x-gzip"):
            self._wbits = 16 + zlib.MAX_WBITS
        elif self.encoding == "deflate":
            self._wbits = 32 + zlib.MAX_WBITS  # zlib-wrapped; raw deflate is tried on error
        else:
            raise ValueError(f"unsupported Content-Encoding {encoding!r}")
        self._d = zlib.decompressobj(self._wbits) if self._wbits is not None else None
        self._started = False

    def feed(self, data: bytes, room: int) -> tuple[bytes, bool]:
        """Up to `room` decoded bytes, and whether more output is pending past them."""
        if self._d is None:
            return data[:room], len(data) > room
        out = bytearray()
        while data and len(out) < room:
            try:
                out += self._d.decompress(data, room - len(out))
            except zlib.error as exc:
                if self._started or self.encoding != "deflate":
                    raise Failure(ERROR, "the page's compressed data is corrupt") from exc
                self._d = zlib.decompressobj(-zlib.MAX_WBITS)  # servers that send raw deflate
                continue
            self._started = True
            if self._d.unconsumed_tail:
                return bytes(out), True
            data = self._d.unused_data
            if self._d.eof and data:  # another gzip member follows
                self._d = zlib.decompressobj(self._wbits or 16 + zlib.MAX_WBITS)
            else:
                break
        return bytes(out), len(out) >= room


async def _read_capped(resp: aiohttp.ClientResponse, cap: int) -> tuple[bytes, bool]:
    """At most `cap` decoded bytes; compressed input is read and inflated chunk by chunk."""
    decoder = _Decoder(resp.headers.get("Content-Encoding", ""))
    body = bytearray()
    try:
        async for chunk in resp.content.iter_chunked(_CHUNK):
            out, more = decoder.feed(chunk, cap - len(body))
            body += out
            if more or len(body) >= cap:
                return bytes(body), False
    except aiohttp.ClientPayloadError:
        return bytes(body), False  # a broken transfer: judge what arrived
    return bytes(body), True


async def fetch_once(
    session: aiohttp.ClientSession,
    method: str,
    url: URL,
    *,
    headers: dict[str, str],
    timeout: float,
    body_cap: int,
    read_body: bool,
) -> Reply:
    """Send one request and read its answer within `timeout` seconds, or raise Failure."""
    proxy, proxy_auth = _env_proxy(url.scheme, url.host or "")
    try:
        async with asyncio.timeout(timeout):
            async with session.request(
                method,
                url,
                headers=headers,
                allow_redirects=False,
                proxy=proxy,
                proxy_auth=proxy_auth,
            ) as resp:
                reply = Reply(resp.status, url, resp.headers)
                # Only pages are read (and error pages, for bot walls), in an encoding we
                # asked for; a server sending br or zstd unasked is judged by its status.
                encoding = resp.headers.get("Content-Encoding", "").strip().lower()
                wanted = (is_html(reply.content_type) or resp.status >= 400) and (
                    encoding in _ENCODINGS
                )
                if read_body and method == "GET" and wanted and not _is_redirect(resp.status):
                    reply.body, reply.complete = await _read_capped(resp, body_cap)
                return reply
    except TimeoutError as exc:
        raise Failure(TIMEOUT, f"no complete answer within {timeout:g} s") from exc
    except (aiohttp.ClientError, OSError, ValueError) as exc:
        raise failure_from(exc) from exc


@functools.lru_cache(maxsize=4096)
def _env_proxy(scheme: str, host: str) -> tuple[URL | None, aiohttp.BasicAuth | None]:
    """HTTP(S)_PROXY and NO_PROXY for one host, looked up once per run and host.

    aiohttp's trust_env does the same lookup, and a netrc read, on a worker thread for every
    request: two thread hops per request, a quarter of the engine's time on fast sites.
    """
    try:
        return get_env_proxy_for_url(URL.build(scheme=scheme, host=host))
    except (LookupError, ValueError):
        return None, None


def _is_redirect(status: int) -> bool:
    return status in (301, 302, 303, 307, 308)


_REFUSED = {
    errno.ECONNREFUSED: "connection refused",
    errno.ECONNRESET: "the connection was reset",
    errno.ENETUNREACH: "the network is unreachable",
    errno.EHOSTUNREACH: "no route to the host",
    errno.ECONNABORTED: "the connection was aborted",
    errno.EPIPE: "the connection was closed while sending",
}
_TLS_WORDS = (
    ("certificate has expired", "the certificate has expired"),
    ("hostname mismatch", "the certificate is for another name"),
    ("ip address mismatch", "the certificate is for another address"),
    ("self-signed", "the certificate is not from a trusted authority"),
    ("unable to get local issuer", "the certificate is not from a trusted authority"),
    ("not yet valid", "the certificate is not valid yet"),
)


def _tls_words(err: BaseException) -> str:
    detail = getattr(err, "verify_message", None) or getattr(err, "reason", None) or str(err)
    detail = str(detail)
    for cue, words in _TLS_WORDS:
        if cue in detail.lower():
            return f"TLS: {words} ({detail})"
    return f"TLS: {detail.lower().replace('_', ' ')}"


def failure_from(exc: BaseException) -> Failure:
    """The verdict and plain words for a failed request; retryable when trying again may help."""
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        if isinstance(exc.os_error, PrivateAddress):
            return Failure(SKIPPED, "not fetched (private address)")
        if getattr(exc.os_error, "errno", None) == socket.EAI_AGAIN:
            return Failure(UNREACHABLE, "the name server did not answer", retryable=True)
        return Failure(DEAD, "the name does not resolve")
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return Failure(UNREACHABLE, _tls_words(exc.certificate_error))
    if isinstance(exc, aiohttp.ClientSSLError | ssl.SSLError):
        inner = getattr(exc, "os_error", exc)
        return Failure(UNREACHABLE, _tls_words(inner))
    if isinstance(exc, aiohttp.ClientProxyConnectionError):
        return Failure(UNREACHABLE, "the proxy could not be reached", retryable=True)
    if isinstance(exc, aiohttp.ClientHttpProxyError):
        return Failure(UNREACHABLE, f"the proxy refused the connection (HTTP {exc.status})")
    if isinstance(exc, aiohttp.ClientConnectorError):
        words = _REFUSED.get(exc.errno or 0, "the connection failed")
        return Failure(UNREACHABLE, words, retryable=True)
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return Failure(UNREACHABLE, "the server closed the connection without answering", True)
    if isinstance(exc, ConnectionResetError):
        return Failure(UNREACHABLE, "the connection was reset", retryable=True)
    if isinstance(exc, aiohttp.ClientPayloadError):
        return Failure(UNREACHABLE, "the connection broke while the page was sent", True)
    if isinstance(exc, aiohttp.InvalidURL | ValueError):
        return Failure(INVALID, "not a URL that can be fetched")
    if isinstance(exc, aiohttp.ClientResponseError):
        return Failure(ERROR, "the server's answer is not valid HTTP")
    if isinstance(exc, OSError):
        words = _REFUSED.get(exc.errno or 0) or (exc.strerror or "network error").lower()
        return Failure(UNREACHABLE, words, retryable=True)
    return Failure(ERROR, redact(f"{type(exc).__name__}: {exc}"))
