"""Drupal 7 family: Views listings with a `?page=N` pager, node pages with field-* markup."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, ClassVar

from lxml import etree
from parsel import Selector
from scrapy.http import Response

from pipelines.bylines import looks_like_name
from scrapers.extract import element_blocks, select_all, text_blocks, value_text, values
from scrapers.platforms.article_reading import selector_of
from scrapers.platforms.listing import ListingSpider

# Rows as the stock templates emit them: Views 3 unformatted (`div.views-row`), list
# (`li.views-row`), grid (`table.views-view-grid td`, no row class), table (`table.views-table
# tbody tr`, `odd`/`even` rows), Views rendering node teasers, and core's taxonomy term page
# of node teasers (`div.node-teaser`).
_ROWS = (
    ".view-content .views-row",
    ".view-content table.views-table tbody tr",
    ".view-content table.views-view-grid td",
    ".node-teaser",
)

_DATE_RE = re.compile(r"\b\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}\b")


@lru_cache(maxsize=16)
def _labelled_date_re(label: str) -> re.Pattern[str]:
    """A listing row's labelled date (`Ngày Đăng : 17/02/2021`), any spacing or case."""
    return re.compile(re.escape(label).replace(r"\ ", r"\s+")
                      + r"\s*:?\s*\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}", re.IGNORECASE)

