"""Per-site numbers that show how complete an archive is (dates, authors, years, last run)."""

from __future__ import annotations

import sqlite3
from typing import Any


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def site_stats(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """One dict per site (registered or with articles), ordered by slug, so a researcher can
    see at a glance which sites lack dates or authors and when each was last crawled.

    Shares are fractions in [0, 1] (0.0 for a site without articles); `per_year` maps an int
    year to its article count, `per_month` a "YYYY-MM" string to its count; `last_run` is the
    newest run (any status) or None.
    """
    sites: dict[str, dict[str, Any]] = {}

    def entry(slug: str) -> dict[str, Any]:
        if slug not in sites:
            sites[slug] = {
                "site": slug,
                "name": None,
                "articles": 0,
                "with_date": 0.0,
                "with_author": 0.0,
                "first_published": None,
                "last_published": None,
                "per_year": {},
                "per_month": {},
                "last_run": None,
                "date_sources": {},
            }
        return sites[slug]

    for slug, name in conn.execute("SELECT slug, name FROM sites"):
        entry(slug)["name"] = name
    for slug, n, dated, authored, first, last in conn.execute(
        "SELECT site, count(*), count(published_at), "
        "sum(author IS NOT NULL AND trim(author) != ''), "
        "min(substr(published_at, 1, 10)), max(substr(published_at, 1, 10)) "
        "FROM articles GROUP BY site"
    ):
        e = entry(slug)
        e.update(
            articles=n,
            with_date=_share(dated, n),
            with_author=_share(authored or 0, n),
            first_published=first,
            last_published=last,
        )
    for slug, year, n in conn.execute(
        "SELECT site, substr(published_at, 1, 4) AS y, count(*) FROM articles "
        "WHERE published_at IS NOT NULL GROUP BY site, y ORDER BY site, y"
    ):
        if year and year.isdigit():
            entry(slug)["per_year"][int(year)] = n
    for slug, month, n in conn.execute(
        "SELECT site, substr(published_at, 1, 7) AS m, count(*) FROM articles "
        "WHERE published_at IS NOT NULL GROUP BY site, m ORDER BY site, m"
    ):
        if month and len(month) == 7 and month[:4].isdigit():
            entry(slug)["per_month"][month] = n
    for slug, source, n in conn.execute(
        "SELECT site, published_source, count(*) FROM articles "
        "WHERE published_at IS NOT NULL GROUP BY site, published_source "
        "ORDER BY site, count(*) DESC"
    ):
        entry(slug)["date_sources"][source or "unknown"] = n
    for run_id, slug, status, started, finished in conn.execute(
        "SELECT r.id, r.site, r.status, r.started_at, r.finished_at FROM runs r "
        "WHERE r.id = (SELECT max(id) FROM runs WHERE site = r.site)"
    ):
        entry(slug)["last_run"] = {
            "id": run_id,
            "status": status,
            "started_at": started,
            "finished_at": finished,
        }
    return [sites[k] for k in sorted(sites)]


CHECK_FIELDS = ("title", "body", "author", "date")


def crosscheck_agreement(conn: sqlite3.Connection, *, site: str | None = None,
                         run_ids: list[int] | None = None) -> dict[str, dict[str, Any]]:
    """Per field, how often the family spider's reading agreed with the generic extraction's
    (the `article_checks` rows of one site, or of the given runs): {field: {"checked": n
    compared, "agree": share in [0, 1], "filled": values taken from the generic reading}}.
    Values only the family read are not compared; fields never compared are left out; an
    archive made before cross-checks gives {}."""
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'article_checks'"
    ).fetchone()
    if not has_table:
        return {}
    where: list[str] = []
    params: list[str | int] = []
    if site is not None:
        where.append("a.site = ?")
        params.append(site)
    if run_ids is not None:
        if not run_ids:
            return {}
        where.append(f"c.run_id IN ({','.join('?' * len(run_ids))})")
        params.extend(run_ids)
    sql = ("SELECT c.field, count(c.agree), sum(c.agree), sum(c.chosen = 'generic') "
           "FROM article_checks c JOIN articles a ON a.id = c.article_id"
           + (" WHERE " + " AND ".join(where) if where else "") + " GROUP BY c.field")
    found = {field: {"checked": n, "agree": _share(agree or 0, n), "filled": filled or 0}
             for field, n, agree, filled in conn.execute(sql, params) if n}
    return {f: found[f] for f in (*CHECK_FIELDS, *sorted(set(found) - set(CHECK_FIELDS)))
            if f in found}


def format_agreement(agreement: dict[str, dict[str, Any]]) -> str:
    """`title 100% · body 95% · author 80% (3 filled) · date 100% of 4 (20 compared)`: a
    field compared in fewer articles than the others says in how many; "-" when none."""
    if not agreement:
        return "-"
    checked = max(a["checked"] for a in agreement.values())
    parts = []
    for field, a in agreement.items():
        fewer = f" of {a['checked']}" if a["checked"] < checked else ""
        filled = f" ({a['filled']} filled)" if a["filled"] else ""
        parts.append(f"{field} {a['agree']:.0%}{fewer}{filled}")
    return " · ".join(parts) + f" ({checked} compared)"
