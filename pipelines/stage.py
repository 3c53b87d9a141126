"""What the item pipelines need of a crawler: Scrapy's own, or the archive writer's stand-in.

The same stage classes run in Scrapy's process (built by `from_crawler`) and in the archive
writer process (pipelines/writer_child.py), which has no Scrapy crawler, only the site, the
spider's base URL and a stats collector. The Protocols below say what both must offer, so the
stages are checked against the one and the other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, Self, runtime_checkable

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings


class Stats(Protocol):
    """A stats collector (scrapy.statscollectors.StatsCollector, writer_child.DeltaStats)."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None: ...

    def set_value(self, key: str, value: Any) -> None: ...

    def get_value(self, key: str, default: Any = None) -> Any: ...


class Site(Protocol):
    """A school's site definition (scrapers/sites `SiteDef`), as far as the archive needs it."""

    slug: str
    base_url: str
    aliases: Sequence[str]

    def as_row(self) -> dict[str, Any]:
        """The `sites` table row."""
        ...


@runtime_checkable
class SiteSpider(Protocol):
    """A spider of one site (scrapers/platforms/base.py `SiteSpider`): the site it crawls and the
    origin it crawls it at (`--base-url`, a replica's address in tests). Checked at run time
    (`as_site_spider`): the spiders are the layer above, never imported here."""

    name: str
    site: Site
    base_url: str


class StageCrawler(Protocol):
    """What a stage reads of its crawler: stats, settings, and the spider (set at crawl time)."""

    @property
    def stats(self) -> Stats: ...

    @property
    def settings(self) -> BaseSettings: ...

    @property
    def spider(self) -> object: ...


def connect(crawler: Crawler, receiver: object, *names: str) -> None:
    """Connect each of the receiver's methods named after a Scrapy signal to that signal."""
    for name in names:
        crawler.signals.connect(getattr(receiver, name), signal=getattr(signals, name))


def as_site_spider(spider: object) -> SiteSpider:
    """The crawl's spider as a site spider; a stage that stores articles runs under no other."""
    if not isinstance(spider, SiteSpider):
        raise TypeError(f"the archive pipelines need a site spider, not {spider!r}")
    return spider


def site_origins(spider: SiteSpider) -> tuple[str, tuple[str, ...]]:
    """The live origin URLs are canonicalised to, and every origin that stands for it."""
    return spider.site.base_url, (*spider.site.aliases, spider.base_url)


class Stage:
    """A thin Scrapy item pipeline: built from the crawler, it keeps the crawler and its stats."""

    def __init__(self, crawler: StageCrawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self._spider: SiteSpider | None = None

    def site_spider(self) -> SiteSpider:
        """The crawl's site spider, checked once (a Protocol check costs ~30 µs: not per item)."""
        if self._spider is None:
            self._spider = as_site_spider(self.crawler.spider)
        return self._spider

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        """Scrapy's way in; the writer process builds its stages with its stand-in crawler."""
        return cls(crawler)