# Selectors as Drupal 7 core, Views 3 and Bartik-derived themes render them. A site file may
# override any of them under [selectors].
SELECTORS: dict[str, Any] = {
    "listing_rows": list(_ROWS),
    # Rows are looked for inside the page's main content only: the `system-main` block every
    # Drupal 7 page prints, else the content region. A "most read" Views block beside the
    # listing never passes for it; a main block without rows is left to the URL-shape fallback.
    "main_content": ["#block-system-main", ".region-content", "#content", "main"],
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
        ".views-field-created",
        # RDF's machine-readable date on a teaser's submitted line or Date field.
        "[property~='dc:date']::attr(content)",
    ],
    # Views fields named for the byline (field ids: `field_tac_gia`, `field_author`...).
    "row_author_fields": ("tac-gia", "tacgia", "author", "but-danh", "nguoi-viet", "byline"),
    "row_role_fields": ("chuc-vu", "chucvu", "role", "don-vi", "position"),
    # Row fields that are neither title, date nor teaser may hold the byline (name, then role)
    # when no field is named for it; these never do.
    "row_skip_fields": (
        "title", "created", "changed", "date", "body", "teaser", "view-node", "nid", "image",
        "picture", "read-more", "comment", "term", "tags", "counter", "count", "path",
        "nothing", "edit", "delete", "type", "status", "summary", "tom-tat", "ngay",
    ),
    # The posting account (Views' "Content: Author" is the `name` field): never the author.
    "row_account_fields": ("name", "uid", "name-1", "author-uid"),
    # Pages are walked in order through "next", so an incremental crawl can stop early;
    # numbered links are the fallback for themes without one.
    "pager_next": [
        "#block-system-main ul.pager li.pager-next a::attr(href)",
        "ul.pager li.pager-next a::attr(href)",
        "a[rel='next']::attr(href)",
    ],
    "pager_links": [
        "#block-system-main ul.pager li.pager-item a::attr(href)",
        "ul.pager li.pager-item a::attr(href)",
    ],
    "title": [
        "h1#page-title",
        "h1.title",
        "h1.page-title",
        "h1.page__title",  # Zen-based themes
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
    # Byline as Field API fields on the node (else the listing row's, else the body's). A
    # long-text field typed `Name<br />Role` gives both lines.
    "author": [
        ".field-name-field-tac-gia .field-item",
        ".field-name-field-author .field-item",
        ".field-name-field-but-danh .field-item",
        ".field-name-field-nguoi-viet .field-item",
    ],
    "role": [".field-name-field-chuc-vu .field-item", ".field-name-field-role .field-item"],
    "categories": [".field-type-taxonomy-term-reference .field-item a::text"],
    # "Related" Views blocks: article links found outside the listings (often as /node/N).
    # The block is found from its title up (every block that holds such a title, as a
    # `div.block[.//h2[...]]` test would find it, at a third of the cost: one walk, not one
    # per div).
    "related_links": [
        "//h2[normalize-space()='Tin khác' or normalize-space()='Tin liên quan'"
        " or normalize-space()='Bài viết khác']"
        "/ancestor::div[contains(concat(' ', @class, ' '), ' block ')]//a/@href",
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

    def first_match(self, scope: Selector | Response, key: str) -> list[Selector]:
        """Listing rows are searched in the first main-content element the page has."""
        if key == "listing_rows" and "listing_rows" not in self.site.selectors:
            main = next((found[0] for query in self.queries("main_content")
                         if (found := select_all(selector_of(scope), query))), None)
            if main is not None:
                return super().first_match(main, key)
        return super().first_match(scope, key)

    def row_facts(self, row: Selector) -> dict[str, Any]:
        facts = super().row_facts(row)
        fields = values(row, ".views-field")  # lxml elements: read once, no Selector each
        labelled = self._labelled_date(row) or (
            None if facts.get("date_raw") else self._field_date(fields))
        if labelled:
            facts["date_raw"] = labelled
        facts["author_raw"], facts["role_raw"] = self._row_byline(row, fields)
        return facts

    def _labelled_date(self, row: Selector) -> str | None:
        """The row's date with its label (kept raw: the archive stores what was shown)."""
        label = self.site.dates.get("listing_label", "Ngày đăng")
        pattern = _labelled_date_re(label)
        text = (value_text(row.root) if isinstance(row.root, etree._Element)
                else " ".join(row.xpath("string()").get("").split()))
        match = pattern.search(text)
        return match.group(0) if match else None

    def _field_date(self, fields: list[Any]) -> str | None:
        """A date-only Views field with an id the selectors do not know (`field_ngay_dang`),
        as shown; never a date inside the title or the teaser text."""
        for field in fields:
            field_id = self._field_id(field.get("class", ""))
            if any(token in field_id for token in ("title", "body", "teaser", "summary")):
                continue
            text = value_text(field)
            if len(text) <= 40 and _DATE_RE.search(text):
                return text
        return None

    def _row_byline(self, row: Selector, fields: list[Any]) -> tuple[str, str]:
        """Name and role from the row's Views fields, line by line, in display order.

        Fields named for the byline (`views-field-field-tac-gia`, `...-chuc-vu`) are read
        first; a single field typed `Name<br />Role` gives both lines. Without such fields, a
        remaining field counts only when its first line reads as a person's name, and the
        posting account (`views-field-name`) never does.
        """
        if not fields:  # a node teaser: its own byline fields, if shown
            lines = self._first_lines(row, "author")
            roles_shown = self._first_lines(row, "role")
            if not lines:
                return "", ""
            return lines[0], roles_shown[0] if roles_shown else (lines[1:2] or [""])[0]
        names: list[str] = []
        roles: list[str] = []
        other: list[list[str]] = []
        accounts = self.selector("row_account_fields")
        role_tokens = self.selector("row_role_fields")
        author_tokens = self.selector("row_author_fields")
        skip_tokens = self.selector("row_skip_fields")
        for field in fields:
            field_id = self._field_id(field.get("class", ""))
            if not field_id or field_id in accounts:
                continue
            # Lines are read only from the fields they can count for (not the title, date,
            # teaser...: about two in six on a stock row).
            if any(token in field_id for token in role_tokens):
                roles.extend(self._field_lines(field))
            elif any(token in field_id for token in author_tokens):
                names.extend(self._field_lines(field))
            elif not any(token in field_id for token in skip_tokens):
                lines = self._field_lines(field)
                if lines:
                    other.append(lines)
        if not names and not roles:
            names = next(([*lines, *(other[k + 1] if k + 1 < len(other) else [])]
                          for k, lines in enumerate(other) if looks_like_name(lines[0])), [])
        if not names:
            return "", ""
        if len(names) > 2 and not roles:  # several authors typed in one field
            return "\n".join(names), ""
        role = roles[0] if roles else (names[1] if len(names) > 1 else "")
        return names[0], role

    @staticmethod
    def _field_id(classes: str) -> str:
        """`field-tac-gia` from `views-field views-field-field-tac-gia`."""
        return next((c[len("views-field-"):] for c in classes.split()
                     if c.startswith("views-field-")), "")

    @staticmethod
    def _field_lines(field: Any) -> list[str]:
        """A Views field's value (an lxml element) as lines (<br> and paragraphs kept apart),
        label left out."""
        content = values(field, ".field-content")
        parts = content if content else [field]
        lines = [" ".join(line.split()) for part in parts for line in element_blocks(part)]
        labels = values(field, ".views-label")
        label = value_text(labels[0]) if labels else ""
        if label and lines and lines[0].startswith(label):
            lines[0] = lines[0][len(label):].strip()
        return [line for line in lines if line]

    def byline(self, scope: Selector | Response, paragraphs: list[str]) -> tuple[str, str]:
        """The node's byline field read line by line: a long-text "Tác giả" field typed
        `Name<br />Role` is a name and a role, not one name; with more lines (two authors)
        they go to the pipeline as lines. Without a field, the base rules (and then the
        article pipeline, on the body) decide."""
        lines = self._first_lines(scope, "author")
        if not lines:  # body bylines (labelled, `Name<br />Role`...) are the pipeline's
            return super().byline(scope, paragraphs)
        role_lines = self._first_lines(scope, "role")
        if len(lines) > 2 and not role_lines:  # several authors, each name over its role
            return "\n".join(lines), ""
        role = role_lines[0] if role_lines else (lines[1] if len(lines) > 1 else "")
        return lines[0], role

    def _first_lines(self, scope: Selector | Response, key: str) -> list[str]:
        for query in self.queries(key):
            for found in select_all(selector_of(scope), query):
                if isinstance(found.root, str):
                    lines = [found.root.strip()]
                else:
                    lines = [" ".join(t.split()) for t in text_blocks(found)]
                lines = [line for line in lines if line]
                if lines:
                    return lines
        return []
