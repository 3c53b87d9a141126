"""The crawl's archive pipeline, with the archive work in a second process (one writer).

`WriterPipeline` stands where the in-process chain (CleanPipeline, the cross-check's fill,
DatePipeline, DedupePipeline, ArchivePipeline, the cross-check's record) stood, and hands each item
to `pipelines/writer_child.py`, which runs that very chain: cleaning, dates, dedupe keys, the
SQLite/FTS writes and the fetch log take the second core, and Scrapy's process keeps only the
parsing (issue 12: the crawler was CPU-bound on one core while the other idled).

What stays here: the bookkeeping of scheduled URLs (the scheduler's signals, so every URL gets
exactly one fetch-log row), and the few items that need something only this process has:
- a pending cross-check (scrapers/crosscheck.py) whose author or date is still missing once
  cleaned: the writer asks (`need`), this process reads the page it holds and sends the fills;
- an item with attachments waits for its article id (AttachmentPipeline runs after this one).
Every other item goes on at once; the writer's answers (counters, errors) come back on a reader
thread and are applied on the reactor.

Guarantees are the writer's: an article and its fetch-log row commit together, and nothing is
answered before its commit. The writer dies with this process (kill -9 loses only what was not
committed, which no row says was done), and a writer that dies alone stops the crawl.
"""

from __future__ import annotations

import itertools
import logging
import os
import pickle
import queue
import socket
import sqlite3
import subprocess
import sys
import threading
from collections import deque
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from twisted.internet import reactor
from twisted.internet.defer import Deferred

from archive.store import Archive
from archive.warc import warc_path_for
from pipelines.capture import STATS_KEY as WARC_STATS_KEY
from pipelines.capture import warc_info
from pipelines.fetchlog import FetchLogSignals
from scrapers.items import ArticleItem, FetchOutcome

logger = logging.getLogger(__name__)

CAPTURE = "pipelines.capture.WarcCaptureMiddleware"
OPEN_TIMEOUT_S = 120.0
CLOSE_TIMEOUT_S = 600.0


class WriterDied(RuntimeError):
    """The writer process ended without being asked to."""


def _rebuild(name: str, message: str) -> BaseException:
    """The writer's exception as one of the same kind where it matters (disk full is told by
    archive.crawl.is_disk_full from sqlite3 errors)."""
    kind = getattr(sqlite3, name, None)
    if isinstance(kind, type) and issubclass(kind, BaseException):
        return kind(message)
    return RuntimeError(f"{name}: {message}")


