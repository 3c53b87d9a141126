"""The generic fallback: archive a site nobody has written a definition for yet.

Discovery, in this order: the start page and every same-host page it links to (menus, section
listings, pagers), `Sitemap:` lines of robots.txt and /sitemap.xml, RSS/Atom feeds the pages
announce (`<link rel=alternate>`, NukeViet's `/<lang>/news/rss/`). Every fetched HTML page is then
classified: an article (a title and a main text, few teaser links) is stored; any other page is a
hub whose links are followed, within a depth and a page bound. Print and save views
(`/print/`, `/savefile/`, `op=print/...`, `?print=1`, a page whose rel=canonical names another
URL) are never stored: their URL is mapped to the article, or the canonical is fetched instead.

Article pages are fetched only once the hubs known so far have been read, so the teaser row that
links an article (often the only place its publication date is printed) is seen first, and so
the headings and <title> suffixes every page repeats (the site name, section names) are known
before an article's title is chosen.

Extraction lives in `scrapers.generic_page` (`GenericPage`, re-exported here) and its rules in
`scrapers.generic_rules`; robots.txt, sitemaps and feeds are read in `generic_discovery.py`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import scrapy
from lxml import etree
from lxml import html as lxml_html
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response

from archive.urls import KeyedMap, KeyedUrls, is_tracking, same_site
from pipelines.items import FetchOutcome
from scrapers.generic_page import GenericPage
from scrapers.generic_rules import (
    ARTICLE_OP_RE,
    ARTICLE_QUERY_KEYS,
    ARTICLE_URL_RES,
    PRINT_OP_RE,
    PRINT_QUERY,
    PRINT_SEGMENTS,
    SKIP_EXT_RE,
    SKIP_OP_RE,
    SKIP_PATH_RE,
    find_date,
    is_pager_url,
    norm,
)
from scrapers.platforms.base import SiteSpider
from scrapers.platforms.generic_discovery import DiscoveryFiles
from scrapers.platforms.outcomes import request_meta
from scrapers.platforms.recheck import Recheck
from scrapers.reparse import full_root

__all__ = ["GenericPage", "GenericSpider", "find_date"]

# A heading or <title> part seen on this many pages is the site's, not an article's.
_SITE_WIDE = 2


class GenericSpider(DiscoveryFiles, SiteSpider):
    """A site with no definition: discover, classify, extract with generic rules."""

    MAX_DEPTH: ClassVar[int] = 5

    def __init__(
        self,
        *args: Any,
        start_url: str | None = None,
        max_articles: int | str | None = None,
        max_depth: int | str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.start_url = (start_url or self.base_url).strip()
        self.host = (urlsplit(self.base_url).hostname or "").lower().removeprefix("www.")
        self.max_articles = int(max_articles) if max_articles not in (None, "", 0, "0") else None
        self.max_depth = int(max_depth) if max_depth not in (None, "") else self.MAX_DEPTH
        # Every URL requested or deferred, by article key (canonical form, learnt pairs): a
        # second spelling of a page (tracking parameters, www./https, %-encoding, a trailing
        # slash, /node/N once a shortlink named it) is never requested.
        self._seen = KeyedUrls(self.spellings.key)
        self._hub_pages = 0
        self._articles_requested = 0
        # Article pages read this run (304s of re-checks included): "no silent zero" counts
        # them here, in the crawl's own process, not from the writer's later statistics.
        self.articles_met = 0
        self._teasers: Any = KeyedMap(self.spellings.key)  # article URL -> listing facts
        self._pending: dict[str, int] = {}  # article candidates waiting for the hubs, -> depth
        self._feed_probed = False
        self._headings: Counter[str] = Counter()  # heading text (casefolded) -> pages
        self._title_parts: Counter[str] = Counter()  # non-first <title> part -> pages
        self._clocks: set[str] = set()  # date strings seen in page chrome near the fetch time

    # -- URLs --------------------------------------------------------------------------------

    def same_host(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
        # The school's live host and its twins (http/https, www.) are this site too: their
        # links are moved onto the crawled host by normalise().
        return host == self.host or same_site(url, self.site.base_url, self.spellings.aliases)

    def normalise(self, url: str) -> str | None:
        """The URL to fetch for a link, or None when it is off-site or never worth fetching.

        Print and save views name their article: NukeViet's `/print/` and `/savefile/` segments
        and `op=print/<cat>/<slug>-<id>` are dropped, like `?print=1`."""
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not self.same_host(url):
            return None
        path = parts.path or "/"
        if SKIP_EXT_RE.search(path) or SKIP_PATH_RE.search(path):
            return None
        segments = path.split("/")
        kept = [s for i, s in enumerate(segments) if i == 0 or s.lower() not in PRINT_SEGMENTS]
        path = "/".join(kept) or "/"
        pairs = []
        for k, v in parse_qsl(parts.query, keep_blank_values=True):
            key = k.lower()
            if is_tracking(key):  # utm_*, fbclid, Zalo's zarsrc...: the same page
                continue
            if key in PRINT_QUERY and PRINT_QUERY[key] in ("", v.lower()):
                continue
            if key == "op":
                if SKIP_OP_RE.match(v):
                    return None
                v = PRINT_OP_RE.sub("", v)
            pairs.append((k, v))
        query = urlencode(pairs)
        # Links are fetched on the crawled host (a mirror keeps its own scheme and port).
        base = urlsplit(self.base_url)
        return urlunsplit((base.scheme, base.netloc, path, query, ""))

    @staticmethod
    def is_article_url(url: str) -> bool:
        parts = urlsplit(url)
        if any(p.search(parts.path) for p in ARTICLE_URL_RES):
            return True
        pairs = parse_qsl(parts.query)
        if any(k.lower() == "op" and ARTICLE_OP_RE.match(v) for k, v in pairs):
            return True
        return bool({k.lower() for k, _ in pairs} & ARTICLE_QUERY_KEYS)

    is_pager_url = staticmethod(is_pager_url)

    def same_page(self, a: str, b: str) -> bool:
        """Two URLs that name one page once moved onto the crawled host (canonical links name
        the live host; percent-encoding and a trailing slash differ)."""
        def key(url: str) -> tuple[str, tuple[tuple[str, str], ...]] | None:
            parts = urlsplit(url)
            if parts.hostname and not self.same_host(url):
                live = {urlsplit(u).hostname for u in (self.site.base_url, *getattr(
                    self.site, "aliases", ()))}
                if parts.hostname not in live:
                    return None
            path = unquote(parts.path).rstrip("/") or "/"
            return path.casefold(), tuple(sorted(parse_qsl(parts.query)))
        ka, kb = key(a), key(b)
        return ka is not None and ka == kb

    # -- what every page repeats -------------------------------------------------------------

    def note_page(self, page: GenericPage, *, headings: bool = True) -> None:
        """Learn what pages repeat: headings (site name, sections; from hubs), <title> parts
        after the first (`- category - school`), and the clock strings of the chrome."""
        if headings:
            for text in set(page.site_headings()):
                self._headings[text.casefold()] += 1
        for part in set(page.title_parts()[1:]):
            self._title_parts[part] += 1
        self._clocks.update(page.clock_strings())

    def is_site_heading(self, text: str) -> bool:
        return self._headings[norm(text).casefold()] >= _SITE_WIDE

    def title_suffixes(self) -> set[str]:
        return {p for p, n in self._title_parts.items() if n >= _SITE_WIDE}

    def is_clock_text(self, raw: str) -> bool:
        """A date string printed as the page's clock on a page read before."""
        return norm(raw) in self._clocks

    # -- requests ----------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[scrapy.Request]:
        start = self.normalise(self.start_url) or self.base_url + "/"
        self._seen.add(start)
        yield self.page_request(start, depth=0, listing={})
        for path, callback in (("/robots.txt", self.parse_robots),
                               ("/sitemap.xml", self.parse_sitemap)):
            url = self.base_url + path
            self._seen.add(url)
            yield self.probe_request(url, callback)

    def page_request(
        self, url: str, depth: int, listing: dict[str, Any], *, article: bool = False
    ) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_page,
            errback=self.on_error,
            priority=0 if article else 10,
            meta={"kind": "article" if article else "listing", "depth": depth},
            cb_kwargs={"listing": listing},
        )

    def follow(self, url: str, depth: int, *,
               candidate: bool) -> Iterator[scrapy.Request | FetchOutcome]:
        """Schedule a hub now, or hold an article candidate until the hubs are read."""
        if url in self._seen:
            first = self._seen.first(url)
            if first != url and (candidate or self.is_article_url(url)):
                # Another spelling of an article already requested or held: never fetched,
                # and the fetch log says which article it names.
                yield self.same_article(url, self.spellings.key(url))
            return
        if depth > self.max_depth:
            return
        if candidate or self.is_article_url(url):
            if self._fetch_status(url) == "known":
                self._seen.add(url)
                self.crawler.stats.inc_value("luutru/known_skipped")
                return
            self._seen.add(url)
            self._pending.setdefault(url, depth)
            return
        if self.max_pages is not None and self._hub_pages >= self.max_pages:
            return
        self._seen.add(url)
        self._hub_pages += 1
        yield self.page_request(url, depth, {})

    def schedule_deferred(self) -> None:
        """On idle: the hubs are read, so the article candidates go out with their teaser facts."""
        if self._pending:
            pending, self._pending = self._pending, {}
            scheduled = False
            for url, depth in pending.items():
                if self.max_articles is not None and self._articles_requested >= self.max_articles:
                    break
                self._articles_requested += 1
                if self.known is not None:
                    self._requested.add(self.known.canonical(url))
                request = self.page_request(
                    url, depth, dict(self._teasers.get(url, {})), article=True
                )
                if self._seen.first(url) not in (None, url):
                    # Named by a page read since it was held (a shortlink): the duplicate
                    # filter drops it unrequested (scrapers/fingerprint.py), the log says why.
                    request.meta["same_article"] = self.spellings.key(url)
                self.crawler.engine.crawl(request)
                scheduled = True
            if scheduled:
                raise DontCloseSpider
        super().schedule_deferred()

    def recheck_request(self, check: Recheck) -> scrapy.Request:
        """A re-check is read like any page (`parse_page`: a 304 is `unchanged`), as an
        article at the depth bound, so that its links start no new exploration."""
        request = super().recheck_request(check)
        request.meta["depth"] = self.max_depth
        return request.replace(callback=self.parse_page)

    # -- teasers -----------------------------------------------------------------------------

    def remember_teasers(self, page: GenericPage, listing_url: str, section: str) -> None:
        """What a hub page says of each article it links (title, date), for the article."""
        for url, candidate in page.links():
            if candidate:
                facts = page.teaser(url)
                facts["section"] = section
                facts["listing_url"] = listing_url
                self._remember_teaser(url, facts)

    def _remember_teaser(self, url: str, facts: dict[str, Any]) -> None:
        """Keep the best teaser seen for an article: one with a date beats one without."""
        old = self._teasers.get(url)
        if old is None or (facts.get("date_raw") and not old.get("date_raw")):
            merged = {**(old or {}), **{k: v for k, v in facts.items() if v}}
            self._teasers[url] = merged
        elif old is not None and facts.get("section") and not old.get("section"):
            old["section"] = facts["section"]

    # -- pages -------------------------------------------------------------------------------

    def parse_page(self, response: Response, listing: dict[str, Any]) -> Iterator[Any]:
        meta = request_meta(response)
        kind = meta.get("kind", "listing")
        if response.status == 304:
            self.articles_met += 1
            yield self.not_modified(response)
            return
        if not isinstance(response, scrapy.http.HtmlResponse):
            skipped = self.not_html(response)
            if skipped is not None:
                yield skipped
            else:  # an XML answer where a page was expected: maybe a feed
                yield from self.parse_feed(response)
            return
        depth = int(meta.get("depth", 0))
        try:
            root = lxml_html.fromstring(response.text)
        except (etree.ParserError, ValueError):
            yield self.no_article(response) if kind == "article" else self.listed(response)
            return
        root, state = full_root(root, response.text)  # libxml2 lost text: BeautifulSoup
        if root is None:
            yield self.report(response, "failed", kind, state)
            return
        if depth == 0:
            yield from self._feeds(response, root)
        listing = {**self._teasers.get(response.url, {}), **listing}
        page = GenericPage(self, response, root)
        self.note_page(page, headings=False)
        target = self._canonical_elsewhere(page)
        if target is not None:
            # A print/save view or a copy under another URL: the canonical is the article.
            self.crawler.stats.inc_value("luutru/not_canonical")
            yield self.report(response, "skipped", kind, "not_canonical")
            if listing:
                self._remember_teaser(target, {k: v for k, v in listing.items()
                                               if k in ("title_raw", "date_raw", "section",
                                                        "listing_url")})
            yield from self.follow(target, depth, candidate=True)
            return
        article = page.article(listing)
        if article is not None:
            # Its other spellings (the URL first scheduled, the shortlink `/node/N`) name it.
            self.learn_spellings(response, article.shortlink, article.canonical_link)
            if state == "reparsed":  # the fetch log says the text comes from the re-parse
                article.flags.append("reparsed")
            self.articles_met += 1
            yield article
            links_depth = depth + 1
            for url, candidate in page.links():
                yield from self.follow(url, links_depth, candidate=candidate)
            return
        if kind == "article" and self.is_article_url(response.url):
            yield self.no_article(response)
        else:
            yield self.listed(response)
        for text in set(page.site_headings()):  # hubs only: an article's own heading is not
            self._headings[text.casefold()] += 1  # repeated, however many times it is read
        section = page.heading()
        if section:
            self._title_parts[section] += _SITE_WIDE  # a section name ends article titles
        self.remember_teasers(page, response.url, section)
        for url, candidate in page.links():
            next_depth = depth if self.is_pager_url(url) else depth + 1
            yield from self.follow(url, next_depth, candidate=candidate)

    def _canonical_elsewhere(self, page: GenericPage) -> str | None:
        """The URL to fetch instead of an article page whose rel=canonical names another page
        of this site (never the home page), or None."""
        canonical = page.canonical()
        response = page.response
        if not canonical or self.same_page(canonical, response.url):
            return None
        parts = urlsplit(canonical)
        live = {urlsplit(u).hostname for u in (self.site.base_url, *getattr(
            self.site, "aliases", ()))}
        foreign = bool(parts.hostname) and not self.same_host(canonical) \
            and parts.hostname not in live
        if (parts.path or "/").strip("/") in ("", "index.php") and not parts.query:
            return None
        base = urlsplit(self.base_url)
        target = self.normalise(urlunsplit((base.scheme, base.netloc, parts.path or "/",
                                            parts.query, "")))
        if target is None or target == response.url or not page.is_article():
            return None
        # Another host (a mirror's live site, or a newspaper the text came from): only a path
        # this site links itself is taken for the same page.
        if foreign and target not in self._seen:
            return None
        return target
