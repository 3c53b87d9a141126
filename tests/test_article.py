"""Assembling a clean article: byline at the top or the end, chrome removed, hints from listings."""

from pipelines.article import clean_article, split_byline

BODY = [
    "Vào ngày 23 tháng 2 năm 2016, Đảng ủy Khối tổ chức Hội nghị triển khai.",
    "Kết thúc Hội nghị, Bí thư Đảng ủy Khối chỉ đạo thực hiện./.",
]


def test_byline_at_the_end_of_news_is_removed():
    paras = [*BODY, "Nguyễn Thị Yến", "Trưởng khoa Dân vận"]
    body, name, role = split_byline(paras)
    assert body == BODY
    assert (name, role) == ("Nguyễn Thị Yến", "Trưởng khoa Dân vận")


def test_byline_at_the_top_of_essays_is_removed():
    paras = ["ThS. Nguyễn Thành Phương", "Trưởng khoa Lý luận cơ sở", *BODY]
    body, name, role = split_byline(paras)
    assert body == BODY
    assert (name, role) == ("ThS. Nguyễn Thành Phương", "Trưởng khoa Lý luận cơ sở")


def test_listing_hint_matches_initials_and_case_variants():
    paras = ["C.V.D", *BODY]
    body, name, _ = split_byline(paras, name_hint="C.V.D")
    assert body == BODY and name == "C.V.D"


def test_a_sentence_is_never_taken_for_a_byline():
    body, name, role = split_byline(BODY)
    assert body == BODY and name == "" and role == ""


def test_clean_article_drops_chrome_and_normalises():
    art = clean_article(
        "  Hội nghị  triển khai\u00a0Nghị quyết ",
        [
            "Chủ nhật, 21 Tháng 4, 2024 - 16:02",
            *BODY,
            "\u00a0",
            "Nguyễn Thị Yến",
            "Trưởng khoa Dân vận",
            "Taxonomy upgrade extras:",
            "Tin khác",
        ],
        author_raw="Nguyễn Thị Yến",
        role_raw=" Trưởng khoa Dân vận",
    )
    assert art.title == "Hội nghị triển khai Nghị quyết"
    assert art.text == "\n\n".join(BODY)
    assert art.author == "Nguyễn Thị Yến"
    assert art.author_role == "Trưởng khoa Dân vận"
    assert "Tin khác" not in art.text and "Tháng 4, 2024" not in art.text
