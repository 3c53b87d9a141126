"""What the archive already holds for a site, in the form an incremental crawl asks about it."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from pipelines.urls import canonicalize_url


@dataclass(frozen=True)
class KnownArticle:
    published_at: str | None
    etag: str | None
    last_modified: str | None


@dataclass
class KnownArticles:
    """Answers, for a URL seen on a listing, whether to fetch it: "new", "refresh" or "known".

    URLs are compared in canonical form (the site's live origin), so an archive made from a
    mirror and one made from the live site know the same articles.
    """

    origin: str
    aliases: tuple[str, ...]
    articles: dict[str, KnownArticle] = field(default_factory=dict)  # canonical or alias URL
    refresh_all: bool = False
    refresh_after: date | None = None  # re-fetch articles published on or after this day

    def canonical(self, url: str) -> str:
        return canonicalize_url(url, origin=self.origin, aliases=self.aliases)

    def get(self, url: str) -> KnownArticle | None:
        return self.articles.get(self.canonical(url))

    def status(self, url: str) -> str:
        known = self.get(url)
        if known is None:
            return "new"
        if self.refresh_all:
            return "refresh"
        if self.refresh_after and known.published_at:
            if known.published_at[:10] >= self.refresh_after.isoformat():
                return "refresh"
        return "known"

    def due(self) -> list[str]:
        """Canonical URLs of the known articles due for a re-check this run."""
        seen: set[int] = set()
        urls = []
        for url, entry in self.articles.items():
            if id(entry) in seen or url != self.canonical(url):
                continue
            seen.add(id(entry))
            if self.status(url) == "refresh":
                urls.append(url)
        return sorted(urls)

    def validators(self, url: str) -> dict[str, str]:
        """Conditional-request headers for a re-fetch, where the server gave validators."""
        known = self.get(url)
        headers: dict[str, str] = {}
        if known and known.etag:
            headers["If-None-Match"] = known.etag
        if known and known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        return headers

    def __len__(self) -> int:
        return len(self.articles)


def load_known(
    db: str | Path,
    site: str,
    *,
    origin: str,
    aliases: Iterable[str],
    refresh_all: bool = False,
    refresh_days: int | None = 30,
    today: date | None = None,
) -> KnownArticles:
    """Read the site's known articles (all their URLs) from the archive; empty when none."""
    known = KnownArticles(origin=origin, aliases=tuple(aliases), refresh_all=refresh_all)
    if refresh_days is not None and refresh_days > 0:
        known.refresh_after = (today or datetime.now().date()) - timedelta(days=refresh_days)
    rows = _query(
        db,
        "SELECT a.canonical_url, u.url, a.published_at, a.etag, a.last_modified "
        "FROM articles a LEFT JOIN article_urls u ON u.article_id = a.id "
        "WHERE a.site = ? AND a.gone_at IS NULL",
        (site,),
    )
    for canonical, alias, published_at, etag, last_modified in rows:
        entry = KnownArticle(published_at, etag, last_modified)
        known.articles[canonical] = entry
        if alias:
            known.articles[known.canonical(alias)] = entry
    return known


def last_run_finished(db: str | Path, site: str) -> bool:
    """True when the site's latest run finished: only then may a crawl stop at known pages."""
    rows = _query(db, "SELECT status FROM runs WHERE site = ? ORDER BY id DESC LIMIT 1", (site,))
    return bool(rows) and rows[0][0] == "finished"


def _query(db: str | Path, sql: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
    """Rows from the archive read-only; none when there is no archive (yet) or it predates the
    columns asked for."""
    path = Path(db)
    if not path.exists():
        return []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()
