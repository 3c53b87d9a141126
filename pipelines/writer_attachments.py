"""Attachments in a crawl with the archive writer process: the GET here, everything else there.

`AttachmentPipeline` (pipelines/attachments.py) downloads through Scrapy's engine, which only
the crawler's process has. Everything a file costs after its GET runs in the writer process, in
the order of its other writes (issue 12: the crawler's core is the busy one): its sha256, the
MIME sniffing, the text of a PDF/DOCX, the fsynced file write, its rows and its fetch-log row,
in one savepoint of a group commit. So a file is recorded only once its bytes are on disk, and a
kill -9 loses only what no row says was kept.

Crawler side, `RemoteArchive` (from `WriterPipeline.attachment_archive()`) answers "is this URL's
file kept already?" without a query per file: the URLs kept by earlier runs are read once, the
ones sent to the writer this run are remembered; a link to a kept file is one message.
Writer side, `apply(writer, msg)` handles the messages `file`, `file_link` and `file_log`, and
`want(writer, item)` records a stored article's files as wanted in the article's transaction
(pipelines/attachment_files.py `want_files`): rows a stopped or killed crawl leaves behind are
fetched by the next run (`RemoteArchive.wanted`, read at spider open).
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any, Unpack

from pipelines.attachment_files import (
    fetchable,
    link_known,
    settles,
    still_wanted,
    store_attachment,
    want_files,
    wanted_done,
)
from pipelines.fetchlog import FetchDetails
from pipelines.items import ArticleItem

if TYPE_CHECKING:
    from archive.store import Archive
    from pipelines.writer import WriterPipeline
    from pipelines.writer_child import Writer

logger = logging.getLogger(__name__)


class RemoteArchive:
    """What AttachmentPipeline asks of the archive, served through the writer process."""

    def __init__(self, path: Path, writer: WriterPipeline) -> None:
        self.path = path
        self.db_folder = path.resolve().parent
        self.writer = writer
        self._earlier: dict[str, tuple[str, str]] | None = None  # URL -> (sha256, path)
        self._sent: set[str] = set()  # URLs whose bytes went to the writer this run

    def _kept_before(self) -> dict[str, tuple[str, str]]:
        """The URLs linked to a kept file by earlier runs, read once (one scan, no query per
        file; the writer commits this run's own)."""
        if self._earlier is None:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            try:
                rows = conn.execute(
                    "SELECT aa.url, a.sha256, a.path FROM article_attachments aa "
                    "JOIN attachments a ON a.sha256 = aa.sha256").fetchall()
            except sqlite3.Error as exc:  # an archive without the tables yet
                logger.info("no attachments kept before: %s", exc)
                rows = []
            finally:
                conn.close()
            self._earlier = {url: (sha, rel) for url, sha, rel in rows}
        return self._earlier

    def kept(self, url: str) -> bool:
        return url in self._sent or url in self._kept_before()

    def wanted(self, site: str) -> list[tuple[int, str, str]]:
        """The site's files stored articles still want (earlier runs), read before any write."""
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        try:
            return still_wanted(conn, site)
        finally:
            conn.close()

    def link_known(self, article_id: int, url: str, label: str) -> bool:
        """Link an article to the file kept for `url` (no download); False if none is."""
        sha = None
        if url not in self._sent:
            found = self._kept_before().get(url)
            if found is None or not (self.db_folder / found[1]).exists():
                return False
            sha = found[0]
        self.writer._send(("file_link", article_id, url, label, sha))
        return True

    def store(self, article_id: int, url: str, data: bytes, label: str,
              disposition: str) -> None:
        """Hand the downloaded bytes to the writer, which keeps them and logs the outcome."""
        self._sent.add(url)
        self.writer._send(("file", article_id, url, data, label, disposition))

    def log_fetch(self, run_id: int | None, url: str, kind: str, outcome: str,
                  **details: Unpack[FetchDetails]) -> None:
        self.writer._send(("file_log", run_id, url, kind, outcome, details))

    def close(self) -> None:
        self._earlier = None


# -- in the writer process ---------------------------------------------------------------------


class FileWriter:
    """The writer process's half: keeps files, links them, logs their fetches."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer
        self.db_folder = Path(writer.crawler.settings["LUUTRU_DB"]).resolve().parent
        self.shas: dict[str, str] = {}  # URL -> sha256 of the file kept for it this run
        self.settled: set[str] = set()  # URLs that failed for good this run: wanted no more

    def _log(self, url: str, outcome: str, reason: str | None, http_status: int | None,
             article_id: int) -> None:
        self.writer.stats.inc_value(f"luutru/attachments/{reason or outcome}")
        self.log(self.writer.archive_pipe.run_id, url, "attachment", outcome,
                 {"reason": reason, "http_status": http_status, "article_id": article_id})

    def log(self, run_id: int | None, url: str, kind: str, outcome: str,
            details: FetchDetails) -> None:
        """One fetch-log row; a failure for good ends the URL's wanted rows (a kept file ends
        each article's own, as it is linked)."""
        archive = self._archive()
        archive.log_fetch(run_id, url, kind, outcome, **details)
        if outcome not in ("stored", "unchanged") and settles(outcome, details.get("reason")):
            wanted_done(archive, url)
            self.settled.add(url)

    def _archive(self) -> Archive:
        """The writer's open archive (attachment messages come only between open and close)."""
        archive = self.writer.archive
        if archive is None:
            raise RuntimeError("attachment message before the writer opened the archive")
        return archive

    def want(self, item: ArticleItem, article_id: int) -> None:
        """Record the stored article's files as wanted, in its transaction."""
        labels = dict(getattr(item, "attachment_labels", None) or {})
        files = [(url, labels.get(url, "")) for url in fetchable(item.attachment_urls)
                 if url not in self.settled]
        if files:
            want_files(self._archive(), article_id, files)

    def store(self, article_id: int, url: str, data: bytes, label: str,
              disposition: str) -> None:
        archive = self._archive()
        try:
            with archive.transaction():
                outcome, sha = store_attachment(
                    archive, self.db_folder, article_id=article_id, url=url, data=data,
                    label=label, content_disposition=disposition)
        except sqlite3.Error:
            raise  # the archive itself failed (disk full...): the writer reports it
        except Exception as exc:  # the file could not be written: say so, keep crawling
            logger.error("attachment %s of article #%s not kept: %s", url, article_id, exc,
                         exc_info=exc)
            self._log(url, "failed", "error", None, article_id)
            return
        self.shas[url] = sha
        self._log(url, "stored" if outcome == "new" else "unchanged", None, 200, article_id)

    def link(self, article_id: int, url: str, label: str, sha: str | None) -> None:
        archive = self._archive()
        sha = sha or self.shas.get(url)
        if sha is None:  # kept by this run, but not by this process's stores (failed)
            linked = link_known(archive, self.db_folder, article_id, url, label)
        else:
            linked = archive.conn.execute(
                "SELECT 1 FROM attachments WHERE sha256 = ?", (sha,)).fetchone() is not None
            if linked:
                archive.conn.execute(
                    "INSERT OR IGNORE INTO article_attachments (article_id, url, sha256, label) "
                    "VALUES (?, ?, ?, ?)", (article_id, url, sha, label or None))
                wanted_done(archive, url, article_id)
        if not linked:
            self.writer.stats.inc_value("luutru/attachments/link_missing")
            logger.warning("attachment %s of article #%s: no kept file to link", url,
                           article_id)


def _files(writer: Writer) -> FileWriter:
    if writer.files is None:
        writer.files = FileWriter(writer)
    return writer.files


def want(writer: Writer, item: ArticleItem) -> None:
    """Record a just-stored article's files as wanted (pipelines/writer_child.py `_finish`)."""
    if item.article_id is not None and item.attachment_urls:
        _files(writer).want(item, item.article_id)


def apply(writer: Writer, msg: tuple[Any, ...]) -> None:
    """Apply one attachment message in the writer (pipelines/writer_child.py `handle`)."""
    files = _files(writer)
    if msg[0] == "file":
        files.store(*msg[1:])
    elif msg[0] == "file_link":
        files.link(*msg[1:])
    elif msg[0] == "file_log":
        files.log(*msg[1:])
    else:
        raise ValueError(f"unknown attachment message {msg[0]!r}")
