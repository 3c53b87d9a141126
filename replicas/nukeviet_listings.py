# ruff: noqa: E501  (inline HTML templates read best one element per line)
"""NukeViet category, subcategory and topic/tag listings after the stock templates.

NukeViet 4 (`themes/default/modules/news/`): viewcat_page.tpl (one `div.news_column` around
every row: the page's first row `div.panel > div.panel-body.featured > h2 > a`, the others
`div.panel > div.panel-body > h3 > a`, publtime `d/m/Y H:i:s`, then "Các tin khác"
`ul.related`); viewcat_list.tpl (`div.list-group > a.show.h4 > h4`, no date); viewcat_grid.tpl
(a featured panel, then `div.thumbnail > div.caption > h4 > a`); viewcat_top.tpl (one featured
`h2`, the rest `ul.related li a`); viewcat_two_column.tpl (no pager; one panel per subcategory,
`h4.cat-icon a`); viewcat_main_left/right/bottom.tpl (viewcat_top for the category, then one
`news_column` panel per subcategory, `ul.sub-list-icon h4 a`; page 2 on is viewcat_page, as
viewcat.php's `$set_view_page` does); topic.tpl for tag/topic/group pages (`H:i d/m/Y`).
nv_alias_page(): `ul.pagination` with `/page-N` (and its unclosed `<li>` after the active page).
NukeViet 3: `div.news_column > div.items > h3 > a`, `table.table-list-news`, `div.news_grid`,
`div.header a.current` subcategory heads, `div.generate_page` pagers, topic `span.time | span.date`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from replicas.schools import esc

if TYPE_CHECKING:
    from replicas.nukeviet import NukeVietSite, Subcat


def _d(pattern: str, when: dt.datetime) -> str:
    from replicas.nukeviet import nv_date

    return nv_date(pattern, when)


# -- pagers ------------------------------------------------------------------------------------


def pager(site: NukeVietSite, title: str, base: str, page: int, pages: int) -> str:
    """nv_alias_page() as NukeViet 4 or 3 prints it (links to page 1 are the bare base)."""
    if pages <= 1:
        return ""
    title = f"{esc(title)} - Trang"

    def href(p: int) -> str:
        return base if p == 1 else f"{base}/page-{p}"

    if site.v3:
        parts = []
        for p in range(1, pages + 1):
            parts.append(f"<strong>{p}</strong>" if p == page
                         else f'<a title="{title} {p}" href="{href(p)}">{p}</a>')
        out = " ".join(parts)
        if page > 1:
            out = f'&nbsp;&nbsp;<span><a title="{title} {page - 1}" href="{href(page - 1)}">Trang trước</a></span>&nbsp;&nbsp;' + out
        if page < pages:
            out += f'&nbsp;&nbsp;<span><a title="{title} {page + 1}"  href="{href(page + 1)}">Trang sau</a></span>'
        return f'<div class="generate_page">{out}</div>'
    items = []
    if page > 1:
        items.append(f'<li class="page-item"><a class="page-link" rel="prev" title="{title} {page - 1}" href="{href(page - 1)}">&laquo;</a></li>')
    else:
        items.append('<li class="page-item disabled"><a class="page-link" href="javascript:void(0)">&laquo;</a></li>')
    for p in range(1, pages + 1):
        if p == page:  # the stock function leaves this <li> unclosed after page 1
            close = "</li>" if p == 1 else "<li>"
            items.append(f'<li class="page-item active"><a class="page-link" href="javascript:void(0)">{p}</a>{close}')
        else:
            rel = "next" if p > page else "prev"
            items.append(f'<li class="page-item"><a class="page-link" rel="{rel}" title="{title} {p}" href="{href(p)}">{p}</a></li>')
    if page < pages:
        items.append(f'<li class="page-item"><a class="page-link" rel="next" title="{title} {page + 1}" href="{href(page + 1)}">&raquo;</a></li>')
    else:
        items.append('<li class="page-item disabled"><a class="page-link" href="javascript:void(0)">&raquo;</a></li>')
    return f'<div class="clearfix"></div>\n<div class="text-center">\n<ul class="pagination">{"".join(items)}</ul>\n</div>'


# -- rows ----------------------------------------------------------------------------------------


def _img(site: NukeVietSite, i: int, width: int = 100) -> str:
    item = site.items[i]
    t = site.title_html(item)
    return (f'<a href="{item.path}" title="{t}"><img alt="{t}" src="/assets/news/'
            f'{item.draft.when:%Y_%m}/anh-{i}.jpg" width="{width}" class="img-thumbnail pull-left imghome" /></a>')


def _meta(site: NukeVietSite, i: int, pattern: str = "d/m/Y H:i:s", label: bool = True) -> str:
    if site.version < "4.3" and pattern == "d/m/Y H:i:s":
        pattern = "d/m/Y h:i:s A"  # NukeViet 4.0-4.2 theme.php: a 12-hour listing clock
    when = _d(pattern, site.items[i].draft.when)
    view = f"Đã xem: {100 + i * 7 % 900}" if label else f"{100 + i * 7 % 900}"
    return (f'<div class="text-muted"><ul class="list-unstyled list-inline">'
            f'<li><em class="fa fa-clock-o">&nbsp;</em> {when}</li>'
            f'<li><em class="fa fa-eye">&nbsp;</em> {view}</li></ul></div>')


def _sapo(site: NukeVietSite, i: int) -> str:
    return esc(site.items[i].draft.paragraphs[0][:180])


def _panel(site: NukeVietSite, i: int, featured: bool) -> str:
    item = site.items[i]
    t = site.title_html(item)
    h = "h2" if featured else "h3"
    cls = "panel-body featured" if featured else "panel-body"
    return f"""    <div class="panel panel-default">
        <div class="{cls}">
            {_img(site, i)}
            <{h}>
                <a href="{item.path}" title="{t}">{t}</a>
            </{h}>
            {_meta(site, i)}
            {_sapo(site, i)}
        </div>
    </div>"""


def _related(site: NukeVietSite, ids: list[int], dated: str = "") -> str:
    lis = []
    for i in ids:
        item = site.items[i]
        t = site.title_html(item)
        when = f" <em>({_d(dated, item.draft.when)}) </em>" if dated else ""
        lis.append(f'<li><em class="fa fa-angle-right">&nbsp;</em><a href="{item.path}" title="{t}">{t}{when}</a></li>')
    return f'<ul class="related list-items">{"".join(lis)}</ul>'


def _view_page(site: NukeVietSite, chunk: list[int], others: list[int]) -> str:
    rows = "\n".join(_panel(site, i, k == 0) for k, i in enumerate(chunk))
    out = f'<div class="news_column">\n{rows}\n</div>'
    if others:
        out += f"\n<hr/>\n<h4>Các tin khác</h4>\n{_related(site, others, 'd/m/Y')}"
    return out


def _view_list(site: NukeVietSite, chunk: list[int], offset: int) -> str:
    rows = []
    for k, i in enumerate(chunk):
        item = site.items[i]
        t = site.title_html(item)
        rows.append(f'\t<a class="show h4" href="{item.path}"  data-content="{_sapo(site, i)}" data-img="" data-rel="tooltip" data-placement="bottom" title="{t}">\n'
                    f'\t\t<h4 class="list-group-item-heading">\n\t\t\t<span class="label label-default">{offset + k + 1}</span>&nbsp;&nbsp;{t}\n\t\t</h4>\n\t</a>')
    return '<div class="list-group">\n' + "\n".join(rows) + "\n</div>"


def _view_grid(site: NukeVietSite, chunk: list[int]) -> str:
    out = []
    if chunk:
        out.append(f'<div class="news_column">\n{_panel(site, chunk[0], True)}\n</div>')
    for i in chunk[1:]:
        item = site.items[i]
        t = site.title_html(item)
        out.append(f"""<div class="col-sm-12 col-md-8">
    <div class="thumbnail">
        <a title="{t}" href="{item.path}"><img alt="{t}" src="/assets/news/{item.draft.when:%Y_%m}/anh-{i}.jpg" width="100" class="img-thumbnail"/></a>
        <div class="caption text-center">
            <h4><a class="show" href="{item.path}" data-content="{_sapo(site, i)}" data-img="" data-rel="tooltip" data-placement="bottom" title="{t}">{t}</a></h4>
            <span></span>
        </div>
    </div>
