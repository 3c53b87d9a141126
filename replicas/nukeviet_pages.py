# ruff: noqa: E501  (inline HTML templates read best one element per line)
"""NukeViet theme layout and article page, after the stock `default` theme.

NukeViet 4: `layout/header_only.tpl` + `header_extended.tpl` (the `span.current-time` header
clock inside `#body`, the breadcrumbs) + `layout.main-right.tpl` (block_groups and the
statistics counter on the right) + `footer_extended.tpl`; `modules/news/detail.tpl` (hidden
schema.org spans, `span.h5` publtime, email/print/save buttons, hometext, `#news-bodyhtml`,
`Tác giả:` / `Nguồn tin:` lines, tags, the rating form "Tổng số điểm ... Xếp hạng ... phiếu
bầu", share buttons, "Những tin mới hơn / cũ hơn"); print.tpl is in `nukeviet_print`.
NukeViet 3: `layout/header.tpl` (`#digclock`), `layout.body-right.tpl`, its detail.tpl
(`#news_detail`, `span.time`, `#hometext`, `.bodytext`, `Tác giả bài viết:`). The 2015
(NukeViet 4.0) and 2016-2018 (4.1-4.3, no schema.org markup) detail.tpl too.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from replicas.schools import esc

if TYPE_CHECKING:
    from replicas.nukeviet import Item, NukeVietSite

NOJS = ("Trình duyệt của bạn đã tắt chức năng hỗ trợ JavaScript.<br />Website chỉ làm việc khi "
        "bạn bật nó trở lại.")
STARS = ("Bài viết rất kém", "Bài viết kém", "Bài viết đạt", "Bài viết tốt", "Bài viết rất tốt")


def _date(site: NukeVietSite, pattern: str, when: dt.datetime) -> str:
    from replicas.nukeviet import nv_date

    return nv_date(pattern, when)


def _blocks(site: NukeVietSite, now: dt.datetime) -> str:
    """The right column: block_groups ("Tin tiêu điểm") and the statistics counter."""
    ids = site.newest()[:4]
    if site.v3:
        lis = "".join(f'<li><a title="{site.title_html(site.items[i])}" href="{site.items[i].path}">'
                      f"{site.title_html(site.items[i])}</a></li>" for i in ids)
        return (f'<div class="box silver"><h3 class="header"><strong>&bull;</strong>Tin tiêu điểm</h3>'
                f'<ul class="block_groups">{lis}</ul></div>'
                f'<div class="box silver"><h3 class="header"><strong>&bull;</strong>Thống kê</h3>'
                f"<p>Đang truy cập: {now.minute + 3}<br />Hôm nay: {now.hour * 37}<br />"
                f"Tổng lượt truy cập: {981234 + now.day}</p></div>")
    lis = "".join(
        f'<li class="clearfix"><a title="{site.title_html(site.items[i])}" class="show" '
        f'href="{site.items[i].path}" data-content="" data-img="" data-rel="block_tooltip">'
        f"{site.title_html(site.items[i])}</a></li>" for i in ids)
    return f"""<div class="panel panel-default"><div class="panel-heading">Tin tiêu điểm</div><div class="panel-body">
