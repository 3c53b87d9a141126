"""Joomla 3 with K2: `/component/k2/item/<id>-<slug>.html` (or a menu alias + `/item/<id>-...`,
or non-SEF `index.php?option=com_k2&view=item&id=N`), item lists with `?start=N`."""

from __future__ import annotations

import re
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit, urlunsplit

from parsel import Selector
from scrapy.http import Response

from scrapers.extract import first_text
from scrapers.platforms.listing import ListingSpider

# K2's list layouts print one element per item: category_item.php `.catItemView` (every item
# group: leading, primary, secondary, links), tag.php `.tagItemView`, user.php `.userItemView`,
# latest_item.php `.latestItemView` (or bare `h2.latestItemTitleList` titles), generic.php
# (search, date archive) `.genericItemView`. One union query keeps document order; rows are
# looked for inside the component (`#k2Container`) first, so K2 modules in the sidebars
# (`.k2ItemsBlock`) are never read as the listing.
ROWS = ("div.catItemView", "div.tagItemView", "div.userItemView", "div.latestItemView",
        "div.genericItemView", "h2.latestItemTitleList")
KINDS = ("cat", "tag", "user", "latest", "generic")
# Extra-field labels (itemExtraFieldsLabel, printed with a colon) naming the byline fields.
AUTHOR_LABELS = ("tác giả", "tác giả bài viết", "người viết", "bút danh")
ROLE_LABELS = ("chức vụ", "chức danh", "đơn vị", "đơn vị công tác")

SELECTORS: dict[str, Any] = {
    "listing_rows": [", ".join(f"#k2Container {q}" for q in ROWS), ", ".join(ROWS)],
    "row_link": [
        *(f".{k}ItemTitle a::attr(href)" for k in KINDS),
        "a.k2ReadMore::attr(href)",
        "h2 a::attr(href)",
        "h3 a::attr(href)",
        "a::attr(href)",
    ],
    "row_title": [*(f".{k}ItemTitle a" for k in KINDS), "h2 a", "h3 a", "a"],
    "row_date": [f".{k}ItemDateCreated" for k in KINDS],
    # Joomla 3's pagination (`ul.pagination-list`; Protostar gives "next" no class of its own)
    # in K2's `.k2Pagination`; `?start=N` (SEF) or `&limitstart=N`.
    "pager_links": [
        ".k2Pagination a::attr(href)",
        "ul.pagination-list a::attr(href)",
        ".pagination a::attr(href)",
    ],
    "article_url_pattern": r"/item/\d+",
    "node": ["div.itemView", "#k2Container"],
    # The title's own text: an edit link (logged-in editors) and the "featured" flag are
    # child elements of h2.itemTitle.
    "title": [
        "//h2[contains(concat(' ', normalize-space(@class), ' '), ' itemTitle ')]"
        "/text()[normalize-space()]",
        "h2.itemTitle",
        ".itemTitle",
        "meta[property='og:title']::attr(content)",
    ],
    # introtext + fulltext when the item has a "read more" split, else fulltext alone.
    "body": [
        ".//div[contains(@class, 'itemIntroText')] | .//div[contains(@class, 'itemFullText')]"
    ],
    # K2_DATE_FORMAT_LC2 (vi-VN `Chủ nhật, 26 Tháng 11 2023 15:06`). Never itemDateModified
    # ("Sửa lần cuối vào ..."), which is the last edit.
    "article_date": [".itemHeader .itemDateCreated", ".itemDateCreated"],
    "categories": [".itemCategory a::text"],
    # Related items by tag, and the item navigation ("more in this category"): followed once
    # every listing was read.
    "related_links": [".itemRelated a::attr(href)", ".itemNavigation a::attr(href)"],
    "node_id_pattern": r"/item/(\d+)",
}


def _label(text: str) -> str:
    return " ".join(text.split()).strip(" :").lower()


def extra_field(scope: Selector | Response, labels: tuple[str, ...]) -> str:
    """The value of the extra field (item, category, tag or user layout) labelled one of
    `labels`; K2 prints `<span class="itemExtraFieldsLabel">Tác giả:</span>` + value."""
    for li in scope.css(".itemExtraFields li, .catItemExtraFields li, .tagItemExtraFields li,"
                        " .userItemExtraFields li, .genericItemExtraFields li"):
        label = first_text(li, "span[class$='ExtraFieldsLabel']")
        if label and _label(label) in labels:
            return first_text(li, "span[class$='ExtraFieldsValue']")
    return ""


class JoomlaK2Spider(ListingSpider):
    """Joomla + K2 sites: item lists and item pages; the date is the item's created field.

    The author is read from a `Tác giả` extra field, else left to the body's byline lines.
    `.itemAuthor` ("Viết bởi Quản trị viên") names the Joomla account that posted the item,
    never its author, and is not read.
    """

    SELECTORS: ClassVar[dict[str, Any]] = SELECTORS

    def article_url(self, url: str) -> str | None:
        """K2 item URLs in their SEF form (`/item/<id>-alias`), or non-SEF
        (`index.php?option=com_k2&view=item&id=<id>:alias`), print views folded into the item."""
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        if parts.scheme in ("http", "https") and query.get("view") == ["item"] and re.match(
            r"\d+", (query.get("id") or [""])[0]
        ):
            keep = "&".join(f"{k}={v[0]}" for k, v in query.items()
                            if k in ("option", "view", "id", "Itemid"))
            return urlunsplit((parts.scheme, parts.netloc, parts.path, keep, ""))
        if query.get("print") or query.get("tmpl"):
            url = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        return super().article_url(url)

    def byline(self, scope: Selector | Response, paragraphs: list[str]) -> tuple[str, str]:
        author, role = super().byline(scope, paragraphs)
        if author:
            return author, role
        author = extra_field(scope, AUTHOR_LABELS)
        return (author, extra_field(scope, ROLE_LABELS)) if author else ("", "")

    def row_facts(self, row: Selector) -> dict[str, Any]:
        facts = super().row_facts(row)
        author = extra_field(row, AUTHOR_LABELS)
        if author:
            facts["author_raw"], facts["role_raw"] = author, extra_field(row, ROLE_LABELS)
        return facts

    def node_id(self, response: Response, shortlink: str | None,
                scope: Selector | Response) -> int | None:
        found = super().node_id(response, shortlink, scope)
        if found is None:
            match = re.search(r"[?&]id=(\d+)", response.url)
            found = int(match.group(1)) if match else None
        return found
