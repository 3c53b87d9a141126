"""pipelines/stage.py: the stages run under a site spider, Scrapy's or the writer's stand-in."""

from __future__ import annotations

import pytest
import scrapy
from scrapy.utils.test import get_crawler

from pipelines.item_pipelines import DedupePipeline
from pipelines.items import ArticleItem
from scrapers.spiders import spider_for


def _item(url: str) -> ArticleItem:
    return ArticleItem(site="bentre", url=url, fetched_at="2026-02-01T05:00:00+00:00",
                       title="Tin", text="Nội dung")


def test_a_site_spider_gives_the_live_origin() -> None:
    cls = spider_for("bentre")
    crawler = get_crawler(cls)
    crawler.spider = cls(base_url="http://127.0.0.1:9")
    item = DedupePipeline.from_crawler(crawler).process_item(_item("http://127.0.0.1:9/a"))
    assert item.canonical_url == cls.site.base_url.rstrip("/") + "/a"


def test_a_spider_without_a_site_is_refused() -> None:
    crawler = get_crawler(scrapy.Spider)
    crawler.spider = scrapy.Spider(name="plain")
    with pytest.raises(TypeError, match="site spider"):
        DedupePipeline.from_crawler(crawler).process_item(_item("http://127.0.0.1:9/a"))
