"""The crawl's archive pipeline, with the archive work in a second process (one writer).

`WriterPipeline` stands where the in-process chain (CleanPipeline, the cross-check's fill,
DatePipeline, DedupePipeline, ArchivePipeline, the cross-check's record) stood, and hands each item
to `pipelines/writer_child.py`, which runs that very chain: cleaning, dates, dedupe keys, the
SQLite/FTS writes and the fetch log take the second core, and Scrapy's process keeps only the
parsing (issue 12: the crawler was CPU-bound on one core while the other idled).

What stays here: the bookkeeping of scheduled URLs (the scheduler's signals, so every URL gets
exactly one fetch-log row), and the items that need something only this process has: an item
with attachments hands AttachmentPipeline (after this one) a Deferred of its article id and
goes on (the files are fetched in the background once the id comes). A checked
article (scrapers/crosscheck.py) carries its page's bytes to the writer, which reads it with the
generic rules there. Every other item goes on at once; the writer's answers (counters, errors)
come back on a reader thread and are applied on the reactor.

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
from typing import TYPE_CHECKING, Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from twisted.internet import reactor
from twisted.internet.defer import Deferred

from archive.store import Archive
from archive.warc import warc_path_for
from pipelines.capture import STATS_KEY as WARC_STATS_KEY
from pipelines.capture import Exchange, warc_info
from pipelines.fetchlog import FetchDetails, FetchLogSignals
from pipelines.items import ArticleItem, FetchOutcome
from pipelines.stage import SiteSpider

if TYPE_CHECKING:
    from pipelines.writer_attachments import RemoteArchive

logger = logging.getLogger(__name__)

CAPTURE = "pipelines.capture.WarcCaptureMiddleware"
OPEN_TIMEOUT_S = 120.0
CLOSE_TIMEOUT_S = 600.0
SEND_BATCH = 64  # messages queued in one reactor turn before they are sent anyway


# The response headers a generic reading looks at (the fetch time, the validators).
_PAGE_HEADERS = (b"Date", b"ETag", b"Last-Modified", b"Content-Type")


def page_message(response: Any, reparsed: bool = False) -> dict[str, Any]:
    """What the archive writer needs to read a pending check's page again: the bytes as
    decoded (the encoding the crawler settled on), the headers the generic rules read, and
    whether the crawler had to re-parse it (scrapers/reparse.py). Plain values: pickled."""
    headers = {name.decode("latin-1"): value for name in _PAGE_HEADERS
               if (value := response.headers.get(name)) is not None}
    return {"url": response.url, "status": response.status, "headers": headers,
            "body": response.body, "encoding": response.encoding, "reparsed": reparsed}


def child_env() -> dict[str, str]:
    """The writer's environment: the folder or egg this code was imported from goes first on
    PYTHONPATH, so `-m pipelines.writer_child` runs the same code. Under Scrapyd the project is
    a zipped egg the job activated, not installed in the venv: the child would not find it."""
    code_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = [code_root, *(p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
                          if p and p != code_root)]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


class WriterDied(RuntimeError):
    """The writer process ended without being asked to."""


def _rebuild(name: str, message: str) -> BaseException:
    """The writer's exception as one of the same kind where it matters (disk full is told by
    archive.run_record.is_disk_full from sqlite3 errors)."""
    kind = getattr(sqlite3, name, None)
    if isinstance(kind, type) and issubclass(kind, BaseException):
        return kind(message)
    return RuntimeError(f"{name}: {message}")


class WriterPipeline(FetchLogSignals):
    """Hands items to the writer process and keeps the fetch log complete (module doc)."""

    crawler: Crawler  # Scrapy's own: the engine, the signals, the capture middleware's sink

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        settings = crawler.settings
        self.db_path = settings.get("LUUTRU_DB", "luutru.db")
        self.attachments = settings.getbool("LUUTRU_ATTACHMENTS", True)
        self.archive: Archive | None = None  # none here: the writer process has the archive
        self._remote: RemoteArchive | None = None
        self.run_id: int | None = None
        self._tokens = itertools.count(1)
        self._capture_ids = itertools.count(1)
        self._waiting: dict[int, Deferred[Any]] = {}
        self._inbox: deque[list[Any]] = deque()
        self._answers: dict[str, Any] = {}
        self._opened = threading.Event()
        self._closed = threading.Event()
        self._closing = False
        self._dead = False
        self._start()

    # -- the writer process -------------------------------------------------------------------

    def _start(self) -> None:
        """Start the writer now, so its imports overlap Scrapy's start-up."""
        ours, theirs = socket.socketpair()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "pipelines.writer_child", str(theirs.fileno())],
            pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, env=child_env(),
        )
        theirs.close()
        self.conn = Connection(ours.detach())
        self.reader = threading.Thread(target=self._read, name="luutru-writer-reader",
                                       daemon=True)
        self.reader.start()
        # Messages are pickled on the reactor and written by a thread: the reactor never waits
        # for the writer to read (a full socket buffer while it commits). Those of one reactor
        # turn go as one batch (`_flush`): one pickling, one wake-up of the sender thread and one
        # write for the ~4 messages of an article, not one each.
        self._outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._pending: list[tuple[Any, ...]] = []
        self._flush_call: Any = None
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

    def _send(self, msg: tuple[Any, ...], now: bool = False) -> None:
        """Queue `msg` for the writer, in order; sent at the end of this reactor turn, or at
        once with `now` (open and close, which the reactor then waits for) or a full batch."""
        if self._dead:
            return
        self._pending.append(msg)
        if now or len(self._pending) >= SEND_BATCH:
            self._flush()
        elif self._flush_call is None:
            # Twisted types its reactor by zope interfaces, whose methods have no `self`: without
            # the mypy-zope plugin mypy reads `0` as the callable.
            self._flush_call = reactor.callLater(0, self._flush)  # type: ignore[arg-type]

    def _flush(self) -> None:
        """Hand the queued messages to the sender thread as one batch (a list)."""
        if self._flush_call is not None:
            if self._flush_call.active():
                self._flush_call.cancel()
            self._flush_call = None
        if self._pending and not self._dead:
            batch, self._pending = self._pending, []
            self._outbox.put(pickle.dumps(batch, pickle.HIGHEST_PROTOCOL))

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
            waiting = self._waiting.pop(event[1], None)
            if waiting is not None:
                waiting.callback(event[2])
        elif kind == "dropped":
            waiting = self._waiting.pop(event[1], None)
            if waiting is not None:
                waiting.errback(DropItem(event[2]))
        elif kind == "error":
            exc = _rebuild(event[2], event[3])
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

            def stop() -> Deferred[Any]:
                return deferred_from_coro(engine.close_spider_async(reason="writer_died"))

            reactor.callLater(0, stop)  # type: ignore[arg-type]  # zope interfaces: see _send

    def attachment_archive(self) -> RemoteArchive | None:
        """AttachmentPipeline's archive in this crawl: reads here, writes in the writer process
        (pipelines/writer_attachments.py); None before the run is open."""
        if self.run_id is None or self._dead:
            return None
        if self._remote is None:
            from pipelines.writer_attachments import RemoteArchive

            self._remote = RemoteArchive(Path(self.db_path), self)
        return self._remote

    def _capture(self, fields: Exchange) -> dict[str, Any]:
        """The capture middleware's sink: the writer writes the exchange to WARC, in order."""
        capture_id = next(self._capture_ids)
        self._send(("warc", capture_id, fields))
        return {"capture_id": capture_id}

    # -- spider lifecycle -----------------------------------------------------------------------

    def open_spider(self) -> None:
        spider = self.site_spider()
        settings = self.crawler.settings
        warc_config = None
        middlewares = settings.getwithbase("DOWNLOADER_MIDDLEWARES")
        if settings.getbool("LUUTRU_WARC", True) and middlewares.get(CAPTURE) is not None:
            warc_config = {"path": str(warc_path_for(self.db_path, spider.site.slug)),
                           "info": warc_info(self.crawler, spider.site.slug)}
        self._send(("open", {
            "warc": warc_config,
            "db": str(self.db_path), "base_url": spider.base_url,
            # The site definition itself (pickled) and the reading the spiders' layer names: the
            # writer stores the site's row and reads checked articles with the generic rules
            # bound to the site (LUUTRU_CROSSCHECK_READER, scrapers/crosscheck.py `complete`).
            "site": spider.site, "spider_name": spider.name,
            "page_reader": settings.get("LUUTRU_CROSSCHECK_READER"),
            "max_db_pages": settings.getint("LUUTRU_MAX_DB_PAGES", 0),
            "attachments": self.attachments,  # record articles' files as wanted
            "log_file": settings.get("LOG_FILE"),
        }), now=True)
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

    def spider_closed(self, spider: SiteSpider, reason: str) -> None:
        if self.run_id is None:
            return
        self._log_unanswered(reason)
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
        }), now=True)
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

    def _write_log(self, url: str, kind: str, outcome: str, details: FetchDetails) -> None:
        self._send(("log", url, kind, outcome, details))

    # -- items ----------------------------------------------------------------------------------

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchOutcome):
            # The writer looks the article up (a 304 touches it, a 404 marks it gone) and logs.
            self._settle(item.url)
            self._send(("outcome", item))
            return item
        if not isinstance(item, ArticleItem):
            return item
        self._settle(item.scheduled_url or item.url)
        # A checked article's page goes with it: the writer reads it (scrapers/crosscheck.py).
        page = item.__dict__.pop("_crosscheck_page", None)
        if page is not None:
            response, root = page
            page = page_message(response, reparsed=root is not None)
        token = next(self._tokens)
        self._send(("item", token, item, page))
        if self._dead:
            raise WriterDied("the archive writer process is gone")
        if not (self.attachments and item.attachment_urls):
            return item  # nothing after this pipeline needs the writer's answer
        waiting: Deferred[Any] = Deferred()
        self._waiting[token] = waiting
        # AttachmentPipeline waits for the id, not the item
        item.__dict__["_article_id"] = waiting
        return item
