"""`citecheck rescue`: a copy of a document whose dead links point at their archived capture."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

EXIT_OK, EXIT_FOUND, EXIT_INPUT = 0, 1, 2


def add_rescue_arguments(p: argparse.ArgumentParser) -> None:
    from citecheck.cli_check import add_check_arguments
    from citecheck.rescue import MODES

    p.add_argument("document", metavar="DOC", help="a Markdown or HTML document")
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the rescued copy here (default: NAME.rescued.EXT beside the document)",
    )
    p.add_argument(
        "--dry-run", action="store_true", help="print a unified diff of the changes; write nothing"
    )
    p.add_argument(
        "--in-place",
        action="store_true",
        help="rewrite the document itself, keeping the original as NAME.EXT.bak",
    )
    p.add_argument(
        "--mode",
        choices=MODES,
        default="add",
        help="Markdown: add the archive link after the dead one (default) or substitute it",
    )
    add_check_arguments(p)
    # Only failing links need a capture; claims are not needed. scan_inputs() reads these.
    p.set_defaults(
        archive="failing",
        no_claims=True,
        fast_claims=False,
        max_size=None,
        whole_page=False,
        include_code=False,
    )


def _default_target(doc: Path) -> Path:
    return doc.with_name(f"{doc.stem}.rescued{doc.suffix}")


def _target(args: argparse.Namespace, doc: Path) -> tuple[Path | None, str | None]:
    """Where the rescued copy goes, or why it may not be written."""
    from citecheck.cli import _output_problem

    if args.in_place and args.output:
        return None, "--in-place and -o do not go together"
    if args.in_place:
        return doc, None
    if args.output:
        out = Path(args.output)
        problem = _output_problem(out, [str(doc)])
        return (None, f"{out}: {problem}") if problem else (out, None)
    out = _default_target(doc)
    if out.exists() and not args.dry_run:
        return None, f"{out}: already exists; refusing to overwrite it (give -o or remove it)"
    return out, None


def run_rescue(args: argparse.Namespace) -> int:
    from citecheck.check import check_inventory
    from citecheck.cli import _write_atomic
    from citecheck.cli_check import _Display, _settings, open_project
    from citecheck.readers.decode import MAX_BYTES
    from citecheck.rescue import FORMATS, rescue, unified_diff
    from citecheck.scan import scan

    def fail(message: str) -> int:
        print(f"citecheck: {message}", file=sys.stderr)
        return EXIT_INPUT

    doc_path = Path(args.document)
    if not doc_path.is_file():
        return fail(f"{args.document}: not a file (rescue writes a copy of a local document)")
    target, problem = _target(args, doc_path)
    if target is None:
        return fail(problem or "cannot write the rescued copy")
    inv = scan([str(doc_path)], include_code=False, claims=False, max_bytes=MAX_BYTES)
    if inv.errors or len(inv.documents) != 1:
        for err in inv.errors:
            print(f"citecheck: {err.path}: {err.message}", file=sys.stderr)
        return EXIT_INPUT
    doc = inv.documents[0]
    if doc.format not in FORMATS:
        return fail(f"{args.document}: rescue works on Markdown and HTML, not {doc.format}")
    try:
        with doc_path.open(encoding=doc.encoding, newline="") as f:
            on_disk = f.read()
    except (OSError, UnicodeError, LookupError):
        on_disk = None
    if on_disk != doc.text:
        return fail(f"{args.document}: its text could not be read back exactly; not rewriting it")
    project = open_project(args.db)
    if project is None:
        return EXIT_INPUT
    display = _Display()
    try:
        results = check_inventory(inv, project, _settings(args), progress=display)
    finally:
        display.close()
        project.close()
    done = rescue(doc, inv.links, results, args.mode)
    for link in done.unrescued:
        print(
            f"citecheck: {args.document}:{link.line}:{link.column}: {link.url}: "
            f"{results.verdict(link)}, no archived copy to point at",
            file=sys.stderr,
        )
    code = EXIT_FOUND if done.unrescued else EXIT_OK
    if args.dry_run:
        sys.stdout.write(unified_diff(doc.text, done.text, str(doc_path), str(target)))
        return code
    if not done.edits:
        print(f"citecheck: {args.document}: no link to rescue; nothing written", file=sys.stderr)
        return code
    try:
        if args.in_place:
            backup = doc_path.with_name(doc_path.name + ".bak")
            shutil.copy2(doc_path, backup)
        _write_atomic_encoded(target, done.text, doc.encoding, _write_atomic)
    except OSError as e:
        return fail(f"{target}: cannot write it ({e.strerror or e})")
    n = len(done.edits)
    print(
        f"citecheck: rescued {n} link{'s' if n != 1 else ''}; wrote {target}",
        file=sys.stderr,
    )
    return code


def _write_atomic_encoded(path: Path, text: str, encoding: str, write_utf8: object) -> None:
    """Write in the document's own encoding, atomically (the CLI's writer does UTF-8)."""
    import os
    import tempfile

    if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        write_utf8(path, text)  # type: ignore[operator]
        return
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
