# ruff: noqa: E501  (inline HTML templates read best one element per line)
"""A provincial-portal school site like Thanh Hóa's (sites.md §0 #9, §1.8, §3.3).

Facts reproduced: article URLs `/web/trang-chu/<cat>/<subcat>/<slug>.html` (the portal's
Liferay-style `/web/<site>/<page>` friendly URLs), a scrolling banner slogan, the date and view
count glued together (`Đăng lúc: 20:22:56 02/06/2019 (GMT+7)732 lượt xem`), essay bylines at the
top with leading spaces (`TS. Lương Trọng Thành` / `Tỉnh ủy viên, Hiệu trưởng`), news bylines at
the end, `Nguồn:` lines under reposts, left/right column portlets (most-read links, website
links, the visitor counter `Hôm nay: N / Hôm qua: N / Trong tuần: N / Tất cả: N`), the
`<title>` as `Title - category - school`, the site name in an <h1> of the banner while the
article heading is an <h3>, share and print links (`?print=1`, and a `/in-bai/` print page whose
rel=canonical names the article). Listings: asset-publisher abstracts with a
`_101_INSTANCE_tin_cur=N` pager.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from replicas.schools import (
    HTML,
    VN_TZ,
    Draft,
    Facts,
    ReplicaArticle,
    ReplicaSite,
    ascii_slug,
    esc,
    generate,
    split_target,
)

ESSAYS, NEWS = "Bài viết chuyên đề", "Tin hoạt động"
PLACES = {ESSAYS: ("khoa-hoc-thong-tin-tu-lieu", "bai-viet-chuyen-de"),
          NEWS: ("tin-tuc-su-kien", "tin-hoat-dong")}
THANH_HOA = Facts(
    slug="thanh_hoa_portal", school="Trường Chính trị tỉnh Thanh Hóa", province="Thanh Hóa",
    sections=[ESSAYS, NEWS], start=dt.date(2016, 2, 1), end=dt.date(2024, 11, 28),
    essayists=[("TS. Lương Trọng Thành", "Tỉnh ủy viên, Hiệu trưởng"),
               ("ThS. Lê Thị Hương", "Trưởng khoa Xây dựng Đảng"),
               ("ThS. Nguyễn Văn Quang", "Giảng viên Khoa Lý luận cơ sở")],
    reporters=[("Minh Hằng", "Phòng Tổ chức - Hành chính"), ("Đức Thịnh", "Phòng Đào tạo")],
    leader="đồng chí Lương Trọng Thành, Tỉnh ủy viên, Hiệu trưởng nhà trường",
    places=["huyện Thọ Xuân", "huyện Nga Sơn", "thị xã Bỉm Sơn", "thành phố Thanh Hóa",
            "huyện Tĩnh Gia", "huyện Hoằng Hóa"],
    essay_sections=[ESSAYS],
    other_schools=["Trường Chính trị tỉnh Nghệ An", "Trường Chính trị tỉnh Ninh Bình"],
)
BANNER = "NHIỆT LIỆT CHÀO MỪNG 49 NĂM NGÀY GIẢI PHÓNG MIỀN NAM, THỐNG NHẤT ĐẤT NƯỚC (30/4/1975 - 30/4/2024)"
PAD = "&nbsp;" * 24


def posted(when: dt.datetime, views: int) -> str:
    """`Đăng lúc: 20:22:56 02/06/2019 (GMT+7)732 lượt xem`: date and counter glued."""
    return f"Đăng lúc: {when:%H:%M:%S %d/%m/%Y} (GMT+7){views} lượt xem"


@dataclass
class PortalArticle:
    draft: Draft
    slug: str
    source: str = ""  # `Nguồn: ...` under a repost

    @property
    def path(self) -> str:
        cat, sub = PLACES[self.draft.section]
        return f"/web/trang-chu/{cat}/{sub}/{self.slug}.html"


@dataclass
class PortalSite(ReplicaSite):
    slug: str
    name: str
    items: list[PortalArticle]
    articles: list[ReplicaArticle]
    page_size: int = 6
    sections: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.sections = {s: f"/web/trang-chu/{c}/{sub}" for s, (c, sub) in PLACES.items()}
        self._by_path = {a.path: a for a in self.items}
        self._by_slug = {a.slug: a for a in self.items}

    def listing(self, section: str | None) -> list[PortalArticle]:
        return sorted((a for a in self.items if section is None or a.draft.section == section),
                      key=lambda a: a.draft.when, reverse=True)

    def route(self, target: str) -> tuple[int, str, bytes, dict[str, str]]:
        path, query = split_target(target)
        path = "/" + path.strip("/")
        now = dt.datetime.now(VN_TZ)
        if path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", b"User-agent: *\nDisallow: /c/\n", {}
        if path in ("/", "/web/trang-chu"):
            return 200, HTML, self.render_listing(None, 1, now).encode(), {}
        if path in self._by_path:
            return 200, HTML, self.render_article(self._by_path[path], now).encode(), {}
        if path.startswith("/in-bai/") and path[8:].removesuffix(".html") in self._by_slug:
            item = self._by_slug[path[8:].removesuffix(".html")]
            return 200, HTML, self.render_print(item).encode(), {}
        for section, base in self.sections.items():
            if path == base:
                page = int(query.get("_101_INSTANCE_tin_cur", ["1"])[0] or 1)
                return 200, HTML, self.render_listing(section, page, now).encode(), {}
        return 404, HTML, self.layout("Không tìm thấy", "<h3>Trang không tồn tại</h3>", now).encode(), {}

    # -- pages -----------------------------------------------------------------------------

    def layout(self, title: str, column1: str, now: dt.datetime) -> str:
        menu = "".join(f'<li><a href="{p}"><span>{esc(n)}</span></a></li>' for n, p in self.sections.items())
        popular = "".join(
            f'<li><a href="{a.path}">{esc(a.draft.title)}</a> <span class="date">({a.draft.when:%d/%m/%Y})</span></li>'
            for a in self.listing(None)[:5])
        name = esc(self.name)
        return f"""<!DOCTYPE html>
