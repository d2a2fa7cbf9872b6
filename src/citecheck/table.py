"""The scan report as tables for a terminal (rich)."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from citecheck.model import SOURCED, Inventory
from citecheck.report import redact, redact_text, summary
from citecheck.urls import REASONS

_STATUS_STYLE = {"sourced": "green", "placeholder": "yellow", "unsourced": "red"}


def print_table(inv: Inventory, file: TextIO | None) -> None:
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
        t.add_column("Kind")
        t.add_column("Target", overflow="fold")
        t.add_column("Problem", style="yellow")
        for k in inv.links:
            target = redact(k.url) or redact(k.raw) or "(empty)"
            problem = REASONS.get(k.placeholder, k.placeholder) if k.placeholder else ""
            t.add_row(
                Text(f"{k.document}:{k.line}:{k.column}"), k.kind, Text(target), Text(problem)
            )
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
    s = summary(inv)
    console.print(
        f"{s['documents']} document(s): {s['links']} links, {s['placeholders']} placeholder or "
        f"broken; {s['claims']} claims, {s['unsourced']} unsourced, "
        f"{s['placeholder_sourced']} sourced only by placeholders"
        + (f"; {s['errors']} not scanned" if s["errors"] else "")
    )
