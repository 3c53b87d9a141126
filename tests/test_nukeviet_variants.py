"""The NukeViet family on every stock listing layout of NukeViet 4 and 3, end to end.

NukeViet sets the layout per category, so each crawl serves one school's replica (20 articles)
with a different stock layout per category (viewcat_page/list/grid/top/two_column/main_left/
right/bottom, topic.tpl for tag pages; NukeViet 4.0, 4.4, 4.5 and the NukeViet 3 default
theme), a header clock printed exactly like an article date, and crawls it with the real CLI.
The family's default selectors must find every article through its listing rows (never the
URL-shape fallback) and read title, date, author and body from the article page, and each
variant has its own tests: its rows (offline, on every listing page) and its articles.
"""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from scrapy.http import HtmlResponse, Request

from archive.urls import canonicalize_url
from pipelines.text import clean_line, clean_text
from replicas.nukeviet import NukeVietSite
from replicas.sites import build
from scrapers.sites import all_sites
from scrapers.spiders import spider_for
from tests.conftest import crawl_replicas

N_ARTICLES = 20
# The clock of a site whose date_pattern is `l - d/m/Y`: the article-date format exactly.
CLOCK = "l - d/m/Y H:i"
# NukeViet sets the layout per category, so one crawl covers several variants: crawl name ->
# (school, NukeViet version, layout of each section in order; "topic" marks a tag section).
CRAWLS = {
    "v4_ha_tinh": ("ha_tinh", "4.4", ("two_column", "page", "list")),
    "v4_quang_tri": ("quang_tri", "4.0", ("top", "main_left", "grid")),
    "v4_thai_nguyen": ("thai_nguyen", "4.5", ("main_right", "main_bottom", "topic")),
    "v3_ha_tinh": ("ha_tinh", "3.4", ("main_left", "list", "top")),
    "v3_dong_thap": ("dong_thap", "3.4", ("two_column", "grid")),
    "v3_thai_nguyen": ("thai_nguyen", "3.4", ("page", "page", "topic")),
}
# Variant -> (crawl, section index).
VARIANTS = {
    "two_column": ("v4_ha_tinh", 0), "page": ("v4_ha_tinh", 1), "list": ("v4_ha_tinh", 2),
    "top": ("v4_quang_tri", 0), "main_left": ("v4_quang_tri", 1), "grid": ("v4_quang_tri", 2),
    "main_right": ("v4_thai_nguyen", 0), "main_bottom": ("v4_thai_nguyen", 1),
    "topic": ("v4_thai_nguyen", 2),
    "v3_main_left": ("v3_ha_tinh", 0), "v3_list": ("v3_ha_tinh", 1), "v3_top": ("v3_ha_tinh", 2),
    "v3_two_column": ("v3_dong_thap", 0), "v3_grid": ("v3_dong_thap", 1),
    "v3_page": ("v3_thai_nguyen", 0), "v3_topic": ("v3_thai_nguyen", 2),
}
CHROME = (
    "Tổng số điểm", "Xếp hạng", "phiếu bầu", "Click để đánh giá", "Bài viết rất kém",
    "In ra", "Đóng cửa sổ này", "Lưu bài viết này", "URL của bản tin này",
    "Những tin mới hơn", "Những tin cũ hơn", "Các tin khác", "Tin tiêu điểm",
    "Thống kê", "Đang truy cập", "Tổng lượt truy cập", "Đã xem", "Tweet",
    "Tags:", "Từ khóa:", "Tác giả:", "Tác giả bài viết", "Nguồn tin", "Quản trị viên",
    "Trang nhất",
)
CLOCK_RE = re.compile(r"(Thứ \w+|Chủ nhật)\s*[-,]\s*\d{2}/\d{2}/\d{4}")
GOOD = 0.97


def crawl_site(crawl: str) -> NukeVietSite:
    slug, version, layouts = CRAWLS[crawl]
    site = build(slug, N_ARTICLES)
    site.page_size = 4
    sections = list(site.sections)
    per_section = {sections[n]: lay for n, lay in enumerate(layouts) if lay != "topic"}
    return site.serve_as("page", version=version, clock=CLOCK, per_section=per_section)


def section_of(variant: str, site: NukeVietSite) -> str:
    return list(site.sections)[VARIANTS[variant][1]]


def live_url(slug: str, path: str) -> str:
    site = all_sites()[slug]
    return canonicalize_url(site.base_url + quote(path), origin=site.base_url,
                            aliases=site.aliases)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> dict[str, tuple[NukeVietSite, dict, dict[str, dict]]]:
    """Every crawl's replica served and crawled at once: crawl -> (site, summary, rows)."""
    sites = {name: (crawl_site(name), CRAWLS[name][0]) for name in CRAWLS}
    return crawl_replicas(sites, tmp_path_factory.mktemp("nukeviet"), workers=len(CRAWLS))


def share(hits: list[bool]) -> float:
    return sum(hits) / len(hits)


# -- the listing rows, offline -------------------------------------------------------------


