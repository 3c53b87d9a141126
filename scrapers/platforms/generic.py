"""The generic fallback: archive a site nobody has written a definition for yet.

Discovery, in this order: the start page and every same-host page it links to (menus, section
listings, pagers), `Sitemap:` lines of robots.txt and /sitemap.xml, RSS/Atom feeds the pages
announce (`<link rel=alternate>`, NukeViet's `/<lang>/news/rss/`). Every fetched HTML page is then
classified: an article (a title and a main text, few teaser links) is stored; any other page is a
hub whose links are followed, within a depth and a page bound.

Article pages are fetched only once the hubs known so far have been read, so the teaser row that
links an article (often the only place its publication date is printed) is seen first.

Extraction: the main text by trafilatura (precision mode) on a copy of the page with related-link
blocks, marquee banners and page chrome removed, post-filtered line by line with
`pipelines.text.is_boilerplate`; the title from og:title, h1 or <title>; the publication date by
this project's own rules, never htmldate's guess: a labelled date near the title (`Ngày đăng:`,
`Cập nhật:`, `Đăng lúc:`, NukeViet `Thứ x - dd/mm/yyyy HH:MM`), then machine-readable dates
(`<time datetime>`, `article:published_time`), then an unlabelled date beside the title, then the
teaser row or feed entry that linked the article. Render clocks are refused; dates are day first.
"""

from __future__ import annotations

import copy
import email.utils
import gzip
import re
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import scrapy
from lxml import etree
from lxml import html as lxml_html
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response

from pipelines.article import split_byline
from pipelines.dates import RENDER_CLOCK_RE, TZ, is_render_clock, parse_date
from pipelines.text import is_boilerplate
from scrapers.extract import drop_repeats, text_blocks
from scrapers.items import ArticleItem, FetchOutcome
from scrapers.platforms.base import SiteSpider

# Article URL shapes seen on school sites (sites.md §0).
ARTICLE_URL_RES: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"/content/[^/]+/?$",  # Drupal pathauto (Bến Tre)
        r"/noi-dung/[^/]+/?$",
        r"/node/\d+/?$",  # Drupal 8+
        r"-\d+\.html?$",  # NukeViet, city portals: ...-<id>.html
        r"\.\d+\.html?$",  # Nam Định: <slug>.352.html
        r"/component/k2/item/\d+",  # Joomla K2
        r"/item/\d+-[^/]+",  # K2 with SEF URLs
        r"/tin-tuc[^/]*/(?!page-\d+/?$)[^/]+-\d+/?$",  # Nghệ An new: /tin-tuc-66/<slug>-2550
        r"/tin-tuc/[^/]+/?$",  # /Tin-tuc/<slug>-8499, /tin-tuc/<slug>
        r"/chi-tiet[^/]*/",  # portal "chi-tiet-bai-viet"
    )
)
# Query keys that name an article on old portals (PHP-Nuke sid, ASP.NET NewsID, ...).
ARTICLE_QUERY_KEYS = frozenset({"sid", "newsid", "_article_id", "item", "articleid"})
# Query keys and path shapes of pagers: the page stays at its listing's depth.
PAGER_QUERY_KEYS = frozenset({"page", "p", "start", "trang", "limitstart", "pg", "paged"})
_PAGER_PATH_RE = re.compile(r"/page-\d+/?$|/page/\d+/?$|/trang-\d+/?$", re.IGNORECASE)
# Never worth fetching: files, accounts, search, print views, feeds (read separately).
_SKIP_EXT_RE = re.compile(
    r"\.(?:jpe?g|png|gif|webp|bmp|svg|ico|css|js|pdf|docx?|xlsx?|pptx?|zip|rar|7z|gz|mp[34]"
    r"|avi|wmv|flv|swf|txt|xml|json|apk|exe)$",
    re.IGNORECASE,
)
_SKIP_PATH_RE = re.compile(
    r"/(?:user|users|login|dang-nhap|admin|administrator|search|tim-kiem|feed|rss|print"
    r"|savefile|sendmail|contact|lien-he|filter|comment|cart|tags?/.*\.rss)(?:/|$)|/wp-admin"
    r"|/index\.php\?option=com_(?:users|search|mailto)",
    re.IGNORECASE,
)
# NukeViet's duplicate views of an article: dropped from the path like the tailored spider.
_DROP_SEGMENTS = frozenset({"savefile", "print"})

