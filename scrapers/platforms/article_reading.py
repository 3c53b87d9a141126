"""How a CMS family spider reads an article page: through its selectors, as data.

`ArticleReader` holds the family's `SELECTORS` (a site file may override any key under
[selectors]; the keys are listed on `ListingSpider`, listing.py), decides which links are
articles (`article_url`), and turns an article page into an `ArticleItem`: the article's
element, title, body, date, byline, categories, node id and attached files; the page's related
links are held until the listings end. A page libxml2 could not parse whole is re-parsed
(scrapers/reparse.py), and a second, generic reading of it is compared (scrapers/crosscheck.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

from parsel import Selector
from scrapy.exceptions import NotSupported
from scrapy.http import Response, TextResponse
from w3lib.url import safe_url_string

from pipelines.items import FetchOutcome
from scrapers.crosscheck import cross_check, spider_stats
from scrapers.extract import (
    all_values,
    attachment_urls,
    drop_repeats,
    first_text,
    select_all,
    text_blocks,
)
from scrapers.platforms.base import SiteSpider
from scrapers.reparse import full_root


def selector_of(scope: Selector | Response) -> Selector:
    """The Selector to query in `scope`: an element's, or a page's own (parsel keeps one per
    response). A response that is not text has nothing to select, as Scrapy says."""
    if isinstance(scope, Selector):
        return scope
    if isinstance(scope, TextResponse):
        return scope.selector
    raise NotSupported("Response content isn't text")


class ArticleReader(SiteSpider):
    """A site spider that reads article pages through its family's selectors."""

    SELECTORS: ClassVar[dict[str, Any]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._related_urls: dict[str, str | None] = {}  # absolute link -> article URL

    # -- data ------------------------------------------------------------------------------

    def selector(self, key: str, default: Any = None) -> Any:
        if key in self.site.selectors:
            return self.site.selectors[key]
        return self.SELECTORS.get(key, default)

    def queries(self, key: str) -> list[str]:
        value = self.selector(key, [])
        return [value] if isinstance(value, str) else list(value)

    def first_match(self, scope: Selector | Response, key: str) -> list[Selector]:
        for query in self.queries(key):
            found = select_all(selector_of(scope), query)
            if found:
                return found
        return []

    # -- URLs ------------------------------------------------------------------------------

    def article_url(self, url: str) -> str | None:
        """The URL to fetch for an article link, or None when the link is not an article."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return None
        drop = {s.lower() for s in self.queries("drop_path_segments")}
        path = parts.path
        if drop:
            segments = path.split("/")
            kept = [s for i, s in enumerate(segments) if i == 0 or s.lower() not in drop]
            path = "/".join(kept)
        pattern = self.selector("article_url_pattern")
        if pattern and not re.search(pattern, path):
            return None
        return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))

    def follow_related(self, response: Response, hrefs: list[str]) -> Iterator[FetchOutcome]:
        """Hold the article links of a page's related blocks until the listings end (`defer`),
        keyed by URL before any Request is made: most name an article already held, claimed
        by a listing row or archived, and a Request built for each of them cost ~0.9 ms an
        article (docs/benchmarks.md). Yields the `skipped` reports of other spellings."""
        for href in hrefs:
            url = self._related_url(response.urljoin(href))
            if url is None:
                continue
            verdict = self._admit(url, claim=False)
            if not isinstance(verdict, tuple):
                if verdict is not None:
                    yield verdict
                continue
            if self.max_pages is not None or url in self._deferred:
                continue
            if verdict[0] == "refresh":
                request = self.article_fetch(url, {}, refresh=True,
                                             headers=self.known.validators(url))
                del request.meta["claimed"]  # as defer() leaves a held request
                self._deferred[url] = request
            else:
                self._deferred[url] = None  # a plain article link: rebuilt when scheduled

    def _related_url(self, link: str) -> str | None:
        """The article URL (on the crawled host) of an absolute link, or None: memoised, as
        one "Tin khác" block repeats the same links on many pages."""
        found = self._related_urls.get(link, "")
        if found == "":
            if len(self._related_urls) >= 1_024:  # bounded: a long crawl keeps recent ones
                self._related_urls.clear()
            target = self.article_url(link)
            found = self._related_urls[link] = (
                self.on_crawled_host(safe_url_string(target)) if target else None)
        return found

    # -- articles --------------------------------------------------------------------------

    def parse_article(self, response: Response, listing: dict[str, Any]) -> Iterator[Any]:
        if response.status == 304:
            yield self.not_modified(response)
            return
        skipped = self.not_html(response)
        if skipped is not None:
            yield skipped
            return
        page = selector_of(response)  # a text response: not_html() said so
        scope, fields = self.read_article(page, listing)
        # libxml2 stops at depth 256 and drops the rest: re-parse such a page, never store a
        # truncated body as whole (scrapers/reparse.py).
        body_chars = sum(len(p) for p in fields["paragraphs_raw"])
        root, state = full_root(page.root, response.text, body_chars)
        if state != "whole":
            stats = spider_stats(self)
            if stats is not None:
                stats.inc_value(f"luutru/reparse/{state}")
            self.logger.warning("%s: the parser lost part of %s", state, response.url)
            if root is None:
                yield self.report(response, "failed", "article", "truncated")
                return
            page = Selector(root=root, type="html")
            scope, fields = self.read_article(page, listing)
        generic = cross_check(self, response, fields, root if state != "whole" else None)
        title, paragraphs = fields["title_raw"], fields["paragraphs_raw"]
        if not title or not paragraphs:
            yield self.no_article(response)
            return
        categories = all_values(scope, *self.queries("categories"))
        if listing.get("section") and listing["section"] not in categories:
            categories.insert(0, listing["section"])
        shortlink = page.css("link[rel='shortlink']::attr(href)").get()
        canonical = page.css("link[rel='canonical']::attr(href)").get()
        self.learn_spellings(response, shortlink, canonical)
        yield from self.follow_related(response, all_values(page, *self.queries("related_links")))
        item = self.article_item(
            response,
            canonical=canonical,
            shortlink=shortlink,
            node_id=self.node_id(response, shortlink, scope),
            title_raw=title,
            paragraphs_raw=paragraphs,
            author_raw=fields["author_raw"],
            role_raw=fields["role_raw"],
            categories=categories,
            date_raw=fields["date_raw"],
            date_source=fields["date_source"] if fields["date_raw"] else None,
            listing_url=listing.get("listing_url"),
            attachment_urls=self.file_urls(attachment_urls(
                response.url, [*self.first_match(scope, "body"),
                               *self.first_match(scope, "file_fields")]
            )),
            generic=generic,
            # The fetch log says so: the text comes from the re-parse (scrapers/reparse.py).
            flags=["reparsed"] if state == "reparsed" else [],
        )
        if generic is not None and generic.get("pending"):  # read by pipelines/crosscheck.py
            item.__dict__["_crosscheck_page"] = (response, root if state != "whole" else None)
        yield item

    def read_article(
        self, page: Selector, listing: dict[str, Any]
    ) -> tuple[Selector, dict[str, Any]]:
        """(the article's element, its raw fields) as the family's selectors read them."""
        nodes = self.first_match(page, "node")
        scope: Selector = nodes[0] if nodes else page
        title = first_text(page, *self.queries("title")) or listing.get("title_raw", "")
        paragraphs = [p for el in self.first_match(scope, "body") for p in text_blocks(el)]
        if self.selector("drop_repeats"):  # portals that print the sapo twice
            paragraphs = drop_repeats(paragraphs)
        date_raw, date_source = self.article_date(scope, listing)
        author, role = self.byline(scope, paragraphs) if paragraphs else ("", "")
        if not author:  # the listing row's byline fields, where the family reads them
            author, role = listing.get("author_raw", ""), listing.get("role_raw", "")
        return scope, {"title_raw": title, "paragraphs_raw": paragraphs, "author_raw": author,
                       "role_raw": role, "date_raw": date_raw, "date_source": date_source}

    def article_date(
        self, scope: Selector | Response, listing: dict[str, Any]
    ) -> tuple[str | None, str]:
        """(raw date, source): the article's own date field first, then the listing row's."""
        raw = first_text(selector_of(scope), *self.queries("article_date")) or None
        pattern = self.selector("date_pattern")
        if raw and pattern:
            match = re.search(pattern, raw, re.IGNORECASE)
            raw = match.group(0) if match else None
        found = [(raw, "article_meta"), (listing.get("date_raw"), "listing")]
        if self.site.dates.get("prefer") == "listing":
            found.reverse()
        if self.site.dates.get("article_pages") is False:
            found = [f for f in found if f[1] != "article_meta"]
        return next(((value, source) for value, source in found if value), (None, ""))

    def byline(self, scope: Selector | Response, paragraphs: list[str]) -> tuple[str, str]:
        """Byline lines as shown: a byline field, or an inline `Name – role` body paragraph.

        An empty result leaves the byline to the article pipeline, which finds the common
        name-line/role-line form at either end of the body.
        """
        author = first_text(selector_of(scope), *self.queries("author"))
        role = first_text(selector_of(scope), *self.queries("role"))
        if author:
            return author, role
        pattern = self.selector("byline_line")
        if pattern:
            ends = [*paragraphs[:2], *reversed(paragraphs[-2:])]
            for para in ends:
                line = " ".join(para.split())
                if len(line) < 140 and re.fullmatch(pattern, line):
                    return para, ""
        return "", ""

    def link_node_id(self, url: str) -> int | None:
        pattern = self.selector("node_id_pattern")
        match = re.search(pattern, url) if pattern else None
        return int(match.group(1)) if match else None

    def node_id(
        self, response: Response, shortlink: str | None, scope: Selector | Response
    ) -> int | None:
        """The CMS's own id of the article, from the shortlink or URL, else the node's
        element id (`node-123`): two URLs with one id are one article."""
        pattern = self.selector("node_id_pattern")
        if pattern:
            for candidate in (shortlink or "", response.url):
                match = re.search(pattern, candidate)
                if match:
                    return int(match.group(1))
        element_id = scope.attrib.get("id", "") if isinstance(scope, Selector) else ""
        match = re.fullmatch(r"node-(\d+)", element_id)
        return int(match.group(1)) if match else None
