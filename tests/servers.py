"""Local HTTP(S) servers with misbehaving routes, for link-checker tests and benchmarks."""

from __future__ import annotations

import asyncio
import socket
import ssl
import struct
import threading
import time
import zlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(slots=True)
class Hit:
    """One request as the server saw it arrive."""

    at: float  # time.monotonic() when it arrived
    host: str  # the local address it arrived on
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Stats:
    """What a server has seen; read it after the client is done."""

    hits: list[Hit] = field(default_factory=list)
    in_flight: dict[str, int] = field(default_factory=dict)
    max_in_flight: dict[str, int] = field(default_factory=dict)
    total_in_flight: int = 0
    max_total: int = 0  # most requests in flight at once, all addresses together
    sent: dict[str, int] = field(default_factory=dict)  # body bytes written, by route name

    def paths(self, method: str | None = None) -> list[str]:
        return [h.path for h in self.hits if method is None or h.method == method]


class LocalServer:
    """An aiohttp app on its own event loop in a background thread.

    Binds each of `hosts` (127.0.0.x) on an ephemeral port, adds `latency` seconds before every
    answer, records each request (unless `record` is off), counts requests in flight per
    address, and dispatches by exact path, or by prefix for routes registered with a trailing
    `*`. Unknown paths go to `default` (a plain 404). With `tls`, it serves HTTPS.
    An asyncio server handles hundreds of slow requests at once without a thread per request.
    """

    def __init__(
        self,
        hosts: Iterable[str] = ("127.0.0.1",),
        *,
        latency: float = 0.0,
        default: Handler | None = None,
        tls: ssl.SSLContext | None = None,
        record: bool = True,
    ) -> None:
        self.hosts = list(hosts)
        self.record = record  # keep a Hit per request (off for memory measurements)
        self.latency = latency
        self.default = default or status(404, "<title>Not Found</title>")
        self.tls = tls
        self.stats = Stats()
        self.ports: dict[str, int] = {}
        self._routes: dict[str, Handler] = {}
        self._prefixes: list[tuple[str, Handler]] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    # --- routes ---------------------------------------------------------------------------

    def route(self, path: str, handler: Handler) -> str:
        """Serve `path` (a prefix when it ends in `*`) with `handler`; returns its URL."""
        if path.endswith("*"):
            self._prefixes.append((path[:-1], handler))
            return self.url(path[:-1])
        self._routes[path] = handler
        return self.url(path)

    def url(self, path: str = "/", host: str | None = None) -> str:
        host = host or self.hosts[0]
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{host}:{self.ports[host]}{path}"

    def _find(self, path: str) -> Handler:
        handler = self._routes.get(path)
        if handler is not None:
            return handler
        for prefix, handler in self._prefixes:
            if path.startswith(prefix):
                return handler
        return self.default

    @web.middleware
    async def _count(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        host = sockname[0] if sockname else "?"
        stats = self.stats
        if self.record:
            hit = Hit(
                time.monotonic(), host, request.method, request.path_qs, dict(request.headers)
            )
            stats.hits.append(hit)
        stats.in_flight[host] = now = stats.in_flight.get(host, 0) + 1
        stats.max_in_flight[host] = max(stats.max_in_flight.get(host, 0), now)
        stats.total_in_flight += 1
        stats.max_total = max(stats.max_total, stats.total_in_flight)
        try:
            if self.latency:
                await asyncio.sleep(self.latency)
            return await self._find(request.path)(request)
        finally:
            stats.in_flight[host] -= 1
            stats.total_in_flight -= 1

    # --- life cycle ------------------------------------------------------------------------

    def start(self) -> LocalServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    async def _start(self) -> None:
        app = web.Application(middlewares=[self._count], handler_args={"max_field_size": 65536})
        app.router.add_route("*", "/{tail:.*}", _unreachable)
        self._runner = web.AppRunner(
            app, handle_signals=False, access_log=None, shutdown_timeout=0.2
        )
        await self._runner.setup()
        for host in self.hosts:
            site = web.TCPSite(self._runner, host, 0, ssl_context=self.tls, backlog=1024)
            await site.start()
            server = site._server
            assert isinstance(server, asyncio.Server)
            self.ports[host] = server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _shutdown(self) -> None:
        assert self._runner is not None
        await self._runner.cleanup()
        # Handlers still sleeping (a drip to a client that left) would die with the loop.
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


async def _unreachable(request: web.Request) -> web.StreamResponse:
    raise AssertionError("the middleware answers every request")  # pragma: no cover


# --- ready-made routes ---------------------------------------------------------------------


def html(title: str, body: str = "", extra: str = "") -> str:
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body>{body}{extra}</body></html>"
    )


