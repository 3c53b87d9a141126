"""NukeViet 3/4 family: `/vi/<module>/<cat>/<slug>-<id>.html` (or the rewrite without `/vi/`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from parsel import Selector
from scrapy.http import Response, TextResponse

from scrapers.extract import all_values, first_text, select_all
from scrapers.platforms.article_reading import selector_of
from scrapers.platforms.listing import ListingSpider
from scrapers.platforms.outcomes import request_meta

# Class tests that match one class name, not a substring of another (`news_column` is not
# `news_columns`, `related` not `unrelated`).
_NEWS_COLUMN = "contains(concat(' ', normalize-space(@class), ' '), ' news_column ')"
_RELATED = "contains(concat(' ', normalize-space(@class), ' '), ' related ')"
_TAUTHOR = "[strong[starts-with(normalize-space(), 'Tác giả')]]"

# Selectors written against the stock `default` theme of NukeViet 4 (themes/default/modules/
# news/*.tpl) and NukeViet 3 (the same files in its 2012 tree), not against one site. Every key
# is a list of alternatives; listing rows are the union of all of them (a category page mixes
# a featured panel, teaser panels, "related" title lists and subcategory panels).
SELECTORS: dict[str, Any] = {
    "listing_rows": [
        # Teasers with a heading link inside the module's `news_column`: viewcat_page (h2
        # featured, h3 others), viewcat_top/grid featured, two_column and main_* subcategory
        # panels, topic/tag/groups pages; NukeViet 3 `div.items > h3`. The row is the
        # heading's parent, which also holds its `fa-clock-o` date.
        f"//div[{_NEWS_COLUMN}]//*[self::h2 or self::h3][a[@href]]/..",
        # Title lists: "Các tin khác", viewcat_top's rest, subcategory panels' other titles.
        f"//ul[{_RELATED}]/li[.//a[@href]]",
        # viewcat_list: `div.list-group > a.show.h4 > h4` (the link is the row).
        "//div[contains(concat(' ', normalize-space(@class), ' '), ' list-group ')]/a[@href]",
        # viewcat_grid: `div.thumbnail > div.caption > h4 > a`.
        "//div[contains(@class, 'thumbnail')]/div[contains(@class, 'caption')][.//a[@href]]",
        # NukeViet 3: viewcat_list's table, viewcat_grid's cells.
        "//table[contains(@class, 'table-list-news')]//tr[td//a[@href]]",
        "//div[contains(@class, 'news_grid')]//div[contains(@class, 'item_content')]",
    ],
    "row_link": [
        "h2 a::attr(href)", "h3 a::attr(href)", "h4 a::attr(href)", "td a::attr(href)",
        "a::attr(href)", "./@href",
    ],
    "row_title": [
        "h2 a", "h3 a", "h4 a", "td a", "a::attr(title)", "./@title", "a",
    ],
    # Listing dates: `d/m/Y H:i:s` after `em.fa-clock-o` (NukeViet 4), topic pages' `H:i d/m/Y`;
    # NukeViet 3 topic `span.time | span.date`, related `(d/m/Y)`. The article's own date wins.
    "row_date": [
        ".//em[contains(@class, 'fa-clock-o')]/parent::*",
        ".//span[@class='time']/parent::*",
        ".//span[contains(@class, 'date')]",
        ".//em[not(@class)][contains(., '/')]",
    ],
    # Subcategory listings linked from a category page (two_column, main_*; NukeViet 3 panel
    # heads and list/grid category titles): read as more listings of the same section.
    "subcategory_links": [
        f"//div[{_NEWS_COLUMN}]//div[contains(@class, 'panel-heading')]//h4/a/@href",
        "//h4[contains(@class, 'cat-icon')]/a/@href",
        f"//div[{_NEWS_COLUMN}]//div[contains(@class, 'header')]/a/@href",
        "//h3[contains(@class, 'cat')]/a/@href",
        "//table[contains(@class, 'table-list-news')]//th/a/@href",
    ],
    "pager_links": [
        "ul.pagination a::attr(href)",
        "div.generate_page a::attr(href)",
        ".pagination a::attr(href)",
    ],
    "article_url_pattern": r"-\d+\.html?$",
    # The print and savefile views of an article: fetch the canonical page instead.
    "drop_path_segments": ["savefile", "print"],
    "node": [
        "//*[contains(@itemtype, 'schema.org/NewsArticle')]",
        "//div[@id='news_detail']",
        "//div[@id='print']",
        "//div[@id='content'][h1]",
        "//div[@id='news-bodyhtml']/ancestor::div[contains(@class, 'panel')][1]",
        f"//div[{_NEWS_COLUMN}][.//h1]",
    ],
    "title": [
        "h1[itemprop='headline']",
        "#news_detail h1",
        "#print #content h1",
        "#content h1",
        ".news_column h1",
        "meta[property='og:title']::attr(content)",
    ],
    # The sapo (hometext) and the body, in document order: NukeViet 4 `div.hometext` +
    # `#news-bodyhtml`; NukeViet 3 and print.tpl `#hometext` + `.bodytext` / `#bodytext`.
    "body": [
        ".//div[contains(@class, 'hometext')] | .//div[@id='news-bodyhtml']",
        ".//div[@id='hometext'] | .//div[@id='bodytext']"
        " | .//div[contains(concat(' ', normalize-space(@class), ' '), ' bodytext ')]",
        "#news-bodyhtml",
    ],
    # detail.tpl's publtime `l - d/m/Y H:i` (`Thứ năm - 19/11/2020 22:44`; NukeViet 3 puts two
    # spaces before the time), print.tpl's first list item. Never the hidden schema.org
    # `datePublished` (detail.tpl fills it with the edit time) nor the header clock (outside
    # the article element).
    "article_date": [
        ".//div[contains(@class, 'margin-bottom-lg')]//span[contains(@class, 'h5')]",
        ".//span[@class='time']",
        ".//em[contains(@class, 'time')]",  # NukeViet 4.0 (2015): `em.pull-left.time`
        ".//ul[contains(@class, 'list-inline')]/li[1]",
        ".//ul[contains(@class, 'control')]/li[contains(@class, 'time')]",
        ".//span[contains(@class, 'h5')]",
    ],
    "date_pattern": (
        r"(?:(?:Thứ\s+\S+|Chủ\s+nhật)\s*-\s*)?\d{1,2}/\d{1,2}/\d{4}(?:\s+\d{1,2}:\d{2})?"
    ),
    # The `Tác giả:` (NukeViet 4) / `Tác giả bài viết:` (NukeViet 3) line under the body, when
    # the site fills the author field. The hidden schema.org author is not read: detail.php
    # fills it with the posting account when the field is empty.
    "author": [
        f".//p[contains(@class, 'text-right')]{_TAUTHOR}",
        f".//div[@id='author']/p{_TAUTHOR}",
        f".//p[contains(@style, 'right')]{_TAUTHOR}",
    ],
    "related_links": ["ul.related a::attr(href)"],
}


class NukeVietSpider(ListingSpider):
    """NukeViet news modules: category, subcategory and tag listings with `/page-N`, feeds."""

    SELECTORS: ClassVar[dict[str, Any]] = SELECTORS

    def first_match(self, scope: Selector | Response, key: str) -> list[Selector]:
        """Listing rows are the union of every alternative, one row per article link: a
        NukeViet category page mixes several row shapes on one page."""
        if key != "listing_rows":
            return super().first_match(scope, key)
        rows: list[Selector] = []
        seen: set[str] = set()
        link_queries = self.queries("row_link")
        for query in self.queries(key):
            for row in select_all(selector_of(scope), query):
                href = first_text(row, *link_queries)
                if href and href not in seen:
                    seen.add(href)
                    rows.append(row)
        return rows

    def article_url(self, url: str) -> str | None:
        """Also the form NukeViet links to when URL rewrite is off:
        `/index.php?language=vi&nv=news&op=<cat>/<slug>-<id>` (print and savefile views,
        `op=print/<cat>/...`, are fetched as the article)."""
        found = super().article_url(url)
        if found is not None:
            return found
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.path.endswith("/index.php"):
            return None
        query = parse_qsl(parts.query, keep_blank_values=True)
        op = dict(query).get("op", "")
        last = op.rsplit("/", 1)[-1]
        if not re.search(r".-\d+(?:\.html?)?$", last) or re.fullmatch(r"page-\d+", last):
            return None
        segments = op.split("/")
        drop = {s.lower() for s in self.queries("drop_path_segments")}
        if len(segments) > 2 and segments[0].lower() in drop:
            segments = segments[1:]
        if segments[0].lower() in ("tag", "topic", "groups", "author", "search", "sendmail"):
            return None
        query = [(k, "/".join(segments) if k == "op" else v) for k, v in query]
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, safe="/"),
                           ""))

    def parse_listing(self, response: Response, section: str) -> Iterator[Any]:
        yield from super().parse_listing(response, section)
        yield from self.subcategory_requests(response, section)

    def subcategory_requests(self, response: Response, section: str) -> Iterator[Any]:
        """Subcategory listings linked from a category page, read as the same section.

        On an incremental crawl they are skipped once the category page itself held only
        archived articles: a subcategory's newest articles are shown on that page.
        """
        if not isinstance(response, TextResponse):
            return  # a listing that answered no page (a PDF, an image): no subcategory
        key = request_meta(response).get("section_key") or section
        streak = self._known_streak.get(key, 0)
        if self.stop_after_known > 0 and streak >= self.stop_after_known:
            return
        host = urlsplit(response.url).netloc
        for href in all_values(response.selector, *self.queries("subcategory_links")):
            if href.startswith(("#", "javascript:", "mailto:")):
                continue
            url = response.urljoin(href)
            if urlsplit(url).netloc != host or self.article_url(url) is not None:
                continue
            if url.rstrip("/") in self._listing_urls:
                continue
            if self.may_follow_listing(key):
                stats = getattr(getattr(self, "crawler", None), "stats", None)
                if stats is not None:  # check-site --fixtures runs without a crawler
                    stats.inc_value("luutru/nukeviet_subcategories")
                yield self.listing_request(url, section, key=key if key != section else None)
