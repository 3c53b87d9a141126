"""The spider side of section discovery and the listing fallback: what each section yielded,
what replaced a failed one, and the run's "no silent zero" verdict.

`ListingSpider` mixes this in. Declared sections (the site file's) are read first; the first
one that answers 404, or whose first listing page shows no article link, starts discovery:
the home page's menus, sitemap.xml and feeds, filtered through the family's URL shapes
(scrapers/discovery.py). Each listing-shaped link is probed; a probe whose page lists articles
becomes a discovered section. Every step is a warning in the log and a stat in the run record:

- `luutru/sections_failed`      [{section, url, reason, source}] declared sections that failed
- `luutru/sections_discovered`  [{section, url, links}] sections found on the site instead
- `luutru/empty_listings`       [{section, url}] listing pages that showed no article link
- `luutru/empty_sections`       [{section, url}] listings the CMS itself says are empty
  (Drupal Views' `view-empty`): a warning and a record, not a missed layout
- `luutru/listing_fallback`     listing pages read by URL shape (the row selectors found none)
- `luutru/listing_links`        article links seen on listings, sitemaps and feeds (known ones
  included: an unchanged site's re-crawl sees its known articles, so it is not a silent zero)
- `luutru/silent_zero`          [message] why this run must not pass for a success (exit 6)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from pipelines.items import FetchOutcome
from scrapers import discovery

MAX_PROBES = 40  # listing-shaped links probed per run (menus first)
MIN_PROBE_LINKS = 2  # a probed page is a listing when it links this many articles
HOME = "home"


@dataclass
class SectionState:
    name: str
    url: str
    origin: str  # "declared" | "probe" (a discovered candidate) | "home"
    source: str = ""  # where the site file saw it, "" for a guess
    pages: int = 0  # listing pages that answered
    links: int = 0  # article links they showed
    failed: str = ""  # why a declared section was replaced
    promoted: bool = False  # a probe that listed articles: a discovered section
    empty: bool = False  # the CMS printed its "nothing to list" marker


class _ArticleRequest(Protocol):
    """`SiteSpider.article_request`, as the ledger calls it."""

    def __call__(self, response: Response, href: str, listing: dict[str, Any], *,
                 priority: int = ...) -> scrapy.Request | FetchOutcome | None: ...


class SectionLedger:
    """Bookkeeping of sections, discovery and fallbacks for a `ListingSpider`."""

    # Provided by ListingSpider and the classes it builds on (scrapy.Spider, SiteSpider,
    # ArticleReader). Annotations only: no class attribute here shadows their methods.
    site: Any
    base_url: str
    logger: Any
    _listing_urls: set[str]
    discover: str
    article_url: Callable[[str], str | None]
    article_request: _ArticleRequest
    defer: Callable[[scrapy.Request], None]
    may_follow_listing: Callable[[str], bool]
    listing_request: Callable[..., scrapy.Request]
    listing_body: Callable[[Response, str, str], Iterator[Any]]
    listed: Callable[[Response], FetchOutcome]
    parse_feed: Callable[[Response], Iterator[Any]]
    on_error: Callable[[Failure], Iterator[FetchOutcome]]

    def ledger_init(self) -> None:
        self._sections: dict[str, SectionState] = {}
        self._discovery_started = False
        self._probes = 0
        self._fallback_warned: set[str] = set()
        self._shapes: discovery.UrlShapes | None = None

    # -- stats -----------------------------------------------------------------------------

    def _stats(self) -> Any:
        crawler = getattr(self, "crawler", None)
        return getattr(crawler, "stats", None)

    def stat_inc(self, key: str, count: int = 1) -> None:
        stats = self._stats()
        if stats is not None:
            stats.inc_value(f"luutru/{key}", count)

    def stat_append(self, key: str, value: Any) -> None:
        stats = self._stats()
        if stats is not None:
            stats.set_value(f"luutru/{key}", [*stats.get_value(f"luutru/{key}", []), value])

    @property
    def shapes(self) -> discovery.UrlShapes:
        if self._shapes is None:
            self._shapes = discovery.family_shapes(type(self), self.site.selectors,
                                                   self.site.cms)
        return self._shapes

    def empty_markers(self) -> list[str]:
        value = self.site.selectors.get("empty_listing",
                                        discovery.EMPTY_LISTING.get(self.site.cms, ()))
        return [value] if isinstance(value, str) else list(value)

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    # -- sections --------------------------------------------------------------------------

    def declare(self, name: str, url: str, source: str) -> None:
        self._sections[name] = SectionState(name, url, "declared", source)

    def section_state(self, key: str, name: str, url: str) -> SectionState:
        if key not in self._sections:
            self._sections[key] = SectionState(name, url, "declared")
        return self._sections[key]

    def fallback_links(self, response: TextResponse, section: str, key: str
                       ) -> list[tuple[str, dict[str, Any]]]:
        """Article-shaped links of the page's content region, when the row selectors found
        none: counted per page, and a warning the first time per section."""
        found: list[tuple[str, dict[str, Any]]] = []
        for url, text in discovery.article_links(response.selector, response.url, self.shapes,
                                                 urlsplit(response.url).hostname or self.host):
            target = self.article_url(url)
            if target is not None:
                found.append((target, {"section": section, "listing_url": response.url,
                                       "date_raw": None, "title_raw": text}))
        state = self._sections.get(key)
        if state is not None and state.origin != "declared" and len(found) < MIN_PROBE_LINKS:
            return []  # a probed page with a stray article link is not a listing
        if found:
            self.stat_inc("listing_fallback")
            self.stat_inc("listing_fallback_links", len(found))
            if key not in self._fallback_warned:
                self._fallback_warned.add(key)
                self.logger.warning(
                    "listing fallback: section %r at %s: the row selectors found no article, "
                    "%d article links taken by URL shape from the content region (the "
                    "listing's markup differs from the family's selectors)",
                    section or key, response.url, len(found))
        return found

    def note_listing(self, response: Response, section: str, key: str, rows: int
                     ) -> Iterator[Any]:
        """Account one listing page; an empty first page of a declared section starts
        discovery, a probe that lists articles becomes a discovered section."""
        state = self.section_state(key, section, response.url)
        state.pages += 1
        state.links += rows
        self.stat_inc("listing_links", rows)
        if rows:
            if state.origin in ("probe", HOME) and not state.promoted:
                state.promoted = True
                self.stat_append("sections_discovered",
                                 {"section": state.name, "url": response.url, "links": rows})
                self.logger.warning("section discovered: %r at %s (%d article links)",
                                    state.name, response.url, rows)
            return
        if state.origin in ("probe", HOME):
            self.logger.debug("discovery: %s lists no article", response.url)
            return
        if isinstance(response, TextResponse) and discovery.says_empty(
                response.selector, self.empty_markers()):
            # The CMS itself says the section is empty: reported, not a missed layout.
            state.empty = True
            self.stat_append("empty_sections", {"section": state.name, "url": response.url})
            self.logger.warning("section %r is empty (the site says it lists nothing): %s",
                                state.name, response.url)
            return
        self.stat_append("empty_listings", {"section": state.name, "url": response.url})
        self.logger.warning("no article link on the listing page of section %r: %s",
                            state.name, response.url)
        first = response.request is not None and response.request.meta.get("first_page")
        if first and not state.failed:
            yield from self.section_failed(state, response.url, "no_article_links")

    def section_failed(self, state: SectionState, url: str, reason: str) -> Iterator[Any]:
        state.failed = reason
        self.stat_append("sections_failed", {"section": state.name, "url": url,
                                             "reason": reason, "source": state.source or
                                             "guessed"})
        self.logger.warning(
            "section %r (%s) failed at %s: %s; replacing it by the sections the site shows "
            "(menus, sitemap, feeds)", state.name,
            f"seen: {state.source}" if state.source else "guessed", url, reason)
        yield from self.start_discovery()

    def on_listing_error(self, failure: Failure) -> Iterator[Any]:
        """Errback of listing requests: a failed first page of a declared section is replaced
        by discovery, loudly."""
        yield from self.on_error(failure)
        request = failure.request  # type: ignore[attr-defined]  # set by Scrapy on errbacks
        key = request.meta.get("section_key") or request.cb_kwargs.get("section", "")
        state = self._sections.get(key)
        if state is None or state.origin != "declared" or state.failed:
            return
        if request.meta.get("first_page"):
            reason = discovery_reason(failure)
            yield from self.section_failed(state, request.url, reason)

    # -- discovery -------------------------------------------------------------------------

    def start_discovery(self) -> Iterator[scrapy.Request]:
        """The home page (menus, feeds) and sitemap.xml, once per run."""
        if self._discovery_started:
            return
        self._discovery_started = True
        self.stat_inc("discovery_runs")
        yield scrapy.Request(self.base_url + "/", callback=self.parse_home,
                             errback=self.on_error, meta={"kind": "listing"}, dont_filter=True)
        yield scrapy.Request(self.base_url + "/sitemap.xml", callback=self.parse_sitemap,
                             errback=self.on_probe_error, meta={"kind": "page"})

    def on_probe_error(self, failure: Failure) -> Iterator[FetchOutcome]:
        """A discovery source the site does not have (no sitemap.xml) is no error."""
        request = failure.request  # type: ignore[attr-defined]  # set by Scrapy on errbacks
        reason = discovery_reason(failure)
        self.logger.info("discovery: %s: %s", request.url, reason)
        status = getattr(getattr(failure.value, "response", None), "status", None)
        yield FetchOutcome(url=request.url, outcome="skipped", kind="page",
                           reason=f"discovery_probe: {reason}", http_status=status)

    def _known_listing(self, url: str) -> bool:
        wanted = unquote(url).rstrip("/")
        return any(unquote(u).rstrip("/") == wanted for u in self._listing_urls)

    def probe(self, url: str, label: str) -> scrapy.Request | None:
        if self._probes >= MAX_PROBES or self._known_listing(url):
            return None
        self._probes += 1
        key = f"discovered {unquote(url)}"
        name = discovery.section_name(url, label)
        self._sections[key] = SectionState(name, url, "probe")
        if not self.may_follow_listing(key):
            return None
        return self.listing_request(url, name, key=key, first=True)

    def parse_home(self, response: Response) -> Iterator[Any]:
        """The home page: its menus' listing-shaped links are probed, its feeds read; a home
        page without any listing-shaped link is read as a listing itself."""
        yield self.listed(response)
        if not isinstance(response, TextResponse):
            return
        candidates = discovery.listing_candidates(response.selector, response.url,
                                                  self.shapes, self.host)
        self.logger.info("discovery: %d listing-shaped links on %s", len(candidates),
                         response.url)
        probes = [r for r in (self.probe(url, label) for url, label in candidates) if r]
        yield from probes
        for feed in discovery.feed_urls(response.selector, response.url):
            yield scrapy.Request(feed, callback=self.parse_feed,
                                 errback=self.on_probe_error, meta={"kind": "listing"})
        if not candidates:  # (menus that only repeat the declared sections are no reason)
            self._sections[HOME] = SectionState("trang chủ", response.url, HOME)
            yield from self.listing_body(response, "", HOME)

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        """sitemap.xml (or a sitemap index): article URLs are fetched after the listings,
        listing URLs probed."""
        yield self.listed(response)
        if not isinstance(response, TextResponse):
            return
        is_index, locs = discovery.sitemap_locs(response.text)
        locs = [u for u in locs if discovery.same_site(u, self.host)]
        if is_index:
            for loc in locs[:50]:
                yield scrapy.Request(loc, callback=self.parse_sitemap,
                                     errback=self.on_probe_error, meta={"kind": "page"})
            return
        links = 0
        for loc in locs:
            if self.shapes.is_article(loc):
                target = self.article_url(loc)
                if target is None:
                    continue
                links += 1
                request = self.article_request(response, target, {})
                if isinstance(request, scrapy.Request):
                    self.defer(request)
                elif request is not None:
                    yield request  # another spelling of an article: its fetch-log row
            elif self.shapes.is_listing(loc):
                request = self.probe(loc, "")
                if request is not None:
                    yield request
        self.stat_inc("sitemap_links", links)
        self.stat_inc("listing_links", links)

    # -- the verdict -----------------------------------------------------------------------

    def closed(self, reason: str) -> None:
        """Say, once the crawl is over, what must not pass for a success (exit 6)."""
        stats = self._stats()
        if stats is None or reason != "finished":
            return
        silent: list[str] = []
        for state in self._sections.values():
            if state.origin == "declared" and state.pages and not state.links and not state.empty:
                silent.append(f"section {state.name!r} listed no article at {state.url}")
        empty_pages = [e for e in stats.get_value("luutru/empty_listings", [])
                       if self._sections.get(e["section"]) is None
                       or self._sections[e["section"]].links]
        for entry in empty_pages:
            silent.append(f"a listing page of section {entry['section']!r} showed no article "
                          f"link: {entry['url']}")
        if not stats.get_value("luutru/listing_links", 0):
            tried = ", ".join(f"{s.name!r} ({s.url})" for s in self._sections.values()
                              if s.origin == "declared") or "none declared"
            silent.append(f"no listing showed any article link (sections tried: {tried})")
        for message in silent:
            self.logger.warning("no silent zero: %s", message)
        stats.set_value("luutru/silent_zero", silent)
        replaced = stats.get_value("luutru/sections_failed", [])
        if replaced:
            found = stats.get_value("luutru/sections_discovered", [])
            self.logger.warning(
                "%d declared section(s) failed (%s); %d section(s) discovered on the site "
                "(%s): update the site file's [[sections]]", len(replaced),
                ", ".join(f"{r['section']!r} {r['reason']}" for r in replaced), len(found),
                ", ".join(f"{f['section']!r} {f['url']}" for f in found) or "none")


def discovery_reason(failure: Failure) -> str:
    response = getattr(failure.value, "response", None)
    if response is not None:
        return f"http_{response.status}"
    return type(failure.value).__name__
