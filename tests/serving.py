"""`luutru serve` in its own process on a free loopback port, as a user starts it: shared by
the browser test and the reading-room benchmark, which both need the real server."""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.request import urlopen

from tests.conftest import LUUTRU, ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serving(db: Path, start_timeout: float = 30) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Yields the base URL and the process once `/-/versions.json` answers; stops the server
    on the way out. Its stderr goes to a file, not a pipe nobody reads (a chatty server would
    block on a full pipe), and is quoted when the server does not start."""
    port = free_port()
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(
            [*LUUTRU, "serve", "--db", str(db), "--port", str(port)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + start_timeout
            while True:
                try:
                    with urlopen(f"{base}/-/versions.json", timeout=2):
                        break
                except OSError:
                    if proc.poll() is not None or time.monotonic() > deadline:
                        stderr.seek(0)
                        said = stderr.read().decode("utf-8", "replace")[-2000:]
                        raise RuntimeError(f"luutru serve did not start: {said}") from None
                    time.sleep(0.2)
            yield base, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
