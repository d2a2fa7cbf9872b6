"""Tell what kind of claim a sentence makes: figures, quotations, attributions, dates, ..."""

from __future__ import annotations

import re

from citecheck.model import CLAIM_KINDS

__all__ = ["claim_kinds"]

# Most triggers are plain words, looked up in sets: one pass of a simple regex over a sentence is
# many times faster than long alternations of words, which `re` tries at every position.
_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


class _Phrases:
    """Phrases of several words, looked for only when their first word is in the sentence."""

    def __init__(self, text: str) -> None:
        self.by_first: dict[str, list[str]] = {}
        for phrase in (p.split() for p in text.split(",")):
            if phrase:
                # Padded so that `in` only matches whole words of the joined, lowercased tokens.
                self.by_first.setdefault(phrase[0], []).append(f" {' '.join(phrase)} ")
        self.first = frozenset(self.by_first)

    def search(self, words: frozenset[str], joined: str) -> bool:
        if words.isdisjoint(self.first):
            return False
        return any(p in joined for w in words & self.first for p in self.by_first[w])


def _phrases(text: str) -> _Phrases:
    return _Phrases(text)


_MONTH_WORDS = _words(
    """
    january february march april june july august september october november december
    """
)
_NUMBER_WORDS = _words(
    """
    two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred hundreds thousand thousands million millions billion billions trillion trillions
    dozen dozens half halved twice double doubled triple tripled quadrupled percent
    """
)
_NUMBER_PHRASES = _phrases("one third, one quarter, one fifth, one tenth, one in, per cent")

# A number written in digits that stands alone: not part of a name ("COVID-19", "G7"), a date
# ("28/03/2025") or a clock time ("7p.m."). Years and day numbers are told apart afterwards.
_DIGITS = re.compile(r"(?<![\w/\-:.,])\d+(?:,\d{3})*(?:\.\d+)?(?![\w/:]|[.,]\d|-\w)")
_AMOUNT = re.compile(
    r"[$€£¥]\s?\d|\d\s?%|\d(?:\.\d+)?\s?(?:k|m|bn|km|kg|mph|million|billion|trillion)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?:1[5-9]|20)\d\d$")
_MONTH_BEFORE = re.compile(
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)\s*$"
)

# Quoted speech needs at least this many words between the quotes: one or two words in quotes
# are scare quotes or titles ("Batka", "technical problem") and do not count.
_QUOTED_WORDS = 3
_CURLY_QUOTE = re.compile(r"“([^“”]*)(?:”|$)")

_ATTRIBUTION_WORDS = _words(
    """
    said says saying told tells stated reported reportedly announced announce announces
    announcement claimed declared declare declares wrote writes added explained insisted argued
    noted warned admitted confirmed denied estimated testified alleged allegedly asserted
    acknowledged revealed quoted speculated predicted promised pledged vowed
    """
)
_ATTRIBUTION_PHRASES = _phrases(
    """
    according to, states that, claims that, reports that, reports say, in a statement,
    in an interview, in a report, study shows, study found, studies show, survey found,
    poll found, data show, data shows, figures show, report found
    """
)

_TEMPORAL_WORDS = _MONTH_WORDS | _words(
    """
    jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday
    saturday sunday yesterday decade decades century centuries ago
    """
)
# "last year", "next week": both words must be there, and then next to each other.
_WHEN_WORDS = _words("last next this past previous coming")
_PERIOD_WORDS = _words(
    """
    year years month months week weeks decade decades century summer winter spring autumn fall
    quarter night term
    """
)
_WHEN_PERIOD = re.compile(
    r"\b(?:last|next|this|past|previous|coming)\s+(?:year|month|week|decade|century|summer"
    r"|winter|spring|autumn|fall|quarter|night|term)"
)
_TEMPORAL_DIGITS = re.compile(
    r"""
    (?<![\d,.])(?:1[5-9]|20)\d\d(?:s|'s)?\b(?![,.]?\d)
  | '\d0s\b
  | \b\d{1,2}/\d{1,2}/\d{2,4}\b | \b\d{4}-\d\d-\d\d\b
  | \b\d{1,2}(?::\d\d)?\s?[ap]\.?m\b
    """,
    re.VERBOSE | re.IGNORECASE,
)
# "May" is a month only with a day, a year or a preposition; otherwise it is the modal verb.
_MAY = re.compile(r"\bMay\s+\d|\b(?:in|of|since|until|by|early|late|mid|last|next|this)\s+May\b")