def listing_pages(site: NukeVietSite, section: str) -> list[str]:
    """Every listing page of a section: its pages, its subcategories' pages."""
    base = site.sections[section]
    ids = site.listings[section] if site.is_topic(base) else site.own[section]
    one = site.layout_of(section) == "two_column" and not site.is_topic(base)
    pages = 1 if one else max(1, -(-len(ids) // site.page_size))
    paths = [base if p == 1 else f"{base}/page-{p}" for p in range(1, pages + 1)]
    for sub in site.subcats.values():
        if sub.parent == section:
            pages = max(1, -(-len(site.filed[sub.alias.lower()]) // site.page_size))
            paths += [sub.path if p == 1 else f"{sub.path}/page-{p}"
                      for p in range(1, pages + 1)]
    return paths


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_listing_rows_are_found_by_the_structural_selectors(variant):
    """Every article of the variant's section is a row of one of its listing pages, found by
    the family's row selectors (not by the URL-shape fallback)."""
    crawl_name = VARIANTS[variant][0]
    site = crawl_site(crawl_name)
    section = section_of(variant, site)
    spider = spider_for(CRAWLS[crawl_name][0])(base_url="http://127.0.0.1:9")
    found: dict[str, dict] = {}
    for path in listing_pages(site, section):
        status, _, body, _ = site.route(path)
        assert status == 200, path
        url = "http://127.0.0.1:9" + path
        response = HtmlResponse(url=url, body=body, encoding="utf-8", request=Request(url))
        rows = spider.row_links(response, section)
        assert rows, (variant, path)
        for target, facts in rows:
            found.setdefault(target.split("127.0.0.1:9", 1)[1], facts)
    truth = {a.path for a in site.section_articles(section)}
    assert len(truth) >= 3
    assert truth <= set(found), sorted(truth - set(found))[:3]
    if site.layout_of(section) == "page" and not site.v3:  # viewcat_page prints publtime
        assert all(found[p].get("date_raw") for p in truth)


# -- the crawls --------------------------------------------------------------------------


@pytest.mark.parametrize("crawl_name", sorted(CRAWLS))
def test_every_article_archived_once_from_the_listing_rows(crawled, crawl_name):
    site, summary, rows = crawled[crawl_name]
    slug = CRAWLS[crawl_name][0]
    assert summary["status"] == "finished" and summary["errors"] == 0, summary
    assert summary.get("listing_fallback", 0) == 0, summary  # rows found, no URL-shape guess
    assert not summary.get("sections_failed"), summary
    assert len(rows) == len(site.articles) == N_ARTICLES
    assert set(rows) == {live_url(slug, a.path) for a in site.articles}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_titles_dates_authors_and_bodies_match_the_replica(crawled, variant):
    site, _, rows = crawled[VARIANTS[variant][0]]
    slug = CRAWLS[VARIANTS[variant][0]][0]
    missing = [a.path for a in site.section_articles(section_of(variant, site))
               if live_url(slug, a.path) not in rows]
    assert not missing, missing
    pairs = [(a, rows[live_url(slug, a.path)])
             for a in site.section_articles(section_of(variant, site))]
    titles = [r["title"] == clean_line(a.title) for a, r in pairs]
    dates = [(r["published_at"] or "")[:16] == a.published.isoformat()[:16] for a, r in pairs]
    authors = [r["author"] == clean_line(a.author) for a, r in pairs]
    bodies = [r["text"] == clean_text("\n\n".join(a.paragraphs)) for a, r in pairs]
    wrong = {k: [(a.path, r[k]) for (a, r), ok in zip(pairs, v, strict=True) if not ok]
             for k, v in (("title", titles), ("published_at", dates), ("author", authors),
                          ("text", bodies))}
    assert share(titles) >= GOOD, wrong["title"]
    assert share(dates) >= GOOD, wrong["published_at"]
    assert share(authors) >= GOOD, wrong["author"]
    assert share(bodies) >= GOOD, wrong["text"]
    assert all(r["published_source"] == "article_meta" for _, r in pairs)


@pytest.mark.parametrize("crawl_name", sorted(CRAWLS))
def test_no_chrome_and_no_clock_in_bodies(crawled, crawl_name):
    _, _, rows = crawled[crawl_name]
    for row in rows.values():
        for chrome in CHROME:
            assert chrome not in row["text"], (row["canonical_url"], chrome)
        assert not CLOCK_RE.search(row["text"]), row["canonical_url"]
        assert row["author"] != "Quản trị viên"


def test_variants_differ_in_markup():
    """Guard against a layout silently serving another's markup."""
    pages = {}
    for variant, (crawl_name, _) in VARIANTS.items():
        site = crawl_site(crawl_name)
        pages[variant] = site.route(site.sections[section_of(variant, site)])[2]
    assert b"list-group" in pages["list"] and b"thumbnail" in pages["grid"]
    assert b"cat-icon" in pages["two_column"] and b"sub-list-icon" in pages["main_left"]
    assert b"table-list-news" in pages["v3_list"] and b"digclock" in pages["v3_page"]
    assert b"news_grid" in pages["v3_grid"] and b"fa-clock-o" in pages["topic"]
    assert b'class="panel-body featured"' in pages["page"] and b"<h3>" in pages["page"]


def test_article_urls_with_and_without_rewrite():
    """Article links as NukeViet prints them with URL rewrite on and off; print/savefile views
    become the article, listings and tag pages are not articles."""
    spider = spider_for("dong_thap")(base_url="http://127.0.0.1:9")
    base = "http://127.0.0.1:9"
    query = "/index.php?language=vi&nv=news&op="
    cases = {
        "/vi/news/tin-hoat-dong/khai-giang-lop-63.html":
            "/vi/news/tin-hoat-dong/khai-giang-lop-63.html",
        "/vi/news/savefile/tin-hoat-dong/khai-giang-lop-63.html":
            "/vi/news/tin-hoat-dong/khai-giang-lop-63.html",
        query + "tin-hoat-dong/khai-giang-lop-63": query + "tin-hoat-dong/khai-giang-lop-63",
        query + "print/tin-hoat-dong/khai-giang-lop-63": query + "tin-hoat-dong/khai-giang-lop-63",
        query + "tin-hoat-dong/page-2": None,
        query + "tin-hoat-dong": None,
        query + "tag/truong-chinh-tri-2025": None,
        "/vi/news/tin-hoat-dong/page-2": None,
    }
    for link, expected in cases.items():
        assert spider.article_url(base + link) == (base + expected if expected else None), link
