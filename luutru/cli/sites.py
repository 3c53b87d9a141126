"""`luutru` commands for maintainers: archive an unknown site, add a site, check a site, and
find articles reposted across sites."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
import tempfile
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from luutru.cli import exitcodes
from luutru.cli.common import db_option, emit_json, exit_code, json_option, summary_text

ROOT = Path(__file__).resolve().parents[2]  # the checkout: luutru/cli/sites.py -> ../../
SITES_DIR_ENV = "LUUTRU_SITES_DIR"
ROWS_FILE = Path("tests") / "site_checks.toml"
_SLUG_RE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")

# Thresholds of `check-site`, overridable per site in its file's [checks] table.
DEFAULT_CHECKS: dict[str, float] = {
    "min_articles": 1,  # articles the sample must yield
    "title": 0.95,  # share of articles with a title
    "date": 0.9,  # share with a publication date
    "text": 0.95,  # share with a text of at least text_min_chars
    "author": 0.0,  # share with a byline (many sites print none)
    "category": 0.0,  # share with a category
    "text_min_chars": 200,
    "max_leaks": 0,  # articles whose text holds page chrome (clock, banner, Tin khác, skip link)
    "max_failed": 0.1,  # share of fetched pages that failed
}


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
@json_option
def crawl_url(url: str, db: Path, max_pages: int | None, max_articles: int | None,
              max_depth: int | None, delay: float | None, concurrency: int | None,
              verbose: bool, as_json: bool) -> None:
    """Archive a site that has no site file yet, with generic rules.

    Articles are found through sitemap.xml, RSS/Atom feeds and same-host links; the text is
    extracted with trafilatura, the date with luutru's own rules (labelled dates first, render
    clocks refused, day first). They are stored as site `generic_<host>` (cms "generic").

    \b
    Example:
      luutru crawl-url https://truongchinhtri.example.gov.vn/ --db unknown.db --max-pages 50
    """
    from archive.lock import ArchiveLocked
    from luutru.crawl import crawl_settings
    from luutru.crawl_url import crawl_url as run

    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise click.BadParameter(f"{url!r} is not an http(s) URL", param_hint="URL")
    settings = crawl_settings(db, delay=delay, concurrency=concurrency,
                              log_level="INFO" if verbose else "WARNING",
                              progress=0 if as_json else 10)
    try:
        summary = run(url, db, max_pages=max_pages, max_articles=max_articles,
                      max_depth=max_depth, settings=settings).as_dict()
    except ArchiveLocked as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        emit_json(summary)
    else:
        click.echo(summary_text(summary))
    if summary["status"] != "finished":
        sys.exit(exit_code(summary["status"], summary["pages"]))


# -- site files ------------------------------------------------------------------------------------


def sites_dir() -> Path:
    """Where site files are read from: $LUUTRU_SITES_DIR, else the package's scrapers/sites."""
    env = os.environ.get(SITES_DIR_ENV)
    if env:
        return Path(env)
    import scrapers.sites

    return Path(scrapers.sites.__file__).parent


def load_site_file(path: Path) -> tuple[Any, dict[str, Any]]:
    """(SiteDef, the file's raw table) for a site file anywhere on disk."""
    from scrapers.sites import _parse

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        site = _parse(data)
    except (OSError, tomllib.TOMLDecodeError, KeyError) as exc:
        raise click.ClickException(f"cannot read site file {path}: {exc}") from exc
    if site.slug != path.stem:
        raise click.ClickException(f"{path}: slug {site.slug!r} must match the file name")
    return site, data


def find_site(slug: str, site_file: Path | None = None) -> tuple[Any, dict[str, Any]]:
    if site_file is not None:
        return load_site_file(site_file)
    path = sites_dir() / f"{slug}.toml"
    if path.exists():
        return load_site_file(path)
    from scrapers.sites import UnknownSite, get_site

    try:
        return get_site(slug), {}
    except UnknownSite as exc:
        raise click.ClickException(str(exc)) from exc


def checks_for(data: dict[str, Any]) -> dict[str, float]:
    checks = dict(DEFAULT_CHECKS)
    for key, value in (data.get("checks") or {}).items():
        if key not in DEFAULT_CHECKS:
            known = ", ".join(DEFAULT_CHECKS)
            raise click.ClickException(f"[checks] has unknown key {key!r} (known: {known})")
        checks[key] = float(value)
    return checks


SITE_TEMPLATE = '''# {name}: {cms} site, from `luutru new-site`. Fill in the sections, then run
#   luutru check-site {slug} --base-url <mirror or replica URL>
slug = "{slug}"
name = "{name}"
province = "{province}"
merged_into = "{merged_into}"   # the province it joined on 1/7/2025, if any
base_url = "{base_url}"
aliases = []        # other origins of the same site: "http://...", "https://www...."
cms = "{cms}"
status = "active"   # active | frozen | offline

{sections}
[dates]
# prefer = "listing"        # take the listing row's date before the article page's
# article_pages = false     # the article page shows only a render clock: never read it

[selectors]
# Override the {cms} family's defaults here (CSS, or XPath starting with / ( or ./), e.g.
# body = [".article-content"]
# article_date = [".date"]

[checks]
# Thresholds of `luutru check-site` (shares in [0, 1]); the defaults are shown.
{checks}
'''


