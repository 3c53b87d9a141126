"""Request fingerprints by article, not by spelling: Scrapy's duplicate filter drops a second
spelling of an article (tracking parameters, a host alias, `/node/N` once its alias is known).

The spider already skips such links when it sees them (scrapers/platforms/base.py
`article_request`); this catches the ones that were held back before the pair was learnt (a
"Tin khác" `/node/N` link read before its alias page was fetched), at the moment they are
scheduled. Only article requests are keyed this way: listings, files and robots.txt keep
Scrapy's own fingerprint.
"""

from __future__ import annotations

import hashlib
from typing import Any
from weakref import WeakKeyDictionary

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.utils.request import RequestFingerprinter


class ArticleFingerprinter(RequestFingerprinter):
    """Scrapy's fingerprinter, except that an article request is keyed by its article."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        super().__init__(crawler)
        self.crawler = crawler
        self._cache: WeakKeyDictionary[Request, bytes] = WeakKeyDictionary()

    def fingerprint(self, request: Request) -> bytes:
        cached = self._cache.get(request)
        if cached is None:
            cached = self._cache[request] = self._compute(request)
        return cached

    def _compute(self, request: Request) -> bytes:
        spellings: Any = getattr(getattr(self.crawler, "spider", None), "spellings", None)
        if spellings is None or request.meta.get("kind") != "article" or request.body:
            return super().fingerprint(request)
        key = spellings.key(request.url)
        chain = request.meta.get("redirect_urls")
        if chain and (spellings.key(chain[0]) == key or spellings.claimed(request.url) is None):
            # A redirect between spellings of one page (`/a` -> `/a/`, http -> https) must be
            # followed, not taken for a duplicate of the request that led to it; one to a page
            # no article request named (a listing) is compared as Scrapy compares it.
            return super().fingerprint(request)
        return hashlib.sha1(f"{request.method} article {key}".encode()).digest()
