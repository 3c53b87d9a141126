"""Peak resident memory of a process and everything it starts, sampled while it runs.

A crawler that hands its pipeline to a writer process (or a process pool) uses memory in more
than one process; its peak is the highest sum of RSS over the whole tree at one moment, not
the crawler's own peak. `benchmarks/crawl_replica.py` and `benchmarks/crawl_memory.py` import
`run_tree_peak` (or `TreeSampler` around a Popen of their own).

RSS double-counts pages shared after a fork (copy-on-write), so the tree sum is an upper
bound of what the machine gives the crawl: the conservative figure for a "< N MB" target.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

MIB = 2**20


@dataclass
class TreePeak:
    """What a sampled run used: the tree's peak sum, the root's own peak, the most processes
    seen at once, and (seconds since start, tree MiB) samples for a curve."""

    peak_mib: float = 0.0
    root_peak_mib: float = 0.0
    max_processes: int = 0
    samples: list[tuple[float, float]] = field(default_factory=list)


def tree_rss(root: psutil.Process) -> tuple[int, int, int]:
    """(bytes of RSS summed over root and its live descendants, root's own RSS, processes)."""
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0, 0, 0
    total = own = 0
    counted = 0
    for proc in procs:
        try:
            rss = proc.memory_info().rss
        except psutil.Error:  # ended between the listing and the read
            continue
        total += rss
        counted += 1
        if proc.pid == root.pid:
            own = rss
    return total, own, counted


class TreeSampler:
    """Samples the RSS of a process tree on a thread until `stop()`; `peak` holds the result."""

    def __init__(self, pid: int, interval: float = 0.05, keep_every: float = 1.0) -> None:
        self.root = psutil.Process(pid)
        self.interval = interval
        self.keep_every = keep_every  # seconds between kept curve samples
        self.peak = TreePeak()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = 0.0

    def start(self) -> TreeSampler:
        self._started = time.perf_counter()
        self._thread.start()
        return self

    def _run(self) -> None:
        last_kept = -self.keep_every
        while not self._stop.is_set():
            total, own, count = tree_rss(self.root)
            if count == 0:
                break
            peak = self.peak
            peak.peak_mib = max(peak.peak_mib, total / MIB)
            peak.root_peak_mib = max(peak.root_peak_mib, own / MIB)
            peak.max_processes = max(peak.max_processes, count)
            now = time.perf_counter() - self._started
            if now - last_kept >= self.keep_every:
                peak.samples.append((round(now, 1), round(total / MIB, 1)))
                last_kept = now
            self._stop.wait(self.interval)

    def stop(self) -> TreePeak:
        self._stop.set()
        self._thread.join(timeout=5)
        return self.peak


def run_tree_peak(
    cmd: Sequence[str], cwd: str | Path | None = None, interval: float = 0.05
) -> tuple[str, float, TreePeak]:
    """Run cmd to its end, sampling its process tree; return (stdout, wall seconds, peak).

    Raises SystemExit with the end of stderr when the command fails, as a benchmark should.
    """
    started = time.perf_counter()
    proc = subprocess.Popen(
        list(cmd), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    sampler = TreeSampler(proc.pid, interval=interval).start()
    out, err = proc.communicate()  # reads both pipes, so a chatty child never blocks
    peak = sampler.stop()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}):\n{err[-2000:]}")
    return out, wall, peak