def render_site_file(slug: str, cms: str, base_url: str, name: str, province: str,
                     merged_into: str, sections: list[tuple[str, str]]) -> str:
    if sections:
        section_text = "".join(
            f'[[sections]]\nname = "{n}"\npath = "{p}"\n\n' for n, p in sections)
    else:
        section_text = ('# One table per listing the spider reads:\n# [[sections]]\n'
                        '# name = "Tin tức - Sự kiện"\n# path = "/tin-tuc-su-kien"\n')
    checks = "\n".join(f"# {k} = {v:g}" for k, v in DEFAULT_CHECKS.items())
    return SITE_TEMPLATE.format(slug=slug, cms=cms, base_url=base_url, name=name or slug,
                                province=province, merged_into=merged_into,
                                sections=section_text, checks=checks)


ROW_TEMPLATE = '''
[[site]]
slug = "{slug}"
# The replica that `tests/test_toolkit.py` serves and checks: a key of replicas.sites.BUILDERS.
replica = "{replica}"
fixtures = "tests/fixtures/{slug}"
sample = 20
'''


@click.command("new-site")
@click.argument("slug")
@click.option("--cms", "family", required=True, metavar="FAMILY",
              help="CMS family: drupal7, drupal8, nukeviet, joomla_k2, portal.")
@click.option("--url", "base_url", required=True, metavar="URL", help="The live base URL.")
@click.option("--name", default="", help="The school's name as the site shows it.")
@click.option("--province", default="", help="Province (before the 2025 merger).")
@click.option("--merged-into", default="", help="Province it merged into in 2025.")
@click.option("--section", "sections", multiple=True, metavar="NAME=PATH",
              help="A listing to crawl. Repeatable.")
@click.option("--from-html", "pages", multiple=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Save this page (as bytes) as a fixture. Repeatable.")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Project folder to write into. [default: this checkout]")
def new_site(slug: str, family: str, base_url: str, name: str, province: str,
             merged_into: str, sections: tuple[str, ...], pages: tuple[Path, ...],
             root: Path | None) -> None:
    """Start a site definition: the site file, a fixture folder and a test row.

    \b
    Writes (and refuses to overwrite):
      scrapers/sites/SLUG.toml        from a template, with the family's keys explained
      tests/fixtures/SLUG/            the --from-html pages, byte for byte, and index.toml
      tests/site_checks.toml          a row, so the tests check the site once it has a replica

    \b
    Example:
      luutru new-site binh_phuoc --cms nukeviet --url https://truongchinhtri.edu.vn \\
          --from-html article.html listing.html
    """
    from scrapers.platforms import PLATFORMS

    if not _SLUG_RE.fullmatch(slug) or slug.startswith("generic_"):
        raise click.BadParameter(
            f"{slug!r}: use 2-40 lower-case letters, digits or _ starting with a letter "
            "(e.g. quang_tri); generic_* is reserved for crawl-url", param_hint="SLUG")
    if family not in PLATFORMS:
        raise click.BadParameter(
            f"unknown CMS family {family!r}; known: {', '.join(sorted(PLATFORMS))}",
            param_hint="--cms")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.BadParameter(f"{base_url!r} is not an http(s) URL", param_hint="--url")
    parsed_sections = []
    for item in sections:
        label, sep, path = item.partition("=")
        if not sep or not path.startswith("/"):
            raise click.BadParameter(f"{item!r}: expected NAME=/path", param_hint="--section")
        parsed_sections.append((label.strip(), path.strip()))
    root = root or ROOT
    site_path = root / "scrapers" / "sites" / f"{slug}.toml"
    fixtures = root / "tests" / "fixtures" / slug
    rows_path = root / ROWS_FILE
    rows = _read_rows(rows_path)
    existing = [str(p) for p in (site_path, fixtures) if p.exists()]
    if any(r.get("slug") == slug for r in rows):
        existing.append(f"{rows_path} (row {slug})")
    if existing:
        raise click.ClickException(
            f"site {slug!r} already exists: {', '.join(existing)}; nothing was written")
    origin = f"{parts.scheme}://{parts.netloc}"
    site_path.parent.mkdir(parents=True, exist_ok=True)
    site_path.write_text(render_site_file(slug, family, origin, name, province, merged_into,
                                          parsed_sections), encoding="utf-8")
    fixtures.mkdir(parents=True)
    index = ["# Saved pages: `luutru check-site SLUG --fixtures` reads each as the kind given.\n"]
    used: set[str] = set()
    for n, page in enumerate(pages, 1):
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", page.name).strip("-") or f"page-{n}.html"
        while stem in used or stem == "index.toml":
            stem = f"{n}-{stem}"
        used.add(stem)
        (fixtures / stem).write_bytes(page.read_bytes())
        index.append(f'\n[[pages]]\nfile = "{stem}"\nurl = "{origin}/"  # the page\'s live URL\n'
                     'kind = "article"  # article | listing\n')
    (fixtures / "index.toml").write_text("".join(index), encoding="utf-8")
    rows_path.parent.mkdir(parents=True, exist_ok=True)
    with rows_path.open("a", encoding="utf-8") as fh:
        if not rows_path.stat().st_size:
            fh.write("# One row per site file: what tests/test_toolkit.py checks for it.\n")
        fh.write(ROW_TEMPLATE.format(slug=slug, replica=""))
    click.echo(f"wrote {site_path.relative_to(root)}")
    click.echo(f"wrote {fixtures.relative_to(root)}/ ({len(pages)} page(s) + index.toml)")
    click.echo(f"added a row for {slug} to {rows_path.relative_to(root)}")
    click.echo(f"next: fill in the sections, add a replica, then: luutru check-site {slug} "
               "--base-url URL")


