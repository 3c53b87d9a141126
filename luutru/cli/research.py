"""`luutru` commands for researchers: search, show, export, statistics, the web UI."""

from __future__ import annotations

import contextlib
import csv
import io
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import click

from luutru.cli.common import BadInput, db_option, emit_json, json_option, open_output, reader

DATE_HELP = "YYYY, YYYY-MM or YYYY-MM-DD"
# Runs per site drawn in `stats --html` (the health flags judge the last five).
HTML_RUNS = 60
HIT_CSV_FIELDS = ("rank", "id", "url", "title", "published_at", "site", "author", "snippet",
                  "score")


def _highlight(snippet: str, color: bool) -> str:
    if not color:
        return snippet
    return snippet.replace("[", "\x1b[1;33m").replace("]", "\x1b[0m")


def _filter_options(func: Any) -> Any:
    """--site, --since, --until, --author, --category: the filters search and export share."""
    for option in reversed([
        click.option("--site", help="Only this site (slug)."),
        click.option("--since", metavar="DATE", help=f"Published on or after: {DATE_HELP}."),
        click.option("--until", metavar="DATE",
                     help=f"Published on or before: {DATE_HELP} (whole period included)."),
        click.option("--author", metavar="NAME",
                     help="Byline contains this, diacritics ignored (nguyen van a)."),
        click.option("--category", metavar="NAME",
                     help="In this category, diacritics ignored (tin tuc)."),
    ]):
        func = option(func)
    return func


@click.command()
@click.argument("query")
@db_option
@_filter_options
@click.option("--has-attachment", is_flag=True, help="Only articles with attached files.")
@click.option("--exact", is_flag=True,
              help="Only matches with the diacritics as typed (hòa = hoà; Đảng, not đang).")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance",
              show_default=True, help="date: newest first, undated last.")
