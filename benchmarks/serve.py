"""Reading-room benchmark: search pages of `luutru serve` over HTTP, N concurrent clients.

Starts the real `luutru serve` on an archive (the 100,000-article one of benchmarks/search.py)
in its own process, then N clients (default 10) each send their next request as soon as the
previous answer arrives, for `--requests` requests in all. Prints p50/p95/p99 latency, errors
(any status but 200, any connection failure), throughput, and the server's CPU time per
request, which is what to compare when the machine is shared.

    .venv/bin/python benchmarks/search.py --articles 100000 --keep /tmp/bench.db
    .venv/bin/python benchmarks/serve.py --db /tmp/bench.db                # 10 clients
    .venv/bin/python benchmarks/serve.py --db /tmp/bench.db --repeats      # a realistic mix

By default every request is a different search (word or phrase x filter x page): the
reading room's page cache never helps. `--repeats` draws requests from a small set with
Zipf-like popularity, as people searching the same archive do (paging back, removing a
facet, shared links). Results go in docs/benchmarks.md ("## Reading room").
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archive.folding import fold  # noqa: E402
from benchmarks.search import DOMAIN_WORDS, NAMES, PHRASES, SITES  # noqa: E402
from tests.serving import serving  # noqa: E402

FILTERS: list[dict[str, str]] = [
    {}, {}, {}, {"sort": "date"}, {"site": "bentre"}, {"year": "2018"},
    {"site": "cantho", "year": "2021"}, {"author": NAMES[0]}, {"page": "2"}, {"page": "3"},
]


def queries(rng: random.Random) -> list[str]:
    """Words and phrases as people type them: mostly without diacritics, some with."""
    words = [fold(w) if rng.random() < 0.7 else w for w in DOMAIN_WORDS]
    pairs = [f"{a} {b}" for a, b in itertools.pairwise(words)]
    phrases = [fold(p) for p in PHRASES] + [f'"{fold(p)}"' for p in PHRASES]
    found = words + pairs + phrases
    rng.shuffle(found)
    return found


def request_paths(n: int, repeats: bool, seed: int = 11) -> list[str]:
    """n search URLs: all different, or drawn with Zipf-like repeats from n // 5 of them."""
    rng = random.Random(seed)
    distinct: list[str] = []
    seen: set[str] = set()
    qs = queries(rng)
    for q in qs * 4:
        params = {"q": q, **rng.choice(FILTERS)}
        if params.get("site") == "bentre":
            params["site"] = rng.choice(SITES)
        path = "/?" + urlencode(params)
        if path not in seen:
            seen.add(path)
            distinct.append(path)
        if len(distinct) >= n:
            break
    if not repeats:
        if len(distinct) < n:
            raise SystemExit(f"only {len(distinct)} distinct searches: ask for fewer requests")
        return distinct
    pool = distinct[: max(1, n // 5)]
    weights = [1 / (i + 1) for i in range(len(pool))]
    return rng.choices(pool, weights=weights, k=n)


def kind_of(path: str) -> str:
    """plain, sort, site, year, site+year, author or page: what a request asks besides q."""
    keys = sorted(k for k, _ in parse_qsl(urlsplit(path).query) if k != "q")
    return "+".join(keys) or "plain"


async def load(base: str, paths: list[str], clients: int
               ) -> tuple[list[float], list[str], float, dict[str, list[float]]]:
    """Latencies (ms) of the answered requests, the errors, the wall time (s), and the
    latencies by kind of request."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for p in paths:
        queue.put_nowait(p)
    latencies: list[float] = []
    errors: list[str] = []
    by_kind: dict[str, list[float]] = {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(http: httpx.AsyncClient) -> None:
        while True:
            try:
                path = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            t0 = time.perf_counter()
            try:
                r = await http.get(base + path)
                await r.aread()
            except httpx.HTTPError as exc:
                errors.append(f"{path}: {type(exc).__name__} {exc}")
                continue
            latencies.append((time.perf_counter() - t0) * 1000)
            by_kind.setdefault(kind_of(path), []).append(latencies[-1])
            if r.status_code != 200:
                errors.append(f"{path}: HTTP {r.status_code}")

    start = time.perf_counter()
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        await asyncio.gather(*(client(http) for _ in range(clients)))
    return latencies, errors, time.perf_counter() - start, by_kind


def percentile(sorted_ms: list[float], p: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, max(0, round(p * len(sorted_ms)) - 1))]


def cpu_seconds(proc: psutil.Process) -> float:
    """User + system CPU of the server and any child it started."""
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True,
                        help="An archive, e.g. from benchmarks/search.py --keep FILE.")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=50,
                        help="Untimed searches first (other words than the timed ones' "
                             "first ones), so the page cache of the OS holds the index.")
    parser.add_argument("--repeats", action="store_true",
                        help="Popular searches repeat (Zipf-like) instead of all differing.")
    args = parser.parse_args()
    if not args.db.exists():
        parser.error(f"{args.db} does not exist (build it: benchmarks/search.py --keep FILE)")

    paths = request_paths(args.requests + args.warmup, args.repeats)
    warm, timed = paths[-args.warmup:] if args.warmup else [], paths[: args.requests]
    with serving(args.db, start_timeout=60) as (base, server):
        proc = psutil.Process(server.pid)
        if warm:
            asyncio.run(load(base, warm, args.clients))
        cpu0 = cpu_seconds(proc)
        latencies, errors, wall, by_kind = asyncio.run(load(base, timed, args.clients))
        cpu = cpu_seconds(proc) - cpu0
    latencies.sort()
    load_avg = os.getloadavg()[0]
    print(f"luutru serve benchmark: {args.db.name}, {args.clients} clients, "
          f"{len(timed)} search requests ({'with repeats' if args.repeats else 'all different'})"
          f", {os.cpu_count()} CPUs, load average {load_avg:.1f} at the end")
    if latencies:
        print(f"p50 {statistics.median(latencies):.1f} ms · p95 {percentile(latencies, 0.95):.1f}"
              f" ms · p99 {percentile(latencies, 0.99):.1f} ms · max {latencies[-1]:.1f} ms")
    print(f"errors {len(errors)} · {len(timed) / wall:.1f} requests/s · server CPU "
          f"{cpu * 1000 / max(1, len(timed)):.1f} ms per request")
    for kind, ms in sorted(by_kind.items()):
        ms.sort()
        print(f"  {kind:<10} {len(ms):>5} requests  p50 {statistics.median(ms):7.1f} ms  "
              f"p95 {percentile(ms, 0.95):7.1f} ms")
    for e in errors[:10]:
        print("  " + e)
    if errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
