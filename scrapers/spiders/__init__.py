"""One spider class per site file, made from its CMS family's base spider (a site is data)."""

from __future__ import annotations

from scrapers.platforms import PLATFORMS, SiteSpider
from scrapers.sites import SiteDef, all_sites, get_site


def spider_class(site: SiteDef) -> type[SiteSpider]:
    """A spider class named after the site's slug, bound to its definition."""
    if site.cms not in PLATFORMS:
        known = ", ".join(sorted(PLATFORMS))
        raise ValueError(f"site {site.slug!r}: unknown cms {site.cms!r} (known: {known})")
    base = PLATFORMS[site.cms]
    return type(
        f"{site.slug.title().replace('_', '')}Spider",
        (base,),
        {"name": site.slug, "site": site, "__module__": __name__},
    )


def spider_for(slug: str) -> type[SiteSpider]:
    return spider_class(get_site(slug))


# Scrapy's SpiderLoader finds spiders as module-level classes, so `scrapy crawl bentre` works.
for _site in all_sites().values():
    globals()[spider_class(_site).__name__] = spider_class(_site)