# Headings of related-link blocks ("Tin khác"): the block is removed before text extraction.
RELATED_HEADINGS = re.compile(
    r"^(?:(?:Các\s+)?(?:tin|bài(?:\s+viết)?|tin\s+bài)\s+(?:khác|liên\s+quan|cùng\s+chuyên\s+mục"
    r"|cùng\s+loại|mới(?:\s+hơn)?|cũ(?:\s+hơn)?|đã\s+đưa|xem\s+nhiều|đọc\s+nhiều|nổi\s+bật"
    r"|mới\s+nhất|cùng\s+danh\s+mục)|Tin\s+tức\s+khác"
    r"|More\s+in\s+this\s+category|Related\s+(?:articles|items|posts)|Tags?"
    r"|Từ\s+khóa|Từ\s+khoá|Chia\s+sẻ|Bình\s+luận|Ý\s+kiến\s+bạn\s+đọc)\s*:?$",
    re.IGNORECASE,
)
# Class/id tokens of page chrome never part of an article's text.
_CHROME_TOKEN_RE = re.compile(
    r"^(?:header|footer|sidebar|sidebar-(?:first|second|left|right)|region-(?:header|footer"
    r"|sidebar-\w+)|menu|main-menu|nav|navbar|navigation|breadcrumbs?|banner|marquee|ngay-gio"
    r"|clock|datetime-now|thong-ke|visitors?|counter|social|share|sharing|addthis|print"
    r"|comments?|skip-link|element-invisible|pager|pagination|tabs|related|tin-khac"
    r"|other-news|news-other|itemRelated|itemNavigation|itemSocialSharing|itemComments)$",
    re.IGNORECASE,
)
# Not `form`: ASP.NET pages wrap the whole page in one.
_CHROME_TAGS = ("script", "style", "noscript", "iframe", "marquee", "nav", "aside", "input",
                "button", "select", "textarea", "svg", "template")

# Labels that introduce a publication date (sites.md §3.1).
_DATE_LABEL_RE = re.compile(
    r"(?<![^\W\d_])(?:Ngày\s+đăng|Đăng\s+ngày|Đăng\s+lúc|Ngày\s+cập\s+nhật|Cập\s+nhật(?:\s+lúc)?"
    r"|Ngày\s+xuất\s+bản|Xuất\s+bản(?:\s+lúc)?|Thời\s+gian\s+đăng|Ngày\s+viết|Viết\s+ngày"
    r"|Published(?:\s+on)?|Posted(?:\s+on)?)\s*:?\s*",
    re.IGNORECASE,
)
# NukeViet's article date: `Chủ nhật - 04/10/2020 10:53`.
_NUKEVIET_DATE_RE = re.compile(
    r"(?:Thứ\s+(?:hai|ba|tư|năm|sáu|bảy|[2-7])|Chủ\s+nhật)\s*-\s*\d{1,2}/\d{1,2}/\d{4}"
    r"(?:\s+\d{1,2}:\d{2})?",
    re.IGNORECASE,
)
# An unlabelled full date (with a year) that may stand beside a title or in a teaser row.
_ANY_DATE_RE = re.compile(
    r"(?:(?:Thứ\s+\w+|Chủ\s+nhật)\s*,?\s*)?(?:\d{1,2}:\d{2}(?::\d{2})?\s*)?"
    r"\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}(?:\s*[-,]?\s*\d{1,2}:\d{2}(?::\d{2})?)?"
    r"|\d{1,2}\s+tháng\s+\d{1,2}\s*,?\s*(?:năm\s+)?\d{4}(?:\s*[-,]?\s*\d{1,2}:\d{2})?"
    r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?"
    r"|\d{1,2}\s+(?:January|February|March|April|May|June|July|August|September|October"
    r"|November|December)\s+\d{4}",
    re.IGNORECASE,
)
# Byline lines with a label: `Tác giả: X`, `Tác giả bài viết: X`, `Tin và ảnh: X`.
_AUTHOR_LABEL_RE = re.compile(
    r"^(?:Tác\s+giả(?:\s+bài\s+viết)?|Người\s+viết|Bài\s+viết|Tin\s+và\s+ảnh|Bài\s+và\s+ảnh"
    r"|Tin,\s*ảnh|Tin\s*-\s*ảnh|Tin|Bài|Viết\s+bởi|Written\s+by|Posted\s+by|Author)\s*:?\s*"
    r"(?P<name>[^\n]{2,80})$",
    re.IGNORECASE,
)
_AUTHOR_QUERIES = (
    "[itemprop='author'] [itemprop='name']::text",
    "[itemprop='author']",
    "[rel='author']",
    ".itemAuthor",
    ".field-name-field-tac-gia .field-item",
    ".field--name-field-tac-gia .field__item",
    ".field-name-field-author .field-item",
    ".field--name-field-author .field__item",
    ".author-name",
    ".news-author",
    ".author",
)
# Teaser links: anchor text at least this long looks like an article title.
_TITLE_MIN = 20
_TEXT_MIN = 150
# This many teaser links (after related blocks are removed) make a page a listing.
_LISTING_LINKS = 4
_SEP_RE = re.compile(r"\s+[|–—-]\s+|\s+::\s+|\s+»\s+")


