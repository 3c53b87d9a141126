"""WARC capture: every response, with its request, in gzip WARC files valid per `warcio check`."""

from __future__ import annotations

import gzip
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import scrapy
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.settings.default_settings import DOWNLOADER_MIDDLEWARES_BASE
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

import scrapers.settings as project_settings
from archive.warc import (
    WarcWriter,
    check_file,
    payload_digest,
    read_response,
    read_sums,
    warc_path_for,
)
from pipelines.capture import WarcCaptureMiddleware
from tests.conftest import crawl
from tests.test_attachments import attachment_site, needs_wiring  # noqa: F401 (fixture)


def warcio_check(path: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).parent / "warcio"
    cmd = [str(script)] if script.exists() else [
        sys.executable, "-c", "import sys; from warcio.cli import main; sys.exit(main())"]
    return subprocess.run([*cmd, "check", "-v", str(path)], capture_output=True, text=True,
                          timeout=60)


def test_writer_round_trip_passes_warcio_check(tmp_path):
    page = "<html><body>Trường Chính trị</body></html>".encode()
    encoded = gzip.compress(page)
    path = warc_path_for(tmp_path / "a.db", "bentre")
    assert path.parent == tmp_path / "warc" and path.name.startswith("bentre-")
    with WarcWriter(path) as writer:
        ref = writer.write_exchange(
            url="http://127.0.0.1:8000/content/bai?x=1",
            status=200,
            response_headers=[("Content-Type", "text/html; charset=utf-8"),
                              ("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")],
            body=encoded,
            request_headers=[("User-Agent", "luutru"), ("Accept-Encoding", "gzip")],
            ip_address="127.0.0.1",
        )
        moved = writer.write_exchange(url="http://127.0.0.1:8000/cu", status=301,
                                      response_headers=[("Location", "/content/bai")], body=b"")
    assert ref.warc_file == f"warc/{path.name}" and ref.warc_offset > 0
    assert ref.warc_digest == payload_digest(encoded)
    proc = warcio_check(path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("digest pass") == 5  # warcinfo + 2 responses + 2 requests
    got = read_response(path, ref.warc_offset)
    assert got.body == page and got.raw_body[:2] == b"\x1f\x8b"  # stored as received
    assert (got.status, got.record_id, got.digest) == (200, ref.warc_record_id, ref.warc_digest)
    assert ("X-Luutru-Orig-Transfer-Encoding", "chunked") in got.headers
    assert read_response(path, moved.warc_offset).status == 301
    with open(path, "rb") as fh:
        records = [(r.rec_type, r.rec_headers) for r in ArchiveIterator(fh)]
    assert [t for t, _ in records] == ["warcinfo", "response", "request", "response", "request"]
    req = records[2][1]
    assert req.get_header("WARC-Concurrent-To") == ref.warc_record_id
    assert read_sums(tmp_path / "warc")[path.name]
    assert warc_path_for(tmp_path / "a.db", "bentre") != path  # never an existing file


def test_a_damaged_file_is_reported(tmp_path):
    path = tmp_path / "warc" / "x.warc.gz"
    with WarcWriter(path) as writer:
        ref = writer.write_exchange(url="http://h/a", status=200, response_headers=[],
                                    body=b"A" * 5000)
    assert all(not c.problems for c in check_file(path))
    data = bytearray(path.read_bytes())
    data[ref.warc_offset + 60] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError):
        list(check_file(path))
    assert warcio_check(path).returncode != 0


def _crawler(tmp_path: Path, **settings):
    class Spider(scrapy.Spider):
        name = "bentre"

    crawler = get_crawler(Spider, {"LUUTRU_DB": str(tmp_path / "x.db"), **settings})
    crawler.spider = Spider()
    return crawler


