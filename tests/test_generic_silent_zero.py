"""No silent zero for a generic site: a site-file crawl that reads pages but meets no article
fails (exit 6, run recorded failed), as a family spider's empty listings do."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from replicas.schools import ReplicaSite
from replicas.server import ReplicaServer
from tests.conftest import run_cli

HTML = "text/html; charset=utf-8"


class RedesignedBinhDuong(ReplicaSite):
    """Bình Dương after a redesign: its news now lives at `/tin-tuc/chi-tiet.aspx?id=N`, not
    the `/Tin-tuc/<slug>-N` shape its site file holds (sites.md §1.17), so every page answers
    200 and not one is an article the site file would take."""

    slug = "binh_duong_redesigned"
    name = "Trường Chính trị tỉnh Bình Dương"
    articles: list[Any] = []

    def route(self, target: str) -> tuple[int, str, bytes, dict[str, str]]:
        path, _, query = target.partition("?")
        if path.endswith((".xml", ".txt")):
            return 404, "text/plain; charset=utf-8", b"Not Found", {}
        rows = "".join(
            f'<li><a href="/tin-tuc/chi-tiet.aspx?id={8490 + n}">Hội nghị quán triệt Nghị quyết '
            f"lần {n}</a></li>" for n in range(1, 6))
        if path.startswith("/tin-tuc/chi-tiet.aspx"):
            body = (f"<h1>Hội nghị quán triệt Nghị quyết ({query})</h1><p>Sáng nay, Trường "
                    "Chính trị tỉnh tổ chức hội nghị quán triệt, triển khai Nghị quyết của Đảng "
                    "cho cán bộ, giảng viên.</p>")
        else:
            body = f"<h2>Tin tức</h2><ul>{rows}</ul>"
        page = f"""<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>Tin tức | {self.name}</title></head><body>
<div class="menu"><a href="/">Trang chủ</a> <a href="/Tin-tuc">Tin tức</a></div>
<div class="content">{body}</div>
<div class="footer">Bản quyền thuộc {self.name}</div></body></html>"""
        return 200, HTML, page.encode(), {}


def test_a_generic_crawl_that_meets_no_article_fails_loudly(tmp_path):
    db = tmp_path / "bd.db"
    with ReplicaServer(RedesignedBinhDuong()) as server:
        proc = run_cli("crawl", "binh_duong", "--base-url", server.url, "--db", str(db),
                       "--delay", "0", "--json", check=False)
    assert proc.returncode == 6, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["new"] == 0 and summary["pages"] > 1
    assert any("not one article" in m for m in summary["silent_zero"]), summary
    assert "no silent zero" in proc.stderr
    status, stats = sqlite3.connect(db).execute("SELECT status, stats_json FROM runs").fetchone()
    assert status == "failed"
    assert "silent_zero" in json.loads(stats)["failed_because"]