def _norm(s: str) -> str:
    return " ".join(s.split())


def _classes(el: Any) -> list[str]:
    return [*(el.get("class") or "").split(), *((el.get("id") or "").split())]


class GenericSpider(SiteSpider):
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
        self._seen: set[str] = set()  # every URL requested or deferred (normalised)
        self._hub_pages = 0
        self._articles_requested = 0
        self._teasers: dict[str, dict[str, Any]] = {}  # article URL -> best listing facts
        self._pending: dict[str, int] = {}  # article candidates waiting for the hubs, -> depth
        self._feed_probed = False

    # -- URLs --------------------------------------------------------------------------------

    def same_host(self, url: str) -> bool:
        host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
        return host == self.host

    def normalise(self, url: str) -> str | None:
        """The URL to fetch for a link, or None when it is off-site or never worth fetching."""
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not self.same_host(url):
            return None
        path = parts.path or "/"
        if _SKIP_EXT_RE.search(path) or _SKIP_PATH_RE.search(path):
            return None
        segments = path.split("/")
        kept = [s for i, s in enumerate(segments) if i == 0 or s.lower() not in _DROP_SEGMENTS]
        path = "/".join(kept) or "/"
        query = urlencode(
            [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith(("utm_", "fbclid", "gclid"))]
        )
        # Links are fetched on the crawled host (a mirror keeps its own scheme and port).
        base = urlsplit(self.base_url)
        return urlunsplit((base.scheme, base.netloc, path, query, ""))

    @staticmethod
    def is_article_url(url: str) -> bool:
        parts = urlsplit(url)
        if any(p.search(parts.path) for p in ARTICLE_URL_RES):
            return True
        keys = {k.lower() for k, _ in parse_qsl(parts.query)}
        return bool(keys & ARTICLE_QUERY_KEYS)

    @staticmethod
    def is_pager_url(url: str) -> bool:
        parts = urlsplit(url)
        keys = {k.lower() for k, _ in parse_qsl(parts.query)}
        return bool(keys & PAGER_QUERY_KEYS) or bool(_PAGER_PATH_RE.search(parts.path))

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

    def probe_request(self, url: str, callback: Any, depth: int = 0) -> scrapy.Request:
        """A discovery file (robots.txt, sitemap, feed) whose absence is no error."""
        return scrapy.Request(
            url,
            callback=callback,
            errback=self.on_error,
            priority=20,
            meta={"kind": "listing", "handle_httpstatus_list": [404, 410, 403], "depth": depth},
        )

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

    def follow(self, url: str, depth: int, *, candidate: bool) -> Iterator[scrapy.Request]:
        """Schedule a hub now, or hold an article candidate until the hubs are read."""
        if url in self._seen or depth > self.max_depth:
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
                self.crawler.engine.crawl(request)
                scheduled = True
            if scheduled:
                raise DontCloseSpider
        super().schedule_deferred()

    # -- discovery files ---------------------------------------------------------------------

    def _absent(self, response: Response, reason: str) -> FetchOutcome | None:
        if response.status in (403, 404, 410):
            return self.report(response, "skipped", "listing", reason)
        return None

    def parse_robots(self, response: Response) -> Iterator[Any]:
        absent = self._absent(response, "no_robots_txt")
        if absent:
            yield absent
            return
        yield self.listed(response)
        text = response.text if isinstance(response, scrapy.http.TextResponse) else ""
        for line in text.splitlines():
            key, _, value = line.partition(":")
            if key.strip().lower() == "sitemap" and value.strip():
                url = response.urljoin(value.strip())
                target = self.normalise(url) if not url.endswith((".xml", ".gz")) else url
                if target and self.same_host(target) and target not in self._seen:
                    self._seen.add(target)
                    yield self.probe_request(target, self.parse_sitemap)

    @staticmethod
    def _xml_root(body: bytes) -> Any:
        """Parse untrusted XML safely: no entities resolved, no DTD, no network, no huge trees."""
        if body[:2] == b"\x1f\x8b":
            try:
                body = gzip.decompress(body)[: 50 * 1024 * 1024]
            except OSError:
                return None
        parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                 huge_tree=False, recover=True, remove_comments=True)
        try:
            return etree.fromstring(body.lstrip(), parser=parser)
        except (etree.XMLSyntaxError, ValueError):
            return None

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        absent = self._absent(response, "no_sitemap")
        if absent:
            yield absent
            return
        yield self.listed(response)
        root = self._xml_root(response.body)
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
        absent = self._absent(response, "no_feed")
        if absent:
            yield absent
            return
        yield self.listed(response)
        root = self._xml_root(response.body)
        if root is None or etree.QName(root).localname == "html":
            # NukeViet's /vi/news/rss/ may be an HTML page listing the per-category feeds.
            if isinstance(response, scrapy.http.TextResponse):
                for href in response.css("a::attr(href)").getall():
                    url = response.urljoin(href)
                    if "/rss" in url and self.same_host(url) and url not in self._seen:
                        self._seen.add(url)
                        yield self.probe_request(url, self.parse_feed)
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
                    title = _norm(child.text or "")
            url = self.normalise(response.urljoin(link)) if link else None
            if not url:
                continue
            facts: dict[str, Any] = {"listing_url": response.url, "title_raw": title}
            feed_date = self._feed_date(date)
            if feed_date:
                facts["date_raw"] = feed_date
            self._remember_teaser(url, facts)
            yield from self.follow(url, 1, candidate=True)

    @staticmethod
    def _feed_date(raw: str) -> str | None:
        """An RFC 822 date (RSS) read in local time, as ISO; Atom's ISO dates kept."""
        if not raw:
            return None
        try:
            value = email.utils.parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return raw if re.match(r"\d{4}-\d{2}-\d{2}", raw) else None
        if value.tzinfo is not None:
            value = value.astimezone(TZ)
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="minutes")

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
        kind = response.request.meta.get("kind", "listing")
        if response.status == 304:
            yield self.not_modified(response)
            return
        if not isinstance(response, scrapy.http.HtmlResponse):
            skipped = self.not_html(response)
            if skipped is not None:
                yield skipped
            else:  # an XML answer where a page was expected: maybe a feed
                yield from self.parse_feed(response)
            return
        depth = int(response.request.meta.get("depth", 0))
        try:
            root = lxml_html.fromstring(response.text)
        except (etree.ParserError, ValueError):
            yield self.no_article(response) if kind == "article" else self.listed(response)
            return
        if depth == 0:
            yield from self._feeds(response, root)
        listing = {**self._teasers.get(response.url, {}), **listing}
        page = GenericPage(self, response, root)
        article = page.article(listing)
        if article is not None:
            yield article
            links_depth = depth + 1
            for url, candidate in page.links():
                yield from self.follow(url, links_depth, candidate=candidate)
            return
        if kind == "article" and self.is_article_url(response.url):
            yield self.no_article(response)
        else:
            yield self.listed(response)
        section = page.heading()
        for url, candidate in page.links():
            if candidate:
                facts = page.teaser(url)
                facts["section"] = section
                facts["listing_url"] = response.url
                self._remember_teaser(url, facts)
            next_depth = depth if self.is_pager_url(url) else depth + 1
            yield from self.follow(url, next_depth, candidate=candidate)

    def _feeds(self, response: Response, root: Any) -> Iterator[scrapy.Request]:
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


