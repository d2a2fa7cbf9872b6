"""The `citecheck` command: argument parsing and printing over the core library."""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from citecheck import __version__

if TYPE_CHECKING:
    from citecheck.check import Results
    from citecheck.checking import EngineOptions
    from citecheck.model import Inventory

EXIT_OK, EXIT_FOUND, EXIT_INPUT = 0, 1, 2
FORMATS = ("table", "json", "csv", "markdown")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # One line and exit 2, like every other unusable-input case.
        self.exit(EXIT_INPUT, f"citecheck: {message} (see citecheck --help)\n")


def _size(text: str) -> int:
    units = {"k": 1e3, "m": 1e6, "g": 1e9}
    t = text.strip().lower().rstrip("b")
    try:
        if t and t[-1] in units:
            return int(float(t[:-1]) * units[t[-1]])
        return int(t)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 64M)") from None


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="citecheck", description="List, check and archive every link and claim.")
    p.add_argument("--version", action="version", version=f"citecheck {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    s = sub.add_parser(
        "scan",
        help="list every link, placeholder and claim of documents (no network)",
        description="List every link, placeholder and check-worthy claim, with positions.",
    )
    _document_arguments(s, FORMATS)
    from citecheck.cli_check import _pin

    s.add_argument(
        "--resolve",
        action="append",
        type=_pin,
        default=[],
        metavar="HOST:PORT:ADDR[:PORT]",
        help="fetch web pages for HOST:PORT from ADDR, as curl's --resolve (repeatable)",
    )
    c = sub.add_parser(
        "check",
        help="check every link live and in the Wayback Machine",
        description="Check every link live and in the Wayback Machine; results are kept in a "
        "project database so re-runs reuse fresh results and resume where a run stopped.",
    )
    _document_arguments(c, (*FORMATS, "junit"))
    from citecheck.cli_check import add_check_arguments

    add_check_arguments(c)
    e = sub.add_parser(
        "export",
        help="write a verified bibliography (BibTeX, BibLaTeX, CSL-JSON, RIS, formatted)",
        description="Scan, check and read page metadata, then write a bibliography.",
    )
    from citecheck.cli_export import add_export_arguments

    add_export_arguments(e)
    r = sub.add_parser(
        "rescue",
        help="point dead links at their archived copy, in a copy of the document",
        description="Scan and check a Markdown or HTML document, then write a copy whose dead "
        "and soft-404 links point at their Wayback capture closest to the document's date.",
    )
    from citecheck.cli_rescue import add_rescue_arguments

    add_rescue_arguments(r)
    g = sub.add_parser("gui", help="open the desktop window", description="Open the window.")
    g.add_argument("paths", nargs="*", metavar="PATH", help="documents or folders to open")
    return p


