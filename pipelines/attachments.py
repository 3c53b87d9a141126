"""Attachments: the files an article links to (PDF, DOC, DOCX, XLS, body images), kept by sha256.

`AttachmentPipeline` runs after the archive pipeline (which gives the article its id) and
downloads each of `item.attachment_urls` through Scrapy's engine (so robots.txt, the off-site
rule, retries, politeness and the WARC capture all apply), refusing files larger than
LUUTRU_ATTACHMENT_MAXSIZE (default 20 MiB). Each file is stored once under
`<db folder>/attachments/<2 hex>/<sha256><ext>`, typed by its bytes (never the extension), named
safely after its URL, linked to its article, and its text (PDF, DOCX) put in `attachments_fts`
(pipelines/attachment_files.py).

Downloads never hold up article items (issue 12): the item goes on at once, and the article's
files are fetched in the background once the archive has its id; the spider is kept open
(`spider_idle`) until they are done. In a crawl with the archive writer process only the GET
happens here: hashing, sniffing, text extraction, the file write and the rows happen there, in
the order of its other writes (pipelines/writer_attachments.py), on the other core.

Nothing is lost between an article and its files: the article's file URLs are recorded as
wanted with it (`attachment_wanted`), and a row leaves once its file is kept, linked or fails for
good (a 404, too large...). At spider open, every crawl of the site (luutru crawl or a plain
scrapy crawl, resumed or not) fetches the files still wanted: those a stopped or killed crawl
never fetched, or whose fetch failed for a passing reason (timeout, 5xx), each URL once, through
the same checks (`luutru/attachments/resumed` counts them).

Every attachment URL fetched gets one fetch_log row (kind `attachment`): `stored` (new file),
`unchanged` (a file already kept), `skipped` (`too_large`, `robots_txt`, `offsite`, or
`not_fetched: crawl stopped` when the crawl ends before its turn) or `failed`. A URL fetched
once is fetched once per run, whichever articles link it; a URL already kept in an earlier run
is linked again without a download. A file is recorded only once its bytes are on disk.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from pathlib import Path
from typing import Any, Protocol, Unpack

from scrapy.crawler import Crawler

from archive.store import Archive
from pipelines.attachment_files import (
    ATTACHMENTS_DIR,
    DEFAULT_MAXSIZE,
    DOCX_MIME,
    EXTENSIONS,
    MAX_PDF_PAGES,
    MAX_TEXT_CHARS,
    OLE_MAGIC,
    PPTX_MIME,
    XLSX_MIME,
    attachment_path,
    extract_text,
    fetchable,
    link_known,
    safe_file_name,
    settles,
    sniff_mime,
    still_wanted,
    store_attachment,
    want_files,
    wanted_done,
)
from pipelines.fetchlog import FetchDetails
from pipelines.items import ArticleItem
from pipelines.stage import Stats, connect

__all__ = [
    "ATTACHMENTS_DIR", "DEFAULT_MAXSIZE", "DOCX_MIME", "EXTENSIONS", "MAX_PDF_PAGES",
    "MAX_TEXT_CHARS", "OLE_MAGIC", "PPTX_MIME", "XLSX_MIME", "AttachmentPipeline", "LocalFiles",
    "attachment_path", "extract_text", "link_known", "safe_file_name", "sniff_mime",
    "store_attachment",
]

logger = logging.getLogger(__name__)


def _reason(exc: BaseException) -> str:
    from pipelines.fetchlog import failure_reason

    message = str(exc)
    if "offsite" in message.lower():
        return "offsite"
    return failure_reason(exc)[0]


class FileArchive(Protocol):
    """Where AttachmentPipeline's archive reads and writes go: `LocalFiles` in this process, or
    `RemoteArchive` through the archive writer process (pipelines/writer_attachments.py)."""

    def wanted(self, site: str) -> list[tuple[int, str, str]]:
        """(article id, URL, label) of the files stored articles still want."""
        ...

    def kept(self, url: str) -> bool: ...

    def link_known(self, article_id: int, url: str, label: str) -> bool: ...

    def log_fetch(self, run_id: int | None, url: str, kind: str, outcome: str,
                  **details: Unpack[FetchDetails]) -> None: ...

    def store(self, article_id: int, url: str, data: bytes, label: str,
              disposition: str) -> Awaitable[None] | None:
        """Keep the bytes and log the outcome (now, or once the writer process has)."""
        ...


class LocalFiles:
    """The attachments' archive writes made in this process, on an `Archive` (a crawl without
    the writer process). `RemoteArchive` (pipelines/writer_attachments.py) has the same methods."""

    def __init__(self, archive: Archive, db_folder: Path, stats: Stats) -> None:
        self.archive = archive
        self.db_folder = db_folder
        self.stats = stats
        self.settled: set[str] = set()  # URLs that failed for good this run: wanted no more

    def wanted(self, site: str) -> list[tuple[int, str, str]]:
        return still_wanted(self.archive.conn, site)

    def want(self, article_id: int, urls: list[str], labels: dict[str, str]) -> None:
        files = [(url, labels.get(url, "")) for url in urls if url not in self.settled]
        with self.archive.transaction():
            want_files(self.archive, article_id, files)

    def kept(self, url: str) -> bool:
        return self.archive.conn.execute(
            "SELECT 1 FROM article_attachments WHERE url = ? LIMIT 1", (url,)
        ).fetchone() is not None

    def link_known(self, article_id: int, url: str, label: str) -> bool:
        return link_known(self.archive, self.db_folder, article_id, url, label)

    def log_fetch(self, run_id: int | None, url: str, kind: str, outcome: str,
                  **details: Unpack[FetchDetails]) -> None:
        with self.archive.transaction():
            self.archive.log_fetch(run_id, url, kind, outcome, **details)
            if outcome not in ("stored", "unchanged") and settles(outcome, details.get("reason")):
                wanted_done(self.archive, url)
                self.settled.add(url)

    async def store(self, article_id: int, url: str, data: bytes, label: str,
                    disposition: str) -> None:
        """Sniff, extract the text off the reactor thread, keep, and log the outcome."""
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet.threads import deferToThread

        mime = sniff_mime(data)
        text = await maybe_deferred_to_future(deferToThread(extract_text, data, mime))
        outcome, _ = store_attachment(
            self.archive, self.db_folder, article_id=article_id, url=url, data=data,
            label=label, content_disposition=disposition, mime=mime, text=text)
        outcome = "stored" if outcome == "new" else "unchanged"
        if self.stats is not None:
            self.stats.inc_value(f"luutru/attachments/{outcome}")
        run_id = self.stats.get_value("luutru/run_id") if self.stats is not None else None
        self.log_fetch(run_id, url, "attachment", outcome, http_status=200,
                       article_id=article_id)


class AttachmentPipeline:
    """Download the attachments of stored articles in the background (see module doc)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.db_path = Path(settings.get("LUUTRU_DB", "luutru.db"))
        self.db_folder = self.db_path.resolve().parent
        self.maxsize = settings.getint("LUUTRU_ATTACHMENT_MAXSIZE", DEFAULT_MAXSIZE)
        self.enabled = settings.getbool("LUUTRU_ATTACHMENTS", True)
        self._own: Archive | None = None
        self._files: FileArchive | None = None
        self.seen: set[str] = set()  # attachment URLs whose download was started this run
        self._inflight: dict[str, list[Any]] = {}  # URL -> Deferreds of articles waiting for it
        self._busy = 0  # articles whose files are not all handled yet: the spider stays open
        self._todo: dict[str, int] = {}  # URL -> articles that still have it to handle
        self._closed = False  # the crawl ended: nothing more is fetched or written

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AttachmentPipeline:
        pipe = cls(crawler)
        connect(crawler, pipe, "spider_opened", "spider_idle", "spider_closed")
        return pipe

    def _archive(self) -> FileArchive:
        """Where the attachments' archive writes go: the archive writer process's stand-in
        (pipelines/writer_attachments.py), else the in-process archive pipeline's `Archive`
        (one connection, no lock contention between two writers in one thread), else an own."""
        if self._files is not None:
            return self._files
        engine = getattr(self.crawler, "engine", None)
        scraper = getattr(engine, "scraper", None)
        itemproc = getattr(scraper, "itemproc", None)
        archive: Archive | None = None
        for pipe in getattr(itemproc, "middlewares", ()):
            if pipe is self:
                continue
            remote = getattr(pipe, "attachment_archive", None)
            found: FileArchive | None = remote() if remote is not None else None
            if found is not None:
                self._files = found
                return found
            if isinstance(getattr(pipe, "archive", None), Archive):
                archive = pipe.archive
                break
        if archive is None:
            if self._own is None:
                self._own = Archive(self.db_path)
            archive = self._own
        files = self._files = LocalFiles(archive, self.db_folder, self.crawler.stats)
        return files

    # -- files earlier runs did not keep -------------------------------------------------------

    def spider_opened(self, spider: Any = None) -> None:
        """Fetch the site's files that stored articles still want (a crawl stopped or killed
        before them, a passing failure): each URL once, like any article's files."""
        site = getattr(getattr(self.crawler.spider, "site", None), "slug", None)
        if not self.enabled or site is None:
            return
        files = self._archive()
        by_article: dict[int, tuple[list[str], dict[str, str]]] = {}
        for article_id, url, label in files.wanted(site):
            urls, labels = by_article.setdefault(article_id, ([], {}))
            urls.append(url)
            labels[url] = label
        if not by_article:
            return
        resumed = len({url for urls, _ in by_article.values() for url in urls})
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("luutru/attachments/resumed", resumed)
        logger.info("fetching %d attachment(s) of %d stored article(s) that earlier runs did "
                    "not keep", resumed, len(by_article))
        for article_id, (urls, labels) in by_article.items():
            self._begin(urls)
            self._start(article_id, urls, labels)

    # -- keeping the spider open while files are due --------------------------------------------

    def spider_idle(self, spider: Any = None) -> None:
        from scrapy.exceptions import DontCloseSpider

        if self._busy:
            raise DontCloseSpider

    def _begin(self, urls: list[str]) -> None:
        self._busy += 1
        for url in urls:
            self._todo[url] = self._todo.get(url, 0) + 1

    def _handled(self, url: str) -> None:
        left = self._todo.get(url, 0) - 1
        if left > 0:
            self._todo[url] = left
        else:
            self._todo.pop(url, None)

    def _end(self, result: Any = None) -> Any:
        self._busy -= 1
        if not self._busy:  # let the engine see at once that the crawl may end
            slot = getattr(getattr(self.crawler, "engine", None), "_slot", None)
            nextcall = getattr(slot, "nextcall", None)
            if nextcall is not None:
                nextcall.schedule()
        return result

    def close_spider(self, spider: Any = None) -> None:
        """Before the archive closes: files the crawl ended without fetching (stopped early)
        are logged, so the fetch log stays complete; later answers are ignored."""
        if self._todo:
            files = self._archive()
            for url in list(self._todo):
                if (url in self._inflight or url not in self.seen) and not files.kept(url):
                    self.seen.add(url)
                    self._log(url, "skipped", reason="not_fetched: crawl stopped")
            self._todo.clear()
        self._closed = True

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        if self._own is not None:
            self._own.close()
            self._own = None

    # -- items ----------------------------------------------------------------------------------

    def _log(self, url: str, outcome: str, **details: Unpack[FetchDetails]) -> None:
        if self._closed:  # logged by close_spider
            return
        stats = self.crawler.stats
        stats.inc_value(f"luutru/attachments/{details.get('reason') or outcome}")
        run_id = stats.get_value("luutru/run_id")
        self._archive().log_fetch(run_id, url, "attachment", outcome, **details)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        # The writer process's answer to come (pipelines/writer.py): the article's id.
        waiting = item.__dict__.pop("_article_id", None)
        urls = fetchable(item.attachment_urls)
        if not self.enabled or not urls:
            if waiting is not None:
                waiting.addErrback(lambda _: None)  # the writer logs what it could not store
            return item
        labels = dict(getattr(item, "attachment_labels", None) or {})
        if waiting is None:
            if item.article_id is None:
                return item
            files = self._archive()
            if isinstance(files, LocalFiles):  # stored in this process: wanted until kept
                files.want(item.article_id, urls, labels)
            self._begin(urls)
            self._start(item.article_id, urls, labels)
            return item
        self._begin(urls)
        waiting.addCallbacks(self._on_id, self._not_stored, callbackArgs=(item, urls, labels),
                             errbackArgs=(urls,))
        return item

    def _on_id(self, article_id: int | None, item: Any, urls: list[str],
               labels: dict[str, str]) -> None:
        item.article_id = article_id
        if article_id is None or self._closed:  # not stored, or too late: nothing to fetch
            self._not_stored(None, urls)
            return
        try:
            self._start(int(article_id), urls, labels)
        except Exception:  # never leave the spider open for files that will not come
            logger.exception("attachments of article #%s not fetched", article_id)
            self._not_stored(None, urls)

    def _not_stored(self, failure: Any, urls: list[str]) -> None:
        """The article was dropped or not stored: the writer logged why; no download."""
        from scrapy.exceptions import DropItem

        from pipelines.writer import WriterDied

        exc = getattr(failure, "value", None)
        if exc is not None and not isinstance(exc, DropItem | WriterDied):
            logger.error("archive writer: %s", exc, exc_info=exc)
        for url in urls:
            self._handled(url)
        self._end()

    def _start(self, article_id: int, urls: list[str], labels: dict[str, str]) -> None:
        from scrapy.utils.defer import deferred_from_coro

        done = deferred_from_coro(self._article(article_id, urls, labels))
        done.addErrback(lambda f: logger.error("attachments of article #%s: %s", article_id,
                                               f.value, exc_info=f.value))
        done.addBoth(self._end)

    async def _article(self, article_id: int, urls: list[str], labels: dict[str, str]) -> None:
        for url in urls:
            try:
                await self._one(article_id, url, labels.get(url, ""))
            finally:
                self._handled(url)

    async def _one(self, article_id: int, url: str, label: str) -> None:
        from scrapy.utils.defer import maybe_deferred_to_future
        from twisted.internet.defer import Deferred

        if self._closed:
            return
        files = self._archive()
        if files.link_known(article_id, url, label):
            return
        if url in self._inflight:  # another article's download of the same file: wait for it
            waiter: Deferred[None] = Deferred()
            self._inflight[url].append(waiter)
            await maybe_deferred_to_future(waiter)
            files.link_known(article_id, url, label)
            return
        if url in self.seen:  # failed or refused already this run
            return
        self.seen.add(url)
        if self._stopping():  # the crawl is ending: logged, and wanted by the next run
            self._log(url, "skipped", reason="not_fetched: crawl stopped", article_id=article_id)
            return
        self._inflight[url] = []
        try:
            await self._download(files, article_id, url, label)
        except Exception:  # one broken attachment never loses the article or the crawl
            logger.exception("attachment %s of article #%s", url, article_id)
            self._log(url, "failed", reason="error", article_id=article_id)
        finally:
            for waiter in self._inflight.pop(url, []):
                waiter.callback(None)

    def _stopping(self) -> bool:
        slot = getattr(getattr(self.crawler, "engine", None), "_slot", None)
        return self._closed or slot is None or getattr(slot, "closing", None) is not None

    async def _download(self, files: FileArchive, article_id: int, url: str,
                        label: str) -> None:
        from scrapy import Request
        from scrapy.exceptions import IgnoreRequest

        request = Request(
            url,
            meta={"kind": "attachment", "download_maxsize": self.maxsize,
                  "download_warnsize": 0},
        )
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:
            if self._stopping():  # cut by the crawl's end, not the file's fault: wanted still
                self._log(url, "skipped", reason="not_fetched: crawl stopped",
                          article_id=article_id)
                return
            if isinstance(exc, IgnoreRequest):
                self._log(url, "skipped", reason=_reason(exc), article_id=article_id)
                return
            reason = _reason(exc)
            outcome = "skipped" if reason == "too_large" else "failed"
            self._log(url, outcome, reason=reason, article_id=article_id)
            return
        if response.status != 200:
            self._log(url, "failed", reason=f"http_{response.status}",
                      http_status=response.status, article_id=article_id)
            return
        data = response.body
        if len(data) > self.maxsize:
            self._log(url, "skipped", reason="too_large", http_status=response.status,
                      article_id=article_id)
            return
        if self._closed:
            return
        disposition = (response.headers.get("Content-Disposition") or b"").decode("latin-1")
        # Kept, and its outcome logged, by `files` (the writer process: after this returns).
        pending: Awaitable[None] | None = files.store(article_id, url, data, label, disposition)
        if pending is not None:
            await pending
