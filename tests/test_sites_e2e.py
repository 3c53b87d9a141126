"""Every site file, end to end: its replica crawled through the real CLI, checked against the
replica's ground-truth manifest (titles, dates, bylines, text, one row per article)."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

import pytest

from archive.urls import canonicalize_url
from pipelines.text import clean_line, clean_text
from replicas.sites import BUILDERS, build
from scrapers.platforms import PLATFORMS
from scrapers.sites import all_sites
from tests.conftest import crawl_days, crawl_replicas, run_cli

# The tailored families: exact field-by-field checks. Sites of the `generic` family (CMS
# unknown) are held to measured shares instead, in tests/test_all_schools.py.
SLUGS = sorted(slug for slug, site in all_sites().items() if site.cms != "generic")
# Small replicas keep the whole parametrisation within a few seconds.
N_ARTICLES = 36
CHROME = (
    "Nhảy đến nội dung",
    "Skip to main content",
    "Tin khác",
    "Những tin mới hơn",
    "Những tin cũ hơn",
    "Đóng cửa sổ này",
    "In ra",
    "Thống kê truy cập",
    "Bài viết liên quan",
    "Lượt xem",
    "Viết bởi",
    "Cập nhật:",
    "Tác giả:",
    "Tin và ảnh",
    "Hôm nay:",
)
CLOCKS = re.compile(
    r"(Chủ nhật|Thứ \w+), \d{1,2} Tháng \d{1,2}, \d{4}|\d{1,2}/\d{1,2}/\d{4} \| \d{2}:\d{2}"
)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> dict[str, tuple[object, dict, dict[str, dict], Path]]:
    """Every replica served at once and crawled in parallel: slug -> (site, summary, rows, db).

    Each archive is then crawled a second time with --refresh, every article fetched again
    (kept as summary["recrawl"]).
    """
    root = tmp_path_factory.mktemp("sites")
    crawled = crawl_replicas({slug: (build(slug, N_ARTICLES), slug) for slug in SLUGS}, root,
                             workers=len(SLUGS), recrawl=("--refresh",))
    return {slug: (*crawled[slug], root / f"{slug}.db") for slug in SLUGS}


def live_url(slug: str, path: str) -> str:
    site = all_sites()[slug]
    return canonicalize_url(site.base_url + quote(path), origin=site.base_url, aliases=site.aliases)


def row_for(slug: str, art, rows: dict[str, dict]) -> dict:
    """The archived row of a manifest article, under its path or one of its duplicates."""
    for path in (art.path, *getattr(art, "duplicates", ())):
        row = rows.get(live_url(slug, path))
        if row is not None:
            return row
    raise AssertionError(f"{slug}: {art.path} not archived")


def published_date(art) -> dt.date:
    value = art.published
    return value.date() if isinstance(value, dt.datetime) else value


# -- registry --------------------------------------------------------------------------------


def test_every_site_file_has_a_replica_and_an_e2e_row():
    """A site file without a replica (or a replica without a site file) fails here."""
    assert set(BUILDERS) == set(all_sites())
    assert set(SLUGS) == {s for s, site in all_sites().items() if site.cms != "generic"}
    for site in all_sites().values():
        assert site.cms in PLATFORMS, site.slug
        assert site.status in ("active", "frozen", "offline", "unverified"), site.slug
        assert site.sections or site.cms == "generic", site.slug  # generic: discovered


def test_sites_command_lists_every_school_with_family_province_and_status():
    rows = json.loads(run_cli("sites", "--json").stdout)
    assert {r["slug"] for r in rows} == set(all_sites())
    for row in rows:
        assert row["cms"] in PLATFORMS and row["province"] and row["status"]
    out = run_cli("sites").stdout
    for site in all_sites().values():
        assert site.slug in out and site.province in out and site.cms in out


# -- per site --------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_every_article_archived_once(crawled, slug):
    site, summary, rows, _ = crawled[slug]
    assert summary["status"] == "finished", summary
    assert summary["errors"] == 0, summary
    assert len(site.articles) >= 30
    assert summary["new"] == len(site.articles) == len(rows), summary
    # One row per article: under its path, or (twin nodes) under a twin's URL.
    matched = {row_for(slug, art, rows)["canonical_url"] for art in site.articles}
    assert matched == set(rows)
    base = all_sites()[slug].base_url
    assert all(url.startswith(base + "/") for url in rows)


@pytest.mark.parametrize("slug", SLUGS)
def test_titles_bylines_and_text_match_the_manifest(crawled, slug):
    site, _, rows, _ = crawled[slug]
    for art in site.articles:
        row = row_for(slug, art, rows)
        assert row["title"] == clean_line(art.title), art.path
        assert row["text"] == clean_text("\n\n".join(art.paragraphs)), art.path
        assert row["author"] == clean_line(art.author), art.path
        assert row["author_role"] == clean_line(art.role), art.path
        categories = set(json.loads(row["categories"]))
        assert categories & set(art.sections), art.path


@pytest.mark.parametrize("slug", SLUGS)
def test_dates_are_publication_dates_never_the_crawl_day(crawled, slug):
    site, _, rows, _ = crawled[slug]
    days = crawl_days()
    for art in site.articles:
        row = row_for(slug, art, rows)
        assert row["published_at"], art.path
        assert row["published_at"][:10] == published_date(art).isoformat(), art.path
        assert row["published_at"][:10] not in days, art.path
        assert row["published_source"] in ("listing", "article_meta"), art.path
        precision = getattr(art, "precision", "day")
        if precision == "minute" and not getattr(art, "duplicates", None):
            assert row["published_precision"] == "minute", art.path
            assert row["published_at"][:16] == art.published.isoformat()[:16], art.path


@pytest.mark.parametrize("slug", SLUGS)
def test_no_page_chrome_in_any_text(crawled, slug):
    _, _, rows, _ = crawled[slug]
    for row in rows.values():
        text = row["text"]
        for chrome in CHROME:
            assert chrome not in text, (row["canonical_url"], chrome)
        assert not CLOCKS.search(text), row["canonical_url"]
        assert "\u00a0" not in text and "  " not in text
        assert "&#" not in row["title"]


@pytest.mark.parametrize("slug", SLUGS)
def test_variant_urls_collapse_into_one_article(crawled, slug):
    """savefile/print views and second nodes are one article, seen under several URLs."""
    site, _, rows, db = crawled[slug]
    assert not any(re.search(r"/(savefile|print)/", url) for url in rows)
    conn = sqlite3.connect(db)
    seen = {u for (u,) in conn.execute("SELECT url FROM article_urls")}
    dup = conn.execute(
        "SELECT url, count(*) FROM fetch_log GROUP BY run_id, url HAVING count(*) > 1"
    ).fetchall()
    conn.close()
    assert dup == []
    for art in site.articles:
        if "two_nodes" in art.traps:
            urls = {live_url(slug, p) for p in (art.path, *art.duplicates)}
            assert len(urls & set(rows)) == 1
            assert urls <= {canonicalize_url(u) for u in seen} | set(rows)


@pytest.mark.parametrize("slug", SLUGS)
def test_second_crawl_finds_nothing_new_or_changed(crawled, slug):
    """Header clocks and counters change on every request; articles must not look changed."""
    _, summary, rows, _ = crawled[slug]
    again = summary["recrawl"]
    assert again["status"] == "finished" and again["errors"] == 0, again
    assert again["new"] == 0 and again["updated"] == 0, again
    assert again["unchanged"] >= len(rows), again


def test_quirks_are_in_the_replicas(crawled):
    traps = {
        slug: {t for a in crawled[slug][0].articles for t in getattr(a, "traps", [])}
        for slug in SLUGS
    }
    assert "two_nodes" in traps["lang_son"]
    assert {"savefile_link", "title_entities"} <= traps["dong_thap"]
    assert "print_link" in traps["quang_tri"]
    assert "savefile_link" in traps["thai_nguyen"]
    assert {"tin_va_anh_byline", "end_marker"} <= traps["thai_nguyen"]
    assert {"all_caps_title", "photo_credit", "comma_alias"} <= traps["lam_dong"]
    assert {"repeated_first_paragraph", "inline_byline", "caps_slug"} <= traps["hai_phong"]
    assert "all_caps_title" in traps["ha_tinh"]