def page(
    title: str = "A page", body: str = "<p>Some text about reservoirs.</p>", **headers: str
) -> Handler:
    """A 200 HTML page."""
    return status(200, html(title, body), **headers)


def status(code: int, text: str = "", content_type: str = "text/html", **headers: str) -> Handler:
    """A fixed answer; header names use `_` for `-` (`retry_after="2"`)."""
    hdrs = {k.replace("_", "-"): v for k, v in headers.items()}

    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=code, text=text, content_type=content_type, headers=hdrs)

    return handler


def redirect(location: str, code: int = 301, **headers: str) -> Handler:
    return status(code, "", location=location, **headers)


def head_refused(inner: Handler, code: int = 405) -> Handler:
    """`inner` for GET; HEAD answered with `code` (405 Method Not Allowed by default)."""

    async def handler(request: web.Request) -> web.StreamResponse:
        if request.method == "HEAD":
            return web.Response(status=code)
        return await inner(request)

    return handler


def sequence(*handlers: Handler) -> Handler:
    """The n-th request gets the n-th handler; the last one answers all the rest."""
    count = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal count
        count += 1
        return await handlers[min(count, len(handlers)) - 1](request)

    return handler


def rate_limited(retry_after: str = "1", times: int = 1, then: Handler | None = None) -> Handler:
    """429 with Retry-After for the first `times` requests, then `then` (an ok page)."""
    limited = status(429, "slow down", retry_after=retry_after)
    return sequence(*([limited] * times), then or page())


def challenge(with_header: bool = True) -> Handler:
    """A Cloudflare-style 403 "Just a moment..." interstitial."""
    headers = {"server": "cloudflare", "cf_ray": "8a1b2c3d4e5f-AMS"}
    if with_header:
        headers["cf_mitigated"] = "challenge"
    body = "<div id=challenge-stage></div><script>window._cf_chl_opt={cvId:'3'};</script>"
    return status(403, html("Just a moment...", body), **headers)


def never_answers() -> Handler:
    """Accepts the request and sends nothing until the client gives up."""

    async def handler(request: web.Request) -> web.StreamResponse:
        while request.transport is not None and not request.transport.is_closing():
            await asyncio.sleep(0.05)
        return web.Response(status=204)

    return handler


def drip(interval: float = 1.0, raw_status_line: bool = True) -> Handler:
    """One byte every `interval` seconds: of the status line itself, or of the body."""
    raw = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 64\r\n\r\n" + b"x" * 64

    async def handler(request: web.Request) -> web.StreamResponse:
        transport = request.transport
        assert transport is not None
        if raw_status_line:
            for i in range(len(raw)):
                if transport.is_closing():
                    break
                transport.write(raw[i : i + 1])
                await asyncio.sleep(interval)
            transport.close()
            return web.Response()
        resp = web.StreamResponse(headers={"Content-Type": "text/html"})
        resp.content_length = 1000
        await resp.prepare(request)
        if request.method != "HEAD":
            try:
                for _ in range(1000):
                    await resp.write(b"x")
                    await asyncio.sleep(interval)
            except (ConnectionError, aiohttp.ClientConnectionResetError):
                pass
        return resp

    return handler


def reset() -> Handler:
    """Closes the connection with a TCP reset instead of answering."""

    async def handler(request: web.Request) -> web.StreamResponse:
        transport = request.transport
        assert transport is not None
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
        return web.Response()

    return handler


def streamed(
    stats: Stats,
    name: str,
    chunks: Callable[[], Iterable[bytes]],
    headers: dict[str, str],
    length: int | None = None,
) -> Handler:
    """Write `chunks()` until done or the client leaves, counting body bytes sent."""

    async def handler(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers=headers)
        if length is not None:
            resp.content_length = length
        await resp.prepare(request)
        if request.method == "HEAD":
            return resp
        stats.sent[name] = 0
        try:
            for chunk in chunks():
                await resp.write(chunk)
                stats.sent[name] += len(chunk)
        except (ConnectionError, aiohttp.ClientConnectionResetError):
            pass
        return resp

    return handler


