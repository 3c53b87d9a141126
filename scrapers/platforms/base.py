"""What every site spider shares: site binding, mirror base URL, outcome reports."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from scrapers.items import FetchOutcome
from scrapers.sites import SiteDef


def utc_now() -> str:
    """Fetch timestamps are UTC ISO strings, the same on every machine."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def scheduled_url(request: scrapy.Request) -> str:
    """The URL a request was first scheduled under; redirects keep the chain in meta."""
    return request.meta.get("redirect_urls", [request.url])[0]


def failure_reason(failure: Failure) -> tuple[str, int | None]:
    """A short machine-readable reason (`http_404`, `timeout`, `dns`...) for a failed request."""
    exc = failure.value
    response = getattr(exc, "response", None)
    if response is not None:
        return f"http_{response.status}", response.status
    name = type(exc).__name__
    message = str(exc)
    if "robots.txt" in message:
        return "robots_txt", None
    for needle, reason in (
        ("Timeout", "timeout"),
        ("DNS", "dns"),
        ("ConnectionRefused", "connection_refused"),
        ("ConnectionLost", "connection_lost"),
        ("ResponseNeverReceived", "connection_lost"),
        ("DataLoss", "data_loss"),
        ("Cancelled", "too_large"),
        ("IgnoreRequest", "ignored"),
    ):
        if needle in name:
            return reason, None
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower(), None


class SiteSpider(scrapy.Spider):
    """Base for CMS-family spiders; a concrete spider class is made per site file."""

    site: ClassVar[SiteDef]

    def __init__(
        self,
        base_url: str | None = None,
        max_pages: int | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.base_url = (base_url or self.site.base_url).rstrip("/")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"--base-url must be an http(s) URL, got {base_url!r}")
        self.allowed_domains = [parts.hostname]
        self.max_pages = int(max_pages) if max_pages not in (None, "", 0, "0") else None
        self._listing_pages: dict[str, int] = {}
        self._deferred: dict[str, scrapy.Request] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.schedule_deferred, signal=signals.spider_idle)
        return spider

    def defer(self, request: scrapy.Request) -> None:
        """Hold a request found outside the listings until every listing has been read.

        Articles linked from "related" blocks must not be fetched before their listing row is:
        the listing row carries the publication date, and a URL is fetched only once. A crawl
        bounded by `max_pages` stays within its listing pages and skips them.
        """
        if self.max_pages is None:
            self._deferred.setdefault(request.url, request)

    def schedule_deferred(self) -> None:
        if not self._deferred:
            return
        requests, self._deferred = list(self._deferred.values()), {}
        for request in requests:
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def section_url(self, path: str) -> str:
        """Absolute URL of a section path on the crawled host, percent-encoded like a browser's."""
        return self.base_url + quote(path, safe="/?=&%")

    def may_follow_listing(self, section: str) -> bool:
        """Count listing pages per section against `--max-pages`."""
        count = self._listing_pages.get(section, 0)
        if self.max_pages is not None and count >= self.max_pages:
            return False
        self._listing_pages[section] = count + 1
        return True

    def listed(self, response: Response) -> FetchOutcome:
        return FetchOutcome(
            url=scheduled_url(response.request),
            outcome="crawled",
            kind="listing",
            http_status=response.status,
        )

    def on_error(self, failure: Failure) -> Iterator[FetchOutcome]:
        """Errback: every failed request becomes a fetch-log row, and the crawl goes on."""
        request = failure.request  # type: ignore[attr-defined]
        reason, status = failure_reason(failure)
        outcome = "skipped" if reason == "robots_txt" else "failed"
        self.logger.warning("%s %s: %s", outcome, request.url, reason)
        yield FetchOutcome(
            url=scheduled_url(request),
            outcome=outcome,
            kind=request.meta.get("kind", "page"),
            reason=reason,
            http_status=status,
        )
