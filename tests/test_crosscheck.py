"""Cross-check (issue 11 item 4) and broken-HTML re-parse (item 7).

One loopback Drupal 7 site, crawled by the bentre family spider three times (cross-check on
every article, the default sample, off): some of its pages print the author and the date where
the family's selectors do not look (a `.author-name` block, a labelled date on a site whose
article pages the family never reads for dates), one prints a date that contradicts its listing
row. Then `check-site` and `stats` read the agreement back.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

from pipelines.crosscheck import author_agreement, body_agreement, title_agreement
from scrapers.crosscheck import DEFAULT_RATE, crosscheck_rate, sampled
from tests.conftest import run_cli
from tests.faults.conftest import TT, TTTD, FaultServer, run_crawl

BODY = [
    "Sáng ngày 12/3, Trường Chính trị tỉnh Bến Tre tổ chức hội nghị quán triệt nghị quyết của "
    "Đảng bộ tỉnh về công tác đào tạo, bồi dưỡng cán bộ, công chức trong giai đoạn mới.",
    "Tham dự hội nghị có đồng chí Hiệu trưởng, các đồng chí trong Ban Giám hiệu cùng toàn thể "
    "cán bộ, giảng viên, nhân viên của Trường.",
    "Hội nghị đã thống nhất các giải pháp nâng cao chất lượng giảng dạy, nghiên cứu khoa học và "
    "xây dựng đội ngũ giảng viên đạt chuẩn.",
]
SIGNED = "Nguyễn Thị Yến"
# path -> (title, listing date or None, labelled date printed on the page or None, author block)
ARTICLES = {
    "/content/hoi-nghi-quan-triet-nghi-quyet": (
        "Hội nghị quán triệt nghị quyết của Đảng bộ tỉnh", "17/02/2021", None, None),
    "/content/khai-giang-lop-trung-cap-ly-luan": (
        "Khai giảng lớp Trung cấp lý luận chính trị khóa 45", "03/09/2021", None, None),
    # The listing row prints no date: the family has none; the page prints a labelled one.
    "/content/hoi-thao-khoa-hoc-cap-truong": (
        "Hội thảo khoa học cấp trường về công tác dân vận", None, "12/03/2021", None),
    # The byline stands in a block the family's selectors do not read.
    "/content/sinh-hoat-chi-bo-chuyen-de": (
        "Sinh hoạt chi bộ chuyên đề quý I năm 2022", "26/01/2022", None, "ThS. Lê Văn Bình"),
    # The page's own date contradicts the listing row: a disagreement, the family's kept.
    "/content/tong-ket-nam-hoc-2019-2020": (
        "Tổng kết năm học 2019 - 2020 của Trường", "20/07/2020", "05/03/2020", None),
    "/content/le-ky-niem-ngay-nha-giao": (
        "Lễ kỷ niệm Ngày Nhà giáo Việt Nam 20 tháng 11", "20/11/2021", None, None),
}


def article_page(title: str, printed: str | None, author: str | None) -> str:
    """A Drupal 7 article; signed at the end of the body (the usual way) unless `author`
    names the byline block the family's selectors do not read."""
    date = f'<div class="ngay-dang">Ngày đăng: {printed}</div>' if printed else ""
    byline = f'<div class="author-name">{author}</div>' if author else ""
    paras = "".join(f"<p>{p}</p>" for p in [*BODY, *([] if author else [SIGNED])])
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{title} | Trường Chính trị tỉnh Bến Tre</title></head><body>"
        f'<div id="page"><h1 class="title" id="page-title">{title}</h1>{date}'
        '<div id="block-system-main" class="block block-system"><div class="content">'
        '<div class="node node-article clearfix"><div class="content clearfix">'
        '<div class="field field-name-body field-type-text-with-summary"><div class="field-items">'
        f'<div class="field-item even">{paras}</div></div></div>{byline}</div></div></div></div>'
        "</div></body></html>"
    )


