"""`luutru check-site`: crawl a bounded sample of a site (or read its saved pages) and judge the
extraction against the site file's [checks] thresholds."""

from __future__ import annotations

import json
import re
import sqlite3
import sys
import tempfile
import tomllib
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from luutru.cli import exitcodes
from luutru.cli.common import emit_json, json_option, set_option, set_pairs
from luutru.cli.site_files import ROOT, checks_for, find_site

if TYPE_CHECKING:  # the CLI imports Scrapy only when a command crawls or parses
    from scrapers.platforms import SiteSpider

LEAK_PATTERNS: dict[str, re.Pattern[str]] = {
    "clock": re.compile(
        r"(?:Thứ\s+\w+|Chủ\s+nhật)\s*,\s*\d{1,2}\s+Tháng\s+\d{1,2}\s*,\s*\d{4}\s*-\s*\d{1,2}:\d{2}",
        re.IGNORECASE),
    "tin_khac": re.compile(r"^(?:Các\s+)?(?:Tin|Bài viết)\s+(?:khác|liên quan)\s*:?$",
                           re.IGNORECASE | re.MULTILINE),
    "skip_link": re.compile(r"Nhảy đến nội dung|Chuyển đến nội dung|Skip to main content",
                            re.IGNORECASE),
}


def _leaks(records: list[dict[str, Any]]) -> dict[str, list[str]]:
    """URLs whose text holds page chrome, by kind; `banner`: a line repeated in most texts."""
    from pipelines.text import is_boilerplate

    found: dict[str, list[str]] = {k: [] for k in (*LEAK_PATTERNS, "banner", "boilerplate")}
    lines_per_article: Counter[str] = Counter()
    for rec in records:
        text = rec.get("text") or ""
        for kind, pattern in LEAK_PATTERNS.items():
            if pattern.search(text):
                found[kind].append(rec["url"])
        paras = [p.strip() for p in text.split("\n") if p.strip()]
        if any(is_boilerplate(p) for p in paras):
            found["boilerplate"].append(rec["url"])
        lines_per_article.update({p for p in paras if len(p) < 200})
    if len(records) >= 5:
        repeated = {line for line, n in lines_per_article.items() if n >= 0.6 * len(records)}
        for rec in records:
            if any(p.strip() in repeated for p in (rec.get("text") or "").split("\n")):
                found["banner"].append(rec["url"])
    return found


