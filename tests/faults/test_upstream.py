"""Scrapy behaviours luutru's middlewares correct (scrapers/middlewares/). Each test pins the
upstream behaviour as it is in the Scrapy we run: when one fails, Scrapy changed, and the
matching correction may be removable (docs/reliability.md)."""

from __future__ import annotations

import asyncio

import pytest
from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.dupefilters import RFPDupeFilter
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler

from scrapers.middlewares.charset import better_encoding
from scrapers.middlewares.politeness import RetryAfterMiddleware, retry_after_seconds
from tests.test_charsets import PARAGRAPHS, to_cp1258

META_1258 = b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'


def test_scrapy_still_lets_the_header_charset_beat_a_correct_meta():
    body = META_1258 + to_cp1258("<p>" + PARAGRAPHS[0] + "</p>")
    response = HtmlResponse("http://a.vn/", body=body,
                            headers={"Content-Type": "text/html; charset=utf-8"})
    assert response.encoding == "utf-8"
    assert "\ufffd" in response.text  # the text is lost without EncodingMiddleware
    assert better_encoding(body, "utf-8", "windows-1258") == "cp1258"


def test_scrapy_still_retries_at_once_ignoring_retry_after():
    crawler = get_crawler(settings_dict={"RETRY_TIMES": 2})
    crawler.spider = crawler._create_spider("s")
    mw = RetryMiddleware.from_crawler(crawler)
    request = Request("http://a.vn/x")
    response = Response("http://a.vn/x", status=503, headers={"Retry-After": "120"})
    retry = mw.process_response(request, response)
    assert isinstance(retry, Request)  # immediately, no delay anywhere in the request
    assert not any("delay" in k for k in retry.meta)


def test_scrapy_robots_middleware_still_allows_all_on_a_5xx_robots_txt():
    from scrapy.statscollectors import MemoryStatsCollector

    crawler = get_crawler(settings_dict={"ROBOTSTXT_OBEY": True})
    crawler.stats = MemoryStatsCollector(crawler)
    mw = RobotsTxtMiddleware(crawler)

    class Engine:
        async def download_async(self, request):
            return Response(request.url, status=503,
                            body=b"<html><h1>Service Unavailable</h1></html>")

    crawler.engine = Engine()
    # RFC 9309 says disallow all; Scrapy parses the error page and raises no IgnoreRequest.
    asyncio.run(mw.process_request(Request("http://a.vn/private")))


def test_scrapy_still_drops_a_redirect_to_a_seen_url_silently():
    crawler = get_crawler()
    crawler.spider = crawler._create_spider("s")
    dupefilter = RFPDupeFilter.from_crawler(crawler)
    listing = Request("http://a.vn/list")
    assert not dupefilter.request_seen(listing)
    moved = Request("http://a.vn/moved", errback=lambda f: None)
    redirect = RedirectMiddleware.from_crawler(crawler).process_response(
        moved, Response(moved.url, status=302, headers={"Location": "/list"}))
    assert isinstance(redirect, Request) and not redirect.dont_filter
    assert dupefilter.request_seen(redirect)  # the scheduler drops it: no callback, no errback


@pytest.mark.parametrize("value,expected", [("2", 2.0), (b"120", 120.0), ("soon", None),
                                            ("", None)])
def test_retry_after_values(value, expected):
    assert retry_after_seconds(value) == expected


def test_retry_after_http_date():
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480 - 30) == 30


def test_retry_after_longer_than_the_cap_is_not_waited_for():
    crawler = get_crawler(settings_dict={"LUUTRU_RETRY_AFTER_MAX": 10, "RETRY_TIMES": 2})
    mw = RetryAfterMiddleware.from_crawler(crawler)
    request = Request("http://a.vn/x")
    response = Response("http://a.vn/x", status=429, headers={"Retry-After": "3600"})
    assert asyncio.run(mw.process_response(request, response)) is response
    assert request.meta["dont_retry"] is True


@pytest.mark.parametrize("body,header,meta,expected", [
    ("Hà Nội đẹp lắm".encode(), "iso-8859-1", "utf-8", "utf-8"),
    (b"\xef\xbb\xbf" + "Hà Nội".encode(), "iso-8859-1", None, None),  # BOM: Scrapy's own
    ("Nội dung XYZ dài dài đúng UTF-8".encode().replace(b"XYZ", b"\xe3\xab"), "utf-8",
     None, None),  # a few bad bytes stay U+FFFD
])
def test_better_encoding(body, header, meta, expected):
    assert better_encoding(body, header, meta) == expected
