"""The crawler process's economies (scrapers/lean.py, issue 12): no DEBUG records nobody sees,
a garbage collector that does not rescan the start-up heap, meta refresh checked cheaply."""

from __future__ import annotations

import gc

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from scrapers.lean import GcTuning, LeanMetaRefreshMiddleware, QuietLogFormatter, may_refresh


def _page(head: str) -> HtmlResponse:
    url = "http://127.0.0.1:9/trang-chu"
    body = f"<html><head>{head}<title>Trang chủ</title></head><body><p>Tin tức</p></body></html>"
    return HtmlResponse(url=url, body=body.encode(), encoding="utf-8", request=Request(url))


def test_debug_records_are_made_only_at_debug_level():
    response = _page("")
    quiet = QuietLogFormatter.from_crawler(get_crawler(settings_dict={"LOG_LEVEL": "INFO"}))
    assert quiet.crawled(response.request, response, None) is None
    assert quiet.scraped({"a": 1}, response, None) is None
    assert quiet.item_error({"a": 1}, Exception("x"), response, None) is not None  # an ERROR
    loud = QuietLogFormatter.from_crawler(get_crawler(settings_dict={"LOG_LEVEL": "DEBUG"}))
    assert loud.crawled(response.request, response, None)["msg"].startswith("Crawled")
    assert loud.scraped({"a": 1}, response, None) is not None


def test_gc_is_tuned_while_the_spider_runs_and_restored_after():
    before = gc.get_threshold()
    tuning = GcTuning(12_345)
    tuning.spider_opened()
    try:
        assert gc.get_threshold()[0] == 12_345
        assert gc.get_freeze_count() > 0  # the start-up heap is never rescanned
    finally:
        tuning.spider_closed()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_meta_refresh_is_followed_as_scrapy_follows_it():
    crawler = get_crawler(settings_dict={"METAREFRESH_ENABLED": True})
    lean = LeanMetaRefreshMiddleware.from_crawler(crawler)
    scrapy_own = MetaRefreshMiddleware.from_crawler(crawler)
    plain = _page("")
    assert not may_refresh(plain.body)
    assert lean.process_response(plain.request, plain) is plain
    for head in ('<meta http-equiv="Refresh" content="0; url=/portal">',
                 '<META HTTP-EQUIV="REFRESH" CONTENT="0;URL=/portal">',
                 '<meta content="0; url=/portal" http-equiv="refresh">',
                 '<meta http-equiv="&#82;efresh" content="0; url=/portal">',  # an entity
                 '<meta http-equiv="refresh" content="9999; url=/portal">'):  # too slow
        page = _page(head)
        assert may_refresh(page.body)
        ours, theirs = lean.process_response(page.request, page), scrapy_own.process_response(
            page.request, _page(head))
        assert type(ours) is type(theirs), head
        assert ours.url == theirs.url, head
    followed = lean.process_response(plain.request, _page('<meta http-equiv="refresh" '
                                                          'content="0; url=/portal">'))
    assert isinstance(followed, Request) and followed.url == "http://127.0.0.1:9/portal"