@click.option("--limit", type=click.IntRange(min=1, max=1000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True)
@json_option
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (rank, id, url, title, ...).")
def search(
    query: str,
    db: Path,
    site: str | None,
    since: str | None,
    until: str | None,
    author: str | None,
    category: str | None,
    has_attachment: bool,
    exact: bool,
    sort: str,
    limit: int,
    offset: int,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Full-text search, with or without Vietnamese diacritics.

    `dang uy` finds `Đảng ủy`; "quoted phrases", prefix*, OR, AND and -word / NOT word work.
    With diacritics in the query, exact spellings rank first (`Đảng` above `đang`).

    \b
    Example:
      luutru search "sinh hoat chi bo"
      luutru search '"Nghị quyết" Đại hội' --since 2016 --until 2020-06 --json
      luutru search "Đảng" --exact --author "nguyen van" --sort date --csv
    """
    from archive.search import search as run_search

    if as_json and as_csv:
        raise BadInput("choose one of --json and --csv")
    conn = reader(db)
    try:  # a malformed query (QueryError) is a usage error: exit 2 (common.library_errors)
        hits = run_search(
            conn, query, site=site, since=since, until=until, author=author, category=category,
            has_attachment=has_attachment, exact=exact, sort=sort, limit=limit, offset=offset,
        )
    finally:
        conn.close()
    if as_json:
        emit_json([hit.to_dict() for hit in hits])
        return
    if as_csv:
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(HIT_CSV_FIELDS)
        for n, hit in enumerate(hits, start=offset + 1):
            d = hit.to_dict()
            writer.writerow([n, *("" if d[k] is None else d[k] for k in HIT_CSV_FIELDS[1:])])
        with open_output("-") as fh:
            fh.write(buf.getvalue())
        return
    if not hits:
        click.echo("No results.")
        return
    color = sys.stdout.isatty()
    for n, hit in enumerate(hits, start=offset + 1):
        date = hit.published_at or "undated"
        author_text = f" · {hit.author}" if hit.author else ""
        click.echo(click.style(f"{n}. {hit.title}", bold=color))
        click.echo(f"   {date[:10]} · {hit.site}{author_text} · #{hit.id} · {unquote(hit.url)}")
        if hit.snippet:
            click.echo(f"   {_highlight(hit.snippet, color)}")
        click.echo()


@click.command()
@click.argument("url_or_id")
@db_option
@json_option
def show(url_or_id: str, db: Path, as_json: bool) -> None:
    """Print one article in full, with its metadata and provenance.

    URL_OR_ID is the article id (from `luutru search`), its canonical URL or any URL it was
    seen under (alias, /node/N, the mirror's URL).

    \b
    Example:
      luutru show 42
      luutru show https://truongchinhtribentre.edu.vn/tin-tuc/... --json
    """
    from archive.search import get_article

    if "\x00" in url_or_id or not url_or_id.strip():
        raise BadInput("give an article id or URL")
    conn = reader(db)
    try:
        article = get_article(conn, url_or_id)
        if article is not None:
            article.update(_date_mentioned(conn, article["id"]))
    finally:
        conn.close()
    if article is None:
        raise click.ClickException(f"no article with id or URL {url_or_id!r} in {db}")
    if as_json:
        emit_json(article)
        return
    color = sys.stdout.isatty()
    click.echo(click.style(article["title"], bold=color))
    click.echo()
    rows = [
        ("id", article["id"]),
        ("site", article["site"]),
        ("url", unquote(article["canonical_url"])),
        ("original url", unquote(article["url"] or "")),
        ("published", _published(article)),
        ("date in text", _mentioned(article)),
        ("author", " · ".join(x for x in (article["author"], article["author_role"]) if x)),
        ("categories", ", ".join(article["categories"])),
        ("first seen", f"{article['first_seen']} (run {article['first_run']})"),
        ("last seen", f"{article['last_seen']} (run {article['last_run']})"),
        ("revision", article.get("revision")),
        ("gone at", article.get("gone_at")),
        ("content hash", article["content_hash"]),
    ]
    if article.get("warc_file"):
        rows.append(("warc", f"{article['warc_file']} @ {article.get('warc_offset')} "
                             f"{article.get('warc_record_id') or ''} "
                             f"{article.get('warc_digest') or ''}".rstrip()))
    for label, value in rows:
        if value not in (None, ""):
            click.echo(f"{label:>13}: {value}")
    others = [u for u in article["urls"] if u != article["canonical_url"]]
    if others:
        click.echo(f"{'also seen at':>13}: " + f"\n{'':>15}".join(unquote(u) for u in others))
    for att in article.get("attachments") or []:
        click.echo(f"{'attachment':>13}: {unquote(att['url'])} "
                   f"({att.get('mime') or '?'}, {att.get('size') or '?'} bytes)")
    click.echo()
    click.echo(article["text"])


def _date_mentioned(conn: Any, article_id: int) -> dict[str, Any]:
    """The body's mentioned date and its sentence (NULL in archives written before them)."""
    names = ("date_mentioned", "date_mentioned_text")
    present = {r[1] for r in conn.execute("PRAGMA table_info(articles)")}
    if not all(n in present for n in names):
        return dict.fromkeys(names)
    row = conn.execute(f"SELECT {', '.join(names)} FROM articles WHERE id = ?",
                       (article_id,)).fetchone()
    return dict(zip(names, row or (None, None), strict=True))


def _mentioned(article: dict[str, Any]) -> str:
    """`1947-03-07 («Trường được thành lập ngày 07/3/1947 ...»)`: not the publication date."""
    day = article.get("date_mentioned")
    if not day:
        return ""
    sentence = article.get("date_mentioned_text")
    return f"{day} (not the publication date: {sentence!r})" if sentence else day


def _published(article: dict[str, Any]) -> str:
    value = article.get("published_at")
    if not value:
        raw = article.get("published_raw")
        return f"unknown (printed: {raw!r})" if raw else "unknown"
    extra = [x for x in (article.get("published_precision"), article.get("published_source"))
             if x]
    raw = article.get("published_raw")
    text = value + (f" ({', '.join(extra)})" if extra else "")
    return text + (f", printed {raw!r}" if raw else "")


@click.command()
@db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "sqlite", "wacz"]),
              default="jsonl", show_default=True,
              help="sqlite: a new luutru archive holding just these articles; wacz: the WARC "
                   "captures with their index and page list, for ReplayWeb.page and pywb.")
