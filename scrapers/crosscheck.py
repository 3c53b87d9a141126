"""The generic extraction as a family spider's safety net: read the same page twice, fill gaps.

A family spider reads an article with its CMS's selectors; layouts drift and selectors miss
fields silently. For the articles it checks, the family spider also runs the generic extraction
(`crawl-url`'s: trafilatura text, luutru's date and byline rules) on the same response. Rules:

- a field the family cannot read (empty title; no author once the article pipeline has
  applied its byline rules; no date) is taken from the generic reading, counted
  (`luutru/crosscheck/filled/<field>`) and recorded as chosen "generic"; a title only when the
  generic rules judge the page an article. A page without a family body is never filled: it
  is `failed(no_article)`, the layout-drift signal;
- a field both read keeps the family's value; `pipelines/crosscheck.py` compares the two
  readings (title, body similarity, author, day) and stores them per article.

Which articles (`LUUTRU_CROSSCHECK`): `true` every one, `false` none, a number in (0, 1) a
sample (chosen by URL path, so the same articles are checked on every crawl) plus every article
whose family reading misses a field. trafilatura costs ~11 ms a page, so an article missing
only its author or date gets the cheap reading ("light": title, date, byline read on the
family's paragraphs, no body), decided after CleanPipeline so the byline rules run once.

Where (issue 12): the crawler process is the bottleneck and the archive writer
(pipelines/writer_child.py) has room on the other core, so the spider only decides which
articles are checked (`cross_check`: the sample and the possible misses are marked pending, the
page's bytes ride with the item, pipelines/writer.py `page_message`) and the writer reads them
(`complete`, named by the setting LUUTRU_CROSSCHECK_READER, on a
response rebuilt from those bytes, `open_page`). Only a page whose family reading has no title
is read in the crawler: whether it is an article at all depends on the generic title.

Like the generic spider whose rules it reuses, this module imports `pipelines` pure functions
(the byline rules settle the generic reading's author the way the article pipeline would).
"""

from __future__ import annotations

import copy
import logging
import zlib
from typing import Any
from urllib.parse import urlsplit

from lxml import html as lxml_html
from scrapy import Request
from scrapy.http import HtmlResponse

from scrapers import settings

logger = logging.getLogger(__name__)

DEFAULT_RATE = float(settings.LUUTRU_CROSSCHECK)  # when the setting is unset
_TRUE = {"true", "yes", "on", "all"}
_FALSE = {"false", "no", "off", "none", ""}
# Paragraphs at either end of a body read for a byline (the pipeline looks 3 deep).
_ENDS = 4


