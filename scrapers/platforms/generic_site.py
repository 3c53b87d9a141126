"""The `generic` family: a school whose CMS is unknown, crawled by the generic discovery and
extraction (`GenericSpider`, what `luutru crawl-url` runs) steered by its site file's hints.

A site file of this family describes what sites.md saw of the school, in a `[hints]` table:

    [hints]
    article_url_pattern = '^/tin-tuc-\\d+/[^/]+-\\d+$'  # regex on the path (+ `?query`)
    article_urls_only = true     # a page whose URL misses the pattern is never an article
    date_label = "Đăng lúc:"     # the label printed before the article's date, if any
    date_examples = ["20:22:56 02/06/2019"]   # dates as printed; digits stand for any digit
    drop_lines = ['^NHIỆT LIỆT CHÀO MỪNG']    # regexes of boilerplate lines (banner, counters)

and its `[[sections]]` (listing paths seen in article URLs) are read first, beside the home
page, robots.txt, sitemaps and feeds. Everything else is the generic rules: hints add what the
site is known to print, they never replace discovery.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import AsyncIterator, Iterator
from functools import cached_property
from importlib import resources
from typing import Any
from urllib.parse import unquote, urlsplit

import scrapy
from lxml import etree
from lxml import html as lxml_html
from parsel import Selector
from scrapy.http import Response

from pipelines.dates import is_render_clock
from pipelines.items import ArticleItem, FetchOutcome
from scrapers.extract import text_blocks
from scrapers.platforms.generic import GenericPage, GenericSpider
from scrapers.sites import SiteDef

HINT_KEYS = frozenset(
    {"article_url_pattern", "article_urls_only", "date_label", "date_examples", "drop_lines"}
)


def site_hints(site: SiteDef) -> dict[str, Any]:
    """The `[hints]` table of a site: from the SiteDef when its loader keeps it, else from the
    packaged site file of that slug (an ad-hoc `crawl-url` site has none)."""
    hints = getattr(site, "hints", None)
    if hints is None:
        entry = resources.files("scrapers.sites").joinpath(f"{site.slug}.toml")
        try:
            hints = tomllib.loads(entry.read_text(encoding="utf-8")).get("hints", {})
        except (FileNotFoundError, OSError):
            hints = {}
    unknown = set(hints) - HINT_KEYS
    if unknown:
        raise ValueError(f"site {site.slug!r}: unknown [hints] key(s) {sorted(unknown)} "
                         f"(known: {', '.join(sorted(HINT_KEYS))})")
    return dict(hints)


def example_regex(example: str) -> str:
    """A regex for dates printed like `example`: digit runs become digit classes (a 4-digit
    run is a year, shorter runs 1-2 digits), spaces any whitespace, the rest literal."""
    out: list[str] = []
    for token in re.findall(r"\d+|\s+|[^\d\s]", example):
        if token.isdigit():
            out.append(r"\d{4}" if len(token) == 4 else r"\d{1,2}")
        elif token.isspace():
            out.append(r"\s*")
        else:
            out.append(re.escape(token))
    return "".join(out)


def date_regex(label: str, examples: list[str]) -> re.Pattern[str] | None:
    """The site's own date shape: its label (optional in the match) then one of its examples."""
    if not examples:
        return None
    shapes = "|".join(f"(?:{example_regex(e)})" for e in examples)
    prefix = ""
    if label:
        words = [re.escape(w) for w in label.strip().rstrip(":").split()]
        prefix = r"(?:" + r"\s+".join(words) + r"\s*:?\s*)?"
    return re.compile(prefix + f"(?:{shapes})", re.IGNORECASE)


