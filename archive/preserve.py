"""Preservation: check the archive's files against what it recorded, and rebuild articles from
the captured WARC records without the network.

- `verify(db_path)` recomputes the sha256 of every attachment file, every WARC record's block and
  payload digests (and so the gzip integrity of every member), each WARC file's whole-file sha256
  against `warc/SHA256SUMS`, and that every article's `warc_*` columns point at a record with the
  same id and payload digest.
- `reextract(db_path, site=None)` reads each article's captured page back from its WARC record,
  runs the site spider's `parse_article` on it (with the listing facts kept in the row) and the
  same cleaning, date and identity functions as a crawl, and stores the result: an unchanged
  parser gives "unchanged" everywhere, an improved one "updated" rows. Reading and parsing run
  in a process pool (one worker per core, records read by `archive.warc_read.Reader`); the
  parent alone writes, in article order, one commit per batch of articles.
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Generator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.db import ArchiveError, open_reader
from archive.warc import (
    WARC_DIR,
    CapturedResponse,
    check_file,
    file_sha256,
    read_sums,
)
from archive.warc_read import Reader
from pipelines.mentions import mention_fields


@dataclass
class Problem:
    kind: str  # attachment_missing, attachment_changed, warc_missing, warc_digest, warc_broken,
    # warc_changed, article_link
    path: str
    detail: str


@dataclass
class Report:
    warc_files: int = 0
    warc_records: int = 0
    attachments: int = 0
    articles_linked: int = 0
    unrecorded_warcs: list[str] = field(default_factory=list)  # no SHA256SUMS line (crash)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def _folder(db_path: str | Path) -> Path:
    return Path(db_path).resolve().parent


def verify(db_path: str | Path) -> Report:
    """Recompute every hash the archive relies on and report each difference (see module doc)."""
    folder = _folder(db_path)
    report = Report()
    conn = open_reader(db_path, time_limit=None)
    try:
        attachments = conn.execute(
            "SELECT sha256, path, size FROM attachments ORDER BY path").fetchall()
        warc_names = {
            name for (name,) in conn.execute(
                "SELECT warc_file FROM runs WHERE warc_file IS NOT NULL "
                "UNION SELECT DISTINCT warc_file FROM articles WHERE warc_file IS NOT NULL")
        }
        links = conn.execute(
            "SELECT id, warc_file, warc_offset, warc_record_id, warc_digest FROM articles "
            "WHERE warc_record_id IS NOT NULL").fetchall()
    finally:
        conn.close()

    for sha, rel, size in attachments:
        report.attachments += 1
        path = folder / rel
        if not path.is_file():
            report.problems.append(Problem("attachment_missing", rel, "file not found"))
            continue
        actual = file_sha256(path)
        if actual != sha:
            report.problems.append(Problem(
                "attachment_changed", rel,
                f"sha256 {actual} != recorded {sha} (size {path.stat().st_size}, recorded {size})"))

    warc_dir = folder / WARC_DIR
    if warc_dir.is_dir():
        warc_names |= {f"{WARC_DIR}/{p.name}" for p in warc_dir.glob("*.warc.gz")}
    sums = read_sums(warc_dir)
    records: dict[str, dict[int, tuple[str, str]]] = {}
    for rel in sorted(warc_names):
        path = folder / rel
        report.warc_files += 1
        if not path.is_file():
            report.problems.append(Problem("warc_missing", rel, "file not found"))
            continue
        index: dict[int, tuple[str, str]] = {}
        records[rel] = index
        try:
            for check in check_file(path):
                report.warc_records += 1
                index[check.offset] = (check.record_id, check.digest)
                for detail in check.problems:
                    report.problems.append(Problem(
                        "warc_digest", rel, f"{check.rec_type} record {check.record_id} at "
                        f"offset {check.offset}: {detail}"))
        except ValueError as exc:
            report.problems.append(Problem("warc_broken", rel, str(exc)))
        recorded = sums.get(path.name)
        if recorded is None:
            report.unrecorded_warcs.append(rel)
        elif file_sha256(path) != recorded:
            report.problems.append(Problem(
                "warc_changed", rel, f"sha256 differs from {WARC_DIR}/SHA256SUMS"))

    for article_id, rel, offset, record_id, digest in links:
        report.articles_linked += 1
        index = records.get(rel)
        if index is None:
            continue  # the file's own problem is reported above
        found = index.get(int(offset)) if offset is not None else None
        if found is None:
            report.problems.append(Problem(
                "article_link", rel, f"article #{article_id}: no record at offset {offset}"))
        elif found != (record_id, digest):
            report.problems.append(Problem(
                "article_link", rel,
                f"article #{article_id}: record at offset {offset} is {found[0]} {found[1]}, "
                f"recorded {record_id} {digest}"))
    return report


# -- re-extraction ---------------------------------------------------------------------------

_DROP_HEADERS = {"content-encoding", "content-length", "x-luutru-orig-transfer-encoding"}


def _warc_date(capture: CapturedResponse) -> datetime:
    try:
        return datetime.fromisoformat(capture.date.replace("Z", "+00:00"))
    except ValueError:
        return datetime.now(UTC)


def _response(capture: CapturedResponse, ref: dict[str, Any]) -> Any:
    """A Scrapy response as the spider saw it: the original URL, headers and decoded body."""
    from scrapy import Request
    from scrapy.http import Headers
    from scrapy.responsetypes import responsetypes

    grouped: dict[str, list[str]] = {}  # Headers keys by title case; values keep their order
    for name, value in capture.headers:
        if name.lower() not in _DROP_HEADERS:
            grouped.setdefault(name.title(), []).append(value)
    headers = Headers(grouped)
    cls = responsetypes.from_args(headers=headers, url=capture.url, body=capture.body)
    request = Request(capture.url, meta={"kind": "article", "warc_ref": ref})
    return cls(url=capture.url, status=capture.status, headers=headers, body=capture.body,
               request=request)


def _spider(site: str, base_url: str, cache: dict[tuple[str, str], Any]) -> Any:
    key = (site, base_url)
    if key not in cache:
        from scrapy.crawler import Crawler

        from archive.crawl import crawl_settings
        from scrapers.spiders import spider_for

        spider_cls = spider_for(site)
        crawler = Crawler(spider_cls, crawl_settings("reextract.db"))
        spider = spider_cls.from_crawler(crawler, base_url=base_url)
        crawler.spider = spider
        # Re-extraction keeps the article item only and fetches nothing: the requests a page's
        # related links would make (and the URL spellings learnt to deduplicate them) are
        # crawl state, thrown away here. Skipping them saves ~2 ms a page, a third of the parse.
        spider.article_request = _follow_nothing
        spider.learn_spellings = _follow_nothing
        # Nor are the related-links blocks read: their links only ever become such requests.
        spider.queries = _without_related(spider.queries)
        cache[key] = spider
    return cache[key]


def _follow_nothing(*_args: Any, **_kwargs: Any) -> None:
    return None


def _without_related(queries: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    """The spider's selector queries, with none for the related-links blocks."""
    def wrapped(key: str) -> list[str]:
        return [] if key == "related_links" else queries(key)
    return wrapped


