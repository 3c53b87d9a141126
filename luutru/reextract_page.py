"""One captured article page back through today's parser: the per-record work of `reextract`.

`Extractor.extract(row)` reads the row's WARC record (`archive.warc_read.Reader`, files kept
open), rebuilds the Scrapy response the spider saw, runs the site spider's `parse_article` with
the listing facts the row kept, and cleans, dates and identifies the item as the crawl's
pipelines do. It writes nothing, so it runs in pool workers; `luutru.reextract` is the writer.

When the result is one that `Archive.store_article` would store as "unchanged" without writing
anything (same canonical URL, URL and content hash as the row, no date the page moved, nothing
else to set: see `_writes_nothing`), it answers "same" and skips what only a write needs (the
body's date mentions, the record sent back to the writer). Any other result is the full record.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from archive.warc import CapturedResponse
from archive.warc_read import Reader
from luutru.process import PageReader, crawl_settings, offline_spider
from scrapers.platforms import ListingSpider, SiteSpider

# The articles columns (and two facts about article_urls) a row carries: what the parser needs
# (listing facts, capture), and what tells whether storing the result would write anything.
ROW_COLUMNS = (
    "id", "site", "url", "title", "author", "author_role", "categories", "published_raw",
    "published_source", "published_at", "last_seen", "last_run", "warc_file", "warc_offset",
    "warc_record_id", "warc_digest", "canonical_url", "content_hash", "gone_at",
)
ROWS_SQL = (
    "SELECT " + ", ".join(f"a.{c}" for c in ROW_COLUMNS) + ", r.base_url, "
    "EXISTS (SELECT 1 FROM article_urls u WHERE u.url = a.url), "
    "EXISTS (SELECT 1 FROM article_urls u WHERE u.url = a.canonical_url) "
    "FROM articles a LEFT JOIN runs r ON r.id = a.last_run "
    "WHERE a.warc_record_id IS NOT NULL AND a.warc_file IS NOT NULL"
)
ROW_KEYS = (*ROW_COLUMNS, "run_base_url", "url_known", "canonical_known")

_REF_KEYS = ("warc_file", "warc_offset", "warc_record_id", "warc_digest")
_DROP_HEADERS = {"content-encoding", "content-length", "x-luutru-orig-transfer-encoding"}
# Spider selector keys whose results only ever become crawl state (requests for related
# articles, attachment downloads): not read on re-extraction.
_UNREAD_KEYS = frozenset({"related_links", "file_fields"})

Result = tuple[str, dict[str, Any] | None]  # ("store", record), ("same", None), (outcome, None)


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


def _release(response: Any) -> None:
    """Free the page's tree now. A Scrapy response and its selector refer to each other, so
    without this the tree (and the response, request and headers) waits for the cyclic garbage
    collector, which lets a few hundred trees pile up in memory: ~0.1 ms a page of allocator
    and cache misses (~0.08 ms a page in a micro-benchmark)."""
    selector = getattr(response, "_cached_selector", None)
    if selector is not None:
        selector.response = None


def _follow_nothing(*_args: Any, **_kwargs: Any) -> None:
    return None


def _no_files(_spider: SiteSpider, _urls: list[str]) -> list[str]:
    return []


def _read_queries(base: type[ListingSpider]) -> Callable[[ListingSpider, str], list[str]]:
    """`base`'s selector queries, with none for the blocks re-extraction does not read."""
    def queries(spider: ListingSpider, key: str) -> list[str]:
        return [] if key in _UNREAD_KEYS else base.queries(spider, key)
    return queries


# A listing spider's remembered selector answers: (id of the element, key) -> (element, answer).
_MEMORY = "_luutru_first_match"


def _remembered_match(base: type[ListingSpider]) -> Callable[[ListingSpider, Any, str], list[Any]]:
    """`base`'s `first_match`, answering a repeated (element, key) from memory until
    `_forget`: `parse_article` asks for the article body twice on one element (its text, then
    its attachment links). The selectors are pure, so the answer is the same list."""
    def first_match(spider: ListingSpider, scope: Any, key: str) -> list[Any]:
        memory: dict[tuple[int, str], tuple[Any, list[Any]]] = spider.__dict__.setdefault(
            _MEMORY, {})
        found = memory.get((id(scope), key))
        if found is not None and found[0] is scope:
            return found[1]
        answer: list[Any] = base.first_match(spider, scope, key)
        memory[(id(scope), key)] = (scope, answer)  # the scope kept: its id stays its own
        return answer
    return first_match


def _forget(spider: object) -> None:
    spider.__dict__.pop(_MEMORY, None)