<html class="ltr" dir="ltr" lang="vi-VN">
<head><title>{esc(title)}</title>
<meta content="text/html; charset=UTF-8" http-equiv="content-type">
<link href="/html/themes/tct-theme/css/main.css" rel="stylesheet"></head>
<body class="blue controls-visible guest-site signed-out public-page site">
<div id="wrapper" class="container-fluid">
<header id="banner" role="banner">
  <div class="logo-wrap"><a class="logo" href="/web/trang-chu" title="{name}"><img alt="{name}" src="/image/logo.png"></a>
  <h1 class="site-title"><span>{name}</span></h1></div>
  <div class="slogan"><marquee scrollamount="4">{BANNER}</marquee></div>
</header>
<div id="navigation" class="navbar"><ul class="nav" role="menubar"><li><a href="/web/trang-chu"><span>Trang chủ</span></a></li>{menu}</ul></div>
<div id="content">
 <div class="columns-1-2" id="main-content" role="main"><div class="portlet-layout row-fluid">
  <div class="portlet-column portlet-column-first span8" id="column-1">{column1}</div>
  <div class="portlet-column portlet-column-last span4" id="column-2">
   <section class="portlet" id="portlet_101_INSTANCE_xemnhieu"><header class="portlet-topper"><h3 class="portlet-title"><span class="portlet-title-text">Tin xem nhiều</span></h3></header>
    <div class="portlet-content"><ul class="list-news">{popular}</ul></div></section>
   <section class="portlet" id="portlet_56_INSTANCE_lienket"><header class="portlet-topper"><h3 class="portlet-title"><span class="portlet-title-text">Liên kết website</span></h3></header>
    <div class="portlet-content"><ul><li><a href="http://thanhhoa.gov.vn">Cổng thông tin điện tử tỉnh Thanh Hóa</a></li><li><a href="http://hcma.vn">Học viện Chính trị quốc gia Hồ Chí Minh</a></li></ul></div></section>
   <section class="portlet" id="portlet_thongketruycap"><header class="portlet-topper"><h3 class="portlet-title"><span class="portlet-title-text">Thống kê truy cập</span></h3></header>
    <div class="portlet-content"><p>Đang truy cập: {now.minute % 7 + 1}</p><p>Hôm nay: {now.hour * 21}</p><p>Hôm qua: 873</p><p>Trong tuần: 4.512</p><p>Tất cả: 1.{now.day:03d}.387</p></div></section>
  </div>
 </div></div>