<ul class="block_groups list-none list-items">{lis}</ul></div></div>
<div class="panel panel-default"><div class="panel-heading">Thống kê truy cập</div><div class="panel-body">
<ul class="counter list-none display-table">
<li><span><em class="fa fa-bolt fa-lg fa-horizon"></em>Đang truy cập</span><span>{now.minute + 3}</span></li>
<li><span><em class="fa fa-filter fa-lg fa-horizon margin-top-lg"></em>Hôm nay</span><span class="margin-top-lg">{now.hour * 37:,}</span></li>
<li><span><em class="fa fa-calendar-o fa-lg fa-horizon"></em>Tháng hiện tại</span><span>{now.day * 1234:,}</span></li>
<li><span><em class="fa fa-bars fa-lg fa-horizon"></em>Tổng lượt truy cập</span><span>{981234 + now.day:,}</span></li>
</ul></div></div>"""


def layout(site: NukeVietSite, title: str, content: str, now: dt.datetime,
           crumbs: list[tuple[str, str]], head: str = "") -> str:
    """The whole page around a module's content, NukeViet 4 or 3."""
    if site.v3:
        return _layout3(site, title, content, now, crumbs, head)
    clock = _date(site, site.clock, now)
    menu = "".join(f'<li><a title="{esc(n)}" href="{p}/">{esc(n)}</a></li>'
                   for n, p in site.sections.items())
    crumb = "".join(
        f'<li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem"><a href="{p}" itemprop="item" title="{esc(n)}"><span class="txt" itemprop="name">{esc(n)}</span></a><i class="hidden" itemprop="position" content="{k + 2}"></i></li>'
        for k, (n, p) in enumerate(crumbs))
    name = esc(site.name.upper() if site.caps_site_name else site.name)
    home = site.lang_base + "/"
    heading = (f"<h1>{name}</h1><h2>Đào tạo, bồi dưỡng cán bộ</h2>" if title == "Trang chủ"
               else f'<span class="site_name">{name}</span><span class="site_description">Đào tạo, bồi dưỡng cán bộ</span>')
    return f"""<!DOCTYPE html>
    <html lang="vi" xmlns="http://www.w3.org/1999/xhtml" prefix="og: http://ogp.me/ns#">
    <head>
        <title>{esc(title)} - {esc(site.name)}</title>
        <meta name="description" content="{esc(title)} - {esc(site.name)}">
        <meta name="author" content="{esc(site.name)}">
        <meta name="copyright" content="{esc(site.name)} [admin@nukeviet.vn]">
        <meta name="generator" content="NukeViet v{site.version}">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta http-equiv="Content-Type" content="text/html; charset=utf-8">
        {head}
        <link rel="shortcut icon" href="/favicon.ico">
        <link rel="StyleSheet" href="/themes/default/css/style.css">
        <script type="application/ld+json">{{"@context": "https://schema.org", "@type": "Organization", "url": "", "logo": "/uploads/logo.png"}}</script>
    </head>
    <body>
    <noscript><div class="alert alert-danger">{NOJS}</div></noscript>
    <header>
        <div class="section-header"><div class="wraper"><div id="header">
            <div class="logo"><a title="{name}" href="{home}"><img src="/uploads/logo.png" alt="{name}"></a>{heading}</div>
            <div class="right-ads"></div>
        </div></div></div>
    </header>
    <div class="section-nav"><div class="wraper"><nav class="second-nav" id="menusite"><div class="container"><div class="row"><div class="bg box-shadow">
        <ul class="site-mainmenu nav navbar-nav"><li><a title="Trang nhất" href="{home}"><em class="fa fa-lg fa-home">&nbsp;</em></a></li>{menu}</ul>
    </div></div></div></nav></div></div>
    <div class="section-body"><div class="wraper"><section><div class="container" id="body">
        <nav class="third-nav"><div class="row"><div class="bg"><div class="clearfix">
            <div class="col-xs-24 col-sm-18 col-md-18">
                <div class="breadcrumbs-wrap"><div class="display"><a class="show-subs-breadcrumbs hidden" href="#" onclick="showSubBreadcrumbs(this, event);"><em class="fa fa-lg fa-angle-right"></em></a><ul class="breadcrumbs list-none"></ul></div><ul class="subs-breadcrumbs"></ul>
                <ul class="temp-breadcrumbs hidden" itemscope itemtype="https://schema.org/BreadcrumbList"><li itemprop="itemListElement" itemscope itemtype="https://schema.org/ListItem"><a href="{home}" itemprop="item" title="Trang nhất"><span itemprop="name">Trang nhất</span></a><i class="hidden" itemprop="position" content="1"></i></li>{crumb}</ul></div>
                <span class="current-time">{clock}</span>
            </div>
            <div class="headerSearch col-xs-24 col-sm-6 col-md-6"><div class="input-group"><input type="text" class="form-control" maxlength="60" placeholder="Tìm kiếm..."><span class="input-group-btn"><button type="button" class="btn btn-info" data-url="/index.php?language=vi&amp;nv=seek&amp;q=" data-minlength="3" data-click="y"><em class="fa fa-search fa-lg"></em></button></span></div></div>
        </div></div></div></nav>
        <div class="row">
            <div class="col-sm-16 col-md-18">
{content}
            </div>
            <div class="col-sm-8 col-md-6">
{_blocks(site, now)}
            </div>
        </div>
    </div></section></div></div>
    <footer class="section-footer-top" id="footer"><div class="wraper"><div class="container"><div class="row">
        <div class="col-xs-24 col-sm-24 col-md-8"><div class="company_info"><h3 class="company-name">{esc(site.name)}</h3><ul class="company_info"><li><em class="fa fa-envelope"></em> Email: <a href="mailto:admin@nukeviet.vn">admin@nukeviet.vn</a></li></ul></div></div>
        <div class="col-xs-24 col-sm-24 col-md-16"><div class="copyright">© Bản quyền thuộc về {esc(site.name)}</div></div>
    </div></div></div></footer>
    <nav class="section-footer-bottom footerNav2"><div class="wraper"><div class="container"><div class="bttop"><a class="pointer"><i class="fa fa-eject fa-lg"></i></a></div></div></div></nav>
    <div id="sitemodal" class="modal fade" role="dialog"><div class="modal-dialog"><div class="modal-content"><div class="modal-body"><i class="fa fa-spinner fa-spin"></i></div><button type="button" class="close" data-dismiss="modal"><span class="fa fa-times"></span></button></div></div></div>
    <script src="/themes/default/js/bootstrap.min.js"></script>
    </body>
</html>
"""