def _document_arguments(s: argparse.ArgumentParser, formats: Sequence[str]) -> None:
    s.add_argument(
        "paths", nargs="+", metavar="PATH", help="documents, folders or http(s) page addresses"
    )
    s.add_argument("--format", "-f", choices=formats, default="table")
    s.add_argument("-o", "--output", metavar="FILE", help="write the report here")
    s.add_argument(
        "--include-code",
        action="store_true",
        help="also report URLs inside code spans and code blocks",
    )
    s.add_argument("--no-claims", action="store_true", help="list links only")
    s.add_argument(
        "--fast-claims",
        action="store_true",
        help="score claims with the fast model, as very long documents always are: "
        "for bulk scans of many drafts (quicker, less accurate)",
    )
    s.add_argument(
        "--max-size",
        type=_size,
        default=None,
        metavar="SIZE",
        help="largest document to read (default 64M)",
    )
    s.add_argument(
        "--whole-page",
        action="store_true",
        help="read all of a web page given by address, not only its main content",
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_INPUT
    try:
        if args.command == "scan":
            return _scan(args)
        if args.command == "gui":
            try:
                from citecheck.gui.app import main as gui_main
            except ImportError as e:
                print(
                    f"citecheck: the window needs PySide6 ({e}); install citecheck-desktop[gui]",
                    file=sys.stderr,
                )
                return EXIT_INPUT
            return gui_main(list(args.paths))
        if args.command == "rescue":
            from citecheck.cli_rescue import run_rescue

            return run_rescue(args)
        if args.command == "export":
            from citecheck.cli_export import run_export

            return run_export(args)
        if args.command == "check":
            from citecheck.cli_check import run_check

            return run_check(args)
    except KeyboardInterrupt:
        print("citecheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`citecheck scan … | head`): nothing more to say.
        sys.stderr.close()
        return EXIT_OK
    return EXIT_INPUT


def scan_inputs(args: argparse.Namespace) -> Inventory | None:
    """The inventory of the command's documents; None (after saying why) if -o is unsafe."""
    from citecheck.readers.decode import MAX_BYTES
    from citecheck.scan import scan

    if args.output:
        problem = _output_problem(Path(args.output), args.paths)
        if problem:
            print(f"citecheck: {args.output}: {problem}", file=sys.stderr)
            return None
    inv = scan(
        args.paths,
        include_code=args.include_code,
        claims=not args.no_claims,
        fast_claims=args.fast_claims,
        max_bytes=args.max_size or MAX_BYTES,
        whole_page=args.whole_page,
        engine=_page_options(args),
    )
    for err in inv.errors:
        print(f"citecheck: {err.path}: {err.message}", file=sys.stderr)
    return inv


def _page_options(args: argparse.Namespace) -> EngineOptions | None:
    """How to fetch the web pages among the inputs: the engine's defaults, with the command's
    own network flags (`check` has more of them than `scan`)."""
    from citecheck.readers.webpage import is_web_address

    if not any(is_web_address(p) for p in args.paths):
        return None
    from dataclasses import replace

    from citecheck.checking import EngineOptions

    options = EngineOptions(resolve=dict(getattr(args, "resolve", None) or []))
    if getattr(args, "timeout", None):
        options = replace(options, timeout=args.timeout)
    if getattr(args, "user_agent", None):
        options = replace(options, user_agent=args.user_agent)
    if getattr(args, "exclude_private", False):
        options = replace(options, exclude_private=True)
    return options


def _scan(args: argparse.Namespace) -> int:
    inv = scan_inputs(args)
    if inv is None:
        return EXIT_INPUT
    if not emit(args, render(inv, args.format, to_terminal=_to_terminal(args))):
        return EXIT_INPUT
    return EXIT_INPUT if inv.errors else EXIT_OK


def _to_terminal(args: argparse.Namespace) -> bool:
    return not args.output and sys.stdout.isatty()


def emit(args: argparse.Namespace, text: str) -> bool:
    """Print the report or write it to -o; False (after saying why) if it cannot be written."""
    if args.output:
        try:
            _write_atomic(Path(args.output), text)
        except OSError as e:
            print(f"citecheck: {args.output}: cannot write it ({e.strerror or e})", file=sys.stderr)
            return False
    elif text:
        sys.stdout.write(text)
    return True


def render(
    inv: Inventory,
    fmt: str,
    *,
    to_terminal: bool,
    results: Results | None = None,
    fail_on: tuple[str, ...] = (),
) -> str:
    from citecheck import report

    if fmt == "json":
        return report.to_json(inv, results)
    if fmt == "csv":
        return report.to_csv(inv, results)
    if fmt == "markdown":
        return report.to_markdown(inv, results)
    if fmt == "junit" and results is not None:
        return report.to_junit(inv, results, fail_on)
    from citecheck.table import print_table

    if to_terminal:
        print_table(inv, None, results)
        return ""
    buf = io.StringIO()
    print_table(inv, buf, results)
    return buf.getvalue()


def _output_problem(out: Path, inputs: Sequence[str]) -> str | None:
    """Why the report may not be written to `out`, if it may not."""
    target = out.resolve()
    for given in inputs:
        p = Path(given).resolve()
        if target == p or (p.is_dir() and target.is_relative_to(p) and target.exists()):
            return "is one of the documents being scanned; refusing to overwrite it"
    if target.is_dir():
        return "is a folder"
    if not target.parent.is_dir():
        return "its folder does not exist"
    return None


def _write_atomic(path: Path, text: str) -> None:
    """Write the whole report or nothing: a crash never leaves half a file behind."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


if __name__ == "__main__":
    raise SystemExit(main())
