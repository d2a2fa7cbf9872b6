"""What the window has open: the inventory, the checks and archives known for it, and exports."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from citecheck import report
from citecheck import verdict as V
from citecheck.model import PLACEHOLDER as CLAIM_PLACEHOLDER
from citecheck.model import UNSOURCED, Claim, Document, Inventory, Link
from citecheck.verdict import Archive, Check

from .appearance import RANK, UNCHECKED

# Filter toggles, in the filter bar's order, with the verdicts each one stands for.
TOGGLES = ("dead", "placeholder", "soft-404", "blocked", "not-archived", "ok", "unsourced")
TOGGLE_LABELS = {
    "dead": "Dead",
    "placeholder": "Placeholder",
    "soft-404": "Soft 404",
    "blocked": "Blocked",
    "not-archived": "Not archived",
    "ok": "OK",
    "unsourced": "Unsourced",
}
_TOGGLE_OF = {
    V.DEAD: "dead",
    V.UNREACHABLE: "dead",
    V.PLACEHOLDER: "placeholder",
    V.SOFT_404: "soft-404",
    V.BLOCKED: "blocked",
    V.OK: "ok",
}
# Verdicts counted as "dead" in the document list and the domain ranking.
DEAD_LIKE = (V.DEAD, V.UNREACHABLE)

EXPORTS = {
    "JSON": ("json", "JSON report (*.json)"),
    "CSV": ("csv", "CSV spreadsheet (*.csv)"),
    "Markdown": ("md", "Markdown report (*.md)"),
    "JUnit": ("xml", "JUnit XML (*.xml)"),
    "BibTeX": ("bib", "BibTeX bibliography (*.bib)"),
    "BibLaTeX": ("bib", "BibLaTeX bibliography (*.bib)"),
    "CSL-JSON": ("json", "CSL-JSON bibliography (*.json)"),
    "RIS": ("ris", "RIS bibliography (*.ris)"),
}
# Bibliography exports, with the core's name for each format.
BIBLIOGRAPHIES = {"BibTeX": "bibtex", "BibLaTeX": "biblatex", "CSL-JSON": "csl-json", "RIS": "ris"}


@dataclass(slots=True)
class Session:
    """One open set of documents and everything known about their links."""

    inventory: Inventory = field(default_factory=Inventory)
    checks: dict[str, Check] = field(default_factory=dict)
    archives: dict[str, Archive] = field(default_factory=dict)
    reviewed: set[str] = field(default_factory=set)
    stored: set[str] = field(default_factory=set)  # documents shown from the project: not found
    links_by_id: dict[str, Link] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.links_by_id = {link.id: link for link in self.inventory.links}

    @property
    def documents(self) -> list[Document]:
        return self.inventory.documents

    def document(self, path: str | None) -> Document | None:
        return next((d for d in self.inventory.documents if d.path == path), None)

    def verdict(self, link: Link) -> str:
        if link.placeholder is not None:
            return V.PLACEHOLDER
        check = self.checks.get(link.url or "")
        return check.verdict if check is not None else UNCHECKED

    def check(self, link: Link) -> Check | None:
        return self.checks.get(link.url or "")

    def archive(self, link: Link) -> Archive | None:
        return self.archives.get(link.url or "")

    def cited(self, link: Link) -> date | None:
        """The date of the document citing `link` (what "closest capture" is measured from)."""
        doc = self.document(link.document)
        try:
            return date.fromisoformat((doc.date or "")[:10]) if doc else None
        except ValueError:
            return None

    def categories(self, link: Link) -> set[str]:
        """The filter toggles this link answers to."""
        out = set()
        verdict = self.verdict(link)
        if verdict in _TOGGLE_OF:
            out.add(_TOGGLE_OF[verdict])
        fetchable = (link.url or "").startswith(("http://", "https://"))
        if link.placeholder is None and fetchable:
            archive = self.archive(link)
            never = archive is not None and archive.snapshot_count == 0 and not archive.saved
            if archive is None or (never and archive.error is None):
                out.add("not-archived")
        return out

    def sources(self, claim: Claim) -> list[Link]:
        return [self.links_by_id[i] for i in claim.citations if i in self.links_by_id]

    def claim_verdict(self, claim: Claim) -> str:
        """The worst verdict among a claim's sources; "unsourced" when it has none."""
        verdicts = [self.verdict(link) for link in self.sources(claim)]
        if not verdicts:
            return UNSOURCED
        return min(verdicts, key=lambda v: RANK.get(v, 0))

    def claim_categories(self, claim: Claim) -> set[str]:
        out: set[str] = set()
        for link in self.sources(claim):
            out |= self.categories(link)
        if claim.status == UNSOURCED:
            out.add("unsourced")
        if claim.status == CLAIM_PLACEHOLDER:
            out.add("placeholder")
        return out

    def links_of(self, document: str | None) -> list[Link]:
        links = self.inventory.links
        return links if document is None else [k for k in links if k.document == document]

    def claims_of(self, document: str | None) -> list[Claim]:
        claims = self.inventory.claims
        return claims if document is None else [c for c in claims if c.document == document]

    def counts(self, document: str | None) -> dict[str, int]:
        """Links, dead, placeholders and unsourced claims of one document (None: all)."""
        links = self.links_of(document)
        verdicts = Counter(self.verdict(k) for k in links)
        return {
            "links": len(links),
            "dead": sum(verdicts[v] for v in DEAD_LIKE),
            "placeholders": verdicts[V.PLACEHOLDER],
            "unsourced": sum(1 for c in self.claims_of(document) if c.status == UNSOURCED),
        }

    def counts_by_document(self) -> dict[str | None, dict[str, int]]:
        """`counts()` of every document and of all of them (None), in one pass over the links."""
        keys = ("links", "dead", "placeholders", "unsourced")
        out: dict[str | None, dict[str, int]] = {None: dict.fromkeys(keys, 0)}
        for doc in self.inventory.documents:
            out[doc.path] = dict.fromkeys(keys, 0)
        checks, dead_like = self.checks, DEAD_LIKE
        for link in self.inventory.links:
            if link.placeholder is not None:
                key = "placeholders"
            else:
                check = checks.get(link.url or "")
                key = "dead" if check is not None and check.verdict in dead_like else ""
            for counts in (out[None], out.get(link.document)):
                if counts is not None:
                    counts["links"] += 1
                    if key:
                        counts[key] += 1
        for claim in self.inventory.claims:
            if claim.status == UNSOURCED:
                for counts in (out[None], out.get(claim.document)):
                    if counts is not None:
                        counts["unsourced"] += 1
        return out

    def verdict_counts(self, document: str | None) -> Counter[str]:
        return Counter(self.verdict(k) for k in self.links_of(document))

    def worst_domains(self, document: str | None, limit: int = 10) -> list[tuple[str, int, int]]:
        """Hosts with the most dead or blocked links: (host, dead, blocked), worst first."""
        dead: Counter[str] = Counter()
        blocked: Counter[str] = Counter()
        for link in self.links_of(document):
            verdict = self.verdict(link)
            if verdict not in (*DEAD_LIKE, V.SOFT_404, V.BLOCKED) or not link.url:
                continue
            host = (urlsplit(link.url).hostname or "").removeprefix("www.")
            (blocked if verdict == V.BLOCKED else dead)[host] += 1
        hosts = set(dead) | set(blocked)
        ranked = sorted(hosts, key=lambda h: (-(dead[h] + blocked[h]), -dead[h], h))
        return [(h, dead[h], blocked[h]) for h in ranked[:limit]]

    def merge(self, checks: dict[str, Check], archives: dict[str, Archive]) -> None:
        self.checks.update(checks)
        self.archives.update(archives)

    def results(self) -> Any:
        """The core's Results for this session, or None while the check engine is not installed."""
        try:
            from citecheck.check import Results
        except ImportError:
            return None
        if not self.checks and not self.archives:
            return None
        return Results(checks=dict(self.checks), archives=dict(self.archives))

    def bibliography(self, to: str) -> str:
        """The bibliography from what the window knows, without fetching anything.

        Titles, authors and dates come from the documents' own text where they give them;
        each entry's URL, access date, verdict and archived copy from the checks and archives
        the window has (none before a check).
        """
        from citecheck.bibliography import build
        from citecheck.export import export

        return export(build(self.inventory, self.results(), {}), to)

    def render(self, fmt: str) -> str:
        """The report or bibliography in one of EXPORTS, as the CLI writes it."""
        results = self.results()
        if fmt == "JSON":
            return report.to_json(self.inventory, results)
        if fmt == "CSV":
            return report.to_csv(self.inventory, results)
        if fmt == "Markdown":
            return report.to_markdown(self.inventory, results)
        if fmt == "JUnit":
            if results is None:
                from citecheck.check import Results

                results = Results()
            return report.to_junit(self.inventory, results, V.FAILING)
        if fmt in BIBLIOGRAPHIES:
            return self.bibliography(BIBLIOGRAPHIES[fmt])
        raise ValueError(f"unknown export format {fmt!r}")
