"""Finding a site's sections and article links without trusting the site file.

A site file's sections are hints: some were seen on the live site, some were guessed (the
site file says which, see docs/adding-a-site.md). When a declared section answers 404 or its
listing yields no article link, the spider falls back on what the site itself shows: the links
of its menus (nav/menu blocks of the home page), its sitemap.xml, its RSS/Atom feeds, all
filtered through the family's URL shapes (`URL_SHAPES` below, data rather than code; a family
module may replace its entry with `LISTING_URL_SHAPES` / `ARTICLE_URL_SHAPES`). When a
listing's structural selectors find no rows, the article-shaped links of the page's content
region (menus, sidebars, header, footer and "related" blocks removed by their class/role
conventions) stand in for them.

Everything here is pure (a page in, URLs out), so the spider decides what to fetch and how
loudly to report it.
"""

from __future__ import annotations

import copy
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from parsel import Selector

from scrapers.generic_rules import SKIP_EXT_RE, is_pager_url

# Page chrome, by the class/role conventions CMS themes share (Drupal regions, Bootstrap,
# NukeViet blocks, Joomla modules). Headers and footers inside an <article> are the article's
# own (a Drupal 8 teaser's title lives in one) and are kept.
CHROME_XPATH = (
    "(//nav | //aside | //header[not(ancestor::article)] | //footer[not(ancestor::article)]"
    " | //*[@role='navigation' or @role='banner' or @role='contentinfo'"
    " or @role='complementary' or @role='search']"
    " | //*[@id='header' or @id='footer' or @id='sidebar' or @id='menu' or @id='navigation'"
    " or @id='sidebar-first' or @id='sidebar-second' or @id='main-menu' or @id='breadcrumb']"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' menu ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' nav ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' navbar ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' breadcrumb ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' breadcrumbs ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' footer ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' header ')"
    " or contains(@class, 'sidebar') or contains(@class, 'region-sidebar')"
    " or contains(@class, 'region-header') or contains(@class, 'region-footer')"
    " or contains(@class, 'site-header') or contains(@class, 'site-footer')"
    " or contains(@class, 'moduletable') or contains(@class, 'related')"
    " or contains(@class, 'news-other') or contains(@class, 'itemRelated')])"
    "[not(self::body or self::html)]"
)
# Headings of "more news" blocks printed beside or under the content.
RELATED_HEADINGS = (
    "tin khác", "các tin khác", "tin liên quan", "bài viết khác", "bài viết liên quan",
    "tin cùng chuyên mục", "xem thêm", "tin mới", "tin mới nhất", "tin xem nhiều",
    "đọc nhiều", "tin đọc nhiều", "bài mới",
)
_LOWER = ("ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊ"
          "ÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ")
_RELATED_XPATH = (
    "//*[self::div or self::section or self::ul or self::table]"
    "[./*[self::h2 or self::h3 or self::h4 or self::div or self::span or self::p][{cond}]]"
).format(cond=" or ".join(
    f"normalize-space(translate(., '{_LOWER}', '{_LOWER.lower()}'))='{h}'"
    for h in RELATED_HEADINGS
))
# Where the main content usually is; the first one holding article links is used.
MAIN_REGIONS = (
    "main", "[role=main]", "#main-content", "#block-system-main", ".region-content",
    "#k2Container", ".itemListView", "#component", ".main-content", "#content",
)
MENU_XPATH = (
    "//nav//a[@href] | //*[@role='navigation']//a[@href]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' menu ')]//a[@href]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' nav ')]//a[@href]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' navbar-nav ')]//a[@href]"
    " | //*[@id='menu' or @id='main-menu' or @id='navigation']//a[@href]"
)
# Links that are never a section nor an article, whatever the family (files: SKIP_EXT_RE).
_NEVER = re.compile(
    r"^/(?:[a-z]{2}/)?(?:news/)?(?:user|users|admin|login|search|tim-kiem|contact|lien-he|rss|feed|"
    r"sitemap|print|savefile|node/add|filter|comment)(?:[/?.]|$)",
    re.IGNORECASE,
)


