"""Turn an inventory into reports: JSON (versioned schema), CSV, Markdown and a terminal table."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from importlib import resources
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from citecheck import __version__
from citecheck.model import PLACEHOLDER, SOURCED, UNSOURCED, Inventory, Link
from citecheck.urls import REASONS

SCHEMA_VERSION = "1.0"


def schema() -> dict[str, Any]:
    """The JSON Schema that `to_json` output follows."""
    text = resources.files("citecheck").joinpath("resources/schema/scan-v1.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


def redact(url: str | None) -> str | None:
    """Hide credentials written into a URL (`user:pass@`) so no report leaks them."""
    if not url or "@" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.netloc or "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, "***@" + host, parts.path, parts.query, parts.fragment))


_CREDENTIALS = re.compile(r"(?<=://)[^/\s@]+@")


def redact_text(text: str) -> str:
    """Hide credentials of any URL written inside free text (link labels, claims, titles)."""
    return _CREDENTIALS.sub("***@", text) if "@" in text else text


def summary(inv: Inventory) -> dict[str, int]:
    statuses = [c.status for c in inv.claims]
    return {
        "documents": len(inv.documents),
        "links": len(inv.links),
        "placeholders": sum(1 for k in inv.links if k.placeholder is not None),
        "claims": len(inv.claims),
        "sourced": statuses.count(SOURCED),
        "placeholder_sourced": statuses.count(PLACEHOLDER),
        "unsourced": statuses.count(UNSOURCED),
        "problems": len(inv.problems),
        "errors": len(inv.errors),
    }


def link_dict(link: Link) -> dict[str, Any]:
    return {
        "id": link.id,
        "document": link.document,
        "line": link.line,
        "column": link.column,
        "raw": redact(link.raw) or "",
        "url": redact(link.url),
        "text": redact_text(link.text),
        "kind": link.kind,
        "placeholder": link.placeholder,
        "reason": REASONS.get(link.placeholder) if link.placeholder else None,
        "in_code": link.in_code,
        "check": None,
        "archive": None,
    }


def to_dict(inv: Inventory) -> dict[str, Any]:
    counts: dict[str, list[int]] = {d.path: [0, 0] for d in inv.documents}
    for link in inv.links:
        counts[link.document][0] += 1
    for claim in inv.claims:
        counts[claim.document][1] += 1
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "citecheck", "version": __version__},
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "documents": [
            {
                "path": d.path,
                "format": d.format,
                "title": redact_text(d.title) if d.title else None,
                "date": d.date,
                "encoding": d.encoding,
                "links": counts[d.path][0],
                "claims": counts[d.path][1],
            }
            for d in inv.documents
        ],
        "links": [link_dict(link) for link in inv.links],
        "claims": [
            {
                "id": c.id,
                "document": c.document,
                "line": c.line,
                "column": c.column,
                "text": redact_text(c.text),
                "kinds": c.kinds,
                "score": c.score,
                "citations": c.citations,
                "status": c.status,
                "locations": [
                    {"document": loc.document, "line": loc.line, "column": loc.column}
                    for loc in c.locations
                ],
            }
            for c in inv.claims
        ],
        "problems": [
            {"document": p.document, "kind": p.kind, "line": p.line, "message": p.message}
            for p in inv.problems
        ],
        "errors": [{"path": e.path, "message": e.message} for e in inv.errors],
        "summary": summary(inv),
    }


def to_json(inv: Inventory) -> str:
    return json.dumps(to_dict(inv), ensure_ascii=False, indent=2) + "\n"


CSV_FIELDS = ("type", "id", "document", "line", "column", "kind", "url", "raw", "text", "problem")


def to_csv(inv: Inventory) -> str:
    """One row per link and per claim, so a spreadsheet can sort and filter both."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_FIELDS)
    for k in inv.links:
        w.writerow(
            (
                "link",
                k.id,
                k.document,
                k.line,
                k.column,
                k.kind,
                redact(k.url) or "",
                redact(k.raw) or "",
                redact_text(k.text),
                k.placeholder or "",
            )
        )
    for c in inv.claims:
        w.writerow(
            (
                "claim",
                c.id,
                c.document,
                c.line,
                c.column,
                " ".join(c.kinds),
                " ".join(c.citations),
                "",
                redact_text(c.text),
                "" if c.status == SOURCED else c.status,
            )
        )
    return buf.getvalue()


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def to_markdown(inv: Inventory) -> str:
    s = summary(inv)
    out = [
        "# citecheck scan",
        "",
        f"{s['documents']} documents, {s['links']} links ({s['placeholders']} placeholders or "
        f"broken), {s['claims']} claims ({s['unsourced']} unsourced, "
        f"{s['placeholder_sourced']} sourced only by placeholders).",
        "",
    ]
    for e in inv.errors:
        out.append(f"- **Not scanned:** `{e.path}`: {e.message}")
    for p in inv.problems:
        out.append(f"- **Text problem:** `{p.document}:{p.line}`: {_md_cell(p.message)}")
    if inv.errors or inv.problems:
        out.append("")
    out += ["## Links", "", "| Where | Kind | Target | Problem |", "|---|---|---|---|"]
    for k in inv.links:
        target = redact(k.url) or redact(k.raw) or "(empty)"
        problem = REASONS.get(k.placeholder, "") if k.placeholder else ""
        out.append(
            f"| {_md_cell(k.document)}:{k.line}:{k.column} | {k.kind} | "
            f"{_md_cell(target)} | {_md_cell(problem)} |"
        )
    out += ["", "## Claims", "", "| Where | Status | Kinds | Claim |", "|---|---|---|---|"]
    for c in inv.claims:
        out.append(
            f"| {_md_cell(c.document)}:{c.line} | {c.status} | {', '.join(c.kinds)} | "
            f"{_md_cell(redact_text(c.text))} |"
        )
    return "\n".join(out) + "\n"
