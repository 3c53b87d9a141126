"""Crawl throughput on loopback: luutru's crawl against a bare Scrapy spider, same site and run.

Prints, per crawler: pages/s, items/s, the peak resident memory of its process tree (the crawler
and any process it starts), its CPU time (the crawler process alone, and with its children) per
item, and items/s against the bare spider's. The cross-check's cost is the default row against
the same run with `LUUTRU_CROSSCHECK=false`. CPU time per item is the figure to compare while
other work loads the machine; items/s only means something on an idle one.
Usage: python benchmarks/crawl_replica.py [--articles 2500] [--concurrency 8] [--only NAME...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent

from benchmarks.waited import run_waited  # noqa: E402


@dataclass
class Run:
    """What one crawler process cost: wall seconds, peak MiB of its tree, CPU seconds."""

    out: str
    wall: float
    peak_mb: float
    cpu_own: float  # the crawler process itself
    cpu_total: float  # with every child it started and waited for


def measured_run(cmd: list[str]) -> Run:
    """Run cmd, sampling the resident memory of its process tree and its own CPU time as it
    goes; CPU with its children from wait4's rusage."""
    seen = {"peak": 0, "own": 0.0}

    def sample(pid: int) -> None:
        try:
            ps = psutil.Process(pid)
            times = ps.cpu_times()
            seen["own"] = times.user + times.system
            rss = ps.memory_info().rss
            for child in ps.children(recursive=True):
                try:
                    rss += child.memory_info().rss
                except psutil.Error:
                    pass
            seen["peak"] = max(seen["peak"], rss)
        except psutil.Error:
            pass

    run = run_waited(cmd, tick=sample)
    if run.code != 0:
        raise SystemExit(f"{cmd[0]} failed ({run.code}):\n{run.err[-2000:]}")
    return Run(run.out, run.wall, seen["peak"] / 2**20, min(seen["own"], run.cpu), run.cpu)

VARIANTS = {
    "fts": ("luutru: clean+dates+dedupe+SQLite/FTS",
            ["--set", "LUUTRU_WARC=false", "--set", "LUUTRU_ATTACHMENTS=false"]),
    "warc": ("luutru: the same + WARC capture", ["--set", "LUUTRU_ATTACHMENTS=false"]),
    "default": ("luutru: the same + attachments (default)", []),
    "nocheck": ("luutru: default, LUUTRU_CROSSCHECK=false", ["--set", "LUUTRU_CROSSCHECK=false"]),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=2500)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--only", nargs="*", choices=sorted(VARIANTS), default=list(VARIANTS),
                        help="luutru rows to run (the bare spider always runs)")
    args = parser.parse_args()

    server = subprocess.Popen(
        [sys.executable, "-m", "replicas.serve", "bentre", "--port", "0",
         "--articles", str(args.articles)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    rows = []
    try:
        url = server.stdout.readline().strip()
        print(f"replica: {args.articles} articles at {url}; concurrency {args.concurrency}",
              flush=True)
        run = measured_run(
            [sys.executable, "benchmarks/bare_spider.py", url, str(args.concurrency)]
        )
        bare = json.loads(run.out)
        rows.append(("bare", "bare Scrapy, no-op pipeline", bare["pages"], bare["items"],
                     bare["elapsed_s"], run))
        for key in args.only:
            name, extra = VARIANTS[key]
            with tempfile.TemporaryDirectory() as tmp:
                db = Path(tmp) / "bench.db"
                run = measured_run([
                    str(BIN / "luutru"), "crawl", "bentre", "--base-url", url, "--db", str(db),
                    "--delay", "0", "--concurrency", str(args.concurrency), "--json", *extra,
                ])
                summary = json.loads(run.out)
                items = (summary["new"] + summary["updated"] + summary["unchanged"]
                         + summary["duplicate"])
                rows.append((key, name, summary["pages"], items, summary["elapsed_s"], run))
                sizes = sum(f.stat().st_size for f in Path(tmp).rglob("*") if f.is_file())
                print(f"  {name}: archive folder {sizes / 2**20:.1f} MB", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(f"{'crawler':<44} {'pages':>6} {'items':>6} {'pages/s':>8} {'items/s':>8} "
          f"{'peak MB':>8} {'CPU ms/item':>12} {'+children':>10} {'items/s vs bare':>16}")
    base_rate = rows[0][3] / rows[0][4]
    rates = {}
    for key, name, pages, n_items, secs, run in rows:
        rates[key] = n_items / secs
        print(f"{name:<44} {pages:>6} {n_items:>6} {pages / secs:>8.1f} {n_items / secs:>8.1f} "
              f"{run.peak_mb:>8.1f} {1000 * run.cpu_own / n_items:>12.2f} "
              f"{1000 * run.cpu_total / n_items:>10.2f} {n_items / secs / base_rate:>16.2f}")
    if "default" in rates and "nocheck" in rates:
        cost = 1 - rates["default"] / rates["nocheck"]
        print(f"cross-check cost (LUUTRU_CROSSCHECK default vs false): {100 * cost:.1f} % of "
              "items/s")


if __name__ == "__main__":
    main()
