"""Read a file's bytes into text safely: refuse binaries, detect encodings, spot mojibake."""

from __future__ import annotations

import re
from pathlib import Path

from citecheck.model import Problem

MAX_BYTES = 64 * 1024 * 1024  # a 64 MiB document is already far past any real draft

_MAGIC = (
    # DOCX, ODT, EPUB and PDF are read by their own readers, chosen by the file's extension.
    (b"PK\x03\x04", "a zip archive (a .docx, .odt or .epub needs that extension)"),
    (b"%PDF-", "a PDF (it is read as one only when named .pdf)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7z archive"),
    (b"Rar!", "a RAR archive"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.doc/.xls)"),
    (b"SQLite format 3\x00", "an SQLite database"),
)

# A UTF-8 lead byte misread as cp1252/Latin-1 followed by misread continuation bytes.
_LEAD = "\u00c2-\u00f4"
_CONT = (
    "\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
)
_MOJIBAKE = re.compile(f"[{_LEAD}][{_CONT}]{{1,3}}")


class UnreadableInput(Exception):
    """The file cannot be scanned; the message says why in plain words."""


def read_bytes(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise UnreadableInput("no such file") from None
    except OSError as e:
        raise UnreadableInput(f"cannot read it ({e.strerror or e})") from None
    if size > max_bytes:
        raise UnreadableInput(f"it is {_mb(size)}, over the {_mb(max_bytes)} limit (--max-size)")
    try:
        return path.read_bytes()
    except IsADirectoryError:
        raise UnreadableInput("is a folder") from None
    except OSError as e:
        raise UnreadableInput(f"cannot read it ({e.strerror or e})") from None


def _mb(n: int) -> str:
    return f"{n / 1e6:.0f} MB" if n >= 10e6 else f"{n / 1e6:.3g} MB" if n >= 1e3 else f"{n} bytes"


def decode(data: bytes, path: str) -> tuple[str, str, list[Problem]]:
    """(text, encoding, problems) for a file's bytes; raises UnreadableInput for non-text."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise UnreadableInput(f"is {what}, not a text document")
    problems: list[Problem] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16")
        problems.append(Problem(path, "encoding", "the file is UTF-16, not UTF-8"))
        return text, "utf-16", problems
    try:
        text = data.decode("utf-8-sig")
        encoding = "utf-8"
    except UnicodeDecodeError as e:
        if b"\x00" in data[:8192]:
            raise UnreadableInput("is a binary file, not a text document") from None
        legacy = _legacy_encoding(data)
        if legacy is None:
            raise UnreadableInput(
                f"is not valid UTF-8 (byte {e.start}) and its encoding cannot be told"
            ) from None
        encoding = legacy
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise UnreadableInput(f"is not valid UTF-8 (byte {e.start})") from None
        line = data[: e.start].count(b"\n") + 1
        problems.append(
            Problem(path, "encoding", f"not valid UTF-8; read as {encoding}", line=line)
        )
    if "\x00" in text[:8192]:
        raise UnreadableInput("is a binary file, not a text document")
    return text, encoding, problems


def _legacy_encoding(data: bytes) -> str | None:
    """The likely single-byte encoding of text that is not UTF-8.

    Detectors guess among many similar code pages and often pick a Central European or Baltic
    one for plain Western text ("São" read as "Săo"). Like browsers, prefer windows-1252 when it
    reads the bytes as mostly ASCII letters with a few accented ones; otherwise ask the detector.
    """
    sample = data[:65536]
    try:
        western = sample.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None:
        letters = sum(1 for c in western if c.isalpha())
        accented = sum(1 for c in western if c.isalpha() and not c.isascii())
        if letters and accented / letters < 0.3:
            return "cp1252"
    import charset_normalizer  # only for the rare file in neither UTF-8 nor windows-1252

    best = charset_normalizer.from_bytes(data[: 1024 * 1024]).best()
    return best.encoding if best is not None else None


def find_mojibake(text: str, path: str, limit: int = 50) -> list[Problem]:
    """Places where text shows UTF-8 misread as a single-byte encoding ("CeauÅŸescu")."""
    problems: list[Problem] = []
    if text.isascii():
        return problems
    line_no = 0
    for line in text.split("\n"):
        line_no += 1
        if line.isascii():
            continue
        hit = _first_mojibake(line)
        if hit is None:
            continue
        start, end = hit
        word_start = max(line.rfind(" ", 0, start) + 1, 0)
        word_end = line.find(" ", end)
        word = line[word_start : word_end if word_end != -1 else len(line)].strip("\"'“”()«»,.;:")
        fixed = _repair(word)
        msg = f"text damaged by a wrong encoding: {word!r}"
        if fixed and fixed != word:
            msg += f" (probably {fixed!r})"
        problems.append(Problem(path, "mojibake", msg, line=line_no, excerpt=word))
        if len(problems) >= limit:
            break
    return problems


def _first_mojibake(line: str) -> tuple[int, int] | None:
    for m in _MOJIBAKE.finditer(line):
        if _repair(m.group(0)) is not None:
            return m.start(), m.end()
    import ftfy.badness  # here: a document in plain ASCII never needs it

    if ftfy.badness.is_bad(line):
        return 0, 0
    return None


def _plausible(ch: str) -> bool:
    """A character real text is likely to hold: Latin, Greek, Cyrillic, common punctuation."""
    o = ord(ch)
    return (
        o < 0x250
        or 0x370 <= o < 0x530
        or 0x2010 <= o <= 0x203A
        or o == 0x20AC
        or (0x1E00 <= o < 0x1F00)
    )


def _repair(s: str) -> str | None:
    """Undo one cp1252 (or Latin-1) misreading of UTF-8, or None if it does not round-trip.

    A repair that yields a rare character (NKo, IPA…) is a coincidence of clean text such as
    "Fuß“", not mojibake.
    """
    for enc in ("cp1252", "latin-1"):
        try:
            fixed = s.encode(enc).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if fixed != s and all(_plausible(c) for c in fixed):
            return fixed
    return None
