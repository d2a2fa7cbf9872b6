"""`citecheck export`: scan, check, read page metadata, then write a verified bibliography."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from citecheck.export import FORMATS
from citecheck.verdict import OK, REDIRECTED

if TYPE_CHECKING:
    from citecheck.check import CheckSettings, Results
    from citecheck.metadata import PageMetadata

EXIT_OK, EXIT_INPUT = 0, 2
_CACHE_VERSION = 1


def add_export_arguments(p: argparse.ArgumentParser) -> None:
    from citecheck.cli_check import add_check_arguments

    p.add_argument("paths", nargs="+", metavar="PATH", help="documents or folders")
    p.add_argument("--to", required=True, choices=FORMATS, help="the bibliography's format")
    p.add_argument(
        "--style",
        default="apa",
        metavar="NAME",
        help="CSL style for markdown and html: apa, chicago-author-date, … or a .csl file",
    )
    p.add_argument(
        "--verified-only",
        action="store_true",
        help="keep entries whose link works or has an archived copy; list the rest on stderr",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write the bibliography here")
    p.add_argument(
        "--include-code", action="store_true", help="also cite URLs inside code spans and blocks"
    )
    add_check_arguments(p)
    # An entry's archived copy is part of a bibliography, so every link is looked up (a week's
    # cache keeps that to one query per URL); claims are not needed.
    # scan_inputs() reads these document options; export keeps their defaults.
    p.set_defaults(
        archive="all", no_claims=True, fast_claims=False, max_size=None, whole_page=False
    )


def _cache_path(db: Path) -> Path:
    return db.with_name(db.name + ".pages.json")


def load_pages(path: Path, max_age: timedelta) -> dict[str, PageMetadata]:
    """Page metadata read by earlier runs and younger than `max_age`; {} when unreadable."""
    from citecheck.metadata import PageMetadata

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != _CACHE_VERSION:
        return {}
    now = datetime.now(UTC)
    out: dict[str, PageMetadata] = {}
    for url, row in (data.get("pages") or {}).items():
        try:
            if now - datetime.fromisoformat(row["read_at"]) <= max_age:
                out[url] = PageMetadata.from_dict(row["metadata"])
        except (KeyError, TypeError, ValueError):
            continue
    return out


def save_pages(path: Path, fresh: dict[str, PageMetadata]) -> None:
    """Add this run's metadata to the side file, atomically; a failure only costs a refetch."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        pages: dict[str, Any] = data["pages"] if data.get("version") == _CACHE_VERSION else {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pages = {}
    now = datetime.now(UTC).isoformat(timespec="seconds")
    for url, meta in fresh.items():
        pages[url] = {"read_at": now, "metadata": meta.to_dict()}
    text = json.dumps({"version": _CACHE_VERSION, "pages": pages}, ensure_ascii=False)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except OSError:
        return


def gather_pages(
    results: Results,
    settings: CheckSettings,
    read: dict[str, PageMetadata],
    cache: dict[str, PageMetadata],
    cancel: threading.Event | None = None,
) -> tuple[dict[str, PageMetadata], dict[str, PageMetadata]]:
    """(all metadata, the part newly read): live pages, then raw captures of dead ones."""
    from citecheck.metadata import fetch_metadata, raw_capture_url

    pages = {**cache, **read}
    fresh = dict(read)
    live = {
        url: url
        for url, check in results.checks.items()
        if check.verdict in (OK, REDIRECTED) and url not in pages
    }
    captures: dict[str, str] = {}
    for url, check in results.checks.items():
        archive = results.archives.get(url)
        snap = archive.closest if archive is not None else None
        if check.verdict not in (OK, REDIRECTED) and snap is not None and url not in pages:
            raw = raw_capture_url(snap.url)
            if raw is not None:
                captures[raw] = url
    if live or captures:
        # Politeness to the Wayback Machine matters more than speed here.
        engine = replace(settings.engine, per_host=min(settings.engine.per_host, 2))
        found = fetch_metadata({**live, **captures}, engine, cancel)
        pages.update(found)
        fresh.update(found)
    return pages, fresh


def run_export(args: argparse.Namespace) -> int:
    from citecheck.bibliography import Bibliography, build
    from citecheck.check import check_inventory
    from citecheck.cli import emit, scan_inputs
    from citecheck.cli_check import _Display, _settings, open_project
    from citecheck.export import export
    from citecheck.export.formatted import style_path
    from citecheck.metadata import extract

    if args.to in ("markdown", "html"):
        try:
            style_path(args.style)
        except ValueError as e:
            print(f"citecheck: {e}", file=sys.stderr)
            return EXIT_INPUT
    inv = scan_inputs(args)
    if inv is None:
        return EXIT_INPUT
    project = open_project(args.db)
    if project is None:
        return EXIT_INPUT
    read: dict[str, PageMetadata] = {}
    lock = threading.Lock()

    def on_page(url: str, body: bytes, content_type: str | None) -> None:
        meta = extract(body, url, content_type)
        with lock:
            read[url] = meta

    settings = _settings(args)
    settings.engine = replace(settings.engine, read_pages=True, on_page=on_page)
    display = _Display()
    try:
        results = check_inventory(inv, project, settings, progress=display)
    finally:
        display.close()
        project.close()
    cache_file = _cache_path(project.path)
    cache = {} if args.refresh else load_pages(cache_file, settings.max_age)
    pages, fresh = gather_pages(results, settings, read, cache)
    if fresh:
        save_pages(cache_file, fresh)
    bib = build(inv, results, pages)
    chosen = Bibliography(bib.verified()) if args.verified_only else bib
    if args.verified_only:
        for entry in bib.entries:
            if not entry.verified:
                what = entry.title or entry.url or entry.key
                print(f"citecheck: needs attention: {what}: {entry.reason}", file=sys.stderr)
    if args.to in ("markdown", "html"):
        from citecheck.export.formatted import render

        text = render(chosen, args.style, html=args.to == "html", attention=bib)
    else:
        text = export(chosen, args.to)
    if not emit(args, text):
        return EXIT_INPUT
    return EXIT_INPUT if inv.errors else EXIT_OK
