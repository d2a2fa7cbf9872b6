"""Reading a file's bytes into text: refusing binaries, detecting encodings, spotting mojibake."""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck.readers.decode import (
    MAX_BYTES,
    UnreadableInput,
    decode,
    find_mojibake,
    read_bytes,
)

RUSSIAN = (
    "Плотина Баньцяо была разрушена в августе 1975 года.\n"
    "По разным оценкам, погибли десятки тысяч человек.\n"
)
FRENCH = (
    "Le barrage a cédé en 1975. Les ingénieurs avaient prévenu que la capacité était "
    "insuffisante.\nÀ l'époque, personne n'a écouté leurs avertissements répétés.\n"
)
PORTUGUESE = "São Paulo é a maior cidade do Brasil. A população é estimada em doze milhões.\n"


def test_plain_utf8() -> None:
    text, encoding, problems = decode("naïve café «да» 😀".encode(), "a.md")
    assert (text, encoding, problems) == ("naïve café «да» 😀", "utf-8", [])


def test_utf8_bom_is_dropped_silently() -> None:
    text, encoding, problems = decode("\ufeffHello, naïve".encode(), "a.md")
    assert text == "Hello, naïve"
    assert encoding == "utf-8"
    assert problems == []


def test_empty_file() -> None:
    assert decode(b"", "a.md") == ("", "utf-8", [])


def test_cp1251_is_detected_with_an_encoding_problem() -> None:
    text, encoding, problems = decode(RUSSIAN.encode("cp1251"), "ru.txt")
    assert text == RUSSIAN
    assert encoding.lower().replace("_", "") in ("cp1251", "windows1251")
    [problem] = problems
    assert (problem.kind, problem.document, problem.line) == ("encoding", "ru.txt", 1)
    assert "UTF-8" in problem.message


def test_encoding_problem_names_the_first_bad_line() -> None:
    data = b"plain line\nanother\n" + RUSSIAN.encode("cp1251")
    _, _, [problem] = decode(data, "ru.txt")
    assert problem.kind == "encoding"
    assert problem.line == 3


@pytest.mark.parametrize("sample", [FRENCH, PORTUGUESE, "naïve café\n"], ids=["fr", "pt", "short"])
@pytest.mark.parametrize("codec", ["latin-1", "cp1252"])
def test_western_legacy_encodings_decode_correctly(sample: str, codec: str) -> None:
    text, _, problems = decode(sample.encode(codec), "old.txt")
    assert [p.kind for p in problems] == ["encoding"]
    assert text == sample


def test_latin1_text_is_reported_as_not_utf8() -> None:
    # Whatever the guess, reading legacy bytes never passes silently.
    text, encoding, problems = decode(FRENCH.encode("latin-1"), "old.txt")
    assert encoding != "utf-8"
    assert [p.kind for p in problems] == ["encoding"]
    assert text.startswith("Le barrage a c")


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec: str) -> None:
    sample = "Hello UTF-16 naïve «да»\n"
    bom = {"utf-16": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[codec]
    text, encoding, problems = decode(bom + sample.encode(codec), "w.txt")
    assert text == sample
    assert encoding == "utf-16"
    assert [p.kind for p in problems] == ["encoding"]
    assert "UTF-16" in problems[0].message


@pytest.mark.parametrize(
    "data",
    [b"abc\x00def\xff\x00\x01", b"plain\x00ascii with a NUL", "Hello".encode("utf-16-le")],
    ids=["invalid-utf8", "valid-utf8", "bomless-utf16"],
)
def test_nul_bytes_mean_binary(data: bytes) -> None:
    with pytest.raises(UnreadableInput, match="binary"):
        decode(data, "x.bin")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"PK\x03\x04\x14\x00rest of a docx", "zip archive"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
        (b"GIF89a\x01\x00", "GIF image"),
        (b"\x1f\x8b\x08\x00", "gzip archive"),
        (b"\x7fELF\x02\x01", "program"),
        (b"SQLite format 3\x00", "SQLite database"),
    ],
)
def test_magic_numbers_are_refused_with_a_clear_message(data: bytes, words: str) -> None:
    with pytest.raises(UnreadableInput) as info:
        decode(data, "x")
    message = str(info.value)
    assert words in message
    assert "not a text document" in message