class GenericPage:
    """One fetched HTML page read with the generic rules."""

    def __init__(self, spider: GenericSpider, response: Response, root: Any) -> None:
        self.spider = spider
        self.response = response
        for form in root.iter("form"):  # ASP.NET wraps the page in one; text_blocks skips forms
            form.tag = "div"
        self.root = root
        self.main = self._without_chrome(root)
        self._links: list[tuple[str, bool]] | None = None
        self._anchors: dict[str, list[Any]] = {}

    # -- cleaning ----------------------------------------------------------------------------

    @staticmethod
    def _without_chrome(root: Any) -> Any:
        """A copy of the page without related blocks, banners, menus, clocks and counters."""
        tree = copy.deepcopy(root)
        for el in tree.xpath("//" + " | //".join(_CHROME_TAGS)):
            _drop(el)
        for el in list(tree.iter()):
            if not isinstance(el.tag, str) or el.tag in ("html", "body"):
                continue
            if el.getparent() is None:
                continue
            if el.tag in ("header", "footer") and not el.xpath(".//h1"):
                _drop(el)
            elif any(_CHROME_TOKEN_RE.match(tok) for tok in _classes(el)) and not el.xpath(
                    ".//h1") and not _is_main(el):
                _drop(el)
        for heading in tree.xpath("//h2 | //h3 | //h4 | //h5 | //h6 | //strong | //span | //div"
                                  "| //p | //b | //legend | //li"):
            if heading.getparent() is None or len(heading) > 2 or heading.xpath(
                    "ancestor-or-self::a | .//a"):
                continue
            text = _norm(heading.text_content())
            if not text or len(text) > 40 or not RELATED_HEADINGS.match(text):
                continue
            block = _related_block(heading)
            if block is not None:
                _drop(block)
        return tree

    # -- links -------------------------------------------------------------------------------

    def links(self) -> list[tuple[str, bool]]:
        """(URL, is an article candidate) for every same-host link worth fetching, in order.

        Links from the whole page count (menus lead to sections); a link is an article
        candidate when its URL has an article shape or it reads like a title in the content.
        """
        if self._links is not None:
            return self._links
        content_titles: dict[str, str] = {}
        for a in self.main.iter("a"):
            url = self._url(a.get("href"))
            if url:
                text = _norm(a.text_content()) or _norm(a.get("title") or "")
                if len(text) >= _TITLE_MIN and len(text) > len(content_titles.get(url, "")):
                    content_titles[url] = text
                self._anchors.setdefault(url, []).append(a)
        found: dict[str, bool] = {}
        for a in self.root.iter("a"):
            url = self._url(a.get("href"))
            if not url or url == self.response.url:
                continue
            candidate = url in content_titles or self.spider.is_article_url(url)
            found[url] = found.get(url, False) or candidate
        self._links = list(found.items())
        return self._links

    def _url(self, href: str | None) -> str | None:
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            return None
        return self.spider.normalise(self.response.urljoin(href))

    def teaser_links(self) -> int:
        """Distinct title-like links in the content area: many of them make a listing."""
        count = 0
        for url, anchors in self._anchors.items():
            if url == self.response.url:
                continue
            if any(len(_norm(a.text_content())) >= _TITLE_MIN for a in anchors):
                count += 1
        return count

    def teaser(self, url: str) -> dict[str, Any]:
        """Facts from the teaser row that links `url`: its title and a date printed in it."""
        anchors = self._anchors.get(url, [])
        if not anchors:
            return {}
        anchor = max(anchors, key=lambda a: len(_norm(a.text_content())))
        row = anchor
        for _ in range(6):
            parent = row.getparent()
            if parent is None or parent.tag in ("body", "html"):
                break
            others = {
                u for a in parent.iter("a")
                if (u := self._url(a.get("href"))) and u != url
                and (len(_norm(a.text_content())) >= _TITLE_MIN or self.spider.is_article_url(u))
            }
            if others:
                break
            row = parent
        text = " ".join(text_blocks(_selector(row)))
        facts: dict[str, Any] = {"title_raw": _norm(anchor.text_content())}
        date = find_date(text, labelled_only=True) or find_date(text, labelled_only=False)
        if date:
            facts["date_raw"] = date
        return facts

    def heading(self) -> str:
        for h1 in self.main.iter("h1"):
            text = _norm(h1.text_content())
            if 2 <= len(text) <= 120:
                return text
        return ""

    # -- articles ----------------------------------------------------------------------------

    def title(self) -> str:
        og = self.root.xpath("//meta[@property='og:title']/@content")
        if og and _norm(og[0]):
            return _norm(og[0])
        site_names = {_norm(s).lower() for s in self.root.xpath(
            "//meta[@property='og:site_name']/@content")}
        for h1 in self.main.iter("h1"):
            text = _norm(h1.text_content())
            if len(text) >= 5 and text.lower() not in site_names:
                return text
        for h in self.main.xpath("//h2[contains(@class, 'title')] | //*[@itemprop='headline']"):
            text = _norm(h.text_content())
            if len(text) >= 5:
                return text
        title = _norm(" ".join(self.root.xpath("//title//text()")))
        parts = _SEP_RE.split(title)
        return parts[0] if parts and len(parts[0]) >= 5 else title

    def body(self, title: str) -> list[str]:
        import trafilatura

        kwargs = {"include_comments": False, "include_tables": True, "include_images": False,
                  "include_links": False, "deduplicate": False, "output_format": "txt"}
        text = trafilatura.extract(copy.deepcopy(self.main), favor_precision=True, **kwargs)
        if not text or len(text) < _TEXT_MIN:
            text = trafilatura.extract(copy.deepcopy(self.main), favor_recall=True,
                                       **kwargs) or text
        lines = drop_repeats([_norm(line) for line in (text or "").split("\n")])
        title_key = title.casefold()
        out: list[str] = []
        for line in lines:
            if not line or line.casefold() == title_key or is_boilerplate(line):
                continue
            if is_render_clock(line) or (len(line) < 90 and find_date(line, labelled_only=True)
                                         and len(_DATE_LABEL_RE.sub("", line)) < 40):
                continue  # a date line printed above the body
            if RELATED_HEADINGS.match(line):
                continue
            out.append(line)
        return out

    def near_title_lines(self, title: str) -> list[str]:
        """The page's text lines around the title (3 before, 8 after)."""
        body = self.root.find("body")
        lines = [_norm(t) for t in text_blocks(_selector(body if body is not None else self.root))]
        key = title.casefold()
        for exact in (True, False):
            for i, line in enumerate(lines):
                if line.casefold() == key or (
                        not exact and len(key) > 20 and key in line.casefold()):
                    return lines[max(0, i - 3): i + 9]
        return []

    def date(self, title: str, listing: dict[str, Any]) -> tuple[str | None, str]:
        """(raw date, source) by the project's rules; never a render clock."""
        near = self.near_title_lines(title)
        for line in near:
            found = find_date(line, labelled_only=True)
            if found:
                return found, "article_meta"
        machine = self.root.xpath(
            "//meta[@property='article:published_time']/@content"
            " | //meta[@itemprop='datePublished']/@content"
            " | //*[@itemprop='datePublished']/@datetime"
            " | //*[@itemprop='datePublished']/@content"
            " | //*[contains(@property, 'dc:date')]/@content"
            " | //time[@datetime][@pubdate or @itemprop='datePublished'"
            " or contains(@class, 'publish') or contains(@class, 'created')]/@datetime"
        )
        if not machine:  # the first <time> of the content, related blocks removed
            machine = self.main.xpath("//time/@datetime")[:1]
        for value in machine:
            if value.strip() and _accept(value.strip(), "article_meta"):
                return value.strip(), "article_meta"
        for line in near:
            if line.casefold() == title.casefold() or len(line) > 80:
                continue
            found = find_date(line, labelled_only=False)
            if found and _date_line(line, found):
                return found, "article_meta"
        if listing.get("date_raw"):
            return listing["date_raw"], "listing"
        return None, ""

    def author(self, paragraphs: list[str]) -> tuple[str, list[str]]:
        """A byline from a labelled line at either end of the body, or a byline element."""
        for index in (*range(min(2, len(paragraphs))),
                      *range(len(paragraphs) - 1, max(len(paragraphs) - 3, -1), -1)):
            match = _AUTHOR_LABEL_RE.match(paragraphs[index])
            if match and len(paragraphs[index]) < 100:
                rest = paragraphs[:index] + paragraphs[index + 1:]
                return match.group("name").strip(" .:-"), rest
        if split_byline(paragraphs)[1]:
            return "", paragraphs  # a name line at either end: the article pipeline takes it
        sel = _selector(self.root)
        for query in _AUTHOR_QUERIES:
            for value in sel.css(query):
                text = _norm(value.xpath("string()").get("") if not isinstance(
                    value.root, str) else value.root)
                text = re.sub(r"^(?:Viết bởi|Tác giả\s*:?|Written by|By)\s*", "", text,
                              flags=re.IGNORECASE).strip(" :")
                if 2 <= len(text) <= 80:
                    return text, paragraphs
        return "", paragraphs

    def categories(self, title: str) -> list[str]:
        found: list[str] = []
        sel = _selector(self.root)
        for value in sel.xpath("//meta[@property='article:section']/@content").getall():
            found.append(_norm(value))
        for query in ("[rel~='dc:subject'] a", "a[rel~='tag']", ".itemCategory a",
                      ".field--name-field-tags a", ".field-name-field-chuyen-muc a",
                      ".field--name-field-chuyen-muc a", ".breadcrumb a", ".breadcrumbs a",
                      "[itemtype*='BreadcrumbList'] a"):
            for a in sel.css(query):
                text = _norm(a.xpath("string()").get(""))
                if text and text.casefold() != title.casefold() and text.lower() not in (
                        "trang chủ", "home", "trang chu"):
                    found.append(text)
        return list(dict.fromkeys(f for f in found if f))

    def article(self, listing: dict[str, Any]) -> ArticleItem | None:
        """An ArticleItem when this page is an article, else None (a hub)."""
        spider, response = self.spider, self.response
        if spider.is_pager_url(response.url) and not spider.is_article_url(response.url):
            return None
        self.links()
        teasers = self.teaser_links()
        og_type = " ".join(self.root.xpath("//meta[@property='og:type']/@content")).lower()
        url_shape = spider.is_article_url(response.url)
        if teasers >= _LISTING_LINKS and "article" not in og_type and not (
                url_shape and teasers < 3 * _LISTING_LINKS):
            return None
        title = self.title() or listing.get("title_raw", "")
        paragraphs = self.body(title)
        if not title or sum(len(p) for p in paragraphs) < _TEXT_MIN:
            return None
        author, paragraphs = self.author(paragraphs)
        date_raw, date_source = self.date(title, listing)
        categories = self.categories(title)
        if listing.get("section") and listing["section"] not in categories:
            categories.insert(0, listing["section"])
        canonical = self.root.xpath("//link[@rel='canonical']/@href")
        shortlink = self.root.xpath("//link[@rel='shortlink']/@href")
        node = re.search(r"/node/(\d+)", (shortlink or [""])[0] or response.url)
        return spider.article_item(
            response,
            canonical=canonical[0] if canonical else None,
            shortlink=shortlink[0] if shortlink else None,
            node_id=int(node.group(1)) if node else None,
            title_raw=title,
            paragraphs_raw=paragraphs,
            author_raw=author,
            role_raw="",
            categories=categories,
            date_raw=date_raw,
            date_source=date_source if date_raw else None,
            listing_url=listing.get("listing_url"),
        )


