"""The `citecheck` command: argument parsing and printing over the core library."""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from citecheck import __version__

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
    s.add_argument("paths", nargs="+", metavar="PATH", help="documents or folders")
    s.add_argument("--format", "-f", choices=FORMATS, default="table")
    s.add_argument("-o", "--output", metavar="FILE", help="write the report here")
    s.add_argument(
        "--include-code",
        action="store_true",
        help="also report URLs inside code spans and code blocks",
    )
    s.add_argument("--no-claims", action="store_true", help="list links only")
    s.add_argument(
        "--max-size",
        type=_size,
        default=None,
        metavar="SIZE",
        help="largest document to read (default 64M)",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_INPUT
    try:
        if args.command == "scan":
            return _scan(args)
    except KeyboardInterrupt:
        print("citecheck: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`citecheck scan … | head`): nothing more to say.
        sys.stderr.close()
        return EXIT_OK
    return EXIT_INPUT


def _scan(args: argparse.Namespace) -> int:
    from citecheck.readers.decode import MAX_BYTES
    from citecheck.scan import scan

    out_path = Path(args.output) if args.output else None
    if out_path is not None:
        problem = _output_problem(out_path, args.paths)
        if problem:
            print(f"citecheck: {out_path}: {problem}", file=sys.stderr)
            return EXIT_INPUT
    inv = scan(
        args.paths,
        include_code=args.include_code,
        claims=not args.no_claims,
        max_bytes=args.max_size or MAX_BYTES,
    )
    for err in inv.errors:
        print(f"citecheck: {err.path}: {err.message}", file=sys.stderr)
    text = _render(inv, args.format, to_terminal=out_path is None and sys.stdout.isatty())
    if out_path is not None:
        try:
            _write_atomic(out_path, text)
        except OSError as e:
            print(f"citecheck: {out_path}: cannot write it ({e.strerror or e})", file=sys.stderr)
            return EXIT_INPUT
    elif text:
        sys.stdout.write(text)
    return EXIT_INPUT if inv.errors else EXIT_OK


def _render(inv: object, fmt: str, *, to_terminal: bool) -> str:
    from citecheck import report
    from citecheck.model import Inventory

    assert isinstance(inv, Inventory)
    if fmt == "json":
        return report.to_json(inv)
    if fmt == "csv":
        return report.to_csv(inv)
    if fmt == "markdown":
        return report.to_markdown(inv)
    from citecheck.table import print_table

    if to_terminal:
        print_table(inv, None)
        return ""
    buf = io.StringIO()
    print_table(inv, buf)
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
