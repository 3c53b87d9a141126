"""Per-site health over time, from `runs` and `fetch_log`: has a site changed its layout or gone
dark?

For each site: its last run, the error rate of that run (failed fetch-log rows over all rows),
and the field coverage (title, date, author, text of at least 200 characters, category) of the
articles each of the last runs stored or saw, oldest first, so a falling trend shows. Flags say
what an archivist should look at: `dark` (the last run reached nothing, or almost every request
failed), `layout_changed` (coverage or articles found fell sharply against the earlier runs, or
pages answer without an article, or the run's listings/sections showed no article link: its
`silent_zero`, exit 6), `sections_failed` (a section of the site file answered 404 or listed
nothing and was replaced by discovery: update the site file), `errors` (error rate above 20 %),
`stale` (no finished run in 30 days). `agreement` gives, per field, how often the family spider
and the generic extraction read the same value in the articles of those runs it cross-checked.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from archive.stats import crosscheck_agreement, format_agreement

FIELDS = ("title", "date", "author", "text", "category")
TEXT_MIN = 200
_SEEN = ("stored", "unchanged", "duplicate")


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _run_coverage(conn: sqlite3.Connection, run_id: int) -> dict[str, Any]:
    rows = conn.execute(
        "SELECT DISTINCT a.id, a.title, a.published_at, a.author, length(a.text), a.categories "
        "FROM fetch_log f JOIN articles a ON a.id = f.article_id "
        f"WHERE f.run_id = ? AND f.outcome IN ({','.join('?' * len(_SEEN))})",
        (run_id, *_SEEN),
    ).fetchall()
    n = len(rows)
    counts = dict.fromkeys(FIELDS, 0)
    for _id, title, published, author, text_len, categories in rows:
        counts["title"] += bool(title and title.strip())
        counts["date"] += bool(published)
        counts["author"] += bool(author and author.strip())
        counts["text"] += (text_len or 0) >= TEXT_MIN
        try:
            counts["category"] += bool(json.loads(categories or "[]"))
        except ValueError:
            pass
    return {"articles": n, **{f: _share(counts[f], n) for f in FIELDS}}


def _fetch_counts(conn: sqlite3.Connection, run_id: int) -> dict[str, int]:
    return dict(conn.execute(
        "SELECT outcome, count(*) FROM fetch_log WHERE run_id = ? GROUP BY outcome", (run_id,)
    ).fetchall())


def site_health(
    conn: sqlite3.Connection, *, last_runs: int = 5, now: datetime | None = None
) -> list[dict[str, Any]]:
    """One dict per site that has runs, ordered by slug:

    `site`, `cms`, `status` (the site file's), `last_run` {id, status, started_at, finished_at,
    pages}, `error_rate` (last run), `errors` {reason: count} (last run), `no_article` (pages
    that answered without an article, last run), `trend` [{run_id, started_at, status,
    error_rate, articles, title, date, author, text, category}] oldest first, `flags` [str].
    """
    now = now or datetime.now(UTC)
    sites = {slug: {"cms": cms, "status": status} for slug, cms, status in conn.execute(
        "SELECT slug, cms, status FROM sites")}
    out: list[dict[str, Any]] = []
    run_sites = [r[0] for r in conn.execute("SELECT DISTINCT site FROM runs ORDER BY site")]
    for slug in run_sites:
        runs = conn.execute(
            "SELECT id, status, started_at, finished_at, pages FROM runs WHERE site = ? "
            "ORDER BY id DESC LIMIT ?",
            (slug, last_runs),
        ).fetchall()
        trend = []
        for run_id, status, started, _finished, _pages in reversed(runs):
            counts = _fetch_counts(conn, run_id)
            total = sum(counts.values())
            trend.append({
                "run_id": run_id,
                "started_at": started,
                "status": status,
                "error_rate": _share(counts.get("failed", 0), total),
                **_run_coverage(conn, run_id),
            })
        last = runs[0]
        reasons = dict(conn.execute(
            "SELECT coalesce(reason, 'unknown'), count(*) FROM fetch_log "
            "WHERE run_id = ? AND outcome = 'failed' GROUP BY reason ORDER BY count(*) DESC",
            (last[0],),
        ).fetchall())
        latest = trend[-1]
        flags: list[str] = []
        counts = _fetch_counts(conn, last[0])
        answered = sum(v for k, v in counts.items() if k != "failed")
        if last[1] == "failed" or (latest["error_rate"] >= 0.9 and not answered) or (
                not last[4] and last[1] != "running"):
            flags.append("dark")
        earlier = [t for t in trend[:-1] if t["articles"]]
        if earlier and "dark" not in flags:
            for field in ("date", "text", "title"):
                before = sum(t[field] for t in earlier) / len(earlier)
                if before - latest[field] >= 0.2:
                    flags.append("layout_changed")
                    break
            else:
                mean_found = sum(t["articles"] for t in earlier) / len(earlier)
                if latest["articles"] == 0 and mean_found >= 1 and reasons.get("no_article"):
                    flags.append("layout_changed")
        if reasons.get("no_article", 0) >= 3 and "layout_changed" not in flags:
            flags.append("layout_changed")
        layout = _layout_facts(conn, last[0])
        if layout.get("silent_zero") and "layout_changed" not in flags:
            flags.append("layout_changed")  # a listing/section showed no article (exit 6)
        if layout.get("sections_failed"):
            flags.append("sections_failed")  # the site file names sections the site lacks
        if latest["error_rate"] > 0.2 and "dark" not in flags:
            flags.append("errors")
        finished = conn.execute(
            "SELECT max(finished_at) FROM runs WHERE site = ? AND status = 'finished'", (slug,)
        ).fetchone()[0]
        if not finished or _parse(finished) < now - timedelta(days=30):
            flags.append("stale")
        out.append({
            "site": slug,
            "cms": sites.get(slug, {}).get("cms"),
            "status": sites.get(slug, {}).get("status"),
            "last_run": {"id": last[0], "status": last[1], "started_at": last[2],
                         "finished_at": last[3], "pages": last[4]},
            "error_rate": latest["error_rate"],
            "errors": reasons,
            "no_article": reasons.get("no_article", 0),
            "silent_zero": layout.get("silent_zero", []),
            "sections_failed": layout.get("sections_failed", []),
            "listing_fallback": layout.get("listing_fallback", 0),
            "trend": trend,
            "flags": flags,
            # Family spider vs generic extraction over the same runs, per field.
            "agreement": crosscheck_agreement(conn, site=slug, run_ids=[r[0] for r in runs]),
        })
    return out


def _layout_facts(conn: sqlite3.Connection, run_id: int) -> dict[str, Any]:
    """What the crawl recorded about its sections in `stats_json` (luutru/crawl.py
    record_layout): silent zeros, failed and discovered sections, listing fallbacks."""
    row = conn.execute("SELECT stats_json FROM runs WHERE id = ?", (run_id,)).fetchone()
    try:
        data = json.loads(row[0]) if row and row[0] else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _parse(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def format_health(rows: list[dict[str, Any]]) -> str:
    """A table an archivist reads at a glance: one line per site, coverage trend as arrows."""
    lines = [f"{'site':<28} {'last run':<22} {'err%':>5}  {'date coverage (old→new)':<28} flags"]
    for r in rows:
        last = r["last_run"]
        when = (last["started_at"] or "")[:16].replace("T", " ")
        trend = " ".join(f"{t['date']:.0%}" for t in r["trend"])
        lines.append(
            f"{r['site']:<28} {when + ' ' + (last['status'] or ''):<22} "
            f"{r['error_rate'] * 100:>4.0f}%  {trend:<28} {','.join(r['flags']) or 'ok'}"
        )
        if r.get("agreement"):
            lines.append(f"  {'cross-check agreement':<26} {format_agreement(r['agreement'])}")
    return "\n".join(lines)