# -- helpers -----------------------------------------------------------------------------------


def _selector(el: Any) -> Any:
    from parsel import Selector

    return Selector(root=el, type="html")


def _drop(el: Any) -> None:
    """Remove an element but keep its tail text in the tree."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    prev = el.getprevious()
    if tail and tail.strip():
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def _is_main(el: Any) -> bool:
    """True for an element that holds the main content (never removed as chrome)."""
    return el.tag in ("main", "article") or el.get("role") == "main" or el.get("id") in (
        "content", "main", "main-content", "page")


def _related_block(heading: Any) -> Any:
    """The smallest ancestor of a related-links heading that holds the links, if it is a block
    of links (its own text is mostly link text) and not the article itself."""
    el = heading
    for _ in range(5):
        parent = el.getparent()
        if parent is None or parent.tag in ("body", "html") or _is_main(parent):
            return None
        el = parent
        links = el.xpath(".//a[@href]")
        if len(links) >= 2:
            if el.xpath(".//h1"):
                return None
            total = len(_norm(el.text_content()))
            linked = sum(len(_norm(a.text_content())) for a in links)
            heading_len = len(_norm(heading.text_content()))
            return el if linked >= 0.5 * max(1, total - heading_len) else None
    return None


def _date_line(line: str, found: str) -> bool:
    """True when a line is a date and little else (`Thứ Tư, 13/11/2019 - 17:23 | 52 lượt xem`),
    not a sentence of the body that mentions a date."""
    rest = line.replace(found, " ")
    rest = re.sub(r"(?:Thứ\s+\w+|Chủ\s+nhật)|lượt\s+(?:xem|đọc)|views?|\d+|[^\w]+", " ", rest,
                  flags=re.IGNORECASE)
    return len(_norm(rest)) <= 25


def _accept(raw: str, source: str, *, chrome: bool = False) -> bool:
    if is_render_clock(raw):
        return False
    now = datetime.now(TZ)
    return parse_date(raw, source=source, now=now, fallback=False,
                      position="chrome" if chrome else "content") is not None


def find_date(text: str, *, labelled_only: bool) -> str | None:
    """A publication-date string in `text`: labelled (`Ngày đăng: 17/02/2021`) or NukeViet's
    `Thứ x - dd/mm/yyyy HH:MM`; with `labelled_only=False` also an unlabelled full date, refused
    when it falls on the crawl day (it may be a clock). Render clocks never qualify."""
    text = _norm(text)
    if not text:
        return None
    for m in _DATE_LABEL_RE.finditer(text):
        raw = text[m.start(): m.end() + 40]
        tail = _ANY_DATE_RE.search(raw, m.end() - m.start())
        if tail and tail.start() - (m.end() - m.start()) <= 3:
            candidate = raw[: tail.end()]
            if _accept(candidate, "article_meta"):
                return candidate
    m = _NUKEVIET_DATE_RE.search(text)
    if m and _accept(m.group(0), "article_meta"):
        return m.group(0)
    if labelled_only:
        return None
    for m in _ANY_DATE_RE.finditer(text):
        candidate = m.group(0).strip(" ,-")
        context = text[max(0, m.start() - 20): m.end() + 20]
        if RENDER_CLOCK_RE.search(context):
            continue
        if _accept(candidate, "article_meta", chrome=True):
            return candidate
    return None
