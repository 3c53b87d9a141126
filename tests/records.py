"""Article records as the item pipelines hand them to `Archive.store_article`, for tests that
fill an archive directly (no crawl)."""

from __future__ import annotations

from typing import Any


def article_record(site: str, n: int | str, /, **over: Any) -> dict[str, Any]:
    """Article `n` of `site`: its own URLs, title, text and content hash; no author, no date,
    two categories, unless `over` sets them."""
    record: dict[str, Any] = {
        "site": site,
        "canonical_url": f"https://{site}.vn/bai/{n}",
        "url": f"https://{site}.vn/node/{n}",
        "title": f"Bài {n}",
        "text": f"Nội dung bài {n}.",
        "author": None,
        "categories": ["Tin tức", "Nghiên cứu"],
        "published_at": None,
        "published_precision": None,
        "published_source": None,
        "published_raw": None,
        "content_hash": f"{site}-{n}",
        "fetched_at": "2024-01-01T00:00:00+00:00",
    }
    record.update(over)
    return record
