# ruff: noqa: E501  (inline HTML templates read best one element per line)
"""NukeViet's print.tpl, served for the print and savefile views (NukeViet 4 and 3).

NukeViet 4: `#print > #hd_print` (site name, URL), `#content > h1`, `ul.list-inline` (the
date, then "In ra" and "Đóng cửa sổ này"), `#hometext`, `#bodytext`, `#author`, `#footer`
("URL của bản tin này"). NukeViet 3: the same parts in `#main > #header` / `#content`, the
date in `ul.control > li.time`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from replicas.nukeviet_pages import _date
from replicas.schools import esc

if TYPE_CHECKING:
    from replicas.nukeviet import Item, NukeVietSite


def print_page(site: NukeVietSite, item: Item, op: str) -> str:
    """print.tpl, served for both the print and the savefile views."""
    d = item.draft
    hometext, bodyhtml, author = site.body_parts(item)
    title = site.title_html(item)
    when = _date(site, "l - d/m/Y H:i", d.when)
    label = "Savefile" if op == "savefile" else "Print"
    if site.v3:
        author_html = (f'<div id="author"><p><strong>Tác giả bài viết:</strong> {author}</p></div>'
                       if author else "")
        return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
    <head>
        <title>{title} - {esc(site.name)}</title>
        <meta name="generator" content="NukeViet v{site.version}" />
        <link rel="canonical" href="{item.path}" />
    </head>
    <body>
        <div id="main">
            <div id="header" class="clearfix"><h2>{esc(site.name)}</h2><p><a title="{esc(site.name)}" href="/">{item.path}</a></p></div>
            <div class="clear"></div>
            <div id="content">
                <h1>{title}</h1>
                <ul class="control"><li class="time">{when}</li><li>|<a title="In ra" href="javascript:;" onclick="window.print()">In ra</a></li><li>|<a title="Đóng cửa sổ này" href="javascript:;" onclick="window.close()">Đóng cửa sổ này</a></li></ul>
                <div class="clear"></div>
                <div id="hometext">{hometext}</div>
                <div id="bodytext" class="clearfix">{bodyhtml}</div>
                {author_html}
            </div>
            <div id="footer"><div id="url"><strong>URL của bản tin này: </strong>{item.path}</div><div class="clear"></div><div class="copyright">&copy; {esc(site.name)}</div><div id="contact"><a href="mailto:admin@nukeviet.vn">admin@nukeviet.vn</a></div></div>
        </div>
    </body>
</html>
"""
    author_html = (f'<div id="author"><p><strong>Tác giả:</strong> {author}</p></div>'
                   if author else "")
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8"><title>{title} - {esc(site.name)}</title>
<meta name="generator" content="NukeViet v{site.version}">
<meta property="og:description" content="{label} - Tin Tức - {item.path}">
<link rel="canonical" href="{item.path}">
</head><body>
<style type="text/css">body{{background: #fff;}}</style>
<div id="print">
    <div id="hd_print"><h2 class="pull-left">{esc(site.name)}</h2><p class="pull-right"><a title="{esc(site.name)}" href="/">{site.lang_base}/</a></p></div>
    <div class="clear"></div>
    <hr />
    <div id="content">
        <h1>{title}</h1>
        <ul class="list-inline">
            <li>{when}</li>
            <li class="hidden-print txtrequired"><em class="fa fa-print">&nbsp;</em><a title="In ra" href="javascript:;" onclick="window.print()">In ra</a></li>
            <li class="hidden-print txtrequired"><em class="fa fa-power-off">&nbsp;</em><a title="Đóng cửa sổ này" href="javascript:;" onclick="window.close()">Đóng cửa sổ này</a></li>
        </ul>
        <div class="clear"></div>
        <div id="hometext">{hometext}</div>
        <div id="bodytext" class="clearfix">{bodyhtml}</div>
        {author_html}
    </div>
    <div id="footer" class="clearfix">
        <div id="url"><strong>URL của bản tin này: </strong>{item.path}</div>
        <div class="clear"></div>
        <div class="copyright">&copy; {esc(site.name)}</div>
        <div id="contact"><a href="mailto:admin@nukeviet.vn">admin@nukeviet.vn</a></div>
    </div>
</div>
</body></html>
"""
