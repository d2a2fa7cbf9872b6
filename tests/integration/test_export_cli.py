"""`citecheck export` end to end: local stand-ins for the draft's sites and for the archive."""

from __future__ import annotations

import argparse
import json
import ssl
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
import trustme

from citecheck.checking import EngineOptions, check_urls
from citecheck.cli_export import add_export_arguments, run_export
from fake_wayback import FakeWayback
from servers import LocalServer, html, page, status

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
ARTMARGINS = (
    "http://www.artmargins.com/index.php/2-articles/"
    "588-flashmob-divide-between-art-politics-belarus-long-versionarticles"
)
DRAFT_URLS = ("https://belaruspartisan.by/", "http://partisanmag.by/?cat=104", ARTMARGINS)
CAPTURE = html(
    "Flashmob: the divide between art and politics in Belarus | ARTMargins Online",
    "<h1>Flashmob</h1>",
    extra="",
).replace(
    "<head>",
    '<head><meta name="citation_title" content="Flashmob - the Divide Between Art and Politics'
    ' in Belarus"><meta name="citation_author" content="Ousmanova, Almira">'
    '<meta name="citation_publication_date" content="2009-05-11">'
    '<meta property="og:site_name" content="ARTMargins Online">',
)
PARTISAN_HEAD = (
    '<meta property="og:site_name" content="Belarus Partisan">'
    '<meta property="og:title" content="Belarus Partisan: news">'
)


@pytest.fixture
def stand_ins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, object]]:
    ca = trustme.CA()
    ca_file = tmp_path / "test-ca.pem"
    ca_file.write_bytes(ca.cert_pem.bytes())
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("belaruspartisan.by", "web.archive.org").configure_cert(tls)
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca_file))
    secure, plain = LocalServer(tls=tls), LocalServer()
    captures = {url: [("20090511120000", 200), ("20200915080000", 200)] for url in DRAFT_URLS}
    with secure, plain, FakeWayback(captures=captures) as wb:
        secure.route(
            "/",
            status(
                200,
                html("Belarus Partisan", "<h1>News</h1>").replace(
                    "<head>", "<head>" + PARTISAN_HEAD
                ),
            ),
        )
        secure.route("/web/20200915080000id_/*", status(200, CAPTURE))
        plain.route("/", page("Partisan magazine", "<h1>Articles</h1>"))
        plain.route("/index.php/2-articles/*", status(404, "<title>Not Found</title>"))
        pins = [
            f"belaruspartisan.by:443:127.0.0.1:{secure.ports['127.0.0.1']}",
            f"web.archive.org:443:127.0.0.1:{secure.ports['127.0.0.1']}",
            f"partisanmag.by:80:127.0.0.1:{plain.ports['127.0.0.1']}",
            f"www.artmargins.com:80:127.0.0.1:{plain.ports['127.0.0.1']}",
        ]
        monkeypatch.setenv("CITECHECK_WAYBACK_WEB", wb.base_web)
        monkeypatch.setenv("CITECHECK_WAYBACK_API", wb.base_api)
        yield {"pins": pins, "secure": secure, "plain": plain, "wayback": wb}


