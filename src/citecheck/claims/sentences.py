"""Split prose into sentences, as character spans, with regexes fast enough for big documents."""

from __future__ import annotations

import re

__all__ = ["split_sentences"]

# A candidate boundary is sentence-final punctuation plus any closing quotes, brackets or
# footnote marks, then whitespace not followed by a lowercase letter, or the end of the text, or
# (for copies of web pages that glue a pull quote onto the next sentence) a closing double quote
# directly followed by a capital. A blank line is always a boundary; a single newline is only a
# hard wrap. The pattern starts with one character class so that `re` can skip ahead quickly.
_BOUNDARY = re.compile(
    r"""
    [.!?…\n]
    (?:
        (?<=\n) (?P<para>[ \t\r\f\v]*\n\s*)
      | (?<!\n) [.!?…]*+ [)\]"'”’»¹²³⁴⁵⁶⁷⁸⁹⁰]*+ (?P<term_end>)
        (?: (?P<ws>\s++) (?![a-z]) | \Z | (?<=["”]) (?=[A-Z“‘"]) )
    )
    """,
    re.VERBOSE,
)

# Titles and the like that a name follows: a period after them never ends a sentence.
_NEVER_FINAL = frozenset(
    """
    mr mrs ms mssrs messrs dr prof sen sens rep reps gov gen col capt cpt lt sgt cmdr adm maj
    st ste mt ft rev fr hon pres supt insp det atty vs v cf viz al e.g i.e eg ie approx ca
    """.split()
)

# Abbreviations that only come before a number ("No. 5", "p. 12", "Jan. 5").
_BEFORE_NUMBER = frozenset(
    """
    no nos nr art arts vol vols p pp fig figs ch sec para ed eds
    jan feb mar apr jun jul aug sep sept oct nov dec
    """.split()
)

# Abbreviations that can also end a sentence ("… and so on, etc. The next …").
_MAY_BE_FINAL = frozenset(
    """
    etc inc ltd co corp bros jr sr plc llc dept univ govt est a.m p.m am pm
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thurs fri sat sun
    """.split()
)

# After an abbreviation that may end a sentence (or an initial, or "U.S."), only these words
# make us believe a new sentence starts: a name or a noun would more likely continue it.
_STARTERS = frozenset(
    """
    a an the he she it its they we i you his her their our my this that these those there
    here in on at but and or so yet if when while after before since as for however although
    though meanwhile then thus still also even some many most no not all both each every one
    what who why how where which today yesterday tomorrow now later instead indeed moreover
    """.split()
)

_OPENERS = "\"'“‘([«"
_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_LAST_WORD = re.compile(r"\S+$")
_DOTTED = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]?$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return the (start, end) character spans of the sentences in `text`.

    Spans are trimmed of surrounding whitespace; a sentence ending in `."` keeps its quote.
    """
    spans: list[tuple[int, int]] = []
    n = len(text)
    start = 0
    for m in _BOUNDARY.finditer(text):
        punct_end = m.end("term_end")
        nxt = m.end()
        if punct_end < 0:  # a blank line
            end = m.start()
        else:
            end = punct_end
            p = m.start()
            if (
                nxt < n
                and p + 1 == end
                and text[p] == "."
                and not _ends_sentence(text, p, nxt)
                and not _has_blank_line(m.group("ws"))
            ):
                continue
        if end > start:
            if punct_end < 0 or text[start].isspace():
                _add(text, start, end, spans)
            else:
                spans.append((start, end))
        start = nxt
    _add(text, start, n, spans)
    return spans


def _add(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


def _has_blank_line(ws: str | None) -> bool:
    return ws is not None and ws.count("\n") >= 2 and _BLANK_LINE.search(ws) is not None


def _ends_sentence(text: str, punct_start: int, nxt: int) -> bool:
    """Decide whether a single period at `punct_start`, with text at `nxt`, ends a sentence."""
    c = text[nxt]
    if c in _OPENERS and nxt + 1 < len(text):
        c = text[nxt + 1]
        if c.islower():
            return False  # 'e.g. "the …"'
    w = _LAST_WORD.search(text, max(0, punct_start - 40), punct_start)
    if w is None:
        return True
    word = w.group().lstrip(_OPENERS)
    low = word.lower()
    if word.isdigit() and len(word) <= 3:
        prefix = text[text.rfind("\n", 0, w.start()) + 1 : w.start()]
        if not prefix or prefix.isspace():
            return False  # the number of a list item ("  2. From Belarus …")
    if low in _NEVER_FINAL:
        return False
    if c.isdigit() and low in _BEFORE_NUMBER:
        return False
    if len(word) == 1 and word.isupper() or low in _MAY_BE_FINAL or _DOTTED.search(low):
        # An initial ("J. Smith"), "U.S.", "etc.", "7 p.m.": end only before a likely opener.
        return _next_word(text, nxt).lower() in _STARTERS
    if low[-3:] in ("a.m", "p.m") or low[-2:] in ("am", "pm") and low[:-2].isdigit():
        return _next_word(text, nxt).lower() in _STARTERS
    return True


def _next_word(text: str, i: int) -> str:
    j = i
    n = min(len(text), i + 30)
    while j < n and text[j] in _OPENERS:
        j += 1
    k = j
    while k < n and text[k].isalpha():
        k += 1
    return text[j:k]
