"""How a CMS family spider walks a site: its section listings and their pagers, its feeds.

`ListingSpider` reads the declared sections first (section discovery replaces one that fails:
sections.py), turns each listing row into an article request carrying the row's facts (its
date, title, byline), stops a section at a page of articles the archive already holds, and
orders its requests so the scheduler never holds whole sections ahead (priorities: base.py).
Reading the article pages themselves is `ArticleReader` (article_reading.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from parsel import Selector
from scrapy.http import Response, TextResponse

from pipelines.items import FetchOutcome
from scrapers.extract import all_values, first_text
from scrapers.platforms.article_reading import ArticleReader
from scrapers.platforms.base import listing_priority, row_priority
from scrapers.platforms.outcomes import request_meta
from scrapers.platforms.sections import SectionLedger


class ListingSpider(SectionLedger, ArticleReader):
    """A CMS family described by data: section listings and their pager, then article pages.

    A family module sets `SELECTORS`; a site file may override any key under [selectors].
    Queries are CSS, or XPath when they start with `/`, `(` or `./` (article-level queries use
    `.//` to stay inside the article element); a list is tried in order and the
    first query that finds something wins. Keys:

    - listing_rows, row_link, row_title, row_date: one row per article teaser on a listing;
    - pager_next (the "next page" link, preferred) or pager_links (every pager link of a
      listing: `?page=N`, `/page-N`, `?start=N`, `?p=N`);
    - feeds: RSS/Atom paths read for more article links, after the listings;
    - article_url_pattern: a regex an article URL's path must match (others are not articles);
    - drop_path_segments: path segments removed from article links (NukeViet `savefile`);
    - node, title, body: the article's element, its title, its body (union queries keep
      document order, so a sapo and the body can be read together);
    - article_date (+ date_pattern to cut the date out of a longer line), author, role,
      byline_line (a regex for an inline `Name – role` paragraph near either end of the body);
    - categories, related_links (followed after every listing was read), node_id_pattern;
    - file_fields: elements holding attached files, besides the body (downloaded with it);
    - drop_repeats (a flag): drop a long paragraph printed twice (a sapo repeated).

    The publication date comes from the article's own date field (`date_source`
    "article_meta") or, failing that, from the listing row ("listing"); `[dates] prefer =
    "listing"` reverses the order. Nothing outside the article element is read for a date, so
    a header clock can never become one.
    """

    def __init__(self, *args: Any, discover: str = "on_failure", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._listing_urls: set[str] = set()
        # "on_failure": discovery replaces a declared section that fails, and runs from the
        # start when a declared section is guessed; "always": the home page's menus, sitemap
        # and feeds are read on every run (`luutru crawl --discover`).
        self.discover = discover
        self.ledger_init()

    def listing_request(self, url: str, section: str, *, key: str | None = None,
                        first: bool = False) -> scrapy.Request:
        """A listing page of `section` (`key` tells apart sections of one name: a declared
        one and the discovered one replacing it); `first` marks a section's first page. Its
        number is the count of the section's listing pages requested so far
        (`may_follow_listing`), which sets its priority and its rows' (base.py)."""
        self._listing_urls.add(url.rstrip("/"))
        page = max(1, self._listing_pages.get(key or section, 0))
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.on_listing_error,
            cb_kwargs={"section": section},
            priority=listing_priority(page),
            meta={"kind": "listing", "first_page": first, "section_key": key or section,
                  "page": page},
        )

    # -- listings --------------------------------------------------------------------------

    def discovers_from_start(self) -> bool:
        """Discovery runs from the start when asked, when nothing is declared, or when a
        declared section is a guess: a guessed path that happens to answer (a K2 category id
        routes whatever its alias) would otherwise hide the sections nobody saw."""
        if self.discover == "always" or not self.site.sections:
            return True
        return self.discover == "on_failure" and any(s.guessed for s in self.site.sections)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Declared sections first (hints: one that fails is replaced by discovery), then
        feeds; with no declared section, or `discover="always"`, discovery from the start."""
        for section in self.site.sections:
            url = self.section_url(section.path)
            self.declare(section.name, url, section.source)
            if self.may_follow_listing(section.name):
                yield self.listing_request(url, section.name, first=True)
        if self.discovers_from_start():
            for request in self.start_discovery():
                yield request
        for path in self.queries("feeds"):
            yield scrapy.Request(
                self.section_url(path),
                callback=self.parse_feed,
                errback=self.on_error,
                meta={"kind": "listing"},
            )

    def parse_listing(self, response: Response, section: str) -> Iterator[Any]:
        yield self.listed(response)
        key = request_meta(response).get("section_key") or section
        yield from self.listing_body(response, section, key)

    def row_links(self, response: Response, section: str) -> list[tuple[str, dict[str, Any]]]:
        """(article URL, row facts) for each listing row the structural selectors find."""
        found: list[tuple[str, dict[str, Any]]] = []
        for row in self.first_match(response, "listing_rows"):
            href = first_text(row, *self.queries("row_link"))
            if not href or href.startswith(("#", "javascript:", "mailto:")):
                continue
            target = self.article_url(response.urljoin(href))
            if target is not None:
                found.append((target, {"section": section, "listing_url": response.url,
                                       **self.row_facts(row)}))
        return found

    def listing_body(self, response: Response, section: str, key: str) -> Iterator[Any]:
        """Article requests from the rows (else from the URL-shape fallback), the section's
        accounting (an empty page is reported, never passed over), then the pager."""
        if not isinstance(response, TextResponse):
            yield from self.note_listing(response, section, key, 0)
            return
        links = self.row_links(response, section) or self.fallback_links(response, section, key)
        self.rechecks.listed(self, section, links)  # gaps where a deleted article would sit
        rows = known = 0
        priority = row_priority(request_meta(response).get("page", 1))
        for target, facts in links:
            rows += 1
            request = self.article_request(response, target, facts, priority=priority)
            if request is None or (isinstance(request, FetchOutcome)
                                   and (request.reason or "").startswith("same_article:#")):
                known += 1  # already in the archive and not due for a refresh
            if request is not None:
                yield request  # a request, or the skip of another spelling of one
        yield from self.note_listing(response, section, key, rows)
        if not rows:
            return
        if self.listing_exhausted(key, rows, known):
            self.logger.info("%s: page of known articles at %s, stopping", key, response.url)
            return
        page = response.selector
        pager = all_values(page, *self.queries("pager_next")) or all_values(
            page, *self.queries("pager_links"))
        for href in pager:
            if href.startswith(("#", "javascript:")):
                continue
            url = response.urljoin(href)
            if url.rstrip("/") in self._listing_urls:
                continue
            if self.may_follow_listing(key):
                yield self.listing_request(url, section, key=key if key != section else None)

    def row_facts(self, row: Selector) -> dict[str, Any]:
        """What a listing row says about its article, carried into the article's request."""
        return {
            "date_raw": first_text(row, *self.queries("row_date")) or None,
            "title_raw": first_text(row, *self.queries("row_title")),
        }

    def parse_feed(self, response: Response) -> Iterator[Any]:
        """RSS 2.0 `<item><link>` or Atom `<entry><link href>`: more article URLs, read last."""
        yield self.listed(response)
        if not isinstance(response, TextResponse):
            return
        links = response.xpath(
            "//*[local-name()='item']/*[local-name()='link']/text()"
            " | //*[local-name()='entry']/*[local-name()='link']/@href"
        ).getall()
        targets = [self.article_url(response.urljoin(link.strip())) for link in links]
        self.stat_inc("listing_links", sum(1 for t in targets if t))
        for target in targets:
            request = self.article_request(response, target, {}) if target else None
            if isinstance(request, scrapy.Request):
                self.defer(request)
            elif request is not None:
                yield request

