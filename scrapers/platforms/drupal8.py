"""Drupal 8+ family (`/node/N`, path aliases): Views listings with a `?page=N` pager, node pages
as core's Classy/Bartik/Olivero/stable9 templates render them."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from parsel import Selector
from scrapy.http import Response

from scrapers.extract import first_text
from scrapers.platforms.listing import ListingSpider

# The page's own content: the main-content block (`block-system-main-block` in Classy, Bartik
# and Olivero; stable9 prints only its id, `block-<theme>-content`), else <main>. Listing rows
# are looked for there first, so a sidebar Views block ("Tin mới") is never read as the
# listing; the whole page is the last resort.
MAIN = (".block-system-main-block", "div[id^='block-'][id$='-content']", "main", "#content")
# A Views page's rows, most specific first: a grid's cells before its `.views-row` (which holds
# a whole row of cells in stable9/Classy), a table's body rows, an HTML list's items, the
# unformatted rows, and teaser nodes (taxonomy term pages, the front page, rendered-entity rows).
ROWS = (
    ".view-content .views-view-grid .views-col",
    ".view-content .views-view-grid__item",
    ".view-content table.views-table tbody tr",
    ".view-content > .item-list > ul > li",
    ".view-content > .item-list > ol > li",
    ".view-content > ul > li",
    ".view-content > ol > li",
    ".view-content .views-row",
    "article.node--view-mode-teaser",
    "article.node:not(.node--view-mode-full)",
)
# Field labels (field.html.twig `field__label`, Views `views-label`) naming the byline fields.
AUTHOR_LABELS = ("tác giả", "tác giả bài viết", "người viết", "bút danh", "tác giả/nguồn")
ROLE_LABELS = ("chức vụ", "chức danh", "đơn vị", "đơn vị công tác")

SELECTORS: dict[str, Any] = {
    "listing_rows": [f"{scope} {row}" for scope in MAIN for row in ROWS] + list(ROWS),
    "row_link": [
        ".views-field-title a::attr(href)",
        ".node__title a::attr(href)",
        "a[rel='bookmark']::attr(href)",
        "h2 a::attr(href)",
        "h3 a::attr(href)",
        "a[hreflang]::attr(href)",
        "a[href]::attr(href)",
    ],
    "row_title": [".views-field-title", ".node__title", "a[rel='bookmark']", "h2", "h3"],
    # A Views `created` field (machine-readable <time> when Drupal 10.1+ renders it), a table
    # cell, a teaser's submitted line. Labels (`Ngày đăng:`) are left for the date parser.
    "row_date": [
        ".views-field-created time::attr(datetime)",
        ".views-field-created .field-content",
        "td.views-field-created",
        ".views-field-changed .field-content",
        ".field--name-created time::attr(datetime)",
        ".field--name-created .field__item",
        ".field--name-created",
        ".node__meta time::attr(datetime)",
    ],
    # pager.html.twig and views-mini-pager.html.twig both mark "next" with rel="next"; pages
    # are walked in order (an incremental crawl stops early), numbered links as the fallback.
    "pager_next": [
        "nav.pager a[rel='next']::attr(href)",
        ".pager__item--next a::attr(href)",
        "ul.js-pager__items a[rel='next']::attr(href)",
    ],
    "pager_links": [
        "nav.pager .pager__item a::attr(href)",
        "ul.pager__items a::attr(href)",
        "ul.pager a::attr(href)",
    ],
    "node": [
        "article.node--view-mode-full",
        ".block-system-main-block article[data-history-node-id]",
        "article[data-history-node-id]:not(.node--view-mode-teaser)",
        ".block-system-main-block article",
        "main article[role='article']",
        "article.node",
    ],
    "title": [
        "h1.page-title .field--name-title",
        "h1.page-title",
        ".block-page-title-block h1",
        "article.node--view-mode-full h1",
        "meta[property='og:title']::attr(content)",
    ],
    # The `body` field; a site that built its own text field (`field_noi_dung`) still renders
    # it through field--text*.html.twig (`text-formatted` in Classy/Bartik, Olivero too).
    "body": [
        ".node__content .field--name-body",
        ".field--name-body",
        ".node__content .field--type-text-with-summary",
        ".node__content .field--type-text-long.text-formatted",
        ".node__content .text-formatted",
    ],
    # The node's `created` field (node__submitted / node__meta, or shown as a labelled field):
    # RFC 3339 in <time datetime> when there is one, else its text in the site's format
    # (`13 November 2019`, `Thứ Tư, 13/11/2019 - 17:23`); a datetime field ("Ngày đăng") next;
    # the whole submitted line last (the account name in it holds no date).
    "article_date": [
        ".field--name-created time::attr(datetime)",
        ".node__submitted time::attr(datetime)",
        ".node__meta time::attr(datetime)",
        ".field--name-created .field__item",
        ".field--name-created",
        ".field--type-datetime time::attr(datetime)",
        ".field--type-datetime .field__item",
        ".node__submitted",
        ".node__meta",
    ],
    "categories": [
        ".field--name-field-tags .field__item a::text",
        ".field--name-field-category .field__item a::text",
        ".field--name-field-category a::text",
        ".field--type-entity-reference a[href*='/taxonomy/term/']::text",
    ],
    # Found from the block's title up: the same links as `div.block-views[.//h2[...]]`, in
    # one walk of the page rather than one per div.
    "related_links": [
        "//h2[normalize-space()='Tin khác' or normalize-space()='Tin liên quan'"
        " or normalize-space()='Bài viết khác' or normalize-space()='Tin cùng chuyên mục']"
        "/ancestor::div[contains(concat(' ', @class, ' '), ' block-views ')]//a/@href",
    ],
    "node_id_pattern": r"/node/(\d+)(?:[/?#]|$)",
}


# node.html.twig's submitted line around `date` ("Submitted by X on DATE", vi "Gửi bởi X vào
# DATE", Olivero "By X, DATE"), when the date is not in a field span of its own (Drupal < 8.5).
SUBMITTED = re.compile(r"^\s*(?:Submitted\s+by|Gửi\s+bởi|Đăng\s+bởi|By|Bởi)\s+.+?"
                       r"(?:\s+(?:on|vào|lúc|ngày)\s+|,\s+)(?=[^,\d]{0,12},?\s*\S*\d)",
                       re.IGNORECASE)


def _label(text: str) -> str:
    return " ".join(text.split()).strip(" :").lower()


def labelled_fields(scope: Selector | Response, labels: tuple[str, ...]) -> list[str]:
    """Values of the node's fields whose label (field.html.twig `field__label`) is one of
    `labels`: site builders name the machine field freely (`field_tac_gia`, `field_author`),
    the label is what the page shows. Several values (several authors) are joined by ", "."""
    for fld in scope.css(".field"):
        label = first_text(fld, ".field__label")
        if label and _label(label) in labels:
            values = [v for v in (" ".join(i.xpath("string()").get("").split())
                                  for i in fld.css(".field__item")) if v]
            if values:
                return values
    return []


class Drupal8Spider(ListingSpider):
    """Drupal 8+ sites: listings, pager and node pages; the date is the node's `created` field.

    The byline is read from labelled fields (`Tác giả`, `Chức vụ`) on the node or the Views
    row, else left to the body's closing lines. The account in the submitted line
    ("Submitted by admin", "Gửi bởi admin", Olivero's "By admin") posted the node and is never
    read as its author.
    """

    SELECTORS: ClassVar[dict[str, Any]] = SELECTORS

    def byline(self, scope: Selector | Response, paragraphs: list[str]) -> tuple[str, str]:
        author, role = super().byline(scope, paragraphs)
        if author:
            return author, role
        names = labelled_fields(scope, AUTHOR_LABELS)
        if not names:
            return "", ""
        roles = labelled_fields(scope, ROLE_LABELS)
        return ", ".join(names), ", ".join(roles)

    def article_date(self, scope: Selector | Response,
                     listing: dict[str, Any]) -> tuple[str | None, str]:
        """The `created` date as printed; from a bare submitted line, the date part only (the
        account's name before it is no part of the date)."""
        raw, source = super().article_date(scope, listing)
        if raw and source == "article_meta":
            raw = SUBMITTED.sub("", raw, count=1) or raw
        return raw, source

    def row_facts(self, row: Selector) -> dict[str, Any]:
        facts = super().row_facts(row)
        for field in row.css(".views-field"):
            label = first_text(field, ".views-label")
            if label and _label(label) in AUTHOR_LABELS:
                facts["author_raw"] = first_text(field, ".field-content") or ""
                facts["role_raw"] = ""
        author = labelled_fields(row, AUTHOR_LABELS)  # teaser nodes showing the field
        if author and not facts.get("author_raw"):
            facts["author_raw"], facts["role_raw"] = ", ".join(author), ""
        if facts.get("date_raw") and re.search(r"\d", facts["date_raw"]) is None:
            facts["date_raw"] = None
        return facts
