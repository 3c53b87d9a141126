"""Old servers send windows-1258 pages, often undeclared: the stored text must be right, NFC."""

from __future__ import annotations

import sqlite3
import threading
import unicodedata
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

import pytest

from tests.conftest import crawl

TT = "/chuyen-muc/tin-tuc-su-kien/tin-tuc-su-kien"
TITLE = "Hội nghị quán triệt Nghị quyết Đại hội Đảng bộ tỉnh Bến Tre lần thứ X"
PARAGRAPHS = [
    "Sáng ngày 23 tháng 2 năm 2016, Đảng ủy Khối Các cơ quan tỉnh tổ chức Hội nghị triển khai "
    "quán triệt các văn bản cụ thể hóa thực hiện Nghị quyết Đại hội Đảng bộ Khối lần thứ XII.",
    "Đồng chí Bí thư Đảng ủy Khối nhấn mạnh việc nâng cao chất lượng sinh hoạt Đảng, sinh hoạt "
    "chi bộ, phát huy vai trò người đứng đầu cấp ủy và tinh thần tự phê bình và phê bình.",
    "Kết thúc Hội nghị, các cấp ủy cơ sở khẩn trương tổ chức triển khai cho cán bộ, đảng viên, "
    "viên chức, đoàn viên và người lao động tại cơ quan./.",
]


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"  # grave, acute, tilde, hook, dot below


def to_cp1258(text: str) -> bytes:
    """Encode as Windows did: the letter precomposed (ô, ơ, ă...) where cp1258 has it, and the
    tone as a separate combining mark."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            nfd = unicodedata.normalize("NFD", ch)
            letter = unicodedata.normalize("NFC", "".join(c for c in nfd if c not in TONE_MARKS))
            out += (letter + "".join(c for c in nfd if c in TONE_MARKS)).encode("cp1258")
    return bytes(out)


def page(meta: str) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    html = (
        f"<html><head>{meta}<title>{TITLE}</title></head><body>"
        f'<h1 class="title" id="page-title">{TITLE}</h1><div class="node node-article">'
        f'<div class="field field-name-body"><div class="field-item even">{body}</div></div>'
        "</div></body></html>"
    )
    return to_cp1258(html)


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        path = unquote(urlsplit(self.path).path)
        content_type = "text/html"
        if path == TT:
            links = "".join(
                f'<div class="views-row"><div class="views-field views-field-title">'
                f'<a href="/{slug}">{slug}</a></div><div class="views-field views-field-created">'
                f"Ngày Đăng : 17/02/2021</div></div>"
                for slug in ("khong-khai-bao", "meta-1258")
            )
            data = f'<div class="view-content">{links}</div>'.encode()
            content_type = "text/html; charset=utf-8"
        elif path == "/khong-khai-bao":  # no charset anywhere
            data = page("")
        elif path == "/meta-1258":
            meta = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">'
            data = page(meta)
        else:
            data = b"not found"
        self.send_response(200 if data != b"not found" else 404)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture()
def site_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_windows_1258_pages_stored_as_clean_nfc(site_url, tmp_path):
    assert "ô\u0323".encode("cp1258") in page("")  # the tone of ộ is a separate byte
    db = tmp_path / "cp.db"
    summary = crawl(site_url, db)
    # Both pages carry the same article: the undeclared one decodes to exactly the same text as
    # the declared one, so it is found to be its duplicate by content hash.
    assert (summary["new"], summary["duplicate"]) == (1, 1)
    conn = sqlite3.connect(db)
    for title, text in conn.execute("SELECT title, text FROM articles"):
        assert title == TITLE
        assert text == "\n\n".join(PARAGRAPHS)
        assert unicodedata.is_normalized("NFC", text)
        assert "\ufffd" not in text


def _ratio_by_character(text: str) -> float:
    """The former per-character definition, kept here as the reference."""
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    return text.count("\ufffd") / non_ascii if non_ascii else 0.0


def test_replacement_ratio_matches_the_per_character_definition():
    from scrapers.middlewares.charset import replacement_ratio

    cases = ["", "plain ASCII only", "\ufffd", "\ufffd\ufffd abc", "Trường Chính trị",
             "Tr\ufffd\ufffdng Ch\ufffdnh tr\ufffd", "\x7f\x80\xff", "đ\ud800x",
             to_cp1258("Bồi dưỡng").decode("utf-8", errors="replace"),
             unicodedata.normalize("NFD", "Lễ kỷ niệm") + "\ufffd"]
    for text in cases:
        assert replacement_ratio(text) == _ratio_by_character(text), repr(text)
    assert replacement_ratio("") == 0.0
    assert replacement_ratio("abc") == 0.0
    assert replacement_ratio("\ufffd\ufffdé") == 2 / 3