# Each family's URL shapes, as regexes over the decoded `path?query` of a link: what its CMS
# prints for a listing and for an article (from the stock templates and sites.md). A family
# module may replace its entry by defining `LISTING_URL_SHAPES` / `ARTICLE_URL_SHAPES`, a site
# file by [selectors] `listing_url_shapes` / `article_url_shapes`.
URL_SHAPES: dict[str, dict[str, tuple[str, ...]]] = {
    # Drupal 7: taxonomy terms and `/<vocab>/<term>` aliases (Bến Tre's `/chuyen-muc/...`) are
    # listings; nodes, pathauto `content/`, `noi-dung/` and long root aliases (a title) articles.
    "drupal7": {
        "listing": (
            r"^/taxonomy/term/\d+/?(?:\?.*)?$",
            r"^/(?!content/|noi-dung/|node/|sites/|misc/|modules/|themes/)(?:[^/?]+/){1,2}"
            r"[^/?]+/?(?:\?page=\d+)?$",
        ),
        "article": (
            r"^/node/\d+/?$",
            r"^/(?:content|noi-dung|bai-viet|tin-tuc)/[^/?]+$",
            r"^/[^/?-]+(?:-[^/?-]+){3,}/?$",
        ),
    },
    # Drupal 8+: Views page paths (a short slug) and taxonomy terms are listings; `/node/N`
    # and long pathauto aliases (a title) are articles.
    "drupal8": {
        "listing": (
            r"^/taxonomy/term/\d+/?(?:\?.*)?$",
            r"^/(?!node/|sites/|core/|modules/|themes/)(?:[^/?]+/)?[^/?-]+(?:-[^/?-]+){0,5}/?"
            r"(?:\?page=\d+)?$",
        ),
        "article": (r"^/node/\d+/?$", r"^/(?:[^/?]+/)*[^/?-]+(?:-[^/?-]+){6,}/?$"),
    },
    # NukeViet 3/4: `…-<id>.html` is an article (with or without `/vi/<module>/`, or `op=`
    # without URL rewrite); a category, tag, topic or group path under the module base, and
    # `/page-N`, are listings.
    "nukeviet": {
        "listing": (
            r"^/(?![a-z]{2}/?$)(?:[^/?.]+/){0,3}[^/?.]+/?$",
            r"/page-\d+/?$",
            r"[?&]nv=news(?:&op=(?:(?:tag|topic|groups)/)?[^&/]+(?:/page-\d+)?)?(?=&(?!op=)|$)",
        ),
        "article": (r"-\d+\.html?$", r"[?&]nv=news&op=[^&]+/(?!page-\d)[^&]+-\d+(?:&|$)"),
    },
    # Joomla + K2: category/tag item lists (SEF or not) and Joomla menu aliases are listings;
    # K2 items (`/item/<id>-<alias>`, `view=item&id=N`) are articles.
    "joomla_k2": {
        "listing": (
            r"/itemlist/(?:category|tag)/",
            r"[?&]view=itemlist(?:&|$)",
            r"^/(?:index\.php/)?[^/?.]+(?:\.html)?/?(?:\?start=\d+)?$",
        ),
        "article": (r"/item/\d+", r"[?&]view=item&(?:.*&)?id=\d+"),
    },
    # City/province portals: a category folder (`/<Cat>/`, `?p=N`) is a listing,
    # `/<Cat>/<slug>-<id>.html` an article.
    "portal": {
        "listing": (r"^/[^/?.]+/?(?:\?p=\d+)?$",),
        "article": (r"/[^/?]+-\d+\.html?$",),
    },
}


# What a family's CMS prints on a listing that has no content (Drupal Views' `view-empty`
# area): such a section is reported as empty, not as rows the selectors missed. A site file may
# name its own under [selectors] `empty_listing`.
EMPTY_LISTING: dict[str, tuple[str, ...]] = {
    "drupal7": (".view-empty",),
    "drupal8": (".view-empty",),
}


def says_empty(selector: Selector, queries: Iterable[str]) -> bool:
    """True when the page carries its CMS's own "nothing to list" marker."""
    return any(selector.css(q) for q in queries)


@dataclass(frozen=True)
class UrlShapes:
    """A family's listing and article URL shapes, as regexes over `path?query` (decoded)."""

    listing: tuple[re.Pattern[str], ...]
    article: tuple[re.Pattern[str], ...]

    @classmethod
    def of(cls, listing: Iterable[str], article: Iterable[str]) -> UrlShapes:
        return cls(tuple(re.compile(p) for p in listing), tuple(re.compile(p) for p in article))

    @staticmethod
    def target(url: str) -> str:
        parts = urlsplit(url)
        path = unquote(parts.path) or "/"
        return f"{path}?{unquote(parts.query)}" if parts.query else path

    @staticmethod
    def never_a_page(url: str, target: str) -> bool:
        """A file, an account, a search or a feed: neither a section nor an article."""
        return bool(SKIP_EXT_RE.search(urlsplit(url).path) or _NEVER.search(target))

    def is_article(self, url: str) -> bool:
        """An article link: an article shape matches and no listing shape does."""
        target = self.target(url)
        if self.never_a_page(url, target):
            return False
        return (any(p.search(target) for p in self.article)
                and not any(p.search(target) for p in self.listing))

    def is_listing(self, url: str) -> bool:
        """A listing link: a listing shape matches and no article shape does."""
        target = self.target(url)
        if target == "/" or self.never_a_page(url, target):
            return False
        return (any(p.search(target) for p in self.listing)
                and not any(p.search(target) for p in self.article))