def test_read_bytes_of_a_file(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"hello")
    assert read_bytes(path) == b"hello"


def test_read_bytes_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInput, match="no such file"):
        read_bytes(tmp_path / "nope.md")


def test_read_bytes_folder(tmp_path: Path) -> None:
    with pytest.raises(UnreadableInput, match="folder"):
        read_bytes(tmp_path)


def test_read_bytes_over_the_limit_names_the_size(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 3_000_000)
    with pytest.raises(UnreadableInput) as info:
        read_bytes(path, max_bytes=1_000_000)
    message = str(info.value)
    assert "3 MB" in message
    assert "1 MB" in message
    assert "--max-size" in message


def test_read_bytes_at_the_limit_is_fine(tmp_path: Path) -> None:
    path = tmp_path / "exact.txt"
    path.write_bytes(b"x" * 1000)
    assert len(read_bytes(path, max_bytes=1000)) == 1000
    assert MAX_BYTES >= 1_000_000


# --- mojibake --------------------------------------------------------------------------------


def test_mojibake_found_with_line_and_suggestion() -> None:
    text = "line one\nfine\nThe fall of Nicolae CeauÅŸescu in 1989.\n"
    [problem] = find_mojibake(text, "history.md")
    assert problem.kind == "mojibake"
    assert problem.document == "history.md"
    assert problem.line == 3
    assert problem.excerpt == "CeauÅŸescu"
    assert "Ceauşescu" in problem.message


@pytest.mark.parametrize(
    ("damaged", "fixed"),
    [("Ã©tÃ© cafÃ©", "été"), ("costs Â£5", "£5"), ("“SÃ£o Paulo”", "São")],
)
def test_other_mojibake(damaged: str, fixed: str) -> None:
    [problem] = find_mojibake(damaged, "x")
    assert fixed in problem.message


def test_mojibake_one_problem_per_line_and_a_limit() -> None:
    text = "CeauÅŸescu and cafÃ©\n" * 80
    problems = find_mojibake(text, "x")
    assert len(problems) == 50
    assert [p.line for p in problems[:3]] == [1, 2, 3]
    assert len(find_mojibake(text, "x", limit=5)) == 5


@pytest.mark.parametrize(
    "clean",
    [
        "naïve café",
        "São Paulo",
        "«да» и «нет»",
        "“quotes” and ‘single’",
        "a dash — and – en",
        "☞ see ☜",
        "Привет, мир",
        "Straße über Öl, Größe: 5 m²",
        "Zürich Ä Ö Ü ß",
        "façade – résumé … ™ €5",
        "Đorđe Šćepanović",
        "İstanbul Ağrı",
        "Ελληνικά κείμενο",
        "日本語テキスト",
        "emoji 😀 🎉",
        "½ ¼ ° ± µ ×",
        "Ça va, Æsir, Ølberg",
        "plain ascii only",
    ],
)
def test_clean_text_is_not_flagged(clean: str) -> None:
    assert find_mojibake(clean, "x") == []


@pytest.mark.parametrize(
    "clean",
    [
        "Er sagte: „Wir gehen zu Fuß“ und lachte.",
        "THE CAFÉ’S MENU",
        "Le titre «ÉTÉ» est beau.",
        "Er ging zu Fuß… und blieb.",
    ],
    ids=["german-quotes", "caps-apostrophe", "caps-guillemets", "ellipsis"],
)
def test_clean_text_next_to_typography_is_not_flagged(clean: str) -> None:
    assert find_mojibake(clean, "x") == []
