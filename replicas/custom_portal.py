# ruff: noqa: E501  (inline HTML templates read best one element per line)
"""A configurable custom school portal for the replicas of schools whose CMS is unknown.

No stock templates exist for these vendors, so the markup follows what sites.md records per
school (URL shapes, date strings, bylines, banners, counters) on four skeletons seen on
Vietnamese public-sector sites:

- `aspnet`: a WebForms/MVC page wrapped in one `<form>` with `__VIEWSTATE`, `ctl00_` ids;
- `php`: a div-based custom PHP portal (header, menu, left column boxes, footer);
- `portal`: a portlet platform (Liferay-like `/web/...`, WebSphere `wpthemeControl`,
  provincial portals), the site name in an `<h1>` of the banner, portlet titles;
- `table`: a PHP-Nuke-era table layout (`bodyline`, `¤`-separated navigation).

Each school gives its URLs (`path` per article, `listing`/`pager` per section), how its dates
are printed (article page, listing row, or not at all), where its byline sits, and its chrome.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from replicas.schools import (
    HTML,
    VN_TZ,
    WEEKDAYS_TITLE,
    Draft,
    ReplicaArticle,
    ReplicaSite,
    esc,
    split_target,
)

DateFmt = Callable[[dt.datetime], str]
# The PHP-Nuke navigation bar of tctph.gov.vn (sites.md §1.2): module -> label.
TABLE_MODULES = {"/modules.php?name=Submit_News": "Gửi bài", "/modules.php?name=Lich": "Lịch học tập",
                 "/modules.php?name=Diem": "Kết quả điểm", "/modules.php?name=Search": "Tìm kiếm"}


def clock_title(now: dt.datetime) -> str:
    """`Thứ Năm, ngày 03/12/2026`: a header clock (render time)."""
    return f"{WEEKDAYS_TITLE[now.weekday()]}, ngày {now:%d/%m/%Y}"


@dataclass
class Look:
    """How one school's pages print things (all optional but the vendor)."""

    vendor: str  # aspnet | php | portal | table
    article_date: DateFmt | None = None  # the date line printed under the title
    listing_date: DateFmt | None = None  # the date printed in a listing row
    byline: str = "end"  # end | top (right-aligned, padded) | label (`Tác giả : X - role`)
    byline_pad: int = 0  # &nbsp; before a top byline
    banner: str = ""  # scrolling slogan (marquee)
    clock: DateFmt = clock_title
    boxes: bool = True  # left column `Liên kết` / `Thống kê` with visitor counters
    footer: list[str] = field(default_factory=list)
    sapo: bool = True  # the first paragraph printed as a bold sapo
    sapo_repeat: bool = False  # ...and again as the first body paragraph
    title_twice: bool = False  # the title printed again under the heading
    site_h1: bool = False  # the site name in an <h1> of the banner
    og: bool = True  # og:title / og:type article
    indent: int = 0  # &nbsp; at the start of body paragraphs
    lead_alt: str = ""  # an image alt line before the content
    after_body: list[str] = field(default_factory=list)  # `File đính kèm: Không có`, `./.`
    page_size: int = 8
    related_heading: str = "Tin khác"
    wrap: int = 0  # hard-wrap every third article's paragraphs with <br /> at this width
    spam: str = ""  # an injected SEO link block before every fifth article


@dataclass
class CustomPage:
    id: int
    draft: Draft
    path: str  # path (+ ?query) as linked
    date_shown: bool = True