def _preload() -> None:
    """Import what a worker needs before the pool forks, so no worker imports Scrapy again."""
    for name in ("archive.crawl", "pipelines.article", "pipelines.dates", "pipelines.hashing",
                 "pipelines.mentions", "pipelines.urls", "scrapers.items", "scrapers.spiders",
                 "scrapy.crawler", "scrapy.http", "scrapy.responsetypes"):
        importlib.import_module(name)


def _listing(row: dict[str, Any]) -> dict[str, Any]:
    """The listing facts a crawl carried into the article request, as the row kept them."""
    categories = json.loads(row["categories"] or "[]")
    from_listing = row["published_source"] in (None, "listing")
    return {
        "section": categories[0] if categories else None,
        "listing_url": None,
        "date_raw": row["published_raw"] if from_listing else None,
        "author_raw": row["author"] or "",
        "role_raw": row["author_role"] or "",
        "title_raw": row["title"] or "",
    }


def _rebuild(item: Any, spider: Any, now: datetime) -> bool:
    """Clean, date and identify an item exactly as the crawl's pipelines do; False if empty."""
    from pipelines.article import clean_article
    from pipelines.dates import parse_date
    from pipelines.hashing import content_hash
    from pipelines.urls import canonicalize_url, same_site

    article = clean_article(item.title_raw, item.paragraphs_raw, item.author_raw, item.role_raw)
    if not article.text:
        return False
    item.title, item.text = article.title, article.text
    item.author, item.author_role = article.author, article.author_role
    item.author_prefix = article.author_prefix
    if item.date_raw:
        parsed = parse_date(item.date_raw, source=item.date_source or "unknown", now=now)
        if parsed is not None:
            item.published_at = parsed.isoformat()
            item.published_precision = parsed.precision
    origin = spider.site.base_url
    aliases = (*spider.site.aliases, spider.base_url)
    link = item.canonical_link
    key = link if link and same_site(link, origin, aliases) else item.url
    item.canonical_url = canonicalize_url(key, origin=origin, aliases=aliases)
    item.content_hash = content_hash(item.title, item.text)
    return True


