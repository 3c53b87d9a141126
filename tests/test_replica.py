"""The Bến Tre replica: manifest, Drupal 7 markup and server behaviour (loopback only)."""

from __future__ import annotations

import datetime as dt
import re
import signal
import subprocess
import sys
import time
import unicodedata
import urllib.error
import urllib.request
from urllib.parse import quote

import pytest
from lxml import html as lxml_html

from replicas.bentre import TRAPS, VN_TZ, build_site
from replicas.drupal7 import format_clock, theme_pager

CLOCK_RE = re.compile(
    r"(Chủ nhật|Thứ hai|Thứ ba|Thứ tư|Thứ năm|Thứ sáu|Thứ bảy), (\d{1,2}) Tháng (\d{1,2}), "
    r"(\d{4}) - (\d{2}):(\d{2})"
)


# The session's Bến Tre replica and its server (tests/conftest.py), under short names.
@pytest.fixture
def site(bentre_site):
    return bentre_site


@pytest.fixture
def server(bentre_server):
    return bentre_server


def fetch(url: str, method: str = "GET") -> tuple[int, dict[str, str], str]:
    req = urllib.request.Request(url, method=method)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode("utf-8")


def enc(path: str, lower: bool = False) -> str:
    out = quote(path, safe="/")
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), out) if lower else out


def clean(s: str) -> str:
    s = unicodedata.normalize("NFC", s).replace("\u00ad", "").replace("\u200b", "")
    s = s.replace("Ð", "Đ")
    return " ".join(s.split())


# -- manifest ------------------------------------------------------------------------------


def test_counts_and_sections(site):
    assert len(site.articles) >= 150
    assert site.page_size == 10
    assert set(site.sections) == {"Tin tức - Sự kiện", "Thông tin trao đổi"}
    for name in site.sections:
        assert site.listings[name], name
    assert len({a.nid for a in site.articles}) == len(site.articles)
    assert len({a.path for a in site.articles}) == len(site.articles)
    assert site.host_aliases


def test_manifest_fields(site):
    for a in site.articles:
        assert a.path.startswith("/")
        assert len(a.path) - 1 <= 100, a.path
        assert a.byline_position in ("top", "end", "fields")
        assert dt.date(2012, 1, 1) <= a.published <= dt.date(2024, 4, 30)
        assert a.paragraphs and all(p == clean(p) and p for p in a.paragraphs)
        assert a.title == unicodedata.normalize("NFC", a.title)
        assert "Ð" not in a.title and all("Ð" not in p for p in a.paragraphs)
        assert all(s in site.sections for s in a.sections)
        assert a.author == a.author.strip()
        assert a.path.startswith(("/content/", "/noi-dung/")) or "/" not in a.path[1:]


def test_every_trap_present(site):
    found = {t for a in site.articles for t in a.traps}
    assert set(TRAPS) <= found, set(TRAPS) - found
    cross = [a for a in site.articles if "cross_posted" in a.traps]
    assert all(len(a.sections) == 2 for a in cross)
    curly = next(a for a in site.articles if "curly_quotes_alias" in a.traps)
    assert "“" in curly.path and "”" in curly.path and "–" in curly.path
    assert len(curly.path) - 1 == 100
    assert any("đối mới" in a.title for a in site.articles if "typo_title" in a.traps)
    assert any(a.title.isupper() for a in site.articles if "all_caps_title" in a.traps)
    schemes = {a.path.split("/")[1] if a.path.count("/") > 1 else "root" for a in site.articles}
    assert {"content", "noi-dung", "root"} <= schemes


def test_deterministic():
    a, b = build_site(n_articles=60, seed=3), build_site(n_articles=60, seed=3)
    assert a.articles == b.articles
    assert build_site(n_articles=60, seed=4).articles != a.articles


def test_build_is_fast():
    t = time.perf_counter()
    big = build_site(n_articles=2500)
    assert time.perf_counter() - t < 2.0
    assert len(big.articles) == 2500


# -- markup --------------------------------------------------------------------------------


