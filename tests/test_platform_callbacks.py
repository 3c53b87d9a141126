"""The callbacks the spider bases route requests to exist, and answer right, in every spider
class that reaches them (bugs mypy found in scrapers/platforms/).

- The re-check sweep (`SiteSpider._sweep_due`) sent its conditional requests to
  `parse_article`, which the generic spider (`luutru crawl-url`) does not have: a re-run a month
  later, with archived articles due for a re-check, died in the idle handler and the run was
  recorded failed. A site file of the `generic` family has a `parse_article`, but the one that
  reads saved pages for `check-site --fixtures`: a 304 (the page unchanged) was recorded as a
  failed `no_article`. Both now read re-checks in `parse_page`, where a 304 is `unchanged`.
- A NukeViet listing that answers something other than a page (a PDF where a category was
  expected) raised in the subcategory search instead of being reported like any empty listing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import Response

from pipelines.items import FetchOutcome
from replicas.sites import build
from scrapers.sites import get_site
from scrapers.spiders import spider_class
from tests.conftest import crawl
from tests.test_recheck import luutru_at

N_ARTICLES = 8


def _conditional_handler(site, asked: list[tuple[str, str | None]]) -> type:
    """The replica behind validators, as Apache serves static pages: each page has an ETag
    (by its path: the replica's pages do not change), and a request whose If-None-Match names
    it is answered 304 Not Modified. Each request's (path, If-None-Match) goes to `asked`."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            status, ctype, body, extra = site.route(self.path)
            etag = f'"{hashlib.sha1(self.path.encode()).hexdigest()[:16]}"'
            asked.append((self.path, self.headers.get("If-None-Match")))
            fresh = status == 200 and asked[-1][1] == etag
            headers = {"ETag": etag} if status == 200 else {}
            if not fresh:
                headers.update({"Content-Type": ctype, "Content-Length": str(len(body)), **extra})
            self.send_response(304 if fresh else status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            if not fresh:
                self.wfile.write(body)

    return Handler


@pytest.fixture(scope="module")
def thanh_hoa() -> Iterator[tuple[str, list[tuple[str, str | None]]]]:
    """A generic-family school (site file `thanh_hoa`, no CMS luutru knows) on loopback."""
    asked: list[tuple[str, str | None]] = []
    handler = _conditional_handler(build("thanh_hoa", N_ARTICLES), asked)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", asked
    finally:
        server.shutdown()
        server.server_close()


def _second_run_log(db: Path) -> list[tuple[str, str, str | None, int | None]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT url, outcome, reason, http_status FROM fetch_log WHERE run_id = "
            "(SELECT max(id) FROM runs) AND kind = 'article'").fetchall()
    finally:
        conn.close()


def test_crawl_url_rerun_rechecks_archived_articles(thanh_hoa, tmp_path):
    """crawl-url a second time, 40 days later (every article overdue for a re-check): the run
    finishes, and each re-check is a conditional request answered 304, logged unchanged."""
    url, asked = thanh_hoa
    db = tmp_path / "generic.db"
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    args = ("crawl-url", url + "/", "--db", str(db), "--delay", "0", "--concurrency", "4",
            "--json")
    first = json.loads(luutru_at(now, *args).stdout)
    assert first["new"] >= N_ARTICLES - 2, first
    before = len(asked)
    proc = luutru_at(now + dt.timedelta(days=40), *args, check=False)
    again = json.loads(proc.stdout)
    assert proc.returncode == 0 and again["status"] == "finished", proc.stderr[-3000:]
    assert again["signal_errors"] == [], again["signal_errors"]
    recheck = again["recheck"]
    assert recheck["rechecked"] == first["new"], recheck
    assert recheck["unchanged"] == recheck["rechecked"] and recheck["failed"] == 0, recheck
    log = _second_run_log(db)
    assert len(log) == recheck["rechecked"]
    assert {row[1:] for row in log} == {("unchanged", "not_modified", 304)}, log
    conditional = [path for path, etag in asked[before:] if etag]
    assert len(conditional) == recheck["rechecked"]


def test_generic_site_file_recheck_answered_304_is_unchanged(thanh_hoa, tmp_path):
    """`luutru crawl thanh_hoa --recheck 3`: three archived articles re-checked, each 304 and
    recorded unchanged, none as a failed `no_article`."""
    url, _asked = thanh_hoa
    db = tmp_path / "thanh_hoa.db"
    first = crawl(url, db, site="thanh_hoa")
    assert first["new"] >= N_ARTICLES - 2, first
    again = crawl(url, db, "--recheck", "3", site="thanh_hoa")
    assert again["status"] == "finished", again
    recheck = again["recheck"]
    assert (recheck["rechecked"], recheck["unchanged"], recheck["failed"]) == (3, 3, 0), recheck
    log = _second_run_log(db)
    assert sorted(row[1:] for row in log) == [("unchanged", "not_modified", 304)] * 3, log


def test_nukeviet_listing_that_is_no_page_is_reported_not_raised():
    """A NukeViet category answering a PDF: its fetch-log row and the empty-listing account,
    with discovery started for the failed section, and no exception from the subcategory
    search (which looks for links only in a page)."""
    site = get_site("quang_tri")
    spider = spider_class(site)(base_url="http://127.0.0.1:9")
    section = site.sections[0]
    url = spider.section_url(section.path)
    spider.declare(section.name, url, section.source)
    request = Request(url, meta={"kind": "listing", "first_page": True,
                                 "section_key": section.name, "page": 1})
    response = Response(url, body=b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", request=request,
                        headers={"Content-Type": "application/pdf"})
    out = list(spider.parse_listing(response, section=section.name))
    reports = [o for o in out if isinstance(o, FetchOutcome)]
    assert [(r.url, r.outcome, r.kind) for r in reports] == [(url, "crawled", "listing")]
    discovery = [o.url for o in out if isinstance(o, Request)]
    assert discovery == [spider.base_url + "/", spider.base_url + "/sitemap.xml"]
    assert spider._sections[section.name].failed == "no_article_links"

