"""Crawl any site into the archive: a generic site definition made on the fly for a URL, and a
runner that takes a spider class (the generic spider, or a tailored one for `check-site`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from luutru.crawl import CrawlSummary, crawl_settings, run_crawl
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


def generic_spider_class(site: SiteDef) -> type:
    """The generic spider bound to `site` (what `scrapers.spiders.spider_class` does for the
    CMS families); a site file of the `generic` family brings its [hints] along."""
    from scrapers.platforms.generic import GenericSpider
    from scrapers.platforms.generic_site import GenericSiteSpider

    return type(
        f"{site.slug.title().replace('_', '')}Spider",
        (GenericSiteSpider if getattr(site, "hints", None) else GenericSpider,),
        {"name": site.slug, "site": site, "__module__": __name__},
    )


def run_spider(
    spider_cls: type,
    db: str | Path,
    *,
    base_url: str | None = None,
    max_pages: int | None = None,
    settings: Any = None,
    incremental: bool = True,
    spider_kwargs: dict[str, Any] | None = None,
) -> CrawlSummary:
    """`luutru.crawl.run_crawl` with a given spider class (blocks until the crawl ends)."""
    return run_crawl(
        spider_cls.site.slug,
        db,
        base_url=base_url,
        max_pages=max_pages,
        settings=settings or crawl_settings(db),
        incremental=incremental,
        spider_cls=spider_cls,
        spider_kwargs=spider_kwargs,
    )


def crawl_url(
    url: str,
    db: str | Path,
    *,
    max_pages: int | None = None,
    max_articles: int | None = None,
    max_depth: int | None = None,
    settings: Any = None,
) -> CrawlSummary:
    """Archive the site at `url` with the generic spider, as site `generic_<host>`."""
    site = generic_site(url)
    return run_spider(
        generic_spider_class(site),
        db,
        max_pages=max_pages,
        settings=settings,
        spider_kwargs={"start_url": url, "max_articles": max_articles, "max_depth": max_depth},
    )


class SampleCap:
    """Spider middleware for `check-site`: at most `LUUTRU_SAMPLE` article requests in a run."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.seen = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> SampleCap:
        return cls(crawler.settings.getint("LUUTRU_SAMPLE", 0))

    def _keep(self, obj: Any) -> bool:
        from scrapy import Request

        if self.cap <= 0 or not isinstance(obj, Request) or obj.meta.get("kind") != "article":
            return True
        self.seen += 1
        return self.seen <= self.cap

    def process_spider_output(self, response: Any, result: Any) -> Any:
        for obj in result:
            if self._keep(obj):
                yield obj

    async def process_spider_output_async(self, response: Any, result: Any) -> Any:
        async for obj in result:
            if self._keep(obj):
                yield obj

    async def process_start(self, start: Any) -> Any:
        async for obj in start:
            if self._keep(obj):
                yield obj
