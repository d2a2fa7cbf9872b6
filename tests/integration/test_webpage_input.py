"""`citecheck scan https://…`: a page fetched by the engine, read for its main content only."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
import trustme

from citecheck.checking import USER_AGENT, EngineOptions
from citecheck.cli import build_parser
from citecheck.model import Inventory
from citecheck.readers.decode import MAX_BYTES
from citecheck.report import schema
from citecheck.scan import scan
from servers import LocalServer, gzip_bomb, huge_body, redirect, status

HOST = "news.citecheck-test.org"
ARTICLE_URL = f"http://{HOST}/article"

# Built like ../shared/corpus/belarus-it-sector-scrape.txt: an article with a few sourced
# claims, inside a site's header, navigation, sidebar and a footer of unrelated headlines.
ARTICLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>The End of Peaceful Coexistence | Bonum News</title>
<meta name="date" content="2021-03-08"></head>
<body>
<header><a href="/">Bonum News home</a> <a href="/login">Log in</a></header>
<nav><ul><li><a href="/section/world">World</a></li><li><a href="/section/tech">Technology</a>
</li><li><a href="/section/sport">Sport</a></li></ul></nav>
<main><article>
<h1>From Belarus With Love: The End of Peaceful Coexistence</h1>
<p>For many years, there was a tacit unwritten contract between the regime and the burgeoning
IT sector: "We do not touch you, and you do not meddle in politics".</p>
<p>However, this agreement fell apart in 2020 as the IT sector began to play a key role in the
protests. According to <a href="https://www.reuters.com/article/belarus-it-exodus">Reuters</a>,
more than 2,000 IT workers signed an open letter calling for new elections.</p>
<p>Official results gave the incumbent 80.1% of the vote, a figure that independent observers
at <a href="https://golos2020.org/report">Golos</a> disputed after counting photographs of
ballots from 1,310 polling stations.</p>
<p>By the end of the year, at least 40 chief executives of technology companies had moved their
staff abroad, <a href="/2020/12/ceo-exodus">as we reported in December</a> (see
<a href="#method">how we counted</a>).</p>
<p>The sector's share of GDP grew from 5.5% in 2019 to 6.3% in 2020, according to the national
statistics committee, despite the unrest.</p>
<h2 id="method">How we counted</h2>
<p>We compared the company registers of 2019 and 2020 that the committee publishes as
<a href="../data/registers">open data</a>, and asked every company that left for a comment.</p>
</article></main>
<aside class="sidebar"><h3>Most read</h3><ul>
<li><a href="/2025/03/ibm-layoffs">IBM layoffs of 4,000 staff are getting too large to evade
WARN Notices</a></li>
<li><a href="/2025/03/stallman-keynote">Stallman's keynote in Kerala finally uploaded</a></li>
</ul></aside>
<div class="recent-headlines"><h3>Recent headlines</h3><ul>
<li><a href="/2025/03/islands">Islands Are Leaving Microsoft Behind</a>
<p>Android has had a very strong year, with 45% of the market according to statCounter</p></li>
<li><a href="/2025/03/epo-women">EPO Management Fails to Deny That the Office Discriminates</a>
<p>Europe's second-largest institution is exceedingly corrupt</p></li>
<li><a href="/2025/03/vista-11">In Some Countries the Market Share of Vista 11 is Going Down</a>
<p>despite being released in 2021, it fell by 3% in a single month</p></li>
<li><a href="/2025/03/ibm-canada">Rumour: Mass Layoffs in IBM Canada Today</a>
<p>Maybe later today some people from Canada will say something firmer</p></li>
</ul></div>
<footer><p>Copyright 2025 Bonum News. <a href="/privacy">Privacy</a></p></footer>
</body></html>"""

MIRROR_BASE = (
    '<head><base href="https://mirror.example.org/news/2021/">'
    '<link rel="canonical" href="https://mirror.example.org/news/2021/article">'
)
LOGO_ONLY = '<html><body><div><img src="/logo.png" alt=""></div></body></html>'
ARTICLE_LINKS = {
    "https://www.reuters.com/article/belarus-it-exodus",
    "https://golos2020.org/report",
    f"http://{HOST}/2020/12/ceo-exodus",
    "#method",  # an in-page link: its target is in the page, though not in the main content
    f"http://{HOST}/data/registers",  # relative links resolve against the page's address
}
CHROME_PATHS = (
    "/login",
    "/section/world",
    "/2025/03/ibm-layoffs",
    "/2025/03/islands",
    "/2025/03/vista-11",
    "/privacy",
)


