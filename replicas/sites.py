"""The schools' replicas: facts from sites.md per school, built on the CMS-family markup modules.

    from replicas.sites import build
    site = build("quang_tri")          # any slug of scrapers/sites/*.toml
    site.articles                      # the ground truth (ReplicaArticle)
    ReplicaServer(site)                # serves it through site.route()

Each builder states the school's quirks it reproduces; `ReplicaArticle.traps` names them per
article.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from replicas import bentre, custom_sites, other_sites
from replicas.drupal8 import Drupal8Site, Node
from replicas.haiphong import HaiPhongSite, PortalItem, cat_slug
from replicas.joomla_k2 import K2Item, K2Site, k2_alias
from replicas.nukeviet import Item, NukeVietSite
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


def manifest(d: Draft, path: str, precision: str = "minute", author: str | None = None,
             role: str | None = None, duplicates: list[str] | None = None) -> ReplicaArticle:
    return ReplicaArticle(
        path=path,
        title=d.title,
        published=d.when,
        precision=precision,
        author=d.author if author is None else author,
        role=d.role if role is None else role,
        sections=d.sections,
        paragraphs=list(d.paragraphs),
        traps=sorted(set(d.traps)),
        duplicates=list(duplicates or []),
    )


def listings_of(sections: list[str], drafts: dict[int, Draft]) -> dict[str, list[int]]:
    """Section -> ids, newest first (a cross-posted article is listed in both)."""
    out: dict[str, list[int]] = {s: [] for s in sections}
    for i, d in sorted(drafts.items(), key=lambda kv: (kv[1].when, kv[0]), reverse=True):
        for s in d.sections:
            out[s].append(i)
    return out


def assign_ids(drafts: list[Draft], first: int, step: int, taken: set[int]) -> list[int]:
    """Ids growing with time; anchors keep the id sites.md shows."""
    ids, n = [], first
    for d in drafts:
        if d.fixed_id is not None:
            ids.append(d.fixed_id)
            continue
        n += step
        while n in taken:
            n += 1
        taken.add(n)
        ids.append(n)
    return ids


# ---------------------------------------------------------------------------------------------
# Vĩnh Long: Trường Chính trị Phạm Hùng, the merged school's new Drupal 8+ site (Olivero).

VL_NEWS, VL_RESEARCH, VL_NOTICE = "Tin tức - Sự kiện", "Nghiên cứu - Trao đổi", "Hoạt động đào tạo"
VINH_LONG = Facts(
    slug="vinh_long", school="Trường Chính trị Phạm Hùng tỉnh Vĩnh Long", province="Vĩnh Long",
    sections=[VL_NEWS, VL_RESEARCH, VL_NOTICE], start=dt.date(2025, 7, 2),
    end=dt.date(2026, 11, 18),
    essayists=[("TS. Nguyễn Trúc Hạnh", "Hiệu trưởng"),
               ("ThS. Trần Văn Nghĩa", "Phó Hiệu trưởng"),
               ("ThS. Lê Thị Thu Trang", "Trưởng khoa Xây dựng Đảng"),
               ("ThS. Phạm Minh Luân", "Giảng viên Khoa Lý luận cơ sở"),
               ("ThS. Thạch Thị Sô Phia", "Phó Trưởng khoa Nhà nước và Pháp luật")],
    reporters=[("Ngọc Hân", "Phòng Tổ chức - Hành chính"), ("Minh Trí", "Phòng Đào tạo"),
               ("Thanh Tâm", "Phòng Quản lý khoa học")],
    leader="đồng chí Nguyễn Trúc Hạnh, Bí thư Đảng ủy, Hiệu trưởng nhà trường",
    places=["phường Phước Hậu", "phường An Hội", "phường Trà Vinh", "xã Mỏ Cày", "xã Long Hồ",
            "phường Bến Tre", "xã Cầu Kè"],
    essay_sections=[VL_RESEARCH],
    other_schools=["Trường Chính trị tỉnh Đồng Tháp", "Trường Chính trị tỉnh Cà Mau",
                   "Trường Chính trị thành phố Cần Thơ"],
)


def build_vinh_long(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> Drupal8Site:
    anchor = Draft(
        VL_NEWS, "Trường Chính trị Phạm Hùng tỉnh Vĩnh Long chính thức đi vào hoạt động",
        at(2025, 7, 23, 10, 15),
        ["Sáng 23/7/2025, Trường Chính trị Phạm Hùng tỉnh Vĩnh Long tổ chức hội nghị công bố "
         "các quyết định về tổ chức bộ máy và công tác cán bộ.",
         "Nhà trường chính thức đi vào hoạt động sau khi sáp nhập ba trường chính trị Vĩnh "
         "Long, Bến Tre, Trà Vinh theo chủ trương sắp xếp đơn vị hành chính cấp tỉnh.",
         "Đồng chí Nguyễn Trúc Hạnh, nguyên Hiệu trưởng Trường Chính trị tỉnh Bến Tre giai đoạn "
         "2015 - 2020, được giao giữ chức Hiệu trưởng nhà trường.",
         "Nhà trường có ba cơ sở đào tạo, tiếp tục thực hiện nhiệm vụ đào tạo, bồi dưỡng cán bộ "
         "cho hệ thống chính trị tỉnh Vĩnh Long mới."],
        "Ngọc Hân", "Phòng Tổ chức - Hành chính", fixed_id=41, traps=["merger_notice"])
    drafts = generate(VINH_LONG, n_articles, seed, [anchor])
    ids = assign_ids(drafts, 17, 1, {41})
    by_id = dict(zip(ids, drafts, strict=True))
    nodes = {i: Node(i, d, "time") for i, d in by_id.items()}
    listings = listings_of(VINH_LONG.sections, by_id)
    related = {i: [j for j in listings[d.section] if j != i][:4] for i, d in by_id.items()}
    articles = [manifest(d, f"/node/{i}") for i, d in by_id.items()]
    return Drupal8Site(
        slug="vinh_long", name=VINH_LONG.school, theme="olivero", skip_link="Nhảy đến nội dung",
        sections={VL_NEWS: "/tin-tuc-su-kien", VL_RESEARCH: "/nghien-cuu-trao-doi",
                  VL_NOTICE: "/hoat-dong-dao-tao"},
        nodes=nodes, listings=listings, articles=articles, related=related, version="10")


# ---------------------------------------------------------------------------------------------
# Lạng Sơn: Trường Chính trị Hoàng Văn Thụ, Drupal 8 (Bartik), one article on two nodes.

LS_NEWS, LS_RESEARCH = "Tin tức - Sự kiện", "Nghiên cứu - Trao đổi"
LS_HISTORY = "Lịch sử truyền thống"
LANG_SON = Facts(
    slug="lang_son", school="Trường Chính trị Hoàng Văn Thụ", province="Lạng Sơn",
    sections=[LS_NEWS, LS_RESEARCH, LS_HISTORY], start=dt.date(2017, 3, 1),
    end=dt.date(2021, 12, 20),
    essayists=[("ThS. Hoàng Văn Tuấn", "Phó Hiệu trưởng"),
               ("ThS. Lường Thị Hạnh", "Trưởng khoa Lý luận cơ sở"),
               ("ThS. Nông Văn Bình", "Giảng viên Khoa Xây dựng Đảng"),
               ("ThS. Vy Thị Thu", "Phó Trưởng khoa Dân vận")],
    reporters=[("Lăng Thị Mai", "Phòng Tổ chức - Hành chính"),
               ("Hoàng Quốc Việt", "Phòng Đào tạo")],
    leader="đồng chí Hiệu trưởng Trường Chính trị Hoàng Văn Thụ",
    places=["huyện Cao Lộc", "huyện Văn Lãng", "huyện Tràng Định", "huyện Bắc Sơn",
            "huyện Lộc Bình", "thành phố Lạng Sơn", "huyện Hữu Lũng"],
    essay_sections=[LS_RESEARCH, LS_HISTORY],
    other_schools=["Trường Chính trị tỉnh Cao Bằng", "Trường Chính trị tỉnh Bắc Giang"],
)


def build_lang_son(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> Drupal8Site:
    twin = Draft(
        LS_HISTORY, "“Tự hào mái trường mang tên đồng chí Hoàng Văn Thụ”",
        at(2019, 11, 13, 17, 23),
        ["Trải qua hơn 70 năm xây dựng và trưởng thành, Trường Chính trị Hoàng Văn Thụ luôn "
         "là địa chỉ tin cậy trong đào tạo, bồi dưỡng cán bộ của tỉnh Lạng Sơn.",
         "Mỗi thế hệ cán bộ, giảng viên đều tự hào được học tập và công tác dưới mái trường "
         "mang tên người chiến sĩ cộng sản kiên trung Hoàng Văn Thụ.",
         "Phát huy truyền thống đó, nhà trường tiếp tục đổi mới nội dung, phương pháp giảng dạy, "
         "xứng đáng với niềm tin của Đảng bộ và nhân dân các dân tộc tỉnh Lạng Sơn."],
        "ThS. Hoàng Văn Tuấn", "Phó Hiệu trưởng", kind="essay", fixed_id=1686,
        traps=["two_nodes", "curly_quotes_title"], extra_sections=[LS_NEWS])
    drafts = generate(LANG_SON, n_articles, seed, [twin])
    ids = assign_ids(drafts, 1040, 17, {1139, 1686})
    by_id = dict(zip(ids, drafts, strict=True))
    nodes: dict[int, Node] = {}
    for i, d in by_id.items():
        style = "en" if i < 1400 else "vi"
        # Essays carry their author in a `Tác giả` field (field.html.twig with its label), news
        # close with the byline paragraphs; the submitted line names only the account.
        nodes[i] = Node(i, d, style, indent=5, stray_alt="vb" if i % 5 == 0 else "",
                        byline="field" if d.kind == "essay" else "body")
        if nodes[i].stray_alt:
            d.traps.append("stray_alt")
    # The same article again as node 1139, listed in the news section, with the English date.
    nodes[1139] = Node(1139, twin, "en", indent=5, byline="field")
    listings = listings_of(LANG_SON.sections, by_id)
    listings[LS_NEWS].remove(1686)
    listings[LS_NEWS].append(1139)
    listings[LS_NEWS].sort(key=lambda i: (nodes[i].draft.when, i), reverse=True)
    related = {i: [j for j in listings[d.section] if j != i][:4] for i, d in by_id.items()}
    articles = []
    for i, d in by_id.items():
        if i == 1686:
            articles.append(manifest(d, "/node/1686", "minute", duplicates=["/node/1139"]))
        else:
            articles.append(manifest(d, f"/node/{i}", "day" if i < 1400 else "minute"))
    return Drupal8Site(
        slug="lang_son", name="Trường Chính trị Hoàng Văn Thụ tỉnh Lạng Sơn", theme="bartik",
        skip_link="Skip to main content",
        sections={LS_NEWS: "/tin-tuc-su-kien", LS_RESEARCH: "/nghien-cuu-trao-doi",
                  LS_HISTORY: "/lich-su-truyen-thong"},
        nodes=nodes, listings=listings, articles=articles, related=related, version="8")


# ---------------------------------------------------------------------------------------------
# NukeViet schools.


def _nukeviet(facts: Facts, drafts: list[Draft], ids: list[int], *, name: str, lang_base: str,
              placement: dict[str, tuple[str, str]], listing_paths: dict[str, str],
              byline: Callable[[Draft], str], hometext: Callable[[Draft], bool],
              variants: dict[int, str], version: str, feeds: bool = False,
              extra_listing: dict[str, list[int]] | None = None, pad: int = 0) -> NukeVietSite:
    """placement: section -> (module_base, cat alias) for article URLs."""
    by_id = dict(zip(ids, drafts, strict=True))
    items: dict[int, Item] = {}
    articles: list[ReplicaArticle] = []
    for i, d in by_id.items():
        module_base, cat = placement[d.section]
        style = byline(d) if d.author else "none"
        item = Item(i, d, module_base, cat, ascii_slug(d.title), style, hometext(d),
                    byline_pad=pad if style == "top" else 0,
                    related_variant=variants.get(i, ""),
                    source=f"Báo {facts.province}" if d.kind == "news" and len(items) % 4 == 1
                    else "")  # NukeViet's `Nguồn tin` line, never the author
        items[i] = item
        dups = [item.variant("savefile"), item.variant("print")]
        if item.related_variant:
            d.traps.append(f"{item.related_variant}_link")
        if style == "tin_anh":
            d.traps.append("tin_va_anh_byline")
        role = "" if style == "field" else None
        articles.append(manifest(d, item.path, role=role, duplicates=dups))
    listings = listings_of(list(listing_paths), by_id)
    for section, extra in (extra_listing or {}).items():
        listings[section] = sorted(set(listings.get(section, [])) | set(extra),
                                   key=lambda i: (by_id[i].when, i), reverse=True)
    return NukeVietSite(slug=facts.slug, name=name, lang_base=lang_base,
                        sections=listing_paths, items=items, listings=listings,
                        articles=articles, version=version, feeds=feeds)


QT_HISTORY, QT_NEWS, QT_RESEARCH = "Lịch sử phát triển", "Tin hoạt động", "Nghiên cứu - Trao đổi"
QUANG_TRI = Facts(
    slug="quang_tri", school="Trường Chính trị Lê Duẩn", province="Quảng Trị",
    sections=[QT_HISTORY, QT_NEWS, QT_RESEARCH], start=dt.date(2018, 1, 8),
    end=dt.date(2025, 10, 30),
    essayists=[("ThS. Nguyễn Hữu Thánh", "Nguyên Bí thư Đảng ủy - Nguyên Hiệu trưởng"),
               ("TS. Lê Văn Hùng", "Phó Hiệu trưởng"),
               ("ThS. Hoàng Thị Thu Hà", "Trưởng khoa Xây dựng Đảng"),
               ("ThS. Trần Đình Phúc", "Giảng viên Khoa Lý luận cơ sở")],
    reporters=[("Thanh Hương", "Phòng Tổ chức - Hành chính"), ("Văn Lợi", "Phòng Đào tạo")],
    leader="đồng chí Hiệu trưởng Trường Chính trị Lê Duẩn",
    places=["huyện Gio Linh", "huyện Vĩnh Linh", "huyện Hải Lăng", "thị xã Quảng Trị",
            "thành phố Đông Hà", "huyện Cam Lộ", "huyện Đakrông"],
    essay_sections=[QT_RESEARCH, QT_HISTORY], caps_titles=0.5,
    other_schools=["Trường Chính trị tỉnh Quảng Bình", "Trường Chính trị Nguyễn Văn Cừ"],
)


def build_quang_tri(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> NukeVietSite:
    anchor = Draft(
        QT_HISTORY, "TRƯỜNG CHÍNH TRỊ LÊ DUẨN 75 NĂM MỘT MÁI TRƯỜNG CÁCH MẠNG",
        at(2020, 10, 4, 10, 53),
        ["Trải qua 75 năm xây dựng và phát triển, Trường Chính trị Lê Duẩn đã đào tạo, bồi "
         "dưỡng hàng vạn lượt cán bộ cho hệ thống chính trị tỉnh Quảng Trị.",
         "Từ những lớp học giữa núi rừng trong kháng chiến, nhà trường luôn gắn bó với phong trào "
         "cách mạng của quê hương.",
         "Hôm nay, mỗi cán bộ, giảng viên nhà trường nguyện tiếp bước truyền thống vẻ vang, xây "
         "dựng nhà trường đạt chuẩn mức 1."],
        "ThS. Nguyễn Hữu Thánh", "Nguyên Bí thư Đảng ủy - Nguyên Hiệu trưởng", kind="essay",
        fixed_id=61, traps=["all_caps_title", "right_aligned_byline"])
    drafts = generate(QUANG_TRI, n_articles, seed, [anchor])
    ids = assign_ids(drafts, 20, 3, {61})
    variants = {i: "print" for i in ids[3::9] if i != 61}
    return _nukeviet(
        QUANG_TRI, drafts, ids, name="Trường Chính trị Lê Duẩn", lang_base="/vi",
        placement={QT_HISTORY: ("/vi/gioi-thieu", "lich-su-phat-trien"),
                   QT_NEWS: ("/vi/news", "tin-hoat-dong"),
                   QT_RESEARCH: ("/vi/news", "nghien-cuu-trao-doi")},
        listing_paths={QT_HISTORY: "/vi/gioi-thieu/lich-su-phat-trien",
                       QT_NEWS: "/vi/news/tin-hoat-dong",
                       QT_RESEARCH: "/vi/news/nghien-cuu-trao-doi"},
        byline=lambda d: "top" if d.kind == "essay" else "end",
        hometext=lambda d: d.kind != "essay", variants=variants, version="4.3", pad=40)


HT_NEWS, HT_RESEARCH = "Tin tức nhà trường", "Nghiên cứu - Trao đổi"
HT_HISTORY = "Lịch sử phát triển"
HA_TINH = Facts(
    slug="ha_tinh", school="Trường Chính trị Trần Phú", province="Hà Tĩnh",
    sections=[HT_NEWS, HT_RESEARCH, HT_HISTORY], start=dt.date(2019, 6, 3),
    end=dt.date(2025, 11, 28),
    essayists=[("ThS. ĐINH QUỐC THỊ", "TUV, Hiệu trưởng Trường Chính trị Trần Phú"),
               ("ThS. Đinh Quốc Thị", "TUV - Hiệu trưởng"),
               ("TS. Nguyễn Thị Minh Châu", "Phó Hiệu trưởng"),
               ("ThS. Phan Văn Đức", "Trưởng khoa Nhà nước và Pháp luật")],
    reporters=[("Thu Hiền", "Phòng Tổ chức - Hành chính"), ("Quang Minh", "Phòng Đào tạo")],
    leader="đồng chí Đinh Quốc Thị, Tỉnh ủy viên, Hiệu trưởng nhà trường",
    places=["huyện Can Lộc", "huyện Đức Thọ", "huyện Hương Khê", "thị xã Hồng Lĩnh",
            "thành phố Hà Tĩnh", "huyện Kỳ Anh", "huyện Nghi Xuân"],
    essay_sections=[HT_RESEARCH, HT_HISTORY], caps_titles=0.25,
    other_schools=["Trường Chính trị tỉnh Nghệ An", "Trường Chính trị Lê Duẩn"],
)


def build_ha_tinh(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> NukeVietSite:
    body = ["Trường Chính trị Trần Phú tự hào là cơ sở đào tạo cán bộ có bề dày truyền thống của "
            "tỉnh Hà Tĩnh.",
            "Qua các thời kỳ, nhà trường luôn hoàn thành xuất sắc nhiệm vụ đào tạo, bồi dưỡng lý "
            "luận chính trị cho cán bộ, đảng viên.",
            "Niềm tin ấy tiếp tục được vun đắp bằng chất lượng mỗi bài giảng, mỗi khóa học."]
    anchors = [
        Draft(HT_RESEARCH, "Trường Chính trị Trần Phú 75 năm tỏa sáng niềm tin",
              at(2020, 11, 19, 22, 44), list(body), "ThS. ĐINH QUỐC THỊ",
              "TUV, Hiệu trưởng Trường Chính trị Trần Phú", kind="essay", fixed_id=213,
              traps=["caps_name_byline"]),
        Draft(HT_HISTORY, "TỰ HÀO 75 NĂM TRƯỜNG CHÍNH TRỊ TRẦN PHÚ", at(2020, 3, 24, 4, 4),
              ["Năm 2020, Trường Chính trị Trần Phú kỷ niệm 75 năm ngày thành lập.",
               *body[1:], "Mỗi cán bộ, giảng viên đều tự hào về truyền thống vẻ vang ấy."],
              "ThS. Đinh Quốc Thị", "TUV - Hiệu trưởng", kind="essay", fixed_id=83,
              traps=["all_caps_title"]),
        Draft(HT_NEWS, "Trường Chính trị Trần Phú 80 năm tỏa sáng niềm tin",
              at(2025, 9, 18, 8, 30),
              ["Sáng 18/9/2025, Trường Chính trị Trần Phú long trọng tổ chức Lễ kỷ niệm 80 năm "
               "Ngày thành lập trường.",
               "Dự buổi lễ có các đồng chí lãnh đạo tỉnh, các thế hệ cán bộ, giảng viên nhà "
               "trường qua các thời kỳ.",
               "Buổi lễ kết thúc trong không khí trang trọng, phấn khởi."],
              "Thu Hiền", "Phòng Tổ chức - Hành chính", fixed_id=877),
    ]
    drafts = generate(HA_TINH, n_articles, seed, anchors)
    ids = assign_ids(drafts, 60, 19, {83, 213, 877})
    return _nukeviet(
        HA_TINH, drafts, ids, name="Trường Chính trị Trần Phú", lang_base="",
        placement={HT_NEWS: ("", "tin-tuc-nha-truong"), HT_RESEARCH: ("", "nghien-cuu-trao-doi"),
                   HT_HISTORY: ("", "lich-su-phat-trien")},
        listing_paths={HT_NEWS: "/tin-tuc-nha-truong", HT_RESEARCH: "/nghien-cuu-trao-doi",
                       HT_HISTORY: "/lich-su-phat-trien"},
        byline=lambda d: "end", hometext=lambda d: True, variants={}, version="4.4")


TN_PARTY, TN_RESEARCH, TN_TAG = "Đảng - Đoàn thể", "Nghiên cứu khoa học", "Pháp luật"
THAI_NGUYEN = Facts(
    slug="thai_nguyen", school="Trường Chính trị tỉnh Thái Nguyên", province="Thái Nguyên",
    sections=[TN_PARTY, TN_RESEARCH], start=dt.date(2022, 1, 10), end=dt.date(2026, 1, 22),
    essayists=[("ThS. Dương Thị Hồng", "Trưởng khoa Lý luận cơ sở"),
               ("TS. Ma Văn Thắng", "Phó Hiệu trưởng"),
               ("ThS. La Thị Thanh", "Giảng viên Khoa Nhà nước và Pháp luật")],
    reporters=[("Nguyễn Thị Lan", "Giảng viên phòng Đào tạo"),
               ("Hà Văn Toàn", "Giảng viên phòng Đào tạo"),
               ("Đặng Thu Trang", "Chuyên viên Phòng Tổ chức - Hành chính")],
    leader="đồng chí Hiệu trưởng Trường Chính trị tỉnh Thái Nguyên",
    places=["huyện Định Hóa", "huyện Đại Từ", "huyện Phú Lương", "thành phố Sông Công",
            "huyện Võ Nhai", "xã Chợ Đồn", "phường Bắc Kạn"],
    essay_sections=[TN_RESEARCH],
    other_schools=["Trường Chính trị tỉnh Bắc Kạn", "Trường Chính trị tỉnh Tuyên Quang"],
)


def build_thai_nguyen(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> NukeVietSite:
    anchor = Draft(
        TN_RESEARCH, "Nghiên cứu thực tế tại huyện Định Hóa", at(2023, 5, 16, 9, 5),
        ["Thực hiện kế hoạch năm học, học viên lớp Trung cấp lý luận chính trị đi nghiên cứu "
         "thực tế tại huyện Định Hóa.",
         "Đoàn đã tìm hiểu mô hình phát triển kinh tế đồi rừng và công tác xây dựng Đảng ở cơ sở.",
         "Chuyến đi giúp học viên gắn lý luận với thực tiễn địa phương./."],
        "Nguyễn Thị Lan", "Giảng viên phòng Đào tạo", fixed_id=46)
    drafts = generate(THAI_NGUYEN, n_articles, seed, [anchor])
    for d in drafts:
        if d.kind == "news" and not d.paragraphs[-1].endswith("./."):
            d.paragraphs[-1] = d.paragraphs[-1].rstrip(".") + "./."
            d.traps.append("end_marker")
    ids = assign_ids(drafts, 10, 2, {46})
    by_id = dict(zip(ids, drafts, strict=True))
    tagged = ids[1::3][:8]
    for i in tagged:
        by_id[i].extra_sections.append(TN_TAG)
    variants = {i: "savefile" for i in ids[4::8]}
    research_cats = ["Nghien-cuu-thuc-te", "Trao-doi-kinh-nghiem"]
    placement = {TN_PARTY: ("/vi/dang-doan-the", "Hoat-dong-Dang-Doan"),
                 TN_RESEARCH: ("/vi/nghien-cuu-khoa-hoc", research_cats[0])}
    site = _nukeviet(
        THAI_NGUYEN, drafts, ids, name="Trường Chính trị tỉnh Thái Nguyên", lang_base="/vi",
        placement=placement,
        listing_paths={TN_PARTY: "/vi/dang-doan-the", TN_RESEARCH: "/vi/nghien-cuu-khoa-hoc",
                       TN_TAG: "/vi/news/tag/phap-luat"},
        byline=lambda d: "tin_anh" if d.kind == "news" else "top",
        hometext=lambda d: d.kind == "news", variants=variants, version="4.5")
    return site


DT_NEWS, DT_RESEARCH = "Tin hoạt động", "Nghiên cứu - Trao đổi"
DONG_THAP = Facts(
    slug="dong_thap", school="Trường Chính trị tỉnh Đồng Tháp", province="Đồng Tháp",
    sections=[DT_NEWS, DT_RESEARCH], start=dt.date(2024, 10, 7), end=dt.date(2026, 10, 30),
    essayists=[("ThS. Nguyễn Phước Tài", "Khoa Lý luận cơ sở"),
               ("ThS. Tống Hoàng Huân", "Khoa Xây dựng Đảng"),
               ("TS. Lê Thị Ngọc Diệp", "Phó Hiệu trưởng")],
    reporters=[("Quang Thành", "Chi đoàn Trường Chính trị"), ("Kim Ngân", "Phòng Đào tạo")],
    leader="đồng chí Hiệu trưởng Trường Chính trị tỉnh Đồng Tháp",
    places=["phường Cao Lãnh", "phường Sa Đéc", "xã Tháp Mười", "phường Mỹ Tho",
            "xã Cái Bè", "phường Gò Công"],
    essay_sections=[DT_RESEARCH],
    other_schools=["Trường Chính trị Phạm Hùng tỉnh Vĩnh Long", "Trường Chính trị tỉnh An Giang"],
)


def build_dong_thap(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> NukeVietSite:
    anchor = Draft(
        DT_NEWS, "Trường Chính trị tỉnh Đồng Tháp kỷ niệm 70 năm thành lập (1955 - 2025)",
        at(2025, 9, 12, 9, 30),
        ["Sáng 12/9/2025, Trường Chính trị tỉnh Đồng Tháp tổ chức Lễ kỷ niệm 70 năm Ngày thành "
         "lập trường (1955 - 2025).",
         "Buổi lễ ôn lại chặng đường 70 năm xây dựng và trưởng thành của nhà trường qua các thời "
         "kỳ cách mạng.",
         "Dịp này, nhà trường vinh dự đón nhận Bằng khen của Ủy ban nhân dân tỉnh."],
        "Quang Thành", "", fixed_id=63, traps=["title_entities", "savefile_canonical"],
        title_raw="Trường Chính trị tỉnh Đồng Tháp kỷ niệm 70 năm thành lập &#40;1955 - 2025&#41;")
    drafts = generate(DONG_THAP, n_articles, seed, [anchor])
    ids = assign_ids(drafts, 20, 2, {63})
    variants = {i: "savefile" for i in ids[2::7]}
    variants[63] = "savefile"
    return _nukeviet(
        DONG_THAP, drafts, ids, name="Trường Chính Trị Tỉnh Đồng Tháp", lang_base="/vi",
        placement={DT_NEWS: ("/vi/news", "tin-hoat-dong"),
                   DT_RESEARCH: ("/vi/news", "nghien-cuu-trao-doi")},
        listing_paths={DT_NEWS: "/vi/news/tin-hoat-dong",
                       DT_RESEARCH: "/vi/news/nghien-cuu-trao-doi"},
        byline=lambda d: "field", hometext=lambda d: True, variants=variants, version="4.4",
        feeds=True)


# ---------------------------------------------------------------------------------------------
# Lâm Đồng: Joomla + K2, Unicode aliases with commas, ALL-CAPS titles, `Ảnh:` credits.

LD_NEWS, LD_RESEARCH, LD_PARTY = "Tin tức - Sự kiện", "Nghiên cứu - Trao đổi", "Đảng bộ - Đoàn thể"
LAM_DONG = Facts(
    slug="lam_dong", school="Trường Chính trị tỉnh Lâm Đồng", province="Lâm Đồng",
    sections=[LD_NEWS, LD_RESEARCH, LD_PARTY], start=dt.date(2019, 1, 7), end=dt.date(2024, 12, 20),
    essayists=[("ThS. Ka Sô Hoa", "Giảng viên Khoa Dân vận"),
               ("TS. Trần Thị Thúy", "Phó Hiệu trưởng"),
               ("ThS. Nguyễn Văn Sơn", "Trưởng khoa Lý luận cơ sở")],
    reporters=[("Minh Tâm", "Văn phòng Đảng ủy"), ("Hồng Nhung", "Phòng Đào tạo")],
    leader="đồng chí Hiệu trưởng Trường Chính trị tỉnh Lâm Đồng",
    places=["thành phố Đà Lạt", "thành phố Bảo Lộc", "huyện Di Linh", "huyện Lâm Hà",
            "huyện Đức Trọng", "huyện Lạc Dương"],
    essay_sections=[LD_RESEARCH], caps_titles=0.3,
    other_schools=["Trường Chính trị tỉnh Đắk Nông", "Trường Chính trị tỉnh Bình Thuận"],
)
PHOTOGRAPHERS = ["Minh Tâm", "Hữu Phước", "Thanh Hà"]


def build_lam_dong(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> K2Site:
    anchor = Draft(
        LD_PARTY, "ĐẠI HỘI ĐẢNG BỘ TRƯỜNG CHÍNH TRỊ TỈNH LÂM ĐỒNG LẦN THỨ X, NHIỆM KỲ 2020 - 2025",
        at(2020, 6, 14, 15, 6),
        ["Ngày 14/6/2020, Đảng bộ Trường Chính trị tỉnh Lâm Đồng tổ chức Đại hội đại biểu lần "
         "thứ X, nhiệm kỳ 2020 - 2025.",
         "Quang cảnh Đại hội", "Ảnh: Hữu Phước",
         "Đại hội đã đánh giá kết quả thực hiện Nghị quyết nhiệm kỳ qua và đề ra phương hướng, "
         "nhiệm vụ nhiệm kỳ mới.",
         "Đại hội đã bầu Ban Chấp hành Đảng bộ nhiệm kỳ 2020 - 2025 gồm 9 đồng chí."],
        "Minh Tâm", "Văn phòng Đảng ủy", caption_at=1, credit_at=2, fixed_id=3502,
        traps=["all_caps_title", "comma_alias", "photo_credit"])
    drafts = generate(LAM_DONG, n_articles, seed, [anchor])
    for j, d in enumerate(drafts):
        if d.caption_at == 1 and d.credit_at < 0:
            d.paragraphs.insert(2, f"Ảnh: {PHOTOGRAPHERS[j % len(PHOTOGRAPHERS)]}")
            d.credit_at = 2
            d.traps.append("photo_credit")
    ids = assign_ids(drafts, 2790, 23, {3502})
    by_id = dict(zip(ids, drafts, strict=True))
    items = {i: K2Item(i, d, k2_alias(d.title)) for i, d in by_id.items()}
    articles = [manifest(d, items[i].path) for i, d in by_id.items()]
    return K2Site(
        slug="lam_dong", name="Trường Chính trị tỉnh Lâm Đồng",
        sections={LD_NEWS: "/component/k2/itemlist/category/5-tin-tức-sự-kiện.html",
                  LD_RESEARCH: "/component/k2/itemlist/category/7-nghiên-cứu-trao-đổi.html",
                  LD_PARTY: "/component/k2/itemlist/category/9-đảng-bộ-đoàn-thể.html"},
        items=items, listings=listings_of(LAM_DONG.sections, by_id), articles=articles,
        groups=(1, 4, 4, 1), full_item=True)  # K2's item groups; rating, sharing, navigation


# ---------------------------------------------------------------------------------------------
# Hải Phòng: Trường Chính trị Tô Hiệu on the city portal platform.

HP_NEWS, HP_RESEARCH, HP_TOPIC = "Tin tức - Sự kiện", "Nghiên cứu khoa học", "Bài viết chuyên đề"
HAI_PHONG = Facts(
    slug="hai_phong", school="Trường Chính trị Tô Hiệu", province="Hải Phòng",
    sections=[HP_NEWS, HP_RESEARCH, HP_TOPIC], start=dt.date(2020, 2, 3), end=dt.date(2024, 12, 27),
    essayists=[("Thạc sỹ Nguyễn Huy Hảo", "Nguyên Hiệu trưởng Trường"),
               ("Tiến sỹ Phạm Văn Khánh", "Phó Hiệu trưởng"),
               ("Thạc sỹ Vũ Thị Hoa", "Trưởng khoa Xây dựng Đảng")],
    reporters=[("ThS. Đỗ Thị Hằng", "Phòng Đào tạo"),
               ("ThS. Lê Văn Tùng", "Phòng Tổ chức - Hành chính")],
    leader="đồng chí Hiệu trưởng Trường Chính trị Tô Hiệu",
    places=["quận Ngô Quyền", "quận Lê Chân", "huyện Thủy Nguyên", "huyện An Lão",
            "huyện Tiên Lãng", "quận Dương Kinh", "huyện Cát Hải"],
    essay_sections=[HP_RESEARCH, HP_TOPIC], caps_titles=0.2, kind="thành phố",
    other_schools=["Trường Chính trị tỉnh Hải Dương", "Trường Chính trị tỉnh Quảng Ninh"],
)


def build_hai_phong(n_articles: int = DEFAULT_ARTICLES, seed: int = 7) -> HaiPhongSite:
    anchors = [
        Draft(HP_TOPIC, "Trường Chính trị Tô Hiệu - Chặng đường 75 năm xây dựng và phát triển",
              at(2022, 4, 25, 22, 6),
              ["Trải qua 75 năm, Trường Chính trị Tô Hiệu đã không ngừng lớn mạnh, trở thành "
               "trung tâm đào tạo cán bộ của thành phố Hải Phòng.",
               "Lãnh đạo thành phố chụp ảnh lưu niệm với các thế hệ cán bộ nhà trường",
               "Nhà trường luôn bám sát nhiệm vụ chính trị của thành phố, đổi mới nội dung, "
               "chương trình đào tạo.",
               "Những thành tựu đó là nền tảng để nhà trường vững bước trên chặng đường mới."],
              "Thạc sỹ Nguyễn Huy Hảo", "Nguyên Hiệu trưởng Trường", kind="essay",
              caption_at=1, fixed_id=90728, traps=["inline_byline", "repeated_first_paragraph"]),
        Draft(HP_NEWS, "ĐOÀN NGHIÊN CỨU THỰC TẾ TRƯỜNG CHÍNH TRỊ TỈNH HẢI DƯƠNG - LÀM VIỆC TẠI "
              "TRƯỜNG CHÍNH TRỊ TÔ HIỆU", at(2021, 11, 3, 14, 20),
              ["Chiều ngày 3/11/2021, đoàn nghiên cứu thực tế của Trường Chính trị tỉnh Hải "
               "Dương đã đến làm việc tại Trường Chính trị Tô Hiệu.",
               "Hai bên đã trao đổi kinh nghiệm về công tác quản lý đào tạo và nghiên cứu khoa "
               "học.",
               "Buổi làm việc diễn ra trong không khí cởi mở, thân tình."],
              "ThS. Đỗ Thị Hằng", "Phòng Đào tạo", fixed_id=85087,
              traps=["all_caps_title", "caps_slug"]),
    ]
    drafts = generate(HAI_PHONG, n_articles, seed, anchors)
    ids = assign_ids(drafts, 80100, 211, {85087, 90728})
    by_id = dict(zip(ids, drafts, strict=True))
    sections = {s: f"/{cat_slug(s)}/" for s in HAI_PHONG.sections}
    items: dict[int, PortalItem] = {}
    articles: list[ReplicaArticle] = []
    for i, d in by_id.items():
        item = PortalItem(i, d, cat_slug(d.section), repeat_first=d.caption_at == 1)
        if item.repeat_first:
            d.traps.append("repeated_first_paragraph")
        if d.author:
            d.traps.append("inline_byline")
        items[i] = item
        articles.append(manifest(d, item.path))
    return HaiPhongSite(
        slug="hai_phong", name="Trường Chính trị Tô Hiệu thành phố Hải Phòng", sections=sections,
        items=items, listings=listings_of(HAI_PHONG.sections, by_id), articles=articles)


# ---------------------------------------------------------------------------------------------

BUILDERS: dict[str, Callable[..., Any]] = {
    "bentre": bentre.build_site,
    "vinh_long": build_vinh_long,
    "lang_son": build_lang_son,
    "quang_tri": build_quang_tri,
    "ha_tinh": build_ha_tinh,
    "thai_nguyen": build_thai_nguyen,
    "dong_thap": build_dong_thap,
    "lam_dong": build_lam_dong,
    "hai_phong": build_hai_phong,
    # The `generic`-family schools, Bắc Giang (NukeViet) and the unverified schools.
    **custom_sites.BUILDERS,
    **other_sites.BUILDERS,
}


def build(slug: str, n_articles: int | None = None, seed: int = 7) -> Any:
    """The replica of the school `slug` (bentre: 160 articles by default, others 40)."""
    if slug not in BUILDERS:
        raise KeyError(f"no replica for {slug!r}; replicas: {', '.join(sorted(BUILDERS))}")
    if n_articles is None:
        return BUILDERS[slug](seed=seed)
    return BUILDERS[slug](n_articles=n_articles, seed=seed)
