"""The archive writer process: cleans, dates, keys and stores articles, and keeps the fetch log.

Started by `pipelines.writer.WriterPipeline` (`python -m pipelines.writer_child FD`), it talks to
the crawler over one socket (pickled messages, in order). Everything that only needs an
article's strings runs here, on the second core, with the very pipeline code an in-process
crawl runs (`pipelines.item_pipelines`, `pipelines.crosscheck`), so both give one archive. The
cross-check's generic readings run here too: a checked article arrives with its page's bytes
(pipelines/writer.py `page_message`) and is read by the reading the crawler names
(LUUTRU_CROSSCHECK_READER: scrapers/crosscheck.py `complete`). The crawler sends the messages
of one reactor turn as a list (`Inbox` takes them one by one).

Group commits: messages are applied inside one transaction until none is waiting, 100 ms
have passed or `BATCH` messages were applied; then it commits, and only then answers (an
article's id, the counters). An article and its fetch-log row are in one transaction, so a
URL never counts as done in the archive before its article is durable. The process dies with
the crawler (`PR_SET_PDEATHSIG`, and an end of input without a `close` message rolls back):
after a kill -9, whatever was not committed was never recorded, and a resumed crawl fetches it.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any, Protocol

from scrapy.settings import Settings
from scrapy.utils.misc import load_object

if TYPE_CHECKING:
    from archive.store import Archive
    from archive.warc import WarcWriter
    from pipelines.capture import Exchange
    from pipelines.items import ArticleItem
    from pipelines.stage import Site
    from pipelines.writer_attachments import FileWriter

BATCH = 200
BATCH_SECONDS = 0.1
MAX_CAPTURES = 50_000  # WARC refs waiting for their article


class DeltaStats:
    """A stats collector that remembers what changed since the last answer to the crawler."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.incs: Counter[str] = Counter()
        self.sets: dict[str, Any] = {}

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.incs[key] += count
        self.values[key] = self.values.get(key, start) + count

    def set_value(self, key: str, value: Any) -> None:
        self.sets[key] = self.values[key] = value

    def get_value(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def take(self) -> tuple[dict[str, int], dict[str, Any]]:
        incs, sets = dict(self.incs), self.sets
        self.incs, self.sets = Counter(), {}
        return incs, sets


class _Forward(logging.Handler):
    """Log records of this process go back to the crawler, which logs them (LOG_FILE...)."""

    def __init__(self, out: list[Any]) -> None:
        super().__init__(logging.INFO)
        self.out = out

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            if record.exc_info:
                message += "\n" + logging.Formatter().formatException(record.exc_info)
            self.out.append(("log", record.levelno, record.name, message))
        except Exception:  # a record that cannot be formatted is not worth a crash
            pass


class Channel(Protocol):
    """The writer's end of the socket, as `Writer` uses it (an `Inbox` over a `Connection`)."""

    def recv(self) -> Any: ...

    def poll(self, timeout: float = 0.0) -> bool: ...

    def send(self, obj: Any) -> None: ...


class Inbox:
    """The crawler's connection, one message at a time: it sends the messages of a reactor
    turn as one list (pipelines/writer.py `_flush`); answers go back unbatched."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.queued: deque[tuple[Any, ...]] = deque()

    def recv(self) -> tuple[Any, ...]:
        while not self.queued:
            got = self.conn.recv()
            if isinstance(got, list):
                self.queued.extend(got)
            else:
                return got  # type: ignore[no-any-return]
        return self.queued.popleft()

    def poll(self, timeout: float = 0.0) -> bool:
        return bool(self.queued) or self.conn.poll(timeout)

    def send(self, obj: Any) -> None:
        self.conn.send(obj)


@dataclass
class StandInSpider:
    """The crawl's spider as the stages see it (pipelines/stage.py `SiteSpider`), with the site
    definition the crawler sent; the generic reading of checked pages (scrapers/crosscheck.py)
    finds the stats through `crawler`."""

    site: Site
    base_url: str
    name: str
    crawler: StandInCrawler | None = None


@dataclass
class StandInCrawler:
    """The crawler as the stages see it (pipelines/stage.py `StageCrawler`)."""

    stats: DeltaStats
    settings: Settings
    spider: StandInSpider


def _die_with_parent() -> None:
    """Linux: SIGKILL this process when the crawler dies (kill -9 included)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:  # not Linux: the end of input still stops the loop
        pass
    if os.getppid() == 1:
        sys.exit(0)


class Writer:
    """The state of one crawl's writer: the archive pipelines bound to a stand-in crawler."""

    def __init__(self, conn: Channel) -> None:
        self.conn = conn
        self.events: list[Any] = []
        self.held: tuple[Any, ...] | None = None
        self.archive: Archive | None = None
        self.warc: WarcWriter | None = None
        self.files: FileWriter | None = None  # made by the first attachment message
        self.captures: dict[int, dict[str, Any] | None] = {}
        self.want_files = False  # set by `open`
        self.stats = DeltaStats()
        logging.getLogger().addHandler(_Forward(self.events))
        logging.getLogger().setLevel(logging.INFO)

    def open(self, config: dict[str, Any]) -> int:
        from pipelines.item_pipelines import (
            ArchivePipeline,
            CleanPipeline,
            DatePipeline,
            DedupePipeline,
        )

        # The site definition itself: the archive's row and origins come from it, and checked
        # articles are read with the generic rules bound to it (scrapers/crosscheck.py).
        self.spider = StandInSpider(site=config["site"], base_url=config["base_url"],
                                    name=config["spider_name"])
        settings = Settings({"LUUTRU_DB": config["db"], "LOG_FILE": config.get("log_file")})
        self.crawler = StandInCrawler(stats=self.stats, settings=settings, spider=self.spider)
        self.spider.crawler = self.crawler
        # The reading of checked pages is the spiders' (scrapers/crosscheck.py `complete`);
        # the crawler names it by the setting LUUTRU_CROSSCHECK_READER, as Scrapy names
        # pipelines, so this layer imports no spider code.
        reader = config.get("page_reader")
        self.page_reader: Any = load_object(reader) if reader else None
        self.clean = CleanPipeline(self.crawler)
        self.date = DatePipeline(self.crawler)
        self.dedupe = DedupePipeline(self.crawler)
        self.archive_pipe = ArchivePipeline(self.crawler)
        self.archive_pipe.open_spider()
        self.archive = self.archive_pipe.archive
        assert self.archive is not None
        # The crawl fetches attachments: an article's files are recorded as wanted with it.
        self.want_files = bool(config.get("attachments"))
        pages = int(config.get("max_db_pages") or 0)
        if pages > 0:
            self.archive.conn.execute(f"PRAGMA max_page_count = {pages}")
        warc = config.get("warc")
        if warc:
            from archive.warc import WarcWriter

            try:
                self.warc = WarcWriter(warc["path"], info=warc["info"])
            except OSError as exc:
                logging.getLogger("pipelines.capture").error(
                    "cannot open a WARC file %s: %s", warc["path"], exc)
        return int(self.archive_pipe.run_id or 0)

    def _warc(self, capture_id: int, fields: Exchange) -> None:
        """Write one exchange (the capture middleware's), remembering where it went until the
        article built from it is stored."""
        ref = None
        if self.warc is not None:
            try:
                ref = self.warc.write_exchange(**fields).as_dict()
            except OSError as exc:  # disk full...: keep crawling, say so loudly
                logging.getLogger("pipelines.capture").error("WARC write failed for %s: %s",
                                                             fields["url"], exc)
                self.stats.inc_value("luutru/warc/errors")
            else:
                self.stats.inc_value("luutru/warc/records")
        if len(self.captures) >= MAX_CAPTURES:  # listings, files: never claimed by an article
            del self.captures[next(iter(self.captures))]
        self.captures[capture_id] = ref

    # -- messages ---------------------------------------------------------------------------

    def handle(self, msg: tuple[Any, ...]) -> None:
        kind = msg[0]
        if kind == "item":
            _, token, item, page = msg
            self._item(token, item, page)
        elif kind == "log":  # pipelines/writer.py `_write_log`
            _, url, fetch_kind, outcome, details = msg
            self.archive_pipe._log(url, fetch_kind, outcome, **details)
        elif kind == "outcome":
            self.archive_pipe._outcome(msg[1])
        elif kind == "warc":
            self._warc(msg[1], msg[2])
        elif kind in ("file", "file_link", "file_log"):  # an attachment: kept, linked, logged
            from pipelines.writer_attachments import apply

            apply(self, msg)
        else:
            raise ValueError(f"unknown message {kind!r}")

    def _item(self, token: int, item: ArticleItem, page: dict[str, Any] | None) -> None:
        from scrapy.exceptions import DropItem

        try:
            item = self.clean.process_item(item)
        except DropItem as exc:
            self.archive_pipe.item_dropped(item, None, exc, None)
            self.events.append(("dropped", token, str(exc)))
            return
        if item.generic and self.page_reader is not None:
            self.page_reader(self.spider, item, page)  # the crawler sent the page's bytes
        self._finish(token, item)

    def _finish(self, token: int, item: ArticleItem) -> None:
        from pipelines.crosscheck import compare_and_count

        # The capture middleware's stand-in (pipelines/writer.py `_capture`) becomes the WARC
        # reference written for it.
        capture_id = (item.capture or {}).get("capture_id")
        if isinstance(capture_id, int):
            item.capture = self.captures.pop(capture_id, None)
        item = self.date.process_item(item)
        item = self.dedupe.process_item(item)
        self.archive_pipe._store(item)
        if self.want_files and item.attachment_urls:  # in the article's transaction
            from pipelines.writer_attachments import want

            want(self, item)
        if item.generic and item.article_id is not None:
            rows = compare_and_count(item, self.stats)
            assert self.archive is not None
            self.archive.record_checks(item.article_id, self.archive_pipe.run_id, rows)
        self.events.append(("done", token, item.article_id))

    # -- the loop ---------------------------------------------------------------------------

    def answer(self, extra: list[Any] | None = None) -> None:
        incs, sets = self.stats.take()
        events, self.events[:] = list(self.events), []
        self.conn.send([("stats", incs, sets), *events, *(extra or [])])

    def close(self, info: dict[str, Any]) -> dict[str, Any]:
        for key, value in info.items():
            self.stats.values[key] = value
        self.crawler.settings["LOG_FILE"] = info.get("LOG_FILE")
        if self.warc is not None:
            self.warc.close()  # fsync, and its sha256 in SHA256SUMS
            self.warc = None
        self.archive_pipe.spider_closed(self.spider, info["reason"])
        self.archive = None  # closed by the pipeline
        return {"gone": self.stats.get_value("luutru/gone", 0),
                "status": self.stats.get_value("luutru/run_status")}

    def run(self) -> None:
        while True:
            msg, self.held = self.held, None
            if msg is None:
                try:
                    msg = self.conn.recv()
                except (EOFError, OSError):
                    return  # the crawler is gone without closing: nothing uncommitted is kept
            if msg[0] == "open":
                try:
                    run_id = self.open(msg[1])
                except Exception as exc:
                    self.answer([("opened", None, f"{type(exc).__name__}: {exc}", None)])
                    return
                warc_file = self.warc.rel_name if self.warc is not None else None
                self.answer([("opened", run_id, None, warc_file)])
            elif msg[0] == "close":
                self.answer([("closed", self.close(msg[1]))])
                return
            else:
                self._batch(msg)

    def _batch(self, first: tuple[Any, ...]) -> None:
        """Apply `first` and the messages already waiting behind it, within the batch bounds,
        in one commit; then answer. A message that is not an archive write (open, close) is
        held for the loop."""
        assert self.archive is not None
        started = time.monotonic()
        applied = 0
        failed: list[Any] = []
        msg: tuple[Any, ...] | None = first
        try:
            with self.archive.transaction():
                while msg is not None:
                    self._apply(msg)
                    applied += 1
                    msg = None
                    if (applied < BATCH and time.monotonic() - started < BATCH_SECONDS
                            and self.conn.poll(0)):
                        msg = self.conn.recv()
                        if msg[0] in ("open", "close"):
                            self.held, msg = msg, None
        except (EOFError, OSError):
            raise
        except Exception as exc:  # the commit itself failed (disk full...): say so
            logging.getLogger(__name__).error("the archive writer could not commit: %s", exc,
                                              exc_info=exc)
            failed = [("failed", type(exc).__name__, str(exc))]
        self.answer(failed)

    def _apply(self, msg: tuple[Any, ...]) -> None:
        """One message in its own savepoint: a failure undoes it alone and is reported."""
        assert self.archive is not None
        try:
            with self.archive.transaction():
                self.handle(msg)
        except Exception as exc:
            token = msg[1] if msg[0] == "item" else None
            logging.getLogger(__name__).error("archive write failed (%s): %s", msg[0], exc,
                                              exc_info=exc)
            self.events.append(("error", token, type(exc).__name__, str(exc)))


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the crawler decides when to stop
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _die_with_parent()
    sock = socket.socket(fileno=int(sys.argv[1]))
    conn = Connection(sock.detach())
    writer = Writer(Inbox(conn))
    try:
        writer.run()
    except (EOFError, OSError):  # the crawler is gone: the open transaction was rolled back
        pass
    finally:
        archive = getattr(writer, "archive", None)
        if archive is not None:
            archive.close()


if __name__ == "__main__":
    main()
