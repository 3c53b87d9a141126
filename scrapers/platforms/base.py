"""What every site spider shares: site binding, mirror base URL, outcome reports."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote, urlsplit, urlunsplit

import scrapy
from parsel import Selector
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure
from w3lib.url import safe_url_string

from archive.urls import ArticleSpellings, canonicalize_url, host_twins, same_site
from pipelines.fetchlog import failure_reason
from pipelines.items import ArticleItem, FetchOutcome
from scrapers.crosscheck import cross_check, spider_stats
from scrapers.extract import (
    all_values,
    attachment_urls,
    drop_repeats,
    first_text,
    select_all,
    text_blocks,
)
from scrapers.platforms.recheck import Rechecks
from scrapers.platforms.sections import SectionLedger
from scrapers.reparse import full_root
from scrapers.sites import SiteDef

# Scrapy pops higher priorities first. Article links found outside the listings (related
# links, feeds, re-checks: all held until the listings end) go at ARTICLE_PRIORITY. A listing
# page's rows go before every later page's rows (`row_priority`), and a section's next listing
# page before the rows of the LISTING_LOOKAHEAD pages it follows but behind older ones
# (`listing_priority`): the downloader never waits on the listing -> pager chain while rows are
# queued, and the scheduler holds at most LISTING_LOOKAHEAD + 1 pages of rows per section,
# never whole sections walked ahead through their pagers (docs/benchmarks.md, Memory).
ARTICLE_PRIORITY = 1
LISTING_LOOKAHEAD = 2


def row_priority(page: int) -> int:
    """Priority of the article requests read on a section's listing page number `page`."""
    return -2 * page


def listing_priority(page: int) -> int:
    """Priority of a section's listing page number `page` (1 for its first page): above the
    rows of the LISTING_LOOKAHEAD pages before it, below the rows of any older page."""
    return row_priority(page - LISTING_LOOKAHEAD) + 1


def _same_request(request: scrapy.Request, template: scrapy.Request) -> bool:
    """True when `request` is `template` in every attribute a Request carries (so it may be
    kept as its URL and rebuilt from the template)."""
    return all(getattr(request, name) == getattr(template, name) for name in (
        "url", "method", "body", "callback", "errback", "priority", "dont_filter", "flags",
        "cookies", "encoding", "cb_kwargs")) and request.meta == {
            k: v for k, v in template.meta.items() if k != "claimed"} and (
        request.headers.to_unicode_dict() == template.headers.to_unicode_dict())


