"""Custom portals (city/province portal platforms): a family configured by its site file.

There is no stock markup to rely on, so the defaults below are common portal class names and
each site file names its own selectors under [selectors] (see hai_phong.toml).
"""

from __future__ import annotations

from typing import Any, ClassVar

from scrapers.platforms.listing import ListingSpider

SELECTORS: dict[str, Any] = {
    # Custom portals print the sapo again as the first paragraph (Hải Phòng, Nam Định, Nghệ An).
    "drop_repeats": True,
    "listing_rows": [".news-list .news-item", ".list-news .item", ".news-item"],
    "row_link": ["a.news-title::attr(href)", "h3 a::attr(href)", "h2 a::attr(href)"],
    "row_title": ["a.news-title", "h3 a", "h2 a"],
    "row_date": [".news-date", ".date"],
    "pager_links": [".paging a::attr(href)", ".pagination a::attr(href)", ".pager a::attr(href)"],
    "node": [".news-detail", "article", "#content"],
    "title": [".news-detail h1", "h1"],
    "body": [".news-content", ".content"],
    "article_date": [".news-date", ".date"],
    # A labelled date (`Cập nhật: 25/04/2022 22:06`, `Ngày đăng: ...`), label kept.
    "date_pattern": (
        r"(?:(?:Cập nhật|Ngày đăng|Đăng ngày|Đăng lúc)\s*:?\s*)?"
        r"\d{1,2}/\d{1,2}/\d{4}(?:\s+\d{1,2}:\d{2})?"
    ),
}


class PortalSpider(ListingSpider):
    """A portal site whose listings, pager and article parts are named in its site file."""

    SELECTORS: ClassVar[dict[str, Any]] = SELECTORS