def _layout3(site: NukeVietSite, title: str, content: str, now: dt.datetime,
             crumbs: list[tuple[str, str]], head: str) -> str:
    """NukeViet 3 `default`: header.tpl with `#digclock`, layout.body-right.tpl, footer.tpl."""
    clock = _date(site, "H:i T l, d/m/Y", now)
    menu = "".join(f'<li><a title="{esc(n)}" href="{p}/"><span>{esc(n)}</span></a></li>'
                   for n, p in site.sections.items())
    crumb = "".join(f'<span class="breakcolumn">&raquo;</span><a href="{p}" title="{esc(n)}">{esc(n)}</a>'
                    for n, p in crumbs)
    home = site.lang_base + "/"
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
    <head>
        <title>{esc(title)} - {esc(site.name)}</title>
<meta http-equiv="content-type" content="text/html; charset=utf-8" />
<meta name="generator" content="NukeViet v{site.version}" />
<meta name="copyright" content="Copyright (c) {esc(site.name)}" />
{head}
        <link rel="stylesheet" type="text/css" href="/themes/default/css/template.css" />
    </head>
    <body>
    <noscript><div id="nojavascript">{NOJS}</div></noscript>
        <div id="container">
            <div id="header">
                <div id="logo"><a title="{esc(site.name)}" href="{home}"><img src="/images/logo.png" alt="{esc(site.name)}" /></a></div>
                <span class="sitename">{esc(site.name)}</span>
            </div>
            <div id="topnav"><ul class="nav"><li class="current"><a title="Trang chủ" href="{home}"><span>Trang chủ</span></a></li>{menu}</ul></div>
            <div id="message">
                <div class="clock fl"><span id="digclock" style="font-weight: 700;">{clock}</span></div>
                <form action="/" method="get" class="search fr" onsubmit="return false"><fieldset><input class="txt" type="text" name="topmenu_search_query" id="topmenu_search_query" maxlength="60" /><input class="submit" type="button" value="Go" name="topmenu_search_submit" id="topmenu_search_submit" /></fieldset></form>
            </div>
<div class="contentwrapper">
    <div class="span-19">
        <h3 class="breakcolumn"><a title="Trang chủ" href="{home}"><img src="/themes/default/images/icons/home.png" alt="Trang chủ" /></a>{crumb}</h3>
{content}
    </div>
    <div class="span-5 last">
{_blocks(site, now)}
    </div>
    <div class="clear"></div>
</div>
    <div id="footer" class="clearfix">
        <div class="fl"><p>© {esc(site.name)}</p></div>
        <div class="fr"><ul class="bottom-toolbar"><li>Powered by<a title="NukeViet" href="http://nukeviet.vn"><img alt="NukeViet" src="/themes/default/images/nukeviet.png" /></a></li></ul></div>
        <div class="clear"></div>
    </div>
