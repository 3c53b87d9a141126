"""Drupal 8+ and Joomla K2 family spiders on every stock layout variant, end to end.

Each variant (replicas/drupal8_k2_variants.py: Bartik/Classy/Olivero with Views unformatted,
list, table, grid or teaser nodes, dates as <time> or either documented text format, the author
as a labelled `Tác giả` field or in the body; K2 category groups, tag, latest and user layouts,
the author as an extra field or in the body) is served on loopback and crawled through the real
CLI as `luutru crawl lang_son|lam_dong --base-url ...`, then checked against its manifest.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from archive.urls import canonicalize_url
from pipelines.text import clean_line
from replicas.drupal8_k2_variants import D8_VARIANTS, K2_VARIANTS, build_variant
from scrapers.sites import all_sites
from tests.conftest import crawl_days, crawl_replicas

VARIANTS = [*D8_VARIANTS, *K2_VARIANTS]
N_ARTICLES = 20
GOOD = 0.97
# What the page around the body prints: chrome, widgets, the posting account's line.
CHROME = (
    "Skip to main content", "Nhảy đến nội dung", "Submitted by", "Gửi bởi", "Bởi admin",
    "Viết bởi", "Quản trị viên", "admin", "Tin khác", "Tin mới", "Bài viết liên quan",
    "Chuyên mục", "Tác giả", "Chức vụ", "Ngày đăng", "Đánh giá bài viết", "phiếu bầu",
    "Đã đọc", "Sửa lần cuối", "Tweet", "Cỡ chữ", "E-mail", "Xem thêm", "Đọc thêm",
    "Các bài viết khác", "Hôm nay:", "Bản quyền", "Phân trang", "Thông tin thêm",
)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> dict[str, tuple[object, dict, dict[str, dict]]]:
    """Every variant served and crawled (4 at a time): name -> (site, summary, rows by URL)."""
    sites = {name: build_variant(name, N_ARTICLES) for name in VARIANTS}
    return crawl_replicas({name: (site, site.slug) for name, site in sites.items()},
                          tmp_path_factory.mktemp("d8k2"))


def row_of(site, art, rows: dict[str, dict]) -> dict | None:
    live = all_sites()[site.slug]
    url = canonicalize_url(live.base_url + quote(art.path), origin=live.base_url,
                           aliases=live.aliases)
    return rows.get(url)


def share(values: list[bool]) -> float:
    return sum(values) / len(values)


@pytest.mark.parametrize("name", VARIANTS)
def test_rows_of_every_listing_are_found(crawled, name):
    """The family's row selectors read this layout: no listing page needed the URL-shape
    fallback, none was empty, no declared section was replaced."""
    _, summary, _ = crawled[name]
    assert summary["status"] == "finished", summary
    assert summary.get("listing_fallback", 0) == 0, summary
    assert not summary.get("empty_listings"), summary
    assert not summary.get("sections_failed"), summary


@pytest.mark.parametrize("name", VARIANTS)
def test_every_article_archived_once(crawled, name):
    site, summary, rows = crawled[name]
    assert summary["errors"] == 0, summary
    assert len(site.articles) == N_ARTICLES
    assert summary["new"] == len(rows) == N_ARTICLES, summary
    found = [row_of(site, art, rows) for art in site.articles]
    assert all(found), [a.path for a, r in zip(site.articles, found, strict=True) if r is None]
    assert len({r["canonical_url"] for r in found}) == N_ARTICLES


@pytest.mark.parametrize("name", VARIANTS)
def test_titles_dates_and_authors_match_the_manifest(crawled, name):
    site, _, rows = crawled[name]
    pairs = [(art, row_of(site, art, rows) or {}) for art in site.articles]
    titles = [row.get("title") == clean_line(art.title) for art, row in pairs]
    dates = [(row.get("published_at") or "")[:10] == art.published.date().isoformat()
             and row.get("published_source") in ("article_meta", "listing") for art, row in pairs]
    minutes = [(row.get("published_at") or "")[:16] == art.published.isoformat()[:16]
               for art, row in pairs if art.precision == "minute"]
    authors = [row.get("author") == clean_line(art.author)
               and row.get("author_role") == clean_line(art.role) for art, row in pairs]
    assert share(titles) >= GOOD, [(a.title, r.get("title")) for a, r in pairs
                                   if r.get("title") != clean_line(a.title)]
    assert share(dates) >= GOOD, [(a.published, r.get("published_raw")) for a, r in pairs]
    assert not minutes or share(minutes) >= GOOD
    assert share(authors) >= GOOD, [(a.author, r.get("author"), r.get("author_role"))
                                    for a, r in pairs]
    days = crawl_days()
    assert not any((r.get("published_at") or "")[:10] in days for _, r in pairs)


@pytest.mark.parametrize("name", VARIANTS)
def test_the_posting_account_is_never_an_author(crawled, name):
    site, _, rows = crawled[name]
    account = site.account
    assert account in ("admin", "Quản trị viên")
    for row in rows.values():
        assert account.lower() not in (row["author"] or "").lower(), row["canonical_url"]
        assert "admin" not in (row["author"] or "").lower()
    unsigned = [a for a in site.articles if not a.author]
    assert all(not (row_of(site, a, rows) or {}).get("author") for a in unsigned)


@pytest.mark.parametrize("name", VARIANTS)
def test_no_chrome_in_bodies(crawled, name):
    _, _, rows = crawled[name]
    for row in rows.values():
        for chrome in CHROME:
            assert chrome not in row["text"], (row["canonical_url"], chrome)


def test_variants_cover_every_stock_layout():
    """The variants span the stock options this test file claims to cover."""
    d8 = [build_variant(n, 6) for n in D8_VARIANTS]
    assert {s.theme for s in d8} == {"bartik", "classy", "olivero"}
    assert {s.listing_style for s in d8} == {"unformatted", "list", "table", "grid", "teaser"}
    styles = {node.date_style for s in d8 for node in s.nodes.values()}
    assert {"time_local", "vi", "en"} <= styles
    assert {node.byline for s in d8 for node in s.nodes.values()} == {"field", "body"}
    assert {s.submitted for s in d8} == {"vi", "en"} and {s.created_span for s in d8} == {
        True, False}  # the date in its own field span, or bare text in the submitted line
    assert {s.date_place for s in d8} == {"submitted", "field"} and any(s.mini_pager for s in d8)
    k2 = [build_variant(n, 6) for n in K2_VARIANTS]
    assert {s.layout for s in k2} == {"category", "tag", "latest", "user"}
    assert any(s.groups[3] for s in k2)  # a category page with "links" items


def test_the_two_documented_lang_son_date_renderings_are_read(crawled):
    """`13 November 2019` (day) and `Thứ Tư, 13/11/2019 - 17:23` (minute), as printed."""
    site, _, rows = crawled["d8_bartik_unformatted"]
    raws = {(row_of(site, a, rows) or {}).get("published_raw") for a in site.articles}
    assert any(r and r[0].isdigit() and r.split()[1].isalpha() for r in raws), raws
    assert any(r and r.startswith(("Thứ", "Chủ")) and " - " in r for r in raws), raws



# -- offline: conventions the stock templates allow beyond the variants ------------------------

MIRROR = "http://127.0.0.1:9"


def _response(html: str, path: str = "/node/7"):
    from scrapy.http import HtmlResponse, Request

    return HtmlResponse(url=MIRROR + path, body=html.encode(), encoding="utf-8",
                        request=Request(MIRROR + path))


def test_k2_item_urls_in_sef_non_sef_and_print_forms():
    from scrapers.spiders import spider_for

    spider = spider_for("lam_dong")(base_url=MIRROR)
    sef = f"{MIRROR}/tin-tuc/item/3502-đại-hội.html"
    assert spider.article_url(sef) == sef
    assert spider.article_url(sef + "?tmpl=component&print=1") == sef
    raw = f"{MIRROR}/index.php?option=com_k2&view=item&id=3502:dai-hoi&Itemid=12"
    assert spider.article_url(raw) == (
        f"{MIRROR}/index.php?option=com_k2&view=item&id=3502:dai-hoi&Itemid=12")
    listing = f"{MIRROR}/index.php?option=com_k2&view=itemlist&task=category&id=5"
    assert spider.article_url(listing) is None
    assert spider.article_url(f"{MIRROR}/component/k2/itemlist/user/62-quantri.html") is None


def test_k2_author_only_from_an_extra_field_never_from_item_author():
    from pipelines.items import ArticleItem
    from scrapers.spiders import spider_for

    spider = spider_for("lam_dong")(base_url=MIRROR)
    page = """<html><body><div id="k2Container" class="itemView"><div class="itemHeader">
      <span class="itemDateCreated">Thứ tư, 13 Tháng 11 2019 17:23</span>
      <h2 class="itemTitle">Hội nghị <span><sup>Nổi bật</sup></span></h2>
      <span class="itemAuthor">Viết bởi&nbsp;<a rel="author" href="/x/user/62-a.html">Quản trị
      viên</a></span></div><div class="itemBody"><div class="itemFullText"><p>Nội dung bài
      viết đầy đủ về hội nghị.</p></div>{extra}<div class="itemContentFooter"><span
      class="itemDateModified">Sửa lần cuối vào Thứ sáu, 15 Tháng 11 2019 08:00</span></div>
      </div></div></body></html>"""
    extra = ('<div class="itemExtraFields"><ul><li class="even typeTextfield group1">'
             '<span class="itemExtraFieldsLabel">Tác giả:</span><span class='
             '"itemExtraFieldsValue">ThS. Ka Sô Hoa</span></li></ul></div>')
    path = "/component/k2/item/9-hoi-nghi.html"
    for html, author in ((page.replace("{extra}", extra), "ThS. Ka Sô Hoa"),
                         (page.replace("{extra}", ""), "")):
        (item,) = [i for i in spider.parse_article(_response(html, path), {})
                   if isinstance(i, ArticleItem)]
        assert item.author_raw == author
        assert item.title_raw == "Hội nghị"
        assert item.date_raw == "Thứ tư, 13 Tháng 11 2019 17:23"


def test_drupal8_author_field_by_label_whatever_its_machine_name():
    from pipelines.items import ArticleItem
    from scrapers.spiders import spider_for

    spider = spider_for("lang_son")(base_url=MIRROR)
    for label, name in (("Tác giả", "field-nguoi-viet"), ("Tác giả:", "field-x"),
                        ("Bút danh", "field-author")):
        html = f"""<html><body><h1 class="page-title">Bài viết</h1><article
          data-history-node-id="7" role="article" class="node node--view-mode-full">
          <footer class="node__meta"><div class="node__submitted">Submitted by <span
          class="field field--name-uid">admin</span> on <span class="field field--name-created">
          13 November 2019</span></div></footer><div class="node__content">
          <div class="field field--name-{name} field--label-above"><div class="field__label">
          {label}</div><div class="field__items"><div class="field__item">ThS. Vy Thị Thu</div>
          <div class="field__item">Nông Văn Bình</div></div></div>
          <div class="text-formatted field field--name-body"><p>Nội dung bài viết.</p></div>
          </div></article></body></html>"""
        (item,) = [i for i in spider.parse_article(_response(html), {})
                   if isinstance(i, ArticleItem)]
        assert item.author_raw == "ThS. Vy Thị Thu, Nông Văn Bình", label
        assert item.date_raw == "13 November 2019"
        assert item.title_raw == "Bài viết"
