"""The scan report as tables for a terminal (rich)."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from citecheck.model import SOURCED, Inventory
from citecheck.report import problem_words, redact, redact_text, summary

if TYPE_CHECKING:
    from citecheck.check import Results

_STATUS_STYLE = {"sourced": "green", "placeholder": "yellow", "unsourced": "red"}
_VERDICT_STYLE = {
    "ok": "green",
    "redirected": "cyan",
    "dead": "bold red",
    "soft-404": "red",
    "blocked": "magenta",
    "timeout": "yellow",
    "unreachable": "red",
    "placeholder": "yellow",
    "invalid": "red",
}


def print_table(inv: Inventory, file: TextIO | None, results: Results | None = None) -> None:
    """Links, then claims, then a one-line summary; plain text when `file` is not a terminal."""
    console = Console(
        file=file,
        width=160 if file is not None else None,
        no_color=file is not None,
        highlight=False,
    )
    for p in inv.problems:
        console.print(
            Text("text problem ", style="yellow") + Text(f"{p.document}:{p.line}: {p.message}")
        )
    if inv.links:
        t = Table(title="Links", show_lines=False, expand=False)
        t.add_column("Where", no_wrap=True)
        t.add_column("Verdict" if results is not None else "Kind")
        t.add_column("Target", overflow="fold")
        t.add_column("Problem", style="yellow", overflow="fold")
        if results is not None:
            t.add_column("Archived", overflow="fold")
        for k in inv.links:
            target = redact(k.url) or redact(k.raw) or "(empty)"
            cells = [Text(f"{k.document}:{k.line}:{k.column}")]
            if results is None:
                cells.append(Text(k.kind))
            else:
                verdict = results.verdict(k)
                cells.append(Text(verdict, style=_VERDICT_STYLE.get(verdict, "")))
            cells += [Text(target), Text(problem_words(k, results))]
            if results is not None:
                archive = results.archives.get(k.url or "")
                cells.append(
                    Text(archive.closest.timestamp[:8] if archive and archive.closest else "")
                )
            t.add_row(*cells)
        console.print(t)
    if inv.claims:
        t = Table(title="Claims", expand=False)
        t.add_column("Where", no_wrap=True)
        t.add_column("Status")
        t.add_column("Kinds")
        t.add_column("Claim", overflow="fold", max_width=90)
        t.add_column("Sources")
        for c in inv.claims:
            style = _STATUS_STYLE.get(c.status, "")
            where = f"{c.document}:{c.line}"
            if len(c.locations) > 1:
                where += f" (+{len(c.locations) - 1})"
            t.add_row(
                Text(where),
                Text(c.status, style=style if c.status != SOURCED else ""),
                ", ".join(c.kinds),
                Text(redact_text(c.text)),
                " ".join(c.citations),
            )
        console.print(t)
    s = summary(inv, results)
    console.print(
        f"{s['documents']} document(s): {s['links']} links, {s['placeholders']} placeholder or "
        f"broken; {s['claims']} claims, {s['unsourced']} unsourced, "
        f"{s['placeholder_sourced']} sourced only by placeholders"
        + (f"; {s['errors']} not scanned" if s["errors"] else "")
    )
    if results is not None:
        console.print(
            "Verdicts: "
            + ", ".join(f"{n} {v}" for v, n in sorted(s["verdicts"].items()))
            + (" (cancelled: some links were not checked)" if results.cancelled else "")
        )
