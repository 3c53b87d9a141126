"""Per-host pacing: the download slot never waits less than a host asks (Crawl-delay,
Retry-After), within caps, so a slow school server is not hammered and a crawl still ends.

`RetryAfterMiddleware` (560, sees answers before Scrapy's RetryMiddleware): a 429/503 with
`Retry-After` is retried no sooner than asked (scrapy#3849), at most `LUUTRU_RETRY_AFTER_MAX`
seconds later, within `RETRY_TIMES`; a longer wait is not waited for (the URL is recorded
failed; the next scheduled run retries it). The Crawl-delay floor is set by
`robots.RobotsMiddleware`, which reads it, through `hold_crawl_delay`.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import math
import time
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.core.downloader import Slot
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import reactor
from twisted.internet.task import deferLater

logger = logging.getLogger(__name__)


def download_slot(crawler: Crawler, request: Request) -> Slot | None:
    """The downloader slot (one per host) `request` waits in, or None before the engine runs
    (`crawler.engine` raises until then; `_engine` is what Scrapy documents for that case)."""
    engine = crawler._engine
    if engine is None:
        return None
    downloader = engine.downloader
    return downloader.slots.get(downloader.get_slot_key(request))


def hold_crawl_delay(slot: Slot, delay: float) -> None:
    """Raise the slot's delay so that no wait between two requests is shorter than `delay`."""
    jitter = min(max(slot.jitter, 0.0), 0.9)
    # The slot waits delay × uniform(1 - jitter, 1 + jitter): never less than the crawl delay.
    floor = delay / (1 - jitter)
    if slot.delay < floor:
        slot.delay = floor


def is_loopback(netloc: str) -> bool:
    """A host on this machine (replicas, tests): no live school server to be polite to."""
    host = (urlsplit(f"//{netloc}").hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class RetryAfterMiddleware:
    """Honour `Retry-After` on 429 and 503 answers (see the module docstring)."""

    STATUSES = frozenset({429, 503})

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.cap = crawler.settings.getfloat("LUUTRU_RETRY_AFTER_MAX", 120.0)
        self.max_retry_times = crawler.settings.getint("RETRY_TIMES")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    async def process_response(self, request: Request, response: Response) -> Any:
        if response.status not in self.STATUSES or request.meta.get("dont_retry"):
            return response
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is None:
            return response  # Scrapy's RetryMiddleware retries it as usual
        if wait > self.cap:
            logger.warning("%s asks to come back in %.0f s (more than %.0f): not retried this "
                           "run", request.url, wait, self.cap)
            request.meta["dont_retry"] = True
            return response
        spider = self.crawler.spider
        if spider is None:  # no crawl running: nothing to retry in
            return response
        retry = get_retry_request(
            request, spider=spider, reason=f"{response.status} Retry-After",
            max_retry_times=request.meta.get("max_retry_times", self.max_retry_times),
        )
        if retry is None:
            request.meta["dont_retry"] = True
            return response  # gave up: recorded failed(http_503) by the spider's errback
        slot = download_slot(self.crawler, request)
        if slot is not None:  # the whole host pauses (when a download delay is set)
            slot.lastseen = max(slot.lastseen, time.time() + wait)
        self.crawler.stats.inc_value("luutru/retry_after/waited", math.ceil(wait))
        logger.info("%s: %s with Retry-After %s s, retrying then", request.url,
                    response.status, wait)
        await _sleep(wait)
        return retry


async def _sleep(seconds: float) -> None:
    """Wait on whichever loop runs the crawl (asyncio, or a bare Twisted reactor)."""
    if seconds <= 0:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        await maybe_deferred_to_future(deferLater(reactor, seconds, lambda: None))
    else:
        await asyncio.sleep(seconds)
