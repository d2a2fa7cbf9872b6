"""BibTeX: url, doi and \\url{} targets of each entry, with the entry key as the link's text."""

from __future__ import annotations

from pathlib import Path

from citecheck.readers import read_document
from citecheck.readers.bibtex import parse_bibtex

BIB = r"""@comment{ https://not.a.link/ }
@string{ org = "UN" }
@article{smith2020,
  author = {Smith, J. and {Ng}, K.},
  title = "Rivers {and} dams",
  url = {https://www.example-journal.org/rivers\_2020},
  doi = {doi:10.1000/ABC.123},
}
@misc ( report2021 ,
  howpublished = {\url{https://www.un.org/water}},
  note = "See also \url{https://www.fao.org/x}" # { today},
  year = 2021 )
@online{arxiv, eprint = {2101.00001}, archivePrefix = {arXiv}}
@book{nourl, title = {A book}}
@broken{
"""


def test_every_target_an_entry_gives(tmp_path: Path) -> None:
    path = tmp_path / "refs.bib"
    path.write_text(BIB)
    doc, ex = read_document(path)
    assert doc.format == "bibtex"
    got = [(k.text, k.url, doc.text[k.offset : k.end]) for k in ex.links]
    assert got == [
        ("smith2020", "https://www.example-journal.org/rivers_2020",
         r"https://www.example-journal.org/rivers\_2020"),
        ("smith2020", "https://doi.org/10.1000/ABC.123", "doi:10.1000/ABC.123"),
        ("report2021", "https://www.un.org/water", "https://www.un.org/water"),
        ("report2021", "https://www.fao.org/x", "https://www.fao.org/x"),
        ("arxiv", "https://arxiv.org/abs/2101.00001", "2101.00001"),
    ]  # fmt: skip
    assert not ex.blocks  # a bibliography has no claims of its own


def test_parse_survives_damage() -> None:
    entries = parse_bibtex("@article{a, title = {unclosed\n@book{b, url = {https://x.org/}}")
    assert [e.key for e in entries] == ["a"]
    assert parse_bibtex("@@@ {{{ }}} @x") == []