</div>""")
    out.append('<div class="clear">&nbsp;</div>')
    return "\n".join(out)


def _view_top(site: NukeVietSite, chunk: list[int]) -> str:
    if not chunk:
        return ""
    first = site.items[chunk[0]]
    t = site.title_html(first)
    lis = "".join(
        f'<li><em class="fa fa-angle-right">&nbsp;</em><a title="{site.title_html(site.items[i])}" href="{site.items[i].path}">{site.title_html(site.items[i])}</a></li>'
        for i in chunk[1:])
    return f"""<div class="news_column">
    <div class="panel panel-default">
        <div class="panel-body featured">
                {_img(site, chunk[0])}
                <h2>
                    <a href="{first.path}" title="{t}">{t}</a>
                </h2>
                {_meta(site, chunk[0])}
                <div class="text-justify">{_sapo(site, chunk[0])}</div>
                <hr />
            <ul class="related list-items">{lis}</ul>
        </div>
    </div>
</div>"""


def _subcat_panels(site: NukeVietSite, subs: list[Subcat], layout: str) -> str:
    """viewsubcat_main(): one panel per subcategory, its newest article and a few titles."""
    out = []
    for sub in subs:
        ids = site.filed[sub.alias.lower()][:site.numlinks]
        if not ids:
            continue
        first = site.items[ids[0]]
        t = site.title_html(first)
        others = "".join(
            f'<li class="icon_list"><a class="show h4" href="{site.items[i].path}" data-content="" data-img="" data-rel="tooltip" data-placement="bottom" title="{site.title_html(site.items[i])}">{site.title_html(site.items[i])}</a></li>'
            for i in ids[1:])
        main = f"""{_img(site, ids[0])}
                    <h3><a title="{t}" href="{first.path}">{t}</a></h3>
                    {_meta(site, ids[0], "d/m/Y H:i", label=False)}
                    {_sapo(site, ids[0])}"""
        related = f'<ul class="related list-items">{others}</ul>' if others else ""
        wct = "col-md-16 " if others else "col-md-24"
        if layout == "main_bottom":
            body = f"{main}\n{related}"
        elif layout == "main_left":
            body = f'<div class="row"><div class="col-md-8">{related}</div><div class="{wct}">{main}</div></div>'
        else:
            body = f'<div class="row"><div class="{wct}">{main}</div><div class="col-md-8">{related}</div></div>'
        out.append(f"""<div class="news_column">
    <div class="panel panel-default clearfix">
        <div class="panel-heading">
            <a class="dimgray pull-right hidden-xs" title="Xem tiếp..." href="{sub.path}"><em class="fa fa-sign-out">&nbsp;</em></a>
            <ul class="list-inline sub-list-icon" style="margin: 0">
                <li><h4><a title="{esc(sub.title)}" href="{sub.path}"><span>{esc(sub.title)}</span></a></h4></li>
            </ul>
        </div>
        <div class="panel-body">
            {body}
        </div>
    </div>
