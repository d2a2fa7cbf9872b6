"""Each verdict of a live check, earned against a real local server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

import pytest

from citecheck.checking import EngineOptions, check_urls
from citecheck.verdict import Check, Redirect
from servers import (
    LocalServer,
    challenge,
    drip,
    everything,
    head_refused,
    html,
    page,
    proxy_server,
    redirect,
    reset,
    soft404,
    status,
)

FAST = {"timeout": 2.0, "retries": 1, "retry_backoff": 0.05, "min_gap": 0.0}


def run(urls: list[str], **options: object) -> dict[str, Check]:
    results: dict[str, Check] = {}
    check_urls(urls, EngineOptions(**{**FAST, **options}), lambda c: results.__setitem__(c.url, c))  # type: ignore[arg-type]
    return results


def one(url: str, **options: object) -> Check:
    return run([url], **options)[url]


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as s:
        everything(s)
        yield s


def test_ok_page_carries_its_evidence(server: LocalServer) -> None:
    check = one(server.url("/page"))
    assert check.verdict == "ok"
    assert check.http_status == 200
    assert check.final_url == server.url("/page")
    assert check.content_type is not None and check.content_type.startswith("text/html")
    assert check.redirects == [] and check.attempts == 1 and check.error is None
    assert 0 < check.elapsed < 2
    stamp = datetime.fromisoformat(check.checked_at.replace("Z", "+00:00"))
    assert stamp.utcoffset() is not None and stamp.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


@pytest.mark.parametrize(("path", "code"), [("/404", 404), ("/410", 410)])
def test_not_found_and_gone_are_dead_after_a_get(server: LocalServer, path: str, code: int) -> None:
    check = one(server.url(path))
    assert (check.verdict, check.http_status) == ("dead", code)
    assert [h.method for h in server.stats.hits if h.path == path] == ["HEAD", "GET"]
    assert check.title in ("Not Found", "Gone")


def test_permanent_redirect_is_redirected_with_its_chain(server: LocalServer) -> None:
    check = one(server.url("/moved-twice"))
    assert check.verdict == "redirected"
    assert check.redirects == [
        Redirect(302, server.url("/moved-308")),
        Redirect(308, server.url("/page")),
    ]
    assert check.final_url == server.url("/page")


def test_temporary_redirect_ending_ok_is_ok(server: LocalServer) -> None:
    check = one(server.url("/found"))
    assert check.verdict == "ok"
    assert check.redirects == [Redirect(302, server.url("/page"))]


def test_relative_location_is_resolved(server: LocalServer) -> None:
    server.route("/a/b/old", redirect("../new", 301))
    server.route("/a/new", page("New place"))
    check = one(server.url("/a/b/old"))
    assert check.verdict == "redirected"
    assert check.final_url == server.url("/a/new")


def test_redirect_loop_is_an_error(server: LocalServer) -> None:
    check = one(server.url("/loop-a"))
    assert (check.verdict, check.error) == ("error", "redirect loop")


def test_too_many_redirects_is_an_error(server: LocalServer) -> None:
    for i in range(6):
        server.route(f"/hop{i}", redirect(f"/hop{i + 1}", 302))
    server.route("/hop6", page())
    assert one(server.url("/hop0"), max_redirects=6).verdict == "ok"
    check = one(server.url("/hop0"), max_redirects=5)
    assert (check.verdict, check.error) == ("error", "more than 5 redirects")


def test_soft404_site_is_caught_by_its_title() -> None:
    with LocalServer(default=soft404()) as s:
        s.route("/real", page("Dam safety report", "<p>" + "water level data " * 50 + "</p>"))
        checks = run([s.url("/articles/removed-one"), s.url("/real")])
    assert checks[s.url("/articles/removed-one")].verdict == "soft-404"
    assert checks[s.url("/real")].verdict == "ok"


def test_soft404_site_is_caught_by_likeness_to_the_probe() -> None:
    # No "not found" words at all: every unknown path gets the same generic page.
    generic = status(200, html("Acme Water", "<p>" + "welcome to acme water services " * 30))
    with LocalServer(default=generic) as s:
        s.route("/report", page("Acme Water", "<p>" + "annual reservoir report figures " * 30))
        checks = run([s.url("/gone/page"), s.url("/report")])
    assert checks[s.url("/gone/page")].verdict == "soft-404"
    assert checks[s.url("/report")].verdict == "ok"


def test_the_probe_runs_once_per_site() -> None:
    with LocalServer(default=soft404()) as s:
        urls = [s.url(f"/missing/{i}") for i in range(20)]
        checks = run(urls)
    assert {c.verdict for c in checks.values()} == {"soft-404"}
    assert len([p for p in s.stats.paths() if p.startswith("/citecheck-probe-")]) == 1


def test_an_honest_site_costs_no_get(server: LocalServer) -> None:
    assert one(server.url("/page")).verdict == "ok"
    assert [h.method for h in server.stats.hits if h.path == "/page"] == ["HEAD"]


def test_deep_link_sent_home_is_soft404(server: LocalServer) -> None:
    check = one(server.url("/deep/article/42"))
    assert check.verdict == "soft-404"
    assert check.final_url == server.url("/")


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/401", "login"),
        ("/999", "automated"),
        ("/challenge", "Cloudflare"),
        ("/plain-403", "refused"),
        ("/cf-503", "Cloudflare"),
        ("/cf-body-only", "Cloudflare"),
        ("/always-429", "rate limited"),
    ],
)
def test_bot_walls_and_refusals_are_blocked(server: LocalServer, path: str, words: str) -> None:
    server.route("/plain-403", status(403, html("Forbidden")))
    wall = html("Just a moment...", "<script>window._cf_chl_opt={}</script>")
    server.route("/cf-503", status(503, wall, server="cloudflare", cf_ray="1"))
    server.route("/cf-body-only", challenge(with_header=False))
    server.route("/always-429", status(429, "slow down"))
    check = one(server.url(path))
    assert check.verdict == "blocked"
    assert check.error is not None and words in check.error
    if path == "/cf-503":  # a challenge is not retried: asking again cannot pass it
        assert [h.method for h in server.stats.hits if h.path == path] == ["HEAD", "GET"]


def test_cloudflare_script_on_an_ordinary_page_is_not_a_wall(server: LocalServer) -> None:
    body = '<p>Hello</p><script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script>'
    server.route("/cf-ok", head_refused(status(200, html("Hello", body), server="cloudflare")))
    assert one(server.url("/cf-ok")).verdict == "ok"


def test_a_name_that_does_not_resolve_is_dead() -> None:
    check = one("http://no-such-host.invalid/page")
    assert (check.verdict, check.error) == ("dead", "the name does not resolve")


def test_refused_connection_is_unreachable() -> None:
    check = one("http://127.0.0.1:9/")  # the discard port: nothing listens there
    assert (check.verdict, check.error) == ("unreachable", "connection refused")
    assert check.attempts == 2  # retried once


def test_reset_connection_is_unreachable(server: LocalServer) -> None:
    check = one(server.url("/reset"))
    assert (check.verdict, check.error) == ("unreachable", "the connection was reset")


def test_a_silent_server_times_out(server: LocalServer) -> None:
    check = one(server.url("/never"), timeout=0.5)
    assert check.verdict == "timeout"
    assert check.elapsed < 1.5


@pytest.mark.parametrize("raw_status_line", [True, False])
def test_a_dripping_server_is_cut_off_at_the_deadline(
    server: LocalServer, raw_status_line: bool
) -> None:
    server.route("/drip-body", drip(0.2, raw_status_line=False))
    # The body drip is only read by GET, so ask for a fragment check.
    url = server.url("/drip") if raw_status_line else server.url("/drip-body#part")
    check = one(url, timeout=1.5)
    assert check.verdict == "timeout"
    assert 1.4 < check.elapsed < 2.5


def test_mail_and_phone_links_are_validated_not_fetched() -> None:
    checks = run(
        [
            "mailto:editor@example.org",
            "mailto:not an address",
            "tel:+1-201-555-0123",
            "tel:call-me",
            "ftp://ftp.example.org/file",
            "news:comp.lang.python",
        ]
    )
    assert checks["mailto:editor@example.org"].verdict == "skipped"
    assert checks["mailto:editor@example.org"].error == "not fetched (mailto)"
    assert checks["mailto:not an address"].verdict == "invalid"
    assert checks["tel:+1-201-555-0123"].verdict == "skipped"
    assert checks["tel:call-me"].verdict == "invalid"
    assert checks["ftp://ftp.example.org/file"].verdict == "skipped"
    assert checks["news:comp.lang.python"].verdict == "skipped"


@pytest.mark.parametrize("raw", ["http://", "http://exa mple.com/", "not a url", "http://[::1/"])
def test_malformed_urls_are_invalid(raw: str) -> None:
    assert one(raw).verdict == "invalid"


def test_fragments_are_checked_in_the_page(server: LocalServer) -> None:
    body = '<h2 id="method">Method</h2><a name="old-style"></a>' + "<p>text</p>" * 10
    server.route("/doc", page("Doc", body))
    checks = run(
        [
            server.url(f"/doc#{f}")
            for f in ("method", "old-style", "missing", "!/route", ":~:text=Method")
        ]
    )
    assert checks[server.url("/doc#method")].verdict == "ok"
    assert checks[server.url("/doc#old-style")].verdict == "ok"
    missing = checks[server.url("/doc#missing")]
    assert (missing.verdict, missing.error) == ("error", "the page has no #missing anchor")
    assert missing.title == "Doc"
    assert checks[server.url("/doc#!/route")].verdict == "ok"
    assert checks[server.url("/doc#:~:text=Method")].verdict == "ok"


def test_a_fragment_past_the_body_cap_is_not_called_missing(server: LocalServer) -> None:
    server.route("/long", page("Long", "<p>" + "x" * 5000 + '</p><h2 id="end">End</h2>'))
    assert one(server.url("/long#end"), body_cap=100_000).verdict == "ok"
    assert one(server.url("/long#end"), body_cap=1_000).verdict == "ok"
    assert one(server.url("/long#nowhere"), body_cap=1_000).verdict == "ok"
    assert one(server.url("/long#nowhere"), body_cap=100_000).verdict == "error"


@pytest.mark.parametrize("code", [405, 501, 400, 403, 404])
def test_refused_head_falls_back_to_get(server: LocalServer, code: int) -> None:
    server.route("/picky", head_refused(page("Picky"), code))
    check = one(server.url("/picky"))
    assert (check.verdict, check.http_status, check.title) == ("ok", 200, "Picky")


def test_an_encoding_not_asked_for_is_judged_by_its_status(server: LocalServer) -> None:
    brotli = status(200, "\x8b\x03\x80garbage", content_encoding="br")
    server.route("/br", head_refused(brotli))
    check = one(server.url("/br"))
    assert (check.verdict, check.http_status, check.title) == ("ok", 200, None)


def test_a_head_that_breaks_the_connection_falls_back_to_get(server: LocalServer) -> None:
    async_reset = reset()

    async def handler(request):  # type: ignore[no-untyped-def]
        return await (async_reset if request.method == "HEAD" else page("Fine"))(request)

    server.route("/head-reset", handler)
    assert one(server.url("/head-reset")).verdict == "ok"


def test_a_proxy_that_cannot_reach_the_server_makes_it_unreachable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with proxy_server() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url(""))
        check = one("http://127.0.0.1:9/page", retries=0)
    assert check.verdict == "unreachable"
    assert check.error is not None and "proxy" in check.error and "502" in check.error


def test_credentials_are_used_but_never_shown(server: LocalServer) -> None:
    async def private(request):  # type: ignore[no-untyped-def]
        ok = request.headers.get("Authorization", "").startswith("Basic ")
        return await (page("Private") if ok else status(401))(request)

    server.route("/private", private)
    port = server.ports["127.0.0.1"]
    good = one(f"http://ann:s3cret@127.0.0.1:{port}/private")
    assert good.verdict == "ok"
    failures = run(
        [
            "http://ann:s3cret@127.0.0.1:9/",
            f"http://ann:s3cret@127.0.0.1:{port}/never",
            "http://ann:s3cret@no-such-host.invalid/",
        ],
        timeout=0.5,
    )
    for check in failures.values():
        assert check.error and "s3cret" not in check.error and "ann" not in check.error


def test_private_addresses_can_be_excluded(server: LocalServer) -> None:
    check = one(server.url("/page"), exclude_private=True)
    assert (check.verdict, check.error) == ("skipped", "not fetched (private address)")
    assert server.stats.hits == []
    assert one("http://localhost:9/", exclude_private=True).verdict == "skipped"


def test_words_never_leak_a_traceback(server: LocalServer) -> None:
    checks = run(
        [server.url(p) for p in ("/never", "/reset", "/loop-a")] + ["http://127.0.0.1:9/"],
        timeout=0.5,
    )
    for check in checks.values():
        assert check.error and not re.search(r"Error\b|Traceback|<", check.error)
