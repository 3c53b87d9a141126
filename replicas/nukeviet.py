# ruff: noqa: E501  (inline HTML templates read best one element per line)
"""NukeViet 3/4 markup for the replicas: the stock `default` theme's modules/news templates.

Templates modelled: layout body with the header clock, breadcrumbs and the statistics block;
viewcat_page_new.tpl (one `news_column` panel per teaser, publtime as `d/m/Y h:i:s A`);
nv_alias_page() (`<ul class="pagination">`, `/page-N`); detail.tpl (`l - d/m/Y H:i`, hometext,
`#news-bodyhtml`, author line, "Những tin mới hơn / cũ hơn" related lists, print/savefile
buttons); print.tpl (the `print` and `savefile` views, with `In ra` / `Đóng cửa sổ này`);
RSS 2.0 at `<lang>/news/rss/`.

URLs: `{module_base}/{cat}/{slug}-{id}.html`, where module_base is `/vi/news`, `/vi/<module>`
or empty (the rewrite without language and module, as on Hà Tĩnh); print/savefile views are
`{module_base}/print|savefile/{cat}/{slug}-{id}.html`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from replicas.schools import (
    HTML,
    VN_TZ,
    WEEKDAYS_LOWER,
    Draft,
    ReplicaArticle,
    ReplicaSite,
    esc,
    spaces_to_nbsp,
    split_target,
)


def publtime(when: dt.datetime, title_case: bool = False) -> str:
    """detail.tpl's `l - d/m/Y H:i`: `Thứ năm - 19/11/2020 22:44`."""
    day = WEEKDAYS_LOWER[when.weekday()]
    return f"{day} - {when:%d/%m/%Y %H:%M}"


def list_time(when: dt.datetime) -> str:
    """viewcat's `d/m/Y h:i:s A`: a 12-hour clock."""
    return when.strftime("%d/%m/%Y %I:%M:%S %p")


@dataclass
class Item:
    id: int
    draft: Draft
    module_base: str  # "/vi/news", "/vi/gioi-thieu", "" (rewrite)
    cat: str  # category alias as it appears in URLs (may be Mixed-Case)
    slug: str
    byline: str = "end"  # "top" (right-aligned, space runs), "end", "tin_anh", "field", "none"
    hometext: bool = True  # first paragraph printed as the sapo (hometext)
    byline_pad: int = 0
    related_variant: str = ""  # link this item from related lists as "savefile" or "print"

    @property
    def path(self) -> str:
        return f"{self.module_base}/{self.cat}/{self.slug}-{self.id}.html"

    def variant(self, op: str) -> str:
        return f"{self.module_base}/{op}/{self.cat}/{self.slug}-{self.id}.html"


