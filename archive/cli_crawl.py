"""`luutru` commands for archivists: crawl sites, list them."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from archive.cli_common import EXIT_FAILED, EXIT_OK, db_option, emit_json, json_option


@click.command()
@click.argument("site")
@db_option
@click.option(
    "--base-url",
    metavar="URL",
    help="Crawl a mirror (demo site, archived copy) instead of the live host.",
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=None,
    metavar="S",
    help="Seconds between requests to the host. [default: 1, adaptive]",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1, max=16),
    default=None,
    metavar="N",
    help="Requests in flight per host. [default: 1]",
)
@click.option(
    "--max-pages",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Follow at most N listing pages per section (every article on them is fetched).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress lines (for cron).")
@click.option("--verbose", "-v", is_flag=True, help="Scrapy's INFO log on stderr.")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Write the crawl log here.")
@json_option
def crawl(
    site: str,
    db: Path,
    base_url: str | None,
    delay: float | None,
    concurrency: int | None,
    max_pages: int | None,
    quiet: bool,
    verbose: bool,
    log_file: str | None,
    as_json: bool,
) -> None:
    """Crawl SITE's listings and articles into the archive.

    Pages that fail are logged in the fetch log and counted; the crawl goes on and exits 0 when
    it finished. Exit 1 when the run was interrupted or failed, 2 on bad usage.

    \b
    Example:
      luutru crawl bentre --db bentre.db
      luutru crawl bentre --base-url http://127.0.0.1:8000 --delay 0 --concurrency 4
    """
    from archive.crawl import crawl_settings, run_crawl
    from scrapers.sites import UnknownSite, get_site

    try:
        get_site(site)
    except UnknownSite as exc:
        raise click.UsageError(str(exc)) from exc
    if base_url and not re.match(r"^https?://[^/\s]+", base_url):
        raise click.UsageError(f"--base-url must be an http(s) URL, got {base_url!r}")
    settings = crawl_settings(
        db,
        delay=delay,
        concurrency=concurrency,
        progress=0 if (quiet or as_json) else 1.0,
        log_level="INFO" if verbose else "WARNING",
        log_file=log_file,
    )
    summary = run_crawl(site, db, base_url=base_url, max_pages=max_pages, settings=settings)
    if as_json:
        emit_json(summary.as_dict())
    elif not quiet or summary.status != "finished":
        click.echo(
            f"Crawled {summary.site} into {summary.db} (run {summary.run_id}): "
            f"{summary.status} in {summary.elapsed_s:.1f} s\n"
            f"  pages fetched  {summary.pages}\n"
            f"  articles       new {summary.new} · updated {summary.updated} · "
            f"unchanged {summary.unchanged} · duplicates {summary.duplicate}\n"
            f"  skipped {summary.skipped} · failed {summary.errors}"
            + ("  (details in the fetch_log table)" if summary.errors or summary.skipped else "")
        )
    sys.exit(EXIT_OK if summary.status == "finished" else EXIT_FAILED)


@click.command()
@db_option
@json_option
def sites(db: Path, as_json: bool) -> None:
    """List the sites luutru knows, with their live URL and CMS family."""
    from scrapers.sites import all_sites

    rows = [s.as_row() for s in all_sites().values()]
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        merged = f" (→ {row['merged_into']} 2025)" if row["merged_into"] else ""
        click.echo(f"{row['slug']:<12} {row['name']}{merged}")
        click.echo(f"{'':<12} {row['base_url']} · {row['cms']} · {row['status']}")
