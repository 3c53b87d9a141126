"""The one place a `luutru` command builds Scrapy: a run's settings, and the crawler it runs.

Every command that crawls (`crawl`, each site of `crawl --all` in its own `luutru crawl`,
`crawl-url`, `check-site`) and `reextract`, which runs spiders over stored pages without a
crawl, gets its Scrapy objects from here, so what the project applies to a run (its database,
the log level and file, `--delay`/`--concurrency`, `--set NAME=VALUE`, the run guards of
scrapers/run_guards.py) is applied the same way to all of them. tests/test_process.py fails if
another module of luutru/ constructs a crawler or assembles settings itself.

- `crawl_settings(db, ...)`: the project settings with this run's options on top.
- `crawler_process(settings, spider_cls)`: a `CrawlerProcess` and its one crawler, whose
  settings must keep the run guards (an archive crawl without them is refused).
- `offline_spider(spider_cls, ...)`: a spider bound to a crawler that never runs, to parse
  pages already on disk (WARC captures, saved fixtures) exactly as a crawl would; such a
  spider is a `PageReader` when its family parses one page at a time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

from scrapy import Request, Spider
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.http import Response
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector

import scrapers.settings as default_settings
from scrapers import run_guards

S = TypeVar("S", bound=Spider)

# Settings `--set` may not change: luutru resumes from the archive, never from a Scrapy JOBDIR
# (a job directory is only valid for a clean stop and the same Scrapy version).
REFUSED_SETTINGS = ("JOBDIR", "LUUTRU_DB")
# `check-site`'s sample cap, a spider middleware named by string like every Scrapy component.
SAMPLE_CAP = "luutru.process.SampleCap"


def crawl_settings(
    db: str | Path,
    *,
    delay: float | None = None,
    concurrency: int | None = None,
    progress: float = 0,
    log_level: str = "WARNING",
    log_file: str | None = None,
    overrides: Mapping[str, str] | None = None,
    sample: int | None = None,
) -> Settings:
    """Project settings with this run's options; a delay of 0 also turns AutoThrottle off.

    `overrides` are Scrapy settings given as `--set NAME=VALUE` (like `scrapy crawl -s`); they
    come last, so a person's setting wins over the command's own. `sample` (check-site): at
    most that many article requests, each article read twice, by the family's selectors and
    by the generic extraction (scrapers/crosscheck.py).
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
    if sample is not None:
        settings.set("SPIDER_MIDDLEWARES",
                     {**settings.getdict("SPIDER_MIDDLEWARES"), SAMPLE_CAP: 50},
                     priority="cmdline")
        settings.set("LUUTRU_SAMPLE", sample, priority="cmdline")
        settings.set("LUUTRU_CROSSCHECK", True, priority="cmdline")
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def refused_setting(overrides: Mapping[str, str]) -> str | None:
    """Why `--set` may not give one of these settings (None when all are fine)."""
    refused = next((name for name in overrides if name in REFUSED_SETTINGS), None)
    if refused == "JOBDIR":
        return ("--set JOBDIR is not supported: luutru resumes an interrupted crawl from the "
                "archive itself (run the same command again)")
    return f"--set {refused} is not supported: use --db" if refused else None


def crawler_process(settings: Settings, spider_cls: type[S]) -> tuple[CrawlerProcess, Crawler]:
    """A crawler process holding one crawler of `spider_cls`, ready for `process.crawl`.

    The crawler's settings must keep the guarantees every archive crawl has (the run guards,
    scrapers/run_guards.py), even when `--set ADDONS=...` replaced the add-ons.
    """
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(spider_cls)
    run_guards.require(crawler.settings)
    return process, crawler


def offline_spider(spider_cls: type[S], settings: Settings | None = None, **kwargs: Any) -> S:
    """A spider made the way a crawl makes it (`from_crawler`, the project settings, or
    `settings`), for a crawler that never starts: its parse methods read pages already on
    disk. Its stats (which Scrapy makes only when a crawl starts) are kept in memory and
    thrown away: the spider counts as it does in a crawl."""
    crawler = Crawler(spider_cls, settings if settings is not None else crawl_settings(""))
    crawler.stats = MemoryStatsCollector(crawler)
    spider = spider_cls.from_crawler(crawler, **kwargs)
    crawler.spider = spider
    return spider


@runtime_checkable
class PageReader(Protocol):
    """A spider that parses one page without an engine: a listing page into article requests,
    an article page into its item. Every listing family has both (ListingSpider), and the
    generic family of site files (GenericSiteSpider); crawl-url's bare generic spider, which
    reads any page the same way, has neither: check with isinstance before use."""

    def parse_listing(self, response: Response, section: str) -> Iterator[Any]: ...

    def parse_article(self, response: Response, listing: dict[str, Any]) -> Iterator[Any]: ...


class SampleCap:
    """Spider middleware for `check-site`: at most `LUUTRU_SAMPLE` article requests in a run."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.seen = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SampleCap:
        return cls(crawler.settings.getint("LUUTRU_SAMPLE", 0))

    def _keep(self, obj: Any) -> bool:
        if self.cap <= 0 or not isinstance(obj, Request) or obj.meta.get("kind") != "article":
            return True
        self.seen += 1
        return self.seen <= self.cap

    def process_spider_output(self, response: Any, result: Iterable[Any]) -> Iterator[Any]:
        for obj in result:
            if self._keep(obj):
                yield obj

    async def process_spider_output_async(self, response: Any, result: AsyncIterator[Any]
                                          ) -> AsyncIterator[Any]:
        async for obj in result:
            if self._keep(obj):
                yield obj

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for obj in start:
            if self._keep(obj):
                yield obj
