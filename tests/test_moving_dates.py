"""A date that moves between two fetches of the same unchanged page is a clock (issue 11, item 6).

The crawl-day rule refuses a clock showing today; a cached or lagging clock shows another day,
and only a second fetch tells it apart from a publication date. The replica here prints, under
each title, an "updated" stamp that is days behind and different on every request, and nothing
else dated.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sqlite3
from pathlib import Path

from replicas.schools import VN_TZ, ReplicaSite
from replicas.server import ReplicaServer
from tests.conftest import run_cli

HTML = "text/html; charset=utf-8"
TITLES = [
    "Khai giảng lớp Trung cấp lý luận chính trị - hành chính khóa 45",
    "Hội thảo khoa học về công tác xây dựng Đảng ở cơ sở",
    "Bế giảng lớp bồi dưỡng cán bộ lãnh đạo, quản lý cấp phòng",
    "Hội nghị cán bộ, viên chức, người lao động năm 2026",
    "Nghiệm thu đề tài khoa học cấp trường về lịch sử Đảng bộ tỉnh",
    "Kỷ niệm Ngày Nhà giáo Việt Nam 20 tháng 11",
]
BODY = [
    "Trường Chính trị tỉnh tổ chức lễ {what} cho học viên đến từ các cơ quan, đơn vị trong tỉnh. "
    "Đồng chí Hiệu trưởng nhà trường chủ trì buổi lễ và phát biểu chỉ đạo.",
    "Chương trình gồm các phần lý luận, thực tiễn và kỹ năng lãnh đạo, quản lý; học viên được "
    "trao đổi kinh nghiệm, nghiên cứu thực tế tại địa phương.",
    "Nhà trường đề nghị học viên phát huy tinh thần tự học, vận dụng kiến thức vào công việc, "
    "góp phần nâng cao chất lượng đội ngũ cán bộ của tỉnh.",
]


class LaggingClockSite(ReplicaSite):
    slug = "lagging"
    name = "Trường Chính trị tỉnh Thử nghiệm"
    articles: list = []

    def __init__(self) -> None:
        self.requests = itertools.count(1)

    def clock(self) -> str:
        """A header clock days behind and one day further behind on every request."""
        when = dt.datetime.now(VN_TZ) - dt.timedelta(days=4 + next(self.requests))
        return f"Cập nhật lúc {when:%H:%M} ngày {when:%d/%m/%Y}"

    def page(self, title: str, content: str) -> bytes:
        return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title} - '
                f'{self.name}</title></head><body><div id="header"><p class="site-name">'
                f'{self.name}</p><ul class="menu"><li><a href="/">Trang chủ</a></li><li><a '
                f'href="/gioi-thieu.html">Giới thiệu</a></li><li><a href="/lien-he.html">Liên hệ'
                f'</a></li></ul></div><div id="main">{content}</div>'
                f'<div id="footer">© {self.name}</div></body></html>').encode()

    def route(self, target: str) -> tuple[int, str, bytes, dict[str, str]]:
        path = target.partition("?")[0]
        if path == "/":
            teasers = "".join(
                f'<div class="item"><h3><a href="/tin-tuc/bai-{i}.html">{t}</a></h3>'
                f"<p>{BODY[1]}</p></div>" for i, t in enumerate(TITLES, 1))
            return 200, HTML, self.page("Trang chủ", f"<h2>Tin tức</h2>{teasers}"), {}
        for i, title in enumerate(TITLES, 1):
            if path == f"/tin-tuc/bai-{i}.html":
                paras = "".join(f"<p>{p.format(what=title.split()[0].lower())}</p>"
                                for p in BODY)
                stamp = f'<p class="meta">{self.clock()}</p>'
                return 200, HTML, self.page(title, f"<h1>{title}</h1>{stamp}{paras}"), {}
        return 404, HTML, b"<html><body>Not found</body></html>", {}


def dates(db: Path) -> dict[str, tuple[str | None, str | None]]:
    conn = sqlite3.connect(db)
    try:
        return {url: (at, source) for url, at, source in conn.execute(
            "SELECT url, published_at, published_source FROM articles")}
    finally:
        conn.close()


def test_a_date_that_moves_between_fetches_is_refused_as_a_clock(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with ReplicaServer(LaggingClockSite()) as server:
        args = ("crawl-url", server.url + "/", "--db", str(db), "--delay", "0", "--json")
        first = json.loads(run_cli(*args).stdout)
        assert first["new"] == len(TITLES), first
        before = dates(db)
        # The lagging clock is no crawl-day date: the first fetch cannot tell it from a date.
        assert all(at is not None for at, _ in before.values()), before
        run_cli(*args)
    after = dates(db)
    assert set(after) == set(before)
    assert all(v == (None, "refused_clock") for v in after.values()), after
