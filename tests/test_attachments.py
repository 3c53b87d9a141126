"""Attachments: sniffed by their bytes, stored by sha256 under a safe name, linked to their
article, text of PDF/DOCX indexed, oversized files refused with a fetch-log row."""

from __future__ import annotations

import gzip
import hashlib
import io
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

import scrapers.settings as project_settings
from archive.store import Archive
from pipelines.attachments import (
    DOCX_MIME,
    extract_text,
    safe_file_name,
    sniff_mime,
    store_attachment,
)
from tests.conftest import ROOT, crawl

# The end-to-end tests need the lead's wiring (settings, spider): see the report of issue 5.
WIRED = "pipelines.capture.WarcCaptureMiddleware" in getattr(
    project_settings, "DOWNLOADER_MIDDLEWARES", {}
) and "pipelines.attachments.AttachmentPipeline" in project_settings.ITEM_PIPELINES
needs_wiring = pytest.mark.skipif(not WIRED, reason="capture/attachments not wired in settings")

# -- generated files ---------------------------------------------------------------------------


def make_pdf(text: str) -> bytes:
    """A one-page PDF whose content stream shows `text` (ASCII) in Helvetica."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def make_docx(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def make_ole_doc() -> bytes:
    """The head of an OLE compound file with a WordDocument stream entry, as Word 97 writes."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    entry = "WordDocument".encode("utf-16-le").ljust(64, b"\x00")
    return header + entry + b"\x00" * 1024


PDF = make_pdf("Nghi quyet Dai hoi Dang bo Truong Chinh tri")
DOCX = make_docx(["Kế hoạch bồi dưỡng lý luận chính trị năm 2024", "Đảng ủy Trường"])
FAKE_DOC = ("<html><head><meta charset='utf-8'></head><body><p>Thông tư 19</p>"
            "</body></html>").encode()
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
BIG_SIZE = 21 * 1024 * 1024  # over the default 20 MiB limit


# -- a small Drupal-like site with attachments, on loopback ------------------------------------

TT = "/chuyen-muc/tin-tuc-su-kien/tin-tuc-su-kien"
TTTD = "/thông-tin-trao-đổi/thông-tin-trao-đổi"