</div>
</body>
</html>
"""


def _rating(item: Item) -> tuple[int, int]:
    clicks = item.id % 4
    return (clicks * 4 + (item.id % 2), clicks)


def _related_lists(site: NukeVietSite, item: Item) -> tuple[list[int], list[int]]:
    siblings = site.category_ids(item)
    idx = siblings.index(item.id) if item.id in siblings else 0
    return siblings[max(0, idx - 3):idx], siblings[idx + 1:idx + 4]


def detail_page(site: NukeVietSite, item: Item, now: dt.datetime) -> str:
    d = item.draft
    title = site.title_html(item)
    section_path = site.sections[d.section]
    head = (f'<meta property="og:title" content="{title}">\n'
            f'<meta property="og:type" content="article">\n'
            f'<meta property="og:description" content="{esc(d.paragraphs[0][:160])}">\n'
            f'<meta property="article:published_time" content="{_date(site, "Y-m-dTH:i:s", d.when)}">\n'
            f'<link rel="canonical" href="{item.path}">')
    if site.v3:
        content = _detail3(site, item)
    elif site.version < "4.1":
        content = _detail40(site, item)
    else:
        content = _detail4(site, item)
        if site.version < "4.4":  # 2016-2018 detail.tpl: no schema.org markup yet
            content = _without_schema(content)
    return layout(site, d.title, content, now, [(d.section, section_path + "/")], head)


def _detail4(site: NukeVietSite, item: Item) -> str:
    d = item.draft
    title = site.title_html(item)
    hometext, bodyhtml, author = site.body_parts(item)
    home = (f'<div class="clearfix"><div class="hometext m-bottom" itemprop="description">'
            f"{hometext}</div></div>") if hometext else ""
    lines = ""
    if author:
        lines += f'<p class="h5 text-right"><strong>Tác giả: </strong>{author}</p>'
    if item.source:
        lines += f'<p class="h5 text-right"><strong>Nguồn tin: </strong>{esc(item.source)}</p>'
    author_html = f'<div class="margin-bottom-lg">{lines}</div>' if lines else ""
    schema_author = author or "Quản trị viên"  # detail.php falls back to the posting account
    total, clicks = _rating(item)
    average = f"{total / clicks:.1f}" if clicks else "0"
    data_rating = (f'<span itemscope itemtype="https://schema.org/AggregateRating">Xếp hạng: '
                   f'<span id="numberrating" itemprop="ratingValue">{average}</span> - '
                   f'<span id="click_rating" itemprop="ratingCount">{clicks}</span> phiếu bầu'
                   f'<span class="hidden d-none hide" itemprop="bestRating">5</span></span>') if clicks else ""
    stars = "".join(f'<input class="hover-star required" type="radio" value="{k + 1}" title="{t}"/>'
                    for k, t in enumerate(STARS))
    newer, older = _related_lists(site, item)

    def lis(ids: list[int]) -> str:
        return "".join(
            f'<li><em class="fa fa-angle-right">&nbsp;</em><h4><a href="{site.related_link(site.items[i])}" '
            f'title="{site.title_html(site.items[i])}">{site.title_html(site.items[i])}</a></h4>'
            f"<em>({site.items[i].draft.when:%d/%m/%Y})</em></li>" for i in ids)

    related = ""
    if newer:
        related += (f'<p class="h3"><strong>Những tin mới hơn</strong></p><div class="clearfix">'
                    f'<ul class="detail-related related list-none list-items">{lis(newer)}</ul></div>')
    if older:
        related += (f'<p class="h3"><strong>Những tin cũ hơn</strong></p><div class="clearfix">'
                    f'<ul class="detail-related related list-none list-items">{lis(older)}</ul></div>')
    tags = site.lang_base + "/news/tag/truong-chinh-tri"
    return f"""<script type="text/javascript" src="/assets/js/star-rating/jquery.rating.pack.js"></script>
<link href="/assets/js/star-rating/jquery.rating.css" type="text/css" rel="stylesheet"/>
<div class="news_column panel panel-default" itemtype="http://schema.org/NewsArticle" itemscope>
    <div class="panel-body">
        <h1 class="title margin-bottom-lg" itemprop="headline">{title}</h1>
        <div class="hidden hide d-none" itemprop="author" itemtype="http://schema.org/Person" itemscope><span itemprop="name">{schema_author}</span></div>
        <span class="hidden hide d-none" itemprop="datePublished">{item.edited.isoformat()}</span>
        <span class="hidden hide d-none" itemprop="dateModified">{item.edited.isoformat()}</span>
        <span class="hidden hide d-none" itemprop="mainEntityOfPage">{item.path}</span>
        <div class="hidden hide d-none" itemprop="publisher" itemtype="http://schema.org/Organization" itemscope><span itemprop="name">{esc(site.name)}</span></div>
        <div class="row margin-bottom-lg">
            <div class="col-md-12">
                <span class="h5">{_date(site, "l - d/m/Y H:i", d.when)}</span>
            </div>
            <div class="col-md-12">
                <ul class="list-inline text-right">
                    <li><a class="dimgray" title="Giới thiệu bài viết cho bạn bè" href="javascript:void(0);" onclick="newsSendMailModal('#newsSendMailModal', '{item.variant('sendmail')}', 'a1b2');"><em class="fa fa-envelope fa-lg">&nbsp;</em></a></li>
                    <li><a class="dimgray" rel="nofollow" title="In ra" href="javascript: void(0)" onclick="nv_open_browse('{item.variant('print')}','{title}',840,500,'resizable=yes,scrollbars=yes,toolbar=no,location=no,status=no');return false"><em class="fa fa-print fa-lg">&nbsp;</em></a></li>
                    <li><a class="dimgray" rel="nofollow" title="Lưu bài viết này" href="{item.variant('savefile')}"><em class="fa fa-save fa-lg">&nbsp;</em></a></li>
                </ul>
            </div>
        </div>
        {home}
        <div id="news-bodyhtml" class="bodytext margin-bottom-lg">
            {bodyhtml}
        </div>
        {author_html}
    </div>