@dataclass
class CustomSite(ReplicaSite):
    slug: str
    name: str
    look: Look
    sections: dict[str, str]  # name -> listing path
    pager: Callable[[str, int], str]  # (listing path, page >= 2) -> target
    pages: dict[int, CustomPage]
    listings: dict[str, list[int]]
    articles: list[ReplicaArticle]
    statics: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (title, text)
    _by_key: dict[str, int] = field(default_factory=dict)
    _listing_keys: dict[str, tuple[str, int]] = field(default_factory=dict)
    _static_keys: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.look.vendor == "table":  # the PHP-Nuke modules linked from the navigation bar
            for path, title in TABLE_MODULES.items():
                self.statics.setdefault(path, (title, f"{title}: chức năng dành cho học viên."))
        self._static_keys = {_key(p): p for p in self.statics}
        for page in self.pages.values():
            self._by_key[_key(page.path)] = page.id
        for name, path in self.sections.items():
            ids = self.listings[name]
            n_pages = max(1, -(-len(ids) // self.look.page_size))
            self._listing_keys[_key(path)] = (name, 1)
            for p in range(2, n_pages + 1):
                self._listing_keys[_key(self.pager(path, p))] = (name, p)

    # -- routing ----------------------------------------------------------------------------

    def route(self, target: str) -> tuple[int, str, bytes, dict[str, str]]:
        path, _query = split_target(target)
        now = dt.datetime.now(VN_TZ)
        headers = self._headers()
        if path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", b"User-agent: *\nDisallow: /admin/\n", {}
        key = _key(target)
        if key in self._by_key:
            page = self.pages[self._by_key[key]]
            return 200, HTML, self.render_article(page, now).encode(), headers
        if key in self._listing_keys:
            name, p = self._listing_keys[key]
            return 200, HTML, self.render_listing(name, p, now).encode(), headers
        if key in self._static_keys:
            title, text = self.statics[self._static_keys[key]]
            body = f'<div class="static-page"><h2 class="page-title">{esc(title)}</h2><p>{esc(text)}</p></div>'
            return 200, HTML, self.layout(title, body, now).encode(), headers
        if path in ("/", "") and not _query:
            return 200, HTML, self.render_home(now).encode(), headers
        if path.lower() in ("/default.aspx", "/index.php", "/trang-chu"):
            return 200, HTML, self.render_home(now).encode(), headers
        return 404, HTML, self.layout("Không tìm thấy trang", "<p>Trang bạn yêu cầu không tồn tại.</p>", now).encode(), headers

    def _headers(self) -> dict[str, str]:
        if self.look.vendor in ("aspnet",):
            return {"X-Powered-By": "ASP.NET", "X-AspNet-Version": "4.0.30319",
                    "Cache-Control": "private"}
        if self.look.vendor == "portal":
            return {"Cache-Control": "no-cache", "Liferay-Portal": "Liferay Portal"}
        return {"X-Powered-By": "PHP/5.6.40"}

    # -- chrome -----------------------------------------------------------------------------

    def layout(self, title: str, content: str, now: dt.datetime, crumb: str = "",
               head: str = "") -> str:
        look = self.look
        menu = "".join(f'<li><a href="{esc(p)}">{esc(n)}</a></li>' for n, p in self.sections.items())
        banner = f'<marquee scrollamount="3" class="chay-chu">{esc(look.banner)}</marquee>' if look.banner else ""
        boxes = ""
        if look.boxes:
            boxes = (f'<div class="box-left"><div class="box-title">Liên kết</div><ul><li><a href="https://www.dangcongsan.vn">Báo Điện tử Đảng Cộng sản Việt Nam</a></li>'
                     f'<li><a href="http://hcma.vn">Học viện Chính trị quốc gia Hồ Chí Minh</a></li></ul></div>'
                     f'<div class="box-left thong-ke"><div class="box-title">Thống kê</div>'
                     f'<p>Hôm nay: {now.hour * 7 + now.minute}</p><p>Hôm qua: {300 + now.day}</p>'
                     f'<p>Trong tuần: {2000 + now.day * 3}</p><p>Tất cả: {1234567 + now.minute}</p></div>')
        footer = "".join(f"<p>{esc(line)}</p>" for line in (look.footer or [f"Bản quyền thuộc {self.name}"]))
        site_name = (f'<h1 class="site-name"><a href="/">{esc(self.name)}</a></h1>' if look.site_h1
                     else f'<div class="site-name"><a href="/">{esc(self.name.upper())}</a></div>')
        alt = f'<div class="top-img"><img src="/images/{esc(look.lead_alt)}.jpg" alt="{esc(look.lead_alt)}" /></div>' if look.lead_alt else ""
        doc_head = f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8" />
<title>{esc(title)} - {esc(self.name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1" />
{head}
</head>"""
        if look.vendor == "table":
            nav = " ¤ ".join(f'<a href="{h}">{t}</a>' for h, t in (
                ("/index.php", "Trang chủ"), *TABLE_MODULES.items()))
            return f"""{doc_head}
<body bgcolor="#FFFFFF">
<table class="bodyline" width="100%" cellspacing="0" cellpadding="0" border="0">
<tr><td colspan="3" class="header">{site_name}{alt}<div class="bulletin">Thông tin lý luận và thực tiễn {look.clock(now)}</div></td></tr>
<tr><td colspan="3" class="topnav">{nav}</td></tr>
<tr><td class="leftcol" width="180" valign="top">{boxes}<ul class="catlist">{menu}</ul></td>
<td class="maincol" valign="top">{crumb}{content}</td>
<td class="rightcol" width="160" valign="top"></td></tr>
<tr><td colspan="3" class="footer">{footer}</td></tr>
</table>
</body>
</html>
"""
        if look.vendor == "aspnet":
            return f"""{doc_head}
<body>
<form method="post" action="./" id="form1">
<div class="aspNetHidden"><input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="/wEPDwUKMTY1NDU2MTA1MmRk{now:%H%M%S}" /></div>
<div id="ctl00_divHeader" class="header">{site_name}{banner}<div class="ngay-gio">{look.clock(now)}</div></div>
<div id="ctl00_divMenu" class="menu-top"><ul>{menu}</ul></div>
<div id="ctl00_divBody" class="wrapper">
<div id="ctl00_divLeft" class="col-left">{boxes}</div>
<div id="ctl00_ContentPlaceHolder1_divContent" class="col-main">{crumb}{alt}{content}</div>
</div>
<div id="ctl00_divFooter" class="footer">{footer}</div>
</form>
</body>
</html>
"""
        if look.vendor == "portal":
            return f"""{doc_head}
<body class="yui3-skin-sam controls-visible guest-site signed-out public-page site">
<div id="wrapper" class="wpthemeFrame">
<div id="banner" class="banner">{site_name}{banner}<span class="datetime-now">{look.clock(now)}</span></div>
<div id="navigation" class="navigation"><ul>{menu}</ul></div>
<div id="content">
<div class="columns-2" id="main-content" role="main">
<div class="portlet-column portlet-column-first" id="column-1">
<div class="portlet-boundary portlet-boundary_56_"><section class="portlet wpthemeControl"><div class="portlet-content">{crumb}{alt}{content}</div></section></div>
</div>
<div class="portlet-column portlet-column-last" id="column-2">{boxes}</div>
</div>
</div>
<footer id="footer">{footer}</footer>
</div>
</body>
</html>
"""
        return f"""{doc_head}
<body>
<div id="header">{site_name}{banner}<div class="clock">{look.clock(now)}</div>
<ul class="main-menu">{menu}</ul></div>
<div id="container">
<div class="left-col">{boxes}</div>
<div class="main-col">{crumb}{alt}{content}</div>
</div>
<div id="footer">{footer}</div>
</body>
</html>
"""

    # -- pages ------------------------------------------------------------------------------

    def _title_tag(self) -> str:
        return {"aspnet": "h2", "portal": "h3", "table": "h2"}.get(self.look.vendor, "h1")

    def render_article(self, page: CustomPage, now: dt.datetime) -> str:
        look, d = self.look, page.draft
        tag = self._title_tag()
        paras = list(d.paragraphs)
        parts: list[str] = [f'<{tag} class="title-detail">{esc(d.title)}</{tag}>']
        if look.title_twice:
            parts.append(f'<div class="title-sub">{esc(d.title)}</div>')
        if look.article_date is not None and page.date_shown:
            parts.append(f'<div class="date-detail">{esc(look.article_date(d.when))}</div>')
        pad = "&nbsp;" * look.byline_pad
        if d.author and look.byline == "top":
            parts.append(f'<p style="text-align:right">{pad}<strong>{esc(d.author)}</strong></p>')
            if d.role:
                parts.append(f'<p style="text-align:right">{pad}<em>{esc(d.role)}</em></p>')
        if d.author and look.byline == "label":
            role = f" - {esc(d.role)}" if d.role else ""
            parts.append(f'<div class="tac-gia">Tác giả : {esc(d.author)}{role}</div>')
        body: list[str] = []
        start = 0
        if look.sapo and paras:
            parts.append(f'<div class="sapo"><strong>{esc(paras[0])}</strong></div>')
            start = 1
            if look.sapo_repeat:  # printed again as the first body paragraph
                start = 0
        indent = "&nbsp;" * look.indent
        wrap = look.wrap if look.wrap and page.id % 3 == 0 else 0
        if look.spam and page.id % 5 == 0:
            links = "".join(f'<a href="http://{w.lower().replace(" ", "")}.example.com/">{esc(w)}</a> '
                            for w in look.spam.split(", "))
            parts.insert(0, f'<div style="position:absolute;left:-3000px">{links}</div>')
        for i in range(start, len(paras)):
            if i == d.caption_at:
                body.append(f'<p style="text-align:center"><img src="/Uploads/images/{d.when:%Y/%m}/anh-{page.id}-{i}.jpg" alt="" /></p>')
                body.append(f'<p style="text-align:center"><em>{esc(paras[i])}</em></p>')
                continue
            text = "<br />\n".join(esc(line) for line in textwrap.wrap(paras[i], wrap)) if wrap else esc(paras[i])
            body.append(f'<p style="text-align:justify">{indent}{text}</p>')
        if d.author and look.byline == "end":
            body.append(f'<p style="text-align:right"><strong>{esc(d.author)}</strong></p>')
            if d.role:
                body.append(f'<p style="text-align:right"><em>{esc(d.role)}</em></p>')
        body.append(self.shared_photo("/Uploads/images", page.id))
        for line in look.after_body:
            body.append(f'<div class="attach">{esc(line)}</div>')
        parts.append(f'<div class="content-detail">{"".join(body)}</div>')
        parts.append('<div class="tools"><a href="javascript:window.print()">In bài viết</a> | <a href="#" class="share">Chia sẻ</a></div>')
        section = d.section
        others = [i for i in self.listings[section] if i != page.id][:5]
        other = "".join(f'<li><a href="{self.related_href(esc(self.pages[i].path), page.id + j)}">{esc(self.pages[i].draft.title)}</a></li>' for j, i in enumerate(others))
        parts.append(f'<div class="tin-khac"><div class="box-title">{esc(look.related_heading)}</div><ul>{other}</ul></div>')
        crumb = (f'<div class="breadcrumb"><a href="/">Trang chủ</a> » '
                 f'<a href="{esc(self.sections[section])}">{esc(section)}</a></div>')
        head = ""
        if look.og:
            head = (f'<meta property="og:title" content="{esc(d.title)}" />\n'
                    f'<meta property="og:type" content="article" />\n'
                    f'<meta property="og:site_name" content="{esc(self.name)}" />')
        return self.layout(d.title, f'<div class="news-detail">{"".join(parts)}</div>', now, crumb, head)

    def _row(self, i: int) -> str:
        page = self.pages[i]
        d = page.draft
        date = ""
        if self.look.listing_date is not None and page.date_shown:
            date = f'<span class="date">{esc(self.look.listing_date(d.when))}</span>'
        teaser = esc(d.paragraphs[0][:220])
        return (f'<div class="news-item"><a class="news-title" href="{esc(page.path)}">{esc(d.title)}</a>'
                f'{date}<p class="news-sapo">{teaser}</p></div>')

    def render_listing(self, name: str, page: int, now: dt.datetime) -> str:
        ids = self.listings[name]
        size = self.look.page_size
        n_pages = max(1, -(-len(ids) // size))
        chunk = ids[(page - 1) * size: page * size]
        rows = "".join(self._row(i) for i in chunk)
        base = self.sections[name]
        links = []
        for p in range(1, n_pages + 1):
            href = base if p == 1 else self.pager(base, p)
            links.append(f'<span class="current">{p}</span>' if p == page else f'<a href="{esc(href)}">{p}</a>')
        if page < n_pages:
            links.append(f'<a href="{esc(self.pager(base, page + 1))}">Trang sau »</a>')
        pager = f'<div class="paging">{" ".join(links)}</div>' if n_pages > 1 else ""
        body = f'<h2 class="cat-title">{esc(name)}</h2><div class="news-list">{rows}</div>{pager}'
        crumb = f'<div class="breadcrumb"><a href="/">Trang chủ</a> » {esc(name)}</div>'
        return self.layout(name, body, now, crumb)

    def render_home(self, now: dt.datetime) -> str:
        blocks = []
        for name, path in self.sections.items():
            rows = "".join(self._row(i) for i in self.listings[name][:4])
            blocks.append(f'<div class="home-block"><h2 class="cat-title"><a href="{esc(path)}">{esc(name)}</a></h2>{rows}</div>')
        statics = "".join(f'<li><a href="{esc(p)}">{esc(t)}</a></li>' for p, (t, _x) in self.statics.items())
        if statics:
            blocks.append(f'<ul class="static-links">{statics}</ul>')
        return self.layout("Trang chủ", "".join(blocks), now)


def _key(target: str) -> str:
    """A lookup key for a request target: decoded path, lower case, query keys sorted."""
    path, _, query = target.partition("?")
    decoded, _q = split_target(path)
    # Unknown parameters (a shared link's utm_*, fbclid, zarsrc) are ignored, as PHP and
    # ASP.NET pages ignore them.
    pairs = sorted((k, v) for k, v in parse_qsl(query, keep_blank_values=True)
                   if not k.lower().startswith("utm_") and k.lower() not in ("fbclid", "zarsrc"))
    return decoded.rstrip("/").lower() + (f"?{urlencode(pairs)}" if pairs else "")


def query_page(param: str) -> Callable[[str, int], str]:
    """A pager that adds `?param=N` (or `&param=N`) to the listing's target."""
    def pager(path: str, page: int) -> str:
        return f"{path}{'&' if '?' in path else '?'}{param}={page}"
    return pager


