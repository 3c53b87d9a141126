"""The fetch log: every URL a crawl schedules ends with exactly one outcome, even when Scrapy
drops the request silently (a redirect to an already-seen URL, an off-site redirect)."""

from __future__ import annotations

import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote, urlsplit

import pytest

from tests.conftest import crawl

TT = "/chuyen-muc/tin-tuc-su-kien/tin-tuc-su-kien"
TTTD = "/thông-tin-trao-đổi/thông-tin-trao-đổi"

ARTICLE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<link rel="canonical" href="/content/{slug}" /><link rel="shortlink" href="/node/{nid}" />
<title>{title} | Trường Chính trị tỉnh Bến Tre</title></head><body>
<div id="block-block-5" class="block block-block"><div class="content">Chủ nhật, 21 Tháng 4, 2024 - 16:02</div></div>
<h1 class="title" id="page-title">{title}</h1>
<div id="block-system-main" class="block block-system"><div class="content">
<div id="node-{nid}" class="node node-article clearfix"><div class="content clearfix">
<div class="field field-name-body field-type-text-with-summary field-label-hidden"><div class="field-items">
<div class="field-item even" property="content:encoded"><p>{title}: nội dung sinh hoạt chi bộ của Đảng bộ Trường.</p></div>
</div></div></div></div></div></div></body></html>"""


def row(href: str, date: str) -> str:
    return (
        f'<div class="views-row"><div class="views-field views-field-title"><span class="field-content">'
        f'<a href="{href}">Bài {href}</a></span></div><div class="views-field views-field-created">'
        f'<span class="views-label views-label-created">Ngày Đăng : </span>'
        f'<span class="field-content">{date}</span></div></div>'
    )


class Handler(BaseHTTPRequestHandler):
    offsite_url = ""
    seen: list[str] = []

    def log_message(self, *args):  # keep test output quiet
        pass

    def send(self, status: int, body: str = "", location: str | None = None) -> None:
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = unquote(urlsplit(self.path).path)
        self.seen.append(path)
        if path == "/robots.txt":
            return self.send(200, "User-agent: *\nDisallow: /private/\n")
        if path == TT:
            rows = [
                row("/content/bai-mot", "17/02/2021"),
                row("/node/1", "17/02/2021"),
                row("/moved", "16/02/2021"),
                row("/away", "15/02/2021"),
                row("/missing", "14/02/2021"),
                row("/empty", "13/02/2021"),
                row("/private/secret", "12/02/2021"),
            ]
            return self.send(200, f'<div class="view-content">{"".join(rows)}</div>')
        if path == TTTD:
            return self.send(200, '<div class="view view-empty"></div>')
        if path in ("/content/bai-mot", "/node/1"):
            return self.send(200, ARTICLE.format(slug="bai-mot", nid=1, title="Bài một"))
        if path == "/moved":  # back to a listing already fetched: Scrapy's dupefilter drops it
            return self.send(302, location=quote(TT))
        if path == "/away":
            return self.send(302, location=self.offsite_url)
        if path == "/empty":
            return self.send(200, "<html><body><p>Không tìm thấy trang</p></body></html>")
        return self.send(404, "<h1>Không tìm thấy trang</h1>")


@pytest.fixture()
def servers():
    """The site on 127.0.0.1 and a second host (localhost) that must never be contacted."""
    other = ThreadingHTTPServer(("127.0.0.1", 0), type("Other", (Handler,), {"seen": []}))
    handler = type(
        "Site", (Handler,), {"seen": [], "offsite_url": f"http://localhost:{other.server_port}/x"}
    )
    site = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    for srv in (site, other):
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{site.server_port}", handler, other.RequestHandlerClass
    for srv in (site, other):
        srv.shutdown()
        srv.server_close()


def test_every_scheduled_url_has_exactly_one_outcome(servers, tmp_path):
    url, site_handler, other_handler = servers
    db = tmp_path / "log.db"
    summary = crawl(url, db)
    assert summary["status"] == "finished"  # failures are counted, the crawl finishes
    conn = sqlite3.connect(db)
    log = {
        u: (o, r)
        for u, o, r in conn.execute(
            "SELECT url, outcome, reason FROM fetch_log WHERE run_id=?", (summary["run_id"],)
        )
    }
    (n,) = conn.execute("SELECT count(*) FROM fetch_log").fetchone()
    assert n == len(log), "a URL has more than one outcome"

    def outcome(path: str) -> tuple[str, str]:
        return log[url + quote(path)]

    assert outcome(TT)[0] == "crawled" and outcome(TTTD)[0] == "crawled"
    # One of the two URLs of node 1 is fetched first (scheduling order is Scrapy's).
    assert {outcome("/content/bai-mot")[0], outcome("/node/1")[0]} == {"stored", "duplicate"}
    assert outcome("/moved")[0] == "skipped" and "redirect_to_seen_url" in outcome("/moved")[1]
    assert outcome("/away")[0] == "skipped" and "offsite" in outcome("/away")[1]
    assert outcome("/missing") == ("failed", "http_404")
    assert outcome("/empty") == ("failed", "no_article")
    assert outcome("/private/secret")[0] == "skipped"
    assert outcome("/private/secret")[1] == "robots_txt"
    assert len(log) == 9
    assert other_handler.seen == [], "the crawler contacted another host"
    assert "/private/secret" not in site_handler.seen
    # One article under two URLs: one row, both URLs recorded.
    assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    urls = {u for (u,) in conn.execute("SELECT url FROM article_urls")}
    assert {url + "/content/bai-mot", url + "/node/1"} <= urls
    assert summary["errors"] == 2
