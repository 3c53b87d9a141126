# ruff: noqa: E501  (inline HTML templates read best one element per line)
"""The Hải Phòng city-portal platform (truongchinhtritohieu.haiphong.gov.vn) for the replicas.

No stock templates exist for this platform, so the markup follows what sites.md records:
listings `/<Cat>/?p=N` with a title and the first paragraph per item; articles
`/<Cat>/<Title-Case-Slug>-<id>.html` (ALL-CAPS slugs for ALL-CAPS titles, `---` for " - ");
`Cập nhật: dd/mm/yyyy HH:MM`; the sapo printed again as the first body paragraph after the
photo caption; an inline byline `Thạc sỹ X –  role` (a double space after the dash).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from replicas.schools import (
    HTML,
    VN_TZ,
    WEEKDAYS_TITLE,
    Draft,
    ReplicaArticle,
    ReplicaSite,
    esc,
    int_param,
    split_target,
    transliterate,
)


def portal_slug(title: str) -> str:
    """Case kept, marks dropped, " - " as `---`, other runs of non-alphanumerics as `-`."""
    s = transliterate(title).replace(" - ", "---")
    parts = re.split(r"(---)", s)
    return "".join(p if p == "---" else re.sub(r"[^A-Za-z0-9]+", "-", p) for p in parts).strip("-")


def cat_slug(name: str) -> str:
    return portal_slug(name[0].upper() + name[1:])


@dataclass
class PortalItem:
    id: int
    draft: Draft
    cat: str  # category slug
    repeat_first: bool = False

    @property
    def path(self) -> str:
        return f"/{self.cat}/{portal_slug(self.draft.title)}-{self.id}.html"


@dataclass
class HaiPhongSite(ReplicaSite):
    slug: str
    name: str
    sections: dict[str, str]  # name -> "/<Cat>/"
    items: dict[int, PortalItem]
    listings: dict[str, list[int]]
    articles: list[ReplicaArticle]
    page_size: int = 6
    _paths: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for item in self.items.values():
            self._paths[item.path.lower()] = item.id

    def route(self, target: str) -> tuple[int, str, bytes, dict[str, str]]:
        path, query = split_target(target)
        now = dt.datetime.now(VN_TZ)
        headers = {"X-Powered-By": "ASP.NET", "X-AspNet-Version": "4.0.30319",
                   "Cache-Control": "private"}
        if path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", b"User-agent: *\nAllow: /\n", {}
        found = self._paths.get(path.rstrip("/").lower())
        if found is not None:
            return 200, HTML, self.render_item(self.items[found], now).encode(), headers
        for name, section_path in self.sections.items():
            if path.rstrip("/").lower() == section_path.rstrip("/").lower():
                page = max(1, int_param(query, "p", 1))
                return 200, HTML, self.render_listing(name, page, now).encode(), headers
        if path in ("/", ""):
            return 200, HTML, self.layout("Trang chủ", "<p></p>", now, "").encode(), headers
        return 404, HTML, self.layout("Lỗi", "<p>Trang không tồn tại.</p>", now, "").encode(), headers

    def layout(self, title: str, content: str, now: dt.datetime, crumb: str, head: str = "") -> str:
        clock = f"{WEEKDAYS_TITLE[now.weekday()]}, ngày {now:%d/%m/%Y}"
        menu = "".join(f'<li><a href="{p}">{esc(n)}</a></li>' for n, p in self.sections.items())
        return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8" />
<title>{esc(title)} - {esc(self.name)}</title>
{head}
<link rel="stylesheet" href="/Portals/_default/skins/haiphong/skin.css" />
</head>
<body>
<form method="post" action="#" id="Form">
<div id="header"><div class="banner"><a href="/">{esc(self.name.upper())}</a></div>
<div class="date-now">{clock}</div>
<ul class="main-menu">{menu}</ul></div>
<div id="main"><div class="breadcrumb"><a href="/">Trang chủ</a>{crumb}</div>
<div class="left-col">{content}</div>
<div class="right-col"><div class="box"><div class="box-title">Liên kết website</div><ul><li><a href="https://haiphong.gov.vn">Cổng TTĐT thành phố</a></li></ul></div>
<div class="box"><div class="box-title">Thống kê truy cập</div><p>Đang truy cập: {now.minute}</p><p>Tổng lượt truy cập: {2345678 + now.day}</p></div></div>
</div>
<div id="footer"><p>{esc(self.name)} - Số 1 đường Tô Hiệu, Hải Phòng</p></div>
</form>
</body>
</html>
"""

    def render_item(self, item: PortalItem, now: dt.datetime) -> str:
        d = item.draft
        paras = d.paragraphs
        content: list[str] = []
        for i in range(1, len(paras)):
            if i == d.caption_at:
                content.append(f'<p style="text-align:center"><img src="/Portals/0/Images/{d.when:%Y%m}/anh-{item.id}.jpg" alt="" /></p>')
                content.append(f'<p style="text-align:center"><em>{esc(paras[i])}</em></p>')
                if item.repeat_first:
                    content.append(f'<p style="text-align:justify">{esc(paras[0])}</p>')
                continue
            content.append(f'<p style="text-align:justify">{esc(paras[i])}</p>')
        content.append(self.shared_photo("/Portals/0/Images", item.id))
        if d.author:
            content.append(f'<p style="text-align:right"><strong>{esc(d.author)} –&nbsp; {esc(d.role)}</strong></p>')
        section = d.section
        others = [i for i in self.listings[section] if i != item.id][:5]
        other = "".join(f'<li><a href="{self.related_href(self.items[i].path, item.id + j)}">'
                        f"{esc(self.items[i].draft.title)}</a> "
                        f"<span>({self.items[i].draft.when:%d/%m/%Y})</span></li>"
                        for j, i in enumerate(others))
        body = f"""<div class="news-detail">
  <h1 class="news-title">{esc(d.title)}</h1>
  <div class="news-date">Cập nhật: {d.when:%d/%m/%Y %H:%M}</div>
  <div class="news-sapo"><p><strong>{esc(paras[0])}</strong></p></div>
  <div class="news-content">{"".join(content)}</div>
  <div class="news-tools">Lượt xem: {item.id % 3000} | <a href="javascript:window.print()">In bài viết</a></div>
</div>
<div class="news-other"><h3>Các tin khác</h3><ul>{other}</ul></div>"""
        crumb = f' » <a href="{self.sections[section]}">{esc(section)}</a>'
        return self.layout(d.title, body, now, crumb)

    def render_listing(self, name: str, page: int, now: dt.datetime) -> str:
        ids = self.listings[name]
        pages = max(1, -(-len(ids) // self.page_size))
        chunk = ids[(page - 1) * self.page_size:page * self.page_size]
        rows = "".join(
            f'<div class="news-item"><a class="news-title" href="{self.items[i].path}">'
            f"{esc(self.items[i].draft.title)}</a>"
            f'<div class="news-summary">{esc(self.items[i].draft.paragraphs[0])}</div></div>'
            for i in chunk)
        links = []
        for p in range(1, pages + 1):
            links.append(f'<span class="current">{p}</span>' if p == page else f'<a href="?p={p}">{p}</a>')
        if page < pages:
            links.append(f'<a href="?p={page + 1}">Trang sau</a>')
        pager = f'<div class="paging">{" ".join(links)}</div>' if pages > 1 else ""
        body = f'<h2 class="cat-title">{esc(name)}</h2><div class="news-list">{rows}</div>{pager}'
        crumb = f' » <a href="{self.sections[name]}">{esc(name)}</a>'
        return self.layout(name, body, now, crumb)