def _read_rows(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return list(tomllib.loads(path.read_text(encoding="utf-8")).get("site", []))


# -- check-site ------------------------------------------------------------------------------------

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


def _records_from_fixtures(site: Any, folder: Path) -> tuple[list[dict], list[dict]]:
    """Run the site's spider over its saved pages, offline, and clean what it extracts."""
    from datetime import datetime

    from scrapy import Request
    from scrapy.http import HtmlResponse

    from pipelines.article import clean_article
    from pipelines.dates import parse_date
    from pipelines.items import ArticleItem, FetchOutcome
    from scrapers.spiders import spider_class

    index = folder / "index.toml"
    if not index.exists():
        raise click.ClickException(f"no fixtures for {site.slug}: {index} is missing")
    pages = tomllib.loads(index.read_text(encoding="utf-8")).get("pages", [])
    if not pages:
        raise click.ClickException(f"{index} lists no pages (new-site --from-html FILE)")
    spider = spider_class(site)(base_url=site.base_url, max_pages=1)
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
@json_option
def check_site(slug: str, base_url: str | None, use_fixtures: bool, live: bool, sample: int,
               max_pages: int, site_file: Path | None, fixtures_dir: Path | None,
               delay: float | None, concurrency: int | None, keep_db: Path | None,
               as_json: bool) -> None:
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
                                                    keep_db)
    report = health_report(records, fetches, checks)
    report = {"site": slug, "mode": modes[0], **report, "agreement": agreement}
    if as_json:
        emit_json(report)
    else:
        click.echo(_format_report(slug, modes[0], report))
    if not report["passed"]:
        sys.exit(exitcodes.PROBLEMS)


def _sample_crawl(site: Any, base_url: str | None, sample: int, max_pages: int,
                  delay: float | None, concurrency: int | None,
                  keep_db: Path | None) -> tuple[list[dict], list[dict], dict[str, Any]]:
    from luutru.crawl import crawl_settings
    from luutru.crawl_url import GENERIC_CMS, generic_spider_class, run_spider
    from scrapers.spiders import spider_class

    if delay is None:
        delay = 0.0 if base_url else 1.0
    with tempfile.TemporaryDirectory(prefix="luutru-check-") as tmp:
        db = keep_db or Path(tmp) / f"{site.slug}.db"
        if keep_db and keep_db.exists():
            raise click.ClickException(f"{keep_db} exists; --keep-db needs a new file")
        settings = crawl_settings(db, delay=delay, concurrency=concurrency)
        settings.set(
            "SPIDER_MIDDLEWARES",
            {**settings.getdict("SPIDER_MIDDLEWARES"), "luutru.crawl_url.SampleCap": 50},
            priority="cmdline",
        )
        settings.set("LUUTRU_SAMPLE", sample, priority="cmdline")
        # A check reads every sampled article twice: family selectors and generic extraction.
        settings.set("LUUTRU_CROSSCHECK", True, priority="cmdline")
        if site.cms == GENERIC_CMS:
            cls = generic_spider_class(site)
            kwargs: dict[str, Any] = {"max_articles": sample}
        else:
            try:
                cls = spider_class(site)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from exc
            kwargs = {}
        summary = run_spider(cls, db, base_url=base_url, max_pages=max_pages,
                             settings=settings, incremental=False, spider_kwargs=kwargs)
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
    from archive.db import ArchiveError, open_writer
    from archive.neardup import clusters, link_duplicates

    if not db.exists():
        raise click.ClickException(f"no archive at {db} (crawl first: luutru crawl SITE --db {db})")
    try:
        conn = open_writer(db).conn
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
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
