"""`luutru` commands about crawls once run or yet to run: their record (runs), an article's
versions across them (history), and the schedule that runs them (schedule)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from luutru.cli.common import db_option, emit_json, json_option, reader, require_site


@click.command()
@db_option
@click.option("--site", help="Only this site (slug).")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
@json_option
def runs(db: Path, site: str | None, limit: int, as_json: bool) -> None:
    """The record of every crawl: when, status, requests, bytes, articles and errors by kind.

    \b
    Example:
      luutru runs --site bentre --limit 5
      luutru runs --json | jq '.[0].errors_by_kind'
    """
    from archive.recheck import recheck_text

    conn = reader(db)
    try:
        sql = ("SELECT id, site, started_at, finished_at, status, base_url, requests, bytes, "
               "pages, items_new, items_updated, items_unchanged, items_duplicate, items_gone, "
               "errors, errors_json, stats_json FROM runs")
        params: list[Any] = []
        if site:
            sql += " WHERE site = ?"
            params.append(site)
        cur = conn.execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit])
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        conn.close()
    for row in rows:
        row["errors_by_kind"] = json.loads(row.pop("errors_json") or "{}")
        try:
            stats = json.loads(row.pop("stats_json") or "{}")
        except ValueError:
            stats = {}
        # What the run found about its sections (luutru/crawl.py record_layout).
        row["layout"] = {k: stats[k] for k in ("sections_failed", "sections_discovered",
                                               "empty_sections", "listing_fallback",
                                               "silent_zero") if stats.get(k)}
        # Rolling revalidation (archive/recheck.py) and handler errors (signal_guard.py).
        row["recheck"] = stats.get("recheck") or {}
        row["signal_errors"] = stats.get("signal_errors") or []
    if as_json:
        emit_json(rows)
        return
    if not rows:
        click.echo("No runs recorded yet.")
    for r in rows:
        errors = ", ".join(f"{k} {v}" for k, v in r["errors_by_kind"].items()) or "none"
        click.echo(f"#{r['id']} {r['site']} {r['status']} · {r['started_at']} → "
                   f"{r['finished_at'] or '…'}")
        click.echo(f"    {r['requests'] or 0} requests, {(r['bytes'] or 0) / 1e6:.1f} MB · new "
                   f"{r['items_new']} · updated {r['items_updated']} · unchanged "
                   f"{r['items_unchanged']} · gone {r['items_gone'] or 0} · errors: {errors}")
        recheck = recheck_text(r["recheck"])
        if recheck:
            click.echo("    " + " ".join(recheck.split()))
        for e in r["signal_errors"]:
            click.echo(f"    signal handler error: {e['signal']} {e['handler']}: {e['error']}")
        layout = r["layout"]
        if layout:
            click.echo("    " + " · ".join(
                f"{k.replace('_', ' ')} {len(v) if isinstance(v, list) else v}"
                for k, v in layout.items()) + " (details: --json)")


@click.command()
@click.argument("url_or_id")
@db_option
@json_option
def history(url_or_id: str, db: Path, as_json: bool) -> None:
    """Every version of one article (by URL or id): when it changed and what its hash was.

    \b
    Example:
      luutru history https://truongchinhtribentre.edu.vn/content/...
      luutru history 42 --json
    """
    conn = reader(db)
    try:
        row = conn.execute(
            "SELECT id, canonical_url, title, gone_at FROM articles WHERE id = ? OR "
            "canonical_url = ? OR id = (SELECT article_id FROM article_urls WHERE url = ?)",
            (int(url_or_id) if url_or_id.isdigit() else -1, url_or_id, url_or_id),
        ).fetchone()
        if row is None:
            raise click.ClickException(f"no article {url_or_id!r} in {db}")
        versions = [
            {"revision": r[0], "fetched_at": r[1], "run_id": r[2], "content_hash": r[3],
             "title": r[4], "chars": r[5]}
            for r in conn.execute(
                "SELECT revision, fetched_at, run_id, content_hash, title, length(text) "
                "FROM revisions WHERE article_id = ? ORDER BY revision", (row[0],))
        ]
    finally:
        conn.close()
    data = {"id": row[0], "url": row[1], "title": row[2], "gone_at": row[3],
            "revisions": versions}
    if as_json:
        emit_json(data)
        return
    click.echo(f"#{row[0]} {row[2]}\n{row[1]}")
    if row[3]:
        click.echo(f"gone since {row[3]} (the site answers 404/410; the archive keeps it)")
    for v in versions:
        click.echo(f"  r{v['revision']}  {v['fetched_at']}  run {v['run_id']}  "
                   f"{v['content_hash'][:12]}  {v['chars']} chars  {v['title']}")


@click.command()
@click.argument("site", required=False)
@db_option
@click.option("--all", "all_sites", is_flag=True, help="Schedule `luutru crawl --all`.")
@click.option("--every", default="daily", show_default=True,
              help="hourly, daily, weekly, or an interval such as 6h or 2d.")
@click.option("--log-dir", type=click.Path(file_okay=False),
              help="Where each run writes its log. [default: logs/ beside the archive]")
@click.option("--systemd", is_flag=True, help="A systemd service + timer pair instead of cron.")
@click.option("--install", is_flag=True,
              help="Install it: add the line to your crontab, or write the unit files.")
@click.option("--unit-dir", type=click.Path(file_okay=False),
              default="~/.config/systemd/user", show_default=True,
              help="With --systemd --install: where the unit files go.")
def schedule(site: str | None, db: Path, all_sites: bool, every: str, log_dir: str | None,
             systemd: bool, install: bool, unit_dir: str) -> None:
    """Print (or install) a crontab line or systemd timer that crawls on a schedule.

    Each run is quiet unless something fails, and logs to its own file in --log-dir.
    Overlapping runs cannot corrupt the archive: the second one exits 4 (locked).

    \b
    Example:
      luutru schedule bentre --db /srv/luutru/archive.db --every daily
      luutru schedule --all --db /srv/luutru/archive.db --every 12h --install
      luutru schedule bentre --systemd --install
    """
    from luutru.schedule import (
        install_cron,
        install_systemd,
        make_job,
        recheck_note,
    )

    if all_sites == bool(site):
        raise click.UsageError("name one SITE, or use --all")
    if site:
        require_site(site)
    # A ScheduleError (bad --every, no crontab) is a usage error: exit 2 (common.library_errors).
    job = make_job(site or "all", db, every, log_dir)
    click.echo(f"# {recheck_note(every)}", err=True)
    if systemd:
        if install:
            for path in install_systemd(job, unit_dir):
                click.echo(f"wrote {path}")
            click.echo(f"now run: systemctl --user daemon-reload && "
                       f"systemctl --user enable --now {job.name}.timer")
            return
        for name, text in job.systemd_units().items():
            click.echo(f"# {name}\n{text}")
        return
    if install:
        click.echo(f"installed in your crontab:\n{install_cron(job)}")
    else:
        click.echo(job.cron_line())
