"""Tests for pipelines.bylines: name/role/prefix splitting and the name/role detectors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pipelines.bylines import (
    Byline,
    looks_like_name,
    looks_like_role,
    parse_byline,
    split_glued_roles,
)
from tests.cases import mappings, verdicts

# In test_parse_byline's table: the name (or role) comes out exactly as its line was typed.
AS_TYPED: Any = object()


@pytest.mark.parametrize(
    ("name_line", "role_line", "name", "role", "prefix"),
    [
        ("ThS. Nguyễn Thành Phương", "Trưởng khoa Lý luận cơ sở", AS_TYPED, AS_TYPED, "ThS."),
        ("ThS. Phan Văn Thuận", " Trưởng Khoa Xây dựng Đảng",
         AS_TYPED, "Trưởng Khoa Xây dựng Đảng", "ThS."),
        ("C.V.D", "", AS_TYPED, "", ""),
        (" P.H", "", "P.H", "", ""),
        ("Đ/c Cao Dũng", "Hiệu trưởng Trường Chính trị", AS_TYPED, AS_TYPED, "Đ/c"),
        ("CN. Hồ Thị Thùy Dung", "Giảng viên tập sự Khoa Lý luận cơ sở", AS_TYPED, AS_TYPED, "CN."),
        ("Nguyễn Thị Yến", "Trưởng khoa Dân vận", AS_TYPED, AS_TYPED, ""),
        ("TS. Hồ Ngọc Trường", "Tỉnh uỷ viên, Hiệu trưởng;",
         AS_TYPED, "Tỉnh uỷ viên, Hiệu trưởng", "TS."),
        ("Ts. Nguyễn Văn Hùng", "", AS_TYPED, "", "Ts."),
        ("PGS.TS. Nguyễn Văn An", "", AS_TYPED, "", "PGS.TS."),
        ("Thạc sĩ Lê Văn Bình", "", AS_TYPED, "", "Thạc sĩ"),
        ("Đồng chí Bùi Văn Bia", "Bí thư Đảng ủy Khối", AS_TYPED, AS_TYPED, "Đồng chí"),
        ("ThS. ĐINH QUỐC THỊ", "TUV, Hiệu trưởng", AS_TYPED, AS_TYPED, "ThS."),
        ("Nguyễn Thị Hiền", " " * 50 + " Trưởng Phòng Đào tạo",
         AS_TYPED, "Trưởng Phòng Đào tạo", ""),
        ("  TS. Lương   Trọng Thành", "\u00a0Tỉnh ủy viên, Hiệu trưởng",
         "TS. Lương Trọng Thành", "Tỉnh ủy viên, Hiệu trưởng", "TS."),
        # glued labels (Hải Dương)
        ("Nguyễn Văn A", "Phó Bí thư Đảng ủyPhó hiệu trưởng",
         AS_TYPED, "Phó Bí thư Đảng ủy, Phó hiệu trưởng", ""),
        # inline and labelled forms
        ("Tác giả : Th.s Hồ Minh Đức - Phó Hiệu trưởng", "",
         "Th.s Hồ Minh Đức", "Phó Hiệu trưởng", "Th.s"),
        ("Thạc sỹ Nguyễn Huy Hảo –  Nguyên Hiệu trưởng Trường", "",
         "Thạc sỹ Nguyễn Huy Hảo", "Nguyên Hiệu trưởng Trường", "Thạc sỹ"),
        ("Trần Trọng Tính (Phòng QLĐT&NCKH) |", "", "Trần Trọng Tính", "Phòng QLĐT&NCKH", ""),
        ("Nguyễn Phước Tài, Khoa Lý luận cơ sở", "", "Nguyễn Phước Tài", "Khoa Lý luận cơ sở", ""),
        ("Tác giả bài viết: Nguyễn Văn Tư", "", "Nguyễn Văn Tư", "", ""),
        ("Tin và ảnh: Quang Thành", "Giảng viên phòng Đào tạo", "Quang Thành", AS_TYPED, ""),
        ("", "", "", "", ""),
    ],
)
def test_parse_byline(name_line: str, role_line: str, name: str, role: str, prefix: str) -> None:
    byline = parse_byline(name_line, role_line)
    assert byline == Byline(
        name=name_line if name is AS_TYPED else name,
        role=role_line if role is AS_TYPED else role,
        prefix=prefix,
        raw=name_line if not role_line else f"{name_line}\n{role_line}",
    )


def test_parse_byline_is_stable_on_its_output() -> None:
    for name_line, role_line in [
        ("ThS. Nguyễn Thành Phương", "Trưởng khoa Lý luận cơ sở"),
        (" P.H", ""),
        ("Nguyễn Văn A", "Phó Bí thư Đảng ủyPhó hiệu trưởng"),
        ("Tác giả : Th.s Hồ Minh Đức - Phó Hiệu trưởng", ""),
    ]:
        first = parse_byline(name_line, role_line)
        again = parse_byline(first.name, first.role)
        assert (again.name, again.role, again.prefix) == (first.name, first.role, first.prefix)


NAMES = [
    "ThS. Nguyễn Thị Ngọc Thương",
    "Nguyễn Thị Yến",
    "C.V.D",
    "P.H",
    " P.H",
    "P.H.",
    "Đ/c Cao Dũng",
    "CN. Hồ Thị Thùy Dung",
    "ThS. Dương Quốc Hoàng",
    "TS. Lương Trọng Thành",
    "Th.s Hồ Minh Đức",
    "Thạc sỹ Nguyễn Huy Hảo",
    "ThS. ĐINH QUỐC THỊ",
    "NGUYỄN VĂN A",
    "Quang Thành",
    "Đinh Văn Tiền",
    "Phan Văn Tấn",
    "Đồng chí Bùi Văn Bia",
]


NOT_NAMES = [
    "",
    " ",
    "X",
    "Trưởng khoa Dân vận",
    "Trưởng Khoa Xây Dựng Đảng",
    "Phó Hiệu trưởng",
    "Hiệu Trưởng",
    "Tin khác",
    "Asset Publisher",
    "Taxonomy upgrade extras:",
    "Nội dung buổi triển khai gồm các báo cáo:",
    "Thứ nhất, nâng cao năng lực.",
    "Tóm tắt:",
    "Nguyễn Thị Yến;",
    "Đồng chí Bùi Văn Bia, Tỉnh ủy viên, Bí thư Đảng ủy Khối triển khai Nghị quyết",
    "ĐẠI HỘI ĐẢNG BỘ",
    "TRƯỜNG CHÍNH TRỊ",
    "nguyễn thị yến",
    "Nguyễn Văn An Bình Minh Hoàng Long",  # seven syllables
    "Ngày Đăng : 17/02/2021",
    "Chủ nhật, 21 Tháng 4, 2024 - 16:02",
    "Nghị quyết 03",
]


ROLES = [
    "Hiệu trưởng",
    "Hiệu Trưởng - Trường Chính trị Phạm Hùng",
    "Phó Hiệu trưởng",
    "Trưởng khoa Dân vận",
    "Trưởng Khoa Xây dựng Đảng",
    "Phó Trưởng khoa Xây dựng Đảng",
    "Khoa Lý luận cơ sở",
    "Phó Khoa Nhà nước và Pháp luật",
    "Giảng viên Khoa NN&PL",
    "Giảng viên tập sự Khoa Lý luận cơ sở",
    "Viên chức Khoa xây dựng Đảng",
    " Trưởng Phòng Đào tạo",
    "Phòng QLĐT và NCKH",
    "Chi đoàn Trường Chính trị",
    "Bí thư Đảng ủy",
    "Tỉnh ủy viên, Hiệu trưởng",
    "Tỉnh uỷ viên, Hiệu trưởng;",
    "TUV - Hiệu trưởng",
    "Nguyên Bí thư Đảng ủy - Nguyên Hiệu trưởng",
    "Nguyên Hiệu trưởng Trường",
    "Đảng ủyPhó hiệu trưởng",
]


NOT_ROLES = [
    "",
    "Nguyễn Thị Yến",
    "ThS. Nguyễn Thị Ngọc Thương",
    "Khoa Lý luận cơ sở đã tổ chức hội thảo khoa học.",
    "Phòng Đào tạo tổ chức lớp bồi dưỡng",
    "Bí thư Đảng ủy Khối đã nhấn mạnh:",
    "Hiệu trưởng " + "rất dài " * 12,
    "Thứ nhất, nâng cao năng lực, trách nhiệm của cán bộ lãnh đạo.",
    "Vào ngày 23 tháng 2 năm 2016, Đảng ủy Khối Các cơ quan tỉnh Bến Tre đã tổ chức",
]


GLUED_ROLES = [
    ("Đảng ủyPhó hiệu trưởng", "Đảng ủy, Phó hiệu trưởng"),
    ("Phó Bí thư Đảng ủyPhó hiệu trưởng", "Phó Bí thư Đảng ủy, Phó hiệu trưởng"),
    ("Bí thư Chi bộGiảng viênKhoa Lý luận", "Bí thư Chi bộ, Giảng viên, Khoa Lý luận"),
    ("Giảng viên, ThS", "Giảng viên, ThS"),
    ("Trưởng Phòng QLĐT&NCKH", "Trưởng Phòng QLĐT&NCKH"),
    ("Hiệu trưởng", "Hiệu trưởng"),
    ("", ""),
]


@pytest.mark.parametrize(
    ("predicate", "line", "expected"),
    [
        *verdicts(looks_like_name, true=NAMES, false=NOT_NAMES),
        *verdicts(looks_like_role, true=ROLES, false=NOT_ROLES),
    ],
)
def test_detectors(predicate: Callable[[str], object], line: str, expected: bool) -> None:
    assert bool(predicate(line)) is expected


@pytest.mark.parametrize(
    ("function", "raw", "expected"), mappings(split_glued_roles, GLUED_ROLES, fixed_point=True)
)
def test_split_glued_roles(function: Callable[[str], str], raw: str, expected: str) -> None:
    assert function(raw) == expected


# --- several authors, labels, sources, photo credits -----------------------------------------

from pipelines.bylines import parse_bylines, parse_photo_credit  # noqa: E402


def test_parse_bylines_two_authors_an_giang() -> None:
    lines = [
        "TS. Hồ Ngọc Trường",
        "Tỉnh uỷ viên, Hiệu trưởng Trường Chính trị Tôn Đức Thắng;",
        "ThS. Nguyễn Thành Nhân",
        "Phó Hiệu trưởng Trường Chính trị Tôn Đức Thắng",
    ]
    got = parse_bylines(lines)
    assert [(b.name, b.prefix, b.role) for b in got] == [
        ("TS. Hồ Ngọc Trường", "TS.", "Tỉnh uỷ viên, Hiệu trưởng Trường Chính trị Tôn Đức Thắng"),
        ("ThS. Nguyễn Thành Nhân", "ThS.", "Phó Hiệu trưởng Trường Chính trị Tôn Đức Thắng"),
    ]


def test_parse_bylines_liferay_one_per_line() -> None:
    got = parse_bylines(
        ["Nguyễn Phước Tài, Khoa Lý luận cơ sở", "Tống Hoàng Huân, Khoa Xây dựng Đảng"]
    )
    assert [(b.name, b.role) for b in got] == [
        ("Nguyễn Phước Tài", "Khoa Lý luận cơ sở"),
        ("Tống Hoàng Huân", "Khoa Xây dựng Đảng"),
    ]


def test_theo_is_a_source_not_an_author() -> None:
    got = parse_bylines(["Theo Báo An Giang Online"])
    assert got == [Byline(name="", role="", prefix="", raw="", source="Báo An Giang Online")]
    got = parse_bylines(["Tin: Ngọc Hân", "Ảnh: Minh Tâm", "Theo Báo An Giang Online"])
    assert [(b.name, b.source) for b in got] == [("Ngọc Hân", "Báo An Giang Online")]


def test_photo_credit_is_not_an_author() -> None:
    assert parse_bylines(["Ảnh: Minh Tâm"]) == []
    assert parse_photo_credit("Ảnh: Minh Tâm") == "Minh Tâm"
    assert parse_photo_credit("Tin và ảnh: Quang Thành") is None
    assert [b.name for b in parse_bylines(["Tin và ảnh: Quang Thành"])] == ["Quang Thành"]


def test_parse_bylines_ignores_body_lines() -> None:
    assert parse_bylines(["Theo đó, nhà trường tổ chức nhiều hoạt động.", "Tin khác"]) == []


def test_byline_source_defaults_empty() -> None:
    assert parse_byline("ThS. Nguyễn Thành Phương").source == ""


# --- whole bodies: every common byline shape, from HTML through the crawl's own code -------------

import re  # noqa: E402
from pathlib import Path  # noqa: E402

from scrapy.http import HtmlResponse  # noqa: E402

from pipelines.article import clean_article  # noqa: E402
from pipelines.bylines import is_posting_account  # noqa: E402
from scrapers.extract import text_blocks  # noqa: E402

_SENTENCES = {
    "{S1}": "Sáng ngày 7/3, Trường Chính trị tỉnh tổ chức hội nghị tổng kết công tác năm học "
            "với sự tham dự của toàn thể cán bộ, giảng viên.",
    "{S2}": "Hội nghị đã thông qua phương hướng, nhiệm vụ năm học mới.",
    "{S3}": "Kết thúc hội nghị, các đại biểu đã biểu quyết thông qua nghị quyết.",
}
_ESCAPE_RE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[tnr\\])")


def _expand(field: str) -> str:
    field = _ESCAPE_RE.sub(
        lambda m: {"\\t": "\t", "\\n": "\n", "\\r": "\r", "\\\\": "\\"}.get(m.group(0))
        or chr(int(m.group(0)[2:], 16)), field)
    for key, sentence in _SENTENCES.items():
        field = field.replace(key, sentence)
    return field


def _article_rows() -> list[dict[str, str]]:
    path = Path(__file__).parent / "data" / "article_bylines.tsv"
    lines = [x for x in path.read_text(encoding="utf-8").split("\n")
             if x and not x.startswith("#")]
    header = lines[0].split("\t")
    return [dict(zip(header, (_expand(f) for f in x.split("\t")), strict=True))
            for x in lines[1:]]


ARTICLE_ROWS = _article_rows()


def test_article_table_covers_every_shape() -> None:
    notes = " ".join(r["note"] for r in ARTICLE_ROWS)
    for shape in ("Name<br>Role", "bold", "right-aligned", "NBSP", "Tác giả", "Tin, ảnh",
                  "Tin và ảnh", "photo credit", "top", "initials", "two authors", "X, Y",
                  "Th.s", "Ts.", "CN.", "Thạc sỹ", "Đ/c", "Đồng chí", "ALL-CAPS", "posting"):
        assert shape in notes, shape
    assert sum(r["note"].startswith("NEG") for r in ARTICLE_ROWS) >= 10


@pytest.mark.parametrize("row", ARTICLE_ROWS, ids=[f"{i}:{r['note'][:40]}"
                                                   for i, r in enumerate(ARTICLE_ROWS)])
def test_article_byline_golden(row: dict[str, str]) -> None:
    html = ('<html><head><meta charset="utf-8"></head><body><div class="field-name-body">'
            f'{row["html"]}</div></body></html>')
    response = HtmlResponse(url="http://127.0.0.1:9/bai", body=html.encode("utf-8"))
    paragraphs = text_blocks(response.css("div.field-name-body")[0])
    art = clean_article("Tiêu đề", paragraphs, row["author_raw"], row["role_raw"])
    assert (art.author, art.author_role, art.author_prefix) == (
        row["author"], row["role"], row["prefix"])
    assert art.text.startswith(row["text_start"]), art.text
    assert art.text.endswith(row["text_end"]), art.text
    for name in filter(None, art.author.split("; ")):
        assert name not in art.text  # byline lines leave the body
    if row["note"].startswith("NEG"):
        assert art.author == ""


@pytest.mark.parametrize("text", ["Viết bởi Quản trị viên", "Submitted by admin",
                                  "Gửi bởi Nguyễn Văn A", "Đăng bởi admin", "Quản trị viên",
                                  "Administrator", "admin", "Posted by webmaster"])
def test_posting_accounts(text: str) -> None:
    assert is_posting_account(text)
    assert parse_byline(text).name == ""


@pytest.mark.parametrize("text", ["Nguyễn Văn Hùng", "ThS. Đoàn Thanh Tâm", "Minh Tâm",
                                  "Tác giả: Nguyễn Văn Tư", "C.V.D", ""])
def test_people_are_no_posting_accounts(text: str) -> None:
    assert not is_posting_account(text)