def crosscheck_rate(value: Any) -> float:
    """The share of articles sampled: `true` 1.0, `false` 0.0, or a number in [0, 1]."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if value is None:
        return DEFAULT_RATE
    text = str(value).strip().lower()
    if text in _TRUE:
        return 1.0
    if text in _FALSE:
        return 0.0
    try:
        rate = float(text)
    except ValueError as exc:
        raise ValueError(f"LUUTRU_CROSSCHECK must be true, false or a rate in [0, 1]: "
                         f"{value!r}") from exc
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"LUUTRU_CROSSCHECK rate must be in [0, 1]: {value!r}")
    return rate


def sampled(url: str, rate: float) -> bool:
    """A stable choice by the URL's path and query: the same articles are sampled on every
    crawl, of the live site or of a mirror."""
    if rate >= 1.0:
        return True
    parts = urlsplit(url)
    key = parts.path + ("?" + parts.query if parts.query else "")
    return rate > 0.0 and zlib.crc32(key.encode("utf-8")) % 10_000 < rate * 10_000


def _generic_spider(spider: Any) -> Any:
    """A generic spider bound to the family spider's site, kept for the spider's lifetime
    (it learns which headings every page repeats, like the generic crawl does)."""
    shim = spider.__dict__.get("_crosscheck_generic")
    if shim is None:
        from scrapers.platforms.generic import GenericSpider

        cls = type(f"{type(spider).__name__}Generic", (GenericSpider,),
                   {"name": f"{getattr(spider, 'name', 'site')}_generic", "site": spider.site})
        shim = cls(base_url=spider.base_url)
        spider.__dict__["_crosscheck_generic"] = shim
    return shim


def generic_fields(response: Any, spider: Any, *, root: Any = None,
                   paragraphs: list[str] | None = None, light: bool = False,
                   want: tuple[str, ...] = ("author", "date")) -> dict[str, Any]:
    """The generic extraction of `response` as raw strings: title, paragraphs, author, role,
    date_raw, date_source, and `article` (the generic rules judge the page an article).

    `light` skips the body (trafilatura), reads the byline from `paragraphs` instead and only
    the fields in `want` (the date rules read the title too). `root` is a tree to read instead
    of parsing the response (a re-parsed page); it is modified. Raises whatever the generic
    extraction raises.
    """
    from pipelines.article import clean_article
    from scrapers.platforms.generic import GenericPage

    shim = _generic_spider(spider)
    if root is None:
        root = lxml_html.fromstring(response.text)
    page = GenericPage(shim, response, root)
    note = getattr(shim, "note_page", None)
    if note is not None and not light:  # learning what pages repeat costs a page walk
        note(page, headings=False)  # as the generic spider does on article pages
    found: dict[str, Any] = {"article": False, "title": "", "paragraphs": [], "author": "",
                             "role": "", "date_raw": None, "date_source": None,
                             "mode": "light" if light else "full"}
    item = None if light else page.article({})
    if item is not None:
        found.update(article=True, title=item.title_raw, paragraphs=list(item.paragraphs_raw),
                     author=item.author_raw, role=item.role_raw, date_raw=item.date_raw,
                     date_source=item.date_source)
    else:
        full = not light
        title = page.title() if full or "date" in want else ""
        body = page.body(title) if full else list(paragraphs or [])
        author, rest = page.author(body) if full or "author" in want else ("", body)
        date_raw, date_source = page.date(title, {}) if full or "date" in want else (None, "")
        found.update(title=title, paragraphs=rest if full else [], author=author,
                     date_raw=date_raw, date_source=date_source if date_raw else None)
        body = rest
    # The byline as the article pipeline would settle it from the generic reading (a light
    # reading's paragraphs are the family's, whose ends the pipeline already found unsigned).
    ends = [] if light else _ends(body if item is None else found["paragraphs"])
    settled = clean_article(found["title"], ends, found["author"], found["role"])
    found["author"], found["role"] = settled.author, settled.author_role
    found["prefix"] = settled.author_prefix
    return found


def _ends(paragraphs: list[str]) -> list[str]:
    """The paragraphs a byline can stand in (both ends)."""
    if len(paragraphs) <= 2 * _ENDS:
        return list(paragraphs)
    return [*paragraphs[:_ENDS], *paragraphs[-_ENDS:]]


def spider_stats(spider: Any) -> Any:
    """The running crawl's stats collector, or None outside a crawl (a spider made by hand,
    `luutru reextract`, whose crawler has no stats yet)."""
    try:
        return getattr(getattr(spider, "crawler", None), "stats", None)
    except RuntimeError:  # Scrapy: "Crawler.stats is not set yet"
        return None


def _rate(spider: Any) -> float:
    """The crawl's LUUTRU_CROSSCHECK; 0 outside a crawl: no pipeline would store a check."""
    cached = spider.__dict__.get("_crosscheck_rate")
    if cached is None:
        if spider_stats(spider) is None:
            return 0.0
        crawl_settings = getattr(spider.crawler, "settings", None)
        value = crawl_settings.get("LUUTRU_CROSSCHECK") if crawl_settings is not None else None
        cached = crosscheck_rate(value)
        spider.__dict__["_crosscheck_rate"] = cached
    return float(cached)


def _read(spider: Any, response: Any, root: Any, paragraphs: list[str] | None,
          light: bool, want: tuple[str, ...] = ("author", "date")) -> dict[str, Any] | None:
    """generic_fields, counted; None (counted, logged) when the generic extraction fails."""
    stats = spider_stats(spider)
    try:
        tree = None if root is None else copy.deepcopy(root)
        found = generic_fields(response, spider, root=tree, paragraphs=paragraphs, light=light,
                               want=want)
    except Exception as exc:  # the safety net never costs the family's article
        logger.warning("crosscheck failed at %s: %s: %s", response.url, type(exc).__name__, exc)
        if stats is not None:
            stats.inc_value("luutru/crosscheck/error")
        return None
    if stats is not None:
        stats.inc_value(f"luutru/crosscheck/{found['mode']}")
    found["filled"] = []
    return found


