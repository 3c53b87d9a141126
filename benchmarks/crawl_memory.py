"""Peak memory of a full crawl (WARC and attachments on), process tree included.

Serves the Bến Tre replica with `--articles N` in its own process (not counted), crawls it with
`luutru crawl --delay 0` into a temporary archive, and prints the peak RSS summed over the
crawler and any process it starts (benchmarks/memory.py), with the crawler's own peak and a
coarse curve: memory that grows with the number of articles shows as a slope.
Usage: python benchmarks/crawl_memory.py [--articles 10000] [--concurrency 8] [--json]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

# benchmarks/ is sys.path[0] when this script runs.
from memory import run_tree_peak

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a Scrapy setting for the crawl (passed to luutru crawl --set)")
    args = parser.parse_args()

    server = subprocess.Popen(
        [sys.executable, "-m", "replicas.serve", "bentre", "--port", "0",
         "--articles", str(args.articles)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        url = (server.stdout.readline() if server.stdout else "").strip()
        extra = [part for setting in args.set for part in ("--set", setting)]
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "bench.db"
            out, wall, peak = run_tree_peak(
                [str(BIN / "luutru"), "crawl", "bentre", "--base-url", url, "--db", str(db),
                 "--delay", "0", "--concurrency", str(args.concurrency), "--json", *extra],
                cwd=ROOT,
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    run = json.loads(out)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the crawl tree and the replica
    result = {
        "articles": args.articles,
        "pages": run["pages"],
        "new": run["new"],
        "wall_s": round(wall, 1),
        "cpu_s_children": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_tree_mib": round(peak.peak_mib, 1),
        "peak_crawler_mib": round(peak.root_peak_mib, 1),
        "max_processes": peak.max_processes,
        "curve": peak.samples[:: max(1, len(peak.samples) // 20)],
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"{args.articles} articles, {run['pages']} pages, {run['new']} new, "
          f"{wall:.0f} s wall: peak {peak.peak_mib:.1f} MiB over {peak.max_processes} "
          f"process(es) (crawler alone {peak.root_peak_mib:.1f} MiB)")
    print("curve (s, MiB):", " ".join(f"{t:.0f}:{m:.0f}" for t, m in result["curve"]))


if __name__ == "__main__":
    main()