def test_pager_markup():
    html = theme_pager("/x", 2, 20)
    assert html.startswith('<h2 class="element-invisible">Các trang</h2><div class="item-list">'
                           '<ul class="pager"><li class="pager-first first">'
                           '<a title="Đến trang đầu tiên" href="/x">« đầu tiên</a></li>')
    assert '<li class="pager-previous"><a title="Đến trang trước" href="/x?page=1">‹ trước' in html
    assert '<li class="pager-item"><a title="Đến trang 2" href="/x?page=1">2</a></li>' in html
    assert '<li class="pager-current">3</li>' in html
    assert '<a title="Đến trang kế tiếp" href="/x?page=3">kế tiếp ›</a>' in html
    assert ('<li class="pager-last last"><a title="Đến trang cuối cùng" href="/x?page=19">'
            "cuối cùng »</a></li>") in html
    assert html.count("pager-ellipsis") == 1  # 1..9 shown, ellipsis before next
    middle = theme_pager("/x", 10, 20)
    assert middle.count("pager-ellipsis") == 2
    assert len(re.findall(r'class="pager-(?:item|current)', middle)) == 9
    assert theme_pager("/x", 0, 1) == ""


def test_clock_format():
    now = dt.datetime(2024, 4, 21, 16, 2, tzinfo=VN_TZ)
    assert format_clock(now) == "Chủ nhật, 21 Tháng 4, 2024 - 16:02"
    assert format_clock(dt.datetime(2023, 3, 23, 1, 50, tzinfo=VN_TZ)) == (
        "Thứ năm, 23 Tháng 3, 2023 - 01:50")


# -- server --------------------------------------------------------------------------------


def test_front_and_generator(server):
    status, headers, body = fetch(server.url + "/")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<meta name="generator" content="Drupal 7 (http://drupal.org)" />' in body
    assert '<link rel="shortcut icon" href="/misc/favicon.ico"' in body
    assert "<marquee" in body and "(07/3/1947-07/3/2024)!" in body
    assert not server.url.endswith("/")


