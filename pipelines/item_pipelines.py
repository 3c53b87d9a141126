"""Thin Scrapy item pipelines over the pure functions: clean, dates, dedupe keys, archive."""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from dataclasses import asdict
from datetime import datetime
from typing import Any

from scrapy.exceptions import DropItem

from archive.minhash import fingerprint
from archive.store import Archive
from archive.urls import canonicalize_url, same_site
from pipelines.article import clean_article
from pipelines.dates import parse_date
from pipelines.fetchlog import FetchDetails, FetchLogSignals
from pipelines.hashing import content_hash
from pipelines.items import ArticleItem, FetchOutcome
from pipelines.mentions import mention_fields
from pipelines.stage import SiteSpider, Stage, StageCrawler, site_origins

logger = logging.getLogger(__name__)

_STORE_OUTCOME = {
    "new": "stored",
    "updated": "stored",
    "unchanged": "unchanged",
    "duplicate": "duplicate",
}


class CleanPipeline(Stage):
    """Clean text fields; an article with no text left is dropped with a counted reason."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        article = clean_article(item.title_raw, item.paragraphs_raw, item.author_raw, item.role_raw)
        if not article.text:
            self.stats.inc_value("luutru/dropped/empty_text")
            raise DropItem(f"empty_text: no article text left at {item.url}")
        item.title, item.text = article.title, article.text
        item.author, item.author_role = article.author, article.author_role
        item.author_prefix = article.author_prefix
        return item


class DatePipeline(Stage):
    """Parse the date the site printed for the article (listing row, article header/meta); a
    refused or unparseable date stays null, raw kept. Body mentions never fill it."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        now = datetime.fromisoformat(item.fetched_at)
        parsed = None
        if item.date_raw:
            parsed = parse_date(item.date_raw, source=item.date_source or "unknown", now=now)
            if parsed is None:
                self.stats.inc_value("luutru/date/unparsed")
                logger.info("date not used at %s: %r", item.url, item.date_raw)
        if parsed is None:
            # Only a date the site printed as the article's date is its date; a date the body
            # mentions is stored apart (date_mentioned), so an undated article stays undated.
            self.stats.inc_value("luutru/date/none_printed")
        else:
            item.published_at = parsed.isoformat()
            item.published_precision = parsed.precision
            item.published_confidence = parsed.confidence
        return item


class DedupePipeline(Stage):
    """Give each article its canonical URL and content hash; the archive decides what is new."""

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        origin, aliases = site_origins(self.site_spider())
        # rel=canonical names the article's identity (alias, not /node/N) when it is on this site.
        link = item.canonical_link
        key = link if link and same_site(link, origin, aliases) else item.url
        item.canonical_url = canonicalize_url(key, origin=origin, aliases=aliases)
        item.content_hash = content_hash(item.title, item.text)
        return item


