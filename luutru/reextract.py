"""`luutru reextract`: rebuild articles from the captured WARC records with today's parser.

Each article's captured page is read back and parsed again by `luutru.reextract_page`
(`Extractor`: the site spider's `parse_article` with the listing facts kept in the row, then the
crawl's cleaning, date and identity functions). An unchanged parser gives "unchanged"
everywhere, an improved one "updated" rows.

Reading and parsing run in a process pool (one worker per core, forked after the imports, each
reading the WARC files itself: a task is a chunk of rows, offsets not bytes); the parent alone
writes, in article order, one commit per batch. A result that would write nothing (same hash,
URL and canonical URL, nothing else to set) comes back as a one-word answer, so for an
unchanged archive the writer only counts. The writer knows which articles its own writes
touched this run; a "same" answer about one of those (its stored values are no longer the ones
the worker compared with) is re-extracted and stored by the parent, so the archive ends exactly
as a serial run of `Archive.store_article` on every result would leave it.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Generator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

from archive.db import ArchiveError
from luutru.reextract_page import ROW_KEYS, ROWS_SQL, Extractor, Result

# Rows per task sent to a worker: large enough that pickling and queueing cost little against
# the parse (~2 ms a page), small enough that results flow to the writer steadily and the last
# tasks end together.
_CHUNK = 32
# Below this many captured articles a pool's start-up costs more than it saves.
_POOL_MIN = 64
# The writer commits every this many articles or this many seconds, whichever comes first.
_BATCH_ROWS = 256
_BATCH_SECONDS = 0.25


def _preload() -> None:
    """Import what a worker needs before the pool forks, so no worker imports Scrapy again."""
    for name in ("luutru.process", "luutru.crawl_url", "archive.store", "pipelines.article",
                 "pipelines.dates", "pipelines.hashing", "pipelines.mentions", "archive.urls",
                 "pipelines.items", "scrapers.spiders", "scrapy.http", "scrapy.responsetypes"):
        importlib.import_module(name)


def reextract(
    db_path: str | Path,
    site: str | None = None,
    *,
    on_article: Callable[[int, str], None] | None = None,
    workers: int | None = None,
) -> dict[str, int]:
    """Rebuild every article that has a captured page from its WARC record (no network).

    Returns counts: unchanged, updated, new / duplicate (the page now yields another canonical
    URL), failed (the parser finds no article), unreadable (record missing or not matching),
    total. `on_article(article_id, outcome)` is called after each one, in article order.

    Reading a record and parsing it is CPU work with no shared state, so it runs in a pool of
    `workers` processes (default: one per core); the parent is the one SQLite writer and
    stores the results in article order, exactly as a serial run would.
    """
    from archive.store import Archive

    db_path = Path(db_path)
    if not db_path.exists():
        raise ArchiveError(f"no archive at {db_path}: run a crawl first, or pass the right --db")
    folder = db_path.resolve().parent
    counts: Counter[str] = Counter()
    archive = Archive(db_path)
    local: Extractor | None = None
    try:
        sql = ROWS_SQL + (" AND a.site = ?" if site else "") + " ORDER BY a.id"
        rows = [dict(zip(ROW_KEYS, r, strict=True))
                for r in archive.conn.execute(sql, (site,) if site else ()).fetchall()]
        if workers is None:
            workers = os.cpu_count() or 1
        results: Generator[Result, None, None]
        if workers > 1 and len(rows) >= _POOL_MIN:
            results = _pooled(folder, rows, workers)
        else:
            local = Extractor(folder)
            results = (local.extract(row) for row in rows)
        touched: set[int] = set()  # articles this run's writes changed
        try:
            pending = zip(rows, results, strict=True)
            more = True
            while more:
                more = False
                # One commit per batch, not per article: the writer keeps pace with the pool.
                # A failure undoes the batch it stopped in; a second run redoes it.
                with archive.transaction():
                    deadline = time.monotonic() + _BATCH_SECONDS
                    for n, (row, (outcome, record)) in enumerate(pending, 1):
                        counts["total"] += 1
                        if outcome == "same" and row["id"] in touched:
                            # Compared with values a write of this run has since replaced.
                            local = local or Extractor(folder)
                            outcome, record = local.extract(row, may_skip=False)
                        if outcome == "same":
                            outcome = "unchanged"
                        elif record is not None:
                            stored, article_id = archive.store_article(record, row["last_run"])
                            outcome = str(stored)
                            touched.add(article_id)
                        counts[outcome] += 1
                        if on_article is not None:
                            on_article(row["id"], outcome)
                        if n >= _BATCH_ROWS or time.monotonic() > deadline:
                            more = True
                            break
        finally:
            results.close()  # a failed store stops the pool now, not at garbage collection
    finally:
        if local is not None:
            local.close()
        archive.close()
    return dict(counts)


# The worker process's extractor (spiders, open WARC files): created in the worker after the
# fork, so no file offset is ever shared with the parent.
_WORKER: list[Extractor] = []


def _extract_chunk(folder: Path, rows: list[dict[str, Any]]) -> list[Result]:
    """A worker's task: read and parse a run of rows (nothing is written here)."""
    if not _WORKER:
        _WORKER.append(Extractor(folder))
    return [_WORKER[0].extract(row) for row in rows]


def _pooled(folder: Path, rows: list[dict[str, Any]], workers: int
            ) -> Generator[Result, None, None]:
    """Results of `Extractor.extract` for `rows`, in order, computed by a process pool.

    At most a few chunks per worker are in flight, so results never pile up in memory when the
    writer is the slower side. Fork (where the platform has it) spares each worker the
    import of Scrapy and the spiders; a worker never touches the parent's SQLite connection.
    """
    _preload()
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunks = iter([rows[i: i + _CHUNK] for i in range(0, len(rows), _CHUNK)])
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    try:
        pending: deque[Future[list[Result]]] = deque(
            pool.submit(_extract_chunk, folder, chunk)
            for chunk in islice(chunks, workers * 3))
        while pending:
            done = pending.popleft().result()
            chunk = next(chunks, None)
            if chunk is not None:
                pending.append(pool.submit(_extract_chunk, folder, chunk))
            yield from done
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
