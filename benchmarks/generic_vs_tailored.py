"""Field-by-field agreement of `luutru crawl-url` with each tailored spider, on every replica,
and the share of dates and authors it gets right against each replica's ground truth (also on
the two replicas without a site file: NukeViet without URL rewrite, a provincial portal).

Runs the measurement in tests/test_generic.py and rewrites its table in docs/benchmarks.md.
Usage: python benchmarks/generic_vs_tailored.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    env = {**os.environ, "LUUTRU_WRITE_BENCHMARKS": "1"}
    sys.exit(subprocess.call(
        [sys.executable, "-m", "pytest", "-q", "tests/test_generic.py", "-k", "agrees"],
        cwd=ROOT, env=env,
    ))
