"""Every school of sites.md §0 with a domain has a site file, and every school of the `generic`
family (CMS unknown) is archived from a replica of its facts through the real CLI, with titles,
dates and clean texts measured against the replica's ground truth."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import sqlite3
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from pipelines.dates import parse_date
from pipelines.text import clean_line, clean_text
from replicas.server import ReplicaServer
from replicas.sites import BUILDERS, build
from scrapers.platforms import PLATFORMS
from scrapers.platforms.generic_site import GenericSiteSpider, date_regex, site_hints
from scrapers.sites import all_sites, is_guess
from scrapers.spiders import spider_for
from tests.conftest import ROOT, crawl, crawl_replicas, run_cli

# sites.md §0, copied (the table lives outside the repository): row -> (domains, the province
# it merged into on 1/7/2025, "" when it is the surviving province or was not merged).
SITES_MD_0: dict[int, tuple[tuple[str, ...], str]] = {
    1: (("truongchinhtribentre.edu.vn",), "Vĩnh Long"),
    2: (("tctph.vinhlong.gov.vn",), ""),
    3: (("tctph.gov.vn",), ""),
    4: (("tcttv.travinh.gov.vn",), "Vĩnh Long"),
    5: (("truongchinhtri.angiang.gov.vn",), ""),
    6: (("truongchinhtri.dongthap.gov.vn",), ""),
    7: (("truongleduan.quangtri.gov.vn",), ""),
    8: (("truongchinhtrihatinh.gov.vn",), ""),
    9: (("truongchinhtrithanhhoa.gov.vn",), ""),
    10: (("daotao.truongchinhtrina.gov.vn", "truongchinhtrina.gov.vn"), ""),
    11: (("truongchinhtrithainguyen.gov.vn",), ""),
    12: (("truongchinhtribg.gov.vn",), "Bắc Ninh"),
    13: (("truongchinhtritohieu.haiphong.gov.vn",), ""),
    14: (("truongchinhtri.haiduong.org.vn",), "Hải Phòng"),
    15: (("truongchinhtringuyenvanlinhhy.org.vn",), ""),
    16: (("www.truongchinhtritruongchinhnd.gov.vn",), "Ninh Bình"),
    17: (("truongchinhtrils.vn",), ""),
    18: (("truongchinhtribinhduong.edu.vn",), "TP. Hồ Chí Minh"),
    19: (("truongchinhtri.edu.vn",), "Đồng Nai"),
    20: (("truongchinhtri.baria-vungtau.gov.vn",), "TP. Hồ Chí Minh"),
    21: (("truongchinhtrilamdong.com.vn",), ""),
    22: (("truongchinhtri.gialai.org.vn",), ""),
    23: (("truongchinhtri.binhthuan.dcs.vn",), "Lâm Đồng"),
    24: (("truongchinhtriquangnam.edu.vn",), "Đà Nẵng"),
}
# §0 says "seen only in GitHub code" / "a photo credit" (date "n/a"): no page of them was seen.
UNVERIFIED = {"gia_lai", "binh_thuan", "quang_nam"}
GENERIC = sorted(slug for slug, site in all_sites().items() if site.cms == "generic")
N_ARTICLES = 16
CHROME = (
    "Tin khác", "Các tin khác", "Liên kết", "Thống kê", "Hôm nay:", "Hôm qua:", "Trong tuần:",
    "Tất cả:", "In bài viết", "Chia sẻ", "Trang chủ", "lượt xem", "Gửi bài", "Bản quyền",
    "(GMT+7)", "Tác giả :",
)
CLOCK = re.compile(r"(?:Thứ \w+|Chủ nhật|Chủ Nhật), (?:ngày )?\d{1,2}[/-]\d{1,2}[/-]\d{4}")


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _key(url: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    parts = urlsplit(url)
    return unquote(parts.path).rstrip("/").casefold(), tuple(sorted(parse_qsl(parts.query)))


# -- the registry ------------------------------------------------------------------------------


def test_sites_lists_every_school_of_the_site_table():
    rows = json.loads(run_cli("sites", "--json").stdout)
    by_host: dict[str, dict] = {}
    for row in rows:
        site = all_sites()[row["slug"]]
        for url in (row["base_url"], *site.aliases):
            by_host.setdefault(_host(url), row)
    slugs = []
    for number, (domains, merged) in SITES_MD_0.items():
        listed = [by_host[d] for d in domains if d in by_host]
        assert listed, f"sites.md §0 #{number} ({', '.join(domains)}) has no site file"
        row = listed[0]
        slugs.append(row["slug"])
        assert row["merged_into"] == merged, (number, row["slug"], row["merged_into"])
        assert row["province"] and row["name"] and row["cms"] in PLATFORMS, row
    assert len(set(slugs)) == len(SITES_MD_0)  # one school, one site file (one slug per host)
    text = run_cli("sites").stdout
    for slug in UNVERIFIED:
        assert re.search(rf"^{slug}\b", text, re.MULTILINE)
        assert "unverified" in text


def test_every_site_file_loads_with_its_facts_marked_seen_or_guessed():
    sites = all_sites()
    assert len(sites) >= 24
    for slug, site in sites.items():
        assert site.status in ("active", "frozen", "offline", "unverified"), slug
        assert site.cms in PLATFORMS, slug
        assert set(BUILDERS) >= {slug}, f"{slug}: no replica"
        assert "base_url" in site.seen and "cms" in site.seen, slug
        for section in site.sections:
            assert section.guessed or section.source.startswith("sites.md §"), (slug, section)
    for slug in GENERIC:
        site = sites[slug]
        hints = site_hints(site)
        for key in hints:  # every hint says where it was seen, or that it is a guess
            source = site.seen.get(f"hints.{key}", "")
            assert source.startswith("sites.md §") or is_guess(source), (slug, key)
        if "article_url_pattern" in hints:
            re.compile(hints["article_url_pattern"])
        examples = hints.get("date_examples", [])
        pattern = date_regex(hints.get("date_label", ""), examples)
        for example in examples:
            assert parse_date(example, source="article_meta") is not None, (slug, example)
            assert pattern is not None and pattern.search(example), (slug, example)
        assert (site.status == "unverified") == (slug in UNVERIFIED), slug
        spider_for(slug)()  # the hints compile: a bad regex or key fails here, not in a crawl


def test_crawl_all_takes_the_active_schools_and_leaves_unverified_ones_out():
    active = {slug for slug, site in all_sites().items() if site.status == "active"}
    assert set(GENERIC) - UNVERIFIED <= active  # `crawl --all` runs every active school
    assert not UNVERIFIED & active


def test_hints_shape_dates_and_article_urls():
    pattern = date_regex("Đăng lúc:", ["20:22:56 02/06/2019"])
    assert pattern is not None
    line = "Đăng lúc: 09:05:01 7/11/2021 (GMT+7)732 lượt xem"
    assert pattern.search(line).group(0) == "Đăng lúc: 09:05:01 7/11/2021"
    assert not pattern.search("Thứ Năm, ngày 03/12/2026")  # a header clock of another shape
    spider = type("S", (GenericSiteSpider,), {"name": "vinh_long_old",
                                             "site": all_sites()["vinh_long_old"]})()
    assert spider.is_article_url("http://tctph.gov.vn/modules.php?name=News&op=viewst&sid=543")
    # Only the site's own shape counts there: a generic `-123.html` link is not an article.
    assert not spider.is_article_url("http://tctph.gov.vn/modules.php?name=News&op=viewcat&catid=1")
    assert not spider.is_article_url("http://tctph.gov.vn/lich-hoc-12.html")
    assert spider.is_date_line("15.09.2023 10:06")
    assert not spider.is_date_line("Ngày 15.09.2023 10:06, nhà trường tổ chức hội nghị tổng kết")


# -- each generic-family school from its replica ---------------------------------------------------


@pytest.fixture(scope="module")
def archived(tmp_path_factory) -> dict[str, tuple[object, dict, dict]]:
    """Every generic-family replica crawled through `luutru crawl SLUG --base-url`:
    slug -> (replica, summary, archived rows by URL key)."""
    crawled = crawl_replicas({slug: (build(slug, N_ARTICLES), slug) for slug in GENERIC},
                             tmp_path_factory.mktemp("schools"), workers=len(GENERIC))
    return {slug: (replica, summary, {_key(url): row for url, row in rows.items()})
            for slug, (replica, summary, rows) in crawled.items()}


def _measure(slug: str, replica, rows: dict) -> dict[str, float]:
    """Shares of the replica's articles archived, with the right title, date, clean text."""
    base = all_sites()[slug].base_url
    n = len(replica.articles)
    found = title = date = clean = text = 0
    for art in replica.articles:
        row = rows.get(_key(base + art.path))
        if row is None:
            continue
        found += 1
        title += row["title"] == clean_line(art.title)
        if "no_date_printed" in art.traps:  # never a date the site did not print
            date += row["published_at"] is None
        else:
            date += (row["published_at"] or "")[:10] == art.published.date().isoformat()
        body = row["text"]
        clean += not any(c in body for c in CHROME) and not CLOCK.search(body)
        expected = clean_text("\n\n".join(art.paragraphs))
        text += difflib.SequenceMatcher(None, expected.split(), body.split(),
                                        autojunk=False).ratio() >= 0.9
    return {"found": found / n, "title": title / n, "date": date / n, "clean": clean / n,
            "text": text / n, "extra": len(rows) - found}


