"""The shard's manifest.json: written last, atomically, when the job closes (also a failed one).

Its presence says the shard is complete: the archive is closed (its WAL folded in and the file
switched out of WAL mode, so archive.db is one self-contained file and no -wal is left), and
every file listed has the size and SHA-256 given, which `luutru merge` checks while copying.

    {"format": "luutru-shard/1", "project", "site", "job", "host", "started", "finished",
     "run_id", "status", "files": [{"path", "size", "sha256"}, ...]}

`status` is the run record's (finished, failed, interrupted...), read after the run guards
(scrapers/run_guards.py) have marked failed a run that archived nothing where it should have
(silent zero, a layout close reason) or whose signal handlers raised; a run the writer left
'running' (it died) is marked failed first, so a shard never claims a run still going.
`files` covers archive.db and every file under warc/ and attachments/, paths relative to the
shard folder in POSIX form.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import sqlite3
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from scrapers.shard import ARCHIVE_NAME, SHARD_FORMAT, Shard, shard_of, utc_now
from scrapers.signal_guard import connect_handlers

logger = logging.getLogger(__name__)

# The folders a crawl writes beside its archive (archive/warc.py, pipelines/attachments.py).
CONTENT_DIRS = ("warc", "attachments")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def close_archive(db: Path) -> None:
    """Fold the WAL into archive.db and leave WAL mode: no -wal/-shm file stays beside it.

    Runs after the writer process ended (nothing else holds the file)."""
    if not db.exists():
        return
    conn = sqlite3.connect(str(db), timeout=30)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()
    for suffix in ("-wal", "-shm"):
        leftover = db.with_name(db.name + suffix)
        if leftover.exists():
            raise RuntimeError(f"{leftover.name} is still there after closing {db}")


def run_record(db: Path, run_id: int | None) -> tuple[int | None, str]:
    """(run id, status) of the job's run; a run left 'running' is marked failed first.
    No archive or no run record: (None, "failed")."""
    if not db.exists():
        return None, "failed"
    conn = sqlite3.connect(str(db), timeout=30)
    try:
        if run_id is None:
            row = conn.execute("SELECT id, status FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        else:
            row = conn.execute("SELECT id, status FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            return None, "failed"
        if row[1] == "running":
            with conn:
                conn.execute("UPDATE runs SET status = 'failed', finished_at = coalesce("
                             "finished_at, ?) WHERE id = ?", (utc_now(), row[0]))
            logger.error("luutru shard: run %s was still 'running' when the job closed: "
                         "marked failed", row[0])
            return int(row[0]), "failed"
        return int(row[0]), str(row[1])
    except sqlite3.Error as exc:
        logger.error("luutru shard: cannot read the run record in %s: %s", db, exc)
        return None, "failed"
    finally:
        conn.close()


def shard_files(folder: Path) -> list[dict[str, Any]]:
    """archive.db and every file under warc/ and attachments/, sorted by path."""
    paths = [folder / ARCHIVE_NAME] if (folder / ARCHIVE_NAME).exists() else []
    for name in CONTENT_DIRS:
        if (folder / name).is_dir():
            paths += sorted(p for p in (folder / name).rglob("*") if p.is_file())
    return [{"path": p.relative_to(folder).as_posix(), "size": p.stat().st_size,
             "sha256": sha256_file(p)} for p in paths]


def write_manifest(shard: Shard, site: str, run_id: int | None) -> dict[str, Any]:
    """Close the archive, then write manifest.json atomically (temp file, fsync, rename)."""
    close_archive(shard.db)
    run_id, status = run_record(shard.db, run_id)
    manifest = {
        "format": SHARD_FORMAT, "project": shard.project, "site": site, "job": shard.job,
        "host": socket.gethostname(), "started": shard.started, "finished": utc_now(),
        "run_id": run_id, "status": status, "files": shard_files(shard.folder),
    }
    tmp = shard.folder / f".{shard.manifest.name}.tmp"
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, shard.manifest)
    fd = os.open(shard.folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return manifest


class ShardManifest:
    """Extension: writes the shard's manifest once the job's archive work is over.

    Its spider_closed handler is connected at spider_opened, after the item pipelines
    connected theirs, so it runs after WriterPipeline's, which returns once the writer process
    has committed the run and exited (handlers run in the order they were connected), and
    after the run guards' (connected at spider_opened by the add-on, before any extension), so
    the status it reads is their verdict. A job that stops before its spider opens writes its
    manifest at engine_stopped.
    """

    def __init__(self, crawler: Crawler, shard: Shard) -> None:
        self.crawler = crawler
        self.shard = shard
        self.written = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ShardManifest:
        shard = shard_of(crawler)
        if shard is None:
            raise NotConfigured
        return connect_handlers(crawler, cls(crawler, shard), "spider_opened", "engine_stopped")

    def spider_opened(self) -> None:
        self.crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def spider_closed(self, reason: str) -> None:
        self.write(reason)

    def engine_stopped(self) -> None:
        self.write("engine_stopped")

    def write(self, reason: str) -> None:
        if self.written:
            return
        self.written = True
        site = self.crawler.spidercls.name
        stats = self.crawler._stats  # `crawler.stats` raises, not None, before the crawl starts
        run_id = stats.get_value("luutru/run_id") if stats is not None else None
        try:
            manifest = write_manifest(self.shard, site, run_id)
        except (OSError, sqlite3.Error, RuntimeError) as exc:
            logger.error("luutru shard: no manifest for %s (the shard stays incomplete): %s",
                         self.shard.folder, exc)
            return
        logger.info("luutru shard: %s complete (%s, run %s, status %s, %d files)",
                    self.shard.folder, reason, manifest["run_id"], manifest["status"],
                    len(manifest["files"]))
