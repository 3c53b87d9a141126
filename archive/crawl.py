"""Start a crawl of one site into an archive: the archive's only contact with Scrapy."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

import scrapers.settings as default_settings
from archive.known import last_run_finished, load_known
from archive.lock import ArchiveLock
from scrapers.spiders import spider_for


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
) -> Settings:
    """Project settings with this run's overrides; a delay of 0 also turns AutoThrottle off."""
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
    return settings


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
) -> CrawlSummary:
    """Crawl `site` into `db` in this process and return the run's summary (blocks until done).

    Incremental by default: articles already archived are not fetched again (unless published
    within `refresh_days`, or `refresh`), and each listing is read from its first page until a
    page holds only known articles. After an interrupted run, or with `full`, every listing page
    is read (known articles are still skipped), so a resumed crawl misses nothing.
    Raises `ArchiveLocked` when another process writes the same archive.
    """
    spider_cls = spider_for(site)
    site_def = spider_cls.site
    settings = settings or crawl_settings(db)
    with ArchiveLock(db, f"luutru crawl {site}"):
        known = load_known(
            db,
            site,
            origin=site_def.base_url,
            aliases=(*site_def.aliases, *([base_url.rstrip("/")] if base_url else [])),
            refresh_all=refresh,
            refresh_days=refresh_days,
        )
        resume = bool(known) and not last_run_finished(db, site)
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(spider_cls)
        process.crawl(
            crawler,
            base_url=base_url,
            max_pages=max_pages,
            known=known if known else None,
            stop_after_known=0 if (full or resume or refresh) else 1,
        )
        process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    start, finish = stats.get("start_time"), stats.get("finish_time")
    elapsed = (finish - start).total_seconds() if start and finish else 0.0
    outcomes = {k.split("/")[-1]: v for k, v in stats.items() if k.startswith("luutru/outcome/")}
    return CrawlSummary(
        site=site,
        db=str(db),
        run_id=stats.get("luutru/run_id"),
        status=stats.get("luutru/run_status", "failed"),
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
    )
