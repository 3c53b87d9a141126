"""Scrapyd cluster on loopback (issue 14): `luutru crawl --all --scrapyd` against a local crawl.

Starts `--nodes` real Scrapyd servers (tests/scrapyd_server.py, each with `--max-proc` job
slots), deploys the project's egg to each, serves one replica per site (replicas/server.py,
threads of this process), then runs the real CLI once

    luutru crawl --all --only S1,S2,... --scrapyd URL1,URL2 --mirror S1=URL ... --db X --json

and, as the reference, the same sites crawled on this machine by `luutru crawl --all --only ...
--mirror ...` (one process per site, in turn) into another archive.

Prints: sites, articles, nodes, max_proc and how many sites each node ran (from the --json
report); wall time from scheduling to the last shard fetched (the report's `elapsed_s`: probe,
schedule, poll, fetch) and to the merged archive (plus the report's merge `elapsed_s`), and
the CLI's whole wall time (with Python start-up); jobs/min; shard bytes fetched and fetch MB/s
(the report's `fetch_bytes` / `fetch_s`); merge rows read and rows/s, wall and CPU (the
report's merge `rows_read`, `elapsed_s`, `cpu_s`); the orchestrator's CPU (the `luutru` process
and any child it waited for, from wait4's rusage); and the nodes' CPU per job.

Node CPU, how: each job is a child process of its `scrapyd` (it starts its writer child and
waits for it), and Scrapyd reaps its jobs, so when every job is over the kernel has added each
job tree's CPU to the scrapyd process's "children" times. Node CPU = (scrapyd's own +
children user/system time, psutil `cpu_times()`) at the end minus the same after the deploy
(the deploy runs `scrapy list`), plus the CPU of any descendant still alive at the end (none
normally). That counts every reaped job tree exactly once; scrapyd's own share (its HTTP
API, its 0.2 s queue polling) is printed apart. As a cross-check, a thread samples each
node's live descendants every 0.25 s and keeps the last CPU seen per process: it misses up
to 0.25 s of each process's end, so it reads a little low; a big gap between the two means a
process escaped its parent's wait (its CPU would be missing from the first figure).

The local reference's CPU is wait4's rusage of `luutru crawl --all` (every site's crawler and
writer processes, all waited for). The replica servers run in this process: their CPU is
printed apart ("replicas+sampler"). On a shared machine compare CPU seconds, not wall time.

Usage: .venv/bin/python benchmarks/cluster.py [--sites 8] [--articles 40] [--nodes 2]
       [--max-proc 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # tests/ is not installed; run from anywhere
    sys.path.insert(0, str(ROOT))

from benchmarks.waited import Waited, run_waited  # noqa: E402
from replicas.server import ReplicaServer  # noqa: E402
from replicas.sites import BUILDERS, build  # noqa: E402
from scrapers.sites import all_sites  # noqa: E402
from tests.scrapyd_server import ScrapydServer, build_egg, deploy  # noqa: E402

LUUTRU = Path(sys.executable).parent / "luutru"
# Families taken in turn, so that a few sites already span several CMSs; the sites the
# cluster test uses first within theirs.
FAMILY_ORDER = ("drupal7", "drupal8", "nukeviet", "joomla_k2", "portal", "generic")
FIRST = ("bentre", "vinh_long", "quang_tri")


def pick_sites(count: int) -> list[str]:
    """`count` active sites with a bundled replica, one family after another."""
    by_family: dict[str, list[str]] = {}
    for slug, site in all_sites().items():
        if site.status == "active" and slug in BUILDERS:
            by_family.setdefault(site.cms, []).append(slug)
    for slugs in by_family.values():
        slugs.sort(key=lambda s: (s not in FIRST, s))
    families = [f for f in FAMILY_ORDER if f in by_family]
    families += sorted(set(by_family) - set(families))
    queues = [list(by_family[f]) for f in families]
    picked: list[str] = []
    while len(picked) < count and any(queues):
        for queue in queues:
            if queue and len(picked) < count:
                picked.append(queue.pop(0))
    if len(picked) < count:
        raise SystemExit(f"only {len(picked)} active sites have a replica; --sites {count}")
    return picked


def run_cli(args: list[str], timeout: float = 900) -> Waited:
    """`luutru ARGS` as a real subprocess; CPU from wait4's rusage (waited-for children too)."""
    return run_waited([str(LUUTRU), *args], env={**os.environ, "PYTHONPATH": str(ROOT)},
                      timeout=timeout)


