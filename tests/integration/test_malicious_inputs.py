"""Hostile files: a one-line error or a bounded result each, in bounded memory; the run goes on."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfWriter

from citecheck.readers import UnreadableInput, read_document
from citecheck.readers.safezip import MAX_MEMBERS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from test_reader_docx import write_docx  # noqa: E402
from test_reader_epub import make_epub  # noqa: E402

MB = 1024 * 1024
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + ']><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
)


def billion_laughs(path: Path) -> Path:
    return write_docx(path, "", extra={"word/document.xml": LAUGHS})


def zip_bomb(path: Path, size: int = 300 * MB) -> Path:
    """A .docx whose document.xml inflates from about 300 KB to `size` bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            block = b" " * MB
            for _ in range(size // MB):
                f.write(block)
    return path


def encrypted_pdf(path: Path) -> Path:
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    with path.open("wb") as f:
        writer.write(f)
    return path


def truncated_epub(path: Path) -> Path:
    whole = make_epub(path.with_name("whole.epub")).read_bytes()
    path.write_bytes(whole[: len(whole) * 2 // 3])
    return path


def huge_text(path: Path) -> Path:
    line = b"Rainfall rose 3% in 2020 according to https://www.metoffice.gov.uk/x today.\n"
    with path.open("wb") as f:
        for _ in range(100 * MB // (len(line) * 1000) + 1):
            f.write(line * 1000)
    return path


HOSTILE = {
    "laughs.docx": (billion_laughs, "XML entities"),
    "bomb.docx": (zip_bomb, "zip bomb"),
    "locked.pdf": (encrypted_pdf, "password-protected"),
    "cut.epub": (truncated_epub, "damaged EPUB"),
    "huge.txt": (huge_text, "MB limit"),
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    return {name: make(folder / name) for name, (make, _) in HOSTILE.items()}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_each_gets_one_line_in_bounded_memory(hostile: dict[str, Path], name: str) -> None:
    tracemalloc.start()
    try:
        with pytest.raises(UnreadableInput) as info:
            read_document(hostile[name])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert HOSTILE[name][1] in message and "\n" not in message
    # Never the inflated size: at most one capped part (64 MB) is ever held.
    assert peak < 160 * MB, f"{name}: peak {peak / MB:.0f} MB"


def test_external_entities_and_crowded_zips_are_refused(tmp_path: Path) -> None:
    xxe = write_docx(tmp_path / "xxe.docx", "", extra={"word/document.xml": XXE})
    with pytest.raises(UnreadableInput, match="XML entities"):
        read_document(xxe)
    crowded = tmp_path / "crowded.docx"
    with zipfile.ZipFile(crowded, "w") as z:
        for i in range(MAX_MEMBERS + 1):
            z.writestr(f"word/media/{i}.xml", "")
    with pytest.raises(UnreadableInput, match="parts, over the"):
        read_document(crowded)
    enc = tmp_path / "zipcrypto.epub"
    make_epub(enc)
    data = bytearray(enc.read_bytes())
    # Set the "encrypted" flag in every local and central header, as ZipCrypto writers do.
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (i := data.find(sig, start)) >= 0:
            data[i + flag_at] |= 1
            start = i + 4
    enc.write_bytes(bytes(data))
    with pytest.raises(UnreadableInput, match="encrypted"):
        read_document(enc)


def test_a_scan_over_them_reports_each_and_the_good_file(
    hostile: dict[str, Path], tmp_path: Path
) -> None:
    good = tmp_path / "good.md"
    good.write_text("Output grew 7% in 2023, per [the ONS](https://www.ons.gov.uk/x).\n")
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(
        [sys.executable, "-m", "citecheck.cli", "scan", *map(str, hostile.values()), str(good)]
        + ["-f", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    data = json.loads(proc.stdout)
    assert [k["url"] for k in data["links"]] == ["https://www.ons.gov.uk/x"]
    assert {Path(e["path"]).name for e in data["errors"]} == set(HOSTILE)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    for name, (_, needle) in HOSTILE.items():
        assert any(name in line and needle in line for line in lines), proc.stderr
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak_kb > before:  # this child set a new high: it is the child's own peak
        assert peak_kb < 600 * 1024, f"the scan peaked at {peak_kb // 1024} MB"
