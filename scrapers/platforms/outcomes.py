"""What a spider tells the fetch log and the archive about each response.

Every request ends in exactly one fetch-log row (`FetchOutcome`: crawled, stored, skipped,
failed, unchanged) or an `ArticleItem`; the row is keyed by the URL first scheduled, before any
redirect, so a re-run finds it again. `ReportingSpider` holds the reports every spider family
makes (the CMS families through `SiteSpider`, the generic spider too), and the envelope of an
`ArticleItem`: where and when the page was fetched, its capture and its validators.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from pipelines.fetchlog import failure_reason
from pipelines.items import ArticleItem, FetchOutcome
from scrapers.sites import SiteDef


def utc_now() -> str:
    """Fetch timestamps are UTC ISO strings, the same on every machine."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def scheduled_url(request: scrapy.Request) -> str:
    """The URL a request was first scheduled under; redirects keep the chain in meta."""
    return request.meta.get("redirect_urls", [request.url])[0]


def first_scheduled(response: Response) -> str:
    """The URL first scheduled for `response` (its own URL when it is tied to no request: a
    page read offline by `check-site --fixtures`)."""
    return scheduled_url(response.request) if response.request is not None else response.url


def request_meta(response: Response) -> dict[str, Any]:
    """The meta of the request behind `response`; empty when it is tied to none."""
    return response.request.meta if response.request is not None else {}


class ReportingSpider(scrapy.Spider):
    """A spider bound to a site that reports what happened to each of its requests."""

    site: ClassVar[SiteDef]

    @staticmethod
    def report(response: Response, outcome: str, kind: str,
               reason: str | None = None) -> FetchOutcome:
        """What happened to the request behind `response`, for the fetch log."""
        return FetchOutcome(url=first_scheduled(response), outcome=outcome, kind=kind,
                            reason=reason, http_status=response.status)

    def listed(self, response: Response) -> FetchOutcome:
        return self.report(response, "crawled", "listing")

    def not_modified(self, response: Response) -> FetchOutcome:
        return self.report(response, "unchanged", "article", "not_modified")

    def not_html(self, response: Response) -> FetchOutcome | None:
        """A skip report for a non-HTML answer (a PDF where an article was expected), else None."""
        if isinstance(response, TextResponse):
            return None
        return self.report(response, "skipped", request_meta(response).get("kind", "article"),
                           "not_html")

    def no_article(self, response: Response) -> FetchOutcome:
        self.logger.warning("no article found at %s", response.url)
        return self.report(response, "failed", "article", "no_article")

    def same_article(self, url: str, first: str) -> FetchOutcome:
        """The fetch-log row of a link not requested: the article it names is already
        requested this run (`first`: its canonical URL) or archived (`#id`)."""
        self.crawler.stats.inc_value("luutru/same_article_skipped")
        return FetchOutcome(url=url, outcome="skipped", kind="article",
                            reason=f"same_article:{first}")

    def on_error(self, failure: Failure) -> Iterator[FetchOutcome]:
        """Errback: every failed request becomes a fetch-log row, and the crawl goes on."""
        request = failure.request  # type: ignore[attr-defined]  # set by Scrapy on errbacks
        reason, status = failure_reason(failure)
        outcome = "skipped" if reason == "robots_txt" else "failed"
        self.logger.warning("%s %s: %s", outcome, request.url, reason)
        yield FetchOutcome(
            url=scheduled_url(request),
            outcome=outcome,
            kind=request.meta.get("kind", "page"),
            reason=reason,
            http_status=status,
        )

    def article_item(self, response: Response, *, canonical: str | None,
                     shortlink: str | None, **fields: Any) -> ArticleItem:
        """An ArticleItem with what every family records about the response itself: where it
        was fetched and first scheduled, when, its links, its capture and validators."""
        validators = self.validators(response)
        return ArticleItem(
            site=self.site.slug,
            url=response.url,
            scheduled_url=first_scheduled(response),
            fetched_at=utc_now(),
            http_status=response.status,
            canonical_link=response.urljoin(canonical) if canonical else None,
            shortlink=response.urljoin(shortlink) if shortlink else None,
            capture=request_meta(response).get("warc_ref"),
            etag=validators["etag"],
            last_modified=validators["last_modified"],
            **fields,
        )

    @staticmethod
    def validators(response: Response) -> dict[str, str | None]:
        """ETag and Last-Modified as sent, for the next crawl's conditional request."""
        return {
            name: (value.decode("latin-1") if (value := response.headers.get(header)) else None)
            for name, header in (("etag", "ETag"), ("last_modified", "Last-Modified"))
        }
