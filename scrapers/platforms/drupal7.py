"""Drupal 7 family: Views listings with a `?page=N` pager, node pages with field-* markup."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from parsel import Selector
from scrapy.http import Response

from scrapers.extract import attachment_urls, first_text, text_blocks
from scrapers.items import ArticleItem
from scrapers.platforms.base import SiteSpider, scheduled_url, utc_now

# Selectors as Drupal 7 core, Views 3 and Bartik-derived themes render them. A site file may
# override any of them under [selectors].
SELECTORS: dict[str, Any] = {
    # Listing rows: Views field rows, or core's taxonomy/term page of node teasers.
    "listing_rows": [".view-content .views-row", ".node-teaser"],
    "row_link": [
        ".views-field-title a::attr(href)",
        "h2 a::attr(href)",
        ".node-title a::attr(href)",
        "a[href]::attr(href)",
    ],
    "row_title": [".views-field-title", "h2", ".node-title"],
    # Row fields that are neither title, date nor teaser hold the byline (name, then role).
    "row_skip_fields": (
        "title",
        "created",
        "changed",
        "date",
        "body",
        "teaser",
        "view-node",
        "nid",
        "image",
        "picture",
        "read-more",
        "comment",
        "term",
    ),
    # Pages are walked in order through "next", so an incremental crawl can stop early;
    # numbered links are the fallback for themes without one.
    "pager_next": ["ul.pager li.pager-next a::attr(href)", "a[rel='next']::attr(href)"],
    "pager_links": ["ul.pager li.pager-item a::attr(href)"],
    "title": [
        "h1#page-title",
        "h1.title",
        "meta[property='og:title']::attr(content)",
        "//span[@property='dc:title']/@content",
        ".node h2",
    ],
    # The main node of a full page view, never a teaser in a block.
    "node": [
        "#block-system-main .node",
        ".region-content .node:not(.node-teaser)",
        ".node:not(.node-teaser)",
    ],
    "body": [".field-name-body .field-item", ".field-name-body", ".content"],
    "categories": [".field-type-taxonomy-term-reference .field-item a::text"],
    # "Related" Views blocks: article links found outside the listings (often as /node/N).
    "related_links": [
        "//div[contains(concat(' ', @class, ' '), ' block ')]"
        "[.//h2[normalize-space()='Tin khác' or normalize-space()='Tin liên quan'"
        " or normalize-space()='Bài viết khác']]//a/@href",
    ],
    "article_date": [
        "//*[contains(@property, 'dc:date')]/@content",
        "meta[property='article:published_time']::attr(content)",
    ],
}

_NODE_ID = re.compile(r"/node/(\d+)(?:[/?#]|$)")
_NODE_DIV_ID = re.compile(r"^node-(\d+)$")


class Drupal7Spider(SiteSpider):
    """Crawls each section listing and its pager, then every article linked from the rows.

    The publication date is taken from the listing row that linked the article (Bến Tre prints it
    only there); the header clock on article pages is render time and is never read.
    """

    def selectors(self, key: str) -> Any:
        return self.site.selectors.get(key, SELECTORS[key])

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for section in self.site.sections:
            if self.may_follow_listing(section.name):
                yield self.listing_request(self.section_url(section.path), section.name)

    def listing_request(self, url: str, section: str) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.on_error,
            cb_kwargs={"section": section},
            meta={"kind": "listing"},
        )

    def parse_listing(self, response: Response, section: str) -> Iterator[Any]:
        yield self.listed(response)
        rows = known = 0
        for row in self._rows(response):
            href = first_text(row, *self.selectors("row_link"))
            if not href or href.startswith(("#", "javascript:", "mailto:")):
                continue
            rows += 1
            author, role = self._row_byline(row)
            request = self.article_request(response, href, {
                "section": section,
                "listing_url": response.url,
                "date_raw": self._row_date(row),
                "author_raw": author,
                "role_raw": role,
                "title_raw": first_text(row, *self.selectors("row_title")),
            })
            if request is None:
                known += 1
            else:
                yield request
        if self.listing_exhausted(section, rows, known):
            self.logger.info("%s: page of known articles at %s, stopping", section, response.url)
            return
        next_pages = self._css_all(response, self.selectors("pager_next"))
        for href in next_pages or self._css_all(response, self.selectors("pager_links")):
            if self.may_follow_listing(section):
                yield self.listing_request(response.urljoin(href), section)

    def _rows(self, response: Response) -> list[Selector]:
        for query in self.selectors("listing_rows"):
            rows = response.css(query)
            if rows:
                return list(rows)
        return []

    @staticmethod
    def _css_all(selector: Selector | Response, queries: list[str]) -> list[str]:
        found: list[str] = []
        for query in queries:
            found.extend(v.strip() for v in selector.css(query).getall() if v.strip())
        return found

    def _row_date(self, row: Selector) -> str | None:
        """The labelled date of a row, raw (label included) so the archive keeps what was shown."""
        label = self.site.dates.get("listing_label", "Ngày đăng")
        text = " ".join(row.xpath("string()").get("").split())
        pattern = (
            re.escape(label).replace(r"\ ", r"\s+") + r"\s*:?\s*[\d]{1,2}[/.\-]\d{1,2}[/.\-]\d{4}"
        )
        match = re.search(pattern, text, re.IGNORECASE)
        if match:
            return match.group(0)
        # Views date fields without a label, or the Date module's markup.
        value = first_text(
            row,
            ".views-field-created .field-content",
            ".date-display-single",
            ".views-field-changed .field-content",
            ".submitted",
        )
        return value or None

    def _row_byline(self, row: Selector) -> tuple[str, str]:
        """Name and role from the row's remaining Views fields, in display order."""
        skip = self.selectors("row_skip_fields")
        values: list[str] = []
        for field in row.css(".views-field"):
            classes = field.attrib.get("class", "")
            name = next((c for c in classes.split() if c.startswith("views-field-")), "")
            if any(token in name for token in skip):
                continue
            value = " ".join(field.css(".field-content").xpath("string()").get("").split())
            if not value:
                value = " ".join(field.xpath("string()").get("").split())
            if value:
                values.append(value)
        author = values[0] if values else ""
        role = values[1] if len(values) > 1 else ""
        return author, role

    def parse_article(self, response: Response, listing: dict[str, Any]) -> Iterator[Any]:
        if response.status == 304:
            yield self.not_modified(response)
            return
        skipped = self.not_html(response)
        if skipped is not None:
            yield skipped
            return
        node = next((n for q in self.selectors("node") if (n := response.css(q))), None)
        scope = node[0] if node else response
        body = next((b for q in self.selectors("body") if (b := scope.css(q))), None)
        paragraphs = [p for part in (body or []) for p in text_blocks(part)]
        title = first_text(response, *self.selectors("title")) or listing.get("title_raw", "")
        if not title or not paragraphs:
            yield self.no_article(response)
            return
        canonical = response.css("link[rel='canonical']::attr(href)").get()
        shortlink = response.css("link[rel='shortlink']::attr(href)").get()
        date_raw, date_source = listing.get("date_raw"), "listing"
        if not date_raw and self.site.dates.get("article_pages", True):
            date_raw, date_source = (
                first_text(scope, *self.selectors("article_date")),
                "article_meta",
            )
        categories = [
            c.strip() for c in scope.css(self.selectors("categories")[0]).getall() if c.strip()
        ]
        if listing.get("section") and listing["section"] not in categories:
            categories.insert(0, listing["section"])
        for href in response.xpath(self.selectors("related_links")[0]).getall():
            request = self.article_request(response, href, {})
            if request is not None:
                self.defer(request)
        yield ArticleItem(
            site=self.site.slug,
            url=response.url,
            scheduled_url=scheduled_url(response.request),
            fetched_at=utc_now(),
            http_status=response.status,
            canonical_link=response.urljoin(canonical) if canonical else None,
            shortlink=response.urljoin(shortlink) if shortlink else None,
            node_id=self._node_id(response, shortlink, scope),
            title_raw=title,
            paragraphs_raw=paragraphs,
            author_raw=listing.get("author_raw", ""),
            role_raw=listing.get("role_raw", ""),
            categories=categories,
            date_raw=date_raw or None,
            date_source=date_source if date_raw else None,
            listing_url=listing.get("listing_url"),
            attachment_urls=attachment_urls(
                response.url,
                [*(body or []), *scope.css(".field-type-file, .field-type-image")],
            ),
            capture=response.meta.get("warc_ref"),
            **self.validators(response),
        )

    @staticmethod
    def _node_id(
        response: Response, shortlink: str | None, scope: Selector | Response
    ) -> int | None:
        for candidate in (shortlink or "", response.url):
            match = _NODE_ID.search(candidate)
            if match:
                return int(match.group(1))
        div_id = scope.attrib.get("id", "") if isinstance(scope, Selector) else ""
        match = _NODE_DIV_ID.match(div_id)
        return int(match.group(1)) if match else None
