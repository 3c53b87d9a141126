"""The scheduler's signals, turned into fetch-log rows: every scheduled URL ends with one.

Scrapy drops some requests without calling a callback or errback (a redirect to an already-seen
URL, an off-site redirect, another spelling of an article already scheduled); only the
scheduler's signals see them. Both pipelines that keep the fetch log watch them the same way:
`ArchivePipeline` when it runs in the crawler's process, `WriterPipeline` when the archive is
written by a second process (pipelines/writer.py). Each provides `_log(url, kind, outcome,
reason, http_status, article_id)`, which writes the row once per URL.
"""

from __future__ import annotations

import re
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from twisted.python.failure import Failure

from archive.urls import same_site
from pipelines.items import ArticleItem


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


class FetchLogSignals:
    """Bookkeeping of scheduled URLs: how often each is in flight, its kind, which are done."""

    def __init__(self) -> None:
        self.scheduled: dict[str, int] = {}  # URL as first scheduled -> times scheduled
        self.kinds: dict[str, str] = {}
        self.done: set[str] = set()

    def connect_signals(self, crawler: Crawler) -> None:
        crawler.signals.connect(self.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(self.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        """Each keeper closes its run (and logs what was never answered) here."""
        raise NotImplementedError

    def _log(self, url: str, kind: str, outcome: str, reason: str | None = None,
             http_status: int | None = None, article_id: int | None = None) -> None:
        raise NotImplementedError

    def request_scheduled(self, request: Request, spider: Spider) -> None:
        chain = request.meta.get("redirect_urls")
        key = chain[0] if chain else request.url
        if key in self.done:
            return
        self.kinds.setdefault(key, request.meta.get("kind", "page"))
        self.scheduled[key] = self.scheduled.get(key, 0) + (0 if chain else 1)
        if chain and not same_site(request.url, spider.base_url, ()):
            # OffsiteMiddleware drops this request silently after this signal.
            self._log(key, self.kinds[key], "skipped", f"offsite_redirect: {request.url}")

    def request_dropped(self, request: Request, spider: Spider) -> None:
        chain = request.meta.get("redirect_urls")
        key = chain[0] if chain else request.url
        if key in self.done:
            return
        kind = self.kinds.get(key, "page")
        if chain:
            self._log(key, kind, "skipped", f"redirect_to_seen_url: {request.url}")
        elif self.scheduled.get(key, 0) > 1:
            self.scheduled[key] -= 1  # a repeat of a URL still in flight
        elif request.meta.get("same_article"):  # another spelling (scrapers/fingerprint.py)
            self._log(key, kind, "skipped", f"same_article:{request.meta['same_article']}")
        else:
            self._log(key, kind, "duplicate", "already_fetched_under_another_url")

    def item_dropped(self, item: Any, response: Any, exception: Exception, spider: Spider) -> None:
        if isinstance(item, ArticleItem):
            reason = str(exception).split(":", 1)[0] or "dropped"
            url = item.scheduled_url or item.url
            self._log(url, "article", "skipped", reason, http_status=item.http_status)
