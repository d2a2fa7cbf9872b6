"""Claim kinds: each kind found where it applies and not where it does not."""

from __future__ import annotations

import pytest

from citecheck.claims import claim_kinds
from citecheck.model import CLAIM_KINDS


@pytest.mark.parametrize(
    ("kind", "sentence"),
    [
        ("quantity", "The Ministry website was shut down for 18 days."),
        ("quantity", "Some 300 CEOs threatened to leave."),
        ("quantity", "He claimed an 80% share of the vote."),
        ("quantity", "The bill would cost $1.5 trillion."),
        ("quantity", "A team of forty volunteers built it."),
        ("quantity", "Unemployment fell to 3.5 percent."),
        ("quotation", 'He said "we will not forget, we will not forgive" at the rally.'),
        ("quotation", "The slogan “We will not forget, we will not forgive” is everywhere."),
        ("quotation", '"Volunteers ended up in detention."'),
        ("attribution", "The minister said the site was never hacked."),
        ("attribution", "According to the police, nobody was hurt."),
        ("attribution", "The Ministry officially declared it a technical problem."),
        ("attribution", "Lukashenko has repeatedly stated that it is a psychosis."),
        ("temporal", "The tyrant was toppled back in 1989."),
        ("temporal", "After the inauguration on September 23, people took to the streets."),
        ("temporal", "Things kicked off in May 2020."),
        ("temporal", "Prices rose last year."),
        ("comparison", "Turnout was higher than in any earlier election."),
        ("comparison", "It is the largest protest in the country's history."),
        ("comparison", "Belarus was the first country to do so."),
        ("comparison", "More people voted for her."),
        ("causal", "The site went down because of the attack."),
        ("causal", "The crackdown led to a massive brain drain."),
        ("causal", "In response, the regime shut off the Internet."),
        ("causal", "Flights were cancelled due to the storm."),
    ],
)
def test_kind_found(kind: str, sentence: str) -> None:
    assert kind in claim_kinds(sentence)


@pytest.mark.parametrize(
    ("kind", "sentence"),
    [
        ("quantity", "COVID-19 played a crucial role in the crisis."),
        ("quantity", "Things kicked off in May 2020."),
        ("quantity", "After the inauguration on September 23, people took to the streets."),
        ("quantity", "The Internet was shut off at 7p.m. every day."),
        ("quotation", 'They call him "Batka" in the villages.'),
        ("quotation", 'It was just a "technical problem", they said.'),
        ("quotation", "They feel that the “rules” are imposed by the authorities."),
        ("attribution", "We went to the park and played chess."),
        ("attribution", "The United States is a large country."),
        ("temporal", "It may rain, but we will go anyway."),
        ("temporal", "We have 1,500 members."),
        ("comparison", "The protest was honest and modest."),
        ("comparison", "They made a request to the interest group."),
        ("causal", "Since then we have lived here quietly."),
        ("causal", "The residue tour was fun."),
    ],
)
def test_kind_not_found(kind: str, sentence: str) -> None:
    assert kind not in claim_kinds(sentence)


def test_kinds_come_in_the_declared_order() -> None:
    kinds = claim_kinds(
        'Because of the war, the minister said "prices will rise much faster" by 40% in 2022.'
    )
    assert kinds == list(CLAIM_KINDS)


def test_chit_chat_has_no_kind() -> None:
    assert claim_kinds("Thank you all for coming tonight.") == []
    assert claim_kinds("") == []