@_filter_options
@click.option("--include-gone", "gone", flag_value="include", default=True,
              help="Keep articles the site has removed, marked status=gone with gone_at "
                   "[default].")
@click.option("--exclude-gone", "gone", flag_value="exclude",
              help="Only articles still online at their last check.")
@click.option("--only-gone", "gone", flag_value="only",
              help="Only articles the site has removed (404/410 on a re-check).")
@click.option("--revisions", is_flag=True,
              help="jsonl/csv: one row per version of each article (title, text, hash, "
                   "revision, revision_seen and capture are the version's).")
@click.option("--attachments", "attachments_path", type=click.Path(dir_okay=False),
              help="jsonl/csv: also write one CSV row per attached file (site, article_url, "
                   "url, file_name, mime, size, sha256, path, label) to this file.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, allow_dash=True),
    default="-",
    help="File to write (required for sqlite and wacz). [default: stdout]",
)
@click.option("--bom", is_flag=True,
              help="CSV (and the --attachments file): start with a UTF-8 BOM so Excel reads "
                   "Vietnamese.")
def export(db: Path, fmt: str, site: str | None, since: str | None, until: str | None,
           author: str | None, category: str | None, gone: str, revisions: bool,
           attachments_path: str | None, output: str, bom: bool) -> None:
    """Export articles, one record each, in a stable column order (see README): with whether
    and when the site removed each (status, gone_at), its versions and attached files.

    \b
    Example:
      luutru export --format csv --bom --output bentre.csv --site bentre
      luutru export --only-gone --format csv --bom -o removed.csv
      luutru export --revisions --site bentre | jq '{url, revision, revision_seen}'
      luutru export --since 2016 --until 2020 | jq .title
      luutru export --format sqlite --output subset.db --category "tin tuc"
      luutru export --format wacz --site bentre --output bentre.wacz
    """
    if fmt in ("sqlite", "wacz") and output == "-":
        raise BadInput(f"--format {fmt} needs --output FILE.{fmt if fmt == 'wacz' else 'db'}")
    if bom and fmt != "csv" and not attachments_path:
        raise BadInput("--bom applies to CSV output only (--format csv, --attachments)")
    if fmt in ("sqlite", "wacz") and (revisions or attachments_path):
        raise BadInput(f"--revisions and --attachments apply to jsonl and csv, not {fmt}"
                       + (" (the subset keeps every version)" if fmt == "sqlite" else ""))
    filters = {"since": since, "until": until, "author": author, "category": category,
               "gone": gone}
    conn = reader(db)
    try:
        if fmt == "wacz":
            _export_wacz(conn, db, output, site, filters)
            return
        count = _export_rows(conn, fmt, site, filters, revisions, attachments_path, output, bom)
    finally:
        conn.close()
    if output != "-":
        unit = "versions of articles" if revisions else "articles"
        click.echo(f"Wrote {count} {unit} to {output}", err=True)


def _export_rows(conn: Any, fmt: str, site: str | None, filters: dict[str, Any],
                 revisions: bool, attachments_path: str | None, output: str, bom: bool) -> int:
    from archive import export as ex

    if fmt == "sqlite":
        return ex.write_sqlite(ex.iter_rows(conn, site, **filters), output, conn)
    records: Any = ex.iter_records(conn, site, revisions=revisions, **filters)
    with contextlib.ExitStack() as stack:
        sink = None
        if attachments_path:
            side = stack.enter_context(open(attachments_path, "w", encoding="utf-8", newline=""))
            sink = ex.AttachmentsCsv(side, bom=bom)
            records = sink.tee(records)
        fh = stack.enter_context(open_output(output))
        count = (ex.write_csv(records, fh, bom=bom) if fmt == "csv"
                 else ex.write_jsonl(records, fh))
    if sink is not None:
        click.echo(f"Wrote {sink.rows} attached files to {attachments_path}", err=True)
    return count


