"""Turn offsets into 1-based line and column numbers, and UTF-8 byte offsets into characters."""

from __future__ import annotations

from bisect import bisect_right


class LineIndex:
    """Line/column lookup over one text, built once in linear time."""

    __slots__ = ("_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        starts = [0]
        find = text.find
        i = find("\n")
        while i != -1:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self._starts = starts

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset; columns count characters."""
        k = bisect_right(self._starts, offset) - 1
        return k + 1, offset - self._starts[k] + 1

    def line(self, offset: int) -> int:
        return bisect_right(self._starts, offset)

    def line_text(self, line: int) -> str:
        start = self._starts[line - 1]
        end = self._starts[line] - 1 if line < len(self._starts) else len(self._text)
        return self._text[start:end]


class ByteOffsets:
    """Map UTF-8 byte offsets of a text to character offsets (parsers such as pyromark count bytes).

    For pure-ASCII text the two are equal and no table is built.
    """

    __slots__ = ("_ascii", "_byte_starts", "_char_starts", "_data")

    def __init__(self, text: str, data: bytes | None = None) -> None:
        self._ascii = text.isascii()
        # An ASCII text needs no table and no second copy of itself as bytes.
        self._data = b"" if self._ascii else (data if data is not None else text.encode("utf-8"))
        self._byte_starts: list[int] = []
        self._char_starts: list[int] = []
        if not self._ascii:
            # Per-line anchors keep each lookup to decoding one line prefix.
            b = c = 0
            for line in text.splitlines(keepends=True):
                self._byte_starts.append(b)
                self._char_starts.append(c)
                b += len(line.encode("utf-8"))
                c += len(line)

    @property
    def is_ascii(self) -> bool:
        return self._ascii

    def char(self, byte_offset: int) -> int:
        if self._ascii:
            return byte_offset
        k = bisect_right(self._byte_starts, byte_offset) - 1
        if k < 0:
            return 0
        start = self._byte_starts[k]
        prefix = self._data[start:byte_offset]
        return self._char_starts[k] + len(prefix.decode("utf-8", "ignore"))


class Spans:
    """Source spans, merged, with a fast "is this offset inside one" test."""

    __slots__ = ("_spans", "_starts")

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        merged: list[tuple[int, int]] = []
        for s, e in sorted(spans):
            if merged and s <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
            else:
                merged.append((s, e))
        self._starts = [s for s, _ in merged]
        self._spans = merged

    def __contains__(self, offset: int) -> bool:
        k = bisect_right(self._starts, offset) - 1
        return k >= 0 and offset < self._spans[k][1]
