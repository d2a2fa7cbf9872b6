"""Wayback lookups and Save Page Now against a local fake of the real APIs, on real sockets."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest

from citecheck.wayback import Wayback, WaybackOptions
from fake_wayback import FakeWayback, spread

PAGE = "https://example.org/report"


OPENED: list[Wayback] = []


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWayback]:
    # A developer's proxy must not see (or break) traffic to the fake.
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")
    with FakeWayback() as server:
        yield server
    while OPENED:
        OPENED.pop().close()


def client(fake: FakeWayback | None, **options: Any) -> Wayback:
    """A client of the fake (fast by default: 100 calls a second, short polls)."""
    settings: dict[str, Any] = {"rate_per_minute": 6000, "timeout": 5, "poll_interval": 0.02}
    if fake is not None:
        settings.update(base_web=fake.base_web, base_api=fake.base_api)
    settings.update(options)
    wayback = Wayback(WaybackOptions(**settings))
    OPENED.append(wayback)
    return wayback


def day(stamp: str) -> date:
    return datetime.strptime(stamp[:8], "%Y%m%d").date()


# --- lookups ---------------------------------------------------------------------------------


def test_count_first_last_closest_ignore_non_200_captures(fake: FakeWayback) -> None:
    fake.captures[PAGE] = [
        ("20150310080000", 200),
        ("20150310090000", 200),  # same day: one capture day
        ("20160101000000", 404),
        ("20170615120000", 301),
        ("20180101101010", 200),
        ("20200505050505", 200),
        ("20230101000000", 503),
    ]
    archive = client(fake).lookup(PAGE, date(2018, 3, 1))
    assert archive.error is None
    assert archive.snapshot_count == 3  # days with a good capture
    assert archive.first is not None and archive.first.timestamp == "20150310080000"
    assert archive.last is not None and archive.last.timestamp == "20200505050505"
    assert archive.closest is not None
    assert archive.closest.timestamp == "20180101101010"
    assert archive.closest.url == f"https://web.archive.org/web/20180101101010/{PAGE}"
    assert archive.closest.status == 200
    assert archive.checked_at.endswith("+00:00")
    assert fake.calls == {"cdx": 1}


def test_unarchived_url_has_no_snapshots(fake: FakeWayback) -> None:
    fake.captures["https://example.org/only-errors"] = [("20200101000000", 404)]
    wayback = client(fake)
    for url in ("https://example.org/never-seen", "https://example.org/only-errors"):
        archive = wayback.lookup(url, date(2020, 1, 1))
        assert archive.error is None
        assert archive.snapshot_count == 0
        assert archive.first is archive.last is archive.closest is None
    assert fake.calls == {"cdx": 2}


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2019, 2, 10), "20190301000000"),  # 19 days after beats 40 days before
        (date(2019, 1, 20), "20190101230000"),  # 19 days before beats 40 days after
        (date(2019, 3, 1), "20190301000000"),  # the same day
        (date(2001, 1, 1), "20190101230000"),  # before every capture: the first
        (date(2024, 1, 1), "20190601000000"),  # after every capture: the last
    ],
)
def test_as_of_picks_the_nearest_capture_on_either_side(
    fake: FakeWayback, as_of: date, expected: str
) -> None:
    fake.captures[PAGE] = [
        ("20190101230000", 200),
        ("20190301000000", 200),
        ("20190215000000", 404),
        ("20190601000000", 200),
    ]
    archive = client(fake).lookup(PAGE, as_of)
    assert archive.closest is not None and archive.closest.timestamp == expected


def test_one_small_query_per_lookup(fake: FakeWayback) -> None:
    urls = [f"https://example.org/{i}" for i in range(5)]
    for url in urls:
        fake.captures[url] = [("20200101000000", 200)]
    wayback = client(fake)
    for url in urls:
        wayback.lookup(url, date(2020, 1, 1))
    assert fake.calls == {"cdx": 5}
    asked = dict(fake.seen[0].params)
    assert asked["fl"] == "timestamp,statuscode"
    assert asked["filter"] == "statuscode:200"
    assert asked["collapse"] == "timestamp:8"
    assert asked["limit"] == "-1000"
    assert fake.seen[0].headers["User-Agent"].startswith("citecheck/")


def test_huge_history_stays_small_on_the_wire(fake: FakeWayback) -> None:
    # 50,000 captures two hours apart (2010–2021); every 3rd day of a month only 404s.
    fake.captures[PAGE] = [
        (ts, 404 if int(ts[6:8]) % 3 == 0 else 200)
        for ts, _ in spread("20100101000000", 50_000, 7200)
    ]
    good = sorted({day(ts) for ts, status in fake.captures[PAGE] if status == 200})
    everything = len(fake.cdx([("url", PAGE), ("output", "json")])[2])
    wayback = client(fake)

    recent = wayback.lookup(PAGE, date(2020, 7, 6))  # within the newest 1000 capture days
    assert recent.error is None
    assert fake.calls["cdx"] == 2  # the newest days, then the very first capture
    assert recent.first is not None and recent.first.timestamp == "20100101000000"
    assert recent.last is not None and day(recent.last.timestamp) == good[-1]
    assert recent.snapshot_count == 1000  # a lower bound for so long a history
    assert recent.closest is not None
    assert abs(day(recent.closest.timestamp) - date(2020, 7, 6)).days == 1

    old = wayback.lookup(PAGE, date(2012, 3, 6))  # older than the newest rows: one more query
    assert fake.calls["cdx"] == 5
    assert old.closest is not None
    assert abs(day(old.closest.timestamp) - date(2012, 3, 6)).days == 1

    assert sum(fake.sent.values()) < 64_000
    assert sum(fake.sent.values()) < everything / 20


# --- politeness ------------------------------------------------------------------------------


def test_429_retry_after_is_waited_out_and_slows_the_client(fake: FakeWayback) -> None:
    fake.captures[PAGE] = [("20200101000000", 200)]
    fake.fail_next(1, status=429, retry_after=1)
    wayback = client(fake, rate_per_minute=600)
    archive = wayback.lookup(PAGE, date(2020, 1, 1))
    assert archive.error is None and archive.closest is not None
    first, second = fake.times("cdx")
    assert second - first >= 0.95
    assert wayback.limiter.per_minute == pytest.approx(300)


def test_503_without_retry_after_backs_off(fake: FakeWayback) -> None:
    fake.captures[PAGE] = [("20200101000000", 200)]
    fake.fail_next(1, status=503, retry_after=None)
    archive = client(fake).lookup(PAGE, date(2020, 1, 1))
    assert archive.error is None
    first, second = fake.times("cdx")
    assert second - first >= 0.95  # one second, then two, then four


def test_endless_429_becomes_a_plain_error(fake: FakeWayback) -> None:
    fake.fail_next(100, status=429, retry_after=0)
    archive = client(fake, retries=2).lookup(PAGE, date(2020, 1, 1))
    assert archive.error is not None and "429" in archive.error
    assert fake.calls["cdx"] == 3


def test_the_limiter_spaces_calls(fake: FakeWayback) -> None:
    wayback = client(fake, rate_per_minute=600)  # one call every 0.1 s
    for i in range(5):
        wayback.lookup(f"https://example.org/{i}", date(2020, 1, 1))
    times = fake.times("cdx")
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.09
    assert times[-1] - times[0] >= 0.38


def test_the_limiter_is_shared_by_threads(fake: FakeWayback) -> None:
    wayback = client(fake, rate_per_minute=600)

    def work(n: int) -> None:
        for i in range(2):
            wayback.lookup(f"https://example.org/{n}/{i}", date(2020, 1, 1))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    times = sorted(fake.times("cdx"))
    assert len(times) == 8
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.09


def test_close_wakes_a_caller_waiting_for_its_turn(fake: FakeWayback) -> None:
    wayback = client(fake, rate_per_minute=1)
    wayback.lookup("https://example.org/a", date(2020, 1, 1))  # takes the only slot this minute
    results: list[str | None] = []
    thread = threading.Thread(
        target=lambda: results.append(wayback.lookup(PAGE, date(2020, 1, 1)).error)
    )
    thread.start()
    time.sleep(0.2)
    wayback.close()
    thread.join(2)
    assert results and results[0] is not None and "cancelled" in results[0]


# --- trouble ----------------------------------------------------------------------------------


def test_a_server_that_never_answers_times_out(fake: FakeWayback) -> None:
    fake.hang = True
    started = time.monotonic()
    archive = client(fake, timeout=0.5).lookup(PAGE, date(2020, 1, 1))
    elapsed = time.monotonic() - started
    assert archive.error is not None and "timed out" in archive.error
    assert 0.45 <= elapsed < 1.5
    assert fake.calls["cdx"] == 1  # a slow archive is not asked again


def test_an_answer_that_stalls_halfway_times_out(fake: FakeWayback) -> None:
    fake.captures[PAGE] = [("20200101000000", 200)] * 50
    fake.stall = True
    started = time.monotonic()
    archive = client(fake, timeout=0.5).lookup(PAGE, date(2020, 1, 1))
    assert archive.error is not None and "timed out" in archive.error
    assert time.monotonic() - started < 1.5


def test_a_refused_connection_is_plain_words(fake: FakeWayback) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    wayback = client(None, base_web=f"http://127.0.0.1:{port}", timeout=2)
    archive = wayback.lookup(PAGE, date(2020, 1, 1))
    assert archive.error is not None and "could not reach" in archive.error


def test_a_site_excluded_from_the_archive(fake: FakeWayback) -> None:
    fake.blocked.add(PAGE)
    archive = client(fake).lookup(PAGE, date(2020, 1, 1))
    assert archive.error is not None and "excluded" in archive.error


def test_the_environment_proxy_is_used(fake: FakeWayback, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, fake.base_web)  # the fake answers proxied requests too
    fake.captures[PAGE] = [("20200101000000", 200)]
    wayback = client(None, base_web="http://web.archive.invalid")
    archive = wayback.lookup(PAGE, date(2020, 1, 1))
    assert archive.error is None and archive.snapshot_count == 1


# --- Save Page Now -----------------------------------------------------------------------------


def test_save_with_keys_polls_until_success(fake: FakeWayback) -> None:
    fake.keys = ("a", "s")
    fake.pending_polls = 2
    wayback = client(fake, access_key="a", secret_key="s")
    outcome = wayback.save_outcome(PAGE, wait=5)
    assert outcome.state == "saved" and outcome.error is None
    assert outcome.job_id is not None and outcome.job_id.startswith("spn2-")
    snapshot = outcome.snapshot
    assert snapshot is not None and len(snapshot.timestamp) == 14
    assert snapshot.url == f"https://web.archive.org/web/{snapshot.timestamp}/{PAGE}"
    post = next(s for s in fake.seen if s.endpoint == "save")
    assert post.headers["Authorization"] == "LOW a:s"
    assert post.headers["Accept"] == "application/json"
    assert fake.calls["status"] == 3  # pending, pending, success
    archive = wayback.lookup(PAGE, date.today())
    assert archive.last is not None and archive.last.timestamp == snapshot.timestamp


def test_save_without_keys_is_anonymous(fake: FakeWayback) -> None:
    saved = client(fake).save(PAGE, wait=5)
    assert saved is not None
    post = next(s for s in fake.seen if s.endpoint == "save")
    assert "Authorization" not in post.headers


def test_save_with_wrong_keys_is_refused(fake: FakeWayback) -> None:
    fake.keys = ("a", "s")
    outcome = client(fake, access_key="a", secret_key="not-s3cret").save_outcome(PAGE, wait=5)
    assert outcome.state == "failed" and outcome.snapshot is None
    assert outcome.error is not None and "refused the keys" in outcome.error
    assert "s3cret" not in outcome.error  # the secret stays out of reports


def test_a_failed_capture_is_recorded(fake: FakeWayback) -> None:
    fake.save_errors[PAGE] = ("error:not-found", "The server answered 404 Not Found.")
    wayback = client(fake)
    outcome = wayback.save_outcome(PAGE, wait=5)
    assert outcome.state == "failed"
    assert outcome.status_ext == "error:not-found"
    assert outcome.error is not None and "404 Not Found" in outcome.error
    assert wayback.save(PAGE, wait=5) is None


def test_a_refused_request_is_recorded(fake: FakeWayback) -> None:
    fake.refusals[PAGE] = (
        "error:too-many-daily-captures",
        "This URL has been captured 10 times today.",
    )
    outcome = client(fake).save_outcome(PAGE, wait=5)
    assert outcome.state == "failed" and outcome.job_id is None
    assert outcome.status_ext == "error:too-many-daily-captures"
    assert outcome.error is not None and "10 times today" in outcome.error
    assert fake.calls == {"save": 1}


def test_a_capture_still_pending_after_wait(fake: FakeWayback) -> None:
    fake.pending_polls = 1000
    started = time.monotonic()
    outcome = client(fake).save_outcome(PAGE, wait=0.3)
    assert outcome.state == "pending" and outcome.snapshot is None
    assert outcome.job_id is not None
    assert time.monotonic() - started < 1.5


def test_save_against_a_silent_server_times_out(fake: FakeWayback) -> None:
    fake.hang = True
    outcome = client(fake, timeout=0.5).save_outcome(PAGE, wait=5)
    assert outcome.state == "failed"
    assert outcome.error is not None and "timed out" in outcome.error