def _record(item: Any, row: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    return {
        "site": item.site,
        "canonical_url": item.canonical_url,
        "url": item.url,
        "node_id": item.node_id,
        "title": item.title,
        "text": item.text,
        "author": item.author,
        "author_role": item.author_role,
        "author_prefix": item.author_prefix,
        "categories": item.categories,
        "published_at": item.published_at,
        "published_precision": item.published_precision,
        "published_raw": item.date_raw,
        "published_source": item.date_source if item.published_at else None,
        "content_hash": item.content_hash,
        **mention_fields(item.text, now=datetime.fromisoformat(row["last_seen"])),
        # The row's own time: re-extraction is not a new sighting of the page.
        "fetched_at": row["last_seen"],
        **ref,
    }


_Result = tuple[str, dict[str, Any] | None]  # ("store", record) or (outcome, None)
# Rows per task sent to a worker: large enough that pickling and queueing cost little against
# the parse (~5 ms a page), small enough that results flow to the writer steadily.
_CHUNK = 32
# Below this many captured articles a pool's start-up costs more than it saves.
_POOL_MIN = 64
# The writer commits every this many articles or this many seconds, whichever comes first.
_BATCH_ROWS = 256
_BATCH_SECONDS = 0.25


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
    folder = _folder(db_path)
    counts: Counter[str] = Counter()
    archive = Archive(db_path)
    try:
        conn = archive.conn
        cols = ("id", "site", "url", "title", "author", "author_role", "categories",
                "published_raw", "published_source", "last_seen", "last_run", "warc_file",
                "warc_offset", "warc_record_id", "warc_digest", "run_base_url")
        sql = (
            "SELECT a.id, a.site, a.url, a.title, a.author, a.author_role, a.categories, "
            "a.published_raw, a.published_source, a.last_seen, a.last_run, a.warc_file, "
            "a.warc_offset, a.warc_record_id, a.warc_digest, r.base_url "
            "FROM articles a LEFT JOIN runs r ON r.id = a.last_run "
            "WHERE a.warc_record_id IS NOT NULL AND a.warc_file IS NOT NULL"
            + (" AND a.site = ?" if site else "") + " ORDER BY a.id"
        )
        rows = [dict(zip(cols, r, strict=True))
                for r in conn.execute(sql, (site,) if site else ()).fetchall()]
        if workers is None:
            workers = os.cpu_count() or 1
        results: Generator[_Result, None, None]
        if workers > 1 and len(rows) >= _POOL_MIN:
            results = _pooled(folder, rows, workers)
        else:
            results = _serial(folder, rows)
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
                        if record is not None:
                            outcome = str(archive.store_article(record, row["last_run"])[0])
                        counts[outcome] += 1
                        if on_article is not None:
                            on_article(row["id"], outcome)
                        if n >= _BATCH_ROWS or time.monotonic() > deadline:
                            more = True
                            break
        finally:
            results.close()  # a failed store stops the pool now, not at garbage collection
    finally:
        archive.close()
    return dict(counts)


def _serial(folder: Path, rows: list[dict[str, Any]]) -> Generator[_Result, None, None]:
    spiders: dict[tuple[str, str], Any] = {}
    reader = Reader()
    try:
        for row in rows:
            yield _extract_one(folder, row, spiders, reader)
    finally:
        reader.close()


# One spider per site and one reader (open WARC files), per worker process: created in the
# worker after the fork, so no file offset is ever shared with the parent.
_WORKER_SPIDERS: dict[tuple[str, str], Any] = {}
_WORKER_READER: list[Reader] = []


def _extract_chunk(folder: Path, rows: list[dict[str, Any]]) -> list[_Result]:
    """A worker's task: read and parse a run of rows (nothing is written here)."""
    if not _WORKER_READER:
        _WORKER_READER.append(Reader())
    return [_extract_one(folder, row, _WORKER_SPIDERS, _WORKER_READER[0]) for row in rows]


def _pooled(folder: Path, rows: list[dict[str, Any]], workers: int
            ) -> Generator[_Result, None, None]:
    """Results of `_extract_one` for `rows`, in order, computed by a process pool.

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
        pending: deque[Future[list[_Result]]] = deque(
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


def _extract_one(folder: Path, row: dict[str, Any], spiders: dict[tuple[str, str], Any],
                 reader: Reader) -> _Result:
    """Read one row's captured page and parse it into the record to store (no writes)."""
    from scrapers.items import ArticleItem

    ref = {k: row[k] for k in ("warc_file", "warc_offset", "warc_record_id", "warc_digest")}
    try:
        capture = reader.read(folder / row["warc_file"], int(row["warc_offset"]))
    except (OSError, ValueError, TypeError):
        return "unreadable", None
    if capture.record_id != row["warc_record_id"]:
        return "unreadable", None
    parts = urlsplit(capture.url)
    base_url = row["run_base_url"] or f"{parts.scheme}://{parts.netloc}"
    spider = _spider(row["site"], base_url, spiders)
    response = _response(capture, ref)
    items = [x for x in spider.parse_article(response, listing=_listing(row))
             if isinstance(x, ArticleItem)]
    if not items:
        return "failed", None
    item = items[0]
    item.capture = ref
    if not _rebuild(item, spider, _warc_date(capture)):
        return "failed", None
    return "store", _record(item, row, ref)
