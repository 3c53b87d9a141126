"""The scheduler's signals, turned into fetch-log rows: every scheduled URL ends with one.

Scrapy drops some requests without calling a callback or errback (a redirect to an already-seen
URL, an off-site redirect, another spelling of an article already scheduled); only the
scheduler's signals see them. Both pipelines that keep the fetch log watch them the same way:
`ArchivePipeline` when it runs in the crawler's process, `WriterPipeline` when the archive is
written by a second process (pipelines/writer.py). `_log` keeps one row per URL; each keeper
provides `_write_log`, which writes it (or hands it to the process that does).
"""

from __future__ import annotations

import re
from typing import Any, Self, TypedDict, Unpack

from scrapy import Request
from scrapy.crawler import Crawler
from twisted.python.failure import Failure

from archive.urls import same_site
from pipelines.items import ArticleItem
from pipelines.stage import SiteSpider, Stage, StageCrawler, connect


class FetchDetails(TypedDict, total=False):
    """The optional parts of a fetch-log row (archive.store `Archive.log_fetch`)."""

    reason: str | None
    http_status: int | None
    article_id: int | None


def failure_reason(failure: Failure | BaseException) -> tuple[str, int | None]:
    """A short machine-readable reason (`http_404`, `timeout`, `dns`...) for a failed request
    (an errback's Failure, or the exception itself)."""
    exc = failure.value if isinstance(failure, Failure) else failure
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


class FetchLogSignals(Stage):
    """Bookkeeping of scheduled URLs: how often each is in flight, its kind, which are done."""

    def __init__(self, crawler: StageCrawler) -> None:
        super().__init__(crawler)
        self.scheduled: dict[str, int] = {}  # URL as first scheduled -> times scheduled
        self.kinds: dict[str, str] = {}
        self.done: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipe = cls(crawler)
        connect(crawler, pipe, "request_scheduled", "request_dropped", "item_dropped",
                "spider_closed")
        return pipe

    def spider_closed(self, spider: SiteSpider, reason: str) -> None:
        """Each keeper closes its run (and logs what was never answered) here."""
        raise NotImplementedError

    def _write_log(self, url: str, kind: str, outcome: str, details: FetchDetails) -> None:
        """Write the fetch-log row (or hand it to the process that writes it)."""
        raise NotImplementedError

    def _settle(self, url: str) -> bool:
        """Mark `url` as answered; False when it was already (its first row stands)."""
        if url in self.done:
            return False
        self.done.add(url)
        self.scheduled.pop(url, None)
        return True

    def _log(self, url: str, kind: str, outcome: str, **details: Unpack[FetchDetails]) -> None:
        """The URL's one fetch-log row: a URL answered already keeps its first."""
        if self._settle(url):
            self._write_log(url, kind, outcome, details)

    def _log_unanswered(self, reason: str) -> None:
        """At the crawl's end: every URL still scheduled is skipped, with the crawl's reason."""
        for url in list(self.scheduled):
            self._log(url, self.kinds.get(url, "page"), "skipped",
                      reason=f"not_fetched: crawl {reason}")

    def request_scheduled(self, request: Request, spider: SiteSpider) -> None:
        chain = request.meta.get("redirect_urls")
        key = chain[0] if chain else request.url
        if key in self.done:
            return
        self.kinds.setdefault(key, request.meta.get("kind", "page"))
        self.scheduled[key] = self.scheduled.get(key, 0) + (0 if chain else 1)
        if chain and not same_site(request.url, spider.base_url, ()):
            # OffsiteMiddleware drops this request silently after this signal.
            self._log(key, self.kinds[key], "skipped", reason=f"offsite_redirect: {request.url}")

    def request_dropped(self, request: Request, spider: SiteSpider) -> None:
        chain = request.meta.get("redirect_urls")
        key = chain[0] if chain else request.url
        if key in self.done:
            return
        kind = self.kinds.get(key, "page")
        if chain:
            self._log(key, kind, "skipped", reason=f"redirect_to_seen_url: {request.url}")
        elif self.scheduled.get(key, 0) > 1:
            self.scheduled[key] -= 1  # a repeat of a URL still in flight
        elif request.meta.get("same_article"):  # another spelling (scrapers/fingerprint.py)
            self._log(key, kind, "skipped",
                      reason=f"same_article:{request.meta['same_article']}")
        else:
            self._log(key, kind, "duplicate", reason="already_fetched_under_another_url")

    def item_dropped(self, item: Any, response: Any, exception: Exception,
                     spider: SiteSpider | None) -> None:
        if isinstance(item, ArticleItem):
            reason = str(exception).split(":", 1)[0] or "dropped"
            url = item.scheduled_url or item.url
            self._log(url, "article", "skipped", reason=reason, http_status=item.http_status)