def test_middleware_records_responses_and_their_requests(tmp_path):
    crawler = _crawler(tmp_path)
    mw = WarcCaptureMiddleware.from_crawler(crawler)
    request = scrapy.Request("http://127.0.0.1:8000/bài", headers={"User-Agent": "luutru"})
    body = gzip.compress("<p>Đảng bộ</p>".encode())
    response = HtmlResponse(request.url, status=200, body=body, request=request,
                            headers={"Content-Encoding": "gzip",
                                     "Content-Type": "text/html; charset=utf-8"})
    assert mw.process_response(request, response) is response
    ref = request.meta["warc_ref"]
    robots = scrapy.Request("http://127.0.0.1:8000/robots.txt")
    mw.process_response(robots, Response(robots.url, status=404, body=b"", request=robots))
    assert robots.meta["warc_ref"]["warc_offset"] > ref["warc_offset"]
    rel = crawler.stats.get_value("luutru/warc_file")
    assert rel == ref["warc_file"] and rel.startswith("warc/bentre-")
    mw.spider_closed()
    path = tmp_path / rel
    assert warcio_check(path).returncode == 0
    got = read_response(path, ref["warc_offset"])
    assert got.raw_body == body and got.body == "<p>Đảng bộ</p>".encode()
    assert got.url == request.url and got.record_id == ref["warc_record_id"]
    with open(path, "rb") as fh:
        req = next(r for r in ArchiveIterator(fh) if r.rec_type == "request")
        assert req.http_headers.protocol == "GET"
        assert req.http_headers.get_header("User-Agent") == "luutru"
        assert req.http_headers.get_header("Host") == "127.0.0.1:8000"


def test_capture_can_be_turned_off(tmp_path):
    with pytest.raises(NotConfigured):
        WarcCaptureMiddleware.from_crawler(_crawler(tmp_path, LUUTRU_WARC=False))


@needs_wiring
def test_capture_sits_before_decompression_and_redirects():
    order = project_settings.DOWNLOADER_MIDDLEWARES["pipelines.capture.WarcCaptureMiddleware"]
    base = {k.rsplit(".", 1)[-1]: v for k, v in DOWNLOADER_MIDDLEWARES_BASE.items()}
    # process_response runs from high to low: above these, the bytes are as received.
    assert order > base["HttpCompressionMiddleware"] and order > base["RedirectMiddleware"]
    # process_request runs from low to high: above these, the request headers are as sent.
    assert order > base["UserAgentMiddleware"] and order > base["CookiesMiddleware"]
    assert order < base["DownloaderStats"]


@needs_wiring
def test_crawl_writes_every_response_to_warc(attachment_site, tmp_path):  # noqa: F811
    url, _ = attachment_site
    db = tmp_path / "site.db"
    summary = crawl(url, db)
    conn = sqlite3.connect(db)
    (rel,) = conn.execute("SELECT warc_file FROM runs WHERE id=?",
                          (summary["run_id"],)).fetchone()
    path = tmp_path / rel
    assert rel.startswith("warc/bentre-") and path.exists()
    proc = warcio_check(path)
    assert proc.returncode == 0, proc.stdout
    with open(path, "rb") as fh:
        responses = {r.rec_headers.get_header("WARC-Target-URI"): r.http_headers.get_statuscode()
                     for r in ArchiveIterator(fh) if r.rec_type == "response"}
    for p in ("/robots.txt", "/chuyen-muc/tin-tuc-su-kien/tin-tuc-su-kien", "/content/bai-mot",
              "/sites/default/files/nghi-quyet.pdf", "/sites/default/files/mat.pdf"):
        assert url + p in responses, p
    assert responses[url + "/cu"] == "301"  # the redirect itself is kept
    articles = conn.execute(
        "SELECT url, warc_file, warc_offset, warc_record_id, warc_digest FROM articles").fetchall()
    assert len(articles) == 2
    for article_url, warc_file, offset, record_id, digest in articles:
        got = read_response(tmp_path / warc_file, offset)
        assert (got.url, got.record_id, got.digest) == (article_url, record_id, digest)
        assert got.status == 200 and b"field-item" in got.body
    # The article was served gzip-encoded: the WARC keeps the encoded bytes.
    (offset,) = conn.execute(
        "SELECT warc_offset FROM articles WHERE url LIKE '%bai-mot'").fetchone()
    assert read_response(path, offset).raw_body[:2] == b"\x1f\x8b"
