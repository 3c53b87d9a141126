"""Items the spiders emit: raw strings as found on the page; pipelines clean them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ArticleItem:
    """One article page, with the listing facts carried into its request."""

    site: str
    url: str
    fetched_at: str
    scheduled_url: str = ""  # the URL first scheduled, before redirects (the fetch-log key)
    http_status: int = 200
    canonical_link: str | None = None
    shortlink: str | None = None
    node_id: int | None = None
    title_raw: str = ""
    paragraphs_raw: list[str] = field(default_factory=list)
    author_raw: str = ""
    role_raw: str = ""
    categories: list[str] = field(default_factory=list)
    date_raw: str | None = None
    date_source: str | None = None
    listing_url: str | None = None
    # Links to files in the body (PDF, DOC, images...), absolute, in document order.
    attachment_urls: list[str] = field(default_factory=list)
    # Where the page's bytes were captured (set by the capture middleware in request.meta):
    # {"warc_file", "warc_offset", "warc_record_id", "warc_digest"}.
    capture: dict[str, object] | None = None
    etag: str | None = None
    last_modified: str | None = None
    # What was odd about the response it came from (partial, encoding_conflict, ...).
    flags: list[str] = field(default_factory=list)
    # The generic extraction of the same page (scrapers/crosscheck.py) when it was cross-checked:
    # raw values and the fields it filled; compared and stored by pipelines/crosscheck.py.
    generic: dict[str, Any] | None = None
    # Filled in by pipelines.
    title: str = ""
    text: str = ""
    author: str = ""
    author_role: str = ""
    author_prefix: str = ""
    published_at: str | None = None
    published_precision: str | None = None
    published_confidence: float | None = None
    canonical_url: str = ""
    content_hash: str = ""
    article_id: int | None = None  # set once stored, for pipelines that link files to it


@dataclass
class FetchOutcome:
    """A spider's report on a request that yields no article: a listing parsed, or a failure."""

    url: str  # as first scheduled, before redirects
    outcome: str
    kind: str
    reason: str | None = None
    http_status: int | None = None
