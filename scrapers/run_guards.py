"""The guarantees of an archive crawl, as a Scrapy add-on every crawl runs (setting ADDONS).

`luutru crawl` (luutru/crawl.py), a plain `scrapy crawl <site>` and a Scrapyd job build the
same crawler from the same settings, so they get the same guarantees from this one place:

- **one writer per archive**: an exclusive lock on LUUTRU_DB (archive/lock.py), taken before the
  writer process opens it, and a damaged archive refused (`PRAGMA quick_check`). `luutru crawl`
  takes the lock itself before it reads the archive (incremental crawling) and hands it over
  (`crawler.luutru_archive_lock`), so no second lock is taken;
- **signal handlers guarded** (scrapers/signal_guard.py): installed when the add-on runs, which
  is before any component but the spider exists; the spider's own handlers are moved onto the
  guarded manager (`signal_guard.install`);
- **the disk-full stop and the size quota** (`DiskWatch`, LUUTRU_MAX_DB_PAGES): the first write
  that fails for lack of space closes the spider with reason `disk_full`;
- **the layout record and no silent zero**: once the writer process has closed the run, the
  spider's layout facts (archive/run_record.py) go into the run's `stats_json`, and a run with a
  silent zero, a layout close reason or a swallowed signal-handler error is marked failed
  there (with `failed_because`), before a shard's manifest (scrapers/shard_manifest.py) reads
  the status.

The add-on runs after scrapers.shard.ShardAddon (order 10 > 0), which may point LUUTRU_DB into a
shard. It does nothing for crawls without the archive's writer in ITEM_PIPELINES.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings, Settings
from scrapy.utils.asyncio import call_later
from scrapy.utils.conf import build_component_list
from scrapy.utils.defer import deferred_from_coro

from archive.lock import ArchiveLock
from archive.run_record import (
    check_archive,
    checkpoint,
    disk_full_message,
    fail_run,
    failure_reasons,
    held_articles,
    is_disk_full,
    layout_record,
    record_layout,
)
from scrapers.signal_guard import GuardedSignals, install

logger = logging.getLogger(__name__)

GUARDS_ADDON = "scrapers.run_guards.RunGuards"
GUARDS_ORDER = 10  # after scrapers.shard.ShardAddon (0)
# The pipelines that write an archive: a crawl with neither is not guarded (a probe, a bench).
ARCHIVE_PIPELINES = ("pipelines.writer.WriterPipeline", "pipelines.item_pipelines.ArchivePipeline")


class DiskWatch(logging.Handler):
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
        apply_quota(self.crawler)

    def item_error(self, item: Any, response: Any, spider: Any, failure: Any) -> None:
        if is_disk_full(getattr(failure, "value", None)):
            self.hit(failure.value)

    def hit(self, exc: BaseException) -> None:
        if self.full is not None:
            return
        self.full = exc
        stop_crawl(self.crawler, "disk_full")


def stop_crawl(crawler: Crawler, reason: str) -> None:
    """Close the spider with `reason` once the current call returns: a guard trips inside a
    log handler or a middleware, which must not re-enter the engine. No-op without a running
    engine."""
    engine = crawler._engine
    if engine is None or not engine.running:
        return
    call_later(0, lambda: deferred_from_coro(engine.close_spider_async(reason=reason)))


def apply_quota(crawler: Crawler) -> None:
    """`LUUTRU_MAX_DB_PAGES`: cap the in-process writer connection's `max_page_count` (a size
    quota, and how the tests make the disk "full" without root; the writer process applies
    it to its own connection)."""
    pages = crawler.settings.getint("LUUTRU_MAX_DB_PAGES", 0)
    if pages <= 0 or crawler._engine is None:
        return
    for pipe in getattr(crawler.engine.scraper.itemproc, "middlewares", ()):
        archive = getattr(pipe, "archive", None)
        conn = getattr(archive, "conn", None)
        if conn is not None:
            conn.execute(f"PRAGMA max_page_count = {int(pages)}")


def _component_name(component: Any) -> str:
    return component if isinstance(component, str) else (
        f"{component.__module__}.{component.__qualname__}")


def writes_archive(settings: BaseSettings) -> bool:
    """True when the crawl stores into an archive (its pipelines include the writer)."""
    enabled = {_component_name(c)
               for c in build_component_list(settings.getwithbase("ITEM_PIPELINES"))}
    return any(name in enabled for name in ARCHIVE_PIPELINES)


def require(settings: Settings) -> None:
    """Make sure the guards run in a crawl with these settings, even when ADDONS was replaced
    (`--set ADDONS=...`): `luutru crawl` never runs unguarded."""
    addons = settings.getdict("ADDONS")
    if GUARDS_ADDON not in addons:
        addons[GUARDS_ADDON] = GUARDS_ORDER
        settings.set("ADDONS", addons, priority=max(settings.getpriority("ADDONS") or 0, 40))


def guards_of(crawler: Crawler) -> RunGuards | None:
    """The run guards of this crawler (None: the add-on did not run, e.g. the spider failed)."""
    guards = getattr(crawler, "luutru_guards", None)
    return guards if guards is not None and guards.active else None


class RunGuards:
    """Scrapy add-on: the crawl's guarantees (module doc). One per crawler."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.active = False
        self.db = Path("luutru.db")
        self.site = crawler.spidercls.name
        self.signals: GuardedSignals | None = None
        self.watch = DiskWatch(crawler)
        self.lock: ArchiveLock | None = None  # ours; None when the caller holds it
        self.held = 0
        self.run_id: int | None = None
        self.layout: dict[str, Any] = {}
        self.failed_because: list[str] = []
        self.settled = False
        self._errors_recorded = 0
        self._attached = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunGuards:
        guards = cls(crawler)
        crawler.luutru_guards = guards  # type: ignore[attr-defined]
        return guards

    @property
    def errors(self) -> list[dict[str, str]]:
        return self.signals.errors if self.signals is not None else []

    @property
    def disk_full(self) -> BaseException | None:
        return self.watch.full

    def update_settings(self, settings: Settings) -> None:
        if not writes_archive(settings):
            return
        spider = self.crawler.spider
        site = getattr(spider, "site", None)
        self.site = getattr(site, "slug", None) or self.site
        self.db = Path(settings.get("LUUTRU_DB") or "luutru.db")
        self.signals = install(self.crawler)
        if getattr(self.crawler, "luutru_archive_lock", None) is None:
            self.lock = ArchiveLock(self.db, f"scrapy crawl {self.crawler.spidercls.name}")
            try:
                self.lock.acquire()
                check_archive(self.db)
            except Exception as exc:
                self._release()
                logger.error("luutru: %s", exc)
                raise
        self.held = held_articles(self.db, self.site)
        self.active = True
        connect = self.crawler.signals.connect
        connect(self.watch.item_error, signal=signals.item_error)
        connect(self.spider_opened, signal=signals.spider_opened)
        connect(self.engine_stopped, signal=signals.engine_stopped)
        logging.getLogger().addHandler(self.watch)
        self._attached = True

    # -- the run ------------------------------------------------------------------------------

    def spider_opened(self) -> None:
        self.watch.spider_opened()
        # Connected now, after the item pipelines connected theirs: runs once the writer
        # process has closed the run (WriterPipeline.spider_closed returns then), and before
        # the shard manifest's handler, connected at spider_opened by a later extension.
        self.crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def spider_closed(self, reason: str) -> None:
        self.settle(reason)

    def settle(self, reason: str) -> None:
        """Write the layout record and the verdict into the run record (once)."""
        if self.settled:
            return
        self.settled = True
        stats = self.crawler.stats.get_stats() if self.crawler._stats is not None else {}
        self.run_id = stats.get("luutru/run_id")
        self.layout = layout_record({**stats, "finish_reason": reason}, self.held, self.site)
        if self.watch.full is not None:
            return  # nothing more is written to a full disk: the run stays interrupted
        errors = list(self.errors)
        self.failed_because = failure_reasons(self.layout, reason, errors)
        record = {**self.layout, **({"signal_errors": errors} if errors else {}),
                  **({"failed_because": self.failed_because} if self.failed_because else {})}
        record_layout(self.db, self.run_id, record)
        self._errors_recorded = len(errors)
        if self.failed_because and self.run_id is not None:
            fail_run(self.db, self.run_id)
            logger.error("luutru: run %s of %s recorded failed: %s", self.run_id, self.site,
                         ", ".join(self.failed_because))
        if self.crawler._stats is not None:
            self.crawler.stats.set_value("luutru/failed_because", list(self.failed_because))

    def late(self) -> None:
        """Signal-handler errors raised after the run record was settled (engine_stopped
        handlers...): recorded and the run failed all the same."""
        errors = list(self.errors)
        if (not self.settled or self.watch.full is not None
                or len(errors) <= self._errors_recorded):
            return
        self._errors_recorded = len(errors)
        if "signal_errors" not in self.failed_because:
            self.failed_because.append("signal_errors")
        record_layout(self.db, self.run_id, {"signal_errors": errors,
                                             "failed_because": self.failed_because})
        fail_run(self.db, self.run_id)

    def engine_stopped(self) -> None:
        if not self.settled:  # the spider never opened: still say what is known
            stats = self.crawler.stats.get_stats() if self.crawler._stats is not None else {}
            self.settle(str(stats.get("finish_reason", "")))
        self.late()
        self.detach()
        if self.watch.full is not None:
            logger.error("luutru: %s", disk_full_message(self.db, self.watch.full))
        if self.lock is not None:  # a `scrapy crawl` or Scrapyd job: nobody else folds the WAL
            checkpoint(self.db)
        self._release()

    def detach(self) -> None:
        """Stop watching the log (idempotent; luutru/crawl.py calls it when the process ends)."""
        if self._attached:
            logging.getLogger().removeHandler(self.watch)
            self._attached = False

    def _release(self) -> None:
        if self.lock is None:
            return
        self.lock.release()
        # A shard (scrapers/shard.py) is one job's folder of listed files: no lock file stays.
        if getattr(self.crawler, "luutru_shard", None) is not None:
            self.lock.path.unlink(missing_ok=True)
        self.lock = None