def own_and_reaped(pid: int) -> tuple[float, float]:
    """CPU seconds of a process, and of every child it has reaped (/proc stat, via psutil)."""
    t = psutil.Process(pid).cpu_times()
    return t.user + t.system, t.children_user + t.children_system


def live_descendants_cpu(pid: int) -> dict[tuple[int, float], float]:
    """(pid, create time) -> CPU seconds of each live descendant of `pid`."""
    seen: dict[tuple[int, float], float] = {}
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return seen
    for child in children:
        try:
            with child.oneshot():
                t = child.cpu_times()
                seen[(child.pid, child.create_time())] = t.user + t.system
        except psutil.Error:
            pass
    return seen


class Sampler(threading.Thread):
    """The last CPU seen of every descendant of each node (the cross-check of the docstring)."""

    def __init__(self, pids: list[int], every: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pids, self.every = pids, every
        self.last: dict[int, dict[tuple[int, float], float]] = {p: {} for p in pids}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            for pid in self.pids:
                self.last[pid].update(live_descendants_cpu(pid))
            self.done.wait(self.every)

    def total(self, pid: int) -> float:
        return sum(self.last[pid].values())


def mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB"


def rate(n: float, seconds: float | None, unit: str = "/s") -> str:
    return f"{n / seconds:,.0f}{unit}" if seconds else "n/a"


def crawled(result: dict[str, Any]) -> int:
    """Articles a local crawl saw (stored or already there)."""
    return sum(int(result.get(k) or 0) for k in ("new", "updated", "unchanged"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sites", type=int, default=8,
                        help="sites to crawl, taken family by family among the active sites "
                             "with a bundled replica (default 8)")
    parser.add_argument("--articles", type=int, default=40,
                        help="articles per replica (default 40)")
    parser.add_argument("--nodes", type=int, default=2, help="Scrapyd nodes (default 2)")
    parser.add_argument("--max-proc", type=int, default=2,
                        help="job slots per node, Scrapyd's max_proc (default 2)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the nodes' folders and both archives in this new folder "
                             "(default: a temporary folder, removed)")
    args = parser.parse_args()

    slugs = pick_sites(args.sites)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=False)
        root = args.keep.resolve()
    else:
        root = Path(tempfile.mkdtemp(prefix="luutru-cluster-bench-"))
    families = Counter(all_sites()[s].cms for s in slugs)
    print(f"sites: {len(slugs)} ({', '.join(slugs)}); families: "
          + ", ".join(f"{f} {n}" for f, n in sorted(families.items())), flush=True)
    try:
        with ExitStack() as stack:
            replicas = {s: stack.enter_context(ReplicaServer(build(s, args.articles)))
                        for s in slugs}
            mirrors = [a for s, server in replicas.items()
                       for a in ("--mirror", f"{s}={server.url}")]
            only = ",".join(slugs)
            t0 = time.perf_counter()
            build_egg()
            nodes = [stack.enter_context(ScrapydServer(root / f"node{i + 1}",
                                                       max_proc=args.max_proc))
                     for i in range(args.nodes)]
            for node in nodes:
                deploy(node.url)
            print(f"nodes: {args.nodes} x max_proc {args.max_proc}, egg built and deployed in "
                  f"{time.perf_counter() - t0:.1f} s", flush=True)
            pids = [n.proc.pid for n in nodes if n.proc is not None]
            node_cpu0 = {p: own_and_reaped(p) for p in pids}
            bench_cpu0 = time.process_time()
            sampler = Sampler(pids)
            sampler.start()
            db = root / "cluster" / "archive.db"
            db.parent.mkdir(parents=True)
            cluster = run_cli(["crawl", "--all", "--only", only, *mirrors, "--db", str(db),
                               "--scrapyd", ",".join(n.url for n in nodes), "--json"])
            sampler.done.set()
            sampler.join()
            node_end = {p: own_and_reaped(p) for p in pids}
            scrapyd_cpu = {p: node_end[p][0] - node_cpu0[p][0] for p in pids}
            node_cpu = {p: scrapyd_cpu[p] + node_end[p][1] - node_cpu0[p][1]
                        + sum(live_descendants_cpu(p).values()) for p in pids}
            sampled = {p: sampler.total(p) for p in pids}
            for node in nodes:
                node.stop()  # idle nodes' polling stays out of the reference
            local_db = root / "local" / "archive.db"
            local_db.parent.mkdir(parents=True)
            local = run_cli(["crawl", "--all", "--only", only, *mirrors, "--db", str(local_db),
                             "--json"])
            bench_cpu = time.process_time() - bench_cpu0
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)

    try:
        report = json.loads(cluster.out)
    except ValueError:
        raise SystemExit(f"crawl --scrapyd exited {cluster.code}, no JSON report:\n"
                         f"{cluster.err[-3000:]}") from None
    sites = report["sites"]
    merge = report.get("merge") or {}
    fetched = [s for s in sites if s["state"] == "fetched"]
    articles = sum(int(s.get("articles") or 0) for s in sites)
    per_node = Counter(s["node"] for s in fetched)
    jobs = sum(int(n.get("jobs") or 0) for n in report["nodes"]) or len(sites)
    to_fetched = float(report["elapsed_s"])
    merge_wall, merge_cpu = float(merge.get("elapsed_s") or 0), float(merge.get("cpu_s") or 0)
    rows = int(merge.get("rows_read") or 0)
    fetch_s, fetch_bytes = float(report["fetch_s"] or 0), int(report["fetch_bytes"] or 0)
    total_node_cpu = sum(node_cpu.values())

    print(f"\n== cluster: luutru crawl --all --scrapyd (exit {cluster.code})")
    print(f"  articles {articles} ({args.articles} a replica); sites fetched "
          f"{len(fetched)}/{len(sites)}; jobs {jobs}")
    for n in report["nodes"]:
        print(f"  node {n['url']}: {n['state']}, {per_node.get(n['url'], 0)} sites, "
              f"{n['jobs']} jobs")
    print(f"  wall: scheduling -> last shard fetched {to_fetched:.2f} s; -> merged "
          f"{to_fetched + merge_wall:.2f} s; whole CLI {cluster.wall:.2f} s")
    print(f"  jobs/min {rate(jobs * 60, to_fetched, '')}; articles/s "
          f"{articles / to_fetched:.1f} (to the last shard)" if to_fetched else "")
    print(f"  nodes' CPU {total_node_cpu:.2f} s = {total_node_cpu / jobs:.2f} s a job, "
          f"{1000 * total_node_cpu / max(articles, 1):.1f} ms an article "
          f"(job trees {total_node_cpu - sum(scrapyd_cpu.values()):.2f} s, sampled "
          f"{sum(sampled.values()):.2f} s)")
    for pid, url in zip(pids, (n.url for n in nodes), strict=True):
        print(f"    {url}: {node_cpu[pid]:.2f} s, of which scrapyd itself "
              f"{scrapyd_cpu[pid]:.2f} s (sampled job trees {sampled[pid]:.2f} s)")
    print(f"  fetch: {mb(fetch_bytes)} in {fetch_s:.2f} s = "
          f"{rate(fetch_bytes / 1e6, fetch_s, ' MB/s') if fetch_s else 'n/a'}")
    print(f"  merge: {rows} rows read in {merge_wall:.2f} s wall = {rate(rows, merge_wall)}, "
          f"{merge_cpu:.2f} s CPU = {rate(rows, merge_cpu)}")
    print(f"  orchestrator CPU (the luutru process, merge included): {cluster.cpu:.2f} s, "
          f"merge excluded {cluster.cpu - merge_cpu:.2f} s")
    if cluster.code != 0:
        print("  stderr tail:\n" + cluster.err[-1500:])

    print(f"\n== reference: luutru crawl --all, on this machine, one site after another "
          f"(exit {local.code})")
    try:
        results = json.loads(local.out)
    except ValueError:
        results = []
        print("  no JSON:\n" + local.err[-1500:])
    local_articles = sum(crawled(r) for r in results)
    print(f"  articles {local_articles}; wall {local.wall:.2f} s; CPU {local.cpu:.2f} s = "
          f"{local.cpu / max(len(results), 1):.2f} s a site, "
          f"{1000 * local.cpu / max(local_articles, 1):.1f} ms an article")
    if local_articles != articles:
        print(f"  note: the cluster merged {articles} articles, the local crawl saw "
              f"{local_articles}")
    print(f"\n== summary: cluster {to_fetched + merge_wall:.2f} s to merged vs local "
          f"{local.wall:.2f} s wall; CPU cluster (nodes + orchestrator) "
          f"{total_node_cpu + cluster.cpu:.2f} s vs local {local.cpu:.2f} s; "
          f"replicas+sampler (this process) {bench_cpu:.2f} s")


if __name__ == "__main__":
    main()