def gzip_bomb(stats: Stats, size: int = 1 << 30) -> Handler:
    """`size` bytes of zeros (1 GiB: about 1 MB on the wire), gzipped as it is sent."""

    def chunks() -> Iterable[bytes]:
        zeros = bytes(1 << 20)
        z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        for _ in range(size >> 20):
            out = z.compress(zeros)
            if out:
                yield out
        yield z.flush()

    headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
    return streamed(stats, "gzip-bomb", chunks, headers)


def huge_body(stats: Stats, size: int = 200 << 20) -> Handler:
    """A `size`-byte HTML page (200 MiB by default), generated as it is sent."""

    def chunks() -> Iterable[bytes]:
        block = (b"<p>" + b"filler " * 9000 + b"</p>\n")[: 1 << 16]
        yield b"<html><head><title>Huge</title></head><body>"
        for _ in range(size >> 16):
            yield block

    return streamed(stats, "huge", chunks, {"Content-Type": "text/html"})


def everything(server: LocalServer) -> dict[str, str]:
    """Register the standard misbehaviours on `server`; returns their URLs by name."""
    s = server
    routes: dict[str, Handler] = {
        "/": page("Home", "<h1>Welcome</h1><p>Latest news about reservoirs.</p>"),
        "/page": page("Reservoir levels"),
        "/404": status(404, html("Not Found")),
        "/410": status(410, html("Gone")),
        "/moved": redirect("/page", 301),
        "/moved-twice": redirect("/moved-308", 302),
        "/moved-308": redirect("/page", 308),
        "/found": redirect("/page", 302),
        "/loop-a": redirect("/loop-b", 302),
        "/loop-b": redirect("/loop-a", 302),
        "/never": never_answers(),
        "/drip": drip(),
        "/reset": reset(),
        "/head-405": head_refused(page("Refuses HEAD")),
        "/429": rate_limited("1"),
        "/challenge": challenge(),
        "/deep/article/42": redirect("/", 301),
        "/gzip-bomb": head_refused(gzip_bomb(s.stats)),
        "/huge": head_refused(huge_body(s.stats)),
        "/999": status(999, ""),
        "/401": status(401, html("Login"), www_authenticate='Basic realm="x"'),
    }
    return {path.strip("/"): s.route(path, handler) for path, handler in routes.items()}


def soft404(
    title: str = "Page not found", text: str = "Sorry, we could not find that page."
) -> Handler:
    """What a soft-404 site answers for every unknown path: 200 and a "not found" page."""
    return status(200, html(title, f"<h1>{title}</h1><p>{text}</p>"))


_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "proxy-connection",
}


def forward(stats: Stats) -> Handler:
    """A plain-HTTP forward proxy: requests arrive in absolute form and are sent on.

    Use as the `default` of a LocalServer set as HTTP_PROXY. A target that cannot be reached
    gets a 502, as real proxies answer.
    """

    async def handler(request: web.Request) -> web.StreamResponse:
        stats.sent["proxied"] = stats.sent.get("proxied", 0) + 1
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        try:
            async with aiohttp.ClientSession(trust_env=False, auto_decompress=False) as session:
                async with session.request(
                    request.method, request.url, headers=headers, allow_redirects=False
                ) as resp:
                    body = await resp.read()
                    out = {k: v for k, v in resp.headers.items() if k.lower() not in _HOP_BY_HOP}
                    return web.Response(status=resp.status, body=body, headers=out)
        except aiohttp.ClientError:
            return web.Response(status=502, text="bad gateway")

    return handler


def proxy_server(host: str = "127.0.0.1") -> LocalServer:
    """A LocalServer (not started) that forwards every request: set its url("") as HTTP_PROXY."""
    server = LocalServer([host])
    server.default = forward(server.stats)
    return server


def tls_pair(host: str = "127.0.0.1") -> tuple[ssl.SSLContext, bytes]:
    """A server TLS context for `host`, signed by a fresh test CA, and that CA in PEM."""
    import trustme

    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(host).configure_cert(server_ctx)
    return server_ctx, ca.cert_pem.bytes()
