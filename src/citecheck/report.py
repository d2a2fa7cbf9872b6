"""Turn an inventory into reports: JSON (versioned schema), CSV, Markdown and a terminal table."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import orjson

from citecheck import __version__
from citecheck.model import PLACEHOLDER, SOURCED, UNSOURCED, Inventory, Link
from citecheck.urls import REASONS
from citecheck.verdict import PLACEHOLDER as PLACEHOLDER_VERDICT
from citecheck.verdict import WORDS, Archive, Check

if TYPE_CHECKING:
    from citecheck.check import Results

SCHEMA_VERSION = "1.1"


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


def summary(inv: Inventory, results: Results | None = None) -> dict[str, Any]:
    statuses = [c.status for c in inv.claims]
    counts: dict[str, Any] = {
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
    if results is not None:
        verdicts: dict[str, int] = {}
        for link in inv.links:
            v = results.verdict(link)
            verdicts[v] = verdicts.get(v, 0) + 1
        counts["verdicts"] = verdicts
    return counts


def check_dict(check: Check | None, link: Link) -> dict[str, Any] | None:
    if link.placeholder is not None:
        check = Check(link.raw, PLACEHOLDER_VERDICT, error=REASONS.get(link.placeholder))
    if check is None:
        return None
    return {
        "verdict": check.verdict,
        "http_status": check.http_status,
        "final_url": redact(check.final_url),
        "redirects": [{"status": r.status, "url": redact(r.url)} for r in check.redirects],
        "content_type": check.content_type,
        "title": redact_text(check.title) if check.title else None,
        "error": redact_text(check.error) if check.error else None,
        "elapsed": round(check.elapsed, 3),
        "attempts": check.attempts,
        "checked_at": check.checked_at or None,
        "from_cache": check.from_cache,
        "first_failure": check.first_failure,
        "last_failure": check.last_failure,
    }


def archive_dict(archive: Archive | None) -> dict[str, Any] | None:
    if archive is None:
        return None
    return {
        "snapshot_count": archive.snapshot_count,
        "closest_url": archive.closest.url if archive.closest else None,
        "closest_timestamp": archive.closest.timestamp if archive.closest else None,
        "first_timestamp": archive.first.timestamp if archive.first else None,
        "last_timestamp": archive.last.timestamp if archive.last else None,
        "saved": archive.saved.url if archive.saved else None,
        "save_error": archive.save_error,
        "count_capped": archive.count_capped,
        "error": archive.error,
    }


def link_dict(link: Link, results: Results | None = None) -> dict[str, Any]:
    check = archive = None
    if results is not None:
        check = check_dict(results.checks.get(link.url or ""), link)
        archive = archive_dict(results.archives.get(link.url or ""))
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
        "check": check,
        "archive": archive,
    }


def to_dict(inv: Inventory, results: Results | None = None) -> dict[str, Any]:
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
        "links": [link_dict(link, results) for link in inv.links],
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
        "summary": summary(inv, results),
    }


def to_json(inv: Inventory, results: Results | None = None) -> str:
    # orjson: the standard library's encoder falls back to pure Python when indenting, and
    # took 0.3 s for a 2,000-link report; this takes a hundredth of that.
    return orjson.dumps(to_dict(inv, results), option=orjson.OPT_INDENT_2).decode() + "\n"


CSV_FIELDS = ("type", "id", "document", "line", "column", "kind", "url", "raw", "text", "problem")
CHECK_CSV_FIELDS = ("verdict", "http_status", "final_url", "archived_url", "detail")


def problem_words(link: Link, results: Results | None) -> str:
    """The words for what is wrong with a link: its placeholder reason or its verdict."""
    if link.placeholder:
        return REASONS.get(link.placeholder, link.placeholder)
    if results is None:
        return ""
    check = results.checks.get(link.url or "")
    if check is None or check.verdict in ("ok", "skipped"):
        return check.error or "" if check is not None else ""
    return WORDS.get(check.verdict, check.verdict) + (f" ({check.error})" if check.error else "")


def to_csv(inv: Inventory, results: Results | None = None) -> str:
    """One row per link and per claim, so a spreadsheet can sort and filter both.

    Cells that a spreadsheet would run as a formula (=, +, -, @ first) get a leading quote.
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    extra = CHECK_CSV_FIELDS if results is not None else ()
    w.writerow(CSV_FIELDS + extra)
    for k in inv.links:
        row: list[Any] = [
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
        ]
        if results is not None:
            check = results.checks.get(k.url or "")
            archive = results.archives.get(k.url or "")
            row += [
                results.verdict(k),
                check.http_status if check and check.http_status is not None else "",
                redact(check.final_url) or "" if check else "",
                archive.closest.url if archive and archive.closest else "",
                problem_words(k, results),
            ]
        w.writerow([_safe_cell(v) for v in row])
    for c in inv.claims:
        row = [
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
        ]
        w.writerow([_safe_cell(v) for v in row] + [""] * len(extra))
    return buf.getvalue()


