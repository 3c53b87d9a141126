"""Crawl any site into the archive: a generic site definition made on the fly for a URL, and
the generic spider bound to it (`crawl-url`; `check-site` of a generic site file)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.settings import Settings

from luutru.crawl import CrawlSummary, run_crawl
from scrapers.platforms import SiteSpider
from scrapers.sites import SiteDef

GENERIC_CMS = "generic"


def generic_slug(url: str) -> str:
    """`generic_<host with dots as _>` (a non-default port is kept: `generic_127_0_0_1_8080`)."""
    parts = urlsplit(url if "://" in url else f"http://{url}")
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not host:
        raise ValueError(f"not a URL with a host: {url!r}")
    default = {"http": 80, "https": 443}.get(parts.scheme)
    if parts.port and parts.port != default:
        host = f"{host}_{parts.port}"
    return "generic_" + re.sub(r"[^a-z0-9]+", "_", host).strip("_")


def generic_site(url: str, *, name: str = "", province: str = "") -> SiteDef:
    """A SiteDef for a URL no site file describes: cms "generic", status active."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"crawl-url needs an http(s) URL, got {url!r}")
    base = f"{parts.scheme}://{parts.netloc}"
    host = parts.hostname.lower().removeprefix("www.")
    return SiteDef(
        slug=generic_slug(url),
        name=name or host,
        province=province,
        base_url=base,
        cms=GENERIC_CMS,
        sections=(),
        status="active",
    )


def generic_spider_class(site: SiteDef, *, page_reader: bool = False) -> type[SiteSpider]:
    """The generic spider bound to `site` (what `scrapers.spiders.spider_class` does for the
    CMS families); a site file of the `generic` family brings its [hints] along, and
    `page_reader` asks for the class that also parses one saved page at a time (re-extraction
    of a crawl-url site: luutru.process.PageReader)."""
    from scrapers.platforms.generic import GenericSpider
    from scrapers.platforms.generic_site import GenericSiteSpider

    return type(
        f"{site.slug.title().replace('_', '')}Spider",
        (GenericSiteSpider if page_reader or getattr(site, "hints", None) else GenericSpider,),
        {"name": site.slug, "site": site, "__module__": __name__},
    )


def crawl_url(url: str, db: str | Path, *, max_pages: int | None = None,
              max_articles: int | None = None, max_depth: int | None = None,
              settings: Settings | None = None) -> CrawlSummary:
    """Archive the site at `url` with the generic spider, as site `generic_<host>`."""
    site = generic_site(url)
    return run_crawl(
        site.slug,
        db,
        max_pages=max_pages,
        settings=settings,
        spider_cls=generic_spider_class(site),
        spider_kwargs={"start_url": url, "max_articles": max_articles, "max_depth": max_depth},
    )
