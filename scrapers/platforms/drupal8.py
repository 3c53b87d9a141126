"""Drupal 8+ family (`/node/N`): Views listings with a `?page=N` pager, Olivero/Bartik markup."""

from __future__ import annotations

from typing import Any, ClassVar

from scrapers.platforms.base import ListingSpider

# Selectors as Drupal 8-11 core templates (node.html.twig, field.html.twig, views-view-unformatted,
# pager.html.twig) and the Olivero/Bartik themes render them. The page title block sits outside
# the node, the skip link ("Nhảy đến nội dung" / "Skip to main content") outside both.
SELECTORS: dict[str, Any] = {
    "listing_rows": [".view-content .views-row", "article.node--view-mode-teaser"],
    "row_link": [
        ".views-field-title a::attr(href)",
        ".node__title a::attr(href)",
        "h2 a::attr(href)",
        "a[href]::attr(href)",
    ],
    "row_title": [".views-field-title", ".node__title", "h2"],
    "row_date": [".views-field-created time::attr(datetime)", ".views-field-created"],
    "pager_links": ["nav.pager .pager__item a::attr(href)", "ul.pager a::attr(href)"],
    "node": [
        "article.node--view-mode-full",
        "article[data-history-node-id]:not(.node--view-mode-teaser)",
        "article.node",
    ],
    "title": [
        "h1.page-title .field--name-title",
        "h1.page-title",
        "article.node--view-mode-full h1",
        "meta[property='og:title']::attr(content)",
    ],
    "body": [".node__content .field--name-body", ".field--name-body"],
    # `created` rendered by time.html.twig (machine-readable UTC), else the field's text in
    # whatever format the site configured: `13 November 2019`, `Thứ Tư, 13/11/2019 - 17:23`.
    "article_date": [
        ".field--name-created time::attr(datetime)",
        ".node__meta time::attr(datetime)",
        ".field--name-created",
        ".node__submitted time::attr(datetime)",
    ],
    "categories": [
        ".field--name-field-tags .field__item a::text",
        ".field--name-field-category a::text",
    ],
    "related_links": [
        "//div[contains(concat(' ', @class, ' '), ' block-views ')]"
        "[.//h2[normalize-space()='Tin khác' or normalize-space()='Tin liên quan'"
        " or normalize-space()='Bài viết khác']]//a/@href",
    ],
    "node_id_pattern": r"/node/(\d+)(?:[/?#]|$)",
}


class Drupal8Spider(ListingSpider):
    """Drupal 8+ sites: listings, pager and node pages; the date is the node's `created` field."""

    SELECTORS: ClassVar[dict[str, Any]] = SELECTORS