_COMPARISON_WORDS = _words(
    """
    than more less fewer most least greater higher lower larger smaller bigger better worse best
    worst first only record increase increased increases decrease decreased decreases rose risen
    rising fell fallen falling grew grown growing decline declined declines dropped doubled
    tripled halved top ranked outnumber outnumbered majority minority exceed exceeded surpassed
    highest lowest largest smallest faster slower stronger weaker cheaper richer poorer
    older younger longer shorter fewest
    """
)
_COMPARISON_PHRASES = _phrases("compared to, compared with, as many as, as much as")
# Words ending in "-est" that are not superlatives.
_NOT_SUPERLATIVE = _words(
    """
    interest honest dishonest forest protest request suggest test west rest guest modest earnest
    harvest contest arrest invest digest manifest conquest quest chest nest pest vest lest
    priest unrest attest detest inquest behest midwest northwest southwest congest ingest
    infest divest pretest retest crest zest jest arbalest everest bequest budapest bucharest
    tempest molest wrest
    """
)
_SUPERLATIVE = re.compile(r"[a-z]{2,}est\b")

_CAUSAL_WORDS = _words(
    """
    because therefore thus hence consequently accordingly triggered prompted cause caused causes
    causing blame blamed
    """
)
_CAUSAL_PHRASES = _phrases(
    """
    due to, owing to, thanks to, led to, lead to, leads to, leading to, as a result,
    as a consequence, result in, results in, resulted in, resulting in, in response to,
    in retaliation, in response, so that, in order to, contributed to, responsible for, driven by,
    that s why, which is why, the reason, reason for, reasons for, reason why
    """
)


def claim_kinds(sentence: str) -> list[str]:
    """Return the claim kinds (see `CLAIM_KINDS`) that apply to `sentence`, in that order."""
    low = sentence.lower()
    tokens = _WORD.findall(low)
    words = frozenset(tokens)
    joined = f" {' '.join(tokens)} "
    digits = _DIGIT.search(sentence) is not None
    found = {
        "quantity": (
            not words.isdisjoint(_NUMBER_WORDS)
            or _NUMBER_PHRASES.search(words, joined)
            or digits
            and _has_amount(sentence)
        ),
        "quotation": _has_quotation(sentence),
        "attribution": (
            not words.isdisjoint(_ATTRIBUTION_WORDS) or _ATTRIBUTION_PHRASES.search(words, joined)
        ),
        "temporal": (
            not words.isdisjoint(_TEMPORAL_WORDS)
            or not words.isdisjoint(_WHEN_WORDS)
            and not words.isdisjoint(_PERIOD_WORDS)
            and _WHEN_PERIOD.search(low) is not None
            or digits
            and _TEMPORAL_DIGITS.search(sentence) is not None
            or "may" in words
            and _MAY.search(sentence) is not None
        ),
        "comparison": (
            not words.isdisjoint(_COMPARISON_WORDS)
            or _COMPARISON_PHRASES.search(words, joined)
            or "est" in low
            and any(m.group() not in _NOT_SUPERLATIVE for m in _SUPERLATIVE.finditer(low))
        ),
        "causal": (not words.isdisjoint(_CAUSAL_WORDS) or _CAUSAL_PHRASES.search(words, joined)),
    }
    return [kind for kind in CLAIM_KINDS if found[kind]]


_DIGIT = re.compile(r"\d")


def _has_amount(sentence: str) -> bool:
    if _AMOUNT.search(sentence):
        return True
    for m in _DIGITS.finditer(sentence):
        number = m.group()
        if _YEAR.match(number):
            continue  # "in 2020" is a date, not an amount
        if len(number) <= 2 and _MONTH_BEFORE.search(sentence, 0, m.start()):
            continue  # "September 23"
        return True
    return False


def _has_quotation(sentence: str) -> bool:
    if '"' in sentence:
        # Straight quotes open and close alike: every other piece lies inside quotes (a last,
        # unclosed piece too, for a quotation that runs over several sentences).
        if any(len(piece.split()) >= _QUOTED_WORDS for piece in sentence.split('"')[1::2]):
            return True
    if "”" in sentence or "“" in sentence:
        head = sentence.split("“", 1)[0]
        if "”" in head and len(head.split("”", 1)[0].split()) >= _QUOTED_WORDS:
            return True  # the end of a quotation opened in an earlier sentence
        for m in _CURLY_QUOTE.finditer(sentence):
            if len(m.group(1).split()) >= _QUOTED_WORDS:
                return True
    return False
