"""The archive writer process (pipelines/writer.py): a crawl whose writer dies stops loudly.

The other crawl tests (resume after SIGKILL, disk full, fetch log, WARC, attachments) run
through the writer too; this one covers what only it can break.
"""

from __future__ import annotations

import sqlite3
import subprocess
import time

import psutil

from tests.conftest import LUUTRU, ROOT, archived_count


def test_a_dead_writer_stops_the_crawl_with_an_error(bentre_server, tmp_path):
    db = tmp_path / "a.db"
    proc = subprocess.Popen(
        [*LUUTRU, "crawl", "bentre", "--base-url", bentre_server.url, "--db", str(db),
         "--delay", "0.2", "--concurrency", "1", "--quiet"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        writer = None
        deadline = time.monotonic() + 60
        while writer is None and time.monotonic() < deadline:
            time.sleep(0.2)
            if archived_count(db) >= 2:
                writer = next((c for c in psutil.Process(proc.pid).children()
                               if "pipelines.writer_child" in " ".join(c.cmdline())), None)
        assert writer is not None, "no writer process, or nothing stored within 60 s"
        writer.kill()
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0
    assert "archive writer process ended" in err
    with sqlite3.connect(db) as conn:
        (status,) = conn.execute("SELECT status FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    assert status != "finished"  # left running: the next crawl marks it interrupted