ARTICLE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<link rel="canonical" href="/content/{slug}" /><link rel="shortlink" href="/node/{nid}" />
<title>{title}</title></head><body>
<h1 class="title" id="page-title">{title}</h1>
<div id="block-system-main" class="block block-system"><div class="content">
<div id="node-{nid}" class="node node-article clearfix"><div class="content clearfix">
<div class="field field-name-body field-type-text-with-summary field-label-hidden">
<div class="field-items"><div class="field-item even" property="content:encoded">
<p>{title}: nội dung sinh hoạt chi bộ của Đảng bộ Trường.</p>
{links}
</div></div></div></div></div></div></div></body></html>"""

LINKS = """<p><a href="/sites/default/files/nghi-quyet.pdf">Nghị quyết (PDF)</a></p>
<p><a href="/sites/default/files/k%E1%BA%BF-ho%E1%BA%A1ch.docx">Kế hoạch</a></p>
<p><a href="/sites/default/files/Th%C3%B4ng%20t%C6%B0%2019.doc">Thông tư 19</a></p>
<p><a href="/sites/default/files/lon.pdf">Tài liệu lớn</a></p>
<p><a href="/sites/default/files/mat.pdf">Tệp đã mất</a></p>
<p><img src="/sites/default/files/anh.png" alt="" /></p>"""

FILES = {
    "/sites/default/files/nghi-quyet.pdf": ("application/pdf", PDF),
    "/sites/default/files/kế-hoạch.docx": ("application/octet-stream", DOCX),
    "/sites/default/files/Thông tư 19.doc": ("application/msword", FAKE_DOC),
    "/sites/default/files/anh.png": ("image/png", PNG),
}


def row(href: str, date: str) -> str:
    return (
        '<div class="views-row"><div class="views-field views-field-title">'
        f'<span class="field-content"><a href="{href}">Bài {href}</a></span></div>'
        '<div class="views-field views-field-created">'
        f'<span class="field-content">Ngày Đăng : {date}</span></div></div>'
    )


class SiteHandler(BaseHTTPRequestHandler):
    big_size = BIG_SIZE
    seen: list[str] = []
    slow: dict[str, float] = {}  # path -> seconds before the answer
    third = False  # a third article, linking files of the first (tests/test_attachments_*)

    def log_message(self, *args):
        pass

    def send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8",
             gzipped: bool = False, length: int | None = None) -> None:
        if gzipped:
            body = gzip.compress(body)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(length if length is not None else len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except OSError:  # the client gave up (size limit)
            pass

    def do_GET(self):
        path = unquote(urlsplit(self.path).path)
        self.seen.append(path)
        time.sleep(self.slow.get(path, 0))
        gz = "gzip" in (self.headers.get("Accept-Encoding") or "")
        if path == "/robots.txt":
            return self.send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if path == TT:
            rows = row("/content/bai-mot", "17/02/2021") + row("/cu", "16/02/2021")
            if self.third:
                rows = row("/content/bai-ba", "18/02/2021") + rows
            return self.send(200, f'<div class="view-content">{rows}</div>'.encode())
        if path == TTTD:
            rows = row("/content/bai-hai", "15/02/2021")
            return self.send(200, f'<div class="view-content">{rows}</div>'.encode())
        if path == "/content/bai-mot":
            page = ARTICLE.format(slug="bai-mot", nid=1, title="Bài một", links=LINKS)
            return self.send(200, page.encode(), gzipped=gz)
        if path == "/content/bai-hai":
            page = ARTICLE.format(slug="bai-hai", nid=2, title="Bài hai",
                                  links=LINKS.split("\n")[0])  # the same PDF again
            return self.send(200, page.encode())
        if path == "/content/bai-ba" and self.third:
            links = "\n".join(LINKS.split("\n")[i] for i in (0, 5))  # the PDF and the photo
            page = ARTICLE.format(slug="bai-ba", nid=3, title="Bài ba", links=links)
            return self.send(200, page.encode())
        if path == "/cu":  # an old address redirected to the article
            self.send_response(301)
            self.send_header("Location", "/content/bai-hai")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if path == "/sites/default/files/lon.pdf":
            head = b"%PDF-1.4\n" + b"0" * (1 << 16)
            return self.send(200, head, "application/pdf", length=self.big_size)
        if path in FILES:
            ctype, data = FILES[path]
            return self.send(200, data, ctype)
        return self.send(404, "<h1>Không tìm thấy trang</h1>".encode())


@pytest.fixture()
def attachment_site():
    handler = type("Site", (SiteHandler,), {"seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", handler
    server.shutdown()
    server.server_close()


# -- sniffing, names, text ---------------------------------------------------------------------


def test_sniffing_reads_the_bytes_not_the_name():
    assert sniff_mime(PDF) == "application/pdf"
    assert sniff_mime(DOCX) == DOCX_MIME
    assert sniff_mime(make_ole_doc()) == "application/msword"
    assert sniff_mime(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600) == (
        "application/x-ole-storage")
    assert sniff_mime(FAKE_DOC) == "text/html"  # a .doc that is really HTML (sites.md 4.13)
    assert sniff_mime(PNG) == "image/png"
    assert sniff_mime(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100) == "image/jpeg"
    assert sniff_mime("Danh sách học viên\n".encode()) == "text/plain"
    assert sniff_mime(b"") == "application/octet-stream"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "x")
    assert sniff_mime(buf.getvalue()) == "application/zip"


@pytest.mark.parametrize(
    ("url", "mime", "disposition", "expected"),
    [
        ("http://h/files/Th%C3%B4ng%20t%C6%B0%2019.doc", "text/html", "", "Thong-tu-19.html"),
        ("http://h/files/Th%C3%B4ng%20t%C6%B0%2019.doc", "application/msword", "",
         "Thong-tu-19.doc"),
        ("http://h/a/..%2F..%2Fetc%2Fpasswd", "text/plain", "", "passwd.txt"),
        ("http://h/a/..%5C..%5Cwin.ini", "", "", "win.ini"),
        ("http://h/files/.htaccess", "", "", "htaccess"),
        ("http://h/download.php?id=3", "application/pdf",
         "attachment; filename*=UTF-8''Ngh%E1%BB%8B%20quy%E1%BA%BFt%20%C4%91%E1%BA%A3ng.pdf",
         "Nghi-quyet-dang.pdf"),
        ("http://h/", "image/png", "", "attachment.png"),
        ("http://h/files/ẢNH%20đẹp.JPEG", "image/jpeg", "", "ANH-dep.jpeg"),
    ],
)
def test_safe_file_names(url, mime, disposition, expected):
    name = safe_file_name(url, mime, disposition)
    assert name == expected
    assert name.isascii() and "/" not in name and "\\" not in name and not name.startswith(".")


def test_long_names_are_cut_keeping_the_extension():
    name = safe_file_name("http://h/" + "a" * 300 + ".pdf", "application/pdf")
    assert len(name) <= 120 and name.endswith(".pdf")


def test_text_of_pdf_and_docx():
    assert "Nghi quyet Dai hoi" in extract_text(PDF, "application/pdf")
    text = extract_text(DOCX, DOCX_MIME)
    assert "Kế hoạch bồi dưỡng lý luận chính trị năm 2024" in text and "Đảng ủy" in text
    assert extract_text(b"%PDF-1.4 broken", "application/pdf") == ""
    assert extract_text(PNG, "image/png") == ""


# -- storage -----------------------------------------------------------------------------------


def _article(archive: Archive, n: int = 1) -> int:
    _, article_id = archive.store_article(
        {"site": "bentre", "canonical_url": f"https://x.vn/content/bai-{n}", "title": f"Bài {n}",
         "text": f"Nội dung {n}", "content_hash": f"h{n}"}, None)
    return article_id


def test_store_by_sha256_with_links_and_search(tmp_path):
    db = tmp_path / "a.db"
    with Archive(db) as archive:
        a1, a2 = _article(archive, 1), _article(archive, 2)
        url = "http://h/files/k%E1%BA%BF-ho%E1%BA%A1ch.docx"
        outcome, sha = store_attachment(archive, tmp_path, article_id=a1, url=url, data=DOCX,
                                        label="Kế hoạch")
        assert outcome == "new" and sha == hashlib.sha256(DOCX).hexdigest()
        again, _ = store_attachment(archive, tmp_path, article_id=a2, url=url + "?v=2",
                                    data=DOCX)
        assert again == "known"
    conn = sqlite3.connect(db)
    mime, size, path, name, text = conn.execute(
        "SELECT mime, size, path, file_name, text FROM attachments").fetchone()
    assert (mime, size, name) == (DOCX_MIME, len(DOCX), "ke-hoach.docx")
    assert path == f"attachments/{sha[:2]}/{sha}.docx"
    assert (tmp_path / path).read_bytes() == DOCX
    assert "bồi dưỡng" in text
    links = conn.execute(
        "SELECT article_id, sha256, label FROM article_attachments ORDER BY article_id").fetchall()
    assert links == [(a1, sha, "Kế hoạch"), (a2, sha, None)]
    # Searchable with and without diacritics, through the folded column.
    hits = conn.execute(
        "SELECT a.sha256 FROM attachments_fts f JOIN attachments a ON a.rowid = f.rowid "
        "WHERE attachments_fts MATCH ?", ('text_fold:"boi duong"',)).fetchall()
    assert hits == [(sha,)]
    assert conn.execute("SELECT count(*) FROM attachments_fts").fetchone()[0] == 1
    assert list(tmp_path.glob("attachments/*/.tmp-*")) == []


# -- through Scrapy's engine (before the wiring: a crawl script with the pieces) ---------------

SCRIPT = textwrap.dedent("""
    import sys
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from archive.store import Archive
    from pipelines.items import ArticleItem

    base, db, maxsize = sys.argv[1], sys.argv[2], int(sys.argv[3])

    class StorePipeline:  # stands in for ArchivePipeline: stores and sets article_id
        def __init__(self, crawler):
            self.crawler = crawler
        @classmethod
        def from_crawler(cls, crawler):
            return cls(crawler)
        def open_spider(self, spider=None):
            self.archive = Archive(db)
            self.crawler.stats.set_value("luutru/run_id", self.archive.start_run("t", base))
        def close_spider(self, spider=None):
            self.archive.close()
        def process_item(self, item):
            _, item.article_id = self.archive.store_article({
                "site": "t", "canonical_url": item.url, "title": item.title_raw,
                "text": "x", "content_hash": item.url}, None)
            return item

    class Spider(scrapy.Spider):
        name = "t"
        async def start(self):
            yield scrapy.Request(base + "/content/bai-mot")
        def parse(self, response):
            links = response.css(".field-item a::attr(href), .field-item img::attr(src)")
            yield ArticleItem(site="t", url=response.url, fetched_at="", title_raw="Bài một",
                              attachment_urls=[response.urljoin(h) for h in links.getall()]
                              + ["data:image/png;base64,AAAA"])

    process = CrawlerProcess({
        "LUUTRU_DB": db, "LUUTRU_ATTACHMENT_MAXSIZE": maxsize, "ROBOTSTXT_OBEY": True,
        "LOG_LEVEL": "WARNING", "REMOTE_CONTROL_ENABLED": False, "TELNETCONSOLE_ENABLED": False,
        "DOWNLOADER_MIDDLEWARES": {"pipelines.capture.WarcCaptureMiddleware": 800},
        "ITEM_PIPELINES": {"__main__.StorePipeline": 900,
                           "pipelines.attachments.AttachmentPipeline": 950},
    })
    process.crawl(Spider)
    process.start()