def _export(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_export_arguments(parser)
    return run_export(parser.parse_args(list(argv)))


def _pins(stand_ins: dict[str, object]) -> list[str]:
    out: list[str] = []
    for pin in stand_ins["pins"]:  # type: ignore[attr-defined]
        out += ["--resolve", pin]
    return out


def test_corpus_draft_as_csl_json(
    corpus: Path, tmp_path: Path, stand_ins: dict[str, object]
) -> None:
    out = tmp_path / "refs.json"
    db = str(tmp_path / "p.sqlite")
    doc = str(corpus / "cyber-partisans-draft.txt")
    code = _export(doc, "--to", "csl-json", "-o", str(out), "--db", db, *_pins(stand_ins))
    assert code == 0
    items = json.loads(out.read_text(encoding="utf-8"))
    schema = SHARED / "data" / "csl" / "csl-data.json"
    jsonschema.validate(items, json.loads(schema.read_text(encoding="utf-8")))
    by_url = {i.get("URL"): i for i in items}
    assert set(DRAFT_URLS) <= set(by_url) and len(items) == 6
    partisan = by_url["https://belaruspartisan.by/"]
    assert partisan["title"] == "Belarus Partisan: news"  # from the live page's OpenGraph
    assert partisan["container-title"] == "Belarus Partisan"
    assert "accessed" in partisan
    art = by_url[ARTMARGINS]  # dead: metadata from the raw Wayback capture
    assert art["title"] == "Flashmob - the Divide Between Art and Politics in Belarus"
    assert art["author"] == [{"family": "Ousmanova", "given": "Almira"}]
    assert art["issued"] == {"date-parts": [[2009, 5, 11]]}
    assert art["archive_location"] == f"https://web.archive.org/web/20200915080000/{ARTMARGINS}"
    needs = [i for i in items if "URL" not in i]
    assert [(i["author"][0]["family"], i["container-title"], i["issued"]) for i in needs] == [
        ("Pierce", "The Daily Beast", {"date-parts": [[2020, 9, 30]]}),
        ("Pierce", "The Village Belarus", {"date-parts": [[2020, 10, 1]]}),
        ("Gurnevich", "Radio Liberty Belarus", {"date-parts": [[2020, 10, 1]]}),
    ]
    assert all("needs-link" in i["note"] for i in needs)
    assert needs[0]["title"] == "Tech Army Set Up by Europe's Last Dictator Turns on Its Creator"

    # A second run reuses the checks and the page metadata: no page is fetched again.
    secure = stand_ins["secure"]
    before = len(secure.stats.hits)  # type: ignore[attr-defined]
    again = tmp_path / "again.json"
    assert _export(doc, "--to", "csl-json", "-o", str(again), "--db", db, *_pins(stand_ins)) == 0
    assert json.loads(again.read_text(encoding="utf-8")) == items
    assert len(secure.stats.hits) == before  # type: ignore[attr-defined]


def test_verified_only_lists_the_rest_as_needing_attention(
    corpus: Path, tmp_path: Path, stand_ins: dict[str, object], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "refs.bib"
    doc = str(corpus / "cyber-partisans-draft.txt")
    args = [doc, "--to", "biblatex", "--verified-only", "-o", str(out)]
    assert _export(*args, "--db", str(tmp_path / "p.sqlite"), *_pins(stand_ins)) == 0
    text = out.read_text(encoding="utf-8")
    assert text.count("@online{") == 3  # two live, one dead but archived
    err = capsys.readouterr().err
    assert err.count("needs attention") == 3 and "placeholder" in err


def test_bad_style_and_unsafe_output(tmp_path: Path) -> None:
    doc = tmp_path / "d.md"
    doc.write_text("x", encoding="utf-8")
    assert _export(str(doc), "--to", "html", "--style", "no-such-style") == 2
    assert _export(str(doc), "--to", "ris", "-o", str(doc)) == 2
    assert doc.read_text(encoding="utf-8") == "x"


def test_engine_hook_reads_every_ok_page_once() -> None:
    seen: list[tuple[str, bytes]] = []
    with LocalServer() as server:
        ok = server.route("/a", page("A page"))
        gone = server.route("/gone", status(404, html("Not Found")))
        options = EngineOptions(
            timeout=5, read_pages=True, on_page=lambda u, b, t: seen.append((u, b))
        )
        check_urls([ok, gone], options, lambda check: None)
        assert [u for u, _ in seen] == [ok] and b"A page" in seen[0][1]
        assert server.stats.paths("GET").count("/a") == 1
        seen.clear()
        check_urls(
            [ok],
            EngineOptions(timeout=5, on_page=lambda u, b, t: seen.append((u, b))),
            lambda c: None,
        )
        assert seen == []  # without read_pages an ok page is only asked for with HEAD
