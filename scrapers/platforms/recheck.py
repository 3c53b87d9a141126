"""Re-checks of archived articles that no listing showed this run: how an edit or a deletion
of an old article is noticed without `--refresh`.

Once every listing has been read, the spider asks for (conditional requests where the last
capture gave validators):

1. the recent articles due for a refresh (`--refresh-days`, everything with `--refresh`);
2. within the run's budget (`KnownArticles.recheck_budget`, sized by archive/recheck.py): first
   the articles missing from a listing page read in full (dated between two neighbouring rows
   that were shown, in their section, yet absent: most likely deleted), then the articles
   checked longest ago.

A re-check URL is the article's canonical path and query on the crawled host, built from the
parsed URL: never the URL an article was fetched under (an old mirror's host and port), and never
by cutting a string at the length of another base URL.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

# A missing article checked less than this long ago is not put first again: a listing that
# never shows it (a theme's filter, a pinned row) must not take every run's budget.
MISSING_AGAIN_AFTER = timedelta(days=1)


def on_crawled_host(canonical: str, site_base: str, crawl_base: str) -> str:
    """`canonical` (on the site's live origin) as a URL on the host crawled now.

    The path is taken segment by segment: the live site's base path (if it has one) is
    replaced by the crawled base URL's path, so `https://site/a/b` crawled from
    `http://127.0.0.1:8001` is `http://127.0.0.1:8001/a/b`.
    """
    canon, site, base = urlsplit(canonical), urlsplit(site_base), urlsplit(crawl_base)
    segments = canon.path.split("/")[1:] if canon.path.startswith("/") else canon.path.split("/")
    root = [s for s in site.path.split("/") if s]
    if root and segments[: len(root)] == root:
        segments = segments[len(root):]
    prefix = [s for s in base.path.split("/") if s]
    path = "/" + "/".join([*prefix, *segments])
    return urlunsplit((base.scheme, base.netloc, path, canon.query, ""))


@dataclass(frozen=True)
class Recheck:
    """One re-check request: where, of which archived article, and why ("recent", "missing",
    "oldest")."""

    url: str
    article_id: int | None
    canonical_url: str
    reason: str


class Rechecks:
    """What one run learns for its re-checks (the listings' rows) and the re-checks it made."""

    def __init__(self, known: Any, site_base: str, crawl_base: str) -> None:
        self.known = known  # archive.known.KnownArticles, or None on a first crawl
        self.site_base = site_base
        self.crawl_base = crawl_base
        self.seen: set[int] = set()  # archived articles a listing showed this run
        self.gaps: dict[str, list[tuple[str, str]]] = {}  # section -> (newer day, older day)
        self.made: list[Recheck] = []

    def listed(self, spider: Any, section: str, links: Iterable[tuple[str, Any]]) -> None:
        """Note a listing page read in full: the archived articles it shows, and the date gaps
        between neighbouring archived rows (newest first) where a missing article would sit."""
        if self.known is None:
            return
        previous: str | None = None
        for target, _facts in links:
            entry = self.known.get(target, spider.link_node_id(target))
            if entry is None or entry.article_id is None:
                continue  # a new article: it neither opens nor closes a gap
            self.seen.add(entry.article_id)
            day = (entry.published_at or "")[:10]
            if not day:
                previous = None
                continue
            if previous is not None and previous > day:  # a pinned older row opens no gap
                self.gaps.setdefault(section, []).append((previous, day))
            previous = day

    def plan(self, requested: set[str], claimed: Any) -> list[Recheck]:
        """The re-checks of this run, in order: recent ones due, then (within the budget) the
        missing, then the least recently checked. `requested`: canonical URLs already asked
        for this run; `claimed(url)`: the URL requested for that article, if any."""
        known = self.known
        if known is None:
            return []
        taken: set[int] = set()
        made: list[Recheck] = []

        def add(entry: Any, reason: str) -> bool:
            if entry.article_id in taken or entry.canonical_url in requested:
                return False
            url = on_crawled_host(entry.canonical_url, self.site_base, self.crawl_base)
            if claimed(url):
                return False
            if entry.article_id is not None:
                taken.add(entry.article_id)
            made.append(Recheck(url, entry.article_id, entry.canonical_url, reason))
            return True

        for entry in known.due():
            add(entry, "recent")
        budget = int(known.recheck_budget or 0)
        if budget > 0:
            skip = {e.article_id for c in requested if (e := known.get(c)) is not None}
            skip |= taken
            since = (datetime.now(UTC) - MISSING_AGAIN_AFTER).isoformat(timespec="seconds")
            spent = 0
            for section, gaps in self.gaps.items():
                for entry in known.missing_from_listing(section, gaps, self.seen | skip, since):
                    if spent < budget and add(entry, "missing"):
                        spent += 1
            for entry in known.recheck_candidates(budget - spent, skip | taken):
                if add(entry, "oldest"):
                    spent += 1
        self.made = made
        return made

    def counts(self) -> dict[str, int]:
        """Re-checks made by reason."""
        out: dict[str, int] = {}
        for check in self.made:
            out[check.reason] = out.get(check.reason, 0) + 1
        return out
