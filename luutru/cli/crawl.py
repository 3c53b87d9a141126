"""`luutru` commands for archivists: crawl sites (one or all), list sites and runs."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from luutru.cli import exitcodes
from luutru.cli.common import (
    db_option,
    emit_json,
    errors_exit,
    exit_code,
    json_option,
    reader,
    require_site,
    summary_text,
)

# Settings `--set` may not change: luutru resumes from the archive, never from a Scrapy JOBDIR
# (a job directory is only valid for a clean stop and the same Scrapy version).
REFUSED_SETTINGS = ("JOBDIR", "LUUTRU_DB")


def _log_file(log_dir: str | None, site: str) -> str | None:
    if not log_dir:
        return None
    Path(log_dir).mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return str(Path(log_dir) / f"{site}-{stamp}.log")


@click.command()
@click.argument("site", required=False)
@db_option
@click.option("--all", "all_sites", is_flag=True,
              help="Crawl every active site in turn; one failing site does not stop the others.")
@click.option("--base-url", metavar="URL",
              help="Crawl a mirror (demo site, archived copy) instead of the live host.")
@click.option("--mirror", "mirrors", multiple=True, metavar="SLUG=URL",
              help="With --all: crawl SLUG from a mirror. Repeatable.")
@click.option("--only", metavar="SLUG[,SLUG...]",
              help="With --all: only these sites (still only active ones).")
@click.option("--scrapyd", metavar="URL[,URL...]",
              help="Run the crawl as Scrapyd jobs on these nodes (one job per site, on the "
                   "node with the fewest running+pending jobs; a node that dies hands its "
                   "sites to another), fetch each job's shard and merge them all into --db. "
                   "Deploy first with scrapyd-deploy; see docs/scaling.md.")
@click.option("--node-timeout", type=click.FloatRange(min=0), default=60, show_default=True,
              metavar="S", help="With --scrapyd: a node that answers no poll for S seconds "
                                "is dead; its unfinished sites move to another node.")
@click.option("--delay", type=click.FloatRange(min=0), default=None, metavar="S",
              help="Seconds between requests to the host. [default: 1, adaptive]")
@click.option("--concurrency", type=click.IntRange(min=1, max=16), default=None, metavar="N",
              help="Requests in flight per host. [default: 1]")
@click.option("--max-pages", type=click.IntRange(min=1), default=None, metavar="N",
              help="Read at most N listing pages per section (every article on them is fetched).")
@click.option("--refresh", is_flag=True,
              help="Re-fetch every known article (conditional requests where possible).")
@click.option("--refresh-days", type=click.IntRange(min=0), default=30, show_default=True,
              metavar="N", help="Re-fetch known articles published in the last N days.")
@click.option("--recheck", type=click.IntRange(min=0), default=None, metavar="N",
              help="Also re-check the N archived articles checked longest ago (conditional "
                   "requests). [default: sized so the whole site is re-checked every 30 days "
                   "whatever the schedule: README, Re-checks]")
@click.option("--full", is_flag=True,
              help="Read every listing page, not only up to the first page of known articles.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines and no summary (for cron).")
@click.option("--verbose", "-v", is_flag=True, help="Scrapy's INFO log on stderr.")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Write the crawl log here.")
@click.option("--log-dir", type=click.Path(file_okay=False),
              help="Write the crawl log to DIR/<site>-<time>.log (one file per run).")
@click.option("--site-file", type=click.Path(dir_okay=False, exists=True), metavar="PATH",
              help="Crawl with this site file (TOML, as scrapers/sites/*.toml) instead of the "
                   "bundled one: a corrected copy, or a school not bundled yet.")
@click.option("--discover", is_flag=True,
              help="Also read the home page's menus, sitemap.xml and feeds for sections the "
                   "site file does not list (by default only when a listed section fails).")
@click.option("--set", "-s", "set_options", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy setting (DOWNLOAD_TIMEOUT=60, RETRY_TIMES=5...). "
                   "Repeatable.")
@json_option
def crawl(site: str | None, db: Path, all_sites: bool, base_url: str | None,
          mirrors: tuple[str, ...], only: str | None, scrapyd: str | None,
          node_timeout: float,
          delay: float | None, concurrency: int | None,
          max_pages: int | None, refresh: bool, refresh_days: int, recheck: int | None,
          full: bool, quiet: bool,
          verbose: bool, log_file: str | None, log_dir: str | None, site_file: str | None,
          discover: bool, set_options: tuple[str, ...], as_json: bool) -> None:
    """Crawl SITE's listings and articles into the archive, incrementally.

    A first crawl reads everything. Later crawls fetch only what is new: each listing is read
    from its first page until a page holds only archived articles, and archived articles are
    fetched again only when recent (--refresh-days) or with --refresh. Every run also
    re-checks the archived articles checked longest ago (first any missing from a listing page
    it read in full), within a budget (--recheck) that covers the whole site every 30 days: this
    is how an edit or a deletion of an old article is found. A crawl that was killed
    resumes where it stopped when run again. Pages that fail are logged and counted; the crawl
    goes on.

    The site file's sections are hints: one that answers 404 or lists no article is replaced
    by the sections the site shows (home page menus, sitemap.xml, feeds), with a warning and
    the run record saying so (`luutru runs --json`: sections_failed, sections_discovered).

    Exit codes: 0 finished (some pages may have failed), 1 interrupted or failed, 2 usage,
    3 site unreachable for the whole run, 4 archive locked by another crawl, 6 site layout
    changed (most pages held no article, or a listing/section showed no article link, or the
    run saw nothing where the archive holds articles), 7 disk full, 8 archive damaged.

    \b
    Example:
      luutru crawl bentre --db archive.db
      luutru crawl bentre --base-url http://127.0.0.1:8000 --delay 0 --concurrency 4
      luutru crawl --all --quiet --log-dir logs/
      luutru crawl --all --scrapyd http://node1:6800,http://node2:6800 --db archive.db
      luutru crawl --site-file my-bentre.toml --db archive.db
    """
    site_def = None
    if site_file:
        if all_sites:
            raise click.UsageError("--site-file crawls one site; it cannot be used with --all")
        from scrapers.sites import load_site_file

        try:
            site_def = load_site_file(site_file)
        except ValueError as exc:
            raise click.UsageError(f"--site-file: {exc}") from exc
        if site and site != site_def.slug:
            raise click.UsageError(f"--site-file {site_file} describes {site_def.slug!r}, "
                                   f"not {site!r}")
        site = site_def.slug
    if all_sites == bool(site):
        raise click.UsageError("name one SITE, or use --all")
    if only and not all_sites:
        raise click.UsageError("--only narrows --all; name one SITE instead")
    if scrapyd:  # on Scrapyd nodes, then merged: luutru/cli/cluster.py
        from luutru.cli.cluster import crawl_scrapyd_cli

        crawl_scrapyd_cli(db, scrapyd, site, only, mirrors, base_url=base_url, delay=delay,
                          concurrency=concurrency, max_pages=max_pages, discover=discover,
                          set_options=set_options, as_json=as_json, quiet=quiet,
                          node_timeout=node_timeout,
                          local_only={"--site-file": site_file, "--log-file": log_file,
                                      "--log-dir": log_dir, "--refresh": refresh,
                                      "--full": full, "--recheck": recheck is not None})
        return
    if all_sites:
        _crawl_all(db, mirrors, as_json, quiet, only)
        return
    assert site is not None
    if site_def is None:
        require_site(site)
    if base_url and not re.match(r"^https?://[^/\s]+", base_url):
        raise click.UsageError(f"--base-url must be an http(s) URL, got {base_url!r}")
    overrides = set_pairs(set_options)
    refused = next((name for name in overrides if name in REFUSED_SETTINGS), None)
    if refused:
        raise click.UsageError(
            f"--set {refused} is not supported: luutru resumes an interrupted crawl from the "
            "archive itself (run the same command again)" if refused == "JOBDIR" else
            f"--set {refused} is not supported: use --db")

    from archive.lock import ArchiveLocked
    from archive.recheck import recheck_text
    from luutru.crawl import ArchiveCorrupt, ArchiveFull, crawl_settings, run_crawl

    settings = crawl_settings(
        db,
        delay=delay,
        concurrency=concurrency,
        progress=0 if (quiet or as_json) else 1.0,
        log_level="INFO" if verbose or log_file or log_dir else "WARNING",
        log_file=log_file or _log_file(log_dir, site),
        overrides=overrides,
    )
    spider_cls = None
    if site_def is not None:
        from scrapers.spiders import spider_class

        try:
            spider_cls = spider_class(site_def)
        except ValueError as exc:
            raise click.UsageError(f"--site-file: {exc}") from exc
    with errors_exit((ArchiveLocked, exitcodes.LOCKED), (ArchiveCorrupt, exitcodes.CORRUPT),
                     (ArchiveFull, exitcodes.DISK_FULL)):
        summary = run_crawl(site, db, base_url=base_url, max_pages=max_pages, settings=settings,
                            refresh=refresh, refresh_days=refresh_days, full=full,
                            recheck=recheck,
                            spider_cls=spider_cls,
                            spider_kwargs={"discover": "always"} if discover else None)
    data = summary.as_dict()
    code = exit_code(summary.status, summary.pages, summary.finish_reason, summary.silent_zero)
    if as_json:
        emit_json(data)
    elif not quiet or code != exitcodes.OK:
        click.echo(summary_text(data) + recheck_text(data.get("recheck")),
                   err=code != exitcodes.OK)
    if summary.signal_errors:
        click.echo(f"Error: the crawl of {site} failed: an error in a signal handler ("
                   + "; ".join(f"{e['signal']} {e['handler']}: {e['error']}"
                               for e in summary.signal_errors[:3])
                   + "); the run is recorded as failed, see the log for the traceback",
                   err=True)
    elif code == exitcodes.UNREACHABLE:
        click.echo(f"Error: {site} did not answer any request ({base_url or 'live site'})",
                   err=True)
    elif code == exitcodes.LAYOUT_CHANGED and summary.silent_zero:
        click.echo(f"Error: {site}: no silent zero: " + "; ".join(summary.silent_zero)
                   + ". Open the URL: if the page lists articles, the site's layout changed "
                   f"(fix [selectors] or [[sections]] in scrapers/sites/{site}.toml); if the "
                   "section is gone, remove it from the site file; then crawl again", err=True)
    elif code == exitcodes.LAYOUT_CHANGED:
        click.echo(f"Error: {site}'s pages no longer match its selectors ({summary.errors} "
                   "pages failed, most without an article): the site's layout changed; update "
                   f"scrapers/sites/{site}.toml [selectors], then crawl again", err=True)
    elif code == exitcodes.INTERRUPTED:
        click.echo(f"Error: the crawl was {summary.status} ({summary.finish_reason or '?'}): "
                   "run the same command again to resume", err=True)
    sys.exit(code)


def _crawl_all(db: Path, mirrors: tuple[str, ...], as_json: bool, quiet: bool,
               only: str | None = None) -> None:
    """Each site in its own process: a crash or an unreachable host stays with that site."""
    from archive.recheck import recheck_text
    from scrapers.sites import all_sites

    mirror_map = mirror_pairs(mirrors)
    results: list[dict[str, Any]] = []
    worst = exitcodes.OK
    wanted = only_sites(only)
    for slug, site in all_sites().items():
        if site.status != "active" or (wanted and slug not in wanted):
            continue
        cmd = [sys.executable, "-m", "luutru", "crawl", slug, "--db", str(db), "--json"]
        if slug in mirror_map:
            cmd += ["--base-url", mirror_map[slug], "--delay", "0", "--concurrency", "4"]
        if not quiet and not as_json:
            click.echo(f"== {slug}", err=True)
        proc = subprocess.run(cmd, capture_output=True, text=True)
        try:
            result = json.loads(proc.stdout)
        except ValueError:
            result = {"site": slug, "status": "failed", "error": proc.stderr.strip()[-500:]}
        result["exit_code"] = proc.returncode
        results.append(result)
        worst = max(worst, proc.returncode)
        if not as_json and (not quiet or proc.returncode):
            click.echo(summary_text(result) + recheck_text(result.get("recheck"))
                       if "run_id" in result else f"{slug}: failed: {result.get('error')}")
    if as_json:
        emit_json(results)
    sys.exit(exitcodes.OK if worst == exitcodes.OK else exitcodes.INTERRUPTED)


def mirror_pairs(mirrors: tuple[str, ...]) -> dict[str, str]:
    """`--mirror SLUG=URL` options, slug -> URL."""
    pairs: dict[str, str] = {}
    for item in mirrors:
        slug, sep, url = item.partition("=")
        if not sep or not url:
            raise click.UsageError(f"--mirror takes SLUG=URL, got {item!r}")
        pairs[slug] = url
    return pairs


def set_pairs(set_options: tuple[str, ...]) -> dict[str, str]:
    """`--set NAME=VALUE` options (Scrapy settings, as `scrapy crawl -s`), name -> value."""
    pairs: dict[str, str] = {}
    for item in set_options:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            raise click.UsageError(f"--set takes NAME=VALUE with an upper-case NAME, got {item!r}")
        pairs[name] = value
    return pairs


def only_sites(only: str | None) -> set[str]:
    """`--only a,b`: the slugs, each one a known site (empty: no restriction)."""
    from scrapers.sites import all_sites

    wanted = {s.strip() for s in (only or "").split(",") if s.strip()}
    unknown = sorted(wanted - set(all_sites()))
    if unknown:
        raise click.UsageError(f"--only: unknown site {', '.join(unknown)}; "
                               "`luutru sites` lists them")
    return wanted


@click.command()
@db_option
@json_option
def sites(db: Path, as_json: bool) -> None:
    """List the sites luutru knows: family, province, status, live URL and last crawl.

    \b
    Example:
      luutru sites --db archive.db
      luutru sites --json | jq -r '.[].slug'
    """
    from scrapers.sites import all_sites

    last: dict[str, dict[str, Any]] = {}
    if db.exists():
        conn = reader(db)
        try:
            for row in conn.execute(
                "SELECT site, max(id), status, finished_at FROM runs GROUP BY site"
            ):
                last[row[0]] = {"run_id": row[1], "status": row[2], "finished_at": row[3]}
        finally:
            conn.close()
    rows = [{**s.as_row(), "last_crawl": last.get(s.slug)} for s in all_sites().values()]
    if as_json:
        emit_json(rows)
        return
    width = max((len(row["slug"]) for row in rows), default=0)
    for row in rows:
        merged = f" (→ {row['merged_into']} 2025)" if row["merged_into"] else ""
        crawl_ = row["last_crawl"]
        seen = (f"last crawl {crawl_['finished_at'] or '?'} {crawl_['status']}" if crawl_
                else "never crawled")
        click.echo(f"{row['slug']:<{width}} {row['name']}, {row['province']}{merged}")
        click.echo(f"{'':<{width}} {row['base_url']} · {row['cms']} · {row['status']} · {seen}")


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
        ScheduleError,
        install_cron,
        install_systemd,
        make_job,
        recheck_note,
    )

    if all_sites == bool(site):
        raise click.UsageError("name one SITE, or use --all")
    if site:
        require_site(site)
    try:
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
    except ScheduleError as exc:
        raise click.UsageError(str(exc)) from exc