""")


def run_script(base: str, db: Path, maxsize: int) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, base, str(db), str(maxsize)], cwd=ROOT,
        capture_output=True, text=True, timeout=120, env={"PYTHONPATH": str(ROOT),
                                                          "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 0, proc.stderr


def check_attachments(db: Path, site_url: str) -> sqlite3.Connection:
    """What every attachment test expects of the archive after a crawl of `attachment_site`."""
    conn = sqlite3.connect(db)
    log = {url.removeprefix(site_url): (outcome, reason) for url, outcome, reason in
           conn.execute("SELECT url, outcome, reason FROM fetch_log WHERE kind='attachment'")}
    files = "/sites/default/files/"
    assert log[files + "lon.pdf"] == ("skipped", "too_large")
    assert log[files + "mat.pdf"] == ("failed", "http_404")
    for name in ("nghi-quyet.pdf", "k%E1%BA%BF-ho%E1%BA%A1ch.docx",
                 "Th%C3%B4ng%20t%C6%B0%2019.doc", "anh.png"):
        assert log[files + name] == ("stored", None), name
    rows = {name: (mime, path, text) for name, mime, path, text in conn.execute(
        "SELECT file_name, mime, path, text FROM attachments")}
    assert set(rows) == {"nghi-quyet.pdf", "ke-hoach.docx", "Thong-tu-19.html", "anh.png"}
    assert rows["Thong-tu-19.html"][0] == "text/html"
    assert rows["ke-hoach.docx"][0] == DOCX_MIME  # served as application/octet-stream
    assert "Nghi quyet Dai hoi" in rows["nghi-quyet.pdf"][2]
    for _mime, path, _text in rows.values():
        data = (db.parent / path).read_bytes()
        assert path.split("/")[-1].startswith(hashlib.sha256(data).hexdigest())
    assert not any(db.parent.glob("attachments/**/lon*"))
    return conn


def test_pipeline_downloads_through_the_engine(attachment_site, tmp_path):
    url, handler = attachment_site
    db = tmp_path / "t.db"
    run_script(url, db, 1024 * 1024)
    conn = check_attachments(db, url)
    (article_id,) = conn.execute("SELECT id FROM articles").fetchone()
    assert conn.execute("SELECT count(*) FROM article_attachments WHERE article_id=?",
                        (article_id,)).fetchone()[0] == 4
    # Attachments pass through the WARC capture like every other response.
    from archive.warc import check_file

    (warc,) = (tmp_path / "warc").glob("t-*.warc.gz")
    assert sum(1 for c in check_file(warc) if c.rec_type == "response") == 7
    # A second run links known URLs again without downloading them.
    before = list(handler.seen)
    run_script(url, db, 1024 * 1024)
    again = handler.seen[len(before):]
    assert "/sites/default/files/nghi-quyet.pdf" not in again
    assert "/sites/default/files/lon.pdf" in again  # refused files are tried again


@needs_wiring
def test_crawl_stores_attachments_and_refuses_large_ones(attachment_site, tmp_path):
    url, _ = attachment_site
    db = tmp_path / "site.db"
    summary = crawl(url, db)
    assert summary["status"] == "finished"
    conn = check_attachments(db, url)
    links = dict(conn.execute(
        "SELECT a.canonical_url, count(*) FROM article_attachments l JOIN articles a "
        "ON a.id = l.article_id GROUP BY a.id"))
    live = "https://truongchinhtribentre.edu.vn/content/"
    assert links == {live + "bai-mot": 4, live + "bai-hai": 1}
