"""Start a crawl of one site into an archive: the archive's only contact with Scrapy."""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings

import scrapers.settings as default_settings
from archive.db import ArchiveError
from archive.known import last_run_finished, load_known
from archive.lock import ArchiveLock
from archive.recheck import outcomes as recheck_outcomes
from archive.recheck import plan_budget
from archive.signal_guard import GuardedSignals
from scrapers.spiders import spider_for

logger = logging.getLogger(__name__)


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


class _DiskWatch(logging.Handler):
    """Stops the crawl at the first write that fails for lack of space, wherever it is logged
    (item pipelines, signal handlers), so the run ends at once with a clear exit code."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(logging.ERROR)
        self.crawler = crawler
        self.full: BaseException | None = None

    def emit(self, record: logging.LogRecord) -> None:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and is_disk_full(exc):
            self.hit(exc)

    def spider_opened(self) -> None:
        _apply_quota(self.crawler)

    def item_error(self, item: Any, response: Any, spider: Any, failure: Any) -> None:
        if is_disk_full(getattr(failure, "value", None)):
            self.hit(failure.value)

    def hit(self, exc: BaseException) -> None:
        if self.full is not None:
            return
        self.full = exc
        engine = self.crawler.engine
        if engine is not None and engine.running:
            from scrapy.utils.defer import deferred_from_coro
            from twisted.internet import reactor

            reactor.callLater(
                0, lambda: deferred_from_coro(engine.close_spider_async(reason="disk_full"))
            )


def _apply_quota(crawler: Crawler) -> None:
    """`LUUTRU_MAX_DB_PAGES`: cap the writer connection's `max_page_count` (a size quota,
    and how the tests make the disk "full" without root)."""
    pages = crawler.settings.getint("LUUTRU_MAX_DB_PAGES", 0)
    if pages <= 0 or crawler.engine is None:
        return
    for pipe in getattr(crawler.engine.scraper.itemproc, "middlewares", ()):
        archive = getattr(pipe, "archive", None)
        conn = getattr(archive, "conn", None)
        if conn is not None:
            conn.execute(f"PRAGMA max_page_count = {int(pages)}")


@dataclass
class CrawlSummary:
    """What a run did, as the CLI prints it and `--json` returns it."""

    site: str
    db: str
    run_id: int | None
    status: str
    pages: int
    new: int
    updated: int
    unchanged: int
    duplicate: int
    gone: int
    skipped: int
    errors: int
    elapsed_s: float
    outcomes: dict[str, int] = field(default_factory=dict)
    finish_reason: str = ""  # Scrapy's close reason: finished, shutdown, layout_changed, ...
    # Discovery and "no silent zero" (scrapers/platforms/sections.py), also in the run record.
    sections_failed: list[dict[str, Any]] = field(default_factory=list)
    sections_discovered: list[dict[str, Any]] = field(default_factory=list)
    empty_listings: list[dict[str, Any]] = field(default_factory=list)
    empty_sections: list[dict[str, Any]] = field(default_factory=list)
    listing_fallback: int = 0
    listing_links: int | None = None  # None for spiders without listings (crawl-url)
    silent_zero: list[str] = field(default_factory=list)
    # Rolling revalidation (archive/recheck.py): budget, re-checked, changed, gone, oldest check.
    recheck: dict[str, Any] = field(default_factory=dict)
    # Exceptions raised in signal handlers (archive/signal_guard.py): the run failed.
    signal_errors: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def crawl_settings(
    db: str | Path,
    *,
    delay: float | None = None,
    concurrency: int | None = None,
    progress: float = 0,
    log_level: str = "WARNING",
    log_file: str | None = None,
    overrides: dict[str, str] | None = None,
) -> Settings:
    """Project settings with this run's overrides; a delay of 0 also turns AutoThrottle off.

    `overrides` are Scrapy settings given as `--set NAME=VALUE` (like `scrapy crawl -s`).
    """
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("LUUTRU_DB", str(db), priority="cmdline")
    settings.set("LUUTRU_PROGRESS", progress, priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    if log_file:
        settings.set("LOG_FILE", log_file, priority="cmdline")
    if delay is not None:
        settings.set("DOWNLOAD_DELAY", delay, priority="cmdline")
        if delay == 0:
            settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
            settings.set("DOWNLOAD_DELAY_JITTER", 0, priority="cmdline")
    if concurrency is not None:
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", concurrency, priority="cmdline")
        settings.set("CONCURRENT_REQUESTS", max(concurrency, 8), priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


LAYOUT_STATS = ("sections_failed", "sections_discovered", "empty_listings", "empty_sections",
                "listing_fallback",
                "listing_fallback_links", "listing_links", "sitemap_links", "discovery_runs",
                "silent_zero")


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
        record.setdefault("silent_zero", []).append(
            f"the run stored nothing and saw no article, while the archive holds {held} "
            f"articles of {site}")
    return record


def fail_run(db: str | Path, run_id: int | None) -> None:
    """Mark a run failed in its record after the fact (an exception in a signal handler,
    which Scrapy logged and swallowed while the run went on to "finish")."""
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


def run_crawl(
    site: str,
    db: str | Path,
    *,
    base_url: str | None = None,
    max_pages: int | None = None,
    settings: Settings | None = None,
    refresh: bool = False,
    refresh_days: int | None = 30,
    full: bool = False,
    incremental: bool = True,
    recheck: int | None = None,
    spider_cls: type[Any] | None = None,
    spider_kwargs: dict[str, Any] | None = None,
) -> CrawlSummary:
    """Crawl `site` into `db` in this process and return the run's summary (blocks until done).

    `spider_cls` crawls with a given spider class instead of the site file's (the generic
    spider, a bounded sample); `incremental=False` ignores what the archive holds.

    Incremental by default: articles already archived are not fetched again (unless published
    within `refresh_days`, or `refresh`), and each listing is read from its first page until a
    page holds only known articles. After an interrupted run, or with `full`, every listing page
    is read (known articles are still skipped), so a resumed crawl misses nothing. Each run also
    re-checks `recheck` archived articles checked longest ago (None: the rolling budget of
    archive/recheck.py). An exception in any signal handler makes the run "failed".
    Raises `ArchiveLocked` when another process writes the same archive, `ArchiveCorrupt`
    when the archive fails `PRAGMA quick_check` (before anything is written), and
    `ArchiveFull` when the disk or the size quota fills up during the run.
    """
    spider_cls = spider_cls or spider_for(site)
    site_def = spider_cls.site
    settings = settings or crawl_settings(db)
    with ArchiveLock(db, f"luutru crawl {site}"):
        check_archive(db)
        known = load_known(
            db,
            site,
            origin=site_def.base_url,
            aliases=(*site_def.aliases, *([base_url.rstrip("/")] if base_url else [])),
            refresh_all=refresh,
            refresh_days=refresh_days,
        ) if incremental else None
        budget = plan_budget(db, site, fixed=recheck, refresh=refresh) if incremental else {}
        if budget and max_pages is not None:  # a sample re-checks nothing: its share waits
            budget = {**budget, "rule": "sample", "budget": 0}
            budget.pop("until", None)
        if known is not None:
            known.recheck_budget = int(budget.get("budget", 0))
        resume = bool(known) and not last_run_finished(db, site)
        held = held_articles(db, site_def.slug)
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(spider_cls)
        # Before any component connects a handler: every one is guarded (signal_guard.py).
        crawler.signals = guards = GuardedSignals(crawler)
        watch = _DiskWatch(crawler)
        crawler.signals.connect(watch.item_error, signal=signals.item_error)
        crawler.signals.connect(watch.spider_opened, signal=signals.spider_opened)
        logging.getLogger().addHandler(watch)
        process.crawl(
            crawler,
            base_url=base_url,
            max_pages=max_pages,
            known=known if known else None,
            stop_after_known=0 if (full or resume or refresh) else 1,
            **(spider_kwargs or {}),
        )
        try:
            process.start()
        finally:
            logging.getLogger().removeHandler(watch)
            checkpoint(db)
        stats = crawler.stats.get_stats() if crawler.stats else {}
        layout = layout_record(stats, held, site_def.slug)
        run_id = stats.get("luutru/run_id")
        rechecks = getattr(getattr(crawler, "spider", None), "rechecks", None)
        made = rechecks.made if rechecks is not None else []
        recheck_found = ({**budget, **recheck_outcomes(db, site, run_id, made)} if budget
                         else {})
        record = {**layout, **({"recheck": recheck_found} if recheck_found else {}),
                  **({"signal_errors": guards.errors} if guards.errors else {})}
        if watch.full is None and record:
            record_layout(db, run_id, record)
            if guards.errors:
                fail_run(db, run_id)
            checkpoint(db)
    if watch.full is not None:
        raise ArchiveFull(
            f"the disk is full (or the archive reached its size limit) while writing {db}: "
            f"{watch.full}; everything stored before is intact: free space and run the same "
            "command again to resume"
        )
    start, finish = stats.get("start_time"), stats.get("finish_time")
    elapsed = (finish - start).total_seconds() if start and finish else 0.0
    outcomes = {k.split("/")[-1]: v for k, v in stats.items() if k.startswith("luutru/outcome/")}
    return CrawlSummary(
        site=site,
        db=str(db),
        run_id=stats.get("luutru/run_id"),
        status="failed" if guards.errors else stats.get("luutru/run_status", "failed"),
        pages=stats.get("response_received_count", 0),
        new=stats.get("luutru/articles/new", 0),
        updated=stats.get("luutru/articles/updated", 0),
        unchanged=stats.get("luutru/articles/unchanged", 0),
        duplicate=stats.get("luutru/articles/duplicate", 0),
        gone=stats.get("luutru/gone", 0),
        skipped=outcomes.get("skipped", 0),
        errors=outcomes.get("failed", 0),
        elapsed_s=round(elapsed, 2),
        outcomes=outcomes,
        finish_reason=str(stats.get("finish_reason", "")),
        sections_failed=list(layout.get("sections_failed", [])),
        sections_discovered=list(layout.get("sections_discovered", [])),
        empty_listings=list(layout.get("empty_listings", [])),
        empty_sections=list(layout.get("empty_sections", [])),
        listing_fallback=int(layout.get("listing_fallback", 0)),
        listing_links=layout.get("listing_links"),
        silent_zero=list(layout.get("silent_zero", [])),
        recheck=recheck_found,
        signal_errors=list(guards.errors),
    )
