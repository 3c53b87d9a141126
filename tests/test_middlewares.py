"""The middlewares' pieces outside a crawl (scrapers/middlewares/): what the fault crawls of
tests/faults/ cannot isolate. No engine runs here: Scrapy's own test crawler, real requests."""

from __future__ import annotations

import asyncio

import pytest
from scrapy import Request
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from pipelines.items import FetchOutcome
from scrapers.middlewares.outcomes import FetchRefused, OutcomeMiddleware
from scrapers.middlewares.politeness import RetryAfterMiddleware, download_slot
from scrapers.middlewares.safety import RedirectGuardMiddleware
from scrapers.signal_guard import connect_handlers


def test_retry_after_without_a_running_engine_still_retries():
    # `crawler.engine` raises (it does not return None) until the crawl starts: the slot
    # lookup used to raise RuntimeError here instead of skipping the host-wide pause.
    crawler = get_crawler(settings_dict={"RETRY_TIMES": 2})
    crawler.spider = crawler._create_spider("s")
    request = Request("http://a.vn/x")
    assert download_slot(crawler, request) is None
    answer = Response("http://a.vn/x", status=503, headers={"Retry-After": "0"})
    retry = asyncio.run(RetryAfterMiddleware.from_crawler(crawler).process_response(request,
                                                                                      answer))
    assert isinstance(retry, Request) and retry.meta["retry_times"] == 1


def test_a_refused_redirect_keeps_its_status_in_the_fetch_log():
    crawler = get_crawler(settings_dict={"REDIRECT_MAX_TIMES": 10})
    request = Request("http://a.vn/x", errback=lambda failure: [
        FetchOutcome(url="http://a.vn/x", outcome="failed", kind="article", reason="other")])
    OutcomeMiddleware().process_request(request)
    answer = Response("http://a.vn/x", status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(FetchRefused) as refused:
        RedirectGuardMiddleware.from_crawler(crawler).process_response(request, answer)
    assert request.errback is not None
    [report] = list(request.errback(Failure(refused.value)))
    assert (report.outcome, report.reason, report.http_status) == (
        "skipped", "unsafe_redirect: file", 302)


def test_connect_handlers_refuses_a_misspelt_signal_at_start_up():
    class Extension:
        def spider_opened(self) -> None: ...

    crawler = get_crawler()
    ext = Extension()
    assert connect_handlers(crawler, ext, "spider_opened") is ext
    with pytest.raises(AttributeError):
        connect_handlers(crawler, ext, "spider_open")
