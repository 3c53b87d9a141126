"""The discovery files of the generic spider: robots.txt, sitemaps, RSS/Atom feeds.

A site nobody described still says where its pages are: `Sitemap:` lines in robots.txt,
/sitemap.xml (or a sitemap index), and the feeds its pages announce (`<link rel=alternate>`,
NukeViet's `/<lang>/news/rss/`, which may be an HTML page listing per-category feeds). Each file
is optional: one the site does not have (403/404/410) is a `skipped` row, never an error. The
URLs found go through `GenericSpider.follow` like any link; a feed entry's date and title are
kept as the article's teaser facts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import scrapy
from lxml import etree
from scrapy.http import Response, TextResponse

from archive.urls import KeyedUrls
from pipelines.items import FetchOutcome
from scrapers.generic_rules import feed_date, norm, xml_root
from scrapers.platforms.outcomes import ReportingSpider


class DiscoveryFiles(ReportingSpider):
    """robots.txt, sitemaps and feeds, read for `GenericSpider` (which mixes this in)."""

    # Provided by GenericSpider. Annotations only: no class attribute here shadows them.
    _seen: KeyedUrls
    _feed_probed: bool
    normalise: Callable[[str], str | None]
    same_host: Callable[[str], bool]
    follow: Callable[..., Iterator[scrapy.Request | FetchOutcome]]
    _remember_teaser: Callable[[str, dict[str, Any]], None]

    _xml_root = staticmethod(xml_root)  # kept for callers of the old name

    def probe_request(self, url: str, callback: Any, depth: int = 0) -> scrapy.Request:
        """A discovery file (robots.txt, sitemap, feed) whose absence is no error."""
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            priority=20,
            meta={"kind": "listing", "handle_httpstatus_list": [404, 410, 403], "depth": depth},
        )

    def _opening(self, response: Response, absent: str) -> FetchOutcome:
        """The fetch-log row of a discovery file: `skipped` for the reason `absent` when the
        site has none (403/404/410; nothing more is read), else `crawled`."""
        if response.status in (403, 404, 410):
            return self.report(response, "skipped", "listing", absent)
        return self.listed(response)

    def parse_robots(self, response: Response) -> Iterator[Any]:
        """robots.txt: its `Sitemap:` lines are read next."""
        yield (opening := self._opening(response, "no_robots_txt"))
        if opening.outcome == "skipped":
            return
        text = response.text if isinstance(response, TextResponse) else ""
        for line in text.splitlines():
            key, _, value = line.partition(":")
            if key.strip().lower() == "sitemap" and value.strip():
                url = response.urljoin(value.strip())
                target = self.normalise(url) if not url.endswith((".xml", ".gz")) else url
                if target and self.same_host(target) and target not in self._seen:
                    self._seen.add(target)
                    yield self.probe_request(target, self.parse_sitemap)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """A sitemap or a sitemap index: every URL on this host is followed."""
        yield (opening := self._opening(response, "no_sitemap"))
        if opening.outcome == "skipped":
            return
        root = xml_root(response.body)
        locs: list[str] = []
        if root is not None:
            locs = [
                (el.text or "").strip()
                for el in root.iter()
                if isinstance(el.tag, str) and etree.QName(el).localname == "loc"
            ]
        is_index = root is not None and etree.QName(root).localname == "sitemapindex"
        found = 0
        for loc in locs:
            if not loc:
                continue
            if is_index:
                if self.same_host(loc) and loc not in self._seen:
                    self._seen.add(loc)
                    found += 1
                    yield self.probe_request(loc, self.parse_sitemap)
                continue
            url = self.normalise(loc)
            if url:
                found += 1
                yield from self.follow(url, 1, candidate=False)
        if not found:
            self.logger.warning("sitemap_empty: %s gave no URL on this host", response.url)
            self.crawler.stats.inc_value("luutru/sitemap_empty")

    def parse_feed(self, response: Response) -> Iterator[Any]:
        """RSS 2.0 or Atom: article links, each with the entry's date as its listing date."""
        yield (opening := self._opening(response, "no_feed"))
        if opening.outcome == "skipped":
            return
        root = xml_root(response.body)
        if root is None or etree.QName(root).localname == "html":
            # NukeViet's /vi/news/rss/ may be an HTML page listing the per-category feeds.
            if isinstance(response, TextResponse):
                for href in response.css("a::attr(href)").getall():
                    feed = response.urljoin(href)
                    if "/rss" in feed and self.same_host(feed) and feed not in self._seen:
                        self._seen.add(feed)
                        yield self.probe_request(feed, self.parse_feed)
            return
        for entry in root.iter():
            if not isinstance(entry.tag, str):
                continue
            if etree.QName(entry).localname not in ("item", "entry"):
                continue
            link, date, title = "", "", ""
            for child in entry:
                if not isinstance(child.tag, str):
                    continue
                name = etree.QName(child).localname
                if name == "link":
                    link = link or (child.get("href") or child.text or "").strip()
                elif name in ("pubDate", "published", "date") and not date:
                    date = (child.text or "").strip()
                elif name == "title":
                    title = norm(child.text or "")
            url = self.normalise(response.urljoin(link)) if link else None
            if not url:
                continue
            facts: dict[str, Any] = {"listing_url": response.url, "title_raw": title}
            entry_date = feed_date(date)
            if entry_date:
                facts["date_raw"] = entry_date
            self._remember_teaser(url, facts)
            yield from self.follow(url, 1, candidate=True)

    def _feeds(self, response: Response, root: Any) -> Iterator[scrapy.Request]:
        """The feeds a page announces (and NukeViet's news feed, once, on a NukeViet site)."""
        hrefs = root.xpath(
            "//link[@rel='alternate'][contains(@type, 'rss') or contains(@type, 'atom')]/@href"
        )
        generator = " ".join(root.xpath("//meta[@name='generator']/@content")).lower()
        if not self._feed_probed and ("nukeviet" in generator or root.xpath(
                "//a[starts-with(@href, '/vi/')] | //script[contains(@src, 'nukeviet')]")):
            hrefs.append("/vi/news/rss/")
        self._feed_probed = True
        for href in hrefs:
            url = response.urljoin(href.strip())
            if self.same_host(url) and url not in self._seen:
                self._seen.add(url)
                yield self.probe_request(url, self.parse_feed)
