"""Drupal 7 listing shapes beyond the replica's: Views can render a section as a table or a
grid, with the date label in the table header instead of the row."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from scrapers.spiders import spider_for

ROW_FIELDS = (
    '<{cell} class="views-field views-field-title"><a href="/content/bai-mot">Bài một</a></{cell}>'
    '<{cell} class="views-field views-field-created">{date}</{cell}>'
    '<{cell} class="views-field views-field-field-tac-gia">ThS. Dương Quốc Hoàng</{cell}>'
    '<{cell} class="views-field views-field-field-chuc-vu">Phó Hiệu trưởng</{cell}>'
)
TABLE = (
    '<div class="view"><div class="view-content"><table class="views-table cols-4"><thead><tr>'
    '<th class="views-field views-field-title">Tiêu đề</th>'
    '<th class="views-field views-field-created">Ngày Đăng</th></tr></thead><tbody>'
    '<tr class="odd views-row-first">' + ROW_FIELDS.format(cell="td", date="17/02/2021")
    + "</tr></tbody></table></div></div>"
)
GRID = (
    '<div class="view"><div class="view-content"><table class="views-view-grid cols-2"><tbody>'
    '<tr class="row-1"><td class="col-1 col-first">'
    + ROW_FIELDS.format(cell="div", date="Ngày Đăng : 17/02/2021")
    + "</td></tr></tbody></table></div></div>"
)


@pytest.mark.parametrize("html", [TABLE, GRID], ids=["table", "grid"])
def test_views_table_and_grid_rows_are_read(html):
    cls = spider_for("bentre")
    spider = cls(base_url="http://127.0.0.1:8000")
    spider.crawler = get_crawler(cls)
    url = "http://127.0.0.1:8000/chuyen-muc/tin-tuc-su-kien/tin-tuc-su-kien"
    response = HtmlResponse(url=url, body=html.encode(), encoding="utf-8", request=Request(url))
    requests = [o for o in spider.parse_listing(response, section="Tin tức - Sự kiện")
                if isinstance(o, Request)]
    assert [r.url for r in requests] == ["http://127.0.0.1:8000/content/bai-mot"]
    facts = requests[0].cb_kwargs["listing"]
    assert "17/02/2021" in facts["date_raw"]
    assert (facts["author_raw"], facts["role_raw"]) == ("ThS. Dương Quốc Hoàng",
                                                        "Phó Hiệu trưởng")
