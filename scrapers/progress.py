"""Live progress on stderr while a crawl runs: pages, items, errors, rate, elapsed."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from scrapers.signal_guard import connect_handlers


class Progress:
    """Prints one status line every LUUTRU_PROGRESS seconds (0 turns it off, as in cron)."""

    def __init__(self, crawler: Crawler, interval: float, stream: TextIO = sys.stderr) -> None:
        self.crawler = crawler
        self.interval = interval
        self.stream = stream
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None
        self.tty = stream.isatty()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        interval = crawler.settings.getfloat("LUUTRU_PROGRESS", 0)
        if interval <= 0:
            raise NotConfigured
        return connect_handlers(crawler, cls(crawler, interval), "spider_opened", "spider_closed")

    def line(self) -> str:
        stats = self.crawler.stats
        pages = stats.get_value("response_received_count", 0)
        items = sum(
            stats.get_value(f"luutru/articles/{k}", 0)
            for k in ("new", "updated", "unchanged", "duplicate")
        )
        errors = stats.get_value("luutru/outcome/failed", 0)
        elapsed = time.monotonic() - self.started
        rate = pages / elapsed if elapsed > 0 else 0.0
        minutes, seconds = divmod(int(elapsed), 60)
        return (
            f"pages {pages} · articles {items} · errors {errors} · "
            f"{rate:.1f} pages/s · {minutes}:{seconds:02d}"
        )

    def show(self, final: bool = False) -> None:
        end = "\n" if final or not self.tty else ""
        prefix = "\r\x1b[K" if self.tty else ""
        self.stream.write(f"{prefix}{self.line()}{end}")
        self.stream.flush()

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.show)
        self.loop.start(self.interval, now=False)

    def spider_closed(self) -> None:
        if self.loop and self.loop.running:
            self.loop.stop()
        self.show(final=True)