@pytest.fixture(scope="module")
def news() -> Iterator[LocalServer]:
    with LocalServer() as server:
        server.route("/article", status(200, ARTICLE, content_type="text/html", charset="utf-8"))
        server.route("/old-article", redirect("/article"))
        server.route("/logo-only", status(200, LOGO_ONLY))
        server.route("/mirrored", status(200, ARTICLE.replace("<head>", MIRROR_BASE)))
        server.route("/report.pdf", status(200, "%PDF-1.7", content_type="application/pdf"))
        server.route("/gzip-bomb", gzip_bomb(server.stats))
        server.route("/huge", huge_body(server.stats))
        yield server


@pytest.fixture(scope="module")
def pins(news: LocalServer) -> dict[str, tuple[str, int]]:
    return {f"{HOST}:80": ("127.0.0.1", news.ports["127.0.0.1"])}


def _scan(
    pins: dict[str, tuple[str, int]],
    *paths: str | Path,
    whole_page: bool = False,
    max_bytes: int = MAX_BYTES,
) -> Inventory:
    options = EngineOptions(resolve=pins, timeout=5)
    return scan(list(paths), engine=options, whole_page=whole_page, max_bytes=max_bytes)


def _urls(inv: Inventory) -> set[str]:
    return {link.url or "" for link in inv.links}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "citecheck.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _resolve_flag(pins: dict[str, tuple[str, int]]) -> list[str]:
    (name, (address, port)), *_ = pins.items()
    return ["--resolve", f"{name}:{address}:{port}"]


def test_main_content_leaves_out_navigation_sidebar_and_footer(
    news: LocalServer, pins: dict[str, tuple[str, int]]
) -> None:
    inv = _scan(pins, ARTICLE_URL)
    assert not inv.errors
    (doc,) = inv.documents
    assert doc.path == ARTICLE_URL and doc.format == "html"
    assert doc.title == "From Belarus With Love: The End of Peaceful Coexistence"
    assert doc.date == "2021-03-08"
    assert _urls(inv) == ARTICLE_LINKS
    assert all(k.placeholder is None for k in inv.links)
    texts = [c.text for c in inv.claims]
    assert any("2,000 IT workers" in t for t in texts)
    assert any("80.1% of the vote" in t for t in texts)
    for unrelated in ("45% of the market", "4,000 staff", "3% in a single month"):
        assert not any(unrelated in t for t in texts), unrelated
    # Claims cite the article's own links.
    cited = {c.text.split(",")[0]: c.citations for c in inv.claims if c.citations}
    reuters = next(k.id for k in inv.links if "reuters" in (k.url or ""))
    assert any(reuters in ids for ids in cited.values())
    # Positions are exact in the text the document keeps.
    lines = doc.text.split("\n")
    for link in inv.links:
        assert doc.text.startswith("<a ", link.offset)
        assert lines[link.line - 1][link.column - 1 :].startswith("<a ")
        assert link.document == ARTICLE_URL
    for claim in inv.claims:
        first_word = claim.text.split()[0]
        assert lines[claim.line - 1][claim.column - 1 :].startswith(first_word)


def test_whole_page_keeps_navigation_sidebar_and_footer(
    news: LocalServer, pins: dict[str, tuple[str, int]]
) -> None:
    inv = _scan(pins, ARTICLE_URL, whole_page=True)
    (doc,) = inv.documents
    assert doc.text == ARTICLE
    urls = _urls(inv)
    assert ARTICLE_LINKS <= urls
    assert {f"http://{HOST}{p}" for p in CHROME_PATHS} <= urls
    assert any("45% of the market" in c.text for c in inv.claims)
    for link in inv.links:
        assert ARTICLE.startswith("<a ", link.offset)


def test_redirected_page_is_named_as_asked_and_links_resolve_at_the_final_address(
    news: LocalServer, pins: dict[str, tuple[str, int]]
) -> None:
    inv = _scan(pins, f"http://{HOST}/old-article")
    assert [d.path for d in inv.documents] == [f"http://{HOST}/old-article"]
    assert _urls(inv) == ARTICLE_LINKS


def test_relative_links_of_the_main_content_follow_the_pages_base(
    news: LocalServer, pins: dict[str, tuple[str, int]]
) -> None:
    inv = _scan(pins, f"http://{HOST}/mirrored")
    assert _urls(inv) == {
        "https://www.reuters.com/article/belarus-it-exodus",
        "https://golos2020.org/report",
        "https://mirror.example.org/2020/12/ceo-exodus",
        "#method",
        "https://mirror.example.org/news/data/registers",
    }


def test_https_page_uses_the_ca_named_in_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ca = trustme.CA()
    ca_file = tmp_path / "test-ca.pem"
    ca_file.write_bytes(ca.cert_pem.bytes())
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(HOST).configure_cert(tls)
    with LocalServer(tls=tls) as secure:
        secure.route("/article", status(200, ARTICLE))
        pins = {f"{HOST}:443": ("127.0.0.1", secure.ports["127.0.0.1"])}
        untrusted = _scan(pins, f"https://{HOST}/article")
        monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_file))
        trusted = _scan(pins, f"https://{HOST}/article")
    assert untrusted.documents == []
    assert "TLS: the certificate is not from a trusted authority" in untrusted.errors[0].message
    assert not trusted.errors
    assert "https://golos2020.org/report" in _urls(trusted)
    assert f"https://{HOST}/data/registers" in _urls(trusted)


