"""What every site spider shares: the site it is bound to, the host it crawls (the live site
or a mirror), and which article links it fetches.

`SiteSpider` admits an article link once per article (its spellings: tracking parameters, host
twins, `/node/N` shortlinks, another %-encoding), asks the archive whether it is new, due for a
refresh or known, holds the links found outside the listings until the listings end
(`defer`), and then re-checks archived articles no listing showed (`_sweep_due`). The fetch-log
reports come from `ReportingSpider` (outcomes.py); reading an article page through a family's
selectors is article_reading.py, walking its listings listing.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from w3lib.url import safe_url_string

from archive.urls import ArticleSpellings, canonicalize_url, host_twins, same_site
from pipelines.items import FetchOutcome
from scrapers.platforms.outcomes import ReportingSpider, first_scheduled
from scrapers.platforms.recheck import Recheck, Rechecks

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


class SiteSpider(ReportingSpider):
    """Base for CMS-family spiders; a concrete spider class is made per site file."""

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
        # A held request, or None for a plain article link rebuilt when scheduled.
        self._deferred: dict[str, scrapy.Request | None] = {}
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

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.schedule_deferred, signal=signals.spider_idle)
        return spider

    def parse_article(self, response: Response, listing: dict[str, Any]) -> Iterator[Any]:
        """The callback of article requests (`article_fetch`; `listing`: the facts of the
        listing row that linked it). The CMS families read the page through their selectors
        (`ArticleReader`, article_reading.py); `GenericSiteSpider` reads a saved page for
        `check-site --fixtures`. The generic spider reads every page in `parse_page` instead
        and routes its re-checks there (`recheck_request`)."""
        raise NotImplementedError(f"{type(self).__name__} reads no article page")

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
            self.defer(self.recheck_request(check))

    def recheck_request(self, check: Recheck) -> scrapy.Request:
        """The conditional request (the last capture's ETag / Last-Modified) of a re-check,
        read by the family's article callback; a 304 is an answer, not an error."""
        return scrapy.Request(
            check.url, callback=self.parse_article, errback=self.on_error,
            headers=self.known.validators(check.canonical_url),
            meta={"kind": "article", "refresh": True, "recheck": check.reason,
                  "handle_httpstatus_list": [304]},
            cb_kwargs={"listing": {}},
        )

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

    def learn_spellings(self, response: Response, shortlink: str | None,
                        canonical: str | None) -> None:
        """An article page names its other spellings: the URL first scheduled (before a
        redirect), its shortlink (`/node/N` on Drupal) and its rel=canonical on this site."""
        others = [first_scheduled(response), shortlink and response.urljoin(shortlink)]
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
