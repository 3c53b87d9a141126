"""What the archive already holds for a site, in the form an incremental crawl asks about it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple, TypeVar

from archive.urls import canonicalize_url

_Row = TypeVar("_Row")


@dataclass(frozen=True, slots=True)  # one per archived article, held all run: no __dict__
class KnownArticle:
    published_at: str | None
    etag: str | None
    last_modified: str | None
    article_id: int | None = None
    canonical_url: str = ""  # the archive's key (live origin): re-checks are built from it


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
    # Where the archive is, for the re-check queries made once per run (recheck_candidates,
    # missing_from_listing); "" for an object built by hand, which then has none.
    db: str = ""
    site: str = ""
    # Rolling revalidation: how many of the least recently checked articles this run re-checks
    # (archive/recheck.py sizes it); 0 for none (a `--refresh` run re-checks everything anyway).
    recheck_budget: int = 0

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

    def due(self) -> list[KnownArticle]:
        """The known articles due for a refresh this run (recent, or all with `--refresh`),
        each once, by canonical URL: never a URL an article was fetched under (an old mirror's
        host and port mean nothing to the host crawled now)."""
        due = [entry for url, entry in self.articles.items()
               if url == entry.canonical_url and self.status(url) == "refresh"]
        return sorted(due, key=lambda e: e.canonical_url)

    def recheck_candidates(self, limit: int, skip: set[int]) -> list[KnownArticle]:
        """Up to `limit` archived articles checked longest ago (`last_seen`: the last answer,
        200 or 304), none of `skip`; an article whose check failed in the previous run goes
        last, so a page that always fails cannot take the whole budget."""
        if limit <= 0 or not self.db:
            return []
        rows = _query(
            self.db,
            "SELECT a.id FROM articles a WHERE a.site = ? AND a.gone_at IS NULL ORDER BY "
            "a.id IN (SELECT f.article_id FROM fetch_log f WHERE f.outcome = 'failed' AND "
            "f.article_id IS NOT NULL AND f.run_id = (SELECT max(id) FROM runs WHERE site = ? "
            "AND status != 'running')), coalesce(a.last_seen, ''), a.id LIMIT ?",
            (self.site, self.site, limit + len(skip)),
            _Id,
        )
        return self._entries([r.id for r in rows if r.id not in skip][:limit])

    def missing_from_listing(self, section: str, gaps: list[tuple[str, str]], seen: set[int],
                             checked_before: str) -> list[KnownArticle]:
        """Archived articles of `section` dated strictly inside a gap between two neighbouring
        rows of a listing page read in full (the newer date first), that no listing showed
        this run: most likely deleted. One not checked since `checked_before` only, so an
        article a listing never shows (a theme's filter) does not take every run's budget."""
        if not gaps or not self.db:
            return []
        found: list[int] = []
        for newer, older in gaps:
            rows = _query(
                self.db,
                "SELECT a.id FROM articles a WHERE a.site = ? AND a.gone_at IS NULL "
                "AND substr(a.published_at, 1, 10) > ? AND substr(a.published_at, 1, 10) < ? "
                "AND coalesce(a.last_seen, '') < ? AND EXISTS (SELECT 1 FROM "
                "json_each(CASE WHEN json_valid(a.categories) THEN a.categories ELSE '[]' END) "
                "WHERE value = ?) ORDER BY a.published_at DESC",
                (self.site, older[:10], newer[:10], checked_before, section),
                _Id,
            )
            found += [r.id for r in rows if r.id not in seen and r.id not in found]
        return self._entries(found)

    def _entries(self, ids: list[int]) -> list[KnownArticle]:
        """The loaded entries of these article ids, in order (an id not loaded is left out)."""
        wanted = set(ids)
        by_id = {e.article_id: e for e in self.articles.values() if e.article_id in wanted}
        return [by_id[i] for i in ids if i in by_id]

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
    known = KnownArticles(origin=origin, aliases=tuple(aliases), refresh_all=refresh_all,
                          db=str(db), site=site)
    if refresh_days is not None and refresh_days > 0:
        known.refresh_after = (today or datetime.now().date()) - timedelta(days=refresh_days)
    rows = _query(
        db,
        "SELECT a.canonical_url, u.url, a.published_at, a.etag, a.last_modified, a.id, a.node_id "
        "FROM articles a LEFT JOIN article_urls u ON u.article_id = a.id "
        "WHERE a.site = ? AND a.gone_at IS NULL ORDER BY a.id",
        (site,),
        _KnownRow,
    )
    entries: dict[int, KnownArticle] = {}
    for r in rows:
        entry = entries.setdefault(r.id, KnownArticle(
            r.published_at, r.etag, r.last_modified, r.id, r.canonical_url))
        known.articles[r.canonical_url] = entry
        if r.alias:
            known.articles[known.canonical(r.alias)] = entry
        if isinstance(r.node_id, int):
            known.nodes.setdefault(r.node_id, entry)
    return known


def last_run_finished(db: str | Path, site: str) -> bool:
    """True when the site's latest run finished: only then may a crawl stop at known pages."""
    rows = _query(db, "SELECT status FROM runs WHERE site = ? ORDER BY id DESC LIMIT 1", (site,),
                  _Status)
    return bool(rows) and rows[0].status == "finished"


class _Id(NamedTuple):
    id: int


class _Status(NamedTuple):
    status: str


class _KnownRow(NamedTuple):
    """One URL of an archived article, as `load_known` selects it."""

    canonical_url: str
    alias: str | None  # a URL of article_urls (NULL: the article has none)
    published_at: str | None
    etag: str | None
    last_modified: str | None
    id: int
    node_id: object  # INTEGER affinity: a value SQLite could not make an integer is skipped


def _query(db: str | Path, sql: str, params: tuple[object, ...],
           row: Callable[..., _Row]) -> list[_Row]:
    """Rows from the archive read-only, each as `row` (a NamedTuple naming the selected
    columns); none when there is no archive (yet) or it predates the columns asked for."""
    path = Path(db)
    if not path.exists():
        return []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = lambda _cursor, values: row(*values)
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()