def utc_now() -> str:
    """Fetch timestamps are UTC ISO strings, the same on every machine."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def scheduled_url(request: scrapy.Request) -> str:
    """The URL a request was first scheduled under; redirects keep the chain in meta."""
    return request.meta.get("redirect_urls", [request.url])[0]


class SiteSpider(scrapy.Spider):
    """Base for CMS-family spiders; a concrete spider class is made per site file."""

    site: ClassVar[SiteDef]

    def __init__(
        self,
        base_url: str | None = None,
        max_pages: int | str | None = None,
        known: Any = None,
        stop_after_known: int | str = 1,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.base_url = (base_url or self.site.base_url).rstrip("/")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"--base-url must be an http(s) URL, got {base_url!r}")
        self.allowed_domains = [parts.hostname]
        self.max_pages = int(max_pages) if max_pages not in (None, "", 0, "0") else None
        self._listing_pages: dict[str, int] = {}
        self._deferred: dict[str, scrapy.Request] = {}
        # What the archive holds (an object with status(url) -> "new"|"refresh"|"known" and
        # validators(url) -> headers), given by the crawl runner; None on a first crawl.
        self.known = known
        self.stop_after_known = int(stop_after_known)
        self._known_streak: dict[str, int] = {}
        self._requested: set[str] = set()  # canonical URLs of articles requested this run
        # Every spelling of an article requested this run (tracking parameters, host aliases,
        # /node/N once a shortlink named it): a second spelling is skipped, never fetched.
        # The site's own twins (http/https, www.) count too: shared links come back that way.
        self.spellings = ArticleSpellings(
            self.site.base_url, host_twins(*self.site.aliases, self.site.base_url, self.base_url)
        )
        self._swept = False
        self.rechecks = Rechecks(known, self.site.base_url, self.base_url)
        self._related_urls: dict[str, str | None] = {}  # absolute link -> article URL

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.schedule_deferred, signal=signals.spider_idle)
        return spider

    def defer(self, request: scrapy.Request) -> None:
        """Hold a request found outside the listings until every listing has been read.

        Articles linked from "related" blocks must not be fetched before their listing row is:
        the listing row carries the publication date, and a URL is fetched only once. A crawl
        bounded by `max_pages` stays within its listing pages and skips them.
        """
        if request.meta.pop("claimed", False):
            # A held link claims its article only when scheduled (schedule_deferred): a
            # listing row read meanwhile, with its date, wins over a related link.
            self.spellings.release(request.url)
        if self.max_pages is None and request.url not in self._deferred:
            # Thousands are held until the listings end (most "Tin khác" links name articles
            # a listing row claims later): a plain article link is kept as its URL alone and
            # rebuilt when scheduled, ~1.3 kB less each (docs/benchmarks.md, Memory).
            plain = _same_request(request, self.article_fetch(request.url, {}))
            self._deferred[request.url] = None if plain else request

    def schedule_deferred(self) -> None:
        if not self._swept:
            self._swept = True
            self._sweep_due()
        if not self._deferred:
            return
        held, self._deferred = self._deferred, {}
        for url, request in held.items():
            if request is None and self.spellings.claimed(url) == url:
                # Requested this run under this very spelling (a listing row): the duplicate
                # filter would drop it unlogged (the URL's fetch is logged already), so no
                # Request is made for it (most held links, on a first crawl).
                continue
            if request is None:
                request = self.article_fetch(url, {})
                del request.meta["claimed"]  # as defer() left it
            first = self.spellings.claimed(request.url)
            if first is not None and first != request.url:
                # Another spelling of an article requested meanwhile, or named by a page
                # fetched since (its shortlink): the duplicate filter drops it without a
                # request (scrapers/fingerprint.py) and the fetch log says why.
                request.meta["same_article"] = self.spellings.key(first)
            elif request.meta.get("kind") == "article":
                self.spellings.claim(request.url)
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    def _sweep_due(self) -> None:
        """Re-check archived articles no listing page showed this run (recent ones due, then
        within the budget the missing and the least recently checked: recheck.py), at their
        canonical path on the crawled host: how an edit or a deletion (404/410) is noticed."""
        if self.known is None or self.max_pages is not None:
            return
        for check in self.rechecks.plan(self._requested, self.spellings.claimed):
            self._requested.add(check.canonical_url)
            self.crawler.stats.inc_value(f"luutru/recheck/{check.reason}")
            self.defer(scrapy.Request(
                check.url, callback=self.parse_article, errback=self.on_error,
                headers=self.known.validators(check.canonical_url),
                meta={"kind": "article", "refresh": True, "recheck": check.reason,
                      "handle_httpstatus_list": [304]},
                cb_kwargs={"listing": {}},
            ))

    def section_url(self, path: str) -> str:
        """Absolute URL of a section path on the crawled host, percent-encoded like a browser's."""
        return self.base_url + quote(path, safe="/?=&%")

    def may_follow_listing(self, section: str) -> bool:
        """Count listing pages per section against `--max-pages`."""
        count = self._listing_pages.get(section, 0)
        if self.max_pages is not None and count >= self.max_pages:
            return False
        self._listing_pages[section] = count + 1
        return True

    def _fetch_status(self, url: str, node_id: int | None = None) -> str:
        """The archive's answer for a link, asked under its spelling and then its article key
        (a host twin, or a pair learnt this run, that the archive's own aliases do not map)."""
        if self.known is None:
            return "new"
        status = self.known.status(url, node_id)
        key = self.spellings.key(url)
        return self.known.status(key, node_id) if status == "new" and key != url else status

    def link_node_id(self, url: str) -> int | None:
        """The CMS's node id a link names by its shape (`/node/N`), where the family says."""
        return None

    def article_request(
        self, response: Response, href: str, listing: dict[str, Any], *,
        priority: int = ARTICLE_PRIORITY,
    ) -> scrapy.Request | FetchOutcome | None:
        """A request for an article linked from `response`; None when the archive has it; a
        `skipped` report (for the fetch log, no request) when the link is another spelling of
        an article requested this run or archived: tracking parameters, a host alias, another
        %-encoding, `/node/N` for an alias.

        Known articles are not fetched again unless due for a refresh, which is a conditional
        request (ETag / Last-Modified from the last capture) that may answer 304.
        """
        url = self.on_crawled_host(safe_url_string(response.urljoin(href)))
        verdict = self._admit(url, claim=True)
        if not isinstance(verdict, tuple):
            return verdict
        status, claimed = verdict
        headers = self.known.validators(url) if status == "refresh" else {}
        return self.article_fetch(url, listing, refresh=status == "refresh", headers=headers,
                                  claimed=claimed, priority=priority)

    def _admit(self, url: str, *, claim: bool) -> tuple[str, bool] | FetchOutcome | None:
        """Whether an article link (on the crawled host) is to be fetched: (the archive's
        status, "new" or "refresh"; True when this call claimed the article for `url`), else
        None (archived) or the `skipped` report of another spelling. `claim=False` for a link
        that is only held (`defer`): it claims its article when scheduled."""
        node_id = self.link_node_id(url)
        status = self._fetch_status(url, node_id)
        if status == "known":
            self.crawler.stats.inc_value("luutru/known_skipped")
            entry = self.known.get(url, node_id) or self.known.get(self.spellings.key(url))
            if self.known.get(url) is None or not self._spelled_canonically(url):
                return self.same_article(url, f"#{entry.article_id}" if entry.article_id
                                         else self.known.canonical(url))
            return None
        first = self.spellings.claimed(url)
        if first is None and node_id is not None and self.known is not None:
            entry = self.known.get(url, node_id)  # archived, due for a refresh under its alias
            if entry is not None and self.known.get(url) is None and entry.article_id:
                return self.same_article(url, f"#{entry.article_id}")
        if first is not None and first != url:
            return self.same_article(url, self.spellings.key(first))
        if first is None and claim:
            self.spellings.claim(url)
        if self.known is not None:
            self._requested.add(self.known.canonical(url))
        return status, first is None and claim

    def follow_related(self, response: Response, hrefs: list[str]) -> Iterator[FetchOutcome]:
        """Hold the article links of a page's related blocks until the listings end (`defer`),
        keyed by URL before any Request is made: most name an article already held, claimed
        by a listing row or archived, and a Request built for each of them cost ~0.9 ms an
        article (docs/benchmarks.md). Yields the `skipped` reports of other spellings."""
        for href in hrefs:
            url = self._related_url(response.urljoin(href))
            if url is None:
                continue
            verdict = self._admit(url, claim=False)
            if not isinstance(verdict, tuple):
                if verdict is not None:
                    yield verdict
                continue
            if self.max_pages is not None or url in self._deferred:
                continue
            if verdict[0] == "refresh":
                request = self.article_fetch(url, {}, refresh=True,
                                             headers=self.known.validators(url))
                del request.meta["claimed"]  # as defer() leaves a held request
                self._deferred[url] = request
            else:
                self._deferred[url] = None  # a plain article link: rebuilt when scheduled

    def _related_url(self, link: str) -> str | None:
        """The article URL (on the crawled host) of an absolute link, or None: memoised, as
        one "Tin khác" block repeats the same links on many pages."""
        found = self._related_urls.get(link, "")
        if found == "":
            if len(self._related_urls) >= 1_024:  # bounded: a long crawl keeps recent ones
                self._related_urls.clear()
            target = self.article_url(link)
            found = self._related_urls[link] = (
                self.on_crawled_host(safe_url_string(target)) if target else None)
        return found

    def article_fetch(self, url: str, listing: dict[str, Any], *, refresh: bool = False,
                      headers: dict[str, str] | None = None, claimed: bool = False,
                      priority: int = ARTICLE_PRIORITY) -> scrapy.Request:
        """The request for an article page, at `priority`: `row_priority` of its listing
        page for a listing row, ARTICLE_PRIORITY for a link found elsewhere (module top)."""
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.on_error,
            headers=headers or {},
            priority=priority,
            meta={"kind": "article", "refresh": refresh,
                  "handle_httpstatus_list": [304], "claimed": claimed},
            cb_kwargs={"listing": listing},
        )

    def on_crawled_host(self, url: str) -> str:
        """A link to one of the site's other origins (http/https, www., the live host when a
        mirror is crawled) moved onto the crawled host, spelling kept: the same page, which
        the off-site filter would drop unrecorded (`not_fetched`) if it were not claimed yet."""
        parts = urlsplit(url)
        base = urlsplit(self.base_url)
        if (parts.scheme, parts.netloc) == (base.scheme, base.netloc):
            return url
        if not same_site(url, self.site.base_url, self.spellings.aliases):
            return url
        return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))

    def file_urls(self, urls: list[str]) -> list[str]:
        """Attached files in one spelling each for the whole run: canonical form on the crawled
        host (a live-host or www. link moved there), so a file linked from two articles, twice
        in one, or under two spellings is downloaded once (downloads are keyed by URL)."""
        spelled = (canonicalize_url(safe_url_string(u), origin=self.base_url,
                                    aliases=self.spellings.aliases) for u in urls)
        return list(dict.fromkeys(spelled))

    def _spelled_canonically(self, url: str) -> bool:
        """True when a link is already in canonical form on the crawled host (a plain listing
        link to an archived article, skipped without a fetch-log row as before)."""
        origins = (self.site.base_url, *self.site.aliases)
        return canonicalize_url(url, origin=self.base_url, aliases=origins) == url

    def same_article(self, url: str, first: str) -> FetchOutcome:
        """The fetch-log row of a link not requested: the article it names is already
        requested this run (`first`: its canonical URL) or archived (`#id`)."""
        self.crawler.stats.inc_value("luutru/same_article_skipped")
        return FetchOutcome(url=url, outcome="skipped", kind="article",
                            reason=f"same_article:{first}")

    def learn_spellings(self, response: Response, shortlink: str | None,
                        canonical: str | None) -> None:
        """An article page names its other spellings: the URL first scheduled (before a
        redirect), its shortlink (`/node/N` on Drupal) and its rel=canonical on this site."""
        others = [scheduled_url(response.request), shortlink and response.urljoin(shortlink)]
        # rel=canonical is trusted only beside a shortlink (Drupal prints both): themes that
        # point every page's canonical at a section or the home page exist.
        if canonical and shortlink:
            target = response.urljoin(canonical)
            origins = (self.site.base_url, *self.site.aliases)
            if same_site(target, self.base_url, origins):
                others.append(target)
        self.spellings.learn(response.url, *others)

    def listing_exhausted(self, section: str, rows: int, known: int) -> bool:
        """True once `stop_after_known` listing pages in a row held only known articles.

        New articles appear at the top of a listing and push older ones down (page drift), so
        after a finished crawl everything new sits before the first all-known page.
        """
        streak = self._known_streak.get(section, 0)
        streak = streak + 1 if rows and known == rows else 0
        self._known_streak[section] = streak
        return self.stop_after_known > 0 and streak >= self.stop_after_known

    @staticmethod
    def report(response: Response, outcome: str, kind: str,
               reason: str | None = None) -> FetchOutcome:
        """What happened to the request behind `response`, for the fetch log."""
        return FetchOutcome(url=scheduled_url(response.request), outcome=outcome, kind=kind,
                            reason=reason, http_status=response.status)

    def not_modified(self, response: Response) -> FetchOutcome:
        return self.report(response, "unchanged", "article", "not_modified")

    def article_item(self, response: Response, *, canonical: str | None,
                     shortlink: str | None, **fields: Any) -> ArticleItem:
        """An ArticleItem with what every family records about the response itself: where it
        was fetched and first scheduled, when, its links, its capture and validators."""
        return ArticleItem(
            site=self.site.slug,
            url=response.url,
            scheduled_url=scheduled_url(response.request),
            fetched_at=utc_now(),
            http_status=response.status,
            canonical_link=response.urljoin(canonical) if canonical else None,
            shortlink=response.urljoin(shortlink) if shortlink else None,
            capture=response.meta.get("warc_ref"),
            **self.validators(response),
            **fields,
        )

    @staticmethod
    def validators(response: Response) -> dict[str, str | None]:
        """ETag and Last-Modified as sent, for the next crawl's conditional request."""
        return {
            name: (value.decode("latin-1") if (value := response.headers.get(header)) else None)
            for name, header in (("etag", "ETag"), ("last_modified", "Last-Modified"))
        }

    def listed(self, response: Response) -> FetchOutcome:
        return self.report(response, "crawled", "listing")

    def on_error(self, failure: Failure) -> Iterator[FetchOutcome]:
        """Errback: every failed request becomes a fetch-log row, and the crawl goes on."""
        request = failure.request  # type: ignore[attr-defined]
        reason, status = failure_reason(failure)
        outcome = "skipped" if reason == "robots_txt" else "failed"
        self.logger.warning("%s %s: %s", outcome, request.url, reason)
        yield FetchOutcome(
            url=scheduled_url(request),
            outcome=outcome,
            kind=request.meta.get("kind", "page"),
            reason=reason,
            http_status=status,
        )

    def not_html(self, response: Response) -> FetchOutcome | None:
        """A skip report for a non-HTML answer (a PDF where an article was expected), else None."""
        if isinstance(response, scrapy.http.TextResponse):
            return None
        return self.report(response, "skipped", response.request.meta.get("kind", "article"),
                           "not_html")

    def no_article(self, response: Response) -> FetchOutcome:
        self.logger.warning("no article found at %s", response.url)
        return self.report(response, "failed", "article", "no_article")


