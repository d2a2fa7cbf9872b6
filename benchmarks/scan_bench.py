"""Scan throughput and memory on a generated Markdown document (20 MB, 200,000 links by default).

Run from the repository root:

    python benchmarks/scan_bench.py            # 20 MB, plus 5 and 10 MB for memory growth
    python benchmarks/scan_bench.py --mb 5     # one quick size

Each measurement runs in a fresh process so peak RSS (ru_maxrss) belongs to that scan alone.
Writes benchmarks/out/scan.json.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"

# Ordinary prose: mostly function words and plain nouns; figures, years and attributions
# appear at about the rate of a news draft (roughly a third of its sentences are claims).
_WORDS = (
    "the of and to in a is that for it as was with be by on not this are or from at which "
    "but have an they were there been one all their has would when if so no out up into only "
    "can could some them other time new these may then any like now over such even made after "
    "also did many before must through back where much way well down should each just those "
    "people how little state good very make world still own see work long get here between "
    "both life being under never day same another know while might great old off come since "
    "go came right used take council river water county engineers residents storm spillway "
    "season survey inspection repair budget report office plan town road bridge school"
).split()


def _sentence(rng: random.Random) -> str:
    words = rng.choices(_WORDS, k=rng.randint(8, 18))
    roll = rng.random()
    if roll < 0.15:
        words.insert(rng.randint(0, len(words)), f"{rng.randint(2, 999)}%")
    elif roll < 0.25:
        words.insert(rng.randint(0, len(words)), str(rng.randint(1950, 2024)))
    elif roll < 0.32:
        words.insert(rng.randint(0, len(words)), rng.choice(("said", "according to")))
    return " ".join(words).capitalize() + "."


def _link(n: int) -> str:
    host = f"site{n % 997}.org"
    k = n % 10
    if k < 5:
        return f"[source {n}](https://{host}/a/{n})."
    if k == 5:
        return f"See <https://{host}/auto/{n}>."
    if k == 6:
        return f"Also https://www.{host}/bare/{n}."
    if k == 7:
        return f"[ref {n}][r{n % 50}]."
    if k == 8:
        return f"[missing {n}](#)."
    return f"![figure {n}](https://{host}/img/{n}.png)"


def generate(path: Path, target_bytes: int, prose_per_link: int = 58, seed: int = 7) -> int:
    """Write a Markdown document of about `target_bytes`: about 10,000 links per MB."""
    rng = random.Random(seed)
    link_every = prose_per_link  # bytes of prose between links
    n_links = size = para = 0
    with path.open("w", encoding="utf-8") as f:
        f.write("---\ntitle: Generated benchmark draft\ndate: 2024-01-01\n---\n\n")
        while size < target_bytes:
            para += 1
            parts: list[str] = []
            since_link = length = 0
            while length < 900:
                s = _sentence(rng)
                parts.append(s)
                length += len(s) + 1
                since_link += len(s) + 1
                while since_link >= link_every:
                    parts.append(_link(n_links))
                    n_links += 1
                    since_link -= link_every
            text = " ".join(parts) + "\n\n"
            if para % 40 == 0:
                text = f"## Section {para // 40}\n\n" + text
            f.write(text)
            size += len(text)
        for r in range(50):
            f.write(f"[r{r}]: https://refs.example.net/{r}\n")
    return n_links


def _measure(path: str, claims: bool) -> dict[str, float]:
    """Runs in a child process: scan once, report seconds and peak RSS."""
    import citecheck.readers.markdown  # noqa: F401  # loaded on first use: start-up, not throughput
    from citecheck.scan import scan

    if claims:  # loaded on first use (a links-only scan never needs it)
        import citecheck.claims.detect  # noqa: F401

    t0 = time.perf_counter()
    inv = scan([path], claims=claims)
    elapsed = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Large documents detect claims in worker processes: their peak counts too.
    child_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "seconds": elapsed,
        "links": len(inv.links),
        "claims": len(inv.claims),
        "peak_rss_mb": peak_kb / 1024,
        "worker_peak_rss_mb": child_kb / 1024,
    }


def measure(path: Path, claims: bool) -> dict[str, float]:
    here = str(Path(__file__).parent)
    code = (
        f"import json,sys; sys.path.insert(0, {here!r}); from scan_bench import _measure; "
        f"print(json.dumps(_measure({str(path)!r}, {claims!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def baseline_rss() -> float:
    code = (
        "import resource, citecheck.scan; "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, nargs="*", default=[5, 10, 20])
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    base = baseline_rss()
    results = []
    print(f"import baseline RSS: {base:.0f} MB")
    print(
        f"{'size':>7} {'links':>8} {'links s':>8} {'MB/s':>6} {'links/s':>9} "
        f"{'all s':>7} {'MB/s':>6} {'claims':>7} {'peak MB':>8} {'over base':>9} "
        f"{'worker MB':>9}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for mb in args.mb:
            path = Path(tmp) / f"bench-{mb:g}mb.md"
            generate(path, int(mb * 1_000_000))
            size_mb = path.stat().st_size / 1e6
            links_only = measure(path, claims=False)
            full = measure(path, claims=True)
            row = {
                "size_mb": round(size_mb, 2),
                "links": links_only["links"],
                "links_seconds": round(links_only["seconds"], 3),
                "links_mb_per_s": round(size_mb / links_only["seconds"], 2),
                "links_per_s": round(links_only["links"] / links_only["seconds"]),
                "full_seconds": round(full["seconds"], 3),
                "full_mb_per_s": round(size_mb / full["seconds"], 2),
                "claims": full["claims"],
                "peak_rss_mb": round(full["peak_rss_mb"], 1),
                "peak_over_baseline_mb": round(full["peak_rss_mb"] - base, 1),
                "worker_peak_rss_mb": round(full["worker_peak_rss_mb"], 1),
            }
            results.append(row)
            print(
                f"{size_mb:6.1f}M {row['links']:>8} {row['links_seconds']:>8.2f} "
                f"{row['links_mb_per_s']:>6.1f} {row['links_per_s']:>9} "
                f"{row['full_seconds']:>7.2f} {row['full_mb_per_s']:>6.1f} "
                f"{row['claims']:>7} {row['peak_rss_mb']:>8.0f} "
                f"{row['peak_over_baseline_mb']:>9.0f} {row['worker_peak_rss_mb']:>9.0f}"
            )
    (OUT / "scan.json").write_text(
        json.dumps({"baseline_rss_mb": base, "runs": results}, indent=2), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