def _reextracting(spider_cls: type[SiteSpider]) -> type[SiteSpider]:
    """The site's spider for re-extraction: it keeps the article item only and fetches nothing.

    The requests a page's related links would make (and the URL spellings learnt to deduplicate
    them) and the attachments it links are crawl state, thrown away here. Skipping them saves
    ~2 ms a page, a third of the parse. A listing family's spider reads neither the
    related-links nor the file-field blocks, nor the article body twice; the generic family
    has no selector queries to trim. A subclass, made the way scrapers.spiders makes a site's
    spider class: the classes a crawl uses are left as they are.
    """
    body: dict[str, Any] = {"__module__": __name__, "article_request": _follow_nothing,
                            "learn_spellings": _follow_nothing, "file_urls": _no_files}
    if issubclass(spider_cls, ListingSpider):
        body.update(queries=_read_queries(spider_cls), first_match=_remembered_match(spider_cls))
    return cast("type[SiteSpider]",
                type(f"Reextracting{spider_cls.__name__}", (spider_cls,), body))


def _spider_class(site: str, base_url: str) -> type[SiteSpider]:
    """The site file's spider; for a site `crawl-url` made (`generic_<host>`, no site file),
    the generic spider that reads one page at a time as the crawl's generic spider did."""
    from dataclasses import replace

    from luutru.crawl_url import generic_site, generic_spider_class
    from scrapers.sites import UnknownSite
    from scrapers.spiders import spider_for

    try:
        return spider_for(site)
    except UnknownSite:
        if not site.startswith("generic_"):
            raise
    return generic_spider_class(replace(generic_site(base_url), slug=site), page_reader=True)


def _new_spider(site: str, base_url: str) -> PageReader:
    spider = offline_spider(_reextracting(_spider_class(site, base_url)),
                            crawl_settings("reextract.db"), base_url=base_url)
    assert isinstance(spider, PageReader), f"{site}: its spider parses no single page"
    return spider


def listing_facts(row: dict[str, Any]) -> dict[str, Any]:
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
    from archive.urls import canonicalize_url, same_site
    from pipelines.article import clean_article
    from pipelines.dates import parse_date
    from pipelines.hashing import content_hash

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


def _core(item: Any) -> dict[str, Any]:
    """The record's content fields (all but the body's date mentions and the row's time)."""
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
    }


def _writes_nothing(core: dict[str, Any], row: dict[str, Any]) -> bool:
    """True when `Archive.store_article(record, row["last_run"])` would change no byte.

    It finds the row by canonical URL, compares hashes and, for "unchanged", sets last_seen
    (to the record's fetched_at, which is the row's own last_seen), last_run (the row's own)
    and gone_at = NULL; refuses the date when a page-printed date moved; and adds the URL and
    the canonical URL to article_urls unless there. So nothing is written when all of those
    already hold. `_article_values` validates the record exactly as the store would.
    """
    from archive.store import _article_values, _moving_date

    values = _article_values(core)
    return bool(
        values["canonical_url"] == row["canonical_url"]
        and values["url"] == row["url"]
        and values["content_hash"] == row["content_hash"]
        and isinstance(row["last_seen"], str)
        and row["gone_at"] is None
        and row["url_known"] and row["canonical_known"]
        and not (row["published_source"] != "listing"
                 and _moving_date(row["published_at"], row["published_raw"], values))
    )


class Extractor:
    """Re-extracts rows in one process: one spider per (site, base URL), one WARC reader."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.reader = Reader()
        self.spiders: dict[tuple[str, str], PageReader] = {}

    def spider(self, site: str, base_url: str) -> PageReader:
        key = (site, base_url)
        if key not in self.spiders:
            self.spiders[key] = _new_spider(site, base_url)
        return self.spiders[key]

    def extract(self, row: dict[str, Any], *, may_skip: bool = True) -> Result:
        """Read one row's captured page and parse it (no writes): ("store", record), or
        ("same", None) when `may_skip` and storing would write nothing, or ("failed" /
        "unreadable", None)."""
        from pipelines.items import ArticleItem

        ref = {k: row[k] for k in _REF_KEYS}
        try:
            capture = self.reader.read(self.folder / row["warc_file"], int(row["warc_offset"]))
        except (OSError, ValueError, TypeError):
            return "unreadable", None
        if capture.record_id != row["warc_record_id"]:
            return "unreadable", None
        parts = urlsplit(capture.url)
        base_url = row["run_base_url"] or f"{parts.scheme}://{parts.netloc}"
        spider = self.spider(row["site"], base_url)
        response = _response(capture, ref)
        try:
            items = [x for x in spider.parse_article(response, listing=listing_facts(row))
                     if isinstance(x, ArticleItem)]
        finally:
            _release(response)
            _forget(spider)
        if not items:
            return "failed", None
        item = items[0]
        item.capture = ref
        if not _rebuild(item, spider, _warc_date(capture)):
            return "failed", None
        core = _core(item)
        if may_skip and _writes_nothing(core, row):
            return "same", None
        return "store", _record(core, row, ref)

    def close(self) -> None:
        self.reader.close()


def _record(core: dict[str, Any], row: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    from pipelines.mentions import mention_fields

    return {
        **core,
        **mention_fields(core["text"], now=datetime.fromisoformat(row["last_seen"])),
        # The row's own time: re-extraction is not a new sighting of the page.
        "fetched_at": row["last_seen"],
        **ref,
    }