</div>""")
    return "\n".join(out)


def _two_column(site: NukeVietSite, own: list[int], subs: list[Subcat]) -> str:
    out = []
    if own:
        top = site.items[own[0]]
        t = site.title_html(top)
        others = "".join(
            f'<li><a class="show h4" href="{site.items[i].path}" title="{site.title_html(site.items[i])}">{site.title_html(site.items[i])}</a></li>'
            for i in own[1:])
        out.append(f"""<div class="news_column">
    <div class="panel panel-default clearfix">
        <div class="panel-body">
            {_img(site, own[0])}
            <h3><a href="{top.path}" title="{t}">{t}</a></h3>
            {_meta(site, own[0])}
            <div class="text-justify">{_sapo(site, own[0])}</div>
        </div>
        <ul class="related list-items">{others}</ul>
    </div>
</div>""")
    cols = []
    for sub in subs:
        ids = site.filed[sub.alias.lower()][:site.numlinks]
        if not ids:
            continue
        first = site.items[ids[0]]
        t = site.title_html(first)
        others = "".join(
            f'<li class="icon_list"><a class="show h4" href="{site.items[i].path}" title="{site.title_html(site.items[i])}">{site.title_html(site.items[i])}</a></li>'
            for i in ids[1:])
        cols.append(f"""<div class="news_column two_column col-md-12">
    <div class="panel panel-default clearfix">
        <div class="panel-heading">
            <h4 class="cat-icon"><a title="{esc(sub.title)}" href="{sub.path}"><span>{esc(sub.title)}</span></a></h4>
        </div>
        <div class="panel-body">
            <h3><a href="{first.path}" title="{t}">{t}</a></h3>
            {_meta(site, ids[0], label=False)}
            {_img(site, ids[0])}
            <p>{_sapo(site, ids[0])}</p>
            <ul class="related list-items">{others}</ul>
        </div>
    </div>
