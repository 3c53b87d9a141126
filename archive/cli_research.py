"""`luutru` commands for researchers: search, export, statistics."""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import unquote

import click

from archive.cli_common import BadInput, db_option, emit_json, json_option, open_output, reader


def _highlight(snippet: str, color: bool) -> str:
    if not color:
        return snippet
    return snippet.replace("[", "\x1b[1;33m").replace("]", "\x1b[0m")


@click.command()
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

    conn = reader(db)
    try:
        hits = run_search(
            conn, query, site=site, since=since, until=until, limit=limit, offset=offset
        )
    except QueryError as exc:
        raise BadInput(str(exc)) from exc
    finally:
        conn.close()
    if as_json:
        emit_json([hit.to_dict() for hit in hits])
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


@click.command()
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

    conn = reader(db)
    try:
        records = iter_records(conn, site=site)
        with open_output(output) as fh:
            count = write_csv(records, fh, bom=bom) if fmt == "csv" else write_jsonl(records, fh)
    finally:
        conn.close()
    if output != "-":
        click.echo(f"Wrote {count} articles to {output}", err=True)


@click.command()
@db_option
@json_option
def stats(db: Path, as_json: bool) -> None:
    """Counts per site and per year, and the share of articles with a date and an author."""
    from archive.stats import site_stats

    conn = reader(db)
    try:
        rows = site_stats(conn)
    finally:
        conn.close()
    if as_json:
        emit_json(rows)
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
