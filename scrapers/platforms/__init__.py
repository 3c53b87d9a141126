"""Base spiders per CMS family; a site file names its family in `cms`."""

from __future__ import annotations

from scrapers.platforms.base import SiteSpider
from scrapers.platforms.drupal7 import Drupal7Spider

PLATFORMS: dict[str, type[SiteSpider]] = {
    "drupal7": Drupal7Spider,
}