</div>""")
    out.append('<div class="row">\n' + "\n".join(cols) + '\n</div>\n<div class="clear"></div>')
    return "\n".join(out)


# -- NukeViet 3 ----------------------------------------------------------------------------------


def _items3(site: NukeVietSite, i: int, h: str = "h3") -> str:
    item = site.items[i]
    t = site.title_html(item)
    return (f'<div class="items clearfix"><a href="{item.path}" title="{t}"><img alt="{t}" '
            f'src="/uploads/news/thumb/anh-{i}.jpg" width="100" /></a>'
            f'<{h}><a href="{item.path}" title="{t}">{t}</a></{h}><p>{_sapo(site, i)}</p></div>')


def _related3(site: NukeVietSite, ids: list[int]) -> str:
    lis = "".join(f'<li><a title="{site.title_html(site.items[i])}" href="{site.items[i].path}">{site.title_html(site.items[i])}</a></li>'
                  for i in ids)
    return f'<ul class="related">{lis}</ul>'


def _view3(site: NukeVietSite, layout: str, own: list[int], chunk: list[int], offset: int,
           others: list[int], subs: list[Subcat]) -> str:
    if layout == "list":
        rows = "".join(f'<tr><td>{offset + k + 1}</td><td><a title="{site.title_html(site.items[i])}" href="{site.items[i].path}">{site.title_html(site.items[i])}</a></td></tr>'
                       for k, i in enumerate(chunk))
        return f'<table class="table-list-news"><tbody>{rows}</tbody></table>'
    if layout == "grid":
        cells = "".join(f'<div class="item fl" style="width: 33%"><div class="item_content"><a title="{site.title_html(site.items[i])}" href="{site.items[i].path}"><img alt="" src="/uploads/news/thumb/anh-{i}.jpg" width="100" /></a><h2><a title="{site.title_html(site.items[i])}" href="{site.items[i].path}">{site.title_html(site.items[i])}</a></h2></div></div>'
                        for i in chunk)
        return f'<div class="news_grid">{cells}<div class="clear"></div></div>'
    if layout == "page":
        out = "\n".join(f'<div class="news_column">{_items3(site, i)}</div>' for i in chunk)
        if others:
            lis = "".join(f'<li><a href="{site.items[i].path}" title="{site.title_html(site.items[i])}">{site.title_html(site.items[i])} <span class="date">({site.items[i].draft.when:%d/%m/%Y}) </span></a></li>'
                          for i in others)
            out += f'<hr/><h4>Các tin khác</h4><ul class="related">{lis}</ul>'
        return out
    head = chunk if layout != "two_column" else own
    top = ""
    if head:
        top = (f'<div class="news_column"><div class="news-content bordersilver white clearfix">'
               f'{_items3(site, head[0])}{_related3(site, head[1:])}</div></div>')
    panels = []
    for sub in subs:
        ids = site.filed[sub.alias.lower()][:site.numlinks]
        if not ids:
            continue
        wrap = "news_column two_column fl" if layout == "two_column" else "news_column"
        panels.append(f'<div class="{wrap}"><div class="news-content bordersilver white clearfix">'
                      f'<div class="header clearfix"><a class="current" title="{esc(sub.title)}" href="{sub.path}"><span><span>{esc(sub.title)}</span></span></a></div>'
                      f'<div class="clear"></div>{_related3(site, ids[1:])}{_items3(site, ids[0])}</div></div>')
    return top + "\n" + "\n".join(panels)


# -- pages ---------------------------------------------------------------------------------------


def category_page(site: NukeVietSite, name: str, base: str, ids: list[int], page: int,
                  now: dt.datetime, *, layout: str, subcats: list[Subcat],
                  crumbs: list[tuple[str, str]] | None = None) -> str:
    from replicas.nukeviet_pages import layout as page_layout

    if layout == "two_column":
        page = 1  # viewcat.php redirects page-N of two_column categories to the category
    if layout.startswith("main_") and page > 1:
        layout, subcats = "page", []  # viewcat.php: `$set_view_page`
    size = site.page_size
    pages = max(1, -(-len(ids) // size))
    chunk = ids[(page - 1) * size:page * size]
    others = ids[page * size:page * size + site.st_links]
    crumbs = [*(crumbs or []), (name, base)] if base != (site.lang_base or "") else []
    if site.v3:
        body = _view3(site, layout, ids, chunk, (page - 1) * size, others, subcats)
    elif layout == "list":
        body = _view_list(site, chunk, (page - 1) * size)
    elif layout == "grid":
        body = _view_grid(site, chunk)
    elif layout == "top":
        body = _view_top(site, chunk)
    elif layout == "two_column":
        body = _two_column(site, ids[:site.numlinks], subcats)
    elif layout.startswith("main_"):
        body = _view_top(site, chunk) + "\n" + _subcat_panels(site, subcats, layout)
    else:
        body = _view_page(site, chunk, others)
    if layout != "two_column":
        body += "\n" + pager(site, name, base, page, pages)
    if not ids and not subcats:
        body = '<div class="alert alert-info">Chưa có bài viết.</div>'
    rss = (f'<link rel="alternate" href="{site.lang_base}/news/rss/" title="Tin Tức" '
           f'type="application/rss+xml">') if site.feeds else ""
    canonical = f'<link rel="canonical" href="{base if page == 1 else f"{base}/page-{page}"}">'
    return page_layout(site, name, body, now, crumbs, rss + "\n" + canonical)


def topic_page(site: NukeVietSite, name: str, base: str, ids: list[int], page: int,
               now: dt.datetime) -> str:
    """topic.tpl, as tag.php, topic.php and groups.php render it."""
    from replicas.nukeviet_pages import layout as page_layout

    size = site.page_size
    pages = max(1, -(-len(ids) // size))
    chunk = ids[(page - 1) * size:page * size]
    others = ids[page * size:page * size + site.st_links]
    rows = []
    for i in chunk:
        item = site.items[i]
        t = site.title_html(item)
        when = item.draft.when
        if site.v3:
            rows.append(f'<div class="news_column"><div class="items clearfix"><h3><a href="{item.path}" title="{t}">{t}</a></h3>'
                        f'<p><span class="time">{when:%H:%M}</span> | <span class="date">{when:%d/%m/%Y}</span></p>'
                        f"<p>{_sapo(site, i)}</p></div></div>")
            continue
        rows.append(f"""<div class="news_column panel panel-default">
    <div class="panel-body">
        {_img(site, i)}
        <h3><a href="{item.path}" title="{t}">{t}</a></h3>
        <p>
            <em class="fa fa-clock-o">&nbsp;</em><em>{when:%H:%M} {when:%d/%m/%Y}</em>
        </p>
        <div class="text-justify">
            {_sapo(site, i)}
        </div>
    </div>
</div>""")
    other = ""
    if others:
        dated = ((f'<span class="date">({site.items[i].draft.when:%H:%M %d/%m/%Y})</span>' if site.v3
                  else f"<em>({site.items[i].draft.when:%H:%M %d/%m/%Y})</em>") for i in others)
        lis = "".join(f'<li><a title="{site.title_html(site.items[i])}" href="{site.items[i].path}">{site.title_html(site.items[i])}</a>\n{d}</li>'
                      for i, d in zip(others, dated, strict=True))
        other = f'<ul class="related list-items">{lis}</ul>'
    head = (f'<div class="news_column"><div class="alert alert-info clearfix"><h1>{esc(name)}</h1></div></div>'
            if not site.v3 else
            f'<div style="background:#F2F2F2;border : 1px solid #ccc; padding:5px"><a style="font-size:13px;" title="{esc(name)}" href="{base}"><strong>{esc(name)}</strong></a></div>')
    body = head + "\n" + "\n".join(rows) + "\n" + other + "\n" + pager(site, name, base, page, pages)
    return page_layout(site, name, body, now, [(name, base)])