def test_cli_scan_of_a_page_is_valid_json_and_sends_citecheck_user_agent(
    news: LocalServer, pins: dict[str, tuple[str, int]]
) -> None:
    before = len(news.stats.hits)
    main = _cli("scan", ARTICLE_URL, *_resolve_flag(pins), "--format", "json")
    assert main.returncode == 0, main.stderr
    report = json.loads(main.stdout)
    jsonschema.validate(report, schema())
    assert {k["url"] for k in report["links"]} == ARTICLE_LINKS
    assert report["documents"][0]["format"] == "html"
    whole = _cli("scan", ARTICLE_URL, *_resolve_flag(pins), "--format", "json", "--whole-page")
    assert whole.returncode == 0, whole.stderr
    report = json.loads(whole.stdout)
    jsonschema.validate(report, schema())
    assert f"http://{HOST}/2025/03/islands" in {k["url"] for k in report["links"]}
    hits = [h for h in news.stats.hits[before:] if h.path == "/article"]
    assert len(hits) == 2
    for hit in hits:
        assert hit.method == "GET"
        assert hit.headers["User-Agent"] == USER_AGENT
        assert hit.headers["Host"] == HOST


def test_unfetchable_pages_are_one_line_errors_and_the_run_goes_on(
    news: LocalServer, pins: dict[str, tuple[str, int]], tmp_path: Path
) -> None:
    draft = tmp_path / "draft.md"
    draft.write_text("See [the report](https://example.org/report) from 2021.\n")
    missing = f"http://{HOST}/missing"
    unreachable = f"http://127.0.0.1:{_closed_port()}/article"
    run = _cli(
        "scan",
        missing,
        str(draft),
        unreachable,
        ARTICLE_URL,
        *_resolve_flag(pins),
        "--format",
        "json",
    )
    assert run.returncode == 2
    errors = run.stderr.strip().splitlines()
    assert len(errors) == 2, run.stderr
    assert errors[0].startswith(f"citecheck: {missing}: ")
    assert "HTTP 404" in errors[0]
    assert errors[1] == f"citecheck: {unreachable}: cannot be fetched: connection refused"
    report = json.loads(run.stdout)
    jsonschema.validate(report, schema())
    assert [d["path"] for d in report["documents"]] == [str(draft), ARTICLE_URL]
    assert {e["path"] for e in report["errors"]} == {missing, unreachable}


def test_a_page_that_is_not_html_is_refused(
    news: LocalServer, pins: dict[str, tuple[str, int]]
) -> None:
    inv = _scan(pins, f"http://{HOST}/report.pdf")
    assert inv.documents == []
    assert inv.errors[0].message == "is not a web page (the server sent application/pdf)"


def test_no_main_content_falls_back_to_the_whole_page_with_a_problem(
    news: LocalServer, pins: dict[str, tuple[str, int]]
) -> None:
    inv = _scan(pins, f"http://{HOST}/logo-only")
    (doc,) = inv.documents
    assert doc.text == LOGO_ONLY
    assert _urls(inv) == {f"http://{HOST}/logo.png"}
    assert [p.kind for p in doc.problems] == ["extraction"]
    assert "whole page" in doc.problems[0].message


def test_gzip_bomb_and_huge_page_stay_bounded(
    news: LocalServer, pins: dict[str, tuple[str, int]]
) -> None:
    bomb = _scan(pins, f"http://{HOST}/gzip-bomb")
    # A gigabyte of inflated zeros: inflated only up to the page cap, then refused as binary.
    assert bomb.errors[0].message == "is not a web page (the server sent binary data as HTML)"
    cap = 1_000_000  # --max-size lowers the cap: parsing 8 MiB of filler would be slow here
    huge = _scan(pins, f"http://{HOST}/huge", max_bytes=cap)
    (doc,) = huge.documents
    assert len(doc.text) <= cap + 2_000  # trafilatura adds a <head> of metadata
    assert [p.kind for p in doc.problems] == ["truncated"]
    assert news.stats.sent["huge"] < 50 * 1024 * 1024  # of 200 MiB: the client stopped reading
    assert news.stats.sent["gzip-bomb"] < 50 * 1024 * 1024


def test_whole_page_flag_is_on_scan_and_check() -> None:
    parser = build_parser()
    assert parser.parse_args(["scan", ARTICLE_URL, "--whole-page"]).whole_page
    assert parser.parse_args(["check", ARTICLE_URL, "--whole-page"]).whole_page
    assert not parser.parse_args(["scan", ARTICLE_URL]).whole_page
