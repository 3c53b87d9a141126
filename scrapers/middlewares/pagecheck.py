"""Spider middleware: pages that answer 200 but hold nothing, callbacks that fail, and the stop
when a site's layout no longer matches its selectors.

`PageCheckMiddleware` (60): a 200 whose `<title>` says "page not found" is `skipped(soft_404)`,
an empty 200 `skipped(empty_response)`; an exception in a callback is logged with its URL and
traceback and recorded `failed(parse_error)`; when most article pages yield no article
(`LUUTRU_LAYOUT_ERRORS` of them) the site's layout has changed: the crawl stops with the close
reason `layout_changed` (exit code 5). Stored articles carry the response's trouble flags
(`partial`, `dataloss`, `encoding_conflict`, `replacement_chars=N`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from pipelines.items import ArticleItem, FetchOutcome
from scrapers.run_guards import stop_crawl

logger = logging.getLogger(__name__)

SOFT_404_TITLE = re.compile(
    r"không\s+tìm\s+thấy|trang\s+không\s+tồn\s+tại|page\s+not\s+found|\b404\b|not\s+found",
    re.IGNORECASE,
)
RESPONSE_FLAGS = ("partial", "dataloss", "encoding_conflict")


class PageCheckMiddleware:
    """Spider middleware: soft 404s, callback exceptions, and the layout-change guard."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.limit = crawler.settings.getint("LUUTRU_LAYOUT_ERRORS", 25)
        self.layout_errors = 0
        self.articles = 0
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageCheckMiddleware:
        return cls(crawler)

    # Universal spider middleware: a sync and an async output hook.
    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        soft = self._soft_404(response)
        for item in result:
            yield from self._check(response, item, soft)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        soft = self._soft_404(response)
        async for item in result:
            for out in self._check(response, item, soft):
                yield out

    def _check(self, response: Response, item: Any, soft: str | None) -> Iterator[Any]:
        if soft and isinstance(item, ArticleItem | FetchOutcome):
            logger.warning("skipped %s: %s", response.url, soft)
            yield FetchOutcome(url=_scheduled(response), outcome="skipped", kind=_kind(response),
                               reason=soft, http_status=response.status)
            return
        if isinstance(item, ArticleItem):
            self.articles += 1
            flags = [f for f in response.flags if f in RESPONSE_FLAGS]
            if isinstance(response, TextResponse):
                bad = item.title_raw.count("\ufffd") + sum(
                    p.count("\ufffd") for p in item.paragraphs_raw)
                if bad:
                    flags.append(f"replacement_chars={bad}")
            if flags:
                item.flags = flags
                logger.warning("stored %s with flags %s", response.url, ",".join(flags))
        elif isinstance(item, FetchOutcome) and item.outcome == "failed" and (
            (item.reason or "").split(":")[0] in ("no_article", "parse_error")
        ):
            self._layout_error()
        yield item

    def process_spider_exception(self, response: Response, exception: Exception
                                 ) -> list[FetchOutcome] | None:
        if isinstance(exception, HttpError | IgnoreRequest):
            return None  # Scrapy's own filtering, reported by the errback
        logger.error("parse_error at %s", response.url, exc_info=exception)
        self.crawler.stats.inc_value("luutru/parse_error")
        self._layout_error()
        return [FetchOutcome(url=_scheduled(response), outcome="failed", kind=_kind(response),
                             reason=f"parse_error: {type(exception).__name__}",
                             http_status=response.status)]

    def _layout_error(self) -> None:
        self.layout_errors += 1
        if (self.limit > 0 and not self.closing and self.layout_errors >= self.limit
                and self.layout_errors > 4 * self.articles):
            self.closing = True
            logger.error("layout_changed: %d article pages without an article (%d stored): the "
                         "site's pages no longer match its selectors; stopping", self.layout_errors,
                         self.articles)
            stop_crawl(self.crawler, "layout_changed")

    @staticmethod
    def _soft_404(response: Response) -> str | None:
        if response.status != 200 or response.request is None:
            return None
        if response.request.meta.get("kind") not in ("article", "listing"):
            return None
        if not response.body.strip():
            return "empty_response"
        if not isinstance(response, TextResponse):
            return None
        title = " ".join(response.css("title::text").get("").split())
        if title and SOFT_404_TITLE.search(title):
            return "soft_404"
        return None


def _kind(response: Response) -> str:
    """What the request was scheduled as (`article`, `listing`, ...), for the fetch log."""
    request = response.request
    return str(request.meta.get("kind", "page")) if request is not None else "page"


def _scheduled(response: Response) -> str:
    """The URL as scheduled, before redirects: the fetch log's key."""
    request = response.request
    if request is None:
        return response.url
    return str(request.meta.get("redirect_urls", [request.url])[0])