</div>
<div class="news_column panel panel-default">
    <div class="panel-body">
        <div class="h5"><em class="fa fa-tags">&nbsp;</em><strong>Tags: </strong><a title="trường chính trị" href="{tags}"><em>trường chính trị</em></a>, <a title="{esc(site.name)}" href="{tags}"><em>{esc(site.name.lower())}</em></a></div>
    </div>
</div>
<div class="news_column panel panel-default">
    <div class="panel-body">
        <form id="form3B" action="">
            <div class="h5 clearfix">
                <p id="stringrating">Tổng số điểm của bài viết là: {total} trong {clicks} đánh giá</p>
                {data_rating}
                <div style="padding: 5px;">{stars}<span id="hover-test" style="margin: 0 0 0 20px;">Click để đánh giá bài viết</span></div>
            </div>
        </form>
        <script type="text/javascript">$(function() {{ $('.hover-star').rating({{callback : function(value, link) {{ sendrating('{item.id}', value, 'c3d4'); }}}}); }})</script>
    </div>
</div>
<div class="news_column panel panel-default">
    <div class="panel-body" style="margin-bottom:0">
        <div style="display:flex;align-items:flex-start;">
            <div class="margin-right"><div class="fb-like" style="float:left!important;margin-right:0!important" data-href="{item.path}" data-layout="button_count" data-action="like" data-show-faces="false" data-share="true"></div></div>
            <div class="margin-right"><a href="http://twitter.com/share" class="twitter-share-button">Tweet</a></div>
        </div>
     </div>
</div>
<div class="news_column panel panel-default">
    <div class="panel-body other-news">
        {related}
    </div>
</div>"""


def _without_schema(html: str) -> str:
    """detail.tpl before the schema.org markup (NukeViet 4.1-4.3): no itemscope article, no
    hidden author/date spans."""
    keep = [line for line in html.splitlines() if 'class="hidden hide d-none" itemprop' not in line]
    return ("\n".join(keep)
            .replace(' itemtype="http://schema.org/NewsArticle" itemscope', "")
            .replace(' itemprop="headline"', "").replace(' itemprop="description"', ""))


def _detail40(site: NukeVietSite, item: Item) -> str:
    """NukeViet 4.0's detail.tpl (2015): `em.time`, `#hometext > h2`, `div.bodytext`."""
    d = item.draft
    title = site.title_html(item)
    hometext, bodyhtml, author = site.body_parts(item)
    home = f'<div id="hometext"><h2>{hometext}</h2></div>' if hometext else ""
    lines = f'<p class="text-right"><strong>Tác giả: </strong>{author}</p>' if author else ""
    if item.source:
        lines += f'<p class="text-right"><strong>Nguồn tin: </strong>{esc(item.source)}</p>'
    total, clicks = _rating(item)
    newer, older = _related_lists(site, item)

    def lis(ids: list[int]) -> str:
        return "".join(
            f'<li><em class="fa fa-angle-right">&nbsp;</em><a class="list-inline" href="{site.related_link(site.items[i])}" data-content="" data-img="" data-rel="tooltip">{site.title_html(site.items[i])}</a>'
            f'<em>({site.items[i].draft.when:%d/%m/%Y})</em></li>' for i in ids)

    related = ""
    if newer:
        related += f'<p class="h3"><strong>Những tin mới hơn</strong></p><ul class="related">{lis(newer)}</ul>'
    if older:
        related += f'<p class="h3"><strong>Những tin cũ hơn</strong></p><ul class="related">{lis(older)}</ul>'
    return f"""<div class="news_column panel panel-default">
    <div class="panel-body">
        <h1>{title}</h1>
        <em class="pull-left time">{_date(site, "l - d/m/Y H:i", d.when)}</em>
        <ul class="list-inline pull-right">
            <li><a rel="nofollow" title="In ra" href="javascript: void(0)" onclick="nv_open_browse('{item.variant('print')}','{title}',840,500,'resizable=yes');return false"><em class="fa fa-print fa-lg">&nbsp;</em></a></li>
            <li><a title="Lưu bài viết này" href="{item.variant('savefile')}"><em class="fa fa-save fa-lg">&nbsp;</em></a></li>
        </ul>
        <hr class="clear"/>
        {home}
        <div class="bodytext">
            {bodyhtml}
        </div>
        {lines}
    </div>
</div>
<div class="news_column panel panel-default"><div class="panel-body">
    <form id="form3B" action=""><div class="h5 clearfix"><p id="stringrating">Tổng số điểm của bài viết là: {total} trong {clicks} đánh giá</p>
    <span itemscope itemtype="http://data-vocabulary.org/Review-aggregate">Xếp hạng: <span id="numberrating">{total // max(clicks, 1)}</span> - <span id="click_rating">{clicks}</span> phiếu bầu</span>
    <div style="padding: 5px;"><input class="hover-star" type="radio" value="1" title="Bài viết rất kém" /><span id="hover-test" style="margin: 0 0 0 20px;">Click để đánh giá bài viết</span></div></div></form>
</div></div>
<div class="news_column panel panel-default"><div class="panel-body other-news">{related}</div></div>"""


