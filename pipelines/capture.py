"""Downloader middleware: write every response the crawler receives, with its request, to WARC.

Placed at 800 in DOWNLOADER_MIDDLEWARES, between HttpProxyMiddleware (750) and DownloaderStats
(850): `process_response` runs from high to low numbers, so it sees each response as received —
before RedirectMiddleware (600) turns a 3xx into a new request and before HttpCompressionMiddleware
(590) decodes gzip/br — and `process_request` of every header-setting middleware below 800
(DefaultHeaders, UserAgent, HttpCompression's Accept-Encoding, Cookies, proxy) has run, so the
request record shows the headers as sent. robots.txt and attachment downloads made through
`engine.download_async` pass through here too.

Where a response was written goes in `request.meta["warc_ref"]` (a dict: warc_file relative to
the db folder, warc_offset, warc_record_id, warc_digest); the run's file name goes in the stats as
`luutru/warc_file`. Settings: LUUTRU_DB (the file sits in `<db folder>/warc/`), LUUTRU_WARC
(default True; False turns capture off).

In a crawl with the archive writer process (pipelines/writer.py), the middleware only hands the
exchange to it (`crawler.luutru_warc_sink`): the writer gzips and writes the records, in the
order responses came, and `warc_ref` is `{"capture_id": n}` until the writer links the article
to its record (the writer writes a response's record before the article built from it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypedDict

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from archive.warc import WarcWriter, warc_path_for
from pipelines.stage import connect

logger = logging.getLogger(__name__)

STATS_KEY = "luutru/warc_file"


class Exchange(TypedDict):
    """One response and the request it answered, as `WarcWriter.write_exchange` takes them;
    pickled as is to the archive writer process (pipelines/writer.py `_capture`)."""

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    protocol: str
    status: int
    response_headers: list[tuple[str, str]]
    body: bytes
    ip_address: str | None


# Where the writer process takes the exchanges (`crawler.luutru_warc_sink`): it answers the
# `warc_ref` to put in the request's meta until the article is linked to its record.
WarcSink = Callable[[Exchange], dict[str, Any]]


def _pairs(headers: Any) -> list[tuple[str, str]]:
    out = []
    for name, values in headers.items():
        key = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        for value in values or [b""]:
            out.append((key, value.decode("latin-1") if isinstance(value, bytes) else str(value)))
    return out


def warc_info(crawler: Crawler, site: str) -> dict[str, str]:
    """The warcinfo fields of a crawl's WARC file."""
    spider = getattr(crawler, "spider", None)
    return {
        "isPartOf": site,
        "operator": "luutru",
        "http-header-user-agent": crawler.settings.get("USER_AGENT", ""),
        "robots": "obey" if crawler.settings.getbool("ROBOTSTXT_OBEY") else "ignore",
        "description": f"base_url={getattr(spider, 'base_url', '')}",
    }


class WarcCaptureMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("LUUTRU_WARC", True):
            raise NotConfigured("LUUTRU_WARC is off")
        self.crawler = crawler
        self.db_path = Path(crawler.settings.get("LUUTRU_DB", "luutru.db"))
        self.writer: WarcWriter | None = None
        self.failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        mw = cls(crawler)
        connect(crawler, mw, "spider_opened", "spider_closed")
        return mw

    def _site(self) -> str:
        spider = getattr(self.crawler, "spider", None)
        site = getattr(spider, "site", None)
        return getattr(site, "slug", None) or getattr(spider, "name", None) or "crawl"

    def _open(self) -> WarcWriter | None:
        if self.writer is None and not self.failed:
            try:
                path = warc_path_for(self.db_path, self._site())
                self.writer = WarcWriter(path, info=warc_info(self.crawler, self._site()))
            except OSError as exc:
                self.failed = True
                logger.error("cannot open a WARC file next to %s: %s", self.db_path, exc)
                return None
            if self.crawler.stats is not None:
                self.crawler.stats.set_value(STATS_KEY, self.writer.rel_name)
        return self.writer

    def spider_opened(self, spider: Any = None) -> None:
        if getattr(self.crawler, "luutru_warc_sink", None) is None:
            self._open()

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Response:
        sink: WarcSink | None = getattr(self.crawler, "luutru_warc_sink", None)
        writer = None if sink is not None else self._open()
        if sink is None and writer is None:
            return response
        ip = getattr(response, "ip_address", None)
        fields: Exchange = {
            "url": response.url,
            "status": response.status,
            "response_headers": _pairs(response.headers),
            "body": response.body,
            "method": request.method,
            "request_headers": _pairs(request.headers),
            "request_body": request.body or b"",
            "protocol": getattr(response, "protocol", None) or "HTTP/1.1",
            "ip_address": str(ip) if ip else None,
        }
        if sink is not None:
            request.meta["warc_ref"] = sink(fields)
            return response
        assert writer is not None
        try:
            ref = writer.write_exchange(**fields)
        except OSError as exc:  # disk full...: keep crawling, say so loudly
            logger.error("WARC write failed for %s: %s", response.url, exc)
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("luutru/warc/errors")
            return response
        request.meta["warc_ref"] = ref.as_dict()
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("luutru/warc/records")
        return response
