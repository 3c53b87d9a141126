"""NukeViet 3/4 family: `/vi/<module>/<cat>/<slug>-<id>.html` (or the rewrite without `/vi/`)."""

from __future__ import annotations

from typing import Any, ClassVar

from scrapers.platforms.base import ListingSpider

# Selectors as the stock `default` theme renders modules/news (viewcat_page_new.tpl,
# viewcat_list.tpl, detail.tpl, print.tpl) and nv_alias_page() its `/page-N` pager.
SELECTORS: dict[str, Any] = {
    "listing_rows": [
        "//div[contains(@class, 'news_column')]/div[contains(@class, 'panel-body')][.//h3/a]",
        "//ul[contains(@class, 'list-news')]/li[a]",
    ],
    "row_link": ["h3 a::attr(href)", "h2 a::attr(href)", "a[href]::attr(href)"],
    "row_title": ["h3 a", "h2 a"],
    # viewcat_page_new prints publtime as `d/m/Y h:i:s A`; the article header is preferred.
    "row_date": [".//em[contains(@class, 'fa-clock-o')]/parent::li"],
    "pager_links": ["ul.pagination a::attr(href)"],
    "article_url_pattern": r"-\d+\.html?$",
    # The print and savefile views of an article: fetch the canonical page instead.
    "drop_path_segments": ["savefile", "print"],
    "node": [
        "//div[contains(@class, 'news_column')][@itemtype]",
        "#print",
        "//div[contains(@class, 'news_column')][.//h1]",
    ],
    "title": [
        "h1[itemprop='headline']",
        ".news_column h1",
        "#print h1",
        "#print h2",
        "meta[property='og:title']::attr(content)",
    ],
    # The sapo (hometext) and the body, in document order.
    "body": [
        ".//div[contains(@class, 'hometext')] | .//div[@id='news-bodyhtml']",
        ".//div[@id='hometext'] | .//div[@id='bodytext']",
        "#news-bodyhtml",
    ],
    # `Thứ năm - 19/11/2020 22:44` in the detail header (`l - d/m/Y H:i`).
    "article_date": [
        ".//div[contains(@class, 'margin-bottom-lg')]//span[contains(@class, 'h5')]",
        "em.time",
        "#print .time",
    ],
    "date_pattern": (
        r"(?:(?:Thứ\s+\S+|Chủ\s+nhật)\s*-\s*)?\d{1,2}/\d{1,2}/\d{4}(?:\s+\d{1,2}:\d{2})?"
    ),
    # `Tác giả bài viết:` / `Tác giả:` under the body, when the site fills the author field.
    "author": [
        ".//p[contains(@class, 'text-right')][strong[starts-with(normalize-space(), 'Tác giả')]]",
    ],
    "related_links": ["ul.related a::attr(href)"],
}


class NukeVietSpider(ListingSpider):
    """NukeViet news modules: category and tag listings with `/page-N`, optional RSS feeds."""

    SELECTORS: ClassVar[dict[str, Any]] = SELECTORS
