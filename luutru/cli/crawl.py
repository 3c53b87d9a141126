"""`luutru crawl`: crawl one site, every active site (each in its own process), or the sites on
Scrapyd nodes (luutru/cli/cluster.py)."""

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
    exit_code,
    json_option,
    require_site,
    set_option,
    set_pairs,
    summary_text,
)


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
@set_option
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

    from archive.recheck import recheck_text
    from luutru.crawl import run_crawl
    from luutru.process import crawl_settings

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
    # ArchiveLocked, ArchiveCorrupt, ArchiveFull: exit 4, 8, 7 (common.library_errors).
    summary = run_crawl(site, db, base_url=base_url, max_pages=max_pages, settings=settings,
                        refresh=refresh, refresh_days=refresh_days, full=full, recheck=recheck,
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


def only_sites(only: str | None) -> set[str]:
    """`--only a,b`: the slugs, each one a known site (empty: no restriction)."""
    from scrapers.sites import all_sites

    wanted = {s.strip() for s in (only or "").split(",") if s.strip()}
    unknown = sorted(wanted - set(all_sites()))
    if unknown:
        raise click.UsageError(f"--only: unknown site {', '.join(unknown)}; "
                               "`luutru sites` lists them")
    return wanted
