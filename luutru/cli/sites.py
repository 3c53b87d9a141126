"""`luutru` commands about sites as a whole: the sites luutru knows, archiving one it does not
know yet (crawl-url), and the same article found on several sites (duplicates)."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from luutru.cli.common import (
    db_option,
    emit_json,
    exit_code,
    json_option,
    reader,
    set_option,
    set_pairs,
    summary_text,
)


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


# -- crawl-url -----------------------------------------------------------------------------------


@click.command("crawl-url")
@click.argument("url")
@db_option
@click.option("--max-pages", type=click.IntRange(min=1), default=None, metavar="N",
              help="Read at most N pages that are not articles (home, sections, pagers).")
@click.option("--max-articles", type=click.IntRange(min=1), default=None, metavar="N",
              help="Fetch at most N article pages.")
@click.option("--max-depth", type=click.IntRange(min=0), default=None, metavar="N",
              help="Follow links at most N clicks from URL (pagers do not count). [default: 5]")
@click.option("--delay", type=click.FloatRange(min=0), default=None, metavar="S",
              help="Seconds between requests to the host. [default: 1, adaptive]")
@click.option("--concurrency", type=click.IntRange(min=1, max=16), default=None, metavar="N",
              help="Requests in flight per host. [default: 1]")
@click.option("--verbose", "-v", is_flag=True, help="Scrapy's INFO log on stderr.")
@set_option
@json_option
def crawl_url(url: str, db: Path, max_pages: int | None, max_articles: int | None,
              max_depth: int | None, delay: float | None, concurrency: int | None,
              verbose: bool, set_options: tuple[str, ...], as_json: bool) -> None:
    """Archive a site that has no site file yet, with generic rules.

    Articles are found through sitemap.xml, RSS/Atom feeds and same-host links; the text is
    extracted with trafilatura, the date with luutru's own rules (labelled dates first, render
    clocks refused, day first). They are stored as site `generic_<host>` (cms "generic").

    \b
    Example:
      luutru crawl-url https://truongchinhtri.example.gov.vn/ --db unknown.db --max-pages 50
    """
    from luutru.crawl_url import crawl_url as run
    from luutru.process import crawl_settings

    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise click.BadParameter(f"{url!r} is not an http(s) URL", param_hint="URL")
    settings = crawl_settings(db, delay=delay, concurrency=concurrency,
                              log_level="INFO" if verbose else "WARNING",
                              progress=0 if as_json else 10, overrides=set_pairs(set_options))
    summary = run(url, db, max_pages=max_pages, max_articles=max_articles,
                  max_depth=max_depth, settings=settings).as_dict()
    if as_json:
        emit_json(summary)
    else:
        click.echo(summary_text(summary))
    if summary["status"] != "finished":
        sys.exit(exit_code(summary["status"], summary["pages"]))


# -- duplicates ------------------------------------------------------------------------------------


@click.command("duplicates")
@db_option
@click.option("--site", default=None, help="Only clusters holding an article of this site.")
@click.option("--threshold", type=click.FloatRange(0.1, 1.0), default=0.8, show_default=True,
              help="Jaccard similarity (word 3-shingles) from which two texts are near twins.")
@click.option("--cross-site", is_flag=True, help="Only clusters that span two sites or more.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@json_option
def duplicates(db: Path, site: str | None, threshold: float, cross_site: bool, limit: int,
               as_json: bool) -> None:
    """List clusters of the same article on several sites (or twice on one), and link them.

    Exact twins (same content hash) and near twins (MinHash LSH) are recorded in the
    archive's article_links table; nothing is deleted or merged.

    \b
    Example:
      luutru duplicates --cross-site
      luutru duplicates --site bentre --threshold 0.9 --json
    """
    from archive.db import ArchiveNotFound, open_writer
    from archive.neardup import clusters, link_duplicates

    if not db.exists():  # a writer would create it
        raise ArchiveNotFound(db)
    conn = open_writer(db).conn
    try:
        pairs = link_duplicates(conn, threshold)
        found = clusters(conn, pairs, site=site, cross_site_only=cross_site)
    finally:
        conn.close()
    if as_json:
        emit_json([c.as_dict() for c in found[:limit]])
        return
    if not found:
        click.echo("no duplicates found")
        return
    click.echo(f"{len(found)} cluster(s); {len(pairs)} link(s) recorded in article_links")
    for n, cluster in enumerate(found[:limit], 1):
        kinds = Counter(p["kind"] for p in cluster.pairs)
        best = max((p["score"] for p in cluster.pairs), default=0)
        click.echo(f"\n#{n} {len(cluster.articles)} articles on {', '.join(cluster.sites)} "
                   f"({', '.join(f'{k} {v}' for k, v in kinds.items())}; score {best:.2f})")
        for art in cluster.articles:
            click.echo(f"  [{art['id']}] {art['site']:<16} {(art['published_at'] or '')[:10]:<10} "
                       f"{art['title'][:70]}")
            click.echo(f"        {art['url']}")
