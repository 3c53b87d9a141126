"""Replicas of Bắc Giang (NukeViet, on the family's markup) and of the three schools known only
from GitHub code or a photo credit (Gia Lai, Bình Thuận, Quảng Nam): no page of those was
seen, so their markup, URLs and dates are guesses on the custom-portal renderer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from replicas.custom_portal import CustomSite, Look, query_page
from replicas.custom_sites import (
    DEFAULT_ARTICLES,
    NEWS,
    RESEARCH,
    at,
    custom_site,
    people,
    school_facts,
)
from replicas.schools import Draft, ascii_slug, generate

# -- Schools known only from GitHub code or a photo credit (guessed markup) --------------------

def build_gia_lai(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> CustomSite:
    """Kentico (from `getattachment/<guid>/x.jpg.aspx`): WebForms markup, `.aspx` pages."""
    facts = school_facts(
        "gia_lai", "Trường Chính trị tỉnh Gia Lai", "Gia Lai", [NEWS, RESEARCH],
        dt.date(2021, 6, 1), dt.date(2026, 10, 30),
        people("ThS. Rơ Châm H'Lan", "Giảng viên Khoa Dân vận", "TS. Nguyễn Văn Thanh",
                "Phó Hiệu trưởng", "ThS. Đinh Thị Hoa", "Trưởng khoa Lý luận cơ sở"),
        people("Minh Phương", "Phòng Đào tạo", "Quang Tấn", "Văn phòng"),
        ["phường Diên Hồng", "phường Quy Nhơn", "phường Pleiku", "xã Chư Sê", "phường An Khê",
         "xã Ia Grai"])
    look = Look(vendor="aspnet", article_date=lambda w: f"{w:%d/%m/%Y}",
                listing_date=lambda w: f"{w:%d/%m/%Y}", byline="end")
    return custom_site(
        facts, [], n_articles, seed, name="Trường Chính trị tỉnh Gia Lai", look=look,
        sections={NEWS: "/Tin-tuc.aspx", RESEARCH: "/Nghien-cuu-trao-doi.aspx"},
        path_of=lambda i, d: f"/Tin-tuc/{ascii_slug(d.title)}-{i}.aspx",
        pager=query_page("page"), first_id=100, step=3)


def build_binh_thuan(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> CustomSite:
    facts = school_facts(
        "binh_thuan", "Trường Chính trị tỉnh Bình Thuận", "Bình Thuận", [NEWS, RESEARCH],
        dt.date(2020, 1, 6), dt.date(2025, 6, 25),
        people("ThS. Bố Thị Xuân", "Giảng viên Khoa Dân vận", "TS. Lê Văn Thành",
                "Phó Hiệu trưởng", "ThS. Nguyễn Minh Tâm", "Trưởng khoa Xây dựng Đảng"),
        people("Thanh Bình", "Phòng Đào tạo", "Hải Yến", "Văn phòng"),
        ["thành phố Phan Thiết", "thị xã La Gi", "huyện Hàm Thuận Bắc", "huyện Tuy Phong",
         "huyện Bắc Bình", "huyện Đức Linh"])
    look = Look(vendor="php", article_date=lambda w: f"{w:%d/%m/%Y %H:%M}", byline="end")
    return custom_site(
        facts, [], n_articles, seed, name="Trang Chính trị Bình Thuận", look=look,
        sections={NEWS: "/tin-tuc", RESEARCH: "/nghien-cuu"},
        path_of=lambda i, d: f"/tin-tuc/{ascii_slug(d.title)}-{i}.html",
        pager=query_page("page"), first_id=300, step=5)


def build_quang_nam(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> CustomSite:
    facts = school_facts(
        "quang_nam", "Trường Chính trị tỉnh Quảng Nam", "Quảng Nam", [NEWS, RESEARCH],
        dt.date(2020, 1, 6), dt.date(2025, 6, 25),
        people("ThS. Alăng Thị Mai", "Giảng viên Khoa Dân vận", "TS. Nguyễn Văn Sơn",
                "Phó Hiệu trưởng", "ThS. Trần Thị Hồng", "Trưởng khoa Lý luận cơ sở"),
        people("Minh Hải", "Phòng Đào tạo", "Thu Sương", "Văn phòng"),
        ["thành phố Tam Kỳ", "thành phố Hội An", "thị xã Điện Bàn", "huyện Núi Thành",
         "huyện Thăng Bình", "huyện Đại Lộc"])
    look = Look(vendor="php", article_date=lambda w: f"Ngày đăng: {w:%d/%m/%Y}", byline="end")
    return custom_site(
        facts, [], n_articles, seed, name="Trường Chính trị tỉnh Quảng Nam", look=look,
        sections={NEWS: "/tin-tuc-su-kien", RESEARCH: "/nghien-cuu-trao-doi"},
        path_of=lambda i, d: f"/{'tin-tuc-su-kien' if d.section == NEWS else 'nghien-cuu-trao-doi'}"
                             f"/{ascii_slug(d.title)}-{i}.html",
        pager=query_page("page"), first_id=50, step=7)


# -- Bắc Giang (§1.11): NukeViet 4 with /vi/, the savefile view linked --------------------------

BG_NEWS, BG_RESEARCH = "Tin hoạt động", "Nghiên cứu - Trao đổi"
BAC_GIANG = school_facts(
    "bac_giang", "Trường Chính trị tỉnh Bắc Giang", "Bắc Giang", [BG_NEWS, BG_RESEARCH],
    dt.date(2021, 3, 1), dt.date(2025, 6, 25),
    people("ThS. Thân Văn Hùng", "Trưởng khoa Xây dựng Đảng", "TS. Ngô Thị Thu", "Phó Hiệu trưởng",
            "ThS. Giáp Văn Lâm", "Giảng viên Khoa Lý luận cơ sở"),
    people("Thu Hằng", "Phòng Đào tạo", "Văn Hưng", "Phòng Tổ chức - Hành chính"),
    ["thành phố Bắc Giang", "huyện Lục Ngạn", "huyện Yên Thế", "huyện Hiệp Hòa",
     "huyện Lạng Giang", "thị xã Việt Yên"], caps_titles=0.1)


def build_bac_giang(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> Any:
    from replicas.sites import _nukeviet, assign_ids

    anchor = Draft(
        BG_NEWS, "Trường Chính trị tỉnh Bắc Giang tổ chức nghiên cứu thực tế tại tỉnh Nam Định",
        at(2025, 2, 10, 16, 20),
        ["Thực hiện kế hoạch đào tạo năm 2025, Trường Chính trị tỉnh Bắc Giang tổ chức cho học "
         "viên lớp Trung cấp lý luận chính trị đi nghiên cứu thực tế tại tỉnh Nam Định.",
         "Đoàn đã dâng hương tại Khu di tích lịch sử Đền Trần và tìm hiểu mô hình nông thôn mới "
         "kiểu mẫu.",
         "Chuyến đi giúp học viên vận dụng kiến thức đã học vào thực tiễn công tác."],
        "Thu Hằng", "Phòng Đào tạo", fixed_id=326, traps=["savefile_url"])
    drafts = generate(BAC_GIANG, n_articles, seed, [anchor])
    ids = assign_ids(drafts, 150, 5, {326})
    variants = {i: "savefile" for i in ids[1::5]}
    variants[326] = "savefile"
    return _nukeviet(
        BAC_GIANG, drafts, ids, name="Trường Chính trị tỉnh Bắc Giang", lang_base="/vi",
        placement={BG_NEWS: ("/vi/news", "tin-hoat-dong"),
                   BG_RESEARCH: ("/vi/news", "nghien-cuu-trao-doi")},
        listing_paths={BG_NEWS: "/vi/news/tin-hoat-dong",
                       BG_RESEARCH: "/vi/news/nghien-cuu-trao-doi"},
        byline=lambda d: "end", hometext=lambda d: True, variants=variants, version="4.4",
        feeds=True)


BUILDERS: dict[str, Callable[..., Any]] = {
    "bac_giang": build_bac_giang,
    "gia_lai": build_gia_lai,
    "binh_thuan": build_binh_thuan,
    "quang_nam": build_quang_nam,
}
