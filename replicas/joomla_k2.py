# ruff: noqa: E501  (inline HTML templates read best one element per line)
"""Joomla 3 + K2 markup for the replicas: K2's stock `default` sub-templates.

Templates modelled: category.php / category_item.php (`#k2Container.itemListView`, one
`.catItemView` per item, `.k2Pagination` with Joomla's `?start=N`), item.php (`.itemView`,
`.itemDateCreated` in K2_DATE_FORMAT_LC2 = `l, d F Y H:i`, `.itemTitle`, `.itemAuthor`
"Viết bởi", `.itemIntroText` + `.itemFullText`, `.itemHits`, `.itemRelated`).

URLs: items `/component/k2/item/<id>-<alias>.html` with K2's Unicode aliases (a comma kept),
categories `/component/k2/itemlist/category/<id>-<alias>.html?start=N`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import quote

from replicas.schools import (
    HTML,
    VN_TZ,
    Draft,
    ReplicaArticle,
    ReplicaSite,
    esc,
    int_param,
    spaces_to_nbsp,
    split_target,
)

WEEKDAYS_K2 = ("Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật")


def k2_date(when: dt.datetime) -> str:
    """`Chủ nhật, 26 Tháng 11 2023 15:06` (vi-VN: F = `Tháng m`)."""
    return f"{WEEKDAYS_K2[when.weekday()]}, {when:%d} Tháng {when.month} {when.year} {when:%H:%M}"


def k2_alias(title: str) -> str:
    """K2 with Unicode aliases: lower case, spaces to '-', most punctuation dropped, ',' kept."""
    s = re.sub(r"[\"'“”‘’()!?:;.]", "", title.lower())
    return re.sub(r"[\s\-–]+", "-", s).strip("-")


@dataclass
class K2Item:
    id: int
    draft: Draft
    alias: str
    byline: str = "end"  # "top" | "end" | "none"

    @property
    def path(self) -> str:
        return f"/component/k2/item/{self.id}-{self.alias}.html"


@dataclass
class K2Site(ReplicaSite):
    slug: str
    name: str
    sections: dict[str, str]  # name -> category path
    items: dict[int, K2Item]
    listings: dict[str, list[int]]
    articles: list[ReplicaArticle]
    page_size: int = 10
    _paths: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for item in self.items.values():
            self._paths[item.path] = item.id

    def route(self, target: str) -> tuple[int, str, bytes, dict[str, str]]:
        path, query = split_target(target)
        path = "/" + path.strip("/")
        now = dt.datetime.now(VN_TZ)
        headers = {"X-Powered-By": "PHP/5.6.40", "Cache-Control": "no-cache",
                   "Pragma": "no-cache"}
        if path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", b"User-agent: *\nDisallow: /administrator/\n", {}
        if path in self._paths:
            return 200, HTML, self.render_item(self.items[self._paths[path]], now).encode(), headers
        for name, section_path in self.sections.items():
            if path == section_path:
                body = self.render_category(name, int_param(query, "start"), now)
                return 200, HTML, body.encode(), headers
        if path in ("/", "/index.php"):
            return 200, HTML, self.layout("Trang chủ", "<p>Trang chủ</p>", now).encode(), headers
        return 404, HTML, self.layout("404", "<h1>404 - Không tìm thấy trang</h1>", now).encode(), headers

    def layout(self, title: str, content: str, now: dt.datetime, head: str = "") -> str:
        clock = f"{WEEKDAYS_K2[now.weekday()]}, {now:%d} Tháng {now.month} {now.year}"
        menu = "".join(f'<li class="item"><a href="{quote(p)}">{esc(n)}</a></li>'
                       for n, p in self.sections.items())
        return f"""<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="vi-vn" lang="vi-vn" dir="ltr">
<head>
  <meta http-equiv="content-type" content="text/html; charset=utf-8" />
  <meta name="generator" content="Joomla! - Open Source Content Management" />
  <title>{esc(title)}</title>
  {head}
  <link href="/components/com_k2/css/k2.css?v=2.10.3" rel="stylesheet" type="text/css" />
</head>
<body class="site com_k2 view-item">
  <div class="header"><div class="logo"><a href="/">{esc(self.name)}</a></div>
    <div class="moduletable date-module"><span class="date">{clock}</span></div>
    <div class="marquee">Nhiệt liệt chào mừng Đại hội Đảng bộ tỉnh Lâm Đồng lần thứ XII, nhiệm kỳ 2025 - 2030!</div>
  </div>
  <nav class="navigation"><ul class="nav menu">{menu}</ul></nav>
  <div class="container"><main id="content" role="main">{content}</main>
    <div id="aside"><div class="moduletable"><h3>Liên kết</h3><ul><li><a href="http://lamdong.gov.vn">Cổng TTĐT tỉnh</a></li></ul></div>
    <div class="moduletable"><h3>Thống kê</h3><p>Hôm nay: {now.hour * 11} / Tất cả: {345678 + now.day}</p></div></div>
  </div>
  <footer class="footer"><p>© {now.year} {esc(self.name)}</p></footer>
