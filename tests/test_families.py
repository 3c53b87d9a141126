"""CMS-family spiders on single replica pages (offline), and the replica CLI for every slug."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import urllib.request

import pytest
from scrapy.http import HtmlResponse, Request

from pipelines.dates import parse_date
from pipelines.items import ArticleItem, FetchOutcome
from replicas.sites import build
from scrapers.spiders import spider_for
from tests.conftest import ROOT

MIRROR = "http://127.0.0.1:9"


def page(slug: str, path: str, site=None) -> HtmlResponse:
    site = site or build(slug, 32)
    status, _, body, _ = site.route(path)
    assert status == 200, path
    return HtmlResponse(url=MIRROR + path, body=body, encoding="utf-8",
                        request=Request(MIRROR + path), status=status)


def article_item(slug: str, path: str, site=None) -> ArticleItem:
    spider = spider_for(slug)(base_url=MIRROR)
    items = list(spider.parse_article(page(slug, path, site), {}))
    assert len(items) == 1 and isinstance(items[0], ArticleItem), items
    return items[0]


def test_nukeviet_links_to_print_and_savefile_views_fetch_the_article():
    spider = spider_for("quang_tri")(base_url=MIRROR)
    url = f"{MIRROR}/vi/news/savefile/tin-hoat-dong/khai-giang-lop-61.html"
    assert spider.article_url(url) == f"{MIRROR}/vi/news/tin-hoat-dong/khai-giang-lop-61.html"
    print_url = f"{MIRROR}/vi/gioi-thieu/print/lich-su-phat-trien/x-61.html"
    assert spider.article_url(print_url) == f"{MIRROR}/vi/gioi-thieu/lich-su-phat-trien/x-61.html"
    assert spider.article_url(f"{MIRROR}/vi/news/tin-hoat-dong/") is None  # a listing
    keep = spider_for("thai_nguyen")(base_url=MIRROR)  # its site file keeps the segment
    assert "/savefile/" in keep.article_url(url)


def test_nukeviet_print_view_reads_as_its_canonical_article():
    site = build("thai_nguyen", 32)
    art = next(a for a in site.articles if "tin_va_anh_byline" in a.traps)
    detail = article_item("thai_nguyen", art.path, site)
    printed = article_item("thai_nguyen", art.duplicates[0], site)
    assert "/savefile/" in art.duplicates[0]
    assert printed.canonical_link == detail.canonical_link == MIRROR + art.path
    assert printed.title_raw == detail.title_raw
    assert printed.paragraphs_raw == detail.paragraphs_raw
    assert parse_date(printed.date_raw).value == parse_date(detail.date_raw).value


@pytest.mark.parametrize(
    ("slug", "shape"),
    [
        ("vinh_long", r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"),  # <time datetime>
        ("lang_son", r"^(\d{1,2} [A-Z][a-z]+ \d{4}|Thứ \w+, \d{2}/\d{2}/\d{4} - \d{2}:\d{2})$"),
        ("quang_tri", r"^(Thứ \w+|Chủ nhật) - \d{2}/\d{2}/\d{4} \d{2}:\d{2}$"),
        ("lam_dong", r"^(Thứ \w+|Chủ nhật), \d{2} Tháng \d{1,2} \d{4} \d{2}:\d{2}$"),
        ("hai_phong", r"^Cập nhật: \d{2}/\d{2}/\d{4} \d{2}:\d{2}$"),
    ],
)
def test_article_dates_come_from_the_article_not_the_header_clock(slug, shape):
    site = build(slug, 32)
    for art in site.articles[:6]:
        item = article_item(slug, art.path, site)
        assert item.date_source == "article_meta"
        assert re.match(shape, item.date_raw), item.date_raw
        assert parse_date(item.date_raw).value.date() == art.published.date()


def test_a_page_without_an_article_is_reported_not_stored():
    spider = spider_for("hai_phong")(base_url=MIRROR)
    response = page("hai_phong", "/Nghien-cuu-khoa-hoc/")
    (outcome,) = list(spider.parse_article(response, {}))
    assert isinstance(outcome, FetchOutcome) and outcome.reason == "no_article"


def test_serve_any_replica_from_the_command_line():
    proc = subprocess.Popen(
        [sys.executable, "-m", "replicas.serve", "hai_phong", "--articles", "30"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    try:
        url = proc.stdout.readline().strip()
        with urllib.request.urlopen(url + "/Bai-viet-chuyen-de/?p=1", timeout=10) as resp:
            assert "news-item" in resp.read().decode()
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    from replicas.serve import BUILDERS
    from scrapers.sites import all_sites

    assert set(BUILDERS) == set(all_sites())
