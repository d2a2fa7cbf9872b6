"""`citecheck rescue` end to end: a local 404 behind a pinned host, and a fake Wayback."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest

from citecheck.cli_rescue import add_rescue_arguments, run_rescue
from fake_wayback import FakeWayback
from servers import LocalServer, page, status

GONE = "http://news.citecheck-test.org/gone"
LIVE = "http://news.citecheck-test.org/report"
CAPTURE = f"https://web.archive.org/web/20210520000000/{GONE}"
MARKDOWN = (
    "---\ntitle: Test draft\ndate: 2021-06-01\n---\n\n"
    f"The report [was published]({LIVE}) in 2020.\n\n"
    f"It was [withdrawn]({GONE}) a year later.\n"
)


@pytest.fixture
def stand_in(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """news.citecheck-test.org on 127.0.0.1 (one live page, one 404) and its archive."""
    server = LocalServer()
    captures = {GONE: [("20190101000000", 200), ("20210520000000", 200)]}
    with server, FakeWayback(captures=captures) as wb:
        server.route("/report", page("Annual report"))
        server.route("/gone", status(404, "<title>Not Found</title>"))
        monkeypatch.setenv("CITECHECK_WAYBACK_WEB", wb.base_web)
        monkeypatch.setenv("CITECHECK_WAYBACK_API", wb.base_api)
        yield ["--resolve", f"news.citecheck-test.org:80:127.0.0.1:{server.ports['127.0.0.1']}"]


def _rescue(tmp_path: Path, pins: list[str], *argv: str) -> int:
    parser = argparse.ArgumentParser()
    add_rescue_arguments(parser)
    return run_rescue(parser.parse_args([*argv, "--db", str(tmp_path / "p.sqlite"), *pins]))


def test_dry_run_prints_the_diff_and_writes_nothing(
    tmp_path: Path, stand_in: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "draft.md"
    doc.write_text(MARKDOWN, encoding="utf-8")
    assert _rescue(tmp_path, stand_in, str(doc), "--dry-run") == 0
    out = capsys.readouterr().out
    assert out == (
        f"--- {doc}\n"
        f"+++ {tmp_path / 'draft.rescued.md'}\n"
        "@@ -5,4 +5,4 @@\n"
        " \n"
        f" The report [was published]({LIVE}) in 2020.\n"
        " \n"
        f"-It was [withdrawn]({GONE}) a year later.\n"
        f"+It was [withdrawn]({GONE}) ([archived]({CAPTURE})) a year later.\n"
    )
    assert doc.read_text(encoding="utf-8") == MARKDOWN
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".md") == ["draft.md"]


def test_replace_mode_writes_the_copy_beside_and_never_overwrites_it(
    tmp_path: Path, stand_in: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "draft.md"
    doc.write_text(MARKDOWN, encoding="utf-8")
    assert _rescue(tmp_path, stand_in, str(doc), "--mode", "replace") == 0
    copy = tmp_path / "draft.rescued.md"
    assert copy.read_text(encoding="utf-8") == MARKDOWN.replace(f"({GONE})", f"({CAPTURE})")
    assert doc.read_text(encoding="utf-8") == MARKDOWN
    copy.write_text("mine", encoding="utf-8")
    capsys.readouterr()
    assert _rescue(tmp_path, stand_in, str(doc)) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert copy.read_text(encoding="utf-8") == "mine"
    assert _rescue(tmp_path, stand_in, str(doc), "-o", str(doc)) == 2
    assert doc.read_text(encoding="utf-8") == MARKDOWN


def test_in_place_keeps_a_backup(tmp_path: Path, stand_in: list[str]) -> None:
    doc = tmp_path / "draft.md"
    doc.write_text(MARKDOWN, encoding="utf-8")
    assert _rescue(tmp_path, stand_in, str(doc), "--in-place") == 0
    assert (tmp_path / "draft.md.bak").read_text(encoding="utf-8") == MARKDOWN
    assert f"[withdrawn]({GONE}) ([archived]({CAPTURE}))" in doc.read_text(encoding="utf-8")


def test_html_gets_robust_links_attributes(tmp_path: Path, stand_in: list[str]) -> None:
    doc = tmp_path / "page.html"
    text = (
        '<html><head><title>T</title><meta name="date" content="2021-06-01"></head><body>\n'
        f'<p>See <a class="x" href="{GONE}">gone</a> and <a href="{LIVE}">live</a>.</p>\n'
        "</body></html>\n"
    )
    doc.write_text(text, encoding="utf-8")
    out = tmp_path / "out.html"
    assert _rescue(tmp_path, stand_in, str(doc), "-o", str(out)) == 0
    assert out.read_text(encoding="utf-8") == text.replace(
        f'<a class="x" href="{GONE}">',
        f'<a class="x" href="{GONE}" data-originalurl="{GONE}" data-versionurl="{CAPTURE}"'
        ' data-versiondate="2021-05-20">',
    )


def test_other_formats_are_refused(
    tmp_path: Path, stand_in: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "notes.txt"
    doc.write_text(f"See {GONE}.\n", encoding="utf-8")
    assert _rescue(tmp_path, stand_in, str(doc)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Markdown and HTML" in err
    assert not (tmp_path / "notes.rescued.txt").exists()