class GenericSiteSpider(GenericSpider):
    """GenericSpider bound to a site file: its sections, article URL shape, date shape and
    boilerplate lines, as seen on the real site."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A typo in [hints] (an unknown key, a bad regex) stops the run before any request.
        _ = (self._article_re, self._date_re, self._drop_res)

    @cached_property
    def hints(self) -> dict[str, Any]:
        return site_hints(self.site)

    @cached_property
    def _article_re(self) -> re.Pattern[str] | None:
        pattern = self.hints.get("article_url_pattern")
        return re.compile(pattern, re.IGNORECASE) if pattern else None

    @cached_property
    def _date_re(self) -> re.Pattern[str] | None:
        return date_regex(self.hints.get("date_label", ""), list(self.hints.get("date_examples",
                                                                                [])))

    @cached_property
    def _drop_res(self) -> list[re.Pattern[str]]:
        return [re.compile(p, re.IGNORECASE) for p in self.hints.get("drop_lines", [])]

    def count(self, key: str, n: int = 1) -> None:
        """A crawl stat (none when `check-site --fixtures` runs the spider without an engine)."""
        crawler = getattr(self, "crawler", None)
        if crawler is not None and crawler.stats is not None:
            crawler.stats.inc_value(key, n)

    def closed(self, reason: str) -> None:
        """No silent zero without listings either: a finished run that read the site but met
        no article at all (read, or skipped as known) must not pass for a success
        (the run guards record it failed, exit 6), where a family spider's listing ledger
        would have said so (scrapers/platforms/sections.py)."""
        stats = self.crawler.stats if getattr(self, "crawler", None) else None
        if stats is None or reason != "finished":
            return
        met = self.articles_met + stats.get_value("luutru/known_skipped", 0)
        pages = stats.get_value("response_received_count", 0)
        if met == 0 and pages:
            message = (f"{pages} page(s) read from {self.start_url} and not one article among "
                       "them: check the site file's [hints] and `luutru check-site`")
            self.logger.warning("no silent zero: %s", message)
            stats.set_value("luutru/silent_zero", [message])

    # -- URLs --------------------------------------------------------------------------------

    def hinted_article(self, url: str) -> bool:
        """True when `url` has the site's own article shape (path, plus `?query` if any)."""
        if self._article_re is None:
            return False
        parts = urlsplit(url)
        target = unquote(parts.path) + (f"?{parts.query}" if parts.query else "")
        return bool(self._article_re.search(target))

    def is_article_url(self, url: str) -> bool:  # type: ignore[override]
        """The site's shape when its file gives one and says it is the only one; else the
        site's shape or any shape the generic rules know."""
        if self._article_re is not None and self.hints.get("article_urls_only"):
            return self.hinted_article(url)
        return self.hinted_article(url) or GenericSpider.is_article_url(url)

    # -- requests ----------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        async for request in super().start():
            yield request
        for section in self.site.sections:  # listing paths seen on the site: read them early
            url = self.normalise(self.section_url(section.path))
            if url and url not in self._seen:
                self._seen.add(url)
                yield self.page_request(url, depth=1, listing={"section": section.name})

    # -- pages -------------------------------------------------------------------------------

    def parse_page(self, response: Response, listing: dict[str, Any]) -> Iterator[Any]:
        """The generic page handling, then the site's hints applied to what it stored."""
        for out in super().parse_page(response, listing):
            if isinstance(out, ArticleItem):
                if (self.hints.get("article_urls_only") and self._article_re is not None
                        and not self.hinted_article(response.url)):
                    # A hub the generic rules took for an article (a last listing page with
                    # two teasers, an About page): counted, read as a hub.
                    self.count("luutru/generic/not_article_shape")
                    yield self.listed(response)
                    self._remember_hub_teasers(response)
                    continue
                self.apply_hints(out, response)
            yield out

    def _remember_hub_teasers(self, response: Response) -> None:
        """The teaser facts (title, date) of a page read as a hub after all."""
        page = self._page(response)
        if page is None:
            return
        self.remember_teasers(page, response.url, page.heading())

    def _page(self, response: Response) -> GenericPage | None:
        try:
            root = lxml_html.fromstring(response.text)
        except (etree.ParserError, ValueError):
            return None
        return GenericPage(self, response, root)

    def apply_hints(self, item: ArticleItem, response: Response) -> None:
        """Date in the site's own shape next to the title; the site's boilerplate lines out;
        the date line above the body out of it; a teaser "date" that is a date mentioned in
        the article's own sentences (`Sáng ngày 2/4/2020, ...`) refused."""
        head = item.paragraphs_raw[:3]
        if item.date_raw and any(" ".join(p.split()) == item.date_raw for p in head):
            item.paragraphs_raw = [p for i, p in enumerate(item.paragraphs_raw)
                                   if i >= 3 or " ".join(p.split()) != item.date_raw]
            self.count("luutru/generic/hint_dropped_lines")
        if item.date_source == "listing" and item.date_raw and any(
                item.date_raw in p and len(p) > len(item.date_raw) + 30
                for p in item.paragraphs_raw):
            self.count("luutru/generic/listing_date_in_body")
            self.logger.info("refused listing date %r of %s: a date the text mentions",
                             item.date_raw, response.url)
            item.date_raw, item.date_source = None, None
        if self._drop_res:
            kept = [p for p in item.paragraphs_raw
                    if not any(r.search(" ".join(p.split())) for r in self._drop_res)]
            dropped = len(item.paragraphs_raw) - len(kept)
            if dropped:
                self.count("luutru/generic/hint_dropped_lines", dropped)
                item.paragraphs_raw = kept
        if self._date_re is not None:
            kept = [p for p in item.paragraphs_raw if not self.is_date_line(p)]
            dropped = len(item.paragraphs_raw) - len(kept)
            if dropped:  # the date line printed above the body
                self.count("luutru/generic/hint_dropped_lines", dropped)
                item.paragraphs_raw = kept
            found = self.hinted_date(response, item.title_raw)
            if found and found != item.date_raw:
                self.count("luutru/generic/hint_date")
                item.date_raw, item.date_source = found, "article_meta"

    def is_date_line(self, paragraph: str) -> bool:
        """A line that is the site's date and little else (a view counter, separators)."""
        assert self._date_re is not None
        line = " ".join(paragraph.split())
        match = self._date_re.search(line)
        if match is None or len(line) > 90:
            return False
        rest = line[:match.start()] + " " + line[match.end():]
        rest = re.sub(r"\(GMT[+-]\d+\)|\d+|lượt\s+(?:xem|đọc)|views?|[^\w]+", " ", rest,
                      flags=re.IGNORECASE)
        return len(rest.strip()) <= 3

    def hinted_date(self, response: Response, title: str) -> str | None:
        """The first date of the site's shape in the lines around the title (3 before, 8
        after), where the article's own date is printed; never a render clock."""
        assert self._date_re is not None
        lines = _page_lines(response)
        key = " ".join(title.split()).casefold()
        start = next((i for i, line in enumerate(lines) if line.casefold() == key), None)
        if start is None:
            start = next((i for i, line in enumerate(lines)
                          if len(key) > 20 and key in line.casefold()), None)
        if start is None:
            return None
        for line in lines[max(0, start - 3): start + 9]:
            if line.casefold() == key:
                continue
            match = self._date_re.search(line)
            if match and not is_render_clock(line):
                return match.group(0).strip()
        return None

    # -- check-site --fixtures: saved pages read without an engine ----------------------------

    def parse_listing(self, response: Response, section: str = "") -> Iterator[Any]:
        """A saved listing page: its article links as requests carrying the teaser facts."""
        for out in self.parse_page(response, {"section": section} if section else {}):
            if isinstance(out, FetchOutcome):
                yield out
        pending, self._pending = self._pending, {}
        for url, depth in pending.items():
            yield self.page_request(url, depth, dict(self._teasers.get(url, {})), article=True)

    def parse_article(self, response: Response, listing: dict[str, Any]) -> Iterator[Any]:
        """A saved article page: the article, or a failure report."""
        stored = False
        for out in self.parse_page(response, listing):
            if isinstance(out, ArticleItem):
                stored = True
                yield out
            elif isinstance(out, FetchOutcome) and out.outcome == "failed":
                yield out
                stored = True
        if not stored:
            yield self.no_article(response)


def _page_lines(response: Response) -> list[str]:
    """The page's text lines in document order (forms kept: ASP.NET wraps pages in one)."""
    try:
        root = lxml_html.fromstring(response.text)
    except (etree.ParserError, ValueError):
        return []
    for form in root.iter("form"):
        form.tag = "div"
    body = root.find("body")
    return [" ".join(t.split()) for t in text_blocks(
        Selector(root=body if body is not None else root, type="html"))]
