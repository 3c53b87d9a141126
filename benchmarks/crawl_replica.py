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
        rows = [("bare Scrapy, no-op pipeline", bare["pages"], bare["items"],
                 bare["elapsed_s"], bare_mb)]
        variants = [
            ("luutru: clean+dates+dedupe+SQLite/FTS", ["--set", "LUUTRU_WARC=false",
                                                        "--set", "LUUTRU_ATTACHMENTS=false"]),
            ("luutru: the same + WARC capture", ["--set", "LUUTRU_ATTACHMENTS=false"]),
            ("luutru: the same + attachments (default)", []),
        ]
        for name, extra in variants:
            with tempfile.TemporaryDirectory() as tmp:
                db = Path(tmp) / "bench.db"
                out, _, mb = peak_rss_run([
                    str(BIN / "luutru"), "crawl", "bentre", "--base-url", url, "--db", str(db),
                    "--delay", "0", "--concurrency", str(args.concurrency), "--json", *extra,
                ])
                run = json.loads(out)
                items = run["new"] + run["updated"] + run["unchanged"] + run["duplicate"]
                rows.append((name, run["pages"], items, run["elapsed_s"], mb))
                sizes = sum(f.stat().st_size for f in Path(tmp).rglob("*") if f.is_file())
                print(f"  {name}: archive folder {sizes / 2**20:.1f} MB", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=10)

    print(f"{'crawler':<44} {'pages':>6} {'items':>6} {'pages/s':>8} {'items/s':>8} "
          f"{'peak MB':>8} {'items/s vs bare':>16}")
    base_rate = rows[0][2] / rows[0][3]
    for name, pages, n_items, secs, mb in rows:
        print(f"{name:<44} {pages:>6} {n_items:>6} {pages / secs:>8.1f} {n_items / secs:>8.1f} "
              f"{mb:>8.1f} {n_items / secs / base_rate:>16.2f}")


if __name__ == "__main__":
    main()
