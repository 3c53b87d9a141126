"""Replicas of the schools whose site file is of the `generic` family (CMS unknown): one small
builder per school on `replicas.custom_portal`, from the facts of sites.md (§0 table, §1
per-site notes); `replicas.other_sites` holds Bắc Giang and the unverified schools. What
sites.md does not say (listing paths, pagers, the date of a site whose text extraction showed
none) is a guess, named in each builder and marked `guessed` in the school's site file.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any

from replicas.custom_portal import CustomPage, CustomSite, Look, query_page
from replicas.schools import (
    VN_TZ,
    Draft,
    Facts,
    ReplicaArticle,
    ascii_slug,
    generate,
)

DEFAULT_ARTICLES = 40


def at(y: int, m: int, d: int, hh: int, mm: int) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=VN_TZ)


def people(*pairs: str) -> list[tuple[str, str]]:
    return [(pairs[i], pairs[i + 1]) for i in range(0, len(pairs), 2)]


def _token(seed: str, n: int) -> str:
    """An opaque URL-safe token (WebSphere state, ASP.NET ids): the same seed, the same token."""
    raw = hashlib.sha256(seed.encode()).digest() * 4
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")[:n]


def custom_site(facts: Facts, anchors: list[Draft], n: int, seed: int, *, name: str, look: Look,
                sections: dict[str, str], path_of: Callable[[int, Draft], str],
                pager: Callable[[str, int], str], first_id: int, step: int,
                dated: bool = True, statics: dict[str, tuple[str, str]] | None = None,
                tweak: Callable[[Draft], None] | None = None) -> CustomSite:
    """The school's drafts given ids, URLs and its look; the manifest is what a clean archive
    keeps (`precision` "day" when the site prints no time)."""
    from replicas.sites import assign_ids, listings_of, manifest

    drafts = generate(facts, n, seed, anchors)
    for d in drafts:
        if tweak is not None:
            tweak(d)
    taken = {d.fixed_id for d in drafts if d.fixed_id is not None}
    ids = assign_ids(drafts, first_id, step, taken)
    by_id = dict(zip(ids, drafts, strict=True))
    pages = {i: CustomPage(i, d, path_of(i, d), date_shown=dated) for i, d in by_id.items()}
    shown = look.article_date or look.listing_date
    precision = "minute" if shown and ":" in shown(at(2020, 1, 2, 3, 4)) else "day"
    articles: list[ReplicaArticle] = []
    for i, d in by_id.items():
        art = manifest(d, pages[i].path, precision)
        if not dated or shown is None:
            art.traps = sorted({*art.traps, "no_date_printed"})
        articles.append(art)
    return CustomSite(slug=facts.slug, name=name, look=look, sections=sections, pager=pager,
                      pages=pages, listings=listings_of(facts.sections, by_id),
                      articles=articles, statics=statics or {})


def abstract_and_keywords(keywords: str, cut: int) -> Callable[[Draft], None]:
    """Research articles (sites.md §1.4, §1.17) open with `Tóm tắt:` and `Từ khóa:` lines."""
    def tweak(d: Draft) -> None:
        if d.kind == "essay":
            d.paragraphs.insert(0, "Tóm tắt: " + d.paragraphs[0][:cut].rsplit(" ", 1)[0] + ".")
            d.paragraphs.insert(1, f"Từ khóa: {keywords}.")
    return tweak


def school_facts(slug: str, school: str, province: str, sections: list[str], start: dt.date,
                 end: dt.date, essayists: list[tuple[str, str]],
                 reporters: list[tuple[str, str]], places: list[str], **kw: Any) -> Facts:
    """Facts for `generate`: research essays in the second section unless told otherwise."""
    return Facts(slug=slug, school=school, province=province, sections=sections, start=start,
                 end=end, essayists=essayists, reporters=reporters,
                 leader=f"đồng chí Hiệu trưởng {school}", places=places,
                 essay_sections=kw.pop("essay_sections", sections[1:2]), **kw)


NEWS, RESEARCH = "Tin tức - Sự kiện", "Nghiên cứu - Trao đổi"


# -- Vĩnh Long, old site tctph.gov.vn (§1.2): PHP-Nuke style ------------------------------------

def build_vinh_long_old(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> CustomSite:
    facts = school_facts(
        "vinh_long_old", "Trường Chính trị Phạm Hùng", "Vĩnh Long", [NEWS, RESEARCH],
        dt.date(2017, 3, 1), dt.date(2024, 11, 20),
        people("Đinh Văn Tiền", "Hiệu Trưởng - Trường Chính trị Phạm Hùng",
                "ThS. Lê Văn Tường", "Trưởng khoa Lý luận cơ sở",
                "ThS. Nguyễn Thị Diễm", "Giảng viên Khoa Xây dựng Đảng"),
        people("Trần Trọng Tính", "Phòng QLĐT&NCKH", "Ngọc Hân", "Phòng Tổ chức - Hành chính"),
        ["thành phố Vĩnh Long", "huyện Long Hồ", "huyện Mang Thít", "thị xã Bình Minh",
         "huyện Trà Ôn", "huyện Vũng Liêm"], caps_titles=0.2)
    anchor = Draft(
        RESEARCH, "Nâng cao chất lượng đào tạo, bồi dưỡng cán bộ ở Trường Chính trị Phạm Hùng",
        at(2023, 9, 15, 10, 6),
        ["Công tác đào tạo, bồi dưỡng cán bộ là nhiệm vụ trọng tâm của nhà trường trong nhiều "
         "năm qua.",
         "Nhà trường đã đổi mới chương trình, nội dung và phương pháp giảng dạy theo hướng gắn "
         "lý luận với thực tiễn của tỉnh Vĩnh Long.",
         "Đội ngũ giảng viên được chuẩn hóa, tích cực nghiên cứu khoa học và đi thực tế cơ sở."],
        "Đinh Văn Tiền", "Hiệu Trưởng - Trường Chính trị Phạm Hùng", kind="essay", fixed_id=543)
    look = Look(vendor="table", article_date=lambda w: f"{w:%d.%m.%Y %H:%M}",
                byline="top", clock=lambda now: f"{_weekday(now)}, {now:%d-%m-%Y}",
                banner="", sapo=False, og=False, wrap=60,
                spam="motor Teco, hoa tuoi, Giày bóng đá, dong co dien")
    return custom_site(
        facts, [anchor], n_articles, seed, name="Trường Chính trị Phạm Hùng", look=look,
        sections={NEWS: "/modules.php?name=News&op=viewcat&catid=1",
                  RESEARCH: "/modules.php?name=News&op=viewcat&catid=2"},
        path_of=lambda i, d: f"/modules.php?name=News&op=viewst&sid={i}",
        pager=query_page("page"), first_id=300, step=7)


def _weekday(now: dt.datetime) -> str:
    return ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy",
            "Chủ nhật")[now.weekday()]


# -- Trà Vinh (§1.3): provincial portal, numeric paths ----------------------------------------

TV_IDS = {NEWS: (69620, "tin-tuc-su-kien"), RESEARCH: (69623, "nghien-cuu-trao-doi")}


def build_tra_vinh(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> CustomSite:
    facts = school_facts(
        "tra_vinh", "Trường Chính trị tỉnh Trà Vinh", "Trà Vinh", [NEWS, RESEARCH],
        dt.date(2019, 2, 1), dt.date(2025, 6, 20),
        people("Phan Văn Tấn", "Phó Khoa Nhà nước và Pháp luật",
                "ThS. Thạch Sô Phol", "Giảng viên Khoa Dân vận",
                "ThS. Kim Thị Sa Ranh", "Trưởng khoa Xây dựng Đảng"),
        people("Minh Thuận", "Phòng Đào tạo", "Sơn Ngọc Hà", "Phòng Tổ chức - Hành chính"),
        ["thành phố Trà Vinh", "huyện Càng Long", "huyện Cầu Kè", "huyện Tiểu Cần",
         "huyện Trà Cú", "thị xã Duyên Hải"])
    anchor = Draft(
        RESEARCH, "Xây dựng và phát triển văn hóa tại tỉnh Trà Vinh", at(2022, 8, 9, 8, 15),
        ["Văn hóa là nền tảng tinh thần của xã hội, vừa là mục tiêu, vừa là động lực phát triển.",
         "Tỉnh Trà Vinh có ba dân tộc Kinh, Khmer, Hoa cùng sinh sống, tạo nên bản sắc văn hóa "
         "đa dạng, phong phú.",
         "Vì vậy, xây dựng và phát triển văn hóa cần gắn với giữ gìn bản sắc của đồng bào các "
         "dân tộc trong tỉnh."],
        "Phan Văn Tấn", "Phó Khoa Nhà nước và Pháp luật", kind="essay", fixed_id=660111)
    look = Look(vendor="portal", article_date=lambda w: f"{w:%d/%m/%Y}",
                listing_date=lambda w: f"{w:%d/%m/%Y}", byline="top", byline_pad=40,
                indent=9, og=False, page_size=10)

    def path_of(i: int, d: Draft) -> str:
        cat, alias = TV_IDS[d.section]
        return f"/1462/39939/{cat}/{i}/{alias}/{ascii_slug(d.title)}"

    return custom_site(
        facts, [anchor], n_articles, seed, name="Trường Chính trị tỉnh Trà Vinh", look=look,
        sections={s: f"/1462/39939/{c}/{a}" for s, (c, a) in TV_IDS.items()},
        path_of=path_of, pager=query_page("page"), first_id=659000, step=37)


# -- An Giang (§1.4): IBM WebSphere Portal, opaque URLs --------------------------------------

def build_an_giang(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> CustomSite:
    facts = school_facts(
        "an_giang", "Trường Chính trị Tôn Đức Thắng", "An Giang", [NEWS, RESEARCH],
        dt.date(2022, 3, 1), dt.date(2025, 10, 30),
        people("TS. Hồ Ngọc Trường", "Tỉnh uỷ viên, Hiệu trưởng Trường Chính trị Tôn Đức Thắng",
                "ThS. Nguyễn Thành Nhân", "Phó Hiệu trưởng",
                "ThS. Chau Sóc Kha", "Giảng viên Khoa Dân vận"),
        people("Hữu Nghĩa", "Phòng Đào tạo", "Thanh Tâm", "Phòng Tổ chức - Hành chính"),
        ["thành phố Long Xuyên", "thành phố Châu Đốc", "huyện Tịnh Biên", "huyện Chợ Mới",
         "thị xã Tân Châu", "phường Rạch Giá"])

    research = abstract_and_keywords("đào tạo cán bộ; lý luận chính trị; An Giang", 160)
    anchor = Draft(
        NEWS, "Khai giảng lớp Cao cấp lý luận chính trị tại Trường Chính trị Tôn Đức Thắng",
        at(2023, 8, 18, 7, 37),
        ["Sáng 17/8/2023, Trường Chính trị Tôn Đức Thắng phối hợp với Học viện Chính trị khu "
         "vực IV khai giảng lớp Cao cấp lý luận chính trị hệ không tập trung.",
         "Lớp học có 98 học viên là cán bộ lãnh đạo, quản lý của các sở, ban, ngành tỉnh.",
         "Khóa học diễn ra trong 18 tháng."], "Hữu Nghĩa", "Phòng Đào tạo")
    look = Look(vendor="portal", article_date=lambda w: f"{w:%H:%M %d/%m/%Y}",
                byline="top", site_h1=True, og=False, page_size=12)
    token = {NEWS: _token("ag-news", 60), RESEARCH: _token("ag-research", 60)}
    return custom_site(
        facts, [anchor], n_articles, seed, name="Trường Chính trị Tôn Đức Thắng Tỉnh An Giang",
        look=look,
        sections={NEWS: f"/wps/portal/Home/trang-chu/tin-tuc/!ut/p/z1/{token[NEWS]}/",
                  RESEARCH: f"/wps/portal/Home/trang-chu/nghien-cuu/!ut/p/z1/{token[RESEARCH]}/"},
        path_of=lambda i, d: f"/wps/portal/Home/trang-chu/trang-tin-chi-tiet/!ut/p/z0/"
                             f"{_token(f'ag-{i}', 88)}/",
        pager=lambda path, p: f"{path.rstrip('/')}{_token(f'page{p}', 12)}/", first_id=1,
        step=1, tweak=research)


# -- Thanh Hóa (§1.8): portal CMS under /web/trang-chu/ ----------------------------------------

TH_TOPIC, TH_NEWS = "Bài viết chuyên đề", "Tin hoạt động"


def build_thanh_hoa(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> CustomSite:
    facts = school_facts(
        "thanh_hoa", "Trường Chính trị tỉnh Thanh Hóa", "Thanh Hóa", [TH_NEWS, TH_TOPIC],
        dt.date(2018, 5, 1), dt.date(2024, 12, 10),
        people("TS. Lương Trọng Thành", "Tỉnh ủy viên, Hiệu trưởng",
                "ThS. Lê Thị Hà", "Phó Trưởng khoa Xây dựng Đảng",
                "TS. Nguyễn Văn Hùng", "Phó Hiệu trưởng"),
        people("Hoàng Linh", "Phòng Quản lý đào tạo", "Mai Anh", "Văn phòng"),
        ["thành phố Thanh Hóa", "thị xã Nghi Sơn", "huyện Thọ Xuân", "huyện Hoằng Hóa",
         "huyện Ngọc Lặc", "thành phố Sầm Sơn"], essay_sections=[TH_TOPIC])
    anchor = Draft(
        TH_TOPIC, "Xây dựng, nhân rộng mô hình điển hình tiên tiến trong đổi mới và phát triển "
        "Trường Chính trị Thanh Hóa", at(2019, 6, 2, 20, 22),
        ["Xây dựng, nhân rộng mô hình điển hình tiên tiến là giải pháp quan trọng để đổi mới "
         "và phát triển nhà trường.",
         "Những năm qua, nhà trường đã phát hiện, bồi dưỡng nhiều tập thể, cá nhân tiêu biểu "
         "trong giảng dạy và nghiên cứu khoa học.",
         "Kinh nghiệm của các điển hình được phổ biến rộng rãi trong toàn trường."],
        "TS. Lương Trọng Thành", "Tỉnh ủy viên, Hiệu trưởng", kind="essay")
    look = Look(
        vendor="portal",
        article_date=lambda w: f"Đăng lúc: {w:%H:%M:%S %d/%m/%Y} (GMT+7){w.day * 37 + 11} lượt xem",
        byline="top", byline_pad=30, site_h1=True, og=False,
        banner="NHIỆT LIỆT CHÀO MỪNG 49 NĂM NGÀY GIẢI PHÓNG MIỀN NAM, THỐNG NHẤT ĐẤT NƯỚC "
               "(30/4/1975 - 30/4/2024)")
    cats = {TH_TOPIC: "khoa-hoc-thong-tin-tu-lieu/bai-viet-chuyen-de",
            TH_NEWS: "tin-tuc-su-kien/tin-hoat-dong"}
    return custom_site(
        facts, [anchor], n_articles, seed, name="Trường Chính trị tỉnh Thanh Hóa", look=look,
        sections={s: f"/web/trang-chu/{c}" for s, c in cats.items()},
        path_of=lambda i, d: f"/web/trang-chu/{cats[d.section]}/{ascii_slug(d.title)}.html",
        pager=query_page("cur"), first_id=1, step=1)


# -- Nghệ An, new site (§1.9) ----------------------------------------------------------------

def build_nghe_an(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> CustomSite:
    facts = school_facts(
        "nghe_an", "Trường Chính trị tỉnh Nghệ An", "Nghệ An", [NEWS, RESEARCH],
        dt.date(2021, 1, 5), dt.date(2025, 11, 20),
        people("ThS. Mai Thị Thu Hiền", "Giảng viên khoa Lý luận cơ sở",
                "Th.s Hồ Minh Đức", "Phó Hiệu trưởng",
                "ThS. Nguyễn Văn Quang", "Trưởng khoa Nhà nước và Pháp luật"),
        people("Thu Hương", "Phòng Đào tạo", "Minh Chiến", "Phòng Tổ chức - Hành chính"),
        ["thành phố Vinh", "huyện Nghi Lộc", "huyện Diễn Châu", "thị xã Cửa Lò",
         "huyện Nam Đàn", "huyện Quỳnh Lưu"])
    anchor = Draft(
        RESEARCH, "Trường Chính trị tỉnh Nghệ An học tập và làm theo tư tưởng, đạo đức, phong "
        "cách Hồ Chí Minh", at(2023, 5, 19, 6, 17),
        ["Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh là việc làm thường "
         "xuyên của cán bộ, giảng viên nhà trường.",
         "Mỗi khoa, phòng đăng ký những việc làm cụ thể, gắn với nhiệm vụ chuyên môn.",
         "Phong trào đã góp phần xây dựng tập thể đoàn kết, nâng cao chất lượng giảng dạy."],
        "ThS. Mai Thị Thu Hiền", "Giảng viên khoa Lý luận cơ sở", kind="essay", fixed_id=2550)
    look = Look(vendor="php", article_date=lambda w: f"{w:%d/%m/%Y %H:%M}",
                listing_date=lambda w: f"{w:%d/%m/%Y}", byline="top", byline_pad=50,
                sapo_repeat=True)
    cat = {NEWS: "tin-tuc-65", RESEARCH: "tin-tuc-66"}
    return custom_site(
        facts, [anchor], n_articles, seed, name="Trường Chính trị tỉnh Nghệ An", look=look,
        sections={s: f"/{c}" for s, c in cat.items()},
        path_of=lambda i, d: f"/{cat[d.section]}/{ascii_slug(d.title)[:62].rstrip('-')}-{i}",
        pager=query_page("page"), first_id=1900, step=17)


# -- Hải Dương (§1.13): custom, `/ViewDetail/<token>@/<slug cut mid-word>.html` ---------------

HD_OPEN = "Khai giảng, bế giảng"


def build_hai_duong(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> CustomSite:
    facts = school_facts(
        "hai_duong", "Trường Chính trị tỉnh Hải Dương", "Hải Dương", [HD_OPEN, RESEARCH],
        dt.date(2020, 2, 1), dt.date(2025, 6, 25),
        people("Ts. Phạm Văn Tuấn", "Phó Bí thư Đảng ủy, Phó hiệu trưởng",
                "ThS. Vũ Thị Hường", "Trưởng khoa Lý luận cơ sở",
                "ThS. Nguyễn Đức Long", "Giảng viên Khoa Xây dựng Đảng"),
        people("Quang Huy", "Phòng Đào tạo", "Thu Trang", "Văn phòng"),
        ["thành phố Hải Dương", "thành phố Chí Linh", "huyện Kinh Môn", "huyện Nam Sách",
         "huyện Gia Lộc", "huyện Thanh Miện"])
    look = Look(vendor="aspnet", byline="end", sapo_repeat=True, og=False,
                banner="Toàn Đảng, toàn dân, toàn quân ra sức thi đua thực hiện thắng lợi nhiệm "
                       "vụ phát triển kinh tế - xã hội năm 2022!")
    cat = {HD_OPEN: _token("hd-kg", 11), RESEARCH: _token("hd-nc", 11)}

    def path_of(i: int, d: Draft) -> str:
        slug = "-".join(d.title.lower().split())
        return f"/ViewDetail/{_token(f'hd{i}', 11)}@/{slug[:70]}.html"  # cut mid-word

    return custom_site(
        facts, [], n_articles, seed, name="Trường Chính trị tỉnh Hải Dương", look=look,
        sections={s: f"/ViewCategory/{t}@/{ascii_slug(s)}.html" for s, t in cat.items()},
        path_of=path_of, pager=query_page("page"), first_id=1, step=1, dated=False)


# -- Hưng Yên (§1.14): custom, `/<slug>-c<id>.html`, `22/10/2021 • lượt xem: 2252` ------------

def build_hung_yen(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> CustomSite:
    facts = school_facts(
        "hung_yen", "Trường Chính Trị Nguyễn Văn Linh", "Hưng Yên", [NEWS, RESEARCH],
        dt.date(2019, 9, 1), dt.date(2025, 10, 15),
        people("ThS. Đào Văn Hưng", "Phó Hiệu trưởng", "ThS. Lê Thị Hằng",
                "Giảng viên Khoa Xây dựng Đảng", "TS. Trần Quốc Toản", "Hiệu trưởng"),
        people("Hồng Nhung", "Phòng Đào tạo", "Văn Thắng", "Phòng Tổ chức - Hành chính"),
        ["thành phố Hưng Yên", "thị xã Mỹ Hào", "huyện Văn Lâm", "huyện Khoái Châu",
         "phường Thái Bình", "huyện Ân Thi"])
    look = Look(vendor="php",
                article_date=lambda w: f"{w:%d/%m/%Y} • lượt xem: {w.day * 71 + 50}",
                byline="end",
                footer=["Trụ sở : Số 8 đường Nguyễn Văn Linh, thành phố Hưng Yên",
                        "Điện thoại : 0221.3862.xxx", "Fax : 0221.3862.yyy"])
    return custom_site(
        facts, [], n_articles, seed, name="Trường Chính Trị Nguyễn Văn Linh tỉnh Hưng Yên",
        look=look, sections={NEWS: "/tin-tuc-su-kien-m12.html",
                             RESEARCH: "/nghien-cuu-trao-doi-m14.html"},
        path_of=lambda i, d: f"/{ascii_slug(d.title)}-c{i}.html", pager=query_page("page"),
        first_id=2100, step=13)


# -- Nam Định (§1.15): custom, `/<cat>/<slug>.<id>.html`, date on listings (guessed) ----------

ND_NEWS = "Tin tức - Hoạt động"


def build_nam_dinh(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> CustomSite:
    facts = school_facts(
        "nam_dinh", "Trường Chính trị Trường Chinh", "Nam Định", [ND_NEWS, RESEARCH],
        dt.date(2020, 1, 6), dt.date(2025, 6, 20),
        people("ThS. Trần Thị Thu Hà", "Trưởng khoa Lý luận cơ sở", "TS. Vũ Văn Hải",
                "Phó Hiệu trưởng", "ThS. Phạm Minh Đức", "Giảng viên Khoa Dân vận"),
        people("Thanh Hương", "Phòng Đào tạo", "Đức Anh", "Văn phòng"),
        ["thành phố Nam Định", "huyện Hải Hậu", "huyện Giao Thủy", "huyện Ý Yên",
         "huyện Nghĩa Hưng", "huyện Xuân Trường"], caps_titles=0.6)
    look = Look(vendor="php", listing_date=lambda w: f"({w:%d/%m/%Y})", byline="top",
                byline_pad=45, sapo_repeat=True, lead_alt="banerchinh-ngay14-3-2021",
                banner="Nhiệt liệt chào mừng 69 năm Ngày thành lập trường chính trị trường "
                       "chinh tỉnh nam định (09/6/1956-09/6/2025)!",
                related_heading="Các tin khác")
    cat = {ND_NEWS: "tin-tuc-hoat-dong", RESEARCH: "nghien-cuu-trao-doi"}
    return custom_site(
        facts, [], n_articles, seed, name="Trường Chính trị Trường Chinh tỉnh Nam Định",
        look=look, sections={s: f"/{c}" for s, c in cat.items()},
        path_of=lambda i, d: f"/{cat[d.section]}/{ascii_slug(d.title)}.{i}.html",
        pager=query_page("trang"), first_id=20, step=3,
        statics={"/lich-su-truyen-thong.html": (
            "Lịch sử truyền thống", "Trường Chính trị Trường Chinh tỉnh Nam Định được thành "
            "lập ngày 09/6/1956, tiền thân là Trường Đảng tỉnh Nam Định.")})


# -- Bình Dương (§1.17): custom, `/Tin-tuc/<long slug>-<id>` (no extension) --------------------

def build_binh_duong(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> CustomSite:
    facts = school_facts(
        "binh_duong", "Trường Chính trị tỉnh Bình Dương", "Bình Dương", [NEWS, RESEARCH],
        dt.date(2020, 4, 1), dt.date(2025, 6, 28),
        people("ThS. Nguyễn Thị Thanh Thủy", "Giảng viên Khoa Lý luận cơ sở",
                "TS. Lê Văn Bình", "Phó Hiệu trưởng",
                "ThS. Huỳnh Văn Tám", "Trưởng khoa Nhà nước và Pháp luật"),
        people("Ngọc Lan", "Phòng Đào tạo", "Minh Quân", "Phòng Tổ chức - Hành chính"),
        ["thành phố Thủ Dầu Một", "thành phố Dĩ An", "thành phố Thuận An", "thị xã Bến Cát",
         "huyện Dầu Tiếng", "huyện Phú Giáo"])

    research = abstract_and_keywords("cán bộ; đào tạo; Bình Dương", 150)
    look = Look(vendor="aspnet", article_date=lambda w: f"Ngày đăng: {w:%d/%m/%Y %H:%M}",
                listing_date=lambda w: f"{w:%d/%m/%Y}", byline="end", og=True)
    return custom_site(
        facts, [], n_articles, seed, name="Trường Chính trị tỉnh Bình Dương", look=look,
        sections={NEWS: "/Tin-tuc", RESEARCH: "/Nghien-cuu-trao-doi"},
        path_of=lambda i, d: f"/Tin-tuc/{ascii_slug(d.title)}-{i}",
        pager=query_page("page"), first_id=8000, step=13, tweak=research)


# -- Bình Phước (§1.17): custom, `/home/tin-hoat-dong/<slug>-<id>.html`, ends `./.` ------------

BP_NEWS = "Tin hoạt động"


def build_binh_phuoc(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> CustomSite:
    facts = school_facts(
        "binh_phuoc", "Trường Chính trị tỉnh Bình Phước", "Bình Phước", [BP_NEWS, RESEARCH],
        dt.date(2020, 3, 1), dt.date(2025, 6, 25),
        people("ThS. Điểu Thị Hoa", "Giảng viên Khoa Dân vận", "TS. Trần Văn Mi",
                "Phó Hiệu trưởng", "ThS. Lê Quang Vinh", "Trưởng khoa Xây dựng Đảng"),
        people("Thu Hà", "Phòng Đào tạo", "Văn Khánh", "Văn phòng"),
        ["thành phố Đồng Xoài", "thị xã Bình Long", "thị xã Phước Long", "huyện Bù Đăng",
         "huyện Lộc Ninh", "huyện Chơn Thành"])

    def ends(d: Draft) -> None:
        if d.kind == "news":
            d.paragraphs[-1] = d.paragraphs[-1].rstrip(".") + "./."
            d.traps.append("end_marker")
    look = Look(vendor="php", article_date=lambda w: f"{w:%d/%m/%Y}",
                listing_date=lambda w: f"{w:%d/%m/%Y}", byline="end")

    def path_of(i: int, d: Draft) -> str:
        slug = ascii_slug(d.title).replace("trung-cap", "tung-cap")  # the typo of §1.17
        cat = "tin-hoat-dong" if d.section == BP_NEWS else "nghien-cuu-trao-doi"
        return f"/home/{cat}/{slug}-{i}.html"

    return custom_site(
        facts, [], n_articles, seed, name="Trường Chính trị tỉnh Bình Phước", look=look,
        sections={BP_NEWS: "/home/tin-hoat-dong", RESEARCH: "/home/nghien-cuu-trao-doi"},
        path_of=path_of, pager=query_page("page"), first_id=600, step=11, tweak=ends)


# -- Bà Rịa-Vũng Tàu (§1.17): the new custom site, `/article?item=<32 hex>` --------------------

def brvt_path(i: int, d: Draft) -> str:
    """New articles at `/article?item=<32 hex>`; research articles from before the move (guessed:
    2022) still linked at the old Joomla URL, Vietnamese letters dropped from the category
    aliases and a creation timestamp as the article alias (sites.md §1.17)."""
    if d.section == RESEARCH and d.when.year < 2023:
        return f"/index.php/hot-ng-nghien-cu-khoa-hc/nghien-cu-thc-t/{i}-{d.when:%Y-%m-%d-%H-%M-%S}"
    return f"/article?item={hashlib.md5(f'brvt{i}'.encode()).hexdigest()}"


def build_ba_ria_vung_tau(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> CustomSite:
    facts = school_facts(
        "ba_ria_vung_tau", "Trường Chính trị tỉnh Bà Rịa - Vũng Tàu", "Bà Rịa - Vũng Tàu",
        [NEWS, RESEARCH], dt.date(2021, 1, 4), dt.date(2025, 6, 27),
        people("ThS. Nguyễn Thị Kim Oanh", "Trưởng khoa Xây dựng Đảng", "TS. Võ Văn Hòa",
                "Phó Hiệu trưởng", "ThS. Trần Thị Mỹ Lệ", "Giảng viên Khoa Lý luận cơ sở"),
        people("Hoàng Yến", "Phòng Đào tạo", "Quốc Bảo", "Văn phòng"),
        ["thành phố Vũng Tàu", "thành phố Bà Rịa", "thị xã Phú Mỹ", "huyện Long Điền",
         "huyện Xuyên Mộc", "huyện Côn Đảo"], caps_titles=0.5)
    look = Look(vendor="php", article_date=lambda w: f"{w:%d/%m/%Y}",
                listing_date=lambda w: f"{w:%d/%m/%Y}", byline="end", og=False)
    return custom_site(
        facts, [], n_articles, seed, name="Trường Chính trị tỉnh Bà Rịa - Vũng Tàu", look=look,
        sections={NEWS: "/category?item=tin-tuc-su-kien",
                  RESEARCH: "/category?item=nghien-cuu-trao-doi"},
        path_of=brvt_path,
        pager=query_page("page"), first_id=1, step=1,
        statics={"/pages?item=gioi-thieu-truong-chinh-tri": (
            "Giới thiệu Trường Chính trị tỉnh Bà Rịa - Vũng Tàu",
            "Trường Chính trị tỉnh Bà Rịa - Vũng Tàu là cơ sở đào tạo, bồi dưỡng cán bộ của "
            "tỉnh, trực thuộc Tỉnh ủy và Ủy ban nhân dân tỉnh.")})


BUILDERS: dict[str, Callable[..., Any]] = {
    "vinh_long_old": build_vinh_long_old,
    "tra_vinh": build_tra_vinh,
    "an_giang": build_an_giang,
    "thanh_hoa": build_thanh_hoa,
    "nghe_an": build_nghe_an,
    "hai_duong": build_hai_duong,
    "hung_yen": build_hung_yen,
    "nam_dinh": build_nam_dinh,
    "binh_duong": build_binh_duong,
    "binh_phuoc": build_binh_phuoc,
    "ba_ria_vung_tau": build_ba_ria_vung_tau,
}