def test_listing_pages(server, site):
    for name, path in site.sections.items():
        nids = site.listings[name]
        pages = -(-len(nids) // site.page_size)
        status, _, body = fetch(server.url + enc(path))
        assert status == 200
        doc = lxml_html.fromstring(body)
        rows = doc.cssselect(".view-content .views-row")
        assert len(rows) == min(10, len(nids))
        assert "views-row-1 views-row-odd views-row-first" in rows[0].get("class")
        first = site.nodes[nids[0]]
        assert rows[0].cssselect(".views-field-title a")[0].get("href") == enc(first.path)
        label = rows[0].cssselect(".views-label-created")[0].text
        assert label == "Ngày Đăng : "
        date = rows[0].cssselect(".views-field-created .field-content")[0].text
        assert date == first.created.strftime("%d/%m/%Y")
        assert '<h2 class="element-invisible">Các trang</h2>' in body
        assert f'href="{enc(path)}?page=1">kế tiếp ›</a>' in body
        assert f'href="{enc(path)}?page={pages - 1}">cuối cùng »</a>' in body
        # last page, then past the end: 200 with the empty view
        status, _, body = fetch(f"{server.url}{enc(path)}?page={pages - 1}")
        assert status == 200 and "views-row-first" in body
        status, _, body = fetch(f"{server.url}{enc(path)}?page={pages + 5}")
        assert status == 200 and "views-row" not in body and "view-empty" in body
        # trailing slash, lower-case hex
        status, _, body2 = fetch(server.url + enc(path, lower=True) + "/")
        assert status == 200 and "views-row-first" in body2


def test_listing_covers_every_article(server, site):
    seen: dict[str, set[str]] = {}
    for name, path in site.sections.items():
        hrefs: set[str] = set()
        page = 0
        while True:
            _, _, body = fetch(f"{server.url}{enc(path)}?page={page}")
            found = re.findall(
                r'views-field-title">\s*<span class="field-content"><a href="([^"]+)"', body)
            if not found:
                break
            hrefs.update(found)
            page += 1
        seen[name] = hrefs
    for a in site.articles:
        for s in a.sections:
            assert enc(a.path) in seen[s], (a.nid, s)


def test_every_article_page(server, site):
    now_date = dt.datetime.now(VN_TZ).date()
    for a in site.articles:
        status, _, body = fetch(server.url + enc(a.path))
        assert status == 200, a.path
        node = site.nodes[a.nid]
        raw_title = node.title.replace("&", "&amp;")
        assert f'<h1 class="title" id="page-title">\n          {raw_title}' in body
        assert f"<title>{raw_title} | Trường Chính trị tỉnh Bến Tre</title>" in body
        assert f'<link rel="canonical" href="{enc(a.path)}" />' in body
        assert f'<link rel="shortlink" href="/node/{a.nid}" />' in body
        assert f'id="node-{a.nid}" class="node node-article node-promoted clearfix"' in body
        clock = CLOCK_RE.search(body)
        assert clock, "header clock missing"
        shown = dt.date(int(clock.group(4)), int(clock.group(3)), int(clock.group(2)))
        assert shown == now_date and shown != a.published
        assert "submitted" not in body and "dc:date" not in body  # no visible post date
        # trailing slash and lower-case percent-encoding serve the same page
        status, _, _ = fetch(server.url + enc(a.path, lower=True) + "/")
        assert status == 200


def test_article_body_matches_manifest(server, site):
    for a in site.articles:
        _, _, body = fetch(server.url + enc(a.path))
        doc = lxml_html.fromstring(body)
        item = doc.cssselect("#block-system-main .field-name-body .field-item")[0]
        paras, byline = [], []
        for p in item.findall("p"):
            text = clean(p.text_content())
            if not text:
                continue
            (byline if "right" in (p.get("style") or "") else paras).append(text)
        assert paras == a.paragraphs, a.nid
        if a.byline_position in ("top", "end") and a.author:
            assert byline == [x for x in (a.author, a.role) if x], a.nid
            first_p = next(p for p in item.findall("p") if clean(p.text_content()))
            is_top = "right" in (first_p.get("style") or "")
            assert is_top == (a.byline_position == "top"), a.nid
        else:
            assert byline == []
        if a.byline_position == "fields":
            author = doc.cssselect(".field-name-field-tac-gia .field-item")[0].text_content()
            assert author == a.author
        tin_khac = doc.cssselect("#block-views-tin-khac-block")
        assert tin_khac and tin_khac[0].cssselect("h2")[0].text == "Tin khác"
        assert "Taxonomy upgrade extras:&nbsp;" in body


def test_traps_in_markup(server, site):
    def page(trap):
        a = next(a for a in site.articles if trap in a.traps)
        return a, fetch(server.url + enc(a.path))[2]

    _, body = page("nfd_text")
    assert unicodedata.normalize("NFC", body) != body
    _, body = page("zero_width")
    assert "\u00ad" in body and "\u200b" in body
    assert any("Ð" in fetch(server.url + enc(a.path))[2]
               for a in site.articles if "eth" in a.traps)
    a = next(a for a in site.articles if "node_link" in a.traps)
    linked = [n for n, rel in site.related.items() if (a.nid, True) in rel]
    assert linked
    body = fetch(server.url + enc(site.nodes[linked[0]].path))[2]
    assert f'<a href="/node/{a.nid}">' in body
    listing_bodies = "".join(
        fetch(f"{server.url}{enc(p)}?page={i}")[2]
        for p in site.sections.values() for i in range(20))
    assert '<div class="field-content"> P.H</div>' in listing_bodies
    assert '<div class="field-content">C.V.D</div>' in listing_bodies
    one = [a for a in site.articles if "one_char_teaser" in a.traps]
    assert any(f'views-field-body">        <div class="field-content">{a.paragraphs[0][0]}</div>'
               in listing_bodies for a in one)


def test_node_path_and_head(server, site):
    a = site.articles[len(site.articles) // 2]
    status, _, body = fetch(f"{server.url}/node/{a.nid}")
    assert status == 200
    assert f'<link rel="canonical" href="{enc(a.path)}" />' in body
    status, _, _ = fetch(f"{server.url}/node/{a.nid}/")
    assert status == 200
    status, headers, body = fetch(server.url + enc(a.path), method="HEAD")
    assert status == 200 and body == "" and int(headers["Content-Length"]) > 1000
    status, _, body = fetch(server.url + "/gioi-thieu")
    assert status == 200 and "node-page" in body
    assert ("HEAD", enc(a.path)) in server.requests


def test_not_found_and_robots(server):
    status, headers, body = fetch(server.url + "/content/kh%C3%B4ng-c%C3%B3-b%C3%A0i-n%C3%A0y")
    assert status == 404
    assert "Không tìm thấy trang" in body and headers["Content-Type"].startswith("text/html")
    assert fetch(server.url + "/node/999999")[0] == 404
    status, headers, body = fetch(server.url + "/robots.txt")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    assert "User-agent: *" in body and "Disallow: /admin/" in body


def test_render_speed(site):
    from replicas.drupal7 import render_listing, render_node

    now = dt.datetime.now(VN_TZ)
    t = time.perf_counter()
    for a in site.articles[:100]:
        render_node(site, a.nid, now)
    render_listing(site, "Thông tin trao đổi", 1, now)
    assert (time.perf_counter() - t) / 101 < 0.005


def test_serve_entry_point():
    proc = subprocess.Popen(
        [sys.executable, "-m", "replicas.serve", "bentre", "--port", "0", "--articles", "30"],
        stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", line), line
        assert fetch(line + "/robots.txt")[0] == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
