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
    article_id: int | None = None


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
    # The CMS's node id -> article: a `/node/N` link names an article archived under its alias.
    nodes: dict[int, KnownArticle] = field(default_factory=dict)

    def canonical(self, url: str) -> str:
        return canonicalize_url(url, origin=self.origin, aliases=self.aliases)

    def get(self, url: str, node_id: int | None = None) -> KnownArticle | None:
        """The archived article `url` names; `node_id` (read from a `/node/N` link by the
        family's pattern) finds one archived under another spelling."""
        found = self.articles.get(self.canonical(url))
        if found is None and node_id is not None:
            found = self.nodes.get(node_id)
        return found

    def status(self, url: str, node_id: int | None = None) -> str:
        known = self.get(url, node_id)
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
        "SELECT a.canonical_url, u.url, a.published_at, a.etag, a.last_modified, a.id, a.node_id "
        "FROM articles a LEFT JOIN article_urls u ON u.article_id = a.id "
        "WHERE a.site = ? AND a.gone_at IS NULL ORDER BY a.id",
        (site,),
    )
    entries: dict[object, KnownArticle] = {}
    for canonical, alias, published_at, etag, last_modified, article_id, node_id in rows:
        entry = entries.setdefault(
            article_id, KnownArticle(published_at, etag, last_modified, article_id)
        )
        known.articles[canonical] = entry
        if alias:
            known.articles[known.canonical(alias)] = entry
        if isinstance(node_id, int):
            known.nodes.setdefault(node_id, entry)
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