def listing_page(rows: dict[str, tuple]) -> str:
    html = []
    for path, (title, listed, _, _) in rows.items():
        date = ('<div class="views-field views-field-created"><span class="field-content">'
                f"{listed}</span></div>") if listed else ""
        html.append('<div class="views-row"><div class="views-field views-field-title">'
                    f'<span class="field-content"><a href="{path}">{title}</a></span></div>'
                    f"{date}</div>")
    return f'<html><body><div class="view-content">{"".join(html)}</div></body></html>'


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(server URL, {mode: Crawl}) for LUUTRU_CROSSCHECK true, the default and false."""
    root = tmp_path_factory.mktemp("crosscheck")
    paths = list(ARTICLES)
    with FaultServer() as server:
        server.page(TT, listing_page({p: ARTICLES[p] for p in paths[:4]}))
        server.page(TTTD, listing_page({p: ARTICLES[p] for p in paths[4:]}))
        server.page("/robots.txt", "User-agent: *\nDisallow:\n", content_type="text/plain")
        for path, (title, _, printed, author) in ARTICLES.items():
            server.page(path, article_page(title, printed, author))
        crawls = {}
        for mode, setting in (("all", "true"), ("default", None), ("off", "false")):
            folder = root / mode / "archive"
            folder.mkdir(parents=True)
            settings = ("DOWNLOAD_TIMEOUT=5",) + ((f"LUUTRU_CROSSCHECK={setting}",)
                                                  if setting else ())
            crawls[mode] = run_crawl(server.url, folder / "a.db", "-v", settings=settings)
        yield server.url, crawls


def _rows(db: Path, sql: str, *params: object) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _article(db: Path, path: str) -> dict:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        row = conn.execute("SELECT * FROM articles WHERE url LIKE ?", ("%" + path,)).fetchone()
        return dict(row)
    finally:
        conn.close()


def _checks(db: Path, path: str) -> dict[str, tuple]:
    return {field: tuple(rest) for field, *rest in _rows(
        db, "SELECT c.field, c.family_value, c.generic_value, c.agree, c.chosen, c.note "
        "FROM article_checks c JOIN articles a ON a.id = c.article_id WHERE a.url LIKE ?",
        "%" + path)}


def _stat(crawl, name: str) -> int:
    match = re.search(rf"'{re.escape(name)}': (\d+)", crawl.proc.stderr)
    return int(match.group(1)) if match else 0


def test_every_crawl_finishes(site):
    _, crawls = site
    for crawl in crawls.values():
        assert crawl.code == 0, crawl.proc.stderr[-3000:]
        assert crawl.summary["new"] == len(ARTICLES)


def test_a_date_the_family_cannot_read_is_filled_from_the_generic_extraction(site):
    _, crawls = site
    for mode in ("all", "default"):  # a miss is always checked, sampled or not
        db = crawls[mode].db
        art = _article(db, "/content/hoi-thao-khoa-hoc-cap-truong")
        assert art["published_at"] == "2021-03-12"
        assert art["published_source"] == "article_meta"
        fam, gen, agree, chosen, note = _checks(db, "/content/hoi-thao-khoa-hoc-cap-truong")[
            "date"]
        assert (fam, gen, agree, chosen, note) == ("", "2021-03-12", 0, "generic", "filled")
        assert _stat(crawls[mode], "luutru/crosscheck/filled/date") == 1


def test_an_author_the_family_cannot_read_is_filled_and_counted(site):
    _, crawls = site
    for mode in ("all", "default"):
        db = crawls[mode].db
        art = _article(db, "/content/sinh-hoat-chi-bo-chuyen-de")
        assert art["author"] == "ThS. Lê Văn Bình"
        row = _checks(db, "/content/sinh-hoat-chi-bo-chuyen-de")["author"]
        assert row[0] == "" and row[3] == "generic"
        assert _stat(crawls[mode], "luutru/crosscheck/filled/author") == 1


def test_a_disagreement_is_stored_and_the_family_value_kept(site):
    _, crawls = site
    db = crawls["all"].db
    path = "/content/tong-ket-nam-hoc-2019-2020"
    assert _article(db, path)["published_at"] == "2020-07-20"  # the listing row's
    assert _checks(db, path)["date"][:4] == ("2020-07-20", "2020-03-05", 0, "family")


def test_every_article_is_compared_field_by_field_when_on(site):
    _, crawls = site
    db = crawls["all"].db
    per_field = dict(_rows(db, "SELECT field, count(*) FROM article_checks GROUP BY field"))
    assert per_field == {f: len(ARTICLES) for f in ("title", "body", "author", "date")}
    # Both readings of a plain article agree on title and body.
    plain = _checks(db, "/content/hoi-nghi-quan-triet-nghi-quyet")
    assert plain["title"][2] == 1 and plain["body"][2] == 1
    # A date only the family read (listing row) is not compared (agree NULL).
    assert plain["date"][2] is None and plain["date"][4] == "generic_empty"


def test_the_default_samples_by_url_and_always_checks_misses(site):
    _, crawls = site
    db = crawls["default"].db
    checked = {u.split("/", 3)[3] for (u,) in _rows(
        db, "SELECT DISTINCT a.url FROM article_checks c JOIN articles a ON a.id = c.article_id")}
    misses = {"content/hoi-thao-khoa-hoc-cap-truong", "content/sinh-hoat-chi-bo-chuyen-de"}
    sample = {p[1:] for p in ARTICLES if sampled("http://x" + p, DEFAULT_RATE)}
    assert checked == misses | sample
    assert len(checked) < len(ARTICLES)
    # A miss of author or date alone runs the cheap reading: no body compared.
    with_body = {u.split("/", 3)[3] for (u,) in _rows(
        db, "SELECT a.url FROM article_checks c JOIN articles a ON a.id = c.article_id "
        "WHERE c.field = 'body'")}
    assert with_body == sample


def test_setting_off_runs_no_check_and_fills_nothing(site):
    _, crawls = site
    db = crawls["off"].db
    assert _rows(db, "SELECT count(*) FROM article_checks") == [(0,)]
    assert _article(db, "/content/sinh-hoat-chi-bo-chuyen-de")["author"] in (None, "")
    assert _article(db, "/content/hoi-thao-khoa-hoc-cap-truong")["published_source"] != \
        "article_meta"
    assert "luutru/crosscheck" not in crawls["off"].proc.stderr


def test_stats_health_shows_agreement_per_field(site):
    _, crawls = site
    db = crawls["all"].db
    out = json.loads(run_cli("stats", "--db", str(db), "--json").stdout)
    agreement = out[0]["health"]["agreement"]
    assert set(agreement) == {"title", "body", "author", "date"}
    assert agreement["title"] == {"checked": len(ARTICLES), "agree": 1.0, "filled": 0}
    # Dates compared: the filled one and the contradicting one disagree.
    assert agreement["date"]["filled"] == 1 and agreement["date"]["agree"] == 0.0
    text = run_cli("stats", "--db", str(db)).stdout
    assert re.search(r"cross-check agreement\s+title 100% · body 100% · author \d+% "
                     r"\(1 filled\) · date 0% of 2 \(1 filled\) \(6 compared\)", text), text


def test_check_site_shows_agreement_per_field(site):
    url, _ = site
    proc = run_cli("check-site", "bentre", "--base-url", url, "--json", check=False)
    report = json.loads(proc.stdout)
    agreement = report["agreement"]
    assert agreement["title"]["checked"] == len(ARTICLES)
    assert agreement["author"]["filled"] == 1 and agreement["date"]["filled"] == 1
    from luutru.cli.check_site import _format_report

    text = _format_report("bentre", "base-url", report)  # what the command prints without --json
    assert re.search(r"agreement\s+title 100% · body 100% · author", text), text


# -- rules -----------------------------------------------------------------------------------


def test_setting_values():
    assert crosscheck_rate("true") == 1.0 and crosscheck_rate(True) == 1.0
    assert crosscheck_rate("false") == 0.0 and crosscheck_rate("0") == 0.0
    assert crosscheck_rate("0.25") == 0.25 and crosscheck_rate(None) == DEFAULT_RATE
    with pytest.raises(ValueError):
        crosscheck_rate("2")
    with pytest.raises(ValueError):
        crosscheck_rate("sometimes")
    # Stable by path: a mirror and the live site sample the same articles.
    assert sampled("http://127.0.0.1:1/content/x", 0.3) == sampled("https://a.vn/content/x", 0.3)


def test_comparison_rules():
    assert title_agreement("Hội nghị tổng kết", "HỘI NGHỊ TỔNG KẾT")[0]
    assert not title_agreement("Hội nghị tổng kết", "Trường Chính trị tỉnh Bến Tre")[0]
    whole = " ".join(BODY)
    assert body_agreement(whole, whole) == (True, 1.0, None)
    agree, _, note = body_agreement(BODY[0], whole)  # the family's selectors cut the body
    assert not agree and note == "family_short"
    assert author_agreement("ThS. Lê Văn Bình", "Lê Văn Bình")
    assert author_agreement("", "")
    assert not author_agreement("Lê Văn Bình", "Nguyễn Thị Yến")


# -- broken HTML -----------------------------------------------------------------------------


def _bentre_spider():
    from scrapers.sites import get_site
    from scrapers.spiders import spider_class

    site = get_site("bentre")
    return spider_class(site)(base_url="http://127.0.0.1:9")


def _deep_page() -> bytes:
    title, _, _, _ = ARTICLES["/content/hoi-nghi-quan-triet-nghi-quyet"]
    return article_page(title, None, None).replace(
        '<div id="block-system-main"', "<div>" * 5000 + '<div id="block-system-main"').encode()


def test_deep_page_is_reparsed_whole():
    from pipelines.items import ArticleItem

    url = "http://127.0.0.1:9/content/hoi-nghi-quan-triet-nghi-quyet"
    response = HtmlResponse(url=url, body=_deep_page(), request=Request(url))
    items = [o for o in _bentre_spider().parse_article(response, listing={})
             if isinstance(o, ArticleItem)]
    assert len(items) == 1 and items[0].flags == ["reparsed"]
    assert items[0].paragraphs_raw == [*BODY, SIGNED]


def test_a_page_that_cannot_be_reparsed_is_recorded_truncated(monkeypatch):
    import scrapers.reparse
    from pipelines.items import FetchOutcome

    def broken(html: str) -> None:
        raise RecursionError("parser bug")

    monkeypatch.setattr(scrapers.reparse, "reparse", broken)
    url = "http://127.0.0.1:9/content/hoi-nghi-quan-triet-nghi-quyet"
    response = HtmlResponse(url=url, body=_deep_page(), request=Request(url))
    out = list(_bentre_spider().parse_article(response, listing={}))
    assert [(o.outcome, o.reason) for o in out if isinstance(o, FetchOutcome)] == [
        ("failed", "truncated")]
    assert not [o for o in out if not isinstance(o, FetchOutcome)]


def test_the_generic_spider_reparses_a_deep_page_too(tmp_path):
    """`crawl-url` (no site file) stores the same page whole, from the re-parse."""
    titles = [f"Bài viết số {i} về công tác đào tạo cán bộ" for i in range(2)]
    home = ("<html><head><title>Trường</title></head><body><h1>Trường Chính trị</h1><ul>"
            + "".join(f'<li><a href="/tin-tuc/bai-viet-so-{i}-{i}.html">{t}</a></li>'
                      for i, t in enumerate(titles)) + "</ul></body></html>")
    with FaultServer() as server:
        server.page("/", home)
        server.page("/robots.txt", "User-agent: *\nDisallow:\n", content_type="text/plain")
        server.page("/tin-tuc/bai-viet-so-0-0.html", article_page(titles[0], "12/03/2021", None)
                    .replace('<div id="block-system-main"',
                             "<div>" * 5000 + '<div id="block-system-main"'))
        server.page("/tin-tuc/bai-viet-so-1-1.html", article_page(titles[1], "13/03/2021", None))
        db = tmp_path / "g.db"
        run_cli("crawl-url", server.url + "/", "--db", str(db), "--delay", "0", "--json")
    deep, plain = ("/tin-tuc/bai-viet-so-0-0.html", "/tin-tuc/bai-viet-so-1-1.html")
    assert _rows(db, "SELECT outcome, reason FROM fetch_log WHERE url LIKE ?", "%" + deep) == [
        ("stored", "reparsed")]
    assert _article(db, deep)["text"] == _article(db, plain)["text"]  # the whole body
    assert all(p in _article(db, deep)["text"] for p in BODY)


def test_reparse_only_when_the_tree_lost_text():
    from lxml import html as lxml_html

    from scrapers.reparse import depth_cut, full_root, visible_chars

    normal = article_page("Tiêu đề bài viết", None, None)
    root = lxml_html.fromstring(normal)
    # A short body on a whole tree (a teaser-length article) is no reason to re-parse.
    assert full_root(root, normal, body_chars=10) == (root, "whole")
    assert not depth_cut(root) and visible_chars(normal) > 300
    deep = _deep_page().decode()
    cut = lxml_html.fromstring(deep)
    assert depth_cut(cut)  # libxml2 stopped at its depth limit
    tree, state = full_root(cut, deep, body_chars=5000)  # whatever the body's length
    assert state == "reparsed" and tree.xpath("count(//div[@id='block-system-main'])") == 1
    assert max(len(el.xpath("ancestor::*")) for el in tree.iter()) <= 200  # kept shallow


# -- the reading in the archive writer -----------------------------------------------------------


def test_the_writer_reads_the_page_the_spider_read():
    """A checked page travels to the writer process as plain values (pickled) and is read
    there as the spider would have read it, the re-parse of a too-deep page included."""
    import pickle
    from types import SimpleNamespace

    from pipelines.writer import page_message
    from scrapers.crosscheck import generic_fields, open_page
    from scrapers.sites import get_site

    url = "http://127.0.0.1:9/content/hoi-nghi-quan-triet-nghi-quyet"
    headers = {"Content-Type": "text/html; charset=utf-8", "Date": "Wed, 03 Mar 2021 01:00:00 GMT"}
    spider = SimpleNamespace(site=get_site("bentre"), base_url="http://127.0.0.1:9", name="bentre")
    title = ARTICLES["/content/hoi-nghi-quan-triet-nghi-quyet"][0]
    plain = HtmlResponse(url=url, body=article_page(title, None, None).encode(), headers=headers,
                         request=Request(url))
    response, root = open_page(pickle.loads(pickle.dumps(page_message(plain))))
    assert root is None and response.text == plain.text and response.url == url
    assert response.headers.get("Date") == plain.headers.get("Date")
    found = generic_fields(response, spider)
    assert found["article"] and found["title"] == title and found["paragraphs"][0] == BODY[0]

    deep = HtmlResponse(url=url, body=_deep_page(), request=Request(url))
    cut, _ = open_page(page_message(deep))  # libxml2 alone keeps no article body
    assert BODY[0] not in " ".join(generic_fields(cut, spider)["paragraphs"])
    response, root = open_page(page_message(deep, reparsed=True))
    assert root is not None
    assert BODY[0] in generic_fields(response, spider, root=root)["paragraphs"]
