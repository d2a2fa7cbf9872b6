"""`citecheck check`: its options, its progress display and its exit code."""

from __future__ import annotations

import argparse
import re
import sys
import threading
import time
from typing import Any

from citecheck.options import CHECK_OPTIONS, Option
from citecheck.verdict import FAILING, VERDICTS

EXIT_OK, EXIT_FOUND, EXIT_INPUT = 0, 1, 2


def _option_type(option: Option) -> Any:
    def parse(text: str) -> Any:
        try:
            return option.parse(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None

    return parse


def _verdict_list(text: str) -> tuple[str, ...]:
    wanted = tuple(v.strip() for v in text.split(",") if v.strip())
    unknown = [v for v in wanted if v not in VERDICTS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown verdict {unknown[0]!r} (choose from {', '.join(VERDICTS)})"
        )
    return wanted


def _regex(text: str) -> re.Pattern[str]:
    try:
        return re.compile(text)
    except re.error as e:
        raise argparse.ArgumentTypeError(f"not a regular expression: {text!r} ({e})") from None


_PIN = re.compile(r"^([^:\s]+):(\d+):(\[[0-9a-fA-F:.]+\]|[^:\s]+)(?::(\d+))?$")


def _pin(text: str) -> tuple[str, tuple[str, int]]:
    """HOST:PORT:ADDRESS[:PORT] as curl's --resolve, e.g. news.example.org:443:10.0.0.5."""
    m = _PIN.match(text.strip())
    if m is None:
        raise argparse.ArgumentTypeError(
            f"not HOST:PORT:ADDRESS[:PORT]: {text!r} (as curl's --resolve)"
        )
    host, port, address, to_port = m.groups()
    return f"{host.lower()}:{int(port)}", (address.strip("[]"), int(to_port or port))


def add_check_arguments(c: argparse.ArgumentParser) -> None:
    c.add_argument(
        "--db", metavar="FILE", help="project database (default: one in your user data folder)"
    )
    for option in CHECK_OPTIONS:
        c.add_argument(
            option.flag,
            dest=option.name,
            type=_option_type(option),
            default=option.default,
            metavar=option.metavar,
            help=option.help,
        )
    c.add_argument(
        "--refresh", action="store_true", help="check again even when a fresh result exists"
    )
    c.add_argument("--no-archive", action="store_true", help="skip Wayback Machine lookups")
    c.add_argument(
        "--save-missing",
        action="store_true",
        help="ask Save Page Now to capture live links with no archived copy",
    )
    c.add_argument(
        "--exclude",
        action="append",
        type=_regex,
        default=[],
        metavar="REGEX",
        help="do not fetch URLs matching this (repeatable)",
    )
    c.add_argument(
        "--resolve",
        action="append",
        type=_pin,
        default=[],
        metavar="HOST:PORT:ADDR[:PORT]",
        help="connect to ADDR for HOST:PORT, as curl's --resolve (repeatable)",
    )
    c.add_argument(
        "--exclude-private",
        action="store_true",
        help="do not fetch loopback, link-local or private addresses",
    )
    c.add_argument(
        "--fail-on",
        type=_verdict_list,
        default=FAILING,
        metavar="VERDICT,…",
        help=f"verdicts that make the exit code 1 (default: {','.join(FAILING)})",
    )


def _settings(args: argparse.Namespace) -> Any:
    from dataclasses import replace

    from citecheck.check import CheckSettings
    from citecheck.checking import EngineOptions
    from citecheck.wayback import WaybackOptions

    engine = replace(
        EngineOptions(),
        concurrency=args.concurrency,
        per_host=args.per_host,
        min_gap=args.host_gap,
        burst=args.host_burst,
        timeout=args.timeout,
        exclude_private=args.exclude_private,
        resolve=dict(args.resolve),
    )
    if args.user_agent:
        engine = replace(engine, user_agent=args.user_agent)
    wayback = replace(
        WaybackOptions(), access_key=args.spn_access_key, secret_key=args.spn_secret_key
    )
    return CheckSettings(
        engine=engine,
        wayback=wayback,
        max_age=args.max_age,
        refresh=args.refresh,
        archive="none" if args.no_archive else args.archive,
        save_missing=args.save_missing,
        as_of=args.as_of,
        exclude=list(args.exclude),
    )


class _Display:
    """A progress bar on a terminal; a plain line every few seconds otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = 0.0
        self.phase = ""
        self.started = time.monotonic()
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, state: Any) -> None:
        now = time.monotonic()
        counts = " ".join(f"{v}={n}" for v, n in sorted(state.verdicts.items()))
        if self.tty:
            self._bar(state, counts)
            return
        if state.phase != self.phase or now - self.last >= 2 or state.done == state.total:
            self.phase, self.last = state.phase, now
            rate = state.done / max(now - self.started, 1e-6)
            print(
                f"citecheck: {state.phase} {state.done}/{state.total} ({rate:.0f}/s) {counts}",
                file=sys.stderr,
                flush=True,
            )

    def _bar(self, state: Any, counts: str) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        if self.bar is None or state.phase != self.phase:
            self.close()
            self.phase = state.phase
            self.bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]}/s"),
                TimeRemainingColumn(),
                TextColumn("{task.fields[counts]}"),
                transient=False,
                console=Console(file=sys.stderr),
            )
            self.bar.start()
            self.task = self.bar.add_task(state.phase, total=state.total, rate="0", counts="")
            self.started = time.monotonic()
        rate = state.done / max(time.monotonic() - self.started, 1e-6)
        self.bar.update(
            self.task, completed=state.done, total=state.total, rate=f"{rate:.0f}", counts=counts
        )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def open_project(db: str | None) -> Any:
    """The project database, or None after one line on stderr saying why it cannot be used."""
    from citecheck.store import Project, StoreError

    try:
        return Project(db)
    except StoreError as e:
        print(f"citecheck: {e}", file=sys.stderr)
        return None


def run_check(args: argparse.Namespace) -> int:
    from citecheck.check import check_inventory
    from citecheck.cli import emit, render, scan_inputs

    inv = scan_inputs(args)
    if inv is None:
        return EXIT_INPUT
    project = open_project(args.db)
    if project is None:
        return EXIT_INPUT
    display = _Display()
    cancel = threading.Event()
    try:
        results = check_inventory(inv, project, _settings(args), progress=display, cancel=cancel)
    except KeyboardInterrupt:
        # What was written stays written; the next run resumes from the database.
        cancel.set()
        display.close()
        project.close()
        print(
            "citecheck: interrupted; results so far are kept, run again to resume", file=sys.stderr
        )
        return 130
    finally:
        display.close()
    project.close()
    fmt = args.format
    text = render(
        inv,
        fmt,
        to_terminal=not args.output and sys.stdout.isatty(),
        results=results,
        fail_on=args.fail_on,
    )
    if not emit(args, text):
        return EXIT_INPUT
    if inv.errors:
        return EXIT_INPUT
    failing = any(results.verdict(link) in args.fail_on for link in inv.links)
    return EXIT_FOUND if failing else EXIT_OK