def _filled(spider: Any, found: dict[str, Any], name: str, url: str) -> None:
    found["filled"].append(name)
    stats = spider_stats(spider)
    if stats is not None:
        stats.inc_value(f"luutru/crosscheck/filled/{name}")
    logger.info("crosscheck: %s of %s taken from the generic extraction", name, url)


def cross_check(spider: Any, response: Any, fields: dict[str, Any],
                root: Any = None) -> dict[str, Any] | None:
    """The spider's half: decide whether the article is checked, and read the page here only
    when the family found a body but no title, filling the title (only on a page the generic
    rules judge an article). A page where the family found no body is not filled: it stays
    `failed(no_article)`, so a broken body selector shows as layout drift (exit 6, `check-site`
    fails) instead of being papered over; a body much shorter than the generic one is recorded
    (`family_short`) by the comparison.

    `fields` holds the family's raw reading (title_raw, paragraphs_raw, author_raw, role_raw,
    date_raw, date_source) and is updated in place. Returns the generic reading (with `filled`)
    for the item's `generic` field when read here; `{"pending": True, "full": True}` for a
    sampled article, whose full reading the archive writer does; `{"pending": True}` when only
    the author or the date may be missing, which `complete()` decides once the article
    pipeline has settled the byline (in both cases the page rides on the item, outside its
    fields, until then: pipelines/writer.py `page_message`); None when not checked.
    """
    rate = _rate(spider)
    if rate <= 0.0:
        return None
    if not fields.get("paragraphs_raw"):
        return None
    if fields.get("title_raw"):
        if sampled(response.url, rate):
            return {"pending": True, "full": True}
        if fields.get("author_raw") and fields.get("date_raw"):
            return None
        return {"pending": True}
    found = _read(spider, response, root, None, light=False)
    if found is None:
        return None
    if found["title"] and found["article"]:
        fields["title_raw"] = found["title"]
        _filled(spider, found, "title", response.url)
    return found


def open_page(page: dict[str, Any]) -> tuple[Any, Any]:
    """(response, root) rebuilt from pipelines/writer.py `page_message`: the response the
    spider read, and the re-parsed tree when the crawler re-parsed it (None: parse
    `response.text`)."""
    url = page["url"]
    response = HtmlResponse(url=url, status=page["status"], headers=page["headers"],
                            body=page["body"], encoding=page["encoding"], request=Request(url))
    root = None
    if page.get("reparsed"):
        from scrapers.reparse import reparse

        root = reparse(response.text)
    return response, root


def complete(spider: Any, item: Any, page: dict[str, Any] | None = None) -> None:
    """The writer's half, once the article pipeline cleaned the item (so `item.author` is what
    the family's reading gives after the byline rules) and before dates are parsed: a sampled
    article's page (`page`, from pipelines/writer.py `page_message`) is read in full; any other
    pending check reads it (cheaply: no body) only when the author or the date is missing; a
    missing author or date is filled from the generic reading."""
    generic = item.generic
    if not generic:
        return
    missing = [name for name, value in (("author", item.author), ("date", item.date_raw))
               if not value]
    if generic.get("pending"):
        full = bool(generic.get("full"))
        if (not full and not missing) or page is None:
            item.generic = None
            return
        try:
            response, root = open_page(page)
        except Exception as exc:  # counted and logged by _read's rule: never cost the article
            logger.warning("crosscheck failed at %s: %s: %s", item.url, type(exc).__name__, exc)
            stats = spider_stats(spider)
            if stats is not None:
                stats.inc_value("luutru/crosscheck/error")
            item.generic = None
            return
        found = _read(spider, response, root, None if full else list(item.paragraphs_raw),
                      light=not full, want=tuple(missing))
        if found is None:
            item.generic = None
            return
        item.generic = generic = found
    if "author" in missing and generic.get("author"):
        item.author, item.author_role = generic["author"], generic.get("role", "")
        item.author_prefix = generic.get("prefix", "")
        _filled(spider, generic, "author", item.url)
    if "date" in missing and generic.get("date_raw"):
        item.date_raw, item.date_source = generic["date_raw"], generic["date_source"]
        _filled(spider, generic, "date", item.url)