</div>
<footer id="footer" role="contentinfo"><p>Bản quyền thuộc {name}</p><p>Địa chỉ: phường Đông Vệ, thành phố Thanh Hóa</p></footer>
</div></body></html>
"""

    def body_html(self, a: PortalArticle) -> str:
        d = a.draft
        out = []
        if d.kind == "essay" and d.author:
            out.append(f'<p style="text-align: right;">{PAD}<strong>{esc(d.author)}</strong></p>')
            if d.role:
                out.append(f'<p style="text-align: right;">{PAD}<em>{esc(d.role)}</em></p>')
        out += [f'<p style="text-align: justify;">&nbsp;&nbsp;&nbsp;&nbsp; {esc(p)}</p>' for p in d.paragraphs]
        if d.kind != "essay" and d.author:
            out.append(f'<p style="text-align: right;"><strong>{esc(d.author)}</strong></p>')
            if d.role:
                out.append(f'<p style="text-align: right;"><em>{esc(d.role)}</em></p>')
        if a.source:
            out.append(f"<p><em>Nguồn: {esc(a.source)}</em></p>")
        return "\n".join(out)

    def render_article(self, a: PortalArticle, now: dt.datetime) -> str:
        d = a.draft
        views = 100 + len(d.title) * 7
        column = f"""<section class="portlet" id="portlet_101_INSTANCE_tin"><div class="portlet-content"><div class="portlet-content-container">
<div class="asset-full-content default-asset-publisher">
  <div class="breadcrumb-news"><a href="/web/trang-chu">Trang chủ</a> / <a href="{self.sections[d.section]}">{esc(d.section)}</a></div>
  <h3 class="header-title"><span>{esc(d.title)}</span></h3>
  <div class="asset-metadata"><span class="metadata-entry metadata-publish-date">{posted(d.when, views)}</span></div>
  <div class="asset-content"><div class="journal-content-article">{self.body_html(a)}</div></div>
  <div class="asset-links"><a href="{a.path}?print=1" title="In bài viết">In bài viết</a> | <a href="/in-bai/{a.slug}.html">Bản in</a> | <a href="javascript:history.back()">Quay lại</a></div>
  <div class="taglib-social-bookmarks"><span>Chia sẻ:</span> <a href="http://www.facebook.com/sharer.php?u={a.path}">Facebook</a> <a href="http://twitter.com/share?url={a.path}">Twitter</a></div>
</div></div></div></section>"""
        cat_name = d.section
        return self.layout(f"{d.title} - {cat_name} - {self.name}", column, now)

    def render_print(self, a: PortalArticle) -> str:
        d = a.draft
        return f"""<!DOCTYPE html><html lang="vi"><head><title>{esc(d.title)}</title>
<link rel="canonical" href="http://truongchinhtrithanhhoa.gov.vn{a.path}"></head>
<body onload="window.print()"><div class="print-page"><h1>{esc(d.title)}</h1>
<p>{posted(d.when, 0)}</p>{self.body_html(a)}</div></body></html>"""

    def render_listing(self, section: str | None, page: int, now: dt.datetime) -> str:
        items = self.listing(section)
        chunk = items[(page - 1) * self.page_size: page * self.page_size] if section else items[:8]
        rows = "".join(f"""<div class="asset-abstract">
  <h3 class="asset-title"><a href="{a.path}">{esc(a.draft.title)}</a></h3>
  <div class="asset-metadata"><span class="metadata-entry metadata-publish-date">{a.draft.when:%d/%m/%Y}</span></div>
  <div class="asset-summary">{esc(a.draft.paragraphs[0][:170])}</div>
