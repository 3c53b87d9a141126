"""Run a crawl of one site into an archive (its Scrapy objects come from luutru/process.py).

What every archive crawl must guarantee (the lock, guarded signal handlers, the disk-full stop,
the layout record and "no silent zero") lives in the run guards (scrapers/run_guards.py), an
add-on that a plain `scrapy crawl` and a Scrapyd job run as well; this module adds what only
`luutru crawl` does: incremental crawling from what the archive holds, the re-check budget and
the run's summary.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy.settings import Settings

from archive.known import last_run_finished, load_known
from archive.lock import ArchiveLock
from archive.recheck import outcomes as recheck_outcomes
from archive.recheck import plan_budget
from archive.run_record import (
    ArchiveFull,
    check_archive,
    checkpoint,
    disk_full_message,
    record_layout,
)
from luutru.process import crawl_settings, crawler_process
from scrapers import run_guards
from scrapers.platforms import SiteSpider
from scrapers.spiders import spider_for

logger = logging.getLogger(__name__)


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
    # Exceptions raised in signal handlers (scrapers/signal_guard.py): the run failed.
    signal_errors: list[dict[str, str]] = field(default_factory=list)
    # Files of articles stored by earlier runs that those runs never fetched (a stop, a kill,
    # a 5xx): this run fetched them (pipelines/attachment_files.py, `attachment_wanted`).
    attachments_resumed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


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
    spider_cls: type[SiteSpider] | None = None,
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
    archive/recheck.py). An exception in any signal handler makes the run "failed"; a silent
    zero or a layout close reason marks it failed in its record too (scrapers/run_guards.py),
    while the summary keeps the crawl's own status, which with `silent_zero` exits 6.
    Raises `ArchiveLocked` when another process writes the same archive, `ArchiveCorrupt`
    when the archive fails `PRAGMA quick_check` (before anything is written), and
    `ArchiveFull` when the disk or the size quota fills up during the run.
    """
    spider_cls = spider_cls or spider_for(site)
    site_def = spider_cls.site
    settings = settings or crawl_settings(db)
    with ArchiveLock(db, f"luutru crawl {site}") as lock:
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
        process, crawler = crawler_process(settings, spider_cls)
        # The lock is ours already: the run guards take no second one.
        crawler.luutru_archive_lock = lock  # type: ignore[attr-defined]
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
            guards = run_guards.guards_of(crawler)
            if guards is not None:
                guards.detach()
            checkpoint(db)
        stats = crawler._stats.get_stats() if crawler._stats is not None else {}
        layout = guards.layout if guards is not None else {}
        errors = list(guards.errors) if guards is not None else []
        disk_full = guards.disk_full if guards is not None else None
        run_id = stats.get("luutru/run_id")
        rechecks = getattr(getattr(crawler, "spider", None), "rechecks", None)
        made = rechecks.made if rechecks is not None else []
        recheck_found = ({**budget, **recheck_outcomes(db, site, run_id, made)} if budget
                         else {})
        if disk_full is None and guards is not None:
            if recheck_found:
                record_layout(db, run_id, {"recheck": recheck_found})
            guards.late()  # a handler that raised after the run record was settled
            errors = list(guards.errors)
            checkpoint(db)
    if disk_full is not None:
        raise ArchiveFull(disk_full_message(db, disk_full))
    start, finish = stats.get("start_time"), stats.get("finish_time")
    elapsed = (finish - start).total_seconds() if start and finish else 0.0
    outcomes = {k.split("/")[-1]: v for k, v in stats.items() if k.startswith("luutru/outcome/")}
    return CrawlSummary(
        site=site,
        db=str(db),
        run_id=stats.get("luutru/run_id"),
        status="failed" if errors else stats.get("luutru/run_status", "failed"),
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
        signal_errors=errors,
        attachments_resumed=int(stats.get("luutru/attachments/resumed", 0)),
    )
