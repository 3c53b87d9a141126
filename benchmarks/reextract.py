"""Re-extraction speed: `luutru reextract` against plain read+parse of the same WARC records.

Builds a bench archive (a crawl of the Bến Tre replica with WARC capture, attachments off) or
reuses one (`--db`), then prints, per round:

- plain: Python reading each article's WARC record with warcio and parsing it with lxml, one
  process (the floor a re-extraction cannot beat per core), timed before and after the two
  reextracts of the round; the faster of the two is the one compared (the stricter figure);
- reextract, 1 process: `luutru.reextract.reextract(workers=1)`, the serial form;
- reextract, pool: the default (one worker per core, the parent as the one writer).

Each reextract runs in a fresh interpreter on a fresh copy of the archive, so neither profits
from imports or a page cache warmed by the other; the interpreter's own start-up is left out,
the pool's start-up and every import are counted.
Usage: python benchmarks/reextract.py [--articles 2500] [--rounds 3] [--db bench.db] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

_RUN = """
import json, resource, sys, time
def cpu():
    own, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
started, cpu_started = time.perf_counter(), cpu()
from luutru.reextract import reextract
counts = reextract(sys.argv[1], workers=int(sys.argv[2]) or None)
print(json.dumps({"seconds": time.perf_counter() - started, "counts": counts,
                  "cpu": cpu() - cpu_started}))
"""


def build_archive(folder: Path, articles: int) -> Path:
    """Crawl a replica of `articles` articles into folder/bench.db (WARC on, attachments off)."""
    server = subprocess.Popen(
        [sys.executable, "-m", "replicas.serve", "bentre", "--port", "0",
         "--articles", str(articles)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert server.stdout is not None
        url = server.stdout.readline().strip()
        db = folder / "bench.db"
        subprocess.run(
            [str(BIN / "luutru"), "crawl", "bentre", "--base-url", url, "--db", str(db),
             "--delay", "0", "--concurrency", "8", "--set", "LUUTRU_ATTACHMENTS=false", "--json"],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    return db


def plain_read_parse(db: Path) -> tuple[int, float, float]:
    """(records, seconds, CPU seconds) to read every captured article page and parse it with
    lxml."""
    import lxml.html
    from warcio.archiveiterator import ArchiveIterator

    conn = sqlite3.connect(db)
    refs = conn.execute(
        "SELECT warc_file, warc_offset FROM articles WHERE warc_record_id IS NOT NULL "
        "AND warc_file IS NOT NULL ORDER BY id").fetchall()
    conn.close()
    started, cpu_started = time.perf_counter(), time.process_time()
    parsed = 0
    handles: dict[str, object] = {}
    for rel, offset in refs:
        handle = handles.get(rel)
        if handle is None:
            handle = handles[rel] = open(db.parent / rel, "rb")
        handle.seek(int(offset))  # type: ignore[attr-defined]
        record = next(iter(ArchiveIterator(handle)))
        body = record.content_stream().read()
        if lxml.html.document_fromstring(body) is not None:
            parsed += 1
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    for handle in handles.values():
        handle.close()  # type: ignore[attr-defined]
    return parsed, seconds, cpu


def timed_reextract(db: Path, workers: int, scratch: Path
                    ) -> tuple[dict[str, int], float, float]:
    """Counts, seconds and CPU seconds (all processes) of one reextract on a fresh copy of the
    archive folder; imports and the pool's start-up are counted, the interpreter's are not."""
    copy = scratch / f"copy-{workers}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(db.parent, copy)
    proc = subprocess.run([sys.executable, "-c", _RUN, str(copy / db.name), str(workers)],
                          cwd=ROOT, check=True, capture_output=True, text=True)
    shutil.rmtree(copy, ignore_errors=True)
    out = json.loads(proc.stdout)
    return out["counts"], out["seconds"], out["cpu"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=2500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", type=Path, help="reuse this archive instead of crawling one")
    parser.add_argument("--keep", type=Path, help="build the archive in this folder and keep it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        if args.db:
            db = args.db.resolve()
        else:
            folder = args.keep or scratch / "archive"
            folder.mkdir(parents=True, exist_ok=True)
            started = time.perf_counter()
            db = build_archive(folder, args.articles)
            print(f"bench archive: {db} ({time.perf_counter() - started:.0f} s to crawl)")
        print(f"cores: {os.cpu_count()}; load average: "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print("rates are wall-clock; CPU columns are ms of CPU per page/article (all processes),"
              " which hold still under load")
        cores = os.cpu_count() or 1
        print(f"{'round':>5} {'plain pages/s':>14} {'1 process art/s':>16} "
              f"{'pool art/s':>11} {'pool / plain':>13} {'plain CPU':>10} {'1 proc CPU':>11} "
              f"{'pool CPU':>9} {'CPU ratio':>10} {'load':>5}  counts")
        for n in range(1, args.rounds + 1):
            first = plain_read_parse(db)
            serial, serial_s, serial_cpu = timed_reextract(db, 1, scratch)
            pooled, pooled_s, pooled_cpu = timed_reextract(db, 0, scratch)
            again = plain_read_parse(db)
            pages = first[0]
            plain_s, plain_cpu = min(first[1], again[1]), min(first[2], again[2])
            if serial != pooled:
                raise SystemExit(f"the pool's counts differ: {pooled} != {serial}")
            total = pooled.get("total", 0)
            plain_rate, pool_rate = pages / plain_s, total / pooled_s
            plain_ms, pool_ms = 1000 * plain_cpu / pages, 1000 * pooled_cpu / total
            print(f"{n:>5} {plain_rate:>14.0f} {total / serial_s:>16.0f} {pool_rate:>11.0f} "
                  f"{pool_rate / plain_rate:>13.2f} {plain_ms:>10.2f} "
                  f"{1000 * serial_cpu / total:>11.2f} {pool_ms:>9.2f} "
                  f"{cores * plain_ms / pool_ms:>10.2f} {os.getloadavg()[0]:>5.1f}  "
                  f"{json.dumps(pooled)}", flush=True)


if __name__ == "__main__":
    main()