def _export_wacz(conn: Any, db: Path, output: str, site: str | None,
                 filters: dict[str, Any]) -> None:
    from archive.wacz import build_wacz

    result = build_wacz(conn, db, output, site=site, **filters)
    n = len(result.warcs)
    click.echo(f"Wrote {output}: {result.pages} article pages, {n} WARC file{'s' * (n != 1)}",
               err=True)
    problems = [
        (result.no_capture, "articles have no WARC capture (crawled with capture off)"),
        (result.unreadable, "articles point at no readable WARC record (luutru verify)"),
        (len(result.missing_warcs), "WARC files named by runs are missing: "
         + ", ".join(result.missing_warcs[:5])),
        (len(result.unmatched_pages), "pages not found in the index: "
         + ", ".join(result.unmatched_pages[:5])),
    ]
    for n, what in problems:
        if n:
            click.echo(f"warning: {n} {what}", err=True)


@click.command()
@db_option
@json_option
@click.option("--html", "html_path", type=click.Path(dir_okay=False),
              help="Also write a self-contained HTML report (charts per site) to this file.")
def stats(db: Path, as_json: bool, html_path: str | None) -> None:
    """Per site: articles, share with a date / an author, articles per year, date sources,
    and health over time (last run, error rate, date-coverage trend, flags such as `dark` or
    `layout_changed`).

    \b
    Example:
      luutru stats
      luutru stats --html report.html
    """
    from archive.health import format_health, site_health
    from archive.stats import site_stats

    conn = reader(db)
    try:
        rows = site_stats(conn)
        health = site_health(conn)
        # The report's health charts go back further than the flags' five runs.
        trends = ({h["site"]: h["trend"] for h in site_health(conn, last_runs=HTML_RUNS)}
                  if html_path else {})
    finally:
        conn.close()
    by_site = {h["site"]: h for h in health}
    for row in rows:
        row["health"] = by_site.get(row["site"])
    if html_path:
        from luutru.report import render_report

        page = render_report(rows, db_name=Path(db).name, trends=trends)
        Path(html_path).write_text(page, encoding="utf-8")
        click.echo(f"Wrote {html_path}", err=True)
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
        if years:
            click.echo(f"  per year  {years}")
        if row.get("date_sources"):
            sources = ", ".join(f"{k} {v}" for k, v in row["date_sources"].items())
            click.echo(f"  dates from  {sources}")
        run = row.get("last_run")
        if run:
            click.echo(f"  last run  #{run['id']} {run['status']} {run.get('finished_at') or ''}")
    if health:
        click.echo("\nHealth over the last runs:")
        click.echo(format_health(health))


@click.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on (keep 127.0.0.1 unless you mean to share it).")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8001, show_default=True)
def serve(db: Path, host: str, port: int) -> None:
    """Browse and search the archive in a web browser (a reading room on Datasette, read-only).

    The home page searches like `luutru search` (`dang uy` finds `Đảng ủy`) with facets by
    school, year, category and author; article pages show every revision with a word diff
    and the page as captured (from the WARC, offline, scripts removed). Datasette's tables
    and SQL are under /ARCHIVE-NAME.

    \b
    Example:
      luutru serve --db bentre.db        # then open http://127.0.0.1:8001/
    """
    from luutru.web.serve import database_name, make_datasette

    ds = make_datasette(db)
    import uvicorn

    click.echo(f"Serving {db} read-only at http://{host}:{port}/ (reading room; tables at "
               f"/{database_name(db)}; Ctrl-C to stop)", err=True)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")
