"""The date of a page read with the generic rules: the one printed nearest its title.

Never a clock: many school sites print the time of rendering in their header, sometimes again
inside the content region; a date in the chrome, or above the title within a day of the fetch
time, is that clock and not the article's. Never a date inside the title itself. Order: a
labelled date below the title, then above it, then a machine-readable one (article:published_time,
schema.org, <time>), then an unlabelled date line near the title, then the listing's teaser.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pipelines.dates import is_render_clock
from scrapers.extract import text_blocks
from scrapers.generic_clean import selector
from scrapers.generic_rules import (
    ANY_DATE_RE,
    NUKEVIET_DATE_RE,
    date_line,
    find_date,
    is_clock,
    norm,
)

if TYPE_CHECKING:
    from scrapers.generic_page import GenericPage

# Where the page states its publication date for machines.
_MACHINE_DATES = (
    "//meta[@property='article:published_time']/@content"
    " | //meta[@itemprop='datePublished']/@content"
    " | //*[@itemprop='datePublished']/@datetime"
    " | //*[@itemprop='datePublished']/@content"
    " | //*[contains(@property, 'dc:date')]/@content"
    " | //time[@datetime][@pubdate or @itemprop='datePublished'"
    " or contains(@class, 'publish') or contains(@class, 'created')]/@datetime"
)


def near_title(page: GenericPage, title: str) -> tuple[list[str], list[str]]:
    """Lines of the content region just above the title (nearest first) and below it."""
    body = page.main.find("body")
    lines = [norm(t) for t in text_blocks(selector(body if body is not None else page.main))]
    key = title.casefold()
    for exact in (True, False):
        for i, line in enumerate(lines):
            if line.casefold() == key or (
                    not exact and len(key) > 20 and key in line.casefold()):
                return lines[max(0, i - 3): i][::-1], lines[i + 1: i + 9]
    return [], lines[:8]


def chrome_lines(page: GenericPage) -> set[str]:
    """Text lines of the page that are not in its content region (header, sidebars...)."""
    body = page.root.find("body")
    every = text_blocks(selector(body if body is not None else page.root))
    main = page.main.find("body")
    kept = set(text_blocks(selector(main if main is not None else page.main)))
    return {norm(t) for t in every if t not in kept}


def clock_strings(page: GenericPage) -> set[str]:
    """Date strings in the page chrome within a day of the fetch time: its clock."""
    out: set[str] = set()
    for line in chrome_lines(page):
        for rx in (NUKEVIET_DATE_RE, ANY_DATE_RE):
            for m in rx.finditer(line):
                if is_clock(m.group(0), page.now):
                    out.add(norm(m.group(0)))
    return out


def article_date(page: GenericPage, title: str, listing: dict[str, Any]
                 ) -> tuple[str | None, str]:
    """(raw date, source): the date printed nearest the title in the content region;
    never a clock, never a date inside the title itself."""
    before, after = near_title(page, title)
    chrome = chrome_lines(page)
    key = title.casefold()
    now = page.now

    def usable(line: str) -> bool:
        low = line.casefold()
        return bool(line) and not (key and (key in low or (len(low) > 10 and low in key)))

    def not_clock(found: str, line: str) -> bool:
        # The same string in the chrome, or above the title, within a day of the fetch
        # time: the render clock printed again inside the content region.
        return not (is_clock(found, now) and (
            any(found in c for c in chrome) or line in before or page.spider.is_clock_text(
                found)))

    for line in after:
        found = find_date(line, labelled_only=True, now=now) if usable(line) else None
        if found and not_clock(found, line):
            return found, "article_meta"
    for line in before:
        found = find_date(line, labelled_only=True, now=now, refuse_recent=True) \
            if usable(line) else None
        if found and not_clock(found, line):
            return found, "article_meta"
    machine = page.root.xpath(_MACHINE_DATES)
    if not machine:  # the first <time> of the content, related blocks removed
        machine = page.main.xpath("//time/@datetime")[:1]
    for value in machine:
        value = value.strip()
        if value and not is_render_clock(value) and find_date(
                value, labelled_only=False, now=now) is not None:
            return value, "article_meta"
    for line in (*after, *before):
        if not usable(line) or len(line) > 80:
            continue
        found = find_date(line, labelled_only=False, now=now)
        if found and date_line(line, found) and not_clock(found, line):
            return found, "article_meta"
    if listing.get("date_raw"):
        return listing["date_raw"], "listing"
    return None, ""