@pytest.mark.parametrize("slug", GENERIC)
def test_generic_school_archived_from_its_replica(archived, slug):
    replica, summary, rows = archived[slug]
    assert summary["status"] == "finished" and summary["errors"] == 0, summary
    shares = _measure(slug, replica, rows)
    assert shares["extra"] == 0, shares  # no listing, home or static page stored as an article
    for field in ("found", "title", "date", "clean"):
        assert shares[field] >= 0.95, (slug, field, shares)
    assert shares["text"] >= 0.9, (slug, shares)


def test_the_replicas_carry_the_facts_of_sites_md(archived):
    """The quirks sites.md records are in the replicas the tests crawl."""
    pages = {slug: archived[slug][0] for slug in GENERIC}
    assert any(a.path == "/modules.php?name=News&op=viewst&sid=543"
               for a in pages["vinh_long_old"].articles)
    assert all("/trang-tin-chi-tiet/!ut/p/z0/" in a.path for a in pages["an_giang"].articles)
    assert all("no_date_printed" in a.traps for a in pages["hai_duong"].articles)
    assert all(re.search(r"-c\d+\.html$", a.path) for a in pages["hung_yen"].articles)
    shapes = {bool(re.fullmatch(r"/article\?item=[0-9a-f]{32}", a.path)): a.path
              for a in pages["ba_ria_vung_tau"].articles}
    assert shapes[True]  # the new site, and old Joomla URLs still linked from it
    assert re.fullmatch(r"/index\.php/hot-ng-[^/]+/[^/]+/\d+-[\d-]+", shapes[False])
    assert any("tung-cap" in a.path for a in pages["binh_phuoc"].articles)
    status, _, body, _ = pages["thanh_hoa"].route(pages["thanh_hoa"].articles[0].path)
    html = body.decode()
    assert status == 200 and "(GMT+7)" in html and "NHIỆT LIỆT CHÀO MỪNG" in html
    # A header clock in the sites' own time (UTC+7), whatever the machine's zone; the two
    # readings around the render allow for a midnight crossing between them.
    vn = dt.timezone(dt.timedelta(hours=7))
    before = dt.datetime.now(vn)
    home = pages["hung_yen"].route("/")[2].decode()
    after = dt.datetime.now(vn)
    assert f"{before:%d/%m/%Y}" in home or f"{after:%d/%m/%Y}" in home



