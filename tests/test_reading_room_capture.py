"""The reading room's "as captured" view: a page rebuilt from its WARC record, scripts gone,
links to archived pages kept inside the archive, other links marked external, nothing loaded
from outside, and a Content-Security-Policy that would block scripts on its own."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import lxml.html
import pytest

from archive.db import open_reader
from luutru.web.capture_view import CAPTURE_CSP, EXTERNAL_CLASS, sanitize
from luutru.web.serve import make_datasette

BASE = "http://127.0.0.1:8000/tin-tuc/bai-mot"

HOSTILE = """<!DOCTYPE html><html><head>
<meta http-equiv="refresh" content="0; url=https://evil.example/">
<meta charset="windows-1258"><base href="https://evil.example/">
<link rel="stylesheet" href="/themes/site.css"><script src="/js/a.js"></script>
<style>@import url(https://evil.example/x.css); body { background: url(/bg.png) }</style>
</head><body onload="steal()">
<script>document.write('x')</script><noscript><img src="https://evil.example/t.gif"></noscript>
<a href="/tin-tuc/bai-hai">Bài hai</a>
<a href="https://truongchinhtri.example.vn/tin-tuc/bai-hai#doan-2">Bài hai (live)</a>
<a href="/tin-tuc/chua-luu">Chưa lưu</a>
<a href="javascript:alert(1)">js</a><a href="#top">top</a>
<a href="/files/ke-hoach.pdf">Kế hoạch</a>
<img src="/images/anh.jpg" srcset="/images/anh-2x.jpg 2x" onerror="x()">
<img src="https://cdn.example.com/logo.png">
<iframe src="https://www.youtube.com/embed/x"></iframe><object data="/f.swf"></object>
<svg><script>alert(1)</script><use href="https://evil.example/s.svg#a"/></svg>
<form action="https://evil.example/post"><input name="q"></form>
<p style="background-image: url('https://evil.example/p.png')">Đoạn văn</p>
</body></html>"""


def fake_resolver(urls: list[str]) -> dict[str, str]:
    known = {
        "http://127.0.0.1:8000/tin-tuc/bai-hai": "/article/2/capture",
        "https://truongchinhtri.example.vn/tin-tuc/bai-hai": "/article/2/capture",
        "http://127.0.0.1:8000/files/ke-hoach.pdf": "/attachment/" + "a" * 64,
        "http://127.0.0.1:8000/images/anh.jpg": "/attachment/" + "b" * 64,
    }
    return {u: known[u] for u in urls if u in known}


def test_sanitize_neutralises_a_hostile_page() -> None:
    out = sanitize(HOSTILE, BASE, fake_resolver, '<div id="banner">Bản lưu trữ</div>')
    html = out.decode("utf-8")
    doc = lxml.html.document_fromstring(out)
    assert not doc.xpath("//script | //iframe | //object | //embed | //base | //noscript")
    assert not doc.xpath("//meta[@http-equiv]") and "evil.example/\"" not in html
    assert doc.xpath("//meta[@charset='utf-8']")
    assert not [a for el in doc.iter() for a in el.attrib if a.lower().startswith("on")]
    assert "javascript:" not in html and "@import" not in html
    assert not doc.xpath("//link")  # stylesheets are not archived: nothing to load
    hrefs = {a.text_content(): a for a in doc.xpath("//a")}
    assert hrefs["Bài hai"].get("href") == "/article/2/capture"
    assert hrefs["Bài hai (live)"].get("href") == "/article/2/capture#doan-2"
    assert hrefs["Kế hoạch"].get("href") == "/attachment/" + "a" * 64
    external = hrefs["Chưa lưu"]
    assert external.get("href") == "http://127.0.0.1:8000/tin-tuc/chua-luu"
    assert EXTERNAL_CLASS in external.get("class") and "noreferrer" in external.get("rel")
    assert hrefs["js"].get("href") is None and hrefs["top"].get("href") == "#top"
    images = doc.xpath("//img")
    assert [i.get("src") for i in images] == ["/attachment/" + "b" * 64, None]
    assert images[1].get("data-luutru-original") == "https://cdn.example.com/logo.png"
    assert not any(i.get("srcset") for i in images)
    assert doc.xpath("//use")[0].get("href") is None
    assert doc.xpath("//form")[0].get("action") is None
    # nothing outside the archive is requested: every remaining URL is local
    remote = re.findall(r"""(?:src|href)\s*=\s*["']?(https?:[^"' >]+)""", html)
    assert remote == ["http://127.0.0.1:8000/tin-tuc/chua-luu"]  # a link to click, not a load
    assert "url(" not in html.replace("url('/attachment", "")
    assert doc.xpath("//body/*[1]")[0].get("id") == "banner"
    assert "Đoạn văn" in html


@pytest.fixture(scope="module")
def served(bentre_archive) -> Any:
    db = bentre_archive[0]
    ds = make_datasette(db)
    conn = open_reader(db)
    try:
        rows = conn.execute(
            "SELECT id, title, url FROM articles WHERE warc_file IS NOT NULL ORDER BY id"
        ).fetchall()
    finally:
        conn.close()
    return ds, rows


def get(ds: Any, path: str) -> Any:
    return asyncio.run(ds.client.get(path))


def test_capture_is_served_from_the_warc_record(served) -> None:
    ds, rows = served
    archived = {r[0] for r in rows}
    for article_id, title, url in rows[:3]:
        page = get(ds, f"/article/{article_id}/capture")
        assert page.status_code == 200
        assert page.headers["content-security-policy"] == CAPTURE_CSP
        assert "script-src 'none'" in CAPTURE_CSP and "sandbox" in CAPTURE_CSP
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "no-referrer"
        doc = lxml.html.document_fromstring(page.content)
        assert title in doc.text_content()  # the original page, as the site printed it
        assert not doc.xpath("//script")
        assert doc.xpath("//*[@id='luutru-capture-banner']//a/@href") == [
            f"/article/{article_id}"]
        assert url in doc.xpath("string(//*[@id='luutru-capture-banner'])")
        inside = [h for h in doc.xpath("//a/@href") if re.match(r"/article/\d+/capture", h)]
        external = doc.xpath(f"//a[contains(@class, '{EXTERNAL_CLASS}')]/@href")
        # "Tin khác" links name other archived articles: they stay in the archive
        assert inside and {int(h.split("/")[2]) for h in inside} <= archived
        assert external and all(h.startswith(("http://", "https://", "mailto:", "tel:"))
                                for h in external)
        loads = doc.xpath("//img/@src | //link/@href | //source/@src")
        assert all(s.startswith("/attachment/") for s in loads), loads


def test_capture_of_missing_article_or_record(served, bentre_archive) -> None:
    ds, _ = served
    assert get(ds, "/article/999999/capture").status_code == 404


def test_capture_decodes_a_windows_1258_page_served_as_utf8() -> None:
    """The charset the header claims gives way to the page's own when the bytes contradict
    it, and the tone marks come out composed (NFC)."""
    import unicodedata

    from archive.warc import CapturedResponse
    from luutru.web.capture_view import decode
    from tests.test_charsets import to_cp1258

    text = ('<html><head><meta charset="windows-1258"></head><body>'
            "<p>Đảng ủy Trường Chính trị tỉnh Bến Tre sơ kết nhiệm vụ năm học</p></body></html>")
    body = to_cp1258(text)
    capture = CapturedResponse(url=BASE, status=200, body=body, raw_body=body,
                               headers=[("Content-Type", "text/html; charset=utf-8")],
                               record_id="", digest="", date="")
    decoded = decode(capture)
    assert "Đảng ủy Trường Chính trị tỉnh Bến Tre" in decoded
    assert unicodedata.is_normalized("NFC", decoded) and "\ufffd" not in decoded
