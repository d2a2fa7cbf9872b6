"""Find check-worthy claims: split prose into sentences, tell their kinds, score them."""

from citecheck.claims.kinds import claim_kinds
from citecheck.claims.scoring import CHECKWORTHY_THRESHOLD, is_checkworthy, score_sentences
from citecheck.claims.sentences import split_sentences

__all__ = [
    "CHECKWORTHY_THRESHOLD",
    "claim_kinds",
    "is_checkworthy",
    "score_sentences",
    "split_sentences",
]