def _safe_cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def to_markdown(inv: Inventory, results: Results | None = None) -> str:
    s = summary(inv, results)
    out = [
        "# citecheck " + ("check" if results is not None else "scan"),
        "",
        f"{s['documents']} documents, {s['links']} links ({s['placeholders']} placeholders or "
        f"broken), {s['claims']} claims ({s['unsourced']} unsourced, "
        f"{s['placeholder_sourced']} sourced only by placeholders).",
        "",
    ]
    if results is not None:
        counts = ", ".join(f"{n} {v}" for v, n in sorted(s["verdicts"].items()))
        out += [f"Verdicts: {counts}.", ""]
    for e in inv.errors:
        out.append(f"- **Not scanned:** `{e.path}`: {e.message}")
    for p in inv.problems:
        out.append(f"- **Text problem:** `{p.document}:{p.line}`: {_md_cell(p.message)}")
    if inv.errors or inv.problems:
        out.append("")
    if results is None:
        out += ["## Links", "", "| Where | Kind | Target | Problem |", "|---|---|---|---|"]
    else:
        out += [
            "## Links",
            "",
            "| Where | Verdict | Target | Problem | Archived copy |",
            "|---|---|---|---|---|",
        ]
    for k in inv.links:
        target = _md_cell(redact(k.url) or redact(k.raw) or "(empty)")
        problem = _md_cell(problem_words(k, results))
        where = f"{_md_cell(k.document)}:{k.line}:{k.column}"
        if results is None:
            out.append(f"| {where} | {k.kind} | {target} | {problem} |")
        else:
            archive = results.archives.get(k.url or "")
            copy = archive.closest.url if archive and archive.closest else ""
            out.append(f"| {where} | {results.verdict(k)} | {target} | {problem} | {copy} |")
    out += ["", "## Claims", "", "| Where | Status | Kinds | Claim |", "|---|---|---|---|"]
    for c in inv.claims:
        out.append(
            f"| {_md_cell(c.document)}:{c.line} | {c.status} | {', '.join(c.kinds)} | "
            f"{_md_cell(redact_text(c.text))} |"
        )
    return "\n".join(out) + "\n"


def to_junit(inv: Inventory, results: Results, fail_on: tuple[str, ...]) -> str:
    """JUnit XML for CI dashboards: a suite per document, a case per link."""
    from xml.etree import ElementTree as ET

    root = ET.Element("testsuites", name="citecheck")
    by_doc: dict[str, list[Link]] = {d.path: [] for d in inv.documents}
    for link in inv.links:
        by_doc.setdefault(link.document, []).append(link)
    for path, links in by_doc.items():
        suite = ET.SubElement(root, "testsuite", name=path, tests=str(len(links)))
        failures = 0
        for k in links:
            verdict = results.verdict(k)
            case = ET.SubElement(
                suite,
                "testcase",
                classname=path,
                name=f"{k.line}:{k.column} {redact(k.url) or redact(k.raw) or '(empty)'}",
            )
            if verdict in fail_on:
                failures += 1
                f = ET.SubElement(case, "failure", type=verdict, message=problem_words(k, results))
                f.text = f"{path}:{k.line}:{k.column}: {verdict}"
            elif verdict == "skipped":
                ET.SubElement(case, "skipped", message=problem_words(k, results) or "not checked")
        suite.set("failures", str(failures))
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
