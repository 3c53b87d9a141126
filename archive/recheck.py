"""Rolling revalidation: how many archived articles a run re-checks, and what it found.

Every run, besides new articles, re-checks the archived articles checked longest ago (a
conditional request where the last capture gave ETag/Last-Modified), so an edit or a takedown
of an old article is found by plain scheduled runs, not only by `--refresh`.

The budget (README, "Re-checks"): with A the site's archived articles that are not gone and
CYCLE = 30 days, a run re-checks as many articles as the time since the previous run is a share
of CYCLE (A x elapsed / CYCLE: a daily schedule 1/30 of the site per run, a weekly one 7/30),
the fractions carried over from run to run (the count is floor(A x now / CYCLE) - floor(A x
since / CYCLE)), and never fewer than the articles not checked for CYCLE. So every article is
re-checked at least once every CYCLE plus one interval: a change is found within
ceil(30 days / interval) + 1 runs. A run started less than MIN_GAP after the previous one
(a manual re-run) re-checks none by time and leaves the carry for the next.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, TypedDict

CYCLE = timedelta(days=30)
MIN_GAP = timedelta(minutes=10)


def _connect(db: str | Path) -> sqlite3.Connection | None:
    path = Path(db)
    if not path.exists():
        return None
    return sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, timeout=30)


def _parse(stamp: Any) -> datetime | None:
    try:
        when = datetime.fromisoformat(str(stamp))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _since(conn: sqlite3.Connection, site: str) -> datetime | None:
    """Where the previous runs' re-check clock stopped (`until` in the run record), else the
    start of the latest run (an archive made before rolling re-checks)."""
    latest = None
    for started, stats in conn.execute(
        "SELECT started_at, stats_json FROM runs WHERE site = ? ORDER BY id DESC LIMIT 50",
        (site,),
    ):
        latest = latest or _parse(started)
        try:
            until = (json.loads(stats or "{}").get("recheck") or {}).get("until")
        except (ValueError, AttributeError):
            until = None
        if until and (when := _parse(until)) is not None:
            return when
    return latest


def plan_budget(db: str | Path, site: str, *, fixed: int | None = None,
                refresh: bool = False, now: datetime | None = None) -> dict[str, Any]:
    """The run's re-check budget and how it was sized (kept in the run record)."""
    now = now or datetime.now(UTC)
    plan: dict[str, Any] = {"rule": "refresh" if refresh else "fixed" if fixed is not None
                            else "auto", "budget": 0, "until": now.isoformat(timespec="seconds")}
    conn = _connect(db)
    if conn is None:
        return plan
    try:
        articles, overdue = conn.execute(
            "SELECT count(*), coalesce(sum(coalesce(last_seen, '') < ?), 0) FROM articles "
            "WHERE site = ? AND gone_at IS NULL",
            ((now - CYCLE).isoformat(timespec="seconds"), site),
        ).fetchone()
        since = _since(conn, site)
    except sqlite3.Error:
        return plan
    finally:
        conn.close()
    plan.update(articles=articles, overdue=overdue)
    if refresh:
        return plan  # every article is re-fetched anyway
    if fixed is not None:
        plan["budget"] = fixed
        return plan
    pace = articles
    if since is not None and now - since < CYCLE:
        if now - since < MIN_GAP:
            pace = 0
            plan["until"] = since.isoformat(timespec="seconds")
        else:
            cycle = CYCLE.total_seconds()
            pace = (math.floor(articles * now.timestamp() / cycle)
                    - math.floor(articles * since.timestamp() / cycle))
    plan.update(pace=pace, budget=max(pace, overdue),
                since=since.isoformat(timespec="seconds") if since else None)
    return plan


class MadeCheck(Protocol):
    """One re-check the run made (the spiders' `Recheck`): of which article, and why."""

    @property
    def article_id(self) -> int | None: ...
    @property
    def reason(self) -> str: ...


class RecheckOutcomes(TypedDict):
    """What a run's re-checks found (`outcomes`), kept in the run record beside the budget."""

    rechecked: int
    by_reason: dict[str, int]
    changed: int  # a new revision stored
    unchanged: int  # same content, or 304
    gone: int  # now 404/410
    failed: int  # no answer stored
    oldest_check: str | None  # last_seen of the article checked longest ago


def outcomes(db: str | Path, site: str, run_id: int | None,
             checks: Iterable[MadeCheck]) -> RecheckOutcomes:
    """What the run's re-checks found (changed: a new revision; gone: now 404/410; unchanged:
    same content or 304; failed: no answer stored), and the oldest check left in the archive."""
    checks = list(checks)
    by_reason: dict[str, int] = {}
    for check in checks:
        by_reason[check.reason] = by_reason.get(check.reason, 0) + 1
    found = RecheckOutcomes(rechecked=len(checks), by_reason=by_reason, changed=0, unchanged=0,
                            gone=0, failed=0, oldest_check=None)
    conn = _connect(db)
    if conn is None:
        return found
    try:
        ids = [c.article_id for c in checks if c.article_id is not None]
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for gone, seen, changed in conn.execute(
                "SELECT a.gone_at IS NOT NULL, a.last_run = ?, EXISTS (SELECT 1 FROM revisions r "
                "WHERE r.article_id = a.id AND r.run_id = ?) FROM articles a WHERE a.id IN "
                f"({','.join('?' * len(chunk))})",
                (run_id, run_id, *chunk),
            ):
                if gone:
                    found["gone"] += 1
                elif changed:
                    found["changed"] += 1
                elif seen:
                    found["unchanged"] += 1
                else:
                    found["failed"] += 1
        found["failed"] += len(checks) - len(ids)
        oldest: str | None = conn.execute(
            "SELECT min(last_seen) FROM articles WHERE site = ? AND gone_at IS NULL", (site,)
        ).fetchone()[0]
        found["oldest_check"] = oldest
    except sqlite3.Error:
        pass
    finally:
        conn.close()
    return found


def recheck_text(recheck: dict[str, Any] | None) -> str:
    """The summary line of a run's re-checks ("" when it made none and had no budget)."""
    if not recheck or (not recheck.get("rechecked") and not recheck.get("budget")):
        return ""
    reasons = recheck.get("by_reason") or {}
    why = ", ".join(f"{k} {v}" for k, v in sorted(reasons.items()))
    return (f"\n  re-checked     {recheck.get('rechecked', 0)} (budget {recheck.get('budget', 0)}"
            + (f"; {why}" if why else "") + f") · changed {recheck.get('changed', 0)} · gone "
            f"{recheck.get('gone', 0)} · unchanged {recheck.get('unchanged', 0)} · failed "
            f"{recheck.get('failed', 0)} · oldest check {recheck.get('oldest_check') or '—'}")