def test_generic_school_with_a_wrong_section_is_archived_by_discovery(tmp_path):
    """A declared section that answers 404 is one failed fetch, logged; the home page's menus
    and listings still lead to every article."""
    text = (ROOT / "scrapers" / "sites" / "nghe_an.toml").read_text(encoding="utf-8")
    assert 'path = "/tin-tuc-66"' in text
    site_file = tmp_path / "nghe_an.toml"
    site_file.write_text(text.replace('path = "/tin-tuc-66"', 'path = "/chuyen-muc-cu"'),
                         encoding="utf-8")
    replica = build("nghe_an", N_ARTICLES)
    with ReplicaServer(replica) as server:
        proc = run_cli("crawl", "--site-file", str(site_file), "--base-url", server.url,
                       "--db", str(tmp_path / "x.db"), "--delay", "0", "--concurrency", "4",
                       "--json", check=False)
    assert proc.returncode == 0, proc.stderr
    assert "/chuyen-muc-cu" in proc.stderr and "http_404" in proc.stderr  # said, not hidden
    conn = sqlite3.connect(tmp_path / "x.db")
    failed = conn.execute("SELECT url, reason FROM fetch_log WHERE outcome = 'failed'").fetchall()
    stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    conn.close()
    assert [(urlsplit(u).path, r) for u, r in failed] == [("/chuyen-muc-cu", "http_404")]
    assert stored == len(replica.articles)


def test_second_crawl_of_a_generic_school_is_quiet(tmp_path):
    """The cron case: a re-crawl of an unchanged site fetches no known article again, stores
    nothing new and exits 0."""
    replica = build("hung_yen", N_ARTICLES)
    db = tmp_path / "x.db"
    with ReplicaServer(replica) as server:
        first = crawl(server.url, db, site="hung_yen")
        second = crawl(server.url, db, site="hung_yen")  # run_cli checks the exit code is 0
    assert first["new"] == len(replica.articles)
    assert second["status"] == "finished" and second["new"] == 0 and second["errors"] == 0
    assert second["pages"] < first["pages"]  # hubs read again, known articles not fetched
