"""`citecheck scan` as a user runs it: real processes, real files, exit codes and reports."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from citecheck.report import schema

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "samples" / "reservoir-draft.md"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "citecheck.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def assert_clean_error(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    for needle in needles:
        assert any(needle in line for line in lines), proc.stderr


def test_sample_json_follows_schema() -> None:
    proc = run("scan", str(SAMPLE), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    jsonschema.validate(data, schema())
    doc = data["documents"][0]
    assert doc["title"].startswith("Where the water goes")
    assert doc["date"] == "2024-03-14"
    reasons = {k["placeholder"] for k in data["links"]}
    assert {
        "fragment-only",
        "empty",
        "example-domain",
        "todo",
        "loopback",
        "javascript",
        "missing-file",
        "marker",
    } <= reasons
    assert data["summary"]["links"] == len(data["links"])
    assert data["summary"]["claims"] == len(data["claims"]) > 0
    ids = {k["id"] for k in data["links"]}
    assert all(set(c["citations"]) <= ids for c in data["claims"])


def test_schema_rejects_a_broken_report() -> None:
    data = json.loads(run("scan", str(SAMPLE), "--format", "json").stdout)
    data["links"][0]["line"] = 0
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema())


def test_table_csv_and_markdown(tmp_path: Path) -> None:
    table = run("scan", str(SAMPLE))
    assert table.returncode == 0
    assert "Links" in table.stdout and "Claims" in table.stdout
    assert "reserved example domain" in table.stdout
    rows = list(csv.DictReader(io.StringIO(run("scan", str(SAMPLE), "-f", "csv").stdout)))
    assert {r["type"] for r in rows} == {"link", "claim"}
    assert any(r["problem"] == "fragment-only" for r in rows)
    md = run("scan", str(SAMPLE), "-f", "markdown").stdout
    assert md.startswith("# citecheck scan") and "| Where | Kind | Target | Problem |" in md


def test_missing_path_is_one_line_and_the_rest_goes_on(tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    good.write_text("See [the report](https://www.oecd.org/report).\n", encoding="utf-8")
    proc = run("scan", str(tmp_path / "nope.md"), str(good), "-f", "json")
    assert_clean_error(proc, "nope.md: no such file")
    data = json.loads(proc.stdout)
    assert [k["url"] for k in data["links"]] == ["https://www.oecd.org/report"]
    assert data["errors"][0]["path"].endswith("nope.md")


def test_folder_without_documents(tmp_path: Path) -> None:
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    assert_clean_error(run("scan", str(tmp_path)), "holds no documents")


@pytest.mark.parametrize(
    ("name", "payload", "needle"),
    [
        ("archive.md", b"PK\x03\x04" + b"\x00" * 40, "zip archive"),
        ("paper.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        ("blob.txt", bytes(range(256)) * 8, "binary"),
        ("table.xlsx", b"not really", "not a kind of document"),
    ],
)
def test_unusable_files(tmp_path: Path, name: str, payload: bytes, needle: str) -> None:
    path = tmp_path / name
    path.write_bytes(payload)
    assert_clean_error(run("scan", str(path)), name, needle)
    assert path.read_bytes() == payload


def test_real_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "draft.md"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    assert_clean_error(run("scan", str(path)), "zip archive")


def test_windows_1252_text_is_read_and_flagged(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    body = (
        "Caf\u00e9 prices rose 12% in 2023, the council said \u2013 see https://stats.gov.uk/x.\n"
    )
    path.write_bytes((body * 40).encode("cp1252"))
    proc = run("scan", str(path), "-f", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["links"][0]["url"] == "https://stats.gov.uk/x"
    assert any(p["kind"] == "encoding" for p in data["problems"])


def test_oversized_document_is_refused_quickly(tmp_path: Path) -> None:
    path = tmp_path / "huge.md"
    with path.open("wb") as f:
        f.truncate(70 * 1024 * 1024)  # sparse: costs no disk
    assert_clean_error(run("scan", str(path)), "huge.md", "MB limit")


def test_pathological_nesting_does_not_crash(tmp_path: Path) -> None:
    deep = tmp_path / "deep.md"
    deep.write_text(
        ">" * 50_000 + " [x](http://a.org)\n" + "[" * 50_000 + "\n" + "*" * 50_000, encoding="utf-8"
    )
    html = tmp_path / "deep.html"
    html.write_text("<div>" * 50_000 + '<a href="http://b.org">b</a>', encoding="utf-8")
    proc = run("scan", str(deep), str(html), "-f", "json")
    assert "Traceback" not in proc.stderr
    assert proc.returncode in (0, 2)
    if proc.returncode == 0:
        urls = {k["url"] for k in json.loads(proc.stdout)["links"]}
        assert "http://b.org/" in urls


def test_output_file_never_overwrites_an_input(tmp_path: Path) -> None:
    doc = tmp_path / "draft.md"
    original = "Visit <https://www.who.int/>.\n"
    doc.write_text(original, encoding="utf-8")
    proc = run("scan", str(doc), "-f", "json", "-o", str(doc))
    assert_clean_error(proc, "refusing to overwrite")
    assert doc.read_text(encoding="utf-8") == original


def test_output_file_is_written_whole(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    out.write_text("old report", encoding="utf-8")
    proc = run("scan", str(SAMPLE), "-f", "json", "-o", str(out))
    assert proc.returncode == 0 and proc.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["schema_version"].startswith("1.")
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_include_code(tmp_path: Path) -> None:
    doc = tmp_path / "code.md"
    doc.write_text(
        "Run `curl https://api.github.com/x` or:\n\n```\nhttp://code.org/y\n```\n", encoding="utf-8"
    )
    plain = json.loads(run("scan", str(doc), "-f", "json").stdout)
    assert plain["links"] == []
    with_code = json.loads(run("scan", str(doc), "-f", "json", "--include-code").stdout)
    assert [k["url"] for k in with_code["links"]] == [
        "https://api.github.com/x",
        "http://code.org/y",
    ]
    assert [k["line"] for k in with_code["links"]] == [1, 4]


def test_bad_option_is_exit_2() -> None:
    proc = run("scan", str(SAMPLE), "--format", "yaml")
    assert_clean_error(proc, "invalid choice")


def test_credentials_never_reach_the_report(tmp_path: Path) -> None:
    doc = tmp_path / "secret.md"
    doc.write_text("Mirror: https://alice:hunter2@files.example.org/data.csv\n", encoding="utf-8")
    for fmt in ("json", "csv", "markdown", "table"):
        out = run("scan", str(doc), "-f", fmt).stdout
        assert "hunter2" not in out and "alice" not in out
