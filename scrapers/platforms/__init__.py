"""Base spiders per CMS family; a site file names its family in `cms`."""

from __future__ import annotations

from scrapers.platforms.base import SiteSpider
from scrapers.platforms.drupal7 import Drupal7Spider
from scrapers.platforms.drupal8 import Drupal8Spider
from scrapers.platforms.generic_site import GenericSiteSpider
from scrapers.platforms.joomla_k2 import JoomlaK2Spider
from scrapers.platforms.listing import ListingSpider
from scrapers.platforms.nukeviet import NukeVietSpider
from scrapers.platforms.portal import PortalSpider

PLATFORMS: dict[str, type[SiteSpider]] = {
    "drupal7": Drupal7Spider,
    "drupal8": Drupal8Spider,
    "nukeviet": NukeVietSpider,
    "joomla_k2": JoomlaK2Spider,
    "portal": PortalSpider,
    "generic": GenericSiteSpider,  # CMS unknown: crawl-url's rules + the site file's [hints]
}

__all__ = ["PLATFORMS", "ListingSpider", "SiteSpider"]
