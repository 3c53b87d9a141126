"""Hostile answers: redirects luutru refuses to follow, and redirect chains it gives up on.

`RedirectGuardMiddleware` (650, before Scrapy's RedirectMiddleware): refuses redirects to
non-http(s) schemes (`file:`, `data:`, `ftp:`), recorded `skipped(unsafe_redirect: <scheme>)`,
and records `failed(too_many_redirects)` past `REDIRECT_MAX_TIMES`. Size limits
(`DOWNLOAD_MAXSIZE`, which also bounds decompression bombs) are Scrapy's; their failures are
named by `outcomes.classify`.
"""

from __future__ import annotations

import logging
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from scrapers.middlewares.outcomes import FetchRefused

logger = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class RedirectGuardMiddleware:
    """Refuse redirects to non-http(s) schemes; name the max-redirections failure."""

    def __init__(self, crawler: Crawler) -> None:
        self.max_times = crawler.settings.getint("REDIRECT_MAX_TIMES", 20)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectGuardMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in REDIRECT_STATUSES or request.meta.get("dont_redirect"):
            return response
        location = response.headers.get(b"Location")
        if not location:
            return response
        target = urljoin(request.url, location.decode("latin-1").strip())
        scheme = urlsplit(target).scheme.lower()
        if scheme not in ("http", "https"):
            logger.warning("refused redirect of %s to a %s: URL", request.url, scheme)
            raise FetchRefused("skipped", f"unsafe_redirect: {scheme}",
                               f"redirect to a {scheme}: URL refused", response.status)
        if request.meta.get("redirect_times", 0) + 1 > self.max_times:
            raise FetchRefused("failed", "too_many_redirects",
                               f"more than {self.max_times} redirections", response.status)
        return response