class ArchivePipeline(FetchLogSignals):
    """Store articles and keep the fetch log: every scheduled URL ends with exactly one outcome.

    Scrapy drops some requests without a callback or errback (a redirect to an already-seen URL,
    an off-site redirect); the scheduler signals are watched so those get a row too. Every write
    is its own small transaction, so a killed crawler loses nothing it had stored. A crawl runs
    this chain in the archive writer process (pipelines/writer_child.py), which groups the
    writes into commits of up to 100 ms, an article and its fetch-log row always in one.
    """

    def __init__(self, crawler: StageCrawler) -> None:
        super().__init__(crawler)
        self.db_path = crawler.settings.get("LUUTRU_DB", "luutru.db")
        self.archive: Archive | None = None
        self.run_id: int | None = None
        self.stored_this_run: set[str] = set()  # canonical URLs
        self.counters: Counter[str] = Counter()
        self.error_kinds: Counter[str] = Counter()

    def open_spider(self) -> None:
        spider = self.site_spider()
        self.archive = Archive(self.db_path)
        self.archive.upsert_site(spider.site.as_row())
        self.archive.interrupt_stale_runs(spider.site.slug)
        self.run_id = self.archive.start_run(spider.site.slug, spider.base_url)
        self.stats.set_value("luutru/run_id", self.run_id)

    # -- fetch log ---------------------------------------------------------------------------

    def _write_log(self, url: str, kind: str, outcome: str, details: FetchDetails) -> None:
        if outcome == "failed":
            self.counters["errors"] += 1
            self.error_kinds[(details.get("reason") or "unknown").split(":")[0]] += 1
        if details.get("http_status") is not None:
            self.counters["pages"] += 1
        self.stats.inc_value(f"luutru/outcome/{outcome}")
        assert self.archive is not None and self.run_id is not None
        self.archive.log_fetch(self.run_id, url, kind, outcome, **details)

    # -- items -------------------------------------------------------------------------------

    def process_item(self, item: Any) -> Any:
        if isinstance(item, FetchOutcome):
            self._outcome(item)
        elif isinstance(item, ArticleItem):
            self._store(item)
        return item

    def _outcome(self, report: FetchOutcome) -> None:
        """A request that gave no article: a 304 refreshes last_seen, a 404/410 marks it gone."""
        assert self.archive is not None
        article_id = self._known_article(report.url) if report.kind == "article" else None
        if article_id is not None and report.outcome == "unchanged":
            self.archive.touch(article_id, self.run_id)
            self._count("unchanged")
        elif article_id is not None and report.http_status in (404, 410):
            if self.archive.mark_gone(article_id):
                self.counters["gone"] += 1
        self._log(report.url, report.kind, report.outcome, reason=report.reason,
                  http_status=report.http_status, article_id=article_id)

    def _store(self, item: ArticleItem) -> None:
        assert self.archive is not None
        outcome, article_id = self.archive.store_article(self._record(item), self.run_id)
        if item.canonical_url in self.stored_this_run:
            outcome = "duplicate"  # the same article again this run, e.g. under /node/N
        self.stored_this_run.add(item.canonical_url)
        item.article_id = article_id
        if outcome != "duplicate":
            captured = {"etag": item.etag, "last_modified": item.last_modified,
                        "fingerprint": fingerprint(item.text)}
            self.archive.set_article_fields(article_id, {**captured, **(item.capture or {})})
        self._count(outcome)
        notes = [f"same article as #{article_id}"] if outcome == "duplicate" else []
        reason = "; ".join([*notes, *item.flags]) or None
        self._log(item.scheduled_url or item.url, "article", _STORE_OUTCOME[outcome],
                  reason=reason, http_status=item.http_status, article_id=article_id)

    def _count(self, outcome: str) -> None:
        self.counters[outcome] += 1
        self.stats.inc_value(f"luutru/articles/{outcome}")

    def _known_article(self, url: str) -> int | None:
        assert self.archive is not None
        origin, aliases = site_origins(self.site_spider())
        return self.archive.article_id_for(url) or self.archive.article_id_for(
            canonicalize_url(url, origin=origin, aliases=aliases)
        )

    @staticmethod
    def _record(item: ArticleItem) -> dict[str, Any]:
        data = asdict(item)
        return {
            "site": data["site"],
            "canonical_url": data["canonical_url"],
            "url": data["url"],
            "node_id": data["node_id"],
            "title": data["title"],
            "text": data["text"],
            "author": data["author"],
            "author_role": data["author_role"],
            "author_prefix": data["author_prefix"],
            "categories": data["categories"],
            "published_at": data["published_at"],
            "published_precision": data["published_precision"],
            "published_raw": data["date_raw"],
            "published_source": data["date_source"] if data["published_at"] else None,
            "published_confidence": data["published_confidence"],
            **mention_fields(item.text, now=datetime.fromisoformat(item.fetched_at)),
            "content_hash": data["content_hash"],
            "fetched_at": data["fetched_at"],
        }

    def spider_closed(self, spider: SiteSpider, reason: str) -> None:
        if self.archive is None or self.run_id is None:
            return
        self._log_unanswered(reason)
        status = "finished" if reason == "finished" else "interrupted"
        if status == "finished" and not self.stats.get_value("response_received_count"):
            status = "failed"  # nothing answered: the site is unreachable
        c = self.counters
        self.archive.finish_run(
            self.run_id,
            status,
            {
                "pages": c["pages"],
                "items_new": c["new"],
                "items_updated": c["updated"],
                "items_unchanged": c["unchanged"],
                "items_duplicate": c["duplicate"],
                "items_gone": c["gone"],
                "errors": c["errors"],
                "requests": self.stats.get_value("downloader/request_count", 0),
                "bytes": self.stats.get_value("downloader/response_bytes", 0),
                "errors_json": json.dumps(dict(self.error_kinds), sort_keys=True),
                "pid": self.stats.get_value("luutru/pid") or os.getpid(),  # the crawler's
                "log_file": self.crawler.settings.get("LOG_FILE"),
                "warc_file": self.stats.get_value("luutru/warc_file"),
            },
        )
        self.stats.set_value("luutru/run_status", status)
        self.stats.set_value("luutru/gone", c["gone"])
        self.archive.close()
        self.archive = None
