"""Economies for the crawler process, which is the crawl's bottleneck (issue 12).

The crawler process is CPU-bound on one core while the archive writer has room on the other
(pipelines/writer.py). Two costs in it are nobody's work:

- `QuietLogFormatter`: Scrapy builds a DEBUG record for every response ("Crawled (200)") and
  every item ("Scraped from"), formats its caller and hands it to the handlers, which drop it
  at luutru's INFO/WARNING level (Scrapy keeps its loggers at DEBUG and filters in the
  handler). With a `LOG_LEVEL` above DEBUG those two records are not made at all; at DEBUG
  they are logged as before.
- `GcTuning`: CPython's cyclic garbage collector rescans every tracked object, the ~100,000 of
  the imported code included, at each full collection, and runs a young collection every 700
  allocations: ~0.5 s of a 1,000-article crawl's ~7 s (measured with `gc.callbacks`). At the
  spider's start the heap built so far is frozen (`gc.freeze`: never scanned again) and young
  collections run every `LUUTRU_GC_THRESHOLD` allocations; both are undone when the spider
  closes, so an in-process caller (the tests) gets its collector back as it was. Garbage is
  still freed by reference counting at once; only cycles wait a little longer.
- `LeanMetaRefreshMiddleware` (580, replaces Scrapy's): Scrapy decodes every HTML page's head
  and runs two regex passes (base URL, meta refresh) on it, ~1 % of the crawler's CPU, though
  almost no page has a refresh; a page whose first bytes never say "refresh" goes on at once.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.logformatter import LogFormatter

from scrapers.signal_guard import connect_handlers


class QuietLogFormatter(LogFormatter):
    """Scrapy's formatter, minus the per-response and per-item DEBUG records nobody sees."""

    def __init__(self, debug: bool = True) -> None:
        self.debug = debug

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> QuietLogFormatter:
        level = crawler.settings.get("LOG_LEVEL", "DEBUG")
        if isinstance(level, str):
            level = logging.getLevelName(level.upper())
        return cls(debug=not isinstance(level, int) or level <= logging.DEBUG)

    def crawled(self, *args: Any, **kwargs: Any) -> Any:
        return super().crawled(*args, **kwargs) if self.debug else None

    def scraped(self, *args: Any, **kwargs: Any) -> Any:
        return super().scraped(*args, **kwargs) if self.debug else None


class GcTuning:
    """Freeze the start-up heap and collect young objects less often while the spider runs."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self.saved: tuple[int, ...] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GcTuning:
        threshold = crawler.settings.getint("LUUTRU_GC_THRESHOLD", 0)
        if threshold <= 0:
            raise NotConfigured
        return connect_handlers(crawler, cls(threshold), "spider_opened", "spider_closed")

    def spider_opened(self) -> None:
        if self.saved is not None or not gc.isenabled():
            return
        self.saved = gc.get_threshold()
        gc.freeze()  # no collection first: ~30 ms a crawl, for cycles unfreeze() gives back
        gc.set_threshold(self.threshold, 10, 10)

    def spider_closed(self) -> None:
        if self.saved is None:
            return
        gc.set_threshold(*self.saved)
        self.saved = None
        gc.unfreeze()


# A `<meta http-equiv="refresh">` within the 4,096 characters Scrapy reads spells "refresh" in
# the first 16 KiB (at most 4 bytes a character), unless entities or a UTF-16/32 body hide it.
_REFRESH_HEAD = 4 * 4096


def may_refresh(body: bytes) -> bool:
    """False when the page's head cannot hold a meta refresh (C-speed byte searches: a regex
    with IGNORECASE over 16 KiB cost more than Scrapy's own check)."""
    head = body[:_REFRESH_HEAD]
    return b"\x00" in head or b"&#" in head or b"refresh" in head.lower()


class LeanMetaRefreshMiddleware(MetaRefreshMiddleware):
    """Scrapy's meta-refresh redirects, without decoding and searching pages that cannot hold
    one: Scrapy reads every HTML page's base URL and meta refresh (two regex passes, two weak
    caches) although almost none has a refresh; a page whose first bytes never say "refresh"
    goes on untouched, any other is handled by Scrapy's code as before."""

    def process_response(self, request: Request, response: Response,
                         spider: Any = None) -> Request | Response:
        if not may_refresh(response.body):
            return response
        return super().process_response(request, response)
