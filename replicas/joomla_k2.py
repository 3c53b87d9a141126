# ruff: noqa: E501  (inline HTML templates read best one element per line)
"""Joomla 3 + K2 markup for the replicas: K2's stock `default` sub-templates.

Templates modelled (getk2/k2 components/com_k2/templates/default): category.php with its item
groups (`#itemListLeading`, `#itemListPrimary`, `#itemListSecondary`, `#itemListLinks`, each
`.itemContainer > .catItemView`, category_item.php), tag.php (`.tagItemView`), latest.php /
latest_item.php (`.latestItemsContainer`, `.latestItemView`), user.php (`.userItemView`) and
item.php: `.itemDateCreated` (K2_DATE_FORMAT_LC2, vi-VN `l, d F Y H:i` = `Thứ tư, 13 Tháng 11
2019 17:23`), `.itemTitle`, `.itemAuthor` ("Viết bởi" + the posting account, a link to its
user page: never the article's author), `.itemToolbar`, `.itemRatingBlock`, `.itemIntroText` +
`.itemFullText` (or `.itemFullText` alone when the item has no "read more" split),
`.itemExtraFields` (where a `Tác giả` field may hold the real author), `.itemContentFooter`
(hits, "Sửa lần cuối vào" modified date), `.itemSocialSharing`, `.itemLinks`, `.itemAuthorBlock`,
`.itemRelated`, `.itemNavigation`. Pagination: Joomla 3 `ul.pagination-list` inside
`.k2Pagination`, `?start=N`.

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
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
LAYOUTS = ("category", "tag", "latest", "user")


def k2_date(when: dt.datetime, lang: str = "vi") -> str:
    """K2_DATE_FORMAT_LC2 `l, d F Y H:i`: vi-VN `Chủ nhật, 26 Tháng 11 2023 15:06`, en-GB
    `Sunday, 26 November 2023 15:06`."""
    if lang == "en":
        return (f"{WEEKDAYS_EN[when.weekday()]}, {when:%d} {MONTHS_EN[when.month - 1]} "
                f"{when.year} {when:%H:%M}")
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
    byline: str = "end"  # "top" | "end" | "none" (body paragraphs) | "extra" (extra fields)
    split: bool = True  # introtext + fulltext ("read more"), else the whole text as fulltext

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
    layout: str = "category"  # one of LAYOUTS, served at every section path
    groups: tuple[int, int, int, int] = (0, 0, 0, 0)  # leading, primary, secondary, links
    account: str = "Quản trị"  # the posting account in itemAuthor: never an author
    date_lang: str = "vi"
    full_item: bool = False  # every item.php option on (rating, social, author block, ...)
    _paths: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for item in self.items.values():
            self._paths[item.path] = item.id
        if any(self.groups):
            self.page_size = sum(self.groups)

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
                body = self.render_listing(name, int_param(query, "start"), now)
                return 200, HTML, body.encode(), headers
        if path in ("/", "/index.php"):
            return 200, HTML, self.layout_page("Trang chủ", "<p>Trang chủ</p>", now).encode(), headers
        return 404, HTML, self.layout_page("404", "<h1>404 - Không tìm thấy trang</h1>", now).encode(), headers

    def layout_page(self, title: str, content: str, now: dt.datetime, head: str = "") -> str:
        clock = f"{WEEKDAYS_K2[now.weekday()]}, {now:%d} Tháng {now.month} {now.year}"
        menu = "".join(f'<li class="item"><a href="{quote(p)}">{esc(n)}</a></li>'
                       for n, p in self.sections.items())
        newest = sorted(self.items.values(), key=lambda i: i.draft.when, reverse=True)[:4]
        module = "".join(f'<li><a class="moduleItemTitle" href="{quote(i.path)}">'
                         f"{esc(i.draft.title)}</a></li>" for i in newest)
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
    <div id="aside"><div class="moduletable"><h3>Tin mới</h3><div id="k2ModuleBox101" class="k2ItemsBlock"><ul>{module}</ul></div></div>
    <div class="moduletable"><h3>Liên kết</h3><ul><li><a href="http://lamdong.gov.vn">Cổng TTĐT tỉnh</a></li></ul></div>
    <div class="moduletable"><h3>Thống kê</h3><p>Hôm nay: {now.hour * 11} / Tất cả: {345678 + now.day}</p></div></div>
  </div>
  <footer class="footer"><p>© {now.year} {esc(self.name)}</p></footer>
</body>
</html>
"""

    # -- item ------------------------------------------------------------------------------

    def body_html(self, item: K2Item) -> tuple[str, str]:
        d = item.draft
        intro = f"<p>{spaces_to_nbsp(esc(d.paragraphs[0]))}</p>"
        out: list[str] = []
        if item.byline == "top" and d.author:  # an essay's byline, above its first paragraph
            role = f'<p style="text-align: right;"><em>{esc(d.role)}</em></p>' if d.role else ""
            intro = f'<p style="text-align: right;"><strong>{esc(d.author)}</strong></p>{role}{intro}'
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

    def extra_fields(self, item: K2Item, prefix: str = "item") -> str:
        """itemExtraFields: `<span class="itemExtraFieldsLabel">Tác giả:</span>` + value."""
        d = item.draft
        if item.byline != "extra" or not d.author:
            return ""
        values = [("Tác giả", "tacGia", d.author)] + ([("Chức vụ", "chucVu", d.role)] if d.role else [])
        colon = ":" if prefix == "item" else ""
        lis = "".join(
            f'<li class="{"odd" if k % 2 else "even"} typeTextfield group1 alias{alias[0].upper()}{alias[1:]}">'
            f'<span class="{prefix}ExtraFieldsLabel">{label}{colon}</span>'
            f'<span class="{prefix}ExtraFieldsValue">{esc(value)}</span></li>'
            for k, (label, alias, value) in enumerate(values))
        heading = "h3" if prefix == "item" else "h4"
        return (f'<div class="{prefix}ExtraFields"><{heading}>Thông tin thêm</{heading}><ul>'
                f'{lis}</ul><div class="clr"></div></div>')

    def rating(self, item: K2Item, prefix: str = "item") -> str:
        stars = "".join(f'<li><a href="#" data-id="{item.id}" title="{n} sao trên 5" class="{w}-star{"s" if n > 1 else ""}">{n}</a></li>'
                        for n, w in enumerate(("one", "two", "three", "four", "five"), 1))
        return (f'<div class="{prefix}RatingBlock"><span>Đánh giá bài viết này</span><div class="itemRatingForm">'
                f'<ul class="itemRatingList"><li class="itemCurrentRating" id="itemCurrentRating{item.id}" style="width:60%;"></li>{stars}</ul>'
                f'<div id="itemRatingLog{item.id}" class="itemRatingLog">({item.id % 7 + 1} phiếu bầu)</div><div class="clr"></div></div><div class="clr"></div></div>')

    def render_item(self, item: K2Item, now: dt.datetime) -> str:
        d = item.draft
        intro, full = self.body_html(item)
        cat = d.section
        siblings = self.listings[cat]
        idx = siblings.index(item.id) if item.id in siblings else 0
        related = "".join(
            f'<li class="{"even" if j % 2 else "odd"}"><a class="itemRelTitle" href="{self.related_href(quote(self.items[i].path), item.id + j)}">{esc(self.items[i].draft.title)}</a></li>'
            for j, i in enumerate(siblings[idx + 1:idx + 5]))
        text = (f'<div class="itemIntroText">{intro}</div><div class="itemFullText">{full}</div>'
                if item.split else f'<div class="itemFullText">{intro}{full}</div>')
        user = '<a rel="author" href="/component/k2/itemlist/user/62-quantri.html">'
        extra = ""
        if self.full_item:
            modified = d.when + dt.timedelta(days=2, hours=3)
            extra_toolbar = ('<li><span class="itemTextResizerTitle">Cỡ chữ</span><a href="#" id="fontDecrease"><span>giảm cỡ chữ</span></a>'
                             '<a href="#" id="fontIncrease"><span>tăng cỡ chữ</span></a></li>'
                             f'<li><a class="itemEmailLink" rel="nofollow" href="/component/mailto/?tmpl=component&amp;template=k2&amp;link=x{item.id}"><span>E-mail</span></a></li>')
            footer_extra = f'<span class="itemDateModified">Sửa lần cuối vào {k2_date(modified, self.date_lang)}</span>'
            extra = ('<div class="itemSocialSharing"><div class="itemTwitterButton"><a href="https://twitter.com/share" class="twitter-share-button" data-lang="vi">Tweet</a></div>'
                     '<div class="itemFacebookButton"><div id="fb-root"></div><div class="fb-like" data-layout="button_count"></div></div><div class="clr"></div></div>')
            author_block = (f'<div class="itemAuthorBlock"><div class="itemAuthorDetails"><h3 class="itemAuthorName">{user}{esc(self.account)}</a></h3>'
                            f'<p>Ban biên tập Cổng thông tin điện tử nhà trường.</p><div class="clr"></div></div><div class="clr"></div></div>')
            nav = siblings[idx + 1] if idx + 1 < len(siblings) else None
            navigation = (f'<div class="itemNavigation"><span class="itemNavigationTitle">Các bài viết khác trong chuyên mục này</span>'
                          f'<a class="itemNext" href="{quote(self.items[nav].path)}">{esc(self.items[nav].draft.title)} &raquo;</a></div>') if nav else ""
        else:
            extra_toolbar = footer_extra = author_block = navigation = ""
        rating = self.rating(item) if self.full_item else ""
        content = f"""<span id="startOfPageId{item.id}"></span>
<div id="k2Container" class="itemView">
  <div class="itemHeader">
    <span class="itemDateCreated">{k2_date(d.when, self.date_lang)}</span>
    <h2 class="itemTitle">{esc(d.title)}</h2>
    <span class="itemAuthor">Viết bởi&nbsp;{user}{esc(self.account)}</a></span>
  </div>
  <div class="itemToolbar"><ul>{extra_toolbar}<li><a class="itemPrintLink" rel="nofollow" href="{quote(item.path)}?tmpl=component&amp;print=1" onclick="window.open(this.href,'printWindow','width=900,height=600');return false;"><span>In</span></a></li></ul><div class="clr"></div></div>
  {rating}
  <div class="itemBody">
    {text}
    <div class="clr"></div>
    {self.extra_fields(item)}
    <div class="itemContentFooter"><span class="itemHits">Đã đọc <b>{item.id * 3 % 5000 + 120}</b> lần</span>{footer_extra}<div class="clr"></div></div>
    <div class="clr"></div>
  </div>
  {extra}
  <div class="itemLinks"><div class="itemCategory"><span>Chuyên mục</span> <a href="{quote(self.sections[cat])}">{esc(cat)}</a></div><div class="clr"></div></div>
  {author_block}
  <div class="itemRelated"><h3>Bài viết liên quan</h3><ul>{related}<li class="clr"></li></ul><div class="clr"></div></div>
  <div class="clr"></div>
  {navigation}
</div>"""
        head = (f'<link href="{quote(item.path)}" rel="canonical" />\n'
                f'  <meta property="og:title" content="{esc(d.title)}" />')
        return self.layout_page(d.title, content, now, head)

    # -- listings --------------------------------------------------------------------------

    def list_item(self, item: K2Item, prefix: str, group: str = "") -> str:
        """category_item.php / tag.php / user.php / latest_item.php for one item."""
        d = item.draft
        href = quote(item.path)
        cls = f"{prefix}ItemView" + (f" group{group.capitalize()}" if group else "")
        head_tag = "h3" if prefix in ("cat", "user") else "h2"
        date = f'<span class="{prefix}ItemDateCreated">{k2_date(d.when, self.date_lang)}</span>'
        title = f'<{head_tag} class="{prefix}ItemTitle"><a href="{href}">{esc(d.title)}</a></{head_tag}>'
        if group == "links":
            return f'<div class="{cls}"><div class="{prefix}ItemHeader">{title}</div></div>'
        header = f"{title}{date}" if prefix == "latest" else f"{date}{title}"
        author = (f'<span class="catItemAuthor">Viết bởi <a rel="author" href="/component/k2/itemlist/user/62-quantri.html">{esc(self.account)}</a></span>'
                  if prefix == "cat" else "")
        extra = self.extra_fields(item, prefix) if prefix in ("cat", "tag") else ""
        rating = self.rating(item, "catItem") if prefix == "cat" and self.full_item else ""
        hits = f'<div class="catItemHitsBlock"><span class="catItemHits">Đã đọc <b>{item.id % 900}</b> lần</span></div>' if prefix == "cat" else ""
        return f"""<div class="{cls}">
  <div class="{prefix}ItemHeader">{header}{author}</div>
  {rating}
  <div class="{prefix}ItemBody"><div class="{prefix}ItemIntroText"><p>{esc(d.paragraphs[0][:200])}</p></div><div class="clr"></div>{extra}<div class="clr"></div></div>
  <div class="{prefix}ItemLinks">{hits}<div class="{prefix}ItemCategory"><span>Chuyên mục</span> <a href="{quote(self.sections[d.section])}">{esc(d.section)}</a></div><div class="clr"></div></div>
  <div class="{prefix}ItemReadMore"><a class="k2ReadMore" href="{href}">Xem thêm...</a></div>
  <div class="clr"></div>
</div>"""

    def pagination(self, base: str, start: int, total: int) -> str:
        """Joomla 3 `ul.pagination-list` in K2's `.k2Pagination`, `?start=N`."""
        n_pages = max(1, -(-total // self.page_size))
        if n_pages <= 1:
            return ""
        current = start // self.page_size

        def link(p: int, text: str, cls: str = "") -> str:
            li = f' class="{cls}"' if cls else ""
            if p == current or not 0 <= p < n_pages:
                return f'<li{li}><span class="pagenav">{text}</span></li>'
            href = base if p == 0 else f"{base}?start={p * self.page_size}"
            return f'<li{li}><a title="{text}" href="{href}" class="hasTooltip pagenav">{text}</a></li>'

        items = [link(0, "Đầu", "pagination-start"), link(current - 1, "Trước", "pagination-prev")]
        items += [link(p, str(p + 1)) for p in range(n_pages)]
        items += [link(current + 1, "Tiếp", "pagination-next"), link(n_pages - 1, "Cuối", "pagination-end")]
        return (f'<div class="k2Pagination"><div class="k2PaginationLinks"><ul class="pagination-list">'
                f'{"".join(items)}</ul></div><div class="k2PaginationCounter">Trang {current + 1} '
                f"của {n_pages}</div></div>")

    def category_groups(self, chunk: list[int]) -> str:
        sizes = self.groups if any(self.groups) else (len(chunk), 0, 0, 0)
        out, pos = [], 0
        for name, size in zip(("leading", "primary", "secondary", "links"), sizes, strict=True):
            part = chunk[pos:pos + size]
            pos += size
            if not part:
                continue
            cols = 1 if name in ("leading", "links") else 2
            boxes = []
            for k, i in enumerate(part):
                last = " itemContainerLast" if (k + 1) % cols == 0 or len(part) < cols else ""
                width = "" if len(part) == 1 else f' style="width:{100 / cols:.1f}%;"'
                boxes.append(f'<div class="itemContainer{last}"{width}>{self.list_item(self.items[i], "cat", name)}</div>')
                if (k + 1) % cols == 0:
                    boxes.append('<div class="clr"></div>')
            more = "<h4>Xem thêm...</h4>" if name == "links" else ""
            out.append(f'<div id="itemList{name.capitalize()}">{more}{"".join(boxes)}<div class="clr"></div></div>')
        return f'<div class="itemList">{"".join(out)}</div>'

    def render_listing(self, name: str, start: int, now: dt.datetime) -> str:
        ids = self.listings[name]
        base = quote(self.sections[name])
        if self.layout == "latest":  # one block per category, no pagination
            items = "".join(self.list_item(self.items[i], "latest") for i in ids)
            content = (f'<div id="k2Container" class="latestView"><div class="componentheading">'
                       f'{esc(name)}</div><div class="latestItemsContainer" style="width:100.0%;">'
                       f'<div class="latestItemsCategory"><h2><a href="{base}">{esc(name)}</a>'
                       f'</h2><div class="clr"></div></div><div class="latestItemList">{items}'
                       f'</div></div><div class="clr"></div></div>')
            return self.layout_page(name, content, now)
        chunk = ids[start:start + self.page_size]
        pager = self.pagination(base, start, len(ids))
        if self.layout == "tag":
            items = "".join(self.list_item(self.items[i], "tag") for i in chunk)
            content = (f'<div id="k2Container" class="tagView"><h1>Hiển thị các mục theo thẻ '
                       f'{esc(name)}</h1><div class="tagItemList">{items}</div>{pager}</div>')
        elif self.layout == "user":
            items = "".join(self.list_item(self.items[i], "user") for i in chunk)
            content = (f'<div id="k2Container" class="userView"><div class="userBlock"><h2>'
                       f'{esc(self.account)}</h2><div class="clr"></div></div><div class='
                       f'"userItemList">{items}</div>{pager}</div>')
        else:
            content = (f'<div id="k2Container" class="itemListView"><div class="itemListCategoriesBlock">'
                       f'<div class="itemListCategory"><h2>{esc(name)}</h2><div class="clr"></div></div></div>'
                       f"{self.category_groups(chunk)}{pager}</div>")
        return self.layout_page(name, content, now)