</div>""" for a in chunk)
        pager = ""
        if section:
            pages = max(1, -(-len(items) // self.page_size))
            base = self.sections[section]
            links = "".join(f'<li><a href="{base}?p_p_id=101_INSTANCE_tin&amp;_101_INSTANCE_tin_cur={p}">{p}</a></li>'
                            for p in range(1, pages + 1) if p != page)
            pager = f'<div class="taglib-page-iterator"><ul class="pager lfr-pagination-buttons">{links}</ul></div>'
        heading = f'<h2 class="portlet-title">{esc(section or "Tin mới")}</h2>'
        column = f'<section class="portlet" id="portlet_101_INSTANCE_tin"><div class="portlet-content">{heading}{rows}{pager}</div></section>'
        title = f"{section} - {self.name}" if section else self.name
        return self.layout(title, column, now)


def build_site(n_articles: int = 24, seed: int = 7) -> PortalSite:
    """The replica: `n_articles` articles; the sites.md article (essay of 02/06/2019) and one
    whose title carries dates (a date must never be read from a title)."""
    anchors = [
        Draft(ESSAYS, "Xây dựng, nhân rộng mô hình điển hình tiên tiến trong đổi mới và phát "
              "triển Trường Chính trị Thanh Hóa", dt.datetime(2019, 6, 2, 20, 22, tzinfo=VN_TZ),
              ["Xây dựng và nhân rộng mô hình điển hình tiên tiến là nhiệm vụ quan trọng trong "
               "công tác thi đua, khen thưởng của nhà trường.",
               "Những năm qua, Trường Chính trị tỉnh Thanh Hóa đã quan tâm phát hiện, bồi dưỡng "
               "và nhân rộng nhiều tập thể, cá nhân điển hình.",
               "Kết quả đó góp phần nâng cao chất lượng đào tạo, bồi dưỡng cán bộ của tỉnh."],
              "TS. Lương Trọng Thành", "Tỉnh ủy viên, Hiệu trưởng", kind="essay",
              traps=["leading_space_byline"]),
        Draft(NEWS, "Kỷ niệm 49 năm Ngày giải phóng miền Nam, thống nhất đất nước "
              "(30/4/1975 - 30/4/2024)", dt.datetime(2024, 4, 26, 9, 5, 41, tzinfo=VN_TZ),
              ["Sáng 26/4, Trường Chính trị tỉnh Thanh Hóa tổ chức gặp mặt kỷ niệm 49 năm Ngày "
               "giải phóng miền Nam, thống nhất đất nước.",
               "Tại buổi gặp mặt, các đại biểu đã ôn lại truyền thống vẻ vang của dân tộc.",
               "Buổi gặp mặt kết thúc trong không khí trang trọng, ấm cúng."],
              "Minh Hằng", "Phòng Tổ chức - Hành chính", traps=["date_in_title"]),
    ]
    drafts = generate(THANH_HOA, n_articles, seed, anchors)
    items: list[PortalArticle] = []
    articles: list[ReplicaArticle] = []
    for n, d in enumerate(sorted(drafts, key=lambda x: x.when)):
        item = PortalArticle(d, ascii_slug(d.title), "Báo Thanh Hóa" if n % 4 == 1 else "")
        items.append(item)
        articles.append(ReplicaArticle(
            path=item.path, title=d.title, published=d.when, precision="minute",
            author=d.author, role=d.role, sections=d.sections, paragraphs=list(d.paragraphs),
            traps=sorted({*d.traps, *(["nguon_line"] if item.source else [])}),
            duplicates=[f"{item.path}?print=1", f"/in-bai/{item.slug}.html"]))
    return PortalSite(slug=THANH_HOA.slug, name=THANH_HOA.school, items=items, articles=articles)
