"""Run a command to its end and say what it cost, the process and every child it waited for.

CPU time comes from wait4's rusage, which counts the children the process reaped (a crawl's
writer process, `crawl --all`'s crawlers): the figure to compare while other work loads the
machine. Output goes to temporary files, not pipes, so a chatty process never blocks on a
full pipe while nobody reads it. `tick(pid)` runs every 50 ms while the command runs, for
callers that sample the process (memory, own CPU) as it goes.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Waited:
    """One run: exit code, stdout and stderr, wall seconds, CPU seconds (it and its children)."""

    code: int
    out: str
    err: str
    wall: float
    cpu: float


def run_waited(cmd: Sequence[str], *, env: Mapping[str, str] | None = None,
               timeout: float | None = None,
               tick: Callable[[int], None] | None = None) -> Waited:
    """Run cmd in the repository root; killed after `timeout` seconds (its CPU still counts)."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(list(cmd), cwd=ROOT, stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, text=True,
                                env=dict(env) if env is not None else None)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.monotonic() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            if tick is not None:
                tick(proc.pid)
            time.sleep(0.05)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        return Waited(proc.returncode, out.read(), err.read(), wall,
                      usage.ru_utime + usage.ru_stime)