def _detail3(site: NukeVietSite, item: Item) -> str:
    d = item.draft
    title = site.title_html(item)
    hometext, bodyhtml, author = site.body_parts(item)
    lines = ""
    if author:
        lines += f'<p style="text-align: right;"><strong>Tác giả bài viết: </strong>{author}</p>'
    if item.source:
        lines += f'<p style="text-align: right;"><strong>Nguồn tin: </strong>{esc(item.source)}</p>'
    total, clicks = _rating(item)
    newer, older = _related_lists(site, item)

    def lis(ids: list[int]) -> str:
        return "".join(
            f'<li><a title="{site.title_html(site.items[i])}" href="{site.related_link(site.items[i])}">'
            f'{site.title_html(site.items[i])}</a><span class="date">({site.items[i].draft.when:%d/%m/%Y})</span></li>'
            for i in ids)

    related = ""
    if newer:
        related += f'<p><strong>Những tin mới hơn</strong></p><ul class="related">{lis(newer)}</ul>'
    if older:
        related += (f'<div class="clear"></div><p><strong>Những tin cũ hơn</strong></p>'
                    f'<ul class="related">{lis(older)}</ul>')
    stars = "".join(f'<input class="hover-star" type="radio" value="{k + 1}" title="{t}" />'
                    for k, t in enumerate(STARS))
    return f"""<div class="news_column" style="padding:0 !important;margin:0 !important;">
    <div id="news_detail">
        <h1>{title}</h1>
        <span class="time">{_date(site, "l - d/m/Y  H:i", d.when)}</span>
        <div class="control">
            <ul>
                <li><a rel="nofollow" class="sendmail" title="Giới thiệu bài viết cho bạn bè" href="javascript:void(0);" onclick="NewWindow('{item.variant('sendmail')}','{title}','500','400','no');return false"></a></li>
                <li><a class="print" title="In ra" href="javascript: void(0)" onclick="NewWindow('{item.variant('print')}','{title}','840','768','yes');return false"></a></li>
                <li><a class="savefile" title="Lưu bài viết này" href="{item.variant('savefile')}"></a></li>
            </ul>
        </div>
        <div style="clear: both;"></div>
        <div id="hometext">{hometext}</div>
        <div class="bodytext">{bodyhtml}</div>
        {lines}
    </div>
    <form id="form3B" action="">
        <div class="clearfix">
            <div id="stringrating">Tổng số điểm của bài viết là: {total} trong {clicks} đánh giá</div>
            <div style="padding: 5px;">{stars}<span id="hover-test" style="margin: 0 0 0 20px;">Click để đánh giá bài viết</span></div>
        </div>
    </form>
    <script type="text/javascript">var sr = 0; $('.hover-star').rating('select', '{clicks}');</script>
    <div class="keywords"><strong>Từ khóa: </strong><a title="trường chính trị" href="{site.lang_base}/news/tag/truong-chinh-tri"><em>trường chính trị</em></a></div>
    {related}
</div>"""