def family_shapes(spider_cls: type[Any], overrides: dict[str, Any] | None = None,
                  cms: str = "") -> UrlShapes:
    """The URL shapes of a spider's family: `URL_SHAPES[cms]`, unless a module along its class
    hierarchy defines `LISTING_URL_SHAPES`/`ARTICLE_URL_SHAPES`; a site file's [selectors]
    `listing_url_shapes`/`article_url_shapes` replace either."""
    entry = URL_SHAPES.get(cms, {})
    listing: Iterable[str] = entry.get("listing", ())
    article: Iterable[str] = entry.get("article", ())
    for klass in spider_cls.__mro__:
        module = sys.modules.get(klass.__module__)
        if module is not None and hasattr(module, "ARTICLE_URL_SHAPES"):
            listing = getattr(module, "LISTING_URL_SHAPES", ())
            article = module.ARTICLE_URL_SHAPES
            break
    overrides = overrides or {}
    listing = overrides.get("listing_url_shapes", listing)
    article = overrides.get("article_url_shapes", article)
    return UrlShapes.of([listing] if isinstance(listing, str) else listing,
                        [article] if isinstance(article, str) else article)


def same_site(url: str, host: str) -> bool:
    netloc = (urlsplit(url).hostname or "").lower()
    return netloc == host.lower() or netloc.removeprefix("www.") == host.lower().removeprefix(
        "www.")


def content_region(selector: Selector) -> Selector:
    """A copy of the page without its chrome: nav, header, footer, sidebars, menus, and the
    blocks headed "Tin khác"/"Tin liên quan"... The main region (`main`, `#content`...) is
    preferred when it exists."""
    root = copy.deepcopy(selector.root)
    page = Selector(root=root, type="html")
    for query in (CHROME_XPATH, _RELATED_XPATH):
        for element in page.xpath(query):
            try:
                element.drop()
            except Exception:  # the root itself (no parent), or a detached child
                continue
    for query in MAIN_REGIONS:
        found = page.css(query)
        if found and found[0].xpath(".//a[@href]"):
            return found[0]
    return page


def _links(scope: Selector, base: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for anchor in scope.xpath(".//a[@href]"):
        href = (anchor.attrib.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        text = " ".join(anchor.xpath("string()").get("").split())
        out.append((urljoin(base, href).split("#")[0], text))
    return out


def article_links(selector: Selector, base: str, shapes: UrlShapes, host: str
                  ) -> list[tuple[str, str]]:
    """(url, link text) of article-shaped links in the page's content region, first seen
    first, each URL once (the longest link text wins: a title beats "Xem tiếp")."""
    found: dict[str, str] = {}
    for url, text in _links(content_region(selector), base):
        if same_site(url, host) and shapes.is_article(url):
            if len(text) > len(found.get(url, "")):
                found[url] = text
    return list(found.items())


def listing_candidates(selector: Selector, base: str, shapes: UrlShapes, host: str
                       ) -> list[tuple[str, str]]:
    """(url, menu label) of listing-shaped links: the menus' first, then the rest of the page.

    A link repeated in several menus keeps its first label."""
    found: dict[str, str] = {}
    menus = [(urljoin(base, a.attrib.get("href", "")).split("#")[0],
              " ".join(a.xpath("string()").get("").split()))
             for a in selector.xpath(MENU_XPATH)]
    for url, text in [*menus, *_links(selector, base)]:
        # A pager link is a later page of the listing it sits on, never a section of its own.
        if same_site(url, host) and shapes.is_listing(url) and not is_pager_url(url):
            key = unquote(url).rstrip("/")
            if key not in {unquote(u).rstrip("/") for u in found}:
                found[url] = text or unquote(urlsplit(url).path).strip("/")
    return list(found.items())


def feed_urls(selector: Selector, base: str) -> list[str]:
    """RSS/Atom feeds a page announces (`<link rel="alternate" type="application/rss+xml">`)."""
    hrefs = selector.xpath(
        "//link[@rel='alternate'][contains(@type, 'rss') or contains(@type, 'atom')]/@href"
    ).getall()
    return list(dict.fromkeys(urljoin(base, h.strip()) for h in hrefs if h.strip()))


def sitemap_locs(text: str) -> tuple[bool, list[str]]:
    """(is a sitemap index, <loc> URLs) of a sitemap.xml document."""
    doc = Selector(text=text, type="xml")
    locs = [s.strip() for s in doc.xpath("//*[local-name()='loc']/text()").getall() if s.strip()]
    return bool(doc.xpath("/*[local-name()='sitemapindex']")), locs


def section_name(url: str, label: str) -> str:
    """A discovered section's name: its menu label, else its path."""
    return label or unquote(urlsplit(url).path).strip("/") or "/"