class ListingSpider(SectionLedger, SiteSpider):
    """A CMS family described by data: section listings and their pager, then article pages.

    A family module sets `SELECTORS`; a site file may override any key under [selectors].
    Queries are CSS, or XPath when they start with `/`, `(` or `./` (article-level queries use
    `.//` to stay inside the article element); a list is tried in order and the
    first query that finds something wins. Keys:

    - listing_rows, row_link, row_title, row_date: one row per article teaser on a listing;
    - pager_next (the "next page" link, preferred) or pager_links (every pager link of a
      listing: `?page=N`, `/page-N`, `?start=N`, `?p=N`);
    - feeds: RSS/Atom paths read for more article links, after the listings;
    - article_url_pattern: a regex an article URL's path must match (others are not articles);
    - drop_path_segments: path segments removed from article links (NukeViet `savefile`);
    - node, title, body: the article's element, its title, its body (union queries keep
      document order, so a sapo and the body can be read together);
    - article_date (+ date_pattern to cut the date out of a longer line), author, role,
      byline_line (a regex for an inline `Name – role` paragraph near either end of the body);
    - categories, related_links (followed after every listing was read), node_id_pattern;
    - file_fields: elements holding attached files, besides the body (downloaded with it);
    - drop_repeats (a flag): drop a long paragraph printed twice (a sapo repeated).

    The publication date comes from the article's own date field (`date_source`
    "article_meta") or, failing that, from the listing row ("listing"); `[dates] prefer =
    "listing"` reverses the order. Nothing outside the article element is read for a date, so
    a header clock can never become one.
    """

    SELECTORS: ClassVar[dict[str, Any]] = {}

    def __init__(self, *args: Any, discover: str = "on_failure", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._listing_urls: set[str] = set()
        # "on_failure": discovery replaces a declared section that fails, and runs from the
        # start when a declared section is guessed; "always": the home page's menus, sitemap
        # and feeds are read on every run (`luutru crawl --discover`).
        self.discover = discover
        self.ledger_init()

    # -- data ------------------------------------------------------------------------------

    def selector(self, key: str, default: Any = None) -> Any:
        if key in self.site.selectors:
            return self.site.selectors[key]
        return self.SELECTORS.get(key, default)

    def queries(self, key: str) -> list[str]:
        value = self.selector(key, [])
        return [value] if isinstance(value, str) else list(value)

    def first_match(self, scope: Selector | Response, key: str) -> list[Selector]:
        for query in self.queries(key):
            found = select_all(scope, query)
            if found:
                return found
        return []

    # -- URLs ------------------------------------------------------------------------------

    def article_url(self, url: str) -> str | None:
        """The URL to fetch for an article link, or None when the link is not an article."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return None
        drop = {s.lower() for s in self.queries("drop_path_segments")}
        path = parts.path
        if drop:
            segments = path.split("/")
            kept = [s for i, s in enumerate(segments) if i == 0 or s.lower() not in drop]
            path = "/".join(kept)
        pattern = self.selector("article_url_pattern")
        if pattern and not re.search(pattern, path):
            return None
        return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))

    def listing_request(self, url: str, section: str, *, key: str | None = None,
                        first: bool = False) -> scrapy.Request:
        """A listing page of `section` (`key` tells apart sections of one name: a declared
        one and the discovered one replacing it); `first` marks a section's first page. Its
        number is the count of the section's listing pages requested so far
        (`may_follow_listing`), which sets its priority and its rows' (module top)."""
        self._listing_urls.add(url.rstrip("/"))
        page = max(1, self._listing_pages.get(key or section, 0))
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.on_listing_error,
            cb_kwargs={"section": section},
            priority=listing_priority(page),
            meta={"kind": "listing", "first_page": first, "section_key": key or section,
                  "page": page},
        )

    # -- listings --------------------------------------------------------------------------

    def discovers_from_start(self) -> bool:
        """Discovery runs from the start when asked, when nothing is declared, or when a
        declared section is a guess: a guessed path that happens to answer (a K2 category id
        routes whatever its alias) would otherwise hide the sections nobody saw."""
        if self.discover == "always" or not self.site.sections:
            return True
        return self.discover == "on_failure" and any(s.guessed for s in self.site.sections)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """Declared sections first (hints: one that fails is replaced by discovery), then
        feeds; with no declared section, or `discover="always"`, discovery from the start."""
        for section in self.site.sections:
            url = self.section_url(section.path)
            self.declare(section.name, url, section.source)
            if self.may_follow_listing(section.name):
                yield self.listing_request(url, section.name, first=True)
        if self.discovers_from_start():
            for request in self.start_discovery():
                yield request
        for path in self.queries("feeds"):
            yield scrapy.Request(
                self.section_url(path),
                callback=self.parse_feed,
                errback=self.on_error,
                meta={"kind": "listing"},
            )

    def parse_listing(self, response: Response, section: str) -> Iterator[Any]:
        yield self.listed(response)
        key = (response.request.meta.get("section_key") if response.request else None) or section
        yield from self.listing_body(response, section, key)

    def row_links(self, response: Response, section: str) -> list[tuple[str, dict[str, Any]]]:
        """(article URL, row facts) for each listing row the structural selectors find."""
        found: list[tuple[str, dict[str, Any]]] = []
        for row in self.first_match(response, "listing_rows"):
            href = first_text(row, *self.queries("row_link"))
            if not href or href.startswith(("#", "javascript:", "mailto:")):
                continue
            target = self.article_url(response.urljoin(href))
            if target is not None:
                found.append((target, {"section": section, "listing_url": response.url,
                                       **self.row_facts(row)}))
        return found

    def listing_body(self, response: Response, section: str, key: str) -> Iterator[Any]:
        """Article requests from the rows (else from the URL-shape fallback), the section's
        accounting (an empty page is reported, never passed over), then the pager."""
        if not isinstance(response, scrapy.http.TextResponse):
            yield from self.note_listing(response, section, key, 0)
            return
        links = self.row_links(response, section) or self.fallback_links(response, section, key)
        self.rechecks.listed(self, section, links)  # gaps where a deleted article would sit
        rows = known = 0
        meta = response.request.meta if response.request is not None else {}
        priority = row_priority(meta.get("page", 1))
        for target, facts in links:
            rows += 1
            request = self.article_request(response, target, facts, priority=priority)
            if request is None or (isinstance(request, FetchOutcome)
                                   and (request.reason or "").startswith("same_article:#")):
                known += 1  # already in the archive and not due for a refresh
            if request is not None:
                yield request  # a request, or the skip of another spelling of one
        yield from self.note_listing(response, section, key, rows)
        if not rows:
            return
        if self.listing_exhausted(key, rows, known):
            self.logger.info("%s: page of known articles at %s, stopping", key, response.url)
            return
        pager = all_values(response, *self.queries("pager_next")) or all_values(
            response, *self.queries("pager_links")
        )
        for href in pager:
            if href.startswith(("#", "javascript:")):
                continue
            url = response.urljoin(href)
            if url.rstrip("/") in self._listing_urls:
                continue
            if self.may_follow_listing(key):
                yield self.listing_request(url, section, key=key if key != section else None)

    def row_facts(self, row: Selector) -> dict[str, Any]:
        """What a listing row says about its article, carried into the article's request."""
        return {
            "date_raw": first_text(row, *self.queries("row_date")) or None,
            "title_raw": first_text(row, *self.queries("row_title")),
        }

    def parse_feed(self, response: Response) -> Iterator[Any]:
        """RSS 2.0 `<item><link>` or Atom `<entry><link href>`: more article URLs, read last."""
        yield self.listed(response)
        if not isinstance(response, scrapy.http.TextResponse):
            return
        links = response.xpath(
            "//*[local-name()='item']/*[local-name()='link']/text()"
            " | //*[local-name()='entry']/*[local-name()='link']/@href"
        ).getall()
        targets = [self.article_url(response.urljoin(link.strip())) for link in links]
        self.stat_inc("listing_links", sum(1 for t in targets if t))
        for target in targets:
            request = self.article_request(response, target, {}) if target else None
            if isinstance(request, scrapy.Request):
                self.defer(request)
            elif request is not None:
                yield request

    # -- articles --------------------------------------------------------------------------

    def parse_article(self, response: Response, listing: dict[str, Any]) -> Iterator[Any]:
        if response.status == 304:
            yield self.not_modified(response)
            return
        skipped = self.not_html(response)
        if skipped is not None:
            yield skipped
            return
        page: Selector = response.selector
        scope, fields = self.read_article(page, listing)
        # libxml2 stops at depth 256 and drops the rest: re-parse such a page, never store a
        # truncated body as whole (scrapers/reparse.py).
        body_chars = sum(len(p) for p in fields["paragraphs_raw"])
        root, state = full_root(page.root, response.text, body_chars)
        if state != "whole":
            stats = spider_stats(self)
            if stats is not None:
                stats.inc_value(f"luutru/reparse/{state}")
            self.logger.warning("%s: the parser lost part of %s", state, response.url)
            if root is None:
                yield self.report(response, "failed", "article", "truncated")
                return
            page = Selector(root=root, type="html")
            scope, fields = self.read_article(page, listing)
        generic = cross_check(self, response, fields, root if state != "whole" else None)
        title, paragraphs = fields["title_raw"], fields["paragraphs_raw"]
        if not title or not paragraphs:
            yield self.no_article(response)
            return
        categories = all_values(scope, *self.queries("categories"))
        if listing.get("section") and listing["section"] not in categories:
            categories.insert(0, listing["section"])
        shortlink = page.css("link[rel='shortlink']::attr(href)").get()
        canonical = page.css("link[rel='canonical']::attr(href)").get()
        self.learn_spellings(response, shortlink, canonical)
        yield from self.follow_related(response, all_values(page, *self.queries("related_links")))
        item = self.article_item(
            response,
            canonical=canonical,
            shortlink=shortlink,
            node_id=self.node_id(response, shortlink, scope),
            title_raw=title,
            paragraphs_raw=paragraphs,
            author_raw=fields["author_raw"],
            role_raw=fields["role_raw"],
            categories=categories,
            date_raw=fields["date_raw"],
            date_source=fields["date_source"] if fields["date_raw"] else None,
            listing_url=listing.get("listing_url"),
            attachment_urls=self.file_urls(attachment_urls(
                response.url, [*self.first_match(scope, "body"),
                               *self.first_match(scope, "file_fields")]
            )),
            generic=generic,
            # The fetch log says so: the text comes from the re-parse (scrapers/reparse.py).
            flags=["reparsed"] if state == "reparsed" else [],
        )
        if generic is not None and generic.get("pending"):  # read by pipelines/crosscheck.py
            item.__dict__["_crosscheck_page"] = (response, root if state != "whole" else None)
        yield item

    def read_article(
        self, page: Selector, listing: dict[str, Any]
    ) -> tuple[Selector, dict[str, Any]]:
        """(the article's element, its raw fields) as the family's selectors read them."""
        nodes = self.first_match(page, "node")
        scope: Selector = nodes[0] if nodes else page
        title = first_text(page, *self.queries("title")) or listing.get("title_raw", "")
        paragraphs = [p for el in self.first_match(scope, "body") for p in text_blocks(el)]
        if self.selector("drop_repeats"):  # portals that print the sapo twice
            paragraphs = drop_repeats(paragraphs)
        date_raw, date_source = self.article_date(scope, listing)
        author, role = self.byline(scope, paragraphs) if paragraphs else ("", "")
        if not author:  # the listing row's byline fields, where the family reads them
            author, role = listing.get("author_raw", ""), listing.get("role_raw", "")
        return scope, {"title_raw": title, "paragraphs_raw": paragraphs, "author_raw": author,
                       "role_raw": role, "date_raw": date_raw, "date_source": date_source}

    def article_date(
        self, scope: Selector | Response, listing: dict[str, Any]
    ) -> tuple[str | None, str]:
        """(raw date, source): the article's own date field first, then the listing row's."""
        raw = first_text(scope, *self.queries("article_date")) or None
        pattern = self.selector("date_pattern")
        if raw and pattern:
            match = re.search(pattern, raw, re.IGNORECASE)
            raw = match.group(0) if match else None
        found = [(raw, "article_meta"), (listing.get("date_raw"), "listing")]
        if self.site.dates.get("prefer") == "listing":
            found.reverse()
        if self.site.dates.get("article_pages") is False:
            found = [f for f in found if f[1] != "article_meta"]
        return next(((value, source) for value, source in found if value), (None, ""))

    def byline(self, scope: Selector | Response, paragraphs: list[str]) -> tuple[str, str]:
        """Byline lines as shown: a byline field, or an inline `Name – role` body paragraph.

        An empty result leaves the byline to the article pipeline, which finds the common
        name-line/role-line form at either end of the body.
        """
        author = first_text(scope, *self.queries("author"))
        role = first_text(scope, *self.queries("role"))
        if author:
            return author, role
        pattern = self.selector("byline_line")
        if pattern:
            ends = [*paragraphs[:2], *reversed(paragraphs[-2:])]
            for para in ends:
                line = " ".join(para.split())
                if len(line) < 140 and re.fullmatch(pattern, line):
                    return para, ""
        return "", ""

    def link_node_id(self, url: str) -> int | None:
        pattern = self.selector("node_id_pattern")
        match = re.search(pattern, url) if pattern else None
        return int(match.group(1)) if match else None

    def node_id(
        self, response: Response, shortlink: str | None, scope: Selector | Response
    ) -> int | None:
        """The CMS's own id of the article, from the shortlink or URL, else the node's
        element id (`node-123`): two URLs with one id are one article."""
        pattern = self.selector("node_id_pattern")
        if pattern:
            for candidate in (shortlink or "", response.url):
                match = re.search(pattern, candidate)
                if match:
                    return int(match.group(1))
        element_id = scope.attrib.get("id", "") if isinstance(scope, Selector) else ""
        match = re.fullmatch(r"node-(\d+)", element_id)
        return int(match.group(1)) if match else None