</body>
</html>
"""

    def body_html(self, item: K2Item) -> tuple[str, str]:
        d = item.draft
        intro = f"<p>{spaces_to_nbsp(esc(d.paragraphs[0]))}</p>"
        out: list[str] = []
        if item.byline == "top" and d.author:
            out.append(f'<p style="text-align: right;"><strong>{esc(d.author)}</strong></p>')
            if d.role:
                out.append(f'<p style="text-align: right;"><em>{esc(d.role)}</em></p>')
        for i in range(1, len(d.paragraphs)):
            text = d.paragraphs[i]
            if i == d.caption_at:
                out.append(f'<p style="text-align: center;"><img src="/images/{d.when:%Y}/anh-{item.id}.jpg" alt="{esc(d.title[:30])}" /></p>')
                out.append(f'<p style="text-align: center;"><em>{esc(text)}</em></p>')
            elif i == d.credit_at:
                out.append(f'<p style="text-align: center;"><em>{esc(text)}</em></p>')
            else:
                out.append(f'<p style="text-align: justify;">{spaces_to_nbsp(esc(text))}</p>')
        if item.byline == "end" and d.author:
            out.append(f'<p style="text-align: right;"><strong>{esc(d.author)}</strong></p>')
            if d.role:
                out.append(f'<p style="text-align: right;">{esc(d.role)}</p>')
        return intro, "\n".join(out)

    def render_item(self, item: K2Item, now: dt.datetime) -> str:
        d = item.draft
        intro, full = self.body_html(item)
        cat = d.section
        siblings = self.listings[cat]
        idx = siblings.index(item.id) if item.id in siblings else 0
        related = "".join(
            f'<li class="{"even" if j % 2 else "odd"}"><a class="itemRelTitle" href="{quote(self.items[i].path)}">{esc(self.items[i].draft.title)}</a></li>'
            for j, i in enumerate(siblings[idx + 1:idx + 5]))
        content = f"""<span id="startOfPageId{item.id}"></span>
<div id="k2Container" class="itemView">
  <div class="itemHeader">
    <span class="itemDateCreated">{k2_date(d.when)}</span>
    <h2 class="itemTitle">{esc(d.title)}</h2>
    <span class="itemAuthor">Viết bởi&nbsp;<a rel="author" href="/component/k2/itemlist/user/62-quantri.html">Quản trị</a></span>
  </div>
  <div class="itemToolbar"><ul><li><a class="itemPrintLink" rel="nofollow" href="{quote(item.path)}?tmpl=component&amp;print=1" onclick="window.open(this.href,'printWindow','width=900,height=600');return false;"><span>In</span></a></li></ul></div>
  <div class="itemBody">
    <div class="itemIntroText">{intro}</div>
    <div class="itemFullText">{full}</div>
    <div class="clr"></div>
    <div class="itemContentFooter"><span class="itemHits">Lượt xem <b>{item.id * 3 % 5000 + 120}</b></span></div>
  </div>
  <div class="itemLinks"><div class="itemCategory"><span>Chuyên mục</span> <a href="{quote(self.sections[cat])}">{esc(cat)}</a></div></div>
  <div class="itemRelated"><h3>Bài viết liên quan</h3><ul>{related}</ul></div>
</div>"""
        head = (f'<link href="{quote(item.path)}" rel="canonical" />\n'
                f'  <meta property="og:title" content="{esc(d.title)}" />')
        return self.layout(d.title, content, now, head)

    def render_category(self, name: str, start: int, now: dt.datetime) -> str:
        ids = self.listings[name]
        total = len(ids)
        chunk = ids[start:start + self.page_size]
        rows = []
        for i in chunk:
            item = self.items[i]
            rows.append(f"""<div class="itemContainer itemContainerLast" style="width:100.0%;">
  <div class="catItemView groupLeading">
    <div class="catItemHeader">
      <span class="catItemDateCreated">{k2_date(item.draft.when)}</span>
      <h3 class="catItemTitle"><a href="{quote(item.path)}">{esc(item.draft.title)}</a></h3>
    </div>
    <div class="catItemBody"><div class="catItemIntroText">{esc(item.draft.paragraphs[0][:200])}</div></div>
    <div class="catItemReadMore"><a class="k2ReadMore" href="{quote(item.path)}">Xem thêm...</a></div>
  </div>
</div>""")
        pages = []
        base = quote(self.sections[name])
        n_pages = max(1, -(-total // self.page_size))
        current = start // self.page_size
        for p in range(n_pages):
            if p == current:
                pages.append(f'<li class="active"><a>{p + 1}</a></li>')
            else:
                href = base if p == 0 else f"{base}?start={p * self.page_size}"
                pages.append(f'<li><a title="{p + 1}" href="{href}" class="pagenav">{p + 1}</a></li>')
        pager = (f'<div class="k2Pagination"><ul class="pagination-list">{"".join(pages)}</ul>'
                 f'<div class="clr"></div>Trang {current + 1} / {n_pages}</div>') if n_pages > 1 else ""
        content = (f'<div id="k2Container" class="itemListView"><div class="itemListCategory">'
                   f"<h2>{esc(name)}</h2></div><div class=\"itemList\"><div id=\"itemListLeading\">"
                   f'{"".join(rows)}</div></div>{pager}</div>')
        return self.layout(name, content, now)
