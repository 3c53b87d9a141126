"""Drupal 7 shapes beyond the replica's: Views can render a section as a table or a grid, with
the date label in the table header instead of the row; bylines typed `Name<br />Role` in the
body, in a long-text "Tác giả" field or in one Views field are a name and a role; the posting
account a row shows is nobody's byline."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from pipelines.items import ArticleItem
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


def _spider():
    cls = spider_for("bentre")
    spider = cls(base_url="http://127.0.0.1:8000")
    spider.crawler = get_crawler(cls)
    return spider


def _response(url: str, html: str) -> HtmlResponse:
    return HtmlResponse(url=url, body=html.encode(), encoding="utf-8", request=Request(url))


def _listing_requests(html: str) -> list[Request]:
    """The article requests the Bến Tre spider makes from one section page."""
    response = _response("http://127.0.0.1:8000/chuyen-muc/tin-tuc-su-kien/tin-tuc-su-kien", html)
    return [o for o in _spider().parse_listing(response, section="Tin tức - Sự kiện")
            if isinstance(o, Request)]


UNKNOWN_DATE_FIELD = TABLE.replace("views-field-created", "views-field-field-ngay-xuat-ban")


@pytest.mark.parametrize("html", [TABLE, GRID, UNKNOWN_DATE_FIELD],
                         ids=["table", "grid", "date-field-of-another-name"])
def test_views_table_and_grid_rows_are_read(html):
    requests = _listing_requests(html)
    assert [r.url for r in requests] == ["http://127.0.0.1:8000/content/bai-mot"]
    facts = requests[0].cb_kwargs["listing"]
    assert "17/02/2021" in facts["date_raw"]
    assert (facts["author_raw"], facts["role_raw"]) == ("ThS. Dương Quốc Hoàng",
                                                        "Phó Hiệu trưởng")


ISSUE_BYLINE = "ThS. Đoàn Thanh Tâm<br />Phó Trưởng khoa Nhà nước và Pháp luật"
BODY = ("<p>Bài viết phân tích vai trò của pháp luật trong quản lý nhà nước ở cơ sở.</p>"
        "<p>Kết quả cho thấy nhiều chuyển biến tích cực trong thời gian qua.</p>")


def _node_page(body: str, fields: str = "") -> str:
    return (
        '<html><body><h1 class="title" id="page-title">Một bài viết</h1>'
        '<div id="block-system-main" class="block block-system"><div class="content">'
        '<div id="node-42" class="node node-article clearfix"><div class="content clearfix">'
        f"{fields}"
        '<div class="field field-name-body field-type-text-with-summary field-label-hidden">'
        '<div class="field-items"><div class="field-item even" property="content:encoded">'
        f"{body}</div></div></div></div></div></div></div></body></html>"
    )


def _clean(html: str):
    from pipelines.article import clean_article

    response = _response("http://127.0.0.1:8000/content/mot-bai-viet", html)
    [item] = [o for o in _spider().parse_article(response, listing={})
              if isinstance(o, ArticleItem)]
    return clean_article(item.title_raw, item.paragraphs_raw, item.author_raw, item.role_raw)


@pytest.mark.parametrize("html", [
    _node_page(f"<p>{ISSUE_BYLINE}</p>{BODY}"),  # essay: byline on top, one paragraph
    _node_page(f'{BODY}<p style="text-align: right;"><strong>{ISSUE_BYLINE}</strong></p>'),
    _node_page(BODY, fields=(  # a long-text "Tác giả" field typed the CKEditor way
        '<div class="field field-name-field-tac-gia field-type-text-long field-label-above">'
        '<div class="field-label">Tác giả:&nbsp;</div><div class="field-items">'
        f'<div class="field-item even"><p>{ISSUE_BYLINE}</p></div></div></div>')),
], ids=["top", "end-right-aligned", "node-field"])
def test_name_br_role_byline_is_a_name_and_a_role(html):
    """The issue's byline, `Name<br />Role` in one paragraph: two lines, not one name."""
    article = _clean(html)
    assert (article.author, article.author_role) == (
        "ThS. Đoàn Thanh Tâm", "Phó Trưởng khoa Nhà nước và Pháp luật")
    assert article.text.split("\n\n") == [
        "Bài viết phân tích vai trò của pháp luật trong quản lý nhà nước ở cơ sở.",
        "Kết quả cho thấy nhiều chuyển biến tích cực trong thời gian qua."]


# A Views row with the posting account (`views-field-name`) and one byline field typed
# `Name<br />Role`: the account is never the author, the field gives name and role.
VIEWS_ROW_WITH_ACCOUNT = (
    '<div class="view"><div class="view-content"><div class="views-row views-row-1">'
    '<div class="views-field views-field-title"><span class="field-content">'
    '<a href="/content/bai-mot">Bài một</a></span></div>'
    '<div class="views-field views-field-name"><span class="views-label">Người đăng: </span>'
    '<span class="field-content"><span class="username">bientap</span></span></div>'
    '<div class="views-field views-field-field-tac-gia"><div class="field-content">'
    f"<p>{ISSUE_BYLINE}</p></div></div></div></div></div>"
)
# Core's term page of node teasers showing the "Tác giả" field in teaser mode.
TEASER_ROW = (
    '<div id="block-system-main"><div id="node-7" class="node node-article node-teaser">'
    '<h2><a href="/content/bai-mot">Bài một</a></h2><div class="content clearfix">'
    '<div class="field field-name-field-tac-gia field-type-text-long field-label-inline">'
    '<div class="field-label">Tác giả:&nbsp;</div><div class="field-items">'
    f'<div class="field-item even"><p>{ISSUE_BYLINE}</p></div></div></div>'
    '<div class="field field-name-body"><div class="field-items"><div class="field-item">'
    "<p>Tóm tắt bài một.</p></div></div></div></div></div></div>"
)


@pytest.mark.parametrize("row", [VIEWS_ROW_WITH_ACCOUNT, TEASER_ROW],
                         ids=["views-row-with-posting-account", "node-teaser"])
def test_listing_row_byline_field_is_a_name_and_a_role(row):
    [request] = _listing_requests(row)
    facts = request.cb_kwargs["listing"]
    assert facts["title_raw"] == "Bài một"
    assert (facts["author_raw"], facts["role_raw"]) == (
        "ThS. Đoàn Thanh Tâm", "Phó Trưởng khoa Nhà nước và Pháp luật")


def test_two_authors_in_the_byline_field():
    """A "Tác giả" field holding two name/role pairs: both authors, in order."""
    field = (
        '<div class="field field-name-field-tac-gia field-type-text-long field-label-hidden">'
        '<div class="field-items"><div class="field-item even">'
        f"<p>{ISSUE_BYLINE}</p><p>TS. Nguyễn Trúc Hạnh<br />Hiệu trưởng</p></div></div></div>")
    article = _clean(_node_page(BODY, fields=field))
    assert article.author == "ThS. Đoàn Thanh Tâm; TS. Nguyễn Trúc Hạnh"
    assert article.author_role == "Phó Trưởng khoa Nhà nước và Pháp luật; Hiệu trưởng"