class WriterPipeline(FetchLogSignals):
    """Hands items to the writer process and keeps the fetch log complete (module doc)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        settings = crawler.settings
        self.db_path = settings.get("LUUTRU_DB", "luutru.db")
        self.attachments = settings.getbool("LUUTRU_ATTACHMENTS", True)
        self.archive: Archive | None = None  # none here: the writer process has the archive
        self._remote: Any = None
        self.run_id: int | None = None
        FetchLogSignals.__init__(self)
        self._tokens = itertools.count(1)
        self._capture_ids = itertools.count(1)
        self._waiting: dict[int, Deferred[Any]] = {}
        self._held: dict[int, ArticleItem] = {}
        self._inbox: deque[list[Any]] = deque()
        self._answers: dict[str, Any] = {}
        self._opened = threading.Event()
        self._closed = threading.Event()
        self._closing = False
        self._dead = False
        self._start()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WriterPipeline:
        pipe = cls(crawler)
        pipe.connect_signals(crawler)
        crawler.signals.connect(pipe.spider_closed, signal=signals.spider_closed)
        return pipe

    # -- the writer process -------------------------------------------------------------------

    def _start(self) -> None:
        """Start the writer now, so its imports overlap Scrapy's start-up."""
        ours, theirs = socket.socketpair()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipelines.writer_child", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.conn = Connection(ours.detach())
        self.reader = threading.Thread(target=self._read, name="luutru-writer-reader",
                                       daemon=True)
        self.reader.start()
        # Messages are pickled on the reactor and written by a thread: the reactor never waits
        # for the writer to read (a full socket buffer while it commits).
        self._outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.sender = threading.Thread(target=self._write, name="luutru-writer-sender",
                                       daemon=True)
        self.sender.start()

    def _write(self) -> None:
        """Sender thread: write the pickled messages in order; None ends it."""
        while (data := self._outbox.get()) is not None:
            try:
                self.conn.send_bytes(data)
            except OSError:
                reactor.callFromThread(self._died)
                return

    def _read(self) -> None:
        """Reader thread: queue the writer's answers and wake the reactor to apply them."""
        while True:
            try:
                batch = self.conn.recv()
            except (EOFError, OSError):
                batch = [("dead",)]
            self._inbox.append(batch)
            for event in batch:
                if event[0] in ("opened", "closed"):
                    self._answers[event[0]] = event
                    (self._opened if event[0] == "opened" else self._closed).set()
            if batch[-1][0] == "dead":
                self._opened.set()
                self._closed.set()
                reactor.callFromThread(self._drain)
                return
            reactor.callFromThread(self._drain)

    def _send(self, msg: tuple[Any, ...]) -> None:
        if not self._dead:
            self._outbox.put(pickle.dumps(msg, pickle.HIGHEST_PROTOCOL))

    def _drain(self) -> None:
        """Apply the writer's answers (on the reactor thread, in order)."""
        while self._inbox:
            for event in self._inbox.popleft():
                self._event(event)

    def _event(self, event: tuple[Any, ...]) -> None:
        kind = event[0]
        if kind == "stats":
            for key, count in event[1].items():
                self.stats.inc_value(key, count)
            for key, value in event[2].items():
                self.stats.set_value(key, value)
        elif kind == "log":
            logging.getLogger(event[2]).log(event[1], "%s", event[3])
        elif kind == "done":
            item = self._held.pop(event[1], None)
            waiting = self._waiting.pop(event[1], None)
            if waiting is not None:
                waiting.callback(event[2])
            elif item is not None:
                item.article_id = event[2]
        elif kind == "dropped":
            self._held.pop(event[1], None)
            waiting = self._waiting.pop(event[1], None)
            if waiting is not None:
                waiting.errback(DropItem(event[2]))
        elif kind == "stored_file":
            waiting = self._waiting.pop(event[1], None)
            if waiting is not None:
                waiting.callback((event[2], event[3]))
        elif kind == "need":
            self._fill(event[1], event[2])
        elif kind == "error":
            exc = _rebuild(event[2], event[3])
            self._held.pop(event[1], None)
            waiting = self._waiting.pop(event[1], None) if event[1] is not None else None
            if waiting is not None:
                waiting.errback(exc)  # Scrapy logs it as the item's error (item_error)
            else:
                logger.error("archive writer: %s", exc, exc_info=exc)
        elif kind == "failed":
            exc = _rebuild(event[1], event[2])
            logger.error("archive writer could not commit: %s", exc, exc_info=exc)
        elif kind == "dead" and not self._closing:
            self._died()

    def _died(self) -> None:
        if self._dead:
            return
        self._dead = True
        exc = WriterDied("the archive writer process ended during the crawl")
        logger.error("%s (exit code %s): stopping the crawl", exc, self.proc.poll())
        for waiting in list(self._waiting.values()):
            waiting.errback(exc)
        self._waiting.clear()
        engine = getattr(self.crawler, "engine", None)
        if engine is not None and engine.running and not self._closing:
            from scrapy.utils.defer import deferred_from_coro

            reactor.callLater(
                0, lambda: deferred_from_coro(engine.close_spider_async(reason="writer_died"))
            )

    def attachment_archive(self) -> Any:
        """AttachmentPipeline's archive in this crawl: reads here, writes in the writer process
        (pipelines/writer_attachments.py); None before the run is open."""
        if self.run_id is None or self._dead:
            return None
        if self._remote is None:
            from pipelines.writer_attachments import RemoteArchive

            self._remote = RemoteArchive(Path(self.db_path), self)
        return self._remote

    def expect(self, waiting: Deferred[Any]) -> int:
        """A token for a message whose answer fires `waiting` (pipelines/writer_attachments.py)."""
        token = next(self._tokens)
        if self._dead:  # no answer will come
            waiting.errback(WriterDied("the archive writer process is gone"))
        else:
            self._waiting[token] = waiting
        return token

    def _capture(self, fields: dict[str, Any]) -> dict[str, Any]:
        """The capture middleware's sink: the writer writes the exchange to WARC, in order."""
        capture_id = next(self._capture_ids)
        self._send(("warc", capture_id, fields))
        return {"capture_id": capture_id}

    def _fill(self, token: int, fields: dict[str, Any]) -> None:
        """The writer cleaned a pending cross-check's item and the author or date is missing:
        read the page with the generic rules here (scrapers/crosscheck.py `complete`)."""
        from scrapers.crosscheck import complete

        item = self._held[token]
        for name, value in fields.items():
            setattr(item, name, value)
        try:
            complete(self.crawler.spider, item)
        finally:
            item.__dict__.pop("_crosscheck_page", None)
            self._send(("resume", token, {
                name: getattr(item, name) for name in
                ("author", "author_role", "author_prefix", "date_raw", "date_source", "generic")
            }))

    # -- spider lifecycle -----------------------------------------------------------------------

    def open_spider(self) -> None:
        spider = self.crawler.spider
        settings = self.crawler.settings
        warc_config = None
        middlewares = settings.getwithbase("DOWNLOADER_MIDDLEWARES")
        if settings.getbool("LUUTRU_WARC", True) and middlewares.get(CAPTURE) is not None:
            warc_config = {"path": str(warc_path_for(self.db_path, spider.site.slug)),
                           "info": warc_info(self.crawler, spider.site.slug)}
        self._send(("open", {
            "warc": warc_config,
            "db": str(self.db_path), "slug": spider.site.slug,
            "site_base_url": spider.site.base_url, "aliases": tuple(spider.site.aliases),
            "site_row": spider.site.as_row(), "base_url": spider.base_url,
            "max_db_pages": settings.getint("LUUTRU_MAX_DB_PAGES", 0),
            "log_file": settings.get("LOG_FILE"),
        }))
        self._opened.wait(OPEN_TIMEOUT_S)
        self._drain()
        _, run_id, error, warc_file = self._answers.get("opened", (None, None, "no answer", None))
        if run_id is None:
            self._dead = True
            raise WriterDied(f"the archive writer could not open {self.db_path}: {error}")
        self.run_id = run_id
        self.stats.set_value("luutru/run_id", run_id)
        if warc_config is not None:
            # The capture middleware hands every exchange to the writer (pipelines/capture.py).
            self.crawler.luutru_warc_sink = self._capture  # type: ignore[attr-defined]
            if warc_file:
                self.stats.set_value(WARC_STATS_KEY, warc_file)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.run_id is None:
            return
        for url in list(self.scheduled):
            self._log(url, self.kinds.get(url, "page"), "skipped", f"not_fetched: crawl {reason}")
        stats = self.stats
        self._closing = True
        self._send(("close", {
            "reason": reason,
            "response_received_count": stats.get_value("response_received_count", 0),
            "downloader/request_count": stats.get_value("downloader/request_count", 0),
            "downloader/response_bytes": stats.get_value("downloader/response_bytes", 0),
            "luutru/warc_file": stats.get_value("luutru/warc_file"),
            "luutru/pid": os.getpid(),
            "LOG_FILE": self.crawler.settings.get("LOG_FILE"),
        }))
        self._outbox.put(None)
        self._closed.wait(CLOSE_TIMEOUT_S)
        self._drain()
        if "closed" not in self._answers:
            logger.error("the archive writer did not close the run: it stays 'running' and "
                         "the next crawl marks it interrupted")
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        if self._remote is not None:
            self._remote.close()
            self._remote = None

    # -- fetch log ------------------------------------------------------------------------------

    def _log(self, url: str, kind: str, outcome: str, reason: str | None = None,
             http_status: int | None = None, article_id: int | None = None) -> None:
        if url in self.done:
            return
        self.done.add(url)
        self.scheduled.pop(url, None)
        self._send(("log", url, kind, outcome, reason, http_status, article_id))

    # -- items ----------------------------------------------------------------------------------

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchOutcome):
            # The writer looks the article up (a 304 touches it, a 404 marks it gone) and logs.
            if item.url not in self.done:
                self.done.add(item.url)
                self.scheduled.pop(item.url, None)
            self._send(("outcome", item))
            return item
        if not isinstance(item, ArticleItem):
            return item
        key = item.scheduled_url or item.url
        self.done.add(key)
        self.scheduled.pop(key, None)
        page = item.__dict__.pop("_crosscheck_page", None)
        token = next(self._tokens)
        self._send(("item", token, item, page is not None))
        if page is not None:
            item.__dict__["_crosscheck_page"] = page
        if self._dead:
            raise WriterDied("the archive writer process is gone")
        if page is None and not (self.attachments and item.attachment_urls):
            return item  # nothing after this pipeline needs the writer's answer
        waiting: Deferred[Any] = Deferred()
        self._waiting[token] = waiting
        self._held[token] = item
        return self._wait(item, waiting)

    async def _wait(self, item: ArticleItem, waiting: Deferred[Any]) -> ArticleItem:
        from scrapy.utils.defer import maybe_deferred_to_future

        item.article_id = await maybe_deferred_to_future(waiting)
        return item
