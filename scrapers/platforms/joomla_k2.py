"""Joomla 3 with K2: `/component/k2/item/<id>-<slug>.html`, category listings with `?start=N`."""

from __future__ import annotations

from typing import Any, ClassVar

from scrapers.platforms.base import ListingSpider

# Selectors as K2's stock templates render them (templates/default/category.php,
# category_item.php, item.php) and Joomla 3's pagination (`?start=N`, or `/page-N` with SEF
# plugins). `Ảnh:` photo-credit lines stay in the body text; they are never a byline field.
SELECTORS: dict[str, Any] = {
    "listing_rows": ["div.catItemView", "div.itemContainer", "div.latestItemView"],
    "row_link": [
        ".catItemTitle a::attr(href)",
        ".latestItemTitle a::attr(href)",
        "h3 a::attr(href)",
        "a[href]::attr(href)",
    ],
    "row_title": [".catItemTitle a", ".latestItemTitle a", "h3 a"],
    "row_date": [".catItemDateCreated", ".latestItemDateCreated"],
    "pager_links": [".k2Pagination a::attr(href)", ".pagination a::attr(href)"],
    "article_url_pattern": r"/item/\d+",
    "node": ["div.itemView", "#k2Container"],
    "title": ["h2.itemTitle", ".itemTitle", "meta[property='og:title']::attr(content)"],
    "body": [
        ".//div[contains(@class, 'itemIntroText')] | .//div[contains(@class, 'itemFullText')]"
    ],
    # K2_DATE_FORMAT_LC2 in vi-VN: `Chủ nhật, 26 Tháng 11 2023 15:06`.
    "article_date": [".itemDateCreated"],
    "categories": [".itemCategory a::text"],
    "related_links": [".itemRelated a::attr(href)"],
    "node_id_pattern": r"/item/(\d+)",
}


class JoomlaK2Spider(ListingSpider):
    """Joomla + K2 sites: category listings and item pages; the date is the item's created field."""

    SELECTORS: ClassVar[dict[str, Any]] = SELECTORS
