"""Crawl throughput on loopback: luutru's crawl against a bare Scrapy spider, same site and run.

Prints pages/s, items/s and peak RSS of each crawler process; the ratio is the figure to watch.
Usage: python benchmarks/crawl_replica.py [--articles 2500] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def peak_rss_run(cmd: list[str]) -> tuple[str, float, float]:
    """Run cmd, sampling its resident memory; return (stdout, wall seconds, peak MiB)."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            peak = max(peak, ps.memory_info().rss)
        except psutil.Error:
            break
        time.sleep(0.05)
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}):\n{err[-2000:]}")
    return out, wall, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=2500)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "replicas.serve",
            "bentre",
            "--port",
            "0",
            "--articles",
            str(args.articles),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = server.stdout.readline().strip()
        print(f"replica: {args.articles} articles at {url}; concurrency {args.concurrency}")

        out, _, bare_mb = peak_rss_run(
            [sys.executable, "benchmarks/bare_spider.py", url, str(args.concurrency)]
        )
        bare = json.loads(out)
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.db"
            out, _, luutru_mb = peak_rss_run(
                [
                    str(BIN / "luutru"),
                    "crawl",
                    "bentre",
                    "--base-url",
                    url,
                    "--db",
                    str(db),
                    "--delay",
                    "0",
                    "--concurrency",
                    str(args.concurrency),
                    "--json",
                ]
            )
            full = json.loads(out)
            db_mb = db.stat().st_size / 2**20
    finally:
        server.terminate()
        server.wait(timeout=10)

    items = full["new"] + full["updated"] + full["unchanged"] + full["duplicate"]
    rows = [
        ("bare Scrapy, no-op pipeline", bare["pages"], bare["items"], bare["elapsed_s"], bare_mb),
        (
            "luutru crawl (clean+dates+dedupe+SQLite/FTS)",
            full["pages"],
            items,
            full["elapsed_s"],
            luutru_mb,
        ),
    ]
    print(f"{'crawler':<48} {'pages':>6} {'items':>6} {'pages/s':>8} {'items/s':>8} {'peak MB':>8}")
    for name, pages, n_items, secs, mb in rows:
        print(
            f"{name:<48} {pages:>6} {n_items:>6} {pages / secs:>8.1f} {n_items / secs:>8.1f} "
            f"{mb:>8.1f}"
        )
    ratio = (rows[1][1] / rows[1][3]) / (rows[0][1] / rows[0][3])
    print(f"luutru / bare pages/s ratio: {ratio:.2f}; archive size {db_mb:.1f} MB")


if __name__ == "__main__":
    main()