@dataclass
class NukeVietSite(ReplicaSite):
    slug: str
    name: str
    lang_base: str  # "/vi" or ""
    sections: dict[str, str]  # name -> listing base path (no trailing slash)
    items: dict[int, Item]
    listings: dict[str, list[int]]  # newest first
    articles: list[ReplicaArticle]
    version: str = "4.4"
    page_size: int = 8
    feeds: bool = False
    caps_site_name: bool = False
    _paths: dict[str, tuple[int, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for item in self.items.values():
            self._paths[item.path.lower()] = (item.id, "detail")
            for op in ("print", "savefile"):
                self._paths[item.variant(op).lower()] = (item.id, op)

    # -- routing ---------------------------------------------------------------------------

    def route(self, target: str) -> tuple[int, str, bytes, dict[str, str]]:
        path, _ = split_target(target)
        path = "/" + path.strip("/")
        now = dt.datetime.now(VN_TZ)
        headers = {"X-Powered-By": "PHP/7.4.33", "Cache-Control": "no-cache"}
        if path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", b"User-agent: *\nDisallow: /admin/\n", {}
        if self.feeds and path == f"{self.lang_base}/news/rss":
            return 200, "application/rss+xml; charset=utf-8", self.rss().encode(), headers
        if path in ("/", self.lang_base or "/"):
            return 200, HTML, self.render_listing("Trang chủ", None, 1, now).encode(), headers
        found = self._paths.get(path.lower())
        if found is not None:
            item = self.items[found[0]]
            if found[1] == "detail":
                return 200, HTML, self.render_detail(item, now).encode(), headers
            return 200, HTML, self.render_print(item, found[1]).encode(), headers
        base, page = path, 1
        tail = path.rsplit("/", 1)[-1]
        if tail.startswith("page-") and tail[5:].isdigit():
            base, page = path.rsplit("/", 1)[0], int(tail[5:])
        for name, section_path in self.sections.items():
            if base.lower() == section_path.lower():
                return 200, HTML, self.render_listing(name, name, page, now).encode(), headers
        content = '<div class="alert alert-danger">Không tìm thấy nội dung bạn yêu cầu!</div>'
        return 404, HTML, self.layout("404", content, now, []).encode(), headers

    # -- layout ----------------------------------------------------------------------------

    def layout(self, title: str, content: str, now: dt.datetime, crumbs: list[tuple[str, str]],
               head: str = "") -> str:
        clock = f"{WEEKDAYS_LOWER[now.weekday()].capitalize()}, {now:%d/%m/%Y | %H:%M}"
        menu = "".join(f'<li><a title="{esc(n)}" href="{p}/">{esc(n)}</a></li>'
                       for n, p in self.sections.items())
        crumb = "".join(f'<li><a href="{p}" title="{esc(n)}"><span>{esc(n)}</span></a></li>'
                        for n, p in crumbs)
        site = esc(self.name.upper() if self.caps_site_name else self.name)
        return f"""<!DOCTYPE html>
<html lang="vi" xmlns="http://www.w3.org/1999/xhtml" prefix="og: http://ogp.me/ns#">
<head>
<title>{esc(title)} - {esc(self.name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="author" content="{esc(self.name)}">
<meta name="copyright" content="{esc(self.name)} [admin@nukeviet.vn]">
<meta name="generator" content="NukeViet v{self.version}">
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
{head}
<link rel="StyleSheet" href="/themes/default/css/style.css">
</head>
<body>
<noscript><div class="alert alert-danger">Trình duyệt của bạn đã tắt chức năng hỗ trợ JavaScript.</div></noscript>
<div class="body-bg"><div class="wraper">
<header><div class="container"><div id="header" class="row">
  <div class="logo col-xs-24 col-sm-24 col-md-8"><a title="{site}" href="{self.lang_base}/"><img src="/uploads/logo.png" alt="{site}"></a><span class="site_name">{site}</span></div>
</div></div></header>
<nav class="second-nav" id="menusite"><div class="container"><ul class="nav navbar-nav">{menu}</ul></div></nav>
<nav class="third-nav"><div class="container"><div class="row"><div class="bg"><div class="clearfix">
  <div class="current-time">{clock}</div>
  <div class="breadcrumbs-wrap"><ul class="breadcrumbs list-none"><li><a href="{self.lang_base}/" title="Trang nhất"><em class="fa fa-lg fa-home">&nbsp;</em><span class="hidden-xs">Trang nhất</span></a></li>{crumb}</ul></div>
</div></div></div></div></nav>
<section><div class="container" id="body"><div class="row">
  <div class="col-sm-16 col-md-18">{content}</div>
  <div class="col-sm-8 col-md-6">
    <div class="panel panel-default"><div class="panel-heading">Thống kê truy cập</div><div class="panel-body">
      <ul class="counter list-none display-table"><li><span>Đang truy cập</span><span>{now.minute + 3}</span></li><li><span>Hôm nay</span><span>{now.hour * 37}</span></li><li><span>Tổng lượt truy cập</span><span>{981234 + now.day}</span></li></ul>
    </div></div>
  </div>
</div></div></section>
<footer id="footer"><div class="container"><p>© {esc(self.name)}</p></div></footer>
</div></div>
</body>
</html>
"""

    # -- pieces ----------------------------------------------------------------------------

    def title_html(self, item: Item) -> str:
        # NukeViet stores titles through nv_htmlspecialchars; a double escape shows `&#40;`.
        return esc(item.draft.title_raw or item.draft.title)

    def body_parts(self, item: Item) -> tuple[str, str, str]:
        """(hometext, bodyhtml, author line) as detail.tpl receives them."""
        d = item.draft
        paras = list(d.paragraphs)
        hometext = ""
        start = 0
        if item.hometext and paras:
            hometext = esc(paras[0])
            start = 1
        out: list[str] = []
        if item.byline == "top" and d.author:
            pad = "&nbsp;" * item.byline_pad
            out.append(f'<p style="text-align: right;">{pad}<strong>{esc(d.author)}</strong></p>')
            if d.role:
                out.append(f'<p style="text-align: right;">{pad}<em>{esc(d.role)}</em></p>')
        for i in range(start, len(paras)):
            text = paras[i]
            if i == d.caption_at:
                out.append(f'<p style="text-align: center;"><img alt="{esc(d.title[:40])}" '
                           f'src="/uploads/news/{d.when:%Y_%m}/anh-{item.id}.jpg" width="600" '
                           f'/></p>')
                out.append(f'<p style="text-align: center;"><em>{esc(text)}</em></p>')
                continue
            out.append(f'<p style="text-align: justify;">{spaces_to_nbsp(esc(text))}</p>')
        if item.byline == "end" and d.author:
            out.append(f'<p style="text-align: right;"><strong>{esc(d.author)}</strong></p>')
            if d.role:
                out.append(f'<p style="text-align: right;"><em>{esc(d.role)}</em></p>')
        if item.byline == "tin_anh" and d.author:
            out.append(f'<p style="text-align: right;"><strong>Tin và ảnh: {esc(d.author)}</strong></p>')
            if d.role:
                out.append(f'<p style="text-align: right;"><em>{esc(d.role)}</em></p>')
        author = esc(d.author) if item.byline == "field" and d.author else ""
        return hometext, "\n".join(out), author

    def related_link(self, item: Item) -> str:
        return item.variant(item.related_variant) if item.related_variant else item.path

    def render_detail(self, item: Item, now: dt.datetime) -> str:
        d = item.draft
        title = self.title_html(item)
        hometext, bodyhtml, author = self.body_parts(item)
        home = (f'<div class="clearfix"><div class="hometext m-bottom" itemprop="description">'
                f"{hometext}</div></div>") if hometext else ""
        author_html = (f'<div class="margin-bottom-lg"><p class="h5 text-right"><strong>Tác giả: '
                       f"</strong>{author}</p></div>") if author else ""
        siblings = self.listings[d.section]
        idx = siblings.index(item.id) if item.id in siblings else 0
        newer = siblings[max(0, idx - 3):idx]
        older = siblings[idx + 1:idx + 4]

        def lis(ids: list[int]) -> str:
            return "".join(
                f'<li><em class="fa fa-angle-right">&nbsp;</em><a class="list-inline" href="'
                f'{self.related_link(self.items[i])}" title="{self.title_html(self.items[i])}">'
                f"{self.title_html(self.items[i])}</a><em>({self.items[i].draft.when:%d/%m/%Y})"
                f"</em></li>" for i in ids)

        related = ""
        if newer:
            related += (f'<p class="h3"><strong>Những tin mới hơn</strong></p><div class="clearfix">'
                        f'<ul class="related list-items">{lis(newer)}</ul></div>')
        if older:
            related += (f'<p class="h3"><strong>Những tin cũ hơn</strong></p><div class="clearfix">'
                        f'<ul class="related list-items">{lis(older)}</ul></div>')
        content = f"""<div class="news_column panel panel-default" itemtype="http://schema.org/NewsArticle" itemscope>
  <div class="panel-body">
    <h1 class="title margin-bottom-lg" itemprop="headline">{title}</h1>
    <div class="row margin-bottom-lg">
      <div class="col-md-12"><span class="h5">{publtime(d.when)}</span></div>
      <div class="col-md-12"><ul class="list-inline text-right">
        <li><a class="dimgray" rel="nofollow" title="Gửi bài viết qua email" href="javascript:void(0);" onclick="nv_open_browse('{item.variant('sendmail')}','',650,500,'resizable=no');return false"><em class="fa fa-envelope fa-lg">&nbsp;</em></a></li>
        <li><a class="dimgray" rel="nofollow" title="In ra" href="javascript: void(0)" onclick="nv_open_browse('{item.variant('print')}','',840,500,'resizable=yes');return false"><em class="fa fa-print fa-lg">&nbsp;</em></a></li>
        <li><a class="dimgray" rel="nofollow" title="Lưu bài viết này" href="{item.variant('savefile')}"><em class="fa fa-save fa-lg">&nbsp;</em></a></li>
      </ul></div>
    </div>
    {home}
    <div id="news-bodyhtml" class="bodytext margin-bottom-lg">{bodyhtml}</div>
    {author_html}
  </div>
</div>
<div class="news_column panel panel-default"><div class="panel-body">
  <div class="h5"><em class="fa fa-tags">&nbsp;</em><strong>Từ khóa: </strong><a title="trường chính trị" href="{self.lang_base}/news/tag/truong-chinh-tri"><em>trường chính trị</em></a></div>
  <div class="h5">Tổng số điểm của bài viết là: 0 trong 0 đánh giá</div>
</div></div>
<div class="news_column panel panel-default"><div class="panel-body other-news">{related}</div></div>"""
        section_path = self.sections[d.section]
        head = (f'<meta property="og:title" content="{title}">\n'
                f'<meta property="og:type" content="article">\n'
                f'<meta property="og:description" content="{esc(d.paragraphs[0][:160])}">\n'
                f'<link rel="canonical" href="{item.path}">')
        return self.layout(d.title, content, now, [(d.section, section_path + "/")], head)

    def render_print(self, item: Item, op: str) -> str:
        """print.tpl, served for both the print and the savefile views."""
        d = item.draft
        hometext, bodyhtml, author = self.body_parts(item)
        author_html = f'<p class="author">Tác giả: {author}</p>' if author else ""
        label = "Savefile" if op == "savefile" else "Print"
        return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{self.title_html(item)}</title>
<meta name="generator" content="NukeViet v{self.version}">
<meta property="og:description" content="{label} - Tin Tức - {item.path}">
<link rel="canonical" href="{item.path}">
</head><body>
<div id="print">
  <div id="hd_print"><h2>{esc(self.name)}</h2><p class="url">{item.path}</p></div>
  <div id="content">
    <h1>{self.title_html(item)}</h1>
    <ul class="time list-none"><li>- {publtime(d.when)}</li><li>- <a href="javascript:;" onclick="window.print()">In ra</a></li><li>- <a href="javascript:;" onclick="window.close()">Đóng cửa sổ này</a></li></ul>
    <div id="hometext">{hometext}</div>
    <div id="bodytext" class="clearfix">{bodyhtml}</div>
    {author_html}
  </div>
  <div id="footer" class="clearfix"><p>© {esc(self.name)}</p></div>
</div>
</body></html>
"""

    def pager(self, base: str, page: int, pages: int) -> str:
        if pages <= 1:
            return ""

        def href(p: int) -> str:
            return f"{base}/" if p == 1 else f"{base}/page-{p}"

        items = []
        if page > 1:
            items.append(f'<li><a href="{href(page - 1)}">&laquo;</a></li>')
        else:
            items.append('<li class="disabled"><a href="#">&laquo;</a></li>')
        for p in range(1, pages + 1):
            if p == page:
                items.append(f'<li class="active"><a href="#">{p}</a></li>')
            else:
                items.append(f'<li><a href="{href(p)}">{p}</a></li>')
        if page < pages:
            items.append(f'<li><a href="{href(page + 1)}">&raquo;</a></li>')
        return f'<div class="text-center"><ul class="pagination">{"".join(items)}</ul></div>'

    def render_listing(self, name: str, section: str | None, page: int, now: dt.datetime) -> str:
        ids = self.listings[section] if section else sorted(
            self.items, key=lambda i: self.items[i].draft.when, reverse=True)
        pages = max(1, -(-len(ids) // self.page_size))
        chunk = ids[(page - 1) * self.page_size:page * self.page_size]
        rows = []
        for i in chunk:
            item = self.items[i]
            t = self.title_html(item)
            rows.append(f"""<div class="news_column panel panel-default"><div class="panel-body">
  <a href="{item.path}" title="{t}"><img alt="{t}" src="/assets/news/{item.draft.when:%Y_%m}/anh-{i}.jpg" width="100" class="img-thumbnail pull-left imghome"></a>
  <h3><a href="{item.path}" title="{t}">{t}</a></h3>
  <div class="text-muted"><ul class="list-unstyled list-inline">
    <li><em class="fa fa-clock-o">&nbsp;</em> {list_time(item.draft.when)}</li>
    <li><em class="fa fa-eye">&nbsp;</em> Xem: {100 + i * 7 % 900}</li>
  </ul></div>
  {esc(item.draft.paragraphs[0][:180])}
</div></div>""")
        base = self.sections[section] if section else self.lang_base
        crumbs = [(name, base + "/")] if section else []
        content = "".join(rows) + self.pager(base, page, pages)
        if not chunk:
            content = '<div class="alert alert-info">Chưa có bài viết.</div>'
        rss = (f'<link rel="alternate" href="{self.lang_base}/news/rss/" title="Tin Tức" '
               f'type="application/rss+xml">') if self.feeds else ""
        return self.layout(name, content, now, crumbs, rss)

    def rss(self) -> str:
        ids = sorted(self.items, key=lambda i: self.items[i].draft.when, reverse=True)[:30]
        entries = "".join(
            f"<item><title>{self.title_html(self.items[i])}</title>"
            f"<link>{self.items[i].path}</link><guid isPermaLink=\"false\">{i}</guid>"
            f"<pubDate>{self.items[i].draft.when:%a, %d %b %Y %H:%M:%S +0700}</pubDate>"
            f"</item>" for i in ids)
        return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
                f"<title>Tin Tức - {esc(self.name)}</title><link>{self.lang_base}/news/</link>"
                f"<description>Tin Tức</description><language>vi</language>{entries}"
                f"</channel></rss>\n")