def health_report(records: list[dict[str, Any]], fetches: list[dict[str, Any]],
                  checks: dict[str, float]) -> dict[str, Any]:
    """Coverage, date sources, leaks and failures of a sample, and whether it passes."""
    n = len(records)
    min_chars = int(checks["text_min_chars"])

    def share(pred: Any) -> float:
        return round(sum(1 for r in records if pred(r)) / n, 4) if n else 0.0

    coverage = {
        "title": share(lambda r: bool((r.get("title") or "").strip())),
        "date": share(lambda r: bool(r.get("published_at"))),
        "author": share(lambda r: bool((r.get("author") or "").strip())),
        "text": share(lambda r: len(r.get("text") or "") >= min_chars),
        "category": share(lambda r: bool(r.get("categories"))),
    }
    lengths = sorted(len(r.get("text") or "") for r in records)
    leaks = _leaks(records)
    leaked = sorted({u for urls in leaks.values() for u in urls})
    failed = [f for f in fetches if f.get("outcome") == "failed"]
    fetched = [f for f in fetches if f.get("http_status") is not None or f["outcome"] == "failed"]
    failed_share = round(len(failed) / len(fetched), 4) if fetched else 0.0
    problems = []
    if n < checks["min_articles"]:
        problems.append(
            f"only {n} article(s) in the sample (min_articles {checks['min_articles']:g})")
    for field, value in coverage.items():
        if value < checks[field]:
            problems.append(f"{field} coverage {value:.0%} below {checks[field]:.0%}")
    if len(leaked) > checks["max_leaks"]:
        kinds = ", ".join(f"{k} {len(v)}" for k, v in leaks.items() if v)
        problems.append(f"{len(leaked)} article(s) leak page chrome ({kinds})")
    if failed_share > checks["max_failed"]:
        problems.append(f"{len(failed)} of {len(fetched)} pages failed")
    return {
        "articles": n,
        "coverage": coverage,
        "text_chars": {"min": lengths[0] if lengths else 0,
                       "median": lengths[len(lengths) // 2] if lengths else 0},
        "date_sources": dict(Counter(r.get("published_source") or "none" for r in records)),
        "leaks": {k: v for k, v in leaks.items() if v},
        "failed": failed,
        "fetch_outcomes": dict(Counter(f["outcome"] for f in fetches)),
        "thresholds": checks,
        "problems": problems,
        "passed": not problems,
    }


def _records_from_db(db: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        records = [
            {**dict(r), "categories": json.loads(r["categories"] or "[]")}
            for r in conn.execute(
                "SELECT canonical_url AS url, title, text, author, published_at, "
                "published_source, categories FROM articles ORDER BY id")
        ]
        fetches = [dict(r) for r in conn.execute(
            "SELECT url, kind, outcome, reason, http_status FROM fetch_log ORDER BY id")]
    finally:
        conn.close()
    return records, fetches


def _spider_class(site: Any, *, pages: bool) -> type[SiteSpider]:
    """The spider that checks `site`: its family's (the generic one with the file's [hints]);
    `pages`: one that also reads a saved page at a time (`--fixtures`). An unknown family
    in a --site-file is a one-line error."""
    from luutru.crawl_url import GENERIC_CMS, generic_spider_class
    from scrapers.spiders import spider_class

    if site.cms == GENERIC_CMS:
        return generic_spider_class(site, page_reader=pages)
    try:
        return spider_class(site)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


def _records_from_fixtures(site: Any, folder: Path) -> tuple[list[dict], list[dict]]:
    """Run the site's spider over its saved pages, offline, and clean what it extracts."""
    from datetime import datetime

    from scrapy import Request
    from scrapy.http import HtmlResponse

    from luutru.process import PageReader, offline_spider
    from pipelines.article import clean_article
    from pipelines.dates import parse_date
    from pipelines.items import ArticleItem, FetchOutcome

    index = folder / "index.toml"
    if not index.exists():
        raise click.ClickException(f"no fixtures for {site.slug}: {index} is missing")
    pages = tomllib.loads(index.read_text(encoding="utf-8")).get("pages", [])
    if not pages:
        raise click.ClickException(f"{index} lists no pages (new-site --from-html FILE)")
    spider = offline_spider(_spider_class(site, pages=True), base_url=site.base_url, max_pages=1)
    if not isinstance(spider, PageReader):  # a family that reads pages only inside a crawl
        raise click.ClickException(f"the {site.cms} family cannot read saved pages: check "
                                   f"{site.slug} with --base-url URL or --live")
    records: list[dict[str, Any]] = []
    fetches: list[dict[str, Any]] = []
    rows: dict[str, dict[str, Any]] = {}  # article URL -> the listing row's facts
    pages = sorted(pages, key=lambda p: p.get("kind", "article") != "listing")
    for page in pages:
        url = page.get("url") or site.base_url + "/"
        kind = page.get("kind", "article")
        body = (folder / page["file"]).read_bytes()
        response = HtmlResponse(url=url, body=body, request=Request(url, meta={"kind": kind}))
        if kind == "listing":
            section = site.sections[0].name if site.sections else ""
            out = [o for o in spider.parse_listing(response, section=section)
                   if isinstance(o, Request) and o.meta.get("kind") == "article"]
            for req in out:
                rows[req.url] = dict(req.cb_kwargs.get("listing") or {})
            fetches.append({"url": url, "kind": kind, "http_status": 200,
                            "outcome": "crawled" if out else "failed",
                            "reason": None if out else "no_listing_rows"})
            continue
        for item in spider.parse_article(response, listing=rows.get(url, {})):
            if isinstance(item, FetchOutcome):
                fetches.append({"url": url, "kind": kind, "outcome": item.outcome,
                                "reason": item.reason, "http_status": 200})
            elif isinstance(item, ArticleItem):
                art = clean_article(item.title_raw, item.paragraphs_raw, item.author_raw,
                                    item.role_raw)
                parsed = parse_date(item.date_raw, source=item.date_source or "unknown",
                                    now=datetime.now().astimezone()) if item.date_raw else None
                records.append({"url": url, "title": art.title, "text": art.text,
                                "author": art.author, "categories": item.categories,
                                "published_at": parsed.isoformat() if parsed else None,
                                "published_source": item.date_source if parsed else None})
                fetches.append({"url": url, "kind": kind, "outcome": "stored",
                                "reason": None, "http_status": 200})
    return records, fetches


def _format_report(slug: str, mode: str, rep: dict[str, Any]) -> str:
    cov = rep["coverage"]
    th = rep["thresholds"]
    lines = [f"check-site {slug} ({mode}): {rep['articles']} article(s) sampled"]
    lines.append("  coverage    " + " · ".join(
        f"{k} {v:.0%}" + (f" (min {th[k]:.0%})" if th[k] else "") for k, v in cov.items()))
    lines.append(f"  text chars  min {rep['text_chars']['min']} · median "
                 f"{rep['text_chars']['median']} (a text counts from {th['text_min_chars']:g})")
    lines.append("  date from   " + (" · ".join(
        f"{k} {v}" for k, v in sorted(rep["date_sources"].items())) or "-"))
    leaks = rep["leaks"]
    lines.append("  leaks       " + (" · ".join(f"{k} {len(v)}" for k, v in leaks.items())
                                     or "none"))
    for kind, urls in leaks.items():
        for url in urls[:3]:
            lines.append(f"    {kind}: {url}")
    if rep.get("agreement"):
        from archive.stats import format_agreement

        lines.append("  agreement   " + format_agreement(rep["agreement"])
                     + " · family selectors vs generic extraction")
    lines.append("  fetches     " + " · ".join(
        f"{k} {v}" for k, v in sorted(rep["fetch_outcomes"].items())))
    for f in rep["failed"][:10]:
        lines.append(f"    failed: {f['url']} ({f.get('reason')})")
    if rep["passed"]:
        lines.append("  PASS")
    else:
        lines.append("  FAIL: " + "; ".join(rep["problems"]))
    return "\n".join(lines)


@click.command("check-site")
@click.argument("slug")
@click.option("--base-url", metavar="URL", help="Crawl a mirror or replica of the site.")
@click.option("--fixtures", "use_fixtures", is_flag=True,
              help="Read the saved pages in tests/fixtures/SLUG/ (no network).")
@click.option("--live", is_flag=True, help="Crawl the live site (politely, a small sample).")
@click.option("--sample", type=click.IntRange(min=1), default=20, show_default=True,
              metavar="N", help="Articles to fetch.")
@click.option("--max-pages", type=click.IntRange(min=1), default=2, show_default=True,
              metavar="N", help="Listing pages per section.")
@click.option("--site-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Check this site file instead of the installed one (same slug).")
@click.option("--fixtures-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Fixture folder. [default: tests/fixtures/SLUG]")
@click.option("--delay", type=click.FloatRange(min=0), default=None, metavar="S",
              help="Seconds between requests. [default: 0 for --base-url, 1 for --live]")
@click.option("--concurrency", type=click.IntRange(min=1, max=16), default=None, metavar="N")
@click.option("--keep-db", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Keep the sample archive here instead of a temporary file.")
@set_option
@json_option
def check_site(slug: str, base_url: str | None, use_fixtures: bool, live: bool, sample: int,
               max_pages: int, site_file: Path | None, fixtures_dir: Path | None,
               delay: float | None, concurrency: int | None, keep_db: Path | None,
               set_options: tuple[str, ...], as_json: bool) -> None:
    """Crawl a bounded sample of SLUG and print a health report; exit 5 below the thresholds.

    The report gives field coverage (title, date, author, text length, category), where dates
    came from, page chrome leaking into texts (clock, banner, "Tin khác", skip links), the
    pages that failed, and (crawls) how often the family spider's selectors and the generic
    extraction read the same title, body, author and date. Thresholds come from the site
    file's [checks] table (defaults in `luutru new-site`'s template).

    \b
    Example:
      luutru check-site bentre --base-url http://127.0.0.1:8000
      luutru check-site quang_tri --fixtures
    """
    modes = [m for m, on in (("base-url", base_url), ("fixtures", use_fixtures), ("live", live))
             if on]
    if len(modes) != 1:
        raise click.UsageError("choose one of --base-url URL, --fixtures or --live")
    site, data = find_site(slug, site_file)
    if site.slug != slug:
        raise click.ClickException(f"the site file describes {site.slug!r}, not {slug!r}")
    checks = checks_for(data)
    agreement: dict[str, dict[str, Any]] = {}
    if use_fixtures:
        folder = fixtures_dir or ROOT / "tests" / "fixtures" / slug
        records, fetches = _records_from_fixtures(site, folder)
    else:
        records, fetches, agreement = _sample_crawl(site, base_url if not live else None,
                                                    sample, max_pages, delay, concurrency,
                                                    keep_db, set_pairs(set_options))
    report = health_report(records, fetches, checks)
    report = {"site": slug, "mode": modes[0], **report, "agreement": agreement}
    if as_json:
        emit_json(report)
    else:
        click.echo(_format_report(slug, modes[0], report))
    if not report["passed"]:
        sys.exit(exitcodes.PROBLEMS)


def _sample_crawl(site: Any, base_url: str | None, sample: int, max_pages: int,
                  delay: float | None, concurrency: int | None, keep_db: Path | None,
                  overrides: dict[str, str]) -> tuple[list[dict], list[dict], dict[str, Any]]:
    from luutru.crawl import run_crawl
    from luutru.crawl_url import GENERIC_CMS
    from luutru.process import crawl_settings

    if delay is None:
        delay = 0.0 if base_url else 1.0
    with tempfile.TemporaryDirectory(prefix="luutru-check-") as tmp:
        db = keep_db or Path(tmp) / f"{site.slug}.db"
        if keep_db and keep_db.exists():
            raise click.ClickException(f"{keep_db} exists; --keep-db needs a new file")
        # At most `sample` articles, each read twice: family selectors and generic extraction.
        settings = crawl_settings(db, delay=delay, concurrency=concurrency, sample=sample,
                                  overrides=overrides)
        kwargs = {"max_articles": sample} if site.cms == GENERIC_CMS else {}
        summary = run_crawl(site.slug, db, base_url=base_url, max_pages=max_pages,
                            settings=settings, incremental=False,
                            spider_cls=_spider_class(site, pages=False), spider_kwargs=kwargs)
        if summary.run_id is None:
            raise click.ClickException(f"the sample crawl of {site.slug} did not start")
        return (*_records_from_db(db), _agreement_from_db(db))


def _agreement_from_db(db: Path) -> dict[str, dict[str, Any]]:
    """Per field, how often the family spider and the generic extraction agreed."""
    from archive.stats import crosscheck_agreement

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return crosscheck_agreement(conn)
    finally:
        conn.close()


