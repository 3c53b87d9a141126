"""What a crawl checks in its archive before it writes, and adds to its run record after.

The writer process (pipelines/writer_child.py) opens the run and closes it with the status
Scrapy's close reason gives. Some facts are only known once it has closed the run: the
spider's "no silent zero" verdict and its discovery/fallback findings (the layout record), and
exceptions swallowed in signal handlers. These helpers add them to the run's `stats_json` and
turn the run's status to failed when they say it must not pass for a success. They are used by
the run guards (scrapers/run_guards.py), which every archive crawl runs, `luutru crawl` and a
plain `scrapy crawl`/Scrapyd job alike, and by luutru/crawl.py.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

from archive.db import ArchiveError

logger = logging.getLogger(__name__)

# The spider's layout facts (scrapers/platforms/sections.py) kept in the run record.
LAYOUT_STATS = ("sections_failed", "sections_discovered", "empty_listings", "empty_sections",
                "listing_fallback",
                "listing_fallback_links", "listing_links", "sitemap_links", "discovery_runs",
                "silent_zero")
# Close reasons that mean the site no longer looks the way its selectors expect (exit 6:
# luutru/cli/common.py gives them their exit code).
LAYOUT_REASONS = ("layout_changed", "closespider_errorcount")


class ArchiveCorrupt(ArchiveError):
    """The archive file fails SQLite's quick_check (or is not a database): refuse to touch it."""


class ArchiveFull(ArchiveError):
    """The disk, or the archive's size quota, filled up during the crawl."""


def check_archive(db: str | Path) -> None:
    """Refuse a damaged archive before writing to it: `PRAGMA quick_check` must say ok.

    A missing or empty file is fine (a first crawl creates it). Opening a damaged file and
    reading it changes nothing in it, so the archivist can still copy it for recovery.
    """
    path = Path(db)
    if not path.exists() or path.stat().st_size == 0:
        return
    try:
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, timeout=10)
    except sqlite3.Error as exc:
        raise ArchiveCorrupt(f"archive {path} cannot be opened ({exc})") from exc
    try:
        rows = [r[0] for r in conn.execute("PRAGMA quick_check(5)")]
    except sqlite3.DatabaseError as exc:
        raise ArchiveCorrupt(
            f"archive {path} is damaged ({exc}): restore it from a backup or move it aside; "
            "the crawl did not write to it"
        ) from exc
    finally:
        conn.close()
    if rows != ["ok"]:
        raise ArchiveCorrupt(
            f"archive {path} is damaged (quick_check: {'; '.join(map(str, rows))[:200]}): "
            "restore it from a backup or move it aside; the crawl did not write to it"
        )


def checkpoint(db: str | Path) -> None:
    """Fold the WAL back into the archive and truncate it, so a long-lived reader during the
    crawl does not leave a large `-wal` file behind (busy readers just make it a no-op)."""
    if not Path(db).exists():
        return
    try:
        conn = sqlite3.connect(str(db), timeout=2)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        logger.warning("could not checkpoint %s: %s", db, exc)


def is_disk_full(exc: BaseException | None) -> bool:
    """True for SQLite's "database or disk is full" (SQLITE_FULL) and for ENOSPC/EFBIG."""
    while exc is not None:
        if isinstance(exc, sqlite3.Error):
            name = getattr(exc, "sqlite_errorname", "") or ""
            if name == "SQLITE_FULL" or "disk is full" in str(exc):
                return True
        if isinstance(exc, OSError) and exc.errno in (28, 27):  # ENOSPC, EFBIG
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def disk_full_message(db: str | Path, exc: BaseException) -> str:
    """The one line a run stopped by a full disk (or the size quota) ends with."""
    return (f"the disk is full (or the archive reached its size limit) while writing {db}: "
            f"{exc}; everything stored before is intact: free space and run the same "
            "command again to resume")


def held_articles(db: str | Path, site: str) -> int:
    """Articles of `site` the archive holds before a run (0 for a new archive)."""
    if not Path(db).exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{Path(db).resolve()}?mode=ro", uri=True, timeout=10)
        try:
            return int(conn.execute("SELECT count(*) FROM articles WHERE site = ?",
                                    (site,)).fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def layout_record(stats: dict[str, Any], held: int, site: str) -> dict[str, Any]:
    """The run's discovery/fallback/silent-zero facts from the spider's stats; a run that saw
    no article link where the archive holds articles of the site says so."""
    record = {k: stats[f"luutru/{k}"] for k in LAYOUT_STATS if f"luutru/{k}" in stats}
    if "listing_links" in record and not record["listing_links"] and held and (
            stats.get("finish_reason") == "finished"):
        record["silent_zero"] = [*record.get("silent_zero", []), (
            f"the run stored nothing and saw no article, while the archive holds {held} "
            f"articles of {site}")]
    return record


def failure_reasons(layout: dict[str, Any], finish_reason: str,
                    signal_errors: list[dict[str, str]]) -> list[str]:
    """Why a run the writer closed must be recorded failed (empty: it stands as it is).

    A "no silent zero" finding, a layout close reason and a swallowed signal-handler error all
    mean the run did not do its work, whatever Scrapy's close reason says.
    """
    reasons = []
    if layout.get("silent_zero"):
        reasons.append("silent_zero")
    if finish_reason in LAYOUT_REASONS:
        reasons.append(finish_reason)
    if signal_errors:
        reasons.append("signal_errors")
    return reasons


def fail_run(db: str | Path, run_id: int | None) -> None:
    """Mark a run failed in its record after the fact (an exception in a signal handler,
    which Scrapy logged and swallowed while the run went on to "finish"; a silent zero)."""
    if run_id is None or not Path(db).exists():
        return
    conn = sqlite3.connect(str(db), timeout=30)
    try:
        with conn:
            conn.execute("UPDATE runs SET status = 'failed', finished_at = coalesce("
                         "finished_at, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')) WHERE id = ?",
                         (run_id,))
    except sqlite3.Error as exc:
        logger.error("could not mark run %s failed in %s: %s", run_id, db, exc)
    finally:
        conn.close()


def record_layout(db: str | Path, run_id: int | None, record: dict[str, Any]) -> None:
    """Add the layout facts to the run's `stats_json`, where `luutru runs` and `stats`
    health read them."""
    if run_id is None or not record or not Path(db).exists():
        return
    conn = sqlite3.connect(str(db), timeout=30)
    try:
        row = conn.execute("SELECT stats_json FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            return
        try:
            data = json.loads(row[0] or "{}")
        except ValueError:
            data = {}
        data.update(record)
        with conn:
            conn.execute("UPDATE runs SET stats_json = ? WHERE id = ?",
                         (json.dumps(data, ensure_ascii=False, default=str, sort_keys=True),
                          run_id))
    except sqlite3.Error as exc:
        logger.warning("could not record the run's layout facts in %s: %s", db, exc)
    finally:
        conn.close()
