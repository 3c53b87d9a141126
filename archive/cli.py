"""The `luutru` command line: crawl sites into an archive, then search, export and count it."""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO, TypeVar
from urllib.parse import unquote

import click

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class BadInput(click.ClickException):
    """A one-line error for bad input (a malformed query), exit code 2 like other usage errors."""

    exit_code = EXIT_USAGE


def db_option(func: F) -> F:
    """`--db`, shared by every command: the archive file, `$LUUTRU_DB` or ./luutru.db."""
    return click.option(
        "--db",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="LUUTRU_DB",
        default="luutru.db",
        show_default="luutru.db or $LUUTRU_DB",
        help="SQLite archive file.",
    )(func)


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(func)


def _reader(db: Path) -> Any:
    from archive.db import ArchiveError, open_reader

    try:
        return open_reader(db)
    except ArchiveError as exc:
        raise click.ClickException(f"{exc} (crawl first: luutru crawl SITE --db {db})") from exc


@contextmanager
def _open_output(path: str) -> Iterator[TextIO]:
    """A UTF-8 text stream with no newline translation (CSV writes its own \r\n)."""
    if path != "-":
        with open(path, "w", encoding="utf-8", newline="") as fh:
            yield fh
        return
    fh = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
    try:
        yield fh
    finally:
        fh.flush()
        fh.detach()  # leave sys.stdout open for click


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="luutru")
def cli() -> None:
    """Archive the websites of Vietnam's provincial political schools, and search the archive.

    \b
    Example:
      luutru crawl bentre --db bentre.db
      luutru search "sinh hoat chi bo" --db bentre.db
      luutru export --format csv --output bentre.csv --db bentre.db
    """


@cli.command()
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
        _emit_json(summary.as_dict())
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


def _highlight(snippet: str, color: bool) -> str:
    if not color:
        return snippet
    return snippet.replace("[", "\x1b[1;33m").replace("]", "\x1b[0m")


@cli.command()
@click.argument("query")
@db_option
@click.option("--site", help="Only this site (slug).")
@click.option("--since", metavar="DATE", help="Published on or after: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--until", metavar="DATE", help="Published on or before (whole period included).")
@click.option("--limit", type=click.IntRange(min=1, max=1000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True)
@json_option
def search(
    query: str,
    db: Path,
    site: str | None,
    since: str | None,
    until: str | None,
    limit: int,
    offset: int,
    as_json: bool,
) -> None:
    """Full-text search, with or without Vietnamese diacritics.

    `dang uy` finds `Đảng ủy`; "quoted phrases", prefix* , OR and -exclusion work.

    \b
    Example:
      luutru search "sinh hoat chi bo"
      luutru search '"Nghị quyết" Đại hội' --since 2016 --until 2020-06 --json
    """
    from archive.search import QueryError
    from archive.search import search as run_search

    conn = _reader(db)
    try:
        hits = run_search(
            conn, query, site=site, since=since, until=until, limit=limit, offset=offset
        )
    except QueryError as exc:
        raise BadInput(str(exc)) from exc
    finally:
        conn.close()
    if as_json:
        _emit_json([hit.to_dict() for hit in hits])
        return
    if not hits:
        click.echo("No results.")
        return
    color = sys.stdout.isatty()
    for n, hit in enumerate(hits, start=offset + 1):
        date = hit.published_at or "undated"
        click.echo(click.style(f"{n}. {hit.title}", bold=color))
        click.echo(f"   {date[:10]} · {hit.site} · {unquote(hit.url)}")
        if hit.snippet:
            click.echo(f"   {_highlight(hit.snippet, color)}")
        click.echo()


@cli.command()
@db_option
@click.option(
    "--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True
)
@click.option("--site", help="Only this site (slug).")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="File to write. [default: stdout]",
)
@click.option("--bom", is_flag=True, help="CSV: start with a UTF-8 BOM so spreadsheets read it.")
def export(db: Path, fmt: str, site: str | None, output: str, bom: bool) -> None:
    """Export articles, one record each, in a stable column order (see README).

    \b
    Example:
      luutru export --format csv --bom --output bentre.csv --site bentre
      luutru export | jq .title
    """
    from archive.export import iter_records, write_csv, write_jsonl

    conn = _reader(db)
    try:
        records = iter_records(conn, site=site)
        with _open_output(output) as fh:
            count = write_csv(records, fh, bom=bom) if fmt == "csv" else write_jsonl(records, fh)
    finally:
        conn.close()
    if output != "-":
        click.echo(f"Wrote {count} articles to {output}", err=True)


@cli.command()
@db_option
@json_option
def sites(db: Path, as_json: bool) -> None:
    """List the sites luutru knows, with their live URL and CMS family."""
    from scrapers.sites import all_sites

    rows = [s.as_row() for s in all_sites().values()]
    if as_json:
        _emit_json(rows)
        return
    for row in rows:
        merged = f" (→ {row['merged_into']} 2025)" if row["merged_into"] else ""
        click.echo(f"{row['slug']:<12} {row['name']}{merged}")
        click.echo(f"{'':<12} {row['base_url']} · {row['cms']} · {row['status']}")


@cli.command()
@db_option
@json_option
def stats(db: Path, as_json: bool) -> None:
    """Counts per site and per year, and the share of articles with a date and an author."""
    from archive.stats import site_stats

    conn = _reader(db)
    try:
        rows = site_stats(conn)
    finally:
        conn.close()
    if as_json:
        _emit_json(rows)
        return
    if not rows:
        click.echo("The archive holds no articles yet.")
    for row in rows:
        click.echo(
            f"{row['site']}: {row['articles']} articles, "
            f"{row['with_date']:.0%} dated, {row['with_author']:.0%} with an author"
        )
        years = " ".join(f"{y}:{n}" for y, n in sorted(row["per_year"].items()))
        click.echo(f"  per year  {years}")
        if row.get("date_sources"):
            sources = ", ".join(f"{k} {v}" for k, v in row["date_sources"].items())
            click.echo(f"  dates from  {sources}")
        run = row.get("last_run")
        if run:
            click.echo(f"  last run  #{run['id']} {run['status']} {run.get('finished_at') or ''}")


def main() -> None:
    cli(prog_name="luutru")


if __name__ == "__main__":
    main()
