"""Items of a list of sources ("References", "Relevant articles:") are not claims; their links
are still listed."""

from __future__ import annotations

from pathlib import Path

import pytest

from citecheck.scan import scan

ITEM = (
    "Unemployment fell to 3.5% in 2019, the lowest rate in 50 years, "
    "[the bureau reported](https://stats.example.org/unemployment-2019)."
)


def _claim_lines(tmp_path: Path, text: str) -> tuple[list[int], int]:
    doc = tmp_path / "draft.md"
    doc.write_text(text, encoding="utf-8")
    inv = scan([doc])
    assert not inv.errors
    return sorted(c.line for c in inv.claims), len(inv.links)


@pytest.mark.parametrize(
    "head",
    ["## References", "Relevant articles:", "### Further reading", "Sources", "**See also:**"],
)
def test_items_under_a_sources_heading_are_not_claims(tmp_path: Path, head: str) -> None:
    text = f"{ITEM}\n\n{head}\n\n- {ITEM}\n- {ITEM.replace('2019', '2018')}\n"
    lines, links = _claim_lines(tmp_path, text)
    assert lines == [1]  # the body's sentence only
    assert links == 3  # every reference's link is still listed (and checked)


def test_other_lists_keep_their_claims(tmp_path: Path) -> None:
    text = f"## What we found\n\n- {ITEM}\n- {ITEM.replace('2019', '2018')}\n"
    lines, _ = _claim_lines(tmp_path, text)
    assert lines == [3, 4]


def test_the_next_paragraph_ends_the_list_of_sources(tmp_path: Path) -> None:
    text = f"References:\n\n- {ITEM}\n\n{ITEM.replace('2019', '2017')}\n\n- {ITEM}\n"
    lines, _ = _claim_lines(tmp_path, text)
    assert lines == [5, 7]
