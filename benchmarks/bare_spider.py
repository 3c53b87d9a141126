"""Baseline for benchmarks: a bare Scrapy spider over the same pages, with a no-op pipeline."""

from __future__ import annotations

import json
import sys
import time
from urllib.parse import quote

import scrapy
from scrapy.crawler import CrawlerProcess

SECTIONS = ["/chuyen-muc/tin-tuc-su-kien/tin-tuc-su-kien", "/thông-tin-trao-đổi/thông-tin-trao-đổi"]


class NoOpPipeline:
    def process_item(self, item):
        return item


class BareSpider(scrapy.Spider):
    """Follows listing rows, pagers and articles like the Drupal 7 spider, and stores nothing."""

    name = "bare"

    def __init__(self, base_url: str, **kwargs):
        super().__init__(**kwargs)
        self.base_url = base_url.rstrip("/")

    async def start(self):
        for path in SECTIONS:
            yield scrapy.Request(self.base_url + quote(path), callback=self.parse_listing)

    def parse_listing(self, response):
        for href in response.css(
            ".view-content .views-row .views-field-title a::attr(href)"
        ).getall():
            yield response.follow(href, callback=self.parse_article)
        for href in response.css("ul.pager li.pager-next a::attr(href)").getall():
            yield response.follow(href, callback=self.parse_listing)

    def parse_article(self, response):
        yield {"url": response.url, "title": response.css("h1::text").get()}


def main() -> None:
    base_url, concurrency = sys.argv[1], int(sys.argv[2])
    process = CrawlerProcess(
        {
            "LOG_LEVEL": "ERROR",
            "CONCURRENT_REQUESTS": max(8, concurrency),
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "CONCURRENT_ITEMS": 8,
            "DOWNLOAD_DELAY": 0,
            "TELNETCONSOLE_ENABLED": False,
            "REMOTE_CONTROL_ENABLED": False,
            "ITEM_PIPELINES": {f"{__name__}.NoOpPipeline": 100},
        }
    )
    crawler = process.create_crawler(BareSpider)
    started = time.perf_counter()
    process.crawl(crawler, base_url=base_url)
    process.start()
    stats = crawler.stats.get_stats()
    print(
        json.dumps(
            {
                "elapsed_s": time.perf_counter() - started,
                "pages": stats.get("response_received_count", 0),
                "items": stats.get("item_scraped_count", 0),
            }
        )
    )


if __name__ == "__main__":
    main()
