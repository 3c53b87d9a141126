"""Drupal 7 family: Views listings with a `?page=N` pager, node pages with field-* markup."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from parsel import Selector

from scrapers.extract import first_text
from scrapers.platforms.base import ListingSpider

# Selectors as Drupal 7 core, Views 3 and Bartik-derived themes render them. A site file may
# override any of them under [selectors].
SELECTORS: dict[str, Any] = {
    # Listing rows: Views field rows (unformatted, list or grid), a Views table's rows, or
    # core's taxonomy/term page of node teasers.
    "listing_rows": [
        ".view-content .views-row",
        ".view-content table.views-table tbody tr",
        ".view-content .views-view-grid td",
        ".node-teaser",
    ],
    "row_link": [
        ".views-field-title a::attr(href)",
        "h2 a::attr(href)",
        ".node-title a::attr(href)",
        "a[href]::attr(href)",
    ],
    "row_title": [".views-field-title", "h2", ".node-title"],
    # Unlabelled row dates: Views date fields, the Date module, core's "submitted" line.
    "row_date": [
        ".views-field-created .field-content",
        ".date-display-single",
        ".views-field-changed .field-content",
        ".submitted",
        "td.views-field-created",  # a Views table: the label is in the header, not the row
    ],
    # Row fields that are neither title, date nor teaser hold the byline (name, then role).
    "row_skip_fields": (
        "title", "created", "changed", "date", "body", "teaser", "view-node", "nid", "image",
        "picture", "read-more", "comment", "term",
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
    "file_fields": [".field-type-file, .field-type-image"],
    # Byline as CCK/Field API fields on the node (else the listing row's, else the body's).
    "author": [".field-name-field-tac-gia .field-item", ".field-name-field-author .field-item"],
    "role": [".field-name-field-chuc-vu .field-item", ".field-name-field-role .field-item"],
    "categories": [".field-type-taxonomy-term-reference .field-item a::text"],
    # "Related" Views blocks: article links found outside the listings (often as /node/N).
    "related_links": [
        "//div[contains(concat(' ', @class, ' '), ' block ')]"
        "[.//h2[normalize-space()='Tin khác' or normalize-space()='Tin liên quan'"
        " or normalize-space()='Bài viết khác']]//a/@href",
    ],
    # RDF's machine-readable `created` (node.tpl.php's submitted line); sites whose article
    # pages show only a render clock turn article dates off (`[dates] article_pages = false`).
    "article_date": [
        "//*[contains(@property, 'dc:date')]/@content",
        "meta[property='article:published_time']::attr(content)",
    ],
    "node_id_pattern": r"/node/(\d+)(?:[/?#]|$)",
}


class Drupal7Spider(ListingSpider):
    """Crawls each section listing and its pager, then every article linked from the rows.

    The listing row is read as Views renders it: a labelled date (`Ngày Đăng : 17/02/2021` on
    Bến Tre, where article pages carry only the header clock, which is never read) and the
    byline fields (name, then role).
    """

    SELECTORS: ClassVar[dict[str, Any]] = SELECTORS

    def row_facts(self, row: Selector) -> dict[str, Any]:
        facts = super().row_facts(row)
        labelled = self._labelled_date(row)
        if labelled:
            facts["date_raw"] = labelled
        facts["author_raw"], facts["role_raw"] = self._row_byline(row)
        return facts

    def _labelled_date(self, row: Selector) -> str | None:
        """The row's date with its label (kept raw: the archive stores what was shown)."""
        label = self.site.dates.get("listing_label", "Ngày đăng")
        text = " ".join(row.xpath("string()").get("").split())
        pattern = (re.escape(label).replace(r"\ ", r"\s+")
                   + r"\s*:?\s*\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}")
        match = re.search(pattern, text, re.IGNORECASE)
        return match.group(0) if match else None

    def _row_byline(self, row: Selector) -> tuple[str, str]:
        """Name and role from the row's remaining Views fields, in display order."""
        skip = self.selector("row_skip_fields")
        values: list[str] = []
        for field in row.css(".views-field"):
            classes = field.attrib.get("class", "")
            name = next((c for c in classes.split() if c.startswith("views-field-")), "")
            if any(token in name for token in skip):
                continue
            value = first_text(field, ".field-content") or " ".join(
                field.xpath("string()").get("").split()
            )
            if value:
                values.append(value)
        author = values[0] if values else ""
        role = values[1] if len(values) > 1 else ""
        return author, role
