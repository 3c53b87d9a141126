"""Attachments in a crawl with the archive writer process: downloads here, writes there.

`AttachmentPipeline` (pipelines/attachments.py) downloads through Scrapy's engine, which only
this process has; its archive writes would need a second writer connection here, which waits
(blocking the reactor) whenever the writer process holds the write lock for a group commit.
`WriterPipeline.attachment_archive()` gives it a `RemoteArchive` instead: reads go to a read-only
connection (WAL: never blocked, and each read sees every commit so far), writes go to the
writer process in order, and a file's `store_attachment` runs there too, answered after its
commit, so an article waiting for the same file links it once it is committed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from twisted.internet.defer import Deferred


class _Sent:
    """The cursor of a write handed to the writer process (no result to read)."""

    rowcount = 1
    lastrowid = None

    def fetchone(self) -> None:
        return None

    def fetchall(self) -> list[Any]:
        return []


class _Connection:
    """SELECTs on a read-only connection, every other statement to the writer."""

    def __init__(self, path: Path, writer: Any) -> None:
        self.read = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None,
                                    check_same_thread=False)
        self.writer = writer

    def execute(self, sql: str, params: Any = ()) -> Any:
        if sql.lstrip()[:6].upper() == "SELECT":
            return self.read.execute(sql, params)
        self.writer._send(("sql", sql, tuple(params)))
        return _Sent()


class RemoteArchive:
    """What AttachmentPipeline asks of an `Archive`, served through the writer process."""

    def __init__(self, path: Path, writer: Any) -> None:
        self.conn = _Connection(path, writer)
        self.writer = writer

    @contextmanager
    def transaction(self) -> Iterator[RemoteArchive]:
        """The writer applies each message in a savepoint of its group commit."""
        yield self

    def log_fetch(self, run_id: int | None, url: str, kind: str, outcome: str,
                  reason: str | None = None, http_status: int | None = None,
                  article_id: int | None = None) -> None:
        self.writer._send(("log_fetch", run_id, url, kind, outcome, reason, http_status,
                           article_id))

    async def store_attachment(self, fields: dict[str, Any]) -> tuple[str, str]:
        from scrapy.utils.defer import maybe_deferred_to_future

        waiting: Deferred[Any] = Deferred()
        token = self.writer.expect(waiting)
        self.writer._send(("attachment", token, fields))
        result = await maybe_deferred_to_future(waiting)
        return result[0], result[1]

    def close(self) -> None:
        self.conn.read.close()
