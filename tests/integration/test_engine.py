"""How the engine behaves on the wire: limits, spacing, retries, caps, cancel, TLS and proxies."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from email.utils import formatdate
from pathlib import Path

import pytest

from citecheck.checking import EngineOptions, check_urls
from citecheck.verdict import Check
from servers import (
    LocalServer,
    gzip_bomb,
    head_refused,
    huge_body,
    never_answers,
    page,
    proxy_server,
    rate_limited,
    redirect,
    sequence,
    status,
    tls_pair,
)

FAST = {"timeout": 2.0, "retries": 1, "retry_backoff": 0.05, "min_gap": 0.0}


def run(urls: list[str] | Iterator[str], **options: object) -> dict[str, Check]:
    results: dict[str, Check] = {}
    opts = EngineOptions(**{**FAST, **options})  # type: ignore[arg-type]
    check_urls(urls, opts, lambda c: results.__setitem__(c.url, c))
    return results


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    for name in ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)


def test_the_per_host_limit_is_never_exceeded() -> None:
    hosts = ["127.0.0.2", "127.0.0.3"]
    with LocalServer(hosts, latency=0.1) as s:
        s.route("/p/*", status(200, "ok", content_type="text/plain"))
        urls = [s.url(f"/p/{i}", host) for i in range(24) for host in hosts]
        checks = run(urls, per_host=3, concurrency=64)
    assert {c.verdict for c in checks.values()} == {"ok"}
    assert s.stats.max_in_flight == {"127.0.0.2": 3, "127.0.0.3": 3}


def test_the_per_host_limit_holds_for_redirects_from_other_hosts() -> None:
    sources = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
    with LocalServer([*sources, "127.0.0.5"], latency=0.1) as s:
        target = s.url("/landing/", "127.0.0.5")
        s.route("/from/*", redirect(target, 302))
        s.route("/landing/*", status(200, "ok", content_type="text/plain"))
        urls = [s.url(f"/from/{i}", host) for i in range(6) for host in sources]
        checks = run(urls, per_host=2, concurrency=64)
    assert {c.verdict for c in checks.values()} == {"ok"}
    assert s.stats.max_in_flight["127.0.0.5"] == 2


def test_the_global_limit_is_never_exceeded() -> None:
    hosts = [f"127.0.0.{i}" for i in range(2, 10)]
    with LocalServer(hosts, latency=0.1) as s:
        s.route("/p/*", status(200, "ok", content_type="text/plain"))
        urls = [s.url(f"/p/{i}", host) for i in range(4) for host in hosts]
        run(urls, per_host=4, concurrency=5)
    assert s.stats.max_total == 5


def test_request_starts_to_one_host_keep_their_gap() -> None:
    with LocalServer() as s:
        s.route("/p/*", status(200, "ok", content_type="text/plain"))
        run([s.url(f"/p/{i}") for i in range(10)], per_host=4, min_gap=0.1, burst=1)
    # The site's soft-404 probe starts beside the first check, and keeps the gap like the rest.
    starts = sorted(h.at for h in s.stats.hits)
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert len([h for h in s.stats.hits if "citecheck-probe" not in h.path]) == 10
    assert len(starts) == 11
    assert min(gaps) >= 0.085  # a little slack for the loopback's own scheduling


def test_an_idle_host_takes_a_burst_then_keeps_the_gap_on_average() -> None:
    with LocalServer(latency=0.05) as s:
        s.route("/p/*", status(200, "ok", content_type="text/plain"))
        run([s.url(f"/p/{i}") for i in range(12)], per_host=4, min_gap=0.1, burst=4)
    starts = sorted(h.at for h in s.stats.hits)
    assert len(starts) == 13  # and the probe
    assert starts[3] - starts[0] < 0.05  # four at once: the burst
    # Never more than the burst ahead of one start per gap: over any n starts, n - 4 gaps.
    for i, a in enumerate(starts):
        for j in range(i + 4, len(starts)):
            assert starts[j] - a >= (j - i - 3) * 0.1 - 0.015, (i, j, starts)
    assert starts[-1] - starts[0] >= 0.9 - 0.015


def test_retry_after_seconds_is_honoured() -> None:
    with LocalServer() as s:
        url = s.route("/limited", rate_limited("1"))
        started = time.monotonic()
        check = run([url])[url]
    assert check.verdict == "ok"
    hits = [h.at for h in s.stats.hits if h.path == "/limited"]
    assert len(hits) == 2 and hits[1] - hits[0] >= 0.95  # HEAD: 429, then GET: 200
    assert time.monotonic() - started < 3


def test_retry_after_as_an_http_date_is_honoured() -> None:
    with LocalServer() as s:
        # HTTP dates have whole seconds: ask for 2 s so at least 1 s remains.
        url = s.route("/limited", rate_limited(formatdate(time.time() + 2, usegmt=True)))
        check = run([url])[url]
    hits = [h.at for h in s.stats.hits if h.path == "/limited"]
    assert check.verdict == "ok" and hits[1] - hits[0] >= 0.9


def test_a_retry_after_pauses_every_request_to_the_host() -> None:
    with LocalServer() as s:
        first = s.route("/limited", rate_limited("1"))
        s.route("/later/*", status(200, "ok", content_type="text/plain"))
        later = [s.url(f"/later/{i}") for i in range(3)]
        checks = run([first, *later], per_host=1)
    assert {c.verdict for c in checks.values()} == {"ok"}
    limited_at = next(h.at for h in s.stats.hits if h.path == "/limited")
    after = [h.at for h in s.stats.hits if h.path.startswith("/later/")]
    # Those that had not started before the 429 waited for the pause.
    assert sum(at >= limited_at + 0.95 for at in after) >= 2


def test_a_retry_after_beyond_the_cap_is_not_waited_for() -> None:
    with LocalServer() as s:
        url = s.route("/limited", rate_limited("3600"))
        check = run([url], retry_after_cap=2.0)[url]
    assert check.verdict == "blocked" and check.elapsed < 1.0


def test_a_rate_limit_that_persists_is_blocked_after_the_retries() -> None:
    with LocalServer() as s:
        twice = s.route("/twice", rate_limited("0.2", times=2))
        always = s.route("/always", status(429, "slow down", retry_after="0"))
        checks = run([twice, always], retries=2)
    assert (checks[twice].verdict, checks[twice].attempts) == ("ok", 2)  # HEAD 429, GET 429, GET
    assert (checks[always].verdict, checks[always].attempts) == ("blocked", 3)
    assert checks[always].http_status == 429


def test_server_errors_are_retried_with_backoff() -> None:
    with LocalServer() as s:
        flaky = s.route("/flaky", sequence(status(503), status(503), status(503), page("Back")))
        broken = s.route("/broken", status(500, "oops"))
        checks = run([flaky, broken], retries=2, retry_backoff=0.1)
    assert (checks[flaky].verdict, checks[flaky].attempts) == ("ok", 3)
    broken_check = checks[broken]
    assert broken_check.verdict == "error" and "500" in (broken_check.error or "")
    gets = [h.at for h in s.stats.hits if h.path == "/broken" and h.method == "GET"]
    assert len(gets) == 3  # one try and two retries
    # Backoff 0.1 s * 2**n with jitter of ±50%: at least 0.05 s, then at least 0.1 s.
    assert gets[1] - gets[0] >= 0.05 and gets[2] - gets[1] >= 0.1


def test_cancel_stops_promptly_and_reports_nothing_in_flight() -> None:
    cancel = threading.Event()
    results: list[Check] = []
    with LocalServer() as s:
        s.route("/never/*", never_answers())
        s.route("/fine", page())
        urls = [s.url("/fine")] + [s.url(f"/never/{i}") for i in range(50)]
        opts = EngineOptions(timeout=30, per_host=50, min_gap=0)
        timer = threading.Timer(0.5, cancel.set)
        timer.start()
        started = time.monotonic()
        check_urls(urls, opts, results.append, cancel=cancel)
        took = time.monotonic() - started
    assert 0.5 <= took < 1.0
    assert [c.url for c in results] == [s.url("/fine")]


def test_on_result_is_called_once_per_distinct_url_as_each_is_decided() -> None:
    seen: list[str] = []
    started: list[str] = []
    with LocalServer() as s:
        s.route("/slow", sequence(never_answers()))
        s.route("/p/*", status(200, "ok", content_type="text/plain"))
        urls = [s.url("/slow")] + [s.url(f"/p/{i % 5}") for i in range(20)]
        opts = EngineOptions(**{**FAST, "timeout": 0.5})  # type: ignore[arg-type]
        check_urls(urls, opts, lambda c: seen.append(c.url), on_start=started.append)
    assert sorted(seen) == sorted(set(urls)) and sorted(started) == sorted(set(urls))
    assert seen[-1] == s.url("/slow")  # completion order, not input order


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="reads Linux's /proc")
def test_ten_thousand_urls_finish_with_bounded_memory() -> None:
    consumed = 0
    done = 0
    most_ahead = 0
    baseline = _rss()
    growth = 0

    def urls(base: str) -> Iterator[str]:
        nonlocal consumed
        for i in range(10_000):
            consumed += 1
            yield f"{base}/p/{i}"

    def on_result(check: Check) -> None:
        nonlocal done, most_ahead, growth
        assert check.verdict == "ok", check
        done += 1
        most_ahead = max(most_ahead, consumed - done)
        if done % 500 == 0:
            growth = max(growth, _rss() - baseline)

    with LocalServer(record=False) as s:
        s.route("/p/*", status(200, "ok", content_type="text/plain"))
        opts = EngineOptions(concurrency=64, per_host=64, min_gap=0, timeout=10)
        started = time.monotonic()
        check_urls(urls(s.url("").rstrip("/")), opts, on_result)
        took = time.monotonic() - started
    assert done == 10_000
    assert most_ahead <= 4 * 64 + 64  # the window plus the checks in flight
    assert growth < 50 * 2**20, f"RSS grew {growth / 2**20:.1f} MiB"
    assert took < 20


def test_a_gzip_bomb_is_inflated_only_up_to_the_cap() -> None:
    with LocalServer() as s:
        url = s.route("/bomb", head_refused(gzip_bomb(s.stats)))
        tracemalloc.start()
        try:
            check = run([url], body_cap=512 * 1024)[url]
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert check.verdict == "ok"
    assert peak < 50 * 2**20, f"peak {peak / 2**20:.1f} MiB"
    assert s.stats.sent["gzip-bomb"] < 2 * 2**20  # of the ~1 MB of compressed zeros


def test_a_huge_body_is_read_only_up_to_the_cap() -> None:
    with LocalServer() as s:
        url = s.route("/huge", head_refused(huge_body(s.stats)))
        started = time.monotonic()
        check = run([url + "#missing"], timeout=10)[url + "#missing"]
        took = time.monotonic() - started
    assert (check.verdict, check.title) == ("ok", "Huge")  # truncated: not called missing
    assert took < 2
    assert s.stats.sent["huge"] < 40 * 2**20  # of 200 MiB


def test_tls_needs_the_ca_named_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server_ctx, ca_pem = tls_pair("127.0.0.1")
    ca_file = tmp_path / "test-ca.pem"
    ca_file.write_bytes(ca_pem)
    with LocalServer(tls=server_ctx) as s:
        s.route("/secure", page("Secure"))
        url = s.url("/secure")
        assert url.startswith("https://")
        untrusted = run([url])[url]
        monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
        trusted = run([url])[url]
        monkeypatch.delenv("SSL_CERT_FILE")
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_file))
        trusted_too = run([url])[url]
    assert untrusted.verdict == "unreachable"
    assert untrusted.error is not None and untrusted.error.startswith("TLS: ")
    assert "not from a trusted authority" in untrusted.error
    assert trusted.verdict == "ok" and trusted_too.verdict == "ok"


def test_requests_go_through_the_proxy_unless_no_proxy_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with LocalServer(["127.0.0.2"]) as target, proxy_server() as proxy:
        target.route("/page", page("Behind a proxy"))
        url = target.url("/page", "127.0.0.2")
        monkeypatch.setenv("HTTP_PROXY", proxy.url(""))
        proxied = run([url])[url]
        through = len(proxy.stats.hits)
        monkeypatch.setenv("NO_PROXY", "127.0.0.2")
        direct = run([url])[url]
    assert proxied.verdict == "ok" and direct.verdict == "ok"
    assert through >= 1 and proxy.stats.hits[0].path.endswith("/page")
    assert len(proxy.stats.hits) == through  # the second run bypassed it


def test_it_runs_from_a_worker_thread() -> None:
    with LocalServer() as s:
        url = s.route("/page", page())
        with ThreadPoolExecutor(2) as pool:
            futures = [pool.submit(run, [url]) for _ in range(2)]
            checks = [f.result(10)[url] for f in futures]
    assert [c.verdict for c in checks] == ["ok", "ok"]


def test_a_callback_error_propagates_after_cleanup() -> None:
    def explode(check: Check) -> None:
        raise RuntimeError("callback failed")

    with LocalServer() as s:
        url = s.route("/page", page())
        with pytest.raises(RuntimeError, match="callback failed"):
            check_urls([url, s.url("/other")], EngineOptions(**FAST), explode)  # type: ignore[arg-type]


def test_the_test_server_serves_128_slow_requests_at_once() -> None:
    hosts = [f"127.0.0.{i}" for i in range(2, 18)]
    with LocalServer(hosts, latency=0.1) as s:
        s.route("/p/*", status(200, "ok", content_type="text/plain"))
        urls = [s.url(f"/p/{i}", h) for i in range(8) for h in hosts]
        started = time.monotonic()
        checks = run(urls, concurrency=128, per_host=8)
        took = time.monotonic() - started
    assert len(checks) == 128 and {c.verdict for c in checks.values()} == {"ok"}
    assert s.stats.max_total >= 100
    assert took < 1.0


def test_concurrency_is_lowered_to_what_the_descriptor_limit_allows() -> None:
    resource = pytest.importorskip("resource")
    from citecheck.checking.engine import SPARE_DESCRIPTORS

    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    if hard != resource.RLIM_INFINITY and hard < 256 + SPARE_DESCRIPTORS:
        pytest.skip(f"the hard limit on open files here is {hard}")
    # In a child, so this test process keeps its own limits.
    code = """
import resource
from citecheck.checking.engine import within_descriptor_limit
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (100, hard))
print(within_descriptor_limit(256), resource.getrlimit(resource.RLIMIT_NOFILE)[0])
resource.setrlimit(resource.RLIMIT_NOFILE, (100, 100))
print(within_descriptor_limit(256), resource.getrlimit(resource.RLIMIT_NOFILE)[0])
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout.split()
    # The soft limit is raised (the hard one allows it) and all 256 run at once...
    assert out[:2] == ["256", str(256 + SPARE_DESCRIPTORS)]
    # ...and where it cannot be raised, fewer run at once instead of failing.
    assert out[2:] == [str(100 - SPARE_DESCRIPTORS), "100"]
